"""The state snapshot: the replayed record kept between runs, only ever a shortcut.

`status` and `due` need each (part or duty, unit) pair's standing and the
supervising office's extensions, waivers and closing: the replay of every
record in the data folder. A snapshot keeps that replayed state in the cache
folder, beside the plan cache, with what it takes to go on from it: for each
ledger file read, how far it was read and how to recognise it; for each pair,
its standing (state, since when, evidence, review) and the few facts the replay
rules look at next; the standing extensions and waivers as their records. The
next run reads only what was appended since and folds it in, so the cost of a
view follows the plan's size, not the record's length.

An entry is two JSON files: the main part, what a view needs (the pairs as
columns in the plan's order of roles: a character per pair for its state and
review, its days joined by newlines, rare fields by position), and the fold
part, what only folding needs (each pair's keys and recorded times, a CRC-32 of
every record id), tied to the main part by a random nonce.

A snapshot is used only when it can say exactly what a full replay would say;
any doubt is a miss, and a miss only means the whole record is read again
(and a new snapshot made). It is a miss when:

* a ledger file it read is gone, shrunk, is another file (device and inode),
  has more than one link, or no longer holds the bytes it read (a digest of
  them, compared whenever the file's size or times changed, or changed too
  recently to tell: an unchanged file is trusted by its size, times and
  inode, as git trusts its index);
* an appended line is a repeated id, an unreadable line, a line that does not
  end, or a revoke of a key or of a record not in its unit's file. An undo, a
  mark back-dated before the pair's latest, an imported line
  (``received_at``) or a review or act recorded out of turn is folded in by
  replaying only what it touches from the files that can hold it: the pair
  from its unit's file and the supervising units' files, the office's acts
  from the supervising units' files (each file read must still be the bytes
  the entry read, then the lines folded in, or it is a miss);
* the progress folder, the plan's bytes, the arrivals of a sync, or an
  unfinished import or sync differ from when it was made; the day is earlier
  than the day it was made; ``--as-of`` is earlier than the newest record;
  ``--known-at`` is given (the snapshot holds only the present);
* the entry is not exactly the shape it should be: every record in it is
  checked again by ``ledger.check_record``'s rules, every other field by type,
  range and reference to the plan.

The rules follow the plan cache: entries are named by a digest of what they
stand for (the progress folder, the plan's bytes, the units read), and hold it again; they are read only as regular files of
bounded size from a folder only this user can write, and written whole under an
unpredictable name, then renamed. FAZHI_NO_SNAPSHOT=1 (or FAZHI_NO_CACHE=1)
turns snapshots off; `fazhi check`, `log` and the reports always read everything.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from array import array
from base64 import b64decode, b64encode
from datetime import date
from pathlib import Path
from typing import Any, Collection, NamedTuple

from . import cache as cachedir
from . import ledger
from .files import read_regular, read_span
from .ledger import Event, Problem
from .plan import Plan
from .progress.replay import Acts, Pair, order, replay_all, union_evidence, with_reviews

FORMAT = "fazhi-state-1"
MAX_ENTRY_BYTES = 256 * 1024 * 1024
RACY_NS = 3_000_000_000    # a file changed this close to the snapshot is compared, whatever its times say
STALE_DAYS = 60            # an entry not written again for this long is taken out of the cache folder
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


class _Order(_Miss):
    """A record falls before what its pair holds (back-dated, or recorded out of turn): a fold may replay that
    pair from its files; anything else that is a miss stays one."""


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
        files[name] = (st, len(data), data.count(b"\n"), cachedir.digest(data), not data or data.endswith(b"\n"))

    before = place.arrivals() if place is not None else None
    read = ledger.read_ledger(root, plan, today=today, units=units, on_file=seen if place is not None else None)
    kept: dict | None = {} if place is not None and known_at is None else None
    pairs, acts = replay_all(read.events, as_of, known_at, keep=kept)
    out = Standing(pairs, acts, last_recorded(read.events), read.problems)
    if (kept is not None and not read.problems and all(f[4] for f in files.values()) and place.quiet()
            and place.arrivals() == before):
        state = _State.build(read.events, kept, pairs, acts, out.last, as_of)
        if state is not None:
            raws = place.lines_of(state.needed(), files)
            if raws is not None:
                place.save(state, {n: _file_row(f[:4]) for n, f in files.items()}, raws, today, before)
    return out


# --- where an entry lives, and whether the folder is as it was ----------------------------------------------

class _Place:
    def __init__(self, root: Path, plan: Plan, units: Collection[str] | None, cache: Path, where: str,
                 folder_id: list[int]) -> None:
        self.root, self.plan, self.units, self.cache = root, plan, units, cache
        self.folder_id = folder_id
        self.who = sorted(units) if units is not None else None
        material = json.dumps([FORMAT, where, folder_id, plan.digest, self.who],
                              ensure_ascii=False).encode("utf-8")
        self.key = cachedir.digest(material)
        self.name = f"state-{FORMAT}-{self.key[:40]}.json"
        self.side_name = f"state-{FORMAT}-{self.key[:40]}-fold.json"   # what only a fold reads

    def quiet(self) -> bool:
        """No import or sync left unfinished: their files would change what a read sees."""
        return not ledger.unfinished(self.root)

    def arrivals(self) -> str | None:
        """A digest of the sync arrivals file (the times records came by sync), None without one."""
        try:
            data = ledger.arrivals_bytes(self.root)
        except (OSError, ValueError):
            return "unreadable"
        return None if data is None else cachedir.digest(data)

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
                fd, _ = ledger.open_unit_file(self.root, name)
                try:
                    data = read_span(fd, info[1])
                finally:
                    os.close(fd)
            except OSError:
                return None
            if len(data) != info[1] or cachedir.digest(data) != info[3]:
                return None
            for number, raw in enumerate(data.split(b"\n"), 1):
                if number in lines:
                    out[(name, number)] = raw
        return out if len(out) == len(needed) else None

    # --- reading ------------------------------------------------------------------------------------------

    def _read(self, name: str) -> dict:
        """One part of this entry: a bounded regular file holding a JSON object of this format and key."""
        try:
            got = json.loads(read_regular(self.cache / name, MAX_ENTRY_BYTES, nofollow=True),
                             parse_constant=ledger.no_constants)
        except (OSError, ValueError, RecursionError):
            raise _Miss from None
        if type(got) is not dict or got.get("format") != FORMAT or got.get("key") != self.key:
            raise _Miss
        return got

    def load(self, today: str, as_of: date) -> Standing:
        meta = self._read(self.name)
        if (type(meta.get("today")) is not str or meta["today"] > today or not _day(meta["today"])
                or type(meta.get("built_ns")) is not int or not self.quiet()
                or meta.get("arrivals") != self.arrivals()):
            raise _Miss
        state = _State.load(meta, self, today)
        if as_of.isoformat() < state.max_on:
            raise _Miss
        try:
            names = ledger.unit_file_names(self.root, self.units)
        except OSError:
            raise _Miss from None
        known = meta["files"]
        if type(known) is not dict or not set(known) <= set(names):
            raise _Miss
        changed, grown, settled = {}, [], False
        for name in names:
            got = self._check_file(name, known.get(name), meta["built_ns"])
            if got is not None:
                row = _file_row(got[0])
                if row != known.get(name):
                    changed[name] = row
                elif got[0][0].st_mtime_ns < time.time_ns() - RACY_NS:
                    # compared again only because it changed just before the entry was made: an entry made
                    # now can trust its times, and the next run need not read it
                    settled = True
                if got[1]:
                    grown.append((name, got[1], got[2]))
        if grown:
            state.fold(self, grown, today, synced=meta.get("arrivals") is not None, known=known)
            if as_of.isoformat() < state.max_on:
                raise _Miss
        out = state.standing()._replace(how="folded" if grown else "snapshot")
        if changed or settled:
            rows: dict[str, list] = dict(known)
            rows.update(changed)
            self.save(state, rows, None, today, meta.get("arrivals"))
        return out

    def read_side(self, nonce: str) -> dict:
        """The part of the entry only a fold needs, written with the main part (the same nonce) or a miss."""
        side = self._read(self.side_name)
        if side.get("nonce") != nonce:
            raise _Miss
        return side

    def _check_file(self, name: str, row: Any, built_ns: int) -> tuple | None:
        """None when the file is as the snapshot read it; else (its new row, appended bytes, first line number)."""
        if row is None:
            old_size, lines = 0, 0
        else:
            if (type(row) is not list or len(row) != 7 or not all(type(x) is int for x in row[:6])
                    or type(row[6]) is not str):
                raise _Miss
            dev, ino, old_size, mtime, ctime, lines, digest = row
        try:
            fd, st = ledger.open_unit_file(self.root, name)
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
            # its times or size changed (or changed too recently to tell): every byte it had must be as it was
            data = read_span(fd, st.st_size)
            if len(data) != st.st_size or (row is not None and cachedir.digest(data[:old_size]) != digest):
                raise _Miss
            new = data[old_size:]
            if new and not new.endswith(b"\n"):
                raise _Miss
            return (st, st.st_size, lines + new.count(b"\n"), cachedir.digest(data)), new, lines + 1
        except OSError:
            raise _Miss from None
        finally:
            os.close(fd)

    # --- writing ------------------------------------------------------------------------------------------

    def save(self, state: "_State", rows: dict[str, list], raws: dict | None, today: str,
             arrivals: str | None) -> None:
        """Write the entry: ``rows``, each ledger file as ``_file_row`` tells it; ``raws``, see ``_State.dump``."""
        if not cachedir.made(self.cache):
            return
        nonce = os.urandom(8).hex()
        try:
            # the roles in the plan's order: those the entry was loaded with, or worked out once
            main, side = state.dump(raws, state.cols.keys if state.cols is not None else ledger.role_list(self.plan))
            main.update(format=FORMAT, key=self.key, nonce=nonce, today=today, built_ns=time.time_ns(),
                        arrivals=arrivals, files=rows)
            side.update(format=FORMAT, key=self.key, nonce=nonce)
            bodies = [json.dumps(x, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for x in (side, main)]
        except (ValueError, KeyError, _Miss):
            return
        if all(len(b) <= MAX_ENTRY_BYTES for b in bodies):
            # the fold part first: a reader that meets the new main part with the old fold part is told by the nonce
            cachedir.write_entry(self.cache, self.side_name, bodies[0])
            cachedir.write_entry(self.cache, self.name, bodies[1])
            _prune(self.cache)


def _place(root: Path, plan: Plan, units: Collection[str] | None) -> _Place | None:
    if not plan.digest or os.environ.get("FAZHI_NO_SNAPSHOT"):
        return None
    cache = cachedir.folder()
    if cache is None:
        return None
    found = ledger.folder_identity(root)
    if found is None:
        return None
    return _Place(root, plan, units, cache, *found)


def _prune(cache: Path) -> None:
    """Take out entries not written for STALE_DAYS (of another plan's bytes, a folder gone, a view not
    asked for since), and temporary files a killed write left: a cache that only grows is a leak."""
    now = time.time()
    try:
        names = os.listdir(cache)
    except OSError:
        return
    for name in names:
        entry = name.startswith("state-") and name.endswith(".json")
        left = name.startswith(".state-") and name.endswith(".tmp")
        if not (entry or left):
            continue
        try:
            st = os.lstat(cache / name)
            if now - st.st_mtime > (STALE_DAYS * 86400 if entry else 86400):
                os.unlink(cache / name)
        except OSError:
            pass


def _file_row(v: tuple) -> list:
    st, size, lines, digest = v
    return [st.st_dev, st.st_ino, size, st.st_mtime_ns, st.st_ctime_ns, lines, digest]


# --- record ids -----------------------------------------------------------------------------------------------

def _crc(eid: str) -> int:
    return zlib.crc32(eid.encode("ascii"))


# --- the state ------------------------------------------------------------------------------------------------

class _Group:
    """One (target, unit) pair as the views need it, and as the replay rules need it to go on.

    Keys are (on, recorded_at), the replay's order. The views read no record
    of a pair, only its standing; so pairs served by a snapshot carry no event.
    """

    __slots__ = ("state", "since", "review", "note", "review_on", "evidence", "key", "all_key", "last_rec",
                 "fresh", "reviewed", "ordered", "foreign")

    def __init__(self) -> None:
        self.state: str | None = None          # None: no mark yet (only attachments or reviews)
        self.since: str | None = None
        self.review: str | None = None
        self.note = ""
        self.review_on: str | None = None
        self.evidence: tuple = ()
        self.key: tuple | None = None          # the mark in force, when a mark was recorded after the last return
        self.all_key: tuple | None = None      # the last of all marks in date order
        self.last_rec = ""                     # the newest recorded_at of its marks and reviews
        self.fresh = False                     # a mark was recorded after the last return
        self.reviewed = False                  # the office has reviewed it (replay takes recording order then)
        self.ordered = True                    # its marks were recorded in date order
        self.foreign = False                   # a review brought evidence (its order is by file, not time)

    @classmethod
    def of(cls, group: list[Event], pair: Pair | None) -> "_Group":
        """A pair's group from the records that counted for it (as ``replay_all`` keeps them) and its standing."""
        g = cls()
        marks = [e for e in group if e.type == "mark"]
        reviews = [e for e in group if e.type == "review"] if len(marks) != len(group) else []
        if pair is not None:
            g.state, g.since, g.evidence = pair.state, pair.since, pair.evidence
            g.review, g.note, g.review_on = pair.review, pair.review_note, pair.review_on
            g.fresh = with_reviews(marks, reviews, pair.evidence)[1] if reviews else True
            g.key = order(pair.event) if g.fresh else None
            g.all_key = max(map(order, marks))
            g.ordered = len(marks) == 1 or _ordered(marks)
        else:
            g.evidence = _union((), [x for e in group for x in e.evidence])
        g.last_rec = max(e.recorded_at for e in (*marks, *reviews)) if marks or reviews else ""
        g.reviewed = bool(reviews)
        g.foreign = any(r.evidence for r in reviews)
        return g

    def pair(self) -> Pair | None:
        if self.state is None:
            return None
        return _tuple_new(Pair, (self.state, self.since, None, self.evidence, self.review, self.note, self.review_on))


