"""The ledger: append-only files, locking, torn lines, import, undo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, snapshot
from fazhi_cli import ledger, record, render
from fazhi_cli.ledger import checks, reading
from fazhi_cli.errors import LedgerError, UsageError


def mark(plan, home, target="7", unit="区法制办", on="2017-11-30", **kw):
    """Record through the core and return what `fazhi mark` prints, line by line."""
    return render.marked_lines(_mark(plan, home, target, unit, on, **kw).events).splitlines()


def _mark(plan, home, target, unit, on, **kw):
    return record.mark(plan, home, target=target, unit=plan.resolve_unit(unit), state=kw.pop("state", "done"), on=on,
                       note=kw.pop("note", None), evidence=kw.pop("evidence", []), by=kw.pop("by", "测试员"), **kw)


def lines_of(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().split(b"\n") if x.strip()]


def test_mark_appends_one_readable_line_per_event(plan, home):
    out = mark(plan, home, note="已完成清理")
    assert out == ["已记录 7.1 区法制办：已完成（2017-11-30）"]
    path = home / "progress" / "区法制办.jsonl"
    raw = path.read_bytes()
    assert "已完成清理".encode() in raw          # Chinese written as is
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    (event,) = lines_of(path)
    assert event["part"] == "7.1" and event["unit"] == "区法制办" and event["state"] == "done"
    assert event["on"] == "2017-11-30" and event["by"] == "测试员"
    assert event["recorded_at"].endswith("+08:00")
    assert len(event["id"]) == 32


def test_a_task_marks_each_part_the_unit_holds(plan, home):
    out = mark(plan, home, target="6", unit="区编办", on="2017-03-01")
    assert [x.split()[1] for x in out] == ["6.1", "6.2", "6.3", "6.4"]
    # 区公安局 (written 区公安分局 elsewhere) supports 6.1-6.3 as a department and leads 6.4
    out = mark(plan, home, target="6", unit="区公安分局", on="2017-03-01")
    assert [x.split()[1] for x in out] == ["6.1", "6.2", "6.3", "6.4"]
    out = mark(plan, home, target="26", unit="区财政局", on="2017-03-01")
    assert [x.split()[1] for x in out] == ["26.1", "26.2"]


def test_group_member_may_mark(plan, home):
    assert mark(plan, home, target="27", unit="石楼镇", on="2017-05-01") == ["已记录 27.1 石楼镇：已完成（2017-05-01）"]


def test_a_unit_without_responsibility_is_told_who_is(plan, home):
    with pytest.raises(UsageError) as e:
        mark(plan, home, target="7", unit="石楼镇")
    assert "石楼镇 不负责 7" in str(e.value) and "牵头 区法制办" in str(e.value)
    assert not home.exists()


def test_torn_final_line_is_reported_and_never_glued_onto(plan, home):
    mark(plan, home)
    path = home / "progress" / "区法制办.jsonl"
    good = path.read_bytes()
    torn = good + good[: len(good) // 2]        # a write cut off mid-line
    path.write_bytes(torn)
    book = ledger.read_ledger(home, plan)
    assert len(book.events) == 1
    assert [(p.line, Path(p.file).name) for p in book.problems] == [(2, "区法制办.jsonl")]
    assert path.read_bytes() == torn             # reading changed nothing
    mark(plan, home, on="2017-12-01")
    assert path.read_bytes().startswith(torn + b"\n")
    book = ledger.read_ledger(home, plan)
    assert [e.on for e in book.events] == ["2017-11-30", "2017-12-01"]
    assert len(book.problems) == 1


@pytest.mark.parametrize("garbage", [b'{"id": "abc', "{\"note\": \"半".encode()[:-1], b"\x00" * 64],
                         ids=["truncated-json", "cut-utf8", "nul-run"])
def test_torn_line_fixtures(plan, home, garbage):
    mark(plan, home)
    path = home / "progress" / "区法制办.jsonl"
    path.write_bytes(path.read_bytes() + garbage)
    book = ledger.read_ledger(home, plan)
    assert len(book.events) == 1 and len(book.problems) == 1
    mark(plan, home, on="2017-12-01")
    assert len(ledger.read_ledger(home, plan).events) == 2


def test_unknown_units_parts_and_states_in_a_ledger_are_problems(plan, home):
    mark(plan, home)
    path = home / "progress" / "区法制办.jsonl"
    (event,) = lines_of(path)
    bad = [dict(event, id="a" * 32, unit="火星局"), dict(event, id="b" * 32, part="99.1"),
           dict(event, id="c" * 32, state="finished"), dict(event, id="d" * 32, on="2017-13-01x")]
    with open(path, "ab") as fh:
        for b in bad:
            fh.write(json.dumps(b, ensure_ascii=False).encode() + b"\n")
    book = ledger.read_ledger(home, plan)
    assert len(book.events) == 1
    assert [p.line for p in book.problems] == [2, 3, 4, 5]
    assert "火星局" in book.problems[0].message


def test_evidence_that_is_not_a_list_is_a_problem_not_a_crash(plan, home, cli):
    # "evidence": null in a mailed or hand-edited file made every view an internal error
    mark(plan, home)
    path = home / "progress" / "区法制办.jsonl"
    (event,) = lines_of(path)
    with open(path, "ab") as fh:
        for n, value in enumerate([None, 0, False, "", {}, "番府办〔2017〕12号"]):
            fh.write(json.dumps(dict(event, id=f"{n}" * 32, evidence=value), ensure_ascii=False).encode() + b"\n")
    book = ledger.read_ledger(home, plan)
    assert len(book.events) == 1
    assert [p.line for p in book.problems] == [2, 3, 4, 5, 6, 7]
    assert all("证明材料无效" in p.message for p in book.problems)
    r = cli("status", env={"FAZHI_HOME": str(home)})
    assert r.exit_code == 0 and "6 行进度记录无法读取" in r.stderr, r.output


@pytest.mark.parametrize("field", ["id", "type", "plan", "part", "unit", "on", "state", "note", "evidence", "by",
                                   "recorded_at", "cmd", "received_at", "revokes"])
def test_a_field_of_the_wrong_type_is_a_problem_or_harmless_never_a_crash(plan, home, field):
    # "part": [] made every view an internal error (an unhashable key)
    mark(plan, home)
    path = home / "progress" / "区法制办.jsonl"
    (event,) = lines_of(path)
    with open(path, "ab") as fh:
        for n, value in enumerate([None, [], {}, 0, False, 1.5, ["7.1"], {"a": 1}]):
            fh.write(json.dumps({**event, "id": f"{n}" * 32, field: value}).encode() + b"\n")
    book = ledger.read_ledger(home, plan)
    assert len(book.events) + len(book.problems) == 9
    assert all(type(getattr(e, name)) is str for e in book.events for name in ("id", "target", "unit", "on", "cmd"))


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_symlinked_ledger_is_refused(plan, home, tmp_path):
    (home / "progress").mkdir(parents=True)
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(b"")
    (home / "progress" / "区法制办.jsonl").symlink_to(outside)
    with pytest.raises(LedgerError) as e:
        mark(plan, home)
    assert "符号链接" in str(e.value)
    assert outside.read_bytes() == b""


def test_undo_appends_a_revoke_and_never_deletes(plan, home):
    mark(plan, home, on="2017-11-30")
    mark(plan, home, on="2017-12-05", state="doing")
    path = home / "progress" / "区法制办.jsonl"
    before = path.read_bytes()
    msg = render.revoked_lines(record.undo(plan, home, "区法制办").revoked)
    assert msg.startswith("已撤销 7.1 区法制办：进行中（2017-12-05")
    assert path.read_bytes().startswith(before)
    events = lines_of(path)
    assert events[-1]["type"] == "revoke" and events[-1]["revokes"] == events[1]["id"]
    record.undo(plan, home, "区法制办")
    assert lines_of(path)[-1]["revokes"] == events[0]["id"]
    with pytest.raises(UsageError):
        record.undo(plan, home, "区法制办")


def test_import_twice_keeps_one_copy(plan, home, tmp_path):
    other = tmp_path / "other-pc"
    mark(plan, other, target="2", unit="区编办", on="2016-12-20")
    mark(plan, other, target="27", unit="石楼镇", on="2017-05-01")
    sent = other / "progress" / "区编办.jsonl"
    mailed = tmp_path / "mail" / "区编办.jsonl"
    mailed.parent.mkdir()
    mailed.write_bytes(sent.read_bytes())
    first, added = record.import_files(plan, home, [mailed, other / "progress" / "石楼镇.jsonl"])
    assert first == ["+ 区编办 2.1 已完成（2016-12-20）", "+ 区编办 2.2 已完成（2016-12-20）",
                     "+ 石楼镇 27.1 已完成（2017-05-01）", "导入完成：读到 3 条记录，新增 3 条，已有 0 条未重复写入"]
    second, added = record.import_files(plan, home, [mailed, other / "progress" / "石楼镇.jsonl"])
    assert added == [] and second[-1].endswith("新增 0 条，已有 3 条未重复写入")
    strip = lambda p: [{k: v for k, v in e.items() if k != "received_at"} for e in lines_of(p)]  # noqa: E731
    assert strip(home / "progress" / "区编办.jsonl") == lines_of(sent)
    assert len(ledger.read_ledger(home, plan).events) == 3


def test_import_refuses_unknown_units_with_file_and_line(plan, home, tmp_path):
    mark(plan, home)
    before = snapshot(home)
    event = lines_of(home / "progress" / "区法制办.jsonl")[0]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(dict(event, id="e" * 32)) + "\n" + json.dumps(dict(event, id="f" * 32, unit="../../etc"))
                   + "\n", encoding="utf-8")
    with pytest.raises(LedgerError) as e:
        record.import_files(plan, home, [bad])
    assert f"{bad}:2:" in str(e.value) and "未导入任何记录" in str(e.value)
    assert snapshot(home) == before


def test_evidence_file_is_fingerprinted_and_checked(plan, home, tmp_path):
    doc = tmp_path / "清理结果.pdf"
    doc.write_bytes(b"%PDF- result")
    mark(plan, home, evidence=[str(doc), "https://www.panyu.gov.cn/x", "番府办〔2017〕12号"])
    (event,) = lines_of(home / "progress" / "区法制办.jsonl")
    kinds = [e["kind"] for e in event["evidence"]]
    assert kinds == ["file", "url", "document"]
    item = event["evidence"][0]
    assert item["size"] == 12 and item["name"] == "清理结果.pdf"
    import hashlib
    assert item["sha256"] == hashlib.sha256(b"%PDF- result").hexdigest()
    copy = home / "evidence" / (item["sha256"] + ".pdf")
    assert copy.read_bytes() == b"%PDF- result"        # the data folder carries its own copy
    assert record.check(plan, ledger.read_ledger(home, plan), home)[1] == 0
    doc.unlink()                                       # the original may go: the copy is what counts
    assert record.check(plan, ledger.read_ledger(home, plan), home)[1] == 0
    copy.write_bytes(b"%PDF- changed")
    report, n = record.check(plan, ledger.read_ledger(home, plan), home)
    assert n == 1 and "证明材料副本已被修改" in report[-1]
    copy.unlink()
    report, n = record.check(plan, ledger.read_ledger(home, plan), home)
    assert n == 1 and "证明材料副本不存在" in report[-1]


WORKER = textwrap.dedent("""
    import sys
    from fazhi_cli.cli import app
    home, unit, target, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    for i in range(n):
        code = app(["mark", target, "--unit", unit, "--on", "2017-06-01", "--note", f"第{i}次",
                    "--data-dir", home], standalone_mode=False)
        assert code == 0, code
