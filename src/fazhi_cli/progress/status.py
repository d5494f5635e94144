"""States and lights of parts, tasks and yearly duties on a day.

* A part is done when every lead unit has it done, doing when any of its
  units has started (shown as 配合单位已启动 while only support units have),
  otherwise todo.
  A task combines its parts the same way. A part done after its due date is
  done but late; its completion date is the day its last lead unit finished.
* A yearly duty is owed by each of its units separately: each unit's own
  submission is on time, late, or missing.
* Light: red when not done and due before D, yellow when not done and due
  within ``warn_days`` of D, green otherwise. Ongoing work (长期) has no due
  date: it is never red or yellow, and is counted apart. A unit's own view lights each
  item by that unit's own state.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Iterator, NamedTuple, Sequence

from ..ledger.model import Event
from ..plan.model import Obligation, Part, Plan, Task, is_ongoing
from .replay import Acts, replay_all

LIGHT_RANK = {"green": 0, "yellow": 1, "red": 2}


def light(due: date, done: bool, as_of: date, warn_days: int) -> str:
    if done:
        return "green"
    if due < as_of:
        return "red"
    return "yellow" if (due - as_of).days <= warn_days else "green"


def combine(states: Iterable[str]) -> str:
    states = list(states)
    if states and all(s == "done" for s in states):
        return "done"
    return "doing" if any(s in ("doing", "done") for s in states) else "todo"


class UnitState(NamedTuple):
    unit: str
    role: str           # "lead" or "support"
    state: str
    on: str | None      # the first day of the standing state
    evidence: tuple = ()
    review: str | None = None     # "pending" (待审核), "accepted" (已销号) or "returned" (退回)
    review_note: str = ""
    extended_to: date | None = None   # this unit's due date, extended by the supervising office
    waived: str | None = None     # why the item no longer applies to this unit
    succeeds: str | None = None   # the unit whose responsibility this unit took over

    def late(self, due: date) -> bool:
        """Done after the due date: lateness is always against the original date (按原定时间考核)."""
        return self.state == "done" and self.on is not None and self.on > due.isoformat()


class PartStatus(NamedTuple):
    part: Part
    state: str
    light: str
    late: bool
    done_on: str | None
    units: tuple[UnitState, ...]
    title: str = ""          # the part's own phrase
    review: str | None = None          # over its lead units: "pending", "accepted" or "returned"
    extended_to: date | None = None    # the extended due date the light is computed against
    waived: str | None = None          # why the part no longer applies

    @property
    def support_done(self) -> int:
        return sum(1 for u in self.units if u.role == "support" and u.state == "done")

    @property
    def support_total(self) -> int:
        return sum(1 for u in self.units if u.role == "support")

    # A waived lead share leaves the count: the part is owed by the leads it still applies to.
    @property
    def lead_done(self) -> int:
        return sum(1 for u in self.units if u.role == "lead" and u.state == "done" and not u.waived)

    @property
    def lead_total(self) -> int:
        return sum(1 for u in self.units if u.role == "lead" and not u.waived)

    @property
    def lead_waived(self) -> int:
        return sum(1 for u in self.units if u.role == "lead" and u.waived)

    @property
    def support_only(self) -> bool:
        """Doing, but only support units have started: no lead unit has."""
        return self.state == "doing" and all(u.state == "todo" for u in self.units if u.role == "lead")

    @property
    def owing(self) -> tuple[str, ...]:
        return tuple(u.unit for u in self.units if u.role == "lead" and u.state != "done" and not u.waived)

    @property
    def due(self) -> date:
        return self.part.due

    @property
    def id(self) -> str:
        return self.part.id


class TaskStatus(NamedTuple):
    task: Task
    state: str
    light: str
    late: bool
    due: date
    parts: tuple[PartStatus, ...]
    review: str | None = None    # "returned" while any of its parts has a share sent back (退回)


class DutyStatus(NamedTuple):
    duty: Obligation
    state: str
    light: str
    late: bool
    units: tuple[UnitState, ...]
    done_on: str | None = None
    review: str | None = None
    extended_to: date | None = None
    waived: str | None = None

    @property
    def owing(self) -> tuple[str, ...]:
        return tuple(u.unit for u in self.units if u.state != "done" and not u.waived)

    @property
    def due(self) -> date:
        return self.duty.due

    @property
    def id(self) -> str:
        return self.duty.id

    @property
    def title(self) -> str:
        return self.duty.title

    def submissions(self) -> dict[str, list[UnitState]]:
        """报送情况: the units that submitted on time, late, and not at all."""
        out: dict[str, list[UnitState]] = {"on_time": [], "late": [], "missing": []}
        for u in self.units:
            if not u.waived:
                out["missing" if u.state != "done" else "late" if u.late(self.duty.due) else "on_time"].append(u)
        return out


class Status(NamedTuple):
    as_of: date
    warn_days: int
    tasks: tuple[TaskStatus, ...]
    duties: tuple[DutyStatus, ...]
    known_at: str | None = None
    closed: str | None = None     # the day the supervising office closed the plan, if it stands closed

    @property
    def parts(self) -> list[PartStatus]:
        return [p for ts in self.tasks for p in ts.parts]

    def summary(self, parts: Iterable[PartStatus] | None = None) -> dict[str, int]:
        return count(self.parts if parts is None else parts)


def count(items: Iterable[PartStatus | DutyStatus | OwnItem]) -> dict[str, int]:
    """The numbers a header quotes, from exactly the rows it heads."""
    out = {"parts": 0, "done": 0, "done_on_time": 0, "done_late": 0, "doing": 0, "support_only": 0, "todo": 0,
           "red": 0, "yellow": 0, "green": 0, "accepted": 0, "pending_review": 0, "returned": 0, "extended": 0,
           "waived": 0}
    for x in items:
        out["parts"] += 1
        out[x.state] += 1
        if getattr(x, "support_only", False):
            out["support_only"] += 1
        review = getattr(x, "review", None)
        if review:
            out["pending_review" if review == "pending" else review] += 1
        if getattr(x, "extended_to", None):
            out["extended"] += 1
        if getattr(x, "waived", None):
            out["waived"] += 1
        if x.state == "done":
            out["done_late" if x.late else "done_on_time"] += 1
        out[x.light] += 1
        if x.state != "done" and is_ongoing(x.due):
            # ongoing work (长期) still open: counted apart, and only where there is some, so that a plan
            # without any reads as it always did
            out["ongoing"] = out.get("ongoing", 0) + 1
    return out


class _Day(NamedTuple):
    """What every item of one status is computed against."""

    plan: Plan
    best: dict
    acts: Acts
    as_of: date
    warn: int


def _unit_states(target: str, roles: Iterable[tuple[str, str]], ctx: _Day) -> tuple[UnitState, ...]:
    # Runs once per unit of every part: 27,000 times for a city-wide plan, so what does not change
    # from one unit to the next is looked up once, and UnitState is made by tuple.__new__.
    out: list[UnitState] = []
    seen: set[str] = set()
    plan, get, acts = ctx.plan, ctx.best.get, ctx.acts
    successions, reviewing = plan.successions, bool(plan.supervision.units)
    extensions, waivers = acts.extensions, acts.waivers
    for unit, role in roles:
        name, succeeds = unit, None
        if successions:
            # after a reform, the successor answers for what the old unit had not finished by then
            moved = plan.successor(unit, ctx.as_of)
            old = get((target, unit))
            if moved is not None and not (old is not None and old.state == "done" and old.since <= moved[1].isoformat()):
                name, succeeds = moved[0], unit
        if name in seen:
            continue
        seen.add(name)
        p = get((target, name))
        extended_to = waived = None
        if extensions:
            ext = acts.extension(target, name)
            if ext is not None:
                extended_to = date.fromisoformat(ext.until)
        if waivers:
            waiver = acts.waiver(target, name)
            if waiver is not None:
                waived = waiver.note or "-"
        if p is None:
            out.append(_new(UnitState, (name, role, "todo", None, (), None, "", extended_to, waived, succeeds)))
        else:
            out.append(_new(UnitState, (name, role, p.state, p.since, p.evidence, p.review if reviewing else None,
                                        p.review_note, extended_to, waived, succeeds)))
    return tuple(out)


_new = tuple.__new__


def _combined(units: Sequence[UnitState], due: date, ctx: _Day, owing_roles: tuple[str, ...]) -> tuple:
    """(state, light, late, done_on, review, extended_to) of an item from its units' standing."""
    required = [u for u in units if u.role in owing_roles and not u.waived]
    accepted_only = ctx.plan.supervision.review_required
    done = all(u.state == "done" and (u.review == "accepted" or not accepted_only) for u in required)
    if done and required:
        state = "done"
    elif any(u.state in ("doing", "done") for u in units):
        state = "doing"
    else:
        state = "todo"     # nothing started (or nothing owed: a waiver is not a completion)
    done_on = max(u.on or "" for u in required) if state == "done" and required else None
    late = done_on is not None and done_on > due.isoformat()
    # The item's date is the earliest its owing lead units are held to: an extension for some of them leaves
    # the others on the plan's date, so a part-level line never shows one unit's date with another's light.
    owing = [u for u in required if u.state != "done" or (accepted_only and u.review != "accepted")]
    held = min((u.extended_to or due for u in (owing or required)), default=due)
    if state == "done" or not required:
        lit = "green"
    else:
        lit = light(held, not owing, ctx.as_of, ctx.warn)
    review = None
    if ctx.plan.supervision.units and required:
        reviews = [u.review for u in required]
        if "returned" in reviews:
            review = "returned"
        elif state == "done" or all(u.state == "done" for u in required):
            review = "accepted" if all(r == "accepted" for r in reviews) else "pending"
    return state, lit, late, done_on, review, (held if held != due else None)


