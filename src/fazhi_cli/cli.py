"""The command line: parse options, call the core, hand results to render.

Every FazhiError raised below is caught in one place (``FazhiGroup.main``)
and becomes one line on stderr and the error's exit code.
"""

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

try:  # typer >= 0.26 carries its own copy of Click
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer uses Click itself
    import click  # type: ignore[no-redef]

from . import __version__
from .errors import FazhiError, UsageError
from .i18n import set_lang, t

EXIT_OVERDUE = 3


class FazhiGroup(TyperGroup):
    """Turns every error into one line on stderr with a meaningful exit code."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        _tolerant_streams()
        code = 0
        try:
            rv = super().main(args, prog_name or "fazhi", complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except FazhiError as e:
            _error_line(e.message)
            code = e.exit_code
        except click.exceptions.NoArgsIsHelpError as e:  # bare `fazhi`
            text = e.ctx.get_help()  # Rich help prints itself and returns ""
            if text:
                typer.echo(text)
            code = 0
        except click.exceptions.ClickException as e:
            hint = ""
            ctx = getattr(e, "ctx", None)
            if ctx is not None:
                hint = t("(运行 {p} --help 查看用法)", " (see {p} --help)", p=ctx.command_path)
            _error_line(f"{_click_message(e.format_message())}{hint}")
            code = e.exit_code
        except typer.Abort:
            _error_line(t("已取消", "aborted"))
            code = 1
        except BrokenPipeError:
            code = 1
        except Exception as e:  # a bug: say so in one line; FAZHI_DEBUG=1 shows the traceback
            if os.environ.get("FAZHI_DEBUG"):
                raise
            _error_line(t("内部错误 {k}: {m}(请联系维护者;设置 FAZHI_DEBUG=1 可查看详情)",
                          "internal error {k}: {m} (please report it; FAZHI_DEBUG=1 shows details)",
                          k=type(e).__name__, m=e))
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


def _tolerant_streams() -> None:
    # A console in GBK (or a pipe in any narrow encoding) must not crash on
    # a character it cannot show: it gets a replacement character instead.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


_CLICK_ZH = (
    (r"Missing argument '(.+?)'\.?", "缺少参数 {0}"),
    (r"Missing option '(.+?)'\.?", "缺少选项 {0}"),
    (r"No such option: (\S+)(.*)", "没有这个选项: {0}{1}"),
    (r"No such command '(.+?)'\.?(.*)", "没有这个命令: {0}{1}"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)", "多余的参数: {0}"),
    (r"Option '(.+?)' requires an argument\.?", "选项 {0} 需要一个值"),
    (r"Invalid value for (.+?): (.+)", "{0} 的值无效: {1}"),
)


def _click_message(message: str) -> str:
    """Click's usage errors, in Chinese when the user reads Chinese."""
    if t("zh", "en") == "en":
        return message
    import re  # noqa: PLC0415

    for pattern, zh in _CLICK_ZH:
        m = re.fullmatch(pattern, message.strip(), re.S)
        if m:
            return zh.format(*m.groups())
    return message


def _error_line(message: str) -> None:
    from .render import safe  # noqa: PLC0415

    sys.stderr.write(t("错误: ", "error: ") + safe(" ".join(message.split())) + "\n")
    sys.stderr.flush()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fazhi {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=FazhiGroup,
    name="fazhi",
    help=t("法治政府建设工作方案进度清单:谁欠什么、什么已逾期、谁已完成。",
           "Compliance checklist for a district's rule-of-law government work plan."),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,
)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=t("显示版本并退出。", "Show the version and exit."))] = False,
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="zh|en",
                                                help=t("界面语言:zh(默认)或 en;也可设 FAZHI_LANG。",
                                                       "Language: zh (default) or en; or set FAZHI_LANG."))] = None,
) -> None:
    if lang is not None and lang not in ("zh", "en"):
        raise UsageError(t("--lang 只能是 zh 或 en", "--lang must be zh or en"))
    set_lang(lang)


# --- shared options -------------------------------------------------------------

class Format(str, Enum):
    table = "table"
    plain = "plain"
    markdown = "markdown"
    csv = "csv"
    json = "json"


class Light(str, Enum):
    red = "red"
    yellow = "yellow"
    green = "green"


class State(str, Enum):
    todo = "todo"
    doing = "doing"
    done = "done"


def _complete_unit(incomplete: str) -> list[str]:
    try:
        from .plan import load_plan  # noqa: PLC0415

        plan = load_plan()
    except FazhiError:
        return []
    return [n for n in plan.names if n.startswith(incomplete)]


