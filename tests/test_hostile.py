"""A catalogue of hostile inputs, each driven through the real command line.

Five families: ledgers for `fazhi import`, plan files, plan-cache entries,
command-line arguments and odd file types in the data folder. Every input
starts from the same realistic data folder (marks by two units, one with a
file copied as evidence) and the promise checked is the one in the README.
A sixth, state-snapshot entries, has its own data folder and runner (below).

- refused: exit 1 or 2, exactly one line on stderr, no traceback or internal
  error, no escape, control or bidi character reaching the terminal, and
  every file below the case's folder (the data folder and the inputs)
  unchanged byte for byte, with nothing added: no lock, no empty ledger, no
  temporary file;
- a cache entry (a plan's, or a state snapshot's) is a silent miss: the
  command answers exactly as it does without the cache, and the data folder
  is unchanged;
- text that is allowed (bidi marks in a note or a title) is accepted and
  stays inert in every view that shows it.

Inputs that could hang or eat memory (FIFOs, devices, huge files, invalid
UTF-8 in arguments) run as real processes with a timeout and a memory cap.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import pytest
import typer.main
import typer.testing

from conftest import Run, snapshot
from fazhi_cli import plancache, record
from fazhi_cli import snapshot as snapshot_mod
from fazhi_cli.cache import digest
from fazhi_cli.plan import bundled_plan_path, load_plan

POSIX = os.name == "posix"
ROOT_USER = POSIX and os.geteuid() == 0

# What must never reach a terminal raw: C0 controls but tab and newline, DEL,
# C1 controls, the invisible format marks that reorder or hide text, and
# lone surrogates (bytes that were not UTF-8, decoded with surrogateescape).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                 "\ud800-\udfff]")

ESC = "\x1b[31m红\x1b[0m"
OSC52 = "\x1b]52;c;aGVsbG8=\x07"
C1 = "\x9b2J"
RLO = "\u202e"
ALM = "\u061c"
CHARS = {"esc": ESC, "osc52": OSC52, "c1": C1, "rlo": RLO, "alm": ALM}
BIDI = ("rlo", "alm")

PLAN_TEXT = bundled_plan_path().read_text(encoding="utf-8")
# The same characters, as escapes inside a double-quoted YAML string.
YAML_CHARS = {"esc": "\\e[31m红\\e[0m", "osc52": "\\e]52;c;aGVsbG8=\\a", "c1": "\\x9b2J", "rlo": "\\u202e",
              "alm": "\\u061c"}


# --- the catalogue -----------------------------------------------------------------

@dataclass
class Call:
    args: list
    env: dict = field(default_factory=dict)
    process: bool = False        # a real process, with a timeout and a memory cap


@dataclass
class Case:
    family: str
    name: str
    build: Callable[["Ctx"], list[Call]]
    expect: str = "refused"      # "refused", "miss" (cache) or "inert" (accepted, shown as text)
    posix: bool = False


CASES: list[Case] = []


def case(family: str, name: str, expect: str = "refused", posix: bool = False):
    def add(build):
        CASES.append(Case(family, name, build, expect, posix))
        return build
    return add


def calls(*items) -> list[Call]:
    return [x if isinstance(x, Call) else Call(list(x)) for x in items]


# --- the prepared data folder -----------------------------------------------------

@dataclass
class Prepared:
    base: Path               # the data folder every case starts from
    pc2: Path                # another PC's data folder: 区编办's marks, one with a file
    ours: dict               # 区法制办's first record in base (7.1, with a file)
    theirs: dict             # 区编办's record of 2.2 in pc2, with a file
    plain: dict              # 区编办's record of 16.1 in pc2, no evidence
    blob: bytes              # the evidence file of `theirs`
    cache: Path              # a warm plan cache, shared by the cases


def _entry_name() -> str:
    # as plancache names the entry of the bundled plan: the BLAKE2b-256 of its bytes
    return f"plan-{plancache.FORMAT}-{digest(bundled_plan_path().read_bytes())}.json"


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().split(b"\n") if x.strip()]


@pytest.fixture(scope="module")
def prepared(plan, tmp_path_factory) -> Prepared:
    top = tmp_path_factory.mktemp("hostile")
    base, pc2 = top / "base", top / "pc2"
    files = top / "files"
    files.mkdir()
    (files / "清理结果.pdf").write_bytes(b"%PDF-1.4 cleaned up\n")
    (files / "权责清单.pdf").write_bytes(b"%PDF-1.4 list of powers\n")

    def mark(root, target, unit, on, state="done", note=None, evidence=()):
        record.mark(plan, root, target=target, unit=unit, state=state, on=on, note=note,
                    evidence=list(evidence), by="经办人")

    mark(base, "7.1", "区法制办", "2017-11-30", evidence=[str(files / "清理结果.pdf"), "番府办〔2017〕12号"])
    mark(base, "11.1", "区法制办", "2017-12-05", state="doing", note="已起草")
    mark(base, "2.2", "区编办", "2016-12-20")
    mark(pc2, "2.2", "区编办", "2016-12-21", evidence=[str(files / "权责清单.pdf")])
    mark(pc2, "16.1", "区编办", "2017-03-01", state="doing", note="进行中")
    theirs, plain = _lines(pc2 / "progress" / "区编办.jsonl")
    cache = top / "cache"
    cache.mkdir(mode=0o700)
    # warm: every case reads the bundled plan from here, and the cache cases copy its entry
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FAZHI_CACHE_DIR", str(cache))
        load_plan(bundled_plan_path())
    assert (cache / _entry_name()).is_file()
    return Prepared(base, pc2, _lines(base / "progress" / "区法制办.jsonl")[0], theirs, plain,
                    (files / "权责清单.pdf").read_bytes(), cache)


class Ctx:
    """One case's folder: a copy of the data folder, and room for what the case builds."""

    def __init__(self, root: Path, prepared: Prepared) -> None:
        self.root = root
        self.p = prepared
        self.home = root / "data"
        self.mail = root / "mail"
        self.mail.mkdir(parents=True)
        shutil.copytree(prepared.base, self.home, symlinks=True)
        self.cache = root.parent / "cache"      # outside the folder compared byte for byte
        self.cache.mkdir(mode=0o700)
        self.env = {"FAZHI_HOME": str(self.home), "FAZHI_CACHE_DIR": str(prepared.cache)}

    def pc2(self) -> Path:
        target = self.root / "pc2"
        if not target.exists():
            shutil.copytree(self.p.pc2, target, symlinks=True)
        return target

    def mailed(self, name: str, *lines: dict | bytes | str) -> Path:
        path = self.mail / name
        path.write_bytes(b"".join(_raw(x) + b"\n" for x in lines))
        return path

    def file(self, name: str, data: bytes | str = b"x") -> Path:
        path = self.root / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def plan(self, text: str | bytes, name: str = "plan.yaml") -> Path:
        return self.file(name, text)

    def ledger(self, unit: str = "区法制办") -> Path:
        return self.home / "progress" / f"{unit}.jsonl"


def _raw(x: dict | bytes | str) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode("utf-8", "surrogatepass")
    return json.dumps(x, ensure_ascii=False).encode("utf-8", "surrogatepass")


# --- running and judging ----------------------------------------------------------

