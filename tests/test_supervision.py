"""Supervision (督办): reviews, extensions, waivers, successions, reminders, the units' record, closing."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import mark_on as mark, one_line_error, snapshot
from fazhi_cli import ledger, progress, record
from fazhi_cli.plan import load_plan
from fazhi_cli.progress.supervision import notices, units_record

OFFICE = "区法制办"






def review(plan, home, target, unit, verdict, on, note=None):
    return record.review(plan, home, target=target, unit=unit, acting=OFFICE, verdict=verdict, note=note, by="督办员",
                         clock_today=date.fromisoformat(on))


def part(plan, home, pid, as_of):
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date.fromisoformat(as_of))
    return next(p for ts in st.tasks for p in ts.parts if p.part.id == pid)


def own(ps, unit):
    return next(u for u in ps.units if u.unit == unit)


# --- review ------------------------------------------------------------------------

def test_a_return_reopens_only_that_units_part_and_an_accept_closes_it(plan, home, clock):
    # 6.1 is led by several units; 区编办 and 区市场监管局 both claim it done
    clock.set("2017-05-01T10:00")
    mark(plan, home, "6.1", "区编办", "2017-05-01")
    mark(plan, home, "6.1", "区市场监管局", "2017-05-01")
    p = part(plan, home, "6.1", "2017-05-02")
    assert own(p, "区编办").review == "pending" and own(p, "区市场监管局").review == "pending"
    clock.set("2017-05-10T10:00")
    review(plan, home, "6.1", "区编办", "return", "2017-05-10", note="缺少清理结果")
    p = part(plan, home, "6.1", "2017-05-11")
    assert (own(p, "区编办").state, own(p, "区编办").review, own(p, "区编办").review_note) == (
        "doing", "returned", "缺少清理结果")
    assert (own(p, "区市场监管局").state, own(p, "区市场监管局").review) == ("done", "pending")
    # the unit does the work again: a new claim, dated by the new mark
    clock.set("2017-06-01T10:00")
    mark(plan, home, "6.1", "区编办", "2017-06-01")
    p = part(plan, home, "6.1", "2017-06-02")
    assert (own(p, "区编办").state, own(p, "区编办").on, own(p, "区编办").review) == ("done", "2017-06-01", "pending")
    clock.set("2017-06-05T10:00")
    review(plan, home, "6.1", "区编办", "accept", "2017-06-05")
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2017, 6, 6))
    before = progress.count(st.parts)
    p = part(plan, home, "6.1", "2017-06-06")
    assert own(p, "区编办").review == "accepted" and p.review == "pending"    # 区市场监管局's claim still waits
    clock.set("2017-06-07T10:00")
    review(plan, home, "6.1", "区市场监管局", "accept", "2017-06-07")
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2017, 6, 8))
    after = progress.count(st.parts)
    assert (before["accepted"], after["accepted"]) == (0, 1)   # both leads closed out: 6.1 is 已销号
    assert (before["pending_review"], after["pending_review"]) == (1, 0)
    # the office's acts live in its own file; the units' files are untouched by them
    assert all(e["unit"] == "区编办" for e in _lines(home, "区编办"))
    assert {e["type"] for e in _lines(home, OFFICE)} == {"review"}


def test_an_accept_moves_the_closed_out_count(plan, home, clock):
    clock.set("2017-11-30T10:00")
    mark(plan, home, "2.2", "区编办", "2016-12-20")
    counts = lambda day: progress.count(progress.status(plan, ledger.read_ledger(home, plan).events, day).parts)  # noqa: E731
    assert (counts(date(2017, 1, 1))["done"], counts(date(2017, 1, 1))["pending_review"],
            counts(date(2017, 1, 1))["accepted"]) == (1, 1, 0)
    clock.set("2017-12-01T10:00")
    review(plan, home, "2.2", "区编办", "accept", "2017-12-01")
    c = counts(date(2017, 12, 2))
    assert (c["done"], c["pending_review"], c["accepted"]) == (1, 0, 1)


def test_only_the_supervising_unit_may_review_extend_or_waive(plan, home, clock, cli):
    mark(plan, home, "2.2", "区编办", "2016-12-20")
    before = snapshot(home)
    for args in (["review", "2.2", "-u", "区编办", "--accept", "--as", "区编办"],
                 ["extend", "2.2", "--to", "2017-06-30", "--reason", "x", "--as", "区财政局"],
                 ["waive", "2.2", "--reason", "x", "--as", "区政务办"],
                 ["close", "--as", "区编办"], ["remind", "--as", "区编办"]):
        r = cli(*args)
        assert r.exit_code == 2 and "不是督办单位" in one_line_error(r), args
    assert snapshot(home) == before
    # and a forged act in a unit's own file is not counted
    forged = dict(_lines(home, "区编办")[0], id="f" * 32, type="review", subject="区编办", verdict="accept")
    forged.pop("state")
    with open(home / "progress" / "区编办.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(forged, ensure_ascii=False) + "\n")
    book = ledger.read_ledger(home, plan)
    assert any("只有督办单位" in p.message for p in book.problems)


def test_a_plan_without_a_supervising_unit_keeps_working(tmp_path, home, cli):
    text = (load_plan().path and open(load_plan().path, encoding="utf-8").read())
    start = text.index("supervision:")
    end = text.index("sections:", start)
    plain = tmp_path / "plain.yaml"
    plain.write_text(text[:start] + text[end:], encoding="utf-8")
    assert cli("mark", "2.2", "-u", "区编办", "--on", "2016-12-20", "--plan", plain).exit_code == 0
    doc = json.loads(cli("status", "--task", "2", "--plan", plain, "-f", "json").stdout)
    assert doc["tasks"][0]["parts"][1]["review"] is None            # nothing is 待审核 without an office
    r = cli("review", "2.2", "-u", "区编办", "--accept", "--as", "区法制办", "--plan", plain)
    assert r.exit_code == 2 and "没有指定督办单位" in one_line_error(r)


def test_review_required_counts_only_what_was_closed_out(tmp_path, home, clock):
    text = open(load_plan().path, encoding="utf-8").read().replace("review_required: false", "review_required: true")
    strict_path = tmp_path / "strict.yaml"
    strict_path.write_text(text, encoding="utf-8")
    strict = load_plan(strict_path)
    clock.set("2017-01-05T10:00")
    mark(strict, home, "2.2", "区编办", "2016-12-20")
    assert part(strict, home, "2.2", "2017-01-06").state != "done"
    clock.set("2017-01-10T10:00")
    review(strict, home, "2.2", "区编办", "accept", "2017-01-10")
    p = part(strict, home, "2.2", "2017-01-11")
    assert (p.state, p.done_on, p.late) == ("done", "2016-12-20", False)


# --- extensions and waivers -----------------------------------------------------------

def test_an_extension_changes_the_light_but_not_the_lateness(plan, home, clock, cli):
    clock.set("2017-12-15T10:00")
    record.extend(plan, home, target="7.1", unit=None, acting=OFFICE, to="2018-06-30", reason="机构调整",
                  approved_by="区政府", by=None, clock_today=date(2017, 12, 15))
    p = part(plan, home, "7.1", "2018-03-01")
    assert (p.light, p.extended_to) == ("green", date(2018, 6, 30))            # red without the extension
    clock.set("2018-05-01T10:00")
    mark(plan, home, "7.1", OFFICE, "2018-05-01")
    p = part(plan, home, "7.1", "2018-05-02")
    assert (p.state, p.late, p.extended_to) == ("done", True, date(2018, 6, 30))   # 按原定时间考核
    doc = json.loads(cli("status", "--task", "7", "--as-of", "2018-05-02", "-f", "json").stdout)
    p71 = doc["tasks"][0]["parts"][0]
    assert (p71["due"], p71["extended_to"], p71["late"]) == ("2017-12-31", "2018-06-30", True)
    table = cli("status", "--parts", "--section", "2", "--as-of", "2018-03-01", env={"COLUMNS": "160"}).stdout
    assert "2018-06-30（原 2017-12-31）" in table


def test_a_unit_extension_lights_that_units_view(plan, home, clock):
    clock.set("2017-12-15T10:00")
    record.extend(plan, home, target="plan-2018", unit="区编办", acting=OFFICE, to="2018-04-30", reason="人员调整",
                  approved_by=None, by=None, clock_today=date(2017, 12, 15))
    st = progress.status(plan, [], date(2018, 3, 20))
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2018, 3, 20))
    mine = {x.id: x for x in progress.own_items(st, "区编办")}
    theirs = {x.id: x for x in progress.own_items(st, "区财政局")}
    assert mine["plan-2018"].light == "green" and theirs["plan-2018"].light == "red"


def test_a_waiver_leaves_the_owed_counts_but_stays_visible(plan, home, clock, cli):
    clock.set("2018-01-10T10:00")
    record.waive(plan, home, target="catalogue-2017", unit=None, acting=OFFICE, reason="已由上级统一部署", by=None,
                 clock_today=date(2018, 1, 10))
    due = json.loads(cli("due", "--as-of", "2018-02-01", "-f", "json").stdout)
    assert "catalogue-2017" not in [i["id"] for i in due["items"]]
    everything = json.loads(cli("due", "--all", "--as-of", "2018-02-01", "-f", "json").stdout)
    item = next(i for i in everything["items"] if i["id"] == "catalogue-2017")
    assert (item["waived"], item["light"]) == ("已由上级统一部署", "green")
    duties = cli("status", "--duties", "--as-of", "2018-02-01", "-f", "plain").stdout
    assert "不再适用" in duties


# --- units that change ----------------------------------------------------------------

def test_a_succession_moves_unfinished_items_and_leaves_finished_ones(tmp_path, home, clock, cli):
    text = open(load_plan().path, encoding="utf-8").read().replace("supervision:", """successions:
  - from: 区法制办
    to: 区司法局
    on: "2019-03-01"
    note: 机构改革
