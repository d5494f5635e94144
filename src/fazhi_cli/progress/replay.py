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
from operator import attrgetter
from typing import Iterable, NamedTuple

from ..ledger import Event


class Pair(NamedTuple):
    """A (target, unit) pair as of a day: its state, since when, and what backs it."""

    state: str
    since: str              # the first day of its standing state (a re-mark does not move it)
    event: Event            # the mark in force
    evidence: tuple         # every item of the pair's standing marks and attachments, in order


def known_cutoff(known_at: str | None) -> str | None:
    """A --known-at value as a timestamp to compare with: a bare day means its end."""
    if known_at is None or "T" in known_at:
        return known_at
    return known_at + "T23:59:59.999999+08:00"


def replay(events: Iterable[Event], as_of: date, known_at: str | None = None) -> dict[tuple[str, str], Pair]:
    """Each (target, unit) pair's standing as of a day, counting only what was recorded by ``known_at``.

    A revoke takes back a record of its own unit only. Ties on the same day go
    to the later recording, then to the later line of the unit's file.
    """
    cutoff = as_of.isoformat()
    known = known_cutoff(known_at)
    pool = [e for e in events if e.known_at <= known] if known else list(events)
    revoked = {(e.unit, e.revokes) for e in pool if e.revokes}
    groups: dict[tuple[str, str], list[Event]] = {}
    for e in pool:
        if e.type == "revoke" or e.on > cutoff or (revoked and (e.unit, e.id) in revoked):
            continue
        key = (e.target, e.unit)
        group = groups.get(key)
        if group is None:
            groups[key] = [e]
        else:
            group.append(e)
    out: dict[tuple[str, str], Pair] = {}
    for key, group in groups.items():
        marks = [e for e in group if e.type == "mark"]
        if not marks:
            continue
        if len(marks) > 1:
            marks.sort(key=_order)
        cur = marks[-1]
        since = cur.on
        for e in reversed(marks[:-1]):
            if e.state != cur.state:
                break
            since = e.on
        evidence = tuple(dict.fromkeys(_hashable(x) for e in group for x in e.evidence)) if any(
            e.evidence for e in group) else ()
        out[key] = Pair(cur.state, since, cur, tuple(_unhash(x) for x in evidence))
    return out


# (on, recorded_at), computed in C: the sort key of 100,000 events
_order = attrgetter("on", "recorded_at")


def _hashable(item: object) -> object:
    return tuple(sorted(item.items())) if isinstance(item, dict) else item


def _unhash(item: object) -> object:
    return dict(item) if isinstance(item, tuple) else item


def latest(events: Iterable[Event], as_of: date, known_at: str | None = None) -> dict[tuple[str, str], Event]:
    """The event in force for each (target, unit) pair as of a day."""
    return {k: p.event for k, p in replay(events, as_of, known_at).items()}
