"""The records already present, by id: what an import, a sync or an undo asks before adding anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple, Sequence

from .checks import decode_line
from .journal import pending_import, pending_sync
from .layout import progress_dir
from .reading import read_ledger_file


def canonical(obj: dict) -> str:
    return json.dumps({k: v for k, v in obj.items() if k != "received_at"}, ensure_ascii=False, sort_keys=True)


# A label first: a record's signature can never be taken for a signature of anything else.
SIGNED = b"fazhi-record-ed25519-v1\n"


def signing_bytes(obj: dict) -> bytes:
    """What a record's signature covers: every field but the signature and the arrival here (``received_at``),
    in one spelling (keys sorted, ASCII, no blanks). The record names its plan, unit, id and time, so a line
    moved to another file, edited, or replayed into another plan no longer matches its signature."""
    body = {k: v for k, v in obj.items() if k != "received_at" and k != "sig"}
    return SIGNED + json.dumps(body, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii")


class Existing(NamedTuple):
    unit: str
    canonical: str
    where: str


def record_ids(root: Path) -> dict[str, Existing]:
    """Every record id in the data folder, whatever its plan, with its content."""
    folder = progress_dir(root)
    out: dict[str, Existing] = {}
    if not folder.is_dir():
        return out
    caps = pending_import(root)
    staged = pending_sync(root)
    for path in sorted(p for p in folder.iterdir() if p.suffix == ".jsonl"):
        data, _ = read_ledger_file(staged.get(path.name, path), caps.get(path.name))
        existing_lines(str(path), data or b"", out)
    return out


def existing_lines(label: str, data: bytes, out: dict[str, Existing], only: Sequence[bytes] | None = None) -> None:
    """Add every record id of one file's bytes (named ``label``) to ``out``, the first of each id.

    ``only``: read just the lines that contain one of these byte strings (quoted ids).
    """
    for number, raw in enumerate(data.split(b"\n"), 1):
        if only is not None and not any(n in raw for n in only):
            continue
        try:
            obj = decode_line(raw) if raw.strip() else None
        except ValueError:
            continue
        if type(obj) is dict and type(obj.get("id")) is str and obj["id"] not in out:
            out[obj["id"]] = Existing(str(obj.get("unit")), canonical(obj), f"{label}:{number}")
