"""The status, unit, task, duty and due views, in every format.

Every header line is counted from exactly the rows under it (``progress.count``
over the rows shown), so a number quoted from a header is the number of rows.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..i18n import light_label, role_label, state_label, t
from .cells import (LIGHT_STYLE, Cell, Lines, Ratio, due_cell, due_json, evidence_cell, lead_names, light_cell,
                    section_label, section_short, state_cell, support_count, titled)
from .escape import safe, to_json
from .rows import terminal_table, text_table

if TYPE_CHECKING:
    from ..plan import Plan
    from ..progress import DutyStatus, OwnItem, PartStatus, Status, TaskStatus


# --- pieces -------------------------------------------------------------------

def _days_phrase(plan: Plan, as_of: date) -> str:
    days = (plan.target - as_of).days
    if days >= 0:
        return t("距总体目标({d})还有 {n} 天", "{n} days left to the overall target ({d})", d=plan.target, n=days)
    return t("已超过总体目标({d}) {n} 天", "{n} days past the overall target ({d})", d=plan.target, n=-days)


def known_label(known_at: str) -> str:
    return known_at[:16].replace("T", " ") if "T" in known_at else known_at


def status_header(plan: Plan, st: Status) -> list[str]:
    known = t(" · 按 {k} 时已有的记录", " · as recorded by {k}", k=known_label(st.known_at)) if st.known_at else ""
    if st.closed:
        known += t(" · 方案已于 {d} 结束", " · the plan was closed on {d}", d=st.closed)
    return [titled(plan.title, plan.number),
            t("截至 {d} · {p}", "As of {d} · {p}", d=st.as_of, p=_days_phrase(plan, st.as_of)) + known]


def days_phrase(days_left: int | None, state: str = "todo", late: bool = False) -> str:
    """逾期 12 天 / 今天到期 / 还有 30 天; for what is done, how it was done."""
    if state == "done":
        return t("逾期完成", "done late") if late else t("按时完成", "done on time")
    if days_left is None:
        return t("长期", "ongoing")
    if days_left < 0:
        return t("逾期 {n} 天", "{n} days late", n=-days_left)
    if days_left == 0:
        return t("今天到期", "due today")
    return t("还有 {n} 天", "{n} days left", n=days_left)


def done_phrase(c: dict[str, int]) -> str:
    late = t("(其中逾期完成 {n})", " ({n} of them late)", n=c["done_late"]) if c["done_late"] else ""
    return t("已完成 {d}{l}", "{d} done{l}", d=c["done"], l=late)


def parts_line(c: dict[str, int], noun: str | None = None) -> str:
    noun = noun or t("分项", "parts")
    return t("{w} {n} 个:{done},进行中 {doing}{s},未开始 {todo};红灯 {red},黄灯 {yellow},绿灯 {green}",
             "{n} {w}: {done}, {doing} doing{s}, {todo} to do; {red} red, {yellow} yellow, {green} green",
             w=noun, n=c["parts"], done=done_phrase(c), s=support_phrase(c),
             **{k: c[k] for k in ("doing", "todo", "red", "yellow", "green")}) + ongoing_phrase(c)


def ongoing_phrase(c: dict[str, int]) -> str:
    """Ongoing work (长期) still open, counted apart: it has no due date, so no light says anything of it."""
    if not c.get("ongoing"):
        return ""
    return t("；其中长期 {n} 项", "; {n} of them ongoing", n=c["ongoing"])


def support_phrase(c: dict[str, int]) -> str:
    if not c.get("support_only"):
        return ""
    return t("(其中仅配合单位启动 {n})", " ({n} started by support units only)", n=c["support_only"])


def tasks_line(tasks: Sequence[TaskStatus]) -> str:
    from ..progress import count  # noqa: PLC0415

    c = count(tasks)
    return t("任务 {n} 项:{done},进行中 {doing},未开始 {todo};红灯 {red},黄灯 {yellow},绿灯 {green}",
             "{n} tasks: {done}, {doing} doing, {todo} to do; {red} red, {yellow} yellow, {green} green",
             n=c["parts"], done=done_phrase(c), **{k: c[k] for k in ("doing", "todo", "red", "yellow", "green")}
             ) + ongoing_phrase(c)


def duties_line(duties: Sequence[DutyStatus]) -> str:
    from ..progress import count  # noqa: PLC0415

    c = count(duties)
    return t("年度事项 {n} 项:{done},未完成 {open},其中红灯 {red}(详见 status --duties)",
             "{n} yearly duties: {done}, {open} open, {red} of them red (see status --duties)",
             n=c["parts"], done=done_phrase(c), open=c["parts"] - c["done"], red=c["red"])


def _summary_json(c: dict[str, int]) -> dict[str, int]:
    return dict(c)


class Counted(str):
    """A header line made of pieces, some quoting a column (by index): a narrow terminal that leaves a column
    out leaves its piece out too. Everywhere else it is the whole text."""

    pieces: list[tuple[str, int | None]]

    def __new__(cls, pieces: Sequence[tuple[str, int | None]]) -> "Counted":
        out = super().__new__(cls, "".join(p for p, _ in pieces))
        out.pieces = list(pieces)
        return out


class Page:
    """Lines that say what a table is, the table, and the words for when it is empty."""

    def __init__(self, lines: Sequence[tuple[str, str]], headers: Sequence[str], rows: list[list[Cell]],
                 empty: str, no_wrap: Sequence[int] = (), before: Sequence[Any] = (), drop: Sequence[int] = (),
                 lead: Sequence[Any] = ()) -> None:
        self.lines, self.headers, self.rows, self.empty = list(lines), headers, rows, empty
        self.no_wrap, self.before, self.drop, self.lead = no_wrap, list(before), drop, list(lead)

    def render(self, fmt: str) -> Any:
        if fmt != "table":
            context = [x for x, _ in self.lines] + ([] if self.rows or not self.empty else [self.empty])
            if not self.rows and fmt != "csv":     # CSV keeps its header row for programs
                return "\n".join(safe(x) for x in context) + "\n"
            return text_table(fmt, self.headers, self.rows, context)
        from .terminal import Text  # noqa: PLC0415

        from .table import Paragraph  # noqa: PLC0415

        grid = terminal_table(self.headers, self.rows, no_wrap=self.no_wrap, drop=self.drop) if self.rows else None

        def para(x: str, s: str) -> Any:
            if isinstance(x, Counted) and grid is not None:
                from .table import CountedParagraph  # noqa: PLC0415

                return CountedParagraph([(safe(p), c) for p, c in x.pieces], grid, s, t(
                    "（终端较窄，另有 {n} 列未显示；加宽终端或用 -f csv 查看）",
                    " ({n} more columns not shown in this narrow terminal; widen it or use -f csv)"))
            return Paragraph(safe(x), s)

        out: list[Any] = [para(x, s) for x, s in self.lines[:2]] + self.lead
        out += [para(x, s) for x, s in self.lines[2:]]
        out += self.before
        if grid is None:
            return out + [Text(safe(self.empty))]
        return out + ["", grid]


# --- status -------------------------------------------------------------------

def _part_json(ps: PartStatus, table: bool = False) -> dict:
    """A part's object; ``table``: its units as a ``jsontext.Table`` (written without making their objects)."""
    p = ps.part
    return {"id": p.id, "title": ps.title, "state": ps.state, "light": ps.light, "late": ps.late,
            **due_json(p.due), "done_on": ps.done_on, "lead": list(p.lead), "support": list(p.support),
            "lead_done": ps.lead_done, "lead_total": ps.lead_total, "lead_waived": ps.lead_waived,
            "support_only": ps.support_only,
            "support_done": ps.support_done, "support_total": ps.support_total, "owing": list(ps.owing),
            "review": ps.review, "extended_to": ps.extended_to.isoformat() if ps.extended_to else None,
            "waived": ps.waived,
            "units": _units_table(ps.units) if table else [dict(zip(_UNIT_KEYS, _unit_values(u))) for u in ps.units]}