_tuple_new = tuple.__new__


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
        self._ids: array | None = array("I")    # None: kept in the fold part, decoded when lines are folded in
        self.raws: dict[tuple[str, int], bytes] = {}    # the lines of the acts kept, by (file, line)
        self.cols: _Columns | None = None        # the pairs as loaded; ``groups`` then holds those changed since
        self._side: Any = None                   # the entry's fold part, or how to read it

    def group(self, key: tuple[str, str]) -> _Group:
        """The pair's group to change (taken out of the loaded columns, or new)."""
        g = self.groups.get(key)
        if g is None:
            g = self.cols.group(key) if self.cols is not None else None
            self.groups[key] = g = g or _Group()
        return g

    def side(self) -> dict:
        if callable(self._side):
            self._side = self._side()
        return self._side

    @property
    def ids(self) -> array:
        """A CRC-32 of every record id read (a repeated id is a miss; a false match only a slower read)."""
        if self._ids is None:
            kept = self.side().get("ids")
            if type(kept) is not str:
                raise _Miss
            try:
                packed = b64decode(kept, validate=True)
            except ValueError:
                raise _Miss from None
            if len(packed) % 4:
                raise _Miss
            ids = array("I")
            if ids.itemsize != 4:  # pragma: no cover - every platform fazhi runs on has a 4-byte C int
                raise _Miss
            ids.frombytes(packed)
            self._ids = _little(ids)
        return self._ids

    def needed(self) -> set[tuple[str, int]]:
        """The records an entry keeps as lines: the standing extensions and waivers."""
        return {(_name(e), e.line) for e in (*self.extensions.values(), *self.waivers.values())}

    def standing(self) -> Standing:
        pairs = self.cols.pairs() if self.cols is not None else {}
        for key, g in self.groups.items():
            if g.state is not None:
                pairs[key] = g.pair()
            else:
                pairs.pop(key, None)     # every mark of it was revoked
        return Standing(pairs, Acts(dict(self.extensions), dict(self.waivers), self.closed), dict(self.last), [])

    # --- from a full read -----------------------------------------------------------------------------------

    @classmethod
    def build(cls, events: list[Event], kept: dict, pairs: dict, acts: Acts, last: dict,
              as_of: date) -> "_State | None":
        """The state of a full replay (``kept``: the records that counted, as ``replay_all`` sorted them)."""
        self = cls()
        self.max_on = max((e.on for e in events), default="")
        if self.max_on > as_of.isoformat():
            return None      # the replay left later records out: it is not the present state
        self.revoked = {(e.unit, e.revokes) for e in events if e.revokes}
        groups = self.groups
        for key, group in kept["groups"].items():
            groups[key] = _Group.of(group, pairs.get(key))
        self.extensions, self.waivers, self.closed = dict(acts.extensions), dict(acts.waivers), acts.closed
        self.acts_key = max((order(e) for e in kept["acts"] if e.type not in ("remind", "key", "unkey")), default=None)
        self.last = dict(last)
        crc = zlib.crc32
        self._ids = array("I", {crc(e.id.encode("ascii")) for e in events})
        return self

    # --- to and from an entry ---------------------------------------------------------------------------------

    def dump(self, raws: dict | None, keys: list[tuple[str, str]]) -> dict:
        """The fields of an entry. ``raws``: the lines of a full read; without them, those it was loaded from."""
        lines = raws if raws is not None else self.raws
        acts = [[_name(e), e.line, e.known_at, lines[(_name(e), e.line)].decode("utf-8")]
                for e in (*self.extensions.values(), *self.waivers.values())]
        if self.cols is not None:
            pairs, fold = self.cols.dump_with(self.groups)
        else:
            pairs, fold = _Columns.dump(self.groups, keys)
        fold["ids"] = b64encode(_little(self.ids).tobytes()).decode("ascii")
        return {"pairs": pairs, "acts": acts, "closed": self.closed,
                "acts_key": list(self.acts_key) if self.acts_key else None, "max_on": self.max_on,
                "last": self.last, "revoked": sorted(self.revoked)}, fold

    @classmethod
    def load(cls, meta: dict, place: _Place, today: str) -> "_State":
        plan = place.plan
        pairs, acts, files = meta.get("pairs"), meta.get("acts"), meta.get("files")
        if type(pairs) is not dict or type(acts) is not list or type(files) is not dict:
            raise _Miss
        self = cls()
        # the standing extensions and waivers: records, checked as any record is
        for row in acts:
            if (type(row) is not list or len(row) != 4 or type(row[0]) is not str or row[0] not in files
                    or not ledger.is_ledger_name(row[0]) or type(row[1]) is not int or row[1] < 1 or type(row[2]) is not str
                    or not ledger.STAMP_RE.fullmatch(row[2]) or type(row[3]) is not str or "\n" in row[3]
                    or (row[0], row[1]) in self.raws):
                raise _Miss
            raw = row[3].encode("utf-8", "surrogatepass")
            got = list(ledger.parse_unit_bytes(place.root, row[0], raw, plan, today=today))
            if len(got) != 1 or isinstance(got[0], Problem):
                raise _Miss
            e = got[0][0]._replace(line=row[1], known_at=row[2])
            into = self.extensions if e.type == "extend" else self.waivers if e.type == "waive" else None
            if into is None or (e.target, e.subject) in into:
                raise _Miss
            into[(e.target, e.subject)] = e
            self.raws[(row[0], row[1])] = raw
        self.cols = _Columns(pairs, ledger.role_list(plan))
        stamp = ledger.STAMP_RE.pattern().fullmatch
        days = ledger.GOOD_DAYS
        closed, acts_key = meta.get("closed"), meta.get("acts_key")
        if (closed is not None and not _day(closed, days)) or not (
                acts_key is None or (type(acts_key) is list and len(acts_key) == 2 and _day(acts_key[0], days)
                                     and type(acts_key[1]) is str and stamp(acts_key[1]))):
            raise _Miss
        self.closed, self.acts_key = closed, tuple(acts_key) if acts_key else None
        max_on, last, revoked, nonce = meta.get("max_on"), meta.get("last"), meta.get("revoked"), meta.get("nonce")
        if (not (max_on == "" or _day(max_on, days)) or type(last) is not dict
                or not all(u in plan.units and type(s) is str and stamp(s) for u, s in last.items())
                or type(revoked) is not list or type(nonce) is not str):
            raise _Miss
        if not all(type(r) is list and len(r) == 2 and type(r[0]) is str and type(r[1]) is str for r in revoked):
            raise _Miss
        self.max_on, self.last, self.revoked = max_on, last, {(u, i) for u, i in revoked}
        self._ids, self._side = None, lambda: place.read_side(nonce)
        self.cols.side = self.side
        return self

    # --- going on from it ---------------------------------------------------------------------------------------

    def fold(self, place: _Place, grown: list[tuple[str, bytes, int]], today: str, synced: bool,
             known: dict | None = None) -> None:
        """Take in the lines appended to these files, as a full replay would; _Miss when it cannot be sure.
        ``synced``: the folder has sync arrivals (the entry's digest of them is the folder's). ``known``: the
        entry's rows of the files; with them, a pair an undo takes a record back from, or that a record falls
        before (a back-dated mark, an imported record, a late review or attachment), is replayed from its own
        files once every line is in, instead of missing."""
        plan = place.plan
        again = _Again(place, grown, known, today) if known is not None else None
        dirty: set[tuple[str, str]] = set()      # pairs replayed from their files at the end
        acts_again = False                       # the office's acts replayed from its files at the end
        fresh_ids: set[str] = set()
        arrivals = ledger.read_arrivals(place.root) if synced else {}
        count = 0
        ids = self.ids
        for name, data, first in grown:
            ranges = arrivals.get(name)
            starts = [r[0] for r in ranges] if ranges else None
            for item in ledger.parse_unit_bytes(place.root, name, data, plan, today=today, first=first):
                if isinstance(item, Problem):
                    raise _Miss
                e, raw = item
                count += 1
                # an imported record (known_at is its received_at) folds as any other: the present standing
                # does not look at when a record arrived, only --known-at does, and that never takes a snapshot
                if count > MAX_FOLD or e.id in fresh_ids:
                    raise _Miss
                if (e.unit, e.id) in self.revoked:
                    raise _Miss
                if starts:
                    e = ledger.arrived(e, ranges, starts)
                fresh_ids.add(e.id)
                if e.type == "revoke":
                    if again is None or (e.unit, e.revokes) in self.revoked:
                        raise _Miss
                    gone = again.record(e.unit, e.revokes)
                    if gone is None:
                        acts_again = True
                    else:
                        dirty.add(gone)
                    self.revoked.add((e.unit, e.revokes))
                elif e.type in ("mark", "attach", "review") and _pair_of(e) in dirty:
                    pass                          # its pair is replayed with this line at the end
                elif acts_again and e.type in _ACTS:
                    pass                          # the acts are replayed with this line at the end
                else:
                    try:
                        self._take(e)
                    except _Order:
                        if again is None or e.type not in ("mark", "attach", "review", *_ACTS):
                            raise
                        if e.type in _ACTS:
                            acts_again = True
                        else:
                            dirty.add(_pair_of(e))
                if e.type in ("extend", "waive"):
                    self.raws[(name, e.line)] = raw
                if e.recorded_at > self.last.get(e.unit, ""):
                    self.last[e.unit] = e.recorded_at
                if e.on > self.max_on:
                    self.max_on = e.on
        # one pass over the ids read before (an array: ``in`` would scan it once per line, 10^8 steps for an
        # import of a thousand lines into 100,000)
        fresh = set(map(_crc, fresh_ids))
        if not fresh.isdisjoint(ids):
            raise _Miss
        for key in sorted(dirty):
            self.groups[key] = again.group(key, self.revoked)
        if acts_again:
            acts, self.acts_key, self.raws = again.acts(self.revoked)
            self.extensions, self.waivers, self.closed = dict(acts.extensions), dict(acts.waivers), acts.closed
        ids.extend(fresh)    # none of them was there (checked above); the order is of no use
        self._ids = ids

    def _take(self, e: Event) -> None:
        kind = e.type
        if kind == "review":
            self._review(e)
        elif e.subject is not None or kind in _ACTS:
            if kind in ("remind", "key", "unkey"):     # numbered notices and the keyring change no standing
                return
            if self.acts_key is not None and not order(e) > self.acts_key:
                raise _Order      # back-dated, or recorded out of turn: a fold replays the acts
            self.acts_key = order(e)
            if kind == "extend":
                self.extensions[(e.target, e.subject)] = e
            elif kind == "waive":
                self.waivers[(e.target, e.subject)] = e
            else:
                self.closed = e.on if kind == "close" else None
        elif kind == "attach":
            self._evidence(self.group((e.target, e.unit)), e)
        else:
            self._mark(e)

    def _evidence(self, g: _Group, e: Event) -> None:
        if e.evidence:
            if g.foreign:
                raise _Order
            g.evidence = _union(g.evidence, e.evidence)

    def _mark(self, e: Event) -> None:
        g = self.group((e.target, e.unit))
        if g.last_rec and not e.recorded_at > g.last_rec:
            raise _Order
        key = order(e)
        if g.key is not None and not key > g.key:
            raise _Order
        if g.all_key is None or key > g.all_key:
            g.all_key = key
        elif key == g.all_key:
            raise _Order
        self._evidence(g, e)
        if g.state is None or e.state != g.state:
            g.state, g.since, g.note, g.review_on = e.state, e.on, "", None
            g.review = "pending" if e.state == "done" else None
        g.key, g.fresh, g.last_rec = key, True, e.recorded_at

    def _review(self, e: Event) -> None:
        g = self.group((e.target, e.subject))
        if e.evidence or (g.last_rec and not e.recorded_at > g.last_rec) or (
                g.state is not None and not g.reviewed and not g.ordered):
            raise _Order
        if g.state == "done":
            if e.verdict == "accept":
                g.review, g.note, g.review_on = "accepted", e.note, e.on
            else:
                g.state, g.since, g.fresh, g.key = "doing", e.on, False, None
                g.review, g.note, g.review_on = "returned", e.note, e.on
        g.reviewed, g.last_rec = True, e.recorded_at


