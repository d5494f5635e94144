"""The state snapshot is only a shortcut: every view says the same, byte for byte, with it and without it.

Issue 15: `status` and `due` keep the replayed state in the cache folder (`state-*.json` beside the
plan cache), fold appended lines in on the next run and replay everything on anything unusual.
`FAZHI_NO_SNAPSHOT=1` turns only the snapshot off, so each view is run twice against the same data
folder and the same persistent cache folder, and the two answers must be the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, currently_in_test_context, given, note, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fazhi_cli import dates, ledger
from fazhi_cli.cli import app
from fazhi_cli.dates import CHINA
from fazhi_cli.plan import bundled_plan_path, load_plan

OFFICE = "区法制办"                                  # the bundled plan's supervising unit
UNITS = (OFFICE, "区编办", "区公安局", "石楼镇")      # 石楼镇 holds its parts as a member of 各镇、街
TARGETS = ("6", "6.1", "7.1", "2.2", "1.1", "11.2", "plan-2017", "summary-2016", "summary-2017", "report-2017")
OTHER_PLAN = "番府办〔2019〕5号"

# Every view the snapshot may answer; each also runs with a drawn --as-of / --known-at.
VIEWS = (
    ("status", "-f", "json"),
    ("status", "--parts", "-f", "csv"),           # its JSON is the plain one's, byte for byte
    ("status", "--unit", "区编办", "-f", "json"),
    ("status", "--unit", OFFICE, "-f", "json"),
    ("status", "--unit", "石楼镇", "-f", "json"),
    ("status", "--task", "6", "-f", "json"),
    ("status", "--task", "plan-2017", "-f", "json"),
    ("status", "--duties", "-f", "json"),
    ("due", "--all", "-f", "json"),
    ("due", "--unit", "区编办", "-f", "json"),
    ("due", "--unit", OFFICE, "--all", "-f", "json"),
    ("status", "-f", "plain"),
    ("units", "--record", "-f", "json"),          # the units' record (issue 25): the standing status has
    ("units", "--record", "--year", "2017", "-f", "csv"),
)
# Views that read every record whatever the snapshot holds (the reports of the clock's year); compared at the end
# of every history all the same, so that the day they take a shortcut they are already held to the same bytes.
READ_ALL = (("report",), ("report", "--unit", "区编办"))
# The record's history: every record, in any order, never from the snapshot; compared after the steps that
# change what a fold takes in (undos, back-dated marks, imports, syncs), and at the end.
LOGS = (("log", "--all-units", "-f", "json"), ("log", "--unit", "区编办", "-f", "json"))


class Clock:
    """The recording clock (dates.now): moves forward only, never past the real today."""

    def __init__(self, start: str = "2016-12-01T09:00") -> None:
        self.moment = datetime.fromisoformat(start).replace(tzinfo=CHINA)

    def advance(self, days: int, hours: int = 0) -> None:
        self.moment += timedelta(days=days, hours=hours)

    @property
    def day(self) -> date:
        return self.moment.date()

    def __call__(self, clock=None):
        self.moment += timedelta(microseconds=1)     # two records never share a moment
        return self.moment


class Folder:
    """One data folder (`home`), a second PC's (`other`) whose files get imported, one cache folder."""

    def __init__(self, base: Path) -> None:
        self.home, self.other, self.cache = base / "data", base / "other", base / "cache"
        self.peer, self.remote = base / "peer", base / "share" / "fazhi.git"    # a third PC, syncing with home
        self.cache.mkdir(mode=0o700)
        self.runner = CliRunner()

    def fazhi(self, *args, home: Path | None = None, snapshot: bool = True):
        env = {"FAZHI_HOME": str(home or self.home), "FAZHI_CACHE_DIR": str(self.cache), "FAZHI_NO_CACHE": None,
               "FAZHI_NO_SNAPSHOT": None if snapshot else "1", "FAZHI_UNIT": None, "FAZHI_LANG": None}
        result = self.runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def act(self, *args, home: Path | None = None, codes: tuple[int, ...] = (0, 2)) -> None:
        """A writing command: it is done, or refused for a reason a user could have (exit 2), never a crash."""
        result = self.fazhi(*args, home=home)
        say(f"  fazhi {' '.join(map(str, args))} -> {result.exit_code}")
        assert result.exit_code in codes, (args, result.output)
        assert "Traceback" not in result.output

    def view(self, *args) -> dict:
        """A JSON view with the snapshot on, decoded."""
        result = self.fazhi(*args, "-f", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def files(self, home: Path | None = None) -> list[Path]:
        folder = (home or self.home) / "progress"
        return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []

    def records(self) -> list[dict]:
        out = []
        for path in self.files():
            for raw in path.read_bytes().split(b"\n"):
                try:
                    obj = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    out.append(obj)
        return out

    def entries(self) -> dict[str, bytes]:
        """The snapshot's entries in the cache folder, with their bytes."""
        return {str(p.relative_to(self.cache)): p.read_bytes() for p in sorted(self.cache.rglob("state-*.json"))}


def say(text: str) -> None:
    """Written under a failing example's history; the plain tests below have none."""
    if currently_in_test_context():
        note(text)


def _first_difference(a: bytes, b: bytes) -> str:
    la, lb = a.decode("utf-8", "replace").splitlines(), b.decode("utf-8", "replace").splitlines()
    for n, (x, y) in enumerate(zip(la, lb), 1):
        if x != y:
            return f"line {n}:\n  with snapshot:    {x[:300]}\n  without snapshot: {y[:300]}"
    return f"lengths differ: {len(la)} lines with the snapshot, {len(lb)} without"


def same_view(f: Folder, args: tuple) -> None:
    on = f.fazhi(*args)                    # first: the snapshot is read, folded or rebuilt
    off = f.fazhi(*args, snapshot=False)
    assert off.exit_code == 0, (args, off.output)
    same = (on.exit_code, on.stdout_bytes, on.stderr_bytes) == (off.exit_code, off.stdout_bytes, off.stderr_bytes)
    if not same:
        if on.exit_code != off.exit_code or on.stderr_bytes != off.stderr_bytes:
            why = f"exit {on.exit_code} / {off.exit_code}, stderr {on.stderr!r} / {off.stderr!r}"
        else:
            why = _first_difference(on.stdout_bytes, off.stdout_bytes)
        raise AssertionError(f"fazhi {' '.join(args)} differs with the snapshot: {why}")


# --- drawing the history -----------------------------------------------------------

def _pairs(plan) -> list[tuple[str, str]]:
    return [(target, unit) for target in TARGETS for unit in UNITS
            if any(plan.role_of(x, unit) for x in plan.targets(target))]


def _day_before(data, clock: Clock, plan) -> str:
    back = data.draw(st.integers(0, 400), label="days back")
    return max(clock.day - timedelta(days=back), plan.start).isoformat()


def _moments(f: Folder) -> list[str]:
    return sorted({m for r in f.records() for m in (r.get("recorded_at"), r.get("received_at")) if isinstance(m, str)})


def _newest_on(f: Folder) -> date | None:
    days = []
    for r in f.records():
        try:
            days.append(date.fromisoformat(r.get("on", "")))
        except (TypeError, ValueError):
            pass
    return max(days, default=None)


def _when(data, plan, f: Folder, clock: Clock) -> list[str]:
    """--as-of and --known-at for one view: often none, else around the newest record."""
    out: list[str] = []
    newest = _newest_on(f) or clock.day
    as_of = data.draw(st.sampled_from(["none", "none", "none", "newest", "before", "after", "clock", "early", "late"]),
                      label="as-of")
    if as_of != "none":
        shift = data.draw(st.integers(1, 200), label="shift")
        day = {"newest": newest, "before": newest - timedelta(days=shift), "after": newest + timedelta(days=shift),
               "clock": clock.day, "early": date(2016, 9, 1), "late": date(2019, 6, 30)}[as_of]
        out += ["--as-of", day.isoformat()]
    known = data.draw(st.sampled_from(["none", "none", "none", "none", "record", "day", "now"]), label="known-at")
    moments = _moments(f)
    if known == "record" and moments:      # exactly a record's moment: the boundary
        out += ["--known-at", data.draw(st.sampled_from(moments), label="moment")]
    elif known == "day":
        out += ["--known-at", _day_before(data, clock, plan)]
    elif known == "now":
        out += ["--known-at", clock.moment.isoformat()]
    return out


def _edit_in_place(data, path: Path) -> None:
    """Rewrite bytes in the middle of a file, same size (done <-> todo, or a digit of a day), maybe the old mtime."""
    raw = path.read_bytes()
    before = os.stat(path)
    lines = raw.split(b"\n")
    marks = [i for i, x in enumerate(lines) if b'"state":"' in x]     # where a change shows in the views
    n = data.draw(st.sampled_from(marks or [i for i, x in enumerate(lines) if x] or [0]), label="line")
    line = lines[n]
    if b'"state":"done"' in line:
        line = line.replace(b'"state":"done"', b'"state":"todo"')
    elif b'"state":"todo"' in line:
        line = line.replace(b'"state":"todo"', b'"state":"done"')
    elif b'"on":"' in line:
        i = line.index(b'"on":"') + len(b'"on":"') + 9          # the last digit of the day
        line = line[:i] + (b"1" if line[i:i + 1] != b"1" else b"2") + line[i + 1:]
    elif line:
        i = data.draw(st.integers(0, len(line) - 1), label="byte")
        line = line[:i] + (b"x" if line[i:i + 1] != b"x" else b"y") + line[i + 1:]
    lines[n] = line
    changed = b"\n".join(lines)
    assert len(changed) == len(raw)
    with open(path, "r+b") as fh:                                # the same file, not a new one
        fh.write(changed)
    if data.draw(st.booleans(), label="keep mtime"):
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _append(path: Path, line: bytes) -> None:
    raw = path.read_bytes()
    with open(path, "ab") as fh:
        fh.write((b"" if not raw or raw.endswith(b"\n") else b"\n") + line + b"\n")


def _good_lines(path: Path) -> list[bytes]:
    out = []
    for raw in path.read_bytes().split(b"\n"):
        try:
            if isinstance(json.loads(raw), dict):
                out.append(raw)
        except ValueError:
            pass
    return out


STEPS = ["mark", "mark", "mark", "mark", "attach", "undo", "undo", "back-dated", "back-dated", "review", "extend",
         "waive", "close", "reopen", "remind", "import", "import", "sync", "duplicate", "duplicate-other", "torn",
         "other-plan", "copy", "truncate", "edit", "edit"]
# The steps whose lines a fold takes in without reading everything (issue 25, item 1); after them the views that
# always read everything are compared too.
FOLDED = {"undo", "back-dated", "import", "sync"}


def step(data, plan, f: Folder, clock: Clock, pairs: list[tuple[str, str]]) -> str:
    """One drawn change to the data folder; its kind."""
    clock.advance(data.draw(st.integers(0, 45), label="days on"), data.draw(st.integers(0, 9), label="hours on"))
    kind = data.draw(st.sampled_from(STEPS), label="step")
    say(f"{clock.moment.isoformat()} {kind}")
    target, unit = data.draw(st.sampled_from(pairs), label="pair")
    if kind == "mark":
        args = ["mark", target, "--unit", unit, "--state", data.draw(st.sampled_from(["done", "done", "doing", "todo"]))]
        if data.draw(st.booleans(), label="back-dated"):
            args += ["--on", _day_before(data, clock, plan)]
        if data.draw(st.booleans(), label="evidence"):
            args += ["--evidence", f"番府办〔{clock.day.year}〕{data.draw(st.integers(1, 99))}号"]
        if data.draw(st.booleans(), label="note"):
            args += ["--note", data.draw(st.sampled_from(["已起草清理方案", "报送区政府", "含\"引号\"与\\斜杠"]))]
        f.act(*args)
    elif kind == "attach":
        f.act("attach", target, "--unit", unit, "--ref", "清理结果.pdf", "--note", "补充材料")
    elif kind == "back-dated":
        # dated before the pair's newest mark (when it has one), recorded now: out of the pair's order
        days = [r["on"] for r in f.records() if r.get("type", "mark") == "mark" and r.get("unit") == unit
                and r.get("part") == target and isinstance(r.get("on"), str)]
        newest = max((date.fromisoformat(d) for d in days), default=clock.day)
        back = data.draw(st.integers(0, 200), label="days before the newest")
        on = max(newest - timedelta(days=back), plan.start).isoformat()
        state = data.draw(st.sampled_from(["done", "doing", "todo"]), label="state")
        f.act("mark", target, "--unit", unit, "--state", state, "--on", on)
    elif kind == "undo":
        f.act("undo", "--unit", data.draw(st.sampled_from(UNITS), label="unit"))
    elif kind == "sync":
        # the peer records something (or nothing), syncs, and home syncs: home's files grow by the peer's lines
        for _ in range(data.draw(st.integers(0, 2), label="marks on the peer")):
            peer_target, peer_unit = data.draw(st.sampled_from(pairs), label="pair on the peer")
            f.act("mark", peer_target, "--unit", peer_unit, "--on", _day_before(data, clock, plan), home=f.peer)
        if data.draw(st.booleans(), label="peer undoes"):
            f.act("undo", "--unit", data.draw(st.sampled_from(UNITS), label="unit on the peer"), home=f.peer,
                  codes=(0, 1, 2))
        if not f.remote.exists():
            f.remote.parent.mkdir(exist_ok=True)
            f.act("sync", "--init-remote", f.remote, home=f.peer, codes=(0,))
        else:
            f.act("sync", f.remote, home=f.peer, codes=(0,))
        f.act("sync", f.remote, codes=(0, 1))        # 1: a line home holds that the remote refuses (an edit)
    elif kind == "review":
        verdict = data.draw(st.sampled_from(["--accept", "--return"]), label="verdict")
        f.act("review", target, "--unit", unit, verdict, "--note", "材料不全", "--as", OFFICE)
    elif kind == "extend":
        due = max(x.due for x in plan.targets(target))
        to = due + timedelta(days=data.draw(st.integers(1, 300), label="days extended"))
        scope = ["--unit", unit] if data.draw(st.booleans(), label="one unit") else []
        f.act("extend", target, "--to", to.isoformat(), "--reason", "机构调整", *scope, "--as", OFFICE)
    elif kind == "waive":
        scope = ["--unit", unit] if data.draw(st.booleans(), label="one unit") else []
        f.act("waive", target, "--reason", "该项工作已由上级统一部署", *scope, "--as", OFFICE)
    elif kind == "close":
        on = ["--on", _day_before(data, clock, plan)] if data.draw(st.booleans(), label="back-dated") else []
        f.act("close", *on, "--note", "创建工作已通过验收", "--as", OFFICE)
    elif kind == "reopen":
        f.act("reopen", "--note", "补记", "--as", OFFICE)
    elif kind == "remind":
        f.act("remind", "--as-of", clock.day.isoformat(), "--format", "json", "--as", OFFICE)
    elif kind == "import":
        # the second PC records something (or nothing: the same ledger comes twice), then its file is imported
        for _ in range(data.draw(st.integers(0 if f.files(f.other) else 1, 2), label="marks there")):
            there_target, there_unit = data.draw(st.sampled_from(pairs), label="pair there")
            f.act("mark", there_target, "--unit", there_unit, "--on", _day_before(data, clock, plan), home=f.other)
        sent = data.draw(st.sampled_from(f.files(f.other)), label="file")
        # 1: an edit step changed a line here that the file brings again (the same id, other bytes): refused whole
        f.act("import", sent, codes=(0, 1, 2))
    else:
        files = f.files()
        if not files:
            say("  (no ledger file yet)")
            return kind
        path = data.draw(st.sampled_from(files), label="file")
        good = _good_lines(path)
        if kind == "duplicate" and good:                 # a raw copy of a line: the same id, counted once
            _append(path, data.draw(st.sampled_from(good), label="line"))
        elif kind == "duplicate-other" and good:         # the same id, other content: a problem, the first stands
            obj = json.loads(data.draw(st.sampled_from(good), label="line"))
            obj["note"] = obj.get("note", "") + "(改)"
            _append(path, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())
        elif kind == "torn":                             # a write cut off mid-line
            with open(path, "ab") as fh:
                fh.write(b'{"id":"0123456789abcdef0123456789ab')
        elif kind == "other-plan" and good:              # another plan's record: never counted here
            obj = json.loads(good[-1])
            obj.update(plan=OTHER_PLAN, id=uuid.uuid4().hex)
            _append(path, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())
        elif kind == "copy":                             # replaced by a copy of itself: new inode, same bytes
            spare = path.with_name(path.name + ".copy")
            shutil.copy2(path, spare)
            os.replace(spare, path)
        elif kind == "truncate":                         # one line shorter
            raw = path.read_bytes()
            cut = raw[:-1].rfind(b"\n")
            path.write_bytes(raw[:cut + 1] if cut >= 0 else b"")
        elif kind == "edit":
            _edit_in_place(data, path)
        say(f"  {kind} {path.name}")
    return kind


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_every_view_is_the_same_with_and_without_the_snapshot(data):
    plan = load_plan(bundled_plan_path())    # not a fixture: a failing example would print the whole plan
    pairs = _pairs(plan)
    clock = Clock()
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(dates, "now", clock):
        f = Folder(Path(tmp))
        for _ in range(data.draw(st.integers(1, 12), label="steps")):
            kind = step(data, plan, f, clock, pairs)
            # after each step one view (most often the whole status, which holds every pair, review,
            # extension and waiver); a view not drawn for a while folds several steps at once when it is
            view = data.draw(st.sampled_from((VIEWS[0], VIEWS[0], *VIEWS)), label="view")
            same_view(f, view + tuple(_when(data, plan, f, clock)))
            if kind in FOLDED and data.draw(st.booleans(), label="the whole record too"):
                same_view(f, data.draw(st.sampled_from(LOGS), label="log"))
                same_view(f, ("report", "--year", clock.day.year))
        same_view(f, VIEWS[0])
        for view in VIEWS[1:]:        # every view folds what the last of them left, then reads it as kept
            same_view(f, view)
        for view in LOGS:
            same_view(f, view)
        for view in READ_ALL:
            same_view(f, (*view, "--year", clock.day.year))


# --- cases pinned ------------------------------------------------------------------

# The views a pinned case compares: one that reads every file, one that reads a unit's and the
# office's, one of the deadlines (the property test above goes through all of VIEWS).
SOME = (VIEWS[0], ("status", "--unit", "区编办", "-f", "json"), ("due", "--all", "-f", "json"))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    f = Folder(tmp_path)
    f.clock = Clock("2017-05-01T09:00")
    monkeypatch.setattr(dates, "now", f.clock)
    return f


def same_views(f: Folder, *extra: str, views: tuple = SOME) -> None:
    for view in views:
        same_view(f, view + extra)


def part_of(view: dict, pid: str) -> dict:
    return next(p for task in view["tasks"] for p in task["parts"] if p["id"] == pid)


def test_a_status_run_keeps_a_snapshot_and_a_later_mark_is_folded_into_it(folder):
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-20", codes=(0,))
    same_views(f)
    first = f.entries()
    assert first, "status with the cache on left no state-*.json in the cache folder"
    f.clock.advance(3)
    f.act("mark", "11.1", "--unit", OFFICE, "--state", "doing", codes=(0,))   # appended to the same file
    same_views(f)
    assert f.entries() != first                   # the entry now holds the new line
    assert part_of(f.view("status"), "11.1")["state"] == "doing"


def test_the_switches_no_snapshot_and_no_cache(folder):
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-20", codes=(0,))
    f.fazhi("status", snapshot=False)              # FAZHI_NO_SNAPSHOT=1: the plan cache, and no snapshot
    assert list(f.cache.glob("plan-*.json")) and not f.entries()
    for p in f.cache.iterdir():
        p.unlink()
    r = f.runner.invoke(app, ["status", "-f", "json"], env={"FAZHI_HOME": str(f.home), "FAZHI_CACHE_DIR": str(f.cache),
                                                           "FAZHI_NO_CACHE": "1", "FAZHI_NO_SNAPSHOT": None})
    assert r.exit_code == 0 and list(f.cache.iterdir()) == []    # FAZHI_NO_CACHE=1: neither
    assert r.stdout_bytes == f.fazhi("status", "-f", "json", snapshot=False).stdout_bytes


def test_an_undo_after_the_snapshot_is_replayed(folder):
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--state", "doing", "--on", "2017-04-01", codes=(0,))
    f.clock.advance(1)
    f.act("mark", "7", "--unit", OFFICE, codes=(0,))
    same_views(f)
    assert part_of(f.view("status"), "7.1")["state"] == "done"
    f.clock.advance(1)
    f.act("undo", "--unit", OFFICE, codes=(0,))    # revokes the done: the doing stands again
    same_views(f)
    assert part_of(f.view("status"), "7.1")["state"] == "doing"


def test_views_as_of_before_the_newest_record_and_known_at_between_records(folder):
    f = folder
    f.act("mark", "2.2", "--unit", "区编办", "--state", "doing", "--on", "2017-04-10", codes=(0,))
    between = f.clock.moment.isoformat()
    f.clock.advance(220)
    f.act("mark", "2.2", "--unit", "区编办", "--on", "2017-11-30", codes=(0,))
    same_views(f)                                  # the snapshot now covers 2017-11-30
    for extra in (["--as-of", "2017-06-30"], ["--as-of", "2017-11-29"], ["--as-of", "2017-11-30"],
                  ["--known-at", between], ["--known-at", between, "--as-of", "2017-12-31"]):
        same_views(f, *extra, views=SOME[::2])
    assert part_of(f.view("status", "--as-of", "2017-06-30"), "2.2")["state"] == "doing"
    assert part_of(f.view("status", "--known-at", between), "2.2")["state"] == "doing"
    assert part_of(f.view("status"), "2.2")["state"] == "done"


def test_a_back_dated_mark_after_the_snapshot(folder):
    f = folder
    f.act("mark", "2.2", "--unit", "区编办", "--on", "2017-04-30", codes=(0,))
    same_views(f)
    f.clock.advance(1)
    # dated before the newest record the snapshot holds, recorded after it
    f.act("mark", "2.2", "--unit", "区编办", "--state", "doing", "--on", "2017-01-05", codes=(0,))
    same_views(f)
    same_views(f, "--as-of", "2017-02-01")
    assert part_of(f.view("status"), "2.2")["state"] == "done"
    assert part_of(f.view("status", "--as-of", "2017-02-01"), "2.2")["state"] == "doing"


@pytest.mark.parametrize("keep_mtime", [False, True], ids=["new-mtime", "old-mtime"])
def test_a_line_rewritten_in_place_at_the_same_size_is_seen(folder, keep_mtime):
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-20", codes=(0,))
    f.act("mark", "11.1", "--unit", OFFICE, "--on", "2017-04-21", codes=(0,))
    same_views(f)
    (path,) = f.files()
    before, raw = os.stat(path), path.read_bytes()
    first, rest = raw.split(b"\n", 1)
    with open(path, "r+b") as fh:                  # done -> todo in the first line: same size, same inode
        fh.write(first.replace(b'"state":"done"', b'"state":"todo"') + b"\n" + rest)
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_ino == before.st_ino
    same_views(f)
    assert part_of(f.view("status"), "7.1")["state"] == "todo"


def test_a_file_cut_by_a_line_and_grown_back_to_its_size_is_seen(folder):
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-20", codes=(0,))
    f.act("mark", "11.1", "--unit", OFFICE, "--on", "2017-04-21", codes=(0,))
    same_views(f)
    (path,) = f.files()
    raw = path.read_bytes()
    cut = raw[:-1].rfind(b"\n") + 1
    before = os.stat(path)
    path.write_bytes(raw[:cut])                    # one line shorter, then the same size again, other content
    with open(path, "ab") as fh:
        fh.write(raw[cut:].replace(b'"state":"done"', b'"state":"todo"'))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == len(raw)
    same_views(f)
    assert part_of(f.view("status"), "11.1")["state"] == "todo"


def _append_line(path: Path, line: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(line + b"\n")


EDITS = {
    # a raw copy of a line: one record, counted once
    "duplicate": lambda path, lines: _append_line(path, lines[0]),
    # the same id with other content: a problem, and the first stands
    "same-id-other-content": lambda path, lines: _append_line(
        path, lines[0].replace(b'"state":"done"', b'"state":"todo"')),
    # a write cut off mid-line, then a mark appended after it
    "torn": lambda path, lines: path.write_bytes(path.read_bytes() + lines[0][:40]),
    "bad-json": lambda path, lines: _append_line(path, b'{"id": "abc", "type": '),
    # another plan's record in the file: never counted here
    "other-plan": lambda path, lines: _append_line(path, json.dumps(
        dict(json.loads(lines[0]), plan=OTHER_PLAN, id=uuid.uuid4().hex), ensure_ascii=False).encode()),
    # replaced by a copy of itself: a new inode, the same bytes and mtime
    "replaced-by-a-copy": lambda path, lines: (shutil.copy2(path, path.with_suffix(".tmp")),
                                               os.replace(path.with_suffix(".tmp"), path)),
    "cut-by-a-line": lambda path, lines: path.write_bytes(b"".join(x + b"\n" for x in lines[:-1])),
    "emptied": lambda path, lines: path.write_bytes(b""),
    "removed": lambda path, lines: path.unlink(),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_ledger_changed_behind_the_snapshot_then_marked_again(folder, edit):
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-20", codes=(0,))
    f.act("mark", "6.4", "--unit", "区编办", "--state", "doing", "--on", "2017-04-20", codes=(0,))
    same_views(f)
    path = f.home / "progress" / f"{OFFICE}.jsonl"
    EDITS[edit](path, path.read_bytes().splitlines())
    same_views(f)
    f.clock.advance(1)
    f.act("mark", "11.1", "--unit", OFFICE, "--state", "doing", codes=(0,))   # folded in after the change
    same_views(f)


def test_the_same_ledger_imported_twice(folder):
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-20", codes=(0,))
    same_views(f)
    f.act("mark", "6.4", "--unit", "区编办", "--on", "2017-03-01", home=f.other, codes=(0,))
    f.act("mark", "7", "--unit", OFFICE, "--state", "doing", "--on", "2017-04-25", home=f.other, codes=(0,))
    sent = sorted(f.files(f.other))
    f.clock.advance(1)
    f.act("import", *sent, codes=(0,))
    same_views(f)
    same_views(f, "--known-at", "2017-05-01T12:00")   # before the import arrived
    f.clock.advance(1)
    f.act("import", *sent, codes=(0,))             # nothing new
    same_views(f)
    assert part_of(f.view("status"), "7.1")["state"] == "doing"     # the imported mark has the later day


def test_entries_not_written_for_sixty_days_are_taken_out_when_another_is_written(folder):
    # a cache that only grows is a leak: an entry of a plan since edited, or of a folder since moved,
    # is never read again; leftovers of a killed write go after a day; nothing else is touched
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-20", codes=(0,))
    f.fazhi("status")
    stale = f.cache / "state-fazhi-state-1-0123456789abcdef0123456789abcdef01234567.json"
    recent = f.cache / "state-fazhi-state-1-fedcba9876543210fedcba9876543210fedcba98.json"
    left = f.cache / ".state-fazhi-state-1-0123.json.00112233.tmp"
    other = f.cache / "notes-of-the-user.json"
    for path in (stale, recent, left, other):
        path.write_text("{}", encoding="utf-8")
    old = datetime.now().timestamp() - 61 * 86400
    for path in (stale, left, other):
        os.utime(path, (old, old))
    os.utime(recent, (old + 2 * 86400, old + 2 * 86400))     # 59 days
    f.fazhi("status")                                       # a hit writes nothing, and takes nothing out
    assert stale.exists() and left.exists()
    f.act("mark", "11.1", "--unit", OFFICE, "--state", "doing", codes=(0,))
    f.fazhi("status")                                       # a fold writes the entry again
    assert not stale.exists() and not left.exists()
    assert recent.exists() and other.exists() and f.entries()


# --- what a fold takes in without reading every file (issue 25, item 1) ------------------

@pytest.fixture
def reads(monkeypatch):
    """How many times a view read the whole record (a miss) since the fixture was made."""
    from fazhi_cli import snapshot

    count = {"full": 0}
    real = snapshot._full

    def full(*args, **kwargs):
        count["full"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(snapshot, "_full", full)
    return count


def _folded(f: Folder, reads: dict, *args: str) -> dict:
    """The status view right after a change: from the snapshot, with no full read, and the same without it."""
    before = reads["full"]
    view = f.view("status", *args)
    assert reads["full"] == before, "the view read the whole record again instead of folding the change in"
    same_view(f, ("status", "-f", "json", *args))
    return view


@pytest.mark.parametrize("back", [True, False], ids=["back-dated", "in-order"])
def test_an_undo_is_folded_into_the_snapshot(folder, reads, back):
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--state", "doing", "--on", "2017-04-01", "--note", "起草中", codes=(0,))
    f.act("mark", "2.2", "--unit", "区编办", "--on", "2017-04-02", codes=(0,))
    f.clock.advance(1)
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-03-20" if back else "2017-04-20", codes=(0,))
    same_views(f)
    f.clock.advance(1)
    f.act("undo", "--unit", OFFICE, codes=(0,))        # takes the done back: the doing stands again
    view = _folded(f, reads)
    assert part_of(view, "7.1")["state"] == "doing" and part_of(view, "2.2")["state"] == "done"
    f.clock.advance(1)
    f.act("undo", "--unit", OFFICE, codes=(0,))        # and the doing: the pair has no mark left
    view = _folded(f, reads)
    assert part_of(view, "7.1")["state"] == "todo"
    same_views(f, views=SOME)


def test_a_back_dated_mark_and_a_late_review_are_folded(folder, reads):
    f = folder
    f.act("mark", "2.2", "--unit", "区编办", "--on", "2017-04-30", codes=(0,))
    same_views(f)
    f.clock.advance(1)
    f.act("mark", "2.2", "--unit", "区编办", "--state", "doing", "--on", "2017-01-05", codes=(0,))
    assert part_of(_folded(f, reads), "2.2")["state"] == "done"
    f.clock.advance(1)
    f.act("review", "2.2", "--unit", "区编办", "--return", "--note", "材料不全", "--as", OFFICE, codes=(0,))
    f.clock.advance(1)
    f.act("undo", "--unit", OFFICE, codes=(0,))         # the office takes its return back
    _folded(f, reads)
    same_views(f, "--as-of", "2017-02-01", views=SOME)


def test_an_undone_extension_is_folded_and_still_right(folder, reads):
    f = folder
    f.act("extend", "7.1", "--to", "2018-06-30", "--reason", "机构调整", "--as", OFFICE, codes=(0,))
    same_views(f)
    f.clock.advance(1)
    f.act("undo", "--unit", OFFICE, codes=(0,))         # an act taken back: the office's acts are replayed
    _folded(f, reads)
    same_views(f)


def test_an_import_is_folded_into_the_snapshot(folder, reads):
    # the mailed ledger brings records of two units, one back-dated before what its pair holds here, and an
    # undo of one of them: only the pairs they touch are read again
    f = folder
    f.act("mark", "2.2", "--unit", "区编办", "--on", "2017-04-30", codes=(0,))
    f.act("mark", "7", "--unit", OFFICE, "--state", "doing", "--on", "2017-04-01", codes=(0,))
    same_views(f)
    f.act("mark", "2.2", "--unit", "区编办", "--state", "doing", "--on", "2017-02-01", home=f.other, codes=(0,))
    f.act("mark", "6.4", "--unit", "区编办", "--on", "2017-03-01", home=f.other, codes=(0,))
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-25", home=f.other, codes=(0,))
    f.act("mark", "11.1", "--unit", OFFICE, "--on", "2017-04-26", home=f.other, codes=(0,))
    f.act("undo", "--unit", OFFICE, home=f.other, codes=(0,))
    f.clock.advance(1)
    f.act("import", *f.files(f.other), codes=(0,))
    view = _folded(f, reads)
    assert part_of(view, "2.2")["state"] == "done" and part_of(view, "7.1")["state"] == "done"
    same_views(f, views=SOME)
    same_view(f, ("units", "--record", "-f", "json"))


def test_an_undo_of_a_mark_not_yet_seen_and_marks_in_other_files_fold_together(folder, reads):
    f = folder
    f.act("mark", "2.2", "--unit", "区编办", "--on", "2017-04-30", codes=(0,))
    f.act("mark", "7", "--unit", OFFICE, "--state", "doing", "--on", "2017-04-01", codes=(0,))
    same_views(f)
    f.clock.advance(1)
    f.act("mark", "7", "--unit", OFFICE, "--on", "2017-04-20", codes=(0,))
    f.act("mark", "6.4", "--unit", "区编办", "--state", "doing", codes=(0,))
    f.act("undo", "--unit", OFFICE, codes=(0,))         # the mark no view has seen yet
    f.act("mark", "2.2", "--unit", "区编办", "--state", "doing", "--on", "2017-03-01", codes=(0,))   # back-dated
    view = _folded(f, reads)
    assert part_of(view, "7.1")["state"] == "doing" and part_of(view, "2.2")["state"] == "done"
    same_views(f, views=SOME)


def test_an_undone_act_and_a_back_dated_act_are_folded(folder, reads):
    # the office's acts are replayed from its own file (only a supervising unit records acts), the pairs stand
    f = folder
    f.act("mark", "7", "--unit", OFFICE, "--state", "doing", "--on", "2017-04-01", codes=(0,))
    f.act("extend", "7.1", "--to", "2018-06-30", "--reason", "机构调整", "--as", OFFICE, codes=(0,))
    f.act("waive", "summary-2017", "--unit", "区编办", "--reason", "已撤销", "--as", OFFICE, codes=(0,))
    same_views(f)
    f.clock.advance(1)
    f.act("extend", "7.1", "--to", "2018-09-30", "--reason", "再次延期", "--as", OFFICE, codes=(0,))
    f.act("undo", "--unit", OFFICE, codes=(0,))        # the second extension taken back: the first stands
    _folded(f, reads)
    f.clock.advance(1)
    f.act("undo", "--unit", OFFICE, codes=(0,))        # and the waiver
    _folded(f, reads)
    f.clock.advance(1)
    f.act("close", "--on", "2017-03-01", "--note", "补记", "--as", OFFICE, codes=(0,))   # before the acts held
    _folded(f, reads)
    same_views(f, views=SOME)
    same_views(f, "--as-of", "2017-12-31", views=SOME)
