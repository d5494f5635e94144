"""The yearly report and the files people send: read back from what is written.

A small ledger, written through ``record.mark``, gives a year (2017, as of
its last day) whose completed, pending and overdue items are known by hand:

* 7.1  区法制办 done 2017-11-30 (due 2017-12-31), note and evidence: completed on time
* 2.2  区编办 done 2017-01-15 (due 2016-12-31), evidence a URL: completed late
* 1.1  区编办 done 2016-12-01: its own share done in 2016; the part waits for 区法制办
* summary-2016  区编办 done 2017-03-01: the unit's duty met, the district's not (36 others owe it)
* report-2017  区法制办 done 2017-12-20: the district's duty met
* 6.3  区发展改革局 doing 2017-05-01
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import one_line_error, snapshot
from fazhi_cli import record, report
from fazhi_cli.ledger import read_ledger
from fazhi_cli.progress.supervision import RecordRow
from fazhi_cli.render.cells import evidence_label
from fazhi_cli.render import charts, report_tables

DAY = date(2017, 12, 31)
HOSTILE_NOTE = '<script>alert(1)</script> =HYPERLINK("http://evil.example","x") | **b** [l](http://x)'


def _mark(plan, home, target, unit, on, state="done", note=None, evidence=()):
    record.mark(plan, home, target=target, unit=unit, state=state, on=on, note=note, evidence=list(evidence),
                by="测试", clock_today=DAY)


@pytest.fixture
def ledger(plan, home):
    _mark(plan, home, "7", "区法制办", "2017-11-30", note="完成规范性文件清理", evidence=["番府办〔2017〕12号"])
    _mark(plan, home, "2.2", "区编办", "2017-01-15", evidence=["https://www.panyu.gov.cn/qzqd"])
    _mark(plan, home, "1.1", "区编办", "2016-12-01")
    _mark(plan, home, "summary-2016", "区编办", "2017-03-01", note="已报送")
    _mark(plan, home, "report-2017", "区法制办", "2017-12-20")
    _mark(plan, home, "6.3", "区发展改革局", "2017-05-01", state="doing", note="已起草清理方案")
    return home


def build(plan, home, unit=None, as_of=DAY):
    return report.build(plan, read_ledger(home, plan).events, year=2017, as_of=as_of, unit=unit)


# --- the model -----------------------------------------------------------------------

def test_a_report_without_charts_skips_only_the_timeline(plan, ledger):
    # Markdown and Excel draw no chart: the replay over time is skipped, everything else is the same
    events = read_ledger(ledger, plan).events
    for unit in (None, "区编办"):
        whole = report.build(plan, events, year=2017, as_of=DAY, unit=unit)
        bare = report.build(plan, events, year=2017, as_of=DAY, unit=unit, charts=False)
        assert whole.timeline and bare.timeline == ()
        assert bare == whole._replace(timeline=())


def test_district_model_by_hand(plan, ledger):
    rep = build(plan, ledger)
    assert [(i.id, i.on, i.late) for i in rep.completed] == [
        ("2.2", date(2017, 1, 15), True), ("7.1", date(2017, 11, 30), False),
        ("report-2017", date(2017, 12, 20), False)]
    seven = rep.completed[1]
    assert seven.done_by == ("区法制办",) and seven.notes == ("完成规范性文件清理",)
    assert [evidence_label(x) for x in seven.evidence] == ["番府办〔2017〕12号"]
    # nothing is overdue among the parts; four yearly duties are, and who owes them is listed
    assert [i.id for i in rep.overdue] == ["catalogue-2016", "report-2016", "plan-2017", "summary-2016"]
    summary = rep.overdue[3]
    assert len(summary.owing) == 36 and "区编办" not in summary.owing
    assert rep.overdue[0].owing == ("区政府办", "区监察局", "区法制办")
    pending = [i.id for i in rep.pending]
    assert "1.1" in pending and "6.3" in pending and "catalogue-2017" in pending and "summary-2017" in pending
    assert "summary-2018" not in pending          # duties up to next year only
    assert rep.total.parts == 54 and rep.total.done == 2 and rep.total.done_late == 1
    assert rep.total.doing == 2                    # 1.1 (one of two leads) and 6.3
    assert rep.total.red == 0
    assert sum(c.parts for c in rep.sections) == 54
    # the plan names a supervising office: every done claim awaits its review (待审核)
    assert [(a.id, a.units, a.what) for a in rep.supervision] == [
        ("1.1", ("区编办",), "pending"), ("2.2", ("区编办",), "pending"), ("7.1", ("区法制办",), "pending"),
        ("summary-2016", ("区编办",), "pending"), ("report-2017", ("区法制办",), "pending")]


def test_units_record(plan, ledger):
    rec = {r.unit: r for r in build(plan, ledger).units}
    assert rec["区编办"] == RecordRow("区编办", led=19, done=2, on_time=1, late=1, overdue=0, pending=2, returned=0,
                                     extended=0, waived=0, duties_on_time=1, duties_late=0, duties_missing=1)
    # catalogue-2017 falls due on the report's day: not yet missing
    assert rec["区法制办"].done == 1 and rec["区法制办"].duties_on_time == 1 and rec["区法制办"].duties_missing == 4
    # the worst first: parts overdue, then yearly duties missing
    records = build(plan, ledger).units
    behind = [(r.overdue, r.duties_missing) for r in records]
    assert behind == sorted(behind, reverse=True)


def test_unit_model_by_hand(plan, ledger):
    rep = build(plan, ledger, unit="区编办")
    assert [(i.id, i.role, i.late) for i in rep.completed] == [("2.2", "lead", True), ("summary-2016", "lead", False)]
    assert rep.completed[1].notes == ("已报送",)
    assert [evidence_label(x) for x in rep.completed[0].evidence] == ["https://www.panyu.gov.cn/qzqd"]
    assert [(i.id, i.light) for i in rep.overdue] == [("plan-2017", "red")]
    held = {i.id: i for i in rep.held}
    assert held["1.1"].state == "done" and held["1.1"].on == date(2016, 12, 1)   # done, but in 2016
    assert "1.1" not in [i.id for i in rep.completed]
    assert held["7.1"].role == "support" and "7.1" not in [i.id for i in rep.pending]  # its lead finished it
    assert sorted(i.id for i in rep.held if i.kind == "duty") == ["plan-2017", "summary-2016", "summary-2017"]
    assert rep.total.parts == 46 and rep.total.done == 2  # 1.1 and 2.2, own share


def test_timeline_replays_month_ends(plan, ledger):
    rep = build(plan, ledger)
    days = [p.day for p in rep.timeline]
    assert days[0] == date(2016, 8, 31) and days[-1] == DAY and len(days) == 17
    by_day = {p.day: p.done for p in rep.timeline}
    assert sum(by_day[date(2016, 12, 31)].values()) == 0
    assert by_day[date(2017, 1, 31)]["一"] == 1         # 2.2
    assert by_day[date(2017, 11, 30)]["二"] == 1        # 7.1
    unit = build(plan, ledger, unit="区编办")
    assert sum(unit.timeline[4].done.values()) == 1      # 2016-12-31: its share of 1.1


def test_points_go_quarterly_after_three_years():
    assert report.points(date(2016, 8, 15), date(2016, 10, 3)) == [date(2016, 8, 31), date(2016, 9, 30),
                                                                   date(2016, 10, 3)]
    long = report.points(date(2016, 8, 15), date(2020, 5, 1))
    assert long[:3] == [date(2016, 9, 30), date(2016, 12, 31), date(2017, 3, 31)] and long[-1] == date(2020, 5, 1)


def test_report_day(plan):
    assert report.report_day(plan, 2017, None, date(2026, 1, 1)) == DAY
    assert report.report_day(plan, 2018, None, date(2018, 5, 2)) == date(2018, 5, 2)
    from fazhi_cli.errors import UsageError

    for year, as_of, today in ((2015, None, DAY), (2018, None, date(2017, 5, 1)), (2017, date(2016, 5, 1), DAY)):
        with pytest.raises(UsageError):
            report.report_day(plan, year, as_of, today)


# --- Markdown ----------------------------------------------------------------------------

def test_markdown_unit_summary(plan, ledger, cli):
    r = cli("report", "--unit", "区编办", "--year", "2017")
    assert r.exit_code == 0, r.output
    md = r.stdout
    assert md.startswith("# 区编办2017年度工作进展情况总结（草稿）\n")
    assert "## 三、2017年完成情况" in md and "2017年完成 2 项，其中逾期完成 1 项。" in md
    assert "| 2.2 | 基本完成权责清单的公布 | 牵头 | 2016-12-31 | 2017-01-15 | 逾期完成 |  | https://www.panyu.gov.cn/qzqd |" in md
    assert "截至 2017-12-31，逾期未完成 1 项（其中牵头 1 项）。" in md
    assert "| plan-2017 | 2017年具体创建工作计划 | 牵头 | 2017-03-10 | 296 | 未开始 |" in md


def test_markdown_escapes_hostile_notes(plan, home, cli):
    _mark(plan, home, "7", "区法制办", "2017-11-30", note=HOSTILE_NOTE)
    md = cli("report", "--year", "2017").stdout
    assert "\\<script\\>" in md and "\\| \\*\\*b\\*\\* \\[l\\](http://x)" in md
    assert "<script>" not in md


# --- Word ------------------------------------------------------------------------------------

def _docx(path: Path):
    import docx

    return docx.Document(str(path))


def _east_asia(style) -> str:
    from docx.oxml.ns import qn

    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_word_unit_summary_reads_back(plan, ledger, cli, tmp_path):
    out = tmp_path / "区编办2017年总结.docx"
    r = cli("report", "--unit", "区编办", "--year", "2017", "--output", out)
    assert r.exit_code == 0, r.output
    assert r.stdout == "" and str(out) in r.stderr
    doc = _docx(out)
    heads = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name in ("Title", "Heading 1")]
    # a title too long for one 2号 line breaks before its bracket (a line break inside the paragraph)
    assert heads == [("Title", "区编办2017年度工作进展情况总结\n（草稿）"), ("Heading 1", "一、总体进展"),
                     ("Heading 1", "二、承担的分项和年度事项"), ("Heading 1", "三、2017年完成情况"),
                     ("Heading 1", "四、逾期未完成的事项"), ("Heading 1", "五、尚未到期的事项"),
                     ("Heading 1", "六、督办情况")]
    sections, held, done, overdue, pending, supervision = doc.tables
    assert [c.text for c in done.rows[0].cells] == ["编号", "事项", "职责", "期限", "完成日期", "完成情况", "备注", "证明材料"]
    assert [c.text for c in done.rows[1].cells] == ["2.2", "基本完成权责清单的公布", "牵头", "2016-12-31", "2017-01-15",
                                                    "逾期完成", "", "https://www.panyu.gov.cn/qzqd"]
    assert [c.text for c in done.rows[2].cells][:2] == ["summary-2016", "2016年工作进展情况总结"]
    assert len(done.rows) == 3 and len(overdue.rows) == 2
    assert [c.text for c in sections.rows[-1].cells][:3] == ["合计", "2/46", "4%"]
    # the light is a fill, not only a word
    red = next(c for row in held.rows for c in row.cells if c.text == "红灯")
    assert 'w:fill="C00000"' in red._tc.xml
    # East Asian fonts are named on the styles, so Word and WPS show Chinese as meant
    assert _east_asia(doc.styles["Normal"]) == "仿宋_GB2312"
    assert _east_asia(doc.styles["Heading 1"]) == "黑体"
    assert _east_asia(doc.styles["Title"]) == "方正小标宋简体"
    assert _east_asia(doc.styles["Table Text"]) == "宋体"
    assert held.rows[1].cells[0].paragraphs[0].style.name == "Table Text"


def test_word_has_the_charts_when_a_chinese_font_exists(plan, ledger, cli, tmp_path):
    if charts.find_cjk_font() is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk); the no-font path is tested below")
    out = tmp_path / "district.docx"
    r = cli("report", "--year", "2017", "--format", "docx", "--output", out)
    assert r.exit_code == 0, r.output
    doc = _docx(out)
    assert len(doc.inline_shapes) == 2
    assert not any("未附图表" in p.text for p in doc.paragraphs)


def test_word_without_a_chinese_font_leaves_the_charts_out_and_says_why(plan, ledger, cli, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "find_cjk_font", lambda: None)
    out = tmp_path / "district.docx"
    r = cli("report", "--year", "2017", "--output", out)
    assert r.exit_code == 0, r.output
    doc = _docx(out)
    assert len(doc.inline_shapes) == 0
    assert any(p.text.startswith("本文件未附图表：本机没有能显示中文的字体，如 Microsoft YaHei") for p in doc.paragraphs)
    assert "未附图表" in r.stderr


def test_png_chart_refuses_a_font_without_chinese(plan, ledger):
    rep = build(plan, ledger)
    with pytest.raises(charts.NoCJKFont):
        charts.draw_png(rep, ["DejaVu Sans"])


def test_png_chart_draws_every_glyph_with_the_chinese_font_found(plan, ledger):
    font = charts.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk)")
    pngs = charts.draw_png(build(plan, ledger), [font])  # raises on any missing glyph
    assert [c.key for c in pngs] == ["progress", "lights"]
    assert all(c.data.startswith(b"\x89PNG") for c in pngs)


# --- Excel -------------------------------------------------------------------------------------

def _xlsx(path: Path):
    import openpyxl

    return openpyxl.load_workbook(path)


def _find(ws, value):
    return next(c for row in ws.iter_rows() for c in row if c.value == value)


def test_district_workbook_reads_back(plan, ledger, cli, tmp_path):
    out = tmp_path / "督办台账.xlsx"
    r = cli("report", "--year", "2017", "--output", out)
    assert r.exit_code == 0, r.output
    wb = _xlsx(out)
    assert wb.sheetnames == ["章节进度", "本年完成", "逾期未完成", "尚未到期", "各单位", "督办情况"]
    ws = wb["本年完成"]
    assert "番禺区创建珠三角法治政府示范区工作方案" in ws["A1"].value and "截至 2017-12-31" in ws["A1"].value
    assert ws["A2"].value == "2017年完成 3 项，其中逾期完成 1 项。"
    assert [c.value for c in ws[3]] == ["编号", "事项", "期限", "完成日期", "完成情况", "完成单位", "备注", "证明材料"]
    assert ws.freeze_panes == "A4"
    row = [c for c in ws[5]]
    assert row[0].value == "7.1" and row[1].value == "加强规范性文件管理"
    assert row[2].is_date and row[2].value == datetime(2017, 12, 31) and row[2].number_format == "yyyy-mm-dd"
    assert row[3].value == datetime(2017, 11, 30)
    assert row[7].value == "番府办〔2017〕12号"
    # widths fit Chinese: a CJK character counts two
    assert ws.column_dimensions["B"].width >= 2 * len("2017年向区人大常委会报告依法行政工作情况") - 4
    sections = wb["章节进度"]
    total = [c for c in sections[sections.max_row]]
    assert total[0].value == "合计" and total[1].value == "2/54" and total[1].data_type == "s"
    overdue = wb["逾期未完成"]
    assert overdue.max_row == 3 + 4
    pending = wb["尚未到期"]
    yellow = _find(pending, "黄灯")
    assert yellow.fill.fgColor.rgb == "FFFFC000"
    units = wb["各单位"]
    bianban = next(r for r in units.iter_rows(min_row=4, values_only=True) if r[0] == "区编办")
    assert [c.value for c in units[3]] == ["单位", "牵头分项", "已完成", "逾期完成", "逾期未完成", "按时报送", "逾期报送",
                                          "逾期未报"]
    assert bianban == ("区编办", 19, 2, 1, 0, 1, 0, 1)


def test_unit_workbook_lights_are_fills(plan, ledger, cli, tmp_path):
    out = tmp_path / "u.xlsx"
    assert cli("report", "-u", "区编办", "-y", "2017", "-f", "xlsx", "-o", out).exit_code == 0
    wb = _xlsx(out)
    assert wb.sheetnames == ["章节进度", "承担事项", "本年完成", "逾期未完成", "尚未到期", "督办情况"]
    assert wb["本年完成"]["A1"].value == ("番禺区创建珠三角法治政府示范区工作方案（番府办〔2016〕60号） · "
                                      "区编办2017年度工作进展情况总结（草稿） · 截至 2017-12-31")
    red = _find(wb["承担事项"], "红灯")
    assert red.fill.fill_type == "solid" and red.fill.fgColor.rgb == "FFC00000" and red.font.color.rgb == "FFFFFFFF"
    green = _find(wb["承担事项"], "绿灯")
    assert green.fill.fgColor.rgb == "FFC6EFCE"


def test_workbook_keeps_formula_like_text_as_text(plan, home, cli, tmp_path):
    _mark(plan, home, "7", "区法制办", "2017-11-30", note=HOSTILE_NOTE)
    out = tmp_path / "x.xlsx"
    assert cli("report", "--year", "2017", "--output", out).exit_code == 0
    cell = _find(_xlsx(out)["本年完成"], HOSTILE_NOTE.replace("\n", ""))
    assert cell.data_type == "s"


def test_status_workbook(plan, ledger, cli, tmp_path):
    out = tmp_path / "status.xlsx"
    r = cli("status", "--as-of", "2017-12-31", "--format", "xlsx", "--output", out)
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    wb = _xlsx(out)
    assert wb.sheetnames == ["章节", "任务", "分项"]
    tasks = wb["任务"]
    assert tasks["A1"].value == "番禺区创建珠三角法治政府示范区工作方案（番府办〔2016〕60号） · 截至 2017-12-31"
    assert tasks.freeze_panes == "A4"
    seven = next(r for r in tasks.iter_rows(min_row=4) if r[0].value == "7")
    assert [c.value for c in seven][:4] == ["7", "加强规范性文件管理", "区法制办", "已完成"]
    assert seven[5].value == datetime(2017, 12, 31) and seven[6].value == "0/17" and seven[6].data_type == "s"
    assert seven[4].fill.fgColor.rgb == "FFC6EFCE"
    parts = wb["分项"]
    one = next(r for r in parts.iter_rows(min_row=4) if r[0].value == "1.1")
    assert one[2].value == "进行中" and one[-1].value == "区法制办"   # still owed by its other lead
    assert wb["章节"]["A2"].value.startswith("分项 54 个：已完成 2")
    task = tmp_path / "task7.xlsx"
    assert cli("status", "--task", "7", "--as-of", "2017-12-31", "-o", task).exit_code == 0
    units = _xlsx(task)["各单位"]
    assert [c.value for c in units[4]] == ["7.1", "区法制办", "牵头", "已完成", datetime(2017, 11, 30)]
    assert units.max_row == 3 + 18


def test_due_and_unit_workbooks(plan, ledger, cli, tmp_path):
    out = tmp_path / "due.xlsx"           # the file name chooses the format
    r = cli("due", "--as-of", "2017-12-31", "--output", out)
    assert r.exit_code == 0, r.output
    ws = _xlsx(out)["到期与逾期"]
    assert ws["A2"].value == "5 项待办，其中 4 项已逾期"  # 4 duties late, catalogue-2017 due today
    first = [c for c in ws[4]]
    assert first[0].value == datetime(2016, 12, 31) and first[1].value == -365 and first[2].value == "红灯"
    assert first[2].fill.fgColor.rgb == "FFC00000"
    unit = tmp_path / "unit.xlsx"
    assert cli("status", "--unit", "区编办", "--as-of", "2017-12-31", "-f", "xlsx", "-o", unit).exit_code == 0
    wb = _xlsx(unit)
    assert wb.sheetnames == ["章节", "分项", "年度事项"]
    two = next(r for r in wb["分项"].iter_rows(min_row=4) if r[0].value == "2.2")
    assert [c.value for c in two][2:5] == ["牵头", "已完成", "逾期完成"]


# --- HTML ------------------------------------------------------------------------------------

NETWORK = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)


def test_html_report_is_self_contained_with_chinese_charts(plan, ledger, cli, tmp_path):
    _mark(plan, ledger, "2.1", "区编办", "2017-06-01", state="doing", note=HOSTILE_NOTE)
    out = tmp_path / "report.html"
    r = cli("report", "--year", "2017", "--output", out)
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert html.count("<svg") == 2
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", html)
    assert "各章节已完成分项数（逐月）" in texts and "截至 2017-12-31 各章节分项的红黄绿灯" in texts
    assert "（一）深化行政体制改革" in texts and "红灯" in texts
    assert not NETWORK.search(html), NETWORK.search(html)
    assert "//cdn" not in html and "<script" not in html and "<img" not in html and "<link" not in html
    assert "<h2>三、逾期未完成的事项及责任单位</h2>" in html
    assert '<span class="light light-yellow">黄灯</span>' in html
    # ids of the two inline charts do not collide
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_html_escapes_notes(plan, home, cli, tmp_path):
    _mark(plan, home, "7", "区法制办", "2017-11-30", note=HOSTILE_NOTE)
    out = tmp_path / "r.html"
    assert cli("report", "--year", "2017", "--format", "html", "--output", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert 'href="http' not in html


def test_html_to_stdout(plan, ledger, cli):
    r = cli("report", "--year", "2017", "--format", "html")
    assert r.exit_code == 0 and r.stdout.startswith("<!DOCTYPE html>")


def test_english_report(plan, ledger, cli):
    r = cli("--lang", "en", "report", "--unit", "区编办", "--year", "2017")
    assert r.exit_code == 0, r.output
    assert "## 3. Completed in 2017" in r.stdout and "2 items completed in 2017, 1 of them late." in r.stdout


# --- exactly what the terminal shows -------------------------------------------------------------

def test_export_svg_is_the_terminal_table(plan, home, cli, tmp_path):
    from rich.cells import cell_len

    out = tmp_path / "status.svg"
    r = cli("status", "--as-of", "2017-12-01", "--export", out, env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert "红灯" in r.stdout               # still shown on the terminal
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "cdnjs" not in svg and "url(\"http" not in svg and "@font-face" not in svg
    runs = re.findall(r'<text [^>]*textLength="([\d.]+)"[^>]*>([^<]+)</text>', svg)
    texts = "".join(t for _, t in runs)
    assert "加强规范性文件管理" in texts and "区法制办" in texts
    # every run is as wide as the cells it takes in the terminal: CJK counts two
    from html import unescape

    widths = {round(float(length) / cell_len(unescape(text)), 3) for length, text in runs if cell_len(unescape(text))}
    assert len(widths) == 1, widths
    assert '<rect fill="#cc555a"' in svg      # the red light's background, in Rich's terminal theme


def test_export_html(plan, ledger, cli, tmp_path):
    out = tmp_path / "due.html"
    r = cli("due", "--as-of", "2017-12-31", "--export", out)
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "<pre" in html and "catalogue-2016" in html and "红灯" in html
    assert not NETWORK.search(html)


# --- refusals: one line, nothing written, nothing left behind -----------------------------------------

def test_bad_outputs_are_refused(plan, ledger, cli, tmp_path):
    plan_copy = tmp_path / "tasks.yaml"
    plan_copy.write_text("keep", encoding="utf-8")
    folder = tmp_path / "a folder.docx"
    folder.mkdir()
    cases = [
        (["report", "--year", "2017", "--format", "docx"], "请用 --output"),
        (["report", "--year", "2017", "--format", "xlsx"], "请用 --output"),
        (["status", "--format", "xlsx"], "请用 --output"),
        (["report", "--year", "2017", "--output", plan_copy], ".md"),
        (["report", "--year", "2017", "--format", "docx", "--output", tmp_path / "x.xlsx"], ".docx"),
        (["report", "--year", "2017", "--output", tmp_path / "nowhere" / "x.docx"], "不存在"),
        (["report", "--year", "2017", "--output", folder], "不是普通文件"),
        (["report", "--year", "2017", "--output", ledger / "progress" / "x.docx"], "只由 fazhi 自己写入"),
        (["status", "--output", ledger / "progress" / "x.xlsx"], "只由 fazhi 自己写入"),
        (["status", "--output", tmp_path / "s.yaml"], "请用 --format"),
        (["status", "--export", tmp_path / "s.png"], ".svg"),
        (["status", "--export", tmp_path / "s.svg", "--format", "csv"], "--export"),
        (["report", "--year", "2015"], "本方案可报告的年份为 2016 年至"),
        (["report", "--year", "2017", "--unit", "火星局"], "未知单位"),
        (["report", "--year", "2017", "--as-of", "2016-06-01"], "早于 2017 年"),
        (["report"], "--year"),
    ]
    before_home, before_tmp = snapshot(ledger), sorted(p.name for p in tmp_path.iterdir())
    for args, words in cases:
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        line = one_line_error(r)
        assert words in line, (args, line)
        assert r.stdout == ""
    assert snapshot(ledger) == before_home
    assert sorted(p.name for p in tmp_path.iterdir()) == before_tmp
    assert plan_copy.read_text(encoding="utf-8") == "keep"


def test_output_replaces_a_previous_file_and_leaves_no_temporary(plan, ledger, cli, tmp_path):
    out = tmp_path / "r.md"
    out.write_text("old", encoding="utf-8")
    assert cli("report", "--year", "2017", "--output", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# 番禺区")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["r.md"]


def test_a_failed_write_leaves_nothing(plan, ledger, cli, tmp_path, monkeypatch):
    import os

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    out = tmp_path / "r.xlsx"
    r = cli("report", "--year", "2017", "--output", out)
    assert r.exit_code == 1 and "No space left" in one_line_error(r)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- shell completion that knows the plan -------------------------------------------------------

def _complete(shell: str, words: str, env=None) -> list[str]:
    from conftest import run_fazhi

    cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    envs = {
        "bash": {"COMP_WORDS": words, "COMP_CWORD": cword},
        "zsh": {"_TYPER_COMPLETE_ARGS": words},
        "fish": {"_TYPER_COMPLETE_ARGS": words, "_TYPER_COMPLETE_FISH_ACTION": "get-args"},
        "powershell": {"_TYPER_COMPLETE_ARGS": words,
                       "_TYPER_COMPLETE_WORD_TO_COMPLETE": "" if words.endswith(" ") else words.split()[-1]},
    }[shell]
    r = run_fazhi(env={"_FAZHI_COMPLETE": f"complete_{shell}", **envs, **(env or {})})
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode("utf-8")
    return re.findall(r'"([^"]+)"', out) if shell == "zsh" else [
        line.split(":::")[0].split("\t")[0] for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_of_targets_and_units(shell):
    assert _complete(shell, "fazhi mark 6.") == ["6.1", "6.2", "6.3", "6.4"]
    assert _complete(shell, "fazhi mark summ") == ["summary-2016", "summary-2017", "summary-2018"]
    assert _complete(shell, "fazhi report --unit 区公安") == ["区公安局", "区公安分局"]   # the alias too
    assert "38" in _complete(shell, "fazhi show 3")


def test_completion_reads_the_plan_in_use(tmp_path, plan_text):
    other = tmp_path / "other.yaml"
    other.write_text(plan_text.replace("  - name: 区法制办\n", "  - name: 区法制办\n    aliases: [法制办公室]\n", 1),
                     encoding="utf-8")
    assert _complete("bash", "fazhi status --unit 法制") == []
    assert _complete("bash", f"fazhi status --plan {other} --unit 法制") == ["法制办公室"]
    assert _complete("bash", "fazhi mark 7 --unit 法制", env={"FAZHI_PLAN": str(other)}) == ["法制办公室"]


# --- start-up: a run builds only the command it names ------------------------------------------

def test_a_run_registers_only_the_command_it_names(monkeypatch):
    from fazhi_cli import cli
    from fazhi_cli.cli.startup import only_the_command_asked_for

    every = list(cli.app.registered_commands)
    names = lambda: [c.name or c.callback.__name__ for c in cli.app.registered_commands]  # noqa: E731
    try:
        for args, expected in ((["status", "--as-of", "2017-12-01"], ["status"]),
                               (["--lang", "en", "due"], ["due"]), (["--lang=en", "report", "-y", "2017"], ["report"])):
            cli.app.registered_commands[:] = every
            only_the_command_asked_for(args)
            assert names() == expected, args
        for args in (["--help"], ["--version"], ["nosuch"], [], ["--install-completion"]):
            cli.app.registered_commands[:] = every
            only_the_command_asked_for(args)
            assert len(names()) == len(every), args
        monkeypatch.setenv("_FAZHI_COMPLETE", "complete_bash")
        cli.app.registered_commands[:] = every
        only_the_command_asked_for(["status"])
        assert len(names()) == len(every)
    finally:
        cli.app.registered_commands[:] = every


def test_the_program_behaves_the_same_with_one_command_built(cli, home):
    from conftest import run_fazhi

    env = {"FAZHI_HOME": str(home)}
    alone = run_fazhi("status", "--as-of", "2017-12-01", "--format", "plain", env=env)
    assert alone.returncode == 0 and alone.stdout.decode() == cli("status", "--as-of", "2017-12-01", "-f", "plain").stdout
    english = run_fazhi("--lang", "en", "due", "--as-of", "2016-11-15", "--within", "60", "-f", "plain", env=env)
    assert english.returncode == 0 and english.stdout.decode().splitlines()[1].startswith("As of 2016-11-15: 3 items")
    unknown = run_fazhi("nosuch", env=env)
    assert unknown.returncode == 2 and "没有这个命令：nosuch" in unknown.stderr.decode()
    helped = run_fazhi("--help", env=env)
    assert b"report" in helped.stdout and b"status" in helped.stdout


def test_hostile_plan_text_reaches_every_file_as_inert_text(cli, home, tmp_path, plan_text):
    bad = tmp_path / "p.yaml"
    bad.write_text(plan_text.replace('title: "加强规范性文件管理"', 'title: "[red]x[/red] \\e[5m闪 \\u202e反 <b>"', 1),
                   encoding="utf-8")
    for name in ("r.docx", "r.xlsx", "r.html", "r.md"):
        r = cli("report", "--plan", bad, "--year", "2017", "--output", tmp_path / name)
        assert r.exit_code == 0, (name, r.output)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "[red]x[/red] \\x1b[5m闪 \\u202e反 &lt;b&gt;" in html and "\x1b" not in html and "\u202e" not in html
    import docx

    cells = [c.text for t in docx.Document(str(tmp_path / "r.docx")).tables for row in t.rows for c in row.cells]
    assert "[red]x[/red] \\x1b[5m闪 \\u202e反 <b>" in cells
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "\x1b" not in md and "\\<b\\>" in md


# --- what a new user's trial found -------------------------------------------------------------------
#
# Each test reads back the document written by `fazhi report` and holds it
# against what the views (`fazhi status`) say on the same day.

def _docx_sections(path: Path) -> dict[str, tuple[str, list[list[str]]]]:
    """Each Heading 1 of a Word report: the sentence under it and its table's rows (header first) as text."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(str(path))
    out: dict[str, list] = {}
    heading = None
    for el in doc.element.body.iterchildren():
        if el.tag.endswith("}p"):
            p = Paragraph(el, doc)
            if p.style.name == "Heading 1":
                heading = p.text
                out[heading] = ["", []]
            elif heading and not out[heading][0] and p.text:
                out[heading][0] = p.text
        elif el.tag.endswith("}tbl") and heading:
            out[heading][1] = [[c.text for c in row.cells] for row in Table(el, doc).rows]
    return {k: (v[0], v[1]) for k, v in out.items()}


