"""No sync fails because of another PC's timing: real processes on one shared repository.

Each PC is a separate ``fazhi`` process; the shared repository is a bare git
repository on a path (the shared drive) or behind a real HTTP server on
127.0.0.1. A kill is a real SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import one_line_error
from fazhi_cli import ledger, record
from fazhi_cli.sync import run

POSIX = pytest.mark.skipif(os.name != "posix", reason="signals and fork are POSIX")
MAIN = b"refs/heads/main"


def targets(plan, unit):
    return sorted(p.id for p in plan.parts.values() if unit in p.lead_units or unit in p.support_units)


def mark_one(plan, pc, unit, n):
    ts = targets(plan, unit)
    return record.mark(plan, pc, target=ts[n % len(ts)], unit=unit, state="done" if n % 2 else "doing",
                       on=f"2017-{n % 12 + 1:02d}-{n % 27 + 1:02d}", note=None, evidence=[], by="测试")


def start_sync(pc: Path, remote=None, env=None) -> subprocess.Popen:
    args = [sys.executable, "-m", "fazhi_cli", "sync", *([str(remote)] if remote else []), "--data-dir", str(pc)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "FAZHI_LANG": "en", **(env or {})})


def finish(procs):
    out = []
    for p in procs:
        o, e = p.communicate(timeout=120)
        out.append((p.returncode, e.decode()))
    return out


def units_of(plan):
    return [u for u in plan.units if targets(plan, u)]


def all_records(plan, pc):
    return sorted(e.id for e in ledger.read_ledger(pc, plan).events)


@pytest.fixture
def share(tmp_path, plan):
    path = tmp_path / "share.git"
    run.sync(plan, tmp_path / "office", init_remote=str(path))
    return path


@POSIX
def test_eight_pcs_syncing_at_once_through_a_path_all_succeed(plan, tmp_path, share):
    units = units_of(plan)
    pcs = [tmp_path / f"pc{i}" for i in range(8)]
    written = set()
    for rnd in range(3):
        for i, pc in enumerate(pcs):
            written.update(e["id"] for e in mark_one(plan, pc, units[i], rnd).events)
        results = finish([start_sync(pc, share if rnd == 0 else None) for pc in pcs])
        failed = [e for code, e in results if code != 0]
        assert not failed, failed
    for pc in pcs:
        run.sync(plan, pc)
    assert all_records(plan, pcs[0]) == all_records(plan, pcs[-1]) == sorted(written)


# --- a sync killed while holding a ref lock (issue 23, item 1) ------------------------

LOCK_KILLER = """
import os, signal, sys
where = sys.argv[1]
real = os.replace
def replace(src, dst, *a, **k):
    if os.fsdecode(src).endswith("main.lock") and where in os.fsdecode(src):
        os.kill(os.getpid(), signal.SIGKILL)       # the lock is written and not yet renamed into place
    return real(src, dst, *a, **k)
os.replace = replace
from fazhi_cli.cli import main
sys.argv = ["fazhi", "sync", "--data-dir", sys.argv[2]]
main()
"""


@POSIX
@pytest.mark.parametrize("where", ["local", "shared"])
def test_a_sync_killed_holding_a_ref_lock_does_not_stop_later_syncs(plan, tmp_path, share, cli, where):
    a, b = tmp_path / "a", tmp_path / "b"
    run.sync(plan, a, str(share))
    run.sync(plan, b, str(share))
    mark_one(plan, a, "区法制办", 1)
    needle = str(a / ".sync" / "git") if where == "local" else str(share)
    proc = subprocess.run([sys.executable, "-c", LOCK_KILLER, needle, str(a)], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    lock = Path(needle) / "refs" / "heads" / "main.lock"
    assert lock.exists()
    if where == "shared":      # the killed PC's lock: nobody renews it (a live sync holds one for milliseconds)
        os.utime(lock, (time.time() - 60, time.time() - 60))
    mark_one(plan, b, "区编办", 2)
    for pc in (b, a, b):                    # every PC carries on: the one killed and the others
        r = cli("sync", "--data-dir", pc)
        assert r.exit_code == 0, r.output
        assert r.stderr == ""
    assert not lock.exists()
    assert all_records(plan, a) == all_records(plan, b) and len(all_records(plan, a)) == 2
    assert cli("check", "--data-dir", a).exit_code == 0


# --- one limit for the whole sync (issue 23, item 3) -------------------------------------

def _silent_server(drip: bytes | None = None):
    """A TCP server on 127.0.0.1 that accepts and then says nothing (or drips ``drip`` a byte every 0.5 s)."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    stop = threading.Event()
    conns = []

    def serve():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                c, _ = srv.accept()
            except OSError:
                continue
            conns.append(c)
            if drip is not None:
                threading.Thread(target=_drip, args=(c, drip, stop), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return srv, stop, conns


def _drip(conn, data, stop):
    try:
        conn.recv(65536)
        for i in range(10_000):
            if stop.is_set():
                return
            conn.sendall(data[i % len(data):i % len(data) + 1])
            time.sleep(0.5)
    except OSError:
        pass


HTTP_HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\n"
             b"Content-Length: 100000\r\n\r\n" + b"001e# service=git-upload-pack\n" * 3000)


