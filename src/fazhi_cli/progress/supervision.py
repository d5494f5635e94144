"""What the supervising office reads and sends: reminders (催办) and the units' record.

Pure functions on a computed Status: no I/O, no clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from ..plan.model import Plan
from .status import OwnItem, Status, own_items, own_items_by_unit


class Notice(NamedTuple):
    """One unit's 催办通知: what it owes as of a day."""

    unit: str
    overdue: list[OwnItem]
    upcoming: list[OwnItem]
    duties: list[OwnItem]        # yearly duties not submitted, overdue
    returned: list[OwnItem]      # sent back by the supervising office, with its note

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.upcoming or self.duties or self.returned)


def owes(x: OwnItem) -> bool:
    """The unit itself still owes this item: it leads it, has not done it, and it was not waived."""
    return x.role == "lead" and x.state != "done" and not x.waived


def notices(plan: Plan, st: Status, *, within: int = 30, unit: str | None = None) -> list[Notice]:
    """A notice for every unit that owes something (or for ``unit`` only), in the plan's unit order."""
    horizon = st.as_of + timedelta(days=within)
    out = []
    for name in ([unit] if unit else list(plan.units)):
        items = own_items(st, name)
        overdue = [x for x in items if x.kind == "part" and owes(x) and x.light == "red"]
        upcoming = [x for x in items if owes(x) and x.light != "red" and (x.extended_to or x.due) <= horizon]
        duties = [x for x in items if x.kind == "recurring" and owes(x) and x.light == "red"]
        returned = [x for x in items if x.review == "returned" and x.state != "done"]
        by_due = lambda xs: sorted(xs, key=lambda x: (x.extended_to or x.due, x.id))  # noqa: E731
        notice = Notice(name, by_due(overdue), by_due(upcoming), by_due(duties), by_due(returned))
        if not notice.empty:
            out.append(notice)
    return out


class RecordRow(NamedTuple):
    """One unit's line in the units' record (the monthly 督办 table)."""

    unit: str
    led: int
    done: int
    on_time: int
    late: int
    overdue: int
    pending: int
    returned: int
    extended: int
    waived: int
    duties_on_time: int
    duties_late: int
    duties_missing: int

    @property
    def badness(self) -> tuple:
        # worst first: overdue, then missing duties, then late work of either kind
        return (-self.overdue, -self.duties_missing, -self.late - self.duties_late, -self.returned, self.unit)


def units_record(plan: Plan, st: Status, year: int | None = None) -> list[RecordRow]:
    """Every unit that leads something: parts led and how they went; yearly duties met on time, late, missing.

    ``year`` keeps the yearly duties of that year and the parts due in it, and whatever was done in it: work
    finished late, years after its deadline, counts in the year it was done (and counts as late).
    """
    rows = []
    held = own_items_by_unit(st)
    for name in plan.units:
        items = [x for x in held.get(name, ()) if x.role == "lead"]
        if year is not None:
            items = [x for x in items if (x.kind == "recurring" and _duty_year(plan, x.id) == year)
                     or (x.kind == "part" and x.due.year == year)
                     or (x.state == "done" and x.on is not None and x.on[:4] == str(year))]
        parts = [x for x in items if x.kind == "part"]
        duties = [x for x in items if x.kind == "recurring" and not x.waived]
        if not parts and not duties:
            continue
        # a waived share is not led: it leaves the count of parts led and is counted as waived
        owed = [x for x in parts if not x.waived]
        done = [x for x in owed if x.state == "done"]
        rows.append(RecordRow(
            name, len(owed), len(done), sum(1 for x in done if not x.late), sum(1 for x in done if x.late),
            sum(1 for x in parts if owes(x) and x.light == "red"),
            sum(1 for x in parts if x.review == "pending"), sum(1 for x in parts if x.review == "returned"),
            sum(1 for x in parts if x.extended_to), sum(1 for x in parts if x.waived),
            sum(1 for x in duties if x.state == "done" and not x.late),
            sum(1 for x in duties if x.state == "done" and x.late),
            sum(1 for x in duties if x.state != "done" and x.due < st.as_of)))
    rows.sort(key=lambda r: r.badness)
    return rows


def _duty_year(plan: Plan, ident: str) -> int:
    return plan.obligations[ident].year


def days_overdue(x: OwnItem, as_of: date) -> int:
    return (as_of - (x.extended_to or x.due)).days