_UNIT_KEYS = ("unit", "role", "state", "on", "evidence", "review", "review_note", "extended_to", "waived", "succeeds")


def _unit_values(u: Any) -> tuple:
    return (u.unit, u.role, u.state, u.on, list(u.evidence), u.review, u.review_note,
            u.extended_to.isoformat() if u.extended_to else None, u.waived, u.succeeds)


def _units_table(units: Sequence[Any]) -> Any:
    from .jsontext import Table  # noqa: PLC0415

    return Table(_UNIT_KEYS, [_unit_values(u) for u in units])


def _duty_json(ds: DutyStatus) -> dict:
    d = ds.duty
    sub = ds.submissions()
    return {"id": d.id, "kind": d.kind, "year": d.year, "title": d.title, "due": d.due.isoformat(),
            "state": ds.state, "light": ds.light, "late": ds.late, "done_on": ds.done_on, "task": d.task,
            "part": d.part, "to": d.to,
            "on_time": [u.unit for u in sub["on_time"]], "late_units": [u.unit for u in sub["late"]],
            "missing": [u.unit for u in sub["missing"]],
            "units": [{"unit": u.unit, "state": u.state, "on": u.on, "late": u.late(d.due),
                       "evidence": list(u.evidence)} for u in ds.units]}


def _final_account(plan: Plan, parts: Sequence[PartStatus]) -> list[dict]:
    out = []
    for sec in plan.sections:
        chosen = [p for p in parts if plan.tasks[p.part.task].section == sec.id]
        if chosen:
            c = {"done_on_time": 0, "done_late": 0, "not_done": 0}
            for p in chosen:
                c["not_done" if p.state != "done" else "done_late" if p.late else "done_on_time"] += 1
            out.append({"section": sec.id, "heading": section_short(sec.heading), "parts": len(chosen), **c})
    return out