PlanOption = Annotated[Optional[Path], typer.Option(
    "--plan", metavar="FILE", show_default=False,
    help=t("方案文件(默认为内置的番禺区方案;也可设 FAZHI_PLAN)。",
           "Plan file (default: the bundled Panyu plan; or set FAZHI_PLAN)."))]
DataDirOption = Annotated[Optional[Path], typer.Option(
    "--data-dir", metavar="DIR", show_default=False,
    help=t("数据文件夹(也可设 FAZHI_HOME)。", "Data folder (or set FAZHI_HOME)."))]
AsOfOption = Annotated[Optional[str], typer.Option(
    "--as-of", metavar="DATE", show_default=False,
    help=t("按哪一天查看,如 2017-06-30 或 2017年6月30日(默认今天,北京时间)。",
           "View as of this day, e.g. 2017-06-30 (default: today, China time)."))]
FormatOption = Annotated[Format, typer.Option(
    "--format", "-f", help=t("输出格式。", "Output format."))]
UnitOption = Annotated[Optional[str], typer.Option(
    "--unit", "-u", metavar="UNIT", show_default=False, autocompletion=_complete_unit,
    help=t("单位简称、全称或别名(默认取 FAZHI_UNIT)。", "Unit: short name, full name or alias (default: FAZHI_UNIT)."))]
WarnOption = Annotated[Optional[int], typer.Option(
    "--warn-days", min=0, max=3660, metavar="N", show_default=False,
    help=t("到期前几天亮黄灯(默认取方案设置,30)。", "Days before a deadline that turn it yellow (default 30)."))]


# --- helpers (glue only) -------------------------------------------------------

def _plan(path: Path | None) -> Any:
    from .plan import load_plan  # noqa: PLC0415

    return load_plan(path)


def _ledger(plan: Any, data_dir: Path | None) -> Any:
    from .ledger import read_ledger  # noqa: PLC0415

    ledger = read_ledger(_data_root(data_dir), plan)
    if ledger.problems:
        sys.stderr.write(t("注意: {n} 行进度记录无法读取,已跳过;运行 fazhi check 查看详情\n",
                           "note: {n} progress lines could not be read and were skipped; run fazhi check for details\n",
                           n=len(ledger.problems)))
    return ledger


def _as_of(value: str | None) -> Any:
    from .dates import parse_date, today  # noqa: PLC0415

    return parse_date(value, "--as-of") if value else today()


def _unit(plan: Any, value: str | None) -> str:
    value = value if value is not None else os.environ.get("FAZHI_UNIT")
    if value is None or not value.strip():
        raise UsageError(t("请用 --unit 指明单位(或设置环境变量 FAZHI_UNIT)",
                           "name the unit with --unit (or set FAZHI_UNIT)"))
    return plan.resolve_unit(value)


def _emit(result: Any, fmt: Format | str) -> None:
    fmt = getattr(fmt, "value", fmt)
    if isinstance(result, str):
        if fmt in ("json", "csv"):
            # JSON and CSV are files for programs: always UTF-8, whatever the console.
            out = getattr(sys.stdout, "buffer", None)
            if out is not None:
                sys.stdout.flush()
                out.write(result.encode("utf-8"))
                out.flush()
                return
        sys.stdout.write(result)
        return
    from rich.console import Console, Group  # noqa: PLC0415

    items = result if isinstance(result, list) else [result]
    Console(highlight=False).print(Group(*items))


# --- commands ------------------------------------------------------------------

