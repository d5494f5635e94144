"""The yearly report: what a unit or the district sends, computed once for every format.

``build`` turns (plan, events, year, as_of) into a ``Report``: plain data that
the Markdown, Word, Excel and HTML renderers draw and never recompute.

States, lights, evidence and the supervising office's acts come from
``progress`` exactly as the views show them, by one rule: a part or a
yearly duty as ``progress.status`` has it, a unit's own item as
``progress.own_items`` has it (``fazhi status --unit``), the units' record
as ``progress.supervision.units_record`` has it. What ``progress`` does not
give is chosen here: which items belong to a year's report, the notes of
the marks in force, and the replay over time behind the charts.

A unit's report holds every part the unit has, its yearly duties of that
year, and whatever else it still owes past its deadline on the report's
day, whatever year that was due.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable, NamedTuple, Sequence

from . import progress
from .errors import UsageError
from .i18n import t
from .plan import Plan
from .progress.supervision import RecordRow, units_record

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
    title: str                # the part's own phrase (as the views name it), or the duty's title
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
    evidence: tuple           # as recorded: every item of the pairs' marks and attachments
    review: str | None = None         # "pending" (待审核), "accepted" (已销号) or "returned" (退回)
    extended_to: date | None = None   # the due date the light is computed against, when extended
    waived: str | None = None         # why it no longer applies
    year: int | None = None           # a yearly duty's own year (summary-2017: 2017)

    @property
    def until(self) -> date:
        """The date the light and the days left or late are counted against."""
        return self.extended_to or self.due


class Act(NamedTuple):
    """One line of the supervision section: an item, the units it concerns, what the office did or awaits."""

    id: str
    title: str
    units: tuple[str, ...]
    what: str                 # "pending", "accepted", "returned", "extended" or "waived"
    due: date
    extended_to: date | None
    note: str                 # the office's note, the extension's reason, the waiver's reason


ACT_KINDS = ("pending", "accepted", "returned", "extended", "waived")


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
    units: tuple[RecordRow, ...]  # the district report: progress.supervision.units_record
    timeline: tuple[Point, ...]
    section_titles: dict[str, str]
    # Reviews, extensions and waivers, when the plan names a supervising
    # unit (None otherwise: no renderer shows a section for it).
    supervision: tuple[Act, ...] | None = None
    # who signs the district report (its 落款): the supervising unit, else the plan's issuer
    office: str = ""
    level: str = "区"             # the plan's level of government (区, 县, 市…), as in 全区

    @property
    def period(self) -> tuple[date, date]:
        return date(self.year, 1, 1), date(self.year, 12, 31)


# --- the year and the day -------------------------------------------------------

def plan_years(plan: Plan, today: date | None = None) -> tuple[int, int]:
    """The years a report can be written for: from signing to the last deadline, or to ``today`` when later
    (work done late, and its evidence, belongs to the year it was done in)."""
    # ongoing work (长期) has no due date, so it names no year
    dues = [p.due for p in plan.parts.values() if not p.ongoing] + [o.due for o in plan.obligations.values()]
    first = (plan.signed or plan.published or min(dues, default=plan.target)).year
    last = max([plan.target, *dues, *([today] if today else [])]).year
    return first, last


def years_phrase(first: int, last: int) -> str:
    """2020 年, or 2016 年至 2026 年: a range as a person writes it."""
    return t("{a} 年", "{a}", a=first) if first == last else t("{a} 年至 {b} 年", "{a} to {b}", a=first, b=last)


def report_day(plan: Plan, year: int, as_of: date | None, today: date) -> date:
    """The day a report for ``year`` is drawn up as of: the year's end unless said otherwise."""
    first, last = plan_years(plan, today)
    if not first <= year <= last:
        raise UsageError(t("--year {y}：本方案可报告的年份为 {r}", "--year {y}: this plan can be reported for {r}",
                           y=year, r=years_phrase(first, last)))
    day = as_of if as_of is not None else min(date(year, 12, 31), today)
    if day < date(year, 1, 1):
        if as_of is None:
            raise UsageError(t("{y} 年尚未开始(今天是 {d})", "{y} has not begun (today is {d})", y=year, d=today))
        raise UsageError(t("--as-of {d} 早于 {y} 年", "--as-of {d} is before {y}", d=day, y=year))
    return day


