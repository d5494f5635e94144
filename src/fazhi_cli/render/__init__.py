"""Turning results into what people and programs read. Shows, never decides.

Every format goes through ``safe()`` (or JSON's escaping), so text that came
from plan files, notes or evidence cannot move the cursor, change colors,
open links or reorder a line on the user's terminal. Rich receives data only
as ``Text``, never inside markup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..i18n import t

if TYPE_CHECKING:  # types only: rendering `show` must not import the ledger
    from ..plan import Part, Plan, Task
    from ..progress import PartStatus

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
    # still exact JSON but carries no raw escape character. translate() looked
    # up every one of a status document's 300,000 characters in a dict, and a
    # character class over the text is no faster; the UTF-8 bytes are searched
    # for the marks' encodings instead, and only a document that has one is
    # translated.
    from .jsontext import dumps_indented, has_marks  # noqa: PLC0415

    text = dumps_indented(obj)
    if has_marks(text.encode("utf-8", "surrogatepass")):
        text = text.translate(_JSON_TABLE)
    return text + "\n"


# --- labels -------------------------------------------------------------------

def state_label(state: str, late: bool = False, support_only: bool = False, review: str | None = None,
                waived: str | None = None) -> str:
    if waived:
        return t("不再适用", "waived")
    if review == "returned" and state != "done":
        return t("退回", "returned")
    suffix = {"pending": t("·待审核", " (awaiting review)"), "accepted": t("·已销号", " (closed out)")}.get(
        review or "", "") if state == "done" else ""
    if state == "done" and late:
        return t("逾期完成", "done late") + suffix
    if state == "doing" and support_only:
        return t("配合单位已启动", "support started")
    if suffix:
        return t("已完成", "done") + suffix
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


class Names(Lines):
    """A cell of many names: joined by 、 everywhere, a terminal breaks lines only between names."""


def lead_names(task: Task) -> Lines:
    return Lines(dict.fromkeys(n for p in task.parts for n in p.lead))


def evidence_label(item: object) -> str:
    """One evidence item as people read it: the document, the URL, or the file's name."""
    if isinstance(item, dict):
        value = str(item.get("name") or item.get("value", ""))
        if item.get("kind") == "file":
            return t("{v}(文件 {h})", "{v} (file {h})", v=value, h=str(item.get("sha256", ""))[:8])
        return value
    return str(item)


def evidence_cell(items: Sequence[object], fmt: str) -> str:
    """Every item in text formats; in a terminal table the count and the first item."""
    if not items:
        return ""
    labels = [evidence_label(x) for x in items]
    if fmt != "table" or len(labels) == 1:
        return ";".join(labels) if fmt != "table" else labels[0]
    return t("{n} 项:{f} 等", "{n}: {f} …", n=len(labels), f=labels[0])


def _light_cell(light: str) -> Any:
    return (light_label(light), LIGHT_STYLE[light])


def _state_cell(state: str, late: bool = False, support_only: bool = False, review: str | None = None,
                waived: str | None = None) -> Any:
    style = "dim" if waived else "magenta" if review == "returned" and state != "done" else (
        "yellow" if late else STATE_STYLE[state])
    return (state_label(state, late, support_only, review, waived), style)


def due_cell(due: Any, extended_to: Any = None) -> str:
    """A due date; an extended one with the original beside it (按原定时间考核)."""
    if extended_to:
        return t("{n}(原 {o})", "{n} (was {o})", n=extended_to, o=due)
    return due.isoformat() if hasattr(due, "isoformat") else str(due)


def support_count(parts: Sequence[PartStatus]) -> str:
    """Support units done with every part they support, of all support units."""
    done: dict[str, bool] = {}
    for p in parts:
        for u in p.units:
            if u.role == "support":
                done[u.unit] = done.get(u.unit, True) and u.state == "done"
    return Ratio(f"{sum(done.values())}/{len(done)}") if done else "-"


# --- tables of plain cells, shared by every text format -----------------------
# A cell is text, or (text, style) where a style only matters to Rich.

Cell = Any
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


class Multiline(str):
    """Text whose newlines are line breaks (a note), shown as lines wherever a format allows."""


class Ratio(str):
    """A count such as 1/17: text everywhere, never a date in Excel or WPS."""


