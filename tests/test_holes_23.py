"""Issue 23, items 9, 11 and 13 (first half): acts that arrive are named, a line is a record only alone,
a refused write of evidence leaves no folder behind.

Each test here failed on the code before the change that made it pass.
"""

from __future__ import annotations

import errno
import json
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import one_line_error, snapshot
from fazhi_cli import i18n, ledger, record
from fazhi_cli.ledger import evidence as evidence_room
from fazhi_cli.ledger import writing as writing_room
from fazhi_cli.errors import FazhiError
from fazhi_cli.sync import run

OFFICE = "区法制办"          # the bundled plan's supervising unit
DAY = date(2017, 5, 2)


def mark(plan, root, target, unit, on="2017-05-01", **kw):
    return record.mark(plan, root, target=target, unit=unit, state=kw.pop("state", "done"), on=on,
                       note=kw.pop("note", None), evidence=kw.pop("evidence", []), by="t")


def office_acts(plan, pc: Path) -> None:
    """The office, on its own PC, does each kind of act once: what another PC then receives."""
    mark(plan, pc, "2.2", "区编办", on="2016-12-20")
    mark(plan, pc, "7.1", OFFICE)
    record.review(plan, pc, target="2.2", unit="区编办", acting=OFFICE, verdict="return", note="材料不全", by="督办员",
                  clock_today=DAY)
    record.review(plan, pc, target="7.1", unit=OFFICE, acting=OFFICE, verdict="accept", note=None, by="督办员",
                  clock_today=DAY)
    record.extend(plan, pc, target="2.2", unit="区编办", acting=OFFICE, to="2018-06-30", reason="上级调整",
                  approved_by=None, by="督办员", clock_today=DAY)
    record.waive(plan, pc, target="2.2", unit="区编办", acting=OFFICE, reason="不再适用于本区", by="督办员",
                 clock_today=DAY)
    remind = ledger.new_event(plan, target="", unit=OFFICE, state=None, on=DAY.isoformat(), by="督办员",
                              cmd=ledger.new_id(), kind="remind", subject="区编办", number=3, note="逾期 1 项")
    with ledger.Writing(pc) as w:
        w.append(OFFICE, [remind])
    record.close_plan(plan, pc, acting=OFFICE, on=DAY.isoformat(), note="通过验收", clock_today=DAY)
    record.close_plan(plan, pc, acting=OFFICE, on=DAY.isoformat(), note="补记", reopen=True, clock_today=DAY)


ACT_LINES = ["+ 区法制办 2.2 → 区编办 退回（2017-05-02）",
             "+ 区法制办 7.1 → 区法制办 销号（2017-05-02）",
             "+ 区法制办 2.2 → 区编办 延期至 2018-06-30（2017-05-02）",
             "+ 区法制办 2.2 → 区编办 不再适用（2017-05-02）",
             "+ 区法制办 - → 区编办 催办 第3号（2017-05-02）",
             "+ 区法制办 - 结束方案（2017-05-02）",
             "+ 区法制办 - 重新开启（2017-05-02）"]
ACT_LINES_EN = ["+ 区法制办 2.2 → 区编办 returned (2017-05-02)",
                "+ 区法制办 7.1 → 区法制办 closed out (2017-05-02)",
                "+ 区法制办 2.2 → 区编办 extended to 2018-06-30 (2017-05-02)",
                "+ 区法制办 2.2 → 区编办 waived (2017-05-02)",
                "+ 区法制办 - → 区编办 reminder No. 3 (2017-05-02)",
                "+ 区法制办 - plan closed (2017-05-02)",
                "+ 区法制办 - plan reopened (2017-05-02)"]
ACT_WORDS = ["退回", "销号", "延期至 2018-06-30", "不再适用", "催办 第3号", "结束方案", "重新开启"]


# --- 9. acts that arrive are named as every list of records names them ------------------------------

def test_acts_that_arrive_by_import_are_named_not_shown_as_marks(plan, home, cli, tmp_path):
    pc = tmp_path / "office"
    office_acts(plan, pc)
    f = pc / "progress" / f"{OFFICE}.jsonl"
    r = cli("import", f, "--dry-run")
    assert r.exit_code == 0, r.output
    listed = r.stdout.splitlines()
    assert listed[0] == "+ 区法制办 7.1 已完成（2017-05-01）"                     # a mark stays a mark
    assert listed[1:8] == ACT_LINES
    assert not any("未开始" in x for x in listed)
    r = cli("import", f)
    assert r.exit_code == 0 and r.stdout.splitlines()[1:8] == ACT_LINES, r.output