# --- building ---------------------------------------------------------------------

def _section_short(heading: str) -> str:
    return heading.split(",")[0].rstrip("。")


def _order(item: Item) -> tuple:
    return (item.due, item.kind != "part", progress.natural(item.id))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class _Context(NamedTuple):
    plan: Plan
    st: progress.Status
    best: dict                # (target, unit) -> progress.Pair: the notes of the marks in force
    acts: progress.Acts       # the office's extensions and waivers: their reasons
    first: date
    last: date


def build(plan: Plan, events: Iterable[Any], *, year: int, as_of: date, unit: str | None = None,
          warn_days: int | None = None, charts: bool = True) -> Report:
    """Everything a report for ``year`` shows, as of ``as_of``; ``unit`` for a unit's own report.

    ``charts``: False when no chart will be drawn (Markdown, Excel): the replay over time behind them, a
    third of a report's work at 100,000 records, is skipped and ``timeline`` is empty."""
    events = list(events)
    best, acts = progress.replay_all(events, as_of)
    st = progress.status_of(plan, best, acts, as_of, warn_days)
    ctx = _Context(plan, st, best, acts, date(year, 1, 1), date(year, 12, 31))
    titles = {s.id: s.heading for s in plan.sections}
    common = dict(plan_title=plan.title, plan_number=plan.number, issuer=plan.issuer, level=plan.level,
                  target=plan.target,
                  year=year, as_of=as_of, warn_days=st.warn_days, section_titles=titles,
                  office=plan.supervision.units[0] if plan.supervision.units else plan.issuer)
    if not charts:
        events = None
    if unit is None:
        return _district(ctx, events, common)
    return _unit(ctx, events, unit, common)


def _in_year(day: date | None, ctx: _Context) -> bool:
    return day is not None and ctx.first <= day <= ctx.last


def _of_year(duty_year: int, due: date, ctx: _Context) -> bool:
    """A yearly duty belongs to a year's report when it is that year's or falls due in it."""
    return duty_year == ctx.first.year or due.year == ctx.first.year


def _section_of(plan: Plan, task: str | None) -> str | None:
    return plan.tasks[task].section if task in plan.tasks else None


def _notes(ctx: _Context, target: str, units: Sequence[str]) -> tuple[str, ...]:
    """The notes of the units' marks in force (named by unit when there are several)."""
    several = len(units) > 1
    notes = []
    for u in units:
        pair = ctx.best.get((target, u))
        if pair is not None and pair.event.note:
            notes.append(f"{u}: {pair.event.note}" if several else pair.event.note)
    return tuple(notes)


def _evidence(states: Iterable[progress.UnitState]) -> tuple:
    out: dict = {}
    for u in states:
        for x in u.evidence:
            out.setdefault(_key(x), x)
    return tuple(out.values())


def _key(x: Any) -> Any:
    return tuple(sorted(x.items())) if isinstance(x, dict) else x


def _district(ctx: _Context, events: list | None, common: dict) -> Report:
    plan, st = ctx.plan, ctx.st
    completed, pending, overdue = [], [], []
    for ts in st.tasks:
        for ps in ts.parts:
            p = ps.part
            leads = [u for u in ps.units if u.role == "lead" and not u.waived]
            done = ps.state == "done"
            notes = _notes(ctx, p.id, [u.unit for u in leads]) if done else ()
            item = Item(p.id, "part", p.task, ts.task.section, ps.title, p.text, p.due, None, ps.state,
                        ps.light, _day(ps.done_on), ps.late, ps.owing, tuple(u.unit for u in leads) if done else (),
                        notes, _evidence(leads) if done else (), ps.review, ps.extended_to, ps.waived)
            _place(item, completed, pending, overdue, ctx, keep_pending=True)
    for ds in st.duties:
        d = ds.duty
        units = [u for u in ds.units if not u.waived]
        done = ds.state == "done"
        notes = _notes(ctx, d.id, [u.unit for u in units]) if done else ()
        item = Item(d.id, "duty", d.task, _section_of(plan, d.task), d.title, "", d.due, None, ds.state, ds.light,
                    _day(ds.done_on), ds.late, ds.owing, tuple(u.unit for u in units) if done else (), notes,
                    _evidence(units) if done else (), ds.review, ds.extended_to, ds.waived, d.year)
        # this year's and next year's duties are pending, not the whole plan's
        _place(item, completed, pending, overdue, ctx, keep_pending=d.due.year <= ctx.first.year + 1)
    sections, total = _counts(plan, [(ps.part.task, ps) for ps in st.parts])
    return Report(unit=None, unit_full_name="", sections=sections, total=total, held=(),
                  completed=tuple(sorted(completed, key=_order)), pending=tuple(sorted(pending, key=_order)),
                  overdue=tuple(sorted(overdue, key=_order)), units=tuple(units_record(plan, st)),
                  timeline=_timeline(plan, events, st.as_of, None, st.warn_days),
                  supervision=_district_acts(ctx), **common)


