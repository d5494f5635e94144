"""The history of records (`log`), newest first, each back-dated one said so."""

from __future__ import annotations

from typing import Any, Sequence

from ..i18n import t
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
        if e.type == "revoke":
            return (t("撤销 ", "revokes ") + (e.revokes or "")[:8], "magenta")
        if e.type == "attach":
            return (t("补充材料", "attachment"), "cyan")
        if e.type == "mark":
            return state_cell(e.state)
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