class _Again:
    """Pairs replayed from the records that can touch them: the pair's unit's file and the supervising units'.

    Used by a fold when an undo takes a record back, or a record falls before what its pair holds (a back-dated
    mark, an imported record, a review of an older claim): the other pairs stand, so only these are read again.
    A file that grew is read up to where the fold read it (the bytes the entry read, then the lines folded in);
    every other file must still be the bytes the entry read, or it is a miss.
    """

    LIMIT = 256 * 1024 * 1024

    def __init__(self, place: _Place, grown: list[tuple[str, bytes, int]], known: dict, today: str) -> None:
        self.place, self.known, self.today = place, known, today
        self.new = {name: data for name, data, _ in grown}
        self.events: dict[str, list[Event]] = {}
        self.lines: dict[tuple[str, int], bytes] = {}      # the extensions' and waivers' lines, as an entry keeps them
        self.by_pair: dict[str, dict[tuple[str, str], list[Event]]] = {}
        self.reviewers = [u for u in place.plan.units if place.plan.supervises(u)]

    def _file(self, name: str) -> list[Event]:
        got = self.events.get(name)
        if got is not None:
            return got
        row = self.known.get(name)
        new = self.new.get(name, b"")
        if row is None and name not in self.new:
            got = []              # a file the entry did not read, and that did not grow: none there
        else:
            try:
                data, links = ledger.read_unit_file(self.place.root, name, self.LIMIT)
            except FileNotFoundError:
                if row is not None:
                    raise _Miss from None
                data, links = b"", 1
            except OSError:
                raise _Miss from None
            old = row[2] if row is not None else 0
            if links > 1 or len(data) != old + len(new) or (row is not None and cachedir.digest(data[:old]) != row[6]) \
                    or data[old:] != new:
                raise _Miss
            got = []
            for item in ledger.parse_unit_bytes(self.place.root, name, data, self.place.plan, today=self.today):
                if isinstance(item, Problem):
                    raise _Miss
                got.append(item[0])
                if item[0].type in ("extend", "waive"):
                    self.lines[(name, item[0].line)] = item[1]
        self.events[name] = got
        return got

    def record(self, unit: str, rid: str) -> tuple[str, str] | None:
        """The pair of the record a revoke of ``unit`` takes back (a unit takes back only its own records, and
        they are in its file); None for an act of the office (extension, waiver, closing, reminder)."""
        for e in self._file(f"{unit}.jsonl"):
            if e.id == rid:
                if e.type in ("mark", "attach", "review"):
                    return _pair_of(e)
                if e.type in _ACTS:
                    return None
                break
        raise _Miss      # a key, a revoke, a record not there: the whole record is read again

    def acts(self, revoked: set) -> tuple[Acts, tuple | None, dict]:
        """The office's standing acts as a full replay makes them (only supervising units record acts, so they
        are in their files), the newest act's key as ``_State.build`` keeps it, and the standing acts' lines."""
        events = [e for name in sorted(f"{u}.jsonl" for u in self.reviewers) for e in self._file(name)
                  if e.type != "revoke" and (e.unit, e.id) not in revoked]
        kept: dict = {}
        _, acts = replay_all(events, date.max, keep=kept)
        key = max((order(e) for e in kept["acts"] if e.type not in ("remind", "key", "unkey")), default=None)
        lines = {(_name(e), e.line): self.lines[(_name(e), e.line)]
                 for e in (*acts.extensions.values(), *acts.waivers.values())}
        return acts, key, lines

    def _pairs_of(self, name: str) -> dict[tuple[str, str], list[Event]]:
        """The file's marks, attachments and reviews by pair, in its order of lines (sorted out once: an import
        may leave a thousand pairs to replay from the same file)."""
        got = self.by_pair.get(name)
        if got is None:
            got = {}
            for e in self._file(name):
                if e.type in ("mark", "attach", "review"):
                    got.setdefault(_pair_of(e), []).append(e)
            self.by_pair[name] = got
        return got

    def group(self, key: tuple[str, str], revoked: set) -> "_Group":
        """The pair's group as a full replay of these files makes it."""
        names = sorted({f"{key[1]}.jsonl", *(f"{u}.jsonl" for u in self.reviewers)})
        # in the full read's order of files, each in its order of lines
        events = [e for name in names for e in self._pairs_of(name).get(key, ()) if (e.unit, e.id) not in revoked]
        kept: dict = {}
        pairs, _ = replay_all(events, date.max, keep=kept)
        return _Group.of(kept["groups"].get(key, []), pairs.get(key))