def _place(item: Item, completed: list, pending: list, overdue: list, ctx: _Context, keep_pending: bool) -> None:
    if item.state == "done":
        if _in_year(item.on, ctx):
            completed.append(item)
    elif item.light == "red":
        overdue.append(item)
    elif not item.waived and keep_pending:
        pending.append(item)


def _unit(ctx: _Context, events: list | None, unit: str, common: dict) -> Report:
    plan, st = ctx.plan, ctx.st
    held: list[Item] = []
    own: dict[str, progress.OwnItem] = {}
    for x in progress.own_items(st, unit):
        on = _day(x.on) if x.state == "done" else None
        if x.kind != "part":
            # the year's duties, and any other the unit completed that year or still owes past its deadline
            if not (_of_year(plan.obligations[x.id].year, x.due, ctx) or _in_year(on, ctx) or x.light == "red"):
                continue
        own[x.id] = x
        held.append(Item(x.id, "part" if x.kind == "part" else "duty", x.task, _section_of(plan, x.task), x.title,
                         plan.parts[x.id].text if x.kind == "part" else "", x.due, x.role, x.state, x.light, on,
                         x.late, () if x.state == "done" else (unit,), (unit,) if on else (), _notes(ctx, x.id, [unit]),
                         x.evidence, x.review, x.extended_to, x.waived,
                         None if x.kind == "part" else plan.obligations[x.id].year))
    held.sort(key=_order)
    completed = [i for i in held if i.state == "done" and _in_year(i.on, ctx)]
    overdue = [i for i in held if i.light == "red"]
    # not pending: what the unit has done, what is done as a whole (a support unit owes nothing more to a
    # part its leads finished), and what no longer applies to it
    pending = [i for i in held if i.light != "red" and i.state != "done" and own[i.id].item_state != "done"
               and not i.waived]
    sections, total = _counts(plan, [(x.task, x) for x in own.values() if x.kind == "part"])
    acts = None
    if plan.supervision.units:
        acts = tuple(a for i in held for a in _acts_of(ctx, i.id, i.title, i.due, [(unit, own[i.id])]))
    return Report(unit=unit, unit_full_name=plan.units[unit].full_name if unit in plan.units else "",
                  sections=sections, total=total, held=tuple(held), completed=tuple(completed),
                  pending=tuple(pending), overdue=tuple(overdue), units=(),
                  timeline=_timeline(plan, events, st.as_of, unit, st.warn_days), supervision=acts, **common)


def _counts(plan: Plan, rows: Sequence[tuple[str, Any]]) -> tuple[tuple[Count, ...], Count]:
    """Per-section counts of (task id, part or own item) rows by ``progress.count``, and their total."""
    out = []
    for sec in plan.sections:
        mine = [x for task, x in rows if plan.tasks[task].section == sec.id]
        if mine:
            out.append(_count(sec.id, _section_short(sec.heading), mine))
    return tuple(out), _count("", t("合计", "Total"), [x for _, x in rows])


def _count(sid: str, title: str, rows: Sequence[Any]) -> Count:
    c = progress.count(rows)
    return Count(sid, title, c["parts"], c["done"], c["done_late"], c["doing"], c["todo"], c["red"], c["yellow"],
                 c["green"])