def _view(cli, *args) -> dict:
    r = cli("status", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


def _supervise(plan, home):
    """The office's acts on the small ledger: one accepted, one returned, one extended, one waived for all."""
    acts = dict(acting="区法制办", by="督办科", clock_today=DAY)
    record.review(plan, home, target="7.1", unit="区法制办", verdict="accept", note="材料齐全", **acts)
    record.review(plan, home, target="2.2", unit="区编办", verdict="return", note="缺少公布网址的截图", **acts)
    record.extend(plan, home, target="21.1", unit="区法制办", to="2019-06-30", reason="等待市统一系统上线",
                  approved_by="区政府", **acts)
    record.waive(plan, home, target="catalogue-2017", unit=None, reason="当年未制定新的目录", **acts)


def test_a_units_report_lists_everything_overdue_whatever_year_it_was_due(plan, ledger, cli, tmp_path):
    # the trial: 区法制办's report for 2018 said 2 overdue (plan-2018, summary-2017), its own view 7 red
    out = tmp_path / "u.docx"
    r = cli("report", "--unit", "区法制办", "--year", "2018", "--output", out)
    assert r.exit_code == 0, r.output
    view = _view(cli, "--unit", "区法制办", "--as-of", "2018-12-31")
    red = [x["id"] for x in view["items"] if x["light"] == "red"]
    assert len(red) == 7 and {"catalogue-2016", "report-2016", "summary-2016", "plan-2017"} <= set(red)
    lead, rows = _docx_sections(out)["四、逾期未完成的事项"]
    assert sorted(row[0] for row in rows[1:]) == sorted(red)
    assert lead.startswith("截至 2018-12-31，逾期未完成 7 项")
    # what it owes from earlier years is among what it holds, and said so
    held_lead, held = _docx_sections(out)["二、承担的分项和年度事项"]
    assert {"catalogue-2016", "report-2016"} <= {row[0] for row in held[1:]}
    duties = [row for row in held[1:] if not row[0][0].isdigit()]
    assert f"年度事项 {len(duties)} 项" in held_lead


def test_a_units_report_lights_every_item_as_its_own_view_does(plan, ledger, cli, tmp_path):
    _supervise(plan, ledger)     # an extension and a waiver change the unit's own lights
    out = tmp_path / "u.docx"
    r = cli("report", "--unit", "区法制办", "--year", "2018", "--as-of", "2019-01-15", "--output", out)
    assert r.exit_code == 0, r.output
    view = {x["id"]: x for x in _view(cli, "--unit", "区法制办", "--as-of", "2019-01-15")["items"]}
    assert view["21.1"]["light"] == "green" and view["catalogue-2017"]["light"] == "green"
    sections = _docx_sections(out)
    _, held = sections["二、承担的分项和年度事项"]
    header = held[0]
    light, state = header.index("灯"), header.index("本单位状态")
    assert len(held) > 40
    for row in held[1:]:
        assert row[light] == LIGHT_WORDS[view[row[0]]["light"]], row
    states = {row[0]: row[state] for row in held[1:]}
    assert states["21.1"] == "未开始" and "catalogue-2017" not in states   # waived: not owed past its deadline
    red = {i for i, x in view.items() if x["light"] == "red"}
    _, overdue = sections["四、逾期未完成的事项"]
    assert {row[0] for row in overdue[1:]} == red
    _, pending = sections["五、尚未到期的事项"]
    assert "21.1" not in {row[0] for row in overdue[1:]}
    # the section table counts the unit's own parts by the same lights
    lead, _ = sections["一、总体进展"]
    parts = [x for x in view.values() if x["kind"] == "part"]
    assert f"本单位负责分项 {len(parts)} 个" in lead
    assert f"红灯 {sum(1 for x in parts if x['light'] == 'red')}，" in lead


def test_reports_show_all_of_a_pairs_evidence_as_status_task_does(plan, home, cli, tmp_path):
    _mark(plan, home, "7", "区法制办", "2017-11-20", state="doing", evidence=["番府办〔2017〕9号"])
    _mark(plan, home, "7", "区法制办", "2017-11-30", evidence=["番府办〔2017〕12号"])
    pdf = tmp_path / "清理结果.pdf"
    pdf.write_bytes(b"%PDF-1.4 cleared\n")
    record.attach(plan, home, target="7.1", unit="区法制办", note=None,
                  evidence=[str(pdf), "https://www.panyu.gov.cn/gfxwj"], by="测试", clock_today=DAY)
    plain = cli("status", "--task", "7", "--as-of", "2017-12-31", "--format", "plain").stdout
    row = next(line for line in plain.splitlines() if line.startswith("7.1") and "区法制办" in line)
    shown = row.rstrip().split("  ")[-1].strip()
    assert shown.count(";") == 3 and "清理结果.pdf" in shown and "番府办〔2017〕12号" in shown
    district, unit = tmp_path / "d.docx", tmp_path / "u.docx"
    assert cli("report", "--year", "2017", "--output", district).exit_code == 0
    assert cli("report", "--unit", "区法制办", "--year", "2017", "--output", unit).exit_code == 0
    for path, heading in ((district, "二、2017年完成的事项"), (unit, "三、2017年完成情况")):
        _, rows = _docx_sections(path)[heading]
        seven = next(r for r in rows if r[0] == "7.1")
        assert seven[rows[0].index("证明材料")] == shown, path.name


def test_the_units_record_sentence_counts_its_own_columns(plan, ledger, cli, tmp_path):
    # the trial: "其中有逾期未完成事项的 37 个" above a 逾期未完成 column of zeros
    out = tmp_path / "d.docx"
    assert cli("report", "--year", "2017", "--output", out).exit_code == 0
    lead, rows = _docx_sections(out)["五、各单位落实情况"]
    header, body = rows[0], rows[1:]
    overdue, missing = header.index("逾期未完成"), header.index("逾期未报")
    with_overdue = sum(1 for r in body if r[overdue] != "0")
    with_missing = sum(1 for r in body if r[missing] != "0")
    assert with_overdue == 0 and with_missing > 30
    assert lead.startswith(f"全区责任单位 {len(body)} 个，其中有逾期未完成分项的 {with_overdue} 个，"
                           f"有逾期未报年度事项的 {with_missing} 个")


def test_reports_name_each_part_by_its_own_phrase(plan, ledger, cli, tmp_path):
    # the trial: 6.1-6.4 all read 强化市场监管, the task's title
    titles = {p["id"]: p["title"] for task in _view(cli, "--as-of", "2017-12-31")["tasks"] for p in task["parts"]}
    assert len({titles[f"6.{n}"] for n in range(1, 5)}) == 4
    out = tmp_path / "d.docx"
    assert cli("report", "--year", "2017", "--output", out).exit_code == 0
    _, pending = _docx_sections(out)["四、尚未到期的事项"]
    named = {r[0]: r[1] for r in pending[1:] if r[0] in titles}
    assert {f"6.{n}" for n in range(1, 5)} <= set(named)
    assert all(named[i] == titles[i] for i in named)
    unit = tmp_path / "u.docx"
    assert cli("report", "--unit", "区市场监管局", "--year", "2017", "--output", unit).exit_code == 0
    _, held = _docx_sections(unit)["二、承担的分项和年度事项"]
    assert {r[0]: r[1] for r in held[1:]}["6.2"] == titles["6.2"] == "深化商事制度改革"


def test_supervision_in_both_reports_counted_from_its_rows(plan, ledger, cli, tmp_path):
    _supervise(plan, ledger)
    out = tmp_path / "d.docx"
    assert cli("report", "--year", "2017", "--output", out).exit_code == 0
    lead, rows = _docx_sections(out)["六、督办情况"]
    header, body = rows[0], rows[1:]
    assert header == ["编号", "事项", "单位", "情况", "期限", "延至", "说明"]
    got = {(r[0], r[2], r[3]): r for r in body}
    assert got[("7.1", "区法制办", "已销号")][6] == "材料齐全"
    assert got[("2.2", "区编办", "退回")][6] == "缺少公布网址的截图"
    extended = got[("21.1", "区法制办", "延期")]
    assert extended[4:6] == ["2018-12-31", "2019-06-30"]
    assert got[("catalogue-2017", "区政府办、区监察局、区法制办", "不再适用")][6] == "当年未制定新的目录"
    waiting = sorted((r[0], r[2]) for r in body if r[3] == "待审核")
    assert waiting == [("1.1", "区编办"), ("report-2017", "区法制办"), ("summary-2016", "区编办")]
    kinds = [r[3] for r in body]
    assert len(body) == 7
    assert lead == (f"审核、延期和免除 {len(body)} 条：待审核 {kinds.count('待审核')}，已销号 {kinds.count('已销号')}，"
                    f"退回 {kinds.count('退回')}，延期 {kinds.count('延期')}，不再适用 {kinds.count('不再适用')}。")
    # the returned part is not completed any more, and the waived duty not overdue
    _, done = _docx_sections(out)["二、2017年完成的事项"]
    assert "2.2" not in {r[0] for r in done[1:]}
    _, over = _docx_sections(out)["三、逾期未完成的事项及责任单位"]
    assert "catalogue-2017" not in {r[0] for r in over[1:]}
    unit = tmp_path / "u.docx"
    assert cli("report", "--unit", "区编办", "--year", "2017", "--output", unit).exit_code == 0
    lead, rows = _docx_sections(unit)["六、督办情况"]
    assert rows[0] == ["编号", "事项", "情况", "期限", "延至", "说明"]
    assert sorted((r[0], r[2]) for r in rows[1:]) == [("1.1", "待审核"), ("2.2", "退回"), ("summary-2016", "待审核")]
    assert lead.startswith("审核、延期和免除 3 条：待审核 2，已销号 0，退回 1")
    # the office's acts also show in the unit's state, as in its own view
    fazhi = tmp_path / "f.docx"
    assert cli("report", "--unit", "区法制办", "--year", "2017", "--output", fazhi).exit_code == 0
    sections = _docx_sections(fazhi)
    _, held = sections["二、承担的分项和年度事项"]
    states = {r[0]: r[held[0].index("本单位状态")] for r in held[1:]}
    assert states["catalogue-2017"] == "不再适用" and states["7.1"] == "已完成·已销号"
    assert {r[0]: r[3] for r in held[1:]}["21.1"] == "2019-06-30（原 2018-12-31）"
    _, rows = sections["六、督办情况"]
    assert [(r[0], r[2]) for r in rows[1:]] == [("7.1", "已销号"), ("catalogue-2017", "不再适用"),
                                                 ("report-2017", "待审核"), ("21.1", "延期")]
    assert rows[4][3:] == ["2018-12-31", "2019-06-30", "等待市统一系统上线（区政府批准）"]


def test_word_charts_draw_nothing_past_their_edges(plan, ledger, cli, tmp_path):
    # the trial: the legend was cut off on the left ("(七)加强依法行政能力建i", the first swatch clipped)
    if charts.find_cjk_font() is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk)")
    import zipfile

    from PIL import Image

    for args in (["--year", "2017"], ["--unit", "区编办", "--year", "2017"]):
        out = tmp_path / "r.docx"
        assert cli("report", *args, "--output", out).exit_code == 0
        with zipfile.ZipFile(out) as z:
            names = sorted(n for n in z.namelist() if n.startswith("word/media/"))
            assert len(names) == 2
            for name in names:
                image = Image.open(io.BytesIO(z.read(name))).convert("L")
                w, h = image.size
                edges = [image.getpixel((x, y)) for x in range(w) for y in (0, h - 1)]
                edges += [image.getpixel((x, y)) for y in range(h) for x in (0, w - 1)]
                assert min(edges) >= 250, (args, name)   # a white margin all round: nothing cut at the edge


