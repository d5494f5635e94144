"""Pure functions from (plan, events, as_of) to states, lights and due items.

No I/O and no clock: the caller says which day it is. The rules:

* A (target, unit) pair's state as of D is that of its latest event with
  ``on`` <= D; ties go to the later recording. Revoked events do not count.
* A part is done when every lead unit has it done, doing when any of its
  units has it doing or done, otherwise todo. A task combines its parts the
  same way. A part done after its due date is done but late.
* Light: red when not done and due before D, yellow when not done and due
  within ``warn_days`` of D, green otherwise.
"""

from datetime import date, timedelta
from typing import Iterable, NamedTuple

from .ledger import Event
from .plan import Obligation, Part, Plan, Task

_LIGHT_RANK = {"green": 0, "yellow": 1, "red": 2}


def latest(events: Iterable[Event], as_of: date) -> dict[tuple[str, str], Event]:
    """The event in force for each (target, unit) pair as of a day."""
    cutoff = as_of.isoformat()
    pool = list(events)
    revoked = {e.revokes for e in pool if e.revokes}
    best: dict[tuple[str, str], Event] = {}
    for e in pool:  # file order is recording order within a unit's file
        if e.type != "mark" or e.on > cutoff or e.id in revoked:
            continue
        key = (e.target, e.unit)
        cur = best.get(key)
        if cur is None or (e.on, e.recorded_at) >= (cur.on, cur.recorded_at):
            best[key] = e
    return best


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
    on: str | None      # the day of the event in force


class PartStatus(NamedTuple):
    part: Part
    state: str
    light: str
    late: bool
    done_on: str | None
    units: tuple[UnitState, ...]

    @property
    def support_done(self) -> int:
        return sum(1 for u in self.units if u.role == "support" and u.state == "done")

    @property
    def support_total(self) -> int:
        return sum(1 for u in self.units if u.role == "support")

    @property
    def owing(self) -> tuple[str, ...]:
        return tuple(u.unit for u in self.units if u.role == "lead" and u.state != "done")


class TaskStatus(NamedTuple):
    task: Task
    state: str
    light: str
    late: bool
    due: date
    parts: tuple[PartStatus, ...]


class DutyStatus(NamedTuple):
    duty: Obligation
    state: str
    light: str
    late: bool
    units: tuple[UnitState, ...]

    @property
    def owing(self) -> tuple[str, ...]:
        return tuple(u.unit for u in self.units if u.state != "done")


class Status(NamedTuple):
    as_of: date
    warn_days: int
    tasks: tuple[TaskStatus, ...]
    duties: tuple[DutyStatus, ...]

    def summary(self, parts: Iterable[PartStatus] | None = None) -> dict[str, int]:
        chosen = list(parts) if parts is not None else [p for ts in self.tasks for p in ts.parts]
        out = {"parts": len(chosen), "done": 0, "doing": 0, "todo": 0, "red": 0, "yellow": 0}
        for p in chosen:
            out[p.state] += 1
            if p.light in ("red", "yellow"):
                out[p.light] += 1
        return out


def _unit_states(target: str, roles: Iterable[tuple[str, str]], best: dict) -> tuple[UnitState, ...]:
    out = []
    for unit, role in roles:
        e = best.get((target, unit))
        out.append(UnitState(unit, role, e.state if e else "todo", e.on if e else None))
    return tuple(out)


def part_status(part: Part, best: dict, as_of: date, warn_days: int) -> PartStatus:
    units = _unit_states(part.id, [(u, "lead") for u in part.lead_units]
                         + [(u, "support") for u in part.support_units], best)
    leads = [u for u in units if u.role == "lead"]
    if all(u.state == "done" for u in leads):
        state = "done"
    else:
        state = "doing" if any(u.state in ("doing", "done") for u in units) else "todo"
    done_on = max(u.on for u in leads) if state == "done" else None
    late = done_on is not None and done_on > part.due.isoformat()
    return PartStatus(part, state, light(part.due, state == "done", as_of, warn_days), late, done_on, units)


def duty_status(duty: Obligation, best: dict, as_of: date, warn_days: int) -> DutyStatus:
    units = _unit_states(duty.id, [(u, "lead") for u in duty.units], best)
    state = combine(u.state for u in units)
    late = state == "done" and max(u.on or "" for u in units) > duty.due.isoformat()
    return DutyStatus(duty, state, light(duty.due, state == "done", as_of, warn_days), late, units)


def status(plan: Plan, events: Iterable[Event], as_of: date, warn_days: int | None = None) -> Status:
    warn = plan.warn_days if warn_days is None else warn_days
    best = latest(events, as_of)
    tasks = []
    for task in plan.tasks.values():
        parts = tuple(part_status(p, best, as_of, warn) for p in task.parts)
        open_dues = [p.part.due for p in parts if p.state != "done"]
        tasks.append(TaskStatus(
            task=task,
            state=combine(p.state for p in parts),
            light=max((p.light for p in parts), key=_LIGHT_RANK.__getitem__),
            late=any(p.late for p in parts),
            # the next deadline still open, or the last one once all are met
            due=min(open_dues) if open_dues else max(p.part.due for p in parts),
            parts=parts,
        ))
    duties = tuple(duty_status(d, best, as_of, warn) for d in plan.obligations.values())
    return Status(as_of, warn, tuple(tasks), duties)


# --- what falls due ---------------------------------------------------------

class DueItem(NamedTuple):
    due: date
    kind: str               # "part" or "recurring"
    id: str                 # part id or yearly duty id
    task: str | None
    part: str | None
    title: str
    units: tuple[str, ...]  # still owing it
    days_left: int
    light: str
    state: str


def due_items(st: Status, *, within: int = 30, unit: str | None = None, everything: bool = False) -> list[DueItem]:
    """Deadlines in [as_of, as_of + within] and everything overdue, soonest first.

    ``everything`` lists every deadline whatever its window or state.
    ``unit`` keeps the items that unit still owes (with ``everything``: the
    ones it is responsible for).
    """
    as_of = st.as_of
    horizon = as_of + timedelta(days=within)
    items: list[DueItem] = []

    def keep(due: date, state: str, owing: tuple[str, ...], responsible: tuple[str, ...]) -> bool:
        if unit is not None and unit not in (responsible if everything else owing):
            return False
        return everything or (state != "done" and due <= horizon)

    for ts in st.tasks:
        for ps in ts.parts:
            p = ps.part
            if keep(p.due, ps.state, ps.owing, p.lead_units + p.support_units):
                items.append(DueItem(p.due, "part", p.id, p.task, p.id, ts.task.title, ps.owing,
                                     (p.due - as_of).days, ps.light, ps.state))
    for ds in st.duties:
        d = ds.duty
        if keep(d.due, ds.state, ds.owing, d.units):
            items.append(DueItem(d.due, "recurring", d.id, d.task, d.part, d.title, ds.owing,
                                 (d.due - as_of).days, ds.light, ds.state))
    items.sort(key=lambda i: (i.due, i.kind != "part", _natural(i.id)))
    return items


def _natural(ident: str) -> tuple:
    # "2.10" after "2.9"; numbers before words so mixed ids still compare
    # (ASCII digits only: "²".isdigit() is true, int("²") fails)
    return tuple((0, int(x), "") if x.isascii() and x.isdigit() else (1, 0, x)
                 for x in ident.replace("-", ".").split("."))
