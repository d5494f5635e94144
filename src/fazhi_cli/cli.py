"""The command line: parse options, call the core, hand results to render.

Every FazhiError raised below is caught in one place (``FazhiGroup.main``)
and becomes one line on stderr and the error's exit code.
"""

import os
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer
from typer.core import TyperGroup

try:  # typer >= 0.26 carries its own copy of Click
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer uses Click itself
    import click  # type: ignore[no-redef]

from . import __version__, clicktext
from .errors import FazhiError, UsageError
from .i18n import set_lang, t

clicktext.install()

EXIT_OVERDUE = 3


class FazhiGroup(TyperGroup):
    """Turns every error into one line on stderr with a meaningful exit code."""

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)
        for p in params:  # Typer's own completion options, in the user's language
            if p.name == "install_completion":
                p.help = t("为当前 shell 安装命令补全。", "Install completion for the current shell.")
            elif p.name == "show_completion":
                p.help = t("显示当前 shell 的命令补全脚本,可复制或自行安装。",
                           "Show completion for the current shell, to copy it or customize the installation.")
        return params

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


def _click_message(message: str) -> str:
    """Click's usage errors, in Chinese when the user reads Chinese."""
    from .clicktext import translate  # noqa: PLC0415

    return translate(message)


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

# Choices take their Chinese names too (--light 红灯, --state 已完成); the
# commands see the English value, which is also what JSON and CSV carry.
FORMATS = {"table": "table", "表格": "table", "plain": "plain", "文本": "plain", "markdown": "markdown",
           "csv": "csv", "json": "json"}
LIGHTS = {"red": "red", "yellow": "yellow", "green": "green", "红灯": "red", "黄灯": "yellow", "绿灯": "green",
          "红": "red", "黄": "yellow", "绿": "green"}
STATES = {"todo": "todo", "doing": "doing", "done": "done", "未开始": "todo", "进行中": "doing", "已完成": "done"}


VIEW_FORMATS = {**FORMATS, "xlsx": "xlsx"}        # status and due also write a workbook
REPORT_FORMATS = ("markdown", "docx", "html", "xlsx")


def _format(value: str) -> str:
    return VIEW_FORMATS[value]


def _light(value: str | None) -> str | None:
    return LIGHTS[value] if value else None


def _completion_plan(ctx: Any) -> Any:
    # the plan in use: --plan when it was typed before the word being completed, else FAZHI_PLAN or the bundled one
    try:
        from .plan import load_plan  # noqa: PLC0415

        return load_plan(ctx.params.get("plan_file") if ctx is not None else None)
    except (FazhiError, OSError, TypeError, ValueError):
        return None


def _complete_unit(ctx: typer.Context, incomplete: str) -> list[str]:
    plan = _completion_plan(ctx)
    return [n for n in plan.names if n.startswith(incomplete)] if plan else []


def _complete_target(ctx: typer.Context, incomplete: str) -> list[str]:
    """Task ids, part ids and yearly duty ids, as `mark` takes them."""
    plan = _completion_plan(ctx)
    if plan is None:
        return []
    return [x for x in (*plan.tasks, *plan.parts, *plan.obligations) if x.startswith(incomplete)]


def _complete_task(ctx: typer.Context, incomplete: str) -> list[str]:
    plan = _completion_plan(ctx)
    return [x for x in plan.tasks if x.startswith(incomplete)] if plan else []


def _complete_section(ctx: typer.Context, incomplete: str) -> list[str]:
    plan = _completion_plan(ctx)
    return [s.id for s in plan.sections if s.id.startswith(incomplete)] if plan else []


PlanOption = Annotated[Optional[Path], typer.Option(
    "--plan", metavar=t("文件", "FILE"), show_default=False,
    help=t("方案文件(默认为内置的番禺区方案;也可设 FAZHI_PLAN)。",
           "Plan file (default: the bundled Panyu plan; or set FAZHI_PLAN)."))]
DataDirOption = Annotated[Optional[Path], typer.Option(
    "--data-dir", metavar=t("文件夹", "DIR"), show_default=False,
    help=t("数据文件夹(也可设 FAZHI_HOME)。", "Data folder (or set FAZHI_HOME)."))]
AsOfOption = Annotated[Optional[str], typer.Option(
    "--as-of", metavar=t("日期", "DATE"), show_default=False,
    help=t("按哪一天查看,如 2017-06-30 或 2017年6月30日(默认今天,北京时间)。",
           "View as of this day, e.g. 2017-06-30 (default: today, China time)."))]
KnownAtOption = Annotated[Optional[str], typer.Option(
    "--known-at", metavar=t("时间", "TIME"), show_default=False,
    help=t("只计入此时已记录(或已导入)的内容,如 2017-06-30 或 2017-06-30T18:00;用于重现当时的报告。",
           "Count only what had been recorded (or imported) by then, e.g. 2017-06-30 or 2017-06-30T18:00; "
           "shows again what a past report said."))]
FormatOption = Annotated[Literal[tuple(FORMATS)], typer.Option(  # type: ignore[valid-type]
    "--format", "-f", metavar=t("表格|文本|markdown|csv|json", "table|plain|markdown|csv|json"),
    help=t("输出格式:表格(table)、文本(plain)、markdown、csv 或 json。",
           "Output format: table, plain, markdown, csv or json."))]
LightOption = Annotated[Optional[Literal[tuple(LIGHTS)]], typer.Option(  # type: ignore[valid-type]
    "--light", metavar=t("红灯|黄灯|绿灯", "red|yellow|green"), show_default=False,
    help=t("只看某种灯(红灯、黄灯、绿灯,或 red、yellow、green)。", "Only this light: red, yellow or green."))]
AllUnitsOption = Annotated[bool, typer.Option(
    "--all-units", help=t("看全部单位(不按 FAZHI_UNIT 筛选)。", "Every unit's items, whatever FAZHI_UNIT says."))]
