"""The supervising office's acts (督办), written in its own file: review, extend, waive, close, reopen, remind."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

from .. import dates, ledger
from ..dates import parse_date
from ..errors import UsageError
from ..i18n import t
from ..ledger import Event
from ..plan import Obligation, Part, Plan
from ..plan import is_ongoing
from .verifying import refuse_unsigned
from .prepare import act_day, own_standing, recorder, unit_items, validated


# --- supervision (督办): the supervising office's acts, in its own file ----------

def supervisor(plan: Plan, acting: str) -> str:
    if not plan.supervision.units:
        raise UsageError(t("方案没有指定督办单位(supervision.units),不能记录督办事项",
                           "the plan names no supervising unit (supervision.units); supervision acts cannot be recorded"))
    if not plan.supervises(acting):
        raise UsageError(t("{u} 不是督办单位;只有 {w} 可以审核、延期、免除、催办或结束方案",
                           "{u} is not a supervising unit; only {w} may review, extend, waive, remind or close",
                           u=acting, w="、".join(plan.supervision.units)))
    return acting


def act_write(plan: Plan, root: Path, acting: str, events: list[dict], day: date) -> list[dict]:
    validated(plan, events, day.isoformat())
    refuse_unsigned(plan, root, events)
    with ledger.Writing(root) as w:
        w.append(acting, events)
    return events


def subjects(plan: Plan, target: Part | Obligation, unit: str | None, *, leads_only: bool = False) -> list[str]:
    if unit is not None:
        if not plan.role_of(target, unit):
            raise UsageError(t("{u} 不负责 {p}", "{u} holds no responsibility for {p}", u=unit, p=target.id))
        return [unit]
    return []


def office_day(plan: Plan, on: str | None, clock_today: date | None = None) -> date:
    """The day an act was decided (--on, default today): never in the future, never before the plan.

    The record keeps it as the act's date beside the moment it was typed in (its entry date), so an act
    entered late counts from the day it was decided and ``log`` shows it as 补记."""
    return act_day(plan, on, clock_today or dates.now().date())


def office_standing(plan: Plan, root: Path, units: Sequence[str], day: date) -> tuple[dict, Any]:
    """The pairs of ``units`` and the office's standing extensions and waivers on ``day``: what an act would repeat."""
    from ..progress.replay import replay_all  # noqa: PLC0415

    events = office_events(plan, root)
    for unit in dict.fromkeys(units):
        if not plan.supervises(unit):
            events += ledger.unit_events(plan, root, unit)[0]
    return replay_all(events, day)


def _repeated(items: Sequence[Part | Obligation], same: Callable[[Part | Obligation], bool], message: str,
              **kw: object) -> list[Part | Obligation]:
    """The items an act would change; none at all is refused, saying what already stands."""
    fresh = [x for x in items if not same(x)]
    if not fresh:
        raise UsageError(message.format(p="、".join(x.id for x in items), **kw))
    return fresh


def review(plan: Plan, root: Path, *, target: str, unit: str, acting: str, verdict: str, note: str | None,
           by: str | None, clock_today: date | None = None, on: str | None = None) -> list[dict]:
    """销号 (accept) or 退回 (return) a unit's claim that a part or duty is done, as it stood on the act's day."""
    acting = supervisor(plan, acting)
    items = unit_items(plan, target, unit)
    now_day = clock_today or dates.now().date()
    day = act_day(plan, on, now_day)
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    if verdict == "return" and not text:
        raise UsageError(t("退回时请用 --note 写明理由,单位会在自己的视图中看到",
                           "say why with --note when returning: the unit sees it in its views"))
    standing = own_standing(plan, root, unit, day)
    unclaimed = [x.id for x in items if getattr(standing.get((x.id, unit)), "state", None) != "done"]
    if unclaimed:
        raise UsageError(t("{u} 尚未报告完成 {p},无可审核的内容", "{u} has not reported {p} done; there is nothing to review",
                           u=unit, p="、".join(unclaimed)))
    if verdict == "accept":
        pairs, _ = office_standing(plan, root, [unit], day)
        items = _repeated(items, lambda x: getattr(pairs.get((x.id, unit)), "review", None) == "accepted",
                          t("{u} 的 {{p}} 已销号，无需再次销号", "{u}'s {{p}} is already closed out", u=unit))
    cmd = ledger.new_id()
    who = recorder(by)
    events = [ledger.new_event(plan, target=x.id, unit=acting, state=None, on=day.isoformat(), by=who, cmd=cmd,
                               note=text, kind="review", subject=unit, verdict=verdict) for x in items]
    return act_write(plan, root, acting, events, now_day)


