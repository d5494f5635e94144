"""The report as a Word document that opens correctly in Word and WPS.

Headings, body text and tables use Word styles (Title, Heading 1, Normal,
a "Table Text" style and Table Grid), so the clerk can restyle the whole
document at once. Each style names its East Asian font in ``w:eastAsia``
(宋体 for the title and tables, 黑体 for headings, 仿宋 for the body: the
usual look of a 公文); without it Word and WPS fall back to a Latin font's
idea of Chinese. Charts are PNG pictures drawn with a CJK font; when the
system has none, the document says so in place of the charts.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any, Sequence

from ..i18n import lang, t
from .escape import safe
from .report_tables import Document, LightCell, Table, cell_text

LATIN = "Times New Roman"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
TABLE_FONT = "宋体"
TABLE_STYLE = "Table Text"

FILLS = {"red": ("C00000", "FFFFFF"), "yellow": ("FFC000", "000000"), "green": ("E2EFDA", "375623")}
HEADER_FILL = "D9D9D9"

USABLE_CM = 16.6        # A4 less 2.2 cm margins each side
UNIT_CM = 0.19          # one display cell (half a CJK character) at 10.5 pt


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn  # noqa: PLC0415

    return qn(tag)


def set_fonts(style: Any, east_asia: str, size: float, *, bold: bool = False, latin: str = LATIN) -> None:
    """Name the style's Latin and East Asian fonts explicitly (no theme fonts), its size and colour."""
    from docx.shared import Pt, RGBColor  # noqa: PLC0415

    font = style.font
    font.name = latin
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(_qn("w:rFonts"))
    if rfonts is None:
        from docx.oxml import OxmlElement  # noqa: PLC0415

        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(_qn(attr), None)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        rfonts.set(_qn(attr), value)
    lang_el = rpr.find(_qn("w:lang"))
    if lang_el is None:
        from docx.oxml import OxmlElement  # noqa: PLC0415

        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(_qn("w:val"), "en-US")
    lang_el.set(_qn("w:eastAsia"), "zh-CN")


def _styles(doc: Any) -> None:
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


def _page(doc: Any) -> None:
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


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Widths in cm: each column as wide as its longest cell, the long ones shrunk to fit the page."""
    natural = [display_width(h) for h in headers]
    for row in rows:
        for i, c in enumerate(row):
            natural[i] = max(natural[i], display_width(cell_text(c)))
    units = [min(n, 60) + 2 for n in natural]
    room = USABLE_CM / UNIT_CM
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
    return [u * USABLE_CM / sum(units) for u in units]


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415

    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(_qn("w:val"), "clear")
    shd.set(_qn("w:color"), "auto")
    shd.set(_qn("w:fill"), fill)
    tcpr.append(shd)


def _put(cell: Any, value: Any, *, bold: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import RGBColor  # noqa: PLC0415

    para = cell.paragraphs[0]
    para.style = TABLE_STYLE
    run = para.add_run(safe(cell_text(value)))
    run.bold = bold or None
    if isinstance(value, LightCell):
        fill, colour = FILLS[value.light]
        _shade(cell, fill)
        run.font.color.rgb = RGBColor.from_string(colour)
        run.bold = value.light != "green" or None
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif isinstance(value, int) and not isinstance(value, bool):
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc: Any, table: Table) -> None:
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
    widths = column_widths(table.headers, rows)
    header = grid.rows[0]
    trpr = header._tr.get_or_add_trPr()  # the header row repeats on every page
    repeat = OxmlElement("w:tblHeader")
    repeat.set(_qn("w:val"), "true")
    trpr.append(repeat)
    for cell, text in zip(header.cells, table.headers):
        _put(cell, text, bold=True)
        _shade(cell, HEADER_FILL)
    for r, row in enumerate(rows, start=1):
        bold = table.total is not None and r == len(rows)
        for cell, value in zip(grid.rows[r].cells, row):
            _put(cell, value, bold=bold)
    for i, w in enumerate(widths):
        column = grid.columns[i]
        column.width = Cm(w)  # the grid, which LibreOffice and WPS follow
        for cell in column.cells:
            cell.width = Cm(w)  # each cell, which Word follows


def document(doc: Document, charts: Sequence[Any] | None, no_charts: str = "", *, as_of: date | None = None) -> bytes:
    """The .docx bytes. ``charts``: PNG charts, or None with ``no_charts`` saying why they are left out."""
    import docx  # noqa: PLC0415
    from docx.shared import Cm  # noqa: PLC0415

    out = docx.Document()
    _styles(out)
    _page(out)
    out.add_heading(safe(doc.title), level=0)
    for line in doc.subtitle:
        out.add_paragraph(safe(line), style="Subtitle")
    for i, table in enumerate(doc.tables):
        _table(out, table)
        if i == doc.charts_after:
            if charts:
                for chart in charts:
                    out.add_picture(io.BytesIO(chart.data), width=Cm(16))
                    out.paragraphs[-1].alignment = 1  # centred
            elif no_charts:
                out.add_paragraph(safe(t("(本文件未附图表:{why}。安装中文字体后重新生成即可;HTML 格式的报告不受影响。)",
                                         "(No charts in this file: {why}. Install a Chinese font and run it again; "
                                         "the HTML report is not affected.)", why=no_charts)))
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
