"""Nothing is lost and nothing gets in: crashes, disk faults, locks, hostile input."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import one_line_error, run_fazhi, snapshot
from fazhi_cli import dates, ledger, record
from fazhi_cli.errors import PlanError
from fazhi_cli.plan.build import parse_plan

POSIX = pytest.mark.skipif(os.name != "posix", reason="fork and signals are POSIX")


def mark(plan, home, on="2017-11-30", **kw):
    return record.mark(plan, home, target=kw.pop("target", "7.1"), unit=kw.pop("unit", "区法制办"), state="done",
                       on=on, note=kw.pop("note", None), evidence=[], by="t")


# --- 2. crashes --------------------------------------------------------------------

def _writer(plan, home, slow_write: bool) -> None:
    """Child process: append forever; optionally with a window inside each write."""
    if slow_write:
        real_write = os.write

        def torn_write(fd, data):          # half the line reaches the file, then a pause
            half = len(data) // 2
            n = real_write(fd, data[:half])
            time.sleep(0.002)
            return n + real_write(fd, data[half:])

        os.write = torn_write
    real_fsync = os.fsync

    def slow_fsync(fd):                     # widen the gap between the write and the flush
        time.sleep(0.001)
        real_fsync(fd)

    os.fsync = slow_fsync
    try:
        while True:
            mark(plan, home)
    finally:
        os._exit(0)


@POSIX
def test_kill_minus_nine_mid_append_200_times(plan, home):
    rng = random.Random(20160819)
    path = home / "progress" / "区法制办.jsonl"
    mark(plan, home)
    known: set[str] = set()
    old_problems: set[int] = set()
    torn_seen = 0
    for i in range(200):
        pid = os.fork()
        if pid == 0:
            _writer(plan, home, slow_write=i % 2 == 1)
        time.sleep(rng.uniform(0.003, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        book = ledger.read_ledger(home, plan)             # the file still loads
        ids = {e.id for e in book.events}
        assert known <= ids, "an earlier event was lost"
        new_problems = {p.line for p in book.problems} - old_problems
        total_lines = path.read_bytes().count(b"\n") + (0 if path.read_bytes().endswith(b"\n") else 1)
        assert len(new_problems) <= 1
        if new_problems:                                  # only ever the final, torn line
            assert new_problems == {total_lines}
            torn_seen += 1
        # the next mark reads back whole, on a line of its own
        mark(plan, home, on="2017-12-01")
        after = ledger.read_ledger(home, plan)
        assert len(after.events) == len(book.events) + 1
        assert after.events[-1].on == "2017-12-01"
        assert {p.line for p in after.problems} == {p.line for p in book.problems}
        known = {e.id for e in after.events}
        old_problems = {p.line for p in after.problems}
    assert torn_seen > 0, "no kill landed inside a write: the test did not exercise a torn line"


# --- 3. disk faults ----------------------------------------------------------------

@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_fault_during_write_leaves_the_file_as_it_was(plan, home, cli, monkeypatch, code):
    mark(plan, home)
    path = home / "progress" / "区法制办.jsonl"
    before = path.read_bytes()
    real_write = os.write

    def failing_write(fd, data):
        real_write(fd, data[: len(data) // 2])   # some bytes land, then the disk gives out
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "write", failing_write)
    r = cli("mark", "7", "-u", "区法制办", "--on", "2017-12-01")
    monkeypatch.setattr(os, "write", real_write)
    assert r.exit_code == 1
    line = one_line_error(r)
    assert str(path) in line and os.strerror(code) in line
    assert path.read_bytes() == before


def test_fault_during_flush_leaves_the_file_as_it_was(plan, home, cli, monkeypatch):
    mark(plan, home)
    path = home / "progress" / "区法制办.jsonl"
    before = path.read_bytes()

    def failing_fsync(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    r = cli("mark", "7", "-u", "区法制办", "--on", "2017-12-01")
    assert r.exit_code == 1 and str(path) in one_line_error(r)
    assert path.read_bytes() == before


def test_data_folder_that_cannot_be_created(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = cli("mark", "7", "-u", "区法制办", "--data-dir", blocker / "data")
    assert r.exit_code == 1
    assert "无法创建数据文件夹" in one_line_error(r)


def test_read_only_data_folder(cli, home, monkeypatch):
    (home / "progress").mkdir(parents=True)
    real_open = os.open

    def read_only(path, flags, *a):
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *a)

    monkeypatch.setattr(os, "open", read_only)
    r = cli("mark", "7", "-u", "区法制办")
    monkeypatch.setattr(os, "open", real_open)
    assert r.exit_code == 1 and os.strerror(errno.EROFS) in one_line_error(r)


def test_missing_data_folder_is_an_empty_ledger_for_views(cli, tmp_path):
    r = cli("status", "--data-dir", tmp_path / "never-made", "-f", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["summary"]["done"] == 0
    assert not (tmp_path / "never-made").exists()


# --- 4. lock timeout ---------------------------------------------------------------

def test_a_stuck_lock_makes_mark_give_up(home):
    (home / "progress").mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from pathlib import Path
        from fazhi_cli.lock import FolderLock
        with FolderLock(Path({str(home / "progress")!r}), 5):
            print("held", flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        start = time.monotonic()
        r = run_fazhi("mark", "7", "-u", "区法制办", env={"FAZHI_LOCK_TIMEOUT": "1", "FAZHI_HOME": str(home)})
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert "progress" in err and "锁定" in err and "Traceback" not in err
    assert 1 <= waited < 30
    assert sorted(p.name for p in (home / "progress").iterdir()) == []     # no ledger, no lock file left
    # the kernel releases a dead writer's lock: the next mark goes through at once
    r = run_fazhi("mark", "7", "-u", "区法制办", env={"FAZHI_LOCK_TIMEOUT": "1", "FAZHI_HOME": str(home)})
    assert r.returncode == 0, r.stderr.decode()


# --- 5. hostile text ---------------------------------------------------------------

HOSTILE = "[bold]x[/bold] [link=http://example.org]y[/link] \x1b[31mred\x1b]52;c;aGk=\x07 \x9b2J \u202eevil"


# What a record may carry: markup and bidi overrides are text, and must stay text.
HOSTILE_TEXT = "[bold]x[/bold] [link=http://example.org]y[/link] \u202eevil"


def test_hostile_notes_from_an_imported_file_stay_inert(plan, home, cli, tmp_path):
    mark(plan, tmp_path / "pc2")
    src = tmp_path / "pc2" / "progress" / "区法制办.jsonl"
    event = json.loads(src.read_text(encoding="utf-8"))
    event.update(note=HOSTILE_TEXT, by=HOSTILE_TEXT, evidence=[{"kind": "document", "value": HOSTILE_TEXT}])
    mailed = tmp_path / "mailed.jsonl"
    mailed.write_text(json.dumps(event) + "\n", encoding="utf-8")
    assert cli("import", mailed).exit_code == 0
    for fmt in ("table", "plain", "markdown", "csv", "json"):
        r = cli("log", "--format", fmt, env={"FORCE_COLOR": "1", "COLUMNS": "200"})
        assert r.exit_code == 0, r.output
        out = r.stdout
        for bad in ("\u202e", "\x1b]8;"):
            assert bad not in out, (fmt, bad)
        if fmt != "json":
            assert "[bold]x[/bold]" in out and "\\u202eevil" in out, fmt
        else:
            assert json.loads(out)["events"][0]["note"] == HOSTILE_TEXT


@pytest.mark.parametrize("field", ["note", "by", "evidence"])
def test_control_characters_in_a_mailed_record_are_refused(plan, home, cli, tmp_path, field):
    mark(plan, tmp_path / "pc2")
    event = json.loads((tmp_path / "pc2" / "progress" / "区法制办.jsonl").read_text(encoding="utf-8"))
    event[field] = [{"kind": "document", "value": HOSTILE}] if field == "evidence" else HOSTILE
    mailed = tmp_path / "区法制办.jsonl"
    mailed.write_text(json.dumps(event) + "\n", encoding="utf-8")
    r = cli("import", mailed)
    assert r.exit_code == 1 and f"{mailed}:1:" in one_line_error(r)
    assert "\x1b" not in r.stderr and not home.exists()
    # the same line placed by hand in the folder is reported, never shown
    (home / "progress").mkdir(parents=True)
    (home / "progress" / "区法制办.jsonl").write_bytes(mailed.read_bytes())
    r = cli("log", "--format", "plain", env={"FORCE_COLOR": "1"})
    assert r.exit_code == 0 and "\x1b" not in r.stdout and HOSTILE not in r.stdout
    assert "1 行进度记录无法读取" in r.stderr


def test_hostile_plan_text_stays_inert(cli, tmp_path, plan_text):
    bad = tmp_path / "p.yaml"
    bad.write_text(plan_text.replace('title: "加强规范性文件管理"', 'title: "[red]x[/red] \\e[5m闪 \\u202e反"', 1),
                   encoding="utf-8")
    r = cli("status", "--plan", bad, "--as-of", "2017-12-01", env={"FORCE_COLOR": "1", "COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "[red]x[/red]" in r.stdout and "\\x1b[5m闪" in r.stdout and "\\u202e反" in r.stdout
    assert "\x1b[5m" not in r.stdout and "\u202e" not in r.stdout


def test_source_never_puts_data_inside_markup():
    src = Path(__file__).resolve().parents[1] / "src" / "fazhi_cli"
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "from_markup" not in text and "markup=True" not in text, path
        for n, line in enumerate(text.splitlines(), 1):
            # an f-string that also carries Rich markup would let data inject markup
            if ('f"' in line or "f'" in line) and ("[/" in line or "[bold" in line or "[red" in line):
                pytest.fail(f"{path.name}:{n}: Rich markup in an f-string")
    # and what reaches a console is Text or the grid, built from safe() values
    render = "".join(p.read_text(encoding="utf-8") for p in (src / "render").glob("*.py"))
    assert "Text(safe(" in render and "safe(value), style)" in render


# --- 6. hostile YAML ---------------------------------------------------------------

def _refused_fast(data: bytes, words: str, tmp_path: Path) -> str:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    start = time.perf_counter()
    with pytest.raises(PlanError) as e:
        from fazhi_cli.plan import load_plan

        load_plan(path)
    assert time.perf_counter() - start < 1.0
    said = " ".join(getattr(e.value, "problems", [str(e.value)]))  # check lists every problem
    assert str(e.value).startswith(str(path)) and words in said, said
    return str(e.value)


def test_python_object_tag_is_refused_and_not_run(tmp_path, monkeypatch):
    canary = tmp_path / "ran"
    data = f"plan: !!python/object/apply:os.system ['touch {canary}']\n".encode()
    msg = _refused_fast(data, "标签", tmp_path)
    assert ":1:" in msg and not canary.exists()


def test_billion_laughs_is_refused(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    _refused_fast("\n".join(lines).encode(), "别名", tmp_path)


def test_two_mib_file_is_refused(tmp_path):
    _refused_fast(b"#" * (2 * 1024 * 1024), "1 MiB", tmp_path)


def test_duplicate_key_invalid_utf8_and_tabs(tmp_path, plan_text):
    _refused_fast(b"plan: {}\nplan: {}\n", "重复的键", tmp_path)
    _refused_fast(b"plan:\n  title: \xb7\xac\n", "UTF-8", tmp_path)
    _refused_fast(b"plan:\n\ttitle: x\n", "YAML", tmp_path)


# --- 7. hostile names and paths ----------------------------------------------------

@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "a\\b", ".hidden", "nul\x00byte", "C:x", "CON", "lpt1"])
def test_unit_names_that_are_paths_are_refused(plan_text, name):
    text = plan_text.replace("  - name: 区财政局\n", f"  - name: {json.dumps(name)}\n", 1)
    with pytest.raises(PlanError) as e:
        parse_plan(text.encode(), "p.yaml")
    assert e.value.message.startswith("p.yaml:") and "不能用于名称的字符" in e.value.message


def test_nothing_is_written_outside_the_data_folder(plan, home, tmp_path):
    with pytest.raises(Exception):
        ledger.ledger_path(home, "../outside")
    mark(plan, home)
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert all(home in p.parents for p in written)


# --- 8. encodings and the clock ----------------------------------------------------

def test_gbk_console_and_pipe_do_not_crash(home, tmp_path):
    env = {"PYTHONIOENCODING": "gbk", "FAZHI_HOME": str(home)}
    r = run_fazhi("mark", "7", "-u", "区法制办", "--on", "2017-11-30", env=env)
    assert r.returncode == 0, r.stderr
    assert "区法制办".encode("gbk") in r.stdout
    for args in (["status", "--as-of", "2017-12-01"], ["due", "--as-of", "2017-12-01"], ["units"]):
        r = run_fazhi(*args, env=env)
        assert r.returncode == 0, r.stderr.decode("gbk", "replace")
        r.stdout.decode("gbk")                      # the whole output is valid GBK
    r = run_fazhi("status", "-f", "json", env=env)   # JSON stays UTF-8 for programs
    assert json.loads(r.stdout.decode("utf-8"))["summary"]["parts"] == 54


def test_unencodable_characters_are_replaced(home, tmp_path, plan_text):
    plan = tmp_path / "p.yaml"
    plan.write_text(plan_text.replace('title: "加强规范性文件管理"', 'title: "加强管理 ✓ 😀"', 1), encoding="utf-8")
    r = run_fazhi("status", "--plan", plan, env={"PYTHONIOENCODING": "gbk", "FAZHI_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    assert "加强管理".encode("gbk") in r.stdout and b"?" in r.stdout


def test_today_is_china_today():
    late_utc = datetime(2017, 6, 30, 23, 30, tzinfo=timezone.utc)
    assert dates.today(late_utc).isoformat() == "2017-07-01"
    assert dates.now(late_utc).utcoffset().total_seconds() == 8 * 3600


# --- 9. a catalogue of bad invocations ---------------------------------------------

def _catalogue(tmp: Path) -> list[list[str]]:
    torn = tmp / "torn.jsonl"
    torn.write_bytes(b'{"id": "0123456789abcdef", "part": "7.1"')
    empty_plan = tmp / "empty.yaml"
    empty_plan.write_bytes(b"")
    not_yaml = tmp / "list.yaml"
    not_yaml.write_bytes(b"- a\n- b\n")
    return [
        ["mark"], ["mark", "7"], ["mark", "", "-u", "区法制办"], ["mark", "99", "-u", "区法制办"],
        ["mark", "7.2", "-u", "区法制办"], ["mark", "7", "-u", ""], ["mark", "7", "-u", "   "],
        ["mark", "7", "-u", "火星局"], ["mark", "7", "-u", "石楼镇"], ["mark", "7", "-u", "x" * 5000],
        ["mark", "7", "-u", "区法制办", "--on", "2017-02-30"], ["mark", "7", "-u", "区法制办", "--on", "2017-13-01"],
        ["mark", "7", "-u", "区法制办", "--on", "tomorrow"], ["mark", "7", "-u", "区法制办", "--on", ""],
        ["mark", "7", "-u", "区法制办", "--on", "2999-01-01"], ["mark", "7", "-u", "区法制办", "--on", "2017年2月30日"],
        ["mark", "7", "-u", "区法制办", "--note", ""], ["mark", "7", "-u", "区法制办", "--note", "x" * 100000],
        ["mark", "7", "-u", "区法制办", "--note", "bell\x07"], ["mark", "7", "-u", "区法制办", "--note", "a\x1b[2Jb"],
        ["mark", "7", "-u", "区法制办", "--evidence", ""], ["mark", "7", "-u", "区法制办", "--evidence", "e" * 1000],
        ["mark", "7", "-u", "区法制办", "--state", "finished"], ["mark", "7", "-u", "区法制办", "--by", "a\x00b"],
        ["mark", "7", "-u", "区法制办", "--plan", str(empty_plan)], ["mark", "7", "-u", "区法制办", "--plan", str(not_yaml)],
        ["mark", "7", "-u", "区法制办", "--bogus"], ["mark", "7", "8", "-u", "区法制办"],
        ["undo"], ["undo", "-u", "石楼镇"], ["undo", "-u", "火星局"],
        ["status", "--as-of", "2017-02-29"], ["status", "--as-of", "yesterday"], ["status", "--format", "xml"],
        ["status", "--unit", "火星局"], ["status", "--task", "0"], ["status", "--section", "九"],
        ["status", "--light", "blue"], ["status", "--unit", "区编办", "--task", "2"], ["status", "--warn-days", "-1"],
        ["due", "--within", "-5"], ["due", "--within", "many"], ["due", "--unit", "区编"],
        ["due", "--as-of", "2017-06-31"], ["show"], ["show", "39"], ["show", "abc"],
        ["log", "--since", "2017-99-01"], ["log", "--task", "100"], ["log", "--limit", "0"],
        ["import"], ["import", str(tmp / "nope.jsonl")], ["import", str(torn)], ["import", str(tmp)],
        ["check", "--plan", str(tmp / "missing.yaml")], ["units", "--format", "yaml"],
        ["nosuchcommand"], ["--lang", "fr", "status"], ["status", "--plan", str(tmp)],
    ]


def test_catalogue_of_bad_invocations(plan, home, cli, tmp_path):
    mark(plan, home)
    mark(plan, home, target="2.2", unit="区编办", on="2016-12-01")
    (home / "progress" / "石楼镇.jsonl").write_bytes(b"")      # an empty ledger: undo has nothing to revoke
    before = snapshot(home)
    cases = _catalogue(tmp_path)
    assert len(cases) >= 40
    for args in cases:
        r = cli(*args)
        assert r.exit_code in (1, 2), (args, r.exit_code, r.output)
        one_line_error(r)
        assert snapshot(home) == before, args
