"""The journals of an unfinished import or sync, and when synced records reached this folder (arrivals)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

from ..errors import LedgerError
from ..files import read_regular
from ..i18n import t
from .layout import progress_dir
from .model import ARRIVALS, JOURNAL, MAX_ARRIVALS, STAGED, STAMP_RE, SYNC_JOURNAL

def pending_import(root: Path) -> dict[str, int]:
    """The sizes the files had before an import that has not finished (or was killed)."""
    path = progress_dir(root) / JOURNAL
    if not os.path.lexists(path):
        return {}
    try:
        raw = read_regular(path, 1 << 20, nofollow=True)
        sizes = json.loads(raw)
        if type(sizes) is dict and all(type(k) is str and type(v) is int and v >= -1 for k, v in sizes.items()):
            return sizes
    except (OSError, ValueError, RecursionError):
        pass
    raise LedgerError(t("{p}: 中断的导入记录无法读取;请检查此文件", "{p}: the record of an interrupted import cannot be read; check this file",
                        p=path))


def pending_sync(root: Path) -> dict[str, Path]:
    """The files a sync has decided on but not yet moved into place, by name: read these instead."""
    folder = progress_dir(root)
    path = folder / SYNC_JOURNAL
    if not os.path.lexists(path):
        return {}
    names = journal_names(path)
    stage = folder / STAGED
    return {n: stage / n for n in names if os.path.lexists(stage / n)}


def journal_names(path: Path) -> list[str]:
    try:
        raw = read_regular(path, 1 << 20, nofollow=True)
        names = json.loads(raw)
        if type(names) is list and all(type(n) is str and replaceable(n) for n in names):
            return names
    except (OSError, ValueError, RecursionError):
        pass
    raise LedgerError(t("{p}: 中断的同步记录无法读取;请检查此文件", "{p}: the record of an interrupted sync cannot be read; check this file",
                        p=path))


def replaceable(name: str) -> bool:
    """A file of the progress folder that a sync may replace whole: a unit's file, or the arrivals."""
    return name == ARRIVALS or (name.endswith(".jsonl") and not name.startswith(".") and "/" not in name
                                and "\\" not in name and "\x00" not in name)


class Arrival(NamedTuple):
    first: int      # line numbers of the unit's file, inclusive
    last: int
    at: str         # when they reached this data folder


def read_arrivals(root: Path, staged: dict[str, Path] | None = None) -> dict[str, list[Arrival]]:
    """When records that came by sync arrived here: for each unit file, ranges of its lines.

    Synced lines keep the bytes every PC has, so the moment they reached this
    folder cannot be written into them (as an import writes ``received_at``);
    it is kept here, in a file that is never synced. Line numbers stay valid
    because a synced file only ever grows at its end. A range that does not
    read is ignored: its records count from their own time.
    """
    path = (staged or {}).get(ARRIVALS) or progress_dir(root) / ARRIVALS
    if not os.path.lexists(path):
        return {}
    from ..files import read_regular  # noqa: PLC0415

    try:
        data = read_regular(path, MAX_ARRIVALS, nofollow=True)
    except OSError:
        return {}
    out: dict[str, list[Arrival]] = {}
    for raw in data.split(b"\n"):
        try:
            obj = json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError):
            continue
        if arrival_ok(obj):
            out.setdefault(obj["file"], []).append(Arrival(obj["from"], obj["to"], obj["at"]))
    for ranges in out.values():
        ranges.sort()
    return out


def arrival_ok(obj: object) -> bool:
    return (type(obj) is dict and type(obj.get("file")) is str and obj["file"].endswith(".jsonl")
            and type(obj.get("from")) is int and type(obj.get("to")) is int and 1 <= obj["from"] <= obj["to"]
            and type(obj.get("at")) is str and bool(STAMP_RE.fullmatch(obj["at"])))


def import_journal(root: Path) -> Path:
    """Where an unfinished import's journal lies, for a message that names it."""
    return progress_dir(root) / JOURNAL


def unfinished(root: Path) -> bool:
    """Whether an import or a sync left its journal: what a read sees then differs from what it will see."""
    folder = progress_dir(root)
    return os.path.lexists(folder / JOURNAL) or os.path.lexists(folder / SYNC_JOURNAL)


def arrivals_bytes(root: Path) -> bytes | None:
    """The sync arrivals file's bytes (bounded, a regular file only), None without one; OSError or ValueError
    when it cannot be read."""
    path = progress_dir(root) / ARRIVALS
    if not os.path.lexists(path):
        return None
    return read_regular(path, MAX_ARRIVALS, nofollow=True)
