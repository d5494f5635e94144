"""fazhi draft: a notice's own text → a plan file; fazhi new: a template.

Most tests run the recogniser on small invented notices, one shape each;
then the bundled notice's round trip, the readers (GBK, HTML, .docx), bad
input, and the commands end to end.
"""

from __future__ import annotations

import os
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import SOURCE, one_line_error, run_fazhi, snapshot
from fazhi_cli.draft import NoticeError, recognise
from fazhi_cli.draft.reading import notice_text
from fazhi_cli.draft.units import is_collective, possible_alias
from fazhi_cli.draft.writing import q, to_yaml
from fazhi_cli.plan import bundled_plan_path, load_plan
from fazhi_cli.plan.build import parse_plan
from notices import QINGXI, as_html, paragraphs, write_docx

TODAY = date(2026, 1, 1)


def draft(text: str):
    return recognise(text, TODAY, "notice.txt")


def parts(d):
    return {p.id: p for task in d.tasks for p in task.parts}


def filled(yaml_text: str, members: dict[str, list[str]] | None = None,
           aliases: dict[str, list[str]] | None = None) -> bytes:
    """The draft as a person leaves it: each collective name moved from units to groups with its members (units
    defined), aliases merged."""
    data = yaml.safe_load(yaml_text)
    collective = [u["name"] for u in data["units"] if is_collective(u["name"])]
    data["units"] = [u for u in data["units"] if u["name"] not in collective]
    data["groups"] = [{"name": name, "members": []} for name in collective]
    known = {u["name"] for u in data["units"]}
    for g in data.get("groups") or []:
        g["members"] = list((members or {}).get(g["name"], [f"{g['name']}成员甲"]))
        for m in g["members"]:
            if m not in known:
                data["units"].append({"name": m, "kind": "department"})
                known.add(m)
    for name, spellings in (aliases or {}).items():
        data["units"] = [u for u in data["units"] if u["name"] not in spellings]
        next(u for u in data["units"] if u["name"] == name)["aliases"] = list(spellings)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


NOTICE_HEAD = """某县人民政府办公室关于印发某县2022年法治政府建设工作要点的通知
某府办〔2022〕5号
各镇人民政府,县政府各部门:
现将《某县2022年法治政府建设工作要点》印发给你们,请认真贯彻落实。
某县人民政府办公室
2022年3月1日
某县2022年法治政府建设工作要点
"""


# --- the shapes, one at a time -------------------------------------------------

def test_a_closing_parenthesis_with_labelled_roles():
    d = draft(NOTICE_HEAD + """一、完善制度
1.完善财政监督制度。(牵头单位:县财政局、县审计局,配合单位:各镇、街)
2.规范采购行为(牵头单位:县财政局;配合单位:县市场监管局、各镇、街)。
""")
    p = parts(d)
    assert (p["1.1"].lead, p["1.1"].support) == (["县财政局", "县审计局"], ["各镇、街"])
    assert (p["2.1"].lead, p["2.1"].support) == (["县财政局"], ["县市场监管局", "各镇、街"])
    assert p["1.1"].text == "完善财政监督制度。" and p["2.1"].text == "规范采购行为"
    assert [g.name for g in d.groups] == ["各镇、街"]
    # the issuer is added as the guessed supervising unit
    assert [u.name for u in d.units] == ["县财政局", "县审计局", "县市场监管局", "某县人民政府办公室"]
    assert d.supervision == "某县人民政府办公室"


def test_role_lines_after_an_item_and_responsible_alone_is_the_lead():
    d = draft(NOTICE_HEAD + """一、优化营商环境
1.推进市场主体登记便利化。
牵头单位:县发改局
配合单位:县市场局
2.整治违规收费。
责任单位:各街道,县市场局
""")
    p = parts(d)
    assert (p["1.1"].lead, p["1.1"].support) == (["县发改局"], ["县市场局"])
    assert (p["2.1"].lead, p["2.1"].support) == (["各街道", "县市场局"], [])
    # one line: a kept line break would print as \x0a
    assert d.tasks[0].text == "推进市场主体登记便利化。牵头单位:县发改局 配合单位:县市场局"