UnitOption = Annotated[Optional[str], typer.Option(
    "--unit", "-u", metavar=t("单位", "UNIT"), show_default=False, autocompletion=_complete_unit,
    help=t("单位简称、全称或别名(默认取 FAZHI_UNIT)。", "Unit: short name, full name or alias (default: FAZHI_UNIT)."))]
ViewFormatOption = Annotated[Literal[tuple(VIEW_FORMATS)], typer.Option(  # type: ignore[valid-type]
    "--format", "-f", metavar=t("表格|文本|markdown|csv|json|xlsx", "table|plain|markdown|csv|json|xlsx"),
    help=t("输出格式:表格(table)、文本(plain)、markdown、csv、json,或 xlsx(需配合 --output)。",
           "Output format: table, plain, markdown, csv, json, or xlsx (with --output)."))]
OutputOption = Annotated[Optional[Path], typer.Option(
    "--output", "-o", metavar=t("文件", "FILE"), show_default=False,
    help=t("写入文件而不是屏幕;格式可由扩展名确定(.xlsx .csv .json .md)。",
           "Write to this file instead of the screen; the extension can choose the format (.xlsx .csv .json .md)."))]
ExportOption = Annotated[Optional[Path], typer.Option(
    "--export", metavar=t("文件.svg|文件.html", "FILE.svg|FILE.html"), show_default=False,
    help=t("把终端上显示的彩色表格另存为 SVG 或 HTML。", "Also save the coloured table as shown, as SVG or HTML."))]
WarnOption = Annotated[Optional[int], typer.Option(
    "--warn-days", min=0, max=3660, metavar=t("天数", "N"), show_default=False,
    help=t("到期前几天亮黄灯(默认取方案设置,30)。", "Days before a deadline that turn it yellow (default 30)."))]


EvidenceOption = Annotated[Optional[list[str]], typer.Option(
    "--evidence", "-e", metavar=t("文号|网址|文件", "DOC|URL|FILE"),
    help=t("证明材料:文号、网址或文件(可重复;文件会复制到数据文件夹的 evidence/ 中并记录 SHA-256)。",
           "Evidence: document number, URL or file (repeatable; files are copied into the data folder's evidence/ "
           "with their SHA-256)."))]


# --- helpers (glue only) -------------------------------------------------------

def _plan(path: Path | None, *, fresh: bool = False) -> Any:
    from .plan import load_plan  # noqa: PLC0415

    return load_plan(path, fresh=fresh)


def _ledger(plan: Any, data_dir: Path | None, units: Any = None) -> Any:
    from .ledger import read_ledger  # noqa: PLC0415

    ledger = read_ledger(_data_root(data_dir), plan, today=_today_iso(), units=units)
    _note_problems(ledger.problems)
    return ledger


def _note_problems(problems: list) -> None:
    if problems:
        sys.stderr.write(t("注意: {n} 行进度记录无法读取,已跳过;运行 fazhi check 查看详情\n",
                           "note: {n} progress lines could not be read and were skipped; run fazhi check for details\n",
                           n=len(problems)))


def _status(plan: Any, data_dir: Path | None, units: Any, day: Any, warn_days: int | None,
            known_at: str | None) -> Any:
    """The Status that `status` and `due` show, and the standing it came from (by the snapshot when it stands, else
    by reading every record)."""
    from . import progress  # noqa: PLC0415
    from .snapshot import standing  # noqa: PLC0415

    known = _known_at(known_at)
    got = standing(_data_root(data_dir), plan, today=_today_iso(), as_of=day, known_at=known, units=units)
    _note_problems(got.problems)
    return progress.status_of(plan, got.pairs, got.acts, day, warn_days, known), got


def _as_of(value: str | None) -> Any:
    from .dates import parse_date, today  # noqa: PLC0415

    return parse_date(value, "--as-of") if value is not None else today()


def _known_at(value: str | None) -> str | None:
    from .dates import parse_moment  # noqa: PLC0415

    return parse_moment(value, "--known-at") if value is not None else None


def _today_iso() -> str:
    from .dates import today  # noqa: PLC0415

    return today().isoformat()


def _view_unit(plan: Any, value: str | None, all_units: bool) -> str | None:
    """The unit a view is for: --unit, else FAZHI_UNIT unless --all-units, else none."""
    if all_units:
        if value:
            raise UsageError(t("--unit 与 --all-units 不能同时使用", "--unit and --all-units cannot be used together"))
        return None
    if value is not None:  # typed, even blank: it must name a unit
        return plan.resolve_unit(value)
    value = os.environ.get("FAZHI_UNIT")
    return plan.resolve_unit(value) if value and value.strip() else None


def _unit(plan: Any, value: str | None) -> str:
    value = value if value is not None else os.environ.get("FAZHI_UNIT")
    if value is None or not value.strip():
        raise UsageError(t("请用 --unit 指明单位(或设置环境变量 FAZHI_UNIT)",
                           "name the unit with --unit (or set FAZHI_UNIT)"))
    return plan.resolve_unit(value)


def _destination(fmt: str, output: Path | None, export: Path | None, plan: Any, data_dir: Path | None) -> Any:
    """The view's format, or a Destination (output.py) when it is bound for a file."""
    if output is None and export is None and fmt != "xlsx":
        return fmt
    from .output import Destination  # noqa: PLC0415

    return Destination.make(fmt, output, export, plan, _data_root(data_dir))


def _emit(result: Any, fmt: Any) -> None:
    deliver = getattr(fmt, "deliver", None)
    if deliver is not None:  # a file was asked for: it is written, and perhaps still shown
        result = deliver(result)
        if result is None:
            return
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
    from .render.terminal import show  # noqa: PLC0415 - Rich's bytes, without importing Rich

    show(result if isinstance(result, list) else [result])


