"""The bundled plan against its source text, and the loader's checks."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import SOURCE, one_line_error, run_bounded
from fazhi_cli.plan import load_plan
from fazhi_cli.plan.build import parse_plan


def source_tasks():
    """The 38 numbered clauses of 二、主要创建任务, straight from the source."""
    text = SOURCE.read_text(encoding="utf-8")
    body = text[text.index("二、主要创建任务"):text.index("三、工作要求")]
    return {m[1]: m[2].strip() for m in re.finditer(r"^(\d+)\.(.*)$", body, re.M)}


def split_units(listing: str, names: set[str]) -> list[str]:
    """Read "区司法局、区人力资源和社会保障局和区法制办" as three names.

    Names are matched longest first, so a name containing 和 stays whole;
    the source's separators are 、 and 和, and one list ends in a stray 配合.
    """
    listing = listing.removesuffix("配合")
    out = []
    while listing:
        listing = listing.lstrip("、和")
        match = max((n for n in names if listing.startswith(n)), key=len, default=None)
        assert match, f"no unit name at {listing!r}"
        out.append(match)
        listing = listing[len(match):]
    return out


def source_parts():
    for tid, text in source_tasks().items():
        for i, m in enumerate(re.finditer(r"\(牵头单位:([^()]*)\)", text), 1):
            lead, _, support = m[1].partition(",配合单位:")
            yield f"{tid}.{i}", lead, support


def test_38_tasks_and_54_parts(plan):
    assert list(plan.tasks) == [str(i) for i in range(1, 39)]
    assert len(plan.parts) == 54
    assert len(list(source_parts())) == 54
    assert [len(plan.tasks[i].parts) for i in ("2", "6", "22")] == [2, 4, 3]


def test_every_part_names_the_units_the_source_names(plan):
    names = set(plan.names) | set(plan.groups)
    for pid, lead, support in source_parts():
        part = plan.parts[pid]
        assert list(part.lead) == split_units(lead, names), pid
        assert list(part.support) == split_units(support, names), pid


def test_task_texts_are_verbatim(plan):
    src = source_tasks()
    for tid, task in plan.tasks.items():
        assert task.text == src[tid]
        assert src[tid].startswith(task.title)
        for part in task.parts:
            assert part.text in src[tid], part.id


def test_section_headings_are_the_sources(plan):
    text = SOURCE.read_text(encoding="utf-8")
    body = text[text.index("二、主要创建任务"):text.index("三、工作要求")]
    headings = re.findall(r"^\((.)\)(.*)$", body, re.M)
    assert [(s.id, s.heading) for s in plan.sections] == headings
    assert len(plan.sections) == 8


def test_the_three_dated_deadlines(plan):
    assert plan.target == date(2018, 12, 31)
    assert plan.parts["2.2"].due == date(2016, 12, 31)
    assert plan.parts["7.1"].due == date(2017, 12, 31)
    others = {p.due for pid, p in plan.parts.items() if pid not in ("2.2", "7.1")}
    assert others == {date(2018, 12, 31)}
    text = SOURCE.read_text(encoding="utf-8")
    for pid in ("2.2", "7.1"):
        assert plan.parts[pid].due_source in text


def test_metadata(plan):
    assert plan.title == "番禺区创建珠三角法治政府示范区工作方案"
    assert plan.number == "番府办〔2016〕60号"
    assert plan.issuer == "番禺区人民政府办公室"
    assert (plan.signed, plan.published) == (date(2016, 8, 15), date(2016, 8, 19))
    text = SOURCE.read_text(encoding="utf-8")
    for value in (plan.title, plan.number, plan.issuer):
        assert value in text


def test_units_and_groups(plan):
    assert plan.resolve_unit("区公安分局") == "区公安局"
    assert plan.parts["20.1"].lead_units == ("区检察院", "区公安局", "区法制办")
    towns = plan.groups["各镇、街"].members
    assert len(towns) == 16 and "石楼镇" in towns and "小谷围街" in towns
    assert {"广州大学城管委会", "广州南站地区管委会"} <= set(plan.units)
    role = plan.groups["行政决策起草和主办部门"]
    assert role.role and role.note and "区法制办" in role.members
    # every unit name the source uses in a lead or support list is defined
    text = SOURCE.read_text(encoding="utf-8")
    for unit in plan.units.values():
        if unit.kind not in ("subdistrict", "town", "other"):
            assert unit.name in text, unit.name


def test_support_units_exclude_the_leads(plan):
    part = plan.parts["1.1"]
    assert part.lead_units == ("区编办", "区法制办")
    assert "区编办" not in part.support_units and "石楼镇" in part.support_units


def test_recurring_duties(plan):
    ob = plan.obligations
    assert ob["plan-2017"].due == date(2017, 3, 10)
    assert ob["summary-2016"].due == date(2017, 3, 10)
    assert ob["summary-2018"].due == date(2019, 3, 10)
    assert "plan-2016" not in ob and "plan-2019" not in ob
    assert ob["report-2017"].units == ("区法制办",) and ob["report-2017"].task == "25"
    assert ob["catalogue-2018"].units == ("区政府办", "区监察局", "区法制办")
    leads = {u for p in plan.parts.values() for u in p.lead_units}
    assert set(ob["summary-2017"].units) == leads
    assert "区财政局" in leads and "区审计局" in leads  # 区审计局 leads 26.2 as one of 区政府各部门


def test_early_march_is_one_setting(plan_text):
    edited = plan_text.replace('early_march: "03-10"', 'early_march: "03-05"')
    plan = parse_plan(edited.encode(), "edited.yaml")
    assert plan.obligations["plan-2018"].due == date(2018, 3, 5)
    assert plan.obligations["summary-2017"].due == date(2018, 3, 5)


def test_another_district_loads_with_plan(tmp_path, plan_text, cli):
    other = tmp_path / "other.yaml"
    other.write_text(plan_text.replace("title: 番禺区创建珠三角法治政府示范区工作方案", "title: 某区法治政府建设方案", 1),
                     encoding="utf-8")
    assert load_plan(other).title == "某区法治政府建设方案"
    result = cli("show", "7", "--plan", other)
    assert result.exit_code == 0, result.output
    result = cli("check", env={"FAZHI_PLAN": str(other), "FAZHI_HOME": str(tmp_path / "d")})
    assert result.exit_code == 0 and "other.yaml" in result.stdout


# --- mistakes in plan files ----------------------------------------------------

def _line_of(text: str, needle: str, nth: int = 1) -> int:
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return text.count("\n", 0, pos) + 1


def _first_lead(text: str) -> str:
    return text[text.index("lead: ["):].split("\n", 1)[0]


BAD_PLANS = {
    # name: (edit(text) -> text, the line the message must name (text -> int), words in the message)
    "syntax": (lambda s: s.replace("  title: 番禺区", "  title: [番禺区", 1),
               lambda s: _line_of(s, "title: [番禺区"), "YAML"),   # where the [ was opened
    "duplicate key": (lambda s: s.replace("  number: 番府办", "  title: again\n  number: 番府办", 1),
                      lambda s: _line_of(s, "title: again"), "重复的键"),
    "duplicate task id": (lambda s: s.replace('  - id: "2"\n', '  - id: "1"\n', 1),
                          lambda s: _line_of(s, '  - id: "1"\n', 2), "重复的任务编号"),
    "duplicate part id": (lambda s: s.replace('- id: "2.2"', '- id: "2.1"', 1),
                          lambda s: _line_of(s, '- id: "2.1"', 2), "重复的分项编号"),
    "unknown unit": (lambda s: s.replace("lead: [区编办, 区法制办]", "lead: [区编辦, 区法制办]", 1),
                     lambda s: _line_of(s, "区编辦"), "区编办"),
    "malformed date": (lambda s: s.replace('due: "2017-12-31"', 'due: "2017-02-30"', 1),
                       lambda s: _line_of(s, "2017-02-30"), "日期无效"),
    "missing field": (lambda s: s.replace('    section: 一\n', '', 1),
                      lambda s: _line_of(s, '  - id: "1"'), "section"),
    "anchor and alias": (lambda s: s.replace("lead: [区编办]", "lead: &x [区编办]", 1)
                         .replace("support: [区法制办]", "support: *x", 1),
                         lambda s: _line_of(s, "lead: &x"), "别名"),
    "python tag": (lambda s: s.replace("  issuer: 番禺区人民政府办公室", "  issuer: !!python/object/apply:os.system [\"echo hi\"]", 1),
                   lambda s: _line_of(s, "!!python"), "标签"),
    "tab indent": (lambda s: s.replace("\n  number:", "\n\tnumber:", 1),
                   lambda s: _line_of(s, "\tnumber:"), "YAML"),
    "unknown field": (lambda s: s.replace("        support: [区法制办]", "        suport: [区法制办]", 1),
                      lambda s: _line_of(s, "suport:"), "support"),
    "year out of range": (lambda s: s.replace("years: [2017, 2018]", "years: [2017, 99999]", 1),
                          lambda s: _line_of(s, "99999"), "1949"),
    "year zero": (lambda s: s.replace("years: [2017, 2018]", "years: [0, 2018]", 1),
                  lambda s: _line_of(s, "years: [0,"), "1949"),
    "superscript year": (lambda s: s.replace("years: [2017, 2018]", 'years: ["³", 2018]', 1),
                         lambda s: _line_of(s, "³"), "整数"),
    "superscript warn_days": (lambda s: s.replace("warn_days: 30", 'warn_days: "²"', 1),
                              lambda s: _line_of(s, "warn_days: \""), "整数"),
    "warn_days over ten years": (lambda s: s.replace("warn_days: 30", "warn_days: 99999", 1),
                                 lambda s: _line_of(s, "warn_days: 99999"), "3660"),
    "part id with a superscript": (lambda s: s.replace('- id: "1.1"', '- id: "1.²"', 1),
                                   lambda s: _line_of(s, '- id: "1.²"'), "分项编号"),
}

# Unit names that are devices on Windows or hide invisible marks, each added as a new unit.
# The invisible ones are written as YAML escapes ("\u2028") inside double quotes.
for _name, _yaml in {"COM¹": "COM¹", "LPT²": "LPT²", "CON .x": '"CON .x"', "U+2028": r'"区\u2028法"',
                     "U+061C": r'"区\u061c法"', "U+FEFF": r'"区\ufeff法"', "U+200B": r'"区\u200b法"',
                     "U+2066": r'"区\u2066法"'}.items():
    BAD_PLANS[f"unit name {_name}"] = (
        lambda s, y=_yaml: s.replace("\nunits:\n", f"\nunits:\n  - name: {y}\n    kind: other\n", 1),
        lambda s, y=_yaml: _line_of(s, f"  - name: {y}\n"), "name")


@pytest.mark.parametrize("name", BAD_PLANS)
def test_each_plan_mistake_names_file_and_line(name, tmp_path, plan_text, cli):
    edit, line_of, words = BAD_PLANS[name]
    bad_text = edit(plan_text)
    assert bad_text != plan_text
    bad = tmp_path / "bad.yaml"
    bad.write_text(bad_text, encoding="utf-8")
    result = cli("check", "--plan", bad)
    assert result.exit_code == 1
    from conftest import one_line_error

    last = one_line_error(result)
    # the mistake is said once: a syntax error alone on stderr, a list of
    # problems on stdout with a count on stderr
    said = [ln for ln in (result.stdout + result.stderr).splitlines() if f"{bad}:{line_of(bad_text)}" in ln]
    assert len(said) == 1, result.output
    assert words in said[0], said[0]
    if result.stdout:
        assert "问题" in last and str(bad) not in last, last


def test_did_you_mean_for_a_misspelt_unit(tmp_path, plan_text, cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text(plan_text.replace("lead: [区编办, 区法制办]", "lead: [区编辦, 区法制办]", 1), encoding="utf-8")
    result = cli("show", "1", "--plan", bad)
    assert result.exit_code == 1
    assert "是否要写：区编办" in result.stderr


def test_invalid_utf8_names_the_line(tmp_path, plan_text, cli):
    data = plan_text.encode("utf-8")
    pos = data.index("title: 番禺区".encode())
    bad = tmp_path / "gbk.yaml"
    bad.write_bytes(data[:pos] + "title: 番禺区".encode("gbk") + data[pos + len("title: 番禺区".encode()):])
    result = cli("check", "--plan", bad)
    assert result.exit_code == 1
    assert f"{bad}:{plan_text[:plan_text.index('title: 番禺区')].count(chr(10)) + 1}:" in result.stderr
    assert "UTF-8" in result.stderr


def test_oversized_file_is_refused_before_parsing(tmp_path, cli):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (110 * 1024))
    result = cli("check", "--plan", big)
    assert result.exit_code == 1
    assert str(big) in result.stderr and "1 MiB" in result.stderr


def test_missing_plan_file(tmp_path, cli):
    result = cli("check", "--plan", tmp_path / "nope.yaml")
    assert result.exit_code == 1 and "找不到方案文件" in result.stderr


def test_errors_in_english(tmp_path, cli):
    result = cli("--lang", "en", "check", "--plan", tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "plan file not found" in result.stderr


def test_check_lists_every_independent_mistake(tmp_path, plan_text, cli):
    bad_text = (plan_text.replace("lead: [区编办, 区法制办]", "lead: [区编辦, 区法制办]", 1)
                .replace('due: "2017-12-31"', 'due: "2017-02-30"', 1)
                .replace("    kind: judicial", "    kind: court", 1))
    bad = tmp_path / "bad.yaml"
    bad.write_text(bad_text, encoding="utf-8")
    r = cli("check", "--plan", bad)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert [ln.split(": ")[0] for ln in lines] == [
        f"{bad}:{_line_of(bad_text, 'kind: court')}",
        f"{bad}:{_line_of(bad_text, '区编辦')}",
        f"{bad}:{_line_of(bad_text, '2017-02-30')}",
    ]
    other = cli("status", "--plan", bad)
    assert other.exit_code == 1
    from conftest import one_line_error

    assert "另有 2 个问题" in one_line_error(other)


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "symlink to /dev/zero"])
def test_a_plan_that_is_not_a_regular_file_is_one_clear_line(kind, tmp_path):
    if kind == "/dev/zero":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "plan.yaml"
        os.mkfifo(path) if kind == "fifo" else path.symlink_to("/dev/zero")
    for command in ("check", "status", "due"):
        result = run_bounded(command, "--plan", path, env={"FAZHI_HOME": str(tmp_path / "data")})
        assert result.returncode == 1, result.stderr
        line = one_line_error(result)
        assert f"{path}: 不是普通文件" in line, line
    assert not (tmp_path / "data").exists()


def test_escapes_in_the_list_of_plan_problems_stay_inert(tmp_path, plan_text, cli):
    bad_text = (plan_text.replace('  - id: "7"\n    section: 二\n', '  - id: "7\\e[2J\\e]0;pwned\\a"\n    section: 九\n', 1)
                .replace("    kind: judicial", "    kind: court", 1))
    assert bad_text != plan_text
    bad = tmp_path / "bad.yaml"
    bad.write_text(bad_text, encoding="utf-8")
    r = cli("check", "--plan", bad)
    assert r.exit_code == 1
    # three independent mistakes: the unit kind, the id's control characters, the undefined section
    assert len(r.stdout.splitlines()) == 3
    assert "7\\x1b[2J\\x1b]0;pwned\\x07" in r.stdout and "None" not in r.stdout
    for raw in ("\x1b", "\x07"):
        assert raw not in r.stdout and raw not in r.stderr


# --- check helps a person fix the file -----------------------------------------

def _check(cli, tmp_path, text: str, *args: str):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    return bad, cli(*args, "check", "--plan", bad)


def test_a_duplicate_key_is_reported_with_a_missing_section_list(tmp_path, plan_text, cli):
    text = (plan_text.replace("\nsections:\n", "\nchapters:\n", 1)
            .replace("  number: 番府办", "  title: again\n  number: 番府办", 1))
    bad, r = _check(cli, tmp_path, text)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert [ln.split(": ", 1)[0] for ln in lines] == [
        f"{bad}:{_line_of(text, 'schema: 1')}",      # the file lacks `sections` (said where its content starts)
        f"{bad}:{_line_of(text, 'title: again')}",   # and, independently, plan: has `title` twice
        f"{bad}:{_line_of(text, 'chapters:')}",      # and a field no plan has
    ]
    assert "'sections'" in lines[0] and "重复的键 'title'" in lines[1] and "'chapters'" in lines[2]
    # 38 tasks name sections that cannot be known: no error for each of them
    assert "未在 sections 中定义" not in r.stdout


def test_errors_come_sorted_by_line(tmp_path, plan_text, cli):
    # recurring duties are read after the tasks but written before them
    text = (plan_text.replace("lead: [区编办, 区法制办]", "lead: [区编辦, 区法制办]", 1)
            .replace("due_year: next", "due_year: later", 1)
            .replace("    kind: judicial", "    kind: court", 1))
    bad, r = _check(cli, tmp_path, text)
    numbers = [int(ln.split(":")[1]) for ln in r.stdout.splitlines()]
    assert numbers == sorted(numbers) and len(numbers) == 3
    assert numbers == [_line_of(text, "kind: court"), _line_of(text, "due_year: later"), _line_of(text, "区编辦")]


def test_an_unknown_field_in_a_unit_does_not_undefine_it(tmp_path, plan_text, cli):
    text = plan_text.replace("    full_name: 番禺区机构编制委员会办公室\n", "    fullname: 番禺区机构编制委员会办公室\n", 1)
    bad, r = _check(cli, tmp_path, text)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"{bad}:{_line_of(text, 'fullname:')}: 单位 中有未知字段 'fullname'，是否要写：full_name、name？"]


def test_faulty_definitions_are_reported_once_not_at_every_use(tmp_path, plan_text, cli):
    text = (plan_text.replace("  - name: 各镇、街\n    members: [市桥街,", "  - name: 各镇、街\n    members: [市侨街,", 1)
            .replace('early_march: "03-10"', 'early_march: "3月初"', 1)
            .replace("lead: [区法制办]\n        support: [区政府有关部门]\n        due: \"2018-12-31\"\n"
                     "        due_source: 到2018年底,我区基本建成……法治政府\n  - id: \"26\"",
                     "lead: [区法治办]\n        support: [区政府有关部门]\n        due: \"2018-12-31\"\n"
                     "        due_source: 到2018年底,我区基本建成……法治政府\n  - id: \"26\"", 1))
    assert text.count("区法治办") == 1   # part 25.1, which the yearly report duty refers to
    bad, r = _check(cli, tmp_path, text)
    lines = r.stdout.splitlines()
    assert len(lines) == 3, r.stdout
    assert "市侨街" in lines[1] and "early_march" in lines[0] and "区法治办" in lines[2]
    # not: "各镇、街 is not a defined group" at each of its 40 uses, "due should be MM-DD"
    # for the two duties due early_march, nor "unknown part 25.1"


def test_a_group_with_no_members_must_be_filled_in(tmp_path, plan_text, cli):
    start = plan_text.index("  - name: 各镇、街\n    members: [")
    end = plan_text.index("\n", start + len("  - name: 各镇、街\n"))
    text = plan_text[:start] + "  - name: 各镇、街\n    members: []" + plan_text[end:]
    bad, r = _check(cli, tmp_path, text)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"{bad}:{_line_of(text, 'members: []')}: 单位组 各镇、街 还没有成员：请在 members 中列出它包含的单位（每个单位先在 units 中定义）"]


def test_a_part_must_belong_to_its_task(tmp_path, plan_text, cli):
    text = plan_text.replace('- id: "4.1"', '- id: "3.1"', 1)
    bad, r = _check(cli, tmp_path, text)
    line = _line_of(text, '- id: "3.1"', 2)
    assert r.stdout.splitlines() == [
        f"{bad}:{line}: 分项编号 '3.1' 不属于任务 4（任务 4 的分项应写成 4.1、4.2……）"]


def test_a_deadline_before_the_plan_was_signed(tmp_path, plan_text, cli):
    text = plan_text.replace('due: "2016-12-31"', 'due: "2016-06-30"', 1).replace("years: [2017, 2018]",
                                                                                 "years: [2016, 2017, 2018]", 1)
    bad, r = _check(cli, tmp_path, text)
    assert r.stdout.splitlines() == [
        f"{bad}:{_line_of(text, 'years: [2016, 2017, 2018]')}: plan-2016 的期限 2016-03-10 早于方案印发日期 2016-08-15"
        "(plan.signed)，请核对",
        f"{bad}:{_line_of(text, '2016-06-30')}: 2.2 的期限 2016-06-30 早于方案印发日期 2016-08-15(plan.signed)，请核对",
    ]


def test_one_problem_is_printed_once(tmp_path, plan_text, cli):
    bad, r = _check(cli, tmp_path, plan_text.replace("    kind: judicial", "    kind: court", 1))
    assert r.exit_code == 1
    assert r.stdout.count("court") == 1 and "court" not in r.stderr
    assert r.stderr == "错误：方案文件有 1 个问题，已逐条列出如上；改正后再运行 fazhi check\n"


YAML_MISTAKES = {
    "tab": (lambda s: s.replace("\n  number:", "\n\tnumber:", 1), "\tnumber:", "制表符（Tab）", "a tab character"),
    "indentation": (lambda s: s.replace("\n  number:", "\n   number:", 1), "   number:", "缩进不对",
                    "indented wrongly"),
    "dedent": (lambda s: s.replace("\n  number:", "\n number:", 1), " number:", "缩进不一致",
               "inconsistent indentation"),
    "unclosed list": (lambda s: s.replace("lead: [区编办]", "lead: [区编办", 1), "lead: [区编办\n", "方括号",
                      "list is not closed"),
    "backslash": (lambda s: s.replace('heading: "深化', 'heading: "\\q深化', 1), '"\\q深化', "反斜杠",
                  "backslash"),
}


@pytest.mark.parametrize("name", YAML_MISTAKES)
def test_yaml_syntax_errors_are_explained(name, tmp_path, plan_text, cli):
    edit, needle, zh, en = YAML_MISTAKES[name]
    text = edit(plan_text)
    bad, r = _check(cli, tmp_path, text)
    assert r.exit_code == 1 and r.stdout == ""
    from conftest import one_line_error

    line = one_line_error(r)
    assert f"{bad}:{_line_of(text, needle)}:" in line and "YAML 语法错误" in line and zh in line, line
    bad, r = _check(cli, tmp_path, text, "--lang", "en")
    assert "YAML syntax error" in r.stderr and en in r.stderr, r.stderr


@pytest.mark.parametrize("libyaml", [True, False])
def test_tabs_and_control_characters_with_and_without_libyaml(libyaml, monkeypatch, plan_text):
    import yaml

    if not libyaml:
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    from fazhi_cli.errors import PlanError

    with pytest.raises(PlanError) as e:
        parse_plan(plan_text.replace("\n  number:", "\n\tnumber:", 1).encode(), "p.yaml")
    assert e.value.message.startswith(f"p.yaml:{_line_of(plan_text, '  number:')}:") and "制表符" in e.value.message
    with pytest.raises(PlanError) as e:
        parse_plan(plan_text.replace("  number: 番府办", "  number: \x07番府办", 1).encode(), "p.yaml")
    assert e.value.message.startswith(f"p.yaml:{_line_of(plan_text, '  number:')}:"), e.value.message
    assert "控制字符 #x0007" in e.value.message


# --- quarterly and monthly duties ---------------------------------------------------

QUARTERLY = '''
  - id: progress
    title: 工作进展情况
    source: 每季度最后一个月的30日前报送工作进展情况
    units: [区法制办]
    every: quarter
    years: [2016, 2017]
    due: "03-30"
  - id: stats
    title: 统计报表
    source: 每月28日前报送统计报表
    units: [区编办, 各镇、街]
    every: month
    years: [2017]
    due: "28"
  - id: digest
    title: 执法情况汇总
    source: 次月5日前报送上月执法情况
    part: "19.1"
    every: month
    years: [2018]
    due: "02-05"
'''


def _with_duties(plan_text: str, duties: str) -> str:
    return plan_text.replace("\ntasks:\n", duties + "\ntasks:\n", 1)


def test_quarterly_and_monthly_duties(plan_text):
    plan = parse_plan(_with_duties(plan_text, QUARTERLY).encode(), "p.yaml")
    ob = plan.obligations
    # signed 2016-08-15: the first two quarters of 2016 are not owed
    assert [o for o in ob if o.startswith("progress-")] == [
        "progress-2016-q3", "progress-2016-q4", "progress-2017-q1", "progress-2017-q2", "progress-2017-q3",
        "progress-2017-q4"]
    assert ob["progress-2016-q3"].due == date(2016, 9, 30)
    assert ob["progress-2017-q1"].due == date(2017, 3, 30)
    assert ob["progress-2017-q1"].title == "2017年第1季度工作进展情况" and ob["progress-2017-q1"].year == 2017
    assert len([o for o in ob if o.startswith("stats-")]) == 12
    assert ob["stats-2017-02"].due == date(2017, 2, 28) and ob["stats-2017-02"].title == "2017年2月统计报表"
    assert len(ob["stats-2017-05"].units) == 17       # 区编办 and the 16 towns and subdistricts
    # "次月5日前": the 5th of the following month; December's falls in the next year
    assert ob["digest-2018-01"].due == date(2018, 2, 5) and ob["digest-2018-12"].due == date(2019, 1, 5)
    assert ob["digest-2018-03"].units == plan.parts["19.1"].lead_units and ob["digest-2018-03"].task == "19"
    # the yearly ones keep their ids
    assert ob["summary-2017"].due == date(2018, 3, 10)


def test_a_day_past_the_month_end_is_its_last_day(plan_text):
    duty = QUARTERLY.split("  - id: stats")[0].replace('due: "03-30"', 'due: "02-31"').replace("[2016, 2017]", "[2020]")
    ob = parse_plan(_with_duties(plan_text, duty).encode(), "p.yaml").obligations
    assert [ob[f"progress-2020-q{n}"].due for n in (1, 2, 3, 4)] == [
        date(2020, 2, 29), date(2020, 5, 31), date(2020, 8, 31), date(2020, 11, 30)]


@pytest.mark.parametrize("edit,words", [
    (lambda d: d.replace("every: quarter", "every: week"), "every 应为 year、quarter 或 month"),
    (lambda d: d.replace('due: "03-30"', 'due: "13-01"'), "MM 从本期第一个月算起"),
    (lambda d: d.replace('due: "28"', 'due: "3月28日"'), "按月事项也可只写日"),
    (lambda d: d.replace('due: "03-30"', 'due: "03-30"\n    due_year: next'), "due_year 只用于每年一次的事项"),
])
def test_mistakes_in_periodic_duties(edit, words, tmp_path, plan_text, cli):
    bad, r = _check(cli, tmp_path, _with_duties(plan_text, edit(QUARTERLY)))
    assert r.exit_code == 1
    assert len(r.stdout.splitlines()) == 1 and words in r.stdout, r.stdout


def test_periodic_duties_survive_the_cache(tmp_path, monkeypatch, plan_text):
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "p.yaml"
    path.write_text(_with_duties(plan_text, QUARTERLY), encoding="utf-8")
    first = load_plan(path)
    assert list((tmp_path / "cache").glob("plan-*.json"))
    assert load_plan(path) == first and "stats-2017-12" in first.obligations
