"""The state snapshot: the replayed record kept between runs, only ever a shortcut.

`status` and `due` need each (part or duty, unit) pair's standing and the
supervising office's extensions, waivers and closing: the replay of every
record in the data folder. A snapshot keeps that replayed state in the cache
folder, beside the plan cache, with what it takes to go on from it: for each
ledger file read, how far it was read and how to recognise it; for each pair,
the records in force and the few facts the replay rules look at next. The next
run reads only what was appended since and folds it in, so the cost of a view
follows the plan's size, not the record's length.

A snapshot is used only when it can say exactly what a full replay would say;
any doubt is a miss, and a miss only means the whole record is read again
(and a new snapshot made). It is a miss when:

* a ledger file it read is gone, shrunk, is another file (device and inode),
  has more than one link, or no longer starts and ends its read part with the
  same bytes (the whole of a small file, sampled blocks of a large one, read
  again whenever its size or times changed or its change is too recent to tell);
* an appended line is not a plain mark, attachment, review or supervision act
  that falls after everything the pair or the acts already hold: a revoke
  (undo), an import (``received_at``), a mark back-dated before the pair's
  latest, a repeated id, an unreadable line, a line that does not end;
* the progress folder, the plan's bytes, the arrivals of a sync, or an
  unfinished import or sync differ from when it was made; the day is earlier
  than the day it was made; ``--as-of`` is earlier than the newest record;
  ``--known-at`` is given (the snapshot holds only the present);
* the entry is not exactly the shape it should be: every record in it is
  checked again by ``ledger.check_record``'s rules, every other field by type,
  range and reference to the plan.

The rules follow the plan cache: entries are JSON lines named by a digest of
what they stand for, and hold it again; they are read only as regular files of
bounded size from a folder only this user can write, and written whole under an
unpredictable name, then renamed. FAZHI_NO_SNAPSHOT=1 (or FAZHI_NO_CACHE=1)
turns snapshots off; `fazhi check`, `log` and the reports always read everything.
"""

from __future__ import annotations

import json
import os
import stat
import time
import zlib
from array import array
from base64 import b64decode, b64encode
from datetime import date
from pathlib import Path
from typing import Any, Collection, NamedTuple

from . import ledger, plancache
from .files import open_regular, read_regular, read_span
from .ledger import Event, Problem
from .plan import STATES, Plan
from .progress.replay import Acts, Pair, order, replay_all, with_reviews

FORMAT = "fazhi-state-1"
MAX_ENTRY_BYTES = 256 * 1024 * 1024
WHOLE = 96 * 1024          # a file read up to this size is compared whole
EDGE = 16 * 1024           # a larger one by its first and last 16 KiB ...
BLOCKS, BLOCK = 16, 4096   # ... and 16 blocks of 4 KiB spread between
RACY_NS = 3_000_000_000    # a file changed this close to the snapshot is compared, whatever its times say
MAX_FOLD = 2000            # more appended records than this are read the whole way: a rebuild is as quick
REVIEWS = (None, "pending", "accepted", "returned")
_ACTS = ("extend", "waive", "close", "reopen", "remind")


class Standing(NamedTuple):
    """What `status` and `due` need of the record."""

    pairs: dict[tuple[str, str], Pair]
    acts: Acts
    last: dict[str, str]          # each unit's newest recorded_at (the sync lines of `status`)
    problems: list[Problem]
    how: str = "read"             # "read" (every file), "snapshot" (as kept) or "folded" (with appended lines)


class _Miss(Exception):
    """The snapshot cannot stand for the record; read it all."""


def standing(root: Path, plan: Plan, *, today: str, as_of: date, known_at: str | None = None,
             units: Collection[str] | None = None) -> Standing:
    """The pairs and acts of this plan's record as of a day, by the snapshot when it can say exactly that."""
    place = _place(root, plan, units) if known_at is None else None
    if place is not None:
        try:
            return place.load(today, as_of)
        except _Miss:
            pass
    return _full(root, plan, today=today, as_of=as_of, known_at=known_at, units=units, place=place)


def last_recorded(events: Collection[Event]) -> dict[str, str]:
    last: dict[str, str] = {}
    for e in events:
        if e.recorded_at > last.get(e.unit, ""):
            last[e.unit] = e.recorded_at
    return last