def test_html_never_breaks_inside_a_unit_name_or_a_state(plan, ledger, cli, tmp_path):
    # the trial: 尚欠单位 broke as 区科工/商信局 and 区/人力资源和社会保障局, 状态 as 未开/始
    out = tmp_path / "d.html"
    assert cli("report", "--year", "2017", "--output", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert re.search(r"\.nb\s*\{[^}]*white-space:\s*nowrap", html)
    nb = '<span class="nb">{}</span>'.format
    tables = re.findall(r"<table>(.*?)</table>", html, flags=re.S)
    assert len(tables) == 6
    seen = 0
    for table in tables:
        headers = re.findall(r"<th>([^<]*)</th>", table)
        rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table) if "<td" in r]
        for name in ("尚欠单位", "完成单位", "单位"):
            if name in headers:
                i = headers.index(name)
                for cells in rows:
                    # one span per name, joined by 、 outside the spans: a line breaks only between names
                    assert re.fullmatch(r"(?:<span class=\"nb\">[^<、]+</span>(?:、(?!$))?)*", cells[i]), cells[i]
                    seen += cells[i].count("<span")
        for name in ("编号", "状态"):
            if name in headers:
                i = headers.index(name)
                assert all(re.fullmatch(r'<span class="nb">[^<]+</span>', cells[i]) for cells in rows), name
    assert seen > 100
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html) if ">catalogue-2016<" in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0] == nb("catalogue-2016") and nb("未开始") in cells
    assert cells[-1] == "、".join(nb(u) for u in ("区政府办", "区监察局", "区法制办"))


