"""States and lights of parts, tasks and yearly duties on a day.

* A part is done when every lead unit has it done, doing when any of its
  units has started (shown as 配合单位已启动 while only support units have),
  otherwise todo.
  A task combines its parts the same way. A part done after its due date is
  done but late; its completion date is the day its last lead unit finished.
* A yearly duty is owed by each of its units separately: each unit's own
  submission is on time, late, or missing.
* Light: red when not done and due before D, yellow when not done and due
  within ``warn_days`` of D, green otherwise. A unit's own view lights each
  item by that unit's own state.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, NamedTuple

from ..ledger import Event
from ..plan import Obligation, Part, Plan, Task
from .replay import replay

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

    def late(self, due: date) -> bool:
        return self.state == "done" and self.on is not None and self.on > due.isoformat()


class PartStatus(NamedTuple):
    part: Part
    state: str
    light: str
    late: bool
    done_on: str | None
    units: tuple[UnitState, ...]
    title: str = ""          # the part's own phrase

    @property
    def support_done(self) -> int:
        return sum(1 for u in self.units if u.role == "support" and u.state == "done")

    @property
    def support_total(self) -> int:
        return sum(1 for u in self.units if u.role == "support")

    @property
    def lead_done(self) -> int:
        return sum(1 for u in self.units if u.role == "lead" and u.state == "done")

    @property
    def lead_total(self) -> int:
        return sum(1 for u in self.units if u.role == "lead")

    @property
    def support_only(self) -> bool:
        """Doing, but only support units have started: no lead unit has."""
        return self.state == "doing" and all(u.state == "todo" for u in self.units if u.role == "lead")

    @property
    def owing(self) -> tuple[str, ...]:
        return tuple(u.unit for u in self.units if u.role == "lead" and u.state != "done")

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


class DutyStatus(NamedTuple):
    duty: Obligation
    state: str
    light: str
    late: bool
    units: tuple[UnitState, ...]
    done_on: str | None = None

    @property
    def owing(self) -> tuple[str, ...]:
        return tuple(u.unit for u in self.units if u.state != "done")

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
            out["missing" if u.state != "done" else "late" if u.late(self.duty.due) else "on_time"].append(u)
        return out


class Status(NamedTuple):
    as_of: date
    warn_days: int
    tasks: tuple[TaskStatus, ...]
    duties: tuple[DutyStatus, ...]
    known_at: str | None = None

    @property
    def parts(self) -> list[PartStatus]:
        return [p for ts in self.tasks for p in ts.parts]

    def summary(self, parts: Iterable[PartStatus] | None = None) -> dict[str, int]:
        return count(self.parts if parts is None else parts)


def count(items: Iterable[PartStatus | DutyStatus | OwnItem]) -> dict[str, int]:
    """The numbers a header quotes, from exactly the rows it heads."""
    out = {"parts": 0, "done": 0, "done_on_time": 0, "done_late": 0, "doing": 0, "support_only": 0, "todo": 0,
           "red": 0, "yellow": 0, "green": 0}
    for x in items:
        out["parts"] += 1
        out[x.state] += 1
        if getattr(x, "support_only", False):
            out["support_only"] += 1
        if x.state == "done":
            out["done_late" if x.late else "done_on_time"] += 1
        out[x.light] += 1
    return out


def _unit_states(target: str, roles: Iterable[tuple[str, str]], best: dict) -> tuple[UnitState, ...]:
    out = []
    for unit, role in roles:
        p = best.get((target, unit))
        out.append(UnitState(unit, role, p.state, p.since, p.evidence) if p else UnitState(unit, role, "todo", None))
    return tuple(out)


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


def part_status(part: Part, best: dict, as_of: date, warn_days: int, title: str = "") -> PartStatus:
    units = _unit_states(part.id, [(u, "lead") for u in part.lead_units]
                         + [(u, "support") for u in part.support_units], best)
    leads = [u for u in units if u.role == "lead"]
    if all(u.state == "done" for u in leads):
        state = "done"
    else:
        state = "doing" if any(u.state in ("doing", "done") for u in units) else "todo"
    done_on = max(u.on for u in leads) if state == "done" else None
    late = done_on is not None and done_on > part.due.isoformat()
    return PartStatus(part, state, light(part.due, state == "done", as_of, warn_days), late, done_on, units, title)


def duty_status(duty: Obligation, best: dict, as_of: date, warn_days: int) -> DutyStatus:
    units = _unit_states(duty.id, [(u, "lead") for u in duty.units], best)
    state = combine(u.state for u in units)
    done_on = max(u.on or "" for u in units) if state == "done" else None
    late = done_on is not None and done_on > duty.due.isoformat()
    return DutyStatus(duty, state, light(duty.due, state == "done", as_of, warn_days), late, units, done_on)


def status(plan: Plan, events: Iterable[Event], as_of: date, warn_days: int | None = None,
           known_at: str | None = None) -> Status:
    warn = plan.warn_days if warn_days is None else warn_days
    best = replay(events, as_of, known_at)
    tasks = []
    for task in plan.tasks.values():
        parts = tuple(part_status(p, best, as_of, warn, part_title(p, task)) for p in task.parts)
        open_dues = [p.part.due for p in parts if p.state != "done"]
        tasks.append(TaskStatus(
            task=task,
            state=combine(p.state for p in parts),
            light=max((p.light for p in parts), key=LIGHT_RANK.__getitem__),
            late=any(p.late for p in parts),
            # the next deadline still open, or the last one once all are met
            due=min(open_dues) if open_dues else max(p.part.due for p in parts),
            parts=parts,
        ))
    duties = tuple(duty_status(d, best, as_of, warn) for d in plan.obligations.values())
    return Status(as_of, warn, tuple(tasks), duties, known_at)


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
    """Every part and yearly duty the unit holds, lit by its own state, in plan order."""
    out = []
    for ts in st.tasks:
        for ps in ts.parts:
            own = next((u for u in ps.units if u.unit == unit), None)
            if own is not None:
                out.append(_own("part", ps.part.id, ps.part.task, ps.title, own, ps.part.due, ps.state, ps.light, st))
    for ds in st.duties:
        own = next((u for u in ds.units if u.unit == unit), None)
        if own is not None:
            out.append(_own("recurring", ds.duty.id, ds.duty.task, ds.duty.title, own, ds.duty.due, ds.state,
                            ds.light, st))
    return out


def _own(kind: str, ident: str, task: str | None, title: str, own: UnitState, due: date, item_state: str,
         item_light: str, st: Status) -> OwnItem:
    return OwnItem(kind, ident, task, title, own.role, own.state,
                   light(due, own.state == "done", st.as_of, st.warn_days), own.late(due), own.on, due,
                   item_state, item_light, own.evidence)