supervision:""", 1)
    reform_path = tmp_path / "reform.yaml"
    reform_path.write_text(text, encoding="utf-8")
    reform = load_plan(reform_path)
    clock.set("2017-11-30T10:00")
    mark(reform, home, "7.1", "区法制办", "2017-11-30")              # finished before the reform: stays 区法制办's
    st = progress.status(reform, ledger.read_ledger(home, reform).events, date(2019, 6, 1))
    seven = next(p for ts in st.tasks for p in ts.parts if p.part.id == "7.1")
    nineteen = next(p for ts in st.tasks for p in ts.parts if p.part.id == "19.1")
    assert [u.unit for u in seven.units if u.role == "lead"] == ["区法制办"] and seven.state == "done"
    assert [(u.unit, u.succeeds) for u in nineteen.units if u.role == "lead"] == [("区司法局", "区法制办")]
    before = progress.status(reform, [], date(2019, 2, 1))
    nineteen_before = next(p for ts in before.tasks for p in ts.parts if p.part.id == "19.1")
    assert [u.unit for u in nineteen_before.units if u.role == "lead"] == ["区法制办"]
    # the successor may record what it inherited
    clock.set("2019-04-01T10:00")
    mark(reform, home, "19.1", "区司法局", "2019-04-01")
    p = next(p for ts in progress.status(reform, ledger.read_ledger(home, reform).events, date(2019, 4, 2)).tasks
             for p in ts.parts if p.part.id == "19.1")
    assert p.state == "done"


@pytest.mark.parametrize("entry, words", [
    ("  - from: 区法制办\n    to: 火星局\n    on: \"2019-03-01\"\n", "不是已定义的单位"),
    ("  - from: 区法制办\n    to: 区司法局\n    on: \"2015-01-01\"\n", "早于方案印发日期"),
    ("  - from: 区法制办\n    to: 区司法局\n    on: \"2019-03-01\"\n  - from: 区司法局\n    to: 区法制办\n"
     "    on: \"2020-01-01\"\n", "循环"),
])
def test_check_validates_successions(tmp_path, cli, entry, words):
    text = open(load_plan().path, encoding="utf-8").read().replace("supervision:", "successions:\n" + entry + "supervision:", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    r = cli("check", "--plan", bad)
    assert r.exit_code == 1 and words in r.output


# --- reminders and the units' record --------------------------------------------------

def test_a_reminder_lists_exactly_that_units_items(plan, home, clock, cli):
    clock.set("2017-02-01T10:00")
    mark(plan, home, "2.2", "区编办", "2016-12-20")                    # done: not in the reminder
    clock.set("2017-03-15T10:00")
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2017, 3, 15))
    (n,) = notices(plan, st, within=30, unit="区编办")
    assert [x.id for x in n.overdue] == [] and [x.id for x in n.duties] == ["plan-2017", "summary-2016"]
    (m,) = notices(plan, st, within=30, unit="区法制办")
    assert [x.id for x in m.duties] == ["catalogue-2016", "report-2016", "plan-2017", "summary-2016"]
    r = cli("remind", "--unit", "区编办", "--as", OFFICE, "--as-of", "2017-03-15")
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert text.startswith("番法治督办〔2017〕1号") and "区编办：" in text
    assert "plan-2017 2017年具体创建工作计划（期限 2017年3月10日，已逾期 5 天）" in text and "2.2" not in text
    assert "fazhi" not in text and "请抓紧落实，完成后及时报送完成情况和证明材料。" in text
    again = cli("remind", "--unit", "区编办", "--as", OFFICE, "--as-of", "2017-03-15")
    assert again.stdout.startswith("番法治督办〔2017〕2号")              # numbered in the office's own file
    numbers = [e["number"] for e in _lines(home, OFFICE) if e["type"] == "remind"]
    assert numbers == [1, 2]


def test_reminders_to_a_folder_one_file_per_unit(plan, home, clock, cli, tmp_path):
    clock.set("2017-03-15T10:00")
    out = tmp_path / "催办"
    out.mkdir()
    r = cli("remind", "--as", OFFICE, "--as-of", "2017-03-15", "--output", out)
    assert r.exit_code == 0, r.output
    files = sorted(out.iterdir())
    assert len(files) == len(r.stdout.splitlines()) > 30
    assert sorted(p.suffix for p in files) == [".docx"] * (len(files) // 2) + [".txt"] * (len(files) // 2)
    raw = next(p for p in files if p.suffix == ".txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    r = cli("remind", "--as", OFFICE, "--dry-run", "-f", "json", "--as-of", "2017-03-15")
    doc = json.loads(r.stdout)
    assert doc["notices"][0]["number"] is None and "草稿" in doc["notices"][0]["reference"]


def test_the_units_record_separates_missing_from_late(plan, home, clock, cli):
    clock.set("2017-04-01T10:00")
    mark(plan, home, "plan-2017", "区编办", "2017-03-01")              # on time
    mark(plan, home, "plan-2017", "区财政局", "2017-03-30")            # late
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2017, 4, 1))
    rows = {r.unit: r for r in units_record(plan, st, 2017)}
    assert (rows["区编办"].duties_on_time, rows["区编办"].duties_late, rows["区编办"].duties_missing) == (1, 0, 0)
    assert (rows["区财政局"].duties_on_time, rows["区财政局"].duties_late, rows["区财政局"].duties_missing) == (0, 1, 0)
    assert rows["区政务办"].duties_missing == 1
    order = [r.unit for r in units_record(plan, st, 2017)]
    assert order.index("区政务办") < order.index("区财政局") < order.index("区编办")    # worst first
    doc = json.loads(cli("units", "--record", "--year", "2017", "--as-of", "2017-04-01", "-f", "json").stdout)
    assert next(u for u in doc["units"] if u["unit"] == "区财政局")["duties_late"] == 1


# --- closing a plan ------------------------------------------------------------------

def test_a_closed_plan_passes_due_check_and_refuses_later_marks(plan, home, cli):
    assert cli("due", "--check", "--as-of", "2019-06-01").exit_code == 3
    assert cli("close", "--as", OFFICE, "--on", "2019-03-31", "--note", "通过验收").exit_code == 0
    r = cli("due", "--check", "--as-of", "2019-06-01")
    assert r.exit_code == 0 and "方案已于 2019-03-31 结束" in r.stderr
    r = cli("mark", "7", "-u", OFFICE, "--on", "2019-04-01")
    assert r.exit_code == 2 and "fazhi reopen" in one_line_error(r)
    assert cli("mark", "7", "-u", OFFICE, "--on", "2019-03-01").exit_code == 0   # within the plan's time
    assert cli("reopen", "--as", OFFICE, "--note", "补记").exit_code == 0
    assert cli("mark", "19", "-u", OFFICE, "--on", "2019-04-01").exit_code == 0
    log = json.loads(cli("log", "--all-units", "-f", "json").stdout)["events"]
    assert [e["type"] for e in log if e["type"] in ("close", "reopen")] == ["reopen", "close"]


def test_the_office_can_undo_its_own_act(plan, home, clock, cli):
    mark(plan, home, "2.2", "区编办", "2016-12-20")
    assert cli("review", "2.2", "-u", "区编办", "--return", "--note", "材料不全", "--as", OFFICE).exit_code == 0
    assert part(plan, home, "2.2", date.today().isoformat()).units[0].review == "returned"
    assert cli("undo", "-u", OFFICE).exit_code == 0
    assert part(plan, home, "2.2", date.today().isoformat()).units[0].review == "pending"


def _lines(home, unit):
    path = home / "progress" / f"{unit}.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
