"""The 督办 workbook: Excel/WPS sheets for the report and for `status` and `due`.

Every sheet starts with a title row (the plan and the as-of day), then a
frozen header row; columns are as wide as their text (a CJK character
counts two); lights are cell fills; dates are real date cells; counts such
as 3/17 stay text. A value that looks like a formula is stored as text, so
opening the file never runs anything: title rows, description rows, headers
and every text cell alike.

Every sheet prints: A4 landscape, one page wide, the title and header rows
repeated on each page, gridlines printed, the plan and the day in the page
header and the page number in the footer.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any, Iterable, Sequence

from ..i18n import light_label, role_label, state_label
from .cells import section_label, section_short
from .escape import safe
from .punct import zt as t
from .report_tables import Document, LightCell, cell_text

FILLS = {"red": ("FFC00000", "FFFFFFFF"), "yellow": ("FFFFC000", "FF000000"), "green": ("FFC6EFCE", "FF006100")}
HEADER_FILL = "FFD9D9D9"
MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"


class Sheet:
    """Rows for one sheet: a title, headers, and cells (text, int, date, LightCell)."""

    def __init__(self, name: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                 total: Sequence[Any] | None = None, lead: str = "") -> None:
        self.name = name
        self.title = title
        self.lead = lead
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.total = list(total) if total else None


def _width(value: Any) -> int:
    from rich.cells import cell_len  # noqa: PLC0415

    if isinstance(value, date):
        return 10
    return max((cell_len(line) for line in safe(cell_text(value)).split("\n")), default=0)


def _sheet_name(name: str, taken: set[str]) -> str:
    clean = "".join("_" if c in '[]:*?/\\' else c for c in safe(name))[:31] or "Sheet"
    out, n = clean, 2
    while out in taken:
        out = f"{clean[:28]}-{n}"
        n += 1
    taken.add(out)
    return out


def _text(cell: Any, value: Any) -> Any:
    """Text in a cell as text: openpyxl takes any string starting with "=" for a formula."""
    cell.value = safe(value)
    cell.data_type = "s"
    return cell


def _header_text(value: str) -> str:
    """Text for a page header: "&" starts a code there, so it is doubled."""
    return safe(value).replace("&", "&&")


def _print_setup(ws: Any, top: int, plan: str, day: date | None) -> None:
    """A4 landscape, one page wide; the title down to the header row on every page; gridlines; plan and day above."""
    ws.print_title_rows = f"1:{top}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddHeader.left.text = _header_text(plan)
    ws.oddHeader.left.size = 9
    if day is not None:
        ws.oddHeader.right.text = _header_text(t("截至 {d}", "As of {d}", d=day))
        ws.oddHeader.right.size = 9
    ws.oddFooter.center.text = t("第 &P 页，共 &N 页", "Page &P of &N")
    ws.oddFooter.center.size = 9


def workbook(sheets: Sequence[Sheet], *, title: str = "", as_of: date | None = None, header: str = "") -> bytes:
    """The workbook's bytes; ``header``: the plan, printed at the top of every page (else each sheet's title)."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    day = as_of
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="FFBFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    taken: set[str] = set()
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_name(sheet.name, taken))
        ncols = max(len(sheet.headers), 1)
        _text(ws.cell(row=1, column=1), sheet.title).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        top = 2
        if sheet.lead:
            _text(ws.cell(row=2, column=1), sheet.lead)
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
            top = 3
        for c, text in enumerate(sheet.headers, start=1):
            cell = _text(ws.cell(row=top, column=c), text)
            cell.font, cell.fill, cell.border = bold, header_fill, border
            cell.alignment = Alignment(vertical="center")
        widths = [_width(h) for h in sheet.headers]
        body = sheet.rows + ([sheet.total] if sheet.total else [])
        for r, row in enumerate(body, start=top + 1):
            is_total = sheet.total is not None and r == top + len(body)
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                _put(cell, value, PatternFill, Font)
                cell.border = border
                if isinstance(value, str) and "\n" in value:
                    cell.alignment = wrap
                if is_total:
                    cell.font = bold
                widths[c - 1] = max(widths[c - 1], _width(value))
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = min(w, MAX_WIDTH) + 2
            if w > MAX_WIDTH:
                for row in ws.iter_rows(min_row=top + 1, min_col=c, max_col=c):
                    row[0].alignment = wrap
        ws.freeze_panes = ws.cell(row=top + 1, column=1)
        if body:
            ws.auto_filter.ref = f"A{top}:{get_column_letter(ncols)}{top + len(sheet.rows)}"
        _print_setup(ws, top, header or sheet.title, day)
    if not wb.sheetnames:
        wb.create_sheet("Sheet")
    wb.properties.title = safe(title)
    wb.properties.creator = wb.properties.lastModifiedBy = "fazhi"
    if as_of is not None:  # the same records give the same workbook
        wb.properties.created = wb.properties.modified = datetime.combine(as_of, time(0, 0))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _put(cell: Any, value: Any, fill_cls: Any, font_cls: Any) -> None:
    if isinstance(value, LightCell):
        fill, colour = FILLS[value.light]
        cell.value = light_label(value.light)
        cell.fill = fill_cls("solid", fgColor=fill)
        cell.font = font_cls(color=colour, bold=value.light != "green")
        return
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return
    if isinstance(value, bool) or value is None:
        cell.value = "" if value is None else str(value)
        return
    if isinstance(value, int):
        cell.value = value
        return
    cell.value = safe(value)
    # openpyxl takes any text starting with "=" for a formula: keep it text
    cell.data_type = "s"


