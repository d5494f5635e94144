"""Load: many data folders syncing at once through a path remote and through HTTP, with random kills.

Bounded (about a minute per transport on a shared two-core machine) and on
127.0.0.1 only. A quick run skips it with ``pytest -k "not load"`` or
``FAZHI_SKIP_SLOW=1``. Every sync that was not killed must succeed; after
one sequential pass every folder holds the same files, every record marked
is there once, and ``check`` is clean.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fazhi_cli import ledger, record
from fazhi_cli.sync import run

pytestmark = pytest.mark.skipif(os.name != "posix" or bool(os.environ.get("FAZHI_SKIP_SLOW")),
                                reason="kills are POSIX; FAZHI_SKIP_SLOW skips the load test")

FOLDERS = 10          # data folders; the last two hold units that are also on another folder
AT_ONCE = 5
ROUNDS = 3
KILLS_PER_ROUND = 2


def targets(plan, unit):
    return sorted(p.id for p in plan.parts.values() if unit in p.lead_units or unit in p.support_units)


def start(pc: Path, remote: str | None, env: dict) -> subprocess.Popen:
    args = [sys.executable, "-m", "fazhi_cli", "sync", *([remote] if remote else []), "--data-dir", str(pc)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **env})


def load(plan, tmp_path, remote: str, env: dict, gc: Path | None = None) -> dict:
    rng = random.Random(22)
    units = [u for u in plan.units if targets(plan, u)]
    owners = [units[i] for i in range(FOLDERS - 2)] + [units[0], units[1]]      # two units on two PCs
    pcs = [tmp_path / f"pc{i}" for i in range(FOLDERS)]
    marked: set[str] = set()
    failed: list[str] = []
    killed = 0
    for rnd in range(ROUNDS):
        for i, pc in enumerate(pcs):
            ts = targets(plan, owners[i])
            n = rnd * FOLDERS + i
            ev = record.mark(plan, pc, target=ts[n % len(ts)], unit=owners[i], state="done", by="测试",
                             on=f"2017-{n % 12 + 1:02d}-{n % 27 + 1:02d}", note=f"第{rnd}轮", evidence=[])
            marked.update(e["id"] for e in ev.events)
        order = list(range(FOLDERS))
        rng.shuffle(order)
        victims = set(rng.sample(order, KILLS_PER_ROUND))
        for g in range(0, FOLDERS, AT_ONCE):
            group = order[g:g + AT_ONCE]
            # a folder whose first sync was killed before it reached the remote: the clerk types the address again
            procs = {i: start(pcs[i], None if (pcs[i] / ".sync" / "state.json").exists() else remote, env)
                     for i in group}
            if gc is not None and rnd == 1 and g == 0:
                # someone runs `git gc` by hand on the shared repository while PCs sync
                subprocess.run(["git", "-C", str(gc), "gc", "--quiet"], timeout=120, check=True)
            timers = []
            for i in group:
                if i in victims:
                    timer = threading.Timer(rng.uniform(0.3, 1.5), _kill, (procs[i],))
                    timer.start()
                    timers.append(timer)
            for i, p in procs.items():
                _, err = p.communicate(timeout=180)
                if p.returncode == -signal.SIGKILL:
                    killed += 1
                elif p.returncode != 0:
                    failed.append(err.decode())
            for timer in timers:
                timer.cancel()
    for pc in pcs + pcs[:3]:                                      # one sequential pass (and the first ones again)
        run.sync(plan, pc, remote if not (pc / ".sync" / "state.json").exists() else None)
    for pc in pcs:
        run.sync(plan, pc)
    files = [{p.name: p.read_bytes() for p in sorted((pc / "progress").glob("*.jsonl"))} for pc in pcs]
    ids = [e.id for e in ledger.read_ledger(pcs[0], plan).events]
    return {"failed": failed, "killed": killed, "converged": all(f == files[0] for f in files),
            "lost": marked - set(ids), "twice": len(ids) - len(set(ids)), "pcs": pcs}


def _kill(p: subprocess.Popen) -> None:
    try:
        p.send_signal(signal.SIGKILL)
    except OSError:
        pass


def _held(plan, cli, result):
    assert result["failed"] == [], result["failed"]
    assert result["converged"] and not result["lost"] and result["twice"] == 0
    for pc in result["pcs"][:3]:
        r = cli("check", "--data-dir", pc)
        assert r.exit_code == 0, r.output


def test_load_through_a_path_remote_with_kills_and_a_git_gc(plan, tmp_path, cli):
    import shutil

    share = tmp_path / "share.git"
    run.sync(plan, tmp_path / "office", init_remote=str(share))
    gc = share if shutil.which("git") else None
    _held(plan, cli, load(plan, tmp_path, str(share), {"FAZHI_SYNC_DEADLINE": "120"}, gc))


def test_load_through_http_with_kills(plan, tmp_path, cli):
    share = tmp_path / "share.git"
    run.sync(plan, tmp_path / "office", init_remote=str(share))
    with _http(share) as url:
        _held(plan, cli, load(plan, tmp_path, url, {"FAZHI_SYNC_DEADLINE": "120", "NO_PROXY": "127.0.0.1"}))


class _http:
    """dulwich's smart-HTTP server on 127.0.0.1, one thread per request, as a git server serves PCs at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> str:
        from socketserver import ThreadingMixIn
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

        from dulwich.repo import Repo
        from dulwich.server import Backend, DictBackend
        from dulwich.web import make_wsgi_chain

        path = self.path

        class Fresh(Backend):
            """A repository opened per request, so every request sees the packs as they are."""

            def open_repository(self, p):
                return DictBackend({"/fazhi.git": Repo(str(path))}).open_repository(p)

        class Threading(ThreadingMixIn, WSGIServer):
            daemon_threads = True

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.server = make_server("127.0.0.1", 0, make_wsgi_chain(Fresh()), server_class=Threading,
                                  handler_class=Quiet)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}/fazhi.git"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