def test_a_parenthesis_in_sentence_form():
    d = draft(NOTICE_HEAD + """一、深化政务公开
1.推进政务服务“一网通办”(县政务办、县编办牵头,县级各有关部门按职责分工负责)。
""")
    part = parts(d)["1.1"]
    assert (part.lead, part.support) == (["县政务办", "县编办"], ["县级各有关部门"])
    assert "按职责分工负责" in part.role_note
    assert [g.name for g in d.groups] == ["县级各有关部门"]


def test_several_unit_lists_make_several_parts():
    d = draft(NOTICE_HEAD + """一、执法
1.严格执法资格管理(牵头单位:县司法局)。加强执法人员培训(牵头单位:县司法局,配合单位:县人社局)。统一执法文书。
""")
    task = d.tasks[0]
    assert [p.text for p in task.parts] == ["严格执法资格管理", "加强执法人员培训"]
    assert "统一执法文书" in task.note          # words after the last list belong to no part, and it says so


DEADLINES = {
    "2022年10月底前完成清理": date(2022, 10, 31),
    "2017年6月30日前建成平台": date(2017, 6, 30),
    "年底前完成评估": date(2022, 12, 31),             # the plan's year
    "到2018年底基本建成": date(2018, 12, 31),
    "次年1月底前完成总结": date(2023, 1, 31),
    "5月底前出台办法": date(2022, 5, 31),
    "2022年第三季度末前上线": date(2022, 9, 30),
}


@pytest.mark.parametrize("words", DEADLINES)
def test_one_off_deadlines_become_the_parts_due_date(words):
    d = draft(NOTICE_HEAD + f"一、任务\n1.推进某项工作,{words}。(牵头单位:县司法局)\n")
    part = parts(d)["1.1"]
    assert part.due == DEADLINES[words]
    assert part.due_source.startswith(words[:4]) and part.due_source in words + "。"


def test_no_deadline_takes_the_plans_target_with_a_comment():
    d = draft(NOTICE_HEAD.replace("某县2022年法治政府建设工作要点", "某县法治政府建设实施方案") + "一、总体目标\n到2023年底,基本建成法治政府。\n二、任务\n1.推进某项工作。(牵头单位:县司法局)\n")
    assert d.target == date(2023, 12, 31) and d.target_source == "到2023年底,基本建成法治政府"
    part = parts(d)["1.1"]
    assert part.due == date(2023, 12, 31) and "原文未写期限" in part.due_note
    text = to_yaml(d, "n.txt", "p.yaml")
    assert 'due: "2023-12-31"  # 原文未写期限:取方案总体期限' in text


RECURRING = {
    "于每年3月初报送工作计划": ("year", "early_march", "same"),
    "每季度最后一个月的30日前报送进展情况": ("quarter", "03-30", "same"),
    "每月28日前报送统计数据": ("month", "28", "same"),
    "每年12月20日前报送年度总结": ("year", "12-20", "same"),
    "每年形成工作报告,次年1月底前报县政府": ("year", "01-31", "next"),
}


@pytest.mark.parametrize("words", RECURRING)
def test_recurring_deadlines_become_recurring_duties(words):
    d = draft(NOTICE_HEAD + f"一、任务\n1.建立报告制度,{words}。(牵头单位:县司法局)\n")
    duty = d.duties[-1]
    assert (duty.every, duty.due, duty.due_year) == RECURRING[words]
    assert duty.part == "1.1" and duty.source.endswith(words.split(",")[-1])
    assert parts(d)["1.1"].due == d.target       # the part itself takes the plan's deadline