def _task_json(ts: TaskStatus, ps: Sequence[PartStatus], table: bool = False) -> dict:
    return {"id": ts.task.id, "section": ts.task.section, "title": ts.task.title, "state": ts.state,
            "review": ts.review,
            "light": ts.light, "late": ts.late, **due_json(ts.due),
            "parts": [_part_json(p, table) for p in ps]}


def status_json(plan: Plan, st: Status, tasks: Sequence[TaskStatus], keep: Callable | None = None,
                streamed: bool = False) -> dict:
    """The status document. ``streamed``: its tasks a ``jsontext.Lazy`` array, made as it is written, and
    their parts' units ``jsontext.Table``s (``status_view``'s; other callers read objects)."""
    from ..progress import count  # noqa: PLC0415
    from .jsontext import Lazy  # noqa: PLC0415

    chosen = [(ts, [p for p in ts.parts if keep is None or keep(p)]) for ts in tasks]
    chosen = [(ts, ps) for ts, ps in chosen if ps]
    parts = [p for _, ps in chosen for p in ps]
    made = lambda: (_task_json(ts, ps, streamed) for ts, ps in chosen)  # noqa: E731
    doc = {
        "as_of": st.as_of.isoformat(),
        "known_at": st.known_at,
        "plan": plan.title,
        "plan_id": plan.key,
        "number": plan.number,
        "target": plan.target.isoformat(),
        "warn_days": st.warn_days,
        "summary": count(parts),
        "tasks": Lazy(made) if streamed else list(made()),
    }
    if st.as_of > plan.target:
        doc["final"] = _final_account(plan, parts)
    return doc


def _section_rows(plan: Plan, parts: Sequence[PartStatus]) -> tuple[list[str], list[list[Cell]]]:
    from ..progress import count  # noqa: PLC0415

    headers = [t("章节", "Section"), t("进度", "Progress"), t("完成", "Done"), t("逾期完成", "Late"),
               t("进行", "Doing"), t("未开始", "To do"), t("红灯", "Red"), t("黄灯", "Yellow")]
    rows = []
    for sec in plan.sections:
        chosen = [p for p in parts if plan.tasks[p.part.task].section == sec.id]
        if chosen:
            c = count(chosen)
            rows.append([section_label(sec.id, section_short(sec.heading)), _bar(c["done"], c["parts"]),
                         Ratio(f"{c['done']}/{c['parts']}"), str(c["done_late"]), str(c["doing"]), str(c["todo"]),
                         str(c["red"]), str(c["yellow"])])
    return headers, rows


