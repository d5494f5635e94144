"""Documents an office can send as they are (issue 26), read back from what is written.

The Word documents in the 公文 layout of GB/T 9704-2012 (page, margins, grid,
fonts, sizes, page numbers, tables, 落款), the 催办通知 as a .docx, workbooks
that print, HTML that prints, Chinese punctuation in fazhi's own sentences
(GB/T 15834-2011) and charts that draw plan text as text (issue 23 item 7).
"""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from datetime import date

import pytest

from fazhi_cli import progress, record, report
from fazhi_cli.ledger import read_ledger
from fazhi_cli.progress.supervision import notices
from fazhi_cli.render import charts, report_tables
from fazhi_cli.render.docx import document
from fazhi_cli.render.html import page
from fazhi_cli.render.notice_docx import notice_document
from fazhi_cli.render.punct import half_width_in_chinese, zh_punct, zt
from fazhi_cli.render.report_md import markdown
from fazhi_cli.render.supervision import notice_parts, notice_text
from fazhi_cli.render.xlsx import Sheet, report_workbook, workbook

DAY = date(2017, 12, 31)
HYPERLINK = '=HYPERLINK("http://evil.example/?x","点击查看")'


def _mark(plan, home, target, unit, on, state="done", note=None, evidence=()):
    record.mark(plan, home, target=target, unit=unit, state=state, on=on, note=note, evidence=list(evidence),
                by="测试", clock_today=DAY)


@pytest.fixture
def ledger(plan, home):
    _mark(plan, home, "7", "区法制办", "2017-11-30", note="完成规范性文件清理", evidence=["番府办〔2017〕12号"])
    _mark(plan, home, "2.2", "区编办", "2017-01-15", evidence=["https://www.panyu.gov.cn/qzqd"])
    _mark(plan, home, "summary-2016", "区编办", "2017-03-01", note="已报送")
    _mark(plan, home, "6.3", "区发展改革局", "2017-05-01", state="doing", note="已起草清理方案")
    return home


def build(plan, home, unit=None, as_of=DAY):
    return report.build(plan, read_ledger(home, plan).events, year=2017, as_of=as_of, unit=unit)


def _word(rep, style="official"):
    import docx

    return docx.Document(io.BytesIO(document(report_tables.document(rep), None, "测试", as_of=rep.as_of,
                                             style=style)))


def _q(tag):
    from docx.oxml.ns import qn

    return qn(tag)


# --- Chinese punctuation ------------------------------------------------------------------

@pytest.mark.parametrize("before, after", [
    ("截至 {d},没有逾期未完成的事项。", "截至 {d}，没有逾期未完成的事项。"),
    ("分项 {n} 个:已完成 {a}(其中逾期完成 {b}),进行中 {c};红灯 {r}", "分项 {n} 个：已完成 {a}（其中逾期完成 {b}），进行中 {c}；红灯 {r}"),
    ("{i}. {x} {w}(期限 {d},{s})", "{i}. {x} {w}（期限 {d}，{s}）"),
    ('他说"已完成"', "他说“已完成”"),
    ("金额 3,500 元,时间 12:30", "金额 3,500 元，时间 12:30"),        # between digits: half-width stays
    ("见 summary-2017 与 6.3,文件 a.pdf", "见 summary-2017 与 6.3，文件 a.pdf"),
    ("https://www.panyu.gov.cn/a,b", "https://www.panyu.gov.cn/a,b"),     # no Chinese: untouched
    ("{p}〔{y}〕(草稿,未编号)", "{p}〔{y}〕（草稿，未编号）"),
    ("{n} items: {a} (late)", "{n} items: {a} (late)"),
])
def test_zh_punct_makes_marks_next_to_chinese_full_width(before, after):
    assert zh_punct(before) == after
    assert zh_punct(after) == after     # once is enough


def test_zt_changes_the_template_never_the_values():
    plan_text = "收费标准(试行),含:人工;材料"
    assert zt("{x},已完成", "{x}", x=plan_text) == "收费标准(试行),含:人工;材料，已完成"


def test_half_width_in_chinese_finds_what_is_left():
    assert [h[:6] for h in half_width_in_chinese("已完成 2(其中逾期 1),进行中")] == ["已完成 2(", "(其中逾期 "]
    assert half_width_in_chinese("2017-06-30 summary-2017 6.3 https://a.b/c,d 3,500") == []