def test_recurring_duties_load_with_their_periods():
    d = draft(NOTICE_HEAD + """一、任务
1.建立报告制度,每季度最后一个月的30日前报送进展情况。(牵头单位:县司法局)
2.建立统计制度,每月28日前报送统计数据。(牵头单位:县统计局)
二、工作要求
各责任单位于每年3月初报送工作计划。
""")
    plan = parse_plan(to_yaml(d, "n.txt", "p.yaml").encode(), "p.yaml")
    ob = plan.obligations
    # signed 2022-03-01, target 2022-12-31: four quarters, from March the months, and the 2022 work plan
    assert sorted(o for o in ob if "-q" in o) == ["progress-2022-q1", "progress-2022-q2", "progress-2022-q3",
                                                   "progress-2022-q4"]
    assert ob["progress-2022-q2"].due == date(2022, 6, 30) and ob["progress-2022-q2"].units == ("县司法局",)
    assert sorted(o for o in ob if o.startswith("stats-")) == [f"stats-2022-{m:02d}" for m in range(3, 13)]
    assert ob["plan-2022"].due == date(2022, 3, 10)
    assert set(ob["plan-2022"].units) == {"县司法局", "县统计局"}


def test_numbering_sections_over_tasks():
    # 一、 sections over (一) tasks, numbered across sections (a 政府工作报告 分工方案)
    d = draft(NOTICE_HEAD + """一、扩大需求
(一)扩大有效投资。责任单位:县发改局
(二)促进消费。责任单位:县商务局
二、深化改革
(三)优化营商环境。责任单位:县发改局
三、保障措施
(一)加强组织领导。
""")
    assert [(s.id, s.heading) for s in d.sections] == [("一", "扩大需求"), ("二", "深化改革")]
    assert [(t.id, t.section, t.title) for t in d.tasks] == [
        ("1", "一", "扩大有效投资"), ("2", "一", "促进消费"), ("3", "二", "优化营商环境")]
    assert d.skipped == ["三、(一) 加强组织领导。"]


def test_an_item_without_units_takes_those_of_its_section():
    d = draft(NOTICE_HEAD + """一、政务公开(牵头单位:县政务办,配合单位:各镇、街)
1.公开权责清单(牵头单位:县编办)
2.公开财政预决算,2022年9月底前完成
二、执法
3.统一执法文书(牵头单位:县司法局)
""")
    p = parts(d)
    assert (p["2.1"].lead, p["2.1"].support, p["2.1"].due) == (["县政务办"], ["各镇、街"], date(2022, 9, 30))
    assert d.tasks[1].text == "公开财政预决算,2022年9月底前完成"
    assert "一、" in p["2.1"].role_note or "一、" in d.tasks[1].note


def test_numbering_that_restarts_is_renumbered_with_a_note():
    d = draft(NOTICE_HEAD + """(一)第一部分
1、任务甲(牵头单位:县司法局)
2、任务乙(牵头单位:县财政局)
(二)第二部分
1、任务丙(牵头单位:县司法局)
""")
    assert [t.id for t in d.tasks] == ["1", "2", "3"]
    assert [s.id for s in d.sections] == ["一", "二"]
    assert d.tasks[2].note == "原文编号 (二)1."


def test_the_header():
    d = draft(NOTICE_HEAD + "一、任务\n1.推进工作。(牵头单位:县司法局)\n")
    assert d.title == "某县2022年法治政府建设工作要点"
    assert d.number == "某府办〔2022〕5号"
    assert d.issuer == "某县人民政府办公室"
    assert d.signed == date(2022, 3, 1)
    assert d.addressees == "各镇人民政府,县政府各部门"
    text = to_yaml(d, "n.txt", "p.yaml")
    assert "# 主送: 各镇人民政府,县政府各部门" in text


def test_units_deduplicated_groups_and_possible_aliases_never_merged():
    d = draft(NOTICE_HEAD + """一、任务
1.甲(牵头单位:县发展改革局,配合单位:区政府各部门、各镇、街)
2.乙(牵头单位:县发改局,配合单位:县级各有关部门)
3.丙(牵头单位:县发展改革局、县财政局,配合单位:各县市区政府)
""")
    assert [u.name for u in d.units] == ["县发展改革局", "县发改局", "县财政局", "某县人民政府办公室"]
    assert "县发展改革局" in d.units[1].alias_note and not d.units[0].alias_note
    assert [g.name for g in d.groups] == ["区政府各部门", "各镇、街", "县级各有关部门", "各县市区政府"]
    text = to_yaml(d, "n.txt", "p.yaml")
    # each collective name is one body until someone lists its members, and says so
    assert text.count("kind: collective  # 待确认:一类单位,暂作一个责任主体") == 4
    assert "\ngroups:" not in text and "members: []" not in text
    assert "# 可能与 县发展改革局 是同一单位" in text