def _final_rows(plan: Plan, parts: Sequence[PartStatus]) -> tuple[list[str], list[list[Cell]]]:
    headers = [t("章节", "Section"), t("分项", "Parts"), t("按时完成", "On time"), t("逾期完成", "Late"),
               t("未完成", "Not done")]
    rows = [[section_label(x["section"], x["heading"]), str(x["parts"]), str(x["done_on_time"]), str(x["done_late"]),
             (str(x["not_done"]), "bold red" if x["not_done"] else "")] for x in _final_account(plan, parts)]
    return headers, rows


def _bar(done: int, total: int, width: int = 10) -> Cell:
    filled = round(width * done / total) if total else 0
    pct = f"{round(100 * done / total) if total else 0:>3}%"
    return (f"{'━' * filled}{'─' * (width - filled)} {pct}", "green")


def task_rows(tasks: Sequence[TaskStatus]) -> tuple[list[str], list[list[Cell]]]:
    headers = [t("编号", "No."), t("任务", "Task"), t("牵头单位", "Lead"), t("状态", "State"),
               t("灯", "Light"), t("期限", "Due"), t("配合", "Support")]
    rows = [[ts.task.id, ts.task.title, lead_names(ts.task), state_cell(ts.state, ts.late, review=ts.review),
             light_cell(ts.light), due_cell(ts.due), support_count(ts.parts)] for ts in tasks]
    return headers, rows


def _lead_progress(ps: PartStatus) -> Ratio:
    waived = t("（不再适用 {n}）", " ({n} waived)", n=ps.lead_waived) if ps.lead_waived else ""
    return Ratio(f"{ps.lead_done}/{ps.lead_total}{waived}")


def part_rows(parts: Sequence[PartStatus], fmt: str) -> tuple[list[str], list[list[Cell]]]:
    headers = [t("分项", "Part"), t("内容", "What"), t("牵头单位", "Lead"), t("状态", "State"), t("灯", "Light"),
               t("期限", "Due"), t("完成日期", "Done on"), t("牵头进度", "Leads done"), t("配合", "Support"),
               t("尚欠单位", "Still owed by")]
    limit = 3 if fmt == "table" else None
    rows = [[ps.part.id, ps.title, Lines(ps.part.lead),
             state_cell(ps.state, ps.late, ps.support_only, ps.review, ps.waived),
             light_cell(ps.light), due_cell(ps.part.due, ps.extended_to), ps.done_on or "-", _lead_progress(ps),
             support_count([ps]), owing_cell(ps.owing, limit)] for ps in parts]
    return headers, rows


def owing_cell(units: Sequence[str], limit: int | None) -> Cell:
    if not units:
        return "-"
    if limit is None:
        return "、".join(units)
    if len(units) > limit:
        return Lines([*units[:limit - 1], t("等 {n} 个单位", "and {m} more", n=len(units), m=len(units) - limit + 1)])
    return Lines(units)


