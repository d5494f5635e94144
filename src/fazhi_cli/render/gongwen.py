"""The 公文 layout of GB/T 9704-2012, for every Word document fazhi writes.

A4; margins 37 mm top, 28 mm left (binding), 26 mm right, 35 mm bottom; 22
lines a page on the line grid, 28 characters a line; the title in 2号 (22 pt)
方正小标宋简体, the body in 3号 (16 pt) 仿宋_GB2312, headings 一、 in 黑体 and
（一） in 楷体_GB2312; page numbers `— 1 —` in 4号 half-width Arabic at the
outside corner (right on odd pages, left on even); and the 落款, the unit
over the date in Chinese.

Word does not fall back from one font name to the next by itself: each style
names its first choice as the East Asian font (``w:eastAsia``) and the font
table names the fallback (``w:altName``: 方正小标宋简体 → 华文中宋 → 宋体,
仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体) with the family and the GB2312 charset,
so Word and WPS substitute a Chinese serif when neither is installed.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from .escape import safe

LATIN = "Times New Roman"
TABLE_STYLE = "Table Text"

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


def qn(tag: str) -> str:
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
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        from docx.oxml import OxmlElement  # noqa: PLC0415

        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        rfonts.set(qn(attr), value)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        from docx.oxml import OxmlElement  # noqa: PLC0415

        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), "en-US")
    lang_el.set(qn("w:eastAsia"), "zh-CN")


def element(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement  # noqa: PLC0415

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def set_indent(ppr: Any, **attrs: str) -> None:
    """Indents in hundredths of a character (firstLineChars="200": two characters), which follow the font size."""
    ind = ppr.get_or_add_ind()   # in its place in the schema's order, which Word insists on
    for k, v in attrs.items():
        ind.set(qn(f"w:{k}"), v)


def official_style(style: Any, font: str, size: float, *, indent: bool = True, bold: bool = False) -> None:
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
        set_indent(style.element.get_or_add_pPr(), firstLineChars="200")


_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")


def official_styles(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE  # noqa: PLC0415
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    styles = doc.styles
    official_style(styles["Normal"], OFFICIAL_BODY_FONT, BODY_PT)
    # 28 characters of 3号 are 158 mm; the text block is 156: each character 0.25 pt closer, so 28 fit
    rpr = styles["Normal"].element.get_or_add_rPr()
    rpr.insert_element_before(element("w:spacing", val=str(math.floor(pitch() * 20 - BODY_PT * 20))),
                              "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                              "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                              "w:eastAsianLayout", "w:specVanish", "w:oMath")
    title = styles["Title"]
    official_style(title, OFFICIAL_TITLE_FONT, TITLE_PT, indent=False)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(LINE_PITCH / 20 * 1.2)
    title.paragraph_format.space_after = Pt(LINE_PITCH / 20)   # a blank line under the title
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))  # the default template underlines the title in blue
    if border is not None:
        ppr.remove(border)
    # a 2号 character is wider than the grid's cell: off the grid, or it would take two cells
    ppr.insert_element_before(element("w:snapToGrid", val="0"), *_AFTER_SNAP)
    subtitle = styles["Subtitle"]
    official_style(subtitle, OFFICIAL_SUBHEADING_FONT, BODY_PT, indent=False)
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name, font in (("Heading 1", OFFICIAL_HEADING_FONT), ("Heading 2", OFFICIAL_SUBHEADING_FONT)):
        heading = styles[name]
        official_style(heading, font, BODY_PT)
        heading.paragraph_format.keep_with_next = True
    table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    set_fonts(table_text, OFFICIAL_TABLE_FONT, TABLE_PT)
    pf = table_text.paragraph_format
    pf.line_spacing = 1.0
    pf.first_line_indent = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    tppr = table_text.element.get_or_add_pPr()
    set_indent(tppr, firstLineChars="0")
    # a table's rows are as tall as their text, not a grid line
    tppr.insert_element_before(element("w:snapToGrid", val="0"), *_AFTER_SNAP)
    caption = styles["Caption"]
    official_style(caption, OFFICIAL_BODY_FONT, TABLE_PT, indent=False)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fallback_fonts(doc)
    default_size(doc, BODY_PT)


def default_size(doc: Any, size: float) -> None:
    """The document's default font size: Word and LibreOffice measure the character grid's pitch against it."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        return
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = element(tag)
            rpr.append(el)
        el.set(qn("w:val"), str(round(size * 2)))