def test_possible_aliases():
    assert possible_alias("区发改局", "区发展改革局")
    assert possible_alias("区公安局", "区公安分局")
    assert possible_alias("区财政局", "番禺区财政局")
    assert not possible_alias("区政府办", "区政务办")
    assert not possible_alias("区城管局", "区城市管理运行指挥中心")
    assert not possible_alias("区民政局", "区人力资源和社会保障局")


def test_a_notice_mixing_every_shape():
    head = NOTICE_HEAD.replace("某县2022年法治政府建设工作要点", "某县法治政府建设实施方案(2022—2024年)")
    d = draft(head + """一、总体目标
到2024年底,法治政府基本建成。
二、主要任务
(一)制度建设
1.完善规范性文件管理,2022年10月底前完成清理(牵头单位:县司法局,配合单位:县政府各部门)。每年3月初报送清理计划(牵头单位:县司法局)。
2、推进“一网通办”(县政务办牵头,县直各有关部门配合)。
(二)执法监督
3.开展执法检查,每季度最后一个月的30日前报送检查情况。
责任单位:县司法局(牵头)、各镇、街
4.加强执法保障。
牵头单位:县财政局
配合单位:县发改局
完成时限:2023年6月30日前
三、工作要求
各责任单位每月28日前将工作进展报县依法治县办。
""")
    p = parts(d)
    assert list(p) == ["1.1", "1.2", "2.1", "3.1", "4.1"]
    assert (p["1.1"].due, p["1.2"].due) == (date(2022, 10, 31), date(2024, 12, 31))
    assert (p["2.1"].lead, p["2.1"].support) == (["县政务办"], ["县直各有关部门"])
    assert (p["3.1"].lead, p["3.1"].support) == (["县司法局"], ["各镇、街"])
    assert (p["4.1"].lead, p["4.1"].support, p["4.1"].due) == (["县财政局"], ["县发改局"], date(2023, 6, 30))
    assert [(x.every, x.due, x.part) for x in d.duties] == [
        ("year", "early_march", "1.2"), ("quarter", "03-30", "3.1"), ("month", "28", None)]
    assert d.duties[2].units == "责任单位" and d.duties[2].to == "县依法治县办"
    assert [s.id for s in d.sections] == ["一", "二"]
    plan = parse_plan(filled(to_yaml(d, "n.txt", "p.yaml")), "p.yaml")
    assert plan.target == date(2024, 12, 31) and len(plan.parts) == 5
    assert plan.obligations["plan-2023"].due == date(2023, 3, 10)


def test_a_notice_in_gbk():
    data = (NOTICE_HEAD + "一、任务\n1.推进政务公开。(牵头单位:县政务办,配合单位:各镇、街)\n").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    d = draft(notice_text(data, "gbk.txt"))
    assert d.title == "某县2022年法治政府建设工作要点" and parts(d)["1.1"].lead == ["县政务办"]


# --- the bundled notice, drafted and compared --------------------------------------

