"""The report as a Word document that opens correctly in Word and WPS.

By default the document is laid out as a 公文 (GB/T 9704-2012): A4, margins
37 mm top, 28 mm left (binding), 26 mm right and 35 mm bottom, a grid of 22
lines of 28 characters; the title in 2号 (22 pt) 方正小标宋简体, the body in
3号 (16 pt) 仿宋_GB2312, headings 一、 in 黑体 and （一） in 楷体_GB2312; page
numbers `— 1 —` in 4号 half-width Arabic at the outside corner (right on odd
pages, left on even); tables as wide as the text block, their header row
repeated on every page; and a 落款, the unit and the date in Chinese.

Word does not fall back from one font name to the next by itself: each style
names its first choice as the East Asian font (``w:eastAsia``) and the font
table names the fallback (``w:altName``: 方正小标宋简体 → 华文中宋, 仿宋_GB2312 →
仿宋, 楷体_GB2312 → 楷体) with the family and the GB2312 charset, so Word and WPS
substitute a Chinese serif (宋体) when neither is installed.

``style="plain"`` keeps the earlier look: 2.2/2.5 cm margins, 20 pt 宋体
title, 14 pt 仿宋 body, page numbers centred, no grid and no 落款.

Headings, body text and tables use Word styles (Title, Heading 1, Heading 2,
Normal, a "Table Text" style and Table Grid), so the clerk can restyle the
whole document at once. Charts are PNG pictures drawn with a CJK font; when
the system has none, the document says so in place of the charts.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any, Sequence

from ..i18n import lang
from .escape import safe
from .gongwen import (STYLES, TABLE_STYLE, TEXT_BLOCK_CM, official_page, official_styles, qn, set_fonts,
                      set_indent, signature)
from .punct import zt as t
from .report_tables import Document, LightCell, Table, cell_text

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
TABLE_FONT = "宋体"

FILLS = {"red": ("C00000", "FFFFFF"), "yellow": ("FFC000", "000000"), "green": ("E2EFDA", "375623")}
HEADER_FILL = "D9D9D9"

USABLE_CM = 16.6        # A4 less 2.2 cm margins each side (the plain style)
UNIT_CM = 0.19          # one display cell (half a CJK character) at 10.5 pt


def _qn(tag: str) -> str:
    return qn(tag)


def _plain_styles(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE  # noqa: PLC0415
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    styles = doc.styles
    set_fonts(styles["Normal"], BODY_FONT, 14)
    styles["Normal"].paragraph_format.line_spacing = 1.3
    styles["Normal"].paragraph_format.space_after = Pt(4)
    title = styles["Title"]
    set_fonts(title, TITLE_FONT, 20, bold=True)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(_qn("w:pBdr"))  # the default template underlines the title in blue
    if border is not None:
        ppr.remove(border)
    subtitle = styles["Subtitle"]
    set_fonts(subtitle, BODY_FONT, 14)
    subtitle.font.italic = False
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = styles["Heading 1"]
    set_fonts(heading, HEADING_FONT, 16)
    heading.paragraph_format.space_before = Pt(14)
    heading.paragraph_format.space_after = Pt(6)
    table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    set_fonts(table_text, TABLE_FONT, 10.5)
    table_text.paragraph_format.line_spacing = 1.0
    table_text.paragraph_format.space_after = Pt(0)
    caption = styles["Caption"]
    set_fonts(caption, BODY_FONT, 10.5)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _plain_page(doc: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.shared import Cm  # noqa: PLC0415

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(_qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)


def display_width(text: str) -> int:
    from rich.cells import cell_len  # noqa: PLC0415

    return max((cell_len(line) for line in text.split("\n")), default=0)


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]], usable: float = USABLE_CM) -> list[float]:
    """Widths in cm: each column as wide as its longest cell, the long ones shrunk to fit ``usable`` cm."""
    natural = [display_width(h) for h in headers]
    for row in rows:
        for i, c in enumerate(row):
            natural[i] = max(natural[i], display_width(cell_text(c)))
    units = [min(n, 60) + 2 for n in natural]
    room = usable / UNIT_CM
    if sum(units) > room:
        fixed = [u if u <= 14 else 0 for u in units]
        wide = [u for u in units if u > 14]
        share = max(room - sum(fixed), 14 * len(wide))
        scale = share / sum(wide) if wide else 1
        units = [u if u <= 14 else max(14, u * scale) for u in units]
    over = sum(units) - room
    if over > 0:
        # the long columns' floors left too little room: take it from the columns longer than a date,
        # never from the short ones (a role, a light, a date), which would break in two
        longer = [i for i, n in enumerate(natural) if n > 10]
        free = sum(units[i] for i in longer)
        for i in longer:
            units[i] -= over * units[i] / free
    # every table as wide as the page, the spare room shared in proportion
    return [u * usable / sum(units) for u in units]


def shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415

    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(_qn("w:val"), "clear")
    shd.set(_qn("w:color"), "auto")
    shd.set(_qn("w:fill"), fill)
    tcpr.append(shd)


def put_cell(cell: Any, value: Any, *, bold: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import RGBColor  # noqa: PLC0415

    para = cell.paragraphs[0]
    para.style = TABLE_STYLE
    run = para.add_run(safe(cell_text(value)))
    run.bold = bold or None
    if isinstance(value, LightCell):
        fill, colour = FILLS[value.light]
        shade(cell, fill)
        run.font.color.rgb = RGBColor.from_string(colour)
        run.bold = value.light != "green" or None
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif isinstance(value, int) and not isinstance(value, bool):
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc: Any, table: Table, usable: float = USABLE_CM) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.shared import Cm  # noqa: PLC0415

    doc.add_heading(safe(table.heading), level=1)
    doc.add_paragraph(safe(table.lead))
    if not table.rows:
        return
    rows = table.rows + ([table.total] if table.total else [])
    grid = doc.add_table(rows=1 + len(rows), cols=len(table.headers))
    grid.style = doc.styles["Table Grid"]
    grid.autofit = False
    widths = column_widths(table.headers, rows, usable)
    header = grid.rows[0]
    trpr = header._tr.get_or_add_trPr()  # the header row repeats on every page
    repeat = OxmlElement("w:tblHeader")
    repeat.set(_qn("w:val"), "true")
    trpr.append(repeat)
    for cell, text in zip(header.cells, table.headers):
        put_cell(cell, text, bold=True)
        shade(cell, HEADER_FILL)
    for r, row in enumerate(rows, start=1):
        bold = table.total is not None and r == len(rows)
        for cell, value in zip(grid.rows[r].cells, row):
            put_cell(cell, value, bold=bold)
    for i, w in enumerate(widths):
        column = grid.columns[i]
        column.width = Cm(w)  # the grid, which LibreOffice and WPS follow
        for cell in column.cells:
            cell.width = Cm(w)  # each cell, which Word follows


# characters of a 2号 (22 pt) title on a line of the text block (156 mm)
TITLE_CHARS = 20


def _title(out: Any, text: str) -> None:
    """The title; one too long for a line that ends in a bracket (…工作进展情况总结（草稿）) breaks before the
    bracket, which then stands centred on the second line, instead of wherever the line ends (（草\n稿）)."""
    head = out.add_heading("", level=0)
    cut = text.rfind("（")
    if len(text) > TITLE_CHARS and cut > 0 and text.endswith("）"):
        head.add_run(text[:cut])
        head.add_run().add_break()
        head.add_run(text[cut:])
    else:
        head.add_run(text)


def document(doc: Document, charts: Sequence[Any] | None, no_charts: str = "", *, as_of: date | None = None,
             style: str = "official") -> bytes:
    """The .docx bytes. ``charts``: PNG charts, or None with ``no_charts`` saying why they are left out.

    ``style``: "official" (the 公文 layout, the default) or "plain" (the earlier look).
    """
    import docx  # noqa: PLC0415
    from docx.shared import Cm  # noqa: PLC0415

    if style not in STYLES:
        raise ValueError(f"style: one of {STYLES}")
    official = style == "official"
    out = docx.Document()
    if official:
        official_styles(out)
        official_page(out)
    else:
        _plain_styles(out)
        _plain_page(out)
    usable = TEXT_BLOCK_CM if official else USABLE_CM
    _title(out, safe(doc.title))
    for line in doc.subtitle:
        out.add_paragraph(safe(line), style="Subtitle")
    for i, table in enumerate(doc.tables):
        _table(out, table, usable)
        if i == doc.charts_after:
            if charts:
                for chart in charts:
                    out.add_picture(io.BytesIO(chart.data), width=Cm(usable))
                    para = out.paragraphs[-1]
                    para.alignment = 1  # centred
                    if official:  # a picture is taller than a grid line: its own height, no indent
                        para.paragraph_format.line_spacing = 1.0
                        para.paragraph_format.first_line_indent = Cm(0)
                        set_indent(para._p.get_or_add_pPr(), firstLineChars="0")
            elif no_charts:
                out.add_paragraph(safe(t("本文件未附图表：{why}。安装中文字体后重新生成即可，HTML 格式的报告不受影响。",
                                         "No charts in this file: {why}. Install a Chinese font and run it again; "
                                         "the HTML report is not affected.", why=no_charts)))
    if official and doc.signer and doc.signed is not None:
        signature(out, doc.signer, doc.signed)
        # a 附注: under the date, two characters in, in brackets (GB/T 9704 7.3.7)
        out.add_paragraph(safe(t("（{n}）", "({n})", n=doc.note)))
    else:
        out.add_paragraph(safe(doc.note))
    props = out.core_properties
    props.title = safe(doc.title)
    props.subject = safe(" ".join(doc.subtitle))
    props.author = props.last_modified_by = "fazhi"
    props.comments = safe(doc.note)
    props.language = "en-US" if lang() == "en" else "zh-CN"
    props.revision = 1
    if as_of is not None:  # the same records give the same document
        props.created = props.modified = datetime.combine(as_of, time(0, 0))
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
