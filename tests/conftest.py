from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fazhi_cli import dates, i18n, record
from fazhi_cli.dates import CHINA
from fazhi_cli.cli import app
from fazhi_cli.plan import bundled_plan_path, load_plan

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCE = FIXTURES / "panyu-2016-plan.txt"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path_factory):
    # Every test starts from the same, isolated environment.
    for var in ("FAZHI_HOME", "FAZHI_PLAN", "FAZHI_UNIT", "FAZHI_USER", "FAZHI_LANG", "FAZHI_LOCK_TIMEOUT",
                "NO_COLOR", "FAZHI_NO_CACHE", "FAZHI_NO_SNAPSHOT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    # no test signs with a key of the person running it (README "Signatures")
    monkeypatch.setenv("FAZHI_KEYS", str(tmp_path_factory.mktemp("keys")))
    monkeypatch.delenv("FAZHI_PASSPHRASE_FILE", raising=False)
    i18n.set_lang(None)
    yield
    i18n.set_lang(None)


class PinnedClock:
    """The recording clock, pinned: clock.set("2017-06-30T09:00") and every record made after says so."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def set(self, text: str) -> None:
        self.moment = datetime.fromisoformat(text).replace(tzinfo=CHINA)

    def __call__(self, clock=None):
        self.moment += timedelta(microseconds=1)   # two records never share a moment
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    """``dates.now`` pinned at 2017-01-01 09:00, China time (a test file may start it elsewhere)."""
    c = PinnedClock(datetime(2017, 1, 1, 9, 0, tzinfo=CHINA))
    monkeypatch.setattr(dates, "now", c)
    return c


def mark_on(plan, home, target, unit, on, state="done"):
    """A unit's mark, as on the day it was done (that day is the recording clock's today)."""
    return record.mark(plan, home, target=target, unit=unit, state=state, on=on, note=None, evidence=[], by="t",
                       clock_today=date.fromisoformat(on))


@pytest.fixture(scope="session")
def plan():
    return load_plan(bundled_plan_path())


@pytest.fixture
def home(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("FAZHI_HOME", str(d))
    return d


@pytest.fixture
def plan_text() -> str:
    return bundled_plan_path().read_text(encoding="utf-8")


class Run:
    """Runs the real Typer app in-process; stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict | None = None, input: str | None = None):
        return self.runner.invoke(app, [str(a) for a in args], env=env, input=input, catch_exceptions=True)


@pytest.fixture
def cli() -> Run:
    return Run()


def run_fazhi(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 60,
              input: bytes | None = None) -> subprocess.CompletedProcess:
    """The installed program, as a separate process (python -m fazhi_cli)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "fazhi_cli", *map(str, args)], env=full_env, cwd=cwd,
                          capture_output=True, timeout=timeout, input=input)


def run_bounded(*args: str, env: dict | None = None, timeout: float = 30,
                memory: int = 1 << 30) -> subprocess.CompletedProcess:
    """Like run_fazhi (output as text), for inputs that used to hang or eat memory:
    a hang fails the test (TimeoutExpired) and memory is capped so a runaway read dies early."""
    def cap() -> None:
        import resource  # noqa: PLC0415 - POSIX only; callers skip elsewhere

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "fazhi_cli", *map(str, args)], env=full_env,
                          capture_output=True, timeout=timeout, preexec_fn=cap, encoding="utf-8", errors="replace")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below a folder with its bytes: to prove nothing changed."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(result) -> str:
    """The single stderr line of a refused command; fails on tracebacks."""
    err = result.stderr
    assert "Traceback" not in err and "Traceback" not in result.stdout, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def variants(plan, tmp_path_factory):
    """The hostile catalogue's data folders every case of a family's file starts from (unsigned, signed), each
    made once for the file (tests/hostile/, test_snapshot_hostile.py)."""
    from hostile.catalogue import Variants

    return Variants(plan, tmp_path_factory)


@pytest.fixture(scope="module")
def prepared(variants):
    """The unsigned data folder of a hostile family's file."""
    return variants[False]