def test_round_trip_of_the_bundled_notice(tmp_path):
    bundled = load_plan(bundled_plan_path())
    d = recognise(SOURCE.read_text(encoding="utf-8"), TODAY, SOURCE.name)
    text = to_yaml(d, SOURCE.name, "plan.yaml")
    # what the bundled plan's authors decided beyond the text, asked for in comments
    assert "# “3月初”没有具体日期;上旬到10日为止,所以取3月10日" in text
    assert text.count("待确认:一类单位") == len(bundled.groups) == 5
    assert "# 可能与 区公安局 是同一单位" in text
    assert "# 通知未列出“各镇、街”包含哪些单位" in text
    # the person's decisions, made as the bundled plan made them
    drafted = parse_plan(filled(text, {g.name: list(g.members) for g in bundled.groups.values()},
                                {"区公安局": ["区公安分局"]}), "draft.yaml")
    assert list(drafted.tasks) == list(bundled.tasks) and len(drafted.tasks) == 38
    assert list(drafted.parts) == list(bundled.parts) and len(drafted.parts) == 54
    assert [(s.id, s.heading) for s in drafted.sections] == [(s.id, s.heading) for s in bundled.sections]
    for tid, task in bundled.tasks.items():
        assert (drafted.tasks[tid].title, drafted.tasks[tid].text, drafted.tasks[tid].section) == (
            task.title, task.text, task.section), tid
    for pid, part in bundled.parts.items():
        got = drafted.parts[pid]
        assert (got.text, got.lead, got.support, got.due) == (part.text, part.lead, part.support, part.due), pid
        assert (got.lead_units, got.support_units) == (part.lead_units, part.support_units), pid
    dated = {pid: p.due for pid, p in drafted.parts.items() if p.due != drafted.target}
    assert (drafted.target, dated) == (date(2018, 12, 31), {"2.2": date(2016, 12, 31), "7.1": date(2017, 12, 31)})
    assert {o: (x.due, x.units, x.to, x.part) for o, x in drafted.obligations.items()} == {
        o: (x.due, x.units, x.to, x.part) for o, x in bundled.obligations.items()}
    for field in ("title", "number", "issuer", "signed", "published"):
        assert getattr(drafted, field) == getattr(bundled, field), field


# --- reading files -----------------------------------------------------------------

def test_a_saved_web_page():
    text = notice_text(as_html(paragraphs()).encode("utf-8"), "page.html")
    assert "document.write" not in text and "请开启脚本" not in text and "假单位" not in text
    d = draft(text)
    assert d.title == "青溪市2024年政府工作报告重点任务分工方案" and len(d.tasks) == 6


def test_a_saved_web_page_in_gb2312():
    page = as_html(paragraphs(), charset="gb2312").encode("gb18030")
    d = draft(notice_text(page, "page.htm"))
    assert d.number == "青府〔2024〕8号" and len(d.tasks) == 6


def test_a_word_document(tmp_path):
    path = write_docx(paragraphs(), tmp_path / "n.docx")
    d = draft(notice_text(path.read_bytes(), str(path)))
    assert d.title == "青溪市2024年政府工作报告重点任务分工方案"
    assert [t.title for t in d.tasks] == ["扩大有效投资", "促进消费提质扩容", "稳住外贸外资基本盘", "深化“放管服”改革",
                                          "优化营商环境", "推进国资国企改革"]


def test_a_task_table_in_a_word_document(tmp_path):
    table = [["序号", "重点任务", "牵头单位", "配合单位", "完成时限"],
             ["一、扩大有效需求"] * 5,                                          # a row merged into one cell
             ["1", "扩大有效投资,完成投资1200亿元", "市发展改革委", "市财政局、各县市区政府", "2024年6月底前"],
             ["2", "促进消费提质扩容", "市商务局", "", "2024年12月底前"]]
    path = write_docx(paragraphs()[:8], tmp_path / "t.docx", table=table)
    d = draft(notice_text(path.read_bytes(), str(path)))
    p = parts(d)
    assert (p["1.1"].lead, p["1.1"].support, p["1.1"].due) == (["市发展改革委"], ["市财政局", "各县市区政府"],
                                                               date(2024, 6, 30))
    assert (p["2.1"].lead, p["2.1"].due) == (["市商务局"], date(2024, 12, 31))
    assert [s.heading for s in d.sections] == ["扩大有效需求"]


# --- what a notice's text cannot do to the plan file ----------------------------------

