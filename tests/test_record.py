"""A record the office can trust: plan identity, stable dates, attach, undo, evidence, --known-at."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import one_line_error, snapshot
from fazhi_cli import ledger, progress, record
from fazhi_cli.errors import UsageError
from fazhi_cli.progress.history import backdated_days
from fazhi_cli.plan import load_plan


def lines_of(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().split(b"\n") if x.strip()]


def mark(plan, home, target, unit, on=None, **kw):
    return record.mark(plan, home, target=target, unit=unit, state=kw.pop("state", "done"), on=on,
                       note=kw.pop("note", None), evidence=kw.pop("evidence", []), by="测试员", **kw)


def part(st, pid):
    return next(p for ts in st.tasks for p in ts.parts if p.part.id == pid)


@pytest.fixture
def clock(clock):
    """The shared pinned clock, started at 2017-06-30 09:00 for these tests."""
    clock.set("2017-06-30T09:00")
    return clock


# --- 1. plan identity -------------------------------------------------------------

SECOND_PLAN = """\
schema: 1
plan:
  title: 番禺区2019年法治政府建设工作要点
  number: 番府办〔2019〕5号
  signed: "2019-03-01"
  target: "2019-12-31"
sections:
  - id: 一
    heading: 依法全面履行政府职能
units:
  - name: 区编办
    kind: department
  - name: 区法制办
    kind: department
tasks:
  - id: "2"
    section: 一
    title: 深化权责清单
    parts:
      - id: "2.1"
        lead: [区编办]
        due: "2019-12-31"
