"""Progress records: one append-only JSON Lines file per unit.

This is the only module that writes progress. Each unit's file
``<data>/progress/<unit>.jsonl`` holds one event per line, written only by
that unit's commands (and by imports of that unit's own records), and is only
ever appended to, under the data folder's write lock, one whole line per write,
flushed to disk. Reading never changes a file: a line that does not pass the
checks is reported with file:line and skipped, never repaired or removed.

Every record, typed or imported or read back, passes one validation path:
``check_record``. Records name the plan they belong to (``plan``); records
written before plans had an identity have no such field and belong to the
bundled plan (``LEGACY_PLAN``).
"""

from __future__ import annotations

import json
import os
import re
import stat
from datetime import date
from pathlib import Path
from typing import Callable, Collection, Iterable, Iterator, NamedTuple

from .dates import now
from .errors import LedgerError, UsageError
from .files import open_regular, read_regular, read_span, write_aside
from .i18n import t
from .plan import STATES, Plan

MAX_NOTE = 2000
MAX_EVIDENCE = 20
MAX_EVIDENCE_TEXT = 500
MAX_BY = 100
MAX_LINE = 64 * 1024           # a record at its limits is ~25 KiB
# Plans before identities existed: their records carry no `plan` field.
LEGACY_PLAN = "番府办〔2016〕60号"
TYPES = ("mark", "revoke", "attach")
# The supervising office's acts (督办), written in its own file like any record.
ACTS = ("review", "extend", "waive", "remind", "close", "reopen")
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
_ID = r"[0-9A-Za-z_-]{8,64}"
_DAY = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_STAMP = _DAY + r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?\+08:00"


