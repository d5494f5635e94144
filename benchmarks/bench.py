"""Whole-process timings for fazhi, against the floor of any CLI on its stack.

Run from the project's virtual environment, after `pip install .` (or -e .):

    python benchmarks/bench.py              # the bundled plan, a realistic ledger
    python benchmarks/bench.py --synthetic  # also a 1,000-task plan with 10k and 100k events
    python benchmarks/bench.py --runs 21 --json benchmarks/out/last.json

The floor is `python -c "import typer, yaml, rich.console, rich.table"`: the
interpreter plus the imports no command on this stack can avoid. Every
command runs as a fresh process, interleaved with the floor in each round
(so machine noise hits both alike), and the median of the runs is reported
with its ratio to the floor's median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOOR = [sys.executable, "-c", "import typer, yaml, rich.console, rich.table"]

TARGETS = {  # command -> largest allowed ratio to the floor
    "fazhi --help": 1.2,
    "fazhi status": 1.3,
    "fazhi due": 1.3,
    "fazhi mark": 1.5,
}


def fazhi() -> list[str]:
    script = Path(sys.executable).with_name("fazhi.exe" if os.name == "nt" else "fazhi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fazhi_cli"]


def run(cmd: list[str], env: dict) -> tuple[float, int]:
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

def realistic_ledger(home: Path) -> int:
    """Every responsible unit with a few events on each of its parts."""
    from fazhi_cli import ledger
    from fazhi_cli.plan import load_plan

    plan = load_plan()
    rng = random.Random(60)
    per_unit: dict[str, list[dict]] = {}
    for part in plan.parts.values():
        for unit in part.lead_units + part.support_units:
            for step in ("doing", "doing", "done")[: rng.randint(1, 3)]:
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
    from fazhi_cli import ledger
    from fazhi_cli.plan import load_plan

    plan = load_plan(plan_path)
    rng = random.Random(events)
    pairs = [(p.id, u) for p in plan.parts.values() for u in p.lead_units + p.support_units]
    per_unit: dict[str, list[bytes]] = {}
    for i in range(events):
        pid, unit = rng.choice(pairs)
        on = date(2016, 9, 1) + timedelta(days=rng.randint(0, 800))
        e = ledger.new_event(plan, target=pid, unit=unit, state=rng.choice(("doing", "done")), on=on.isoformat(),
                             note=f"第{i}条", by="bench", cmd=ledger.new_id())
        per_unit.setdefault(unit, []).append(json.dumps(e, ensure_ascii=False).encode() + b"\n")
    folder = home / "progress"
    folder.mkdir(parents=True, exist_ok=True)
    for unit, lines in per_unit.items():
        (folder / f"{unit}.jsonl").write_bytes(b"".join(lines))


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
                "peak_mib": max(peaks[n])} for n in names}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15, help="measured runs per command (default 15, at least 10)")
    ap.add_argument("--synthetic", action="store_true", help="also time the 1,000-task plan at 10k and 100k events")
    ap.add_argument("--json", type=Path, help="write the results to this file")
    args = ap.parse_args()
    runs = max(10, args.runs)
    results: dict = {"date": date.today().isoformat(), "python": platform.python_version(),
                     "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpus", "runs": runs}
    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    failures = []
    try:
        home = tmp / "data"
        cache = tmp / "cache"
        env = {**os.environ, "FAZHI_HOME": str(home), "FAZHI_CACHE_DIR": str(cache), "FAZHI_UNIT": "区法制办",
               "FAZHI_USER": "bench"}
        env.pop("FAZHI_PLAN", None)
        env.pop("FAZHI_NO_CACHE", None)
        n = realistic_ledger(home)
        print(f"bundled plan, realistic ledger of {n} events; {runs} runs each, interleaved with the floor")
        base = fazhi()
        commands = {
            "fazhi --help": [*base, "--help"],
            "fazhi status": [*base, "status"],
            "fazhi due": [*base, "due"],
            "fazhi mark": [*base, "mark", "7.1", "--on", "2017-11-30", "--note", "基准测试"],
        }
        res = measure(commands, env, runs)
        results["bundled"] = res
        print(f"{'command':<16}{'median':>10}{'ratio':>8}{'target':>8}")
        for name, r in res.items():
            target = TARGETS.get(name)
            ok = target is None or r["ratio"] <= target
            if not ok:
                failures.append(f"{name}: {r['ratio']:.2f} x floor > {target}")
            print(f"{name:<16}{r['median_s'] * 1000:>8.1f}ms{r['ratio']:>7.2f}x"
                  f"{'' if target is None else f'{target:>7.1f}x'}{'' if ok else '  MISSED'}")

        # Shell completion of unit names must not pull in tables or YAML.
        comp_env = {**env, "_FAZHI_COMPLETE": "complete_bash", "COMP_WORDS": "fazhi mark 7 --unit 区法", "COMP_CWORD": "4",
                    "PYTHONPROFILEIMPORTTIME": "1"}
        proc = subprocess.run([sys.executable, "-c", "from fazhi_cli.cli import main; main()"], env=comp_env,
                              capture_output=True)
        imported = {line.split("|")[-1].strip() for line in proc.stderr.decode(errors="replace").splitlines()
                    if line.startswith("import time:")}
        heavy = sorted(m for m in imported if m in ("rich.table", "yaml", "tabulate", "filelock") or m.startswith("yaml."))
        offered = proc.stdout.decode(errors="replace").split()
        results["completion"] = {"offered": offered, "heavy_imports": heavy}
        print(f"completion of '--unit 区法': {' '.join(offered) or '(nothing)'}; heavy imports: {', '.join(heavy) or 'none'}")
        if heavy or "区法制办" not in offered:
            failures.append("completion imports " + ", ".join(heavy) if heavy else "completion offered no unit")

        if args.synthetic:
            plan_path = tmp / "synthetic.yaml"
            synthetic_plan(plan_path)
            results["synthetic"] = {}
            print("\nsynthetic plan: 1,000 tasks, 3,000 parts, 200 units")
            print(f"{'events':>8}  {'command':<14}{'median':>10}{'peak':>10}")
            for events in (10_000, 100_000):
                shome = tmp / f"syn{events}"
                synthetic_ledger(shome, plan_path, events)
                senv = {**env, "FAZHI_HOME": str(shome), "FAZHI_PLAN": str(plan_path)}
                res = measure({"status": [*base, "status"], "due": [*base, "due"]}, senv, max(5, runs // 3), warmup=1)
                results["synthetic"][str(events)] = res
                for name in ("status", "due"):
                    r = res[name]
                    print(f"{events:>8}  {'fazhi ' + name:<14}{r['median_s']:>9.2f}s{r['peak_mib']:>7.0f}MiB")
            s10, s100 = (results["synthetic"][k]["status"] for k in ("10000", "100000"))
            growth = s100["median_s"] / s10["median_s"]
            print(f"status at 100k events is {growth:.1f} x its time at 10k (target <= 12)")
            for k, r in results["synthetic"].items():
                for name in ("status", "due"):
                    if r[name]["peak_mib"] > 300:
                        failures.append(f"{name} at {k} events peaks at {r[name]['peak_mib']:.0f} MiB")
            if s100["median_s"] > 2.0:
                failures.append(f"status at 100k events takes {s100['median_s']:.2f} s")
            if growth > 12:
                failures.append(f"status grows {growth:.1f} x from 10k to 100k events")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["failures"] = failures
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print("\nall targets met" if not failures else "\nmissed: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
