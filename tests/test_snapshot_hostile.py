"""Hostile state snapshots: a damaged, forged or hostile entry is a silent miss.

The sixth family of the catalogue of hostile inputs (tests/hostile/catalogue.py),
with its own data folder and runner, beside the snapshot's own tests.

`status` and `due` keep the replayed record in the cache folder (snapshot.py):
per (progress folder, plan bytes, units read) a main part and a fold part.
Each case starts from a realistic data folder (marks by four units, with
evidence, an undo, and 区法制办's reviews, extensions and a waiver), makes the
snapshots of the whole view and of one unit's view, then damages an entry or
the ledger and asks the four questions again. The answer, exit code and
stderr must be those with FAZHI_NO_SNAPSHOT=1, the data folder unchanged, no
temporary file left in the cache folder; and the spy on snapshot.standing
says whether the entry was used ("snapshot", "folded") or refused ("read"),
so a case whose damage went unnoticed fails even where the answer is alike.
Then which way standing went (a hit, a fold or a read) when each is due.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import pytest
import typer.main
import typer.testing

from conftest import Run
from fazhi_cli import record
from fazhi_cli import snapshot as snapshot_mod
from fazhi_cli.keys import store
from hostile.catalogue import (ALM, C1, ESC, OSC52, POSIX, ROOT_USER, Call, Prepared, Variants, edited, entry_name,
                               records_of, run, tree)

OFFICE = "区法制办"
SNAP_UNIT = "区编办"
SNAP_QUESTIONS = (("status",), ("status", "--unit", SNAP_UNIT), ("due", "--all"), ("status", "--format", "json"))


def pytest_generate_tests(metafunc):
    # the family is built below, after the test that runs it; the cases that change the ledger (or fold a mark
    # in) run on the signed data folder too: its lines carry a signature the snapshot must keep and fold as any
    if "s" in metafunc.fixturenames:
        metafunc.parametrize("s,signed", [
            pytest.param(s, signed, id=s.name + ("-signed" if signed else ""), marks=pytest.mark.skipif(
                s.posix and not POSIX, reason="modes, links and FIFOs are POSIX"))
            for s in SNAP_CASES for signed in (False, True) if not signed or s.fold or s.ledger is not None])


def _unit_view(question: tuple) -> bool:
    return "--unit" in question


class SnapBase:
    """The snapshot family's data folder, unsigned or signed (each made once, when first asked for), and the key
    folder of the PC it is on: in the signed one, the office's and 区编办's keys of the catalogue's signed folder
    (so that its pc2 imports) and keys of 区市场监管局 and 区政务办, all four registered by the office."""

    def __init__(self, plan, variants: Variants, tmp_path_factory) -> None:
        self._args = (plan, variants, tmp_path_factory)
        self._made: dict[bool, tuple[Path, Path]] = {}

    def __getitem__(self, signed: bool) -> tuple[Path, Path]:
        if signed not in self._made:
            self._made[signed] = _make_snapbase(*self._args, signed)
        return self._made[signed]


@pytest.fixture(scope="module")
def snapbases(plan, variants, tmp_path_factory) -> SnapBase:
    return SnapBase(plan, variants, tmp_path_factory)


def _make_snapbase(plan, variants: Variants, tmp_path_factory, signed: bool) -> tuple[Path, Path]:
    top = tmp_path_factory.mktemp("snapbase-signed" if signed else "snapbase")
    base = top / "data"
    proof = top / "清理结果.pdf"
    proof.write_bytes(b"%PDF-1.4 cleaned up\n")
    keys = top / "keys"
    if signed:
        shutil.copytree(variants[True].keys, keys)
    else:
        keys.mkdir()
    os.chmod(keys, 0o700)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FAZHI_KEYS", str(keys))
        if signed:
            for unit in ("区市场监管局", "区政务办"):
                store.create(unit, None)
            for key in sorted(store.local_keys(), key=lambda k: k.unit != OFFICE):    # the office's first
                record.key_act(plan, base, unit=key.unit, value=key.public, acting=OFFICE, revoke=False, by="督办员")
        _fill(plan, base, proof)
    # written an hour ago: a snapshot then trusts unchanged times instead of comparing bytes every run
    old = time.time() - 3600
    for path in (base / "progress").iterdir():
        os.utime(path, (old, old))
    return base, keys


def _fill(plan, base: Path, proof: Path) -> None:
    """Marks by four units, with evidence, an undo, and 区法制办's reviews, extensions and a waiver."""
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


