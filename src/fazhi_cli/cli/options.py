"""Every option and argument more than one command takes, declared once.

An option the commands take with the same words is an ``Annotated`` alias (``AsOfOption``, ``UnitOption``...).
An option whose flags are shared but whose help differs from command to command (``--unit`` on `status`
"only what this unit holds", on `review` "the unit whose claim is reviewed") is made by a function here that
declares the flags, metavar and completion once and takes the command's own help, written beside the command.
"""

from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer

from ..errors import FazhiError
from ..i18n import t

# Choices take their Chinese names too (--light 红灯, --state 已完成); the
# commands see the English value, which is also what JSON and CSV carry.
FORMATS = {"table": "table", "表格": "table", "plain": "plain", "文本": "plain", "markdown": "markdown",
           "csv": "csv", "json": "json"}
LIGHTS = {"red": "red", "yellow": "yellow", "green": "green", "红灯": "red", "黄灯": "yellow", "绿灯": "green",
          "红": "red", "黄": "yellow", "绿": "green"}
STATES = {"todo": "todo", "doing": "doing", "done": "done", "未开始": "todo", "进行中": "doing", "已完成": "done"}


VIEW_FORMATS = {**FORMATS, "xlsx": "xlsx"}        # status and due also write a workbook
REPORT_FORMATS = ("markdown", "docx", "html", "xlsx")


def format_of(value: str) -> str:
    """The English name of a --format typed in either language."""
    return VIEW_FORMATS[value]


def light_of(value: str | None) -> str | None:
    """The English name of a --light typed in either language, or None."""
    return LIGHTS[value] if value else None


# --- completion: the plan's names, for the shells -------------------------------------------------------------

def _completion_plan(ctx: Any) -> Any:
    # the plan in use: --plan when it was typed before the word being completed, else FAZHI_PLAN or the bundled one
    try:
        from ..plan import load_plan  # noqa: PLC0415

        return load_plan(ctx.params.get("plan_file") if ctx is not None else None)
    except (FazhiError, OSError, TypeError, ValueError):
        return None


def complete_unit(ctx: typer.Context, incomplete: str) -> list[str]:
    plan = _completion_plan(ctx)
    return [n for n in plan.names if n.startswith(incomplete)] if plan else []


def complete_target(ctx: typer.Context, incomplete: str) -> list[str]:
    """Task ids, part ids and yearly duty ids, as `mark` takes them."""
    plan = _completion_plan(ctx)
    if plan is None:
        return []
    return [x for x in (*plan.tasks, *plan.parts, *plan.obligations) if x.startswith(incomplete)]


def complete_task(ctx: typer.Context, incomplete: str) -> list[str]:
    plan = _completion_plan(ctx)
    return [x for x in plan.tasks if x.startswith(incomplete)] if plan else []


def complete_section(ctx: typer.Context, incomplete: str) -> list[str]:
    plan = _completion_plan(ctx)
    return [s.id for s in plan.sections if s.id.startswith(incomplete)] if plan else []


# --- options whose help each command words for itself ---------------------------------------------------------

def unit_option(help: str, **extra: Any) -> Any:
    return typer.Option("--unit", "-u", metavar=t("单位", "UNIT"), autocompletion=complete_unit, help=help, **extra)


def task_option(help: str) -> Any:
    return typer.Option("--task", "-t", metavar=t("任务", "TASK"), autocompletion=complete_task, help=help)


def target_argument(**extra: Any) -> Any:
    return typer.Argument(metavar=t("任务或分项", "TASK_OR_PART"),
                          help=t("任务(7)、分项(6.3)或年度事项(summary-2017)。",
                                 "A task (7), a part (6.3) or a yearly duty (summary-2017)."), **extra)


def as_of_option(help: str) -> Any:
    return typer.Option("--as-of", metavar=t("日期", "DATE"), show_default=False, help=help)


def on_option(help: str) -> Any:
    return typer.Option("--on", metavar=t("日期", "DATE"), show_default=False, help=help)


def note_option(help: str) -> Any:
    return typer.Option("--note", "-m", help=help)


def within_option(most: int, help: str) -> Any:
    return typer.Option("--within", "-w", min=0, max=most, metavar=t("天数", "DAYS"), help=help)


def year_option(least: int, most: int, help: str, **extra: Any) -> Any:
    return typer.Option("--year", "-y", min=least, max=most, metavar=t("年份", "YEAR"), help=help, **extra)


def format_option(metavar: str, help: str, **extra: Any) -> Any:
    return typer.Option("--format", "-f", metavar=metavar, help=help, **extra)


def output_option(metavar: str, help: str) -> Any:
    return typer.Option("--output", "-o", metavar=metavar, show_default=False, help=help)


def dry_run_option(help: str) -> Any:
    return typer.Option("--dry-run", help=help)


# --- options every command that takes them words alike --------------------------------------------------------