def safe_lines(value: object) -> str:
    """Like safe(), but a newline stays a line break."""
    return "\n".join(safe(x) for x in str(value).split("\n"))


def _plain(cell: Cell) -> Any:
    if isinstance(cell, Lines):
        return str(cell)
    return cell[0] if isinstance(cell, tuple) else cell


def _text_cell(cell: Cell, fmt: str) -> Any:
    value = _plain(cell)
    if not isinstance(value, str):
        return value
    if isinstance(value, Multiline):
        text = safe_lines(value)
        return text.replace("\n", "<br>") if fmt == "markdown" else text
    if fmt == "csv":
        if value == "-":
            return ""               # a placeholder is an empty cell, never '-
        if isinstance(value, Ratio):
            return value.replace("/", "\uff0f")   # 1／17: Excel and WPS leave it as text
    return safe(value)


def text_table(fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]],
               context: Sequence[str] = ()) -> str:
    """A plain, Markdown or CSV table, after the lines that say what it is."""
    body = [[_text_cell(c, fmt) for c in row] for row in rows]
    heads = [safe(h) for h in headers]
    lines = [safe(x) for x in context]
    if fmt == "csv":
        import csv  # noqa: PLC0415
        import io  # noqa: PLC0415

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerows([["# " + x] for x in lines])     # context rows: skip lines starting with #
        writer.writerow(heads)
        # A cell that starts like a formula would run in Excel/WPS; a leading
        # apostrophe keeps it text. A plain number such as -3 is left alone.
        writer.writerows([[("'" + c) if isinstance(c, str) and c[:1] in ("=", "+", "-", "@")
                           and not _NUMBER.fullmatch(c) else c for c in row] for row in body])
        return "\ufeff" + buf.getvalue()
    from tabulate import tabulate  # noqa: PLC0415

    table = tabulate(body, heads, tablefmt="github" if fmt == "markdown" else "simple", disable_numparse=True) + "\n"
    if not lines:
        return table
    if fmt == "markdown":
        head = [f"**{lines[0]}**", ""] + [f"{x}  " for x in lines[1:]]
        return "\n".join(head) + "\n\n" + table
    return "\n".join(lines) + "\n\n" + table


def terminal_table(headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, no_wrap: Sequence[int] = (),
                   drop: Sequence[int] = ()) -> Any:
    """A table for the terminal: every value made safe, styles kept for Rich.

    A column of names (Lines cells) is never narrower than its longest name,
    so a unit's name is never split across lines.
    """
    from .table import Grid  # noqa: PLC0415

    cells = []
    atoms: set[int] = set()
    names: set[int] = set()
    for row in rows:
        out = []
        for i, c in enumerate(row):
            if isinstance(c, Names):  # names packed into lines, broken only between them
                out.append(("、".join(safe(x) for x in c), ""))
                names.add(i)
            elif isinstance(c, Lines):  # each name on its own line, never folded mid-name
                out.append(("\n".join(safe(x) for x in c), ""))
                atoms.add(i)
            else:
                value, style = c if isinstance(c, tuple) else (c, "")
                out.append((safe_lines(value) if isinstance(value, Multiline) else safe(value), style))
        cells.append(out)
    return Grid([safe(h) for h in headers], cells, no_wrap, atoms - names, drop, names)


def render_rows(fmt: str, headers: Sequence[str], rows: list[Sequence[Cell]], **kw: Any) -> Any:
    return [terminal_table(headers, rows, **kw)] if fmt == "table" else text_table(fmt, headers, rows)


# --- what mark and undo did ---------------------------------------------------

def marked_lines(events: Sequence[dict]) -> str:
    return "\n".join(t("已记录 {p} {u}: {s}({d})", "recorded {p} {u}: {s} ({d})", p=safe(e["part"]),
                        u=safe(e["unit"]), s=state_label(e["state"]), d=e["on"]) + _evidence_suffix(e["evidence"])
                     for e in events) + "\n"


def _evidence_suffix(items: Sequence[object]) -> str:
    if not items:
        return ""
    return t(";证明材料: {e}", "; evidence: {e}", e=safe(";".join(evidence_label(x) for x in items)))