@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def _run(cli, ctx: Ctx, call: Call) -> Outcome:
    env = {**ctx.env, **call.env}
    if call.process:
        def cap() -> None:
            import resource  # noqa: PLC0415 - POSIX only

            resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

        proc = subprocess.run([sys.executable, "-m", "fazhi_cli", *map(str, call.args)],
                              env={**os.environ, **env}, capture_output=True, timeout=30, preexec_fn=cap,
                              cwd=ctx.root)
        return Outcome(proc.returncode, proc.stdout.decode("utf-8", "surrogateescape"),
                       proc.stderr.decode("utf-8", "surrogateescape"))
    result = cli(*call.args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def tree(folder: Path) -> dict:
    """Every entry below a folder: its kind and mode, a link's target, a file's bytes (conftest.snapshot)."""
    out: dict = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = os.lstat(path)
            rel = str(path.relative_to(folder))
            out[rel] = ((stat.S_IFMT(st.st_mode), os.readlink(path)) if stat.S_ISLNK(st.st_mode)
                        else (stat.S_IFMT(st.st_mode), st.st_mode, st.st_nlink))
    return {"entries": out, "bytes": snapshot(folder)}


def inert(where: str, out: Outcome) -> None:
    for stream in (out.stdout, out.stderr):
        assert "Traceback" not in stream, (where, stream)
        assert "内部错误" not in stream and "internal error" not in stream, (where, stream)
        bad = RAW.search(stream.replace("\t", " "))
        assert bad is None, (where, repr(bad.group()), stream[max(0, bad.start() - 80): bad.end() + 80])


def refused(where: str, out: Outcome) -> None:
    inert(where, out)
    assert out.code in (1, 2), (where, out.code, out.stdout[-500:], out.stderr)
    assert out.stderr.strip() and out.stderr.count("\n") == 1 and out.stderr.endswith("\n"), (where, out.stderr)


def pytest_generate_tests(metafunc):
    # the catalogue is built below, after the test that runs it
    if "c" in metafunc.fixturenames:
        metafunc.parametrize("c", [pytest.param(c, id=f"{c.family}-{c.name}", marks=pytest.mark.skipif(
            c.posix and not POSIX, reason="FIFOs, links and devices are POSIX")) for c in CASES])
    if "s" in metafunc.fixturenames:
        metafunc.parametrize("s", [pytest.param(s, id=s.name, marks=pytest.mark.skipif(
            s.posix and not POSIX, reason="modes, links and FIFOs are POSIX")) for s in SNAP_CASES])


def test_hostile_input(c: Case, cli, prepared, tmp_path):
    ctx = Ctx(tmp_path / "case", prepared)
    todo = c.build(ctx)
    if c.expect == "miss":
        _a_miss(c, cli, ctx, todo)
        return
    before = tree(ctx.root)
    first, *views = todo
    out = _run(cli, ctx, first)
    where = f"{c.family}-{c.name}: {first.args}"
    if c.expect == "refused":
        refused(where, out)
        assert tree(ctx.root) == before, f"{where}: the folder changed"
        return
    inert(where, out)
    assert out.code == 0, (where, out.stdout, out.stderr)
    for view in views:
        out = _run(cli, ctx, view)
        inert(f"{c.family}-{c.name}: {view.args}", out)
        assert out.code in ((0, 1) if view.args[0] == "check" else (0,)), (view.args, out.stdout, out.stderr)


_TRUTH: dict = {}


def _a_miss(c: Case, cli, ctx: Ctx, todo: list[Call]) -> None:
    # The same question without the cache is the truth; every case starts from
    # the same data folder, so the truth is asked once per question.
    before = tree(ctx.root)
    for call in todo:
        key = tuple(call.args)
        if key not in _TRUTH:
            truth = _run(cli, ctx, Call(call.args, {**call.env, "FAZHI_NO_CACHE": "1"}))
            assert truth.code == 0, truth.stderr
            _TRUTH[key] = (truth.code, truth.stdout, truth.stderr)
        out = _run(cli, ctx, call)
        assert (out.code, out.stdout, out.stderr) == _TRUTH[key], (c.name, call.args)
    assert tree(ctx.root) == before


def test_the_catalogue_holds_at_least_200_hostile_inputs():
    families = {}
    for c in CASES:
        families[c.family] = families.get(c.family, 0) + 1
    assert len(CASES) >= 200, families
    assert set(families) == {"import", "plan", "cache", "args", "files"}
    assert len({(c.family, c.name) for c in CASES}) == len(CASES), "two cases share a name"


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
    rec = json.dumps(dict(ctx.p.plain, id="g" * 32), ensure_ascii=False)
    return calls(["import", ctx.mailed("区编办.jsonl", rec.encode("gbk"))])


@case("import", "utf16-encoded")
def _(ctx):
    path = ctx.mail / "区编办.jsonl"
    path.write_bytes("".join(json.dumps(dict(ctx.p.plain, id=c * 32), ensure_ascii=False) + "\r\n"
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
        f.write(_raw(dict(ctx.p.plain, id="f" * 32, unit="区法制办", part="11.1")) + b"\n")
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
    rec = json.dumps(dict(ctx.p.plain, id="k" * 32), ensure_ascii=False)
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
    return calls(["import", ctx.mailed("区编办.jsonl", b"\xef\xbb\xbf" + _raw(dict(ctx.p.plain, id="b" * 32)))],
                 ["log", "-f", "plain"])


@case("import", "crlf-line-endings", "inert")
def _(ctx):
    path = ctx.mail / "区编办.jsonl"
    path.write_bytes(b"".join(_raw(dict(ctx.p.plain, id=c * 32)) + b"\r\n" for c in "mn"))
    return calls(["import", path], ["log", "-f", "plain"], ["check"])


@case("import", "an-unknown-field-with-escapes", "inert")
def _(ctx):
    return calls(["import", ctx.mailed("区编办.jsonl", dict(ctx.p.plain, id="u" * 32, extra=OSC52 + ESC))],
                 ["log", "-f", "json"], ["check"])


# === 2. plan files =================================================================

# None of them names task 7 or section 二, which some cases rename.
PLAN_COMMANDS = (["status"], ["due"], ["check"], ["mark", "1", "-u", "区编办", "--on", "2017-11-30"], ["show", "1"],
                 ["units"])
_TITLE = 'title: "加强规范性文件管理"'


def _edited(old: str, new: str) -> str:
    assert old in PLAN_TEXT, old
    return PLAN_TEXT.replace(old, new, 1)


def plan_case(name: str, make: Callable[["Ctx"], Path | str], *, process: bool = False, posix: bool = False,
              expect: str = "refused") -> None:
    n = sum(c.family == "plan" for c in CASES)
    command = PLAN_COMMANDS[n % len(PLAN_COMMANDS)]

    def build(ctx):
        plan = make(ctx)
        first = Call([*command, "--plan", plan], process=process)
        if expect == "refused":
            return [first]
        return [first, *calls(["status", "--plan", plan, "--format", "plain"], ["show", "7", "--plan", plan],
                              ["due", "--all", "--plan", plan, "--format", "plain"], ["units", "--plan", plan],
                              ["check", "--plan", plan])]
    case("plan", name, expect, posix or process)(build)


def _text_plan(text: str | bytes):
    return lambda ctx: ctx.plan(text)


RAW_PLANS = {
    # tags that build objects, run code or read files
    "python-object-apply": _edited(_TITLE, 'title: !!python/object/apply:os.system ["touch CANARY"]'),
    "python-name": _edited(_TITLE, "title: !!python/name:os.system"),
    "python-module": _edited(_TITLE, "title: !!python/module:os"),
    "binary-tag": _edited(_TITLE, "title: !!binary aGVsbG8="),
    "set-tag": _edited(_TITLE, "title: !!set {a, b}"),
    "omap-tag": _edited(_TITLE, "title: !!omap [a: 1]"),
    "custom-tag": _edited(_TITLE, "title: !evil x"),
    "tag-directive": "%TAG !e! tag:example.com,2000:\n---\n" + _edited(_TITLE, "title: !e!x 加强"),
    # anchors, aliases and bombs
    "anchor-and-alias": _edited(_TITLE, 'title: &t "加强规范性文件管理"\n    text: *t'),
    "merge-key": _edited("plan:\n", "base: &b {title: x}\nplan:\n  <<: *b\n"),
    "billion-laughs": "a: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)),
    "deep-flow-lists": "[" * 200_000,
    "deep-flow-mappings": "{a: " * 100_000,
    "deep-block-nesting": "".join(" " * i + "a:\n" for i in range(1500)),
    "a-2-mib-file": "#" * (2 * 1024 * 1024),
    "a-million-items": "tasks:\n" + "- 1\n" * 250_000,
    "a-long-key": "x" * 900_000 + ": 1\n",
    # encodings and characters
    "tab-indentation": PLAN_TEXT.replace("\n  title:", "\n\ttitle:", 1),
    "invalid-utf8": PLAN_TEXT.encode("utf-8").replace(b"\xe5\x8a\xa0\xe5\xbc\xba", b"\xff\xfe", 1),
    "utf16": PLAN_TEXT.encode("utf-16"),
    "gbk": PLAN_TEXT.encode("gbk", "replace"),
    "nul-byte": _edited(_TITLE, 'title: "加强\x00管理"'),
    "raw-escape": _edited(_TITLE, 'title: "加强\x1b[31m管理"'),
    "raw-c1": _edited(_TITLE, 'title: "加强\x9b2J管理"'),
    "lone-surrogate-escape": _edited(_TITLE, 'title: "加强\\ud800管理"'),
    # wrong types everywhere
    "empty": "",
    "only-comments": "# nothing\n",
    "two-documents": PLAN_TEXT + "\n---\nplan: {}\n",
    "a-list": "- a\n- b\n",
    "a-scalar": "plan\n",
    "plan-is-a-list": _edited("plan:\n  title:", "plan: []\nx:\n  title:"),
    "plan-is-null": PLAN_TEXT.replace("\nplan:\n", "\nplan:\nplan_old:\n", 1),
    "sections-a-mapping": _edited("sections:\n", "sections: {}\nsections_old:\n"),
    "units-a-string": _edited("units:\n", "units: 区编办\nunits_old:\n"),
    "tasks-null": PLAN_TEXT.replace("\ntasks:\n", "\ntasks:\ntasks_old:\n", 1),
    "task-id-a-list": _edited('- id: "1"\n', '- id: [1]\n'),
    "task-id-a-mapping": _edited('- id: "1"\n', '- id: {a: 1}\n'),
    "parts-a-mapping": _edited('    parts:\n      - id: "1.1"', '    parts: {}\n    x:\n      - id: "1.1"'),
    "due-a-list": _edited('due: "2018-12-31"', "due: [2018]"),
    "due-a-timestamp": _edited('due: "2018-12-31"', "due: 2018-12-31T10:00:00"),
    "due-feb-30": _edited('due: "2018-12-31"', 'due: "2017-02-30"'),
    "due-five-digit-year": _edited('due: "2018-12-31"', 'due: "99999-12-31"'),
    "lead-a-scalar": _edited("lead: [区编办, 区法制办]", "lead: 区编办"),
    "lead-empty": _edited("lead: [区编办, 区法制办]", "lead: []"),
    "lead-nested": _edited("lead: [区编办, 区法制办]", "lead: [[区编办]]"),
    "years-a-scalar": _edited("years: [2017, 2018]", "years: 2017"),
    "years-a-float": _edited("years: [2017, 2018]", "years: [2017.5]"),
    "years-far": _edited("years: [2017, 2018]", "years: [99999]"),
    "years-arabic": _edited("years: [2017, 2018]", "years: [٢٠١٧]"),
    "warn-days-negative": _edited("warn_days: 30", "warn_days: -1"),
    "warn-days-huge": _edited("warn_days: 30", "warn_days: 1e9"),
    "signed-feb-30": _edited('signed: "2016-08-15"', 'signed: "2016-02-30"'),
    "target-null": _edited('target: "2018-12-31"', "target:"),
    "unknown-kind": _edited("  - name: 区编办\n    full_name: 番禺区机构编制委员会办公室\n    kind: department\n",
                            "  - name: 区编办\n    full_name: 番禺区机构编制委员会办公室\n    kind: [department]\n"),
    "settings-a-list": _edited("settings:\n", "settings: []\nsettings_old:\n"),
    # bad ids
    "task-id-empty": _edited('- id: "1"\n', '- id: ""\n'),
    "part-id-superscript": _edited('- id: "1.1"', '- id: "1.\u00b2"'),
    "part-id-escape": _edited('- id: "1.1"', '- id: "1.1\\e[2J"'),
    "part-id-path": _edited('- id: "1.1"', '- id: "../1.1"'),
    "part-id-duplicate": _edited('- id: "2.1"', '- id: "1.1"'),
    "task-id-duplicate": _edited('- id: "2"\n', '- id: "1"\n'),
    "recurring-id-path": _edited("- id: plan\n", "- id: a/b\n"),
    "recurring-id-escape": _edited("- id: plan\n", '- id: "plan\\e[2J"\n'),
    "section-undefined": _edited("section: 一\n", "section: 九\n"),
    "section-id-duplicate": _edited("- id: 二\n", "- id: 一\n"),
}
for _name, _text in RAW_PLANS.items():
    # as processes: those that could exhaust the stack or memory, and those that would run a command (in the
    # case's folder, where a CANARY would show)
    plan_case(_name, _text_plan(_text), process=_name.startswith(("deep-", "a-million", "a-long-key", "python-")))

# hostile unit names (units are file names and appear on terminals)
UNIT_NAMES = {"escape": "区编\\e[31m办", "osc52": "区编\\e]52;c;aGk=\\a办", "c1": "区编\\x9b办", "rlo": "区编\\u202e办",
              "alm": "区编\\u061c办", "zero-width": "区编\\u200b办", "bom": "区编\\ufeff办", "line-separator": "区编\\u2028办",
              "con": "CON", "com-superscript": "COM\u00b9", "con-space-ext": "CON .x", "parent": "../区编办",
              "slash": "区/编办", "backslash": "区\\\\编办", "nul": "区\\0编办", "leading-dot": ".区编办",
              "too-long": "区" * 65}
for _name, _unit in UNIT_NAMES.items():
    plan_case(f"unit-name-{_name}", _text_plan(_edited("  - name: 区编办\n", f'  - name: "{_unit}"\n')))

# escapes in ids, and in titles (text, shown inert)
for _label, _s in YAML_CHARS.items():
    plan_case(f"{_label}-in-a-task-id", _text_plan(_edited('- id: "7"\n', f'- id: "7{_s}"\n')))
    plan_case(f"{_label}-in-a-section-id", _text_plan(_edited("- id: 二\n", f'- id: "二{_s}"\n').replace(
        "section: 二\n", f'section: "二{_s}"\n')))
    plan_case(f"{_label}-in-an-alias", _text_plan(_edited("aliases: [区公安分局]", f'aliases: [区公安分局, "区公安{_s}局"]')))
    plan_case(f"{_label}-in-a-full-name", _text_plan(_edited("full_name: 番禺区机构编制委员会办公室",
                                                             f'full_name: "番禺区机构{_s}编制委员会办公室"')))
    plan_case(f"{_label}-in-the-plan-number", _text_plan(_edited("number: 番府办〔2016〕60号", f'number: "番府办{_s}〔2016〕60号"')))
    plan_case(f"{_label}-in-a-title", _text_plan(_edited(_TITLE, f'title: "加强{_s}规范性文件管理"')), expect="inert")
    plan_case(f"{_label}-in-the-plan-title", _text_plan(_edited("  title: 番禺区创建珠三角法治政府示范区工作方案\n",
                                                                 f'  title: "番禺区{_s}工作方案"\n')), expect="inert")


def _special_plan(kind: str):
    def make(ctx):
        path = ctx.root / "plan.yaml"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(path)
        elif kind == "missing-with-escapes":
            return ctx.root / f"{OSC52}{RLO}.yaml"
        elif kind == "sparse":
            with open(path, "wb") as f:
                f.truncate(100 * 1024 * 1024)
        else:
            path.symlink_to(kind)
        return path
    return make


for _kind in ("fifo", "folder", "loop", "missing-with-escapes", "sparse", "/dev/zero", "/dev/null", "/dev/urandom"):
    plan_case(f"a-plan-that-is-{_kind.strip('/').replace('/', '-')}", _special_plan(_kind), process=True)
plan_case("dev-zero-named-directly", lambda ctx: "/dev/zero", process=True)
plan_case("proc-self-status", lambda ctx: "/proc/self/status", process=True)


# === 3. plan-cache entries: a silent miss, the true plan answers ====================

CACHE_QUESTIONS = (["status", "--as-of", "2017-12-01", "--format", "json"],
                   ["due", "--all", "--as-of", "2017-12-01", "--format", "json"], ["show", "7", "--format", "json"],
                   ["units", "--format", "json"], ["status", "--task", "7", "--as-of", "2017-12-01", "--format", "plain"])


def cache_case(name: str, make: Callable[["Ctx", Path], None], *, process: bool = False) -> None:
    n = sum(c.family == "cache" for c in CASES)
    question = CACHE_QUESTIONS[n % len(CACHE_QUESTIONS)]

    def build(ctx):
        make(ctx, ctx.cache / _entry_name())
        return [Call(question, {"FAZHI_CACHE_DIR": str(ctx.cache)}, process=process)]
    case("cache", name, "miss", posix=process)(build)


def _bytes(data: bytes | str):
    def make(ctx, entry):
        entry.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return make


def _good(ctx) -> dict:
    return json.loads((ctx.p.cache / _entry_name()).read_bytes())


def _damaged(change: Callable[[dict], object]):
    def make(ctx, entry):
        doc = _good(ctx)
        change(doc)
        # a lone surrogate is written as the escape \ud800, as a hand-made entry would have it
        entry.write_bytes(json.dumps(doc, ensure_ascii=False).encode("utf-8", "backslashreplace"))
    return make


def _set(path: tuple, value):
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


CACHE_BYTES = {
    "an-empty-list": "[]", "null": "null", "a-number": "42", "a-string": '"plan"', "an-empty-mapping": "{}",
    "an-empty-file": "", "not-utf8": b"\xff\xfe{}", "nan": "NaN", "deep-lists": "[" * 100_000,
    "deep-mappings": '{"a":' * 100_000, "a-5000-digit-number": "1" * 5000, "escapes": OSC52 + ESC + C1,
    "only-the-format": json.dumps({"format": plancache.FORMAT}), "yaml-instead": PLAN_TEXT,
    "lone-surrogate-escape": '{"format": "\\ud800"}',
}
for _name, _data in CACHE_BYTES.items():
    cache_case(_name, _bytes(_data))

CACHE_DAMAGE = {
    "another-plans-digest": (("plan_blake2b",), "0" * 64),
    "another-format": (("format",), "fazhi-plan-cache-0"),
    "meta-too-short": (("meta",), []),
    "part-id-with-escape": (("tasks", 6, 4, 0, 0), "7.1" + ESC),
    "part-id-with-rlo": (("tasks", 6, 4, 0, 0), "7.1" + RLO),
    "unit-kind-with-escape": (("units", 0, 1), "department" + OSC52),
    "lead-unit-unknown": (("tasks", 6, 4, 0, 6), ["区法制办" + RLO]),
    "name-to-nowhere": (("names", "区编办"), "区编办" + C1),
    "warn-days-nan": (("meta", 7), float("nan")),
    "warn-days-infinite": (("meta", 7), 1e999),
    "due-impossible": (("tasks", 6, 4, 0, 4), "2017-02-30"),
    "year-out-of-range": (("obligations", 0, 2), 10_000),
    "title-a-lone-surrogate": (("meta", 0), "\ud800"),
}
for _name, (_where, _value) in CACHE_DAMAGE.items():
    cache_case(_name, _damaged(_set(_where, _value)))


@case("cache", "the-entry-is-a-valid-one-for-another-plan", "miss")
def _(ctx):
    other = ctx.plan(_edited('due: "2017-12-31"', 'due: "2071-12-31"'), "other.yaml")
    env = {"FAZHI_CACHE_DIR": str(ctx.cache)}
    cli_env = {**os.environ, **ctx.env, **env}
    subprocess.run([sys.executable, "-m", "fazhi_cli", "show", "7", "--plan", str(other)], env=cli_env,
                   capture_output=True, timeout=60, check=True)
    (entry,) = [p for p in ctx.cache.glob("plan-*.json")]
    entry.rename(ctx.cache / _entry_name())
    return [Call(["show", "7", "--format", "json"], env)]


def _special_entry(kind: str):
    def make(ctx, entry):
        if kind == "fifo":
            os.mkfifo(entry)
        elif kind == "folder":
            entry.mkdir()
        elif kind == "loop":
            entry.symlink_to(entry)
        elif kind == "link-to-a-valid-entry":
            elsewhere = ctx.cache / "elsewhere.json"
            elsewhere.write_bytes((ctx.p.cache / _entry_name()).read_bytes())
            entry.symlink_to(elsewhere)
        elif kind == "sparse":
            with open(entry, "wb") as f:
                f.truncate(100 * 1024 * 1024)
        else:
            entry.symlink_to(kind)
    return make


for _kind in ("fifo", "folder", "loop", "link-to-a-valid-entry", "sparse", "/dev/zero", "/dev/urandom",
              "/proc/self/status"):
    cache_case(f"an-entry-that-is-{_kind.strip('/').replace('/', '-')}", _special_entry(_kind), process=True)


def _cache_folder(kind: str):
    def build(ctx):
        folder = ctx.cache / "folder"
        if kind == "a-file":
            folder.write_bytes(b"x")
        elif kind == "a-fifo":
            os.mkfifo(folder)
        elif kind == "writable-by-all":
            folder.mkdir()
            folder.chmod(0o777)
            (folder / _entry_name()).write_bytes(b"[]")
        elif kind == "a-link-to-dev-null":
            folder.symlink_to("/dev/null")
        return [Call(CACHE_QUESTIONS[0], {"FAZHI_CACHE_DIR": str(folder)}, process=True)]
    return build


for _kind in ("a-file", "a-fifo", "writable-by-all", "a-link-to-dev-null"):
    case("cache", f"the-cache-folder-is-{_kind}", "miss", posix=True)(_cache_folder(_kind))


# === 4. command-line arguments ======================================================

def args_case(name: str, *args: str, env: dict | None = None, process: bool = False) -> None:
    case("args", name, posix=process)(lambda ctx: [Call(list(args), env or {}, process=process)])


DATED = {"status-as-of": ["status", "--as-of"], "due-as-of": ["due", "--as-of"],
         "mark-on": ["mark", "7", "-u", "区法制办", "--on"], "log-since": ["log", "--since"],
         "status-known-at": ["status", "--known-at"], "due-known-at": ["due", "--known-at"],
         "log-known-at": ["log", "--known-at"]}
for _where, _args in DATED.items():
    for _bad in ("2017-13-45", "9999-12-31", "0000-00-00"):
        args_case(f"{_where}-{_bad}", *_args, _bad)
for _name, _bad in {"empty": "", "blank": "   ", "june-31": "2017-06-31", "fullwidth": "２０１７-０６-３０",
                    "escape": "2017-6-30" + ESC, "1e9": "1e9", "yesterday": "yesterday"}.items():
    args_case(f"as-of-{_name}", "due", "--as-of", _bad)
args_case("since-empty", "log", "--since", "")
args_case("known-at-empty", "log", "--known-at", "")
for _bad in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "9999-06-30T00:00", "1000-01-01T00:00",
             "2017-06-30T25:00", "2017-06-30T18:00" + RLO, "2017-06-30T18:00" + OSC52, "T", "2017-06-30 18:00 x"):
    args_case(f"known-at-{_bad}", "status", "--known-at", _bad)

UNIT_COMMANDS = {"mark": ["mark", "7"], "attach": ["attach", "7", "-m", "补充"], "undo": ["undo"],
                 "status": ["status"], "due": ["due"], "log": ["log"]}
for _cmd, _args in UNIT_COMMANDS.items():
    for _label, _unit in {"unknown": "火星局", "esc": ESC + "区编办", "rlo": "区编办" + RLO, "osc52": OSC52,
                          "blank": "   ", "path": "../区编办"}.items():
        args_case(f"{_cmd}-unit-{_label}", *_args, "-u", _unit)
args_case("fazhi-unit-with-escapes", "mark", "7", env={"FAZHI_UNIT": OSC52 + "区法制办"})
args_case("fazhi-unit-blank", "undo", env={"FAZHI_UNIT": " "})

for _name, _args in {"mark": ["mark", OSC52, "-u", "区法制办"], "show": ["show", "7" + ESC],
                     "status-task": ["status", "--task", RLO + "7"], "log-task": ["log", "--task", C1 + "7"],
                     "attach": ["attach", ESC + "7", "-u", "区法制办", "-m", "x"],
                     "status-section": ["status", "--section", "二" + ALM], "show-empty": ["show", ""],
                     "mark-part-of-another-unit": ["mark", "4.1", "-u", "区法制办"]}.items():
    args_case(f"id-{_name}", *_args)

_BAD_BYTES = b"\xff\xfe\x1b[31m".decode("utf-8", "surrogateescape")
for _name, (_args, _env) in {
    "mark-note": (["mark", "7", "-u", "区法制办", "--note", _BAD_BYTES], {}),
    "mark-evidence": (["mark", "7", "-u", "区法制办", "--evidence", _BAD_BYTES + ".pdf"], {}),
    "mark-by": (["mark", "7", "-u", "区法制办", "--by", _BAD_BYTES], {}),
    "mark-fazhi-user": (["mark", "7", "-u", "区法制办"], {"FAZHI_USER": _BAD_BYTES}),
    "attach-note": (["attach", "7", "-u", "区法制办", "--note", _BAD_BYTES], {}),
    "attach-evidence": (["attach", "7", "-u", "区法制办", "--evidence", _BAD_BYTES], {}),
    "undo-fazhi-user": (["undo", "-u", "区法制办"], {"FAZHI_USER": _BAD_BYTES}),
    "mark-target": (["mark", "7" + _BAD_BYTES, "-u", "区法制办"], {}),
    "mark-unit": (["mark", "7", "-u", "区法制办" + _BAD_BYTES], {}),
    "status-unit": (["status", "-u", _BAD_BYTES], {}),
    "show-task": (["show", _BAD_BYTES], {}),
    "due-as-of": (["due", "--as-of", "2017-06-30" + _BAD_BYTES], {}),
    "fazhi-unit": (["mark", "7"], {"FAZHI_UNIT": _BAD_BYTES}),
    "lang": (["--lang", _BAD_BYTES, "status"], {}),
    "plan-path": (["status", "--plan", _BAD_BYTES + ".yaml"], {}),
    "import-path": (["import", _BAD_BYTES + ".jsonl"], {}),
}.items():
    args_case(f"invalid-utf8-{_name}", *_args, env=_env, process=True)

MARK = ["mark", "7", "-u", "区法制办", "--on", "2017-11-30"]
args_case("huge-note", *MARK, "--note", "长" * 100_000)
args_case("blank-note", *MARK, "--note", "   ")
args_case("note-with-escape", *MARK, "--note", "完成" + OSC52)
args_case("note-with-c1", *MARK, "--note", "完成" + C1)
args_case("21-evidence", *MARK, *[x for i in range(21) for x in ("--evidence", f"番府办〔2017〕{i}号")])
args_case("empty-evidence", *MARK, "--evidence", "")
args_case("huge-evidence", *MARK, "--evidence", "文" * 501)
args_case("evidence-with-escape", *MARK, "--evidence", "文号" + ESC)
args_case("by-with-escape", *MARK, "--by", "张三" + ESC)
args_case("huge-by", *MARK, "--by", "人" * 101)
args_case("attach-nothing", "attach", "7", "-u", "区法制办")
args_case("attach-to-nothing-recorded", "attach", "24.1", "-u", "区财政局", "-m", "x")
args_case("undo-with-nothing-to-undo", "undo", "-u", "区财政局")
for _value in ("-1", "36601", "many", "1e3"):
    args_case(f"within-{_value}", "due", "--within", _value)
for _value in ("-1", "3661", "x"):
    args_case(f"warn-days-{_value}", "status", "--warn-days", _value)
for _value in ("fr", ESC, "", "zh-CN"):
    args_case(f"lang-{_value.encode('unicode_escape').decode() or 'empty'}", "--lang", _value, "status")
for _cmd in ("status", "due", "mark", "attach", "undo", "log", "import", "show", "units", "check"):
    args_case(f"unknown-option-{_cmd}", _cmd, "--bogus" + ESC)
args_case("unknown-command", "nosuch" + OSC52)
args_case("option-without-value", "status", "--as-of")
args_case("limit-0", "log", "--limit", "0")
args_case("format-xml", "status", "--format", "xml" + ESC)
args_case("light-blue", "status", "--light", "blue")
args_case("state-finished", *MARK, "--state", "finished")
args_case("section-99", "status", "--section", "99")
args_case("unit-and-all-units", "due", "-u", "区编办", "--all-units")
args_case("unit-and-task", "status", "-u", "区编办", "--task", "2")


# === 5. odd file types in the data folder, and as evidence ==========================

WRITERS = {"mark": ["mark", "7", "-u", "区法制办", "--on", "2017-12-01"], "undo": ["undo", "-u", "区法制办"],
           "attach": ["attach", "7", "-u", "区法制办", "-m", "补充"]}


def _replace(path: Path, kind: str, ctx: Ctx) -> None:
    """Put something odd where a file or folder of the data folder is."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "file":
        path.write_bytes(b"not a folder\n")
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))   # what /dev/null is
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "link-elsewhere":
        elsewhere = ctx.root / "elsewhere"
        shutil.copytree(ctx.p.base / "progress", elsewhere)
        path.symlink_to(elsewhere / path.name if (elsewhere / path.name).exists() else elsewhere)
    else:
        path.symlink_to(kind)


def files_case(name: str, where: Callable[[Ctx], Path], kind: str, *commands: list) -> None:
    if kind == "device" and not ROOT_USER:
        return                                  # only root can make a device node
    process = kind in ("fifo", "device") or kind.startswith("/")
    for command in commands:
        def build(ctx, command=command):
            _replace(where(ctx), kind, ctx)
            return [Call(command, process=process)]
        case("files", f"{name}-{kind.strip('/').replace('/', '-')}-{command[0]}", posix=True)(build)


# a file outside every case's folder, not yet in the data folder's evidence
EVIDENCE = str(Path(__file__).resolve().parent / "fixtures" / "panyu-2016-plan.txt")

for _kind in ("fifo", "file", "device", "/dev/null"):
    files_case("data-folder", lambda ctx: ctx.home, _kind, ["status"], ["log"], WRITERS["mark"])
files_case("data-folder", lambda ctx: ctx.home, "link-elsewhere", WRITERS["mark"], WRITERS["undo"],
           WRITERS["attach"])
for _kind in ("fifo", "file", "device"):
    files_case("progress-folder", lambda ctx: ctx.home / "progress", _kind, ["status"], WRITERS["mark"])
# a link is not followed: views note it and show nothing (exit 0), writers refuse it
for _kind in ("/dev/null", "loop", "link-elsewhere"):
    files_case("progress-folder", lambda ctx: ctx.home / "progress", _kind, WRITERS["mark"], WRITERS["undo"])
for _kind in ("fifo", "device", "folder", "loop", "/dev/zero", "/dev/null", "link-elsewhere"):
    files_case("ledger", lambda ctx: ctx.ledger(), _kind, WRITERS["mark"], WRITERS["undo"])
for _kind in ("fifo", "folder", "link-elsewhere"):
    files_case("ledger", lambda ctx: ctx.ledger(), _kind, WRITERS["attach"])
for _kind in ("fifo", "file", "loop", "/dev/null"):
    files_case("evidence-folder", lambda ctx: ctx.home / "evidence", _kind,
               ["mark", "7", "-u", "区法制办", "--on", "2017-12-01", "--evidence", EVIDENCE])
for _kind in ("fifo", "folder", "/dev/zero", "loop"):
    files_case("pending-import-journal", lambda ctx: ctx.home / "progress" / ".pending-import", _kind,
               ["status"], WRITERS["mark"])


def _stored_copy(kind: str):
    # the copy `mark --evidence EVIDENCE` would make is already there, and odd
    def build(ctx):
        import hashlib  # noqa: PLC0415

        sha = hashlib.sha256(Path(EVIDENCE).read_bytes()).hexdigest()
        if kind == "matching-link":     # a link to a file with the very same bytes, outside the folder
            ctx.file("same.txt", Path(EVIDENCE).read_bytes())
            (ctx.home / "evidence" / f"{sha}.txt").symlink_to(ctx.root / "same.txt")
        else:
            _replace(ctx.home / "evidence" / f"{sha}.txt", kind, ctx)
        return [Call(["mark", "7", "-u", "区法制办", "--on", "2017-12-01", "--evidence", EVIDENCE],
                     process=kind == "fifo")]
    return build


for _kind in ("fifo", "folder", "loop", "link-elsewhere", "matching-link"):
    case("files", f"stored-evidence-copy-{_kind}-mark", posix=True)(_stored_copy(_kind))


def _evidence_source(kind: str):
    def build(ctx):
        path = ctx.root / "证明.pdf"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(path)
        elif kind == "empty":
            path.write_bytes(b"")
        else:
            path = Path(kind)
        return [Call([*WRITERS["mark"], "--evidence", path], process=kind == "fifo" or kind.startswith("/")),
                ]
    return build


for _kind in ("/dev/zero", "/dev/null", "/dev/urandom", "fifo", "/proc/self/status", "folder", "loop", "empty"):
    case("files", f"evidence-{_kind.strip('/').replace('/', '-')}-mark", posix=True)(_evidence_source(_kind))
for _kind in ("/dev/zero", "fifo", "/proc/self/status"):
    def build(ctx, kind=_kind):
        call = _evidence_source(kind)(ctx)[0]
        return [Call(["attach", "7", "-u", "区法制办", *call.args[len(WRITERS["mark"]):]], process=call.process)]
    case("files", f"evidence-{_kind.strip('/').replace('/', '-')}-attach", posix=True)(build)


@case("files", "a-ledger-whose-name-has-escapes", "inert", posix=True)
def _(ctx):
    (ctx.home / "progress" / f"{OSC52}{ESC}{RLO}.jsonl").write_bytes(b'{"id": "' + C1.encode() + b'"}\n{\n')
    return calls(["status"], ["log", "-f", "plain"], ["check"], [*WRITERS["mark"]])


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


# === 6. state snapshots: a damaged, forged or hostile entry is a silent miss =========
#
# `status` and `due` keep the replayed record in the cache folder (snapshot.py):
# per (progress folder, plan bytes, units read) a main part and a fold part.
# Each case starts from a realistic data folder (marks by four units, with
# evidence, an undo, and 区法制办's reviews, extensions and a waiver), makes the
# snapshots of the whole view and of one unit's view, then damages an entry or
# the ledger and asks the four questions again. The answer, exit code and
# stderr must be those with FAZHI_NO_SNAPSHOT=1, the data folder unchanged, no
# temporary file left in the cache folder; and the spy on snapshot.standing
# says whether the entry was used ("snapshot", "folded") or refused ("read"),
# so a case whose damage went unnoticed fails even where the answer is alike.

OFFICE = "区法制办"
SNAP_UNIT = "区编办"
SNAP_QUESTIONS = (("status",), ("status", "--unit", SNAP_UNIT), ("due", "--all"), ("status", "--format", "json"))


def _unit_view(question: tuple) -> bool:
    return "--unit" in question


@pytest.fixture(scope="module")
def snapbase(plan, prepared, tmp_path_factory) -> Path:
    top = tmp_path_factory.mktemp("snapbase")
    base = top / "data"
    proof = top / "清理结果.pdf"
    proof.write_bytes(b"%PDF-1.4 cleaned up\n")

    def mark(target, unit, on, state="done", note=None, evidence=()):
        record.mark(plan, base, target=target, unit=unit, state=state, on=on, note=note, evidence=list(evidence),
                    by="经办人")

    mark("2.2", "区编办", "2016-12-20", evidence=["番编〔2016〕8号"])
    mark("6.1", "区编办", "2017-06-01")
    mark("6.1", "区市场监管局", "2017-06-15", evidence=[str(proof)])
    mark("7.1", OFFICE, "2017-11-30", evidence=[str(proof), "番府办〔2017〕12号"])
    mark("11.1", OFFICE, "2017-12-05", state="doing", note="已起草")
    mark("16.1", "区编办", "2017-03-01", state="doing", note="进行中")
    mark("16.1", "区编办", "2017-09-01")
    record.undo(plan, base, "区编办")
    mark("plan-2017", "区政务办", "2017-03-01")
    record.review(plan, base, target="2.2", unit="区编办", acting=OFFICE, verdict="accept", note=None, by="督办员")
    record.review(plan, base, target="6.1", unit="区市场监管局", acting=OFFICE, verdict="return", note="材料不全",
                  by="督办员")
    record.extend(plan, base, target="7.1", unit=None, acting=OFFICE, to="2018-06-30", reason="机构调整",
                  approved_by="区政府", by=None)
    record.extend(plan, base, target="plan-2018", unit="区编办", acting=OFFICE, to="2018-04-30", reason="人员调整",
                  approved_by=None, by=None)
    record.waive(plan, base, target="catalogue-2017", unit=None, acting=OFFICE, reason="已由上级统一部署", by=None)
    # written an hour ago: a snapshot then trusts unchanged times instead of comparing bytes every run
    old = time.time() - 3600
    for path in (base / "progress").iterdir():
        os.utime(path, (old, old))
    return base


class SnapCtx:
    """One case: a copy of the data folder, its own private cache folder, and the snapshots made in it."""

    def __init__(self, tmp_path: Path, base: Path, prepared: Prepared, cli) -> None:
        self.root = tmp_path / "case"
        self.home = self.root / "data"
        shutil.copytree(base, self.home, symlinks=True)
        self.cache = tmp_path / "cache"           # outside the folder compared byte for byte
        self.cache.mkdir(mode=0o700)
        shutil.copy2(prepared.cache / _entry_name(), self.cache)     # the plan, warm
        self.env = {"FAZHI_HOME": str(self.home), "FAZHI_CACHE_DIR": str(self.cache)}
        self.cli = cli
        self.p = prepared
        self.truths: dict = {}            # each question's answer with FAZHI_NO_SNAPSHOT=1
        self.entries: dict[bool, tuple[Path, Path]] = {}
        for unit_view, question in ((False, SNAP_QUESTIONS[0]), (True, SNAP_QUESTIONS[1])):
            had = set(self.cache.glob("state-*.json"))
            r = cli(*question, env=self.env)
            assert r.exit_code == 0, r.output
            (main,) = [p for p in set(self.cache.glob("state-*.json")) - had if not p.name.endswith("-fold.json")]
            fold = main.with_name(main.name[:-len(".json")] + "-fold.json")
            assert fold.is_file(), "a snapshot is made of both parts"
            self.entries[unit_view] = (main, fold)
        self.pristine = {p: p.read_bytes() for pair in self.entries.values() for p in pair}

    def entry(self, question: tuple) -> tuple[Path, Path]:
        return self.entries[_unit_view(question)]

    def restore(self) -> None:
        """Both entries as they were made (a miss writes a new one)."""
        for path, data in self.pristine.items():
            if os.path.lexists(path) and (path.is_symlink() or not path.is_file()):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            path.write_bytes(data)

    def ledger(self, unit: str = OFFICE) -> Path:
        return self.home / "progress" / f"{unit}.jsonl"

    def mark(self, target: str, unit: str, on: str, state: str = "done", evidence=()) -> None:
        r = self.cli("mark", target, "-u", unit, "--on", on, "--state", state,
                     *(x for e in evidence for x in ("--evidence", e)), env=self.env)
        assert r.exit_code == 0, r.output


@dataclass
class SnapCase:
    name: str
    # ways to damage one entry (its main and fold part), applied anew before each question: (label, how, damage)
    variants: list = field(default_factory=list)
    fold: bool = False                                  # a mark was appended after the snapshot, to be folded in
    ledger: Callable[[SnapCtx], None] | None = None     # a change to the data folder, once, after the snapshot
    prepare: Callable[[SnapCtx], None] | None = None    # anything else to do once (the data folder unchanged)
    after: Callable[[SnapCtx], None] | None = None      # what else must hold at the end
    how: str = "read"                                   # what standing did, for a ledger-only case
    every: bool = False                                 # ... for every question, not only each entry's first
    process: bool = False                               # a real process, with a timeout and a memory cap
    posix: bool = False
    root_only: bool = False


SNAP_CASES: list[SnapCase] = []


def snap_case(name: str, *variants, fold: bool = False, ledger=None, prepare=None, after=None, how: str = "read",
              every: bool = False, process: bool = False, posix: bool = False, root_only: bool = False) -> None:
    assert name not in {c.name for c in SNAP_CASES}, name
    assert not (variants and ledger), "an entry is damaged in a data folder as it was, or as folded"
    SNAP_CASES.append(SnapCase(name, list(variants), fold, ledger, prepare, after, how, every, process,
                               posix or process or root_only, root_only))


_COMMAND: list = []


def _built_once(app):
    # Typer builds the Click command anew on every in-process run (a third of a run's time here):
    # this family's several hundred runs share one
    if not _COMMAND:
        _COMMAND.append(typer.main.get_command(app))
    return _COMMAND[0]


@pytest.fixture(scope="module")
def snapshared(prepared, snapbase, tmp_path_factory) -> dict[bool, SnapCtx]:
    """The data folders that cases which damage only an entry share: as the snapshots were made (False), and
    with a mark appended since (True), so that the next view folds it in and reads the fold part."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.testing, "_get_command", _built_once)
        out = {fold: SnapCtx(tmp_path_factory.mktemp("snapshared"), snapbase, prepared, Run())
               for fold in (False, True)}
        _appended(out[True])
        return out


def test_a_hostile_snapshot_is_a_silent_miss(s: SnapCase, cli, prepared, snapbase, snapshared, tmp_path,
                                             monkeypatch):
    if s.root_only and not ROOT_USER:
        pytest.skip("only root can give a folder to another user")
    monkeypatch.setattr(typer.testing, "_get_command", _built_once)
    alone = s.ledger or s.prepare or s.after
    # a case that damages only an entry shares a data folder and its snapshots with the others
    ctx = SnapCtx(tmp_path, snapbase, prepared, cli) if alone else snapshared[s.fold]
    if alone and s.fold:
        _appended(ctx)
    if s.ledger is not None:
        s.ledger(ctx)
    if s.prepare is not None:
        s.prepare(ctx)
    seen: list[str] = []
    real = snapshot_mod.standing

    def spy(*args, **kw):
        got = real(*args, **kw)
        seen.append(got.how)
        return got

    monkeypatch.setattr(snapshot_mod, "standing", spy)
    before = tree(ctx.home)
    asks = []        # (question, label, expected how or None, damage or None)
    if s.variants:
        # one damage: the unit's view and, in turn from case to case, one of the views of everything;
        # several: each asks one question in turn
        n = SNAP_CASES.index(s)
        one = [SNAP_QUESTIONS[(0, 2, 3)[n % 3]], SNAP_QUESTIONS[1]]
        for i, (label, how, damage) in enumerate(s.variants):
            for q in (one if len(s.variants) == 1 else [SNAP_QUESTIONS[(n + i) % len(SNAP_QUESTIONS)]]):
                asks.append((q, label, how, damage))
    else:
        first: dict = {}
        for q in SNAP_QUESTIONS:
            asks.append((q, "", s.how if s.every or first.setdefault(_unit_view(q), q) is q else None, None))
    for q, label, how, damage in asks:
        where = f"{s.name} {label}: {' '.join(q)}"
        if damage is not None:
            ctx.restore()
            main, fold = ctx.entry(q)
            damage(ctx, main, fold)
        # a data folder stays as it is while its entries are damaged: the truth is asked once per question
        if q not in ctx.truths:
            truth = _run(cli, ctx, Call(list(q), {"FAZHI_NO_SNAPSHOT": "1"}))
            assert truth.code == 0, (where, truth.stderr)
            ctx.truths[q] = truth
        truth = ctx.truths[q]
        del seen[:]
        out = _run(cli, ctx, Call(list(q), process=s.process))
        assert (out.code, out.stderr) == (truth.code, truth.stderr), where
        assert out.stdout == truth.stdout, where
        if how is not None and not s.process:
            assert seen == [how], (where, seen)
    assert tree(ctx.home) == before, f"{s.name}: the data folder changed"
    assert not [p.name for p in ctx.cache.iterdir() if p.name.endswith(".tmp")], f"{s.name}: a temporary file is left"
    if s.after is not None:
        s.after(ctx)
    if not alone:
        ctx.restore()        # for the next case


def test_the_snapshot_family_holds_at_least_150_cases():
    assert len(SNAP_CASES) >= 150
    assert sum(len(s.variants) or 1 for s in SNAP_CASES) >= 400


# --- damaging an entry ---------------------------------------------------------------

_GONE = object()


def _doc(path: Path) -> dict:
    return json.loads(path.read_bytes())


def _put(path: Path, doc: object) -> None:
    # a lone surrogate is written as the escape \ud800, as a hand-made entry would have it
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode("utf-8", "backslashreplace"))


def _field(part: str, where: str | tuple, value):
    """One field of the main or the fold part set to a value, to what a function makes of it, or removed."""
    keys = where if isinstance(where, tuple) else (where,)

    def damage(ctx, main, fold):
        path = main if part == "main" else fold
        doc = _doc(path)
        node = doc
        for key in keys[:-1]:
            node = node[key]
        if value is _GONE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value(node[keys[-1]]) if callable(value) else value
        _put(path, doc)
    return damage


def _bytes_of(part: str, data: bytes | Callable[[bytes], bytes]):
    def damage(ctx, main, fold):
        path = main if part == "main" else fold
        path.write_bytes(data(path.read_bytes()) if callable(data) else data)
    return damage


def _appended(ctx: SnapCtx) -> None:
    """A plain mark after the snapshot: the next view folds it in, and so reads the fold part."""
    ctx.mark("plan-2018", "区政务办", "2018-03-01")


def _one(label: str, damage, how: str = "read"):
    return (label, how, damage)


def _keep(ctx, main, fold) -> None:
    pass


# the two controls: an intact entry is used, and an appended mark folded in (so "read" below means refused)
snap_case("an-intact-entry-is-used", _one("", _keep, "snapshot"))
snap_case("an-intact-entry-folds-an-appended-mark", _one("", _keep, "folded"), fold=True)

# every top-level field of both parts: removed, of another type, huge, negative; with a mark to fold in,
# so that both parts are read. A value that is well formed and changes nothing a view shows may be used.
WRONG = {"removed": _GONE, "a-list": [], "a-mapping": {}, "a-string": "x", "an-int": 7, "null": None,
         "true": True, "a-float": 1.5, "nan-text": "NaN", "huge": 10 ** 30, "negative": -1,
         "a-long-text": "9" * 100_000}
HARMLESS = {   # (field, how it was damaged): why the entry still says exactly what the record says
    ("built_ns", "huge"), ("built_ns", "negative"), ("built_ns", "an-int"),     # only when bytes are compared
    ("closed", "removed"), ("closed", "null"),                                  # the plan is not closed
    ("acts_key", "removed"), ("acts_key", "null"),                              # a fold of marks never reads it
    ("arrivals", "removed"), ("arrivals", "null"),                              # the folder has no arrivals
    ("last", "a-mapping"), ("revoked", "a-list"),                               # the sync lines; no undo folded
    ("ids", "a-long-text"),     # base64 of 18,750 other ids: the mark folded has none of them
}
# Well formed, and a lie: an entry that says no extension or waiver stands. Such an entry cannot be told from
# an honest one without reading the record; what keeps it out is the cache folder only this user can write.
FORGERIES = {("acts", "a-list")}
MAIN_FIELDS = ("format", "key", "nonce", "today", "built_ns", "arrivals", "files", "pairs", "acts", "closed",
               "acts_key", "max_on", "last", "revoked")
FOLD_FIELDS = ("format", "key", "nonce", "key_on", "key_rec", "all_on", "all_rec", "last_rec", "ids")
for _part, _fields in (("main", MAIN_FIELDS), ("fold", FOLD_FIELDS)):
    for _f in _fields:
        snap_case(f"{_part}-{_f}-of-every-wrong-kind",
                  *(_one(k, _field(_part, _f, v), "folded" if (_f, k) in HARMLESS else "read")
                    for k, v in WRONG.items() if (_f, k) not in FORGERIES), fold=True)


# --- the pairs, column by column ----------------------------------------------------------

def _pairs(change: Callable[[dict], None]):
    def damage(ctx, main, fold):
        doc = _doc(main)
        change(doc["pairs"])
        _put(main, doc)
    return damage


def _done(pairs: dict) -> int:
    """The position of a pair that is done (2.2 by 区编办)."""
    return pairs["state"].index("d")


def _at(column: str, value: str | Callable[[dict], str], where: Callable[[dict], int] = _done):
    """One pair's value in a column of days joined by newlines."""
    def change(pairs):
        lines = pairs[column].split("\n")
        i = where(pairs)
        lines[i] = value(pairs) if callable(value) else value
        pairs[column] = "\n".join(lines)
    return change


def _char(column: str, char: str):
    def change(pairs):
        i = _done(pairs)
        pairs[column] = pairs[column][:i] + char + pairs[column][i + 1:]
    return change


def _sparse_key(column: str, key: str):
    """The value kept for one pair in a map by position, moved to another key."""
    def change(pairs):
        old = next(iter(pairs[column]))
        pairs[column][key] = pairs[column].pop(old)
    return change


def _sparse_value(column: str, value):
    def change(pairs):
        pairs[column][next(iter(pairs[column]))] = value
    return change


def _set_pairs(name: str, value):
    def change(pairs):
        pairs[name] = value(pairs[name]) if callable(value) else value
    return change


PAIR_WRONG = {
    "n-one-more": _set_pairs("n", lambda n: n + 1), "n-one-less": _set_pairs("n", lambda n: n - 1),
    "n-as-text": _set_pairs("n", str), "n-removed": lambda pairs: pairs.pop("n"),
    "state-one-short": _set_pairs("state", lambda v: v[:-1]), "state-one-long": _set_pairs("state", lambda v: v + "-"),
    "state-foreign-char": _char("state", "x"), "state-upper-case": _char("state", "D"),
    "state-a-control-char": _char("state", "\x1b"),
    "review-one-short": _set_pairs("review", lambda v: v[1:]), "review-foreign-char": _char("review", "z"),
    "flags-one-short": _set_pairs("flags", lambda v: v[:-1]), "flags-foreign-char": _char("flags", "g"),
    "flags-upper-hex": _char("flags", "F"), "flags-a-wide-digit": _char("flags", "\uff17"),
    "since-an-impossible-day": _at("since", "2017-02-30"), "since-not-a-day": _at("since", "2017/12/20"),
    "since-empty-for-a-done-pair": _at("since", ""), "since-an-iso-week": _at("since", "2017-W51-3"),
    "since-without-dashes": _at("since", "20161220"), "since-with-rlo": _at("since", "2016-12-2\u202e0"),
    "since-one-day-too-many": _set_pairs("since", lambda v: v + "\n2017-01-01"),
    "since-a-list": _set_pairs("since", lambda v: v.split("\n")),
    "notes-keyed-minus-one": _sparse_key("notes", "-1"), "notes-keyed-999999": _sparse_key("notes", "999999"),
    "notes-keyed-abc": _sparse_key("notes", "abc"), "notes-keyed-with-rlo": _sparse_key("notes", "1\u202e"),
    "notes-keyed-with-escape": _sparse_key("notes", "\x1b[1"), "notes-keyed-superscript-two": _sparse_key("notes", "²"),
    "notes-keyed-ten-digits": _sparse_key("notes", "0000000001"), "notes-keyed-empty": _sparse_key("notes", ""),
    "note-with-escape": _sparse_value("notes", "材料不全" + ESC), "note-with-c1": _sparse_value("notes", C1),
    "note-empty": _sparse_value("notes", ""), "note-a-number": _sparse_value("notes", 7),
    "note-too-long": _sparse_value("notes", "长" * 2001),
    "notes-a-list": _set_pairs("notes", lambda v: list(v.values())),
    "review-on-keyed-minus-one": _sparse_key("review_on", "-1"), "review-on-keyed-abc": _sparse_key("review_on", "abc"),
    "review-on-keyed-999999": _sparse_key("review_on", "999999"),
    "review-on-an-impossible-day": _sparse_value("review_on", "2017-02-30"),
    "review-on-empty": _sparse_value("review_on", ""), "review-on-null": _sparse_value("review_on", None),
    "evidence-keyed-minus-one": _sparse_key("evidence", "-1"),
    "evidence-keyed-999999": _sparse_key("evidence", "999999"),
    "evidence-keyed-with-alm": _sparse_key("evidence", "5" + ALM),
    "evidence-an-empty-list": _sparse_value("evidence", []), "evidence-a-number": _sparse_value("evidence", [42]),
    "evidence-a-text": _sparse_value("evidence", "番编〔2016〕8号"),
    "evidence-a-list-in-a-list": _sparse_value("evidence", [["番编〔2016〕8号"]]),
    "evidence-an-empty-text": _sparse_value("evidence", [""]),
    "evidence-text-with-escape": _sparse_value("evidence", ["番编" + ESC]),
    "evidence-of-no-kind": _sparse_value("evidence", [{"value": "番编〔2016〕8号"}]),
    "evidence-of-another-kind": _sparse_value("evidence", [{"kind": "disk", "value": "番编〔2016〕8号"}]),
    "evidence-file-without-digest": _sparse_value("evidence", [{"kind": "file", "value": "a.pdf", "size": 1}]),
    "evidence-file-negative-size": _sparse_value("evidence", [{"kind": "file", "value": "a.pdf", "sha256": "0" * 64,
                                                               "size": -1}]),
    "evidence-file-named-a-path": _sparse_value("evidence", [{"kind": "file", "value": "a.pdf", "sha256": "0" * 64,
                                                              "size": 1, "name": "../../a.pdf"}]),
    "evidence-with-c1-name": _sparse_value("evidence", [{"kind": "url", "value": "http://x", "name": C1}]),
    "evidence-21-items-in-one": _sparse_value("evidence", [{"kind": "document", "value": f"第{i}号"} for i in range(41)]
                                              + [42]),
}
for _name, _change in PAIR_WRONG.items():
    snap_case(f"pairs-{_name}", _one("", _pairs(_change)))


# --- the standing extensions and waivers, kept as the lines they were read from -------------

def _acts(change: Callable[[list], None]):
    def damage(ctx, main, fold):
        doc = _doc(main)
        change(doc["acts"])
        _put(main, doc)
    return damage


def _row(i: int, value):
    def change(rows):
        rows[0][i] = value(rows[0][i]) if callable(value) else value
    return change


def _line(old: str, new: str):
    """The first kept record, with text replaced (the row must have held it)."""
    def change(rows):
        assert old in rows[0][3], (old, rows[0][3])
        rows[0][3] = rows[0][3].replace(old, new, 1)
    return change


def _a_mark_line(rows):
    rows[0][3] = json.dumps({**json.loads(rows[0][3]), "type": "mark", "state": "done"}, ensure_ascii=False)


ACT_WRONG = {
    "a-record-of-another-unit": _line('"unit":"区法制办"', '"unit":"区编办"'),
    "a-record-of-another-plan": _line('"plan":"番府办〔2016〕60号"', '"plan":"番府办〔2017〕1号"'),
    "a-record-for-a-part-the-plan-has-not": _line('"part":"7.1"', '"part":"99.1"'),
    "a-record-dated-after-today": _line('"on":"', '"on":"2099-01-01","x":"'),
    "an-impossible-until": _line('"until":"2018-06-30"', '"until":"2018-02-30"'),
    "a-mark-not-an-act": _a_mark_line,
    "a-line-that-is-no-record": _row(3, "{}"), "null": _row(3, "null"), "not-json": _row(3, "not json"),
    "two-lines-in-one": _row(3, lambda raw: raw + "\n" + raw), "a-lone-surrogate": _line("机构调整", "机构\ud800调整"),
    "a-file-it-did-not-read": _row(0, "区财政局.jsonl"), "a-file-that-is-no-ledger": _row(0, "tasks.yaml"),
    "a-path-as-the-file": _row(0, "../progress/区法制办.jsonl"),
    "line-zero": _row(1, 0), "line-negative": _row(1, -3), "line-as-text": _row(1, "5"),
    "known-at-not-a-stamp": _row(2, "2017-12-01"), "known-at-null": _row(2, None),
    "a-row-of-three": lambda rows: rows.__setitem__(0, rows[0][:3]),
    "a-row-that-is-a-mapping": lambda rows: rows.__setitem__(0, dict(enumerate(rows[0]))),
    "a-row-repeated": lambda rows: rows.append(list(rows[0])),
    "a-row-repeated-at-another-line": lambda rows: rows.append([rows[0][0], rows[0][1] + 100, *rows[0][2:]]),
}
for _name, _change in ACT_WRONG.items():
    snap_case(f"acts-{_name}", _one("", _acts(_change)))

OTHER_MAIN = {
    "last-of-a-unit-the-plan-has-not": _field("main", ("last", "区档案局"), "2017-12-01T10:00:00+08:00"),
    "last-not-a-stamp": _field("main", ("last", "区编办"), "yesterday"),
    "last-a-number": _field("main", ("last", "区编办"), 20171201),
    "revoked-of-one": _field("main", "revoked", [["区编办"]]),
    "revoked-of-three": _field("main", "revoked", [["a", "b", "c"]]),
    "revoked-of-numbers": _field("main", "revoked", [[1, 2]]), "revoked-a-text": _field("main", "revoked", ["区编办"]),
    "closed-an-impossible-day": _field("main", "closed", "2019-02-29"),
    "closed-not-a-day": _field("main", "closed", "yes"),
    "acts-key-of-one": _field("main", "acts_key", ["2017-12-01"]),
    "acts-key-not-a-stamp": _field("main", "acts_key", lambda k: [k[0], "noon"]),
    "max-on-an-impossible-day": _field("main", "max_on", "2017-02-30"),
    "max-on-after-as-of": _field("main", "max_on", "2999-12-31"),
    "today-after-today": _field("main", "today", "2999-12-31"),
    "today-an-impossible-day": _field("main", "today", "2017-02-30"),
    "another-format": _field("main", "format", "fazhi-state-0"),
    "a-file-row-of-six": _field("main", ("files", "区编办.jsonl"), lambda r: r[:6]),
    "a-file-row-with-a-text-size": _field("main", ("files", "区编办.jsonl"), lambda r: [r[0], r[1], str(r[2]), *r[3:]]),
    "a-file-row-of-another-inode": _field("main", ("files", "区编办.jsonl"), lambda r: [r[0], r[1] + 1, *r[2:]]),
    "a-file-row-one-byte-shorter": _field("main", ("files", "区编办.jsonl"), lambda r: [*r[:2], r[2] - 1, *r[3:]]),
    "a-file-row-of-negative-size": _field("main", ("files", "区编办.jsonl"), lambda r: [*r[:2], -1, *r[3:]]),
    "a-file-row-for-a-file-not-there": _field("main", "files", lambda f: {**f, "区财政局.jsonl": next(iter(f.values()))}),
    "a-file-row-for-a-path": _field("main", "files", lambda f: {**f, "../区编办.jsonl": next(iter(f.values()))}),
}
for _name, _damage in OTHER_MAIN.items():
    snap_case(f"main-{_name}", _one("", _damage))
# A file whose size and times are as kept is not read again, so its sample is not compared: used
snap_case("main-a-file-row-of-another-sample",
          _one("", _field("main", ("files", "区编办.jsonl"), lambda r: [*r[:6], "0" * 64]), "snapshot"))
# A day the entry was made that is no day: were it let in as one, a pair's day of the same shape would follow
snap_case("main-today-and-a-pairs-day-an-iso-week",
          _one("", lambda ctx, main, fold: (_field("main", "today", "2017-W51-3")(ctx, main, fold),
                                            _pairs(_at("since", "2017-W51-3"))(ctx, main, fold))))
snap_case("main-today-and-a-pairs-day-without-dashes",
          _one("", lambda ctx, main, fold: (_field("main", "today", "20161220")(ctx, main, fold),
                                            _pairs(_at("since", "20161220"))(ctx, main, fold))))

# the fold part is read only when lines were appended: each of these has a mark to fold in
OTHER_FOLD = {
    "ids-not-base64": _field("fold", "ids", "!!!!"), "ids-not-whole": _field("fold", "ids", "AAAA"),
    "ids-without-padding": _field("fold", "ids", lambda v: v.rstrip("=")[:-1]),
    "ids-in-chinese": _field("fold", "ids", "编号"), "ids-with-a-newline": _field("fold", "ids", lambda v: v + "\n"),
    "a-nonce-of-another-main-part": _field("fold", "nonce", "0" * 16),
    "a-main-part-of-another-nonce": _field("main", "nonce", "f" * 16),
    "the-key-of-another-entry": _field("fold", "key", "0" * 64),
    "another-format": _field("fold", "format", "fazhi-state-0"),
    "key-on-one-line-short": _field("fold", "key_on", lambda v: v[:v.rindex("\n")]),
    "key-on-an-impossible-day": _field("fold", "key_on", lambda v: v.replace("2016-12-20", "2016-02-30")),
    "key-rec-not-a-stamp": _field("fold", "key_rec", lambda v: v.replace("+08:00", "Z", 1)),
    "all-rec-an-hour-25": _field("fold", "all_rec", lambda v: v.replace("T", "T2", 1)),
    "last-rec-with-escape": _field("fold", "last_rec", lambda v: v + ESC),
    "all-on-a-list": _field("fold", "all_on", lambda v: v.split("\n")),
}
for _name, _damage in OTHER_FOLD.items():
    snap_case(f"fold-{_name}", _one("", _damage), fold=True)


# --- what stands at the entry's name -------------------------------------------------------

def _special(part: str, kind: str):
    def damage(ctx, main, fold):
        path = main if part == "main" else fold
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(path)
        elif kind == "link-to-a-fifo":
            fifo = ctx.cache.parent / f"fifo-{part}"
            if not os.path.lexists(fifo):
                os.mkfifo(fifo)
            path.symlink_to(fifo)
        elif kind == "link-to-its-own-copy":     # the very bytes it had, one link away
            copy = ctx.cache.parent / f"copy-{part}"
            copy.write_bytes(ctx.pristine[path])
            path.symlink_to(copy)
        elif kind == "link-to-the-other-view":
            other = ctx.entries[main != ctx.entries[True][0]]
            path.symlink_to(other[0] if part == "main" else other[1])
        elif kind == "sparse-300-mb":
            with open(path, "wb") as f:
                f.truncate(300 * 1024 * 1024)
        else:
            path.symlink_to(kind)
    return damage


for _kind, _process in (("fifo", True), ("/dev/zero", True), ("/dev/urandom", True), ("link-to-a-fifo", True),
                        ("sparse-300-mb", True), ("folder", False), ("loop", False), ("link-to-its-own-copy", False),
                        ("link-to-the-other-view", False), ("/dev/null", False), ("/proc/self/status", False)):
    _label = _kind.strip("/").replace("/", "-")
    # in a real process, once for each entry: the whole view's and the unit's
    snap_case(f"main-is-{_label}", *[_one("", _special("main", _kind))] * (2 if _process else 1), process=_process,
              posix=True)
for _kind, _process in (("fifo", True), ("/dev/zero", True), ("folder", False), ("link-to-its-own-copy", False)):
    snap_case(f"fold-is-{_kind.strip('/').replace('/', '-')}", *[_one("", _special("fold", _kind))] * 2,
              fold=True, process=_process, posix=True)

ENTRY_BYTES = {
    "empty": b"", "truncated": lambda b: b[:len(b) // 2], "one-byte-short": lambda b: b[:-1],
    "not-utf8": lambda b: b.replace(b'"', b'"\xff', 1), "a-bom-before": lambda b: b"\xef\xbb\xbf" + b,
    "nul-bytes": lambda b: b.replace(b",", b",\x00", 1), "deep-lists": b"[" * 100_000,
    "deep-mappings": b'{"a":' * 100_000, "deep-in-a-field": lambda b: b[:-1] + b',"x":' + b"[" * 100_000,
    "a-5000-digit-number": lambda b: b[:-1] + b',"x":' + b"1" * 5000 + b"}",
    "nan": lambda b: b[:-1] + b',"x":NaN}', "infinity": lambda b: b[:-1] + b',"x":-Infinity}',
    "two-documents": lambda b: b + b"\n" + b, "escapes": (OSC52 + ESC + C1).encode("utf-8"),
    "the-other-part": None,
}
for _name, _data in ENTRY_BYTES.items():
    if _data is None:
        snap_case("main-holds-the-fold-part", _one("", lambda ctx, main, fold: main.write_bytes(fold.read_bytes())))
        snap_case("fold-holds-the-main-part", _one("", lambda ctx, main, fold: fold.write_bytes(main.read_bytes())),
                  fold=True)
        continue
    # json reads a UTF-8 BOM as the encoding's mark, not as text: the entry is the same
    bom = _name == "a-bom-before"
    snap_case(f"main-{_name}", _one("", _bytes_of("main", _data), "snapshot" if bom else "read"))
    snap_case(f"fold-{_name}", _one("", _bytes_of("fold", _data), "folded" if bom else "read"), fold=True)


# --- a whole entry from elsewhere --------------------------------------------------------------

def _swap_views(ctx, main, fold):
    other_main, other_fold = ctx.entries[main != ctx.entries[True][0]]
    main.write_bytes(ctx.pristine[other_main])
    fold.write_bytes(ctx.pristine[other_fold])


snap_case("an-entry-of-the-other-view", _one("", _swap_views), _one("", _swap_views))


def _elsewhere(how: str):
    """Entries made for another data folder (a copy of this one) or another plan, kept to be put in place."""
    def prepare(ctx):
        env = dict(ctx.env)
        if how == "another-plan":
            other = ctx.root.parent / "other.yaml"
            other.write_text(_edited('due: "2017-12-31"', 'due: "2071-12-31"'), encoding="utf-8")
            args = ["--plan", str(other)]
        else:
            env["FAZHI_HOME"] = str(ctx.root.parent / "another-pc")
            shutil.copytree(ctx.home, env["FAZHI_HOME"], symlinks=True)
            args = []
        ctx.others = {}
        for unit_view, question in ((False, SNAP_QUESTIONS[0]), (True, SNAP_QUESTIONS[1])):
            had = set(ctx.cache.glob("state-*.json"))
            assert ctx.cli(*question, *args, env=env).exit_code == 0
            made = sorted(set(ctx.cache.glob("state-*.json")) - had, key=lambda p: p.name.endswith("-fold.json"))
            ctx.others[unit_view] = tuple(p.read_bytes() for p in made)
            for p in made:
                p.unlink()
    return prepare


def _put_elsewhere(rekey: bool):
    def damage(ctx, main, fold):
        other_main, other_fold = ctx.others[main == ctx.entries[True][0]]
        main.write_bytes(other_main)
        fold.write_bytes(other_fold)
        if rekey:     # and made to claim this folder: its files are other files
            for path, pristine in ((main, ctx.pristine[main]), (fold, ctx.pristine[fold])):
                doc = _doc(path)
                doc["key"] = json.loads(pristine)["key"]
                _put(path, doc)
    return damage


snap_case("an-entry-of-another-data-folder", _one("", _put_elsewhere(False)), _one("", _put_elsewhere(False)),
          prepare=_elsewhere("another-pc"))
snap_case("an-entry-of-another-data-folder-given-this-ones-key", _one("", _put_elsewhere(True)),
          _one("", _put_elsewhere(True)), prepare=_elsewhere("another-pc"))
snap_case("an-entry-of-another-plan", _one("", _put_elsewhere(False)), _one("", _put_elsewhere(False)),
          prepare=_elsewhere("another-plan"))


# --- a cache folder others could write: its entries are neither read nor written -----------

def _cache_folder(kind: str):
    def prepare(ctx):
        ctx.kept = {p.name: p.read_bytes() for p in ctx.cache.iterdir()}
        if kind == "owned-by-another-user":
            os.chown(ctx.cache, 65534, 65534)
        else:
            modes = {"group-writable": 0o770, "writable-by-all": 0o777, "sticky-and-writable-by-all": 0o1777}
            ctx.cache.chmod(modes[kind])
    return prepare


def _cache_untouched(ctx):
    assert {p.name: p.read_bytes() for p in ctx.cache.iterdir()} == ctx.kept


for _kind in ("group-writable", "writable-by-all", "sticky-and-writable-by-all", "owned-by-another-user"):
    snap_case(f"the-cache-folder-is-{_kind}", prepare=_cache_folder(_kind), after=_cache_untouched, every=True,
              posix=True, root_only=_kind == "owned-by-another-user")


# --- the record changed after the snapshot --------------------------------------------------

def _ledger_change(change: Callable[[SnapCtx, Path], None], unit: str = "区编办"):
    def ledger(ctx):
        change(ctx, ctx.ledger(unit))
    return ledger


def _copied_in_place(ctx, path):
    # the same bytes and times in another file (made before the old one goes: another inode)
    st = path.stat()
    copy = path.with_name("copy.tmp")
    shutil.copy2(path, copy)
    os.replace(copy, path)
    assert path.stat().st_ino != st.st_ino and path.stat().st_mtime_ns == st.st_mtime_ns


def _one_line_less(ctx, path):
    data = path.read_bytes()
    with open(path, "r+b") as f:
        f.truncate(data.rstrip(b"\n").rfind(b"\n") + 1)


def _done_made_todo(restore_time: bool):
    """区编办's first record, 2.2 done, made todo in place: the same size (and, if asked, the same time)."""
    def change(ctx, path):
        data = path.read_bytes()
        st = path.stat()
        at = data.index(b'"state":"done"')
        with open(path, "r+b") as f:
            f.seek(at)
            f.write(b'"state":"todo"')
        assert path.stat().st_size == st.st_size
        if restore_time:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    return change


def _append(raw: bytes):
    def change(ctx, path):
        with open(path, "ab") as f:
            f.write(raw)
    return change


def _last_line(path: Path) -> dict:
    return json.loads(path.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1])


def _appended_record(**change):
    """A new record like the file's last mark, with fields changed, as a line."""
    def change_file(ctx, path):
        marks = [x for x in _lines(path) if x["type"] == "mark"]
        new = {**marks[-1], "id": os.urandom(16).hex(), "cmd": os.urandom(16).hex(),
               "recorded_at": ledger_now(), **change}
        _append(json.dumps({k: v for k, v in new.items() if v is not None}, ensure_ascii=False).encode() + b"\n")(
            ctx, path)
    return change_file


def _without_newline(change):
    def change_file(ctx, path):
        change(ctx, path)
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size - 1)
    return change_file


