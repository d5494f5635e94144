"""The 催办通知 as a Word 公文, one file per unit, beside the text files.

Laid out as the report's Word document is (GB/T 9704-2012, ``docx.py``):
the 发文字号 centred above the title, the title in 小标宋, the 主送 unit
flush left, the 正文 with each group of items as a heading and a table
(序号, 编号, 事项, 期限, 情况) whose header repeats on every page, the
closing request, and the 落款 (the office over the date). The words are the
text notice's (``supervision.notice_parts``): the office's voice, no command
names, one level of brackets.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

from .docx import HEADER_FILL, column_widths, put_cell, shade
from .gongwen import TEXT_BLOCK_CM, official_page, official_styles, set_indent, signature_lines
from .escape import safe
from .punct import zt as t
from .supervision import NoticeParts


def _flush(para: Any) -> None:
    para.paragraph_format.first_line_indent = 0
    set_indent(para._p.get_or_add_pPr(), firstLineChars="0", firstLine="0")


def _rows_table(out: Any, rows: list) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415
    from docx.shared import Cm  # noqa: PLC0415

    headers = [t("序号", "No."), t("编号", "Item"), t("事项", "What"), t("期限", "Due"), t("情况", "Status")]
    body = [[str(i), r.id, r.title, r.due, r.status] for i, r in enumerate(rows, 1)]
    grid = out.add_table(rows=1 + len(body), cols=len(headers))
    grid.style = out.styles["Table Grid"]
    grid.autofit = False
    trpr = grid.rows[0]._tr.get_or_add_trPr()   # the header row repeats on every page
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, text in zip(grid.rows[0].cells, headers):
        put_cell(cell, text, bold=True)
        shade(cell, HEADER_FILL)
    for r, row in enumerate(body, start=1):
        for cell, value in zip(grid.rows[r].cells, row):
            put_cell(cell, value)
    for i, w in enumerate(column_widths(headers, body, TEXT_BLOCK_CM)):
        grid.columns[i].width = Cm(w)
        for cell in grid.columns[i].cells:
            cell.width = Cm(w)


def notice_document(n: NoticeParts, *, issued: date | None = None) -> bytes:
    """The .docx bytes of one 催办通知 (``supervision.notice_parts``)."""
    import docx  # noqa: PLC0415
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415

    out = docx.Document()
    official_styles(out)
    official_page(out)
    number = out.add_paragraph(safe(n.number))
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _flush(number)
    out.add_paragraph("")
    out.add_heading(safe(n.title), level=0)
    to = out.add_paragraph(safe(n.to))
    _flush(to)
    out.add_paragraph(safe(n.opening))
    for heading, rows in n.sections:
        out.add_heading(safe(heading), level=1)
        _rows_table(out, rows)
    out.add_paragraph(safe(n.closing))
    signature_lines(out, n.office, n.issued)
    props = out.core_properties
    props.title = safe(n.title)
    props.subject = safe(n.number)
    props.author = props.last_modified_by = safe(n.office)
    props.revision = 1
    if issued is not None:   # the same notice gives the same file
        props.created = props.modified = datetime.combine(issued, time(0, 0))
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