def _act_name(e: Any) -> str:
    names = {"attach": t("补充材料", "attachment"), "review": t("审核", "review"), "extend": t("延期", "extension"),
             "waive": t("不再适用", "waiver"), "remind": t("催办", "reminder"), "close": t("结束方案", "closing"),
             "reopen": t("重新开启", "reopening")}
    return names.get(e.type, e.type)


def act_lines(events: Sequence[dict]) -> str:
    """What a supervision command recorded, one line per record."""
    out = []
    for e in events:
        kind, unit = e["type"], e.get("subject")
        who = safe(unit) if unit else t("全部单位", "every unit")
        if kind == "review":
            what = t("销号", "closed out") if e["verdict"] == "accept" else t("退回", "returned")
            line = t("已{w} {p} {u}", "{w} {p} for {u}", w=what, p=safe(e["part"]), u=who)
        elif kind == "extend":
            line = t("已延期 {p}({u})至 {d}", "extended {p} ({u}) to {d}", p=safe(e["part"]), u=who, d=e["until"])
        elif kind == "waive":
            line = t("已免除 {p}({u}):不再适用", "waived {p} ({u}): no longer applies", p=safe(e["part"]), u=who)
        elif kind == "close":
            line = t("方案已于 {d} 结束", "the plan is closed as of {d}", d=e["on"])
        else:
            line = t("方案已于 {d} 重新开启", "the plan is reopened as of {d}", d=e["on"])
        if e.get("note"):
            line += t(";{n}", "; {n}", n=safe(e["note"]))
        out.append(line)
    return "\n".join(out) + "\n"


def attached_lines(events: Sequence[dict]) -> str:
    return "\n".join(t("已补充 {p} {u}", "attached to {p} {u}", p=safe(e["part"]), u=safe(e["unit"]))
                     + (t(";备注: {n}", "; note: {n}", n=safe(e["note"])) if e["note"] else "")
                     + _evidence_suffix(e["evidence"]) for e in events) + "\n"


def revoked_lines(events: Sequence[Any]) -> str:
    return "".join(t("已撤销 {p} {u}: {s}({d},{at} 记录)", "revoked {p} {u}: {s} ({d}, recorded {at})",
                     p=safe(e.target), u=safe(e.unit),
                     s=state_label(e.state) if e.state else _act_name(e), d=e.on,
                     at=e.recorded_at[:16].replace("T", " ")) + "\n" for e in events)


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
    rows = [[p.id, Names(p.lead), Names(p.support) if p.support else "-", p.due.isoformat(), p.text] for p in task.parts]
    if fmt != "table":
        return text_table(fmt, headers, rows)
    from .terminal import Text  # noqa: PLC0415

    sec = next((s for s in plan.sections if s.id == task.section), None)
    out: list[Any] = [Text(safe(f"{task.id}. {task.title}"), style="bold")]
    if sec:
        out.append(Text(safe(f"({sec.id}){sec.heading}"), style="dim"))
    from .table import Paragraph  # noqa: PLC0415

    out += ["", Paragraph(safe(task.text)), ""]
    for p in task.parts:
        out.append(Text(safe(p.id), style="bold"))
        out.append(Paragraph(safe(p.text)))
        out.append(terminal_table(["", ""], [[t("  牵头:", "  lead:"), Names(p.lead)]]
                                  + ([[t("  配合:", "  support:"), Names(p.support)]] if p.support else []),
                                  no_wrap=(0,)))
        out.append(Text(t("  期限: ", "  due: ") + p.due.isoformat()))
        if p.due_source:
            out.append(Text(t("  依据: ", "  from: ") + safe(p.due_source), style="dim"))
        for name in p.lead + p.support:
            group = plan.groups.get(name)
            if group and group.role and group.note:
                out.append(Text(safe(f"  {name}: {group.note}"), style="dim"))
        out.append("")
    return out