def status_view(plan: Plan, st: Status, tasks: Sequence[TaskStatus], fmt: str, light: str | None = None,
                by_part: bool = False, synced: Sequence[str] = ()) -> Any:
    """The overview: tasks (or, with a light or by_part, parts), each header counted from its rows.

    ``synced``: lines on the folder's sync (when it last synced, units gone quiet), shown under the header.
    """
    keep = (lambda p: p.light == light) if light else None
    if fmt == "json":
        # written as it goes: a plan of 3,000 parts held 27,000 units' objects and all their text at once
        from ..progress import count  # noqa: PLC0415
        from .escape import JsonDoc  # noqa: PLC0415
        from .jsontext import Lazy  # noqa: PLC0415

        doc = status_json(plan, st, tasks, keep, streamed=True)
        duties = [d for d in st.duties if light is None or d.light == light]
        doc["duties"] = Lazy(lambda: map(_duty_json, duties))
        doc["duties_summary"] = count(duties)
        return JsonDoc(doc)
    from ..progress import count  # noqa: PLC0415

    parts = [p for ts in tasks for p in ts.parts if keep is None or keep(p)]
    head = status_header(plan, st)
    lines = [(head[0], "bold"), (head[1], "")]
    before: list[Any] = []
    lead: list[Any] = []
    if fmt == "table" and synced:
        from .terminal import Text  # noqa: PLC0415

        lead = [Text(safe(x)) for x in synced]
    else:
        lines += [(x, "") for x in synced]
    if st.as_of > plan.target and not light:
        # a plan past its target leads with its final account, section by section
        c = count(parts)
        final = t("总体目标期限已过,最终完成情况:按时完成 {a},逾期完成 {b},未完成 {n}",
                  "The overall target has passed. Final account: {a} on time, {b} late, {n} not done",
                  a=c["done_on_time"], b=c["done_late"], n=c["parts"] - c["done"])
        if fmt == "table":
            from .terminal import Text  # noqa: PLC0415

            fh, frows = _final_rows(plan, parts)
            lead += [Text(safe(final), style="bold"), terminal_table(fh, frows, no_wrap=(1, 2, 3, 4)), ""]
        else:
            lines.append((final, "bold"))
    noun = t("{l}分项", "{l} parts", l=light_label(light)) if light else None
    lines.append((parts_line(count(parts), noun), "bold"))
    if light or by_part:
        duties = [d for d in st.duties if light is None or d.light == light]
        if light and duties:
            lines.append((t("另有{l}年度事项 {n} 项(fazhi status --duties --light {k})",
                            "and {n} {l} yearly duties (fazhi status --duties --light {k})",
                            l=light_label(light), n=len(duties), k=light), ""))
        headers, rows = part_rows(parts, fmt)
        empty = t("没有{l}分项", "no {l} parts", l=light_label(light)) if light else t("没有分项", "no parts")
        return Page(lines, headers, rows, empty, no_wrap=(0, 3, 4, 5, 6, 7, 8), drop=(6, 8, 9, 7, 5),
                    lead=lead).render(fmt)
    headers, rows = task_rows(tasks)
    if fmt == "table":
        sh, srows = _section_rows(plan, parts)
        before += ["", terminal_table(sh, srows, no_wrap=(1, 2, 3, 4, 5, 6, 7), drop=(7, 3, 5, 4, 1))]
    lines_after = [(tasks_line(tasks), "bold")]
    if fmt == "table":
        from .terminal import Text  # noqa: PLC0415

        duties = list(st.duties)
        before += ["", Text(safe(duties_line(duties))), "", Text(safe(lines_after[0][0]), style="bold")]
        return Page(lines, headers, rows, t("没有任务", "no tasks"), no_wrap=(0, 3, 4, 5, 6),
                    before=before, drop=(6, 5), lead=lead).render(fmt)
    return Page(lines + lines_after, headers, rows, t("没有任务", "no tasks")).render(fmt)


