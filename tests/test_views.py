"""Views that add up: every header counts its rows, a unit's view is its own, duties are items."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rich.cells import cell_len

from conftest import one_line_error, run_fazhi

AS_OF = "2019-03-11"
LABELS = {
    "zh": {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "done": "已完成", "late": "逾期完成",
           "doing": "进行中", "support": "配合单位已启动", "todo": "未开始"},
    "en": {"red": "red", "yellow": "yellow", "green": "green", "done": "done", "late": "done late",
           "doing": "doing", "support": "support started", "todo": "to do"},
}


@pytest.fixture
def campaign(cli, home):
    """A realistic campaign, 2016-09 to 2019-03: on time, late, partial, support only, duties."""
    marks = [
        ["2.2", "-u", "区编办", "--on", "2016-12-20"],                   # on time
        ["2.1", "-u", "区编办", "--on", "2017-02-01"],
        ["7", "-u", "区法制办", "--on", "2018-01-15"],                    # late (due 2017-12-31)
        ["19.1", "-u", "区法制办", "--on", "2018-06-01"],
        ["6.1", "-u", "区编办", "--on", "2017-05-01"],                    # one of several leads
        ["6.2", "-u", "区财政局", "--on", "2017-05-01", "--state", "doing"],   # support only
        ["27", "-u", "石楼镇", "--on", "2017-05-01"],                      # one member of a lead group
        ["plan-2017", "-u", "区检察院", "--on", "2017-03-01"],             # a duty on time
        ["plan-2017", "-u", "区编办", "--on", "2017-04-20"],               # and late
        ["summary-2017", "-u", "区政务办", "--on", "2018-03-01"],
        ["report-2017", "-u", "区法制办", "--on", "2017-12-20"],
    ]
    for args in marks:
        r = cli("mark", *args)
        assert r.exit_code == 0, (args, r.output)
    return home


# --- reading a plain export back ------------------------------------------------------

def plain_table(text: str) -> tuple[list[str], list[str], list[list[str]]]:
    """(context lines, headers, rows) of a plain export."""
    lines = text.splitlines()
    rule = next((i for i, line in enumerate(lines) if line.startswith("---")), None)
    if rule is None:                                  # an empty result: its lines say so, no table
        return [x for x in lines if x.strip()], [], []
    context = [x for x in lines[:rule - 1] if x.strip()]
    cut = lambda line: re.split(r"\s{2,}", line.strip())  # noqa: E731 - tabulate pads columns by display width
    return context, cut(lines[rule - 1]), [cut(x) for x in lines[rule + 1:] if x.strip()]


def numbers(line: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", re.sub(r"\d{4}-\d{2}-\d{2}", "", line))]


def column(headers, rows, *names):
    i = next(i for i, h in enumerate(headers) if h in names)
    return [r[i] for r in rows]


def tally(values, lang):
    # a done claim carries its review: 已完成·待审核, done late (closed out)
    lab = LABELS[lang]
    bare = [re.sub(r"·.*| \((awaiting review|closed out)\)$", "", v) for v in values]
    return {k: sum(1 for v in bare if v == lab[k]) for k in lab}


VIEWS = [
    ("status",), ("status", "--parts"), ("status", "--light", "red"), ("status", "--light", "yellow"),
    ("status", "--light", "green"), ("status", "--section", "2"), ("status", "--section", "5", "--light", "red"),
    ("status", "--unit", "区政务办"), ("status", "--unit", "石楼镇", "--light", "red"), ("status", "--duties"),
    ("status", "--duties", "--light", "red"), ("status", "--task", "plan-2017"),
    ("due",), ("due", "--all"), ("due", "--unit", "区政务办", "--all"), ("due", "--unit", "区编办"),
    ("due", "--within", "3650"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("view", VIEWS, ids=lambda v: " ".join(v))
def test_every_header_counts_its_rows(cli, campaign, view, lang):
    r = cli("--lang", lang, *view, "--as-of", AS_OF, "-f", "plain")
    assert r.exit_code == 0, r.output
    context, headers, rows = plain_table(r.stdout)
    if not rows:
        count_line = context[2] if view[0] == "status" else context[1]
        assert numbers(count_line)[0] == 0 and context[-1].startswith(("没有", "no ", "nothing")), context
        return
    light = column(headers, rows, "灯", "Light") if view[0] == "status" and "--task" not in view else None
    if view[0] == "due":
        head = numbers(context[1])                     # after the plan's title
        lights = column(headers, rows, "灯", "Light")
        states = column(headers, rows, "状态", "State")
        red = sum(1 for x in lights if x == LABELS[lang]["red"])
        done = [s for s in states if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s)]   # a done item shows its date
        if "--all" in view:
            assert head[0] == len(rows) and head[1] == len(done) and head[-2] == len(rows) - len(done)
            assert head[-1] == red
        else:
            assert head == [len(rows), red] and not done
        return
    if "--task" in view:                                     # 报送情况 of one duty
        head = numbers(context[-1])
        how = column(headers, rows, "报送情况", "Submitted")
        assert head[0] == len(rows)
        assert head[1] == how.count("按时" if lang == "zh" else "on time")
        assert head[3] == how.count("未报" if lang == "zh" else "not yet")
        assert head[2] == len(rows) - head[1] - head[3]
        return
    if "--unit" in view:
        head = numbers(next(x for x in context if x.startswith(("区", "石"))))
        states = tally(column(headers, rows, "本单位", "Own state"), lang)
        lights = tally(light, lang)
        roles = column(headers, rows, "职责", "Role")
        n, lead, support = head[0], head[1], head[2]
        assert n == len(rows) and lead == roles.count(LABELS[lang] and ("牵头" if lang == "zh" else "lead"))
        assert support == n - lead
        assert head[3] == states["done"] + states["late"] and head[-2:] == [lights["red"], lights["yellow"]]
        return
    parts_line = next(x for x in context if re.match(r"(分项|年度事项|红灯分项|黄灯分项|绿灯分项|\d+ )", x))
    head = numbers(parts_line)
    st = column(headers, rows, "状态", "State")
    states, lights = tally(st, lang), tally(light, lang)
    if "--parts" in view or "--light" in view or "--duties" in view:
        n = len(rows)
    else:                                                     # the task table: its own line, then parts
        tasks_line = next(x for x in context if x.startswith(("任务", )) or re.match(r"\d+ tasks", x))
        t_head = numbers(tasks_line)
        assert t_head[0] == len(rows)
        assert t_head[-3:] == [lights["red"], lights["yellow"], lights["green"]]
        r2 = cli("--lang", lang, *view, "--parts", "--as-of", AS_OF, "-f", "plain")
        _, headers, rows = plain_table(r2.stdout)
        st = column(headers, rows, "状态", "State")
        states, lights = tally(st, lang), tally(column(headers, rows, "灯", "Light"), lang)
        n = len(rows)
    done = states["done"] + states["late"]
    assert head[0] == n, (parts_line, n)
    assert head[1] == done
    if states["late"]:
        assert head[2] == states["late"]
    assert head[-3:] == [lights["red"], lights["yellow"], lights["green"]], parts_line
    doing = states["doing"] + states["support"]
    assert doing in head and states["todo"] in head


@pytest.mark.parametrize("view", [v for v in VIEWS if "--task" not in v], ids=lambda v: " ".join(v))
def test_json_summaries_count_their_rows(cli, campaign, view):
    doc = json.loads(cli(*view, "--as-of", AS_OF, "-f", "json").stdout)
    if view[0] == "due":
        items = doc["items"]
        s = doc["summary"]
        assert s["items"] == len(items) and s["done"] == sum(i["state"] == "done" for i in items)
        assert s["red"] == sum(i["light"] == "red" for i in items)
        assert s["done_late"] == sum(i["late"] for i in items)
        return
    if "--duties" in view:
        rows, s = doc["duties"], doc["summary"]
    elif "--unit" in view:
        rows, s = doc["items"], doc["own_summary"]
    else:
        rows, s = [p for t in doc["tasks"] for p in t["parts"]], doc["summary"]
    assert s["parts"] == len(rows)
    for key in ("done", "doing", "todo"):
        assert s[key] == sum(r["state"] == key for r in rows), key
    for key in ("red", "yellow", "green"):
        assert s[key] == sum(r["light"] == key for r in rows), key
    assert s["done_late"] == sum(r["state"] == "done" and r["late"] for r in rows)


def test_the_light_filter_works_on_parts(cli, campaign):
    red = json.loads(cli("status", "--light", "red", "--as-of", AS_OF, "-f", "json").stdout)
    green = json.loads(cli("status", "--light", "green", "--as-of", AS_OF, "-f", "json").stdout)
    red_ids = {p["id"] for t in red["tasks"] for p in t["parts"]}
    green_ids = {p["id"] for t in green["tasks"] for p in t["parts"]}
    assert "2.2" in green_ids and "2.1" in green_ids        # done parts of task 2 ...
    assert "2.2" not in red_ids and not red_ids & green_ids  # ... are not in the red list
    assert len(red_ids) + len(green_ids) == 54               # past the target nothing is yellow


# --- a unit's view is that unit's ---------------------------------------------------------

def test_a_units_view_lights_by_its_own_state(cli, campaign):
    doc = json.loads(cli("due", "--unit", "区检察院", "--all", "--as-of", AS_OF, "-f", "json").stdout)
    plan_2017 = next(i for i in doc["items"] if i["id"] == "plan-2017")
    assert (plan_2017["state"], plan_2017["light"], plan_2017["late"], plan_2017["units"]) == \
        ("done", "green", False, [])
    everyone = json.loads(cli("due", "--all", "--as-of", AS_OF, "-f", "json").stdout)
    assert next(i for i in everyone["items"] if i["id"] == "plan-2017")["light"] == "red"
    own = json.loads(cli("status", "--unit", "区编办", "--as-of", AS_OF, "-f", "json").stdout)
    late_duty = next(i for i in own["items"] if i["id"] == "plan-2017")
    assert (late_duty["state"], late_duty["late"], late_duty["done_on"]) == ("done", True, "2017-04-20")


def test_fazhi_unit_applies_to_due_and_log(cli, campaign, monkeypatch):
    monkeypatch.setenv("FAZHI_UNIT", "区法制办")
    due = json.loads(cli("due", "--all", "--as-of", AS_OF, "-f", "json").stdout)
    assert due["unit"] == "区法制办" and all(i["units"] in ([], ["区法制办"]) for i in due["items"])
    log = json.loads(cli("log", "-f", "json").stdout)["events"]
    assert log and {e["unit"] for e in log} == {"区法制办"}
    everyone = json.loads(cli("log", "--all-units", "-f", "json").stdout)["events"]
    assert len({e["unit"] for e in everyone}) > 1


# --- yearly duties are items ----------------------------------------------------------------

def test_yearly_duties_in_status_show_and_log(cli, campaign):
    table = cli("status", "--as-of", AS_OF, env={"COLUMNS": "120"}).stdout
    assert "年度事项 11 项" in table
    detail = cli("status", "--task", "plan-2017", "--as-of", AS_OF, "-f", "plain").stdout
    assert "应报 37 个单位：按时 1，逾期 1，未报 35" in detail
    assert "逾期 41 天" in detail and "2017-04-20" in detail
    shown = cli("show", "plan-2017", "-f", "json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["due"] == "2017-03-10"
    log = json.loads(cli("log", "--task", "plan-2017", "-f", "json").stdout)["events"]
    assert sorted(e["unit"] for e in log) == ["区检察院", "区编办"]
    duties = json.loads(cli("status", "--duties", "--as-of", AS_OF, "-f", "json").stdout)["duties"]
    d = next(x for x in duties if x["id"] == "plan-2017")
    assert (d["on_time"], d["late_units"], len(d["missing"])) == (["区检察院"], ["区编办"], 35)
    report = next(x for x in duties if x["id"] == "report-2017")
    assert (report["state"], report["late"], report["done_on"]) == ("done", False, "2017-12-20")


def test_group_led_parts_show_lead_progress_and_support_only(cli, campaign):
    doc = json.loads(cli("status", "--task", "27", "--as-of", AS_OF, "-f", "json").stdout)
    p = doc["tasks"][0]["parts"][0]
    assert (p["lead_done"], p["lead_total"]) == (1, 34)
    plain = cli("status", "--task", "27", "--as-of", AS_OF, "-f", "plain").stdout
    assert "牵头 1/34" in plain
    six = json.loads(cli("status", "--task", "6", "--as-of", AS_OF, "-f", "json").stdout)["tasks"][0]["parts"]
    assert [(x["id"], x["state"], x["support_only"]) for x in six][:2] == [("6.1", "doing", False),
                                                                          ("6.2", "doing", True)]
    table = cli("status", "--parts", "--section", "1", "--as-of", AS_OF, env={"COLUMNS": "160"}).stdout
    assert "配合单位已启动" in table


def test_each_part_speaks_for_itself(cli):
    doc = json.loads(cli("status", "--parts", "-f", "json").stdout)
    titles = {p["id"]: p["title"] for t in doc["tasks"] for p in t["parts"]}
    assert len({titles[f"6.{i}"] for i in range(1, 5)}) == 4
    assert len({titles[f"22.{i}"] for i in range(1, 4)}) == 3
    assert titles["2.2"] == "基本完成权责清单的公布" and titles["7.1"] == "加强规范性文件管理"


# --- tables a clerk reads ---------------------------------------------------------------

UNIT_NAMES = ["区人力资源和社会保障局", "区文化广电新闻出版局", "区城市管理运行指挥中心", "行政决策起草和主办部门"]


@pytest.mark.parametrize("width", [60, 80, 120, 160])
@pytest.mark.parametrize("view", [("status",), ("status", "--parts"), ("due", "--all"), ("status", "--task", "6"),
                                  ("status", "--unit", "区人力资源和社会保障局")])
def test_no_unit_name_is_split_and_nothing_overflows(cli, campaign, width, view):
    r = cli(*view, "--as-of", AS_OF, env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(cell_len(x) for x in lines) <= width
    for name in UNIT_NAMES:
        for a in range(3, len(name) - 2):          # no line ends with the first part of a name
            head, tail = name[:a], name[a:]
            for i, line in enumerate(lines[:-1]):
                if line.rstrip().endswith(head) and lines[i + 1].strip().startswith(tail):
                    pytest.fail(f"{name} split at {width}: {line!r} / {lines[i + 1]!r}")
    assert not any(x.lstrip().startswith("、") for x in lines)


def test_overdue_reads_as_days_late_and_empty_results_say_so(cli, campaign):
    due = cli("due", "--as-of", AS_OF, env={"COLUMNS": "120"}).stdout
    assert "逾期 " in due and " 天" in due and "-8" not in due
    r = cli("status", "--light", "yellow", "--as-of", AS_OF)
    assert r.exit_code == 0 and r.stdout.strip().endswith("没有黄灯分项")
    r = cli("due", "--as-of", "2016-08-20", "--within", "1")
    assert r.stdout.strip().splitlines()[-1] == "没有即将到期或已逾期的事项"


def test_multi_line_notes_print_as_lines(cli, home):
    assert cli("mark", "7", "-u", "区法制办", "--on", "2017-11-30", "--note", "第一行\n第二行\x1b[31m").exit_code == 2
    assert cli("mark", "7", "-u", "区法制办", "--on", "2017-11-30", "--note", "第一行\n第二行").exit_code == 0
    out = cli("log", env={"COLUMNS": "120"}).stdout
    assert "\\x0a" not in out and any(x.rstrip().endswith("第一行") for x in out.splitlines())
    assert any(x.strip().startswith("第二行") for x in out.splitlines())


# --- all Chinese, or all English ----------------------------------------------------------

COMMANDS = ["status", "due", "mark", "attach", "undo", "log", "import", "show", "units", "check"]
ENGLISH_LEAKS = ["Usage:", "Options", "Show this message", "[default", "Did you mean", "is not one of", "Missing",
                 "required", "Arguments", "Commands", "Error", "Invalid value", "No such", "Install completion",
                 "not a valid", "Got unexpected", "requires an argument", "Possible options"]
BAD_CALLS = [["statu"], ["status", "--lite", "x"], ["status", "--light", "purple"], ["due", "--within", "abc"],
             ["due", "--within", "99999"], ["mark"], ["status", "--format"], ["show", "7", "8"],
             ["mark", "7", "-u", "区法制办", "--state", "finished"]]


def _help_texts(cli, lang):
    out = [cli("--lang", lang, "--help").stdout] if lang == "zh" else []
    for c in COMMANDS:
        out.append(cli(c, "--help", env={"FAZHI_LANG": lang}).stdout)
    return out


def test_chinese_help_and_errors_have_no_english(cli, home):
    texts = _help_texts(cli, "zh") + [one_line_error(cli(*a)) for a in BAD_CALLS]
    for text in texts:
        for leak in ENGLISH_LEAKS:
            assert leak not in text, (leak, text)


def test_english_help_and_errors_have_no_chinese_outside_data(home):
    # help texts are chosen when the program starts: a process of its own
    env = {"FAZHI_LANG": "en", "COLUMNS": "100"}
    texts = [run_fazhi(c, "--help", env=env).stdout.decode() for c in COMMANDS] + [run_fazhi("--help", env=env).stdout.decode()]
    for args in BAD_CALLS:
        r = run_fazhi(*args, env=env)
        err = r.stderr.decode()
        assert r.returncode == 2 and len(err.strip().splitlines()) == 1, (args, err)
        texts.append(err)
    # examples and the date spellings a user may type are data, not prose
    example = re.compile(r"^  Example:.*?(?=\n\s*\n|\Z)", re.S | re.M)
    data = re.compile(r"2017年6月30日|一…八|[\u4e00-\u9fff]+\.jsonl")
    for text in texts:
        rest = data.sub("", example.sub("", text))
        assert not re.search(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]", rest), rest


def test_choices_take_their_chinese_names(cli, campaign):
    zh = json.loads(cli("status", "--light", "红灯", "--as-of", AS_OF, "-f", "json").stdout)
    en = json.loads(cli("status", "--light", "red", "--as-of", AS_OF, "-f", "json").stdout)
    assert zh == en
    r = cli("mark", "2.1", "-u", "区编办", "--on", "2017-03-01", "--state", "进行中")
    assert r.exit_code == 0 and "进行中" in r.stdout
    assert cli("due", "-f", "表格").exit_code == 0


# --- exports keep their context -------------------------------------------------------------

def test_exports_carry_title_day_and_summary(cli, campaign):
    for fmt in ("plain", "markdown"):
        out = cli("status", "--as-of", AS_OF, "-f", fmt).stdout
        assert "番禺区创建珠三角法治政府示范区工作方案" in out and "截至 2019-03-11" in out and "分项 54 个" in out
    out = cli("status", "--parts", "--as-of", AS_OF, "-f", "csv").stdout
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    context = [r for r in rows if r and r[0].startswith("#")]
    assert [r[0][:3] for r in context][:3] == ["# 番", "# 截", "# 总"]
    body = [r for r in rows if r and not r[0].startswith("#")]
    header, data = body[0], body[1:]
    assert len(data) == 54 and "尚欠单位" in header


def test_csv_is_read_back_as_a_spreadsheet_would(cli, campaign):
    out = cli("status", "--as-of", AS_OF, "-f", "csv").stdout
    rows = [r for r in csv.reader(io.StringIO(out[1:])) if r and not r[0].startswith("#")]
    date_like = re.compile(r"\d{1,2}/\d{1,2}(/\d{2,4})?|\d{1,2}-\d{1,2}")
    for row in rows[1:]:
        for cell in row:
            assert cell != "'-", row                      # no placeholder written as '-
            assert not date_like.fullmatch(cell), cell    # Excel would turn 1/17 into a date
    assert any("／" in c for r in rows[1:] for c in r)    # the counts are there, as text


# --- a plan past its target -----------------------------------------------------------------

def test_a_plan_past_its_target_leads_with_its_final_account(cli, campaign):
    r = cli("status", "--as-of", "2026-11-27", env={"COLUMNS": "120"})
    lines = r.stdout.splitlines()
    # done: 2.1, 2.2 and 19.1 on time, 7.1 late; 6.1 has one of its leads only
    assert lines[2].startswith("总体目标期限已过，最终完成情况：按时完成 3，逾期完成 1，未完成 50")
    assert lines.index(next(x for x in lines if x.startswith("分项 54 个"))) > 3   # the account comes first
    doc = json.loads(cli("status", "--as-of", "2026-11-27", "-f", "json").stdout)
    final = doc["final"]
    assert sum(x["done_on_time"] for x in final) == 3 and sum(x["done_late"] for x in final) == 1
    assert sum(x["parts"] for x in final) == 54
    assert doc["summary"]["done_late"] == 1 and doc["summary"]["done_on_time"] == 3
