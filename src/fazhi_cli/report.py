"""The yearly report: what a unit or the district sends, computed once for every format.

``build`` turns (plan, events, year, as_of) into a ``Report``: plain data that
the Markdown, Word, Excel and HTML renderers draw and never recompute. It
uses ``progress.status`` and ``progress.latest`` as they are; what they do
not give (a unit's own light, what was completed in a given year, the units'
record, the replay over time for the charts) is computed here.

A unit's report speaks of the unit's own work: an item is done for the unit
when its own latest record says done; its light is green once it (or the
whole part) is done, otherwise red past the deadline and yellow within
``warn_days`` of it. The district report speaks of parts and yearly duties
as ``fazhi status`` and ``fazhi due`` do.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable, NamedTuple

from . import progress
from .errors import UsageError
from .i18n import t
from .plan import Plan

MAX_POINTS = 36  # monthly points up to three years, quarterly beyond


class Count(NamedTuple):
    """One section's parts by state and light (or the total, with id "")."""

    id: str
    title: str
    parts: int
    done: int
    done_late: int
    doing: int
    todo: int
    red: int
    yellow: int
    green: int


class Item(NamedTuple):
    """A part or a yearly duty, as one line of a report."""

    id: str
    kind: str                 # "part" or "duty"
    task: str | None
    section: str | None
    title: str                # the task's title, or the duty's
    text: str                 # the part's own text ("" for a duty)
    due: date
    role: str | None          # the unit's role in a unit's report: "lead" or "support"
    state: str                # the unit's own state (unit report) or the item's (district)
    light: str
    on: date | None           # the day it was completed, when it is
    late: bool                # completed after its deadline
    owing: tuple[str, ...]    # units that still owe it (district report)
    done_by: tuple[str, ...]  # units whose records completed it
    notes: tuple[str, ...]
    evidence: tuple[str, ...]


class UnitRecord(NamedTuple):
    """How one unit stands: its lead parts and its yearly duties due so far."""

    unit: str
    lead: int
    done: int
    done_late: int
    overdue: int
    duties_due: int
    duties_done: int
    duties_overdue: int


class Point(NamedTuple):
    day: date
    done: dict[str, int]      # section id -> parts done by that day


class Report(NamedTuple):
    plan_title: str
    plan_number: str
    issuer: str
    target: date
    year: int
    as_of: date
    warn_days: int
    unit: str | None          # None: the district report
    unit_full_name: str
    sections: tuple[Count, ...]
    total: Count
    held: tuple[Item, ...]    # a unit's report: everything the unit holds for the year
    completed: tuple[Item, ...]   # completed during the year (by as_of)
    pending: tuple[Item, ...]     # not done, deadline not passed
    overdue: tuple[Item, ...]     # not done, deadline passed
    units: tuple[UnitRecord, ...]  # the district report: every responsible unit's record
    timeline: tuple[Point, ...]
    section_titles: dict[str, str]
    # Reviews and extensions belong here once supervision exists; until
    # then it stays None and no renderer shows a section for it.
    supervision: Any = None

    @property
    def period(self) -> tuple[date, date]:
        return date(self.year, 1, 1), date(self.year, 12, 31)


# --- the year and the day -------------------------------------------------------

def plan_years(plan: Plan) -> tuple[int, int]:
    """The years a report can be written for: from signing to the last deadline."""
    dues = [p.due for p in plan.parts.values()] + [o.due for o in plan.obligations.values()]
    first = (plan.signed or plan.published or min(dues)).year
    last = max([plan.target, *dues]).year
    return first, last


def report_day(plan: Plan, year: int, as_of: date | None, today: date) -> date:
    """The day a report for ``year`` is drawn up as of: the year's end unless said otherwise."""
    first, last = plan_years(plan)
    if not first <= year <= last:
        raise UsageError(t("--year {y}: 本方案的年份为 {a}-{b} 年", "--year {y}: this plan covers {a}-{b}",
                           y=year, a=first, b=last))
    day = as_of if as_of is not None else min(date(year, 12, 31), today)
    if day < date(year, 1, 1):
        if as_of is None:
            raise UsageError(t("{y} 年尚未开始(今天是 {d})", "{y} has not begun (today is {d})", y=year, d=today))
        raise UsageError(t("--as-of {d} 早于 {y} 年", "--as-of {d} is before {y}", d=day, y=year))
    return day


# --- building ---------------------------------------------------------------------

def _section_short(heading: str) -> str:
    return heading.split(",")[0].rstrip("。")


def _natural(ident: str) -> tuple:
    return tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in ident.replace("-", ".").split("."))


def _order(item: Item) -> tuple:
    return (item.due, item.kind != "part", _natural(item.id))


def evidence_text(item: Any) -> str:
    """One piece of evidence as a reader sees it: a number, an address, or a file and its fingerprint."""
    if isinstance(item, dict):
        value = str(item.get("value", ""))
        if item.get("kind") == "file":
            name = value.replace("\\", "/").rsplit("/", 1)[-1]
            digest = str(item.get("sha256", ""))[:12]
            return f"{name}(SHA-256 {digest})" if digest else name
        return value
    return str(item)


