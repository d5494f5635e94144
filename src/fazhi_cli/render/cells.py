"""The cells views are made of: text, or (text, style) where a style only matters to Rich.

A cell's type says how a format shows it: ``Lines`` one name per line in a
terminal, ``Names`` names joined by 、, ``Multiline`` a note's line breaks,
``Ratio`` a count that spreadsheets must keep as text.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Sequence

from ..i18n import light_label, state_label, t

if TYPE_CHECKING:  # types only: rendering `show` must not import the ledger
    from ..plan import Task
    from ..progress import PartStatus

Cell = Any


class Multiline(str):
    """Text whose newlines are line breaks (a note), shown as lines wherever a format allows."""


class Ratio(str):
    """A count such as 1/17: text everywhere, never a date in Excel or WPS."""


LIGHT_STYLE = {"red": "bold white on red", "yellow": "bold black on yellow", "green": "green"}
STATE_STYLE = {"todo": "dim", "doing": "cyan", "done": "green"}


def section_short(heading: str) -> str:
    return heading.split(",")[0].rstrip("。")


def section_label(sid: str, title: str) -> str:
    """A section as the plan numbers it, （一）总体要求; in English (1) as before."""
    return t("（{i}）{x}", "({i}){x}", i=sid, x=title)


def titled(title: str, number: str) -> str:
    """The plan's title with its number in brackets: …工作方案（番府办〔2016〕60号）."""
    return t("{p}（{n}）", "{p}({n})", p=title, n=number) if number else title


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


def light_cell(light: str) -> Any:
    return (light_label(light), LIGHT_STYLE[light])


def state_cell(state: str, late: bool = False, support_only: bool = False, review: str | None = None,
                waived: str | None = None) -> Any:
    style = "dim" if waived else "magenta" if review == "returned" and state != "done" else (
        "yellow" if late else STATE_STYLE[state])
    return (state_label(state, late, support_only, review, waived), style)


def due_cell(due: Any, extended_to: Any = None) -> str:
    """A due date; an extended one with the original beside it (按原定时间考核); 长期 for ongoing work."""
    if due == date.max:
        return t("长期", "ongoing")
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


def due_json(due: Any) -> dict[str, Any]:
    """A due date as JSON says it: ``{"due": "2024-06-30"}``, or ``{"due": null, "ongoing": true}`` for
    ongoing work (长期), the one kind of item that has no date."""
    if due == date.max:
        return {"due": None, "ongoing": True}
    return {"due": due.isoformat()}
