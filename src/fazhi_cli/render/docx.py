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
import math
from datetime import date, datetime, time
from typing import Any, Sequence

from ..i18n import lang
from .escape import safe
from .punct import zt as t
from .report_tables import Document, LightCell, Table, cell_text

LATIN = "Times New Roman"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
TABLE_FONT = "宋体"
TABLE_STYLE = "Table Text"

FILLS = {"red": ("C00000", "FFFFFF"), "yellow": ("FFC000", "000000"), "green": ("E2EFDA", "375623")}
HEADER_FILL = "D9D9D9"

USABLE_CM = 16.6        # A4 less 2.2 cm margins each side (the plain style)
UNIT_CM = 0.19          # one display cell (half a CJK character) at 10.5 pt

# The 公文 layout (GB/T 9704-2012)
STYLES = ("official", "plain")
OFFICIAL_TITLE_FONT = "方正小标宋简体"
OFFICIAL_BODY_FONT = "仿宋_GB2312"
OFFICIAL_HEADING_FONT = "黑体"
OFFICIAL_SUBHEADING_FONT = "楷体_GB2312"
OFFICIAL_TABLE_FONT = "宋体"
PAGE_NUMBER_FONT = "宋体"
# the font named first, the one Word and WPS are told to use when it is missing
FALLBACKS = {"方正小标宋简体": "华文中宋", "华文中宋": "宋体", "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}
TITLE_PT, BODY_PT, TABLE_PT, PAGE_NUMBER_PT = 22, 16, 10.5, 14     # 2号, 3号, 5号, 4号
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_BLOCK_CM = 15.6    # 210 - 28 - 26 mm
LINES, CHARS = 22, 28
LINE_PITCH = 579        # twips: 225 mm / 22 lines, as Word's own 公文 templates write it


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


def _el(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement  # noqa: PLC0415

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(_qn(f"w:{k}"), v)
    return el


def _set_ind(ppr: Any, **attrs: str) -> None:
    """Indents in hundredths of a character (firstLineChars="200": two characters), which follow the font size."""
    ind = ppr.get_or_add_ind()   # in its place in the schema's order, which Word insists on
    for k, v in attrs.items():
        ind.set(_qn(f"w:{k}"), v)


def _official_style(style: Any, font: str, size: float, *, indent: bool = True, bold: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    set_fonts(style, font, size, bold=bold)
    style.font.italic = False
    pf = style.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = Pt(LINE_PITCH / 20)   # exactly the grid's line: 22 lines a page
    if indent:
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        pf.first_line_indent = Pt(2 * size)
        _set_ind(style.element.get_or_add_pPr(), firstLineChars="200")


_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")


def _official_styles(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE  # noqa: PLC0415
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    styles = doc.styles
    _official_style(styles["Normal"], OFFICIAL_BODY_FONT, BODY_PT)
    # 28 characters of 3号 are 158 mm; the text block is 156: each character 0.25 pt closer, so 28 fit
    rpr = styles["Normal"].element.get_or_add_rPr()
    rpr.insert_element_before(_el("w:spacing", val=str(math.floor(_pitch() * 20 - BODY_PT * 20))),
                              "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                              "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                              "w:eastAsianLayout", "w:specVanish", "w:oMath")
    title = styles["Title"]
    _official_style(title, OFFICIAL_TITLE_FONT, TITLE_PT, indent=False)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(LINE_PITCH / 20 * 1.2)
    title.paragraph_format.space_after = Pt(LINE_PITCH / 20)   # a blank line under the title
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(_qn("w:pBdr"))  # the default template underlines the title in blue
    if border is not None:
        ppr.remove(border)
    # a 2号 character is wider than the grid's cell: off the grid, or it would take two cells
    ppr.insert_element_before(_el("w:snapToGrid", val="0"), *_AFTER_SNAP)
    subtitle = styles["Subtitle"]
    _official_style(subtitle, OFFICIAL_SUBHEADING_FONT, BODY_PT, indent=False)
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name, font in (("Heading 1", OFFICIAL_HEADING_FONT), ("Heading 2", OFFICIAL_SUBHEADING_FONT)):
        heading = styles[name]
        _official_style(heading, font, BODY_PT)
        heading.paragraph_format.keep_with_next = True
    table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    set_fonts(table_text, OFFICIAL_TABLE_FONT, TABLE_PT)
    pf = table_text.paragraph_format
    pf.line_spacing = 1.0
    pf.first_line_indent = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    tppr = table_text.element.get_or_add_pPr()
    _set_ind(tppr, firstLineChars="0")
    # a table's rows are as tall as their text, not a grid line
    tppr.insert_element_before(_el("w:snapToGrid", val="0"), *_AFTER_SNAP)
    caption = styles["Caption"]
    _official_style(caption, OFFICIAL_BODY_FONT, TABLE_PT, indent=False)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fallback_fonts(doc)
    _default_size(doc, BODY_PT)


def _default_size(doc: Any, size: float) -> None:
    """The document's default font size: Word and LibreOffice measure the character grid's pitch against it."""
    styles = doc.styles.element
    defaults = styles.find(_qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(f"{_qn('w:rPrDefault')}/{_qn('w:rPr')}")
    if rpr is None:
        return
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(_qn(tag))
        if el is None:
            el = _el(tag)
            rpr.append(el)
        el.set(_qn("w:val"), str(round(size * 2)))


def _fallback_fonts(doc: Any) -> None:
    """Name each font's fallback in the font table (w:altName), with its family and the GB2312 charset."""
    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    from docx.oxml import parse_xml  # noqa: PLC0415

    root = parse_xml(part.blob) if not hasattr(part, "element") else part.element
    for name, alt in FALLBACKS.items():
        font = _el("w:font", name=name)
        font.append(_el("w:altName", val=alt))
        font.append(_el("w:charset", val="86"))
        font.append(_el("w:family", val="modern" if "黑" in name else "roman"))
        font.append(_el("w:pitch", val="fixed"))
        root.append(font)
    if not hasattr(part, "element"):
        from lxml import etree  # noqa: PLC0415

        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph: Any, odd: bool) -> None:
    """`— 7 —` in 4号 宋体 half-width digits, one character in from the outside edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    ppr = paragraph._p.get_or_add_pPr()
    _set_ind(ppr, **({"rightChars": "100", "right": str(PAGE_NUMBER_PT * 20)} if odd
                     else {"leftChars": "100", "left": str(PAGE_NUMBER_PT * 20)}))

    def run(text: str = "", *field: Any) -> None:
        r = paragraph.add_run(text)
        r.font.size = Pt(PAGE_NUMBER_PT)
        r.font.name = PAGE_NUMBER_FONT
        rfonts = r._r.get_or_add_rPr().find(_qn("w:rFonts"))
        rfonts.set(_qn("w:eastAsia"), PAGE_NUMBER_FONT)
        for el in field:
            r._r.append(el)

    run("— ")
    run("", _el("w:fldChar", fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = " PAGE "
    run("", instr)
    run("", _el("w:fldChar", fldCharType="separate"))
    run("1")
    run("", _el("w:fldChar", fldCharType="end"))
    run(" —")


def _pitch() -> float:
    """A character's share of the 156 mm line, in points: 28 to a line."""
    return TEXT_BLOCK_CM * 10 / 25.4 * 72 / CHARS


def _official_page(doc: Any) -> None:
    from docx.shared import Mm  # noqa: PLC0415

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    section.footer_distance = Mm(22)    # the page number 7 mm below the text block
    sectpr = section._sectPr
    grid = sectpr.find(_qn("w:docGrid"))
    if grid is None:
        grid = _el("w:docGrid")
        sectpr.append(grid)
    # 22 lines a page on the line grid. The 28 characters a line come from the body's character spacing
    # (Normal's w:spacing, 0.25 pt closer): LibreOffice gives each 3号 character two cells of a
    # "linesAndChars" grid whose cell is narrower than the character, and spreads every line out
    grid.set(_qn("w:type"), "lines")
    grid.set(_qn("w:linePitch"), str(LINE_PITCH))
    grid.attrib.pop(_qn("w:charSpace"), None)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _signature(doc: Any, signer: str, day: date) -> None:
    """The 落款: the unit centred over the date, the date four characters in from the right."""
    from .supervision import cn_day  # noqa: PLC0415

    _signature_lines(doc, signer, cn_day(day))


def _signature_lines(doc: Any, signer: str, when: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415

    doc.add_paragraph("")
    doc.add_paragraph("")
    for text, chars in ((safe(signer), 4 + max(0, len(when) - len(signer)) / 2), (when, 4)):
        para = doc.add_paragraph(text)
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_ind(para._p.get_or_add_pPr(), firstLineChars="0", firstLine="0", rightChars=str(round(chars * 100)),
                 right=str(round(chars * BODY_PT * 20)))


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
        _official_styles(out)
        _official_page(out)
    else:
        _plain_styles(out)
        _plain_page(out)
    usable = TEXT_BLOCK_CM if official else USABLE_CM
    out.add_heading(safe(doc.title), level=0)
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
                        _set_ind(para._p.get_or_add_pPr(), firstLineChars="0")
            elif no_charts:
                out.add_paragraph(safe(t("本文件未附图表：{why}。安装中文字体后重新生成即可，HTML 格式的报告不受影响。",
                                         "No charts in this file: {why}. Install a Chinese font and run it again; "
                                         "the HTML report is not affected.", why=no_charts)))
    if official and doc.signer and doc.signed is not None:
        _signature(out, doc.signer, doc.signed)
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