def ledger_now() -> str:
    from fazhi_cli import dates  # noqa: PLC0415

    return dates.now().isoformat(timespec="microseconds")


def _hard_link(ctx, path):
    os.link(path, ctx.root / "备份.jsonl")


def _symlink(ctx, path):
    copy = ctx.root / "elsewhere.jsonl"
    copy.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(copy)


def _folder_copied_in_place(ctx, path):
    progress = ctx.home / "progress"
    shutil.copytree(progress, ctx.root / "progress-copy", symlinks=True)
    shutil.rmtree(progress)
    (ctx.root / "progress-copy").rename(progress)


def _cli(*args: str):
    def ledger(ctx):
        r = ctx.cli(*args, env=ctx.env)
        assert r.exit_code == 0, r.output
    return ledger


def _journal(name: str, body: Callable[[SnapCtx], bytes]):
    def ledger(ctx):
        (ctx.home / "progress" / name).write_bytes(body(ctx))
    return ledger


LEDGER_CHANGES = {   # name: (the change, what the snapshot does then)
    "a-file-replaced-by-a-copy": (_ledger_change(_copied_in_place), "read"),
    "a-file-one-line-shorter": (_ledger_change(_one_line_less), "read"),
    "a-byte-changed-in-place": (_ledger_change(_done_made_todo(False)), "read"),
    "a-byte-changed-in-place-and-the-time-put-back": (_ledger_change(_done_made_todo(True)), "read"),
    "a-line-appended-without-its-newline": (_ledger_change(_without_newline(_appended_record())), "read"),
    "half-a-line-appended": (_ledger_change(_append(b'{"id":"0123456789abcdef","type":"mark"')), "read"),
    "an-unreadable-line-appended": (_ledger_change(_append(b"{not json\n")), "read"),
    "a-line-repeated": (_ledger_change(lambda ctx, p: _append(p.read_bytes().splitlines(True)[-1])(ctx, p)), "read"),
    "a-line-of-another-file-appended": (_ledger_change(lambda ctx, p: _append(
        ctx.ledger("区政务办").read_bytes().splitlines(True)[0])(ctx, p)), "read"),
    "a-hard-link-added": (_ledger_change(_hard_link), "read"),
    "the-ledger-replaced-by-a-link": (_ledger_change(_symlink), "read"),
    "a-ledger-removed": (_ledger_change(lambda ctx, p: p.unlink(), "区市场监管局"), "read"),
    "the-progress-folder-replaced-by-a-copy": (_ledger_change(_folder_copied_in_place), "read"),
    "an-unfinished-import": (_journal(".pending-import", lambda ctx: json.dumps(
        {"区编办.jsonl": ctx.ledger("区编办").stat().st_size}).encode()), "read"),
    "an-unfinished-sync": (_journal(".pending-sync", lambda ctx: b"[]"), "read"),
    "sync-arrivals": (_journal(".arrivals", lambda ctx: json.dumps(
        {"file": "区编办.jsonl", "from": 1, "to": 2, "at": ledger_now()}).encode() + b"\n"), "read"),
    "an-undo": (_cli("undo", "-u", "区政务办"), "read"),
    "a-back-dated-mark": (_cli("mark", "2.2", "-u", "区编办", "--on", "2016-12-01", "--state", "doing"), "read"),
    "an-import": (lambda ctx: _cli("import", str(ctx.p.pc2))(ctx), "read"),
    "a-record-received-later": (_ledger_change(_appended_record(part="16.1", on="2017-10-01", state="done",
                                                                recorded_at="2017-10-01T10:00:00+08:00",
                                                                received_at=ledger_now())), "read"),
    "a-mark-appended-by-hand": (_ledger_change(_appended_record(part="16.1", on="2017-10-01", state="done")),
                                "folded"),
    "a-record-of-another-plan": (_ledger_change(_appended_record(plan="番府办〔2017〕1号")), "folded"),
    # what folds in: a plain mark, a unit's first file, attachments and the office's acts
    "a-mark": (_appended, "folded"),
    "a-new-units-file": (_cli("mark", "plan-2017", "-u", "区财政局", "--on", "2017-03-05"), "folded"),
    "an-attachment": (_cli("attach", "7.1", "-u", OFFICE, "-m", "补充", "--evidence", "番府办〔2017〕13号"), "folded"),
    "an-acceptance": (_cli("review", "6.1", "-u", "区编办", "--accept", "--as", OFFICE), "folded"),
    "an-extension": (_cli("extend", "11.1", "--to", "2019-06-30", "--reason", "机构调整", "--as", OFFICE), "folded"),
    "a-waiver": (_cli("waive", "summary-2018", "-u", "区编办", "--reason", "已撤销", "--as", OFFICE), "folded"),
}
for _name, (_change, _how) in LEDGER_CHANGES.items():
    snap_case(f"record-{_name}", ledger=_change, how=_how)