def _docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    parts += [p.text for s in doc.sections for f in (s.footer, s.even_page_footer) for p in f.paragraphs]
    return "\n".join(parts)


def _html_text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


def test_no_half_width_punctuation_next_to_chinese_in_any_document(plan, ledger):
    """Every Chinese document fazhi writes: Word, Excel, HTML, Markdown, the 催办通知 as text and as Word."""
    import docx
    import openpyxl

    found = {}
    for unit in (None, "区编办"):
        rep = build(plan, ledger, unit=unit)
        doc = report_tables.document(rep)
        found[f"docx {unit}"] = half_width_in_chinese(_docx_text(_word(rep)))
        found[f"docx plain {unit}"] = half_width_in_chinese(_docx_text(_word(rep, "plain")))
        wb = openpyxl.load_workbook(io.BytesIO(report_workbook(doc, rep)))
        found[f"xlsx {unit}"] = [h for ws in wb for row in ws.iter_rows(values_only=True) for v in row
                                 if isinstance(v, str) for h in half_width_in_chinese(v)]
        found[f"html {unit}"] = half_width_in_chinese(_html_text(page(doc, charts.svg_charts(rep))))
        found[f"md {unit}"] = half_width_in_chinese(markdown(doc))
    st = progress.status(plan, read_ledger(ledger, plan).events, date(2017, 3, 15))
    for n in notices(plan, st, within=30)[:5]:
        text = notice_text(plan, n, date(2017, 3, 15), 1, date(2017, 3, 15), "区法制办")
        found[f"notice {n.unit}"] = half_width_in_chinese(text)
        parts = notice_parts(plan, n, date(2017, 3, 15), 1, date(2017, 3, 15), "区法制办")
        found[f"notice docx {n.unit}"] = half_width_in_chinese(_docx_text(docx.Document(io.BytesIO(
            notice_document(parts)))))
    assert {k: v for k, v in found.items() if v} == {}


# --- Word in the 公文 layout ----------------------------------------------------------------

def _rfonts(style):
    return style.element.rPr.find(_q("w:rFonts")).get(_q("w:eastAsia"))


def test_a_title_too_long_for_a_line_breaks_before_its_bracket_not_inside_it(plan, ledger):
    # 区编办2017年度工作进展情况总结（草稿）: 21 characters of 2号 where a line of the text block holds 20
    title = _word(build(plan, ledger, unit="区编办")).paragraphs[0]
    assert title.style.name == "Title"
    assert title.text == "区编办2017年度工作进展情况总结\n（草稿）"


def test_word_summary_is_laid_out_as_a_gongwen(plan, ledger):
    doc = _word(build(plan, ledger, unit="区编办"))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.left_margin, s.right_margin, s.bottom_margin)] == [37, 28, 26, 35]
    assert round(s.page_width.mm - s.left_margin.mm - s.right_margin.mm) == 156      # the text block
    assert round(s.page_height.mm - s.top_margin.mm - s.bottom_margin.mm) == 225
    grid = s._sectPr.find(_q("w:docGrid"))
    # 22 lines: 225 mm / 22 = 579 twips a line
    assert grid.get(_q("w:type")) == "lines" and grid.get(_q("w:linePitch")) == "579"
    styles = doc.styles
    assert styles["Normal"].paragraph_format.line_spacing.pt == pytest.approx(28.95)
    # 28 characters: 3号 characters 0.25 pt closer fill the 156 mm line 28 times, and no 29th fits
    spacing = styles["Normal"].element.rPr.find(_q("w:spacing"))
    assert int(spacing.get(_q("w:val"))) == -5
    assert 28 * 15.75 <= 156 / 25.4 * 72 < 29 * 15.75
    assert (_rfonts(styles["Title"]), styles["Title"].font.size.pt) == ("方正小标宋简体", 22)
    assert (_rfonts(styles["Normal"]), styles["Normal"].font.size.pt) == ("仿宋_GB2312", 16)
    assert (_rfonts(styles["Heading 1"]), styles["Heading 1"].font.size.pt) == ("黑体", 16)
    assert (_rfonts(styles["Heading 2"]), styles["Heading 2"].font.size.pt) == ("楷体_GB2312", 16)
    assert not styles["Heading 1"].font.bold and not styles["Title"].font.bold
    # the fallbacks are named in the font table, for Word and WPS to substitute by
    table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    xml = table.blob.decode("utf-8")
    for name, alt in (("方正小标宋简体", "华文中宋"), ("华文中宋", "宋体"), ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体")):
        assert re.search(f'<w:font w:name="{name}"><w:altName w:val="{alt}"/>', xml), name
    # the headings and the title as written
    heads = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name in ("Title", "Heading 1")]
    assert heads[:3] == [("Title", "区编办2017年度工作进展情况总结\n（草稿）"), ("Heading 1", "一、总体进展"),
                         ("Heading 1", "二、承担的分项和年度事项")]


