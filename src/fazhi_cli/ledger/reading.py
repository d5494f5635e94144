"""Reading the record: whole files or their appended bytes, a fast path for the usual line and the careful one."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Callable, Collection, Iterator

from ..errors import LedgerError
from ..files import open_regular, read_span
from ..i18n import t
from ..plan import STATES, Plan
from .checks import GOOD_DAYS, check_record, decode_line, evidence_ok, no_constants, real_day, role_pairs
from .journal import Arrival, pending_import, pending_sync, read_arrivals
from .layout import is_ledger_name, ledger_names, ledger_path, progress_dir
from .model import BAD_TEXT, DAY, ID, MAX_BY, MAX_LINE, MAX_NOTE, NO_ACT, STAMP, Event, Lazy, Ledger, Problem, tuple_new

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
        data, problem, st = read_file_checked(staged.get(path.name, path), caps.get(path.name))
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




def arrived(event: Event, ranges: list[Arrival], starts: list[int]) -> Event:
    """The event with the time it came to this folder by sync, when the arrivals name its line."""
    from bisect import bisect_right  # noqa: PLC0415 - only a folder that syncs needs it

    i = bisect_right(starts, event.line) - 1
    if i >= 0 and event.line <= ranges[i][1]:
        return event._replace(known_at=ranges[i][2])
    return event


def read_ledger_file(path: Path, cap: int | None, start: int = 0) -> tuple[bytes | None, Problem | None]:
    """A ledger's bytes (from ``start``, up to ``cap``: an unfinished import's lines are not read)."""
    data, problem, _ = read_file_checked(path, cap, start)
    return data, problem


def read_file_checked(path: Path, cap: int | None, start: int = 0) -> tuple[bytes | None, Problem | None,
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
    usual = usual_lines(data, numbered, plan, today, name, file_unit, first)
    for i, (number, raw) in enumerate(numbered):
        if usual is not None:
            event = usual[i]
            if event is not None:
                yield event, raw
                continue
        # each line read alone, as import and sync read it: never a batch of lines joined into one
        # document, where a record split over two lines joins up again
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
# with the surrogates costs milliseconds to compile; BAD_TEXT is checked apart).
_PLAIN = r'[^"\\\x00-\x1f]'
# A mark exactly as `encode` writes it (signed or not, and as an import appends it, with
# received_at): nearly every line of every file. Such a line is valid JSON
# whose strings are their own text, so its fields are read straight from the
# match. The evidence list is decoded on its own.
_LINE = Lazy(
    rf'[ \t\r]*\{{"id":"({ID})","type":"mark","plan":"({_PLAIN}*)","part":"({_PLAIN}*)","unit":"({_PLAIN}*)",'
    rf'"on":"({DAY})","note":"({_PLAIN}{{0,{MAX_NOTE}}})","evidence":(\[[^\]]*\]),"by":"({_PLAIN}{{0,{MAX_BY}}})",'
    rf'"recorded_at":"({STAMP})","cmd":"({ID})","state":"(todo|doing|done)"'
    r'(?:,"sig":\{"key":"[0-9a-f]{16}","ed25519":"[A-Za-z0-9+/]{85}[AQgw]=="\})?'
    rf'(?:,"received_at":"({STAMP})")?\}}'
    r'[ \t\r]*', re.ASCII)


_STATES = {s: s for s in STATES}


def usual_lines(data: bytes, numbered: list[tuple[int, bytes]], plan: Plan, today: str | None, file: str,
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
    # no DEL and no C1 control (UTF-8 \xc2\x80-\x9f) anywhere: then no note or name holds what BAD_TEXT
    # refuses (the pattern admits no C0 control and strict UTF-8 no surrogate). Two byte searches: a
    # character class over the text is a hundred times slower.
    clean = b"\x7f" not in data and b"\xc2" not in data
    match = _LINE.pattern().fullmatch
    key, units, roles, days = plan.key, plan.units, role_pairs(plan), GOOD_DAYS
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
                or len(raw) > MAX_LINE or (on not in days and not real_day(on))
                or (stamp[:10] not in days and not real_day(stamp[:10]))
                or (received is not None and received[:10] not in days and not real_day(received[:10]))
                or (not clean and BAD_TEXT.search(note + by))):
            out.append(None)
            continue
        if evidence == "[]":
            items: tuple = ()
        else:
            try:
                found = json.loads(evidence, parse_constant=no_constants)
            except (ValueError, RecursionError):
                out.append(None)
                continue
            if not found or not evidence_ok(found):
                out.append(None)
                continue
            items = tuple(found)
        out.append(tuple_new(Event, (eid, "mark", share(target, target), file_unit or share(unit, unit),
                                      _STATES[state], share(on, on), share(note, note), items, share(by, by), stamp,
                                      None, file, number, cmd, received or stamp, *NO_ACT)))
    return out


def unit_events(plan: Plan, root: Path, unit: str, start: int = 0) -> tuple[list[Event], int]:
    """The unit's own records of this plan in its file from byte ``start``, and the file's size read."""
    path = ledger_path(root, unit)
    if not os.path.lexists(path):
        return [], 0
    caps = pending_import(root)
    source = pending_sync(root).get(path.name, path)     # a sync's decided file, if one is pending
    data, problem = read_ledger_file(source, caps.get(path.name), start)
    if data is None:
        raise LedgerError(str(problem))
    events = [item[0] for item in parse_lines(path, data, plan, file_unit=unit) if not isinstance(item, Problem)]
    return events, start + len(data)


def unit_records(plan: Plan, root: Path, unit: str, needle: bytes | None = None) -> list[tuple[dict, Event]]:
    """The unit's good records of this plan, each with its decoded line (what a signature is checked over);
    ``needle``: only the lines that contain it (a file without it is not parsed at all)."""
    path = ledger_path(root, unit)
    if not os.path.lexists(path):
        return []
    caps = pending_import(root)
    source = pending_sync(root).get(path.name, path)
    data, problem = read_ledger_file(source, caps.get(path.name))
    if data is None:
        raise LedgerError(str(problem))
    out = []
    if needle is not None and needle not in data:
        return out
    for item in parse_lines(path, data, plan, file_unit=unit):
        if not isinstance(item, Problem) and (needle is None or needle in item[1]):
            out.append((decode_line(item[1]), item[0]))
    return out


def file_identity(root: Path, unit: str) -> tuple[int, int] | None:
    """The unit file's device and inode: a sync replaces a file whole, which changes them."""
    try:
        st = os.stat(ledger_path(root, unit))
    except OSError:
        return None
    return st.st_dev, st.st_ino


def open_unit_file(root: Path, name: str) -> tuple[int, os.stat_result]:
    """An open descriptor of the unit file ``name`` (a regular file, never through a link) and its stat."""
    if not is_ledger_name(name) or "/" in name or "\\" in name or name.startswith("."):
        raise OSError(f"not a unit file: {name!r}")
    return open_regular(progress_dir(root) / name, nofollow=True)


def parse_unit_bytes(root: Path, name: str, data: bytes, plan: Plan, *, today: str | None = None,
                     first: int = 1) -> Iterator[tuple[Event, bytes] | Problem]:
    """``parse_lines`` for bytes of the unit file ``name``, as read from this folder."""
    return parse_lines(progress_dir(root) / name, data, plan, today=today, file_unit=name[:-6], first=first)