_HELP = {
    "status": t('总览:各任务的状态与红黄绿灯。\n\n示例: fazhi status --as-of 2017-12-01 --light red',
             "Overview: every task's state and light.\n\nExample: fazhi status --as-of 2017-12-01 --light red"),
    "due": t('即将到期与已逾期的事项,最近的在前。\n\n示例: fazhi due --as-of 2016-11-15 --within 60',
             'What falls due and what is late, soonest first.\n\nExample: fazhi due --as-of 2016-11-15 --within 60'),
    "mark": t('记录本单位的进度。\n\n示例: fazhi mark 7 --unit 区法制办 --on 2017-11-30 --evidence 番府办〔2017〕12号',
             "Record a unit's progress.\n\nExample: fazhi mark 7 --unit 区法制办 --on 2017-11-30 --evidence 番府办〔2017〕12号"),
    "undo": t('撤销本单位最近一条记录(追加一条撤销记录,原记录保留)。\n\n示例: fazhi undo --unit 区法制办',
             "Revoke the unit's latest record (a revoking record is added; nothing is deleted).\n\nExample: fazhi undo --unit 区法制办"),
    "log": t('记录历史,最新的在前。\n\n示例: fazhi log --unit 区法制办 --since 2017-01-01',
             'The history of records, newest first.\n\nExample: fazhi log --unit 区法制办 --since 2017-01-01'),
    "import": t('合并收到的进度文件(邮件或其他电脑拷来的 .jsonl),重复的记录只保留一份。\n\n示例: fazhi import 区编办.jsonl',
             'Merge progress files received by mail or copied from another PC; repeated records are kept once.\n\nExample: fazhi import 区编办.jsonl'),
    "show": t('任务全文、分项、牵头与配合单位、期限。\n\n示例: fazhi show 7 --format json',
             "A task's full text, parts, units and deadlines.\n\nExample: fazhi show 7 --format json"),
    "units": t('单位、单位组,以及各单位牵头和配合的分项数。\n\n示例: fazhi units --format csv > 单位.csv',
             'Units, groups, and how many parts each unit leads and supports.\n\nExample: fazhi units --format csv > units.csv'),
    "draft": t('根据通知原文(.txt、网页 .html 或 .docx)起草方案文件,每处推测都附注释。\n\n示例: fazhi draft 通知.docx --output 方案.yaml',
             "Draft a plan file from a notice's text (.txt, a saved .html page or .docx), with a comment beside every "
             "guess.\n\nExample: fazhi draft notice.docx --output plan.yaml"),
    "new": t('写一个带注释的方案文件模板,fazhi check 可以直接通过。\n\n示例: fazhi new 方案.yaml',
             'Write a small commented plan file that fazhi check accepts.\n\nExample: fazhi new plan.yaml'),
    "check": t('检查方案文件与进度记录;有问题时逐条列出并以状态码 1 退出。\n\n示例: fazhi check --plan 其他区方案.yaml',
             'Validate the plan and the progress files; list every problem and exit 1 if any.\n\nExample: fazhi check --plan other.yaml'),
}