def test_hostile_text_stays_text_in_the_yaml():
    nasty = 'x"]\n  evil: [1]\n# c \\ \x1b[31m \u202e \x85 \ufeff'
    assert yaml.safe_load("v: " + q(nasty))["v"] == nasty
    d = draft(NOTICE_HEAD + '一、任务\n1.推进"工作"\\ 设置 \x1b[31m ]: {a: 1} # 注释 \u202e反(牵头单位:县司法局)\n')
    text = to_yaml(d, "n\n: x.txt", "p.yaml")
    plan = parse_plan(text.encode(), "p.yaml")
    assert plan.tasks["1"].text == d.tasks[0].text and "\x1b[31m" in plan.tasks["1"].text
    assert all("\x1b" not in line and "\u202e" not in line for line in text.splitlines() if line.lstrip().startswith("#"))


# --- bad input ------------------------------------------------------------------------

def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as f:
        f.truncate(size)


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        with zf.open("word/media/big.bin", "w", force_zip64=True) as f:
            block = b"\0" * (1 << 20)
            for _ in range(80):           # 80 MiB of zeros: about 80 KiB packed
                f.write(block)
    assert path.stat().st_size < 1 << 20
    return path


BAD_NOTICES = {
    "empty": (lambda p: p.write_bytes(b"\n \n"), 1, "文件是空的"),
    "no tasks": (lambda p: p.write_text("关于做好某项工作的通知\n一、总体要求\n要抓好落实。\n", encoding="utf-8"), 1,
                 "没有找到任务"),
    "binary": (lambda p: p.write_bytes(os.urandom(4096) + b"\0" * 16), 1, "不是文本文件"),
    "50 MB": (lambda p: _sparse(p, 50 * 1024 * 1024), 1, "文件过大"),
    "zip bomb": (_zip_bomb, 1, "压缩炸弹"),
    "zip not docx": (lambda p: zipfile.ZipFile(p, "w").writestr("a.txt", "x"), 1, "不是 Word .docx"),
    "pdf": (lambda p: p.write_bytes(b"%PDF-1.7\n..."), 1, "PDF"),
    "old word": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512), 1, ".doc"),
    "missing": (lambda p: None, 1, "找不到文件"),
    "folder": (lambda p: p.mkdir(), 1, "文件夹"),
}


@pytest.mark.parametrize("name", BAD_NOTICES)
def test_bad_notices_are_refused_in_one_line_and_nothing_is_written(name, cli, tmp_path):
    make, code, words = BAD_NOTICES[name]
    notice = tmp_path / "in" / "notice.bin"
    notice.parent.mkdir()
    make(notice)
    out = tmp_path / "out"
    out.mkdir()
    r = cli("draft", notice, "--output", out / "plan.yaml")
    assert r.exit_code == code, r.output
    line = one_line_error(r)
    assert line.startswith(f"错误：{notice}: ") and words in line, line
    assert r.stdout == "" and snapshot(out) == {}


def test_fifty_megabytes_are_refused_before_being_read(tmp_path, monkeypatch):
    from fazhi_cli.draft import reading

    big = tmp_path / "big.txt"
    _sparse(big, 50 * 1024 * 1024)
    read = []
    monkeypatch.setattr(reading, "notice_text", lambda data, where: read.append(len(data)))
    with pytest.raises(NoticeError, match="文件过大"):
        reading.read_notice(big)
    assert read == []


def test_a_word_document_whose_text_part_unpacks_too_large_is_refused_before_parsing(tmp_path):
    import time

    path = tmp_path / "big.docx"
    para = "<w:p><w:r><w:t>" + "推进工作" * 200 + "</w:t></w:r></w:p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document><w:body>" + para * 25000 + "</w:body></w:document>")
    assert path.stat().st_size < 2 << 20
    start = time.perf_counter()
    with pytest.raises(NoticeError, match="正文部件解压后有"):
        notice_text(path.read_bytes(), str(path))
    assert time.perf_counter() - start < 5