def test_acts_that_arrive_are_named_in_english_too(plan, home, cli, tmp_path):
    pc = tmp_path / "office"
    office_acts(plan, pc)
    r = cli("--lang", "en", "import", pc / "progress" / f"{OFFICE}.jsonl", "--dry-run")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1:8] == ACT_LINES_EN


def test_an_arriving_act_is_named_as_the_log_names_it(plan, home, cli, tmp_path):
    # one wording for an act wherever it is shown: what import listed is what `log` shows
    pc = tmp_path / "office"
    office_acts(plan, pc)
    r = cli("import", pc / "progress" / f"{OFFICE}.jsonl")
    assert r.exit_code == 0, r.output
    log = cli("log", "--unit", OFFICE, "--format", "csv")
    assert log.exit_code == 0, log.output
    for word in ACT_WORDS:
        assert f" {word}（" in r.stdout and f",{word}," in log.stdout, (word, r.stdout, log.stdout)


def test_a_revoke_and_an_attachment_that_arrive_keep_their_names(plan, home, cli, tmp_path):
    pc = tmp_path / "pc"
    mark(plan, pc, "2.2", "区编办", on="2016-12-20")
    record.attach(plan, pc, target="2.2", unit="区编办", note="补充说明", evidence=[], by="t")
    record.undo(plan, pc, "区编办")
    r = cli("import", pc / "progress" / "区编办.jsonl", "--dry-run")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "+ 区编办 2.2 已完成（2016-12-20）"
    assert lines[1].startswith("+ 区编办 2.2 补充材料（") and lines[2].startswith("+ 区编办 2.2 撤销 ")


def test_acts_that_arrive_by_sync_are_named_in_its_list_and_its_commit(plan, tmp_path):
    share = tmp_path / "share" / "fazhi.git"
    share.parent.mkdir()
    office, other = tmp_path / "officePC", tmp_path / "otherPC"
    office_acts(plan, office)
    run.sync(plan, office, None, init_remote=str(share))
    out = run.sync(plan, other, str(share))
    got = [x for x in out.lines if x.startswith("+ 区法制办")]
    assert got[1:8] == ACT_LINES, out.lines
    from dulwich.repo import Repo

    r = Repo(str(share))
    try:
        message = next(iter(r.get_walker())).commit.message.decode()
    finally:
        r.close()
    assert all(line in message for line in ACT_LINES), message


def test_the_act_names_moved_without_changing_what_log_and_undo_print(plan, home, cli, tmp_path):
    office_acts(plan, home)
    log = cli("log", "--unit", OFFICE, "--format", "csv")
    assert log.exit_code == 0, log.output
    for word in ACT_WORDS:
        assert f",{word}," in log.stdout
    r = cli("undo", "-u", OFFICE)
    assert r.exit_code == 0 and r.stdout.startswith("已撤销  区法制办：重新开启（"), r.output
    assert i18n.act_label("review", verdict="return") == "退回"
    assert i18n.act_kind_label("extend") == "延期"


# --- 11. a line is a record only if it alone is one JSON object ---------------------------------------

def _split_and_joined(plan) -> bytes:
    """By hand: one record broken over two lines where a comma was, and two records on one line with a comma
    between (together they hold as many records as lines, which a batch decode was fooled by)."""
    base = {"id": "a" * 32, "type": "mark", "plan": plan.key, "part": "7.1", "unit": OFFICE, "on": "2017-11-30",
            "note": "手工补记", "evidence": [], "by": "t", "recorded_at": "2017-12-01T09:30:00.123456+08:00",
            "cmd": "d" * 32, "state": "done"}
    one = json.dumps(base, ensure_ascii=False).encode()
    cut = one.index(b', "plan"')
    split = one[:cut] + b"\n" + one[cut + 2:]
    two = (json.dumps(dict(base, id="b" * 32, part="7.2"), ensure_ascii=False).encode() + b","
           + json.dumps(dict(base, id="c" * 32, part="7.3"), ensure_ascii=False).encode())
    return split + b"\n" + two + b"\n"