def returned_over(items: Iterable[PartStatus]) -> str | None:
    """The one rule for a returned share (退回): a unit's share sent back and not claimed done again reads 退回;
    a part or duty reads 退回 while any lead share of it does, a task while any of its parts does. Every view
    takes this state: the share is doing again, and 退回 says why."""
    return "returned" if any(x.review == "returned" and x.state != "done" for x in items) else None


def part_title(part: Part, task: Task) -> str:
    """A part's own phrase: its text up to the first pause, else the task's title."""
    if len(task.parts) == 1 or not part.text:
        return task.title
    import re  # noqa: PLC0415

    clauses = [c for c in re.split(r"[,。;:,;]", part.text) if c.strip()]
    # a leading deadline ("到2016年底,基本完成……") says when, not what
    while len(clauses) > 1 and re.fullmatch(r"(?:到|于|在|自)?\d{4}年[^,。]{0,6}?(?:底|前|内|起)?", clauses[0].strip()):
        clauses.pop(0)
    text = clauses[0].strip() if clauses else task.title
    return text if len(text) <= 40 else text[:39] + "…"


def part_status(part: Part, ctx: _Day, title: str = "") -> PartStatus:
    units = _unit_states(part.id, [(u, "lead") for u in part.lead_units]
                         + [(u, "support") for u in part.support_units], ctx)
    state, lit, late, done_on, review, extended_to = _combined(units, part.due, ctx, ("lead",))
    whole = ctx.acts.waivers.get((part.id, None)) if ctx.acts.waivers else None
    waived = (whole.note or "-") if whole is not None else None
    return PartStatus(part, state, "green" if waived else lit, late, done_on, units, title, review, extended_to, waived)


