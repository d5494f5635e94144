"""Turning results into what people and programs read. Shows, never decides.

Every format goes through ``safe()`` (or JSON's escaping), so text that came
from plan files, notes or evidence cannot move the cursor, change colors,
open links or reorder a line on the user's terminal. Rich receives data only
as ``Text``, never inside markup.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..i18n import t

if TYPE_CHECKING:  # types only: rendering `show` must not import the ledger
    from ..plan import Part, Plan, Task
    from ..progress import DueItem, PartStatus, Status, TaskStatus

FORMATS = ("table", "plain", "markdown", "csv", "json")

# C0/C1 controls, DEL, and the invisible format marks that reorder or hide
# text: the Arabic letter mark, zero-width space/joiners, LRM/RLM, bidi
# embeddings, overrides and isolates, the word joiner and invisible operators,
# the deprecated format marks, the BOM, line and paragraph separators, soft
# hyphen, Mongolian vowel separator, interlinear annotation marks and the tag
# characters (which can smuggle invisible ASCII). Each is shown as an escape
# ("\x1b", "\u202e") instead of acting.
_UNSAFE = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0xAD, 0x061C, 0x180E, *range(0x200B, 0x2010),
           *range(0x2028, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x2070), 0xFEFF,
           *range(0xFFF9, 0xFFFC), *range(0xE0000, 0xE0080)]


def _escape(c: int) -> str:
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


def _json_escape(c: int) -> str:
    if c < 0x10000:
        return f"\\u{c:04x}"
    c -= 0x10000  # JSON spells a character beyond U+FFFF as its UTF-16 surrogate pair
    return f"\\u{0xD800 + (c >> 10):04x}\\u{0xDC00 + (c & 0x3FF):04x}"


_SAFE_TABLE = {c: _escape(c) for c in _UNSAFE}
_JSON_TABLE = {c: _json_escape(c) for c in _UNSAFE if c >= 0x7F}


def safe(value: object) -> str:
    return str(value).translate(_SAFE_TABLE)


def to_json(obj: Any) -> str:
    # json escapes C0 itself; the rest is escaped here so that the output is
    # still exact JSON but carries no raw escape character.
    return json.dumps(obj, ensure_ascii=False, indent=2).translate(_JSON_TABLE) + "\n"


# --- labels -------------------------------------------------------------------

def state_label(state: str, late: bool = False) -> str:
    if state == "done" and late:
        return t("逾期完成", "done late")
    return {"todo": t("未开始", "to do"), "doing": t("进行中", "doing"), "done": t("已完成", "done")}[state]


def light_label(light: str) -> str:
    return {"red": t("红灯", "red"), "yellow": t("黄灯", "yellow"), "green": t("绿灯", "green")}[light]


def role_label(role: str) -> str:
    return t("牵头", "lead") if role == "lead" else t("配合", "support")


def kind_label(kind: str) -> str:
    zh = {"department": "政府部门", "party": "党委部门", "judicial": "司法机关", "subdistrict": "街道",
          "town": "镇", "committee": "管委会", "other": "其他"}
    return zh.get(kind, kind) if t("zh", "en") == "zh" else kind


LIGHT_STYLE = {"red": "bold white on red", "yellow": "bold black on yellow", "green": "green"}
STATE_STYLE = {"todo": "dim", "doing": "cyan", "done": "green"}


def section_short(heading: str) -> str:
    return heading.split(",")[0].rstrip("。")


class Lines(tuple):
    """A cell of several names: one per line in a terminal, joined by 、 elsewhere."""

    def __str__(self) -> str:
        return "、".join(self)


def lead_names(task: Task) -> Lines:
    return Lines(dict.fromkeys(n for p in task.parts for n in p.lead))


def support_count(parts: Sequence[PartStatus]) -> str:
    """Support units done with every part they support, of all support units."""
    done: dict[str, bool] = {}
    for p in parts:
        for u in p.units:
            if u.role == "support":
                done[u.unit] = done.get(u.unit, True) and u.state == "done"
    return f"{sum(done.values())}/{len(done)}" if done else "-"


# --- tables of plain cells, shared by every text format -----------------------
# A cell is text, or (text, style) where a style only matters to Rich.

Cell = Any


def _plain(cell: Cell) -> Any:
    if isinstance(cell, Lines):
        return str(cell)
    return cell[0] if isinstance(cell, tuple) else cell


def text_table(fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    body = [[safe(_plain(c)) if isinstance(_plain(c), str) else _plain(c) for c in row] for row in rows]
    heads = [safe(h) for h in headers]
    if fmt == "csv":
        import csv  # noqa: PLC0415
        import io  # noqa: PLC0415

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(heads)
        # A cell that starts like a formula would run in Excel/WPS; a leading
        # apostrophe keeps it text.
        writer.writerows([[("'" + c) if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c
                           for c in row] for row in body])
        return "\ufeff" + buf.getvalue()
    from tabulate import tabulate  # noqa: PLC0415

    return tabulate(body, heads, tablefmt="github" if fmt == "markdown" else "simple",
                    disable_numparse=True) + "\n"


def terminal_table(headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, no_wrap: Sequence[int] = ()) -> Any:
    """A table for the terminal: every value made safe, styles kept for Rich."""
    from .table import Grid  # noqa: PLC0415

    cells = []
    for row in rows:
        out = []
        for c in row:
            if isinstance(c, Lines):  # each name on its own line, never folded mid-name
                out.append(("\n".join(safe(x) for x in c), ""))
            else:
                value, style = c if isinstance(c, tuple) else (c, "")
                out.append((safe(value), style))
        cells.append(out)
    return Grid([safe(h) for h in headers], cells, no_wrap)


def render_rows(fmt: str, headers: Sequence[str], rows: list[Sequence[Cell]], **kw: Any) -> Any:
    return [terminal_table(headers, rows, **kw)] if fmt == "table" else text_table(fmt, headers, rows)


# --- status -------------------------------------------------------------------

def _days_phrase(plan: Plan, as_of: date) -> str:
    days = (plan.target - as_of).days
    if days >= 0:
        return t("距总体目标({d})还有 {n} 天", "{n} days left to the overall target ({d})", d=plan.target, n=days)
    return t("已超过总体目标({d}) {n} 天", "{n} days past the overall target ({d})", d=plan.target, n=-days)


def status_header(plan: Plan, st: Status) -> list[str]:
    number = f"({plan.number})" if plan.number else ""
    return [f"{plan.title}{number}",
            t("截至 {d} · {p}", "As of {d} · {p}", d=st.as_of, p=_days_phrase(plan, st.as_of))]


def _light_cell(light: str) -> Cell:
    return (light_label(light), LIGHT_STYLE[light])


def _state_cell(state: str, late: bool = False) -> Cell:
    return (state_label(state, late), "yellow" if late else STATE_STYLE[state])


def task_rows(tasks: Sequence[TaskStatus]) -> tuple[list[str], list[list[Cell]]]:
    headers = [t("编号", "No."), t("任务", "Task"), t("牵头单位", "Lead"), t("状态", "State"),
               t("灯", "Light"), t("期限", "Due"), t("配合", "Support")]
    rows = [[ts.task.id, ts.task.title, lead_names(ts.task), _state_cell(ts.state, ts.late),
             _light_cell(ts.light), ts.due.isoformat(), support_count(ts.parts)] for ts in tasks]
    return headers, rows


def section_rows(plan: Plan, st: Status, tasks: Sequence[TaskStatus]) -> tuple[list[str], list[list[Cell]]]:
    headers = [t("章节", "Section"), t("进度", "Progress"), t("完成", "Done"), t("进行", "Doing"),
               t("未开始", "To do"), t("红灯", "Red"), t("黄灯", "Yellow")]
    rows = []
    for sec in plan.sections:
        parts = [p for ts in tasks if ts.task.section == sec.id for p in ts.parts]
        if not parts:
            continue
        s = st.summary(parts)
        rows.append([f"({sec.id}){section_short(sec.heading)}", _bar(s["done"], s["parts"]),
                     f"{s['done']}/{s['parts']}", str(s["doing"]), str(s["todo"]), str(s["red"]), str(s["yellow"])])
    return headers, rows


def _bar(done: int, total: int, width: int = 10) -> Cell:
    filled = round(width * done / total) if total else 0
    pct = f"{round(100 * done / total) if total else 0:>3}%"
    return (f"{'━' * filled}{'─' * (width - filled)} {pct}", "green")


def status_view(plan: Plan, st: Status, tasks: Sequence[TaskStatus], fmt: str) -> Any:
    if fmt == "json":
        return to_json(status_json(plan, st, tasks))
    headers, rows = task_rows(tasks)
    if fmt != "table":
        return text_table(fmt, headers, rows)
    from rich.text import Text  # noqa: PLC0415

    head = status_header(plan, st)
    sh, srows = section_rows(plan, st, tasks)
    total = st.summary([p for ts in tasks for p in ts.parts])
    line = t("分项 {parts} 个:已完成 {done},进行中 {doing},未开始 {todo};红灯 {red},黄灯 {yellow}",
             "{parts} parts: {done} done, {doing} doing, {todo} to do; {red} red, {yellow} yellow", **total)
    return [Text(safe(head[0]), style="bold"), Text(safe(head[1])), Text(line), "",
            terminal_table(sh, srows, no_wrap=(1, 2, 3, 4, 5, 6)), "",
            terminal_table(headers, rows, no_wrap=(0, 3, 4, 5, 6))]


def _part_json(ps: PartStatus) -> dict:
    p = ps.part
    return {"id": p.id, "state": ps.state, "light": ps.light, "late": ps.late, "due": p.due.isoformat(),
            "done_on": ps.done_on, "lead": list(p.lead), "support": list(p.support),
            "support_done": ps.support_done, "support_total": ps.support_total,
            "units": [{"unit": u.unit, "role": u.role, "state": u.state, "on": u.on} for u in ps.units]}


def status_json(plan: Plan, st: Status, tasks: Sequence[TaskStatus], parts_of: Any = None) -> dict:
    chosen = [(ts, [p for p in ts.parts if parts_of is None or parts_of(p)]) for ts in tasks]
    chosen = [(ts, ps) for ts, ps in chosen if ps]
    return {
        "as_of": st.as_of.isoformat(),
        "plan": plan.title,
        "number": plan.number,
        "target": plan.target.isoformat(),
        "warn_days": st.warn_days,
        "summary": st.summary([p for _, ps in chosen for p in ps]),
        "tasks": [{"id": ts.task.id, "section": ts.task.section, "title": ts.task.title, "state": ts.state,
                   "light": ts.light, "late": ts.late, "due": ts.due.isoformat(),
                   "parts": [_part_json(p) for p in ps]} for ts, ps in chosen],
    }


def unit_view(plan: Plan, st: Status, unit: str, tasks: Sequence[TaskStatus], fmt: str,
              light: str | None = None) -> Any:
    def mine(ps: PartStatus) -> bool:
        return any(u.unit == unit for u in ps.units) and (light is None or ps.light == light)

    if fmt == "json":
        doc = status_json(plan, st, tasks, mine)
        doc["unit"] = unit
        doc["duties"] = [{"id": d.duty.id, "title": d.duty.title, "due": d.duty.due.isoformat(),
                          "state": next(u.state for u in d.units if u.unit == unit), "light": d.light}
                         for d in st.duties if unit in d.duty.units]
        return to_json(doc)
    headers = [t("分项", "Part"), t("任务", "Task"), t("职责", "Role"), t("本单位", "Own state"),
               t("分项状态", "Part state"), t("灯", "Light"), t("期限", "Due")]
    rows, overdue = [], 0
    for ts in tasks:
        for ps in ts.parts:
            if not mine(ps):
                continue
            own = next(u for u in ps.units if u.unit == unit)
            if own.role == "lead" and own.state != "done" and ps.light == "red":
                overdue += 1
            rows.append([ps.part.id, ts.task.title, role_label(own.role), _state_cell(own.state),
                         _state_cell(ps.state, ps.late), _light_cell(ps.light), ps.part.due.isoformat()])
    if fmt != "table":
        return text_table(fmt, headers, rows)
    from rich.text import Text  # noqa: PLC0415

    head = status_header(plan, st)
    summary = t("{u}:负责分项 {n} 个,其中牵头且已逾期未完成 {o} 个",
                "{u}: {n} parts, {o} of them led by this unit and overdue", u=safe(unit), n=len(rows), o=overdue)
    duties = [d for d in st.duties if unit in d.duty.units]
    late_duties = [d.duty.id for d in duties
                   if d.light == "red" and next(u.state for u in d.units if u.unit == unit) != "done"]
    duty_line = t("年度事项 {n} 项,逾期未报 {o} 项{ids}(fazhi due --unit {u} 查看)",
                  "{n} yearly duties, {o} overdue{ids} (see fazhi due --unit {u})",
                  n=len(duties), o=len(late_duties), ids=(": " + ", ".join(late_duties)) if late_duties else "",
                  u=safe(unit))
    return [Text(safe(head[0]), style="bold"), Text(safe(head[1])),
            Text(summary, style="bold red" if overdue else "bold"),
            Text(duty_line, style="red" if late_duties else ""), "",
            terminal_table(headers, rows, no_wrap=(0, 2, 3, 4, 5, 6))]


def task_detail_view(plan: Plan, st: Status, ts: TaskStatus, fmt: str) -> Any:
    if fmt == "json":
        return to_json(status_json(plan, st, [ts]))
    headers = [t("分项", "Part"), t("单位", "Unit"), t("职责", "Role"), t("状态", "State"), t("日期", "On")]
    rows = [[ps.part.id, u.unit, role_label(u.role), _state_cell(u.state), u.on or ""]
            for ps in ts.parts for u in ps.units]
    if fmt != "table":
        return text_table(fmt, headers, rows)
    from rich.text import Text  # noqa: PLC0415

    out: list[Any] = [Text(safe(f"{ts.task.id}. {ts.task.title}"), style="bold"),
                      Text(safe(status_header(plan, st)[1]))]
    for ps in ts.parts:
        out.append(Text.assemble(
            (safe(ps.part.id), "bold"), "  ", (state_label(ps.state, ps.late), STATE_STYLE[ps.state]), "  ",
            (light_label(ps.light), LIGHT_STYLE[ps.light]), "  ",
            t("期限 ", "due ") + ps.part.due.isoformat(), "  ",
            t("配合 ", "support ") + support_count([ps])))
    out += ["", terminal_table(headers, rows, no_wrap=(0, 2, 3, 4))]
    return out


# --- due ----------------------------------------------------------------------

def _owing(units: Sequence[str], limit: int | None) -> Cell:
    if limit is None:
        return "、".join(units)
    if len(units) > limit:
        return Lines([*units[:limit - 1], t("等 {n} 个单位", "and {m} more", n=len(units), m=len(units) - limit + 1)])
    return Lines(units)


def due_view(plan: Plan, items: Sequence[DueItem], as_of: date, fmt: str) -> Any:
    if fmt == "json":
        return to_json({"as_of": as_of.isoformat(), "items": [
            {"due": i.due.isoformat(), "kind": i.kind, "id": i.id, "task": i.task, "part": i.part,
             "title": i.title, "units": list(i.units), "days_left": i.days_left, "light": i.light,
             "state": i.state} for i in items]})
    headers = [t("期限", "Due"), t("剩余天数", "Days left"), t("灯", "Light"), t("事项", "What"),
               t("尚欠单位", "Still owed by")]
    limit = 3 if fmt == "table" else None
    rows = [[i.due.isoformat(), i.days_left if fmt != "table" else str(i.days_left), _light_cell(i.light),
             Lines([i.id, i.title]) if fmt == "table" else f"{i.id} {i.title}", _owing(i.units, limit)]
            for i in items]
    if fmt != "table":
        return text_table(fmt, headers, rows)
    from rich.text import Text  # noqa: PLC0415

    red = sum(1 for i in items if i.light == "red")
    line = t("截至 {d}:{n} 项待办,其中 {r} 项已逾期", "As of {d}: {n} items, {r} overdue", d=as_of, n=len(items), r=red)
    if not items:
        return [Text(line)]
    return [Text(line, style="bold"), terminal_table(headers, rows, no_wrap=(0, 1, 2))]


# --- what mark and undo did ---------------------------------------------------

def marked_lines(events: Sequence[dict]) -> str:
    return "\n".join(t("已记录 {p} {u}: {s}({d})", "recorded {p} {u}: {s} ({d})", p=safe(e["part"]),
                        u=safe(e["unit"]), s=state_label(e["state"]), d=e["on"]) for e in events) + "\n"


def revoked_line(event: Any) -> str:
    return t("已撤销 {p} {u}: {s}({d},{at} 记录)", "revoked {p} {u}: {s} ({d}, recorded {at})",
             p=safe(event.target), u=safe(event.unit), s=state_label(event.state or "todo"), d=event.on,
             at=event.recorded_at[:16].replace("T", " ")) + "\n"


# --- show, units, log ---------------------------------------------------------

def part_json(p: Part) -> dict:
    return {"id": p.id, "text": p.text, "lead": list(p.lead), "support": list(p.support),
            "due": p.due.isoformat(), "due_source": p.due_source,
            "lead_units": list(p.lead_units), "support_units": list(p.support_units)}


def show_view(plan: Plan, task: Task, fmt: str) -> Any:
    if fmt == "json":
        return to_json({"id": task.id, "section": task.section, "title": task.title, "text": task.text,
                        "parts": [part_json(p) for p in task.parts]})
    headers = [t("分项", "Part"), t("牵头单位", "Lead"), t("配合单位", "Support"), t("期限", "Due"), t("内容", "Text")]
    rows = [[p.id, "、".join(p.lead), "、".join(p.support) or "-", p.due.isoformat(), p.text] for p in task.parts]
    if fmt != "table":
        return text_table(fmt, headers, rows)
    from rich.text import Text  # noqa: PLC0415

    sec = next((s for s in plan.sections if s.id == task.section), None)
    out: list[Any] = [Text(safe(f"{task.id}. {task.title}"), style="bold")]
    if sec:
        out.append(Text(safe(f"({sec.id}){sec.heading}"), style="dim"))
    out += ["", Text(safe(task.text)), ""]
    for p in task.parts:
        out.append(Text(safe(p.id), style="bold"))
        out.append(Text(safe(p.text)))
        out.append(Text(t("  牵头: ", "  lead: ") + safe("、".join(p.lead))))
        if p.support:
            out.append(Text(t("  配合: ", "  support: ") + safe("、".join(p.support))))
        out.append(Text(t("  期限: ", "  due: ") + p.due.isoformat()))
        if p.due_source:
            out.append(Text(t("  依据: ", "  from: ") + safe(p.due_source), style="dim"))
        for name in p.lead + p.support:
            group = plan.groups.get(name)
            if group and group.role and group.note:
                out.append(Text(safe(f"  {name}: {group.note}"), style="dim"))
        out.append("")
    return out


def units_view(plan: Plan, fmt: str) -> Any:
    lead = {u: 0 for u in plan.units}
    support = {u: 0 for u in plan.units}
    for p in plan.parts.values():
        for u in p.lead_units:
            lead[u] += 1
        for u in p.support_units:
            support[u] += 1
    if fmt == "json":
        return to_json({
            "units": [{"name": u.name, "full_name": u.full_name, "kind": u.kind, "aliases": list(u.aliases),
                       "groups": [g.name for g in plan.groups.values() if u.name in g.members],
                       "lead_parts": lead[u.name], "support_parts": support[u.name]} for u in plan.units.values()],
            "groups": [{"name": g.name, "role": g.role, "note": g.note, "members": list(g.members)}
                       for g in plan.groups.values()]})
    headers = [t("单位", "Unit"), t("全称", "Full name"), t("类别", "Kind"), t("牵头", "Leads"),
               t("配合", "Supports"), t("别名", "Aliases")]
    rows = [[u.name, u.full_name, kind_label(u.kind), str(lead[u.name]), str(support[u.name]), "、".join(u.aliases)]
            for u in plan.units.values()]
    gheaders = [t("单位组", "Group"), t("成员数", "Members"), t("成员", "Member units")]
    grows = [[g.name + (t("(角色)", " (role)") if g.role else ""), str(len(g.members)), "、".join(g.members)]
             for g in plan.groups.values()]
    if fmt != "table":
        return text_table(fmt, headers, rows) + "\n" + text_table(fmt, gheaders, grows)
    return [terminal_table(headers, rows, no_wrap=(0, 2, 3, 4)), terminal_table(gheaders, grows, no_wrap=(0, 1))]


def log_view(events: Sequence[Any], fmt: str) -> Any:
    if fmt == "json":
        return to_json({"events": [
            {"id": e.id, "type": e.type, "part": e.target, "unit": e.unit, "state": e.state, "on": e.on,
             "note": e.note, "evidence": list(e.evidence), "by": e.by, "recorded_at": e.recorded_at,
             "revokes": e.revokes} for e in events]})
    headers = [t("记录时间", "Recorded"), t("单位", "Unit"), t("分项", "Part"), t("状态", "State"),
               t("日期", "On"), t("记录人", "By"), t("备注", "Note")]
    rows = [[e.recorded_at[:16].replace("T", " "), e.unit, e.target,
             _state_cell(e.state) if e.state else (t("撤销 ", "revokes ") + (e.revokes or "")[:8], "magenta"),
             e.on, e.by, e.note] for e in events]
    return render_rows(fmt, headers, rows, no_wrap=(0, 2, 3, 4))