def unit_view(plan: Plan, st: Status, unit: str, tasks: Sequence[TaskStatus], fmt: str,
              light: str | None = None) -> Any:
    """Every part and yearly duty the unit holds, lit by the unit's own state."""
    from ..progress import count, own_items  # noqa: PLC0415

    in_tasks = {ts.task.id for ts in tasks}
    items = [x for x in own_items(st, unit)
             if (x.kind == "recurring" or x.task in in_tasks) and (light is None or x.light == light)]
    if fmt == "json":
        shown = {x.id for x in items if x.kind == "part"}   # lit by the unit's own date, extended or not
        doc = status_json(plan, st, tasks, lambda p: p.part.id in shown)
        doc["unit"] = unit
        doc["own_summary"] = count(items)
        doc["items"] = [_own_json(x) for x in items]
        doc["duties"] = [{"id": x.id, "title": x.title, "due": x.due.isoformat(), "state": x.state,
                          "light": x.light, "late": x.late, "done_on": x.on if x.state == "done" else None,
                          "duty_state": x.item_state, "duty_light": x.item_light}
                         for x in items if x.kind == "recurring"]
        return to_json(doc)
    c = count(items)
    lead = sum(1 for x in items if x.role == "lead")
    head = status_header(plan, st)
    what = t("{l}事项", "{l} items", l=light_label(light)) if light else t("负责事项", "items held")
    summary = t("{u}：{w} {n} 项(牵头 {a},配合 {b}):{done},进行中 {doing},未开始 {todo};本单位红灯 {red},黄灯 {yellow}",
                "{u}: {n} {w} ({a} as lead, {b} in support): {done}, {doing} doing, {todo} to do; "
                "{red} red and {yellow} yellow for this unit",
                u=unit, w=what, n=c["parts"], a=lead, b=c["parts"] - lead, done=done_phrase(c),
                **{k: c[k] for k in ("doing", "todo", "red", "yellow")}) + ongoing_phrase(c)
    lines = [(head[0], "bold"), (head[1], ""), (summary, "bold red" if c["red"] else "bold")]
    headers = [t("事项", "Item"), t("内容", "What"), t("职责", "Role"), t("本单位", "Own state"), t("灯", "Light"),
               t("期限", "Due"), t("完成日期", "Done on"), t("整体", "Overall")]
    rows = [[x.id, x.title, role_label(x.role), state_cell(x.state, x.late, review=x.review, waived=x.waived),
             light_cell(x.light), due_cell(x.due, x.extended_to), x.on if x.state == "done" else "-",
             state_cell(x.item_state)] for x in items]
    returned = [x for x in items if x.review == "returned" and x.state != "done"]
    for x in returned:   # the office's note, where the unit reads its own view
        lines.append((t("退回 {p}：{n}", "returned {p}: {n}", p=x.id, n=x.review_note), "magenta"))
    empty = t("{u} 没有{l}事项", "{u} has no {l} items", u=unit, l=light_label(light) if light else "")
    return Page(lines, headers, rows, empty, no_wrap=(0, 2, 3, 4, 5, 6, 7), drop=(7, 6, 2)).render(fmt)


def _own_json(x: OwnItem) -> dict:
    return {"kind": x.kind, "id": x.id, "task": x.task, "title": x.title, "role": x.role, "state": x.state,
            "light": x.light, "late": x.late, "done_on": x.on if x.state == "done" else None, "on": x.on,
            **due_json(x.due), "item_state": x.item_state, "item_light": x.item_light,
            "evidence": list(x.evidence), "review": x.review, "review_note": x.review_note,
            "extended_to": x.extended_to.isoformat() if x.extended_to else None, "waived": x.waived}


def task_detail_view(plan: Plan, st: Status, ts: TaskStatus, fmt: str) -> Any:
    if fmt == "json":
        return to_json(status_json(plan, st, [ts]))
    headers = [t("分项", "Part"), t("单位", "Unit"), t("职责", "Role"), t("状态", "State"), t("日期", "On"),
               t("期限", "Due"), t("证明材料", "Evidence")]
    # each unit's own date: an extension for one unit is that unit's, the part's line keeps the plan's
    rows = [[ps.part.id, Lines([u.unit + (t("(承继{o})", " (for {o})", o=u.succeeds) if u.succeeds else "")]),
             role_label(u.role), state_cell(u.state, u.late(ps.part.due), review=u.review, waived=u.waived),
             u.on or "", due_cell(ps.part.due, u.extended_to),
             evidence_cell(u.evidence, fmt)] for ps in ts.parts for u in ps.units]
    lines = [(f"{ts.task.id}. {ts.task.title}", "bold"), (status_header(plan, st)[1], "")]
    for ps in ts.parts:
        lines.append((t("{p} {title}：{s}，{l},期限 {d};牵头 {a},配合 {b}",
                        "{p} {title}: {s}, {l}, due {d}; leads {a}, support {b}",
                        p=ps.part.id, title=ps.title,
                        s=state_label(ps.state, ps.late, ps.support_only, ps.review, ps.waived),
                        l=light_label(ps.light), d=due_cell(ps.part.due, ps.extended_to), a=_lead_progress(ps),
                        b=support_count([ps])),
                      LIGHT_STYLE[ps.light] if ps.light == "red" else ""))
    return Page(lines, headers, rows, "", no_wrap=(0, 2, 3, 4, 5), drop=(6, 5, 2)).render(fmt)