def test_word_tables_never_squeeze_a_short_column(plan, ledger, cli, tmp_path):
    # longer states (逾期完成·待审核) once squeezed every column: 牵头 and 绿灯 broke in two in LibreOffice
    from docx.shared import Cm

    from fazhi_cli.render.docx import UNIT_CM

    out = tmp_path / "u.docx"
    assert cli("report", "--unit", "区编办", "--year", "2017", "--output", out).exit_code == 0
    held = _docx(out).tables[1]
    header = [c.text for c in held.rows[0].cells]
    assert header[4] == "本单位状态" and "逾期完成·待审核" in [row.cells[4].text for row in held.rows]
    for name, cells in (("职责", 2), ("灯", 2), ("期限", 5), ("完成日期", 5)):
        i = header.index(name)
        # as wide as its text (a CJK character is two cells) and the cell margins, to the twip Word stores
        assert held.columns[i].width >= Cm((2 * cells + 2) * UNIT_CM) - 635, name


def test_no_supervision_section_when_the_plan_names_no_supervising_office(ledger, cli, tmp_path, plan_text):
    assert "\n  units: [区法制办]\n" in plan_text
    other = tmp_path / "p.yaml"
    other.write_text(plan_text.replace("\n  units: [区法制办]\n", "\n  units: []\n", 1), encoding="utf-8")
    for args in (["--year", "2017"], ["--unit", "区编办", "--year", "2017"]):
        out = tmp_path / "r.docx"
        assert cli("report", "--plan", other, *args, "--output", out).exit_code == 0
        heads = list(_docx_sections(out))
        assert heads[-1] in ("五、各单位落实情况", "五、尚未到期的事项") and not any("督办" in h for h in heads)
        held = _docx_sections(out).get("二、承担的分项和年度事项")
        if held:   # no review, so no 待审核 beside a state
            assert not any("审核" in c for row in held[1] for c in row)


