"""Issue 24: the office's acts (review, extend, waive, remind) seen the same way in every view."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import mark_on as mark, one_line_error, snapshot
from fazhi_cli import dates, ledger, progress, record
from fazhi_cli.dates import CHINA

OFFICE = "区法制办"

# a county's plan with one part, led by two offices and a group of six towns
COUNTY_PLAN = """\
plan:
  title: 某县2020年法治政府建设工作方案
  number: 某府办〔2020〕3号
  issuer: 某县人民政府办公室
  signed: "2020-02-01"
  target: "2020-12-31"
sections:
  - id: 一
    heading: 依法全面履行政府职能
units:
  - name: 县司法局
    kind: department
  - name: 县政务局
    kind: department
  - name: 权寨镇
    kind: town
  - name: 甲镇
    kind: town
  - name: 乙镇
    kind: town
  - name: 丙镇
    kind: town
  - name: 丁镇
    kind: town
  - name: 戊镇
    kind: town
groups:
  - name: 各镇
    members: [权寨镇, 甲镇, 乙镇, 丙镇, 丁镇, 戊镇]
supervision:
  units: [县司法局]
tasks:
  - id: "1"
    section: 一
    title: 深化权责清单
    parts:
      - id: "1.1"
        lead: [县司法局, 县政务局, 各镇]
        due: "2020-06-30"