def _full(root: Path, plan: Plan, *, today: str, as_of: date, known_at: str | None,
          units: Collection[str] | None, place: "_Place | None") -> Standing:
    files: dict[str, tuple] = {}

    def seen(name: str, st: os.stat_result, data: bytes) -> None:
        files[name] = (st, len(data), data.count(b"\n"), _sample_bytes(data), plancache.digest(data),
                       not data or data.endswith(b"\n"))

    before = place.arrivals() if place is not None else None
    read = ledger.read_ledger(root, plan, today=today, units=units, on_file=seen if place is not None else None)
    pairs, acts = replay_all(read.events, as_of, known_at)
    out = Standing(pairs, acts, last_recorded(read.events), read.problems)
    if (place is not None and not read.problems and all(f[5] for f in files.values()) and place.quiet()
            and place.arrivals() == before):
        state = _State.build(read.events, pairs, acts, out.last, as_of)
        if state is not None:
            raws = place.lines_of(state.needed(), files)
            if raws is not None:
                place.save(state, {n: f[:4] for n, f in files.items()}, raws, today, before)
    return out


# --- where an entry lives, and whether the folder is as it was ----------------------------------------------

class _Place:
    def __init__(self, root: Path, plan: Plan, units: Collection[str] | None, cache: Path, folder: Path,
                 folder_id: list[int]) -> None:
        self.root, self.plan, self.units, self.cache, self.folder = root, plan, units, cache, folder
        self.folder_id = folder_id
        self.who = sorted(units) if units is not None else None
        material = json.dumps([FORMAT, os.path.realpath(folder), folder_id, plan.digest, self.who],
                              ensure_ascii=False).encode("utf-8")
        self.key = plancache.digest(material)
        self.name = f"state-{self.key[:40]}.jsonl"

    def quiet(self) -> bool:
        """No import or sync left unfinished: their files would change what a read sees."""
        return not (os.path.lexists(self.folder / ledger.JOURNAL) or os.path.lexists(self.folder / ledger.SYNC_JOURNAL))

    def arrivals(self) -> str | None:
        """A digest of the sync arrivals file (the times records came by sync), None without one."""
        path = self.folder / ledger.ARRIVALS
        if not os.path.lexists(path):
            return None
        try:
            return plancache.digest(read_regular(path, ledger.MAX_ARRIVALS, nofollow=True))
        except (OSError, ValueError):
            return "unreadable"

    def listing(self) -> list[str]:
        """The ledger files a full read would read, by name (as ``read_ledger`` chooses them)."""
        units = self.units
        return sorted(n for n in os.listdir(self.folder)
                      if _ledger_name(n) and (units is None or n[:-6] in units))

    def lines_of(self, needed: set[tuple[str, int]], files: dict[str, tuple]) -> dict | None:
        """The raw lines at these (file, line) places, read again from the bytes the full read saw
        (None when a file is no longer those bytes)."""
        out = {}
        wanted: dict[str, set[int]] = {}
        for name, line in needed:
            wanted.setdefault(name, set()).add(line)
        for name, lines in wanted.items():
            info = files.get(name)
            if info is None:
                return None
            try:
                fd, _ = open_regular(self.folder / name, nofollow=True)
                try:
                    data = read_span(fd, info[1])
                finally:
                    os.close(fd)
            except OSError:
                return None
            if len(data) != info[1] or plancache.digest(data) != info[4]:
                return None
            for number, raw in enumerate(data.split(b"\n"), 1):
                if number in lines:
                    out[(name, number)] = raw
        return out if len(out) == len(needed) else None

    # --- reading ------------------------------------------------------------------------------------------

    def load(self, today: str, as_of: date) -> Standing:
        try:
            raw = read_regular(self.cache / self.name, MAX_ENTRY_BYTES, nofollow=True)
        except (OSError, ValueError):
            raise _Miss from None
        head, _, tail = raw.partition(b"\n")
        try:
            meta = json.loads(head, parse_constant=_refuse)
        except (ValueError, RecursionError):
            raise _Miss from None
        if (type(meta) is not dict or meta.get("format") != FORMAT or meta.get("key") != self.key
                or type(meta.get("today")) is not str or meta["today"] > today or not ledger._real_day(meta["today"])
                or type(meta.get("built_ns")) is not int or not self.quiet()
                or meta.get("arrivals") != self.arrivals()):
            raise _Miss
        state = _State.load(meta, tail, self, today)
        if as_of.isoformat() < state.max_on:
            raise _Miss
        try:
            names = self.listing()
        except OSError:
            raise _Miss from None
        known = meta["files"]
        if type(known) is not dict or not set(known) <= set(names):
            raise _Miss
        changed, grown = {}, []
        for name in names:
            got = self._check_file(name, known.get(name), meta["built_ns"])
            if got is not None:
                changed[name] = got[0]
                if got[1]:
                    grown.append((name, got[1], got[2]))
        if grown:
            state.fold(self, grown, today)
            if as_of.isoformat() < state.max_on:
                raise _Miss
        out = state.standing()._replace(how="folded" if grown else "snapshot")
        if changed:
            files: dict[str, Any] = dict(known)
            files.update(changed)
            self.save(state, files, None, today, meta["arrivals"])
        return out

    def _check_file(self, name: str, row: Any, built_ns: int) -> tuple | None:
        """None when the file is as the snapshot read it; else (its new row, appended bytes, first line number)."""
        if row is None:
            old_size, lines = 0, 0
        else:
            if (type(row) is not list or len(row) != 7 or not all(type(x) is int for x in row[:6])
                    or type(row[6]) is not str):
                raise _Miss
            dev, ino, old_size, mtime, ctime, lines, sample = row
        try:
            fd, st = open_regular(self.folder / name, nofollow=True)
        except OSError:
            raise _Miss from None
        try:
            if st.st_nlink != 1 or st.st_size < old_size:
                raise _Miss
            if row is not None:
                if (st.st_dev, st.st_ino) != (dev, ino):
                    raise _Miss
                if (st.st_size == old_size and st.st_mtime_ns == mtime and st.st_ctime_ns == ctime
                        and st.st_mtime_ns < built_ns - RACY_NS):
                    return None
                if _sample_fd(fd, old_size) != sample:
                    raise _Miss
            new = read_span(fd, st.st_size, old_size) if st.st_size > old_size else b""
            if len(new) != st.st_size - old_size or (new and not new.endswith(b"\n")):
                raise _Miss
            return (st, st.st_size, lines + new.count(b"\n"), _sample_fd(fd, st.st_size)), new, lines + 1
        except OSError:
            raise _Miss from None
        finally:
            os.close(fd)

    # --- writing ------------------------------------------------------------------------------------------

    def save(self, state: "_State", files: dict[str, tuple], raws: dict | None, today: str,
             arrivals: str | None) -> None:
        try:
            self.cache.mkdir(mode=0o700, parents=True, exist_ok=True)
        except (OSError, ValueError):
            return
        if not plancache._private(self.cache):
            return
        rows = {n: (list(v) if type(v) is list else _file_row(v)) for n, v in files.items()}
        head, tail = state.dump(raws)
        head.update(format=FORMAT, key=self.key, today=today, built_ns=time.time_ns(), arrivals=arrivals, files=rows)
        try:
            body = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + tail
        except (ValueError, UnicodeEncodeError):
            return
        if len(body) <= MAX_ENTRY_BYTES:
            plancache.write_entry(self.cache, self.name, body)


