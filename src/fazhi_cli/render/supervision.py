"""What the supervising office sends and reads: 催办通知 and the units' record."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from ..i18n import t
from .cells import Lines, due_json
from .escape import safe, to_json
from .punct import zt
from .views import Counted, Page, status_header

if TYPE_CHECKING:
    from ..plan import Plan
    from ..progress import OwnItem, Status
    from ..progress.supervision import Notice, RecordRow


def cn_day(day: date) -> str:
    if day == date.max:   # ongoing work (长期) has no due date
        return t("长期", "ongoing")
    return t("{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}", y=day.year, m=day.month, d=day.day)


def notice_number(plan: Plan, year: int, number: int | None) -> str:
    if number is None:
        return zt("{p}〔{y}〕(草稿,未编号)", "{p} ({y}, draft, not numbered)", p=plan.supervision.numbering, y=year)
    return zt("{p}〔{y}〕{n}号", "{p} ({y}) No. {n}", p=plan.supervision.numbering, y=year, n=number)


class NoticeRow(NamedTuple):
    id: str
    title: str
    due: str          # the day it is due now, in Chinese
    status: str       # 已逾期 5 天, 还有 15 天, the office's note on a return; an extension says so here


class NoticeParts(NamedTuple):
    """A 催办通知 in its parts, for the text and for the Word document alike."""

    number: str
    title: str
    to: str
    opening: str
    sections: list[tuple[str, list[NoticeRow]]]
    closing: str
    office: str
    issued: str


def _row(x: OwnItem, as_of: date, what: str) -> NoticeRow:
    due = x.extended_to or x.due
    status = {
        "overdue": zt("已逾期 {n} 天", "{n} days overdue", n=(as_of - due).days),
        "upcoming": zt("还有 {n} 天", "{n} days left", n=(due - as_of).days),
        "returned": zt("退回意见:{r}", "the office's note: {r}", r=x.review_note or "-"),
    }[what]
    if x.extended_to and what != "returned":   # one level of brackets: the extension is one more clause
        status = zt("原定 {o},经批准延期;{s}", "originally {o}, extended; {s}", o=cn_day(x.due), s=status)
    return NoticeRow(x.id, x.title, cn_day(due), status)


def notice_parts(plan: Plan, notice: Notice, as_of: date, number: int | None, issued: date, office: str) -> NoticeParts:
    """What a 催办通知 says, in the office's voice: no command names, one level of brackets."""
    sections = [
        (zt("已逾期未完成的事项", "Overdue and not done"), notice.overdue, "overdue"),
        (zt("尚未报送的年度事项", "Yearly duties not submitted"), notice.duties, "overdue"),
        (zt("即将到期的事项", "Falling due soon"), notice.upcoming, "upcoming"),
        (zt("被退回、需重新办理的事项", "Returned, to be done again"), notice.returned, "returned"),
    ]
    numerals = "一二三四五六七八九十"
    chosen = []
    for heading, items, what in sections:
        if not items:
            continue
        k = len(chosen)
        chosen.append((zt("{k}、{h}(共 {n} 项)", "{k}. {h} ({n})", k=numerals[k] if t("zh", "en") == "zh" else k + 1,
                          h=heading, n=len(items)), [_row(x, as_of, what) for x in items]))
    return NoticeParts(
        number=notice_number(plan, issued.year, number),
        title=zt("关于督促落实《{p}》有关事项的通知", "Reminder: items of {p} still owed", p=plan.title),
        to=zt("{u}：", "To {u}:", u=notice.unit),
        opening=zt("根据《{p}》{n},截至{d},你单位负责的下列事项尚未完成:",
                   "Under {p}{n}, as of {d} your unit still owes the following:",
                   p=plan.title, n=zt("（{n}）", " ({n})", n=plan.number) if plan.number else "", d=cn_day(as_of)),
        sections=chosen,
        closing=zt("请抓紧落实,完成后及时报送完成情况和证明材料。",
                   "Please see to them, and report each one with its evidence when done."),
        office=office, issued=cn_day(issued))