def _pair_of(e: Event) -> tuple[str, str]:
    """The (target, unit) pair a mark, attachment or review stands in."""
    return (e.target, e.subject if e.type == "review" else e.unit)


_STATE_CODES = {"todo": "t", "doing": "g", "done": "d", None: "-"}
_STATE_OF = {v: k for k, v in _STATE_CODES.items()}
_REVIEW_CODES = {None: "-", "pending": "p", "accepted": "a", "returned": "r"}
_REVIEW_OF = {v: k for k, v in _REVIEW_CODES.items()}
_FLAGS = frozenset("0123456789abcdef")
_FOLD_COLUMNS = ("key_on", "key_rec", "all_on", "all_rec", "last_rec")


class _Columns:
    """The pairs of an entry, one column per field: a column of short values is one string (a character per
    pair, or values joined by newlines), rare values sit in maps by position. Reading 27,000 pairs this way
    makes a few dozen objects instead of 400,000, and the columns only a fold needs are split when it does."""

    def __init__(self, raw: dict, keys: list[tuple[str, str]]) -> None:
        get = raw.get
        n = len(keys)
        if get("n") != n:
            raise _Miss
        self.n, self.keys = n, keys
        since = get("since")
        if type(since) is not str:
            raise _Miss
        self.texts = {"since": since}
        self.side: Any = None                  # the entry's fold part, when a fold needs it
        self.state, self.review, self.flags = get("state"), get("review"), get("flags")
        if not all(type(x) is str and len(x) == n for x in (self.state, self.review, self.flags)):
            raise _Miss
        if not set(self.state) <= _STATE_OF.keys() or not set(self.review) <= _REVIEW_OF.keys() or not set(
                self.flags) <= _FLAGS:
            raise _Miss
        self.since = self._split("since")
        good = ledger.GOOD_DAYS
        if not all(_day(s, good) for s in set(self.since).difference(("",))):
            raise _Miss
        self.notes = self._sparse(get("notes"), lambda v: v != "" and ledger.text_ok(v, ledger.MAX_NOTE))
        self.review_on = self._sparse(get("review_on"), _day)
        self.evidence = self._sparse(get("evidence"), lambda v: type(v) is list and bool(v) and _evidence(v))
        self._fold: dict | None = None

    def _split(self, name: str) -> list[str]:
        text = self.texts[name]
        out = text.split("\n") if self.n else []
        if len(out) != self.n or (not self.n and text):
            raise _Miss
        return out

    def _sparse(self, value: Any, ok: Any) -> dict[int, Any]:
        if type(value) is not dict:
            raise _Miss
        out = {}
        for k, v in value.items():
            if not (k.isascii() and k.isdigit()) or len(k) > 9 or int(k) >= self.n or not ok(v):
                raise _Miss
            out[int(k)] = v
        return out

    def pairs(self) -> dict[tuple[str, str], Pair]:
        state_of, review_of = _STATE_OF, _REVIEW_OF
        made = [_tuple_new(Pair, (state_of[c], since, None, (), review_of[r], "", None))
                for c, since, r in zip(self.state, self.since, self.review)]
        for field, values in ((3, self.evidence), (5, self.notes), (6, self.review_on)):
            for i, v in values.items():
                row = list(made[i])
                row[field] = tuple(v) if field == 3 else v
                made[i] = _tuple_new(Pair, row)
        out = {key: p for key, p in zip(self.keys, made) if p.state is not None}
        if any(not p.since for p in out.values()):
            raise _Miss
        return out

    def _fold_columns(self) -> dict:
        """The columns a fold needs, split and checked (once)."""
        if self._fold is None:
            good = ledger.GOOD_DAYS
            side = self.side()
            for name in _FOLD_COLUMNS:
                if type(side.get(name)) is not str:
                    raise _Miss
                self.texts[name] = side[name]
            # one regular expression over each whole column, then each distinct day once
            for name, shape in (("key_on", ledger.DAY), ("all_on", ledger.DAY), ("key_rec", ledger.STAMP),
                                ("all_rec", ledger.STAMP), ("last_rec", ledger.STAMP)):
                if not re.fullmatch(f"(?:{shape})?(?:\n(?:{shape})?)*", self.texts[name], re.ASCII):
                    raise _Miss
            cols = {name: self._split(name) for name in _FOLD_COLUMNS}
            if not all(_day(v, good) for v in {*cols["key_on"], *cols["all_on"]}.difference(("",))):
                raise _Miss
            if not all(ledger.real_day(v[:10]) for v in {v[:10] for n in ("key_rec", "all_rec", "last_rec")
                                                         for v in cols[n]}.difference(("",))):
                raise _Miss
            cols["index"] = {k: i for i, k in enumerate(self.keys)}
            self._fold = cols
        return self._fold

    def group(self, key: tuple[str, str]) -> _Group | None:
        cols = self._fold_columns()
        i = cols["index"].get(key)
        return None if i is None else self._group(i, cols)

    def _group(self, i: int, cols: dict) -> _Group:
        g = _Group()
        g.state = _STATE_OF[self.state[i]]
        flags = int(self.flags[i], 16)
        g.fresh, g.reviewed, g.ordered, g.foreign = bool(flags & 1), bool(flags & 2), bool(flags & 4), bool(flags & 8)
        if g.state is not None:
            g.since = self.since[i]
            if not cols["all_on"][i] or not cols["all_rec"][i] or g.fresh != bool(cols["key_on"][i] and cols["key_rec"][i]):
                raise _Miss
            g.key = (cols["key_on"][i], cols["key_rec"][i]) if g.fresh else None
            g.all_key = (cols["all_on"][i], cols["all_rec"][i])
        g.review, g.note, g.review_on = _REVIEW_OF[self.review[i]], self.notes.get(i, ""), self.review_on.get(i)
        ev = self.evidence.get(i)
        g.evidence = tuple(ev) if ev else ()
        g.last_rec = cols["last_rec"][i]
        return g

    def dump_with(self, changed: dict[tuple[str, str], _Group]) -> tuple[dict, dict]:
        """The columns again, with these groups changed (every group of the plan has its place)."""
        cols = self._fold_columns()
        index = cols["index"]
        text = [list(self.since), *(list(cols[name]) for name in _FOLD_COLUMNS)]
        chars = [list(self.state), list(self.review), list(self.flags)]
        sparse = [dict(self.notes), dict(self.review_on), dict(self.evidence)]
        for key, g in changed.items():
            i = index.get(key)
            if i is None:
                raise ValueError("a pair outside the plan's roles")
            row = _Columns._row(g)
            for column, value in zip((*text, *chars), row[:9]):
                column[i] = value
            for into, value in zip(sparse, row[9:]):
                if value:
                    into[i] = value
                else:
                    into.pop(i, None)
        return _Columns._emit(self.n, text, chars, sparse)

    @staticmethod
    def dump(groups: dict[tuple[str, str], _Group], keys: list[tuple[str, str]]) -> tuple[dict, dict]:
        """The columns of these groups, in the plan's order of roles ``keys``."""
        if not set(groups) <= set(keys):
            raise ValueError("a pair outside the plan's roles")
        empty = _Group()
        columns = list(zip(*(_Columns._row(groups.get(k, empty)) for k in keys))) or [()] * 12
        sparse = [{i: v for i, v in enumerate(column) if v} for column in columns[9:]]
        return _Columns._emit(len(keys), columns[:6], columns[6:9], sparse)

    @staticmethod
    def _row(g: _Group) -> tuple:
        """A group's values, column by column: since and the fold columns, the one-character columns, then
        note, review day and evidence (kept by position where they are set)."""
        key, all_key = g.key or ("", ""), g.all_key or ("", "")
        return (g.since or "", key[0], key[1], all_key[0], all_key[1], g.last_rec, _STATE_CODES[g.state],
                _REVIEW_CODES[g.review], "%x" % (g.fresh | g.reviewed << 1 | g.ordered << 2 | g.foreign << 3),
                g.note, g.review_on, list(g.evidence))

    @staticmethod
    def _emit(n: int, text: list, chars: list, sparse: list) -> tuple[dict, dict]:
        """The main part's pairs and the fold part's columns, as an entry keeps them."""
        since, *fold = text
        state, review, flags = ("".join(c) for c in chars)
        notes, review_on, evidence = sparse
        main = {"n": n, "since": "\n".join(since), "state": state, "review": review, "flags": flags,
                "notes": {str(i): v for i, v in notes.items()}, "review_on": {str(i): v for i, v in review_on.items()},
                "evidence": {str(i): list(v) for i, v in evidence.items()}}
        return main, {name: "\n".join(column) for name, column in zip(_FOLD_COLUMNS, fold)}