def _place(root: Path, plan: Plan, units: Collection[str] | None) -> _Place | None:
    if not plan.digest or os.environ.get("FAZHI_NO_SNAPSHOT"):
        return None
    cache = plancache.folder()
    if cache is None:
        return None
    folder = ledger.progress_dir(root)
    try:
        st = os.lstat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return _Place(root, plan, units, cache, folder, [st.st_dev, st.st_ino])


def _file_row(v: tuple) -> list:
    st, size, lines, sample = v
    return [st.st_dev, st.st_ino, size, st.st_mtime_ns, st.st_ctime_ns, lines, sample]


def _ledger_name(name: str) -> bool:
    return Path(name).suffix == ".jsonl"


def _refuse(_name: str) -> None:
    raise ValueError("not JSON")


# --- recognising a file's bytes -----------------------------------------------------------------------------

def _spans(size: int) -> list[tuple[int, int]]:
    if size <= WHOLE:
        return [(0, size)]
    step = (size - 2 * EDGE) // (BLOCKS + 1)
    return [(0, EDGE), *((EDGE + step * (i + 1), BLOCK) for i in range(BLOCKS)), (size - EDGE, EDGE)]


def _sample_bytes(data: bytes) -> str:
    return plancache.digest(b"".join(data[a:a + n] for a, n in _spans(len(data))))