def extend(plan: Plan, root: Path, *, target: str, unit: str | None, acting: str, to: str, reason: str,
           approved_by: str | None, by: str | None, clock_today: date | None = None,
           on: str | None = None) -> list[dict]:
    """延期: a new due date for a part or duty (for one unit, or for all), the original kept for assessment."""
    acting = supervisor(plan, acting)
    items = plan.targets(target) if unit is None else unit_items(plan, target, unit)
    new_due = parse_date(to, "--to")
    # ongoing work (长期) has no due date to extend: it is left out of a task's extension, and refused alone
    dated = [x for x in items if not is_ongoing(x.due)]
    if not dated:
        raise UsageError(t("{p} 是长期工作，没有期限，无需延期", "{p} is ongoing work with no due date; there is nothing to "
                           "extend", p="、".join(x.id for x in items)))
    items = dated
    late = [x.id for x in items if new_due <= x.due]
    if late:
        raise UsageError(t("--to {d} 不晚于 {p} 的原定期限,延期应延到原期限之后", "--to {d} is not after the due date of {p}",
                           d=new_due, p="、".join(late)))
    now_day = clock_today or dates.now().date()
    day = act_day(plan, on, now_day)
    text = ledger.clean_text(reason, "--reason", allow_empty=False)
    approver = ledger.clean_text(approved_by, "--approved-by", limit=ledger.MAX_BY) if approved_by else ""
    _, acts = office_standing(plan, root, [], day)
    items = _repeated(items, lambda x: getattr(acts.extensions.get((x.id, unit)), "until", None) == new_due.isoformat(),
                      t("{{p}}（{u}）已延期至 {d}，无需重复记录", "{{p}} ({u}) is already extended to {d}",
                        u=unit or t("全部单位", "every unit"), d=new_due))
    cmd = ledger.new_id()
    who = recorder(by)
    events = [ledger.new_event(plan, target=x.id, unit=acting, state=None, on=day.isoformat(), by=who, cmd=cmd,
                               note=text, kind="extend", subject=unit, until=new_due.isoformat(),
                               approved_by=approver) for x in items]
    return act_write(plan, root, acting, events, now_day)


def waive(plan: Plan, root: Path, *, target: str, unit: str | None, acting: str, reason: str, by: str | None,
          clock_today: date | None = None, on: str | None = None) -> list[dict]:
    """不再适用: the item leaves what is owed (for one unit, or for all) but stays visible with its reason."""
    acting = supervisor(plan, acting)
    items = plan.targets(target) if unit is None else unit_items(plan, target, unit)
    now_day = clock_today or dates.now().date()
    day = act_day(plan, on, now_day)
    text = ledger.clean_text(reason, "--reason", allow_empty=False)
    _, acts = office_standing(plan, root, [], day)
    items = _repeated(items, lambda x: getattr(acts.waiver(x.id, unit), "note", None) == text,
                      t("{{p}}（{u}）已不再适用，理由相同，无需重复记录", "{{p}} ({u}) is already waived for that reason",
                        u=unit or t("全部单位", "every unit")))
    cmd = ledger.new_id()
    events = [ledger.new_event(plan, target=x.id, unit=acting, state=None, on=day.isoformat(), by=recorder(by), cmd=cmd,
                               note=text, kind="waive", subject=unit) for x in items]
    return act_write(plan, root, acting, events, now_day)


def close_plan(plan: Plan, root: Path, *, acting: str, on: str | None, note: str | None, reopen: bool = False,
               by: str | None = None, clock_today: date | None = None) -> list[dict]:
    """Close the plan (its final account stands; due --check passes), or reopen it."""
    acting = supervisor(plan, acting)
    now_day = clock_today or dates.now().date()
    day = act_day(plan, on, now_day)
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    event = ledger.new_event(plan, target="", unit=acting, state=None, on=day.isoformat(), by=recorder(by),
                             cmd=ledger.new_id(), note=text, kind="reopen" if reopen else "close")
    return act_write(plan, root, acting, [event], now_day)