"""


@pytest.fixture
def county(tmp_path):
    path = tmp_path / "county.yaml"
    path.write_text(COUNTY_PLAN, encoding="utf-8")
    return path






def part(plan, home, pid, as_of):
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date.fromisoformat(as_of))
    return next(p for p in st.parts if p.part.id == pid)


def json_out(cli, *args):
    result = cli(*args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- 1. an extension for one unit stays that unit's --------------------------------------

def test_a_unit_extension_does_not_move_the_parts_date(plan, home, clock, cli):
    clock.set("2026-12-05T10:00")
    record.extend(plan, home, target="27.1", unit="石楼镇", acting=OFFICE, to="2026-12-20", reason="测试",
                  approved_by=None, by=None, clock_today=date(2026, 12, 5))
    p = part(plan, home, "27.1", "2026-12-05")
    assert (p.light, p.extended_to) == ("red", None)           # 33 units still owe it since 2018-12-31
    item = next(i for i in json_out(cli, "due", "--as-of", "2026-12-05")["items"] if i["id"] == "27.1")
    assert (item["due"], item["extended_to"], item["days_left"], item["light"]) == ("2018-12-31", None, -2896, "red")
    parts = json_out(cli, "status", "--parts", "--as-of", "2026-12-05")
    p271 = next(x for t in parts["tasks"] for x in t["parts"] if x["id"] == "27.1")
    assert (p271["extended_to"], p271["light"]) == (None, "red")
    assert next(u for u in p271["units"] if u["unit"] == "石楼镇")["extended_to"] == "2026-12-20"
    # the extended unit's own view keeps its own date
    mine = next(i for i in json_out(cli, "due", "--unit", "石楼镇", "--as-of", "2026-12-05")["items"]
                if i["id"] == "27.1")
    assert (mine["extended_to"], mine["days_left"], mine["light"]) == ("2026-12-20", 15, "yellow")
    text = cli("due", "--as-of", "2026-12-05", env={"COLUMNS": "200"}).stdout
    assert "2026-12-20" not in text
    task = cli("status", "--task", "27", "--as-of", "2026-12-05", env={"COLUMNS": "200"}).stdout
    assert "2026-12-20（原 2018-12-31）" in task


def test_an_extension_for_every_owing_unit_moves_the_part(plan, home, clock):
    # 1.1 is led by 区编办 and 区法制办: once both are extended the part is due on the earlier of the two
    clock.set("2018-12-01T10:00")
    for unit, to in (("区编办", "2019-03-31"), ("区法制办", "2019-02-28")):
        record.extend(plan, home, target="1.1", unit=unit, acting=OFFICE, to=to, reason="测试",
                      approved_by=None, by=None, clock_today=date(2018, 12, 1))
    p = part(plan, home, "1.1", "2019-01-10")
    assert (p.extended_to, p.light) == (date(2019, 2, 28), "green")
    clock.set("2019-01-10T10:00")
    mark(plan, home, "1.1", "区法制办", "2019-01-10")
    p = part(plan, home, "1.1", "2019-03-10")
    assert (p.extended_to, p.light) == (date(2019, 3, 31), "yellow")


# --- 2. one state for a returned share ---------------------------------------------------------

def test_a_returned_share_reads_returned_in_every_view(plan, home, clock, cli):
    clock.set("2017-05-01T10:00")
    mark(plan, home, "1.1", "区编办", "2017-05-01")
    clock.set("2017-05-10T10:00")
    record.review(plan, home, target="1.1", unit="区编办", acting=OFFICE, verdict="return", note="缺少材料", by="t",
                  clock_today=date(2017, 5, 10))
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2017, 5, 11))
    task = next(ts for ts in st.tasks if ts.task.id == "1")
    assert (task.state, task.review) == ("doing", "returned")
    wide = {"COLUMNS": "200"}
    overview = cli("status", "--as-of", "2017-05-11", "-f", "csv").stdout
    row = next(line for line in overview.splitlines() if line.startswith("1,"))
    assert "退回" in row and "进行中" not in row
    doc = json_out(cli, "status", "--as-of", "2017-05-11")
    assert next(t for t in doc["tasks"] if t["id"] == "1")["review"] == "returned"
    parts = cli("status", "--parts", "--as-of", "2017-05-11", "-f", "csv").stdout
    assert "退回" in next(line for line in parts.splitlines() if line.startswith("1.1,"))
    header = cli("status", "--task", "1", "--as-of", "2017-05-11", env=wide).stdout
    assert "1.1" in header and "退回" in header.splitlines()[2]
    due = json_out(cli, "due", "--all", "--as-of", "2017-05-11")
    assert next(i for i in due["items"] if i["id"] == "1.1")["review"] == "returned"
    due_csv = cli("due", "--all", "--as-of", "2017-05-11", "-f", "csv").stdout
    assert "退回" in next(line for line in due_csv.splitlines() if ",1.1 " in line)


# --- 3. a waived share is owed nowhere ---------------------------------------------------------

def test_a_waived_share_is_not_owed_anywhere(plan, home, clock, cli):
    clock.set("2018-03-01T10:00")
    mark(plan, home, "1.1", OFFICE, "2018-03-01")
    record.waive(plan, home, target="1.1", unit="区编办", acting=OFFICE, reason="职能划转", by="t",
                 clock_today=date(2018, 3, 1))
    own = json_out(cli, "due", "--unit", "区编办", "--all", "--as-of", "2018-03-02")
    item = next(i for i in own["items"] if i["id"] == "1.1")
    assert (item["waived"], item["light"], item["units"]) == ("职能划转", "green", [])
    assert own["summary"]["open"] == sum(1 for i in own["items"] if i["state"] != "done" and not i["waived"])
    text = cli("due", "--unit", "区编办", "--all", "--as-of", "2019-03-02", "-f", "csv").stdout
    row = next(line for line in text.splitlines() if ",1.1 " in line)
    assert "逾期" not in row and "不再适用" in row
    # the waived lead leaves the denominator, and says so
    parts = json_out(cli, "status", "--parts", "--as-of", "2018-03-02")
    p11 = next(x for t in parts["tasks"] for x in t["parts"] if x["id"] == "1.1")
    assert (p11["state"], p11["lead_done"], p11["lead_total"], p11["lead_waived"]) == ("done", 1, 1, 1)
    csv = cli("status", "--parts", "--as-of", "2018-03-02", "-f", "csv").stdout
    assert "1／1（不再适用 1）" in next(line for line in csv.splitlines() if line.startswith("1.1,"))
    # the units' record has a column for it and the unit's row says what happened
    rec = json_out(cli, "units", "--record", "--as-of", "2018-03-02")
    row = next(r for r in rec["units"] if r["unit"] == "区编办")
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2018, 3, 2))
    led = [x for x in progress.own_items(st, "区编办") if x.role == "lead" and x.kind == "part"]
    assert (row["led"], row["waived"]) == (sum(1 for x in led if not x.waived), 1)
    table = cli("units", "--record", "--as-of", "2018-03-02", "-f", "csv").stdout
    head = next(line for line in table.splitlines() if line.startswith("单位,"))
    assert "不再适用" in head
    # undoing the waiver names the unit whose share it was
    undo = cli("undo", "--unit", OFFICE)
    assert undo.exit_code == 0, undo.output
    assert "1.1 区编办" in undo.stdout and OFFICE not in undo.stdout


# --- 4. acts are dated when they were decided -------------------------------------------------------

def test_office_acts_take_the_day_they_were_decided(plan, home, clock, cli):
    clock.set("2018-01-20T10:00")     # typed in on the 20th; approved on paper on the 10th
    r = cli("extend", "7.1", "--to", "2018-06-30", "--reason", "机构调整", "--on", "2018-01-10", "--as", OFFICE)
    assert r.exit_code == 0, r.output
    assert "2018-01-10" in r.stdout and "补记" in r.stdout
    before = json_out(cli, "status", "--task", "7", "--as-of", "2018-01-09")["tasks"][0]["parts"][0]
    after = json_out(cli, "status", "--task", "7", "--as-of", "2018-01-12")["tasks"][0]["parts"][0]
    assert (before["extended_to"], before["light"]) == (None, "red")
    assert (after["extended_to"], after["light"]) == ("2018-06-30", "green")
    event = next(e for e in json_out(cli, "log", "--unit", OFFICE)["events"] if e["type"] == "extend")
    assert (event["on"], event["recorded_at"][:10], event["backdated_days"]) == ("2018-01-10", "2018-01-20", 10)
    assert "补记" in cli("log", "--unit", OFFICE, env={"COLUMNS": "200"}).stdout

    # a review on the day it was decided; the claim must stand on that day
    clock.set("2018-02-01T10:00")
    mark(plan, home, "7.1", OFFICE, "2018-02-01")
    clock.set("2018-02-20T10:00")
    r = cli("review", "7.1", "--unit", OFFICE, "--accept", "--on", "2018-02-05", "--as", OFFICE)
    assert r.exit_code == 0, r.output
    p = part(plan, home, "7.1", "2018-02-06")
    assert next(u for u in p.units if u.unit == OFFICE).review == "accepted"
    before = snapshot(home)
    r = cli("review", "7.1", "--unit", OFFICE, "--return", "--note", "x", "--on", "2018-01-25", "--as", OFFICE)
    assert r.exit_code != 0 and "尚未报告完成" in one_line_error(r) and snapshot(home) == before

    r = cli("waive", "catalogue-2017", "--reason", "已由上级统一部署", "--on", "2018-02-10", "--as", OFFICE)
    assert r.exit_code == 0, r.output
    assert json_out(cli, "status", "--duties", "--as-of", "2018-02-09")  # the day before: still owed
    due = json_out(cli, "due", "--all", "--as-of", "2018-02-09")
    assert next(i for i in due["items"] if i["id"] == "catalogue-2017")["waived"] is None
    due = json_out(cli, "due", "--all", "--as-of", "2018-02-11")
    assert next(i for i in due["items"] if i["id"] == "catalogue-2017")["waived"] == "已由上级统一部署"

    r = cli("remind", "--unit", "区编办", "--on", "2018-02-15", "--as", OFFICE, "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["issued"] == "2018-02-15"
    event = next(e for e in json_out(cli, "log", "--unit", OFFICE)["events"] if e["type"] == "remind")
    assert (event["on"], event["recorded_at"][:10]) == ("2018-02-15", "2018-02-20")


@pytest.mark.parametrize("args", [
    ("extend", "7.1", "--to", "2018-06-30", "--reason", "x"),
    ("waive", "7.1", "--reason", "x"),
    ("review", "7.1", "--unit", OFFICE, "--accept"),
    ("remind",),
])
@pytest.mark.parametrize("on, words", [("2018-03-01", "晚于今天"), ("2016-08-01", "早于方案印发日期")])
def test_an_act_is_never_dated_in_the_future_nor_before_the_plan(plan, home, clock, cli, args, on, words):
    clock.set("2018-01-20T10:00")
    mark(plan, home, "7.1", OFFICE, "2018-01-20")
    before = snapshot(home)
    r = cli(*args, "--on", on, "--as", OFFICE)
    assert r.exit_code != 0 and words in one_line_error(r)
    assert snapshot(home) == before


# --- 5. repeated acts say so ---------------------------------------------------------------------------

def test_repeated_acts_are_refused_with_one_line(plan, home, clock, cli):
    clock.set("2018-01-20T10:00")
    mark(plan, home, "7.1", OFFICE, "2018-01-20")
    cases = [
        (("review", "7.1", "--unit", OFFICE, "--accept"), "已销号"),
        (("extend", "7.1", "--to", "2018-06-30", "--reason", "机构调整"), "已延期至 2018-06-30"),
        (("extend", "1.1", "--unit", "区编办", "--to", "2019-06-30", "--reason", "机构调整"), "已延期至 2019-06-30"),
        (("waive", "catalogue-2017", "--reason", "已由上级统一部署"), "已不再适用"),
        (("waive", "1.1", "--unit", "区编办", "--reason", "职能划转"), "已不再适用"),
    ]
    for args, words in cases:
        first = cli(*args, "--as", OFFICE)
        assert first.exit_code == 0, first.output
        before = snapshot(home)
        again = cli(*args, "--as", OFFICE)
        assert again.exit_code == 2 and words in one_line_error(again), args
        assert snapshot(home) == before
    # a different date or reason is a change, recorded
    assert cli("extend", "7.1", "--to", "2018-09-30", "--reason", "再次延期", "--as", OFFICE).exit_code == 0


# --- 8. a mistyped file is not a document number -------------------------------------------------------

@pytest.mark.parametrize("value", ["ev\\备案审查报告.pdf", "C:\\材料\\报告.pdf", "材料/报告.docx", "C:报告", "报告.pdf"])
@pytest.mark.parametrize("command", ["mark", "attach"])
def test_a_missing_file_is_refused_naming_it(plan, home, clock, cli, value, command):
    clock.set("2018-01-20T10:00")
    mark(plan, home, "7.1", OFFICE, "2018-01-20")
    before = snapshot(home)
    r = cli(command, "7.1", "--unit", OFFICE, "--evidence", value)
    assert r.exit_code == 2 and value in one_line_error(r) and "--ref" in one_line_error(r)
    assert snapshot(home) == before


@pytest.mark.parametrize("args, kept", [
    (("--evidence", "番府办〔2017〕12号"), "番府办〔2017〕12号"),
    (("--evidence", "粤府〔2017〕3号/附件2"), "粤府〔2017〕3号/附件2"),
    (("--ref", "C:\\材料\\报告.pdf"), "C:\\材料\\报告.pdf"),
])
def test_a_document_number_or_ref_is_kept_as_a_reference(plan, home, clock, cli, args, kept):
    clock.set("2018-01-20T10:00")
    r = cli("mark", "7.1", "--unit", OFFICE, *args)
    assert r.exit_code == 0 and r.stderr == "", r.output
    (event,) = [e for e in json_out(cli, "log", "--unit", OFFICE)["events"]]
    assert event["evidence"] == [{"kind": "document", "value": kept}]


# --- 7. headers count their rows ---------------------------------------------------------------------------

RECORD_COLUMNS = ("牵头", "完成", "按时", "逾期完成", "逾期未完成", "待审核", "退回", "延期", "不再适用", "年度按时",
                  "年度逾期", "年度未报")


def _cited(header: str) -> dict[str, int]:
    """The column labels a header line cites, with their numbers: '退回 1' → {'退回': 1}."""
    import re

    return {label: int(n) for label, n in re.findall(r"(?:^|[：:，,；;（(\s])([\u4e00-\u9fff]+) (\d+)", header)
            if label in RECORD_COLUMNS}


def test_the_units_record_header_counts_its_rows(plan, home, clock, cli):
    clock.set("2018-03-01T10:00")
    mark(plan, home, "1.1", OFFICE, "2018-02-01")
    record.review(plan, home, target="1.1", unit=OFFICE, acting=OFFICE, verdict="return", note="缺少材料", by="t",
                  clock_today=date(2018, 3, 1))
    record.extend(plan, home, target="7.1", unit=None, acting=OFFICE, to="2018-06-30", reason="x", approved_by=None,
                  by=None, clock_today=date(2018, 3, 1))
    csv = cli("units", "--record", "--as-of", "2018-03-02", "-f", "csv").stdout.splitlines()
    header = next(line for line in csv if "各单位落实情况" in line)
    columns = next(line for line in csv if line.startswith("单位,")).split(",")
    rows = [line.split(",") for line in csv[csv.index(",".join(columns)) + 1:]]
    cited = _cited(header)
    assert set(cited) == set(RECORD_COLUMNS), header
    for label, n in cited.items():
        assert n == sum(int(r[columns.index(label)]) for r in rows), label
    # an 80-column terminal drops columns: the header cites only those it shows
    narrow = cli("units", "--record", "--as-of", "2018-03-02", env={"COLUMNS": "80"}).stdout.splitlines()
    rule = next(i for i, line in enumerate(narrow) if line.startswith("──"))
    shown = narrow[rule - 1].split()
    head = "".join(narrow[2:rule - 1])
    assert cited_narrow(head) and set(cited_narrow(head)) == set(shown) - {"单位"}, (head, shown)


def cited_narrow(header: str) -> dict[str, int]:
    return _cited(header)


def test_a_one_part_plan_counts_shares_not_parts(county, home, clock, cli):
    text = cli("units", "--record", "--as-of", "2020-12-05", "--plan", county, "-f", "plain").stdout
    header = next(line for line in text.splitlines() if "个单位" in line)
    assert "8 个单位" in header and "牵头 8 项次" in header and "牵头分项 8 个" not in header


# --- Done when: every view tells each pair the same ------------------------------------------------------

PROP_PLAN = COUNTY_PLAN + """\
  - id: "2"
    section: 一
    title: 规范行政执法
    parts:
      - id: "2.1"
        text: 到2020年10月底，完成执法事项清单
        lead: [县政务局]
        support: [各镇]
        due: "2020-10-31"
      - id: "2.2"
        text: 推行执法全过程记录
        lead: [各镇, 县司法局]
        due: "2020-09-30"