def duty_status(duty: Obligation, ctx: _Day) -> DutyStatus:
    units = _unit_states(duty.id, [(u, "lead") for u in duty.units], ctx)
    state, lit, late, done_on, review, extended_to = _combined(units, duty.due, ctx, ("lead",))
    whole = ctx.acts.waivers.get((duty.id, None)) if ctx.acts.waivers else None
    waived = (whole.note or "-") if whole is not None else None
    return DutyStatus(duty, state, "green" if waived else lit, late, units, done_on, review, extended_to, waived)


def status(plan: Plan, events: Iterable[Event], as_of: date, warn_days: int | None = None,
           known_at: str | None = None) -> Status:
    best, acts = replay_all(events, as_of, known_at)
    return status_of(plan, best, acts, as_of, warn_days, known_at)


def status_of(plan: Plan, best: dict, acts: Acts, as_of: date, warn_days: int | None = None,
              known_at: str | None = None) -> Status:
    """``status`` from pairs already replayed (by ``replay_all``, or kept by the snapshot)."""
    warn = plan.warn_days if warn_days is None else warn_days
    ctx = _Day(plan, best, acts, as_of, warn)
    tasks = []
    for task in plan.tasks.values():
        parts = tuple(part_status(p, ctx, part_title(p, task)) for p in task.parts)
        open_dues = [p.part.due for p in parts if p.state != "done"]
        tasks.append(TaskStatus(
            task=task,
            state=combine(p.state for p in parts),
            light=max((p.light for p in parts), key=LIGHT_RANK.__getitem__),
            late=any(p.late for p in parts),
            # the next deadline still open, or the last one once all are met
            due=min(open_dues) if open_dues else max(p.part.due for p in parts),
            parts=parts,
            review=returned_over(parts),
        ))
    duties = tuple(duty_status(d, ctx) for d in plan.obligations.values())
    return Status(as_of, warn, tuple(tasks), duties, known_at, acts.closed)