# --- supervision: the office's reviews, extensions and waivers ------------------------

def _acts_of(ctx: _Context, ident: str, title: str, due: date, standing: Iterable[tuple[str, Any]]) -> list[Act]:
    """An item's acts, one line per (what, date, note), naming every unit it concerns.

    ``standing``: (unit, its ``UnitState`` or ``OwnItem``), which carry the same supervision fields.
    """
    groups: dict[tuple, list[str]] = {}
    for unit, u in standing:
        keys = []
        if u.waived:
            keys.append(("waived", None, "" if u.waived == "-" else u.waived))
        else:
            if u.review in ("accepted", "returned") or (u.review == "pending" and u.state == "done"):
                keys.append((u.review, None, u.review_note))
            if u.extended_to:
                keys.append(("extended", u.extended_to, _reason(ctx.acts.extension(ident, unit))))
        for key in keys:
            groups.setdefault(key, []).append(unit)
    rows = [Act(ident, title, tuple(names), what, due, until, note) for (what, until, note), names in groups.items()]
    rows.sort(key=lambda a: ACT_KINDS.index(a.what))
    return rows


def _reason(event: Any) -> str:
    if event is None:
        return ""
    if event.approved_by:
        return t("{r}（{a}批准）", "{r} (approved by {a})", r=event.note, a=event.approved_by)
    return event.note


def _district_acts(ctx: _Context) -> tuple[Act, ...] | None:
    if not ctx.plan.supervision.units:
        return None
    out: list[Act] = []
    for ps in ctx.st.parts:
        out += _acts_of(ctx, ps.part.id, ps.title, ps.part.due, [(u.unit, u) for u in ps.units])
    for ds in ctx.st.duties:
        out += _acts_of(ctx, ds.duty.id, ds.duty.title, ds.duty.due, [(u.unit, u) for u in ds.units])
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


def _timeline(plan: Plan, events: list | None, as_of: date, unit: str | None, warn_days: int) -> tuple[Point, ...]:
    """Parts done per section at each point: the district's by ``status``, a unit's own by ``own_items``; none
    without the records (no chart is drawn).

    One pass over the records in date order: at each point only the parts whose pairs, extensions or waivers
    changed since the point before are worked out again (and those a reform hands to another unit, whose
    holder depends on the day)."""
    if events is None:
        return ()
    start = plan.signed or plan.published or date(as_of.year, 1, 1)
    olds = {s.old for s in plan.successions}
    moving = {p.id for p in plan.parts.values() if not olds.isdisjoint(p.lead_units + p.support_units)}
    # a unit's chart counts its own shares: the parts it holds, and those a reform may hand it
    section = {p.id: plan.tasks[p.task].section for p in plan.parts.values()
               if unit is None or p.id in moving or unit in p.lead_units or unit in p.support_units}
    # the pairs the chart looks at: a part's lead units' (all that decide whether it is done) and the units a
    # reform hands it to; a unit's chart, every unit's of its parts (whose shares name it among them)
    heirs = {s.new for s in plan.successions}
    wanted = {(p.id, u) for p in map(plan.parts.__getitem__, section)
              for u in (p.lead_units if unit is None else p.lead_units + p.support_units)}
    wanted |= {(pid, u) for pid in moving for u in heirs}
    done_now: dict[str, bool] = {}
    out = []
    for day, pairs, acts, targets in progress.replay_days(events, points(start, as_of), wanted):
        ids = list(section) if targets is None else [x for x in (targets | moving) if x in section]
        parts = [plan.parts[x] for x in ids]
        if unit is None:
            done_now.update(zip(ids, progress.parts_done_on(plan, pairs, acts, day, parts)))
        else:
            for ps in progress.parts_on(plan, pairs, acts, day, warn_days, parts):
                done_now[ps.part.id] = any(u.unit == unit and u.state == "done" for u in ps.units)
        done = {s.id: 0 for s in plan.sections}
        for pid, is_done in done_now.items():
            if is_done:
                done[section[pid]] += 1
        out.append(Point(day, done))
    return tuple(out)
