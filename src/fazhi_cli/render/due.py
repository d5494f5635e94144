"""The due view: what falls due and what is late, nearest first."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Sequence

from ..i18n import t
from .cells import Multiline, due_cell, due_json, light_cell, state_cell, titled
from .escape import to_json
from .views import Page, days_phrase, done_phrase, known_label, owing_cell

if TYPE_CHECKING:
    from ..plan import Plan
    from ..progress import DueItem


def due_view(plan: Plan, items: Sequence[DueItem], as_of: date, fmt: str, known_at: str | None = None,
             everything: bool = False, unit: str | None = None) -> Any:
    if fmt == "json":
        return to_json({"as_of": as_of.isoformat(), "known_at": known_at, "plan_id": plan.key, "unit": unit,
                        "summary": _due_summary(items), "items": [
            {**due_json(i.due), "kind": i.kind, "id": i.id, "task": i.task, "part": i.part,
             "title": i.title, "units": list(i.units), "days_left": _days_left(i), "light": i.light,
             "state": i.state, "done_on": i.done_on, "late": i.late,
             "extended_to": i.extended_to.isoformat() if i.extended_to else None, "waived": i.waived,
             "review": i.review}
            for i in items]})
    table = fmt == "table"
    headers = [t("期限", "Due"), t("距期限", "When"), t("灯", "Light"), t("状态", "State"), t("事项", "What"),
               t("尚欠单位", "Still owed by")]
    if fmt == "csv":
        headers.insert(2, t("剩余天数", "Days left"))
    limit = 3 if table else None
    rows = []
    for i in items:
        when = "-" if i.waived and i.state != "done" else days_phrase(_days_left(i), i.state, i.late)
        row = [due_cell(i.due, i.extended_to), when, light_cell(i.light),
               state_cell(i.state, i.late, review=i.review, waived=i.waived) if i.state != "done"
               else (i.done_on or "", "yellow" if i.late else "green"),
               Multiline(f"{i.id}\n{i.title}") if table else f"{i.id} {i.title}", owing_cell(i.units, limit)]
        if fmt == "csv":
            row.insert(2, "" if _days_left(i) is None else str(i.days_left))
        rows.append(row)
    s = _due_summary(items)
    who = t("{u} ", "{u}: ", u=unit) if unit else ""
    known = t("(按 {k} 时已有的记录)", " (as recorded by {k})", k=known_label(known_at)) if known_at else ""
    if everything:
        waived = t("，不再适用 {n}", ", {n} waived", n=s["waived"]) if s["waived"] else ""
        line = t("{w}截至 {d}{k}:共 {n} 项,{done},未完成 {open}{x},其中已逾期 {r} 项",
                 "{w}As of {d}{k}: {n} items, {done}, {open} open{x}, {r} of them overdue",
                 w=who, d=as_of, k=known, n=s["items"], done=done_phrase(s), open=s["open"], x=waived, r=s["red"])
    else:
        line = t("{w}截至 {d}{k}：{n} 项待办,其中 {r} 项已逾期", "{w}As of {d}{k}: {n} items to do, {r} overdue",
                 w=who, d=as_of, k=known, n=s["open"], r=s["red"])
    empty = t("没有即将到期或已逾期的事项", "nothing falls due and nothing is late")
    title = titled(plan.title, plan.number)
    context = [(title, "bold"), (line, "bold")] if fmt not in ("table",) else [(line, "bold")]
    return Page(context, headers, rows, empty, no_wrap=(0, 1, 2, 3), drop=(3, 1)).render(fmt)


def _days_left(i: DueItem) -> int | None:
    """Days to the due date; None for ongoing work (长期), which has none."""
    return None if i.due == date.max else i.days_left


def _due_summary(items: Sequence[DueItem]) -> dict[str, int]:
    # a waived item is neither done nor owed: it is listed, and counted as such
    done = [i for i in items if i.state == "done"]
    waived = sum(1 for i in items if i.waived and i.state != "done")
    late = sum(1 for i in done if i.late)
    return {"items": len(items), "done": len(done), "done_late": late, "done_on_time": len(done) - late,
            "open": len(items) - len(done) - waived, "waived": waived,
            "red": sum(1 for i in items if i.light == "red"),
            "yellow": sum(1 for i in items if i.light == "yellow")}