class _Lazy:
    """A regular expression compiled when first used: a `fazhi status` needs few of this module's patterns,
    and compiling all of them cost a few per cent of its run."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, *args: object) -> None:
        self._args = args
        self._compiled: re.Pattern | None = None

    def _get(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)  # type: ignore[call-overload]
        return self._compiled

    def fullmatch(self, text: str) -> re.Match | None:
        return self._get().fullmatch(text)

    def search(self, text: str) -> re.Match | None:
        return self._get().search(text)


# ASCII digits only: \d alone would also take "١٠" or "１０" in a timestamp's
# hours or fraction, which no PC writes and which sort after every real time.
_SHAPE = _Lazy(rf"{_ID} {_DAY} {_STAMP}", re.ASCII)
_ID_RE = _Lazy(_ID, re.ASCII)
_DAY_RE = _Lazy(_DAY, re.ASCII)
_STAMP_RE = _Lazy(_STAMP, re.ASCII)
_SHA = _Lazy(r"[0-9a-f]{64}")
# C0 and C1 controls except tab and newline, DEL, and lone surrogates (text
# decoded from invalid UTF-8 with surrogateescape cannot be written as UTF-8).
_BAD_TEXT = _Lazy(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


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


_tuple_new = tuple.__new__
_NO_ACT = (None, None, None, None, "")   # a mark's subject, verdict, until, number, approved_by


class Problem(NamedTuple):
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Ledger(NamedTuple):
    events: list[Event]
    problems: list[Problem]


def data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    chosen = option or os.environ.get("FAZHI_HOME")
    if chosen:
        return Path(chosen)
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_data_dir("fazhi", appauthor=False))


def progress_dir(root: Path) -> Path:
    return root / "progress"


def records_folder(root: Path) -> Path:
    """The folder only the ledger writes in: views, reports and notices refuse to be written inside it."""
    return progress_dir(root)


def ledger_path(root: Path, unit: str) -> Path:
    # Unit names come from the validated plan, which refuses separators and
    # dots at the start; this check keeps a path outside the folder
    # impossible even for a plan that slipped past it.
    folder = progress_dir(root)
    path = folder / f"{unit}.jsonl"
    if path.parent != folder or path.name.startswith(".") or "\x00" in unit:
        raise LedgerError(t("单位名称 {u!r} 不能用作文件名", "unit name {u!r} cannot be used as a file name", u=unit))
    return path


# --- one validation path ------------------------------------------------------

_ROLES: dict[int, tuple[Plan, frozenset]] = {}


def role_list(plan: Plan) -> list[tuple[str, str]]:
    """Every (target, unit) pair the plan gives a role, in the plan's order (successors' after all others)."""
    order = [(p.id, u) for p in plan.parts.values() for u in (*p.lead_units, *p.support_units)]
    order += [(o.id, u) for o in plan.obligations.values() for u in o.units]
    if plan.successions:
        order += sorted(_roles(plan).difference(order))
    return list(dict.fromkeys(order))


def _roles(plan: Plan) -> frozenset:
    """Every (target, unit) pair the plan gives a role, computed once per plan."""
    hit = _ROLES.get(id(plan))
    if hit is not None and hit[0] is plan:
        return hit[1]
    pairs = {(p.id, u) for p in plan.parts.values() for u in (*p.lead_units, *p.support_units)}
    pairs.update((o.id, u) for o in plan.obligations.values() for u in o.units)
    for new in {s.new for s in plan.successions}:   # a successor answers for what its predecessors held
        held = {target for target, unit in pairs if unit in plan.predecessors(new)}
        pairs.update((target, new) for target in held)
    roles = frozenset(pairs)
    _ROLES[id(plan)] = (plan, roles)
    return roles


_GOOD_DAYS: set[str] = set()


def _real_day(text: str) -> bool:
    # The shape is checked by regular expression; this rejects 02-30 and the
    # like. Few distinct days occur, so each is parsed once.
    if text in _GOOD_DAYS:
        return True
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    _GOOD_DAYS.add(text)
    return True


def _text_ok(value: object, limit: int) -> bool:
    return type(value) is str and len(value) <= limit and not (value and _BAD_TEXT.search(value))


def _evidence_ok(items: object) -> bool:
    if type(items) is not list or len(items) > MAX_EVIDENCE:
        return False
    for item in items:
        if type(item) is str:
            if not item or not _text_ok(item, MAX_EVIDENCE_TEXT):
                return False
            continue
        if type(item) is not dict:
            return False
        kind = item.get("kind")
        if kind not in ("document", "url", "file") or not _text_ok(item.get("value"), MAX_EVIDENCE_TEXT):
            return False
        if not item["value"] or not _text_ok(item.get("name", ""), 255):
            return False
        if kind == "file" and "name" in item and ("/" in item["name"] or "\\" in item["name"]):
            return False  # a file's name, as `mark` records it: never a path
        if kind == "file":
            sha, size = item.get("sha256"), item.get("size")
            if type(sha) is not str or not _SHA.fullmatch(sha) or type(size) is not int or size < 0:
                return False
    return True


def plan_of(obj: dict) -> str:
    value = obj.get("plan", LEGACY_PLAN)
    return value if type(value) is str else ""


_USUAL = _Lazy(rf"{_ID} {_DAY} {_STAMP} (?:{_ID})?", re.ASCII)


def _usual(obj: dict, plan: Plan, today: str | None, file: str, line: int, file_unit: str | None) -> Event | None:
    """The record as an Event when it is plainly well formed, else None (and the careful path decides).

    A read of 100,000 records runs this 100,000 times, so the checks of the
    careful path below are made here in fewer, cheaper steps: one regular
    expression for the id, the day, the timestamp and the command id, a set
    lookup for days already seen valid, one search for control characters over the note
    and the name together. Whatever it accepts, the careful path accepts as the
    same Event; anything it is not sure of (another plan, a new day, a revoke or
    an attachment, an import's received_at...) goes down the careful path.
    """
    get = obj.get
    eid, on, stamp, cmd = get("id"), get("on"), get("recorded_at"), get("cmd", "")
    note, by, evidence, unit = get("note", ""), get("by", ""), get("evidence", []), get("unit")
    if (type(eid) is not str or type(on) is not str or type(stamp) is not str or type(cmd) is not str
            or type(note) is not str or type(by) is not str or type(evidence) is not list
            or get("plan", LEGACY_PLAN) != plan.key
            or (file_unit is not None and unit != file_unit) or len(note) > MAX_NOTE or len(by) > MAX_BY
            or "\n" in by or get("received_at") is not None or get("type", "mark") != "mark"):
        return None
    target, state = get("part"), get("state")
    start = plan.start
    if (state not in STATES or type(unit) is not str or type(target) is not str or unit not in plan.units
            or (target, unit) not in _roles(plan) or (evidence and not _evidence_ok(evidence))
            or (start is not None and on < start.isoformat())
            or (today is not None and (on > today or stamp[:10] > today)) or on > stamp[:10]
            or not _USUAL.fullmatch(f"{eid} {on} {stamp} {cmd}") or _BAD_TEXT.search(note + by)
            or not _real_day(on) or not _real_day(stamp[:10])):
        return None
    return _tuple_new(Event, (eid, "mark", target, unit, state, on, note, tuple(evidence), by, stamp, None, file,
                              line, cmd or eid, stamp, *_NO_ACT))


def check_record(obj: object, plan: Plan, *, today: str | None = None, file: str = "", line: int = 0,
                 file_unit: str | None = None) -> Event | None:
    """Validate one decoded record; None when it belongs to another plan.

    Raises ValueError with a message for users. ``today`` (an ISO day) refuses
    records dated after it; ``file_unit`` refuses records of any other unit.
    """
    if type(obj) is not dict:
        raise ValueError(t("记录应为 JSON 对象", "a record must be a JSON object"))
    event = _usual(obj, plan, today, file, line, file_unit)
    if event is not None:
        return event
    if plan_of(obj) != plan.key:
        if type(obj.get("plan", "")) is not str:
            raise ValueError(t("plan 字段类型错误", "the plan field has the wrong type"))
        return None
    get = obj.get
    eid, kind, target, unit = get("id"), get("type", "mark"), get("part"), get("unit")
    on, stamp, state, revokes = get("on"), get("recorded_at"), get("state"), get("revokes")
    note, by, evidence = get("note", ""), get("by", ""), get("evidence", [])
    # The usual, well-formed record passes with one regular expression over
    # its id, day and timestamp; anything else is examined field by field
    # below so that the message can say which field is wrong.
    if not (type(eid) is str and type(on) is str and type(stamp) is str
            and _SHAPE.fullmatch(f"{eid} {on} {stamp}") and _real_day(on) and _real_day(stamp[:10])):
        if type(eid) is not str or not _ID_RE.fullmatch(eid):
            raise ValueError(t("记录编号无效", "invalid record id"))
        if type(on) is not str or not re.fullmatch(_DAY, on, re.ASCII) or not _real_day(on):
            raise ValueError(t("日期无效: {d!r}", "invalid date: {d!r}", d=on))
        raise ValueError(t("记录时间无效: {d!r}", "invalid recorded_at: {d!r}", d=stamp))
    if file_unit is not None and unit != file_unit:
        raise ValueError(t("记录的单位 {u!r} 与进度文件的单位 {f} 不符", "the record's unit {u!r} is not this file's unit {f}",
                           u=unit, f=file_unit))
    if type(unit) is not str or unit not in plan.units:
        raise ValueError(t("方案中没有单位 {u!r}", "the plan has no unit {u!r}", u=unit))
    extra: tuple = _NO_ACT
    if kind in ACTS:
        extra = _act(obj, plan, kind, unit, target)
    elif kind == "revoke" and plan.supervises(unit):
        # the office takes back one of its acts (which may name any item, or none)
        if target != "" and target not in plan.parts and target not in plan.obligations:
            raise ValueError(t("方案中没有分项 {p!r}", "the plan has no part {p!r}", p=target))
    else:
        if type(target) is not str or (target not in plan.parts and target not in plan.obligations):
            raise ValueError(t("方案中没有分项 {p!r}", "the plan has no part {p!r}", p=target))
        if (target, unit) not in _roles(plan):
            raise ValueError(t("{u} 不负责 {p}", "{u} holds no responsibility for {p}", u=unit, p=target))
    start = plan.start
    if start is not None and on < start.isoformat():
        raise ValueError(t("日期 {d} 早于方案印发日期 {s}", "date {d} is before the plan was signed ({s})", d=on, s=start))
    if today is not None and (on > today or stamp[:10] > today):
        raise ValueError(t("日期晚于今天({d})", "dated after today ({d})", d=today))
    if on > stamp[:10]:
        # `mark` never records a day after the day it records on: such a record
        # was forged, and would count as known before the work it reports.
        raise ValueError(t("日期 {d} 晚于记录时间 {r}", "date {d} is after the time it was recorded ({r})", d=on, r=stamp))
    if kind == "mark":
        if state not in STATES:
            raise ValueError(t("未知状态 {s!r}(应为 todo、doing 或 done)", "unknown state {s!r} (todo, doing or done)",
                               s=state))
        revokes = None
    elif kind == "revoke":
        if type(revokes) is not str or not _ID_RE.fullmatch(revokes):
            raise ValueError(t("撤销记录缺少被撤销的编号", "a revoke record lacks the id it revokes"))
        state = None
    elif kind == "attach" or kind in ACTS:
        state = revokes = None
    else:
        raise ValueError(t("未知的记录类型 {k!r}", "unknown record type {k!r}", k=kind))
    if not _text_ok(note, MAX_NOTE):
        raise ValueError(t("备注无效(应为不超过 {m} 字、不含控制字符的文字)",
                           "invalid note (text of at most {m} characters, no control characters)", m=MAX_NOTE))
    if not _text_ok(by, MAX_BY) or "\n" in by:
        raise ValueError(t("记录人无效(应为不超过 {m} 字的一行文字)", "invalid by (one line of at most {m} characters)",
                           m=MAX_BY))
    if type(evidence) is not list or (evidence and not _evidence_ok(evidence)):
        raise ValueError(t("证明材料无效(最多 {m} 项,每项为文号、网址或带 SHA-256 的文件)",
                           "invalid evidence (at most {m} items: document numbers, URLs or files with SHA-256)",
                           m=MAX_EVIDENCE))
    cmd = get("cmd", "")
    if cmd and (type(cmd) is not str or not _ID_RE.fullmatch(cmd)):
        raise ValueError(t("命令编号无效", "invalid command id"))
    received = get("received_at")
    if received is not None and (type(received) is not str or not _STAMP_RE.fullmatch(received)
                                 or not _real_day(received[:10])):
        raise ValueError(t("接收时间无效: {d!r}", "invalid received_at: {d!r}", d=received))
    # tuple.__new__ skips the NamedTuple's Python-level constructor: this
    # runs once per record, 100,000 times for a large district.
    return _tuple_new(Event, (eid, kind, target, unit, state, on, note, tuple(evidence), by, stamp, revokes,
                              file, line, cmd or eid, received or stamp, *extra))


def _act(obj: dict, plan: Plan, kind: str, unit: str, target: object) -> tuple:
    """Check a supervision act; its (subject, verdict, until, number, approved_by)."""
    if not plan.supervises(unit):
        who = "、".join(plan.supervision.units) or t("(方案未指定)", "(none named by the plan)")
        raise ValueError(t("只有督办单位({w})可以记录{k}", "only the supervising unit ({w}) may record a {k}", w=who, k=kind))
    get = obj.get
    subject, verdict, until, number, approved = get("subject"), get("verdict"), get("until"), get("number"), get(
        "approved_by", "")
    if kind in ("review", "extend", "waive"):
        if target not in plan.parts and target not in plan.obligations:
            raise ValueError(t("方案中没有分项 {p!r}", "the plan has no part {p!r}", p=target))
        if subject is not None and (type(subject) is not str or (target, subject) not in _roles(plan)):
            raise ValueError(t("{u!r} 不负责 {p}", "{u!r} holds no responsibility for {p}", u=subject, p=target))
        if kind == "review" and (subject is None or verdict not in VERDICTS):
            raise ValueError(t("审核记录需要单位和结论(accept 或 return)", "a review needs a unit and a verdict (accept or return)"))
        if kind == "extend" and (type(until) is not str or not re.fullmatch(_DAY, until) or not _real_day(until)):
            raise ValueError(t("延期记录的新期限无效: {d!r}", "invalid extended due date: {d!r}", d=until))
    elif kind == "remind":
        if type(subject) is not str or subject not in plan.units:
            raise ValueError(t("催办记录的单位无效: {u!r}", "invalid unit in a reminder: {u!r}", u=subject))
        if type(number) is not int or not 1 <= number <= 1_000_000:
            raise ValueError(t("催办编号无效: {n!r}", "invalid reminder number: {n!r}", n=number))
    elif target != "":
        raise ValueError(t("{k} 记录不应指明分项", "a {k} record names no part", k=kind))
    if not _text_ok(approved, MAX_BY) or "\n" in approved:
        raise ValueError(t("批准人无效", "invalid approved_by"))
    return (subject, verdict if kind == "review" else None, until if kind == "extend" else None,
            number if kind == "remind" else None, approved)


def _no_constants(name: str) -> None:
    raise ValueError(t("记录中不能有 {n}", "{n} is not allowed in a record", n=name))


def decode_line(raw: bytes) -> object:
    """One line's JSON value; ValueError for anything that is not plain, bounded JSON."""
    if len(raw) > MAX_LINE:
        raise ValueError(t("记录过长({n} 字节)", "record too long ({n} bytes)", n=len(raw)))
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except json.JSONDecodeError as e:
        raise ValueError(t("不是有效的 JSON(第 {c} 个字符处)", "not valid JSON (at character {c})", c=e.pos + 1)) from None
    except RecursionError:
        raise ValueError(t("嵌套过深", "nested too deeply")) from None
    except UnicodeDecodeError:
        raise ValueError(t("不是有效的 UTF-8", "not valid UTF-8")) from None


# --- reading ----------------------------------------------------------------

def read_ledger(root: Path, plan: Plan, *, today: str | None = None, units: Collection[str] | None = None,
                on_file: Callable[[str, os.stat_result, bytes], None] | None = None) -> Ledger:
    """Every valid event of this plan in the data folder, and a Problem for every bad line.

    ``units``: read only these units' files (a unit's own view needs no other
    file: each file holds only its unit's records). None reads every file.
    ``on_file(name, stat, data)`` is told what was read of each file (the snapshot keeps how to recognise it).
    """
    folder = progress_dir(root)
    events: list[Event] = []
    problems: list[Problem] = []
    if folder.is_symlink():
        problems.append(Problem(str(folder), 0, t("进度文件夹是符号链接,已拒绝读取",
                                                  "the progress folder is a symbolic link; not read")))
        return Ledger(events, problems)
    try:
        files = sorted(folder / name for name in ledger_names(folder, units))
    except FileNotFoundError:
        return Ledger(events, problems)
    except NotADirectoryError:
        # a data or progress folder that is a file, a pipe or a device is not
        # an empty record: the views would show every part as not started
        bad = root if os.path.lexists(root) and not root.is_dir() else folder
        raise LedgerError(t("{p}: 不是文件夹;数据文件夹和其中的 progress 都必须是文件夹",
                            "{p}: is not a folder; the data folder and its progress folder must be folders",
                            p=bad)) from None
    except OSError as e:
        raise LedgerError(t("{p}: 无法读取数据文件夹({e})", "{p}: cannot read the data folder ({e})",
                            p=folder, e=e.strerror or e)) from None
    caps = pending_import(root)
    staged = pending_sync(root)
    if staged:  # a sync was cut off after it decided: its files are the ones to read
        files = sorted(set(files) | {folder / n for n in staged if n.endswith(".jsonl")})
    arrivals = read_arrivals(root, staged)
    for path in files:
        unit = path.stem
        data, problem, st = _read_file(staged.get(path.name, path), caps.get(path.name))
        if problem is not None:
            problems.append(problem)
        if data is None:
            continue
        if on_file is not None and st is not None:
            on_file(path.name, st, data)
        seen: dict[str, bytes] = {}
        ranges = arrivals.get(path.name)
        starts = [r[0] for r in ranges] if ranges else None
        for item in parse_lines(path, data, plan, today=today, file_unit=unit):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            event, raw = item
            if starts:
                event = arrived(event, ranges, starts)
            if event.id in seen:
                # The same line copied twice counts once; two different records
                # under one id are a problem, and the first stands.
                if seen[event.id] != raw:
                    problems.append(Problem(str(path), event.line, t("编号 {i} 重复且内容不同,已忽略",
                                                                      "id {i} repeated with other content; ignored",
                                                                      i=event.id)))
                continue
            seen[event.id] = raw
            events.append(event)
    return Ledger(events, problems)


def ledger_names(folder: Path, units: Collection[str] | None = None) -> list[str]:
    """The names of the unit files a read takes from the progress folder (only these units' when given),
    sorted. Raises OSError as ``os.listdir`` does."""
    return sorted(n for n in os.listdir(folder) if is_ledger_name(n) and (units is None or n[:-6] in units))


def is_ledger_name(name: str) -> bool:
    """A unit's file by its name: ``<unit>.jsonl``."""
    return name.endswith(".jsonl") and name != ".jsonl"


def arrived(event: Event, ranges: list[Arrival], starts: list[int]) -> Event:
    """The event with the time it came to this folder by sync, when the arrivals name its line."""
    from bisect import bisect_right  # noqa: PLC0415 - only a folder that syncs needs it

    i = bisect_right(starts, event.line) - 1
    if i >= 0 and event.line <= ranges[i][1]:
        return event._replace(known_at=ranges[i][2])
    return event


def read_ledger_file(path: Path, cap: int | None, start: int = 0) -> tuple[bytes | None, Problem | None]:
    """A ledger's bytes (from ``start``, up to ``cap``: an unfinished import's lines are not read)."""
    data, problem, _ = _read_file(path, cap, start)
    return data, problem


def _read_file(path: Path, cap: int | None, start: int = 0) -> tuple[bytes | None, Problem | None,
                                                                      os.stat_result | None]:
    try:
        fd, st = open_regular(path, nofollow=True)
    except OSError as e:
        if os.path.islink(path):
            return None, Problem(str(path), 0, t("是符号链接,已忽略", "is a symbolic link; ignored")), None
        return None, Problem(str(path), 0, t("无法读取({e}),已忽略", "cannot be read ({e}); ignored",
                                             e=e.strerror or e)), None
    try:
        problem = None
        if st.st_nlink > 1:
            problem = Problem(str(path), 0, t("有 {n} 个硬链接,本工具不会向它写入", "has {n} hard links; fazhi will not write to it",
                                              n=st.st_nlink))
        size = st.st_size if cap is None else min(max(cap, 0), st.st_size)
        return read_span(fd, size, start), problem, st
    except OSError as e:
        return None, Problem(str(path), 0, t("无法读取({e}),已忽略", "cannot be read ({e}); ignored",
                                             e=e.strerror or e)), None
    finally:
        os.close(fd)


def parse_lines(path: Path, data: bytes, plan: Plan, *, today: str | None = None,
                file_unit: str | None = None, first: int = 1) -> Iterator[tuple[Event, bytes] | Problem]:
    """(event, its raw line) for each good line of this plan, a Problem for each bad one.

    ``first``: the line number of the first line of ``data`` (a read that starts past the file's beginning).
    """
    name = str(path)
    numbered = [(n, raw) for n, raw in enumerate(data.split(b"\n"), first) if raw.strip()]
    usual = _usual_lines(data, numbered, plan, today, name, file_unit, first)
    others = numbered if usual is None else [x for x, e in zip(numbered, usual) if e is None]
    objs = None
    if others and all(len(raw) <= MAX_LINE for _, raw in others):
        try:
            # One JSON document for a whole block of lines is several times
            # faster than a parse per line; any bad line sends that block
            # down the careful path below.
            objs = json.loads(b"[" + b",".join(raw for _, raw in others) + b"]", parse_constant=_no_constants)
            if len(objs) != len(others):
                objs = None
        except (ValueError, UnicodeDecodeError, RecursionError):
            objs = None
    k = -1
    for i, (number, raw) in enumerate(numbered):
        if usual is not None:
            event = usual[i]
            if event is not None:
                yield event, raw
                continue
        k += 1
        if objs is not None:
            obj = objs[k]
        else:
            try:
                obj = decode_line(raw)
            except ValueError:
                yield Problem(name, number, t("无法解析的记录(可能是写入中断留下的残行)",
                                              "unreadable record (perhaps a write that was cut off)"))
                continue
        try:
            event = check_record(obj, plan, today=today, file=name, line=number, file_unit=file_unit)
        except ValueError as e:
            yield Problem(name, number, str(e))
            continue
        if event is not None:
            yield event, raw


# A JSON string character that needs no escape (Latin-1 ranges only: a class
# with the surrogates costs milliseconds to compile; _BAD_TEXT is checked apart).
_PLAIN = r'[^"\\\x00-\x1f]'
# A mark exactly as `encode` writes it (and as an import appends it, with
# received_at): nearly every line of every file. Such a line is valid JSON
# whose strings are their own text, so its fields are read straight from the
# match. The evidence list is decoded on its own.
_LINE = _Lazy(
    rf'[ \t\r]*\{{"id":"({_ID})","type":"mark","plan":"({_PLAIN}*)","part":"({_PLAIN}*)","unit":"({_PLAIN}*)",'
    rf'"on":"({_DAY})","note":"({_PLAIN}{{0,{MAX_NOTE}}})","evidence":(\[[^\]]*\]),"by":"({_PLAIN}{{0,{MAX_BY}}})",'
    rf'"recorded_at":"({_STAMP})","cmd":"({_ID})","state":"(todo|doing|done)"(?:,"received_at":"({_STAMP})")?\}}'
    r'[ \t\r]*', re.ASCII)


_STATES = {s: s for s in STATES}


def _usual_lines(data: bytes, numbered: list[tuple[int, bytes]], plan: Plan, today: str | None, file: str,
                 file_unit: str | None, first: int = 1) -> list[Event | None] | None:
    """For each line, its Event when the line is a mark exactly as fazhi writes it and passes every check of
    ``check_record``; None for a line to be read the careful way (None for all: a file that is not UTF-8).

    JSON decoding and validating field by field cost about as much again as
    everything else a view does with a record; this reads the usual line with
    one regular expression and a few lookups. A test compares every answer
    with the careful path's.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    texts = text.split("\n")
    # no DEL and no C1 control (UTF-8 \xc2\x80-\x9f) anywhere: then no note or name holds what _BAD_TEXT
    # refuses (the pattern admits no C0 control and strict UTF-8 no surrogate). Two byte searches: a
    # character class over the text is a hundred times slower.
    clean = b"\x7f" not in data and b"\xc2" not in data
    match = _LINE._get().fullmatch
    key, units, roles, days = plan.key, plan.units, _roles(plan), _GOOD_DAYS
    # one string object for each distinct day, target, note and name: 100,000 events hold ~30 MB less
    shared: dict[str, str] = {}
    share = shared.setdefault
    start = plan.start.isoformat() if plan.start is not None else ""
    last = today if today is not None else "9999-12-31"
    out: list[Event | None] = []
    for number, raw in numbered:
        m = match(texts[number - first])
        if m is None:
            out.append(None)
            continue
        eid, plan_key, target, unit, on, note, evidence, by, stamp, cmd, state, received = m.groups()
        if (plan_key != key or on < start or on > last or stamp[:10] > last or on > stamp[:10] or unit not in units
                or (target, unit) not in roles or (file_unit is not None and unit != file_unit)
                or len(raw) > MAX_LINE or (on not in days and not _real_day(on))
                or (stamp[:10] not in days and not _real_day(stamp[:10]))
                or (received is not None and received[:10] not in days and not _real_day(received[:10]))
                or (not clean and _BAD_TEXT.search(note + by))):
            out.append(None)
            continue
        if evidence == "[]":
            items: tuple = ()
        else:
            try:
                found = json.loads(evidence, parse_constant=_no_constants)
            except (ValueError, RecursionError):
                out.append(None)
                continue
            if not found or not _evidence_ok(found):
                out.append(None)
                continue
            items = tuple(found)
        out.append(_tuple_new(Event, (eid, "mark", share(target, target), file_unit or share(unit, unit),
                                      _STATES[state], share(on, on), share(note, note), items, share(by, by), stamp,
                                      None, file, number, cmd, received or stamp, *_NO_ACT)))
    return out


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
    names = _journal_names(path)
    stage = folder / STAGED
    return {n: stage / n for n in names if os.path.lexists(stage / n)}


def _journal_names(path: Path) -> list[str]:
    try:
        raw = read_regular(path, 1 << 20, nofollow=True)
        names = json.loads(raw)
        if type(names) is list and all(type(n) is str and _replaceable(n) for n in names):
            return names
    except (OSError, ValueError, RecursionError):
        pass
    raise LedgerError(t("{p}: 中断的同步记录无法读取;请检查此文件", "{p}: the record of an interrupted sync cannot be read; check this file",
                        p=path))


def _replaceable(name: str) -> bool:
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
    from .files import read_regular  # noqa: PLC0415

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
            and type(obj.get("at")) is str and bool(_STAMP_RE.fullmatch(obj["at"])))


# --- writing ----------------------------------------------------------------

def new_id() -> str:
    import uuid  # noqa: PLC0415 - only writers need it

    return uuid.uuid4().hex


def new_event(plan: Plan, *, target: str, unit: str, state: str | None, on: str, by: str, cmd: str,
              note: str = "", evidence: list | None = None, revokes: str | None = None,
              kind: str | None = None, **act: object) -> dict:
    event = {
        "id": new_id(),
        "type": kind or ("revoke" if revokes else "mark"),
        "plan": plan.key,
        "part": target,
        "unit": unit,
        "on": on,
        "note": note,
        "evidence": evidence or [],
        "by": by,
        "recorded_at": now().isoformat(timespec="microseconds"),
        "cmd": cmd,
    }
    if revokes:
        event["revokes"] = revokes
    elif event["type"] == "mark":
        event["state"] = state
    event.update((k, v) for k, v in act.items() if v is not None and v != "")
    return event


def encode(events: Iterable[dict]) -> bytes:
    return b"".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for e in events)


class Writing:
    """``with Writing(root) as w``: the data folder's write lock, and appends that all land or none.

    Folders created for a write that then fails are removed again, so a
    refused or failed command leaves nothing behind.
    """

    def __init__(self, root: Path, timeout: float | None = None) -> None:
        self.root = root
        self.folder = progress_dir(root)
        self.timeout = timeout
        self._created: list[Path] = []
        self._lock = None
        self._sizes: dict[Path, int | None] = {}   # size before our first write; None if we created it
        self._blobs: list[Path] = []
        self._journal: Path | None = None

    def __enter__(self) -> "Writing":
        from .lock import FolderLock  # noqa: PLC0415

        for folder in (self.root, self.folder):
            if folder.is_symlink():
                raise LedgerError(t("{p}: 是符号链接,拒绝写入", "{p}: is a symbolic link; refusing to write", p=folder))
            if not folder.exists():
                try:
                    folder.mkdir()
                except FileNotFoundError:
                    try:
                        folder.mkdir(parents=True)
                    except OSError as e:
                        self._cleanup()
                        raise LedgerError(t("{p}: 无法创建数据文件夹({e})", "{p}: cannot create the data folder ({e})",
                                            p=folder, e=e.strerror or e)) from None
                except OSError as e:
                    self._cleanup()
                    raise LedgerError(t("{p}: 无法创建数据文件夹({e})", "{p}: cannot create the data folder ({e})",
                                        p=folder, e=e.strerror or e)) from None
                self._created.append(folder)
        self._lock = FolderLock(self.folder, self.timeout)
        try:
            self._lock.__enter__()
        except BaseException:
            self._lock = None
            self._cleanup()
            raise
        try:
            _recover(self.root)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None:
            self.rollback()
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None
        if kind is not None:
            self._cleanup()

    def _cleanup(self) -> None:
        for folder in reversed(self._created):
            try:
                folder.rmdir()  # only if still empty
            except OSError:
                pass
        self._created = []

    def append(self, unit: str, events: Iterable[dict]) -> None:
        payload = encode(events)
        if payload:
            self.append_bytes(ledger_path(self.root, unit), payload)

    def append_bytes(self, path: Path, payload: bytes) -> None:
        before = append_bytes(path, payload)
        self._sizes.setdefault(path, before)

    def rollback(self) -> None:
        """Take back every byte this writer appended, and the evidence copies it made."""
        taken_back = all([_truncate(path, size) for path, size in self._sizes.items()])
        self._sizes = {}
        if self._journal is not None and taken_back:
            # while a file could not be taken back, the journal stays: readers
            # keep ignoring the bytes and the next writer tries again
            try:
                self._journal.unlink()
            except OSError:
                pass
        self._journal = None
        for blob in self._blobs:
            try:
                blob.unlink()
            except OSError:
                pass
        self._blobs = []

    def store_evidence(self, source: Path, sha: str, name: str) -> None:
        blob = store_blob(self.root, source, sha, name)
        if blob is not None:
            self._blobs.append(blob)

    def journal(self, paths: Iterable[Path]) -> Path:
        """Write down the files' sizes before a multi-file import (see ``_recover``)."""
        sizes = {}
        for p in paths:
            try:
                st = os.lstat(p)
                sizes[p.name] = st.st_size
            except FileNotFoundError:
                sizes[p.name] = -1
        path = self.folder / JOURNAL
        data = json.dumps(sizes, ensure_ascii=False).encode("utf-8")
        # written whole under another name, then renamed: a reader or a
        # later writer never meets half a journal, even after a kill
        try:
            write_aside(path, data)
        except OSError as e:
            raise LedgerError(t("{p}: 无法开始导入({e})", "{p}: cannot start the import ({e})",
                                p=path, e=e.strerror or e)) from None
        self._journal = path
        return path

    def commit(self) -> None:
        """The multi-file write is whole: readers may now see all of it."""
        if self._journal is not None:
            self._journal.unlink()
            self._journal = None

    def replace(self, contents: dict[str, bytes]) -> None:
        """Replace whole files of the progress folder (by name) together: all of them, even after a kill.

        Only a sync does this, and only to put lines in the order every PC
        has (see the sync package): each new file holds every line of the old.
        The new files are written aside, then a journal naming them is renamed
        into place (from then on they are the truth: readers read them, and
        the next writer finishes the job if this one is killed), then they
        are renamed over the old ones one by one.
        """
        if not contents:
            return
        stage = self.folder / STAGED
        for name in contents:
            target = self.folder / name
            if not _replaceable(name) or target.parent != self.folder:
                raise LedgerError(t("{p}: 不能替换此文件", "{p}: this file cannot be replaced", p=target))
            try:
                st = os.lstat(target)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
                raise LedgerError(t("{p}: 不是普通文件或有多个硬链接,拒绝写入",
                                    "{p}: not a regular file, or it has several hard links; refusing to write", p=target))
        try:
            _remove_stage(stage)
            stage.mkdir()
            for name, data in contents.items():
                _write_new(stage / name, data)
        except OSError as e:
            _remove_stage(stage)
            raise LedgerError(t("{p}: 写入失败({e}),文件保持原样", "{p}: write failed ({e}); the files are unchanged",
                                p=stage, e=e.strerror or e)) from None
        journal = self.folder / SYNC_JOURNAL
        try:
            write_aside(journal, json.dumps(sorted(contents), ensure_ascii=False).encode("utf-8"))
        except OSError as e:
            _remove_stage(stage)
            raise LedgerError(t("{p}: 写入失败({e}),文件保持原样", "{p}: write failed ({e}); the files are unchanged",
                                p=journal, e=e.strerror or e)) from None
        try:
            _finish_replace(self.folder)
        except OSError as e:
            raise LedgerError(t("{p}: 同步的文件未能全部就位({e});下一次写入时会完成",
                                "{p}: not every synced file could be moved into place ({e}); the next write finishes it",
                                p=self.folder, e=e.strerror or e)) from None


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            if n <= 0:
                raise OSError(28, "short write")
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stage(stage: Path) -> None:
    if not os.path.lexists(stage):
        return
    if stage.is_symlink() or not stage.is_dir():
        stage.unlink()
        return
    for p in stage.iterdir():
        p.unlink()
    stage.rmdir()


def _finish_replace(folder: Path) -> None:
    """Move a decided sync's files into place (the journal says which), then forget it."""
    journal = folder / SYNC_JOURNAL
    stage = folder / STAGED
    for name in _journal_names(journal):
        staged = stage / name
        if os.path.lexists(staged):
            os.replace(staged, folder / name)
    journal.unlink()
    try:
        _remove_stage(stage)
    except OSError:
        pass


def _recover(root: Path) -> None:
    # An import appends to several files; before it starts it writes their
    # sizes down, and it removes that note when every file is written. A note
    # found here (under the lock) is an import that was killed: the bytes it
    # appended were never a committed record, and readers already ignore them,
    # so they are taken back before anything else is appended.
    folder = progress_dir(root)
    try:
        names = os.listdir(folder)     # one listing, no glob patterns to compile: every write passes here
    except OSError:
        names = []
    for name in names:
        # a journal a killed import or sync never finished writing
        if name.endswith(".tmp") and (name.startswith(JOURNAL + ".") or name.startswith(SYNC_JOURNAL + ".")):
            try:
                (folder / name).unlink()
            except OSError:
                pass
    if SYNC_JOURNAL in names:
        # a sync that had decided was killed while moving its files into
        # place: the decision stands, so the move is finished
        try:
            _finish_replace(folder)
        except OSError as e:
            raise LedgerError(t("{p}: 无法完成一次中断的同步({e});请检查数据文件夹的权限后重试",
                                "{p}: cannot finish an interrupted sync ({e}); check the data folder's permissions and retry",
                                p=folder / SYNC_JOURNAL, e=e.strerror or e)) from None
    elif STAGED in names:
        try:  # a sync killed before it decided: its files were never the truth
            _remove_stage(folder / STAGED)
        except OSError:
            pass
    sizes = pending_import(root)
    if not sizes:
        return
    whole = True
    for name, size in sizes.items():
        path = folder / name
        if path.parent != folder or not name.endswith(".jsonl") or path.is_symlink():
            continue
        whole = _truncate(path, size if size >= 0 else None) and whole
    if not whole:
        raise LedgerError(t("{p}: 无法撤回一次中断的导入;请检查数据文件夹的权限后重试",
                            "{p}: cannot take back an interrupted import; check the data folder's permissions and retry",
                            p=folder / JOURNAL))
    (folder / JOURNAL).unlink()


def _truncate(path: Path, size: int | None) -> bool:
    """Take a file back to its size before a write (None: the write created it); False if that failed."""
    try:
        if size is None:  # the writer created it: it goes again
            path.unlink()
            return True
        fd = os.open(path, os.O_RDWR | _O_NOFOLLOW | _O_BINARY)
        try:
            if os.fstat(fd).st_size > size:
                os.ftruncate(fd, size)
                os.fsync(fd)
        finally:
            os.close(fd)
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


def append_bytes(path: Path, payload: bytes) -> int | None:
    """Append whole lines in one write and flush them; return the size before (None: file created).

    A failed write is taken back, so the file holds what it held before.
    """
    existed = os.path.lexists(path)
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | _O_NOFOLLOW | _O_BINARY
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as e:
        if os.path.islink(path):
            raise LedgerError(t("{p}: 进度文件是符号链接,拒绝写入", "{p}: the progress file is a symbolic link; refusing to write",
                                p=path)) from None
        raise LedgerError(t("{p}: 无法打开进度文件({e})", "{p}: cannot open the progress file ({e})",
                            p=path, e=e.strerror or e)) from None
    size = 0
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
            raise LedgerError(t("{p}: 不是普通文件或有多个硬链接,拒绝写入",
                                "{p}: not a regular file, or it has several hard links; refusing to write", p=path))
        size = st.st_size
        if size:
            # Never glue a new line onto a torn one: start on a fresh line.
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                payload = b"\n" + payload
        written = os.write(fd, payload)
        if written != len(payload):
            raise OSError(28, "short write")
        os.fsync(fd)
    except OSError as e:
        # Take back whatever part of this write reached the file, so the bytes
        # that were there before are all that remain.
        try:
            os.ftruncate(fd, size)
        except OSError:
            pass
        os.close(fd)
        if not existed:
            _truncate(path, None)
        raise LedgerError(t("{p}: 写入失败({e}),文件保持原样", "{p}: write failed ({e}); the file is unchanged",
                            p=path, e=e.strerror or e)) from None
    except BaseException:
        os.close(fd)
        if not existed:
            _truncate(path, None)
        raise
    os.close(fd)
    return size if existed else None


# --- checks on what users type ---------------------------------------------

def clean_text(value: str, what: str, *, limit: int = MAX_NOTE, allow_empty: bool = True) -> str:
    if _BAD_TEXT.search(value):
        raise UsageError(t("{w} 含有控制字符或无效编码的字符,请删去", "{w} contains control characters or invalid encoding; remove them",
                           w=what))
    value = value.strip()
    if not value and not allow_empty:
        raise UsageError(t("{w} 不能为空", "{w} must not be empty", w=what))
    if len(value) > limit:
        raise UsageError(t("{w} 过长({n} 字,上限 {m} 字)", "{w} is too long ({n} characters, at most {m})",
                           w=what, n=len(value), m=limit))
    return value


# --- evidence ---------------------------------------------------------------

MAX_EVIDENCE_FILE = 512 * 1024 * 1024
_EXT = _Lazy(r"\.[0-9A-Za-z]{1,8}$")
_PATHLIKE = _Lazy(r"[/\\]|\.(?:pdf|docx?|xlsx?|wps|et|ofd|jpe?g|png|tiff?|zip|rar|7z|txt|csv)$", re.I)


class EvidenceFile(NamedTuple):
    source: Path
    item: dict


def evidence_item(value: str, base: Path | None = None) -> dict | EvidenceFile:
    """A document number, a URL, or a file to be copied into the data folder."""
    text = clean_text(value, "--evidence", limit=MAX_EVIDENCE_TEXT, allow_empty=False)
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return {"kind": "url", "value": text}
    path = Path(text).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        exists = os.path.lexists(path)
    except (OSError, ValueError):
        exists = False
    if not exists:
        item = {"kind": "document", "value": text}
        if _PATHLIKE.search(text):
            item["unfound"] = True  # the output says it was kept as a reference only
        return item
    try:
        sha, size = file_digest(path)
    except OSError as e:
        raise UsageError(t("{p}: 无法读取证明材料({e})", "{p}: cannot read the evidence file ({e})",
                           p=path, e=e.strerror or e)) from None
    if not size:
        # an empty file proves nothing (and /proc files read as empty): a failed save, most likely
        raise UsageError(t("{p}: 证明材料文件是空的(0 字节),请检查后再记录", "{p}: the evidence file is empty (0 bytes); check it",
                           p=path))
    name = path.name[:255]
    return EvidenceFile(path, {"kind": "file", "value": name, "name": name, "size": size, "sha256": sha})


def file_digest(path: Path, limit: int = MAX_EVIDENCE_FILE, *, nofollow: bool = False) -> tuple[str, int]:
    """SHA-256 and size of a regular file, read a megabyte at a time, never past its size when opened."""
    import hashlib  # noqa: PLC0415 - only evidence needs it

    from .files import TooLarge, span_chunks  # noqa: PLC0415

    fd, st = open_regular(path, nofollow=nofollow)
    try:
        if st.st_size > limit:
            raise TooLarge(27, t("文件过大({n} 字节)", "file too large ({n} bytes)", n=st.st_size), str(path))
        digest = hashlib.sha256()
        size = 0
        for chunk in span_chunks(fd, st.st_size, block=1 << 20):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size
    finally:
        os.close(fd)


def evidence_dir(root: Path) -> Path:
    return root / "evidence"


def blob_path(root: Path, sha: str, name: str = "") -> Path:
    """Where a file's copy lives: evidence/<sha256><ext>, named by its content."""
    if not _SHA.fullmatch(sha):
        raise ValueError("bad digest")
    m = _EXT.search(name or "")
    return evidence_dir(root) / (sha + (m.group(0).lower() if m else ""))


def store_blob(root: Path, source: Path, sha: str, name: str) -> Path | None:
    """Copy a file into the evidence store, checking its digest; the new path, or None if already there."""
    import hashlib  # noqa: PLC0415

    target = blob_path(root, sha, name)
    folder = target.parent
    if folder.is_symlink():
        raise LedgerError(t("{p}: 是符号链接,拒绝写入", "{p}: is a symbolic link; refusing to write", p=folder))
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        raise LedgerError(t("{p}: 无法创建文件夹({e})", "{p}: cannot create the folder ({e})", p=folder, e=e.strerror or e)) from None
    if os.path.lexists(target):
        if verify_blob(target, sha) is None:
            return None
        raise LedgerError(t("{p}: 证明材料副本已损坏,请检查", "{p}: the stored copy of this evidence is damaged; check it",
                            p=target))
    tmp = folder / f".{new_id()}.tmp"
    try:
        src_fd, st = open_regular(source)
        try:
            out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o644)
            try:
                digest, left = hashlib.sha256(), st.st_size
                while left > 0:
                    chunk = os.read(src_fd, min(left, 1 << 20))
                    if not chunk:
                        break
                    digest.update(chunk)
                    os.write(out, chunk)
                    left -= len(chunk)
                os.fsync(out)
            finally:
                os.close(out)
        finally:
            os.close(src_fd)
        if digest.hexdigest() != sha:
            raise LedgerError(t("{p}: 文件在记录过程中被修改,请重试", "{p}: the file changed while it was being recorded; try again",
                                p=source))
        os.link(tmp, target)  # never replaces a file that is already there
    except OSError as e:
        raise LedgerError(t("{p}: 无法保存证明材料副本({e})", "{p}: cannot store a copy of the evidence ({e})",
                            p=target, e=e.strerror or e)) from None
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass
    return target


