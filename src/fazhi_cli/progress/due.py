"""What falls due: deadlines in a window and everything overdue, soonest first."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from ..plan.model import is_ongoing
from .status import Status, own_items


class DueItem(NamedTuple):
    due: date
    kind: str               # "part" or "recurring"
    id: str                 # part id or yearly duty id
    task: str | None
    part: str | None
    title: str              # the part's own phrase, or the duty's title
    units: tuple[str, ...]  # still owing it (for a unit's view: that unit, until it is done)
    days_left: int
    light: str
    state: str
    done_on: str | None = None
    late: bool = False      # done after the due date (the original date: 按原定时间考核)
    extended_to: date | None = None   # the due date the light is computed against, when extended
    waived: str | None = None         # why it no longer applies
    review: str | None = None         # "pending", "accepted" or "returned" (退回: sent back, doing again)


def _horizon(as_of: date, within: int) -> date:
    try:
        return as_of + timedelta(days=within)
    except OverflowError:
        return date.max


def due_items(st: Status, *, within: int = 30, unit: str | None = None, everything: bool = False) -> list[DueItem]:
    """Deadlines in [as_of, as_of + within] and everything overdue, soonest first.

    ``everything`` lists every deadline whatever its window or state, with its
    state and whether it was done late, and ongoing work (长期), last. ``unit`` shows that unit's own view:
    the items it still owes as a lead (with ``everything``: every item it holds),
    each lit by the unit's own state, not by other units'.
    """
    as_of = st.as_of
    horizon = _horizon(as_of, within)
    items: list[DueItem] = []

    def keep(due: date, state: str, waived: str | None) -> bool:
        # ongoing work (长期) never falls due: only the listing of everything shows it
        return everything or (state != "done" and not waived and due <= horizon and not is_ongoing(due))

    if unit is not None:
        for own in own_items(st, unit):
            settled = own.state == "done" or own.item_state == "done" or own.waived
            if (everything or own.role == "lead") and keep(own.extended_to or own.due, "done" if settled else
                                                           own.state, own.waived):
                part = own.id if own.kind == "part" else None
                items.append(DueItem(own.due, own.kind, own.id, own.task, part, own.title,
                                     () if settled else (unit,), ((own.extended_to or own.due) - as_of).days,
                                     own.light, own.state, own.on if own.state == "done" else None, own.late,
                                     own.extended_to, own.waived, own.review))
    else:
        for ts in st.tasks:
            for ps in ts.parts:
                p = ps.part
                if keep(ps.extended_to or p.due, ps.state, ps.waived):
                    items.append(DueItem(p.due, "part", p.id, p.task, p.id, ps.title, ps.owing,
                                         ((ps.extended_to or p.due) - as_of).days, ps.light, ps.state, ps.done_on,
                                         ps.late, ps.extended_to, ps.waived, ps.review))
        for ds in st.duties:
            d = ds.duty
            if keep(ds.extended_to or d.due, ds.state, ds.waived):
                items.append(DueItem(d.due, "recurring", d.id, d.task, d.part, d.title, ds.owing,
                                     ((ds.extended_to or d.due) - as_of).days, ds.light, ds.state, ds.done_on,
                                     ds.late, ds.extended_to, ds.waived, ds.review))
    items.sort(key=lambda i: (i.due, i.kind != "part", natural(i.id)))
    return items


def natural(ident: str) -> tuple:
    # "2.10" after "2.9"; numbers before words so mixed ids still compare
    # (ASCII digits only: "²".isdigit() is true, int("²") fails)
    return tuple((0, int(x), "") if x.isascii() and x.isdigit() else (1, 0, x)
                 for x in ident.replace("-", ".").split("."))
