"""The parsed-plan cache is a shortcut, never a source of truth."""

from __future__ import annotations

import json
import os
import random
import tracemalloc
import zlib
from datetime import date

import pytest

from conftest import run_bounded, snapshot
from fazhi_cli import plancache, progress, render
from fazhi_cli.cache import digest
from fazhi_cli.errors import PlanError
from fazhi_cli.plan import bundled_plan_path, load_plan
from fazhi_cli.plan.build import parse_plan

POSIX = pytest.mark.skipif(os.name != "posix", reason="FIFOs, symlinks and permission bits are POSIX")


def entries(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(cache))
    return cache


def test_a_cached_plan_equals_the_parsed_one(tmp_path, monkeypatch, plan_text):
    cache = entries(monkeypatch, tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    first = load_plan(path)
    assert len(list(cache.glob("plan-*.json"))) == 1
    second = load_plan(path)
    # load_plan stamps the digest of the bytes (what a state snapshot is keyed on); parse_plan knows no file
    assert first.digest == digest(path.read_bytes())
    assert second == first == parse_plan(path.read_bytes(), str(path))._replace(digest=first.digest)


def test_an_edit_misses_the_cache(tmp_path, monkeypatch, plan_text):
    entries(monkeypatch, tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    load_plan(path)
    path.write_text(plan_text.replace('due: "2017-12-31"', 'due: "2017-11-30"', 1), encoding="utf-8")
    assert str(load_plan(path).parts["7.1"].due) == "2017-11-30"
    path.write_text(plan_text.replace("lead: [区法制办]", "lead: [区法治办]", 1), encoding="utf-8")
    with pytest.raises(PlanError):          # a broken edit is reported, not served from the cache
        load_plan(path)


def test_a_damaged_entry_is_a_miss(tmp_path, monkeypatch, plan_text):
    cache = entries(monkeypatch, tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    good = load_plan(path)
    (entry,) = cache.glob("plan-*.json")
    entry.write_text('{"format": "nonsense"', encoding="utf-8")
    assert load_plan(path) == good
    entry.write_text('{"format": "%s", "meta": []}' % plancache.FORMAT, encoding="utf-8")
    assert load_plan(path) == good


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch, plan_text):
    cache = entries(monkeypatch, tmp_path)
    monkeypatch.setenv("FAZHI_NO_CACHE", "1")
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    load_plan(path)
    assert not cache.exists()


def test_an_unwritable_cache_is_only_slower(tmp_path, monkeypatch, plan_text):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(blocker / "cache"))
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    assert load_plan(path).title == "番禺区创建珠三角法治政府示范区工作方案"


# --- integrity: an entry stands for exactly the bytes it was made from ------------

def _comment_words(data: bytes, taken: set[int]) -> list[int]:
    """Starts of 4-letter runs inside ASCII comment lines, away from ``taken``."""
    starts = []
    pos = 0
    for line in data.split(b"\n"):
        body = line.lstrip()
        if body.startswith(b"#"):
            first = pos + len(line) - len(body) + 1
            i = first
            while i + 4 <= pos + len(line):
                window = data[i:i + 4]
                if all(0x62 <= c <= 0x79 for c in window) and not taken & set(range(i - 1, i + 5)):
                    starts.append(i)
                    i += 5          # runs never touch each other
                else:
                    i += 1
        pos += len(line) + 1
    return starts


def forge_same_checksums(original: bytes, edited: bytes) -> bytes:
    """``edited`` with letters in its comments nudged until its length, CRC-32 and
    Adler-32 equal ``original``'s.

    Adler-32 is two sums: changing four neighbouring bytes by +1, -1, -1, +1
    leaves both as they were, and one pair by -d, +d shifts only the second by
    -d. CRC-32 is affine over GF(2), so which of those four-byte nudges to make
    is a small linear system.
    """
    assert len(original) == len(edited)
    buf = bytearray(edited)
    taken = {i for i in range(len(buf)) if original[i] != buf[i]}

    def sums(data: bytes) -> tuple[int, int]:
        value = zlib.adler32(data)
        return value & 0xFFFF, value >> 16

    (a0, b0), (a1, b1) = sums(original), sums(bytes(buf))
    assert a0 == a1, "the edit must keep the byte sum"
    d = (b1 - b0) % 65521
    d = d - 65521 if d > 32760 else d
    pair, *quads = _comment_words(original, taken)
    buf[pair] -= d
    buf[pair + 1] += d
    assert sums(bytes(buf)) == (a0, b0)

    base = zlib.crc32(bytes(buf))
    effects = []
    for q in quads[:96]:
        trial = bytearray(buf)
        for k, step in enumerate((1, -1, -1, 1)):
            trial[q + k] += step
        effects.append((zlib.crc32(bytes(trial)) ^ base, q))
    # Gaussian elimination over GF(2): which effects XOR to the CRC difference.
    want = base ^ zlib.crc32(original)
    rows: dict[int, tuple[int, frozenset[int]]] = {}
    for value, q in effects:
        chosen = frozenset([q])
        for bit in sorted(rows, reverse=True):
            if value >> bit & 1:
                value ^= rows[bit][0]
                chosen ^= rows[bit][1]
        if value:
            rows[value.bit_length() - 1] = (value, chosen)
    pick: frozenset[int] = frozenset()
    for bit in sorted(rows, reverse=True):
        if want >> bit & 1:
            want ^= rows[bit][0]
            pick ^= rows[bit][1]
    assert want == 0, "not enough independent nudges"
    for q in pick:
        for k, step in enumerate((1, -1, -1, 1)):
            buf[q + k] += step
    return bytes(buf)


def test_a_plan_forged_to_the_same_crc32_and_adler32_gets_its_own_entry(tmp_path, monkeypatch):
    real = bundled_plan_path()
    data = real.read_bytes()
    edited = data.replace(b'due: "2017-12-31"\n        due_source: 2017', b'due: "2071-12-31"\n        due_source: 2017', 1)
    forged_bytes = forge_same_checksums(data, edited)
    assert forged_bytes != data and len(forged_bytes) == len(data)
    assert zlib.crc32(forged_bytes) == zlib.crc32(data) and zlib.adler32(forged_bytes) == zlib.adler32(data)
    forged = tmp_path / "forged.yaml"
    forged.write_bytes(forged_bytes)

    monkeypatch.setenv("FAZHI_CACHE_DIR", str(tmp_path / "one"))
    assert load_plan(real).parts["7.1"].due == date(2017, 12, 31)
    assert load_plan(forged).parts["7.1"].due == date(2071, 12, 31)
    assert load_plan(real).parts["7.1"].due == date(2017, 12, 31)

    monkeypatch.setenv("FAZHI_CACHE_DIR", str(tmp_path / "two"))     # the other way round
    assert load_plan(forged).parts["7.1"].due == date(2071, 12, 31)
    assert load_plan(real).parts["7.1"].due == date(2017, 12, 31)
    assert load_plan(forged).parts["7.1"].due == date(2071, 12, 31)


def test_an_entry_moved_to_another_plans_name_is_a_miss(tmp_path, monkeypatch, plan_text):
    cache = entries(monkeypatch, tmp_path)
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(plan_text, encoding="utf-8")
    b.write_text(plan_text.replace('due: "2017-12-31"', 'due: "2017-11-30"', 1), encoding="utf-8")
    load_plan(a)
    (entry_a,) = cache.glob("plan-*.json")
    load_plan(b)
    (entry_b,) = set(cache.glob("plan-*.json")) - {entry_a}
    entry_b.write_bytes(entry_a.read_bytes())
    assert load_plan(b) == parse_plan(b.read_bytes(), str(b))._replace(digest=digest(b.read_bytes()))


def _mutated(entry: dict, path: tuple, value: object) -> dict:
    copy = json.loads(json.dumps(entry))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


# (path inside the entry, value put there): each breaks the shape the loader relies on
BAD_FIELDS = {
    "meta is text": (("meta",), "x"),
    "meta too short": (("meta",), []),
    "title is a number": (("meta", 0), 42),
    "target is not a date": (("meta", 5), "2017-13-45"),
    "target is null": (("meta", 5), None),
    "warn_days is text": (("meta", 7), "30"),
    "warn_days is true": (("meta", 7), True),
    "warn_days is huge": (("meta", 7), 10 ** 12),
    "warn_days is a float": (("meta", 7), 30.0),
    "sections is a mapping": (("sections",), {}),
    "section has three fields": (("sections", 0), ["一", "x", "y"]),
    "unit aliases are text": (("units", 0, 3), "abc"),
    "unit is null": (("units", 0), None),
    "group role is text": (("groups", 0, 2), "yes"),
    "group members are a mapping": (("groups", 0, 1), {"a": 1}),
    "task parts are null": (("tasks", 0, 4), None),
    "part due is impossible": (("tasks", 0, 4, 0, 4), "0000-00-00"),
    "part lead is a list of numbers": (("tasks", 0, 4, 0, 2), [1, 2]),
    "part id with a superscript": (("tasks", 0, 4, 0, 0), "1.\u00b2"),
    "obligation year is text": (("obligations", 0, 2), "2017"),
    "obligation year is far away": (("obligations", 0, 2), 99999),
    "obligation has nine fields": (("obligations", 0), ["x"] * 9),
    "names is a list": (("names",), []),
    "a name maps to a number": (("names", "区编办"), 7),
    "format is another": (("format",), "fazhi-plan-cache-0"),
}


@pytest.fixture
def cached(tmp_path, monkeypatch, plan_text):
    """A plan file, its parsed plan, and the path of its (valid) cache entry."""
    cache = entries(monkeypatch, tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    good = load_plan(path)
    (entry,) = cache.glob("plan-*.json")
    return path, good, entry


@pytest.mark.parametrize("name", BAD_FIELDS)
def test_an_entry_of_the_wrong_shape_is_a_miss(name, cached):
    path, good, entry = cached
    where, value = BAD_FIELDS[name]
    entry.write_text(json.dumps(_mutated(json.loads(entry.read_bytes()), where, value), ensure_ascii=False),
                     encoding="utf-8")
    assert load_plan(path) == good


def _nodes(doc, path=()):
    yield path
    if isinstance(doc, list):
        for i, x in enumerate(doc):
            yield from _nodes(x, path + (i,))
    elif isinstance(doc, dict):
        for k, x in doc.items():
            yield from _nodes(x, path + (k,))


def test_two_hundred_random_damages_never_break_a_command(cached, cli):
    """Any subtree of a real entry replaced by any JSON value: a miss, or a plan every view can show."""
    path, good, entry = cached
    doc = json.loads(entry.read_bytes())
    places = [p for p in _nodes(doc) if p and p[0] not in ("format", "plan_blake2b")]
    values = [None, True, 0, -1, 2017, 10 ** 30, 1.5, "", "x", "7.1", "区编办", "2017-12-31", "9999-12-31",
              "\x1b[31m", [], [""], [[]], {}, {"a": "b"}, ["区编办"], [None] * 8, ["1"] * 10]
    rng = random.Random(14)
    served = 0
    for _ in range(200):
        where = rng.choice(places)
        damaged = _mutated(doc, where, rng.choice(values))
        entry.write_text(json.dumps(damaged, ensure_ascii=False), encoding="utf-8")
        plan = load_plan(path)
        if plan != good:
            served += 1
            st = progress.status(plan, [], date(2017, 6, 30))
            progress.due_items(st, within=36600, everything=True)
            render.status_view(plan, st, st.tasks, "json")
            render.units_view(plan, "json")
            for task in plan.tasks.values():
                render.show_view(plan, task, "plain")
    assert served < 200          # most damage is caught; what passes is still a plan the views can show
    for command in (("status", "-f", "json"), ("due", "--all"), ("units",), ("show", "1")):
        result = cli(*command, "--plan", path)
        assert result.exit_code == 0, result.output


HOSTILE_ENTRIES = {
    "empty list": b"[]",
    "null": b"null",
    "a number": b"42",
    "text": b'"plan"',
    "empty mapping": b"{}",
    "empty file": b"",
    "not UTF-8": b"\xff\xfe{}",
    "deeply nested list": b"[" * 100_000,
    "deeply nested mapping": b'{"a":' * 100_000,
    "a huge number": b"1" * 5000,
    "infinity": b"Infinity",
}


@pytest.mark.parametrize("name", HOSTILE_ENTRIES)
def test_a_hostile_entry_is_a_miss(name, cached):
    path, good, entry = cached
    entry.write_bytes(HOSTILE_ENTRIES[name])
    assert load_plan(path) == good


def test_an_entry_with_a_lone_surrogate_is_a_miss(cached, cli):
    path, good, entry = cached
    entry.write_bytes(entry.read_bytes().replace(json.dumps(good.title, ensure_ascii=False).encode(),
                                                 b'"\\ud800 fake"', 1))
    assert load_plan(path) == good
    result = cli("show", "1", "--plan", path, "--format", "json")
    assert result.exit_code == 0, result.output


def test_a_100_mb_entry_is_not_read(cached):
    path, good, entry = cached
    with entry.open("r+b") as f:       # sparse: 100 MB on paper, nothing on disk
        f.truncate(100 * 1024 * 1024)
    tracemalloc.start()
    try:
        assert load_plan(path) == good
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


@POSIX
@pytest.mark.parametrize("kind", ["fifo", "symlink to /dev/zero", "symlink to a valid entry"])
def test_an_entry_that_is_not_a_regular_file_is_a_miss(kind, cached, tmp_path):
    path, good, entry = cached
    real_entry = tmp_path / "elsewhere.json"
    entry.rename(real_entry)
    if kind == "fifo":
        os.mkfifo(entry)
    elif kind == "symlink to /dev/zero":
        entry.symlink_to("/dev/zero")
    else:
        # a valid entry for this very plan, but reached through a link: refused all the same
        entry.symlink_to(real_entry)
    result = run_bounded("show", "1", "--plan", path, "--format", "json",
                         env={"FAZHI_CACHE_DIR": str(entry.parent)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == good.tasks["1"].title
    assert result.stderr == ""


# --- check reads the YAML, and the two roads give the same answers --------------------

def test_check_never_reads_the_cache_and_puts_the_truth_back(cached, cli, monkeypatch):
    path, good, entry = cached
    fake = json.loads(entry.read_bytes())
    fake["meta"][0] = "伪造的方案"
    entry.write_text(json.dumps(fake, ensure_ascii=False), encoding="utf-8")

    def refuse(*_args, **_kw):
        raise AssertionError("check consulted the cache")

    with monkeypatch.context() as m:
        m.setattr(plancache, "get", refuse)
        result = cli("check", "--plan", path, "--data-dir", path.parent / "data")
    assert result.exit_code == 0, result.output
    assert load_plan(path).title == good.title == "番禺区创建珠三角法治政府示范区工作方案"


SMALL_PLAN = """\
plan:
  title: 某区法治政府建设方案
  number: 某府办〔2020〕1号
  issuer: 某区人民政府办公室
  signed: "2020-01-02"
  target: "2021-12-31"
  target_source: 到2021年底
settings:
  early_march: "03-05"
  warn_days: 10
sections:
  - id: 一
    heading: 第一部分
units:
  - name: 甲局
    full_name: 某区甲局
    kind: department
    aliases: [甲]
  - name: 乙局
    kind: department
  - name: 丙镇
    kind: town
groups:
  - name: 各镇
    members: [丙镇]
    role: true
    note: 所有镇
tasks:
  - id: "1"
    section: 一
    title: 第一项
    text: 全文
    parts:
      - id: "1.1"
        text: 分项
        lead: [甲局, 各镇]
        support: [乙局]
        due: "2020-06-30"
        due_source: 6月底前
      - id: "1.2"
        lead: [乙局]
        due: "2021-03-31"
recurring:
  - id: summary
    title: 工作总结
    source: 每年总结
    to: 甲局
    units: 责任单位
    years: [2020, 2021]
    due: early_march
    due_year: next
  - id: report
    title: 专项报告
    part: "1.1"
    years: [2020]
    due: "12-01"
"""

SAME_ANSWERS = [
    ("status", "--format", "json", "--as-of", "{day}"),
    ("status", "--format", "csv", "--as-of", "{day}"),
    ("due", "--all", "--format", "json", "--as-of", "{day}"),
    ("show", "1", "--format", "json"),
    ("show", "1", "--format", "plain"),
    ("units", "--format", "json"),
    ("units", "--format", "csv"),
]


@pytest.mark.parametrize("which", ["bundled", "small"])
def test_every_answer_is_the_same_with_and_without_the_cache(which, tmp_path, monkeypatch, cli):
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FAZHI_HOME", str(tmp_path / "d"))
    if which == "bundled":
        path, day = bundled_plan_path(), "2017-06-30"
    else:
        path, day = tmp_path / "small.yaml", "2020-06-25"
        path.write_text(SMALL_PLAN, encoding="utf-8")
    commands = [[a.format(day=day) for a in c] + ["--plan", str(path)]
                for c in SAME_ANSWERS]
    uncached = [cli(*c, env={"FAZHI_NO_CACHE": "1"}) for c in commands]
    assert not (tmp_path / "cache").exists()
    load_plan(path)                                   # fills the cache
    with monkeypatch.context() as m:                  # and proves every answer below comes from it
        m.setattr("fazhi_cli.plan.build.parse_plan", lambda *a: pytest.fail("the cache was missed"))
        cached_runs = [cli(*c) for c in commands]
    for command, off, on in zip(commands, uncached, cached_runs):
        assert off.exit_code == on.exit_code == 0, (command, off.output, on.output)
        assert off.stdout_bytes == on.stdout_bytes, command
        assert off.stderr_bytes == on.stderr_bytes == b"", command


# --- a shared or hostile cache folder --------------------------------------------------

@POSIX
def test_a_symlink_planted_at_the_old_temporary_name_is_not_followed(cached, tmp_path):
    path, good, entry = cached
    outside = tmp_path / "someone-elses-ledger.jsonl"
    outside.write_bytes(b'{"precious": true}\n')
    entry.unlink()
    planted = entry.with_suffix(f".{os.getpid()}.tmp")
    planted.symlink_to(outside)
    assert load_plan(path) == good
    assert outside.read_bytes() == b'{"precious": true}\n'
    assert entry.is_file() and not entry.is_symlink()
    assert load_plan(path) == good


@POSIX
def test_a_temporary_name_that_was_guessed_is_not_followed(cached, tmp_path, monkeypatch):
    path, good, entry = cached
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep me\n")
    entry.unlink()
    # The writer names its temporary file with os.urandom; make that known and
    # plant a link at the name it will pick: the exclusive create must refuse it.
    monkeypatch.setattr(os, "urandom", lambda n: b"\x00" * n)
    planted = entry.parent / f".{entry.name}.{'00' * 8}.tmp"
    planted.symlink_to(outside)
    assert load_plan(path) == good
    assert outside.read_bytes() == b"keep me\n"
    assert planted.is_symlink()
    assert not entry.exists() or not entry.is_symlink()


@POSIX
@pytest.mark.parametrize("how", ["writable by others", "writable by the group", "owned by someone else"])
def test_a_cache_folder_others_can_write_is_neither_read_nor_written(how, cached, monkeypatch):
    path, good, entry = cached
    folder = entry.parent
    fake = json.loads(entry.read_bytes())
    fake["meta"][0] = "伪造的方案"
    entry.write_text(json.dumps(fake, ensure_ascii=False), encoding="utf-8")
    if how == "writable by others":
        folder.chmod(0o777)
    elif how == "writable by the group":
        folder.chmod(0o770)
    elif os.geteuid() == 0:
        os.chown(folder, 65534, 65534)
    else:
        real = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: real + 1)
    before = snapshot(folder)
    other = path.with_name("other.yaml")
    other.write_bytes(path.read_bytes() + b"\n# another plan\n")
    assert load_plan(path).title == good.title        # the planted entry is not read
    load_plan(other)                                  # and nothing is written there
    assert snapshot(folder) == before


def test_a_new_cache_folder_is_private(tmp_path, monkeypatch, plan_text):
    folder = tmp_path / "new" / "cache"
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(folder))
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    load_plan(path)
    (entry,) = folder.iterdir()                 # the entry, and no temporary file left behind
    assert entry.name.startswith("plan-") and entry.suffix == ".json"
    if os.name == "posix":
        assert folder.stat().st_mode & 0o777 == 0o700


@POSIX
def test_check_says_why_a_shared_cache_folder_is_not_used(cached, cli):
    path, good, entry = cached
    entry.parent.chmod(0o777)
    result = cli("check", "--plan", path, "--data-dir", path.parent / "data")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("注意：缓存文件夹") and str(entry.parent) in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert cli("status", "--plan", path, "--data-dir", path.parent / "data").stderr == ""