# --- which way standing went: a hit, a fold or a read, when each is due ------------------------

@pytest.fixture
def snapped(snapbase, tmp_path, monkeypatch) -> Path:
    """A copy of the data folder, and a private cache folder for its snapshots."""
    home = tmp_path / "data"
    shutil.copytree(snapbase, home, symlinks=True)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(cache))
    return home


def _stand(plan, home: Path, *, as_of: date | None = None, today: str | None = None, **kw):
    from fazhi_cli.dates import today as today_  # noqa: PLC0415

    return snapshot_mod.standing(home, plan, today=today or today_().isoformat(), as_of=as_of or today_(), **kw)


def _as_read(plan, home: Path, monkeypatch, got, **kw) -> None:
    """What standing said is what reading every file says."""
    with monkeypatch.context() as m:
        m.setenv("FAZHI_NO_SNAPSHOT", "1")
        full = _stand(plan, home, **kw)
    assert full.how == "read"

    def bare(pairs):        # a pair served by a snapshot carries no event: the views read none
        return {k: p._replace(event=None) for k, p in pairs.items()}

    assert bare(got.pairs) == bare(full.pairs)
    assert (got.acts, got.last, got.problems) == (full.acts, full.last, full.problems)


def test_standing_reads_then_keeps_then_folds(plan, snapped, monkeypatch):
    first = _stand(plan, snapped)
    assert first.how == "read"
    again = _stand(plan, snapped)
    assert again.how == "snapshot"
    _as_read(plan, snapped, monkeypatch, again)
    record.mark(plan, snapped, target="plan-2018", unit="区政务办", state="done", on="2018-03-01", note=None,
                evidence=[], by="经办人")
    folded = _stand(plan, snapped)
    assert folded.how == "folded"
    assert folded.pairs[("plan-2018", "区政务办")].state == "done"
    _as_read(plan, snapped, monkeypatch, folded)
    assert _stand(plan, snapped).how == "snapshot"       # the fold was kept