def test_word_page_numbers_at_the_outside_corner(plan, ledger):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = _word(build(plan, ledger))
    assert doc.settings.odd_and_even_pages_header_footer
    s = doc.sections[0]
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for para in (odd, even):
        assert para.text == "— 1 —"                    # a PAGE field, 1 until Word counts
        assert " PAGE " in [el.text for el in para._p.iter(_q("w:instrText"))]
        assert {r.font.size.pt for r in para.runs} == {14}      # 4号
        assert {r._r.rPr.find(_q("w:rFonts")).get(_q("w:ascii")) for r in para.runs} == {"宋体"}  # half-width
    assert odd._p.pPr.find(_q("w:ind")).get(_q("w:rightChars")) == "100"     # one character in
    assert even._p.pPr.find(_q("w:ind")).get(_q("w:leftChars")) == "100"


def test_word_tables_fit_the_text_block_and_repeat_their_header(plan, ledger):
    doc = _word(build(plan, ledger))
    assert doc.tables
    for table in doc.tables:
        assert sum(c.width.cm for c in table.columns) == pytest.approx(15.6, abs=0.01)
        assert table.rows[0]._tr.trPr.find(_q("w:tblHeader")) is not None
        assert table.rows[1].cells[0].paragraphs[0].style.name == "Table Text"


def test_word_signature_is_the_unit_and_the_date_in_chinese(plan, ledger):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = _word(build(plan, ledger, unit="区编办"))
    texts = [p.text for p in doc.paragraphs]
    i = texts.index("番禺区机构编制委员会办公室")
    assert texts[i + 1] == "2017年12月31日"
    assert doc.paragraphs[i].alignment == doc.paragraphs[i + 1].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert doc.paragraphs[i + 1]._p.pPr.find(_q("w:ind")).get(_q("w:rightChars")) == "400"   # four characters in
    assert texts[i + 2] == "（本文由 fazhi 根据各单位的进度记录生成，报送前请核对并补充文字说明。）"
    district = [p.text for p in _word(build(plan, ledger)).paragraphs]
    assert "区法制办" in district and "2017年12月31日" in district


def test_word_plain_style_keeps_the_earlier_look(plan, ledger):
    doc = _word(build(plan, ledger), style="plain")
    s = doc.sections[0]
    assert [round(x.mm) for x in (s.top_margin, s.left_margin, s.right_margin, s.bottom_margin)] == [25, 22, 22, 25]
    assert (_rfonts(doc.styles["Title"]), doc.styles["Title"].font.size.pt) == ("宋体", 20)
    assert (_rfonts(doc.styles["Normal"]), doc.styles["Normal"].font.size.pt) == ("仿宋", 14)
    assert "2017年12月31日" not in [p.text for p in doc.paragraphs]


def test_a_plan_named_for_its_year_does_not_name_it_twice(plan, ledger):
    rep = build(plan, ledger)._replace(plan_title="番禺区2017年法治政府建设工作安排")
    assert report_tables.document(rep).title == "番禺区2017年法治政府建设工作安排落实情况"
    assert report_tables.document(build(plan, ledger)).title == "番禺区创建珠三角法治政府示范区工作方案2017年度落实情况"


# --- the 催办通知 ----------------------------------------------------------------------------

def _notice(plan, ledger, unit="区编办"):
    st = progress.status(plan, read_ledger(ledger, plan).events, date(2017, 3, 15))
    (n,) = notices(plan, st, within=30, unit=unit)
    return n