# --- the charts' points: one pass over the record, as one replay per point would say --------

def _timeline_by_replays(plan, events, as_of, unit, warn_days):
    """The charts' points as they were first computed: a whole ``status`` replay per point (the oracle)."""
    from fazhi_cli import progress

    start = plan.signed or plan.published or date(as_of.year, 1, 1)
    out = []
    for day in report.points(start, as_of):
        done = {s.id: 0 for s in plan.sections}
        st = progress.status(plan, events, day, warn_days)
        if unit is None:
            for ts in st.tasks:
                done[ts.task.section] += sum(1 for ps in ts.parts if ps.state == "done")
        else:
            for x in progress.own_items(st, unit):
                if x.kind == "part" and x.state == "done":
                    done[plan.tasks[x.task].section] += 1
        out.append(report.Point(day, done))
    return tuple(out)


REFORM = """successions:
  - from: 区法制办
    to: 区司法局
    on: "2018-03-01"
    note: 机构改革
supervision:"""
# the units a chart is drawn for: the district (None), a lead unit, a town that holds its parts as a member of
# 各镇、街, the supervising office (reformed away in 2018 in the reform plan) and its successor
CHART_UNITS = (None, "区编办", "石楼镇", "区法制办", "区司法局")
CHART_TARGETS = ("6", "6.1", "7.1", "2.2", "1.1", "11.2", "19.1", "summary-2016", "report-2017")
CHART_ACTORS = ("区法制办", "区编办", "区公安局", "石楼镇", "区司法局")


