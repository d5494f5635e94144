"""The glue every command room shares: open the plan and the records, read the dates and units typed, write out.

Everything here imports what it needs when it is called, so that a command pays only for what it uses.
"""

import os
import sys
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..i18n import t


def open_plan(path: Path | None, *, fresh: bool = False) -> Any:
    from ..plan import load_plan  # noqa: PLC0415

    return load_plan(path, fresh=fresh)


def open_ledger(plan: Any, data_dir: Path | None, units: Any = None) -> Any:
    from ..ledger import read_ledger  # noqa: PLC0415

    ledger = read_ledger(data_root(data_dir), plan, today=today_iso(), units=units)
    note_problems(ledger.problems)
    return ledger


def note_problems(problems: list) -> None:
    if problems:
        sys.stderr.write(t("注意: {n} 行进度记录无法读取,已跳过;运行 fazhi check 查看详情\n",
                           "note: {n} progress lines could not be read and were skipped; run fazhi check for details\n",
                           n=len(problems)))


def data_root(option: Path | None) -> Path:
    from ..ledger import data_dir as resolve  # noqa: PLC0415

    return resolve(option)


def protected(option: Path | None) -> tuple[Path, Path]:
    """The folders only the ledger writes: no view, report, notice or plan may be written inside them."""
    from ..ledger import records_folders  # noqa: PLC0415

    return records_folders(data_root(option))


def as_of_day(value: str | None) -> Any:
    """The day --as-of names, else today."""
    from ..dates import parse_date, today  # noqa: PLC0415

    return parse_date(value, "--as-of") if value is not None else today()


def known_moment(value: str | None) -> str | None:
    """The moment --known-at names, or None."""
    from ..dates import parse_moment  # noqa: PLC0415

    return parse_moment(value, "--known-at") if value is not None else None


def today_iso() -> str:
    from ..dates import today  # noqa: PLC0415

    return today().isoformat()


def view_unit(plan: Any, value: str | None, all_units: bool) -> str | None:
    """The unit a view is for: --unit, else FAZHI_UNIT unless --all-units, else none."""
    if all_units:
        if value:
            raise UsageError(t("--unit 与 --all-units 不能同时使用", "--unit and --all-units cannot be used together"))
        return None
    if value is not None:  # typed, even blank: it must name a unit
        return plan.resolve_unit(value)
    value = os.environ.get("FAZHI_UNIT")
    return plan.resolve_unit(value) if value and value.strip() else None


def own_unit(plan: Any, value: str | None) -> str:
    """The unit that records: --unit, else FAZHI_UNIT; one of them must name it."""
    value = value if value is not None else os.environ.get("FAZHI_UNIT")
    if value is None or not value.strip():
        raise UsageError(t("请用 --unit 指明单位(或设置环境变量 FAZHI_UNIT)",
                           "name the unit with --unit (or set FAZHI_UNIT)"))
    return plan.resolve_unit(value)


def acting_unit(plan: Any, value: str | None) -> str:
    """The supervising unit acting: --as, else FAZHI_UNIT; one of them must name it."""
    value = value if value is not None else os.environ.get("FAZHI_UNIT")
    if value is None or not value.strip():
        raise UsageError(t("请用 --as 指明督办单位(或设置 FAZHI_UNIT)", "name the supervising unit with --as (or set FAZHI_UNIT)"))
    return plan.resolve_unit(value)


def destination(fmt: str, output: Path | None, export: Path | None, plan: Any, data_dir: Path | None) -> Any:
    """The view's format, or a Destination (render/output.py) when it is bound for a file."""
    if output is None and export is None and fmt != "xlsx":
        return fmt
    from ..render.output import Destination  # noqa: PLC0415

    return Destination.make(fmt, output, export, plan, protected(data_dir))


def emit(result: Any, fmt: Any) -> None:
    """Show a view, or write it to the file its Destination names."""
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
    chunks = getattr(result, "chunks", None)
    if chunks is not None:           # a JSON document written as it goes (render.escape.JsonDoc), in UTF-8
        out = getattr(sys.stdout, "buffer", None)
        sys.stdout.flush()
        for data in chunks():
            if out is not None:
                out.write(data)
            else:
                sys.stdout.write(data.decode("utf-8"))
        (out or sys.stdout).flush()
        return
    from ..render.terminal import show  # noqa: PLC0415 - Rich's bytes, without importing Rich

    show(result if isinstance(result, list) else [result])