def test_notice_as_a_gongwen_docx(plan, ledger):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    parts = notice_parts(plan, _notice(plan, ledger), date(2017, 3, 15), 3, date(2017, 3, 15), "区法制办")
    doc = docx.Document(io.BytesIO(notice_document(parts, issued=date(2017, 3, 15))))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:4] == ["番法治督办〔2017〕3号",
                         "关于督促落实《番禺区创建珠三角法治政府示范区工作方案》有关事项的通知", "区编办：",
                         "根据《番禺区创建珠三角法治政府示范区工作方案》（番府办〔2016〕60号），截至2017年3月15日，"
                         "你单位负责的下列事项尚未完成："]
    assert doc.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER         # 发文字号
    assert texts[4] == "一、尚未报送的年度事项（共 1 项）"
    assert texts[-3:] == ["请抓紧落实，完成后及时报送完成情况和证明材料。", "区法制办", "2017年3月15日"]
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["序号", "编号", "事项", "期限", "情况"]
    assert [c.text for c in table.rows[1].cells] == ["1", "plan-2017", "2017年具体创建工作计划", "2017年3月10日",
                                                     "已逾期 5 天"]
    assert table.rows[0]._tr.trPr.find(_q("w:tblHeader")) is not None
    s = doc.sections[0]
    assert [round(x.mm) for x in (s.top_margin, s.left_margin, s.right_margin, s.bottom_margin)] == [37, 28, 26, 35]
    assert s.footer.paragraphs[0].text == "— 1 —"
    whole = _docx_text(doc)
    assert "fazhi" not in whole and not re.search(r"[(（][^)）]*[(（]", whole)   # no command, no nested brackets


def test_an_extended_item_in_a_notice_has_one_level_of_brackets(plan, ledger):
    n = _notice(plan, ledger)
    item = n.duties[0]._replace(extended_to=date(2017, 3, 12))
    text = notice_text(plan, n._replace(duties=(item,)), date(2017, 3, 15), 1, date(2017, 3, 15), "区法制办")
    assert "plan-2017 2017年具体创建工作计划（期限 2017年3月12日，原定 2017年3月10日，经批准延期；已逾期 3 天）" in text
    assert not re.search(r"（[^）]*（", text)


# --- workbooks that print, and text that stays text -------------------------------------------

def _print_setup(ws, plan_line, rows):
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"$1:${rows}"      # title, description and header on every page
    assert ws.print_options.gridLines
    assert ws.oddHeader.left.text == plan_line and ws.oddHeader.right.text.startswith("截至 2017-12-31")
    assert "&P" in ws.oddFooter.center.text


def test_report_and_status_workbooks_print(plan, ledger, cli, tmp_path):
    import openpyxl

    rep = build(plan, ledger)
    wb = openpyxl.load_workbook(io.BytesIO(report_workbook(report_tables.document(rep), rep)))
    line = "番禺区创建珠三角法治政府示范区工作方案（番府办〔2016〕60号）"
    for ws in wb:
        _print_setup(ws, line, 3)
    out = tmp_path / "status.xlsx"
    assert cli("status", "--as-of", "2017-12-31", "--output", out).exit_code == 0
    for ws in openpyxl.load_workbook(out):
        _print_setup(ws, line, 3)


