"""What a writing command did, one line per record: mark, attach, undo, the office's acts, an import."""

from __future__ import annotations

from typing import Any, Sequence

from ..i18n import act_kind_label, state_label, t
from .cells import evidence_label
from .escape import safe


def marked_lines(events: Sequence[dict]) -> str:
    return "\n".join(t("已记录 {p} {u}：{s}（{d}）", "recorded {p} {u}: {s} ({d})", p=safe(e["part"]),
                        u=safe(e["unit"]), s=state_label(e["state"]), d=e["on"]) + _evidence_suffix(e["evidence"])
                     for e in events) + "\n"


def _evidence_suffix(items: Sequence[object]) -> str:
    if not items:
        return ""
    return t("；证明材料：{e}", "; evidence: {e}", e=safe(";".join(evidence_label(x) for x in items)))


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
            line = t("已免除 {p}（{u}）：不再适用", "waived {p} ({u}): no longer applies", p=safe(e["part"]), u=who)
        elif kind == "close":
            line = t("方案已于 {d} 结束", "the plan is closed as of {d}", d=e["on"])
        else:
            line = t("方案已于 {d} 重新开启", "the plan is reopened as of {d}", d=e["on"])
        if e.get("note"):
            line += t("；{n}", "; {n}", n=safe(e["note"]))
        line += _entered_late(e)
        out.append(line)
    return "\n".join(out) + "\n"


def attached_lines(events: Sequence[dict]) -> str:
    return "\n".join(t("已补充 {p} {u}", "attached to {p} {u}", p=safe(e["part"]), u=safe(e["unit"]))
                     + (t("；备注：{n}", "; note: {n}", n=safe(e["note"])) if e["note"] else "")
                     + _evidence_suffix(e["evidence"]) for e in events) + "\n"


def revoked_lines(events: Sequence[Any]) -> str:
    return "".join(t("已撤销 {p} {u}: {s}({d},{at} 记录)", "revoked {p} {u}: {s} ({d}, recorded {at})",
                     p=safe(e.target), u=safe(_named(e)),
                     s=state_label(e.state) if e.state else act_kind_label(e.type), d=e.on,
                     at=e.recorded_at[:16].replace("T", " ")) + "\n" for e in events)



def _named(e: Any) -> str:
    """The unit a record is about: the unit whose share an office's act concerns, not the office."""
    if e.type in ("review", "extend", "waive"):
        return e.subject or t("全部单位", "every unit")
    return e.unit


def _entered_late(e: dict) -> str:
    """An act entered more than a week after the day it was decided says so, as ``log`` does (补记)."""
    from datetime import date  # noqa: PLC0415

    from ..progress.history import BACKDATED_DAYS  # noqa: PLC0415

    try:
        late = (date.fromisoformat(e["recorded_at"][:10]) - date.fromisoformat(e["on"])).days
    except (KeyError, ValueError):
        return ""
    if e["type"] in ("close", "reopen") or late <= 0:
        return ""
    return t("（{d} 决定，补记）", " (decided {d}, entered later)", d=e["on"]) if late > BACKDATED_DAYS else \
        t("（{d} 决定）", " (decided {d})", d=e["on"])
