"""The commands end to end, through the real Typer app."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, one_line_error, run_fazhi, snapshot


def test_mark_then_status_as_of(cli, home):
    r = cli("mark", "7", "--unit", "区法制办", "--on", "2017-11-30")
    assert r.exit_code == 0, r.output
    assert r.stdout == "已记录 7.1 区法制办：已完成（2017-11-30）\n" and r.stderr == ""
    after = json.loads(cli("status", "--as-of", "2017-12-01", "--format", "json").stdout)
    before = json.loads(cli("status", "--as-of", "2017-11-29", "--format", "json").stdout)
    part = lambda doc: next(p for t in doc["tasks"] for p in t["parts"] if p["id"] == "7.1")
    assert part(after)["state"] == "done" and part(after)["units"][0] == {
        "unit": "区法制办", "role": "lead", "state": "done", "on": "2017-11-30", "evidence": [],
        "review": "pending", "review_note": "", "extended_to": None, "waived": None, "succeeds": None}
    assert part(before)["state"] == "todo"
    assert after["summary"]["done"] == 1 and before["summary"]["done"] == 0


def test_unit_defaults_to_fazhi_unit(cli, home, monkeypatch):
    monkeypatch.setenv("FAZHI_UNIT", "区编办")
    r = cli("mark", "2.2", "--on", "2016-12-20", "--by", "李四")
    assert r.exit_code == 0, r.output
    assert "2.2 区编办" in r.stdout


def test_mark_a_yearly_duty_and_see_it_met(cli, home):
    r = cli("mark", "report-2017", "--unit", "区法制办", "--on", "2017-12-20")
    assert r.exit_code == 0, r.output
    due = json.loads(cli("due", "--as-of", "2017-12-21", "--format", "json").stdout)
    assert "report-2017" not in [i["id"] for i in due["items"]]
    due = json.loads(cli("due", "--as-of", "2017-12-19", "--format", "json").stdout)
    assert "report-2017" in [i["id"] for i in due["items"]]


def test_undo_and_log(cli, home):
    cli("mark", "7", "-u", "区法制办", "--on", "2017-11-30", "-m", "第一次")
    cli("mark", "7", "-u", "区法制办", "--on", "2017-12-02", "--state", "doing", "-m", "第二次")
    r = cli("undo", "-u", "区法制办")
    assert r.exit_code == 0 and r.stdout.startswith("已撤销 7.1 区法制办：进行中（2017-12-02")
    log = json.loads(cli("log", "--format", "json").stdout)["events"]
    assert [e["type"] for e in log] == ["revoke", "mark", "mark"]
    assert log[0]["revokes"] == log[1]["id"]
    assert json.loads(cli("log", "--unit", "区编办", "-f", "json").stdout)["events"] == []
    doc = json.loads(cli("status", "--as-of", "2017-12-31", "-f", "json").stdout)
    assert doc["summary"]["done"] == 1


def test_import_command_twice(cli, home, tmp_path):
    other = tmp_path / "pc2"
    cli("mark", "2.2", "-u", "区编办", "--on", "2016-12-20", "--data-dir", other)
    f = other / "progress" / "区编办.jsonl"
    assert "新增 1 条" in cli("import", f).stdout
    r = cli("import", f)
    assert r.exit_code == 0 and "新增 0 条" in r.stdout
    (sent,) = [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines()]
    (got,) = [json.loads(x) for x in (home / "progress" / "区编办.jsonl").read_text(encoding="utf-8").splitlines()]
    received = got.pop("received_at")       # when this folder had it: what --known-at counts
    assert got == sent and received > sent["recorded_at"]


def test_show_json_contract(cli):
    doc = json.loads(cli("show", "7", "--format", "json").stdout)
    assert doc["id"] == "7" and doc["section"] == "二" and doc["title"] == "加强规范性文件管理"
    (part,) = doc["parts"]
    assert (part["id"], part["lead"], part["support"], part["due"]) == ("7.1", ["区法制办"], ["区政府有关部门"],
                                                                        "2017-12-31")


def test_units_json(cli):
    doc = json.loads(cli("units", "--format", "json").stdout)
    by_name = {u["name"]: u for u in doc["units"]}
    assert by_name["区公安局"]["aliases"] == ["区公安分局"]
    assert by_name["石楼镇"]["groups"] == ["各镇、街"] and by_name["石楼镇"]["lead_parts"] == 1
    groups = {g["name"]: g for g in doc["groups"]}
    assert len(groups["各镇、街"]["members"]) == 16 and groups["行政决策起草和主办部门"]["role"] is True


def test_check_clean_and_with_problems(cli, home):
    r = cli("check")
    assert r.exit_code == 0 and "任务 38 项，分项 54 个" in r.stdout
    cli("mark", "7", "-u", "区法制办", "--on", "2017-11-30")
    path = home / "progress" / "区法制办.jsonl"
    path.write_bytes(path.read_bytes() + b'{"torn')
    r = cli("check")
    assert r.exit_code == 1
    assert f"{path}:2:" in r.stdout


def test_version(cli):
    from fazhi_cli import __version__

    r = cli("--version")
    assert r.exit_code == 0 and r.stdout == f"fazhi {__version__}\n"


# --- bad input: one line, non-zero, nothing written -----------------------------

BAD_MARKS = {
    "unknown task": (["mark", "99", "-u", "区法制办"], 2, "未知任务、分项或年度事项：'99'"),
    "unknown part": (["mark", "7.9", "-u", "区法制办"], 2, "'7.9'"),
    "unknown unit": (["mark", "7", "-u", "区法治办"], 2, "是否要写：区法制办"),
    "not responsible": (["mark", "7", "-u", "石楼镇"], 2, "负责单位为 7.1：牵头 区法制办"),
    "impossible date": (["mark", "7", "-u", "区法制办", "--on", "2017-02-30"], 2, "日期不存在：2017-02-30"),
    "malformed date": (["mark", "7", "-u", "区法制办", "--on", "30/2/2017"], 2, "日期格式无效"),
    "future date": (["mark", "7", "-u", "区法制办", "--on", "2099-01-01"], 2, "晚于今天"),
    "empty note": (["mark", "7", "-u", "区法制办", "--note", "  "], 2, "--note 不能为空"),
    "long note": (["mark", "7", "-u", "区法制办", "--note", "长" * 2001], 2, "--note 过长"),
    "control chars": (["mark", "7", "-u", "区法制办", "--note", "a\x1b[31mb"], 2, "控制字符"),
    "no unit": (["mark", "7"], 2, "请用 --unit 指明单位"),
    "bad state": (["mark", "7", "-u", "区法制办", "--state", "finished"], 2, "--state"),
    "empty evidence": (["mark", "7", "-u", "区法制办", "--evidence", ""], 2, "--evidence 不能为空"),
}


@pytest.mark.parametrize("name", BAD_MARKS)
def test_bad_mark_is_refused_and_changes_nothing(name, cli, home):
    cli("mark", "2.2", "-u", "区编办", "--on", "2016-12-20")   # something already in the folder
    before = snapshot(home)
    args, code, words = BAD_MARKS[name]
    r = cli(*args)
    assert r.exit_code == code, r.output
    line = one_line_error(r)
    assert line.startswith("错误：") and words in line, line
    assert r.stdout == ""
    assert snapshot(home) == before


def test_readme_documents_every_command():
    from fazhi_cli.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"status", "due", "mark", "attach", "undo", "log", "import", "show", "units", "check", "report", "draft", "new", "review", "extend", "waive", "close", "reopen", "remind"} <= set(names)
    for name in names:
        assert re.search(rf"fazhi {name}\b", readme), f"README does not show `fazhi {name}`"


# --- status and due on a small ledger, computed by hand ---------------------------

DEPARTMENTS_BUT_FAZHIBAN = ["区编办", "区政务办", "区发展改革局", "区财政局", "区市场监管局", "区科工商信局",
                            "区人力资源和社会保障局", "区民政局", "区公安局", "区司法局", "区政府办", "区监察局",
                            "区审计局", "区环保局", "区城管局", "区文化广电新闻出版局", "区城市管理运行指挥中心"]


@pytest.fixture
def small_ledger(cli, home):
    for args in (["7", "-u", "区法制办", "--on", "2017-11-30"],
                 ["2.2", "-u", "区编办", "--on", "2017-01-15"],        # after its 2016-12-31 deadline
                 ["27", "-u", "石楼镇", "--on", "2017-05-01"],          # one member of a lead group
                 ["7.1", "-u", "区财政局", "--on", "2017-06-01"],       # a support unit
                 ["report-2017", "-u", "区法制办", "--on", "2017-12-20"]):
        r = cli("mark", *args)
        assert r.exit_code == 0, r.output
    return home


def test_status_json_by_hand(cli, small_ledger):
    r = cli("status", "--as-of", "2017-12-21", "--format", "json")
    assert r.exit_code == 0 and r.stderr == ""
    doc = json.loads(r.stdout)
    assert doc["as_of"] == "2017-12-21" and doc["plan"] == "番禺区创建珠三角法治政府示范区工作方案"
    # 54 parts: 7.1 and 2.2 done; 2.1 (no event) todo; 27.1 doing (1 of 34 leads).
    # Red: none (2.2 is done, late); yellow: nothing else is due by 2018-01-20.
    assert doc["summary"] == {"parts": 54, "done": 2, "done_on_time": 1, "done_late": 1, "doing": 1,
                              "support_only": 0, "todo": 51, "red": 0, "yellow": 0, "green": 54,
                              "accepted": 0, "pending_review": 2, "returned": 0, "extended": 0, "waived": 0}
    tasks = {t["id"]: t for t in doc["tasks"]}
    seven = tasks["7"]
    assert {k: seven[k] for k in ("id", "title", "state", "light", "late", "due")} == {
        "id": "7", "title": "加强规范性文件管理", "state": "done", "light": "green", "late": False,
        "due": "2017-12-31"}
    (p71,) = seven["parts"]
    assert {k: p71[k] for k in ("id", "state", "light", "late", "due", "done_on", "support_done",
                                "support_total")} == {
        "id": "7.1", "state": "done", "light": "green", "late": False, "due": "2017-12-31",
        "done_on": "2017-11-30", "support_done": 1, "support_total": 17}
    keys = ("unit", "role", "state", "on", "evidence")
    assert [{k: u[k] for k in keys} for u in p71["units"]] == [
        {"unit": "区法制办", "role": "lead", "state": "done", "on": "2017-11-30", "evidence": []}] + [
        {"unit": u, "role": "support", "state": "done" if u == "区财政局" else "todo",
         "on": "2017-06-01" if u == "区财政局" else None, "evidence": []} for u in DEPARTMENTS_BUT_FAZHIBAN]
    assert p71["units"][0]["review"] == "pending" and p71["review"] == "pending"   # 待审核 until 区法制办 closes it out
    two = tasks["2"]
    assert (two["state"], two["light"], two["late"], two["due"]) == ("doing", "green", True, "2018-12-31")
    assert [(p["id"], p["state"], p["late"]) for p in two["parts"]] == [("2.1", "todo", False), ("2.2", "done", True)]
    twenty_seven = tasks["27"]["parts"][0]
    assert twenty_seven["state"] == "doing"
    assert [u["unit"] for u in twenty_seven["units"] if u["state"] == "done"] == ["石楼镇"]


def test_status_unit_json_keeps_only_its_parts(cli, small_ledger):
    doc = json.loads(cli("status", "--unit", "石楼镇", "--as-of", "2017-12-21", "-f", "json").stdout)
    parts = [p["id"] for t in doc["tasks"] for p in t["parts"]]
    assert "27.1" in parts and "7.1" not in parts and "1.1" in parts    # 1.1: support through 各镇、街
    assert doc["summary"]["parts"] == len(parts)


def test_due_json_by_hand(cli, small_ledger):
    r = cli("due", "--as-of", "2017-12-21", "--within", "30", "--format", "json")
    assert r.exit_code == 0 and r.stderr == ""
    doc = json.loads(r.stdout)
    items = doc["items"]
    assert [(i["id"], i["kind"], i["due"], i["days_left"], i["light"]) for i in items] == [
        ("catalogue-2016", "recurring", "2016-12-31", -355, "red"),
        ("report-2016", "recurring", "2016-12-31", -355, "red"),
        ("plan-2017", "recurring", "2017-03-10", -286, "red"),
        ("summary-2016", "recurring", "2017-03-10", -286, "red"),
        ("catalogue-2017", "recurring", "2017-12-31", 10, "yellow"),
    ]
    assert items[0] == {"due": "2016-12-31", "kind": "recurring", "id": "catalogue-2016", "task": "34",
                        "part": "34.1", "title": "2016年重大行政决策事项目录",
                        "units": ["区政府办", "区监察局", "区法制办"], "days_left": -355, "light": "red",
                        "state": "todo", "done_on": None, "late": False, "extended_to": None, "waived": None,
                        "review": None}
    assert items[1]["units"] == ["区法制办"] and items[1]["task"] == "25"
    plan_2017 = items[2]
    assert plan_2017["task"] is None and plan_2017["part"] is None
    assert len(plan_2017["units"]) == 37 and "石楼镇" in plan_2017["units"] and "区委宣传部" in plan_2017["units"]


def test_due_acceptance_windows(cli, home):
    first = json.loads(cli("due", "--as-of", "2016-11-15", "--within", "60", "-f", "json").stdout)["items"]
    assert "2.2" in [i["id"] for i in first]
    assert not any(i["due"].startswith("2018") for i in first)
    second = json.loads(cli("due", "--as-of", "2017-10-01", "--within", "120", "-f", "json").stdout)["items"]
    assert "7.1" in [i["id"] for i in second]


def test_due_check_exit_codes(cli, home):
    assert cli("due", "--as-of", "2016-11-15", "--check").exit_code == 0
    r = cli("due", "--as-of", "2017-10-01", "--check")
    assert r.exit_code == 3 and "红灯" in r.stdout


@pytest.mark.parametrize("args", [
    ("due", "--as-of", "9999-12-31"),
    ("due", "--as-of", "9990-01-01", "--within", "36600"),
    ("status", "--as-of", "0001-01-01"),
    ("log", "--since", "9999-12-31"),
])
def test_a_date_far_from_the_plan_is_a_usage_error(args, cli, home):
    r = cli(*args)
    assert r.exit_code == 2, r.output
    line = one_line_error(r)
    assert args[2] in line and "1949" in line and "2200" in line, line
    assert not home.exists()


def test_the_widest_window_from_the_last_accepted_day_works(cli, home):
    r = cli("due", "--as-of", "2200-12-31", "--within", "36600", "-f", "json")
    assert r.exit_code == 0, r.output


def test_dates_in_chinese(cli, home):
    a = cli("status", "--as-of", "2017年6月30日", "-f", "json")
    assert a.exit_code == 0 and json.loads(a.stdout)["as_of"] == "2017-06-30"


def test_output_to_a_pipe_has_no_colour_codes(cli, home):
    r = cli("status", "--as-of", "2017-12-01")
    assert r.exit_code == 0 and "\x1b" not in r.stdout and "红灯" in r.stdout


def test_no_color_is_honoured_even_when_forced(cli, home):
    r = cli("status", "--as-of", "2017-12-01", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[3" not in r.stdout and "\x1b[4" not in r.stdout


def test_status_filters(cli, home):
    red = json.loads(cli("status", "--as-of", "2017-12-01", "--light", "red", "-f", "json").stdout)
    assert [t["id"] for t in red["tasks"]] == ["2"]
    sec = json.loads(cli("status", "--as-of", "2017-12-01", "--section", "二", "-f", "json").stdout)
    assert [t["id"] for t in sec["tasks"]] == ["7"]
    one = cli("status", "--task", "6", "--as-of", "2017-12-01", "-f", "plain")
    assert one.exit_code == 0 and "6.4" in one.stdout and "区公安局" in one.stdout
    r = cli("status", "--unit", "区编办", "--task", "6")
    assert r.exit_code == 2 and "不能同时使用" in r.stderr


def test_english_output(cli, home):
    r = cli("--lang", "en", "due", "--as-of", "2016-11-15", "--within", "60", "-f", "plain")
    assert r.exit_code == 0 and r.stdout.startswith(
        "番禺区创建珠三角法治政府示范区工作方案(番府办〔2016〕60号)\nAs of 2016-11-15: 3 items to do, 0 overdue\n\nDue ")
    assert "green" in r.stdout and "46 days left" in r.stdout


def test_every_command_has_help_with_an_example(cli):
    from fazhi_cli.cli import app

    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        r = cli(name, "--help")
        assert r.exit_code == 0, (name, r.output)
        assert f"示例：fazhi {name}" in r.stdout, name
    # help text is chosen when the program starts: a fresh process with FAZHI_LANG=en reads English
    from conftest import run_fazhi

    r = run_fazhi("due", "--help", env={"FAZHI_LANG": "en"})
    assert r.returncode == 0 and b"Example: fazhi due" in r.stdout


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--lang", "en", "--help"], []])
def test_help_built_from_names_and_help_alone_is_the_full_help(args):
    # `fazhi --help` registers each command without its parameters (cli.startup.names_and_help_only);
    # what it prints is what the full registration (the app called without main()) prints
    env = {**os.environ, "COLUMNS": "100"}
    quick = run_fazhi(*args, env=env)
    full = subprocess.run([sys.executable, "-c", "import sys; from fazhi_cli.cli import app; app(sys.argv[1:], 'fazhi')",
                           *args], env=env, capture_output=True)
    assert quick.returncode == full.returncode == 0
    assert quick.stdout == full.stdout and b"mark" in full.stdout and b"status" in full.stdout


def test_a_run_ends_at_once_only_when_nothing_is_left_to_do(monkeypatch):
    import atexit
    import threading

    from fazhi_cli.cli import startup as module

    ended = []
    monkeypatch.setattr(module.os, "_exit", ended.append)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(atexit, "_ncallbacks", lambda: 0, raising=False)
    module.leave_now(3)
    module.leave_now(None)
    module.leave_now("a message")                   # sys.exit("...") prints it: the interpreter does that
    assert ended == [3, 0]
    monkeypatch.setattr(atexit, "_ncallbacks", lambda: 1, raising=False)
    module.leave_now(0)                             # someone waits for the exit: the interpreter runs it
    monkeypatch.setattr(atexit, "_ncallbacks", lambda: 0, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    module.leave_now(0)                             # a thread still runs: the interpreter waits for it
    assert ended == [3, 0]


def test_exit_status_and_output_survive_the_quick_exit(tmp_path):
    home = tmp_path / "data"
    r = run_fazhi("due", "--check", "--as-of", "2017-06-30", "--all-units", env={"FAZHI_HOME": str(home)})
    assert r.returncode == 3 and "逾期" in r.stdout.decode("utf-8")
    r = run_fazhi("status", "--format", "json", "--as-of", "2017-06-30", env={"FAZHI_HOME": str(home)})
    assert r.returncode == 0 and json.loads(r.stdout)["as_of"] == "2017-06-30"
    r = run_fazhi("mark", "7", "--unit", "nowhere", env={"FAZHI_HOME": str(home)})
    assert r.returncode == 2 and r.stderr.decode("utf-8").startswith("错误：")


def test_a_missing_option_with_a_short_form_is_named_cleanly(cli, home):
    """Click says "Missing option '--reason' / '-r'."; the Chinese line once kept the inner quotes."""
    r = cli("extend", "7.1", "--to", "2018-03-31", "--as", "区法制办")
    line = one_line_error(r)
    assert r.exit_code == 2 and "缺少选项 --reason / -r" in line and "'" not in line, line