def test_twelve_thousand_names_in_one_role_line_are_drafted_in_bounded_time():
    import time

    names = "、".join(f"区第{i}号局" for i in range(6000)) + "、" + "、".join(f"各第{i}片区部门" for i in range(6000))
    start = time.perf_counter()
    d = draft(NOTICE_HEAD + "一、任务\n1.推进工作。\n牵头单位:" + names + "\n")
    assert (len(d.units), len(d.groups)) == (6001, 6000)      # with the issuer, the guessed supervising unit
    assert time.perf_counter() - start < 10


def test_a_notice_of_endless_items_or_deadlines_is_refused_quickly():
    import time

    for text, words in (("1.任务(牵头单位:区甲局)\n" * 6000, "6000 个编号条目"),
                        ("1.任务" + "每年3月初、" * 100000 + "(牵头单位:区甲局)", "定期期限超过 5000 处")):
        start = time.perf_counter()
        with pytest.raises(NoticeError, match=words):
            draft(text)
        assert time.perf_counter() - start < 20


# --- the commands ------------------------------------------------------------------------

def test_draft_to_standard_output_then_check_and_status_with_no_edit(cli, tmp_path):
    r = cli("draft", SOURCE)
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout.startswith("# 方案文件草稿:由 fazhi draft 根据 panyu-2016-plan.txt 起草。")
    plan = tmp_path / "plan.yaml"
    plan.write_text(r.stdout, encoding="utf-8")
    # a draft works before anyone edits it: the five collective names are one body each for now
    r = cli("check", "--plan", plan, "--data-dir", tmp_path / "data")
    assert r.exit_code == 0, r.output
    assert "任务 38 项，分项 54 个" in r.stdout
    r = cli("status", "--plan", plan, "--data-dir", tmp_path / "data", "--as-of", "2017-01-01")
    assert r.exit_code == 0, r.output
    plan.write_bytes(filled(plan.read_text(encoding="utf-8")))
    r = cli("check", "--plan", plan, "--data-dir", tmp_path / "data")
    assert r.exit_code == 0, r.output
    assert "任务 38 项，分项 54 个" in r.stdout


def test_draft_output_is_written_once_and_not_overwritten(cli, tmp_path):
    out = tmp_path / "plan.yaml"
    r = cli("draft", QINGXI, "--output", out)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"已起草 {out}：任务 6 项，分项 7 个，单位 13 个（其中待确认的单位组 2 个），定期事项 4 项\n"
                               "期限：原文写明 4 个，长期 0 个，取总体期限 3 个；可能同名的单位 1 处；督办单位（猜测）：市政府督查室\n")
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()     # a plan is shared: the umask decides, not 0600
    first = out.read_bytes()
    assert first.decode("utf-8").startswith("# 方案文件草稿")
    out.write_text("我的修改\n", encoding="utf-8")
    r = cli("draft", QINGXI, "--output", out)
    assert r.exit_code == 2 and "已存在" in one_line_error(r) and "--force" in r.stderr
    assert out.read_text(encoding="utf-8") == "我的修改\n"
    r = cli("draft", QINGXI, "--output", out, "--force")
    assert r.exit_code == 0 and out.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]      # no temporary file left


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_draft_force_never_replaces_a_device_or_a_pipe(cli, tmp_path):
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    r = cli("draft", QINGXI, "--output", fifo, "--force")
    assert r.exit_code == 2 and "不是普通文件" in one_line_error(r)
    assert fifo.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]
    r = cli("draft", QINGXI, "--output", "/dev/null", "--force")    # refused by its name before its kind
    assert r.exit_code == 2 and "/dev/null" in one_line_error(r) and os.path.exists("/dev/null")
    os.mkfifo(tmp_path / "pipe.yml")
    r = cli("draft", QINGXI, "--output", tmp_path / "pipe.yml", "--force")
    assert r.exit_code == 2 and "不是普通文件" in one_line_error(r) and (tmp_path / "pipe.yml").is_fifo()