# --- commands ------------------------------------------------------------------

_HELP = {
    "status": t('总览:各任务的状态与红黄绿灯。\n\n示例: fazhi status --as-of 2017-12-01 --light red',
             "Overview: every task's state and light.\n\nExample: fazhi status --as-of 2017-12-01 --light red"),
    "due": t('即将到期与已逾期的事项,最近的在前。\n\n示例: fazhi due --as-of 2016-11-15 --within 60',
             'What falls due and what is late, soonest first.\n\nExample: fazhi due --as-of 2016-11-15 --within 60'),
    "mark": t('记录本单位的进度。\n\n示例: fazhi mark 7 --unit 区法制办 --on 2017-11-30 --evidence 番府办〔2017〕12号',
             "Record a unit's progress.\n\nExample: fazhi mark 7 --unit 区法制办 --on 2017-11-30 --evidence 番府办〔2017〕12号"),
    "undo": t('撤销本单位最近一次命令记下的全部记录(追加撤销记录,原记录保留)。\n\n示例: fazhi undo --unit 区法制办',
             "Revoke everything the unit's latest command recorded (revoking records are added; nothing is deleted)."
             "\n\nExample: fazhi undo --unit 区法制办"),
    "attach": t('为已记录的进度补充证明材料或备注,不改变状态和完成日期。\n\n示例: fazhi attach 19.1 --unit 区法制办 --evidence 番府办〔2017〕12号',
             "Add evidence or a note to what is recorded, without changing its state or date.\n\n"
             "Example: fazhi attach 19.1 --unit 区法制办 --evidence 番府办〔2017〕12号"),
    "log": t('记录历史,最新的在前。\n\n示例: fazhi log --unit 区法制办 --since 2017-01-01',
             'The history of records, newest first.\n\nExample: fazhi log --unit 区法制办 --since 2017-01-01'),
    "import": t('合并收到的进度文件(邮件或其他电脑拷来的 .jsonl),重复的记录只保留一份。\n\n示例: fazhi import 区编办.jsonl',
             'Merge progress files received by mail or copied from another PC; repeated records are kept once.\n\nExample: fazhi import 区编办.jsonl'),
    "show": t('任务全文、分项、牵头与配合单位、期限。\n\n示例: fazhi show 7 --format json',
             "A task's full text, parts, units and deadlines.\n\nExample: fazhi show 7 --format json"),
    "review": t('审核单位报告的完成情况:销号(--accept)或退回(--return)。\n\n示例: fazhi review 7.1 --unit 区法制办 --accept',
                "Close out (--accept) or return (--return) a unit's claim that a part is done.\n\n"
                "Example: fazhi review 7.1 --unit 区法制办 --accept"),
    "extend": t('批准延期:按新期限亮灯,仍按原定期限考核。\n\n示例: fazhi extend 7.1 --to 2018-06-30 --reason 机构调整',
                "Extend a deadline; lateness is still judged against the original date.\n\n"
                "Example: fazhi extend 7.1 --to 2018-06-30 --reason 机构调整"),
    "waive": t('不再适用:事项不再计入欠账,仍显示并注明理由。\n\n示例: fazhi waive catalogue-2018 --reason 该项工作已由上级统一部署',
               "Take an item out of what is owed; it stays visible with its reason (not applicable).\n\n"
               "Example: fazhi waive catalogue-2018 --reason 该项工作已由上级统一部署"),
    "close": t('结束方案:最终完成情况定稿,due --check 不再报红灯。\n\n示例: fazhi close --on 2019-03-31 --note 创建工作已通过验收',
               "Close the plan: its final account stands and due --check passes.\n\n"
               "Example: fazhi close --on 2019-03-31 --note 创建工作已通过验收"),
    "reopen": t('重新开启已结束的方案。\n\n示例: fazhi reopen --note 补记2018年度工作',
                "Reopen a closed plan, so that late work can be recorded again.\n\nExample: fazhi reopen --note 补记2018年度工作"),
    "remind": t('为有欠账的单位生成编号的催办通知,可直接粘贴到 OA。\n\n示例: fazhi remind --as 区法制办 --output 催办',
                "Numbered reminders for every unit that owes something, ready for OA mail.\n\n"
                "Example: fazhi remind --as 区法制办 --output 催办"),
    "units": t('单位、单位组,以及各单位牵头和配合的分项数;--record 为各单位落实情况。\n\n示例: fazhi units --record --year 2017',
             'Units, groups, and how many parts each unit leads and supports; --record: how each unit has done.'
             '\n\nExample: fazhi units --record --year 2017'),
    "report": t('年度报告:某单位的年度工作进展情况总结,或不指定单位时全区的落实情况;可存为 Word、Excel 或 HTML。\n\n'
                '示例: fazhi report --unit 区编办 --year 2017 --output 区编办2017年总结.docx',
                "A year's report: a unit's progress summary, or without --unit the district's; as Word, Excel or HTML too."
                "\n\nExample: fazhi report --unit 区编办 --year 2017 --output summary-2017.docx"),
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
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", metavar=t("单位", "UNIT"), autocompletion=_complete_unit,
                                                help=t("只看这个单位负责的分项和年度事项,按本单位自己的进度亮灯。",
                                                       "Only what this unit holds, lit by its own progress."))] = None,
    task: Annotated[Optional[str], typer.Option("--task", "-t", metavar=t("任务", "TASK"), autocompletion=_complete_task,
                                                help=t("只看一个任务及各单位状态;年度事项(如 plan-2017)看报送情况。",
                                                       "One task and every unit's state in it; a yearly duty "
                                                       "(e.g. plan-2017) shows who submitted it."))] = None,
    section: Annotated[Optional[str], typer.Option("--section", "-s", metavar=t("章节", "N"), autocompletion=_complete_section,
                                                   help=t("只看一个章节(一…八 或 1…8)。", "One section (一…八 or 1…8)."))] = None,
    light: LightOption = None,
    duties: Annotated[bool, typer.Option("--duties", help=t("列出年度事项及各单位报送情况。",
                                                             "List the yearly duties and who submitted them."))] = False,
    by_part: Annotated[bool, typer.Option("--parts", help=t("每个分项一行(含尚欠单位),而不是每个任务一行。",
                                                             "One row per part (with the units still owing) instead "
                                                             "of one per task."))] = False,
    warn_days: WarnOption = None,
    known_at: KnownAtOption = None,
    fmt: ViewFormatOption = "table",
    output: OutputOption = None,
    export: ExportOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Overview: every task's state and light.

    Example: fazhi status --as-of 2017-12-01 --light red
    """
    from . import progress, render  # noqa: PLC0415

    if sum(map(bool, (unit, task, duties))) > 1:
        raise UsageError(t("--unit、--task 与 --duties 不能同时使用", "--unit, --task and --duties cannot be used together"))
    fmt, light = _format(fmt), _light(light)
    plan = _plan(plan_file)
    dest = _destination(fmt, output, export, plan, data_dir)
    fmt = getattr(dest, "value", dest)        # the format the view is computed in
    day = _as_of(as_of)
    who = plan.resolve_unit(unit) if unit else None
    # a unit's view is decided by the records of the units it shares parts and duties with,
    # and by the supervising office's acts (reviews, extensions, waivers, closing)
    units = _readers(plan, progress.sharing(plan, who)) if who else None
    st, got = _status(plan, data_dir, units, day, warn_days, known_at)
    chosen_section = plan.section_id(section) if section else None
    tasks = [ts for ts in st.tasks if chosen_section is None or ts.task.section == chosen_section]
    if task and task.strip() in plan.obligations:
        _emit(render.duty_detail_view(plan, st, next(d for d in st.duties if d.duty.id == task.strip()), fmt), dest)
    elif task:
        chosen = plan.task_of(task)
        _emit(render.task_detail_view(plan, st, next(ts for ts in st.tasks if ts.task is chosen), fmt), dest)
    elif duties:
        _emit(render.duties_view(plan, st, fmt, light), dest)
    elif who:
        _emit(render.unit_view(plan, st, who, tasks, fmt, light), dest)
    else:
        synced = _sync_lines(plan, data_dir, got.last) if fmt in ("table", "plain", "markdown") else ()
        _emit(render.status_view(plan, st, tasks, fmt, light, by_part, synced), dest)


def _readers(plan: Any, units: set[str]) -> set[str]:
    """The ledger files a view of these units reads: theirs, and the supervising office's."""
    return set(units) | set(plan.supervision.units)