def _act(kind: str):
    def do(plan, home):
        if kind == "mark":
            record.mark(plan, home, target="16.1", unit="区编办", state="done", on="2017-10-01", note=None,
                        evidence=["番编〔2017〕3号"], by="经办人")
        elif kind == "attach":
            record.attach(plan, home, target="2.2", unit="区编办", note="补充", evidence=["番编〔2017〕4号"], by=None)
        elif kind in ("accept", "return"):
            record.review(plan, home, target="6.1", unit="区编办", acting=OFFICE, verdict=kind,
                          note="材料不全" if kind == "return" else None, by=None)
        elif kind == "extend":
            record.extend(plan, home, target="11.1", unit=None, acting=OFFICE, to="2019-06-30", reason="机构调整",
                          approved_by=None, by=None)
        elif kind == "waive":
            record.waive(plan, home, target="summary-2018", unit="区编办", acting=OFFICE, reason="已撤销", by=None)
        elif kind == "close":
            record.close_plan(plan, home, acting=OFFICE, on=None, note="通过验收")
        elif kind == "undo":
            record.undo(plan, home, "区法制办")
        elif kind == "back-dated":
            record.mark(plan, home, target="2.2", unit="区编办", state="doing", on="2016-12-01", note=None,
                        evidence=[], by=None)
        elif kind == "import":
            record.import_files(plan, home, [Path(home).parent.parent / "pc2"])
    return do


