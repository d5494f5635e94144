"""The report as headings, sentences and tables, once for every format.

Markdown, Word, HTML and Excel draw the same ``Document``: the same
headings, the same columns, and a sentence above each table that counts
exactly the rows below it. Cells are plain values (text, whole numbers,
dates) or a ``LightCell``; each renderer makes them safe and styles them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from ..i18n import light_label, role_label, state_label
from .punct import zh_punct
from .punct import zt as t
from .cells import due_cell, evidence_cell, section_label


class LightCell(NamedTuple):
    light: str

    def __str__(self) -> str:
        return light_label(self.light)


class Word(str):
    """Text never broken across lines where the format can say so: an id, a state, a role."""


class Names(str):
    """Unit names joined by 、: a line may break between two names, never inside one."""

    names: tuple[str, ...]

    def __new__(cls, names: Any) -> Names:
        self = super().__new__(cls, "、".join(names))
        self.names = tuple(names)
        return self


class Table(NamedTuple):
    key: str               # a short name: the sheet's name in Excel
    heading: str
    lead: str              # one sentence that counts the rows below
    headers: list[str]
    rows: list[list[Any]]
    total: list[Any] | None = None   # a last row in bold, when the table has one


class Document(NamedTuple):
    title: str
    subtitle: list[str]
    tables: list[Table]
    charts_after: int      # the charts go after this table (its index)
    note: str              # the closing line: how this was made
    signer: str = ""       # the 落款: who sends it
    signed: date | None = None   # and the day (the report's as-of day)


def _numbered(n: int, text: str) -> str:
    return t("{z}、{x}", "{n}. {x}", z="一二三四五六七八九十"[n - 1], n=n, x=text)


def _what(item: Any) -> str:
    return item.title


def _plan_line(rep: Any) -> str:
    number = t("（{n}）", "({n})", n=rep.plan_number) if rep.plan_number else ""
    return f"《{rep.plan_title}》{number}"


def _finish(item: Any) -> str:
    return Word(t("逾期完成", "done late") if item.late else t("按期完成", "on time"))


def _owing(units: tuple[str, ...]) -> Names:
    return Names(units)


def _days_late(rep: Any, item: Any) -> int:
    return (rep.as_of - item.until).days


def _days_left(rep: Any, item: Any) -> Any:
    if item.until == date.max:   # ongoing work (长期): no date to count to
        return Word("-")
    return (item.until - rep.as_of).days


def _due(item: Any) -> Any:
    """The due date as a date; an extended one as the views show it, with the original beside it; 长期 for
    ongoing work, which has none."""
    return Word(zh_punct(due_cell(item.due, item.extended_to))) if item.extended_to else _day(item.due)


def _day(day: Any) -> Any:
    return Word(due_cell(day)) if day == date.max else day


def _state(item: Any, late: bool = False) -> Word:
    return Word(state_label(item.state, late, review=item.review, waived=item.waived))


def _role(item: Any) -> Word:
    return Word(role_label(item.role))


def _evidence(item: Any) -> str:
    """Every item of evidence, as ``fazhi status --task N --format plain`` shows it."""
    return evidence_cell(item.evidence, "plain")


def section_table(rep: Any, n: int, unit: bool) -> Table:
    headers = [t("章节", "Section"), t("完成", "Done"), t("完成率", "Share"), t("逾期完成", "Done late"),
               t("进行中", "Doing"), t("未开始", "To do"), t("红灯", "Red"), t("黄灯", "Yellow")]

    def row(c: Any, label: str) -> list[Any]:
        share = f"{round(100 * c.done / c.parts) if c.parts else 0}%"
        return [label, f"{c.done}/{c.parts}", share, c.done_late, c.doing, c.todo, c.red, c.yellow]

    rows = [row(c, section_label(c.id, c.title)) for c in rep.sections]
    total = rep.total
    if unit:
        lead = t("本单位负责分项 {parts} 个:已完成 {done}(其中逾期完成 {done_late}),进行中 {doing},未开始 {todo};"
                 "红灯 {red},黄灯 {yellow}。",
                 "The unit holds {parts} parts: {done} done ({done_late} late), {doing} doing, {todo} to do; "
                 "{red} red, {yellow} yellow.", **total._asdict())
    else:
        lead = t("分项 {parts} 个:已完成 {done}(其中逾期完成 {done_late}),进行中 {doing},未开始 {todo};"
                 "红灯 {red},黄灯 {yellow}。",
                 "{parts} parts: {done} done ({done_late} late), {doing} doing, {todo} to do; "
                 "{red} red, {yellow} yellow.", **total._asdict())
    return Table(t("章节进度", "Sections"), _numbered(n, t("总体进展", "Overall progress")), lead, headers, rows,
                 row(total, total.title))


def unit_document(rep: Any) -> Document:
    year, unit = rep.year, rep.unit
    held = rep.held
    lead_parts = sum(1 for i in held if i.kind == "part" and i.role == "lead")
    support_parts = sum(1 for i in held if i.kind == "part" and i.role == "support")
    duties = [i for i in held if i.kind == "duty"]
    other_years = sum(1 for i in duties if i.year != year and i.due.year != year)
    others = t("(其中其他年份逾期未报或本年补报的 {e} 项)", " ({e} of them from other years, overdue or made up this year)",
               e=other_years) if other_years else ""
    tables = [section_table(rep, 1, unit=True)]

    tables.append(Table(
        t("承担事项", "Held"), _numbered(2, t("承担的分项和年度事项", "What the unit holds")),
        t("共 {n} 项:牵头分项 {a} 个,配合分项 {b} 个,年度事项 {c} 项{o}。",
          "{n} items: {a} parts led, {b} parts supported, {c} yearly duties{o}.",
          n=len(held), a=lead_parts, b=support_parts, c=len(duties), o=others),
        [t("编号", "No."), t("事项", "What"), t("职责", "Role"), t("期限", "Due"), t("本单位状态", "Own state"),
         t("完成日期", "Done on"), t("灯", "Light")],
        [[Word(i.id), _what(i), _role(i), _due(i), _state(i, i.late), i.on, LightCell(i.light)] for i in held]))

    done = rep.completed
    late = sum(1 for i in done if i.late)
    tables.append(Table(
        t("本年完成", "Completed"), _numbered(3, t("{y}年完成情况", "Completed in {y}", y=year)),
        t("{y}年完成 {n} 项,其中逾期完成 {m} 项。", "{n} items completed in {y}, {m} of them late.",
          y=year, n=len(done), m=late) if done else
        t("{y}年没有完成的记录。", "Nothing was recorded as completed in {y}.", y=year),
        [t("编号", "No."), t("事项", "What"), t("职责", "Role"), t("期限", "Due"), t("完成日期", "Done on"),
         t("完成情况", "Timeliness"), t("备注", "Note"), t("证明材料", "Evidence")],
        [[Word(i.id), _what(i), _role(i), _day(i.due), i.on, _finish(i), ";".join(i.notes), _evidence(i)]
         for i in done]))

    over = rep.overdue
    tables.append(Table(
        t("逾期未完成", "Overdue"), _numbered(4, t("逾期未完成的事项", "Overdue")),
        t("截至 {d},逾期未完成 {n} 项(其中牵头 {m} 项)。", "As of {d}, {n} items are overdue ({m} of them led).",
          d=rep.as_of, n=len(over), m=sum(1 for i in over if i.role == "lead")) if over else
        t("截至 {d},没有逾期未完成的事项。", "As of {d}, nothing is overdue.", d=rep.as_of),
        [t("编号", "No."), t("事项", "What"), t("职责", "Role"), t("期限", "Due"), t("逾期天数", "Days late"),
         t("本单位状态", "Own state")],
        [[Word(i.id), _what(i), _role(i), _due(i), _days_late(rep, i), _state(i)] for i in over]))

    pend = rep.pending
    tables.append(Table(
        t("尚未到期", "Pending"), _numbered(5, t("尚未到期的事项", "Not yet due")),
        t("尚未完成、期限未到 {n} 项,按期限先后排列。", "{n} items open and not yet due, soonest first.", n=len(pend)),
        [t("编号", "No."), t("事项", "What"), t("职责", "Role"), t("期限", "Due"), t("剩余天数", "Days left"),
         t("本单位状态", "Own state"), t("灯", "Light")],
        [[Word(i.id), _what(i), _role(i), _due(i), _days_left(rep, i), _state(i), LightCell(i.light)]
         for i in pend]))
    if rep.supervision is not None:
        tables.append(supervision_table(rep, 6, unit=True))

    name = f"{unit}（{rep.unit_full_name}）" if rep.unit_full_name else unit
    return Document(
        title=t("{u}{y}年度工作进展情况总结(草稿)", "{u}: progress summary for {y} (draft)", u=unit, y=year),
        subtitle=[t("{p}落实情况 · {n}", "{p} · {n}", p=_plan_line(rep), n=name),
                  t("截至 {d}", "As of {d}", d=rep.as_of)],
        tables=tables, charts_after=0, note=_note(), signer=rep.unit_full_name or unit, signed=rep.as_of)


def district_document(rep: Any) -> Document:
    year = rep.year
    tables = [section_table(rep, 1, unit=False)]

    done = rep.completed
    tables.append(Table(
        t("本年完成", "Completed"), _numbered(2, t("{y}年完成的事项", "Completed in {y}", y=year)),
        t("{y}年完成 {n} 项,其中逾期完成 {m} 项。", "{n} items completed in {y}, {m} of them late.",
          y=year, n=len(done), m=sum(1 for i in done if i.late)) if done else
        t("{y}年没有完成的记录。", "Nothing was recorded as completed in {y}.", y=year),
        [t("编号", "No."), t("事项", "What"), t("期限", "Due"), t("完成日期", "Done on"), t("完成情况", "Timeliness"),
         t("完成单位", "Done by"), t("备注", "Note"), t("证明材料", "Evidence")],
        [[Word(i.id), _what(i), _day(i.due), i.on, _finish(i), _owing(i.done_by), ";".join(i.notes), _evidence(i)]
         for i in done]))

    over = rep.overdue
    owing = {u for i in over for u in i.owing}
    tables.append(Table(
        t("逾期未完成", "Overdue"), _numbered(3, t("逾期未完成的事项及责任单位", "Overdue, and who owes it")),
        t("截至 {d},逾期未完成 {n} 项,涉及 {m} 个单位。", "As of {d}, {n} items are overdue, owed by {m} units.",
          d=rep.as_of, n=len(over), m=len(owing)) if over else
        t("截至 {d},没有逾期未完成的事项。", "As of {d}, nothing is overdue.", d=rep.as_of),
        [t("编号", "No."), t("事项", "What"), t("期限", "Due"), t("逾期天数", "Days late"), t("状态", "State"),
         t("尚欠单位", "Still owed by")],
        [[Word(i.id), _what(i), _due(i), _days_late(rep, i), _state(i), _owing(i.owing)] for i in over]))

    pend = rep.pending
    tables.append(Table(
        t("尚未到期", "Pending"), _numbered(4, t("尚未到期的事项", "Not yet due")),
        t("尚未完成、期限未到 {n} 项(年度事项列至 {y} 年),按期限先后排列。",
          "{n} items open and not yet due (yearly duties up to {y}), soonest first.", n=len(pend), y=year + 1),
        [t("编号", "No."), t("事项", "What"), t("期限", "Due"), t("剩余天数", "Days left"), t("状态", "State"),
         t("灯", "Light"), t("尚欠单位", "Still owed by")],
        [[Word(i.id), _what(i), _due(i), _days_left(rep, i), _state(i), LightCell(i.light), _owing(i.owing)]
         for i in pend]))

    units = rep.units
    with_overdue = sum(1 for r in units if r.overdue)
    with_missing = sum(1 for r in units if r.duties_missing)
    tables.append(Table(
        t("各单位", "Units"), _numbered(5, t("各单位落实情况", "The units' record")),
        t("全{l}责任单位 {n} 个,其中有逾期未完成分项的 {a} 个,有逾期未报年度事项的 {b} 个;"
          "逾期未完成分项多的在前,其次逾期未报多的。",
          "{n} responsible units: {a} with parts overdue, {b} with yearly duties not reported; "
          "most parts overdue first, then most duties not reported.", l=rep.level, n=len(units), a=with_overdue,
          b=with_missing),
        [t("单位", "Unit"), t("牵头分项", "Parts led"), t("已完成", "Done"), t("逾期完成", "Done late"),
         t("逾期未完成", "Overdue"), t("按时报送", "Reported on time"), t("逾期报送", "Reported late"),
         t("逾期未报", "Not reported")],
        [[Names((r.unit,)), r.led, r.done, r.late, r.overdue, r.duties_on_time, r.duties_late, r.duties_missing]
         for r in units]))
    if rep.supervision is not None:
        tables.append(supervision_table(rep, 6, unit=False))

    number = f"({rep.plan_number})" if rep.plan_number else ""
    return Document(
        # a plan named for its year (2020年…工作安排) does not name the year twice
        title=(t("{p}落实情况", "{p}: progress in {y}", p=rep.plan_title, y=year) if f"{year}年" in rep.plan_title
               else t("{p}{y}年度落实情况", "{p}: progress in {y}", p=rep.plan_title, y=year)),
        subtitle=[t("{n}{i} · 截至 {d}", "{n}{i} · as of {d}", n=rep.plan_number or rep.plan_title,
                    i=f" · {rep.issuer}" if rep.issuer else "", d=rep.as_of)] if number else
                 [t("截至 {d}", "As of {d}", d=rep.as_of)],
        tables=tables, charts_after=0, note=_note(), signer=rep.office, signed=rep.as_of)


ACT_LABELS = {"pending": ("待审核", "awaiting review"), "accepted": ("已销号", "closed out"),
              "returned": ("退回", "returned"), "extended": ("延期", "extended"), "waived": ("不再适用", "waived")}


def _act(what: str) -> str:
    zh, en = ACT_LABELS[what]
    return t(zh, en)


def supervision_table(rep: Any, n: int, unit: bool) -> Table:
    """The office's reviews, extensions and waivers: one row per item and what it did, counted from the rows."""
    acts = rep.supervision
    counts = {k: sum(1 for a in acts if a.what == k) for k in ACT_LABELS}
    lead = t("审核、延期和免除 {n} 条:待审核 {pending},已销号 {accepted},退回 {returned},延期 {extended},"
             "不再适用 {waived}。",
             "{n} reviews, extensions and waivers: {pending} awaiting review, {accepted} closed out, {returned} returned, "
             "{extended} extended, {waived} waived.", n=len(acts), **counts)
    headers = [t("编号", "No."), t("事项", "What"), t("单位", "Units"), t("情况", "Status"), t("期限", "Due"),
               t("延至", "Extended to"), t("说明", "Note")]
    rows = [[Word(a.id), a.title, _owing(a.units), Word(_act(a.what)), _day(a.due), a.extended_to, a.note] for a in acts]
    if unit:
        del headers[2]
        for row in rows:
            del row[2]
    return Table(t("督办情况", "Supervision"), _numbered(n, t("督办情况", "Supervision")), lead, headers, rows)


def _note() -> str:
    return t("本文由 fazhi 根据各单位的进度记录生成,报送前请核对并补充文字说明。",
             "Drawn up by fazhi from the units' progress records; check and complete it before sending.")


def document(rep: Any) -> Document:
    return district_document(rep) if rep.unit is None else unit_document(rep)


def cell_text(value: Any) -> str:
    """A cell as text, for the formats that have only text."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