# --- the report -----------------------------------------------------------------

def report_workbook(doc: Document, rep: Any) -> bytes:
    """One sheet per part of the report, each titled with the plan and the day."""
    number = t("（{n}）", "({n})", n=rep.plan_number) if rep.plan_number else ""
    head = f"{doc.title}{number}" if rep.unit is None else f"{rep.plan_title}{number} · {doc.title}"
    title = f"{head} · " + t("截至 {d}", "as of {d}", d=rep.as_of)
    sheets = [Sheet(tb.key, title, tb.headers, tb.rows, tb.total, lead=tb.lead) for tb in doc.tables]
    return workbook(sheets, title=doc.title, as_of=rep.as_of, header=f"{rep.plan_title}{number}")


# --- status and due, from their JSON (the public shape of those views) -------------

def _plan_title(plan: Any, as_of: str) -> str:
    number = t("（{n}）", "({n})", n=plan.number) if plan.number else ""
    return t("{p}{n} · 截至 {d}", "{p}{n} · as of {d}", p=plan.title, n=number, d=as_of)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def view_workbook(doc: dict, plan: Any) -> bytes:
    """The workbook for what `status` or `due` shows, from the JSON the view gives."""
    title = _plan_title(plan, doc["as_of"])
    if "tasks" in doc:
        sheets = _status_sheets(doc, plan, title)
    elif "items" in doc:
        sheets = [_due_sheet(doc, title)]
    elif "duty" in doc:
        sheets = [_submissions_sheet(doc["duty"], title)]
    else:
        sheets = [_duties_sheet(doc["duties"], title)]
    number = t("（{n}）", "({n})", n=plan.number) if plan.number else ""
    return workbook(sheets, title=title, as_of=_day(doc["as_of"]), header=f"{plan.title}{number}")


def _due_sheet(doc: dict, title: str) -> Sheet:
    items = doc["items"]
    red = sum(1 for i in items if i["light"] == "red")
    headers = [t("期限", "Due"), t("剩余天数", "Days left"), t("灯", "Light"), t("事项", "Item"),
               t("内容", "What"), t("状态", "State"), t("尚欠单位", "Still owed by")]
    rows = [[_day(i["due"]), i["days_left"], LightCell(i["light"]), i["id"], i["title"], state_label(i["state"]),
             "、".join(i["units"])] for i in items]
    lead = t("{n} 项待办,其中 {r} 项已逾期", "{n} items, {r} overdue", n=len(items), r=red)
    return Sheet(t("到期与逾期", "Due"), title, headers, rows, lead=lead)


def _duties_sheet(duties: list, title: str) -> Sheet:
    headers = [t("事项", "Duty"), t("内容", "What"), t("期限", "Due"), t("应报", "Owed by"), t("按时", "On time"),
               t("逾期", "Late"), t("未报", "Not yet"), t("状态", "State"), t("灯", "Light")]
    rows = [[d["id"], d["title"], _day(d["due"]), len(d["units"]), len(d["on_time"]), len(d["late_units"]),
             len(d["missing"]), state_label(d["state"], d["late"]), LightCell(d["light"])] for d in duties]
    return Sheet(t("年度事项", "Yearly duties"), title, headers, rows,
                 lead=t("年度事项 {n} 项", "{n} yearly duties", n=len(rows)))


def _submissions_sheet(duty: dict, title: str) -> Sheet:
    headers = [t("单位", "Unit"), t("状态", "State"), t("日期", "On"), t("逾期", "Late")]
    rows = [[u["unit"], state_label(u["state"], u["late"]), _day(u["on"]) if u["state"] == "done" else None,
             t("是", "yes") if u["late"] else ""] for u in duty["units"]]
    return Sheet(t("报送情况", "Submissions"), title, headers, rows,
                 lead=t("{d}:应报 {n} 个单位", "{d}: owed by {n} units", d=duty["title"], n=len(rows)))


def _support(part: dict) -> str:
    return f"{part['support_done']}/{part['support_total']}" if part["support_total"] else "-"


