"""Replaying the record: each (target, unit) pair's standing on a day, as known at a time.

* A (target, unit) pair's state as of D is that of its latest mark with
  ``on`` <= D; ties go to the later recording. Revoked events do not count;
  a revoke takes back a record of its own unit only. With ``known_at`` T,
  only what this data folder had by T counts (marks, revokes, imports).
* A pair's date is the first day of its standing state: marking a done
  part done again (to add a note) does not move its completion date.
"""

from __future__ import annotations

from datetime import date
from operator import attrgetter, itemgetter
from typing import Container, Iterable, Iterator, NamedTuple

from ..ledger.model import Event


class Pair(NamedTuple):
    """A (target, unit) pair as of a day: its state, since when, and what backs it."""

    state: str
    since: str              # the first day of its standing state (a re-mark does not move it)
    event: Event            # the mark in force
    evidence: tuple         # every item of the pair's standing marks and attachments, in order
    review: str | None = None      # a done claim: "pending" (待审核) or "accepted" (已销号); "returned" (退回)
    review_note: str = ""
    review_on: str | None = None


class Acts(NamedTuple):
    """The supervising office's standing extensions and waivers, by (target, unit or None for every unit)."""

    extensions: dict
    waivers: dict
    closed: str | None = None     # the plan's closing day, if its latest close or reopen is a close

    def extension(self, target: str, unit: str) -> Event | None:
        return self.extensions.get((target, unit)) or self.extensions.get((target, None))

    def waiver(self, target: str, unit: str | None) -> Event | None:
        return self.waivers.get((target, unit)) or self.waivers.get((target, None))


NO_ACTS = Acts({}, {})


def known_cutoff(known_at: str | None) -> str | None:
    """A --known-at value as a timestamp to compare with: a bare day means its end."""
    if known_at is None or "T" in known_at:
        return known_at
    return known_at + "T23:59:59.999999+08:00"


def replay(events: Iterable[Event], as_of: date, known_at: str | None = None) -> dict[tuple[str, str], Pair]:
    """Each (target, unit) pair's standing as of a day, counting only what was recorded by ``known_at``.

    A revoke takes back a record of its own unit only. Ties on the same day go
    to the later recording, then to the later line of the unit's file. A
    review by the supervising office accepts the unit's standing done claim
    (销号) or returns it (退回: the pair is doing again until the unit marks it
    done anew).
    """
    return replay_all(events, as_of, known_at)[0]


def replay_all(events: Iterable[Event], as_of: date, known_at: str | None = None,
               keep: dict | None = None) -> tuple[dict[tuple[str, str], Pair], Acts]:
    """``replay``, and the supervising office's extensions and waivers standing on that day.

    ``keep``, when given, receives the records that counted, by pair ("groups") and the acts ("acts"):
    the snapshot is made from them without sorting 100,000 records out again.
    """
    cutoff = as_of.isoformat()
    known = known_cutoff(known_at)
    pool = [e for e in events if e.known_at <= known] if known else list(events)
    revoked = {(e.unit, e.revokes) for e in pool if e.revokes}
    groups: dict[tuple[str, str], list[Event]] = {}
    acts: list[Event] = []
    for e in pool:
        if e.type == "revoke" or e.on > cutoff or (revoked and (e.unit, e.id) in revoked):
            continue
        if e.subject is not None or e.type in ("extend", "waive", "close", "reopen", "remind"):
            if e.type == "review":
                key = (e.target, e.subject)
            else:
                acts.append(e)
                continue
        else:
            key = (e.target, e.unit)
        group = groups.get(key)
        if group is None:
            groups[key] = [e]
        else:
            group.append(e)
    if keep is not None:
        keep["groups"], keep["acts"] = groups, acts
    out: dict[tuple[str, str], Pair] = {}
    for key, group in groups.items():
        pair = standing_of(group)
        if pair is not None:
            out[key] = pair
    extensions: dict = {}
    waivers: dict = {}
    closed = None
    for e in sorted(acts, key=order):
        closed = _act(e, extensions, waivers, closed)
    return out, Acts(extensions, waivers, closed)


def _act(e: Event, extensions: dict, waivers: dict, closed: str | None) -> str | None:
    """One act of the supervising office taken in date order: the standing extensions and waivers it leaves,
    and the closing day."""
    if e.type == "extend":
        extensions[(e.target, e.subject)] = e
    elif e.type == "waive":
        waivers[(e.target, e.subject)] = e
    elif e.type in ("close", "reopen"):
        closed = e.on if e.type == "close" else None
    return closed


def standing_of(group: list[Event]) -> Pair | None:
    """A pair's standing from the records of it that count (marks, attachments, reviews), in file order; None
    while it has no mark."""
    marks = [e for e in group if e.type == "mark"]
    if not marks:
        return None
    if len(marks) > 1:
        marks.sort(key=order)
    reviews = [e for e in group if e.type == "review"]
    evidence = union_evidence(x for e in group for x in e.evidence) if any(e.evidence for e in group) else ()
    if not reviews:
        cur = marks[-1]
        return Pair(cur.state, _run_start(marks), cur, evidence, "pending" if cur.state == "done" else None)
    return with_reviews(marks, reviews, evidence)[0]