def duty_show_view(plan: Plan, duty: Any, fmt: str) -> Any:
    """A yearly duty: what it is, when it is due, who owes it, where the plan says so."""
    doc = {"id": duty.id, "kind": duty.kind, "year": duty.year, "title": duty.title, "due": duty.due.isoformat(),
           "units": list(duty.units), "source": duty.source, "to": duty.to, "task": duty.task, "part": duty.part}
    if fmt == "json":
        return to_json(doc)
    rows = [[t("事项", "Duty"), duty.id], [t("内容", "What"), duty.title], [t("期限", "Due"), duty.due.isoformat()],
            [t("报送", "To"), duty.to or "-"], [t("依据", "From"), duty.source or "-"],
            [t("任务", "Task"), f"{duty.task} / {duty.part}" if duty.task else "-"],
            [t("应报单位({n} 个)", "Owed by ({n} units)", n=len(duty.units)), Lines(duty.units)]]
    return render_rows(fmt, [t("项目", "Field"), t("内容", "Value")], rows, no_wrap=(0,))


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
    rows = [[u.name, Lines([u.full_name]) if u.full_name else "", kind_label(u.kind), str(lead[u.name]),
             str(support[u.name]), Names(u.aliases)] for u in plan.units.values()]
    gheaders = [t("单位组", "Group"), t("成员数", "Members"), t("成员", "Member units")]
    grows = [[g.name + (t("(角色)", " (role)") if g.role else ""), str(len(g.members)), Names(g.members)]
             for g in plan.groups.values()]
    if fmt != "table":
        return text_table(fmt, headers, rows) + "\n" + text_table(fmt, gheaders, grows)
    return [terminal_table(headers, rows, no_wrap=(0, 2, 3, 4), drop=(5, 2)), "",
            terminal_table(gheaders, grows, no_wrap=(0, 1))]


def log_view(events: Sequence[Any], fmt: str) -> Any:
    from ..record import backdated_days  # noqa: PLC0415

    if fmt == "json":
        return to_json({"events": [
            {"id": e.id, "type": e.type, "part": e.target, "unit": e.unit, "state": e.state, "on": e.on,
             "note": e.note, "evidence": list(e.evidence), "by": e.by, "recorded_at": e.recorded_at,
             "revokes": e.revokes, "cmd": e.cmd, "known_at": e.known_at, "subject": e.subject,
             "verdict": e.verdict, "until": e.until, "number": e.number, "approved_by": e.approved_by,
             "backdated_days": backdated_days(e)} for e in events]})
    headers = [t("记录时间", "Recorded"), t("单位", "Unit"), t("分项", "Part"), t("状态", "State"),
               t("日期", "On"), t("记录人", "By"), t("备注", "Note"), t("证明材料", "Evidence")]

    def what(e: Any) -> Cell:
        if e.type == "revoke":
            return (t("撤销 ", "revokes ") + (e.revokes or "")[:8], "magenta")
        if e.type == "attach":
            return (t("补充材料", "attachment"), "cyan")
        if e.type == "mark":
            return _state_cell(e.state)
        acts = {"review": t("销号", "closed out") if e.verdict == "accept" else t("退回", "returned"),
                "extend": t("延期至 {d}", "extended to {d}", d=e.until), "waive": t("不再适用", "waived"),
                "remind": t("催办 第{n}号", "reminder No. {n}", n=e.number), "close": t("结束方案", "plan closed"),
                "reopen": t("重新开启", "plan reopened")}
        return (acts.get(e.type, e.type), "blue")

    def item(e: Any) -> str:
        target = e.target or "-"
        return f"{target} → {e.subject}" if e.subject else target

    def on(e: Any) -> Cell:
        late = backdated_days(e)
        return (e.on + t("(补记,晚 {n} 天)", " (back-dated {n} days)", n=late), "yellow") if late else e.on

    rows = [[e.recorded_at[:16].replace("T", " "), Lines([e.unit]), item(e), what(e), on(e), e.by,
             Multiline(e.note), evidence_cell(e.evidence, fmt)] for e in events]
    if not rows and fmt == "table":
        from .terminal import Text  # noqa: PLC0415

        return [Text(t("没有符合条件的记录", "no records match"))]
    return render_rows(fmt, headers, rows, no_wrap=(0, 2, 3), drop=(7, 5, 0))


# The status, unit, task, duty and due views live in views.py.
from .views import (days_phrase, due_view, duties_view, duty_detail_view, status_header, status_json,  # noqa: E402,F401
                    status_view, task_detail_view, unit_view)
