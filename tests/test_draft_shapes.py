"""fazhi draft on the shapes real notices of the genre take (issue 21), one small invented notice each.

Every notice here is invented; every expected value is read off the notice
by hand. The last tests draft whole files and run check and status on the
draft with no edit.
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import yaml

from conftest import one_line_error
from fazhi_cli.draft import NoticeError, recognise, summary
from fazhi_cli.draft.reading import notice_text
from fazhi_cli.draft.writing import to_yaml
from fazhi_cli.plan.build import parse_plan
from notices import write_docx, write_pdf

TODAY = date(2026, 1, 1)

HEAD = """某市人民政府办公室关于印发某市2024年法治政府建设工作要点的通知
某府办〔2024〕3号
各区人民政府,市政府各部门:
现将《某市2024年法治政府建设工作要点》印发给你们,请认真贯彻落实。
某市人民政府办公室
2024年3月1日
某市2024年法治政府建设工作要点
"""


def draft(text: str):
    return recognise(text, TODAY, "notice.txt")


def parts(d):
    return {p.id: p for task in d.tasks for p in task.parts}


def one(text: str):
    """The single part of a one-task notice."""
    p = parts(draft(HEAD + "一、任务\n" + text))
    assert len(p) == 1, p
    return next(iter(p.values()))


# --- 1. the vocabulary of role and deadline labels ------------------------------------

@pytest.mark.parametrize("label", ["牵头单位", "牵头责任单位", "牵头部门", "主办单位", "牵头科室"])
def test_every_lead_label(label):
    part = one(f"1.推进工作。\n{label}:市司法局\n配合单位:市财政局\n")
    assert (part.lead, part.support) == (["市司法局"], ["市财政局"])


@pytest.mark.parametrize("label", ["责任单位", "责任部门", "责任科室", "承办单位"])
def test_every_responsible_label_alone_means_the_lead(label):
    part = one(f"1.推进工作。\n{label}:市司法局、市财政局\n")
    assert (part.lead, part.support) == (["市司法局", "市财政局"], [])


@pytest.mark.parametrize("label", ["配合单位", "协同责任单位", "协办单位", "参与单位"])
def test_every_support_label(label):
    part = one(f"1.推进工作。\n牵头单位:市司法局\n{label}:市财政局、市审计局\n")
    assert (part.lead, part.support) == (["市司法局"], ["市财政局", "市审计局"])


@pytest.mark.parametrize("label", ["完成时限", "时间节点", "时限要求", "完成时间"])
def test_every_deadline_label(label):
    part = one(f"1.推进工作。\n牵头单位:市司法局\n{label}:2024年6月底前\n")
    assert part.due == date(2024, 6, 30) and part.due_source == "2024年6月底前"


@pytest.mark.parametrize("deadline, due", [("2024年6月底前", date(2024, 6, 30)), ("持续推进", None), ("长期坚持", None)])
@pytest.mark.parametrize("brackets", ["()", "（）"])
def test_a_deadline_label_right_after_the_bracketed_units(deadline, due, brackets):
    """(牵头单位:…;配合单位:…)完成时限:… on one line: the deadline is the notice's, not the plan's target."""
    o, c = brackets
    part = one(f"1.健全决策程序。{o}牵头单位:市司法局;配合单位:市政府办{c}完成时限:{deadline}。\n")
    assert (part.lead, part.support) == (["市司法局"], ["市政府办"])
    assert part.due_source == deadline
    if due is None:
        assert part.ongoing
    else:
        assert part.due == due and not part.ongoing


@pytest.mark.parametrize("label", ["分管领导", "牵头负责领导", "责任领导"])
def test_names_of_people_are_a_note_never_units(label):
    d = draft(HEAD + f"一、任务\n1.推进工作。\n{label}:张副市长。\n牵头责任单位:市司法局。\n协同责任单位:市财政局。\n")
    part = parts(d)["1.1"]
    assert (part.lead, part.support) == (["市司法局"], ["市财政局"])
    assert part.people == f"{label}:张副市长"
    assert "张副市长" not in [u.name for u in d.units]
    assert f"# 原文写有负责的领导: {label}:张副市长(人名不作为单位)" in to_yaml(d, "n.txt", "p.yaml")


def test_roles_in_a_sentence_after_a_label():
    part = one("1.开展统计督察。部门分工:市统计局牵头,各区、各部门配合。\n")
    assert (part.lead, part.support) == (["市统计局"], ["各区", "各部门"])


def test_every_one_named_leads_when_they_lead_separately():
    part = one("1.编纂地方志。(市档案馆、市方志办分别牵头)\n")
    assert (part.lead, part.support) == (["市档案馆", "市方志办"], [])


def test_sentence_form_with_负责落实():
    d = draft(HEAD + "一、任务\n(一)做好信息公开。发布规划信息。(市规划委负责落实)推进协作。(市发改委、市教委分别负责落实)\n")
    p = parts(d)
    assert [(x.lead, x.support) for x in p.values()] == [(["市规划委"], []), (["市发改委", "市教委"], [])]
    assert [x.text for x in p.values()] == ["做好信息公开。发布规划信息。", "推进协作。"]


def test_a_rule_in_the_preamble_that_the_first_named_leads():
    d = draft(HEAD + "各项任务中列第一位的为牵头单位,其他为配合单位。\n一、任务\n"
              "1.推进工作甲。(责任单位:市司法局、市财政局)\n2.推进工作乙。\n责任单位:市审计局\n")
    p = parts(d)
    assert (p["1.1"].lead, p["1.1"].support) == (["市司法局"], ["市财政局"])
    assert "列第一位的为牵头单位" in p["1.1"].role_note
    assert (p["2.1"].lead, p["2.1"].support) == (["市审计局"], [])


# --- 2. bare unit lists and 6. lists that keep their brackets --------------------------

def test_a_parenthesis_of_bare_names_is_the_responsible_list():
    part = one("1.建立人才培养工作机制。(人事科、信息中心)\n")
    assert (part.lead, part.support) == (["人事科", "信息中心"], [])
    assert part.text == "建立人才培养工作机制。"


def test_a_parenthesis_that_is_not_a_list():
    with pytest.raises(NoticeError, match="没有找到任务"):
        draft(HEAD + "一、任务\n1.完善制度(含各区县)。\n")


def test_brackets_inside_a_name_and_a_note_after_it():
    part = one("1.推进工作。(牵头单位:市卫生健康委(除标注外,下同);配合单位:各县(市、区)政府)\n")
    assert (part.lead, part.support) == (["市卫生健康委"], ["各县(市、区)政府"])


def test_phrases_that_are_not_units():
    part = one("1.推进工作。(市民政局牵头,乡镇人民政府按职责分工分别负责)\n")
    assert (part.lead, part.support) == (["市民政局"], ["乡镇人民政府"])
    part = one("1.推进工作。\n责任单位:市政府办公室、市司法局,乡镇人民政府按职责分工分别负责。\n")
    assert part.lead == ["市政府办公室", "市司法局", "乡镇人民政府"]
    part = one("1.推进工作。\n牵头单位:市司法局\n配合单位:市财政局、市审计局等有关单位\n")
    assert part.support == ["市财政局", "市审计局"]
    part = one("1.推进工作。\n牵头责任单位:市发改委。\n协同责任单位:市经信局、市开发区管委会等,各县、市、区政府。\n")
    assert part.support == ["市经信局", "市开发区管委会", "各县、市、区政府"]


# --- 3. Traditional characters --------------------------------------------------------

TRADITIONAL = """某市人民政府辦公室關於印發某市2006年依法行政工作要點的通知
某府辦〔2006〕19號
某市人民政府辦公室
二○○六年四月二十八日
某市2006年依法行政工作要點
一、任務
1.推進行政執法公示。2006年9月底前完成。
牽頭單位:市司法局
配合單位:各區政府、市財政局
2.規範行政許可。(市政務服務中心牽頭,市級各有關部門按職責分工負責)
"""


def test_a_notice_in_traditional_characters_keeps_its_own_words():
    d = draft(TRADITIONAL)
    assert d.number == "某府辦〔2006〕19號" and d.signed == date(2006, 4, 28)
    assert d.title == "某市2006年依法行政工作要點"        # as the notice writes it
    p = parts(d)
    assert (p["1.1"].lead, p["1.1"].support, p["1.1"].due) == (["市司法局"], ["各區政府", "市財政局"],
                                                               date(2006, 9, 30))
    assert (p["2.1"].lead, p["2.1"].support) == (["市政務服務中心"], ["市級各有關部門"])
    assert [g.name for g in d.groups] == ["各區政府", "市級各有關部門"]     # read as 各区政府 and 有关: collective


# --- 4. tables in every form, 5. PDF ----------------------------------------------------

TABLE = [["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"],
         ["1", "优化营商环境", "开展营商环境评价", "市发改委", "市司法局", "2024年6月底前"],
         ["2", "", "清理涉企收费", "市市场监管局", "", "年内"],
         ["3", "推进政务公开", "发布政策解读", "市政府办公室", "各区政府", "持续推进"]]

TABLE_HEAD = "某市2024年重点任务分工方案\n"


def _check_table_draft(d):
    p = parts(d)
    assert list(p) == ["1.1", "2.1", "3.1"]
    # the content column is the part's text, the task column its title; a merged task cell carries down
    assert [t.title for t in d.tasks] == ["优化营商环境", "优化营商环境", "推进政务公开"]
    assert "开展营商环境评价" in p["1.1"].text and "清理涉企收费" in p["2.1"].text
    assert (p["1.1"].lead, p["1.1"].support, p["1.1"].due) == (["市发改委"], ["市司法局"], date(2024, 6, 30))
    assert (p["2.1"].lead, p["2.1"].support, p["2.1"].due) == (["市市场监管局"], [], date(2024, 12, 31))
    assert (p["3.1"].lead, p["3.1"].support, p["3.1"].ongoing) == (["市政府办公室"], ["各区政府"], True)


@pytest.mark.parametrize("form", ["tabs", "pipes", "spaces", "one cell a line", "cells ending with |"])
def test_a_table_copied_as_text(form):
    if form == "tabs":
        rows = ["\t".join(r) for r in TABLE]
    elif form == "pipes":
        rows = ["| " + " | ".join(c or " " for c in r) + " |" for r in TABLE]
    elif form == "spaces":
        rows = ["   ".join(c or "  " for c in r) for r in TABLE]
        rows[2] = "2   优化营商环境   清理涉企收费   市市场监管局   无   年内"      # copied text loses empty cells
    elif form == "one cell a line":
        rows = [f"{c}\n|" for r in TABLE for c in r]          # an empty cell is an empty line
    else:
        rows = [f"{c} |" for r in TABLE for c in r]
    text = TABLE_HEAD + "\n".join(rows) + "\n"
    d = draft(text)
    if form == "spaces":
        p = parts(d)
        assert (p["2.1"].lead, p["2.1"].support, p["2.1"].due) == (["市市场监管局"], ["无"], date(2024, 12, 31))
        return
    _check_table_draft(d)


def test_a_table_in_a_web_page_with_a_merged_cell():
    def row(cells, rowspan_first=False):
        tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
        return f"<tr>{tds}</tr>"
    body = "".join([
        row(TABLE[0]),
        '<tr><td>1</td><td rowspan="2">优化营商环境</td><td>开展营商环境评价</td><td>市发改委</td><td>市司法局</td>'
        '<td>2024年6月底前</td></tr>',
        "<tr><td>2</td><td>清理涉企收费</td><td>市市场监管局</td><td></td><td>年内</td></tr>",
        row(TABLE[3])])
    page = f"<html><body><p>{TABLE_HEAD}</p><table>{body}</table></body></html>"
    d = draft(notice_text(page.encode("utf-8"), "t.html"))
    p = parts(d)
    # the rowspan cell is missing from row 2's markup: it is repeated where it stands
    assert (p["2.1"].lead, p["2.1"].due) == (["市市场监管局"], date(2024, 12, 31))
    assert (p["1.1"].lead, p["3.1"].ongoing) == (["市发改委"], True)


def test_a_table_in_a_word_document(tmp_path):
    table = [r if any(r) else r for r in TABLE]
    path = write_docx([TABLE_HEAD.strip()], tmp_path / "t.docx", table=table)
    _check_table_draft(draft(notice_text(path.read_bytes(), str(path))))


def test_a_pdf_notice_and_a_table_in_it(tmp_path):
    lines = HEAD.strip().split("\n") + ["一、任务", "1.推进工作。(牵头单位:市司法局,配合单位:市财政局)"]
    lines += ["序号   重点任务   具体措施   牵头单位   配合单位   完成时限"]
    lines += ["2   推进政务公开   发布政策解读   市政府办公室   各区政府   2024年9月底前"]
    path = write_pdf(lines, tmp_path / "n.pdf")
    d = draft(notice_text(path.read_bytes(), str(path)))
    assert d.title == "某市2024年法治政府建设工作要点" and d.signed == date(2024, 3, 1)
    p = parts(d)
    assert (p["1.1"].lead, p["1.1"].support) == (["市司法局"], ["市财政局"])
    assert (p["2.1"].lead, p["2.1"].support, p["2.1"].due) == (["市政府办公室"], ["各区政府"], date(2024, 9, 30))


# A 分工方案 exported from Word to PDF: each cell wraps over several printed lines, and pypdf's layout mode
# gives one line a printed line, each fragment at its column's position (src/fazhi_cli/draft/columns.py).
COLUMNS = (0, 6, 18, 34, 46, 58)
WRAPPED_HEADER = ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"]
WRAPPED = [     # the printed lines of each row, a fragment per column ("" where a cell has no more lines)
    [["1", "健全依法", "制定年度重大行政", "市发展改革", "市司法局、市财", "2024年6月"],
     ["", "决策机制", "决策事项目录并向", "委", "政局", "底前"],
     ["", "", "社会公布", "", "", ""]],
    [["2", "深化政务公开", "完善政策解读", "市政府办公室", "各区政府", "2024年9月底前"],
     ["", "", "机制", "", "", ""]],
    [["3", "规范涉企检查", "推行综合查一次", "市市场监管局", "市公安局、", "持续推进"],
     ["", "行为", "制度", "", "市应急局", ""]],
    [["4", "加强执法监督", "开展行政执法", "", "各区政府", "年内"],      # 牵头单位 merged with the row above
     ["", "", "案卷评查", "", "", ""]],
]


def _laid_out(fragments: list[str], at=COLUMNS) -> str:
    line = ""
    for text, column in zip(fragments, at):
        if text:
            line = line + " " * max(column - len(line), 1 if line else 0) + text
    return line


def _wrapped_lines(rows=WRAPPED, at=COLUMNS) -> list[str]:
    return [_laid_out(printed, at) for row in rows for printed in row]


def _check_wrapped(d):
    p = parts(d)
    assert list(p) == ["1.1", "2.1", "3.1", "4.1"]
    assert [t.title for t in d.tasks] == ["健全依法决策机制", "深化政务公开", "规范涉企检查行为", "加强执法监督"]
    assert "制定年度重大行政决策事项目录并向社会公布" in p["1.1"].text
    assert "完善政策解读机制" in p["2.1"].text and "开展行政执法案卷评查" in p["4.1"].text
    # a unit broken across lines joins back; the deadline's two lines are one deadline
    assert (p["1.1"].lead, p["1.1"].support, p["1.1"].due) == (["市发展改革委"], ["市司法局", "市财政局"],
                                                               date(2024, 6, 30))
    assert (p["2.1"].lead, p["2.1"].support, p["2.1"].due) == (["市政府办公室"], ["各区政府"], date(2024, 9, 30))
    assert (p["3.1"].lead, p["3.1"].support, p["3.1"].ongoing) == (["市市场监管局"], ["市公安局", "市应急局"], True)
    # the merged 牵头单位 cell carries down
    assert (p["4.1"].lead, p["4.1"].support, p["4.1"].due) == (["市市场监管局"], ["各区政府"], date(2024, 12, 31))


def _pdf_draft(lines: list[str], tmp_path):
    path = write_pdf(lines, tmp_path / "wrapped.pdf")
    return draft(notice_text(path.read_bytes(), str(path)))


def test_a_pdf_table_whose_cells_wrap_is_read_as_whole_rows(tmp_path):
    lines = [TABLE_HEAD.strip(), "", _laid_out(WRAPPED_HEADER)] + _wrapped_lines() + ["", "某市司法局", "2024年2月1日"]
    d = _pdf_draft(lines, tmp_path)
    _check_wrapped(d)
    assert "某市司法局" not in d.tasks[-1].parts[0].text       # the table ends at the gap below it


def test_the_same_wrapped_table_copied_as_text():
    _check_wrapped(draft(TABLE_HEAD + "\n".join([_laid_out(WRAPPED_HEADER)] + _wrapped_lines()) + "\n"))


def _two_pages(first: list[str], second: list[str]) -> list[str]:
    """Lines for write_pdf (40 a page): ``first`` ends page 1 above its page number, ``second`` opens page 2."""
    page = [TABLE_HEAD.strip(), "", _laid_out(WRAPPED_HEADER)] + first
    return page + [""] * (39 - len(page)) + ["— 1 —"] + second + ["", "— 2 —"]


def test_a_wrapped_table_over_two_pages_with_its_header_repeated(tmp_path):
    # row 3 starts at the foot of page 1 and ends under the header repeated on page 2
    first = _wrapped_lines(WRAPPED[:2]) + [_laid_out(WRAPPED[2][0])]
    second = [_laid_out(WRAPPED_HEADER)] + [_laid_out(WRAPPED[2][1])] + _wrapped_lines(WRAPPED[3:])
    _check_wrapped(_pdf_draft(_two_pages(first, second), tmp_path))


def test_a_wrapped_table_over_two_pages_where_the_columns_move(tmp_path):
    # pypdf measures each page with its own character width: page 2's columns stand elsewhere, without a header
    moved = tuple(round(c * 0.85) + 2 for c in COLUMNS)
    first = _wrapped_lines(WRAPPED[:2])
    second = _wrapped_lines(WRAPPED[2:], at=moved)
    _check_wrapped(_pdf_draft(_two_pages(first, second), tmp_path))


def test_a_cell_running_on_alone_over_a_page_break(tmp_path):
    # only the 具体措施 cell of row 4 goes on to page 2, where pypdf puts it at the left edge
    rows = [r for r in WRAPPED[:3]] + [[WRAPPED[3][0]]]
    second = ["案卷评查"]
    _check_wrapped(_pdf_draft(_two_pages(_wrapped_lines(rows), second), tmp_path))


def test_a_wrapped_table_whose_header_wraps_and_is_centred(tmp_path):
    # narrow columns: 序 / 号, 牵头 / 单位, 完成 / 时限 on two lines, each header word centred over its column
    header = [_laid_out(["序", "重点任务", "具体措施", "牵头", "配合单位", "完成"], (0, 7, 22, 36, 48, 60)),
              _laid_out(["号", "", "", "单位", "", "时限"], (0, 7, 22, 36, 48, 60))]
    body = _wrapped_lines()
    row4 = _laid_out(WRAPPED[3][0])
    # pypdf adds no space after a number whose half-width digits overrun: 4加强执法监督, the other cells in place
    body[body.index(row4)] = "4加强执法监督".ljust(len("4     加强执法监督")) + row4[len("4     加强执法监督"):]
    lines = [TABLE_HEAD.strip(), ""] + header + body
    d = _pdf_draft(lines, tmp_path)
    _check_wrapped(d)


def test_a_wrapped_table_whose_cells_are_centred_vertically(tmp_path):
    # Word's 居中 cells: a row's number and its short cells stand on the middle line of the row, not the first
    printed = [["", "", "制定年度重大行政", "", "", ""],
               ["1", "健全依法决策机制", "决策事项目录并向", "市发展改革委", "市司法局", "2024年6月底前"],
               ["", "", "社会公布", "", "", ""],
               ["", "", "完善政策解读", "", "", ""],
               ["", "深化政务", "机制，按季度", "", "", ""],
               ["2", "公开", "发布解读", "市政府办公室", "各区政府", "持续推进"],
               ["", "", "材料和问答", "", "", ""],
               ["", "", "", "", "", ""]]
    lines = [TABLE_HEAD.strip(), "", _laid_out(WRAPPED_HEADER)] + [_laid_out(r) for r in printed if any(r)]
    p = parts(_pdf_draft(lines, tmp_path))
    assert list(p) == ["1.1", "2.1"]
    assert p["1.1"].text.endswith("制定年度重大行政决策事项目录并向社会公布")
    assert p["2.1"].text == "深化政务公开。完善政策解读机制，按季度发布解读材料和问答"
    assert (p["1.1"].lead, p["1.1"].support, p["1.1"].due) == (["市发展改革委"], ["市司法局"], date(2024, 6, 30))
    assert (p["2.1"].lead, p["2.1"].support, p["2.1"].ongoing) == (["市政府办公室"], ["各区政府"], True)


def test_a_tab_table_with_an_empty_number_cell_is_not_read_by_position():
    # cells apart by tabs are cells already; an empty 序号 cell must not make the row a continuation line
    rows = ["\t".join(TABLE[0]), "\t".join(TABLE[1]), "\t\t清理涉企收费\t市市场监管局\t\t年内", "\t".join(TABLE[3])]
    p = parts(draft(TABLE_HEAD + "\n".join(rows) + "\n"))
    assert (p["2.1"].lead, p["2.1"].support, p["2.1"].due) == (["市市场监管局"], [], date(2024, 12, 31))
    assert (p["1.1"].support, p["3.1"].support) == (["市司法局"], ["各区政府"])


def test_a_page_number_does_not_run_into_the_item_it_interrupts(tmp_path):
    lines = HEAD.strip().split("\n") + ["一、任务", "1.推进行政执法"]
    lines += [""] * (39 - len(lines)) + ["— 1 —", "规范化建设。(牵头单位:市司法局)", "2.深化政务公开。(牵头单位:市政府办公室)", "2"]
    d = _pdf_draft(lines, tmp_path)
    p = parts(d)
    # — 1 — at the foot of page 1 and a bare 2 at the foot of page 2 are page numbers, not text
    assert "—" not in p["1.1"].text and p["1.1"].text.endswith("规范化建设。")
    assert p["2.1"].text == "深化政务公开。"


def test_a_scanned_pdf_is_one_clear_line(cli, tmp_path):
    path = write_pdf(HEAD.strip().split("\n"), tmp_path / "scan.pdf", text=False)
    out = tmp_path / "out"
    out.mkdir()
    r = cli("draft", path, "--output", out / "p.yaml")
    assert r.exit_code == 1 and "没有文字（可能是扫描件）" in one_line_error(r)
    assert "Traceback" not in r.output and list(out.iterdir()) == []


# --- 7. the header and the plan's year --------------------------------------------------

@pytest.mark.parametrize("number", ["某府办〔2023〕5号", "某府办[2023]5号", "某府办(2023)5号", "某府辦〔2023〕5號"])
def test_document_numbers_however_written(number):
    d = draft(f"某县法治政府建设实施方案\n{number}\n一、任务\n1.推进工作。(牵头单位:县司法局)\n")
    assert d.number == number and d.year == 2023 and "文号" in d.year_source


def test_the_signature_date_is_signed_never_the_target_nor_a_deadline():
    d = draft("某县推进依法行政实施方案\n一、任务\n1.推进工作。(牵头单位:县司法局)\n2.完善制度。(县财政局牵头,"
              "乡镇人民政府按职责分工分别负责。)\n某县人民政府办公室\n二〇二〇年七月八日\n")
    assert d.signed == date(2020, 7, 8)
    assert d.target == date(2020, 12, 31) and "落款" in d.year_source
    p = parts(d)
    assert p["2.1"].support == ["乡镇人民政府"] and p["2.1"].due == d.target
    assert "2020年" not in p["1.1"].due_source
    d = draft("某县推进依法行政实施方案\n2020年7月8日\n一、任务\n1.推进工作。(牵头单位:县司法局)\n")
    assert d.signed == date(2020, 7, 8) and d.target == date(2020, 12, 31)


def test_a_one_year_plan_ends_on_31_december():
    d = draft(HEAD.replace("2024年法治", "2024年度法治") + "一、总体目标\n到2025年底,基本建成法治政府。\n二、任务\n"
              "1.推进工作。(牵头单位:市司法局)\n")
    assert d.target == date(2024, 12, 31)
    text = to_yaml(d, "n.txt", "p.yaml")
    assert "# 方案年度 2024 取自标题" in text


def test_the_year_from_the_page_and_never_silently_today():
    d = draft("某局政务公开重点任务清单\n发布时间:2022-04-06\n一、任务\n1.推进工作。(责任科室:办公室)\n")
    assert d.year == 2022 and "发布时间" in d.year_source
    d = draft("某局政务公开重点任务清单\n一、任务\n1.推进工作,年底前完成。(责任科室:办公室)\n")
    assert d.year == TODAY.year and "没有找到年份" in d.year_source
    assert "# 通知中没有找到年份" in to_yaml(d, "n.txt", "p.yaml")


# --- 8. deadlines as the genre writes them --------------------------------------------

DEADLINES = {
    "2024年6月底前完成": date(2024, 6, 30),
    "上半年完成": date(2024, 6, 30),
    "三季度末前完成": date(2024, 9, 30),
    "年内完成": date(2024, 12, 31),
}


@pytest.mark.parametrize("words", DEADLINES)
def test_deadlines_in_the_text(words):
    assert one(f"1.推进工作,{words}。(牵头单位:市司法局)\n").due == DEADLINES[words]


@pytest.mark.parametrize("words", ["持续推进", "长期坚持", "常态化开展"])
def test_ongoing_work_has_no_deadline_and_says_长期(words):
    d = draft(HEAD + f"一、任务\n1.推进工作。\n牵头单位:市司法局\n完成时限:{words}\n")
    part = parts(d)["1.1"]
    assert part.ongoing and part.due == d.target and part.due_source == words
    dues = [ln.split("#")[0].strip() for ln in to_yaml(d, "n.txt", "p.yaml").splitlines()
            if ln.startswith("        due:")]
    assert dues == ["due: 长期"]


def test_monthly_and_quarterly_duties():
    d = draft(HEAD + "一、任务\n1.报送进展。每月5日前报送进展情况。(牵头单位:市司法局)\n"
              "2.报送分析。每季度最后一个月的30日前报送分析报告。(牵头单位:市统计局)\n")
    assert [(x.every, x.due, x.part) for x in d.duties] == [("month", "05", "1.1"), ("quarter", "03-30", "2.1")]


def test_a_half_yearly_duty_is_two_yearly_ones_that_load():
    d = draft(HEAD + "一、任务\n1.开展评估。每半年报送评估报告。(牵头单位:市司法局)\n")
    assert [(x.every, x.due, x.title) for x in d.duties] == [("year", "06-30", "评估报告(上半年)"),
                                                             ("year", "12-31", "评估报告(下半年)")]
    plan = parse_plan(to_yaml(d, "n.txt", "p.yaml").encode("utf-8"), "p.yaml")
    assert sorted((o.due, o.units) for o in plan.obligations.values()) == [
        (date(2024, 6, 30), ("市司法局",)), (date(2024, 12, 31), ("市司法局",))]


def test_working_days_counted_across_a_调休_weekend():
    # signed Thursday 2024-02-01. Spring Festival 2024: 10-17 February off; Sunday 4 February and Sunday
    # 18 February are 调休 working days. Working days after 1 Feb: 2 (Fri), 4 (Sun, 调休), 5, 6, 7, 8, 9 (7),
    # then 18 (Sun, 调休), 19, 20 (10).
    d = draft("某县工作方案\n某县人民政府办公室\n2024年2月1日\n一、任务\n"
              "1.建立台账,收到通知后10个工作日内报送。(牵头单位:县司法局)\n")
    part = parts(d)["1.1"]
    assert part.due == date(2024, 2, 20)
    assert "10 个工作日" in part.due_note and "调休" in part.due_note


def test_working_days_past_the_tables_are_said_never_guessed():
    d = draft("某县工作方案\n某县人民政府办公室\n2099年12月20日\n一、任务\n"
              "1.建立台账,10个工作日内报送。(牵头单位:县司法局)\n")
    part = parts(d)["1.1"]
    assert part.due == d.target and "还没有这一年的数据" in part.due_note


def test_the_notices_own_numbering_is_kept():
    d = draft(HEAD + "一、任务\n5.推进甲。(牵头单位:市司法局)\n7.推进乙。(牵头单位:市财政局)\n"
              "17.完善制度。\n(2)修订议事规则。(牵头单位:市政府办公室)\n18.推进丙。(牵头单位:市审计局)\n")
    assert [t.id for t in d.tasks] == ["5", "7", "17.2", "18"] and not d.tasks[0].note
    assert list(parts(d)) == ["5.1", "7.1", "17.2.1", "18.1"]
    assert parts(d)["17.2.1"].lead == ["市政府办公室"]
    parse_plan(to_yaml(d, "n.txt", "p.yaml").encode("utf-8"), "p.yaml")      # such ids load


# --- 9. a draft that works before anyone edits it -------------------------------------

def test_collective_names_are_one_body_and_a_supervision_guess_is_written():
    d = draft(HEAD + "一、任务\n1.推进工作。(牵头单位:市司法局,配合单位:各有关部门、各乡镇)\n"
              "2.推进协作。(牵头单位:经贸委,配合单位:市经贸委)\n")
    text = to_yaml(d, "n.txt", "p.yaml")
    plan = parse_plan(text.encode("utf-8"), "p.yaml")         # loads as it stands
    assert plan.parts["1.1"].support_units == ("各有关部门", "各乡镇")
    assert plan.supervision.units == ("市司法局",)            # the 司法局 the notice names, before the issuer
    assert "# 督办单位是草稿猜的" in text
    assert "# 可能与 经贸委 是同一单位" in text                 # flagged, never merged
    assert [u.name for u in plan.units.values()].count("经贸委") == 1 and "市经贸委" in plan.units


# --- a notice mixing shapes, end to end ------------------------------------------------

MIXED = """某区人民政府办公室关于印发某区2025年度依法行政工作要点的通知
某府办〔2025〕2號
各街道办事处,区政府各部门:
某区人民政府办公室
2025年2月10日
某区2025年度依法行政工作要点
一、健全制度
1.清理規範性文件,上半年完成。(牽頭單位:区司法局;配合單位:区政府各部门)
2.建立合法性审查机制。(人事科、法制科)
二、严格执法
3.推行执法公示。
责任单位:区城管局(牵头)、各街道
完成时限:持续推进
4.开展执法评议,每季度最后一个月的25日前报送评议情况。(区司法局牵头,各街道按职责分工负责)
三、工作要求
各责任单位每年12月10日前将全年工作情况报区司法局。
"""


def test_a_notice_mixing_shapes_drafts_checks_and_shows_status_with_no_edit(cli, tmp_path):
    notice = tmp_path / "mixed.txt"
    notice.write_text(MIXED, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    r = cli("draft", notice, "--output", plan)
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    assert "长期 1 个" in r.stdout and "督办单位（猜测）：区司法局" in r.stdout
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    got = {p["id"]: (p["lead"], p["support"], p["due"]) for task in data["tasks"] for p in task["parts"]}
    assert got == {
        "1.1": (["区司法局"], ["区政府各部门"], "2025-06-30"),
        "2.1": (["人事科", "法制科"], [], "2025-12-31"),
        "3.1": (["区城管局"], ["各街道"], "长期"),             # ongoing: no due date
        "4.1": (["区司法局"], ["各街道"], "2025-12-31"),
    }
    assert data["supervision"] == {"units": ["区司法局"]}
    r = cli("check", "--plan", plan, "--data-dir", tmp_path / "data")
    assert r.exit_code == 0, r.output
    r = cli("status", "--plan", plan, "--data-dir", tmp_path / "data", "--as-of", "2025-03-01")
    assert r.exit_code == 0, r.output
    assert r.stderr == ""


# --- found on whole real notices: two levels of headings, and 各区、县级市 ------------------

def test_a_collective_ending_in_a_bare_level_of_government_stays_one_name():
    part = one("1.推进工作。(牵头单位:市甲局,配合单位:市乙局,各区、县级市)\n")
    assert (part.lead, part.support) == (["市甲局"], ["市乙局", "各区、县级市"])
    part = one("1.推进工作。(牵头单位:市甲局,配合单位:市丙协,各有关区、县级市)\n")
    assert part.support == ["市丙协", "各有关区、县级市"]


@pytest.mark.parametrize("group", ["各区、县级市政府", "各有关区、县级市政府", "各区、县级市人民政府", "各县、县级市人民政府",
                                   "各区、县市区政府"])
def test_a_collective_ending_in_a_level_of_government_and_its_government_stays_one_name(group):
    part = one(f"1.推进工作。(牵头单位:市教育局,配合单位:市乙局、{group})\n")
    assert (part.lead, part.support) == (["市教育局"], ["市乙局", group])
    part = one(f"1.推进工作。(牵头单位:市教育局,配合单位:{group})\n")
    assert part.support == [group]


TWO_LEVELS = HEAD + """一、总体要求
1.推进工作一。(牵头单位:市甲局)
二、重点计划
(一)第一计划。实施如下项目:
2.项目二。(牵头单位:市乙局)
(二)第二计划。实施如下项目:
3.项目三。(牵头单位:市丙局)
(三)第三计划。实施如下项目:
4.项目四。(牵头单位:市丁局)
三、工作机制
5.机制五。(牵头单位:市甲局)
四、组织实施
6.实施六。(牵头单位:市乙局)
"""


def test_tasks_under_headings_of_two_levels_get_one_section_id_each(cli, tmp_path):
    d = draft(TWO_LEVELS)
    ids = [s.id for s in d.sections]
    assert len(ids) == len(set(ids)) == 6
    assert {task.id: task.section for task in d.tasks}["6"] == "四"
    notice = tmp_path / "two.txt"
    notice.write_text(TWO_LEVELS, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    assert cli("draft", notice, "--output", plan).exit_code == 0
    r = cli("check", "--plan", plan, "--data-dir", tmp_path / "data")
    assert r.exit_code == 0, r.output


# --- found trying real notices: shapes the small tests above missed --------------------

def test_a_deadline_after_the_roles_inside_the_same_bracket():
    # the item was dropped whole: a bracket of roles whose last clause is the deadline
    part = one("1.深化审批改革。梳理划转目录。(县政府办公室、县行政审批局牵头,县级各有关部门按职责分工负责;"
               "2024年12月底前完成)\n")
    assert (part.lead, part.support) == (["县政府办公室", "县行政审批局"], ["县级各有关部门"])
    assert part.due == date(2024, 12, 31)
    part = one("1.深化审批改革。(县行政审批局牵头,县财政局配合;持续推进)\n")
    assert (part.lead, part.support, part.ongoing) == (["县行政审批局"], ["县财政局"], True)


def test_a_sentence_of_its_own_saying_the_work_is_ongoing():
    part = one("1.加强信用监管。持续推进。(县发展改革局牵头,县市场监管局配合)\n")
    assert part.ongoing and part.due_source == "持续推进"
    # ongoing words that start a sentence of work are not a deadline
    part = one("1.加强信用监管。持续推进信用分级分类监管。(县发展改革局牵头,县市场监管局配合)\n")
    assert not part.ongoing


def test_等有关部门_after_a_name_in_a_label_line_is_a_phrase():
    part = one("1.开设帮扶政策专题。\n责任单位:市商务局牵头,市文旅局等有关部门按职责分工负责\n")
    assert (part.lead, part.support) == (["市商务局"], ["市文旅局"])
    part = one("1.畅通反馈机制。\n责任单位:市发展改革委牵头,市住建局等政府各有关部门配合\n")
    assert (part.lead, part.support) == (["市发展改革委"], ["市住建局"])


def test_the_first_named_rule_stated_in_the_first_items_bracket_holds_for_the_rest():
    # 下同: the rule is written once, inside the first list, and the first item is not lost over it
    p = parts(draft(HEAD + "一、任务\n"
                    "1.推进甲工作。(市人社局、市财政局负责。列第一位者为牵头单位,下同)\n"
                    "2.推进乙工作。(市税务局、市财政局、市海关负责,排在第一位的部门为牵头部门,下同)\n"
                    "3.推进丙工作。(市财政局、市人社局,各区政府按职责分工负责)\n"))
    assert [(x.lead, x.support) for x in p.values()] == [
        (["市人社局"], ["市财政局"]), (["市税务局"], ["市财政局", "市海关"]),
        (["市财政局"], ["市人社局", "各区政府"])]


def test_等有关部门和单位_and_等和_are_phrases_not_units():
    part = one("1.扩大见习补贴范围。(市人社局等有关部门和单位负责)\n")
    assert part.lead == ["市人社局"]
    part = one("1.保障基本生活。(市财政局、市民政局等有关部门和单位按职责分工负责)\n")
    assert part.lead == ["市财政局", "市民政局"]
    part = one("1.推动消费帮扶。(市扶贫办、市教育局等和各区政府负责)\n")
    assert part.lead == ["市扶贫办", "市教育局", "各区政府"]


def test_负责部门_and_a_scope_note_after_the_names():
    part = one("1.开展保税仓储试点。(负责部门:市商务局、市海关,适用范围:某片区)\n")
    assert (part.lead, part.support) == (["市商务局", "市海关"], [])
    part = one("1.简化审批。(负责部门:市住建局;适用范围:所有片区)\n")
    assert part.lead == ["市住建局"]


def test_会同_in_a_list_marks_who_works_with_the_named():
    part = one("1.培育新兴产业。(市发展改革委会同有关部门负责)\n")
    assert (part.lead, part.support) == (["市发展改革委"], ["有关部门"])
    part = one("1.培育接续产业。(市发展改革委、市财政局会同有关部门负责)\n")
    assert (part.lead, part.support) == (["市发展改革委", "市财政局"], ["有关部门"])


def test_a_list_naming_团中央_is_still_a_list():
    part = one("1.动员社会力量。(市工商联、团市委、共青团中央等和各区政府负责)\n")
    assert part.lead == ["市工商联", "团市委", "共青团中央", "各区政府"]


def test_a_period_from_one_day_to_another_ends_on_its_last_day_in_its_own_year():
    # the plan's year is 2024; the period's end has no year of its own and is in 2025, like its start
    part = one("1.稳岗返还。2025年1月1日至12月31日,对参保企业返还失业保险费。(市人社局负责)\n")
    assert part.due == date(2025, 12, 31)


def test_中央和国家机关工委_is_one_name():
    part = one("1.带头参与。(市扶贫办、中央和国家机关工委、团中央负责)\n")
    assert part.lead == ["市扶贫办", "中央和国家机关工委", "团中央"]


def test_a_table_whose_task_cells_carry_their_own_numbers():
    # no 序号 column: the rows are numbered in the task cell (1.…), and the number is not part of the title
    d = draft(TABLE_HEAD + "工作任务 | 具体要求 | 责任单位 | 完成时限\n"
              "1.规范文件公开 | 开展文件清理,形成现行有效目录。 | 市政府办公室 | 2024年11月底前\n"
              "2.基层公开提升 | 全面公开各领域信息。 | 市农业局、市民政局 | 持续推进\n")
    p = parts(d)
    assert [t.title for t in d.tasks] == ["规范文件公开", "基层公开提升"]
    assert (p["1.1"].lead, p["1.1"].due) == (["市政府办公室"], date(2024, 11, 30))
    assert (p["2.1"].lead, p["2.1"].ongoing) == (["市农业局", "市民政局"], True)


def test_a_table_one_cell_a_line_with_bar_lines_a_heading_row_and_columns_it_does_not_use():
    # cells end with " |", rows end with a line of bars, a section heading spans the row, and 完成情况/备注 are
    # columns the plan has no use for
    cells = ["工作任务", "具 体 要 求", "责任单位", "完成情况", "备注", "||",
             "一、年底前专项工作", "|", "|||||",
             "1.规范文件公开", "开展文件清理,形成现行有效目录。", "市政府各部门", "推进中", "", "||",
             "2.基层公开提升", "全面公开各领域信息。", "市农业局、市民政局", "推进中", "", "||"]
    text = TABLE_HEAD + "\n".join(c if c.startswith("|") else f"{c} |" for c in cells) + "\n"
    d = draft(text)
    p = parts(d)
    assert list(p) == ["1.1", "2.1"]
    assert [t.title for t in d.tasks] == ["规范文件公开", "基层公开提升"]
    assert "开展文件清理" in p["1.1"].text
    assert (p["1.1"].lead, p["2.1"].lead) == (["市政府各部门"], ["市农业局", "市民政局"])


def test_a_pipe_table_whose_first_row_carries_the_merged_heading_cells():
    # the header names four columns; the first row also brings its section and sub-section cells (merged over the
    # rows below), the later rows only the number and their own cells, each ending with an empty cell
    d = draft(TABLE_HEAD + "工作任务 | 具体要求 | 责任单位 | 时限要求 | ||\n"
              "一、以公开助力发展。 | (一)加强涉企公开。 | 1 | 公开涉企政策的解读和执行情况。 | 市政府办公室,各区政府负责落实 | 持续推进 |\n"
              "2 | 开设帮扶政策专题。 | 市商务局牵头,市文旅局等有关部门按职责分工负责 | 2024年9月底前 | ||\n"
              "3 | 畅通问题反馈机制。 | 市发展改革委牵头,市住建局配合 | 持续推进 | ||\n")
    p = parts(d)
    assert len(p) == 3, p
    first, second, third = p.values()
    assert "公开涉企政策" in first.text and first.lead == ["市政府办公室", "各区政府"] and first.ongoing
    assert "开设帮扶政策专题" in second.text and "一、" not in second.text
    assert (second.lead, second.support, second.due) == (["市商务局"], ["市文旅局"], date(2024, 9, 30))
    assert (third.lead, third.support, third.ongoing) == (["市发展改革委"], ["市住建局"], True)


# --- the README's "new plan" path, as written, on a notice of each shape -----------------------------

def _notice_of_shape(shape: str, folder) -> str:
    """A notice file of one shape, written into ``folder``; its name."""
    if shape == "label lines":
        text = HEAD + "一、任务\n1.推进行政执法公示。2024年9月底前完成。\n牵头单位:市司法局\n配合单位:各区政府、市财政局\n"
    elif shape == "bare list":
        text = HEAD + "一、任务\n1.健全工作机制。(人事科、信息中心)\n"
    elif shape == "sentence":
        text = HEAD + "一、任务\n1.规范行政许可。(市政务服务中心牵头,市级各有关部门按职责分工负责)\n"
    elif shape == "Traditional":
        text = TRADITIONAL
    elif shape == "table as text":
        text = TABLE_HEAD + "\n".join("\t".join(r) for r in TABLE) + "\n"
    elif shape == "mixed":
        text = MIXED
    elif shape == "guided":
        text = GUIDED
    elif shape == "web page":
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in TABLE)
        (folder / "notice.html").write_text(f"<html><body><p>{TABLE_HEAD}</p><table>{rows}</table></body></html>",
                                            encoding="utf-8")
        return "notice.html"
    elif shape == "Word":
        write_docx([TABLE_HEAD.strip()], folder / "notice.docx", table=TABLE)
        return "notice.docx"
    elif shape == "PDF":
        lines = [TABLE_HEAD.strip(), "", _laid_out(WRAPPED_HEADER)] + _wrapped_lines() + ["", "某市司法局", "2024年2月1日"]
        write_pdf(lines, folder / "notice.pdf")
        return "notice.pdf"
    else:
        raise AssertionError(shape)
    (folder / "notice.txt").write_text(text, encoding="utf-8")
    return "notice.txt"


@pytest.mark.parametrize("shape", ["label lines", "bare list", "sentence", "Traditional", "table as text", "mixed",
                                   "guided", "web page", "Word", "PDF"])
def test_the_readmes_new_plan_path_works_as_written_on_a_notice_of_each_shape(shape, tmp_path):
    """Issue 21: draft → (confirm) → check → status, the README's commands as a user types them, in a folder
    of their own, on the installed program; the draft is not edited."""
    from conftest import run_fazhi

    notice = _notice_of_shape(shape, tmp_path)
    env = {"FAZHI_HOME": str(tmp_path / "data"), "FAZHI_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "80"}
    r = run_fazhi("draft", notice, "--output", "方案.yaml", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr.decode()
    summary = r.stdout.decode()
    tasks = int(re.search(r"任务 (\d+) 项", summary)[1])
    assert tasks >= 1 and (tmp_path / "方案.yaml").exists()
    r = run_fazhi("check", "--plan", "方案.yaml", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    assert f"任务 {tasks} 项" in r.stdout.decode()
    r = run_fazhi("status", "--plan", "方案.yaml", env=env, cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == b"", r.stderr.decode()
    shown = r.stdout.decode()
    n_parts = re.search(r"分项 (\d+) 个", summary)[1]
    assert f"分项 {n_parts} 个：" in shown                  # every drafted part is counted in the view
    first_lead = yaml.safe_load((tmp_path / "方案.yaml").read_text(encoding="utf-8"))["tasks"][0]["parts"][0]["lead"][0]
    assert first_lead in shown


GUIDED = HEAD + """一、总体要求
(一)基本原则。坚持问题导向。
二、主要任务
(一)完善制度,发挥引领作用。
建立评价指标,发挥导向作用。2024年6月底前,研究建立评价指标体系。
（市甲局牵头，市乙局、市丙局参与）
推进数据共享。（市庚局指导）
优化管理机制,强化分工协作。
明确各环节的职责边界,提升监管能力。
（市甲局指导，试点区政府负责落实。以下均需试点区政府落实，不再列出）
加强政策集成,增强方案系统性。制定试点实施方案。
（市甲局、市乙局指导）
(二)推行绿色生产,促进循环利用。
推广先进技术。到2025年,建成一批示范项目。
（市丁局指导）
健全标准体系。
（市戊局、市乙局负责）
发展回收产业。
（市丙局指导，市己社参与）
三、保障措施
(一)加强组织领导。各单位要高度重视。
"""


def test_指导_lists_and_a_rule_naming_who_carries_out_every_later_item():
    # (A、B指导): those named guide, someone else does the work; the notice says who once, inside a list:
    # 以下均需X落实,不再列出. X then leads every later list that names no lead of its own.
    d = draft(GUIDED)
    p = parts(d)
    got = [(x.lead, x.support) for x in p.values()]
    assert got == [
        (["市甲局"], ["市乙局", "市丙局"]),
        (["市庚局"], []),                                # before the rule: no one else named, so it leads for now
        (["试点区政府"], ["市甲局"]),                     # the rule's own list: 试点区政府负责落实
        (["试点区政府"], ["市甲局", "市乙局"]),
        (["试点区政府"], ["市丁局"]),
        (["市戊局", "市乙局"], []),                      # a list that names its own lead keeps it
        (["试点区政府"], ["市丙局", "市己社"]),
    ]
    texts = [x.text for x in p.values()]
    assert texts[3] == "加强政策集成,增强方案系统性。制定试点实施方案。"
    assert texts[6] == "发展回收产业。"
    assert p["1.1"].due == date(2024, 6, 30)
    assert [x.due for x in p.values()][4] == date(2025, 12, 31)
    assert "暂作牵头单位:请核对由谁落实" in list(p.values())[1].role_note
    ruled = [x for x in p.values() if x.lead == ["试点区政府"]][1:]
    assert ruled and all("以下均需试点区政府落实" in x.role_note for x in ruled)
    assert "# 按通知“以下均需试点区政府落实,不再列出”:由 试点区政府 负责(牵头)" in to_yaml(d, "n.txt", "p.yaml")
    assert not d.skipped or all("保障" in s or "基本原则" in s or "组织领导" in s for s in d.skipped)


@pytest.mark.parametrize("rule", ["以下均由试点区政府负责,不再列出", "以下均需试点区政府负责落实,不再一一列出",
                                  "以下各项均由试点区政府落实"])
def test_close_variants_of_the_rule_naming_who_carries_out_every_later_item(rule):
    d = draft(HEAD + f"一、任务\n(一)第一项。推进甲工作。(市甲局指导,试点区政府负责。{rule})\n"
                     "(二)第二项。推进乙工作。(市乙局指导)\n")
    assert [(x.lead, x.support) for x in parts(d).values()] == [(["试点区政府"], ["市甲局"]),
                                                               (["试点区政府"], ["市乙局"])]


# --- a list of reforms to roll out: 指导部门 and 推广范围 columns (国办发〔2018〕126号's shape) --------------------

ROLLOUT = """某省人民政府办公厅关于推广第三批
便民服务“一件事”改革经验的通知
某政办发〔2024〕9号
各设区市人民政府,省政府各部门:
经省政府同意,决定推广第三批改革经验。现就有关事项通知如下:
一、推广的改革经验(共3项)
二、认真抓好组织实施
各设区市人民政府要结合实际,制定推广工作方案。
某省人民政府办公厅
2024年5月6日
附件
第三批改革经验推广清单
序号\t改革举措\t主 要 内 容\t指导部门\t推广范围
一、政务服务方面(共2项)
1\t出生“一件事”联办\t整合出生医学证明、户口登记等事项,一次办结。\t省卫生健康委、省公安厅\t全省
2\t企业开办跨市(区)全程网办\t压缩开办时间,推行电子营业执照。\t省市场监管局\t各市、县
3\t社保卡居民服务\t拓展社保卡应用场景(异地就医的费用按有关规定执行)。\t省人力资源社会保障厅\t省医保局、省财政厅
"""


def test_a_rollout_table_reads_guiding_units_as_support_and_a_territory_as_the_addressed_government():
    d = draft(ROLLOUT)
    p = parts(d)
    assert list(p) == ["1.1", "2.1", "3.1"]
    assert "整合出生医学证明" in p["1.1"].text and d.tasks[0].title == "出生“一件事”联办"
    assert d.tasks[1].title == "企业开办跨市(区)全程网办"      # a short bracket does not cut the title
    # 全省 and 各市、县 are territories with no body: the level the notice is addressed to carries them out (a reading)
    assert (p["1.1"].lead, p["1.1"].support) == (["各设区市人民政府"], ["省卫生健康委", "省公安厅"])
    assert (p["2.1"].lead, p["2.1"].support) == (["各设区市人民政府"], ["省市场监管局"])
    assert "请核对" in p["1.1"].role_note and "推广范围" in p["1.1"].role_note
    # a 推广范围 that names bodies: they lead
    assert (p["3.1"].lead, p["3.1"].support) == (["省医保局", "省财政厅"], ["省人力资源社会保障厅"])
    assert d.table_rows == 3 and d.table_rows_left == 0


def test_a_bracket_holding_a_sentence_is_no_unit_list_and_no_group():
    d = draft(HEAD + "一、任务\n1.拓展社保卡应用场景(异地就医的费用按有关规定执行)。\n责任单位:市人社局\n"
                     "2.规范证明事项(涉及国家秘密的另行办理)。\n责任单位:市司法局\n")
    assert [(x.lead, x.support) for x in parts(d).values()] == [(["市人社局"], []), (["市司法局"], [])]
    assert not d.groups and all("执行" not in u.name and "办理" not in u.name for u in d.units)


def test_a_title_over_two_lines_with_quotation_marks_is_kept_whole():
    d = draft(ROLLOUT)
    assert d.title == "某省人民政府办公厅关于推广第三批便民服务“一件事”改革经验的通知"


def test_the_summary_says_how_many_numbered_table_rows_were_not_drafted():
    # row 2 names no one: neither 指导部门 nor a 推广范围, and no addressee line to read a territory as
    text = ("某省第三批改革经验推广清单\n序号\t改革举措\t主要内容\t指导部门\t推广范围\n"
            "1\t出生一件事联办\t整合事项,一次办结。\t省卫生健康委\t省医保局\n"
            "2\t企业开办跨市(区)全程网办\t压缩开办时间。\t\t全省\n")
    d = draft(text)
    assert len(d.tasks) == 1 and (d.table_rows, d.table_rows_left) == (2, 1)
    out = summary(d, "plan.yaml")
    assert sum("1 行没有起草为任务" in line for line in out.splitlines()) == 1
    whole = draft(ROLLOUT)
    assert "没有起草为任务" not in summary(whole, "plan.yaml")


# --- units named as a sentence's subject, in a notice with no unit list at all ---------------

SUBJECT_HEAD = """某市推进办关于做好某项工作的通知
各区人民政府,市政府各部门:
现就有关事项通知如下:
"""


def test_units_named_as_the_subject_of_an_item_are_its_responsible_units_with_a_comment():
    d = draft(SUBJECT_HEAD + "一、各区(镇、街)务必于5月31日前建立工作台账,并报市推进办。\n"
                             "二、市政府各部门要按季度梳理办理情况。\n某市推进办\n2023年4月2日\n")
    p = parts(d)
    assert [(x.lead, x.support, str(x.due)) for x in p.values()] == [
        (["各区(镇、街)"], [], "2023-05-31"), (["市政府各部门"], [], str(d.target))]
    out = to_yaml(d, "notice.txt", "plan.yaml")
    assert out.count("# 单位取自句子主语(原文没有写明牵头或责任单位),请核对") == 2
    # a reading of sentences may miss who leads: the summary says so, with how many parts
    assert sum("2 个分项的单位取自句子主语" in line for line in summary(d, "plan.yaml").splitlines()) == 1
    assert "取自句子主语" not in summary(draft(HEAD + "一、任务\n1.推进工作。(牵头单位:市甲局)\n"), "plan.yaml")


def test_a_subject_that_leads_and_one_that_supports():
    d = draft(SUBJECT_HEAD + "一、各单位要开展自查。由所属的市交通局、市水务局等市级主管部门牵头形成报告,"
                             "其他有关部门配合,于7月15日前报市推进办。\n某市推进办\n2023年4月2日\n")
    (p,) = parts(d).values()
    # the 牵头 clause says who leads: 各单位, the subject of the other clause, is not added to them
    assert (p.lead, p.support, str(p.due)) == (["市交通局", "市水务局"], ["其他有关部门"], "2023-07-15")


@pytest.mark.parametrize("subject", ["我市", "各地", "工作人员", "按市委要求,各方面"])
def test_a_subject_that_is_no_body_gives_nothing(subject):
    with pytest.raises(NoticeError):
        draft(SUBJECT_HEAD + f"一、{subject}要于5月31日前完成自查。\n二、{subject}要认真总结。\n")


def test_subjects_are_never_read_when_an_item_carries_a_unit_list():
    d = draft(SUBJECT_HEAD + "一、建立台账。(责任单位:市司法局)\n二、市政府各部门要按季度梳理办理情况。\n")
    assert [(t.id, [x.lead for x in t.parts]) for t in d.tasks] == [("1", [["市司法局"]])]


def test_pinyin_a_copying_site_inserted_is_not_part_of_a_name():
    d = draft(SUBJECT_HEAD + "一、各區(市)縣政府、市政府各部門(mén)及重點(diǎn)工程業(yè)主要確定一名聯絡(luò )員。\n")
    (p,) = parts(d).values()
    assert p.lead == ["各區(市)縣政府", "市政府各部門", "重點工程業主"]
    assert "(" not in d.tasks[0].text.replace("各區(市)", "")


def test_items_run_into_one_paragraph_are_read_one_by_one():
    d = draft(SUBJECT_HEAD.replace("如下:\n", "如下。 一、各地自查 各市(州)、县(市、区)要开展自查,"
                                   "各市(州)于6月10日前报送。 二、部门自查 市级各部门要开展自查。\n"))
    assert [x.lead for x in parts(d).values()] == [["各市(州)、县(市、区)"], ["市级各部门"]]
