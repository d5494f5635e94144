"""The history of records (`log`), newest first, each back-dated one said so."""

from __future__ import annotations

from typing import Any, Sequence

from ..i18n import act_label, t
from ..progress.history import backdated_days
from .cells import Cell, Lines, Multiline, evidence_cell, state_cell
from .escape import to_json
from .rows import render_rows


def log_view(events: Sequence[Any], fmt: str) -> Any:
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
        if e.type == "mark":
            return state_cell(e.state)
        label = act_label(e.type, verdict=e.verdict, until=e.until, number=e.number, revokes=e.revokes)
        return (label, {"revoke": "magenta", "attach": "cyan"}.get(e.type, "blue"))

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
