"""A unit's own records: ``mark``, ``attach`` and ``undo``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple, Sequence

from .. import dates, ledger
from ..errors import UsageError
from ..i18n import t
from ..ledger import Event
from ..plan import Plan
from .acts import refuse_if_closed
from .prepare import Written, act_day, evidence_items, own_standing, recorder, unit_items, validated, write_own
from .signing import sign
from .verifying import has_keys, refuse_unsigned


def mark(plan: Plan, root: Path, *, target: str, unit: str, state: str, on: str | None,
         note: str | None, evidence: Sequence[str], by: str | None, clock_today: date | None = None,
         refs: Sequence[str] = ()) -> Written:
    """Record a unit's state for a part, a task's parts, or a yearly duty."""
    mine = unit_items(plan, target, unit)
    now_day = clock_today or dates.now().date()
    day = act_day(plan, on, now_day)
    refuse_if_closed(plan, root, day)
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    items, files, notes = evidence_items(evidence, refs)
    who = recorder(by)
    cmd = ledger.new_id()
    events = validated(plan, [ledger.new_event(plan, target=x.id, unit=unit, state=state, on=day.isoformat(),
                                                note=text, evidence=items, by=who, cmd=cmd) for x in mine],
                        now_day.isoformat())
    if state == "done" and on is None:
        standing = own_standing(plan, root, unit, now_day)
        for x in mine:
            pair = standing.get((x.id, unit))
            if pair is not None and pair.state == "done":
                notes.append(t("注意: {p} 已于 {d} 完成,完成日期不变;只补充材料或备注可用 fazhi attach",
                               "note: {p} has been done since {d}; its completion date stays. To add evidence or a "
                               "note only, use fazhi attach", p=x.id, d=pair.since))
    refuse_unsigned(plan, root, events)
    write_own(root, unit, events, files)
    return Written(events, notes)


def attach(plan: Plan, root: Path, *, target: str, unit: str, note: str | None, evidence: Sequence[str],
           by: str | None, clock_today: date | None = None, refs: Sequence[str] = ()) -> Written:
    """Add evidence or a note to what a unit has recorded, without changing its state or date."""
    if note is None and not evidence and not refs:
        raise UsageError(t("请用 --evidence 或 --note 指明要补充的内容", "give --evidence or --note to attach"))
    mine = unit_items(plan, target, unit)
    now_day = clock_today or dates.now().date()
    standing = own_standing(plan, root, unit, now_day)
    missing = [x.id for x in mine if (x.id, unit) not in standing]
    if missing:
        raise UsageError(t("{u} 尚未记录 {p} 的进度,请先用 fazhi mark 记录", "{u} has recorded nothing for {p}; use fazhi mark first",
                           u=unit, p="、".join(missing)))
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    items, files, notes = evidence_items(evidence, refs)
    cmd = ledger.new_id()
    events = validated(plan, [ledger.new_event(plan, target=x.id, unit=unit, state=None, on=now_day.isoformat(),
                                                note=text, evidence=items, by=recorder(by), cmd=cmd, kind="attach")
                               for x in mine], now_day.isoformat())
    refuse_unsigned(plan, root, events)
    write_own(root, unit, events, files)
    return Written(events, notes)


class Undone(NamedTuple):
    revoked: list[Event]
    events: list[dict]


def undo(plan: Plan, root: Path, unit: str) -> Undone:
    """Revoke everything the unit's latest command recorded, by appending revoking events."""
    events, size = ledger.unit_events(plan, root, unit)
    seen = ledger.file_identity(root, unit)
    latest_command(events, unit)       # refuse before taking the lock
    keyed = has_keys(plan, root, known={unit: events})
    with ledger.Writing(root) as w:
        # Only what was appended meanwhile is read under the lock: a large
        # ledger must not keep other writers waiting. A sync replaces the
        # file whole (a new file, lines in another order): then it is read again.
        if ledger.file_identity(root, unit) == seen:
            more, _ = ledger.unit_events(plan, root, unit, start=size)
        else:
            events, _ = ledger.unit_events(plan, root, unit)
            more = []
        chosen = latest_command(events + more, unit)
        cmd = ledger.new_id()
        by = recorder(None)
        day = dates.now().date().isoformat()  # the clock of its own timestamp: never dated after it
        out = [ledger.new_event(plan, target=e.target, unit=unit, state=None, on=day, by=by, revokes=e.id, cmd=cmd)
               for e in chosen]
        sign(out)
        refuse_unsigned(plan, root, out, keyed)
        w.append(unit, out)
    return Undone(chosen, out)


def latest_command(events: list[Event], unit: str) -> list[Event]:
    revoked = {e.revokes for e in events if e.revokes}
    standing = [e for e in events if e.type != "revoke" and e.id not in revoked and e.unit == unit]
    if not standing:
        raise UsageError(t("{u} 没有可撤销的记录", "{u} has no record to revoke", u=unit))
    newest = max(standing, key=lambda e: e.recorded_at)
    if newest.type in ledger.KEY_ACTS:
        raise UsageError(t("最近一次记录是密钥的登记或吊销，不能撤销；登记错了用 fazhi keys revoke 吊销，吊销错了请生成新密钥再登记",
                           "the latest record registers or revokes a key, which cannot be undone; revoke a wrong "
                           "registration with fazhi keys revoke, and after a wrong revocation register a new key"))
    return [e for e in standing if e.cmd == newest.cmd]