@app.command(help=_HELP["status"])
def status(
    as_of: AsOfOption = None,
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", metavar="UNIT", autocompletion=_complete_unit,
                                                help=t("只看这个单位负责的分项。", "Only the parts this unit holds."))] = None,
    task: Annotated[Optional[str], typer.Option("--task", "-t", metavar="TASK",
                                                help=t("只看一个任务及各单位状态。", "One task and every unit's state in it."))] = None,
    section: Annotated[Optional[str], typer.Option("--section", "-s", metavar="N",
                                                   help=t("只看一个章节(一…八 或 1…8)。", "One section (一…八 or 1…8)."))] = None,
    light: Annotated[Optional[Light], typer.Option("--light", help=t("只看某种灯。", "Only this light."))] = None,
    warn_days: WarnOption = None,
    fmt: FormatOption = Format.table,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Overview: every task's state and light.

    Example: fazhi status --as-of 2017-12-01 --light red
    """
    from . import progress, render  # noqa: PLC0415

    if unit and task:
        raise UsageError(t("--unit 与 --task 不能同时使用", "--unit and --task cannot be used together"))
    plan = _plan(plan_file)
    day = _as_of(as_of)
    st = progress.status(plan, _ledger(plan, data_dir).events, day, warn_days)
    chosen_section = plan.section_id(section) if section else None
    tasks = [ts for ts in st.tasks if chosen_section is None or ts.task.section == chosen_section]
    if task:
        chosen = plan.task_of(task)
        _emit(render.task_detail_view(plan, st, next(ts for ts in st.tasks if ts.task is chosen), fmt.value), fmt)
    elif unit:
        _emit(render.unit_view(plan, st, plan.resolve_unit(unit), tasks, fmt.value, light and light.value), fmt)
    else:
        tasks = [ts for ts in tasks if light is None or ts.light == light.value]
        _emit(render.status_view(plan, st, tasks, fmt.value), fmt)


@app.command(help=_HELP["due"])
def due(
    as_of: AsOfOption = None,
    within: Annotated[int, typer.Option("--within", "-w", min=0, max=36600, metavar="DAYS",
                                        help=t("列出今后多少天内到期的事项。", "List what falls due within this many days."))] = 30,
    unit: UnitOption = None,
    everything: Annotated[bool, typer.Option("--all", help=t("列出方案的全部期限。", "List every deadline of the plan."))] = False,
    check: Annotated[bool, typer.Option("--check", help=t("有红灯时以状态码 3 退出(供定时任务使用)。",
                                                          "Exit with status 3 when anything is red."))] = False,
    warn_days: WarnOption = None,
    fmt: FormatOption = Format.table,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """What falls due and what is late, soonest first.

    Example: fazhi due --as-of 2016-11-15 --within 60
    """
    from . import progress, render  # noqa: PLC0415

    plan = _plan(plan_file)
    day = _as_of(as_of)
    who = plan.resolve_unit(unit) if unit else None
    st = progress.status(plan, _ledger(plan, data_dir).events, day, warn_days)
    items = progress.due_items(st, within=within, unit=who, everything=everything)
    _emit(render.due_view(plan, items, day, fmt.value), fmt)
    if check and any(i.light == "red" for i in items):
        raise typer.Exit(EXIT_OVERDUE)


@app.command(help=_HELP["mark"])
def mark(
    target: Annotated[str, typer.Argument(metavar="TASK_OR_PART",
                                          help=t("任务(7)、分项(6.3)或年度事项(summary-2017)。",
                                                 "A task (7), a part (6.3) or a yearly duty (summary-2017)."))],
    unit: UnitOption = None,
    state: Annotated[State, typer.Option("--state", help=t("状态。", "State."))] = State.done,
    on: Annotated[Optional[str], typer.Option("--on", metavar="DATE", show_default=False,
                                              help=t("达到该状态的日期(默认今天)。", "Day the work reached the state (default today)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-m", help=t("备注。", "A note."))] = None,
    evidence: Annotated[Optional[list[str]], typer.Option(
        "--evidence", "-e", metavar="DOC|URL|FILE",
        help=t("证明材料:文号、网址或文件(可重复;文件会记录大小和 SHA-256)。",
               "Evidence: document number, URL or file (repeatable; files are fingerprinted)."))] = None,
    by: Annotated[Optional[str], typer.Option("--by", help=t("记录人(默认 FAZHI_USER 或登录名)。",
                                                             "Who records it (default FAZHI_USER or the login)."))] = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Record a unit's progress.

    Example: fazhi mark 7 --unit 区法制办 --on 2017-11-30 --evidence 番府办〔2017〕12号
    """
    from . import record, render  # noqa: PLC0415

    plan = _plan(plan_file)
    events = record.mark(plan, _data_root(data_dir), target=target, unit=_unit(plan, unit), state=state.value,
                         on=on, note=note, evidence=evidence or [], by=by)
    _emit(render.marked_lines(events), "plain")


