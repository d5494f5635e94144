"""Whole-process timings for fazhi, against the floor of any CLI on its stack.

Run from a virtual environment with fazhi installed from the source tree
(`pip install .`, not -e: an editable install adds its own import hooks):

    python benchmarks/bench.py                  # the bundled plan (~200 and ~2,500 events), the synthetic plan
                                                # at 10k and 100k events
    python benchmarks/bench.py --quick          # the bundled plan only
    python benchmarks/bench.py --sync-only      # only sync at 1k and 10k commits (a path remote)
    python benchmarks/bench.py --sync-only --histories ~/fazhi-histories   # keep the histories for next time
    python benchmarks/bench.py --million        # also the synthetic plan at 1M events (minutes)
    python benchmarks/bench.py --instructions   # also count instructions with valgrind (load-independent)
    python benchmarks/bench.py --runs 21 --json benchmarks/out/last.json

The floor is `python -c "import typer, yaml, rich.console, rich.table"`: the
interpreter plus the imports no command on this stack could avoid before
fazhi learnt to. Every command runs as a fresh process, interleaved with the
floor in each round (so machine noise hits both alike), and the median of
the runs is reported with its ratio to the floor's median. The targets are
those of issue 15; issue 11's hard limits are checked too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

FLOOR = [sys.executable, "-c", "import typer, yaml, rich.console, rich.table"]

# command -> (issue 15's target, issue 11's hard limit), as ratios to the floor
TARGETS = {
    "fazhi status": (0.9, 1.1),
    "fazhi due": (0.9, 1.1),
    "fazhi status --format json": (0.9, None),
    "fazhi log": (0.9, None),
    "fazhi mark": (0.9, 1.3),
    "fazhi --help": (0.7, None),
}
SYNTHETIC_100K_RATIO = 3.0      # status at 100k events, x floor
GROWTH = 1.3                    # (100k ratio) / (10k ratio)
PEAK_MIB = 80                   # status at 100k events
MILLION_GROWTH = 1.3            # 1M time / 100k time
# issue 25: the commands that read the whole record, x floor at 100k events (import: a 1,000-line ledger of one
# unit, --dry-run so that every run finds the folder as it was)
READ_ALL_100K = {"report --year 2017": 5.0, "units --record": 3.0, "import": 3.0}


def fazhi() -> list[str]:
    script = Path(sys.executable).with_name("fazhi.exe" if os.name == "nt" else "fazhi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fazhi_cli"]


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall time in seconds and peak memory in MiB of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / 1024  # KiB on Linux
    else:  # pragma: no cover - Windows has no wait4
        proc.wait()
        elapsed, peak = time.perf_counter() - start, float("nan")
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()}")
    return elapsed, peak


# --- data ---------------------------------------------------------------------

def realistic_ledger(home: Path, pairs: int | None = None) -> int:
    """Units' marks on the bundled plan, written as fazhi writes them: a few events on every (part, unit)
    pair (the plan's end, ~2,500 events), or one event on each of ``pairs`` pairs (its early months)."""
    from fazhi_cli import ledger
    from fazhi_cli.plan import load_plan

    plan = load_plan()
    rng = random.Random(60)
    per_unit: dict[str, list[dict]] = {}
    every = [(part, unit) for part in plan.parts.values() for unit in part.lead_units + part.support_units]
    for part, unit in (every if pairs is None else rng.sample(every, pairs)):
        steps = ("doing", "doing", "done")[: rng.randint(1, 3)] if pairs is None else (rng.choice(("doing", "done")),)
        for step in steps:
            on = date(2016, 9, 1) + timedelta(days=rng.randint(0, 800))
            per_unit.setdefault(unit, []).append(ledger.new_event(
                plan, target=part.id, unit=unit, state=step, on=on.isoformat(), note="按计划推进", by="bench",
                cmd=ledger.new_id()))
    with ledger.Writing(home) as w:
        for unit, events in per_unit.items():
            w.append(unit, events)
    return sum(len(v) for v in per_unit.values())


def synthetic_plan(path: Path, tasks: int = 1000, parts_per_task: int = 3, units: int = 200) -> None:
    """A city-wide plan of the same schema: 1,000 tasks, 3,000 parts, 200 units."""
    rng = random.Random(2016)
    names = [f"单位{i:03d}" for i in range(units)]
    out = ["schema: 1", "plan:", "  title: 合成测试方案", "  number: 测试〔2026〕1号", '  target: "2018-12-31"',
           "settings:", '  early_march: "03-10"', "sections:"]
    out += [f"  - id: S{i}\n    heading: 第{i}部分" for i in range(10)]
    out.append("units:")
    out += [f"  - name: {n}\n    kind: department" for n in names]
    out.append("groups:")
    out.append("  - name: 各单位\n    members: [" + ", ".join(names[:50]) + "]")
    out.append("recurring:\n  - id: summary\n    title: 工作进展情况总结\n    units: 责任单位\n"
               "    years: [2016, 2017, 2018]\n    due: early_march\n    due_year: next")
    out.append("tasks:")
    for t in range(1, tasks + 1):
        out.append(f'  - id: "{t}"\n    section: S{t % 10}\n    title: 任务{t}\n    text: 任务{t}的内容。\n    parts:')
        for p in range(1, parts_per_task + 1):
            lead = rng.sample(names, 2)
            support = rng.sample(names, 3) + (["各单位"] if rng.random() < 0.1 else [])
            due = date(2016, 12, 31) + timedelta(days=rng.randint(0, 730))
            out.append(f'      - id: "{t}.{p}"\n        text: 分项{t}.{p}\n        lead: [{", ".join(lead)}]\n'
                       f'        support: [{", ".join(support)}]\n        due: "{due.isoformat()}"')
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def synthetic_ledger(home: Path, plan_path: Path, events: int) -> None:
    """Random marks over every (part, unit) pair, each unit's file written as `fazhi mark` writes it."""
    from fazhi_cli import dates, ledger
    from fazhi_cli.plan import load_plan

    plan = load_plan(plan_path)
    rng = random.Random(events)
    pairs = [(p.id, u) for p in plan.parts.values() for u in p.lead_units + p.support_units]
    per_unit: dict[str, list[dict]] = {}
    # recorded one every 7 s up to a day ago: 1M events span 81 days, none of them after today
    start = dates.now() - timedelta(days=1, seconds=7 * events)
    for i in range(events):
        stamp = (start + timedelta(seconds=i * 7, microseconds=i)).isoformat(timespec="microseconds")
        pid, unit = rng.choice(pairs)
        on = date(2016, 9, 1) + timedelta(days=rng.randint(0, 800))
        # the fields and their order of ledger.new_event, without a uuid4 and a clock reading per event
        per_unit.setdefault(unit, []).append({
            "id": f"{rng.getrandbits(128):032x}", "type": "mark", "plan": plan.key, "part": pid, "unit": unit,
            "on": on.isoformat(), "note": f"第{i}条", "evidence": [], "by": "bench", "recorded_at": stamp,
            "cmd": f"{rng.getrandbits(128):032x}", "state": rng.choice(("doing", "done"))})
    folder = home / "progress"
    folder.mkdir(parents=True, exist_ok=True)
    for unit, lines in per_unit.items():
        path = folder / f"{unit}.jsonl"
        path.write_bytes(ledger.encode(lines))
        # last written when its last record was, as in a folder that grew over weeks (a file written
        # seconds before a snapshot is made is compared byte for byte until it is older than that)
        when = datetime.fromisoformat(lines[-1]["recorded_at"]).timestamp()
        os.utime(path, (when, when))


def incoming_ledger(path: Path, plan_path: Path, records: int = 1000) -> None:
    """A ledger mailed from another PC: ``records`` marks of one unit, none of them already here."""
    from fazhi_cli import dates, ledger
    from fazhi_cli.plan import load_plan

    plan = load_plan(plan_path)
    rng = random.Random(-records)
    unit = sorted(plan.units)[1]
    mine = [p.id for p in plan.parts.values() if unit in p.lead_units + p.support_units]
    start = dates.now() - timedelta(hours=1)
    lines = [{"id": f"{rng.getrandbits(128):032x}", "type": "mark", "plan": plan.key, "part": rng.choice(mine),
              "unit": unit, "on": (date(2016, 9, 1) + timedelta(days=rng.randint(0, 800))).isoformat(),
              "note": f"来件{i}", "evidence": [], "by": "bench",
              "recorded_at": (start + timedelta(seconds=i)).isoformat(timespec="microseconds"),
              "cmd": f"{rng.getrandbits(128):032x}", "state": rng.choice(("doing", "done"))} for i in range(records)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ledger.encode(lines))


def make(*args: object) -> None:
    """Write benchmark data in a child process: a child forked from a parent holding 100k events would
    report the parent's memory as its own peak (ru_maxrss counts the pages it had before exec)."""
    subprocess.run([sys.executable, __file__, "--make", *map(str, args)], check=True)


def _make(args: list[str]) -> None:
    kind, *rest = args
    if kind == "realistic":
        realistic_ledger(Path(rest[0]), int(rest[1]) if len(rest) > 1 else None)
    elif kind == "synthetic-plan":
        synthetic_plan(Path(rest[0]))
    elif kind == "synthetic":
        synthetic_ledger(Path(rest[0]), Path(rest[1]), int(rest[2]))
    elif kind == "incoming":
        incoming_ledger(Path(rest[0]), Path(rest[1]))
    elif kind == "sync-history":
        sync_history(Path(rest[0]), Path(rest[1]), int(rest[2]))


def sync_history(share: Path, pc: Path, commits: int) -> None:
    """A shared repository holding ``commits`` syncs of one record each, over 40 units, and a PC that synced
    them all. Written directly (10,000 real syncs take hours), a pack per 2,000 syncs merged by the same
    ``packs.tidy`` that syncs run, so its size is what a year of syncs leaves."""
    from dulwich.objects import Blob, Commit, Tree
    from dulwich.repo import Repo

    from fazhi_cli import ledger
    from fazhi_cli.dates import now
    from fazhi_cli.plan import bundled_plan_path, load_plan
    from fazhi_cli.sync import State, packs, run as sync_run

    plan = load_plan(bundled_plan_path())
    pairs, seen = [], set()
    for part in plan.parts.values():
        for unit in part.lead_units:
            if unit not in seen and len(seen) < 40:
                seen.add(unit)
                pairs.append((part, unit))
    sync_run.sync(plan, pc, init_remote=str(share))
    r = Repo(str(share))
    head = r.refs[b"refs/heads/main"]
    top = r[r[head].tree]
    marker = top[b"fazhi-sync.json"][1]
    units: dict[str, bytes] = {}
    blobs: dict[str, bytes] = {}
    batch: list = []
    clock = 1_480_000_000
    for i in range(commits):
        part, unit = pairs[i % len(pairs)]
        event = ledger.new_event(plan, target=part.id, unit=unit, state=("doing", "done")[i % 2],
                                 on="2017-06-01", by="bench", cmd=ledger.new_id(), note=f"第 {i} 次同步的进展说明")
        name = f"{unit}.jsonl"
        units[name] = units.get(name, b"") + ledger.encode([event])
        b = Blob.from_string(units[name])
        blobs[name] = b.id
        progress = Tree()
        for n, sha in blobs.items():
            progress.add(n.encode("utf-8"), 0o100644, sha)
        root = Tree()
        root.add(b"fazhi-sync.json", 0o100644, marker)
        root.add(b"progress", 0o040000, progress.id)
        c = Commit()
        c.tree, c.parents = root.id, [head]
        c.author = c.committer = f"{unit} <bench@localhost>".encode("utf-8")
        c.author_time = c.commit_time = clock + i * 60
        c.author_timezone = c.commit_timezone = 8 * 3600
        c.message = f"{unit} 记录 1 条\n".encode("utf-8")
        batch += [b, progress, root, c]
        head = c.id
        if len(batch) >= 8000 or i == commits - 1:
            r.object_store.add_objects([(o, None) for o in batch])
            packs.tidy(r.object_store, limit=1)     # as a year of merges leaves it: one pack, deltified
            batch = []
    r.refs[b"refs/heads/main"] = head
    r.close()
    # the PC that synced it all: its repository a copy, its files the head's, its state at the head
    local = pc / ".sync" / "git"
    shutil.rmtree(local / "objects")
    shutil.copytree(share / "objects", local / "objects")
    lr = Repo(str(local))
    lr.refs[b"refs/heads/main"] = head
    lr.close()
    for name, data in units.items():
        (pc / "progress" / name).parent.mkdir(parents=True, exist_ok=True)
        (pc / "progress" / name).write_bytes(data)
    sync_run._write_state(pc, State(str(share), now().isoformat(), head.decode("ascii"), plan.key))


def bench_sync(tmp: Path, env: dict, base: list[str], runs: int, results: dict, kept: Path | None = None) -> list[str]:
    """A sync that sends one record at 1,000 and 10,000 commits on a path remote; a new PC's first sync;
    the shared repository's size against what `git gc --aggressive` makes of it. ``kept``: a folder where
    the histories are built and kept, and reused by the next run (the 10,000 takes half an hour)."""
    from fazhi_cli import ledger
    from fazhi_cli.plan import bundled_plan_path, load_plan

    plan = load_plan(bundled_plan_path())
    part = plan.parts["7.1"] if "7.1" in plan.parts else next(iter(plan.parts.values()))
    unit = part.lead_units[0]
    failures: list[str] = []
    results["sync"] = {}
    print(f"\nsync on a path remote (one record sent), a new PC's first sync, and the repository's size; "
          f"{runs} runs each, the two sizes and the floor interleaved in every round")
    print(f"{'commits':>10}  {'':<22}{'median':>10}{'x floor':>9}")
    sizes = (1_000, 10_000)
    where = kept or tmp
    where.mkdir(parents=True, exist_ok=True)
    for commits in sizes:         # both histories first: the two sizes are then timed in the same rounds
        done = where / f"share{commits}.done"
        if not done.exists():     # a build that was stopped half-way is built again
            shutil.rmtree(where / f"share{commits}.git", ignore_errors=True)
            shutil.rmtree(where / f"pc{commits}", ignore_errors=True)
            make("sync-history", where / f"share{commits}.git", where / f"pc{commits}", commits)
            done.write_text("built\n")
    times: dict[int, list[float]] = {c: [] for c in sizes}
    first_times: dict[int, list[float]] = {c: [] for c in sizes}
    floors: list[float] = []
    first_floors: list[float] = []
    for i in range(runs):
        for commits in sizes:
            pc = where / f"pc{commits}"
            event = ledger.new_event(plan, target=part.id, unit=unit, state=("doing", "done")[i % 2],
                                     on="2017-06-01", by="bench", cmd=ledger.new_id(), note="基准测试")
            with (pc / "progress" / f"{unit}.jsonl").open("ab") as f:
                f.write(ledger.encode([event]))
            senv = {**env, "FAZHI_HOME": str(pc)}
            senv.pop("FAZHI_UNIT", None)
            times[commits].append(run([*base, "sync"], senv)[0])
        floors.append(run(FLOOR, env)[0])
    for i in range(max(3, runs // 5)):
        for commits in sizes:
            fresh = tmp / f"fresh{commits}-{i}"
            fenv = {**env, "FAZHI_HOME": str(fresh)}
            fenv.pop("FAZHI_UNIT", None)
            first_times[commits].append(run([*base, "sync", str(where / f"share{commits}.git")], fenv)[0])
            shutil.rmtree(fresh, ignore_errors=True)
        first_floors.append(run(FLOOR, env)[0])
    for commits in sizes:
        share = where / f"share{commits}.git"
        one = {"median_s": statistics.median(times[commits]),
               "ratio": statistics.median(times[commits]) / statistics.median(floors)}
        first = {"median_s": statistics.median(first_times[commits]),
                 "ratio": statistics.median(first_times[commits]) / statistics.median(first_floors)}
        size = sum(f.stat().st_size for f in (share / "objects").rglob("*") if f.is_file())
        row = {"send one record": one, "first sync": first, "objects_bytes": size}
        if shutil.which("git"):
            copy = tmp / f"gc{commits}.git"
            shutil.copytree(share, copy)
            subprocess.run(["git", "-C", str(copy), "gc", "--aggressive", "-q"], check=True)
            row["git_gc_aggressive_bytes"] = sum(f.stat().st_size for f in (copy / "objects").rglob("*")
                                                 if f.is_file())
            shutil.rmtree(copy, ignore_errors=True)
        results["sync"][str(commits)] = row
        print(f"{commits:>10,}  {'send one record':<22}{one['median_s']:>9.2f}s{one['ratio']:>8.2f}x")
        print(f"{'':>10}  {'a new PC, first sync':<22}{first['median_s']:>9.2f}s{first['ratio']:>8.2f}x")
        gc = row.get("git_gc_aggressive_bytes")
        print(f"{'':>10}  {'repository size':<22}{size / 1024:>8.0f}KiB"
              + (f"  (git gc --aggressive: {gc / 1024:.0f} KiB, {size / gc:.2f}x)" if gc else ""))
    s1, s10 = results["sync"]["1000"], results["sync"]["10000"]
    growth = s10["send one record"]["median_s"] / s1["send one record"]["median_s"]
    results["sync"]["growth_1k_to_10k"] = growth
    print(f"one record at 10k commits: {s10['send one record']['ratio']:.2f} x floor (target <= 5), "
          f"{growth:.2f} x the 1k time (target <= 1.3); first sync at 10k: {s10['first sync']['ratio']:.1f} x floor "
          f"(target <= 30)")
    if s10["send one record"]["ratio"] > 5:
        failures.append(f"sync of one record at 10k commits: {s10['send one record']['ratio']:.1f} x floor (target 5)")
    if growth > 1.3:
        failures.append(f"sync of one record grows {growth:.2f} x from 1k to 10k commits (target 1.3)")
    if s10["first sync"]["ratio"] > 30:
        failures.append(f"first sync at 10k commits: {s10['first sync']['ratio']:.1f} x floor (target 30)")
    gc = s10.get("git_gc_aggressive_bytes")
    if gc and s10["objects_bytes"] > 2 * gc:
        failures.append(f"repository at 10k commits: {s10['objects_bytes'] / gc:.1f} x git gc --aggressive (target 2)")
    return failures


def after_mark(home: Path, plan_path: Path, cmd: list[str], env: dict, runs: int) -> dict[str, dict]:
    """`status` right after one more mark (appended here, outside the timing), interleaved with the floor."""
    from fazhi_cli import dates, ledger
    from fazhi_cli.plan import load_plan

    plan = load_plan(plan_path)
    part = next(iter(plan.parts.values()))
    unit = part.lead_units[0]
    path = home / "progress" / f"{unit}.jsonl"
    times, peaks, floors = [], [], []
    for i in range(runs):
        event = ledger.new_event(plan, target=part.id, unit=unit, state=("doing", "done")[i % 2],
                                 on=dates.now().date().isoformat(), by="bench", cmd=ledger.new_id(), note="基准测试")
        with path.open("ab") as f:
            f.write(ledger.encode([event]))
        elapsed, peak = run(cmd, env)
        times.append(elapsed)
        peaks.append(peak)
        floors.append(run(FLOOR, env)[0])
    median = statistics.median(times)
    return {"after a mark": {"median_s": median, "ratio": median / statistics.median(floors), "peak_mib": max(peaks),
                             "runs": runs}}


def after_undo(home: Path, plan_path: Path, cmd: list[str], env: dict, runs: int) -> dict[str, dict]:
    """`status` right after an undo (issue 25): a mark appended and shown (untimed), then its revoke appended
    as `fazhi undo` writes it, and `status` timed; interleaved with the floor."""
    from fazhi_cli import dates, ledger
    from fazhi_cli.plan import load_plan

    plan = load_plan(plan_path)
    part = list(plan.parts.values())[1]
    unit = part.lead_units[0]
    path = home / "progress" / f"{unit}.jsonl"
    times, peaks, floors = [], [], []
    for i in range(runs):
        on = dates.now().date().isoformat()
        mark = ledger.new_event(plan, target=part.id, unit=unit, state="done", on=on, by="bench", cmd=ledger.new_id(),
                                note="基准测试")
        with path.open("ab") as f:
            f.write(ledger.encode([mark]))
        run(cmd, env)
        undo = ledger.new_event(plan, target=part.id, unit=unit, state=None, on=on, by="bench", cmd=ledger.new_id(),
                                revokes=mark["id"])
        with path.open("ab") as f:
            f.write(ledger.encode([undo]))
        elapsed, peak = run(cmd, env)
        times.append(elapsed)
        peaks.append(peak)
        floors.append(run(FLOOR, env)[0])
    median = statistics.median(times)
    return {"after an undo": {"median_s": median, "ratio": median / statistics.median(floors), "peak_mib": max(peaks),
                              "runs": runs}}


def count_events(home: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in (home / "progress").glob("*.jsonl"))


# --- measuring ----------------------------------------------------------------

def measure(commands: dict[str, list[str]], env: dict, runs: int, warmup: int = 2) -> dict[str, dict]:
    names = ["floor", *commands]
    cmds = {"floor": FLOOR, **commands}
    for _ in range(warmup):
        for name in names:
            run(cmds[name], env)
    times: dict[str, list[float]] = {n: [] for n in names}
    peaks: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(runs):
        for name in names:  # interleaved: the floor runs in every round
            elapsed, peak = run(cmds[name], env)
            times[name].append(elapsed)
            peaks[name].append(peak)
    floor = statistics.median(times["floor"])
    return {n: {"median_s": statistics.median(times[n]), "ratio": statistics.median(times[n]) / floor,
                "peak_mib": max(peaks[n]), "runs": len(times[n])} for n in names}


def instructions(cmd: list[str], env: dict) -> int | None:
    """Instructions one run executes (valgrind's callgrind), which the machine's load does not change."""
    if not shutil.which("valgrind"):
        return None
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd], env=env,
                          capture_output=True)
    m = re.search(rb"Collected : (\d+)", proc.stderr)
    return int(m.group(1)) if m else None


def verdict(ratio: float, target: float | None, limit: float | None) -> str:
    if limit is not None and ratio > limit:
        return "OVER LIMIT"
    if target is not None and ratio > target:
        return "missed"
    return "ok" if target is not None else ""


class _Done(Exception):
    """--sync-only: the sync rows are measured; skip the rest."""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15, help="measured runs per command (default 15, at least 5)")
    ap.add_argument("--quick", action="store_true", help="the bundled plan only, no synthetic plan")
    ap.add_argument("--million", action="store_true", help="also the synthetic plan at 1,000,000 events")
    ap.add_argument("--instructions", action="store_true", help="also count instructions with valgrind")
    ap.add_argument("--json", type=Path, help="write the results to this file")
    ap.add_argument("--sync-only", action="store_true", help="only the sync rows (1k and 10k commits)")
    ap.add_argument("--histories", type=Path, help="build the sync rows' histories in this folder and keep them; "
                    "a later run reuses them (each timed sync adds a commit)")
    args = ap.parse_args()
    runs = max(5, args.runs)
    results: dict = {"date": date.today().isoformat(), "python": platform.python_version(),
                     "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpus", "runs": runs}
    try:
        from importlib.metadata import version

        results["versions"] = {p: version(p) for p in ("fazhi", "typer", "rich")}
    except Exception:  # noqa: BLE001 - only a label
        pass
    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    failures: list[str] = []
    try:
        home = tmp / "data"
        env = {**os.environ, "FAZHI_HOME": str(home), "FAZHI_CACHE_DIR": str(tmp / "cache"), "FAZHI_UNIT": "区法制办",
               "FAZHI_USER": "bench"}
        for var in ("FAZHI_PLAN", "FAZHI_NO_CACHE", "PYTHONDONTWRITEBYTECODE", "FAZHI_LANG"):
            env.pop(var, None)
        base = fazhi()
        if args.sync_only:
            failures += bench_sync(tmp, env, base, runs, results, args.histories)
            commands = {}
            raise _Done
        commands = {
            "fazhi status": [*base, "status"],
            "fazhi due": [*base, "due"],
            "fazhi status --format json": [*base, "status", "--format", "json"],
            "fazhi log": [*base, "log"],
            "fazhi mark": [*base, "mark", "7.1", "--on", "2017-11-30", "--note", "基准测试"],
            "fazhi --help": [*base, "--help"],
        }
        # issue 15's rows are the bundled plan with ~200 events; the plan's end (~2,500) is shown too
        for label, pairs in (("early", 200), ("late", None)):
            lhome = tmp / f"data-{label}"
            lenv = {**env, "FAZHI_HOME": str(lhome)}
            make("realistic", lhome, *([pairs] if pairs else []))
            n = count_events(lhome)
            print(f"\nbundled plan, {n} events ({label}; FAZHI_UNIT=区法制办); "
                  f"{runs} runs each, interleaved with the floor")
            res = measure(commands, lenv, runs)
            results[f"bundled_{label}"] = {"events": n, **res}
            if args.instructions:
                for name, cmd in {"floor": FLOOR, **commands}.items():
                    res[name]["instructions"] = instructions(cmd, lenv)
                floor_i = res["floor"]["instructions"]
                for r in res.values():
                    if r.get("instructions") and floor_i:
                        r["instructions_ratio"] = r["instructions"] / floor_i
            print(f"{'command':<28}{'median':>10}{'x floor':>9}{'target':>8}{'limit':>7}"
                  + (f"{'instr.':>12}{'x floor':>9}" if args.instructions else ""))
            for name, r in res.items():
                target, limit = TARGETS.get(name, (None, None))
                v = verdict(r["ratio"], target, limit)
                if v in ("missed", "OVER LIMIT") and label == "early":
                    failures.append(f"{name}: {r['ratio']:.2f} x floor ({v}; target {target})")
                line = (f"{name:<28}{r['median_s'] * 1000:>8.1f}ms{r['ratio']:>8.2f}x"
                        f"{'' if target is None else f'{target:>7.2f}x'}{'' if limit is None else f'{limit:>6.1f}x'}")
                if args.instructions and r.get("instructions"):
                    line = f"{line:<62}{r['instructions'] / 1e6:>9.0f} M{r.get('instructions_ratio', 1):>8.2f}x"
                print(f"{line}  {v}".rstrip())

        # Shell completion of unit names must not pull in tables or YAML.
        comp_env = {**env, "FAZHI_HOME": str(tmp / "data-early"), "_FAZHI_COMPLETE": "complete_bash", "COMP_WORDS": "fazhi mark 7 --unit 区法",
                    "COMP_CWORD": "4", "PYTHONPROFILEIMPORTTIME": "1"}
        proc = subprocess.run([sys.executable, "-c", "from fazhi_cli.cli import main; main()"], env=comp_env,
                              capture_output=True)
        imported = {line.split("|")[-1].strip() for line in proc.stderr.decode(errors="replace").splitlines()
                    if line.startswith("import time:")}
        heavy = sorted(m for m in imported if m in ("rich.table", "rich.console", "yaml", "tabulate")
                       or m.startswith("yaml."))
        offered = proc.stdout.decode(errors="replace").split()
        results["completion"] = {"offered": offered, "heavy_imports": heavy}
        print(f"completion of '--unit 区法': {' '.join(offered) or '(nothing)'}; heavy imports: {', '.join(heavy) or 'none'}")
        if heavy or "区法制办" not in offered:
            failures.append("completion imports " + ", ".join(heavy) if heavy else "completion offered no unit")

        if not args.quick:
            failures += synthetic(tmp, env, base, runs, args.million, results)
            failures += bench_sync(tmp, env, base, runs, results, args.histories)
    except _Done:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["failures"] = failures
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("\nall targets met" if not failures else "\nmissed: " + "; ".join(failures))
    return 1 if failures else 0


