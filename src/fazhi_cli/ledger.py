"""Progress records: one append-only JSON Lines file per unit.

This is the only module that writes to disk. Each unit's file
``<data>/progress/<unit>.jsonl`` holds one event per line and is only ever
appended to, under a lock, one whole line per write, flushed to disk. Reading
never changes a file: a line that does not parse is reported with file:line
and skipped, never repaired or removed.
"""

import json
import os
import re
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from .dates import now
from .errors import LedgerError, LockTimeout, UsageError
from .i18n import t
from .plan import STATES, Plan

MAX_NOTE = 2000
MAX_EVIDENCE = 20
_ID = r"[0-9A-Za-z_-]{8,64}"
_DAY = r"\d{4}-\d{2}-\d{2}"
_STAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?\+08:00"
_SHAPE = re.compile(rf"{_ID} {_DAY} {_STAMP}")
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


class Event(NamedTuple):
    id: str
    type: str            # "mark" or "revoke"
    target: str          # a part id ("7.1") or a yearly duty id ("summary-2017")
    unit: str
    state: str | None    # None for a revoke
    on: str              # ISO date the work reached the state
    note: str
    evidence: tuple  # str or {kind, value[, size, sha256]} items
    by: str
    recorded_at: str     # ISO timestamp, +08:00
    revokes: str | None
    file: str = ""
    line: int = 0


_tuple_new = tuple.__new__


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


def ledger_path(root: Path, unit: str) -> Path:
    # Unit names come from the validated plan, which refuses separators and
    # dots at the start; this check keeps a path outside the folder
    # impossible even for a plan that slipped past it.
    folder = progress_dir(root)
    path = folder / f"{unit}.jsonl"
    if path.parent != folder or path.name.startswith(".") or "\x00" in unit:
        raise LedgerError(t("单位名称 {u!r} 不能用作文件名", "unit name {u!r} cannot be used as a file name", u=unit))
    return path


# --- reading ----------------------------------------------------------------

def read_ledger(root: Path, plan: Plan) -> Ledger:
    """Every valid event in the data folder, and a Problem for every bad line."""
    folder = progress_dir(root)
    events: list[Event] = []
    problems: list[Problem] = []
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix == ".jsonl")
    except FileNotFoundError:
        return Ledger(events, problems)
    except OSError as e:
        raise LedgerError(t("{p}: 无法读取数据文件夹({e})", "{p}: cannot read the data folder ({e})",
                            p=folder, e=e.strerror or e)) from None
    seen: set[str] = set()
    for path in files:
        if path.is_symlink():
            problems.append(Problem(str(path), 0, t("是符号链接,已忽略", "is a symbolic link; ignored")))
            continue
        for item in parse_lines(path, _read_bytes(path), plan):
            if isinstance(item, Problem):
                problems.append(item)
            elif item.id not in seen:  # the same event copied twice counts once
                seen.add(item.id)
                events.append(item)
    return Ledger(events, problems)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise LedgerError(t("{p}: 无法读取({e})", "{p}: cannot be read ({e})", p=path, e=e.strerror or e)) from None


def parse_lines(path: Path, data: bytes, plan: Plan) -> Iterator[Event | Problem]:
    name = str(path)
    numbered = [(n, raw) for n, raw in enumerate(data.split(b"\n"), 1) if raw.strip()]
    try:
        # One JSON document for the whole file is several times faster than a
        # parse per line; any bad line sends us down the careful path below.
        objs = json.loads(b"[" + b",".join(raw for _, raw in numbered) + b"]")
        if len(objs) != len(numbered):
            raise ValueError("a line held more than one value")
    except (ValueError, UnicodeDecodeError):
        objs = None
    for i, (number, raw) in enumerate(numbered):
        if objs is not None:
            obj = objs[i]
        else:
            try:
                obj = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                yield Problem(name, number, t("无法解析的记录(可能是写入中断留下的残行)",
                                              "unreadable record (perhaps a write that was cut off)"))
                continue
        try:
            yield event_from_json(obj, plan, name, number)
        except ValueError as e:
            yield Problem(name, number, str(e))


