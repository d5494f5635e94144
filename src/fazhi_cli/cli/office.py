"""The supervising office's commands (督办): review, extend, waive, close, reopen and remind."""

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer

from ..errors import UsageError
from ..i18n import t
from .app import command
from .common import acting_unit, as_of_day, data_root, emit, open_ledger, open_plan, protected
from .options import ActOnOption, AsOfOption, AsOption, ByOption, DataDirOption, PlanOption, ReasonOption, TargetArgument, \
    dry_run_option, format_option, note_option, on_option, output_option, unit_option, within_option


@command(help=t('审核单位报告的完成情况:销号(--accept)或退回(--return)。\n\n示例: fazhi review 7.1 --unit 区法制办 --accept',
                "Close out (--accept) or return (--return) a unit's claim that a part is done.\n\n"
                "Example: fazhi review 7.1 --unit 区法制办 --accept"))
def review(
    target: TargetArgument,
    unit: Annotated[str, unit_option(t("被审核的单位。", "The unit whose claim is reviewed."))],
    accept: Annotated[bool, typer.Option("--accept", help=t("销号:认可完成。", "Close out: the work is accepted."))] = False,
    send_back: Annotated[bool, typer.Option("--return", help=t("退回:该单位的分项回到进行中,须写 --note。",
                                                               "Return: the unit's part is doing again; --note says why."))] = False,
    note: Annotated[Optional[str], note_option(t("审核意见。", "The office's note."))] = None,
    on: ActOnOption = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record, render  # noqa: PLC0415

    if accept == send_back:
        raise UsageError(t("请在 --accept(销号)与 --return(退回)中选一个", "choose one of --accept and --return"))
    plan = open_plan(plan_file)
    events = record.review(plan, data_root(data_dir), target=target, unit=plan.resolve_unit(unit),
                           acting=acting_unit(plan, acting), verdict="accept" if accept else "return", note=note, by=by,
                           on=on)
    emit(render.act_lines(events), "plain")


@command(help=t('批准延期:按新期限亮灯,仍按原定期限考核。\n\n示例: fazhi extend 7.1 --to 2018-06-30 --reason 机构调整',
                "Extend a deadline; lateness is still judged against the original date.\n\n"
                "Example: fazhi extend 7.1 --to 2018-06-30 --reason 机构调整"))
def extend(
    target: TargetArgument,
    to: Annotated[str, typer.Option("--to", metavar=t("日期", "DATE"), help=t("新的期限。", "The new due date."))],
    reason: ReasonOption,
    unit: Annotated[Optional[str], unit_option(t("只为这个单位延期(默认全部单位)。",
                                                 "Extend for this unit only (default: every unit)."))] = None,
    approved_by: Annotated[Optional[str], typer.Option("--approved-by", metavar=t("批准人", "WHO"),
                                                       help=t("批准人或批准文件。", "Who approved it."))] = None,
    on: ActOnOption = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record, render  # noqa: PLC0415

    plan = open_plan(plan_file)
    events = record.extend(plan, data_root(data_dir), target=target, unit=plan.resolve_unit(unit) if unit else None,
                           acting=acting_unit(plan, acting), to=to, reason=reason, approved_by=approved_by, by=by,
                           on=on)
    emit(render.act_lines(events), "plain")


@command(help=t('不再适用:事项不再计入欠账,仍显示并注明理由。\n\n示例: fazhi waive catalogue-2018 --reason 该项工作已由上级统一部署',
                "Take an item out of what is owed; it stays visible with its reason (not applicable).\n\n"
                "Example: fazhi waive catalogue-2018 --reason 该项工作已由上级统一部署"))
def waive(
    target: TargetArgument,
    reason: ReasonOption,
    unit: Annotated[Optional[str], unit_option(t("只对这个单位不再适用(默认全部单位)。",
                                                 "Waive for this unit only (default: every unit)."))] = None,
    on: ActOnOption = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record, render  # noqa: PLC0415

    plan = open_plan(plan_file)
    events = record.waive(plan, data_root(data_dir), target=target, unit=plan.resolve_unit(unit) if unit else None,
                          acting=acting_unit(plan, acting), reason=reason, by=by, on=on)
    emit(render.act_lines(events), "plain")


@command("close", help=t('结束方案:最终完成情况定稿,due --check 不再报红灯。\n\n示例: fazhi close --on 2019-03-31 --note 创建工作已通过验收',
                         "Close the plan: its final account stands and due --check passes.\n\n"
                         "Example: fazhi close --on 2019-03-31 --note 创建工作已通过验收"))
def close_(
    on: Annotated[Optional[str], on_option(t("结束日期(默认今天)。", "The closing day (default today)."))] = None,
    note: Annotated[Optional[str], note_option(t("说明。", "A note."))] = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record, render  # noqa: PLC0415

    plan = open_plan(plan_file)
    events = record.close_plan(plan, data_root(data_dir), acting=acting_unit(plan, acting), on=on, note=note, by=by)
    emit(render.act_lines(events), "plain")


@command(help=t('重新开启已结束的方案。\n\n示例: fazhi reopen --note 补记2018年度工作',
                "Reopen a closed plan, so that late work can be recorded again.\n\nExample: fazhi reopen --note 补记2018年度工作"))
def reopen(
    on: Annotated[Optional[str], on_option(t("重新开启的日期(默认今天)。", "The day it reopens (default today)."))] = None,
    note: Annotated[Optional[str], note_option(t("说明。", "A note."))] = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record, render  # noqa: PLC0415

    plan = open_plan(plan_file)
    events = record.close_plan(plan, data_root(data_dir), acting=acting_unit(plan, acting), on=on, note=note, by=by,
                               reopen=True)
    emit(render.act_lines(events), "plain")


@command(help=t('为有欠账的单位生成编号的催办通知,可直接粘贴到 OA。\n\n示例: fazhi remind --as 区法制办 --output 催办',
                "Numbered reminders for every unit that owes something, ready for OA mail.\n\n"
                "Example: fazhi remind --as 区法制办 --output 催办"))
def remind(
    unit: Annotated[Optional[str], unit_option(t("只催办这个单位(默认所有有欠账的单位)。",
                                                 "Remind this unit only (default: every unit that owes)."))] = None,
    as_of: AsOfOption = None,
    within: Annotated[int, within_option(3660, t("同时列出多少天内到期的事项。",
                                                 "Also list what falls due within this many days."))] = 30,
    output: Annotated[Optional[Path], output_option(t("文件夹", "DIR"), t("每个单位一个文件,写入这个文件夹。",
                                                                          "Write one file per unit into this folder."))] = None,
    fmt: Annotated[Literal["text", "json"], format_option("text|json", t("输出格式。", "Output format."))] = "text",
    dry_run: Annotated[bool, dry_run_option(t("只预览,不编号、不记录。", "Preview only: no number, nothing recorded."))] = False,
    on: Annotated[Optional[str], on_option(t(
        "发出催办的日期（默认今天；--as-of 默认取这一天）：不能晚于今天，也不能早于方案印发日期。",
        "The day the reminders were issued (default today; --as-of defaults to it); never after today, never "
        "before the plan."))] = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import files, record  # noqa: PLC0415
    from ..render.output import notice_files, notices_out  # noqa: PLC0415

    plan = open_plan(plan_file)
    who = plan.resolve_unit(unit) if unit else None
    issued_on = record.office_day(plan, on)
    day = as_of_day(as_of) if as_of is not None else issued_on
    office, chosen = record.owed_notices(plan, open_ledger(plan, data_dir).events, acting=acting_unit(plan, acting), unit=who,
                                         as_of=day, within=within)
    folder = files.check_folder(output, protected(data_dir)) if chosen and output is not None else None
    staged: list = []

    def write(numbered: list, issued: date) -> files.Staged:   # aside, until their numbers are recorded
        staged.append(files.stage(notice_files(plan, numbered, day, issued, office, folder)))
        return staged[-1]
    numbered, issued = record.remind(plan, data_root(data_dir), chosen, acting=office, dry_run=dry_run, by=by,
                                     prepare=write if folder is not None else None,
                                     on=issued_on.isoformat()) if chosen else ([], None)
    written = [path for s in staged for path in s.paths] if folder is not None else None
    emit(notices_out(plan, numbered, day, issued, office, output, fmt, written), fmt if fmt == "json" else "plain")