def _sample_fd(fd: int, size: int) -> str:
    parts = []
    for a, n in _spans(size):
        os.lseek(fd, a, os.SEEK_SET)
        got = os.read(fd, n)
        if len(got) != n:
            raise _Miss
        parts.append(got)
    return plancache.digest(b"".join(parts))


def _crc(eid: str) -> int:
    return zlib.crc32(eid.encode("ascii"))


# --- the state ------------------------------------------------------------------------------------------------

class _Group:
    """One (target, unit) pair as the replay rules need it to go on."""

    __slots__ = ("event", "all_last", "state", "since", "review", "note", "review_on", "evidence", "last_rec",
                 "fresh", "reviewed", "ordered", "foreign")

    def __init__(self) -> None:
        self.event: Event | None = None        # the mark in force
        self.all_last: Event | None = None     # the last of all marks in date order (in force after a return)
        self.state: str | None = None
        self.since = self.review = self.note = self.review_on = None
        self.note = ""
        self.evidence: tuple = ()
        self.last_rec = ""                     # the newest recorded_at of its marks and reviews
        self.fresh = False                     # a mark was recorded after the last return
        self.reviewed = False                  # the office has reviewed it (replay takes recording order then)
        self.ordered = True                    # its marks were recorded in date order
        self.foreign = False                   # a review brought evidence (its order is by file, not time)

    def pair(self) -> Pair | None:
        if self.event is None:
            return None
        return Pair(self.state, self.since, self.event, self.evidence, self.review, self.note, self.review_on)