def verify_blob(path: Path, sha: str, *, follow: bool = False) -> str | None:
    """None when the stored copy is intact, else what is wrong with it.

    A stored copy is a regular file in an evidence folder, never a link to one
    elsewhere (``follow`` is for the path a record made before copies were kept).
    """
    try:
        got, _ = file_digest(path, nofollow=not follow)
    except FileNotFoundError:
        return t("证明材料副本不存在: {p}", "the stored copy of the evidence is missing: {p}", p=path)
    except OSError as e:
        return t("证明材料副本无法读取: {p}({e})", "the stored copy of the evidence cannot be read: {p} ({e})",
                 p=path, e=e.strerror or e)
    if got != sha:
        return t("证明材料副本已被修改: {p}", "the stored copy of the evidence has changed: {p}", p=path)
    return None


def verify_evidence(root: Path, event: Event) -> list[str]:
    """What is wrong with the stored copies of the files an event cites."""
    out = []
    for item in event.evidence:
        if not isinstance(item, dict) or item.get("kind") != "file":
            continue
        problem = verify_blob(blob_path(root, item["sha256"], item.get("name", "")), item["sha256"])
        if problem and "name" not in item:
            # recorded before copies were kept: the file where it was recorded
            problem = verify_blob(Path(item["value"]), item["sha256"], follow=True)
        if problem:
            out.append(problem)
    return out
