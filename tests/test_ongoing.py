"""Ongoing work (长期): a part with no due date, never overdue, counted apart, shown as 长期."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import mark_on, one_line_error
from fazhi_cli import progress, record
from fazhi_cli.errors import PlanProblems
from fazhi_cli.plan import ONGOING, load_plan
from fazhi_cli.plan.build import parse_plan

PLAN = """\
schema: 1
plan:
  title: 某县2026年法治政府建设工作要点
  signed: "2026-03-01"
  target: "2026-12-31"
supervision:
  units: [县司法局]
sections:
  - id: 一
    heading: 推进依法行政
units:
  - name: 县司法局
    kind: department
  - name: 县财政局
    kind: department
tasks:
  - id: "1"
    section: 一
    title: 推行执法公示
    parts:
      - id: "1.1"
        text: 6月底前建成公示平台。
        lead: [县司法局]
        due: "2026-06-30"
      - id: "1.2"
        text: 持续推进执法公示。
        lead: [县司法局]
        support: [县财政局]
        due: {due}
        due_source: 持续推进
"""


def write(tmp_path, due: str = "长期"):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN.format(due=due), encoding="utf-8")
    return path


@pytest.mark.parametrize("word", ["长期", "ongoing"])
def test_a_part_can_say_it_is_ongoing(word):
    plan = parse_plan(PLAN.format(due=word).encode(), "p.yaml")
    assert plan.parts["1.2"].ongoing and plan.parts["1.2"].due == ONGOING
    assert not plan.parts["1.1"].ongoing


def test_a_due_that_is_neither_a_date_nor_长期_says_both():
    with pytest.raises(PlanProblems) as e:
        parse_plan(PLAN.format(due="年底").encode(), "p.yaml")
    assert "长期" in str(e.value.problems[0]) and "YYYY-MM-DD" in str(e.value.problems[0])


def test_ongoing_work_is_never_red_and_is_counted_apart(tmp_path):
    plan = load_plan(write(tmp_path))
    st = progress.status(plan, [], date(2027, 6, 1))
    lights = {ps.part.id: ps.light for ps in st.parts}
    assert lights == {"1.1": "red", "1.2": "green"}
    assert st.summary()["ongoing"] == 1 and st.summary()["red"] == 1
    # what falls due leaves it out; everything lists it, last
    assert [i.id for i in progress.due_items(st, within=36500)] == ["1.1"]
    assert [i.id for i in progress.due_items(st, everything=True)] == ["1.1", "1.2"]


def test_a_plan_without_ongoing_work_counts_as_it_always_did(plan):
    assert "ongoing" not in progress.status(plan, [], date(2017, 6, 1)).summary()


def test_ongoing_work_done_is_done_and_never_late(tmp_path, home, clock):
    plan = load_plan(write(tmp_path))
    clock.set("2026-11-02T09:00")
    mark_on(plan, home, "1.2", "县司法局", "2026-11-02")
    from fazhi_cli.ledger import read_ledger

    st = progress.status(plan, read_ledger(home, plan).events, date(2027, 1, 5))
    ps = next(p for p in st.parts if p.part.id == "1.2")
    assert (ps.state, ps.late, ps.light) == ("done", False, "green")
    assert "ongoing" not in st.summary()


def test_status_due_and_show_say_长期(cli, tmp_path):
    path = write(tmp_path)
    data = tmp_path / "data"
    r = cli("check", "--plan", path, "--data-dir", data)
    assert r.exit_code == 0, r.output
    r = cli("status", "--plan", path, "--data-dir", data, "--parts", "--as-of", "2026-12-01")
    assert r.exit_code == 0, r.output
    assert "其中长期 1 项" in r.stdout.replace("\n", "") and "长期" in r.stdout
    assert "9999" not in r.stdout
    r = cli("due", "--plan", path, "--data-dir", data, "--as-of", "2026-12-01")
    assert r.exit_code == 0, r.output
    assert "1.2" not in r.stdout
    r = cli("due", "--plan", path, "--data-dir", data, "--as-of", "2026-12-01", "--all", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert "长期,长期,,绿灯,未开始,1.2 持续推进执法公示" in r.stdout
    r = cli("show", "1", "--plan", path)
    assert r.exit_code == 0, r.output
    assert "期限：长期" in r.stdout


def test_json_says_null_and_ongoing_only_for_ongoing_work(cli, tmp_path):
    path = write(tmp_path)
    data = tmp_path / "data"
    r = cli("show", "1", "--plan", path, "--format", "json")
    parts = {p["id"]: p for p in json.loads(r.stdout)["parts"]}
    assert (parts["1.2"]["due"], parts["1.2"]["ongoing"]) == (None, True)
    assert parts["1.1"]["due"] == "2026-06-30" and "ongoing" not in parts["1.1"]
    r = cli("status", "--plan", path, "--data-dir", data, "--as-of", "2026-12-01", "--format", "json")
    doc = json.loads(r.stdout)
    parts = {p["id"]: p for t in doc["tasks"] for p in t["parts"]}
    assert (parts["1.2"]["due"], parts["1.2"]["ongoing"], parts["1.2"]["light"]) == (None, True, "green")
    assert doc["summary"]["ongoing"] == 1
    r = cli("due", "--plan", path, "--data-dir", data, "--as-of", "2026-12-01", "--all", "--format", "json")
    item = next(i for i in json.loads(r.stdout)["items"] if i["id"] == "1.2")
    assert (item["due"], item["ongoing"], item["days_left"]) == (None, True, None)


@pytest.mark.parametrize("fmt", ["markdown", "html", "docx", "xlsx"])
def test_reports_show_长期_where_a_date_would_be(cli, tmp_path, fmt):
    path = write(tmp_path)
    out = tmp_path / f"r.{fmt}"
    r = cli("report", "--plan", path, "--data-dir", tmp_path / "data", "--year", "2026", "--as-of", "2026-12-01",
            "--format", fmt, "--output", out)
    assert r.exit_code == 0, r.output
    if fmt in ("markdown", "html"):
        text = out.read_text(encoding="utf-8")
        assert "长期" in text and "9999" not in text


def test_report_years_are_not_stretched_by_ongoing_work(tmp_path):
    from fazhi_cli.report import plan_years

    assert plan_years(load_plan(write(tmp_path))) == (2026, 2026)


def test_ongoing_work_cannot_be_extended(tmp_path, home, clock):
    clock.set("2026-06-01T09:00")
    plan = load_plan(write(tmp_path))
    with pytest.raises(Exception) as e:
        record.extend(plan, home, target="1.2", unit=None, acting="县司法局", to="2027-03-01", reason="x",
                      approved_by=None, by="t", clock_today=date(2026, 6, 1))
    assert "长期工作" in str(e.value)
    # the task's extension moves its dated part only
    events = record.extend(plan, home, target="1", unit=None, acting="县司法局", to="2026-09-30", reason="x",
                           approved_by=None, by="t", clock_today=date(2026, 6, 1))
    assert [e["part"] for e in events] == ["1.1"]


def test_extending_ongoing_work_on_the_command_line_is_one_line(cli, tmp_path):
    path = write(tmp_path)
    r = cli("extend", "1.2", "--to", "2027-03-01", "--reason", "x", "--as", "县司法局", "--plan", path,
            "--data-dir", tmp_path / "data")
    assert r.exit_code != 0
    assert "长期" in one_line_error(r)


def test_the_plan_cache_keeps_ongoing_work(tmp_path):
    path = write(tmp_path)
    first = load_plan(path)
    again = load_plan(path)     # from the cache
    assert first == again and again.parts["1.2"].ongoing


def test_the_task_table_and_a_units_view_count_ongoing_work_apart(cli, tmp_path):
    path = write(tmp_path)
    data = tmp_path / "data"
    r = cli("status", "--plan", path, "--data-dir", data, "--as-of", "2026-12-01", "--unit", "县司法局")
    assert r.exit_code == 0, r.output
    assert "其中长期 1 项" in r.stdout.replace("\n", "")
    r = cli("status", "--plan", path, "--data-dir", data, "--as-of", "2026-12-01", "--unit", "县财政局")
    assert r.exit_code == 0, r.output
    assert "其中长期 1 项" in r.stdout.replace("\n", "")