""")


def _run_workers(home: Path, jobs: list[tuple[str, str]], n: int) -> None:
    env = {**os.environ, "FAZHI_LOCK_TIMEOUT": "60"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(home), unit, target, str(n)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for unit, target in jobs]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode(errors="replace")


def test_eight_processes_mark_one_unit_at_once(plan, home):
    _run_workers(home, [("区法制办", "7.1")] * 8, 50)
    events = lines_of(home / "progress" / "区法制办.jsonl")   # every line parses
    assert len(events) == 400
    assert len({e["id"] for e in events}) == 400
    assert ledger.read_ledger(home, plan).problems == []


def test_eight_processes_over_four_units(plan, home):
    units = [("区法制办", "7.1"), ("区编办", "2.2"), ("石楼镇", "27.1"), ("区财政局", "24.1")]
    _run_workers(home, units * 2, 50)
    book = ledger.read_ledger(home, plan)
    assert book.problems == []
    assert len(book.events) == 400 and len({e.id for e in book.events}) == 400
    for unit, _ in units:
        assert len(lines_of(home / "progress" / f"{unit}.jsonl")) == 100


# --- the fast path of check_record ----------------------------------------------------

def _careful(obj, plan, **kw):
    """check_record with its fast path turned off: the outcome, or the message it refuses with."""
    saved = checks.usual_record
    checks.usual_record = lambda *a: None
    try:
        return _outcome(obj, plan, **kw)
    finally:
        checks.usual_record = saved


def _outcome(obj, plan, **kw):
    try:
        return ledger.check_record(obj, plan, **kw)
    except ValueError as e:
        return str(e)


GOOD = {"id": "d86f920efcb84db49eddd2b1dda3ab83", "type": "mark", "plan": "番府办〔2016〕60号", "part": "7.1",
        "unit": "区法制办", "on": "2017-11-30", "note": "按计划推进", "evidence": [], "by": "测试员",
        "recorded_at": "2017-12-01T09:30:00.123456+08:00", "cmd": "7c01b03e783a45cb808974f90de7b2ad", "state": "done"}
ODD = [None, [], {}, 0, True, 1.5, "", " ", "x", "7.1", "6.2", "区编办", "区法制办", "done", "todo", "revoke",
       "attach", "2016-02-30", "2017-11-30", "2099-01-01", "2016-01-01", "2017-12-01T09:30:00+08:00",
       "2017-12-01T09:30:00Z", "a" * 32, "a" * 7, "a" * 65, "x\x07y", "x\ny", "x\ud800", "\x85", "y" * 2001,
       "y" * 101, ["番府办〔2017〕12号"], [""], [{"kind": "url", "value": "https://x"}], ["a"] * 21,
       "番府办〔2016〕60号", "其他方案"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from([*GOOD, "received_at", "revokes"]), st.sampled_from(ODD), max_size=3),
       drop=st.lists(st.sampled_from(list(GOOD)), max_size=2), today=st.sampled_from([None, "2017-12-01", "2017-11-29"]),
       file_unit=st.sampled_from([None, "区法制办", "区编办"]))
def test_the_fast_path_accepts_exactly_what_the_careful_path_accepts(plan, changes, drop, today, file_unit):
    obj = {k: v for k, v in {**GOOD, **changes}.items() if k not in drop}
    assert _outcome(obj, plan, today=today, file_unit=file_unit) == _careful(obj, plan, today=today,
                                                                            file_unit=file_unit)


def test_the_fast_path_takes_the_usual_record(plan):
    # else the test above would compare the careful path with itself
    ledger.check_record(GOOD, plan)                       # its days are now known to be real
    fast = checks.usual_record(dict(GOOD, evidence=["番府办〔2017〕12号"]), plan, None, "f", 3, "区法制办")
    assert fast == ledger.Event(GOOD["id"], "mark", "7.1", "区法制办", "done", "2017-11-30", "按计划推进",
                                ("番府办〔2017〕12号",), "测试员", GOOD["recorded_at"], None, "f", 3, GOOD["cmd"],
                                GOOD["recorded_at"])


# --- the usual line, read without JSON ----------------------------------------------------

NOTES = ["", "按计划推进", "第一行\n第二行", 'a "quoted" \\ back', "tab\there", "bell\x07", "c1\x85", "x" * 2001,
         "\u202e反", "€ and 𝐀", "]", "\"],\"by\":\"x"]
EVIDENCE = [[], ["番府办〔2017〕12号"], [{"kind": "url", "value": "https://example.org/a]b"}],
            [{"kind": "file", "value": "a.pdf", "name": "a.pdf", "size": 3, "sha256": "0" * 64}], [""], [1], ["x"] * 21]


@st.composite
def record_lines(draw, plan):
    obj = {"id": draw(st.sampled_from(["a" * 32, "b" * 32, "c" * 8, "bad id"])),
           "type": draw(st.sampled_from(["mark"] * 6 + ["revoke", "attach", "other"])),
           "plan": draw(st.sampled_from([plan.key] * 6 + ["其他方案"])),
           "part": draw(st.sampled_from(["7.1", "7.1", "2.2", "99.1", "plan-2017"])),
           "unit": draw(st.sampled_from(["区法制办", "区法制办", "区编办", "火星局"])),
           "on": draw(st.sampled_from(["2017-11-30", "2017-11-30", "2016-02-30", "2099-01-01", "2016-01-01"])),
           "note": draw(st.sampled_from(NOTES)), "evidence": draw(st.sampled_from(EVIDENCE)),
           "by": draw(st.sampled_from(["测试员", "", "y" * 101, "a\nb"])),
           "recorded_at": draw(st.sampled_from(["2017-12-01T09:30:00.123456+08:00", "2017-12-01T09:30:00Z"])),
           "cmd": draw(st.sampled_from(["d" * 32, "d" * 32, "", "short"])),
           "state": draw(st.sampled_from(["done", "doing", "todo", "finished"]))}
    if obj["type"] == "revoke":
        obj["revokes"] = "b" * 32
    if draw(st.booleans()):
        obj["received_at"] = draw(st.sampled_from(["2018-01-01T08:00:00.000001+08:00", "2018-02-30T08:00:00+08:00"]))
    if draw(st.integers(0, 9)) == 0:
        del obj[draw(st.sampled_from(sorted(obj)))]
    raw = ledger.encode([obj]).rstrip(b"\n")
    how = draw(st.sampled_from(["as written"] * 8 + ["spaced", "crlf", "bom", "torn", "garbage", "blank", "twice",
                                                     "split", "joined", "split and joined"]))
    if how == "spaced":
        raw = json.dumps(obj, ensure_ascii=False).encode()
    elif how == "crlf":
        raw += b"\r"
    elif how == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif how == "torn":
        raw = raw[:draw(st.integers(1, len(raw) - 1))]
    elif how == "garbage":
        raw = draw(st.sampled_from([b"[1", b"2]", b"{}", b"null", b"\xff\xfe", b"NaN", b" \t "]))
    elif how == "blank":
        raw = b""
    elif how == "twice":
        raw = raw + b"\n" + raw
    elif how == "split":
        # appended by hand, one record over two lines: cut where a comma was (a reader joining lines with
        # commas would make it whole again), or anywhere
        commas = [i for i, c in enumerate(raw) if c == ord(",")]
        cut = draw(st.sampled_from(commas)) if commas and draw(st.booleans()) else draw(st.integers(1, len(raw) - 1))
        raw = raw[:cut] + b"\n" + raw[cut + (raw[cut:cut + 1] == b","):]
    elif how == "joined":
        # two records on one line (the second another record of the same shape)
        other = ledger.encode([dict(obj, id="e" * 32)]).rstrip(b"\n")
        raw = raw + draw(st.sampled_from([b",", b"", b" ", b", "])) + other
    elif how == "split and joined":
        # both: as many records as lines, which a count of decoded values does not notice
        other = ledger.encode([dict(obj, id="e" * 32)]).rstrip(b"\n")
        cut = raw.index(b",")
        raw = raw[:cut] + b"\n" + raw[cut + 1:] + b"\n" + other + b"," + other
    return raw


def _parsed(plan, data, **kw):
    return list(ledger.parse_lines(Path("区法制办.jsonl"), data, plan, **kw))


def _alone(plan, data, **kw):
    """What each line says read alone, as import and sync read it: its event, or the line of a problem."""
    out = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            event = ledger.check_record(ledger.decode_line(raw), plan, file="区法制办.jsonl", line=number, **kw)
        except ValueError:
            out.append(number)
            continue
        if event is not None:
            out.append((event, raw))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), today=st.sampled_from([None, "2017-12-01"]), file_unit=st.sampled_from([None, "区法制办"]))
def test_a_file_reads_the_same_with_and_without_the_usual_line_path(plan, monkeypatch, data, today, file_unit):
    lines = data.draw(st.lists(record_lines(plan), min_size=1, max_size=8))
    raw = b"\n".join(lines) + data.draw(st.sampled_from([b"\n", b""]))
    fast = _parsed(plan, raw, today=today, file_unit=file_unit)
    with monkeypatch.context() as m:
        m.setattr(reading, "usual_lines", lambda *a: None)
        careful = _parsed(plan, raw, today=today, file_unit=file_unit)
    assert fast == careful
    assert _parsed(plan, raw, today=today, file_unit=file_unit) == careful
    # one reading of a line, whatever reads it: a view reads each line as import and sync do, alone
    assert [x.line if isinstance(x, ledger.Problem) else x for x in careful] == _alone(plan, raw, today=today,
                                                                                       file_unit=file_unit)


def test_the_usual_line_path_reads_what_fazhi_writes(plan, home):
    mark(plan, home, evidence=["番府办〔2017〕12号"], note="已完成")
    data = (home / "progress" / "区法制办.jsonl").read_bytes()
    numbered = [(1, data.rstrip(b"\n"))]
    ledger.read_ledger(home, plan)                          # its days are now known to be real
    (event,) = reading.usual_lines(data, numbered, plan, None, "f", "区法制办")
    assert event == ledger.read_ledger(home, plan).events[0]._replace(file="f")
    assert event.evidence == ({"kind": "document", "value": "番府办〔2017〕12号"},) and event.note == "已完成"


def test_a_units_files_alone_can_be_read(plan, home, cli):
    mark(plan, home)                                            # 区法制办
    mark(plan, home, target="2.2", unit="区编办", on="2017-01-05")
    (home / "progress" / "区编办.jsonl").open("ab").write(b"torn{\n")
    whole = ledger.read_ledger(home, plan)
    mine = ledger.read_ledger(home, plan, units={"区法制办"})
    assert mine.events == [e for e in whole.events if e.unit == "区法制办"] and mine.problems == []
    assert len(whole.problems) == 1
    assert ledger.read_ledger(home, plan, units=()).events == []
    # a unit's log reads only its own file and the supervising office's: another unit's torn line is not
    # its to report (its due list reads the units it shares items with: an item done as a whole is not owed)
    env = {"FAZHI_HOME": str(home)}
    r = cli("log", "--unit", "区法制办", env=env)
    assert r.exit_code == 0 and "无法读取" not in r.stderr and "7.1" in r.stdout, r.output
    for args in (["due", "--all-units"], ["log", "--all-units"], ["status", "--unit", "区法制办"],
                 ["due", "--unit", "区法制办", "--all"]):
        r = cli(*args, env=env)
        assert r.exit_code == 0 and "1 行进度记录无法读取" in r.stderr, (args, r.output)


# --- the ids an import asks about, without decoding every record (issue 25, item 2) ----------

_ID_LINES = st.sampled_from([
    b'{"id":"a1","unit":"U","note":"x"}',
    b'{"id":"a1","unit":"U","note":"other content"}',               # the same id again: the first stands
    b'{"unit":"V","id":"b2"}',                                      # keys in another order
    b'{"id":"\\u0061\\u0031","unit":"W"}',                          # a1 spelt with escapes
    b'\xef\xbb\xbf{"id":"c3","unit":"U"}',                          # a BOM
    b'{"id":"c3","unit":"U","note":"\\"c3\\""}',                    # the id inside an escaped note
    b'{"id":"d4","id":"a1","unit":"X"}',                            # a repeated key: the last counts
    b'{"id":"a1',                                                   # torn
    b'{"id":"\xe7\xbc\x96\xe5\x8f\xb7","unit":"U"}',                # an id in Chinese
    '{"id":"编号"}'.encode("utf-16"),                               # UTF-16, as json.loads reads bytes
    b'{"id":"e5","unit":"U","evidence":[{"id":"a1"}]}',             # a1 only as a nested value
    b'{ "id" :\t"a1" ,\r"unit":"Y"}',                               # blanks around the colon
    b'{"note":"id","x":"a1","y":{"id":"b2"}}',                      # "id" as a value, b2 nested
    b'["a1"]', b'"a1"', b'', b'{"id":5}', b'\xff\xfe\x00',
])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(files=[[b'{"id":"\\u0061\\u0031","unit":"W"}', b'{"id":"a1","unit":"U"}']], ids={"a1"})
@example(files=[[b'{"id":"b2"}', '{"id":"a1"}'.encode("utf-16")]], ids={"a1"})
@given(files=st.lists(st.lists(_ID_LINES, max_size=8), min_size=1, max_size=3),
       ids=st.sets(st.sampled_from(["a1", "b2", "c3", "d4", "e5", "编号", "zz", 'q"uote', "back\\slash", "\ud800"]),
                   max_size=4))
def test_the_ids_an_import_asks_about_are_those_every_record_read_gives(tmp_path_factory, files, ids):
    root = tmp_path_factory.mktemp("ids")
    (root / "progress").mkdir()
    for n, lines in enumerate(files):
        (root / "progress" / f"单位{n}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    every = ledger.record_ids(root)
    assert ledger.record_ids(root, ids) == {k: v for k, v in every.items() if k in ids}