def _chart_step(data, plan, home, clock) -> None:
    from hypothesis import strategies as st

    from fazhi_cli.errors import FazhiError

    clock.moment += timedelta(days=data.draw(st.integers(0, 90), label="days on"))
    today = clock.moment.date()
    kind = data.draw(st.sampled_from(("mark", "mark", "mark", "review", "extend", "waive", "undo")), label="kind")
    target = data.draw(st.sampled_from(CHART_TARGETS), label="target")
    unit = data.draw(st.sampled_from(CHART_ACTORS), label="unit")
    back = (today - timedelta(days=data.draw(st.integers(0, 400), label="back"))).isoformat()
    scope = unit if data.draw(st.booleans(), label="one unit") else None
    try:
        if kind == "mark":
            record.mark(plan, home, target=target, unit=unit, state=data.draw(st.sampled_from(("done", "doing", "todo"))),
                        on=back, note=None, evidence=[], by="测试", clock_today=today)
        elif kind == "review":
            record.review(plan, home, target=target, unit=unit, acting="区法制办",
                          verdict=data.draw(st.sampled_from(("accept", "return"))), note="材料不全", by="测试",
                          clock_today=today)
        elif kind == "extend":
            due = max(x.due for x in plan.targets(target))
            record.extend(plan, home, target=target, unit=scope, acting="区法制办",
                          to=(due + timedelta(days=90)).isoformat(), reason="机构调整",
                          approved_by=None, by="测试", clock_today=today, on=back)
        elif kind == "waive":
            record.waive(plan, home, target=target, unit=scope, acting="区法制办", reason="不再适用", by="测试",
                         clock_today=today, on=back)
        else:
            record.undo(plan, home, unit)
    except FazhiError:
        pass          # refused for a reason a user could have (nothing to undo, not done yet, …)


