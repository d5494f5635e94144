"""The read rules of the record's history: which records `log` lists, and which were entered late (补记)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Sequence

from .replay import known_cutoff

if TYPE_CHECKING:
    from ..ledger.model import Event
    from ..plan.model import Plan

BACKDATED_DAYS = 7


def backdated_days(e: Event) -> int:
    """How many days after its date a record was made (0 when made within a week)."""
    try:
        days = (date.fromisoformat(e.recorded_at[:10]) - date.fromisoformat(e.on)).days
    except ValueError:
        return 0
    return days if days > BACKDATED_DAYS else 0


def history(plan: Plan, events: Sequence[Event], *, unit: str | None = None, task: str | None = None,
            since: date | None = None, known_at: str | None = None) -> list[Event]:
    """The records about a unit (its own, and the office's acts naming it) or a task, newest first."""
    cutoff = since.isoformat() if since else ""
    known = known_cutoff(known_at)

    def task_of(e: Event) -> str | None:
        if e.target in plan.parts:
            return plan.parts[e.target].task
        duty = plan.obligations.get(e.target)
        return duty.task if duty else None

    chosen = [e for e in events
              if (unit is None or e.unit == unit or e.subject == unit)
              and (task is None or task_of(e) == task or e.target == task)
              and e.recorded_at[:10] >= cutoff
              and (known is None or e.known_at <= known)]
    return sorted(chosen, key=lambda e: e.recorded_at, reverse=True)
