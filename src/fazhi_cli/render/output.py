"""Where a view or a report goes when it is not the terminal: a file the user names.

Checked before anything is computed: the file's extension must match the
format (so a slip cannot write a workbook over the plan or a ledger), its
folder must exist, it must not be inside the folder the ledger keeps (``protected``),
and if it exists it must be a regular file, which is then replaced (as
report tools do). Writing goes to a temporary file in the same folder,
flushed, then renamed over the target: a reader never sees half a file
and a failure leaves nothing behind.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NamedTuple

from .. import files
from ..errors import UsageError
from ..files import write_atomic
from ..i18n import t
from .escape import safe

SUFFIXES = {
    "markdown": (".md", ".markdown", ".txt"),
    "plain": (".txt",),
    "table": (),
    "csv": (".csv",),
    "json": (".json",),
    "html": (".html", ".htm"),
    "docx": (".docx",),
    "xlsx": (".xlsx",),
    "svg": (".svg",),
}
BINARY = frozenset({"docx", "xlsx"})


def format_of(path: Path, choices: tuple[str, ...]) -> str | None:
    """The format a file name asks for, among ``choices``."""
    suffix = path.suffix.lower()
    return next((f for f in choices if suffix in SUFFIXES[f]), None)


def check_target(path: Path, fmt: str, protected: files.Protected, option: str = "--output") -> Path:
    """Refuse an output file that cannot or must not be written (files.check_target), by the format's names."""
    return files.check_target(path, SUFFIXES[fmt], fmt, protected, option)


def saved(path: Path) -> None:
    sys.stderr.write(t("已保存 {p}\n", "saved {p}\n", p=safe(path)))


# --- status and due -------------------------------------------------------------

class Destination(NamedTuple):
    """A view bound for a file: ``value`` is the format the view is computed in."""

    value: str
    fmt: str
    output: Path | None
    export: Path | None
    plan: Any

    @classmethod
    def make(cls, fmt: str, output: Path | None, export: Path | None, plan: Any, protected: files.Protected) -> "Destination":
        if export is not None:
            if fmt != "table":
                raise UsageError(t("--export 保存的是终端表格,不能与 --format {f} 同用",
                                   "--export saves the terminal table; it cannot be used with --format {f}", f=fmt))
            if output is not None:
                raise UsageError(t("--export 与 --output 不能同时使用", "--export and --output cannot be used together"))
            kind = format_of(export, ("svg", "html"))
            if kind is None:
                raise UsageError(t("--export {p}: 文件名应以 .svg 或 .html 结尾",
                                   "--export {p}: the file name should end in .svg or .html", p=export))
            check_target(export, kind, protected, "--export")
            return cls("table", kind, None, export, plan)
        if output is None:
            if fmt in BINARY:
                raise UsageError(t("{f} 是二进制文件,请用 --output 指定要写入的文件",
                                   "{f} is a binary format: name the file with --output", f=fmt))
            return cls(fmt, fmt, None, None, plan)
        if fmt == "table":  # a table is for the terminal: the file name says what to write
            fmt = format_of(output, ("xlsx", "csv", "json", "markdown")) or fmt
            if fmt == "table":
                raise UsageError(t("--output {p}: 请用 --format 指明格式(xlsx、csv、json、markdown 或 plain)",
                                   "--output {p}: choose the format with --format (xlsx, csv, json, markdown or plain)",
                                   p=output))
        check_target(output, fmt, protected)
        return cls("json" if fmt == "xlsx" else fmt, fmt, output, None, plan)

    def deliver(self, result: Any) -> Any:
        """Write the file; return what the terminal should still show (None: nothing)."""
        if self.export is not None:
            from .export import terminal_file  # noqa: PLC0415

            write_atomic(self.export, terminal_file(result, self.fmt).encode("utf-8"))
            saved(self.export)
            return result
        if self.output is None:
            return result
        if self.fmt == "xlsx":
            import json  # noqa: PLC0415

            from .xlsx import view_workbook  # noqa: PLC0415

            data = view_workbook(json.loads(str(result)), self.plan)
        else:
            data = result.encode("utf-8") if isinstance(result, str) else bytes(result)
        write_atomic(self.output, data)
        saved(self.output)
        return None


# --- the report ---------------------------------------------------------------------