def closed_on(events: Sequence[Event]) -> str | None:
    """The day the plan was closed, if its latest close or reopen is a close."""
    from ..progress.replay import replay_all  # noqa: PLC0415

    return replay_all(events, date.max)[1].closed


def office_events(plan: Plan, root: Path) -> list[Event]:
    events: list[Event] = []
    for office in plan.supervision.units:
        events += ledger.unit_events(plan, root, office)[0]
    return events


def refuse_if_closed(plan: Plan, root: Path, day: date) -> None:
    """A closed plan takes no record dated after its closing, until the office reopens it."""
    if not plan.supervision.units:
        return
    closed = closed_on(office_events(plan, root))
    if closed is not None and day.isoformat() > closed:
        raise UsageError(t("方案已于 {d} 结束,不能记录其后的进度;如需补记,请督办单位先运行 fazhi reopen",
                           "the plan was closed on {d}; nothing after that can be recorded unless the supervising "
                           "unit runs fazhi reopen", d=closed))


def owed_notices(plan: Plan, events: Sequence[Event], *, acting: str, unit: str | None, as_of: date,
                 within: int) -> tuple[str, list]:
    """The supervising unit acting, and the 催办通知 due: one for each unit that owes something as of ``as_of``."""
    from .. import progress  # noqa: PLC0415
    from ..progress.supervision import notices  # noqa: PLC0415

    acting = supervisor(plan, acting)
    st = progress.status(plan, events, as_of)
    return acting, notices(plan, st, within=within, unit=unit)


def remind(plan: Plan, root: Path, chosen: Sequence, *, acting: str, dry_run: bool, by: str | None,
           clock_today: date | None = None, prepare: Callable[[list[tuple], date], Any] | None = None,
           on: str | None = None) -> tuple[list[tuple], date]:
    """Number the notices and record the numbers in the office's file; the numbered notices and the day issued.

    ``prepare(numbered, issued)``, called under the lock once the numbers are chosen and before they are
    recorded, writes the notices aside (or raises: then nothing is recorded) and returns what ``finish()``
    moves into place once they are recorded, or ``abort()`` takes away should the recording fail. A dry run
    numbers nothing and records nothing: its notices are written at once."""
    now_day = clock_today or dates.now().date()   # the recording clock, as the records it writes
    issued = act_day(plan, on, now_day)           # the day the notices were issued (--on)
    numbered: list[tuple] = [(n, None) for n in chosen]
    if dry_run and prepare is not None:
        prepare(numbered, issued).finish()
    if not dry_run:
        who = recorder(by)
        with ledger.Writing(root) as w:
            # numbered under the lock: two reminders never share a number
            mine, _ = ledger.unit_events(plan, root, acting)
            revoked = {e.revokes for e in mine if e.revokes}
            used = [e.number for e in mine if e.type == "remind" and e.id not in revoked and e.on[:4] == str(issued.year)]
            first = max(used, default=0) + 1
            numbered = [(n, first + i) for i, n in enumerate(chosen)]
            cmd = ledger.new_id()
            records = [ledger.new_event(plan, target="", unit=acting, state=None, on=issued.isoformat(), by=who,
                                        cmd=cmd, kind="remind", subject=n.unit, number=num,
                                        note=t("逾期 {a} 项,未报年度事项 {b} 项,即将到期 {c} 项,退回 {d} 项",
                                               "{a} overdue, {b} duties missing, {c} falling due, {d} returned",
                                               a=len(n.overdue), b=len(n.duties), c=len(n.upcoming), d=len(n.returned)))
                       for n, num in numbered]
            validated(plan, records, now_day.isoformat())
            refuse_unsigned(plan, root, records)
            aside = prepare(numbered, issued) if prepare is not None else None
            try:
                w.append(acting, records)
            except BaseException:
                if aside is not None:
                    aside.abort()
                raise
            if aside is not None:
                aside.finish()
    return numbered, issued
