"""Hostile inputs, family 1: ledgers for `fazhi import` (the promise checked: catalogue.py).

Escapes, controls and bidi marks in each field of a record, wrong values,
bad JSON and encodings, forged units, hijacked ids and revokes across units,
evidence that travels with a folder and does not match or is a link, odd
files among what is imported; and a decision, a ledger saved by Windows
Notepad (CRLF, BOM), which is read and imported.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

from hostile.catalogue import (BIDI, CHARS, ESC, OSC52, RLO, WRITERS, Call, Case, Ctx, Prepared, calls, case, cases_of,
                               judge, to_bytes)


def pytest_generate_tests(metafunc):
    # the family is built below, after the test that runs it
    if "c" in metafunc.fixturenames:
        metafunc.parametrize("c,signed", cases_of("import", signed=True))


def test_hostile_input(c: Case, signed: bool, cli, variants, tmp_path):
    judge(c, cli, variants[signed], tmp_path)


# === 1. ledgers for import =========================================================

# (field, how to put hostile text into it) for every field a record has
def _with_text(field_name: str, s: str, p: Prepared) -> dict:
    rec = dict(p.plain)
    if field_name == "evidence-text":
        rec["evidence"] = ["文号" + s]
    elif field_name == "evidence-value":
        rec["evidence"] = [{"kind": "document", "value": "文号" + s}]
    elif field_name == "evidence-name":
        rec = dict(p.theirs)
        rec["evidence"] = [dict(p.theirs["evidence"][0], name="权责" + s + ".pdf", value="权责" + s + ".pdf")]
    elif field_name == "revokes":
        rec = dict(rec, id="r" * 32, type="revoke", revokes=p.plain["id"] + s)
        rec.pop("state")
    elif field_name == "received_at":
        rec["received_at"] = rec["recorded_at"] + s
    else:
        rec[field_name] = rec[field_name] + s
    if field_name != "id":
        rec["id"] = "e" * 32      # a new record, never a copy of one already present
    return rec


TEXT_FIELDS = ("note", "by", "evidence-text", "evidence-value", "evidence-name")
for _field in ("id", "type", "plan", "part", "unit", "state", "on", "note", "by", "evidence-text", "evidence-value",
               "evidence-name", "recorded_at", "received_at", "cmd", "revokes"):
    for _label, _s in CHARS.items():
        _accepted = _field in TEXT_FIELDS and _label in BIDI
        if _accepted:
            def build(ctx, f=_field, s=_s):
                rec = _with_text(f, s, ctx.p)
                return calls(["import", ctx.mailed("区编办.jsonl", rec)], ["log", "-f", "plain"], ["log", "-f", "json"],
                             ["check"], ["status", "--task", rec["part"].split(".")[0], "--format", "plain"])
        else:
            def build(ctx, f=_field, s=_s):
                return calls(["import", ctx.mailed("区编办.jsonl", ctx.p.plain, _with_text(f, s, ctx.p))])
        case("import", f"{_label}-in-{_field}", "inert" if _accepted else "refused")(build)


def _change(**change):
    def build(ctx):
        rec = {**ctx.p.plain, "id": "c" * 32, **change}
        return calls(["import", ctx.mailed("区编办.jsonl", ctx.p.plain, rec)])
    return build


_FUTURE = (date.today() + timedelta(days=3)).isoformat()
RECORD_CHANGES = {
    # dates, as a record spells them
    "on-month-13": {"on": "2017-13-45"},
    "on-zeros": {"on": "0000-00-00"},
    "on-feb-30": {"on": "2017-02-30"},
    "on-slashes": {"on": "2017/03/01"},
    "on-no-dashes": {"on": "20170301"},
    "on-a-number": {"on": 20170301},
    "on-null": {"on": None},
    "on-empty": {"on": ""},
    "on-with-time": {"on": "2017-03-01T00:00"},
    "on-fullwidth-digits": {"on": "２０１７-０３-０１"},
    "on-arabic-digits": {"on": "٢٠١٧-٠٣-٠١"},
    "on-in-three-days": {"on": _FUTURE},
    "on-far-future": {"on": "2099-01-01"},
    "on-before-the-plan": {"on": "2016-01-01"},
    "on-1900": {"on": "1900-01-01"},
    "on-after-it-was-recorded": {"on": "2017-03-01", "recorded_at": "2017-01-05T10:00:00.000000+08:00"},
    "recorded-99": {"recorded_at": "2017-99-99T99:99:99+08:00"},
    "recorded-no-zone": {"recorded_at": "2017-03-01T10:00:00"},
    "recorded-utc": {"recorded_at": "2017-03-01T10:00:00+00:00"},
    "recorded-future": {"recorded_at": "2099-01-01T10:00:00.000000+08:00"},
    "recorded-arabic-time": {"recorded_at": "2017-03-01T١٠:٠٠:٠٠+08:00"},
    "recorded-fullwidth-time": {"recorded_at": "2017-03-01T１０:００:００+08:00"},
    "recorded-arabic-fraction": {"recorded_at": "2017-03-01T10:00:00.١٢٣٤٥٦+08:00"},
    "recorded-mixed-digits": {"recorded_at": "2017-03-01T1١:0٠:0٠+08:00"},
    "recorded-a-number": {"recorded_at": 1488333600},
    "received-bad": {"received_at": "yesterday"},
    "received-arabic": {"received_at": "2017-03-01T10:00:00.٠+08:00"},
    # plans
    "plan-unknown": {"plan": "番府办〔2019〕1号"},
    "plan-a-number": {"plan": 42},
    "plan-null": {"plan": None},
    "plan-empty": {"plan": ""},
    "plan-a-list": {"plan": ["番府办〔2016〕60号"]},
    # shapes and values
    "id-too-short": {"id": "abc"},
    "id-too-long": {"id": "a" * 65},
    "id-with-slash": {"id": "../../" + "a" * 20},
    "id-a-number": {"id": 12345678901},
    "unit-unknown": {"unit": "火星局"},
    "unit-null": {"unit": None},
    "unit-not-responsible": {"part": "4.1"},
    "part-unknown": {"part": "99.9"},
    "part-a-number": {"part": 16.1},
    "state-finished": {"state": "finished"},
    "state-chinese": {"state": "已完成"},
    "type-delete": {"type": "delete"},
    "type-a-list": {"type": ["mark"]},
    "revoke-without-target": {"type": "revoke"},
    "note-a-list": {"note": ["x"]},
    "note-too-long": {"note": "长" * 2001},
    "note-nul": {"note": "a\x00b"},
    "note-lone-surrogate": {"note": "\ud800"},
    "by-with-newline": {"by": "张三\n李四"},
    "by-too-long": {"by": "人" * 101},
    "by-a-number": {"by": 7},
    "evidence-a-string": {"evidence": "番府办〔2017〕12号"},
    "evidence-21-items": {"evidence": [f"文{i}" for i in range(21)]},
    "evidence-empty-item": {"evidence": [""]},
    "evidence-unknown-kind": {"evidence": [{"kind": "shell", "value": "rm -rf /"}]},
    "evidence-file-without-hash": {"evidence": [{"kind": "file", "value": "a.pdf", "name": "a.pdf", "size": 1}]},
    "evidence-file-negative-size": {"evidence": [{"kind": "file", "value": "a.pdf", "name": "a.pdf", "size": -1,
                                                  "sha256": "0" * 64}]},
    "evidence-file-name-with-slashes": {"evidence": [{"kind": "file", "value": "../../etc/x.pdf",
                                                      "name": "../../etc/x.pdf", "size": 1, "sha256": "0" * 64}]},
    "evidence-file-name-with-backslashes": {"evidence": [{"kind": "file", "value": "..\\..\\x.pdf",
                                                          "name": "..\\..\\x.pdf", "size": 1, "sha256": "0" * 64}]},
    "evidence-file-name-too-long": {"evidence": [{"kind": "file", "value": "a.pdf", "name": "a" * 300 + ".pdf",
                                                  "size": 1, "sha256": "0" * 64}]},
    "evidence-nested": {"evidence": [[[["x"]]]]},
    "cmd-with-slash": {"cmd": "../" + "a" * 20},
}
for _name, _change_kw in RECORD_CHANGES.items():
    case("import", _name)(_change(**_change_kw))


BAD_JSON = {
    "open-brace": b"{",
    "close-brace": b"}",
    "missing-value": b'{"id": }',
    "single-quotes": b"{'id': 'x'}",
    "bare-keys": b"{id: 1}",
    "trailing-comma": b'{"id": "x",}',
    "a-number": b"42",
    "a-string": b'"text"',
    "null": b"null",
    "true": b"true",
    "a-list": b"[]",
    "a-list-of-records": b"[{}]",
    "two-objects": b"{} {}",
    "comment": b"// a comment",
    "nan": b'{"id": NaN}',
    "infinity": b'{"on": Infinity}',
    "minus-infinity": b'{"on": -Infinity}',
    "1e999": b"1e999",
    "a-5000-digit-number": b'{"size": 1' + b"0" * 5000 + b"}",
    "deep-lists": b"[" * 100_000,
    "deep-objects": b'{"a":' * 50_000,
    "balanced-deep-lists": b"[" * 5_000 + b"]" * 5_000,
    "lone-surrogate-escape": b'"\\ud800"',
    "reversed-surrogates": b'"\\udc00\\ud800"',
    "invalid-utf8": b'{"note": "\xff"}',
    "overlong-utf8": b'{"note": "\xc0\xaf"}',
    "cesu-surrogate": b'{"note": "\xed\xa0\x80"}',
    "cut-utf8": b'{"note": "\xe5\x8c"}',
    "a-70-kib-line": b'{"note": "' + b"x" * 70_000 + b'"}',
    "nul-bytes": b"\x00" * 100,
}
for _name, _raw_line in BAD_JSON.items():
    def build(ctx, raw=_raw_line):
        return calls(["import", ctx.mailed("区编办.jsonl", ctx.p.plain, raw)])
    case("import", f"json-{_name}")(build)


@case("import", "gbk-encoded")
def _(ctx):
    rec = json.dumps(ctx.sign(dict(ctx.p.plain, id="g" * 32)), ensure_ascii=False)
    return calls(["import", ctx.mailed("区编办.jsonl", rec.encode("gbk"))])


@case("import", "utf16-encoded")
def _(ctx):
    path = ctx.mail / "区编办.jsonl"
    path.write_bytes("".join(json.dumps(ctx.sign(dict(ctx.p.plain, id=c * 32)), ensure_ascii=False)
                             + "\r\n"
                             for c in "gh").encode("utf-16"))
    return calls(["import", path])


@case("import", "a-file-of-nuls")
def _(ctx):
    return calls(["import", ctx.file("mail/区编办.jsonl", b"\x00" * 4096)])


@case("import", "an-empty-file")
def _(ctx):
    return calls(["import", ctx.file("mail/区编办.jsonl", b"")])


@case("import", "only-blank-lines")
def _(ctx):
    return calls(["import", ctx.file("mail/区编办.jsonl", b"\n  \n\t\n")])


@case("import", "a-huge-sparse-file", posix=True)
def _(ctx):
    path = ctx.file("mail/区编办.jsonl", b"")
    with path.open("r+b") as f:
        f.truncate(100 * 1024 * 1024)
    return [Call(["import", path], process=True)]


# forged units, hijacked ids, revokes across units

@case("import", "forged-unit-in-a-units-file")
def _(ctx):
    forged = dict(ctx.p.plain, id="f" * 32, unit="区法制办", part="11.1")
    return calls(["import", ctx.mailed("区编办.jsonl", ctx.p.plain, forged)])


@case("import", "only-another-units-record")
def _(ctx):
    return calls(["import", ctx.mailed("区编办.jsonl", dict(ctx.p.plain, id="f" * 32, unit="区法制办", part="11.1"))])


@case("import", "two-units-in-an-unnamed-file")
def _(ctx):
    forged = dict(ctx.p.plain, id="f" * 32, unit="区法制办", part="11.1")
    return calls(["import", ctx.mailed("progress.jsonl", ctx.p.plain, forged)])


@case("import", "forged-unit-in-a-folder")
def _(ctx):
    pc2 = ctx.pc2()
    with (pc2 / "progress" / "区编办.jsonl").open("ab") as f:
        f.write(to_bytes(ctx.sign(dict(ctx.p.plain, id="f" * 32, unit="区法制办", part="11.1"))) + b"\n")
    return calls(["import", pc2])


@case("import", "hijacked-id-of-another-unit")
def _(ctx):
    return calls(["import", ctx.mailed("区编办.jsonl", dict(ctx.p.plain, id=ctx.p.ours["id"]))])


@case("import", "own-id-with-other-content")
def _(ctx):
    return calls(["import", ctx.mailed("区法制办.jsonl", dict(ctx.p.ours, note="改过的", on="2017-01-01"))])


@case("import", "one-id-twice-in-the-mail")
def _(ctx):
    a = dict(ctx.p.plain, id="d" * 32)
    return calls(["import", ctx.mailed("区编办.jsonl", a, dict(a, note="另一个"))])


@case("import", "one-id-in-two-files")
def _(ctx):
    a = dict(ctx.p.plain, id="d" * 32)
    return calls(["import", ctx.mailed("区编办.jsonl", a), ctx.mailed("区编办2.jsonl", dict(a, state="done"))])


def _revoke(p: Prepared, target: str, **kw) -> dict:
    rec = {k: v for k, v in p.plain.items() if k != "state"}
    return dict(rec, id="a" * 32, type="revoke", revokes=target, **kw)


@case("import", "revoke-of-another-units-record")
def _(ctx):
    return calls(["import", ctx.mailed("区编办.jsonl", ctx.p.plain, _revoke(ctx.p, ctx.p.ours["id"]))])


@case("import", "revoke-of-nothing")
def _(ctx):
    return calls(["import", ctx.mailed("区编办.jsonl", _revoke(ctx.p, "9" * 32))])


@case("import", "revoke-across-units-with-any-unit")
def _(ctx):
    return calls(["import", ctx.mailed("区编办.jsonl", _revoke(ctx.p, ctx.p.ours["id"])), "--any-unit"])


@case("import", "duplicate-keys")
def _(ctx):
    rec = json.dumps(ctx.sign(dict(ctx.p.plain, id="k" * 32)), ensure_ascii=False)
    return calls(["import", ctx.mailed("区编办.jsonl", rec[:-1] + ', "unit": "区法制办", "part": "11.1"}')])


# evidence that travels with a folder

def _blob(folder: Path, p: Prepared) -> Path:
    ev = p.theirs["evidence"][0]
    return folder / "evidence" / (ev["sha256"] + ".pdf")


@case("import", "evidence-that-does-not-match-its-hash")
def _(ctx):
    pc2 = ctx.pc2()
    _blob(pc2, ctx.p).write_bytes(b"%PDF-1.4 forged\n")
    return calls(["import", pc2])


@case("import", "evidence-cut-short")
def _(ctx):
    pc2 = ctx.pc2()
    _blob(pc2, ctx.p).write_bytes(ctx.p.blob[:5])
    return calls(["import", pc2])


@case("import", "evidence-that-is-a-fifo", posix=True)
def _(ctx):
    pc2 = ctx.pc2()
    _blob(pc2, ctx.p).unlink()
    os.mkfifo(_blob(pc2, ctx.p))
    return [Call(["import", pc2], process=True)]


@case("import", "evidence-that-is-a-folder")
def _(ctx):
    pc2 = ctx.pc2()
    _blob(pc2, ctx.p).unlink()
    _blob(pc2, ctx.p).mkdir()
    return calls(["import", pc2])


@case("import", "evidence-linked-to-dev-zero", posix=True)
def _(ctx):
    pc2 = ctx.pc2()
    _blob(pc2, ctx.p).unlink()
    _blob(pc2, ctx.p).symlink_to("/dev/zero")
    return [Call(["import", pc2], process=True)]


@case("import", "evidence-linked-to-a-matching-file-elsewhere", posix=True)
def _(ctx):
    pc2 = ctx.pc2()
    elsewhere = ctx.file("elsewhere.pdf", ctx.p.blob)
    _blob(pc2, ctx.p).unlink()
    _blob(pc2, ctx.p).symlink_to(elsewhere)
    return calls(["import", pc2])


@case("import", "evidence-folder-linked-elsewhere", posix=True)
def _(ctx):
    pc2 = ctx.pc2()
    shutil.move(pc2 / "evidence", ctx.root / "other-evidence")
    (pc2 / "evidence").symlink_to(ctx.root / "other-evidence")
    return calls(["import", pc2])


# odd files among what is imported

@case("import", "a-fifo-as-the-mailed-file", posix=True)
def _(ctx):
    os.mkfifo(ctx.mail / "区编办.jsonl")
    return [Call(["import", ctx.mail / "区编办.jsonl"], process=True)]


@case("import", "a-fifo-inside-the-folder", posix=True)
def _(ctx):
    pc2 = ctx.pc2()
    os.mkfifo(pc2 / "progress" / "区法制办.jsonl")
    return [Call(["import", pc2], process=True)]


@case("import", "dev-zero", posix=True)
def _(ctx):
    return [Call(["import", "/dev/zero"], process=True)]


@case("import", "a-link-to-dev-zero", posix=True)
def _(ctx):
    (ctx.mail / "区编办.jsonl").symlink_to("/dev/zero")
    return [Call(["import", ctx.mail / "区编办.jsonl"], process=True)]


@case("import", "proc-self-status", posix=True)
def _(ctx):
    return [Call(["import", "/proc/self/status"], process=True)]


@case("import", "a-symlinked-file", posix=True)
def _(ctx):
    real = ctx.mailed("real.txt", ctx.p.plain)
    (ctx.mail / "区编办.jsonl").symlink_to(real)
    return calls(["import", ctx.mail / "区编办.jsonl"])


@case("import", "a-symlink-inside-the-folder", posix=True)
def _(ctx):
    pc2 = ctx.pc2()
    real = ctx.mailed("real.txt", dict(ctx.p.plain, id="s" * 32))
    (pc2 / "progress" / "区政务办.jsonl").symlink_to(real)
    return calls(["import", pc2])


@case("import", "a-symlink-loop", posix=True)
def _(ctx):
    (ctx.mail / "区编办.jsonl").symlink_to(ctx.mail / "区编办.jsonl")
    return calls(["import", ctx.mail / "区编办.jsonl"])


@case("import", "a-folder-that-is-a-symlink", posix=True)
def _(ctx):
    (ctx.root / "link").symlink_to(ctx.pc2())
    return calls(["import", ctx.root / "link"])


@case("import", "a-progress-folder-that-is-a-symlink", posix=True)
def _(ctx):
    pc2 = ctx.pc2()
    shutil.move(pc2 / "progress", ctx.root / "other-progress")
    (pc2 / "progress").symlink_to(ctx.root / "other-progress")
    return calls(["import", pc2])


@case("import", "a-jsonl-that-is-a-folder")
def _(ctx):
    (ctx.mail / "区编办.jsonl").mkdir()
    return calls(["import", ctx.mail / "区编办.jsonl"])


@case("import", "a-jsonl-folder-inside-the-folder")
def _(ctx):
    pc2 = ctx.pc2()
    (pc2 / "progress" / "区政务办.jsonl").mkdir()
    return calls(["import", pc2])


@case("import", "a-folder-without-ledgers")
def _(ctx):
    return calls(["import", ctx.mail])


@case("import", "a-missing-file")
def _(ctx):
    return calls(["import", ctx.mail / "区编办.jsonl"])


@case("import", "a-file-name-with-escapes")
def _(ctx):
    return calls(["import", ctx.mailed(f"{OSC52}{ESC}{RLO}.jsonl", ctx.p.plain, b"{")])


@case("import", "a-file-named-after-one-unit-holding-another", posix=False)
def _(ctx):
    return calls(["import", ctx.mailed("区政务办.jsonl", ctx.p.plain)])


# accepted, and shown as text

@case("import", "a-bom", "inert")
def _(ctx):
    rec = ctx.sign(dict(ctx.p.plain, id="b" * 32))
    return calls(["import", ctx.mailed("区编办.jsonl", b"\xef\xbb\xbf" + to_bytes(rec))],
                 ["log", "-f", "plain"])


@case("import", "crlf-line-endings", "inert")
def _(ctx):
    path = ctx.mail / "区编办.jsonl"
    path.write_bytes(b"".join(to_bytes(ctx.sign(dict(ctx.p.plain, id=c * 32))) + b"\r\n" for c in "mn"))
    return calls(["import", path], ["log", "-f", "plain"], ["check"])


@case("import", "an-unknown-field-with-escapes", "inert")
def _(ctx):
    return calls(["import", ctx.mailed("区编办.jsonl", dict(ctx.p.plain, id="u" * 32, extra=OSC52 + ESC))],
                 ["log", "-f", "json"], ["check"])


# === a decision: a ledger saved by Windows Notepad ===================================

def test_a_crlf_ledger_from_windows_notepad_is_read_and_imported(plan, prepared, cli, tmp_path):
    """Notepad saves CRLF line ends, and older versions a BOM: such a file is accepted,
    as a mailed ledger and as a ledger in the data folder, and reads exactly as the original."""
    ctx = Ctx(tmp_path / "case", prepared)
    mine = ctx.ledger()
    lf = mine.read_bytes()
    mine.write_bytes(b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n"))
    theirs = ctx.pc2() / "progress" / "区编办.jsonl"
    theirs.write_bytes(b"\xef\xbb\xbf" + theirs.read_bytes().replace(b"\n", b"\r\n"))
    env = ctx.env
    r = cli("import", ctx.pc2(), env=env)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == "导入完成：读到 2 条记录，新增 2 条，已有 0 条未重复写入"
    r = cli("check", env=env)
    assert r.exit_code == 0, r.output
    assert "进度记录：5 条，问题 0 个" in r.stdout
    r = cli(*WRITERS["mark"], env=env)                # appends after the CRLF lines, on a line of its own
    assert r.exit_code == 0, r.output
    assert mine.read_bytes().startswith(b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n"))
    assert cli("check", env=env).stdout.count("问题 0 个") == 1
