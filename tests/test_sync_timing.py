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
from fazhi_cli.sync import run, tree

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
