"""Recording progress: what `mark`, `undo`, `import`, `log` and `check` do.

Validates what a user asks for against the plan, then hands whole events to
``ledger`` (the only module that touches the files). Everything is checked
before the first byte is written, so a refused command changes nothing.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import date
from pathlib import Path
from typing import Sequence

from . import ledger
from .dates import parse_date, today
from .errors import LedgerError, UsageError
from .i18n import t
from .ledger import Event, Ledger
from .plan import Obligation, Part, Plan

MAX_IMPORT_BYTES = 64 * 1024 * 1024


def _who(by: str | None) -> str:
    value = by if by is not None else os.environ.get("FAZHI_USER")
    if value is None:
        try:
            value = getpass.getuser()
        except Exception:  # no login name on some service accounts
            value = ""
    return ledger.clean_text(value, "--by", limit=100, allow_empty=by is None)


def _responsible_line(plan: Plan, targets: Sequence[Part | Obligation]) -> str:
    bits = []
    for x in targets:
        if isinstance(x, Part):
            who = t("牵头 {l}", "lead {l}", l="、".join(x.lead))
            if x.support:
                who += t(";配合 {s}", "; support {s}", s="、".join(x.support))
        else:
            names = x.units if len(x.units) <= 5 else (*x.units[:5], "…")
            who = "、".join(names)
        bits.append(f"{x.id}: {who}")
    return " | ".join(bits)


def mark(plan: Plan, root: Path, *, target: str, unit: str, state: str, on: str | None,
         note: str | None, evidence: Sequence[str], by: str | None, clock_today: date | None = None) -> list[dict]:
    """Record a unit's state for a part, a task's parts, or a yearly duty; return the events written."""
    candidates = plan.targets(target)
    mine = [x for x in candidates if plan.role_of(x, unit)]
    if not mine:
        raise UsageError(t("{u} 不负责 {r};负责单位为 {who}", "{u} holds no responsibility for {r}; responsible: {who}",
                           u=unit, r=target.strip(), who=_responsible_line(plan, candidates)))
    now_day = clock_today or today()
    day = parse_date(on, "--on") if on is not None else now_day
    if day > now_day:
        raise UsageError(t("--on {d} 晚于今天({n}),不能记录未来的进度", "--on {d} is after today ({n}); progress cannot be recorded ahead",
                           d=day, n=now_day))
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    items = [ledger.evidence_item(e) for e in evidence]
    if len(items) > ledger.MAX_EVIDENCE:
        raise UsageError(t("证明材料过多(最多 {m} 项)", "too much evidence (at most {m} items)", m=ledger.MAX_EVIDENCE))
    who = _who(by)
    events = [ledger.new_event(target=x.id, unit=unit, state=state, on=day.isoformat(), note=text,
                               evidence=items, by=who) for x in mine]
    with ledger.UnitLedger(root, unit) as book:
        book.append(events)
    return events


def _standing(plan: Plan, book: ledger.UnitLedger) -> list[Event]:
    events = book.events(plan)
    revoked = {e.revokes for e in events if e.revokes}
    standing = [e for e in events if e.type == "mark" and e.id not in revoked and e.unit == book.unit]
    if not standing:
        raise UsageError(t("{u} 没有可撤销的记录", "{u} has no record to revoke", u=book.unit))
    return standing


def undo(plan: Plan, root: Path, unit: str) -> Event:
    """Revoke the unit's latest standing record by appending a revoking event; return the revoked one."""
    _standing(plan, ledger.UnitLedger(root, unit))   # refuse before even creating a lock file
    with ledger.UnitLedger(root, unit) as book:
        last = _standing(plan, book)[-1]              # again under the lock: another undo may have run
        book.append([ledger.new_event(target=last.target, unit=unit, state=None, on=today().isoformat(),
                                      by=_who(None), revokes=last.id)])
    return last


def history(plan: Plan, events: Sequence[Event], *, unit: str | None = None, task: str | None = None,
            since: date | None = None) -> list[Event]:
    cutoff = since.isoformat() if since else ""

    def task_of(e: Event) -> str | None:
        if e.target in plan.parts:
            return plan.parts[e.target].task
        return plan.obligations[e.target].task

    chosen = [e for e in events
              if (unit is None or e.unit == unit)
              and (task is None or task_of(e) == task)
              and e.recorded_at[:10] >= cutoff]
    return sorted(chosen, key=lambda e: e.recorded_at, reverse=True)


def import_files(plan: Plan, root: Path, files: Sequence[Path]) -> str:
    """Merge received progress files by event id; all-or-nothing."""
    incoming: dict[str, list[tuple[str, dict]]] = {}
    seen: set[str] = set()
    total = 0
    for path in files:
        if path.is_dir():
            raise UsageError(t("{p}: 是文件夹,请指明其中的 .jsonl 文件", "{p}: is a folder; name the .jsonl files in it",
                               p=path))
        if not path.is_file():
            raise UsageError(t("{p}: 找不到文件", "{p}: no such file", p=path))
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise UsageError(t("{p}: 文件过大", "{p}: file too large", p=path))
        data = path.read_bytes()
        for number, raw in enumerate(data.split(b"\n"), 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
                event = ledger.event_from_json(obj, plan)
            except (ValueError, UnicodeDecodeError) as e:
                reason = str(e) if not isinstance(e, (json.JSONDecodeError, UnicodeDecodeError)) else \
                    t("无法解析的记录", "unreadable record")
                raise LedgerError(t("{p}:{n}: {r};未导入任何记录", "{p}:{n}: {r}; nothing was imported",
                                    p=path, n=number, r=reason)) from None
            total += 1
            if event.id in seen:
                continue
            seen.add(event.id)
            incoming.setdefault(event.unit, []).append((event.id, obj))
    added = 0
    for unit, items in incoming.items():
        with ledger.UnitLedger(root, unit) as book:
            have = book.ids()
            new = [obj for eid, obj in items if eid not in have]
            book.append(new)
            added += len(new)
    return t("导入完成: 读到 {n} 条记录,新增 {a} 条,已有 {s} 条未重复写入",
             "imported: {n} records read, {a} new, {s} already present",
             n=total, a=added, s=total - added)


def check(plan: Plan, book: Ledger) -> tuple[list[str], int]:
    """A report on the plan and the progress files, and the number of problems."""
    lines = [t("方案: {p}(任务 {t} 项,分项 {n} 个,单位 {u} 个,年度事项 {o} 项)",
               "plan: {p} ({t} tasks, {n} parts, {u} units, {o} yearly duties)",
               p=plan.path, t=len(plan.tasks), n=len(plan.parts), u=len(plan.units), o=len(plan.obligations))]
    problems = [str(p) for p in book.problems]
    for e in book.events:
        problems += [f"{e.file}:{e.line}: {msg}" for msg in ledger.verify_evidence(e)]
    lines.append(t("进度记录: {n} 条,问题 {p} 个", "progress records: {n}, problems: {p}",
                   n=len(book.events), p=len(problems)))
    return lines + problems, len(problems)