def _sync_lines(plan: Any, data_dir: Path | None, last: dict[str, str]) -> Any:
    """When the folder syncs: when it last did, and whose files have not changed for long (never in JSON or CSV,
    which stay the same on every PC)."""
    root = _data_root(data_dir)
    if not os.path.lexists(root / ".sync"):     # sync.SYNC_DIR; the usual case costs one stat, and no import
        return ()
    from .sync import read_state, status_lines  # noqa: PLC0415

    state = read_state(root)
    if state is None:
        return ()
    from .dates import now  # noqa: PLC0415

    return status_lines(state, last, plan, now())


@app.command(help=_HELP["due"])
def due(
    as_of: AsOfOption = None,
    within: Annotated[int, typer.Option("--within", "-w", min=0, max=36600, metavar=t("天数", "DAYS"),
                                        help=t("列出今后多少天内到期的事项。", "List what falls due within this many days."))] = 30,
    unit: UnitOption = None,
    all_units: AllUnitsOption = False,
    everything: Annotated[bool, typer.Option("--all", help=t("列出方案的全部期限(含已完成的)。",
                                                             "List every deadline of the plan, done ones included."))] = False,
    check: Annotated[bool, typer.Option("--check", help=t("有红灯时以状态码 3 退出(供定时任务使用)。",
                                                          "Exit with status 3 when anything is red."))] = False,
    warn_days: WarnOption = None,
    known_at: KnownAtOption = None,
    fmt: ViewFormatOption = "table",
    output: OutputOption = None,
    export: ExportOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """What falls due and what is late, soonest first.

    Example: fazhi due --as-of 2016-11-15 --within 60
    """
    from . import progress, render  # noqa: PLC0415

    fmt = _format(fmt)
    plan = _plan(plan_file)
    dest = _destination(fmt, output, export, plan, data_dir)
    fmt = getattr(dest, "value", dest)        # the format the view is computed in
    day = _as_of(as_of)
    who = _view_unit(plan, unit, all_units)
    # a unit's due list is lit by its own records, those of the units it shares items with (an
    # item done as a whole is no longer owed) and the supervising office's acts
    units = _readers(plan, progress.sharing(plan, who)) if who else None
    st = _status(plan, data_dir, units, day, warn_days, known_at)[0]
    items = progress.due_items(st, within=within, unit=who, everything=everything)
    _emit(render.due_view(plan, items, day, fmt, st.known_at, everything, who), dest)
    if check and st.closed:
        sys.stderr.write(t("注意: 方案已于 {d} 结束,不再检查逾期事项\n", "note: the plan was closed on {d}; overdue items are no "
                           "longer checked\n", d=st.closed))
    elif check and any(i.light == "red" for i in items):
        raise typer.Exit(EXIT_OVERDUE)


@app.command(help=_HELP["mark"])
def mark(
    target: Annotated[str, typer.Argument(metavar=t("任务或分项", "TASK_OR_PART"), autocompletion=_complete_target,
                                          help=t("任务(7)、分项(6.3)或年度事项(summary-2017)。",
                                                 "A task (7), a part (6.3) or a yearly duty (summary-2017)."))],
    unit: UnitOption = None,
    state: Annotated[Literal[tuple(STATES)], typer.Option("--state",  # type: ignore[valid-type]
                                       metavar=t("已完成|进行中|未开始", "done|doing|todo"),
                                       help=t("状态:已完成(done,默认)、进行中(doing)或未开始(todo)。",
                                              "State: done (the default), doing or todo."))] = "done",
    on: Annotated[Optional[str], typer.Option("--on", metavar=t("日期", "DATE"), show_default=False,
                                              help=t("达到该状态的日期(默认今天)。", "Day the work reached the state (default today)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-m", help=t("备注。", "A note."))] = None,
    evidence: EvidenceOption = None,
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
    done = record.mark(plan, _data_root(data_dir), target=target, unit=_unit(plan, unit), state=STATES[state],
                       on=on, note=note, evidence=evidence or [], by=by)
    _emit(render.marked_lines(done.events), "plain")
    _notes(done.notes)


@app.command(help=_HELP["attach"])
def attach(
    target: Annotated[str, typer.Argument(metavar=t("任务或分项", "TASK_OR_PART"),
                                          help=t("任务(7)、分项(6.3)或年度事项(summary-2017)。",
                                                 "A task (7), a part (6.3) or a yearly duty (summary-2017)."))],
    unit: UnitOption = None,
    evidence: EvidenceOption = None,
    note: Annotated[Optional[str], typer.Option("--note", "-m", help=t("备注。", "A note."))] = None,
    by: Annotated[Optional[str], typer.Option("--by", help=t("记录人(默认 FAZHI_USER 或登录名)。",
                                                             "Who records it (default FAZHI_USER or the login)."))] = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add evidence or a note to what is recorded, without changing its state or date.

    Example: fazhi attach 19.1 --unit 区法制办 --evidence 番府办〔2017〕12号
    """
    from . import record, render  # noqa: PLC0415

    plan = _plan(plan_file)
    done = record.attach(plan, _data_root(data_dir), target=target, unit=_unit(plan, unit), note=note,
                         evidence=evidence or [], by=by)
    _emit(render.attached_lines(done.events), "plain")
    _notes(done.notes)


def _notes(lines: list[str]) -> None:
    from .render import safe  # noqa: PLC0415

    for line in lines:
        sys.stderr.write(safe(line) + "\n")


@app.command(help=_HELP["undo"])
def undo(
    unit: UnitOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke everything the unit's latest command recorded (revoking records are added; nothing is deleted).

    Example: fazhi undo --unit 区法制办
    """
    from . import record, render  # noqa: PLC0415

    plan = _plan(plan_file)
    _emit(render.revoked_lines(record.undo(plan, _data_root(data_dir), _unit(plan, unit)).revoked), "plain")


@app.command(help=_HELP["log"])
def log(
    unit: UnitOption = None,
    task: Annotated[Optional[str], typer.Option("--task", "-t", metavar=t("任务", "TASK"), autocompletion=_complete_task, help=t("只看一个任务。", "One task only."))] = None,
    since: Annotated[Optional[str], typer.Option("--since", metavar=t("日期", "DATE"),
                                                 help=t("只看此日以后记录的。", "Only records made on or after this day."))] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help=t("最多显示几条。", "At most this many."))] = None,
    all_units: AllUnitsOption = False,
    known_at: KnownAtOption = None,
    fmt: FormatOption = "table",
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """The history of records, newest first.

    Example: fazhi log --unit 区法制办 --since 2017-01-01
    """
    from . import render, record  # noqa: PLC0415
    from .dates import parse_date  # noqa: PLC0415

    fmt = _format(fmt)
    plan = _plan(plan_file)
    who = _view_unit(plan, unit, all_units)
    which = (task.strip() if task.strip() in plan.obligations else plan.task_of(task).id) if task else None
    day = parse_date(since, "--since") if since is not None else None
    events = record.history(plan, _ledger(plan, data_dir, _readers(plan, {who}) if who else None).events, unit=who,
                            task=which,
                            since=day, known_at=_known_at(known_at))
    _emit(render.log_view(events[:limit] if limit else events, fmt), fmt)


@app.command("import", help=_HELP["import"])
def import_(
    files: Annotated[list[Path], typer.Argument(metavar=t("文件或文件夹...", "FILE_OR_FOLDER..."), help=t(
        "收到的进度文件(<单位>.jsonl),或对方的数据文件夹(其中的证明材料一并导入)。",
        "Progress files received (<unit>.jsonl), or another PC's data folder (its evidence comes along)."))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=t("只列出将新增的记录,不写入。",
                                                              "List what would be added; write nothing."))] = False,
    any_unit: Annotated[bool, typer.Option("--any-unit", help=t(
        "允许文件中含有其他单位的记录(默认拒绝:一个单位的文件只能带来该单位自己的记录)。",
        "Accept records of units other than the file's own (refused by default)."))] = False,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Merge progress files received by mail or copied from another PC; repeated records are kept once.

    Example: fazhi import 区编办.jsonl
    """
    from . import record  # noqa: PLC0415

    from .render import safe  # noqa: PLC0415

    plan = _plan(plan_file)
    lines, _ = record.import_files(plan, _data_root(data_dir), files, dry_run=dry_run, any_unit=any_unit)
    typer.echo("\n".join(safe(x) for x in lines))


_SYNC_HELP = t("与远端(共享盘上的仓库或 git 服务器)同步进度记录:发出本机的新记录,收到其他电脑的记录。"
               "第一次写远端,以后只需 fazhi sync。\n\n示例: fazhi sync \\\\server\\share\\fazhi.git",
               "Sync the record with the remote (a repository on a shared drive, or a git server): send this PC's new "
               "records and receive the others'. Give the remote the first time; afterwards fazhi sync is enough."
               "\n\nExample: fazhi sync \\\\server\\share\\fazhi.git")


@app.command(help=_SYNC_HELP)
def sync(
    remote: Annotated[Optional[str], typer.Argument(metavar=t("远端", "REMOTE"), show_default=False, help=t(
        "共享盘上的仓库路径、http(s):// 或 ssh:// 地址;第一次之后可省略(已记在数据文件夹中,不含密码)。",
        "A repository path on a shared drive, or an http(s):// or ssh:// address; remembered after the first time "
        "(without any password)."))] = None,
    init_remote: Annotated[Optional[str], typer.Option("--init-remote", metavar=t("路径", "PATH"), show_default=False, help=t(
        "在共享盘上新建一个空的同步仓库作为远端,并完成第一次同步。", "Create an empty repository on a shared drive as "
        "the remote, and sync with it the first time."))] = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Sync the record with the remote: send this PC's new records and receive the others'.

    Example: fazhi sync \\\\server\\share\\fazhi.git
    """
    from .render import safe  # noqa: PLC0415
    from .sync.run import sync as run_sync  # noqa: PLC0415

    plan = _plan(plan_file)
    done = run_sync(plan, _data_root(data_dir), remote, init_remote=init_remote)
    typer.echo("\n".join(safe(x) for x in done.lines))
    _notes(done.notes)


@app.command(help=_HELP["show"])
def show(
    task: Annotated[str, typer.Argument(metavar=t("任务", "TASK"), autocompletion=_complete_task, help=t(
        "任务编号(如 7)、分项(7.1)或年度事项(如 plan-2017)。", "A task (7), a part (7.1) or a yearly duty (plan-2017)."))],
    fmt: FormatOption = "table",
    plan_file: PlanOption = None,
) -> None:
    """A task's full text, parts, units and deadlines.

    Example: fazhi show 7 --format json
    """
    from . import render  # noqa: PLC0415

    fmt = _format(fmt)
    plan = _plan(plan_file)
    ref = task.strip()
    if ref in plan.obligations:
        _emit(render.duty_show_view(plan, plan.obligations[ref], fmt), fmt)
        return
    chosen = plan.parts[ref].task if ref in plan.parts else ref
    _emit(render.show_view(plan, plan.task_of(chosen), fmt), fmt)


@app.command(help=_HELP["units"])
def units(
    record_: Annotated[bool, typer.Option("--record", help=t(
        "各单位落实情况(月度督办表):牵头分项的完成、逾期、待审核、退回,年度事项按时、逾期、未报;最差的在前。",
        "The units' record (the monthly supervision table): parts led done, late, overdue, awaiting review, returned; "
        "yearly duties on time, late, missing; worst first."))] = False,
    year: Annotated[Optional[int], typer.Option("--year", "-y", min=1949, max=2200, metavar=t("年份", "YEAR"),
                                                help=t("只看这一年的年度事项和到期分项(配合 --record)。",
                                                       "Only that year's duties and parts due (with --record)."))] = None,
    as_of: AsOfOption = None,
    known_at: KnownAtOption = None,
    fmt: FormatOption = "table",
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Units, groups, and how many parts each unit leads and supports.

    Example: fazhi units --record --year 2017
    """
    from . import render  # noqa: PLC0415

    fmt = _format(fmt)
    plan = _plan(plan_file)
    if not record_:
        if year is not None or as_of is not None:
            raise UsageError(t("--year 和 --as-of 需配合 --record 使用", "--year and --as-of go with --record"))
        _emit(render.units_view(plan, fmt), fmt)
        return
    from . import progress  # noqa: PLC0415
    from .progress.supervision import units_record  # noqa: PLC0415
    from .render.supervision import record_view  # noqa: PLC0415

    st = progress.status(plan, _ledger(plan, data_dir).events, _as_of(as_of), None, _known_at(known_at))
    _emit(record_view(plan, st, units_record(plan, st, year), fmt, year), fmt)


@app.command(help=_HELP["check"])
def check(
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Validate the plan and the progress files; list every problem and exit 1 if any.

    Example: fazhi check --plan other.yaml
    """
    from . import cache, record  # noqa: PLC0415
    from .errors import PlanError, PlanProblems  # noqa: PLC0415
    from .ledger import read_ledger  # noqa: PLC0415
    from .render import safe  # noqa: PLC0415

    note = cache.folder_note()
    if note:
        sys.stderr.write(t("注意: ", "note: ") + safe(note) + "\n")
    try:
        plan = _plan(plan_file, fresh=True)  # the file itself, never the cache
    except PlanProblems as e:  # every mistake, one a line, then a count (not the first one again)
        typer.echo("\n".join(safe(p) for p in e.problems))
        raise PlanError(t("方案文件有 {n} 个问题,已逐条列出如上;改正后再运行 fazhi check",
                          "the plan file has {n} problem(s), listed above; fix them and run fazhi check again",
                          n=len(e.problems))) from None

    root = _data_root(data_dir)
    report, problems = record.check(plan, read_ledger(root, plan, today=_today_iso()), root)
    typer.echo("\n".join(safe(x) for x in report))
    if problems:
        raise typer.Exit(1)


@app.command(help=_HELP["report"])
def report(
    year: Annotated[int, typer.Option("--year", "-y", min=1900, max=2999, metavar=t("年份", "YEAR"), show_default=False,
                                      help=t("报告哪一年,如 2017。", "The year reported on, e.g. 2017."))],
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", metavar=t("单位", "UNIT"), autocompletion=_complete_unit,
                                                help=t("某单位的年度总结;不写则为全区的落实情况。",
                                                       "A unit's own summary; without it, the district's."))] = None,
    fmt: Annotated[Optional[Literal[REPORT_FORMATS]], typer.Option(  # type: ignore[valid-type]
        "--format", "-f", show_default=False, metavar="markdown|docx|html|xlsx",
        help=t("markdown(默认)、docx、html 或 xlsx;不写时按 --output 的扩展名。",
               "markdown (default), docx, html or xlsx; by default the --output file's extension decides."))] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar=t("文件", "FILE"), show_default=False,
                                                   help=t("写入的文件(docx 和 xlsx 必须指定)。",
                                                          "The file to write (required for docx and xlsx)."))] = None,
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", metavar=t("日期", "DATE"), show_default=False,
        help=t("按哪一天统计(默认为该年 12 月 31 日,未到则为今天)。",
               "Count as of this day (default: 31 December of the year, or today if earlier)."))] = None,
    warn_days: WarnOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A year's report: a unit's progress summary, or without --unit the district's; as Word, Excel or HTML too.

    Example: fazhi report --unit 区编办 --year 2017 --output summary-2017.docx
    """
    from . import output as out, report as reports  # noqa: PLC0415
    from .dates import today  # noqa: PLC0415

    plan = _plan(plan_file)
    who = plan.resolve_unit(unit) if unit else None
    chosen = out.report_format(fmt, output, _data_root(data_dir))
    day = reports.report_day(plan, year, _as_of(as_of) if as_of else None, today())
    rep = reports.build(plan, _ledger(plan, data_dir).events, year=year, as_of=day, unit=who, warn_days=warn_days)
    out.write_report(rep, chosen, output)


# --- supervision (督办): the supervising office's commands ------------------------

AsOption = Annotated[Optional[str], typer.Option(
    "--as", metavar=t("督办单位", "OFFICE"), show_default=False, autocompletion=_complete_unit,
    help=t("以哪个督办单位的身份记录(默认取 FAZHI_UNIT)。", "The supervising unit acting (default: FAZHI_UNIT)."))]
ByOption = Annotated[Optional[str], typer.Option("--by", help=t("记录人(默认 FAZHI_USER 或登录名)。",
                                                               "Who records it (default FAZHI_USER or the login)."))]
TargetArgument = Annotated[str, typer.Argument(metavar=t("任务或分项", "TASK_OR_PART"), autocompletion=_complete_target,
                                               help=t("任务(7)、分项(6.3)或年度事项(summary-2017)。",
                                                      "A task (7), a part (6.3) or a yearly duty (summary-2017)."))]
ReasonOption = Annotated[str, typer.Option("--reason", "-r", metavar=t("理由", "REASON"),
                                           help=t("理由(必填)。", "The reason (required)."))]


def _acting(plan: Any, value: str | None) -> str:
    value = value if value is not None else os.environ.get("FAZHI_UNIT")
    if value is None or not value.strip():
        raise UsageError(t("请用 --as 指明督办单位(或设置 FAZHI_UNIT)", "name the supervising unit with --as (or set FAZHI_UNIT)"))
    return plan.resolve_unit(value)


@app.command(help=_HELP["review"])
def review(
    target: TargetArgument,
    unit: Annotated[str, typer.Option("--unit", "-u", metavar=t("单位", "UNIT"), autocompletion=_complete_unit,
                                      help=t("被审核的单位。", "The unit whose claim is reviewed."))],
    accept: Annotated[bool, typer.Option("--accept", help=t("销号:认可完成。", "Close out: the work is accepted."))] = False,
    send_back: Annotated[bool, typer.Option("--return", help=t("退回:该单位的分项回到进行中,须写 --note。",
                                                               "Return: the unit's part is doing again; --note says why."))] = False,
    note: Annotated[Optional[str], typer.Option("--note", "-m", help=t("审核意见。", "The office's note."))] = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Close out (销号) or return (退回) a unit's claim that a part is done.

    Example: fazhi review 7.1 --unit 区法制办 --accept
    """
    from . import record, render  # noqa: PLC0415

    if accept == send_back:
        raise UsageError(t("请在 --accept(销号)与 --return(退回)中选一个", "choose one of --accept and --return"))
    plan = _plan(plan_file)
    events = record.review(plan, _data_root(data_dir), target=target, unit=plan.resolve_unit(unit),
                           acting=_acting(plan, acting), verdict="accept" if accept else "return", note=note, by=by)
    _emit(render.act_lines(events), "plain")