def event_from_json(obj: object, plan: Plan, file: str = "", line: int = 0) -> Event:
    """Validate one decoded line; ValueError says what is wrong with it."""
    if type(obj) is not dict:
        raise ValueError(t("记录应为 JSON 对象", "a record must be a JSON object"))
    get = obj.get
    eid, kind, target, unit = get("id"), get("type", "mark"), get("part"), get("unit")
    on, stamp, state, revokes = get("on"), get("recorded_at"), get("state"), get("revokes")
    note, by, evidence = get("note", ""), get("by", ""), get("evidence", [])
    # The usual, well-formed record passes with one regular expression over
    # its id, day and timestamp; anything else is examined field by field
    # below so that the message can say which field is wrong.
    if not (type(eid) is str and type(on) is str and type(stamp) is str
            and _SHAPE.fullmatch(f"{eid} {on} {stamp}")):
        if not isinstance(eid, str) or not re.fullmatch(_ID, eid):
            raise ValueError(t("记录编号无效", "invalid record id"))
        if not isinstance(on, str) or not re.fullmatch(_DAY, on):
            raise ValueError(t("日期无效: {d!r}", "invalid date: {d!r}", d=on))
        raise ValueError(t("记录时间无效: {d!r}", "invalid recorded_at: {d!r}", d=stamp))
    if unit not in plan.units:
        raise ValueError(t("方案中没有单位 {u!r}", "the plan has no unit {u!r}", u=unit))
    if target not in plan.parts and target not in plan.obligations:
        raise ValueError(t("方案中没有分项 {p!r}", "the plan has no part {p!r}", p=target))
    if kind == "mark":
        if state not in STATES:
            raise ValueError(t("未知状态 {s!r}(应为 todo、doing 或 done)", "unknown state {s!r} (todo, doing or done)",
                               s=state))
        revokes = None
    elif kind == "revoke":
        if type(revokes) is not str or not re.fullmatch(_ID, revokes):
            raise ValueError(t("撤销记录缺少被撤销的编号", "a revoke record lacks the id it revokes"))
        state = None
    else:
        raise ValueError(t("未知的记录类型 {k!r}", "unknown record type {k!r}", k=kind))
    if type(note) is not str or type(by) is not str or type(evidence) is not list:
        raise ValueError(t("note、by 或 evidence 字段类型错误", "note, by or evidence has the wrong type"))
    # tuple.__new__ skips the NamedTuple's Python-level constructor: this
    # runs once per record, 100,000 times for a large district.
    return _tuple_new(Event, (eid, kind, target, unit, state, on, note, tuple(evidence), by, stamp, revokes,
                              file, line))


# --- writing ----------------------------------------------------------------

def new_event(*, target: str, unit: str, state: str | None, on: str, note: str = "",
              evidence: list | None = None, by: str, revokes: str | None = None) -> dict:
    import uuid  # noqa: PLC0415 - only writers need it

    event = {
        "id": uuid.uuid4().hex,
        "type": "revoke" if revokes else "mark",
        "part": target,
        "unit": unit,
        "on": on,
        "note": note,
        "evidence": evidence or [],
        "by": by,
        "recorded_at": now().isoformat(timespec="microseconds"),
    }
    if revokes:
        event["revokes"] = revokes
    else:
        event["state"] = state
    return event


def lock_timeout() -> float:
    raw = os.environ.get("FAZHI_LOCK_TIMEOUT", "")
    try:
        return max(0.0, float(raw)) if raw else 10.0
    except ValueError:
        return 10.0