class _State:
    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], _Group] = {}
        self.extensions: dict = {}
        self.waivers: dict = {}
        self.closed: str | None = None
        self.acts_key: tuple | None = None
        self.max_on = ""
        self.last: dict[str, str] = {}
        self.revoked: set = set()
        self.ids: array = array("I")
        self.raws: dict[tuple[str, int], bytes] = {}    # the lines of the events kept, by (file, line)

    def kept(self) -> dict[tuple[str, int], Event]:
        """The events an entry keeps: each pair's mark in force and last mark, the standing extensions
        and waivers."""
        events: dict[tuple[str, int], Event] = {}
        for g in self.groups.values():
            for e in (g.event, g.all_last):
                if e is not None:
                    events[(_name(e), e.line)] = e
        for e in (*self.extensions.values(), *self.waivers.values()):
            events[(_name(e), e.line)] = e
        return events

    def needed(self) -> set[tuple[str, int]]:
        return set(self.kept())

    def standing(self) -> Standing:
        pairs = {}
        for key, g in self.groups.items():
            p = g.pair()
            if p is not None:
                pairs[key] = p
        return Standing(pairs, Acts(dict(self.extensions), dict(self.waivers), self.closed), dict(self.last), [])

    # --- from a full read -----------------------------------------------------------------------------------

    @classmethod
    def build(cls, events: list[Event], pairs: dict, acts: Acts, last: dict, as_of: date) -> "_State | None":
        self = cls()
        self.max_on = max((e.on for e in events), default="")
        if self.max_on > as_of.isoformat():
            return None      # the replay left later records out: it is not the present state
        self.revoked = {(e.unit, e.revokes) for e in events if e.revokes}
        members: dict[tuple[str, str], list[Event]] = {}
        act_keys = []
        for e in events:
            if e.type == "revoke" or (e.unit, e.id) in self.revoked:
                continue
            if e.type == "review":
                members.setdefault((e.target, e.subject), []).append(e)
            elif e.subject is not None or e.type in _ACTS:
                if e.type != "remind":
                    act_keys.append(order(e))
            else:
                members.setdefault((e.target, e.unit), []).append(e)
        for key, group in members.items():
            g = _Group()
            marks = [e for e in group if e.type == "mark"]
            reviews = [e for e in group if e.type == "review"]
            pair = pairs.get(key)
            if pair is not None:
                g.event, g.state, g.since, g.evidence = pair.event, pair.state, pair.since, pair.evidence
                g.review, g.note, g.review_on = pair.review, pair.review_note, pair.review_on
                g.all_last = sorted(marks, key=order)[-1]
                g.fresh = with_reviews(marks, reviews, pair.evidence)[1] if reviews else True
            else:
                g.evidence = _union((), [x for e in group for x in e.evidence])
            g.last_rec = max((e.recorded_at for e in marks + reviews), default="")
            g.reviewed = bool(reviews)
            by_time = sorted(marks, key=lambda e: e.recorded_at)
            g.ordered = all(order(a) < order(b) and a.recorded_at < b.recorded_at for a, b in zip(by_time, by_time[1:]))
            g.foreign = any(r.evidence for r in reviews)
            self.groups[key] = g
        self.extensions, self.waivers, self.closed = dict(acts.extensions), dict(acts.waivers), acts.closed
        self.acts_key = max(act_keys, default=None)
        self.last = dict(last)
        self.ids = array("I", sorted({_crc(e.id) for e in events}))
        return self

    # --- to and from an entry ---------------------------------------------------------------------------------

    def dump(self, raws: dict | None) -> tuple[dict, bytes]:
        """The header fields and the record lines of an entry. ``raws``: the lines of a full read; without
        them, the lines this state was loaded or folded from."""
        events = self.kept()
        places = sorted(events)
        index = {p: i for i, p in enumerate(places)}
        lines = [(raws or self.raws)[p] for p in places]

        def at(e: Event | None) -> int | None:
            return None if e is None else index[(_name(e), e.line)]

        pairs = [[t, u, at(g.event), at(g.all_last), g.state, g.since, g.review, g.note, g.review_on,
                  list(g.evidence), g.last_rec, g.fresh, g.reviewed, g.ordered, g.foreign]
                 for (t, u), g in self.groups.items()]
        acts = {"extensions": [[t, s, at(e)] for (t, s), e in self.extensions.items()],
                "waivers": [[t, s, at(e)] for (t, s), e in self.waivers.items()],
                "closed": self.closed, "key": list(self.acts_key) if self.acts_key else None}
        ids = self.ids
        if ids.itemsize != 4:  # pragma: no cover - every platform fazhi runs on has a 4-byte C int
            raise ValueError
        head = {"events": [[n, line, events[(n, line)].known_at] for n, line in places], "pairs": pairs,
                "acts": acts, "max_on": self.max_on, "last": self.last, "revoked": sorted(self.revoked),
                "ids": b64encode(_little(ids).tobytes()).decode("ascii")}
        return head, b"".join(line + b"\n" for line in lines)

    @classmethod
    def load(cls, meta: dict, tail: bytes, place: _Place, today: str) -> "_State":
        plan = place.plan
        rows, pairs, acts = meta.get("events"), meta.get("pairs"), meta.get("acts")
        if type(rows) is not list or type(pairs) is not list or type(acts) is not dict:
            raise _Miss
        lines = tail.split(b"\n")
        if len(lines) != len(rows) + 1 or lines[-1] != b"":
            raise _Miss
        events: list[Event] = []
        raws: dict[tuple[str, int], bytes] = {}
        start = 0
        while start < len(rows):
            row = rows[start]
            if type(row) is not list or len(row) != 3 or type(row[0]) is not str:
                raise _Miss
            name = row[0]
            end = start
            while end < len(rows) and type(rows[end]) is list and rows[end][:1] == [name]:
                end += 1
            if type(meta.get("files")) is not dict or name not in meta["files"] or not _ledger_name(name):
                raise _Miss
            chunk = lines[start:end]
            got = list(ledger.parse_lines(place.folder / name, b"\n".join(chunk), plan, today=today,
                                          file_unit=name[:-6]))
            if len(got) != end - start:
                raise _Miss
            for (event_raw, row2, raw) in zip(got, rows[start:end], chunk):
                if isinstance(event_raw, Problem) or len(row2) != 3:
                    raise _Miss
                event, _ = event_raw
                line, known = row2[1], row2[2]
                if (type(line) is not int or line < 1 or type(known) is not str
                        or not ledger._STAMP_RE.fullmatch(known) or (name, line) in raws):
                    raise _Miss
                events.append(event._replace(line=line, known_at=known))
                raws[(name, line)] = raw
            start = end

        def ev(i: Any, kind: str) -> Event | None:
            if i is None:
                return None
            if type(i) is not int or not 0 <= i < len(events) or events[i].type != kind:
                raise _Miss
            return events[i]

        self = cls()
        self.raws = raws
        roles = ledger._roles(plan)
        for row in pairs:
            if type(row) is not list or len(row) != 15:
                raise _Miss
            (target, unit, e, last, state, since, review, note, review_on, evidence, last_rec, fresh, reviewed,
             ordered, foreign) = row
            g = _Group()
            g.event, g.all_last = ev(e, "mark"), ev(last, "mark")
            if ((target, unit) not in roles or (target, unit) in self.groups or (g.event is None) != (state is None)
                    or (g.all_last is None) != (g.event is None)
                    or any(x is not None and (x.target, x.unit) != (target, unit) for x in (g.event, g.all_last))
                    or (state is not None and (state not in STATES or not _day(since)))
                    or review not in REVIEWS or not ledger._text_ok(note, ledger.MAX_NOTE)
                    or (review_on is not None and not _day(review_on))
                    or type(evidence) is not list or not _evidence(evidence)
                    or type(last_rec) is not str or (last_rec and not ledger._STAMP_RE.fullmatch(last_rec))
                    or not all(type(x) is bool for x in (fresh, reviewed, ordered, foreign))):
                raise _Miss
            g.state, g.since, g.review, g.note, g.review_on = state, since, review, note, review_on
            g.evidence = tuple(evidence)
            g.last_rec, g.fresh, g.reviewed, g.ordered, g.foreign = last_rec, fresh, reviewed, ordered, foreign
            self.groups[(target, unit)] = g
        for field, kind, into in (("extensions", "extend", self.extensions), ("waivers", "waive", self.waivers)):
            found = acts.get(field)
            if type(found) is not list:
                raise _Miss
            for row in found:
                if type(row) is not list or len(row) != 3:
                    raise _Miss
                e = ev(row[2], kind)
                if e is None or (e.target, e.subject) != (row[0], row[1]) or (row[0], row[1]) in into:
                    raise _Miss
                into[(row[0], row[1])] = e
        closed, key = acts.get("closed"), acts.get("key")
        if (closed is not None and not _day(closed)) or not (
                key is None or (type(key) is list and len(key) == 2 and _day(key[0])
                                and type(key[1]) is str and ledger._STAMP_RE.fullmatch(key[1]))):
            raise _Miss
        self.closed, self.acts_key = closed, tuple(key) if key else None
        max_on, last, revoked, ids = meta.get("max_on"), meta.get("last"), meta.get("revoked"), meta.get("ids")
        if (not (max_on == "" or _day(max_on)) or type(last) is not dict
                or not all(u in plan.units and type(s) is str and ledger._STAMP_RE.fullmatch(s) for u, s in last.items())
                or type(revoked) is not list or type(ids) is not str):
            raise _Miss
        if not all(type(r) is list and len(r) == 2 and type(r[0]) is str and type(r[1]) is str for r in revoked):
            raise _Miss
        self.max_on, self.last, self.revoked = max_on, last, {(u, i) for u, i in revoked}
        try:
            packed = b64decode(ids, validate=True)
        except ValueError:
            raise _Miss from None
        if len(packed) % 4:
            raise _Miss
        self.ids = array("I")
        if self.ids.itemsize != 4:  # pragma: no cover
            raise _Miss
        self.ids.frombytes(packed)
        self.ids = _little(self.ids)
        return self

    # --- going on from it ---------------------------------------------------------------------------------------

    def fold(self, place: _Place, grown: list[tuple[str, bytes, int]], today: str) -> None:
        """Take in the lines appended to these files, as a full replay would; _Miss when it cannot be sure."""
        plan = place.plan
        fresh_ids: set[str] = set()
        arrivals = ledger.read_arrivals(place.root) if place.arrivals() is not None else {}
        count = 0
        for name, data, first in grown:
            ranges = arrivals.get(name)
            starts = [r[0] for r in ranges] if ranges else None
            for item in ledger.parse_lines(place.folder / name, data, plan, today=today, file_unit=name[:-6],
                                           first=first):
                if isinstance(item, Problem):
                    raise _Miss
                e, raw = item
                count += 1
                if count > MAX_FOLD or e.known_at != e.recorded_at or e.id in fresh_ids or _crc(e.id) in self.ids:
                    raise _Miss
                if e.type == "revoke" or (e.unit, e.id) in self.revoked:
                    raise _Miss
                if starts:
                    e = ledger.arrived(e, ranges, starts)
                fresh_ids.add(e.id)
                self._take(e)
                self.raws[(name, e.line)] = raw
                if e.recorded_at > self.last.get(e.unit, ""):
                    self.last[e.unit] = e.recorded_at
                if e.on > self.max_on:
                    self.max_on = e.on
        self.ids = array("I", sorted({*self.ids, *map(_crc, fresh_ids)}))

    def _take(self, e: Event) -> None:
        kind = e.type
        if kind == "review":
            self._review(e)
        elif e.subject is not None or kind in _ACTS:
            if kind == "remind":
                return
            if self.acts_key is not None and not order(e) > self.acts_key:
                raise _Miss
            self.acts_key = order(e)
            if kind == "extend":
                self.extensions[(e.target, e.subject)] = e
            elif kind == "waive":
                self.waivers[(e.target, e.subject)] = e
            else:
                self.closed = e.on if kind == "close" else None
        elif kind == "attach":
            g = self.groups.setdefault((e.target, e.unit), _Group())
            self._evidence(g, e)
        else:
            self._mark(e)

    def _evidence(self, g: _Group, e: Event) -> None:
        if e.evidence:
            if g.foreign:
                raise _Miss
            g.evidence = _union(g.evidence, e.evidence)

    def _mark(self, e: Event) -> None:
        g = self.groups.setdefault((e.target, e.unit), _Group())
        if g.last_rec and not e.recorded_at > g.last_rec:
            raise _Miss
        key = order(e)
        if g.fresh and g.event is not None and not key > order(g.event):
            raise _Miss
        if g.all_last is None or key > order(g.all_last):
            g.all_last = e
        elif key == order(g.all_last):
            raise _Miss
        self._evidence(g, e)
        if g.state is None or e.state != g.state:
            g.state, g.since, g.note, g.review_on = e.state, e.on, "", None
            g.review = "pending" if e.state == "done" else None
        g.event, g.fresh, g.last_rec = e, True, e.recorded_at

    def _review(self, e: Event) -> None:
        g = self.groups.setdefault((e.target, e.subject), _Group())
        if e.evidence or (g.last_rec and not e.recorded_at > g.last_rec) or (
                g.event is not None and not g.reviewed and not g.ordered):
            raise _Miss
        if g.state == "done":
            if e.verdict == "accept":
                g.review, g.note, g.review_on = "accepted", e.note, e.on
            else:
                g.state, g.since, g.fresh, g.event = "doing", e.on, False, g.all_last
                g.review, g.note, g.review_on = "returned", e.note, e.on
        g.reviewed, g.last_rec = True, e.recorded_at


def _name(e: Event) -> str:
    return os.path.basename(e.file)


def _day(value: Any) -> bool:
    return type(value) is str and len(value) == 10 and bool(ledger._STAMP_RE.fullmatch(value + "T00:00:00+08:00")) \
        and ledger._real_day(value)


def _evidence(items: list) -> bool:
    return all(ledger._evidence_ok(items[i:i + ledger.MAX_EVIDENCE]) for i in range(0, len(items), ledger.MAX_EVIDENCE))


def _union(have: tuple, more: Any) -> tuple:
    """Evidence items in first-seen order, each once (as the replay lists them)."""
    from .progress.replay import _hashable, _unhash  # noqa: PLC0415

    return tuple(_unhash(x) for x in dict.fromkeys(_hashable(x) for x in (*have, *more)))


def _little(ids: array) -> array:
    import sys  # noqa: PLC0415

    if sys.byteorder == "big":  # pragma: no cover - entries are written little-endian everywhere
        ids = array("I", ids)
        ids.byteswap()
    return ids