@pytest.mark.parametrize("kind, how", [
    ("mark", "folded"), ("attach", "folded"), ("accept", "folded"), ("return", "folded"), ("extend", "folded"),
    ("waive", "folded"), ("close", "folded"), ("undo", "read"), ("back-dated", "read"), ("import", "read")])
def test_what_was_recorded_after_the_snapshot_is_folded_in_or_read(kind, how, plan, snapped, prepared,
                                                                   monkeypatch):
    _stand(plan, snapped)
    if kind == "import":
        shutil.copytree(prepared.pc2, snapped.parent.parent / "pc2")
    _act(kind)(plan, snapped)
    got = _stand(plan, snapped)
    assert got.how == how
    _as_read(plan, snapped, monkeypatch, got)


def test_a_view_of_the_past_or_as_known_then_reads_everything(plan, snapped, monkeypatch):
    _stand(plan, snapped)
    assert _stand(plan, snapped).how == "snapshot"
    # the newest records are the office's of today: a day before them is not the snapshot's present
    got = _stand(plan, snapped, as_of=date(2018, 1, 1))
    assert got.how == "read"
    _as_read(plan, snapped, monkeypatch, got, as_of=date(2018, 1, 1))
    got = _stand(plan, snapped, known_at="2017-12-01T00:00:00+08:00")
    assert got.how == "read"
    _as_read(plan, snapped, monkeypatch, got, known_at="2017-12-01T00:00:00+08:00")
    # a clock put back before the day the snapshot was made
    assert _stand(plan, snapped, today="2017-12-31", as_of=date(2017, 12, 31)).how == "read"
    # a unit's view reads fewer files: its own snapshot, not the whole one
    assert _stand(plan, snapped, units={"区编办", OFFICE}).how == "read"
    assert _stand(plan, snapped, units={"区编办", OFFICE}).how == "snapshot"
    assert _stand(plan, snapped).how == "snapshot"


