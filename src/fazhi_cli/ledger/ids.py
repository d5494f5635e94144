"""The records already present, by id: what an import, a sync or an undo asks before adding anything."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Collection, NamedTuple, Sequence

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


def record_ids(root: Path, ids: Collection[str] | None = None) -> dict[str, Existing]:
    """Every record id in the data folder, whatever its plan, with its content; or, with ``ids``, those of them
    that are present (what an import asks about: the ids it brings and those they revoke)."""
    folder = progress_dir(root)
    out: dict[str, Existing] = {}
    if not folder.is_dir():
        return out
    caps = pending_import(root)
    staged = pending_sync(root)
    pieces = plain_ids(ids) if ids is not None else None
    for path in sorted(p for p in folder.iterdir() if p.suffix == ".jsonl"):
        data, _ = read_ledger_file(staged.get(path.name, path), caps.get(path.name))
        existing_lines(str(path), data or b"", out, pieces=pieces)
    if ids is not None and pieces is None:
        wanted = set(ids)
        out = {k: v for k, v in out.items() if k in wanted}
    return out


def plain_ids(ids: Collection[str]) -> frozenset[bytes] | None:
    """The ids as a line spells them between two quotes when it needs no escape for them; None when one of them
    needs one (then every line is decoded, as without ``ids``)."""
    out = set()
    for i in ids:
        if type(i) is not str or any(c in '"\\' or c < " " for c in i):
            return None
        try:
            out.add(i.encode("utf-8"))
        except UnicodeEncodeError:      # a lone surrogate, only written with an escape
            return None
    return frozenset(out)


# "id", a colon and a string without escapes, blanks allowed between (JSON's blanks within a line)
_ID_VALUE = re.compile(rb'"id"[ \t\r]*:[ \t\r]*"([^"\n]*)"')


def may_hold(raw: bytes, pieces: frozenset[bytes]) -> bool:
    """Whether bytes may hold a record whose id is one of ``pieces`` (``plain_ids``), without decoding them.

    Without a backslash a JSON string has no escape: in a line that is JSON every quote opens or closes a
    string, so a record's id is spelt, in UTF-8, exactly by the string after a key spelt "id" and a colon; a
    line that is not JSON holds no record. A NUL is where json.loads would take the bytes for UTF-16 or UTF-32;
    such bytes are decoded, as are any with a backslash.
    """
    if b"\\" in raw or b"\x00" in raw:
        return True
    if len(pieces) <= 8 and not any(p in raw for p in pieces):
        return False            # without an escape an id is spelt by its own bytes: a few byte searches say no
    return not pieces.isdisjoint(_ID_VALUE.findall(raw))


def existing_lines(label: str, data: bytes, out: dict[str, Existing], only: Sequence[bytes] | None = None,
                   pieces: frozenset[bytes] | None = None) -> None:
    """Add every record id of one file's bytes (named ``label``) to ``out``, the first of each id.

    ``only``: read just the lines that contain one of these byte strings (quoted ids). ``pieces``
    (``plain_ids``): add just the records with those ids, and decode just the lines that may hold one.
    """
    if pieces is not None and not may_hold(data, pieces):
        return
    for number, raw in enumerate(data.split(b"\n"), 1):
        if only is not None and not any(n in raw for n in only):
            continue
        if pieces is not None and not may_hold(raw, pieces):
            continue
        try:
            obj = decode_line(raw) if raw.strip() else None
        except ValueError:
            continue
        if type(obj) is dict and type(obj.get("id")) is str and obj["id"] not in out:
            if pieces is not None and obj["id"].encode("utf-8", "surrogatepass") not in pieces:
                continue
            out[obj["id"]] = Existing(str(obj.get("unit")), canonical(obj), f"{label}:{number}")