def test_the_summary_prints_no_terminal_escapes_from_the_notice(cli, tmp_path):
    notice = tmp_path / "n.txt"
    notice.write_text(NOTICE_HEAD + "一、任务\n1.推进工作。(牵头单位:县司法局,配合单位:各镇\x1b[2J、街)\n", encoding="utf-8")
    r = cli("draft", notice, "--output", tmp_path / "p.yaml")
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout and "各镇 [2J、街" in r.stdout


def test_draft_to_a_missing_folder(cli, tmp_path):
    r = cli("draft", QINGXI, "--output", tmp_path / "no" / "plan.yaml")
    assert r.exit_code == 2 and "不存在" in one_line_error(r)


def test_draft_in_english(cli, tmp_path):
    r = cli("--lang", "en", "draft", QINGXI)
    assert r.exit_code == 0
    assert r.stdout.startswith("# A draft plan file, written by fazhi draft from qingxi-2024-tasks.txt.")
    assert "# the notice does not list who “各县市区政府” are" in r.stdout


def test_new_writes_a_template_that_check_accepts(cli, tmp_path):
    plan = tmp_path / "plan.yaml"
    r = cli("new", plan)
    assert r.exit_code == 0 and f"已写入 {plan}" in r.stdout
    r = cli("check", "--plan", plan, "--data-dir", tmp_path / "data")
    assert r.exit_code == 0, r.output
    loaded = load_plan(plan)
    assert len(loaded.tasks) == 1 and loaded.groups["各镇、街"].members == ("甲街", "乙镇")
    assert any(o.endswith("-q1") for o in loaded.obligations)
    before = plan.read_bytes()
    r = cli("new", plan)
    assert r.exit_code == 2 and plan.read_bytes() == before
    r = cli("--lang", "en", "new", tmp_path / "en.yaml")
    assert r.exit_code == 0 and load_plan(tmp_path / "en.yaml").title == loaded.title


def test_drafting_imports_nothing_the_other_commands_pay_for():
    r = run_fazhi("--version", env={"PYTHONPROFILEIMPORTTIME": "1"})
    imported = r.stderr.decode()
    assert "fazhi_cli.draft" not in imported and "docx" not in imported


def test_a_gbk_notice_through_the_command(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes((NOTICE_HEAD + "一、任务\n1.推进政务公开。(牵头单位:县政务办)\n").encode("gbk"))
    r = run_fazhi("draft", gbk, "--output", tmp_path / "p.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert load_plan(tmp_path / "p.yaml").parts["1.1"].lead == ("县政务办",)


def test_the_supervising_guess_is_the_office_not_the_body_reports_go_to(cli, tmp_path):
    # Panyu's yearly reports go to the 区人大常委会 (accountability); the office that supervises is the 区法制办
    out = tmp_path / "p.yaml"
    assert cli("draft", SOURCE, "--output", out).exit_code == 0
    assert 'supervision:\n  units: ["区法制办"]\n' in out.read_text(encoding="utf-8")


def test_check_lists_the_sets_of_units_to_confirm_without_counting_them_as_problems(tmp_path):
    d = draft(NOTICE_HEAD + """一、任务
1.甲(牵头单位:县司法局,配合单位:各乡镇、县级各有关部门)
2.乙(牵头单位:县财政局)
""")
    plan = tmp_path / "p.yaml"
    plan.write_text(to_yaml(d, "n.txt", "p.yaml"), encoding="utf-8")
    r = run_fazhi("check", "--plan", str(plan), "--data-dir", str(tmp_path / "data"))
    assert r.returncode == 0, r.stderr.decode()
    assert "待确认的单位组 2 个：各乡镇、县级各有关部门" in r.stdout.decode()
    assert "问题 0 个" in r.stdout.decode()
    r = run_fazhi("units", "--plan", str(plan), "--data-dir", str(tmp_path / "data"))
    assert r.returncode == 0 and r.stdout.decode().count("单位组(待确认)") == 2, r.stdout.decode()
    # the bundled plan names no such set: check says nothing of it
    r = run_fazhi("check", "--data-dir", str(tmp_path / "data"))
    assert r.returncode == 0 and "待确认" not in r.stdout.decode()