REPORT_FORMATS = ("markdown", "docx", "html", "xlsx")
CHART_FORMATS = ("docx", "html")      # the formats that draw Report.timeline (render.charts)


def report_format(fmt: str | None, output: Path | None, protected: files.Protected) -> str:
    """The report's format, from --format or the output file's name; checked before any work."""
    if fmt is None:
        fmt = (format_of(output, REPORT_FORMATS) if output is not None else None) or "markdown"
    if output is None:
        if fmt in BINARY:
            raise UsageError(t("{f} 是二进制文件,请用 --output 指定要写入的文件(如 --output 报告.{f})",
                               "{f} is a binary format: name the file with --output (e.g. --output report.{f})", f=fmt))
    else:
        check_target(output, fmt, protected)
    return fmt


def write_report(rep: Any, fmt: str, output: Path | None, style: str = "official") -> None:
    """Render the report in ``fmt`` and write it to ``output`` (text formats: stdout without one).

    ``style``: the Word document's layout, "official" (公文, GB/T 9704) or "plain".
    """
    from . import report_tables  # noqa: PLC0415

    doc = report_tables.document(rep)
    data: bytes | str
    if fmt == "markdown":
        from .report_md import markdown  # noqa: PLC0415

        data = markdown(doc)
    elif fmt == "html":
        from .charts import svg_charts  # noqa: PLC0415
        from .html import page  # noqa: PLC0415

        data = page(doc, svg_charts(rep))
    elif fmt == "xlsx":
        from .xlsx import report_workbook  # noqa: PLC0415

        data = report_workbook(doc, rep)
    else:
        from . import charts  # noqa: PLC0415
        from .docx import document  # noqa: PLC0415

        why = ""
        try:
            pictures = charts.png_charts(rep)
        except charts.NoCJKFont as e:
            pictures, why = None, str(e)
            sys.stderr.write(t("注意: Word 文件未附图表: {w}\n", "note: no charts in the Word file: {w}\n", w=safe(why)))
        data = document(doc, pictures, why, as_of=rep.as_of, style=style)
    if output is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
        return
    write_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)
    saved(output)


# --- the 催办通知 ---------------------------------------------------------------------

def notice_docx(plan: Any, notice: Any, as_of: Any, number: int | None, issued: Any, acting: str) -> bytes:
    """One unit's 催办通知 as a Word 公文: the words of the text notice, laid out as GB/T 9704 asks."""
    from .notice_docx import notice_document  # noqa: PLC0415
    from .supervision import notice_parts  # noqa: PLC0415

    return notice_document(notice_parts(plan, notice, as_of, number, issued, acting), issued=issued)


def notices_out(plan: Any, numbered: list[tuple], as_of: Any, issued: Any, acting: str, output: Path | None,
                fmt: str, written: list[Path] | None = None) -> str:
    """The numbered notices as JSON or as text for the terminal; once they were written to files (``written``,
    see ``notice_files``), the lines saying where."""
    from .supervision import notice_text, notices_json  # noqa: PLC0415

    if not numbered:
        return t("截至 {d},没有需要催办的单位\n", "as of {d}, no unit owes anything to remind it of\n", d=as_of)
    if fmt == "json":
        return notices_json(plan, numbered, as_of, issued)
    if written is not None:
        return "\n".join(t("已写入 {p}", "wrote {p}", p=path) for path in written) + "\n"
    texts = [notice_text(plan, n, as_of, num, issued, acting) for n, num in numbered]
    return ("\n" + "─" * 40 + "\n\n").join(texts)


def notice_files(plan: Any, numbered: list[tuple], as_of: Any, issued: Any, acting: str,
                 output: Path) -> list[tuple[Path, bytes]]:
    """Each notice in ``output`` twice, named by its number and unit: as text the way Notepad and OA mail read it
    (BOM, CRLF), and as a Word 公文 (.docx) beside it."""
    from .supervision import notice_number, notice_text  # noqa: PLC0415

    out = []
    for n, num in numbered:
        path = output / f"{notice_number(plan, issued.year, num)} {n.unit}.txt".replace("/", "-")
        text = notice_text(plan, n, as_of, num, issued, acting)
        out.append((path, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")))
        out.append((path.with_suffix(".docx"), notice_docx(plan, n, as_of, num, issued, acting)))
    return out