"""


def test_two_plans_share_a_data_folder_and_never_count_each_other(plan, home, tmp_path):
    second_path = tmp_path / "2019.yaml"
    second_path.write_text(SECOND_PLAN, encoding="utf-8")
    second = load_plan(second_path)
    assert (plan.key, second.key) == ("番府办〔2016〕60号", "番府办〔2019〕5号")
    mark(plan, home, "2.1", "区编办", "2016-12-20")                 # the 2016 plan's 2.1
    (written,) = lines_of(home / "progress" / "区编办.jsonl")
    assert written["plan"] == "番府办〔2016〕60号"
    st = progress.status(second, ledger.read_ledger(home, second).events, date(2019, 6, 1))
    assert part(st, "2.1").state == "todo"                             # not the 2019 plan's progress
    mark(second, home, "2.1", "区编办", "2019-05-01")
    book = ledger.read_ledger(home, second)
    assert [e.on for e in book.events] == ["2019-05-01"] and book.problems == []
    first = ledger.read_ledger(home, plan)
    assert [e.on for e in first.events] == ["2016-12-20"] and first.problems == []


def test_records_without_a_plan_belong_to_the_bundled_plan(plan, home, tmp_path):
    mark(plan, home, "2.1", "区编办", "2016-12-20")
    path = home / "progress" / "区编办.jsonl"
    (event,) = lines_of(path)
    del event["plan"]                                                  # as written before plans had ids
    path.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [e.on for e in ledger.read_ledger(home, plan).events] == ["2016-12-20"]
    second_path = tmp_path / "2019.yaml"
    second_path.write_text(SECOND_PLAN, encoding="utf-8")
    assert ledger.read_ledger(home, load_plan(second_path)).events == []


def test_an_explicit_plan_id_wins_over_the_number(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text(SECOND_PLAN.replace("plan:\n", "plan:\n  id: panyu-2019-points\n"), encoding="utf-8")
    assert load_plan(p).key == "panyu-2019-points"


# --- 2. a completion date that does not move --------------------------------------

def test_re_marking_a_done_part_keeps_its_completion_date(plan, home, clock):
    # 19.1 was done on time; a year after its deadline the clerk marks it done
    # again to add a note. It must stay done on time, not turn into 逾期完成.
    clock.set("2018-06-01T10:00")
    mark(plan, home, "19.1", "区法制办", "2018-06-01", clock_today=date(2018, 6, 1))
    clock.set("2019-12-01T10:00")
    again = mark(plan, home, "19.1", "区法制办", note="补充说明", clock_today=date(2019, 12, 1))
    assert again.notes == ["注意：19.1 已于 2018-06-01 完成，完成日期不变；只补充材料或备注可用 fazhi attach"]
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2020, 1, 1))
    p = part(st, "19.1")
    assert (p.state, p.done_on, p.late) == ("done", "2018-06-01", False)
    # a real change of state starts a new standing state
    clock.set("2019-12-02T10:00")
    mark(plan, home, "19.1", "区法制办", "2019-12-02", state="doing", clock_today=date(2019, 12, 2))
    clock.set("2019-12-03T10:00")
    mark(plan, home, "19.1", "区法制办", "2019-12-03", clock_today=date(2019, 12, 3))
    p = part(progress.status(plan, ledger.read_ledger(home, plan).events, date(2020, 1, 1)), "19.1")
    assert (p.state, p.done_on, p.late) == ("done", "2019-12-03", True)


def test_attach_adds_evidence_without_a_state_or_a_date(plan, home, tmp_path, clock):
    clock.set("2018-06-01T10:00")
    mark(plan, home, "19.1", "区法制办", "2018-06-01", clock_today=date(2018, 6, 1))
    clock.set("2019-12-01T10:00")
    scan = tmp_path / "持证上岗检查.pdf"
    scan.write_bytes(b"%PDF- scan")
    done = record.attach(plan, home, target="19.1", unit="区法制办", note="补充检查报告",
                         evidence=[str(scan), "番法制〔2018〕9号"], by=None, clock_today=date(2019, 12, 1))
    (event,) = done.events
    assert event["type"] == "attach" and "state" not in event
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2020, 1, 1))
    p = part(st, "19.1")
    assert (p.state, p.done_on, p.late) == ("done", "2018-06-01", False)
    (own,) = [u for u in p.units if u.unit == "区法制办"]
    assert [x["value"] for x in own.evidence] == ["持证上岗检查.pdf", "番法制〔2018〕9号"]


def test_attach_needs_a_record_to_attach_to(plan, home):
    with pytest.raises(UsageError) as e:
        record.attach(plan, home, target="19.1", unit="区法制办", note="x", evidence=[], by=None)
    assert "请先用 fazhi mark 记录" in str(e.value) and not home.exists()


# --- 3. undo undoes a command -----------------------------------------------------

def test_undo_takes_back_a_whole_multi_part_mark(plan, home):
    mark(plan, home, "2.2", "区编办", "2016-12-20")
    four = mark(plan, home, "6", "区编办", "2017-03-01")
    assert len(four.events) == 4
    undone = record.undo(plan, home, "区编办")
    assert sorted(e.target for e in undone.revoked) == ["6.1", "6.2", "6.3", "6.4"]
    assert {e["cmd"] for e in undone.events} != {four.events[0]["cmd"]} and len(undone.events) == 4
    best = progress.latest(ledger.read_ledger(home, plan).events, date(2017, 12, 31))
    assert ("6.1", "区编办") not in best and ("2.2", "区编办") in best
    assert [e.target for e in record.undo(plan, home, "区编办").revoked] == ["2.2"]


def test_undo_after_an_import_takes_back_the_units_newest_recording(plan, home, tmp_path, clock):
    other = tmp_path / "pc2"
    clock.set("2017-01-05T10:00")
    mark(plan, other, "2.2", "区编办", "2016-12-20", clock_today=date(2017, 1, 5))    # older, on another PC
    clock.set("2017-02-01T10:00")
    mark(plan, home, "2.1", "区编办", "2017-01-30", clock_today=date(2017, 2, 1))     # newer, here
    clock.set("2017-02-02T10:00")
    record.import_files(plan, home, [other / "progress" / "区编办.jsonl"], clock_today=date(2017, 2, 2))
    # the imported record is the file's last line, but not the newest recording
    assert lines_of(home / "progress" / "区编办.jsonl")[-1]["part"] == "2.2"
    undone = record.undo(plan, home, "区编办")
    assert [e.target for e in undone.revoked] == ["2.1"]


# --- 4. evidence that travels -----------------------------------------------------

def test_evidence_travels_with_a_copied_data_folder(plan, home, tmp_path):
    scan = tmp_path / "desk" / "清理结果.pdf"
    scan.parent.mkdir()
    scan.write_bytes(b"%PDF- result of the clean-up")
    mark(plan, home, "7", "区法制办", "2017-11-30", evidence=[str(scan)])
    elsewhere = tmp_path / "office-pc" / "fazhi"
    shutil.copytree(home, elsewhere)
    shutil.rmtree(scan.parent)                     # the clerk's desk is not there on the office's PC
    report, n = record.check(plan, ledger.read_ledger(elsewhere, plan), elsewhere)
    assert n == 0, report


def test_import_of_a_data_folder_brings_its_evidence(plan, home, tmp_path):
    pc = tmp_path / "unit-pc"
    scan = tmp_path / "通知.docx"
    scan.write_bytes(b"PK word file")
    mark(plan, pc, "2.2", "区编办", "2016-12-20", evidence=[str(scan)])
    lines, added = record.import_files(plan, home, [pc])
    assert len(added) == 1
    assert record.check(plan, ledger.read_ledger(home, plan), home)[1] == 0
    (item,) = added[0].event.evidence
    assert (home / "evidence" / f"{item['sha256']}.docx").read_bytes() == b"PK word file"


def test_import_refuses_evidence_that_does_not_match_its_hash(plan, home, tmp_path):
    pc = tmp_path / "unit-pc"
    scan = tmp_path / "通知.docx"
    scan.write_bytes(b"PK word file")
    mark(plan, pc, "2.2", "区编办", "2016-12-20", evidence=[str(scan)])
    (blob,) = (pc / "evidence").iterdir()
    blob.write_bytes(b"PK forged")
    with pytest.raises(Exception) as e:
        record.import_files(plan, home, [pc])
    assert "SHA-256" in str(e.value) and not home.exists()


def test_a_missing_file_is_kept_as_a_document_reference_only_with_ref(plan, home, cli):
    # issue 24 item 8: a mistyped file name is refused; --ref keeps a reference on purpose
    r = cli("mark", "7", "-u", "区法制办", "--on", "2017-11-30", "--evidence", "清理结果.pdf")
    assert r.exit_code == 2 and "找不到文件 清理结果.pdf" in r.stderr and not home.exists()
    r = cli("mark", "7", "-u", "区法制办", "--on", "2017-11-30", "--ref", "清理结果.pdf")
    assert r.exit_code == 0, r.output
    (event,) = lines_of(home / "progress" / "区法制办.jsonl")
    assert event["evidence"] == [{"kind": "document", "value": "清理结果.pdf"}]


def test_evidence_is_shown_where_people_look(plan, home, cli, tmp_path):
    scan = tmp_path / "清理结果.pdf"
    scan.write_bytes(b"%PDF-")
    assert cli("mark", "7", "-u", "区法制办", "--on", "2017-11-30", "-e", scan, "-e", "番府办〔2017〕12号").exit_code == 0
    table = cli("status", "--task", "7", "--as-of", "2017-12-01", env={"COLUMNS": "160"}).stdout
    assert "2 项：清理结果.pdf" in table
    plain = cli("status", "--task", "7", "--as-of", "2017-12-01", "-f", "plain").stdout
    assert "清理结果.pdf" in plain and "番府办〔2017〕12号" in plain
    log_csv = cli("log", "-f", "csv").stdout
    assert "清理结果.pdf" in log_csv and "番府办〔2017〕12号" in log_csv
    doc = json.loads(cli("status", "--task", "7", "--as-of", "2017-12-01", "-f", "json").stdout)
    own = doc["tasks"][0]["parts"][0]["units"][0]
    assert [x["kind"] for x in own["evidence"]] == ["file", "document"]


# --- 5. replay as known -----------------------------------------------------------

def test_known_at_shows_again_what_a_past_report_said(plan, home, clock):
    clock.set("2017-06-20T10:00")
    mark(plan, home, "2.2", "区编办", "2016-12-20", clock_today=date(2017, 6, 20))
    clock.set("2017-06-25T10:00")
    mark(plan, home, "2.1", "区编办", "2017-06-25", clock_today=date(2017, 6, 25))
    clock.set("2017-07-03T10:00")                   # after the report of 2017-06-30:
    mark(plan, home, "7.1", "区法制办", "2017-06-10", clock_today=date(2017, 7, 3))   # a back-dated mark
    clock.set("2017-07-04T10:00")
    record.undo(plan, home, "区编办")               # and an undo of 2.1
    events = ledger.read_ledger(home, plan).events
    now = progress.status(plan, events, date(2017, 6, 30))
    then = progress.status(plan, events, date(2017, 6, 30), known_at="2017-06-30")
    assert [(p, part(now, p).state) for p in ("2.1", "2.2", "7.1")] == [("2.1", "todo"), ("2.2", "done"),
                                                                          ("7.1", "done")]
    assert [(p, part(then, p).state) for p in ("2.1", "2.2", "7.1")] == [("2.1", "done"), ("2.2", "done"),
                                                                           ("7.1", "todo")]
    # a timestamp splits a day
    early = progress.status(plan, events, date(2017, 6, 30), known_at="2017-06-25T09:00:00+08:00")
    assert part(early, "2.1").state == "todo"
    back = [e for e in events if e.target == "7.1"][0]
    assert backdated_days(back) == 23


def test_known_at_counts_an_import_from_when_it_arrived(plan, home, tmp_path, clock):
    other = tmp_path / "pc2"
    clock.set("2017-06-20T10:00")
    mark(plan, other, "2.2", "区编办", "2016-12-20", clock_today=date(2017, 6, 20))
    clock.set("2017-07-10T10:00")
    record.import_files(plan, home, [other / "progress" / "区编办.jsonl"], clock_today=date(2017, 7, 10))
    events = ledger.read_ledger(home, plan).events
    assert part(progress.status(plan, events, date(2017, 6, 30), known_at="2017-06-30"), "2.2").state == "todo"
    assert part(progress.status(plan, events, date(2017, 6, 30), known_at="2017-07-10"), "2.2").state == "done"


def test_known_at_on_the_command_line(cli, home, clock):
    clock.set("2017-07-03T10:00")
    r = cli("mark", "7", "-u", "区法制办", "--on", "2017-06-10")
    assert r.exit_code == 0, r.output
    doc = json.loads(cli("status", "--as-of", "2017-06-30", "--known-at", "2017-06-30", "-f", "json").stdout)
    assert doc["known_at"] == "2017-06-30" and doc["as_of"] == "2017-06-30" and doc["summary"]["done"] == 0
    doc = json.loads(cli("status", "--as-of", "2017-06-30", "-f", "json").stdout)
    assert doc["known_at"] is None and doc["summary"]["done"] == 1
    table = cli("status", "--as-of", "2017-06-30", "--known-at", "2017-06-30").stdout
    # the line with its full-width brackets is wider than 80 cells: it wraps
    assert "按 2017-06-30 时已有的记录" in table.replace("\n", "")
    log = cli("log", "-f", "plain").stdout
    assert "2017-06-10（补记，晚 23 天）" in log
    assert json.loads(cli("log", "-f", "json").stdout)["events"][0]["backdated_days"] == 23
    due = json.loads(cli("due", "--known-at", "2017-06-30T12:00", "--as-of", "2017-06-30", "-f", "json").stdout)
    assert due["known_at"] == "2017-06-30T12:00:00.000000+08:00"


# --- 6. marks that fit the plan's time --------------------------------------------

def test_on_before_the_plan_was_signed_is_refused(cli, home):
    r = cli("mark", "7", "-u", "区法制办", "--on", "2016-08-14")
    assert r.exit_code == 2 and "早于方案印发日期（2016-08-15）" in one_line_error(r)
    assert not home.exists()
    assert cli("mark", "7", "-u", "区法制办", "--on", "2016-08-15").exit_code == 0


@pytest.mark.parametrize("spelling", ["2017-06-30", "2017/06/30", "2017.6.30", "2017年6月30日", "2017/6/30"])
def test_common_date_spellings(cli, home, spelling):
    r = cli("mark", "7", "-u", "区法制办", "--on", spelling)
    assert r.exit_code == 0 and "（2017-06-30）" in r.stdout, r.output
    assert cli("status", "--as-of", spelling, "-f", "json").exit_code == 0


@pytest.mark.parametrize("spelling", ["2017-06/30", "2017.13.01", "17-06-30", "2017年6月"])
def test_bad_date_spellings(cli, home, spelling):
    r = cli("mark", "7", "-u", "区法制办", "--on", spelling)
    assert r.exit_code == 2 and "--on" in one_line_error(r)
    assert snapshot(home) == {}


def test_evidence_that_missed_the_first_import_comes_with_a_later_folder(plan, home, tmp_path):
    # a clerk mails the ledger alone first, then the whole data folder
    pc = tmp_path / "unit-pc"
    scan = tmp_path / "学法制度.docx"
    scan.write_bytes(b"PK rules")
    mark(plan, pc, "30.1", "区司法局", "2017-06-01", evidence=[str(scan)])
    mailed = tmp_path / "mail" / "区司法局.jsonl"
    mailed.parent.mkdir()
    mailed.write_bytes((pc / "progress" / "区司法局.jsonl").read_bytes())
    lines, added = record.import_files(plan, home, [mailed])
    assert len(added) == 1 and any("没有随附" in x for x in lines)
    assert record.check(plan, ledger.read_ledger(home, plan), home)[1] == 1
    lines, added = record.import_files(plan, home, [pc])
    assert added == [] and any("补齐证明材料 1 份" in x for x in lines)
    assert record.check(plan, ledger.read_ledger(home, plan), home)[1] == 0