def parts_on(plan: Plan, best: dict, acts: Acts, as_of: date, warn_days: int,
             parts: Iterable[Part]) -> Iterator[PartStatus]:
    """These parts as ``status_of`` has them on a day (without their titles): the charts' points, a few parts at
    a time."""
    ctx = _Day(plan, best, acts, as_of, warn_days)
    for p in parts:
        yield part_status(p, ctx)


def parts_done_on(plan: Plan, best: dict, acts: Acts, as_of: date, parts: Iterable[Part]) -> Iterator[bool]:
    """Whether each of these parts is done on a day, as ``status_of`` has it, from its lead units alone (a part's
    state is done by its leads' shares; its support units come after them and decide nothing of it)."""
    ctx = _Day(plan, best, acts, as_of, 0)
    for p in parts:
        units = _unit_states(p.id, [(u, "lead") for u in p.lead_units], ctx)
        yield _combined(units, p.due, ctx, ("lead",))[0] == "done"


# --- one unit's own view -----------------------------------------------------

class OwnItem(NamedTuple):
    """A part or yearly duty as one unit sees it: lit by that unit's own state."""

    kind: str               # "part" or "recurring"
    id: str
    task: str | None
    title: str
    role: str
    state: str              # the unit's own state
    light: str              # by the unit's own state
    late: bool              # the unit's own completion was after the due date
    on: str | None
    due: date
    item_state: str         # the part's or duty's state over all its units
    item_light: str
    evidence: tuple
    review: str | None = None
    review_note: str = ""
    extended_to: date | None = None
    waived: str | None = None


def sharing(plan: Plan, unit: str) -> frozenset[str]:
    """The units whose records decide what a unit's own view says: every unit holding a part or duty with it."""
    out = {unit}
    for p in plan.parts.values():
        if unit in p.lead_units or unit in p.support_units:
            out.update(p.lead_units, p.support_units)
    for d in plan.obligations.values():
        if unit in d.units:
            out.update(d.units)
    return frozenset(out)


def own_items(st: Status, unit: str) -> list[OwnItem]:
    """Every part and yearly duty the unit holds, lit by its own state, in plan order.

    An item is green for the unit once the unit has done it, once the item as
    a whole is done (a support unit owes nothing more to a finished part), or
    once it no longer applies to the unit (waived).
    """
    out = []
    for ts in st.tasks:
        for ps in ts.parts:
            own = next((u for u in ps.units if u.unit == unit), None)
            if own is not None:
                out.append(_own("part", ps.part.id, ps.part.task, ps.title, own, ps.part.due, ps.state, ps.light, st,
                                ps.waived))
    for ds in st.duties:
        own = next((u for u in ds.units if u.unit == unit), None)
        if own is not None:
            out.append(_own("recurring", ds.duty.id, ds.duty.task, ds.duty.title, own, ds.duty.due, ds.state,
                            ds.light, st, ds.waived))
    return out


def own_items_by_unit(st: Status) -> dict[str, list[OwnItem]]:
    """``own_items`` of every unit at once, by unit: one pass over the items instead of one per unit."""
    out: dict[str, list[OwnItem]] = {}
    for ts in st.tasks:
        for ps in ts.parts:
            for own in ps.units:
                out.setdefault(own.unit, []).append(_own("part", ps.part.id, ps.part.task, ps.title, own, ps.part.due,
                                                         ps.state, ps.light, st, ps.waived))
    for ds in st.duties:
        for own in ds.units:
            out.setdefault(own.unit, []).append(_own("recurring", ds.duty.id, ds.duty.task, ds.duty.title, own,
                                                     ds.duty.due, ds.state, ds.light, st, ds.waived))
    return out


def _own(kind: str, ident: str, task: str | None, title: str, own: UnitState, due: date, item_state: str,
         item_light: str, st: Status, item_waived: str | None) -> OwnItem:
    waived = own.waived or item_waived
    settled = own.state == "done" or item_state == "done" or waived is not None
    return OwnItem(kind, ident, task, title, own.role, own.state,
                   light(own.extended_to or due, settled, st.as_of, st.warn_days), own.late(due), own.on, due,
                   item_state, item_light, own.evidence, own.review, own.review_note, own.extended_to, waived)