class UnitLedger:
    """A unit's file, locked for reading-then-appending (``with`` block)."""

    def __init__(self, root: Path, unit: str, timeout: float | None = None) -> None:
        self.root, self.unit = root, unit
        self.path = ledger_path(root, unit)
        self.timeout = lock_timeout() if timeout is None else timeout
        self._lock = None

    def __enter__(self) -> "UnitLedger":
        from filelock import FileLock, Timeout  # noqa: PLC0415

        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise LedgerError(t("{p}: 无法创建数据文件夹({e})", "{p}: cannot create the data folder ({e})",
                                p=folder, e=e.strerror or e)) from None
        if self.path.is_symlink():
            raise LedgerError(t("{p}: 进度文件是符号链接,拒绝写入", "{p}: the progress file is a symbolic link; refusing to write",
                                p=self.path))
        self._lock = FileLock(str(self.path) + ".lock", timeout=self.timeout)
        try:
            self._lock.acquire()
        except Timeout:
            raise LockTimeout(t("{p}: 文件被其他程序锁定,等待 {s:g} 秒后放弃;请稍后再试",
                                "{p}: locked by another process; gave up after {s:g} s, try again later",
                                p=self.path, s=self.timeout)) from None
        except OSError as e:
            raise LedgerError(t("{p}: 无法加锁({e})", "{p}: cannot be locked ({e})",
                                p=self.path, e=e.strerror or e)) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            self._lock.release()

    def events(self, plan: Plan) -> list[Event]:
        if not self.path.exists():
            return []
        return [e for e in parse_lines(self.path, _read_bytes(self.path), plan) if isinstance(e, Event)]

    def ids(self) -> set[str]:
        if not self.path.exists():
            return set()
        out = set()
        for raw in _read_bytes(self.path).split(b"\n"):
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                out.add(obj["id"])
        return out

    def append(self, events: Iterable[dict]) -> None:
        """Append whole lines in one write and flush them to disk."""
        payload = b"".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                           for e in events)
        if payload:
            append_bytes(self.path, payload)


def append_bytes(path: Path, payload: bytes) -> None:
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | _O_NOFOLLOW | _O_BINARY
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as e:
        raise LedgerError(t("{p}: 无法打开进度文件({e})", "{p}: cannot open the progress file ({e})",
                            p=path, e=e.strerror or e)) from None
    size = 0
    try:
        size = os.fstat(fd).st_size
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
        raise LedgerError(t("{p}: 写入失败({e}),文件保持原样", "{p}: write failed ({e}); the file is unchanged",
                            p=path, e=e.strerror or e)) from None
    finally:
        os.close(fd)


# --- checks on what users type ---------------------------------------------

def clean_text(value: str, what: str, *, limit: int = MAX_NOTE, allow_empty: bool = True) -> str:
    if re.search(_CONTROL, value):
        raise UsageError(t("{w} 含有控制字符,请删去", "{w} contains control characters; remove them", w=what))
    value = value.strip()
    if not value and not allow_empty:
        raise UsageError(t("{w} 不能为空", "{w} must not be empty", w=what))
    if len(value) > limit:
        raise UsageError(t("{w} 过长({n} 字,上限 {m} 字)", "{w} is too long ({n} characters, at most {m})",
                           w=what, n=len(value), m=limit))
    return value


def evidence_item(value: str, base: Path | None = None) -> dict:
    """A document number, a URL, or a file (recorded with its size and SHA-256)."""
    text = clean_text(value, "--evidence", limit=500, allow_empty=False)
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return {"kind": "url", "value": text}
    path = Path(text).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        is_file = path.is_file()
    except (OSError, ValueError):
        is_file = False
    if is_file:
        try:
            digest = _sha256(path)
            size = path.stat().st_size
        except OSError as e:
            raise UsageError(t("{p}: 无法读取证明材料({e})", "{p}: cannot read the evidence file ({e})",
                               p=path, e=e.strerror or e)) from None
        return {"kind": "file", "value": str(path.resolve()), "size": size, "sha256": digest}
    return {"kind": "document", "value": text}


def verify_evidence(event: Event) -> list[str]:
    """What changed in the files an event cites since it was recorded."""
    out = []
    for item in event.evidence:
        if not isinstance(item, dict) or item.get("kind") != "file":
            continue
        path = Path(str(item.get("value", "")))
        if not path.is_file():
            out.append(t("证明材料已不存在: {p}", "evidence file is gone: {p}", p=path))
            continue
        try:
            changed = _sha256(path) != item.get("sha256")
        except OSError as e:
            out.append(t("证明材料无法读取: {p}({e})", "evidence file cannot be read: {p} ({e})",
                         p=path, e=e.strerror or e))
            continue
        if changed:
            out.append(t("证明材料已被修改: {p}", "evidence file has changed: {p}", p=path))
    return out


def _sha256(path: Path) -> str:
    """The file's SHA-256, read a megabyte at a time (evidence may be a large scan)."""
    import hashlib  # noqa: PLC0415 - only evidence needs it, and its import is slow

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