@pytest.mark.parametrize("kind", ["ssh", "http-drip", "git"])
def test_a_server_that_never_finishes_answering_is_given_up_on_as_a_whole(plan, tmp_path, kind):
    if kind == "ssh" and not shutil_which("ssh"):
        pytest.skip("no ssh client")
    srv, stop, conns = _silent_server(HTTP_HEAD if kind == "http-drip" else None)
    port = srv.getsockname()[1]
    url = {"ssh": f"ssh://clerk@127.0.0.1:{port}/srv/fazhi.git",
           "http-drip": f"http://127.0.0.1:{port}/fazhi.git",
           "git": f"git://127.0.0.1:{port}/fazhi.git"}[kind]
    a = tmp_path / "a"
    mark_one(plan, a, "区法制办", 1)
    env = {"FAZHI_SYNC_DEADLINE": "3", "FAZHI_SYNC_TIMEOUT": "30", "NO_PROXY": "127.0.0.1",
           "GIT_SSH_COMMAND": "ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes"}
    started = time.monotonic()
    try:
        p = start_sync(a, url, env={**env, "FAZHI_LANG": "zh"})
        _, err = p.communicate(timeout=60)
    finally:
        stop.set()
        srv.close()
        for c in conns:
            c.close()
    took = time.monotonic() - started
    lines = [ln for ln in err.decode().splitlines() if ln.strip()]
    assert p.returncode == 1 and len(lines) == 1 and "FAZHI_SYNC_DEADLINE" in lines[0], err.decode()
    assert took < 15, took
    assert len(all_records(plan, a)) == 1


def shutil_which(name):
    import shutil

    return shutil.which(name)


def test_a_ref_lock_held_by_a_live_sync_is_waited_for(plan, tmp_path, share, cli):
    import threading

    a = tmp_path / "a"
    mark_one(plan, a, "区法制办", 1)
    lock = share / "refs" / "heads" / "main.lock"
    lock.write_bytes(b"")
    threading.Timer(1.5, lock.unlink).start()           # the other sync finishes its ref update
    r = cli("sync", str(share), "--data-dir", a)
    assert r.exit_code == 0, r.output
    assert r.stderr == ""