def synthetic(tmp: Path, env: dict, base: list[str], runs: int, million: bool, results: dict) -> list[str]:
    failures = []
    plan_path = tmp / "synthetic.yaml"
    make("synthetic-plan", plan_path)
    results["synthetic"] = {}
    sizes = [10_000, 100_000] + ([1_000_000] if million else [])
    print(f"\nsynthetic plan: 1,000 tasks, 3,000 parts, 200 units; `fazhi status`, {max(5, runs // 2)} runs each")
    print("  status: as a clerk runs it again (the state snapshot as kept); after a mark: one line appended")
    print("  before each run (the snapshot folds it in); no snapshot: FAZHI_NO_SNAPSHOT=1 (every record read)")
    print(f"{'events':>10}{'':>22}{'median':>10}{'x floor':>9}{'peak':>9}{'target':>22}")
    for events in sizes:
        shome = tmp / f"syn{events}"
        make("synthetic", shome, plan_path, events)
        senv = {**env, "FAZHI_HOME": str(shome), "FAZHI_PLAN": str(plan_path)}
        senv.pop("FAZHI_UNIT", None)
        n = max(5, runs // 2) if events < 1_000_000 else 3
        res = measure({"status": [*base, "status"]}, senv, n, warmup=1)
        res.update(after_mark(shome, plan_path, [*base, "status"], senv, n))
        res.update(after_undo(shome, plan_path, [*base, "status"], senv, n))
        res.update({k: v for k, v in measure({"no snapshot": [*base, "status"]}, {**senv, "FAZHI_NO_SNAPSHOT": "1"},
                                             n, warmup=1).items() if k != "floor"})
        make("incoming", tmp / "incoming" / "progress" / "mailed.jsonl", plan_path)
        whole = {name: [*base, *name.split()] for name in READ_ALL_100K}
        whole["import"] = [*base, "import", str(tmp / "incoming" / "progress" / "mailed.jsonl"), "--dry-run"]
        res.update({k: v for k, v in measure(whole, senv, n, warmup=1).items() if k != "floor"})
        results["synthetic"][str(events)] = res
        target = {100_000: f"<= {SYNTHETIC_100K_RATIO:g}x, <= {PEAK_MIB} MiB"}.get(events, "")
        for i, name in enumerate(("status", "after a mark", "after an undo", "no snapshot", *READ_ALL_100K)):
            r = res[name]
            beside = target if i == 0 else f"<= {READ_ALL_100K[name]:g}x" if name in READ_ALL_100K and events == 100_000 \
                else ""
            print(f"{f'{events:,}' if i == 0 else '':>10}  {name:<20}{r['median_s']:>9.2f}s{r['ratio']:>8.2f}x"
                  f"{r['peak_mib']:>6.0f}MiB{beside:>22}")
            if events == 100_000 and name in READ_ALL_100K and r["ratio"] > READ_ALL_100K[name]:
                failures.append(f"{name} at 100k events: {r['ratio']:.1f} x floor (target {READ_ALL_100K[name]:g})")
        shutil.rmtree(shome, ignore_errors=True)
    s10, s100 = (results["synthetic"][k]["status"] for k in ("10000", "100000"))
    growth = s100["ratio"] / s10["ratio"]
    results["synthetic"]["growth_10k_to_100k"] = growth
    print(f"growth from 10k to 100k events: {growth:.2f} (ratio of the two ratios; target <= {GROWTH})")
    if s100["ratio"] > SYNTHETIC_100K_RATIO:
        failures.append(f"status at 100k events: {s100['ratio']:.1f} x floor (target {SYNTHETIC_100K_RATIO})")
    if growth > GROWTH:
        failures.append(f"status grows {growth:.2f} x from 10k to 100k events (target {GROWTH})")
    if s100["peak_mib"] > PEAK_MIB:
        failures.append(f"status at 100k events peaks at {s100['peak_mib']:.0f} MiB (target {PEAK_MIB})")
    if million:
        m = results["synthetic"]["1000000"]["status"]
        over = m["median_s"] / s100["median_s"]
        results["synthetic"]["growth_100k_to_1m"] = over
        print(f"1M events: {over:.2f} x the 100k time (target <= {MILLION_GROWTH})")
        if over > MILLION_GROWTH:
            failures.append(f"status at 1M events: {over:.1f} x its 100k time (target {MILLION_GROWTH})")
    return failures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        _make(sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