"""
PROP_UNITS = ("县司法局", "县政务局", "权寨镇", "甲镇", "乙镇", "丙镇", "丁镇", "戊镇")


def _lit(days: int, warn: int) -> str:
    return "red" if days < 0 else "yellow" if days <= warn else "green"


def _act(plan, root, kind, target, unit, day, longer):
    from fazhi_cli.errors import FazhiError

    on = day.isoformat()
    try:
        if kind in ("done", "doing"):
            record.mark(plan, root, target=target, unit=unit, state=kind, on=on, note=None, evidence=[], by="t")
        elif kind in ("accept", "return"):
            record.review(plan, root, target=target, unit=unit, acting="县司法局", verdict=kind, note="意见",
                          by="t", on=on)
        elif kind == "extend":
            record.extend(plan, root, target=target, unit=unit, acting="县司法局", reason="批准",
                          to=(max(x.due for x in plan.targets(target)) + timedelta(days=longer)).isoformat(),
                          approved_by=None, by="t", on=on)
        else:
            record.waive(plan, root, target=target, unit=unit, acting="县司法局", reason="不适用", by="t", on=on)
    except FazhiError:
        pass       # a refusal a user could meet (not held, nothing to review, repeated): nothing written


def test_every_view_tells_each_pair_the_same(tmp_path_factory):
    from unittest import mock

    from hypothesis import HealthCheck, given, settings, strategies as st
    from typer.testing import CliRunner

    from fazhi_cli import report as reports
    from fazhi_cli.cli import app
    from fazhi_cli.plan import load_plan

    folder = tmp_path_factory.mktemp("prop")
    plan_path = folder / "county.yaml"
    plan_path.write_text(PROP_PLAN, encoding="utf-8")
    plan = load_plan(plan_path)
    runner = CliRunner()
    step = st.tuples(st.sampled_from(["done", "done", "doing", "accept", "return", "extend", "extend", "waive"]),
                     st.sampled_from(["1.1", "2.1", "2.2", "2"]),
                     st.one_of(st.none(), st.sampled_from(PROP_UNITS)),
                     st.integers(0, 300), st.integers(1, 300))

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(steps=st.lists(step, min_size=1, max_size=10), as_of=st.integers(120, 420),
           checked=st.sets(st.sampled_from(PROP_UNITS), min_size=1, max_size=3))
    def check(steps, as_of, checked):
        root = Path(tempfile_dir())
        start = date(2020, 2, 1)
        moment = datetime(2020, 2, 1, 9, 0, tzinfo=CHINA)
        day_of = sorted(start + timedelta(days=s[3]) for s in steps)
        for (kind, target, unit, _, longer), day in zip(steps, day_of):
            moment = max(moment, datetime(day.year, day.month, day.day, 9, 0, tzinfo=CHINA)) + timedelta(minutes=1)
            if kind in ("done", "doing", "accept", "return") and unit is None:
                unit = "权寨镇"           # a group member
            with mock.patch.object(dates, "now", lambda clock=None, m=moment: m):
                _act(plan, root, kind, target, unit, day, longer)
        day = start + timedelta(days=as_of)
        common = ["--as-of", day.isoformat(), "--plan", str(plan_path), "--data-dir", str(root), "-f", "json"]

        def view(*args):
            r = runner.invoke(app, [*args, *common])
            assert r.exit_code == 0, (args, r.output)
            return json.loads(r.stdout)

        overview = view("status")
        warn = overview["warn_days"]
        parts = {p["id"]: p for t in overview["tasks"] for p in t["parts"]}
        by_parts = {p["id"]: p for t in view("status", "--parts")["tasks"] for p in t["parts"]}
        by_task = {p["id"]: p for tid in ("1", "2") for t in view("status", "--task", tid)["tasks"] for p in t["parts"]}
        assert parts == by_parts == by_task
        due = {i["id"]: i for i in view("due", "--all")["items"]}
        rep = reports.build(plan, ledger.read_ledger(root, plan).events, year=2020, as_of=day)
        in_report = {i.id: i for i in rep.completed + rep.pending + rep.overdue}
        for pid, p in parts.items():
            d = due[pid]
            assert (d["state"], d["light"], d["extended_to"], d["waived"], d["review"]) == (
                p["state"], p["light"], p["extended_to"], p["waived"], p["review"]), pid
            days = (date.fromisoformat(p["extended_to"] or p["due"]) - day).days
            assert d["days_left"] == days
            if p["state"] != "done" and not p["waived"] and p["owing"]:
                assert p["light"] == _lit(days, warn), pid       # days and light always agree
            if pid in in_report:
                i = in_report[pid]
                assert (i.state, i.light, i.extended_to and i.extended_to.isoformat(), i.waived) == (
                    p["state"], p["light"], p["extended_to"], p["waived"]), pid
        record_rows = {r["unit"]: r for r in view("units", "--record")["units"]}
        for unit in sorted(checked | {"权寨镇"}):
            mine = view("status", "--unit", unit)
            own_due = {i["id"]: i for i in view("due", "--unit", unit, "--all")["items"]}
            leads = []
            for x in mine["items"]:
                u = next(u for u in parts[x["id"]]["units"] if u["unit"] == unit)
                assert (x["state"], x["on"], x["extended_to"], x["review"]) == (
                    u["state"], u["on"], u["extended_to"], u["review"]), (unit, x["id"])
                assert x["waived"] == (u["waived"] or parts[x["id"]]["waived"])
                days = (date.fromisoformat(x["extended_to"] or x["due"]) - day).days
                o = own_due[x["id"]]
                assert (o["light"], o["days_left"], o["state"], o["waived"]) == (x["light"], days, x["state"],
                                                                                x["waived"]), (unit, x["id"])
                settled = x["state"] == "done" or x["item_state"] == "done" or x["waived"]
                if not settled:
                    assert x["light"] == _lit(days, warn), (unit, x["id"])
                if x["role"] == "lead":
                    leads.append(x)
            row = record_rows.get(unit)
            if leads:
                owed = [x for x in leads if not x["waived"]]
                assert (row["led"], row["done"], row["waived"], row["returned"], row["extended"]) == (
                    len(owed), sum(1 for x in owed if x["state"] == "done"), len(leads) - len(owed),
                    sum(1 for x in leads if x["review"] == "returned"),
                    sum(1 for x in leads if x["extended_to"])), unit
                assert row["overdue"] == sum(1 for x in owed if x["state"] != "done" and x["light"] == "red"), unit

    made = []

    def tempfile_dir():
        made.append(tmp_path_factory.mktemp("ledger"))
        return made[-1]

    check()


# --- 10. the plan's own words ---------------------------------------------------------------------------

def test_the_level_word_comes_from_the_plan(plan, county):
    from fazhi_cli.plan import load_plan

    assert plan.level == "区" and load_plan(county).level == "县"
    city = COUNTY_PLAN.replace("某县人民政府办公室", "某市人民政府办公室").replace("某县2020年", "某市2020年")
    assert load_plan(_write(county.parent / "city.yaml", city)).level == "市"
    nameless = COUNTY_PLAN.replace("  issuer: 某县人民政府办公室\n", "")
    assert load_plan(_write(county.parent / "nameless.yaml", nameless)).level == "县"   # from the title


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_help_does_not_name_panyu_or_the_district(cli):
    for args in (("report", "--help"), ("status", "--help")):
        text = cli(*args, env={"COLUMNS": "200"}).stdout
        assert "全区" not in text and "默认为内置的番禺区方案" not in text


def test_messages_write_ranges_and_names_as_a_person_would(county, home, cli, tmp_path):
    r = cli("status", "--task", "9", "--plan", county)
    assert r.exit_code == 2 and "1-1" not in one_line_error(r) and "只有任务 1" in one_line_error(r)
    r = cli("report", "--year", "2030", "--plan", county)
    assert r.exit_code == 2 and "2020-2020" not in one_line_error(r)
    # an old copy of the plan, without its supervising unit, meets the office's records
    cli("waive", "1.1", "--reason", "x", "--as", "县司法局", "--plan", county)
    old = _write(tmp_path / "old.yaml", COUNTY_PLAN.replace("supervision:\n  units: [县司法局]\n", ""))
    r = cli("check", "--plan", old)
    assert "((" not in r.stdout + r.stderr and "waive" not in r.stdout + r.stderr
    assert "方案未指定督办单位" in r.stdout + r.stderr


# --- 6. reports for any year the work was done ------------------------------------------------------------

def test_work_done_late_is_reported_in_the_year_it_was_done(county, home, clock, cli, tmp_path):
    from fazhi_cli.plan import load_plan

    plan = load_plan(county)
    clock.set("2026-11-20T10:00")
    for unit in ("县司法局", "县政务局", "权寨镇", "甲镇", "乙镇", "丙镇", "丁镇", "戊镇"):
        record.mark(plan, home, target="1.1", unit=unit, state="done", on="2026-11-20", note=None,
                    evidence=["某司发〔2026〕9号"], by="t")
    clock.set("2026-12-05T10:00")
    out = tmp_path / "2026.md"
    r = cli("report", "--year", "2026", "--as-of", "2026-12-05", "--plan", county, "-o", out)
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "1.1" in text and "逾期完成" in text and "某司发〔2026〕9号" in text
    r = cli("report", "--year", "2021", "--plan", county, "-o", tmp_path / "2021.md")
    assert r.exit_code == 0, r.output                       # any year from the plan's signing to today
    r = cli("report", "--year", "2027", "--plan", county, "-o", tmp_path / "2027.md")
    assert r.exit_code == 2 and "2020 年至 2026 年" in one_line_error(r)
    rec = json_out(cli, "units", "--record", "--year", "2026", "--as-of", "2026-12-05", "--plan", county)
    assert len(rec["units"]) == 8 and all((u["done"], u["late"]) == (1, 1) for u in rec["units"])


# --- 9. check without follow-on errors, and YAML errors where they are --------------------------------------

@pytest.mark.parametrize("old, new, where, words", [
    ('signed: "2020-02-01"', 'signed: "2020-02-01', ":5:11:", "引号没有闭合"),
    ("title: 某县2020年法治政府建设工作方案", 'title: "某县2020年法治政府建设工作方案', ":2:10:", "引号没有闭合"),
    ("lead: [县司法局, 县政务局, 各镇]", "lead: [县司法局, , 县政务局, 各镇]", ":38:", "多余的逗号"),
    ("  units: [县司法局]", "  units: [县司法局],", ":31:", "多余的逗号"),
])
def test_yaml_errors_are_reported_where_they_are(tmp_path, cli, old, new, where, words):
    path = _write(tmp_path / "plan.yaml", COUNTY_PLAN.replace(old, new))
    r = cli("check", "--plan", path, "--data-dir", tmp_path / "data")
    line = one_line_error(r)
    assert r.exit_code == 1 and where in line and words in line, line
    assert "did not find" not in line and "缩进不一致" not in line


def test_a_misnamed_units_list_is_reported_once(tmp_path, cli):
    path = _write(tmp_path / "plan.yaml", COUNTY_PLAN.replace("\nunits:\n", "\nunit:\n"))
    r = cli("check", "--plan", path, "--data-dir", tmp_path / "data")
    out = r.stdout + r.stderr
    assert r.exit_code == 1 and "'unit'" in out and "units" in out
    assert "不是已定义的单位" not in out
