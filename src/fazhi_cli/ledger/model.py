"""The record's model: one event, a problem found reading one, the limits and the shapes every record meets.

Pure: ``progress/`` imports it. See the package's index for the rules of the record."""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_NOTE = 2000
MAX_EVIDENCE = 20
MAX_EVIDENCE_TEXT = 500
MAX_EVIDENCE_FILE = 512 * 1024 * 1024   # an evidence copy, and the size a record may say it has
MAX_BY = 100
MAX_LINE = 64 * 1024           # a record at its limits is ~25 KiB
# Plans before identities existed: their records carry no `plan` field.
LEGACY_PLAN = "番府办〔2016〕60号"
TYPES = ("mark", "revoke", "attach")
# The supervising office's acts (督办), written in its own file like any record.
ACTS = ("review", "extend", "waive", "remind", "close", "reopen", "key", "unkey")
# The keyring's acts (README "Signatures"): the office registers a unit's public key, or revokes one.
KEY_ACTS = ("key", "unkey")
VERDICTS = ("accept", "return")
JOURNAL = ".pending-import"
# A sync replaces whole files (see ``Writing.replace``): the new contents wait
# in STAGED until SYNC_JOURNAL names them, then move into place.
SYNC_JOURNAL = ".pending-sync"
STAGED = ".staged"
# When records that arrived by sync reached this folder: ranges of lines of
# the unit files, never synced itself (see ``read_arrivals``).
ARRIVALS = ".arrivals"
MAX_ARRIVALS = 64 * 1024 * 1024
ID = r"[0-9A-Za-z_-]{8,64}"
DAY = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
STAMP = DAY + r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?\+08:00"


class Lazy:
    """A regular expression compiled when first used: a `fazhi status` needs few of this module's patterns,
    and compiling all of them cost a few per cent of its run."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, *args: object) -> None:
        self._args = args
        self._compiled: re.Pattern | None = None

    def pattern(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)  # type: ignore[call-overload]
        return self._compiled

    def fullmatch(self, text: str) -> re.Match | None:
        return self.pattern().fullmatch(text)

    def search(self, text: str) -> re.Match | None:
        return self.pattern().search(text)


# ASCII digits only: \d alone would also take "١٠" or "１０" in a timestamp's
# hours or fraction, which no PC writes and which sort after every real time.
SHAPE = Lazy(rf"{ID} {DAY} {STAMP}", re.ASCII)
ID_RE = Lazy(ID, re.ASCII)
DAY_RE = Lazy(DAY, re.ASCII)
STAMP_RE = Lazy(STAMP, re.ASCII)
SHA = Lazy(r"[0-9a-f]{64}")
# C0 and C1 controls except tab and newline, DEL, and lone surrogates (text
# decoded from invalid UTF-8 with surrogateescape cannot be written as UTF-8).
BAD_TEXT = Lazy(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class Event(NamedTuple):
    id: str
    type: str            # "mark", "revoke" or "attach"
    target: str          # a part id ("7.1") or a yearly duty id ("summary-2017")
    unit: str
    state: str | None    # None for a revoke or an attach
    on: str              # ISO date the work reached the state (the day of attaching, for an attach)
    note: str
    evidence: tuple      # str or {kind, value[, name, size, sha256]} items
    by: str
    recorded_at: str     # ISO timestamp, +08:00, on the recording PC
    revokes: str | None
    file: str = ""
    line: int = 0
    cmd: str = ""        # the command that wrote it: one `mark 6` writes four events with one cmd
    known_at: str = ""   # when this data folder had it: received_at for an import, else recorded_at
    subject: str | None = None   # the unit a supervision act is about (None: every unit of the item)
    verdict: str | None = None   # a review: "accept" (销号) or "return" (退回)
    until: str | None = None     # an extension: the new due date
    number: int | None = None    # a reminder: its number in the year
    approved_by: str = ""        # an extension: who approved it
    key: str = ""                # a key act: the public key registered (key), or the fingerprint revoked (unkey)
    kept: tuple | None = None    # an unkey: the ids of the records signed with the key that the office keeps


tuple_new = tuple.__new__
NO_ACT = (None, None, None, None, "", "", None)   # a mark's subject, verdict, until, number, approved_by, key, kept
MAX_KEPT = 1500              # ids an unkey keeps: 36 bytes each within a line's 64 KiB


class Problem(NamedTuple):
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Ledger(NamedTuple):
    events: list[Event]
    problems: list[Problem]


def new_id() -> str:
    import uuid  # noqa: PLC0415 - only writers need it

    return uuid.uuid4().hex