def test_every_text_cell_is_text_whatever_it_starts_with(plan, ledger, tmp_path):
    import openpyxl

    rep = build(plan, ledger)._replace(plan_title=HYPERLINK)
    hostile = Sheet("=SUM(1,2)", "=SUM(1,2)", ["=SUM(1,2)", "+1", "-1", "@x"], [["=1+1", 3]], lead="=SUM(1,2)")
    for data in (report_workbook(report_tables.document(rep), rep), workbook([hostile], title="=SUM(1,2)")):
        path = tmp_path / "w.xlsx"
        path.write_bytes(data)
        import zipfile

        with zipfile.ZipFile(path) as z:
            assert not any("<f>" in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
        wb = openpyxl.load_workbook(path)
        cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
        assert cells and all(c.data_type != "f" for c in cells)
    ws = openpyxl.load_workbook(tmp_path / "w.xlsx").active
    assert ws["A1"].value == "=SUM(1,2)" and ws["A2"].value == "=SUM(1,2)" and ws["A3"].value == "=SUM(1,2)"


# --- HTML that prints -------------------------------------------------------------------------

def test_html_has_a_print_stylesheet_and_the_signature(plan, ledger):
    rep = build(plan, ledger, unit="区编办")
    html = page(report_tables.document(rep), [])
    assert "@page { size: A4; margin: 37mm 26mm 35mm 28mm;" in html
    assert 'counter(page)' in html and "thead { display: table-header-group; }" in html
    assert "break-inside: avoid" in html
    assert '<p class="signature"><span>番禺区机构编制委员会办公室<br>2017年12月31日</span></p>' in html


# --- charts: plan text is text ---------------------------------------------------------------

def _hostile_sections(rep):
    titles = ["$\\foo$ 标题", "收费由$100调整为$200", "反\u202e转\x1b[2J清屏"]
    sections = tuple(c._replace(title=titles[i % 3]) for i, c in enumerate(rep.sections))
    return rep._replace(sections=sections)


def test_charts_draw_plan_text_as_written_never_as_math(plan, ledger, recwarn):
    rep = _hostile_sections(build(plan, ledger))
    svgs = charts.svg_charts(rep)                    # `$\foo$` made matplotlib raise ValueError
    texts = [t for c in svgs for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", c.data)]
    assert "（二）收费由$100调整为$200" in texts and "（一）$\\foo$ 标题" in texts
    assert not any("\u202e" in c.data or "\x1b" in c.data for c in svgs)
    assert "（三）反\\u202e转\\x1b[2J清屏" in texts              # shown as escapes, not acting
    assert not [w for w in recwarn if "Glyph" in str(w.message) or "missing" in str(w.message)]
    font = charts.find_cjk_font()
    if font is not None:
        assert len(charts.draw_png(rep, [font])) == 2


def test_a_font_installed_after_the_first_run_is_found(monkeypatch):
    """matplotlib's cached list predates the font: the system's fonts are added to it."""
    if not shutil.which("fc-list") or "CJK" not in subprocess.run(["fc-list", ":lang=zh", "family"],
                                                                  capture_output=True, text=True).stdout:
        pytest.skip("no Chinese font on this machine (apt-get install fonts-noto-cjk)")
    from matplotlib import font_manager

    stale = copy.copy(font_manager.fontManager)
    stale.ttflist = [e for e in font_manager.fontManager.ttflist
                     if e.name not in charts.CJK_FONTS and "CJK" not in e.name]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    saved = []
    monkeypatch.setattr(charts, "_save_font_list", lambda fm: saved.append(fm))
    assert charts.find_cjk_font() in charts.CJK_FONTS
    assert saved and any("CJK" in e.name for e in stale.ttflist)


def test_notices_to_a_folder_with_their_word_files(plan, ledger, tmp_path):
    """What `remind --output DIR` writes: a .txt and a .docx per unit, staged, then moved into place."""
    import docx

    from fazhi_cli import files
    from fazhi_cli.render.output import notice_files, notices_out

    st = progress.status(plan, read_ledger(ledger, plan).events, date(2017, 3, 15))
    numbered = [(n, i) for i, n in enumerate(notices(plan, st, within=30)[:2], 1)]
    out = tmp_path / "催办"
    out.mkdir()
    staged = files.stage(notice_files(plan, numbered, date(2017, 3, 15), date(2017, 3, 15), "区法制办", out))
    staged.finish()
    said = notices_out(plan, numbered, date(2017, 3, 15), date(2017, 3, 15), "区法制办", out, "plain", staged.paths)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 == len(said.splitlines())
    assert {p.rsplit(".", 1)[1] for p in names} == {"txt", "docx"}
    first = sorted(out.glob("*.docx"))[0]
    assert docx.Document(str(first)).paragraphs[0].text == "番法治督办〔2017〕1号"


def test_report_style_option_chooses_the_layout(ledger, cli, tmp_path):
    import docx

    for style, margins in (([], [37, 28]), (["--style", "plain"], [25, 22])):
        out = tmp_path / f"summary{len(style)}.docx"
        r = cli("report", "--unit", "区编办", "--year", "2017", "--output", out, *style)
        assert r.exit_code == 0, r.output
        s = docx.Document(str(out)).sections[0]
        assert [round(s.top_margin.mm), round(s.left_margin.mm)] == margins
    r = cli("report", "--year", "2017", "--output", tmp_path / "x.docx", "--style", "fancy")
    assert r.exit_code == 2
