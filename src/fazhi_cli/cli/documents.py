"""The commands that write documents: the yearly report, a plan drafted from a notice, a new plan file."""

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from ..errors import UsageError
from ..i18n import t
from .app import command
from .common import as_of_day, emit, open_ledger, open_plan, protected
from .options import REPORT_FORMATS, DataDirOption, ForceOption, PlanOption, WarnOption, as_of_option, format_option, \
    output_option, unit_option, year_option


@command(help=t('年度报告:某单位的年度工作进展情况总结,或不指定单位时方案各单位的总体落实情况;可存为 Word、Excel 或 HTML。\n\n'
                '示例: fazhi report --unit 区编办 --year 2017 --output 区编办2017年总结.docx',
                "A year's report: a unit's progress summary, or without --unit the whole plan's; as Word, Excel or HTML too."
                "\n\nExample: fazhi report --unit 区编办 --year 2017 --output summary-2017.docx"))
def report(
    year: Annotated[int, year_option(1900, 2999, t("报告哪一年,如 2017。", "The year reported on, e.g. 2017."),
                                     show_default=False)],
    unit: Annotated[Optional[str], unit_option(t("某单位的年度总结;不写则为方案各单位的总体落实情况。",
                                                 "A unit's own summary; without it, the whole plan's."))] = None,
    fmt: Annotated[Optional[Literal[REPORT_FORMATS]], format_option(  # type: ignore[valid-type]
        "markdown|docx|html|xlsx",
        t("markdown(默认)、docx、html 或 xlsx;不写时按 --output 的扩展名。",
          "markdown (default), docx, html or xlsx; by default the --output file's extension decides."),
        show_default=False)] = None,
    output: Annotated[Optional[Path], output_option(t("文件", "FILE"), t("写入的文件(docx 和 xlsx 必须指定)。",
                                                                         "The file to write (required for docx and xlsx)."))] = None,
    as_of: Annotated[Optional[str], as_of_option(t("按哪一天统计(默认为该年 12 月 31 日,未到则为今天)。",
                                                   "Count as of this day (default: 31 December of the year, or today "
                                                   "if earlier)."))] = None,
    warn_days: WarnOption = None,
    style: Annotated[Literal["official", "plain"], typer.Option(
        "--style", metavar="official|plain",
        help=t("Word 文件的版式:official 为公文格式(GB/T 9704),plain 为简单版式。",
               "The Word file's layout: official, the 公文 format of GB/T 9704, or plain."))] = "official",
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import report as reports  # noqa: PLC0415
    from ..dates import today  # noqa: PLC0415
    from ..render import output as out  # noqa: PLC0415

    plan = open_plan(plan_file)
    who = plan.resolve_unit(unit) if unit else None
    chosen = out.report_format(fmt, output, protected(data_dir))
    day = reports.report_day(plan, year, as_of_day(as_of) if as_of else None, today())
    rep = reports.build(plan, open_ledger(plan, data_dir).events, year=year, as_of=day, unit=who, warn_days=warn_days,
                        charts=chosen in out.CHART_FORMATS)
    out.write_report(rep, chosen, output, style)


# A plan file is YAML: the name says so, and no slip can write one over a ledger (progress/<unit>.jsonl).
PLAN_SUFFIXES = (".yaml", ".yml")


@command(help=t('根据通知原文(.txt、网页 .html 或 .docx)起草方案文件,每处推测都附注释。\n\n示例: fazhi draft 通知.docx --output 方案.yaml',
                "Draft a plan file from a notice's text (.txt, a saved .html page or .docx), with a comment beside every "
                "guess.\n\nExample: fazhi draft notice.docx --output plan.yaml"))
def draft(
    notice: Annotated[Path, typer.Argument(metavar="NOTICE", show_default=False,
                                           help=t("通知文件:.txt(UTF-8 或 GBK)、网页 .html 或 .docx。",
                                                  "The notice: .txt (UTF-8 or GBK), a saved .html page, or .docx."))],
    output: Annotated[Optional[Path], output_option("FILE", t("写入这个方案文件(默认输出到屏幕)。",
                                                              "Write the plan file here (default: standard output)."))] = None,
    force: ForceOption = False,
) -> None:
    from .. import draft as drafting, files  # noqa: PLC0415
    from ..dates import today  # noqa: PLC0415

    if output is not None:
        files.check_target(output, PLAN_SUFFIXES, "YAML", protected(None))
    if output is not None and not force and (output.exists() or output.is_symlink()):
        raise UsageError(t("{p}: 文件已存在;要覆盖请加 --force", "{p}: already exists; add --force to replace it", p=output))
    result, text = drafting.draft_notice(notice, today(), str(output or "plan.yaml"))
    if output is None:
        emit(text, "json")  # a file for programs: UTF-8 whatever the console
        return
    drafting.save(output, text, force)
    typer.echo(drafting.summary(result, str(output)), nl=False)


@command("new", help=t('写一个带注释的方案文件模板,fazhi check 可以直接通过。\n\n示例: fazhi new 方案.yaml',
                       'Write a small commented plan file that fazhi check accepts.\n\nExample: fazhi new plan.yaml'))
def new(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN.yaml", show_default=False,
                                              help=t("要写的方案文件。", "The plan file to write."))],
    force: ForceOption = False,
) -> None:
    from .. import files  # noqa: PLC0415
    from ..dates import today  # noqa: PLC0415
    from ..draft import save  # noqa: PLC0415
    from ..draft.writing import template  # noqa: PLC0415

    files.check_target(plan_file, PLAN_SUFFIXES, "YAML", protected(None), option="")
    save(plan_file, template(today().year), force)
    typer.echo(t("已写入 {p}:把示例改成你的方案,然后运行 fazhi check --plan {p}",
                 "wrote {p}: replace the examples with your plan, then run fazhi check --plan {p}", p=plan_file))