def _own_light(due: date, done: bool, as_of: date, warn_days: int) -> str:
    return progress.light(due, done, as_of, warn_days)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def build(plan: Plan, events: Iterable[Any], *, year: int, as_of: date, unit: str | None = None,
          warn_days: int | None = None) -> Report:
    """Everything a report for ``year`` shows, as of ``as_of``; ``unit`` for a unit's own report."""
    events = list(events)
    st = progress.status(plan, events, as_of, warn_days)
    best = progress.latest(events, as_of)
    titles = {s.id: s.heading for s in plan.sections}
    first, last = date(year, 1, 1), date(year, 12, 31)
    common = dict(plan_title=plan.title, plan_number=plan.number, issuer=plan.issuer, target=plan.target,
                  year=year, as_of=as_of, warn_days=st.warn_days, section_titles=titles)
    if unit is None:
        return _district(plan, st, best, events, first, last, common)
    return _unit(plan, st, best, events, unit, first, last, common)


def _in_year(day: date | None, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


def _notes(best: dict, target: str, units: Iterable[str], several: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    notes, evidence = [], []
    for u in units:
        e = best.get((target, u))
        if e is None:
            continue
        if e.note:
            notes.append(f"{u}: {e.note}" if several else e.note)
        evidence.extend(evidence_text(x) for x in e.evidence)
    return tuple(notes), tuple(dict.fromkeys(evidence))


def _district(plan: Plan, st: progress.Status, best: dict, events: list, first: date, last: date,
              common: dict) -> Report:
    as_of = st.as_of
    completed, pending, overdue = [], [], []
    for ts in st.tasks:
        for ps in ts.parts:
            p = ps.part
            on = _day(ps.done_on)
            notes, evidence = ((), ())
            if ps.state == "done":
                notes, evidence = _notes(best, p.id, p.lead_units, len(p.lead_units) > 1)
            item = Item(p.id, "part", p.task, ts.task.section, ts.task.title, p.text, p.due, None, ps.state,
                        ps.light, on, ps.late, ps.owing, p.lead_units if ps.state == "done" else (), notes, evidence)
            if ps.state == "done":
                if _in_year(on, first, last):
                    completed.append(item)
            elif ps.light == "red":
                overdue.append(item)
            else:
                pending.append(item)
    for ds in st.duties:
        d = ds.duty
        done_days = [u.on for u in ds.units if u.state == "done" and u.on]
        on = _day(max(done_days)) if ds.state == "done" and done_days else None
        section = plan.tasks[d.task].section if d.task in plan.tasks else None
        notes, evidence = _notes(best, d.id, d.units, len(d.units) > 1) if ds.state == "done" else ((), ())
        item = Item(d.id, "duty", d.task, section, d.title, "", d.due, None, ds.state, ds.light, on, ds.late,
                    ds.owing, d.units if ds.state == "done" else (), notes, evidence)
        if ds.state == "done":
            if _in_year(on, first, last):
                completed.append(item)
        elif ds.light == "red":
            overdue.append(item)
        elif d.due.year <= first.year + 1:  # this year's and next year's duties, not the whole plan's
            pending.append(item)
    sections, total = _counts(plan, [(ps.part, ps.state, ps.light, ps.late) for ts in st.tasks for ps in ts.parts])
    return Report(unit=None, unit_full_name="", sections=sections, total=total, held=(),
                  completed=tuple(sorted(completed, key=_order)), pending=tuple(sorted(pending, key=_order)),
                  overdue=tuple(sorted(overdue, key=_order)), units=_records(plan, st, as_of),
                  timeline=_timeline(plan, events, as_of, None, st.warn_days), **common)


def _unit(plan: Plan, st: progress.Status, best: dict, events: list, unit: str, first: date, last: date,
          common: dict) -> Report:
    as_of, warn = st.as_of, st.warn_days
    held: list[Item] = []
    scored = []
    for ts in st.tasks:
        for ps in ts.parts:
            own = next((u for u in ps.units if u.unit == unit), None)
            if own is None:
                continue
            p = ps.part
            on = _day(own.on) if own.state == "done" else None
            light = _own_light(p.due, own.state == "done" or ps.state == "done", as_of, warn)
            e = best.get((p.id, unit))
            held.append(Item(p.id, "part", p.task, ts.task.section, ts.task.title, p.text, p.due, own.role, own.state,
                             light, on, on is not None and on > p.due, ps.owing, (unit,) if on else (),
                             (e.note,) if e and e.note else (),
                             tuple(evidence_text(x) for x in e.evidence) if e else ()))
            scored.append((p, own.state, light, on is not None and on > p.due))
    for ds in st.duties:
        d = ds.duty
        own = next((u for u in ds.units if u.unit == unit), None)
        if own is None or not (d.year == first.year or d.due.year == first.year):
            continue
        on = _day(own.on) if own.state == "done" else None
        e = best.get((d.id, unit))
        section = plan.tasks[d.task].section if d.task in plan.tasks else None
        held.append(Item(d.id, "duty", d.task, section, d.title, "", d.due, "lead", own.state,
                         _own_light(d.due, own.state == "done", as_of, warn), on, on is not None and on > d.due,
                         ds.owing, (unit,) if on else (), (e.note,) if e and e.note else (),
                         tuple(evidence_text(x) for x in e.evidence) if e else ()))
    held.sort(key=_order)
    completed = [i for i in held if i.state == "done" and _in_year(i.on, first, last)]
    # a part its leads have finished is not the unit's to do any more
    finished = _done_parts(st)
    open_items = [i for i in held if i.state != "done" and not (i.kind == "part" and i.id in finished)]
    overdue = [i for i in open_items if i.light == "red"]
    pending = [i for i in open_items if i.light != "red"]
    sections, total = _counts(plan, scored)
    return Report(unit=unit, unit_full_name=plan.units[unit].full_name if unit in plan.units else "",
                  sections=sections, total=total, held=tuple(held), completed=tuple(completed),
                  pending=tuple(pending), overdue=tuple(overdue), units=(),
                  timeline=_timeline(plan, events, as_of, unit, warn), **common)


def _done_parts(st: progress.Status) -> set[str]:
    return {ps.part.id for ts in st.tasks for ps in ts.parts if ps.state == "done"}


def _counts(plan: Plan, scored: list) -> tuple[tuple[Count, ...], Count]:
    """Per-section counts of (part, state, light, late) rows, and their total."""
    rows = []
    for sec in plan.sections:
        mine = [x for x in scored if plan.tasks[x[0].task].section == sec.id]
        if mine:
            rows.append(_count(sec.id, _section_short(sec.heading), mine))
    return tuple(rows), _count("", t("合计", "Total"), scored)


def _count(sid: str, title: str, rows: list) -> Count:
    states = [r[1] for r in rows]
    lights = [r[2] for r in rows]
    return Count(sid, title, len(rows), states.count("done"), sum(1 for r in rows if r[1] == "done" and r[3]),
                 states.count("doing"), states.count("todo"), lights.count("red"), lights.count("yellow"),
                 lights.count("green"))


def _records(plan: Plan, st: progress.Status, as_of: date) -> tuple[UnitRecord, ...]:
    rec: dict[str, list[int]] = {}
    for ts in st.tasks:
        for ps in ts.parts:
            for u in ps.units:
                if u.role != "lead":
                    continue
                r = rec.setdefault(u.unit, [0] * 7)
                r[0] += 1
                if u.state == "done":
                    r[1] += 1
                    r[2] += bool(u.on and u.on > ps.part.due.isoformat())
                elif ps.state != "done" and ps.part.due < as_of:
                    r[3] += 1
    for ds in st.duties:
        if ds.duty.due > as_of:
            continue
        for u in ds.units:
            r = rec.setdefault(u.unit, [0] * 7)
            r[4] += 1
            if u.state == "done":
                r[5] += 1
            elif ds.duty.due < as_of:
                r[6] += 1
    order = {name: i for i, name in enumerate(plan.units)}
    out = [UnitRecord(name, *r[:7]) for name, r in rec.items()]
    out.sort(key=lambda r: (-(r.overdue + r.duties_overdue), order.get(r.unit, 0)))
    return tuple(out)


# --- the replay behind the charts ---------------------------------------------------

def points(start: date, end: date) -> list[date]:
    """Month ends from ``start``'s month to ``end`` (quarter ends when that is too many), ending on ``end``."""
    if end < start:
        return [end]
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = 1 if months <= MAX_POINTS else 3
    out = []
    y, m = start.year, start.month
    if step == 3:
        m = ((m - 1) // 3) * 3 + 1
    while True:
        m2 = m + step - 1
        y2, m2 = y + (m2 - 1) // 12, (m2 - 1) % 12 + 1
        last = date(y2 + (m2 == 12), m2 % 12 + 1, 1) - timedelta(days=1)
        if last >= end:
            break
        out.append(last)
        y, m = y2 + (m2 == 12), m2 % 12 + 1
    out.append(end)
    return out


def _timeline(plan: Plan, events: list, as_of: date, unit: str | None, warn_days: int) -> tuple[Point, ...]:
    start = plan.signed or plan.published or date(as_of.year, 1, 1)
    section_of = {p.id: plan.tasks[p.task].section for p in plan.parts.values()}
    out = []
    for day in points(start, as_of):
        done = {s.id: 0 for s in plan.sections}
        if unit is None:
            for ts in progress.status(plan, events, day, warn_days).tasks:
                done[ts.task.section] += sum(1 for ps in ts.parts if ps.state == "done")
        else:
            for (target, who), e in progress.latest(events, day).items():
                if who == unit and e.state == "done" and target in section_of:
                    done[section_of[target]] += 1
        out.append(Point(day, done))
    return tuple(out)