@app.command(help=_HELP["extend"])
def extend(
    target: TargetArgument,
    to: Annotated[str, typer.Option("--to", metavar=t("日期", "DATE"), help=t("新的期限。", "The new due date."))],
    reason: ReasonOption,
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", metavar=t("单位", "UNIT"), autocompletion=_complete_unit,
                                                help=t("只为这个单位延期(默认全部单位)。",
                                                       "Extend for this unit only (default: every unit)."))] = None,
    approved_by: Annotated[Optional[str], typer.Option("--approved-by", metavar=t("批准人", "WHO"),
                                                       help=t("批准人或批准文件。", "Who approved it."))] = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Extend a deadline; lateness is still judged against the original date.

    Example: fazhi extend 7.1 --to 2018-06-30 --reason 机构调整
    """
    from . import record, render  # noqa: PLC0415

    plan = _plan(plan_file)
    events = record.extend(plan, _data_root(data_dir), target=target, unit=plan.resolve_unit(unit) if unit else None,
                           acting=_acting(plan, acting), to=to, reason=reason, approved_by=approved_by, by=by)
    _emit(render.act_lines(events), "plain")


@app.command(help=_HELP["waive"])
def waive(
    target: TargetArgument,
    reason: ReasonOption,
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", metavar=t("单位", "UNIT"), autocompletion=_complete_unit,
                                                help=t("只对这个单位不再适用(默认全部单位)。",
                                                       "Waive for this unit only (default: every unit)."))] = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Take an item out of what is owed; it stays visible with its reason (not applicable).

    Example: fazhi waive catalogue-2018 --reason 该项工作已由上级统一部署
    """
    from . import record, render  # noqa: PLC0415

    plan = _plan(plan_file)
    events = record.waive(plan, _data_root(data_dir), target=target, unit=plan.resolve_unit(unit) if unit else None,
                          acting=_acting(plan, acting), reason=reason, by=by)
    _emit(render.act_lines(events), "plain")