@app.command(help=_HELP["undo"])
def undo(
    unit: UnitOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke the unit's latest record (a revoking record is added; nothing is deleted).

    Example: fazhi undo --unit 区法制办
    """
    from . import record, render  # noqa: PLC0415

    plan = _plan(plan_file)
    _emit(render.revoked_line(record.undo(plan, _data_root(data_dir), _unit(plan, unit))), "plain")


@app.command(help=_HELP["log"])
def log(
    unit: UnitOption = None,
    task: Annotated[Optional[str], typer.Option("--task", "-t", metavar="TASK", help=t("只看一个任务。", "One task only."))] = None,
    since: Annotated[Optional[str], typer.Option("--since", metavar="DATE",
                                                 help=t("只看此日以后记录的。", "Only records made on or after this day."))] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help=t("最多显示几条。", "At most this many."))] = None,
    fmt: FormatOption = Format.table,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """The history of records, newest first.

    Example: fazhi log --unit 区法制办 --since 2017-01-01
    """
    from . import render, record  # noqa: PLC0415
    from .dates import parse_date  # noqa: PLC0415

    plan = _plan(plan_file)
    who = plan.resolve_unit(unit) if unit else None
    which = plan.task_of(task).id if task else None
    day = parse_date(since, "--since") if since else None
    events = record.history(plan, _ledger(plan, data_dir).events, unit=who, task=which, since=day)
    _emit(render.log_view(events[:limit] if limit else events, fmt.value), fmt)


@app.command("import", help=_HELP["import"])
def import_(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help=t("收到的进度文件(.jsonl)。",
                                                                          "Progress files received (.jsonl)."))],
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Merge progress files received by mail or copied from another PC; repeated records are kept once.

    Example: fazhi import 区编办.jsonl
    """
    from . import record  # noqa: PLC0415

    plan = _plan(plan_file)
    typer.echo(record.import_files(plan, _data_root(data_dir), files))


@app.command(help=_HELP["show"])
def show(
    task: Annotated[str, typer.Argument(metavar="TASK", help=t("任务编号,如 7。", "Task number, e.g. 7."))],
    fmt: FormatOption = Format.table,
    plan_file: PlanOption = None,
) -> None:
    """A task's full text, parts, units and deadlines.

    Example: fazhi show 7 --format json
    """
    from . import render  # noqa: PLC0415

    plan = _plan(plan_file)
    ref = task.strip()
    chosen = plan.parts[ref].task if ref in plan.parts else ref
    _emit(render.show_view(plan, plan.task_of(chosen), fmt.value), fmt)


@app.command(help=_HELP["units"])
def units(
    fmt: FormatOption = Format.table,
    plan_file: PlanOption = None,
) -> None:
    """Units, groups, and how many parts each unit leads and supports.

    Example: fazhi units --format csv > units.csv
    """
    from . import render  # noqa: PLC0415

    _emit(render.units_view(_plan(plan_file), fmt.value), fmt)


@app.command(help=_HELP["check"])
def check(
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Validate the plan and the progress files; list every problem and exit 1 if any.

    Example: fazhi check --plan other.yaml
    """
    from . import record  # noqa: PLC0415
    from .errors import PlanError, PlanProblems  # noqa: PLC0415
    from .ledger import read_ledger  # noqa: PLC0415

    try:
        plan = _plan(plan_file)
    except PlanProblems as e:  # every mistake, one a line, then a count (not the first one again)
        typer.echo("\n".join(e.problems))
        raise PlanError(t("方案文件有 {n} 个问题,已逐条列出如上;改正后再运行 fazhi check",
                          "the plan file has {n} problem(s), listed above; fix them and run fazhi check again",
                          n=len(e.problems))) from None
    report, problems = record.check(plan, read_ledger(_data_root(data_dir), plan))
    typer.echo("\n".join(report))
    if problems:
        raise typer.Exit(1)


@app.command(help=_HELP["draft"])
def draft(
    notice: Annotated[Path, typer.Argument(metavar="NOTICE", show_default=False,
                                           help=t("通知文件:.txt(UTF-8 或 GBK)、网页 .html 或 .docx。",
                                                  "The notice: .txt (UTF-8 or GBK), a saved .html page, or .docx."))],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE", show_default=False,
        help=t("写入这个方案文件(默认输出到屏幕)。", "Write the plan file here (default: standard output)."))] = None,
    force: Annotated[bool, typer.Option("--force", help=t("覆盖已有文件。", "Replace an existing file."))] = False,
) -> None:
    """Draft a plan file from a notice's text, with a comment beside every guess.

    Example: fazhi draft notice.docx --output plan.yaml
    """
    from . import draft as drafting  # noqa: PLC0415
    from .dates import today  # noqa: PLC0415

    if output is not None and not force and (output.exists() or output.is_symlink()):
        raise UsageError(t("{p}: 文件已存在;要覆盖请加 --force", "{p}: already exists; add --force to replace it", p=output))
    result, text = drafting.draft_notice(notice, today(), str(output or "plan.yaml"))
    if output is None:
        _emit(text, "json")  # a file for programs: UTF-8 whatever the console
        return
    drafting.save(output, text, force)
    typer.echo(drafting.summary(result, str(output)), nl=False)


@app.command("new", help=_HELP["new"])
def new(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN.yaml", show_default=False,
                                              help=t("要写的方案文件。", "The plan file to write."))],
    force: Annotated[bool, typer.Option("--force", help=t("覆盖已有文件。", "Replace an existing file."))] = False,
) -> None:
    """Write a small commented plan file that fazhi check accepts.

    Example: fazhi new plan.yaml
    """
    from .dates import today  # noqa: PLC0415
    from .draft import save  # noqa: PLC0415
    from .draft.writing import template  # noqa: PLC0415

    save(plan_file, template(today().year), force)
    typer.echo(t("已写入 {p}:把示例改成你的方案,然后运行 fazhi check --plan {p}",
                 "wrote {p}: replace the examples with your plan, then run fazhi check --plan {p}", p=plan_file))


def _data_root(option: Path | None) -> Path:
    from .ledger import data_dir as resolve  # noqa: PLC0415

    return resolve(option)


def main() -> None:
    # A run lasts a fraction of a second and builds no reference cycles worth
    # collecting; the cyclic collector would only walk the ledger's objects.
    import gc  # noqa: PLC0415

    gc.disable()
    app()