def _status_sheets(doc: dict, plan: Any, title: str) -> list[Sheet]:
    tasks = doc["tasks"]
    parts = [(task, p) for task in tasks for p in task["parts"]]
    unit = doc.get("unit")
    sheets = []
    # sections: the same counts as the terminal's section table, over the parts listed
    srows = []
    for sec in plan.sections:
        mine = [p for task, p in parts if task["section"] == sec.id]
        if not mine:
            continue
        done = sum(1 for p in mine if p["state"] == "done")
        srows.append([section_label(sec.id, section_short(sec.heading)), f"{done}/{len(mine)}",
                      sum(1 for p in mine if p["state"] == "doing"), sum(1 for p in mine if p["state"] == "todo"),
                      sum(1 for p in mine if p["light"] == "red"), sum(1 for p in mine if p["light"] == "yellow")])
    s = doc["summary"]
    lead = t("分项 {parts} 个:已完成 {done},进行中 {doing},未开始 {todo};红灯 {red},黄灯 {yellow}",
             "{parts} parts: {done} done, {doing} doing, {todo} to do; {red} red, {yellow} yellow", **s)
    sheets.append(Sheet(t("章节", "Sections"), title,
                        [t("章节", "Section"), t("完成", "Done"), t("进行", "Doing"), t("未开始", "To do"),
                         t("红灯", "Red"), t("黄灯", "Yellow")], srows, lead=lead))
    if unit is None:
        trows = [[task["id"], task["title"], "、".join(dict.fromkeys(u for p in task["parts"] for u in p["lead"])),
                  state_label(task["state"], task["late"]), LightCell(task["light"]), _day(task["due"]),
                  _support_task(task)] for task in tasks]
        sheets.append(Sheet(t("任务", "Tasks"), title,
                            [t("编号", "No."), t("任务", "Task"), t("牵头单位", "Lead"), t("状态", "State"),
                             t("灯", "Light"), t("期限", "Due"), t("配合", "Support")], trows,
                            lead=t("任务 {n} 项", "{n} tasks", n=len(trows))))
    prows = []
    for task, p in parts:
        row = [p["id"], task["title"]]
        if unit is not None:
            own = next((u for u in p["units"] if u["unit"] == unit), None)
            row += [role_label(own["role"]) if own else "", state_label(own["state"]) if own else ""]
        row += [state_label(p["state"], p["late"]), LightCell(p["light"]), _day(p["due"]), _day(p["done_on"]),
                "、".join(p["lead"]), _support(p),
                "、".join(u["unit"] for u in p["units"] if u["role"] == "lead" and u["state"] != "done")]
        prows.append(row)
    headers = [t("分项", "Part"), t("任务", "Task")]
    if unit is not None:
        headers += [t("职责", "Role"), t("本单位", "Own state")]
    headers += [t("分项状态", "Part state"), t("灯", "Light"), t("期限", "Due"), t("完成日期", "Done on"),
                t("牵头单位", "Lead"), t("配合", "Support"), t("尚欠单位", "Still owed by")]
    sheets.append(Sheet(t("分项", "Parts"), title, headers, prows,
                        lead=(t("{u}负责的分项 {n} 个", "{n} parts held by {u}", u=unit, n=len(prows)) if unit
                              else t("分项 {n} 个", "{n} parts", n=len(prows)))))
    if unit is None and len(tasks) == 1:  # `status --task N`: every unit's state in it, as the terminal shows
        urows = [[p["id"], u["unit"], role_label(u["role"]), state_label(u["state"]), _day(u["on"])]
                 for p in tasks[0]["parts"] for u in p["units"]]
        sheets.append(Sheet(t("各单位", "Units"), title,
                            [t("分项", "Part"), t("单位", "Unit"), t("职责", "Role"), t("状态", "State"),
                             t("日期", "On")], urows, lead=t("{n} 个单位次", "{n} unit entries", n=len(urows))))
    if unit is not None and doc.get("duties"):
        drows = [[d["id"], d["title"], _day(d["due"]), state_label(d["state"]), LightCell(d["light"])]
                 for d in doc["duties"]]
        sheets.append(Sheet(t("年度事项", "Yearly duties"), title,
                            [t("编号", "No."), t("事项", "Duty"), t("期限", "Due"), t("本单位", "Own state"),
                             t("灯", "Light")], drows, lead=t("年度事项 {n} 项", "{n} yearly duties", n=len(drows))))
    return sheets


def _support_task(task: dict) -> str:
    done: dict[str, bool] = {}
    for p in task["parts"]:
        for u in p["units"]:
            if u["role"] == "support":
                done[u["unit"]] = done.get(u["unit"], True) and u["state"] == "done"
    return f"{sum(done.values())}/{len(done)}" if done else "-"