def replay_days(events: Iterable[Event], days: Iterable[date], pairs_wanted: Container | None = None
                ) -> Iterator[tuple[date, dict, Acts, set[str] | None]]:
    """``replay_all`` on each of ``days`` (in ascending order), in one pass over the records in date order.

    Yields (day, pairs, acts, targets): the pairs and acts are those ``replay_all(events, day)`` returns (the
    same objects go on changing after the next step), ``targets`` the parts and duties whose pairs, extensions
    or waivers changed since the day before (None on the first day: all of them). With ``pairs_wanted``, only
    those (target, unit) pairs are worked out: the others are neither in ``pairs`` nor change ``targets``.
    """
    pool = list(events)
    revoked = {(e.unit, e.revokes) for e in pool if e.revokes}
    # each pair's records, kept in file order (the order replay_all groups them in), added as their day comes
    counted: list[tuple[str, int, tuple[str, str], Event]] = []
    acts: list[Event] = []
    for i, e in enumerate(pool):
        if e.type == "revoke" or (revoked and (e.unit, e.id) in revoked):
            continue
        if e.subject is not None or e.type in ("extend", "waive", "close", "reopen", "remind"):
            if e.type != "review":
                acts.append(e)
                continue
            key = (e.target, e.subject)
        else:
            key = (e.target, e.unit)
        if pairs_wanted is not None and key not in pairs_wanted:
            continue
        counted.append((e.on, i, key, e))
    counted.sort(key=itemgetter(0))     # stable: a day's records stay in file order
    acts.sort(key=order)   # replay_all's order; those of a day on are a prefix of it
    groups: dict[tuple[str, str], list[tuple[int, Event]]] = {}
    pairs: dict[tuple[str, str], Pair] = {}
    extensions: dict = {}
    waivers: dict = {}
    closed = None
    at = done_acts = 0
    first = True
    for day in days:
        cutoff = day.isoformat()
        touched: set[tuple[str, str]] = set()
        while at < len(counted) and counted[at][0] <= cutoff:
            _, i, key, e = counted[at]
            group = groups.get(key)
            if group is None:
                groups[key] = [(i, e)]
            else:
                group.append((i, e))
            touched.add(key)
            at += 1
        targets = {key[0] for key in touched}
        for key in touched:
            group = groups[key]
            group.sort(key=_first)           # back in file order, as replay_all groups them
            pair = standing_of([e for _, e in group])
            if pair is None:
                pairs.pop(key, None)
            else:
                pairs[key] = pair
        while done_acts < len(acts) and acts[done_acts].on <= cutoff:
            e = acts[done_acts]
            closed = _act(e, extensions, waivers, closed)
            if e.type in ("extend", "waive"):
                targets.add(e.target)
            done_acts += 1
        yield day, pairs, Acts(dict(extensions), dict(waivers), closed), None if first else targets
        first = False


def with_reviews(marks: list[Event], reviews: list[Event], evidence: tuple) -> tuple[Pair, bool]:
    """A pair's standing with the office's reviews, taken in the order things were recorded; and whether a
    mark was recorded after the last return (the snapshot folds later marks in by that).

    A review judges the claim standing when it was recorded: an acceptance
    holds through later re-marks of the same state; a return sets the pair back
    to doing, and only a mark recorded after it can claim the part done again
    (its completion date is then that mark's, not the returned one's).
    """
    seen: list[Event] = []
    floor = 0                        # marks before this index were returned
    state: str | None = None
    since, review, note, review_on = "", None, "", None
    for e in sorted(marks + reviews, key=lambda e: e.recorded_at):
        if e.type == "mark":
            seen.append(e)
            fresh = sorted(seen[floor:], key=order)
            if fresh[-1].state != state:
                state, since = fresh[-1].state, _run_start(fresh)
                review, note, review_on = ("pending" if state == "done" else None), "", None
        elif state == "done":
            if e.verdict == "accept":
                review, note, review_on = "accepted", e.note, e.on
            else:
                state, since, floor = "doing", e.on, len(seen)
                review, note, review_on = "returned", e.note, e.on
    fresh = sorted(seen[floor:], key=order)
    return Pair(state or "todo", since, (fresh or sorted(seen, key=order))[-1], evidence, review, note,
                review_on), bool(fresh)


def _run_start(marks: list[Event]) -> str:
    """The first day of the standing state among marks in date order."""
    cur = marks[-1]
    since = cur.on
    for e in reversed(marks[:-1]):
        if e.state != cur.state:
            break
        since = e.on
    return since


_first = itemgetter(0)

# (on, recorded_at), computed in C: the sort key of 100,000 events
order = attrgetter("on", "recorded_at")


def _hashable(item: object) -> object:
    return tuple(sorted(item.items())) if isinstance(item, dict) else item


def _unhash(item: object) -> object:
    return dict(item) if isinstance(item, tuple) else item


def union_evidence(items: Iterable[object]) -> tuple:
    """Evidence items in first-seen order, each once: how a pair's records' evidence adds up."""
    return tuple(_unhash(x) for x in dict.fromkeys(_hashable(x) for x in items))


def latest(events: Iterable[Event], as_of: date, known_at: str | None = None) -> dict[tuple[str, str], Event]:
    """The event in force for each (target, unit) pair as of a day."""
    return {k: p.event for k, p in replay(events, as_of, known_at).items()}
