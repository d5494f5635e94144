"""The commands end to end, through the real Typer app."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT, one_line_error, snapshot


def test_mark_then_status_as_of(cli, home):
    r = cli("mark", "7", "--unit", "区法制办", "--on", "2017-11-30")
    assert r.exit_code == 0, r.output
    assert r.stdout == "已记录 7.1 区法制办: 已完成(2017-11-30)\n" and r.stderr == ""
    after = json.loads(cli("status", "--as-of", "2017-12-01", "--format", "json").stdout)
    before = json.loads(cli("status", "--as-of", "2017-11-29", "--format", "json").stdout)
    part = lambda doc: next(p for t in doc["tasks"] for p in t["parts"] if p["id"] == "7.1")
    assert part(after)["state"] == "done" and part(after)["units"][0] == {
        "unit": "区法制办", "role": "lead", "state": "done", "on": "2017-11-30"}
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
    assert r.exit_code == 0 and r.stdout.startswith("已撤销 7.1 区法制办: 进行中(2017-12-02")
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
    assert (home / "progress" / "区编办.jsonl").read_bytes() == f.read_bytes()


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
    assert r.exit_code == 0 and "任务 38 项,分项 54 个" in r.stdout
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
    "unknown task": (["mark", "99", "-u", "区法制办"], 2, "未知任务、分项或年度事项: '99'"),
    "unknown part": (["mark", "7.9", "-u", "区法制办"], 2, "'7.9'"),
    "unknown unit": (["mark", "7", "-u", "区法治办"], 2, "是否要写: 区法制办"),
    "not responsible": (["mark", "7", "-u", "石楼镇"], 2, "负责单位为 7.1: 牵头 区法制办"),
    "impossible date": (["mark", "7", "-u", "区法制办", "--on", "2017-02-30"], 2, "日期不存在: 2017-02-30"),
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
    assert line.startswith("错误: ") and words in line, line
    assert r.stdout == ""
    assert snapshot(home) == before


def test_readme_documents_every_command():
    from fazhi_cli.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(names) == 9
    for name in names:
        assert re.search(rf"fazhi {name}\b", readme), f"README does not show `fazhi {name}`"