def test_a_300_mb_entry_is_refused_by_its_size_unread(plan, snapped, monkeypatch):
    from fazhi_cli import files  # noqa: PLC0415

    _stand(plan, snapped)
    (main,) = [p for p in Path(os.environ["FAZHI_CACHE_DIR"]).glob("state-*.json") if not p.name.endswith("-fold.json")]
    main.unlink()
    with open(main, "wb") as f:
        f.truncate(300 * 1024 * 1024)
    opened, asked = [], []
    real_open, real_span = files.open_regular, files.read_span

    def open_regular(path, **kw):
        opened.append(Path(path))
        return real_open(path, **kw)

    def read_span(fd, size, start=0):
        asked.append(size - start)
        return real_span(fd, size, start)

    monkeypatch.setattr(files, "open_regular", open_regular)
    monkeypatch.setattr(files, "read_span", read_span)
    got = _stand(plan, snapped)
    assert got.how == "read"
    assert main in opened                        # looked at ...
    assert all(n < 1024 * 1024 for n in asked), asked       # ... and refused by its size, unread
    _as_read(plan, snapped, monkeypatch, got)


@pytest.mark.parametrize("time_put_back", [True, False], ids=["time-put-back", "time-changed"])
def test_a_large_ledger_changed_in_place_is_read_again(time_put_back, plan, snapped, monkeypatch):
    # a file whose size or times changed is compared with the digest of every byte the snapshot read,
    # however large (it once compared sampled blocks, and a change between them went unseen)
    from fazhi_cli import ledger  # noqa: PLC0415

    path = snapped / "progress" / "区编办.jsonl"
    padding = [ledger.new_event(plan, target="16.1", unit="区编办", state=None, on="2017-10-01", by="经办人",
                                cmd=ledger.new_id(), note="进展" * 700, kind="attach") for _ in range(100)]
    claim = ledger.new_event(plan, target="7.1", unit="区编办", state="todo", on="2017-10-01", by="经办人",
                             cmd=ledger.new_id())
    lines = [ledger.encode([e]) for e in padding]
    head = path.read_bytes()
    k = len(lines) // 2                                  # the claim in the middle of a 400 KiB file
    at = len(head) + sum(map(len, lines[:k])) + ledger.encode([claim]).index(b'"state":"todo"')
    path.write_bytes(head + b"".join(lines[:k]) + ledger.encode([claim]) + b"".join(lines[k:]))
    old = time.time() - 3600
    os.utime(path, (old, old))
    _stand(plan, snapped)
    assert _stand(plan, snapped).pairs[("7.1", "区编办")].state == "todo"
    # rewritten in place, as an editor that saves over the file does (and its time put back)
    st = path.stat()
    data = path.read_bytes()
    path.write_bytes(data[:at] + b'"state":"done"' + data[at + len(b'"state":"todo"'):])
    if time_put_back:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    got = _stand(plan, snapped)
    _as_read(plan, snapped, monkeypatch, got)