@app.command("close", help=_HELP["close"])
def close_(
    on: Annotated[Optional[str], typer.Option("--on", metavar=t("日期", "DATE"), show_default=False,
                                              help=t("结束日期(默认今天)。", "The closing day (default today)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-m", help=t("说明。", "A note."))] = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Close the plan: its final account stands and due --check passes.

    Example: fazhi close --on 2019-03-31 --note 创建工作已通过验收
    """
    from . import record, render  # noqa: PLC0415

    plan = _plan(plan_file)
    events = record.close_plan(plan, _data_root(data_dir), acting=_acting(plan, acting), on=on, note=note, by=by)
    _emit(render.act_lines(events), "plain")


@app.command(help=_HELP["reopen"])
def reopen(
    on: Annotated[Optional[str], typer.Option("--on", metavar=t("日期", "DATE"), show_default=False,
                                              help=t("重新开启的日期(默认今天)。", "The day it reopens (default today)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-m", help=t("说明。", "A note."))] = None,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Reopen a closed plan, so that late work can be recorded again.

    Example: fazhi reopen --note 补记2018年度工作
    """
    from . import record, render  # noqa: PLC0415

    plan = _plan(plan_file)
    events = record.close_plan(plan, _data_root(data_dir), acting=_acting(plan, acting), on=on, note=note, by=by,
                               reopen=True)
    _emit(render.act_lines(events), "plain")


@app.command(help=_HELP["remind"])
def remind(
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", metavar=t("单位", "UNIT"), autocompletion=_complete_unit,
                                                help=t("只催办这个单位(默认所有有欠账的单位)。",
                                                       "Remind this unit only (default: every unit that owes)."))] = None,
    as_of: AsOfOption = None,
    within: Annotated[int, typer.Option("--within", "-w", min=0, max=3660, metavar=t("天数", "DAYS"),
                                        help=t("同时列出多少天内到期的事项。", "Also list what falls due within this many days."))] = 30,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar=t("文件夹", "DIR"), show_default=False,
                                                   help=t("每个单位一个文件,写入这个文件夹。",
                                                          "Write one file per unit into this folder."))] = None,
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", "-f", metavar="text|json",
                                                         help=t("输出格式。", "Output format."))] = "text",
    dry_run: Annotated[bool, typer.Option("--dry-run", help=t("只预览,不编号、不记录。",
                                                              "Preview only: no number, nothing recorded."))] = False,
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Numbered reminders for every unit that owes something, ready for OA mail.

    Example: fazhi remind --as 区法制办 --output 催办
    """
    from . import record  # noqa: PLC0415

    plan = _plan(plan_file)
    office = _acting(plan, acting)
    who = plan.resolve_unit(unit) if unit else None
    day = _as_of(as_of)
    events = _ledger(plan, data_dir).events
    lines = record.remind(plan, _data_root(data_dir), events, acting=office, unit=who, as_of=day, within=within,
                          output=output, fmt=fmt, dry_run=dry_run, by=by)
    _emit(lines, fmt if fmt == "json" else "plain")
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
    _only_the_command_asked_for(sys.argv[1:])
    try:
        app()
    except SystemExit as e:
        _leave_now(e.code)
        raise


def _leave_now(code: Any) -> None:
    """End the process at once, with ``code``, when nothing is left to do.

    Tearing the interpreter down (every module and object freed one by one)
    costs ~8 % of a `fazhi status`. Everything fazhi writes is flushed and
    synced before a command returns; so unless something registered an
    atexit handler or started a thread, or the output cannot be flushed, the
    process ends here with the same output and exit status.
    """
    import atexit  # noqa: PLC0415
    import threading  # noqa: PLC0415

    code = 0 if code is None else code
    if type(code) is not int or threading.active_count() != 1 or getattr(atexit, "_ncallbacks", lambda: 1)():
        return
    try:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return          # the interpreter's own exit reports it as it always has
    os._exit(code)


def _only_the_command_asked_for(args: list[str]) -> None:
    """Register only the command the line names, when it plainly names one.

    Typer builds the Click parameters of every registered command on every
    run, whichever is invoked: each command and option costs start-up time
    for all the others. A run of `fazhi status` needs only `status`. Help,
    completion, the version and anything unusual get the full set.
    """
    if os.environ.get("_FAZHI_COMPLETE"):
        return
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--lang":
            i += 2
        elif word.startswith("--lang="):
            i += 1
        elif word in ("--help", "-h") and i == len(args) - 1:
            _names_and_help_only()
            return
        elif word.startswith("-"):
            return
        else:
            chosen = [c for c in app.registered_commands if (c.name or c.callback.__name__) == word]
            if len(chosen) == 1:
                app.registered_commands[:] = chosen
            return
    _names_and_help_only()       # a bare `fazhi` prints the help too


def _names_and_help_only() -> None:
    """For `fazhi --help`: every command by its name and help alone, without building its parameters.

    The list of commands shows each one's name and the first line of its
    help, nothing of its options; Typer would build them all the same.
    """
    import copy  # noqa: PLC0415

    stand_ins = []
    for info in app.registered_commands:
        def stub() -> None:  # never called: the help is printed and the run ends
            raise AssertionError("a command registered for help only was run")

        stub.__name__ = info.callback.__name__
        stand_in = copy.copy(info)   # the registered command itself stays whole
        stand_in.callback = stub
        stand_ins.append(stand_in)
    app.registered_commands[:] = stand_ins