PlanOption = Annotated[Optional[Path], typer.Option(
    "--plan", metavar=t("文件", "FILE"), show_default=False,
    help=t("方案文件（默认取 FAZHI_PLAN；未设时为内置的示例方案）。",
           "Plan file (default: FAZHI_PLAN; if unset, the bundled example plan)."))]
DataDirOption = Annotated[Optional[Path], typer.Option(
    "--data-dir", metavar=t("文件夹", "DIR"), show_default=False,
    help=t("数据文件夹(也可设 FAZHI_HOME)。", "Data folder (or set FAZHI_HOME)."))]
AsOfOption = Annotated[Optional[str], as_of_option(
    t("按哪一天查看,如 2017-06-30 或 2017年6月30日(默认今天,北京时间)。",
      "View as of this day, e.g. 2017-06-30 (default: today, China time)."))]
KnownAtOption = Annotated[Optional[str], typer.Option(
    "--known-at", metavar=t("时间", "TIME"), show_default=False,
    help=t("只计入此时已记录(或已导入)的内容,如 2017-06-30 或 2017-06-30T18:00;用于重现当时的报告。",
           "Count only what had been recorded (or imported) by then, e.g. 2017-06-30 or 2017-06-30T18:00; "
           "shows again what a past report said."))]
FormatOption = Annotated[Literal[tuple(FORMATS)], format_option(  # type: ignore[valid-type]
    t("表格|文本|markdown|csv|json", "table|plain|markdown|csv|json"),
    t("输出格式:表格(table)、文本(plain)、markdown、csv 或 json。",
      "Output format: table, plain, markdown, csv or json."))]
ViewFormatOption = Annotated[Literal[tuple(VIEW_FORMATS)], format_option(  # type: ignore[valid-type]
    t("表格|文本|markdown|csv|json|xlsx", "table|plain|markdown|csv|json|xlsx"),
    t("输出格式:表格(table)、文本(plain)、markdown、csv、json,或 xlsx(需配合 --output)。",
      "Output format: table, plain, markdown, csv, json, or xlsx (with --output)."))]
LightOption = Annotated[Optional[Literal[tuple(LIGHTS)]], typer.Option(  # type: ignore[valid-type]
    "--light", metavar=t("红灯|黄灯|绿灯", "red|yellow|green"), show_default=False,
    help=t("只看某种灯(红灯、黄灯、绿灯,或 red、yellow、green)。", "Only this light: red, yellow or green."))]
AllUnitsOption = Annotated[bool, typer.Option(
    "--all-units", help=t("看全部单位(不按 FAZHI_UNIT 筛选)。", "Every unit's items, whatever FAZHI_UNIT says."))]
UnitOption = Annotated[Optional[str], unit_option(
    t("单位简称、全称或别名(默认取 FAZHI_UNIT)。", "Unit: short name, full name or alias (default: FAZHI_UNIT)."),
    show_default=False)]
OutputOption = Annotated[Optional[Path], output_option(
    t("文件", "FILE"),
    t("写入文件而不是屏幕;格式可由扩展名确定(.xlsx .csv .json .md)。",
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
RefOption = Annotated[Optional[list[str]], typer.Option(
    "--ref", metavar=t("文号", "REF"),
    help=t("记录为文号或材料名称（可重复），即使它像文件名；--evidence 给出的文件找不到时会被拒绝。",
           "Record as a document reference (repeatable), even if it looks like a file name; a file given to "
           "--evidence that does not exist is refused."))]
NoteOption = Annotated[Optional[str], note_option(t("备注。", "A note."))]
ByOption = Annotated[Optional[str], typer.Option(
    "--by", help=t("记录人(默认 FAZHI_USER 或登录名)。", "Who records it (default FAZHI_USER or the login)."))]
TargetArgument = Annotated[str, target_argument(autocompletion=complete_target)]
ForceOption = Annotated[bool, typer.Option("--force", help=t("覆盖已有文件。", "Replace an existing file."))]

# the supervising office's commands (review, extend, waive, close, reopen, remind)
AsOption = Annotated[Optional[str], typer.Option(
    "--as", metavar=t("督办单位", "OFFICE"), show_default=False, autocompletion=complete_unit,
    help=t("以哪个督办单位的身份记录(默认取 FAZHI_UNIT)。", "The supervising unit acting (default: FAZHI_UNIT)."))]
ReasonOption = Annotated[str, typer.Option("--reason", "-r", metavar=t("理由", "REASON"),
                                           help=t("理由(必填)。", "The reason (required)."))]
ActOnOption = Annotated[Optional[str], on_option(t(
    "决定的日期（默认今天）：如书面批准于上周，可补记为当天；不能晚于今天，也不能早于方案印发日期。",
    "The day it was decided (default today), e.g. an approval given on paper last week; never after today, "
    "never before the plan."))]
