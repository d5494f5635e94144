"""A catalogue of hostile inputs, each driven through the real command line.

Six families, one file each beside this one: ledgers for `fazhi import`
(test_ledgers.py), plan files (test_plan_files.py), plan-cache entries
(test_plan_cache.py), command-line arguments (test_arguments.py), odd
file types in the data folder (test_file_types.py) and signatures and key
acts (test_signatures.py). Every input starts from
the same realistic data folder (marks by two units, one with a file copied
as evidence) and the promise checked is the one in the README. A seventh,
state-snapshot entries, has its own data folder and runner, beside the
snapshot's own tests (tests/test_snapshot_hostile.py).

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

The families that concern records run twice: on the data folder as it was
before signatures, and on the same folder signed (README "Signatures"): the
office has registered its own key and 区编办's, every record is signed, and
the PC the cases run on holds both keys. A record a case mails is signed
again with its unit's key, so that the record's own checks, not a stale
signature, are what refuses it; the attacks on signatures themselves are a
family of their own (test_signatures.py).

This module is the families' shared machinery, not a test file: the cases
(Call, Case, `case`), the data folder every case starts from (Prepared, the
`prepared` fixture, made once per file that asks for it, and Ctx), and the
runner and the judge (`run`, `tree`, `inert`, `refused`, `judge`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import snapshot
from fazhi_cli import ledger, plancache, record
from fazhi_cli.cache import digest
from fazhi_cli.keys import crypto, store
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

# what the writing commands run: the file-type family's writers, and the Notepad ledger's mark
WRITERS = {"mark": ["mark", "7", "-u", "区法制办", "--on", "2017-12-01"], "undo": ["undo", "-u", "区法制办"],
           "attach": ["attach", "7", "-u", "区法制办", "-m", "补充"]}


def edited(old: str, new: str) -> str:
    """The bundled plan with one piece of text replaced (the plan, cache and snapshot families' other plans)."""
    assert old in PLAN_TEXT, old
    return PLAN_TEXT.replace(old, new, 1)


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
    keys: Path | None = None         # the signed variant: this PC's key folder (the office's key and 区编办's)
    signers: dict = field(default_factory=dict)     # unit -> (fingerprint, private key), to sign what cases mail

    @property
    def signed(self) -> bool:
        return self.keys is not None


SIGNING_UNITS = ("区法制办", "区编办")


def entry_name() -> str:
    # as plancache names the entry of the bundled plan: the BLAKE2b-256 of its bytes
    return f"plan-{plancache.FORMAT}-{digest(bundled_plan_path().read_bytes())}.json"


def records_of(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().split(b"\n") if x.strip()]


def prepare(plan, tmp_path_factory, signed: bool = False) -> Prepared:
    """The data folder every case starts from: each file's `prepared` fixture makes it once (``signed``: the
    variant where the office and 区编办 have registered keys and every record is signed)."""
    top = tmp_path_factory.mktemp("hostile-signed" if signed else "hostile")
    base, pc2 = top / "base", top / "pc2"
    files = top / "files"
    files.mkdir()
    (files / "清理结果.pdf").write_bytes(b"%PDF-1.4 cleaned up\n")
    (files / "权责清单.pdf").write_bytes(b"%PDF-1.4 list of powers\n")
    keys = top / "keys"
    keys.mkdir(mode=0o700)

    def mark(root, target, unit, on, state="done", note=None, evidence=()):
        record.mark(plan, root, target=target, unit=unit, state=state, on=on, note=note,
                    evidence=list(evidence), by="经办人")

    signers = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FAZHI_KEYS", str(keys))      # empty in the unsigned variant: nothing is signed
        if signed:
            for unit in SIGNING_UNITS:          # the office's first: trusted on first use
                made = store.create(unit, None)
                record.key_act(plan, base, unit=unit, value=made.public, acting="区法制办", revoke=False, by="督办员")
                signers[unit] = (made.fingerprint, crypto.load_private(made.path.read_bytes(), None))
        mark(base, "7.1", "区法制办", "2017-11-30", evidence=[str(files / "清理结果.pdf"), "番府办〔2017〕12号"])
        mark(base, "11.1", "区法制办", "2017-12-05", state="doing", note="已起草")
        mark(base, "2.2", "区编办", "2016-12-20")
        mark(pc2, "2.2", "区编办", "2016-12-21", evidence=[str(files / "权责清单.pdf")])
        mark(pc2, "16.1", "区编办", "2017-03-01", state="doing", note="进行中")
    theirs, plain = records_of(pc2 / "progress" / "区编办.jsonl")
    assert signed == ("sig" in plain)
    cache = top / "cache"
    cache.mkdir(mode=0o700)
    # warm: every case reads the bundled plan from here, and the cache cases copy its entry
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FAZHI_CACHE_DIR", str(cache))
        load_plan(bundled_plan_path())
    assert (cache / entry_name()).is_file()
    ours = next(x for x in records_of(base / "progress" / "区法制办.jsonl") if x["type"] == "mark")
    return Prepared(base, pc2, ours, theirs, plain, (files / "权责清单.pdf").read_bytes(), cache,
                    keys if signed else None, signers)


class Variants:
    """Both data folders of a family (unsigned and signed), each made the first time a case asks for it."""

    def __init__(self, plan, tmp_path_factory) -> None:
        self._made: dict[bool, Prepared] = {}
        self._args = (plan, tmp_path_factory)

    def __getitem__(self, signed: bool) -> Prepared:
        if signed not in self._made:
            self._made[signed] = prepare(*self._args, signed=signed)
        return self._made[signed]


def signed_again(p: Prepared, rec):
    """A record as its unit's clerk would sign it (the signed variant), else as it is: a record a case changed is
    then refused for what it says, not for a signature that no longer matches."""
    unit = rec.get("unit") if type(rec) is dict else None
    if type(unit) is not str or unit not in p.signers:
        return rec
    fp, private = p.signers[unit]
    body = {k: v for k, v in rec.items() if k != "sig"}
    try:
        return {**body, "sig": {"key": fp, "ed25519": crypto.sign(private, ledger.signing_bytes(body))}}
    except (TypeError, ValueError):     # a value JSON cannot spell: the record is refused for it, signed or not
        return rec


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
        if prepared.signed:
            self.env["FAZHI_KEYS"] = str(prepared.keys)

    def pc2(self) -> Path:
        target = self.root / "pc2"
        if not target.exists():
            shutil.copytree(self.p.pc2, target, symlinks=True)
        return target

    def mailed(self, name: str, *lines: dict | bytes | str) -> Path:
        """A file of records, each signed again by its unit in the signed variant (``signed_again``)."""
        path = self.mail / name
        path.write_bytes(b"".join(to_bytes(self.sign(x)) + b"\n" for x in lines))
        return path

    def sign(self, rec):
        return signed_again(self.p, rec)

    def mailed_as_is(self, name: str, *lines: dict | bytes | str) -> Path:
        """A file of records exactly as given, signatures and all."""
        path = self.mail / name
        path.write_bytes(b"".join(to_bytes(x) + b"\n" for x in lines))
        return path

    def file(self, name: str, data: bytes | str = b"x") -> Path:
        path = self.root / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def plan(self, text: str | bytes, name: str = "plan.yaml") -> Path:
        return self.file(name, text)

    def ledger(self, unit: str = "区法制办") -> Path:
        return self.home / "progress" / f"{unit}.jsonl"


def to_bytes(x: dict | bytes | str) -> bytes:
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


def run(cli, ctx: Ctx, call: Call) -> Outcome:
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


def cases_of(family: str, signed: bool | Callable[[Case], bool] = False) -> list:
    """One family's cases, as the parameters of its file's test: (case, False) for each, and (case, True) for
    those that run on the signed data folder too (``signed``: all of them, or those it says yes to)."""
    skip = pytest.mark.skipif(True, reason="FIFOs, links and devices are POSIX")
    out = []
    for c in CASES:
        if c.family != family:
            continue
        marks = [skip] if c.posix and not POSIX else []
        out.append(pytest.param(c, False, id=f"{c.family}-{c.name}", marks=marks))
        if signed is True or (callable(signed) and signed(c)):
            out.append(pytest.param(c, True, id=f"{c.family}-{c.name}-signed", marks=marks))
    return out


def judge(c: Case, cli, prepared: Prepared, tmp_path: Path) -> None:
    """One case through the CLI, judged by what it expects: refused, a miss or inert."""
    ctx = Ctx(tmp_path / "case", prepared)
    todo = c.build(ctx)
    if c.expect == "miss":
        _a_miss(c, cli, ctx, todo)
        return
    before = tree(ctx.root)
    first, *views = todo
    out = run(cli, ctx, first)
    where = f"{c.family}-{c.name}: {first.args}"
    if c.expect == "refused":
        refused(where, out)
        assert tree(ctx.root) == before, f"{where}: the folder changed"
        return
    inert(where, out)
    assert out.code == 0, (where, out.stdout, out.stderr)
    for view in views:
        out = run(cli, ctx, view)
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
            truth = run(cli, ctx, Call(call.args, {**call.env, "FAZHI_NO_CACHE": "1"}))
            assert truth.code == 0, truth.stderr
            _TRUTH[key] = (truth.code, truth.stdout, truth.stderr)
        out = run(cli, ctx, call)
        assert (out.code, out.stdout, out.stderr) == _TRUTH[key], (c.name, call.args)
    assert tree(ctx.root) == before