def test_a_split_record_and_two_records_on_a_line_are_not_records(plan, home, cli):
    mark(plan, home, "7.1", OFFICE, on="2017-01-05")
    path = home / "progress" / f"{OFFICE}.jsonl"
    with path.open("ab") as f:
        f.write(_split_and_joined(plan))
    read = ledger.read_ledger(home, plan)
    assert [e.on for e in read.events] == ["2017-01-05"]
    assert [p.line for p in read.problems] == [2, 3, 4]
    r = cli("check")
    assert "问题 3 个" in r.stdout + r.stderr, r.output
    status = json.loads(cli("status", "--as-of", "2018-01-01", "-f", "json").stdout)
    assert "2017-11-30" not in json.dumps(status, ensure_ascii=False)


def test_import_refuses_the_same_lines_check_reports(plan, home, cli, tmp_path):
    f = tmp_path / "mail" / f"{OFFICE}.jsonl"
    f.parent.mkdir()
    f.write_bytes(_split_and_joined(plan))
    before = snapshot(home)
    r = cli("import", f)
    assert r.exit_code == 1 and f"{f}:1:" in one_line_error(r)
    assert snapshot(home) == before


@pytest.mark.parametrize("lines", [
    # the split may fall at any comma, and the lines may come in any order among good ones
    lambda one, two: [one[:one.index(b',"note"')], one[one.index(b',"note"') + 1:], two],
    lambda one, two: [two, one[:one.index(b',"by"')], b"  ", one[one.index(b',"by"') + 1:] + b"," + two],
    lambda one, two: [one + b"," + two, one[:one.index(b',"on"')], one[one.index(b',"on"') + 1:]],
    lambda one, two: [one + b" " + two],
    lambda one, two: [one + two],
    lambda one, two: [b"[" + one, two + b"]"],
])
def test_every_reader_reads_a_line_alone(plan, tmp_path, lines):
    one = ledger.encode([ledger.new_event(plan, target="7.1", unit=OFFICE, state="done", on="2017-11-30", by="t",
                                          cmd=ledger.new_id(), kind="attach")]).rstrip(b"\n")
    two = ledger.encode([ledger.new_event(plan, target="7.2", unit=OFFICE, state=None, on="2017-11-30", by="t",
                                          cmd=ledger.new_id(), kind="attach")]).rstrip(b"\n")
    data = b"\n".join(lines(one, two)) + b"\n"
    got = list(ledger.parse_lines(Path(f"{OFFICE}.jsonl"), data, plan))
    alone = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        if raw.strip():
            try:
                alone.append(ledger.check_record(ledger.decode_line(raw), plan, file=f"{OFFICE}.jsonl", line=number))
            except ValueError:
                alone.append(None)
    assert [None if isinstance(x, ledger.Problem) else x[0] for x in got] == alone


def _loads(raw):
    try:
        return "value", json.loads(raw, parse_constant=ledger.no_constants)
    except (ValueError, RecursionError):
        return "refused", None


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                     max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(
    st.binary(max_size=24),
    st.builds(lambda v, a, b: a + json.dumps(v, ensure_ascii=False).encode() + b, _JSON,
              st.sampled_from([b"", b" ", b"\t", b"\xef\xbb\xbf", b"\x00", b"\r"]),
              st.sampled_from([b"", b" \r", b",", b"}", b"{}", b"\x00", b"NaN"])),
    st.sampled_from([b"NaN", b"[Infinity]", b"[" * 5000, b"\xed\xa0\x80", b'"\xed\xa0\x80"', b"\xff\xfe{\x00}\x00"])))
def test_a_line_read_alone_is_what_json_makes_of_it(raw):
    # decode_line reads with json's own scanner for speed; whatever it says, json.loads says too
    try:
        got = "value", ledger.decode_line(raw)
    except ValueError:
        got = "refused", None
    want = _loads(raw)
    assert got[0] == want[0] and repr(got[1]) == repr(want[1])


# --- 13. a refused write of evidence leaves nothing behind -----------------------------------------