def fallback_fonts(doc: Any) -> None:
    """Name each font's fallback in the font table (w:altName), with its family and the GB2312 charset."""
    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    from docx.oxml import parse_xml  # noqa: PLC0415

    root = parse_xml(part.blob) if not hasattr(part, "element") else part.element
    for name, alt in FALLBACKS.items():
        font = element("w:font", name=name)
        font.append(element("w:altName", val=alt))
        font.append(element("w:charset", val="86"))
        font.append(element("w:family", val="modern" if "黑" in name else "roman"))
        font.append(element("w:pitch", val="fixed"))
        root.append(font)
    if not hasattr(part, "element"):
        from lxml import etree  # noqa: PLC0415

        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def page_number(paragraph: Any, odd: bool) -> None:
    """`— 7 —` in 4号 宋体 half-width digits, one character in from the outside edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    ppr = paragraph._p.get_or_add_pPr()
    set_indent(ppr, **({"rightChars": "100", "right": str(PAGE_NUMBER_PT * 20)} if odd
                     else {"leftChars": "100", "left": str(PAGE_NUMBER_PT * 20)}))

    def run(text: str = "", *field: Any) -> None:
        r = paragraph.add_run(text)
        r.font.size = Pt(PAGE_NUMBER_PT)
        r.font.name = PAGE_NUMBER_FONT
        rfonts = r._r.get_or_add_rPr().find(qn("w:rFonts"))
        rfonts.set(qn("w:eastAsia"), PAGE_NUMBER_FONT)
        for el in field:
            r._r.append(el)

    run("— ")
    run("", element("w:fldChar", fldCharType="begin"))
    instr = element("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = " PAGE "
    run("", instr)
    run("", element("w:fldChar", fldCharType="separate"))
    run("1")
    run("", element("w:fldChar", fldCharType="end"))
    run(" —")


def pitch() -> float:
    """A character's share of the 156 mm line, in points: 28 to a line."""
    return TEXT_BLOCK_CM * 10 / 25.4 * 72 / CHARS


def official_page(doc: Any) -> None:
    from docx.shared import Mm  # noqa: PLC0415

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    section.footer_distance = Mm(22)    # the page number 7 mm below the text block
    sectpr = section._sectPr
    grid = sectpr.find(qn("w:docGrid"))
    if grid is None:
        grid = element("w:docGrid")
        sectpr.append(grid)
    # 22 lines a page on the line grid. The 28 characters a line come from the body's character spacing
    # (Normal's w:spacing, 0.25 pt closer): LibreOffice gives each 3号 character two cells of a
    # "linesAndChars" grid whose cell is narrower than the character, and spreads every line out
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.attrib.pop(qn("w:charSpace"), None)
    doc.settings.odd_and_even_pages_header_footer = True
    page_number(section.footer.paragraphs[0], odd=True)
    page_number(section.even_page_footer.paragraphs[0], odd=False)


def signature(doc: Any, signer: str, day: date) -> None:
    """The 落款: the unit centred over the date, the date four characters in from the right."""
    from .supervision import cn_day  # noqa: PLC0415

    signature_lines(doc, signer, cn_day(day))


def signature_lines(doc: Any, signer: str, when: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415

    doc.add_paragraph("")
    doc.add_paragraph("")
    for text, chars in ((safe(signer), 4 + max(0, len(when) - len(signer)) / 2), (when, 4)):
        para = doc.add_paragraph(text)
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_indent(para._p.get_or_add_pPr(), firstLineChars="0", firstLine="0", rightChars=str(round(chars * 100)),
                 right=str(round(chars * BODY_PT * 20)))
