"""Where a view or a report goes when it is not the terminal: a file the user names.

Checked before anything is computed: the file's extension must match the
format (so a slip cannot write a workbook over the plan or a ledger), its
folder must exist, it must not be inside the data folder's ``progress/``,
and if it exists it must be a regular file, which is then replaced (as
report tools do). Writing goes to a temporary file in the same folder,
flushed, then renamed over the target: a reader never sees half a file
and a failure leaves nothing behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from .errors import FazhiError, UsageError
from .i18n import t

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


def check_target(path: Path, fmt: str, data_root: Path | None, option: str = "--output") -> Path:
    """Refuse an output file that cannot or must not be written; return it."""
    if path.suffix.lower() not in SUFFIXES[fmt]:
        raise UsageError(t("{o} {p}: {f} 格式的文件名应以 {s} 结尾", "{o} {p}: a {f} file name should end in {s}",
                           o=option, p=path, f=fmt, s=t(" 或 ", " or ").join(SUFFIXES[fmt]) or "-"))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(t("{o} {p}: 文件夹 {d} 不存在", "{o} {p}: the folder {d} does not exist",
                           o=option, p=path, d=folder))
    if os.path.lexists(path) and (path.is_dir() or not path.is_file()):
        raise UsageError(t("{o} {p}: 已存在且不是普通文件", "{o} {p}: exists and is not a regular file",
                           o=option, p=path))
    check_folder(folder, data_root, option)
    return path


def check_folder(folder: Path, data_root: Path | None, option: str = "--output") -> Path:
    """A folder files may be written into: it exists, and it is not the progress folder."""
    if not folder.is_dir():
        raise UsageError(t("{o} {p}: 文件夹不存在", "{o} {p}: no such folder", o=option, p=folder))
    if data_root is not None:
        progress = (data_root / "progress").resolve()
        where = folder.resolve()
        if where == progress or progress in where.parents:
            raise UsageError(t("{o} {p}: 不能写入进度记录文件夹 {d}", "{o} {p}: refusing to write into the progress folder {d}",
                               o=option, p=folder, d=progress))
    return folder


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: a temporary file in the same folder, flushed, then renamed."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise FazhiError(t("{p}: 无法写入({e})", "{p}: cannot be written ({e})", p=path, e=e.strerror or e)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = path.stat().st_mode & 0o777 if path.is_file() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        hint = t("(文件是否正被 Excel、WPS 或 Word 打开?)", " (is it open in Excel, WPS or Word?)") \
            if isinstance(e, PermissionError) else ""
        raise FazhiError(t("{p}: 无法写入({e}){h}", "{p}: cannot be written ({e}){h}",
                           p=path, e=e.strerror or e, h=hint)) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def saved(path: Path) -> None:
    from .render import safe  # noqa: PLC0415

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
    def make(cls, fmt: str, output: Path | None, export: Path | None, plan: Any, data_root: Path) -> "Destination":
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
            check_target(export, kind, data_root, "--export")
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
        check_target(output, fmt, data_root)
        return cls("json" if fmt == "xlsx" else fmt, fmt, output, None, plan)

    def deliver(self, result: Any) -> Any:
        """Write the file; return what the terminal should still show (None: nothing)."""
        if self.export is not None:
            from .render.export import terminal_file  # noqa: PLC0415

            write_atomic(self.export, terminal_file(result, self.fmt).encode("utf-8"))
            saved(self.export)
            return result
        if self.output is None:
            return result
        if self.fmt == "xlsx":
            import json  # noqa: PLC0415

            from .render.xlsx import view_workbook  # noqa: PLC0415

            data = view_workbook(json.loads(result), self.plan)
        else:
            data = result.encode("utf-8") if isinstance(result, str) else bytes(result)
        write_atomic(self.output, data)
        saved(self.output)
        return None


# --- the report ---------------------------------------------------------------------

REPORT_FORMATS = ("markdown", "docx", "html", "xlsx")


def report_format(fmt: str | None, output: Path | None, data_root: Path) -> str:
    """The report's format, from --format or the output file's name; checked before any work."""
    if fmt is None:
        fmt = (format_of(output, REPORT_FORMATS) if output is not None else None) or "markdown"
    if output is None:
        if fmt in BINARY:
            raise UsageError(t("{f} 是二进制文件,请用 --output 指定要写入的文件(如 --output 报告.{f})",
                               "{f} is a binary format: name the file with --output (e.g. --output report.{f})", f=fmt))
    else:
        check_target(output, fmt, data_root)
    return fmt


def write_report(rep: Any, fmt: str, output: Path | None) -> None:
    """Render the report in ``fmt`` and write it to ``output`` (text formats: stdout without one)."""
    from .render import report_tables  # noqa: PLC0415

    doc = report_tables.document(rep)
    data: bytes | str
    if fmt == "markdown":
        from .render.report_md import markdown  # noqa: PLC0415

        data = markdown(doc)
    elif fmt == "html":
        from .render.charts import svg_charts  # noqa: PLC0415
        from .render.html import page  # noqa: PLC0415

        data = page(doc, svg_charts(rep))
    elif fmt == "xlsx":
        from .render.xlsx import report_workbook  # noqa: PLC0415

        data = report_workbook(doc, rep)
    else:
        from .render import charts  # noqa: PLC0415
        from .render.docx import document  # noqa: PLC0415

        why = ""
        try:
            pictures = charts.png_charts(rep)
        except charts.NoCJKFont as e:
            pictures, why = None, str(e)
            from .render import safe  # noqa: PLC0415

            sys.stderr.write(t("注意: Word 文件未附图表: {w}\n", "note: no charts in the Word file: {w}\n", w=safe(why)))
        data = document(doc, pictures, why, as_of=rep.as_of)
    if output is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
        return
    write_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)
    saved(output)