def test_the_charts_points_come_from_one_pass_as_one_replay_per_point_would_say(tmp_path_factory, monkeypatch):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from conftest import PinnedClock
    from fazhi_cli import dates
    from fazhi_cli.dates import CHINA
    from fazhi_cli.plan import load_plan

    base = load_plan()
    folder = tmp_path_factory.mktemp("reform")
    (folder / "reform.yaml").write_text(open(base.path, encoding="utf-8").read().replace("supervision:", REFORM, 1),
                                        encoding="utf-8")
    plans = (base, load_plan(folder / "reform.yaml"))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def check(data):
        plan = data.draw(st.sampled_from(plans), label="plan")
        home = tmp_path_factory.mktemp("chart")
        # from the plan's start, or late enough that back-dated records fall on both sides of the reform
        start = data.draw(st.sampled_from((datetime(2016, 9, 1, 9, 0), datetime(2017, 12, 1, 9, 0))), label="start")
        clock = PinnedClock(start.replace(tzinfo=CHINA))
        with monkeypatch.context() as m:
            m.setattr(dates, "now", clock)
            for _ in range(data.draw(st.integers(1, 25), label="steps")):
                _chart_step(data, plan, home, clock)
        events = read_ledger(home, plan).events
        year = data.draw(st.integers(*report.plan_years(plan)), label="year")
        as_of = data.draw(st.dates(date(year, 1, 1), date(year, 12, 31)), label="as of")
        for unit in CHART_UNITS:
            if unit is not None and unit not in plan.units:
                continue
            rep = report.build(plan, events, year=year, as_of=as_of, unit=unit)
            assert rep.timeline == _timeline_by_replays(plan, events, as_of, unit, rep.warn_days), unit
        # the units' record takes every unit's own items in one pass: what own_items gives unit by unit
        from fazhi_cli import progress
        from fazhi_cli.progress.status import own_items_by_unit

        st_ = progress.status(plan, events, as_of)
        every = own_items_by_unit(st_)
        assert all(every.get(u, []) == progress.own_items(st_, u) for u in plan.units)

    check()


def test_a_reform_moves_a_part_between_two_points_with_no_record_between_them(tmp_path, home, clock):
    """The successor's back-dated mark is a record of January; the part is its successor's, and done, only
    from the reform in March: the point of March must see it though no record falls in March."""
    from fazhi_cli.plan import load_plan

    (tmp_path / "reform.yaml").write_text(open(load_plan().path, encoding="utf-8").read().replace(
        "supervision:", REFORM, 1), encoding="utf-8")
    plan = load_plan(tmp_path / "reform.yaml")
    clock.set("2018-05-01T09:00")
    record.mark(plan, home, target="19.1", unit="区司法局", state="done", on="2018-01-15", note=None, evidence=[],
                by="测试", clock_today=date(2018, 5, 1))
    events = read_ledger(home, plan).events
    for unit in (None, "区司法局", "区法制办"):
        rep = report.build(plan, events, year=2018, as_of=date(2018, 5, 1), unit=unit)
        assert rep.timeline == _timeline_by_replays(plan, events, date(2018, 5, 1), unit, rep.warn_days)
    district = report.build(plan, events, year=2018, as_of=date(2018, 5, 1))
    section = plan.tasks["19"].section
    assert [p.done[section] for p in district.timeline][-4:] == [0, 1, 1, 1]