def test_a_remote_that_moves_more_than_five_times_during_a_sync_is_still_caught_up_with(plan, tmp_path, share,
                                                                                       monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    run.sync(plan, b, str(share))
    mark_one(plan, a, "区法制办", 1)
    real = run._push
    raced = []

    def racing(*args):
        if len(raced) < 8:               # each time a is about to push, b gets there first
            raced.append(1)
            mark_one(plan, b, "区编办", len(raced))
            monkeypatch.setattr(run, "_push", real)
            run.sync(plan, b)
            monkeypatch.setattr(run, "_push", racing)
        return real(*args)

    monkeypatch.setattr(run, "_push", racing)
    out = run.sync(plan, a, str(share))
    monkeypatch.setattr(run, "_push", real)
    assert len(raced) == 8 and out.lines[1] == "发出：区法制办 1 条"
    run.sync(plan, b)
    assert all_records(plan, a) == all_records(plan, b) and len(all_records(plan, a)) == 9


# --- a repack on the shared drive between listing its packs and reading them ------------
#
# Another PC's sync merges the shared repository's packs and removes the old ones. A PC that
# listed the packs just before reads a pack that is gone (dulwich: PackFileDisappeared). Git
# itself looks again in that case; so must a sync. The race is made certain here by merging in
# between, through a second handle on the same folder, exactly where the other process would.

def _merge_behind(store):
    from dulwich.repo import Repo

    from fazhi_cli.sync import packs

    _ = store.packs                       # this PC has listed the packs (and will read them later)
    with Repo(str(Path(store.path).parent)) as other:
        assert packs._tidy(other.object_store, 1) >= 2, "the test needs two packs or more to merge"


def _several_packs(plan, tmp_path, share, monkeypatch):
    from fazhi_cli.sync import drive

    monkeypatch.setattr(drive, "tidy", lambda store: 0)      # leave one pack per push on the share
    for i, unit in enumerate(units_of(plan)[:3]):
        pc = tmp_path / f"w{i}"
        mark_one(plan, pc, unit, i)
        run.sync(plan, pc, str(share))
    assert len(list((share / "objects" / "pack").glob("*.pack"))) >= 3


@pytest.mark.parametrize("first", [True, False], ids=["a new PC", "a PC that synced before"])
def test_a_fetch_meeting_a_repack_on_the_share_looks_again(plan, tmp_path, share, monkeypatch, first):
    from fazhi_cli.sync import drive

    reader = tmp_path / "reader"
    if not first:
        run.sync(plan, reader, str(share))
    _several_packs(plan, tmp_path, share, monkeypatch)
    real, hits = drive.new_objects, []

    def racing(store, head, known):
        if not hits and str(share) in str(store.path):
            hits.append(1)
            _merge_behind(store)
        return real(store, head, known)

    monkeypatch.setattr(drive, "new_objects", racing)
    run.sync(plan, reader, None if not first else str(share))
    assert hits
    assert all_records(plan, reader) == all_records(plan, tmp_path / "w2") != []


def test_a_push_meeting_a_repack_on_the_share_looks_again(plan, tmp_path, share, monkeypatch):
    from fazhi_cli.sync import drive

    writer = tmp_path / "writer"
    run.sync(plan, writer, str(share))
    _several_packs(plan, tmp_path, share, monkeypatch)
    mark_one(plan, writer, units_of(plan)[5], 7)
    real, hits = drive.store_objects, []

    def racing(store, objects):
        if not hits and objects and str(share) in str(store.path):
            hits.append(1)
            _merge_behind(store)
        return real(store, objects)

    monkeypatch.setattr(drive, "store_objects", racing)
    run.sync(plan, writer)
    assert hits
    office = tmp_path / "office"
    run.sync(plan, office)
    assert all_records(plan, office) == all_records(plan, writer)


# --- a first sync killed while it makes the PC's own repository (issue 22: the HTTP load test) --

INIT_KILLER = """
import os, signal, sys
real = os.mkdir
def mkdir(path, *a, **k):
    real(path, *a, **k)
    if os.path.basename(os.fsdecode(path)).startswith("git"):
        os.kill(os.getpid(), signal.SIGKILL)       # the repository's own folder is made, nothing in it yet
os.mkdir = mkdir
from fazhi_cli.cli import main
sys.argv = ["fazhi", "sync", sys.argv[1], "--data-dir", sys.argv[2]]
main()
"""


@POSIX
def test_a_first_sync_killed_while_making_the_repository_does_not_stop_later_syncs(plan, tmp_path, share, cli):
    pc = tmp_path / "pc"
    mark_one(plan, pc, "区编办", 1)
    proc = subprocess.run([sys.executable, "-c", INIT_KILLER, str(share), str(pc)], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    r = cli("sync", str(share), "--data-dir", pc)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (pc / ".sync").iterdir() if p.is_dir()) == ["git"]   # nothing half-made left
    assert cli("check", "--data-dir", pc).exit_code == 0


def test_a_repository_left_half_made_by_an_earlier_version_is_made_again(plan, tmp_path, share, cli):
    pc = tmp_path / "pc"
    mark_one(plan, pc, "区编办", 1)
    git = pc / ".sync" / "git"
    for d in ("branches", "refs/tags"):
        (git / d).mkdir(parents=True)                   # 0.4.0 killed among its first folders
    r = cli("sync", str(share), "--data-dir", pc)
    assert r.exit_code == 0, r.output
    assert (git / "HEAD").exists() and (git / "objects").is_dir()


def test_a_damaged_repository_with_objects_is_not_made_again(plan, tmp_path, share, cli):
    pc = tmp_path / "pc"
    run.sync(plan, pc, str(share))
    import shutil

    shutil.rmtree(pc / ".sync" / "git" / "refs")
    before = sorted(p.relative_to(pc) for p in (pc / ".sync").rglob("*"))
    r = cli("sync", "--data-dir", pc)
    assert r.exit_code != 0
    one_line_error(r)
    assert sorted(p.relative_to(pc) for p in (pc / ".sync").rglob("*")) == before