# --- yearly duties --------------------------------------------------------------

def duty_detail_view(plan: Plan, st: Status, ds: DutyStatus, fmt: str) -> Any:
    """报送情况: who submitted the duty on time, who late (with the date), who not at all."""
    if fmt == "json":
        return to_json({"as_of": st.as_of.isoformat(), "known_at": st.known_at, "plan": plan.title,
                        "plan_id": plan.key, "duty": _duty_json(ds)})
    sub = ds.submissions()
    d = ds.duty
    lines = [(f"{d.id} {d.title}", "bold"), (status_header(plan, st)[1], ""),
             (t("期限 {due}{to}；{s}，{l}", "due {due}{to}; {s}, {l}",
                due=d.due, to=t(",报送{x}", ", to {x}", x=d.to) if d.to else "",
                s=state_label(ds.state, ds.late), l=light_label(ds.light)), ""),
             (t("应报 {n} 个单位:按时 {a},逾期 {b},未报 {c}", "{n} units owe it: {a} on time, {b} late, {c} not yet",
                n=len(ds.units), a=len(sub["on_time"]), b=len(sub["late"]), c=len(sub["missing"])), "bold")]
    headers = [t("单位", "Unit"), t("报送情况", "Submitted"), t("日期", "On"), t("证明材料", "Evidence")]

    def how(u: Any) -> Cell:
        if u.state != "done":
            return (t("未报", "not yet"), "bold red" if ds.duty.due < st.as_of else "dim")
        if u.late(d.due):
            days = (date.fromisoformat(u.on) - d.due).days
            return (t("逾期 {n} 天", "{n} days late", n=days), "yellow")
        return (t("按时", "on time"), "green")

    order = sub["missing"] + sub["late"] + sub["on_time"]
    rows = [[Lines([u.unit]), how(u), u.on if u.state == "done" else "-", evidence_cell(u.evidence, fmt)]
            for u in order]
    return Page(lines, headers, rows, "", no_wrap=(1, 2)).render(fmt)


def duties_view(plan: Plan, st: Status, fmt: str, light: str | None = None) -> Any:
    """Every yearly duty with how many units submitted it on time, late, or not yet."""
    from ..progress import count  # noqa: PLC0415

    duties = [d for d in st.duties if light is None or d.light == light]
    if fmt == "json":
        return to_json({"as_of": st.as_of.isoformat(), "known_at": st.known_at, "plan": plan.title,
                        "plan_id": plan.key, "summary": count(duties), "duties": [_duty_json(d) for d in duties]})
    head = status_header(plan, st)
    lines = [(head[0], "bold"), (head[1], ""), (parts_line(count(duties), t("年度事项", "yearly duties")), "bold")]
    headers = [t("事项", "Duty"), t("内容", "What"), t("期限", "Due"), t("应报", "Owed by"), t("按时", "On time"),
               t("逾期", "Late"), t("未报", "Not yet"), t("状态", "State"), t("灯", "Light")]
    rows = []
    for ds in duties:
        sub = ds.submissions()
        rows.append([ds.duty.id, ds.duty.title, ds.duty.due.isoformat(), str(len(ds.units)), str(len(sub["on_time"])),
                     str(len(sub["late"])), str(len(sub["missing"])), state_cell(ds.state, ds.late, waived=ds.waived),
                     light_cell(ds.light)])
    empty = t("没有{l}年度事项", "no {l} yearly duties", l=light_label(light) if light else "")
    return Page(lines, headers, rows, empty, no_wrap=(0, 2, 3, 4, 5, 6, 7, 8), drop=(7, 5, 4)).render(fmt)
