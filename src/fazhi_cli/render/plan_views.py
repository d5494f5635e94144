"""The plan as written: a task (`show`), a yearly duty, and the units (`units`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import kind_label, t
from .cells import Lines, Names, due_cell, due_json, section_label
from .escape import safe, to_json
from .rows import render_rows, terminal_table, text_table

if TYPE_CHECKING:
    from ..plan import Part, Plan, Task


def part_json(p: Part) -> dict:
    return {"id": p.id, "text": p.text, "lead": list(p.lead), "support": list(p.support),
            **due_json(p.due), "due_source": p.due_source,
            "lead_units": list(p.lead_units), "support_units": list(p.support_units)}


def show_view(plan: Plan, task: Task, fmt: str) -> Any:
    if fmt == "json":
        return to_json({"id": task.id, "section": task.section, "title": task.title, "text": task.text,
                        "parts": [part_json(p) for p in task.parts]})
    headers = [t("分项", "Part"), t("牵头单位", "Lead"), t("配合单位", "Support"), t("期限", "Due"), t("内容", "Text")]
    rows = [[p.id, Names(p.lead), Names(p.support) if p.support else "-", due_cell(p.due), p.text] for p in task.parts]
    if fmt != "table":
        return text_table(fmt, headers, rows)
    from .terminal import Text  # noqa: PLC0415

    sec = next((s for s in plan.sections if s.id == task.section), None)
    out: list[Any] = [Text(safe(f"{task.id}. {task.title}"), style="bold")]
    if sec:
        out.append(Text(safe(section_label(sec.id, sec.heading)), style="dim"))
    from .table import Paragraph  # noqa: PLC0415

    out += ["", Paragraph(safe(task.text)), ""]
    for p in task.parts:
        out.append(Text(safe(p.id), style="bold"))
        out.append(Paragraph(safe(p.text)))
        out.append(terminal_table(["", ""], [[t("  牵头:", "  lead:"), Names(p.lead)]]
                                  + ([[t("  配合:", "  support:"), Names(p.support)]] if p.support else []),
                                  no_wrap=(0,)))
        out.append(Text(t("  期限: ", "  due: ") + due_cell(p.due)))
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