def notice_text(plan: Plan, notice: Notice, as_of: date, number: int | None, issued: date, office: str) -> str:
    """A 催办通知 in plain formal Chinese (or English), ready to paste into an OA message."""
    n = notice_parts(plan, notice, as_of, number, issued, office)
    lines = [n.number, "", n.title, "", n.to, "", n.opening, ""]
    for heading, rows in n.sections:
        lines.append(heading)
        lines += [zt("{i}. {x} {w}(期限 {d},{s})", "{i}. {x} {w} (due {d}, {s})", i=i, x=r.id, w=r.title, d=r.due,
                     s=r.status) for i, r in enumerate(rows, 1)]
        lines.append("")
    lines += [n.closing, "", n.office, n.issued]
    return "\n".join(safe(x) for x in lines) + "\n"


def notices_json(plan: Plan, items: Sequence[tuple[Notice, int | None]], as_of: date, issued: date) -> str:
    def one(x: OwnItem) -> dict:
        return {"id": x.id, "kind": x.kind, "title": x.title, **due_json(x.due),
                "extended_to": x.extended_to.isoformat() if x.extended_to else None,
                "days_overdue": None if x.due == date.max and not x.extended_to else
                (as_of - (x.extended_to or x.due)).days, "review_note": x.review_note}

    return to_json({"as_of": as_of.isoformat(), "issued": issued.isoformat(), "plan_id": plan.key, "notices": [
        {"unit": n.unit, "number": num, "reference": notice_number(plan, issued.year, num),
         "overdue": [one(x) for x in n.overdue], "duties": [one(x) for x in n.duties],
         "upcoming": [one(x) for x in n.upcoming], "returned": [one(x) for x in n.returned]}
        for n, num in items]})


RECORD_FIELDS = ("led", "done", "on_time", "late", "overdue", "pending", "returned", "extended", "waived",
                 "duties_on_time", "duties_late", "duties_missing")


def record_view(plan: Plan, st: Status, rows: Sequence[RecordRow], fmt: str, year: int | None) -> Any:
    """The units' record: one row per unit, worst first."""
    if fmt == "json":
        return to_json({"as_of": st.as_of.isoformat(), "known_at": st.known_at, "plan_id": plan.key, "year": year,
                        "units": [{"unit": r.unit, **{k: getattr(r, k) for k in RECORD_FIELDS}} for r in rows]})
    head = status_header(plan, st)
    scope = t("{y} 年", "{y}", y=year) if year else t("全部年度", "all years")
    totals = {k: sum(getattr(r, k) for r in rows) for k in RECORD_FIELDS}
    headers = [t("单位", "Unit"), t("牵头", "Led"), t("完成", "Done"), t("按时", "On time"), t("逾期完成", "Late"),
               t("逾期未完成", "Overdue"), t("待审核", "Awaiting"), t("退回", "Returned"), t("延期", "Extended"),
               t("不再适用", "Waived"), t("年度按时", "Duties on time"), t("年度逾期", "Duties late"),
               t("年度未报", "Duties missing")]
    # the header quotes each column by its own name and its total: its numbers are its rows' sums (a part led
    # by eight units is eight shares, 项次), and a column a narrow terminal leaves out leaves the header too
    pieces: list[tuple[str, int | None]] = [(t("各单位落实情况（{s}）：{n} 个单位；", "The units' record ({s}): {n} units; ",
                                              s=scope, n=len(rows)), None),
                                            (t("牵头 {v} 项次", "{v} shares led", v=totals["led"]), 1)]
    for i, key in enumerate(RECORD_FIELDS[1:], start=2):
        sep = t("；", "; ") if key == "duties_on_time" else t("，", ", ")
        pieces.append((sep + t("{h} {v}", "{h} {v}", h=headers[i], v=totals[key]), i))
    lines = [(head[0], "bold"), (head[1], ""), (Counted(pieces), "bold")]

    def num(value: int, style: str) -> Any:
        return (str(value), style if value else "dim")

    body = [[Lines([r.unit]), str(r.led), str(r.done), str(r.on_time), num(r.late, "yellow"),
             num(r.overdue, "bold red"), num(r.pending, "cyan"), num(r.returned, "magenta"), num(r.extended, ""),
             num(r.waived, ""), str(r.duties_on_time), num(r.duties_late, "yellow"), num(r.duties_missing, "bold red")] for r in rows]
    return Page(lines, headers, body, t("没有负责单位", "no responsible units"),
                no_wrap=tuple(range(1, 13)), drop=(9, 8, 6, 7, 4, 3)).render(fmt)