def _ordered(marks: list[Event]) -> bool:
    """Whether the marks, in file order, were recorded one after another with ever later dates (the usual
    case). False is only caution: a first review of such a pair is then a miss."""
    prev = ("", "")
    for e in marks:
        if not (e.on > prev[0] or (e.on == prev[0] and e.recorded_at > prev[1])) or not e.recorded_at > prev[1]:
            return False
        prev = (e.on, e.recorded_at)
    return True


def _name(e: Event) -> str:
    return os.path.basename(e.file)


def _day(value: Any, good: set[str] | None = None) -> bool:
    if good is not None and type(value) is str and value in good:    # a day already found valid here
        return True
    return type(value) is str and len(value) == 10 and bool(ledger.DAY_RE.fullmatch(value)) and ledger.real_day(value)


def _evidence(items: list) -> bool:
    return all(ledger.evidence_ok(items[i:i + ledger.MAX_EVIDENCE]) for i in range(0, len(items), ledger.MAX_EVIDENCE))


def _union(have: tuple, more: Any) -> tuple:
    """Evidence items in first-seen order, each once (as the replay lists them)."""
    return union_evidence((*have, *more))


def _little(ids: array) -> array:
    import sys  # noqa: PLC0415

    if sys.byteorder == "big":  # pragma: no cover - entries are written little-endian everywhere
        ids = array("I", ids)
        ids.byteswap()
    return ids