class SnapCtx:
    """One case: a copy of the data folder, its own private cache folder, and the snapshots made in it."""

    def __init__(self, tmp_path: Path, base: tuple[Path, Path], prepared: Prepared, cli) -> None:
        self.root = tmp_path / "case"
        self.home = self.root / "data"
        shutil.copytree(base[0], self.home, symlinks=True)
        self.cache = tmp_path / "cache"           # outside the folder compared byte for byte
        self.cache.mkdir(mode=0o700)
        shutil.copy2(prepared.cache / entry_name(), self.cache)     # the plan, warm
        self.env = {"FAZHI_HOME": str(self.home), "FAZHI_CACHE_DIR": str(self.cache), "FAZHI_KEYS": str(base[1])}
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
def snapshared(prepared, snapbases, tmp_path_factory) -> dict[tuple[bool, bool], SnapCtx]:
    """The data folders that cases which damage only an entry share, by (signed, fold): as the snapshots were
    made, and with a mark appended since (fold), so that the next view folds it in and reads the fold part."""
    out: dict[tuple[bool, bool], SnapCtx] = {}

    class Shared:
        def __getitem__(self, which: tuple[bool, bool]) -> SnapCtx:
            if which not in out:
                with pytest.MonkeyPatch.context() as mp:
                    mp.setattr(typer.testing, "_get_command", _built_once)
                    out[which] = SnapCtx(tmp_path_factory.mktemp("snapshared"), snapbases[which[0]], prepared, Run())
                    if which[1]:
                        _appended(out[which])
            return out[which]
    return Shared()


def test_a_hostile_snapshot_is_a_silent_miss(s: SnapCase, signed: bool, cli, prepared, snapbases, snapshared, tmp_path,
                                             monkeypatch):
    if s.root_only and not ROOT_USER:
        pytest.skip("only root can give a folder to another user")
    monkeypatch.setattr(typer.testing, "_get_command", _built_once)
    alone = s.ledger or s.prepare or s.after
    # a case that damages only an entry shares a data folder and its snapshots with the others
    ctx = SnapCtx(tmp_path, snapbases[signed], prepared, cli) if alone else snapshared[signed, s.fold]
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
            truth = run(cli, ctx, Call(list(q), {"FAZHI_NO_SNAPSHOT": "1"}))
            assert truth.code == 0, (where, truth.stderr)
            ctx.truths[q] = truth
        truth = ctx.truths[q]
        del seen[:]
        out = run(cli, ctx, Call(list(q), process=s.process))
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
            other.write_text(edited('due: "2017-12-31"', 'due: "2071-12-31"'), encoding="utf-8")
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
        marks = [x for x in records_of(path) if x["type"] == "mark"]
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
    "an-undo": (_cli("undo", "-u", "区政务办"), "folded"),      # the pair it takes back is replayed alone
    "a-back-dated-mark": (_cli("mark", "2.2", "-u", "区编办", "--on", "2016-12-01", "--state", "doing"), "folded"),
    # an import's lines fold as any other: the pairs they touch out of order are replayed alone (issue 25, item 1)
    "an-import": (lambda ctx: _cli("import", str(ctx.p.pc2))(ctx), "folded"),
    "a-record-received-later": (_ledger_change(_appended_record(part="16.1", on="2017-10-01", state="done",
                                                                recorded_at="2017-10-01T10:00:00+08:00",
                                                                received_at=ledger_now())), "folded"),
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

@pytest.fixture(params=[False, True], ids=["unsigned", "signed"])
def signed_snap(request) -> bool:
    return request.param


@pytest.fixture
def snapped(snapbases, signed_snap, tmp_path, monkeypatch) -> Path:
    """A copy of the data folder (unsigned, and signed with this PC's keys), and a private cache folder for its
    snapshots."""
    base, keys = snapbases[signed_snap]
    home = tmp_path / "data"
    shutil.copytree(base, home, symlinks=True)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(cache))
    monkeypatch.setenv("FAZHI_KEYS", str(keys))
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
            record.import_files(plan, home, [Path(home).parent / "pc2"])
    return do


@pytest.mark.parametrize("kind, how", [
    ("mark", "folded"), ("attach", "folded"), ("accept", "folded"), ("return", "folded"), ("extend", "folded"),
    ("waive", "folded"), ("close", "folded"), ("undo", "folded"), ("back-dated", "folded"), ("import", "folded")])
def test_what_was_recorded_after_the_snapshot_is_folded_in_or_read(kind, how, plan, snapped, signed_snap, variants,
                                                                   monkeypatch):
    _stand(plan, snapped)
    if kind == "import":
        shutil.copytree(variants[signed_snap].pc2, snapped.parent / "pc2")
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