class _FullDisk:
    """The os module, except that writing fails as on a full disk."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def write(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def proof(tmp_path) -> Path:
    p = tmp_path / "in" / "验收报告.pdf"
    p.parent.mkdir()
    p.write_bytes(b"%PDF-1.4 proof")
    return p


def test_a_mark_whose_evidence_copy_fails_leaves_no_evidence_folder(plan, home, cli, proof, monkeypatch):
    assert cli("mark", "7", "-u", OFFICE, "--on", "2017-11-30").exit_code == 0
    before = snapshot(home)
    monkeypatch.setattr(evidence_room, "os", _FullDisk())
    r = cli("mark", "7", "-u", OFFICE, "--on", "2017-12-01", "--evidence", proof)
    assert r.exit_code == 1 and "无法保存证明材料副本" in one_line_error(r)
    assert not (home / "evidence").exists()
    assert snapshot(home) == before


def test_a_first_mark_whose_evidence_copy_fails_leaves_no_data_folder(plan, home, cli, proof, monkeypatch):
    monkeypatch.setattr(evidence_room, "os", _FullDisk())
    r = cli("mark", "7", "-u", OFFICE, "--on", "2017-11-30", "--evidence", proof)
    assert r.exit_code == 1, r.output
    one_line_error(r)
    assert not home.exists(), sorted(str(p) for p in home.rglob("*"))


def test_a_mark_whose_record_fails_after_the_copy_leaves_no_evidence_folder(plan, home, cli, proof, monkeypatch):
    assert cli("mark", "7", "-u", OFFICE, "--on", "2017-11-30").exit_code == 0
    before = snapshot(home)
    monkeypatch.setattr(writing_room, "os", _FullDisk())
    r = cli("mark", "7", "-u", OFFICE, "--on", "2017-12-01", "--evidence", proof)
    assert r.exit_code == 1 and "写入失败" in one_line_error(r)
    assert not (home / "evidence").exists()
    assert snapshot(home) == before


def test_an_attach_whose_evidence_copy_fails_leaves_no_evidence_folder(plan, home, cli, proof, monkeypatch):
    assert cli("mark", "7", "-u", OFFICE, "--on", "2017-11-30").exit_code == 0
    before = snapshot(home)
    monkeypatch.setattr(evidence_room, "os", _FullDisk())
    r = cli("attach", "7.1", "-u", OFFICE, "--evidence", proof)
    assert r.exit_code == 1 and "无法保存证明材料副本" in one_line_error(r)
    assert not (home / "evidence").exists()
    assert snapshot(home) == before


def test_an_import_whose_evidence_copy_fails_leaves_no_evidence_folder(plan, home, cli, proof, tmp_path,
                                                                       monkeypatch):
    pc = tmp_path / "pc"
    mark(plan, pc, "2.2", "区编办", on="2016-12-20", evidence=[str(proof)])
    assert cli("mark", "7", "-u", OFFICE, "--on", "2017-11-30").exit_code == 0
    before = snapshot(home)
    monkeypatch.setattr(evidence_room, "os", _FullDisk())
    r = cli("import", pc / "progress" / "区编办.jsonl")
    assert r.exit_code == 1, r.output
    one_line_error(r)
    assert not (home / "evidence").exists()
    assert snapshot(home) == before


def test_a_refused_copy_leaves_an_evidence_folder_that_was_there(plan, home, cli, proof, monkeypatch):
    assert cli("mark", "7", "-u", OFFICE, "--on", "2017-11-30", "--evidence", proof).exit_code == 0
    other = proof.with_name("其他.pdf")
    other.write_bytes(b"%PDF-1.4 other")
    before = snapshot(home)
    monkeypatch.setattr(evidence_room, "os", _FullDisk())
    r = cli("mark", "7", "-u", OFFICE, "--on", "2017-12-01", "--evidence", other)
    assert r.exit_code == 1
    assert (home / "evidence").is_dir() and snapshot(home) == before


def test_a_sync_whose_evidence_copy_fails_leaves_no_evidence_folder(plan, tmp_path, proof, monkeypatch):
    share = tmp_path / "share" / "fazhi.git"
    share.parent.mkdir()
    a, b = tmp_path / "aPC", tmp_path / "bPC"
    mark(plan, a, "2.2", "区编办", on="2016-12-20", evidence=[str(proof)])
    run.sync(plan, a, None, init_remote=str(share))
    mark(plan, b, "7.1", OFFICE)
    before = {k: v for k, v in snapshot(b).items() if not k.startswith(".sync")}
    monkeypatch.setattr(evidence_room, "os", _FullDisk())
    with pytest.raises(FazhiError):
        run.sync(plan, b, str(share))
    assert not (b / "evidence").exists()
    assert {k: v for k, v in snapshot(b).items() if not k.startswith(".sync")} == before
