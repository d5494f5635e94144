"""Hostile inputs, family 3: plan-cache entries, each a silent miss (the promise checked: catalogue.py).

Wrong bytes, damaged fields, a valid entry of another plan, entries that are
a FIFO, a folder, a link or a device, and cache folders that are no private
folder: the true plan answers, as it does without the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

from fazhi_cli import plancache
from hostile.catalogue import (C1, CASES, ESC, OSC52, PLAN_TEXT, RLO, Call, Case, Ctx, case, cases_of, edited,
                               entry_name, judge)


def pytest_generate_tests(metafunc):
    # the family is built below, after the test that runs it
    if "c" in metafunc.fixturenames:
        metafunc.parametrize("c,signed", cases_of("cache"))


def test_hostile_input(c: Case, signed: bool, cli, variants, tmp_path):
    judge(c, cli, variants[signed], tmp_path)


# === 3. plan-cache entries: a silent miss, the true plan answers ====================

CACHE_QUESTIONS = (["status", "--as-of", "2017-12-01", "--format", "json"],
                   ["due", "--all", "--as-of", "2017-12-01", "--format", "json"], ["show", "7", "--format", "json"],
                   ["units", "--format", "json"], ["status", "--task", "7", "--as-of", "2017-12-01", "--format", "plain"])


def cache_case(name: str, make: Callable[["Ctx", Path], None], *, process: bool = False) -> None:
    n = sum(c.family == "cache" for c in CASES)
    question = CACHE_QUESTIONS[n % len(CACHE_QUESTIONS)]

    def build(ctx):
        make(ctx, ctx.cache / entry_name())
        return [Call(question, {"FAZHI_CACHE_DIR": str(ctx.cache)}, process=process)]
    case("cache", name, "miss", posix=process)(build)


def _bytes(data: bytes | str):
    def make(ctx, entry):
        entry.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return make


def _good(ctx) -> dict:
    return json.loads((ctx.p.cache / entry_name()).read_bytes())


def _damaged(change: Callable[[dict], object]):
    def make(ctx, entry):
        doc = _good(ctx)
        change(doc)
        # a lone surrogate is written as the escape \ud800, as a hand-made entry would have it
        entry.write_bytes(json.dumps(doc, ensure_ascii=False).encode("utf-8", "backslashreplace"))
    return make


def _set(path: tuple, value):
    def change(doc):
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


CACHE_BYTES = {
    "an-empty-list": "[]", "null": "null", "a-number": "42", "a-string": '"plan"', "an-empty-mapping": "{}",
    "an-empty-file": "", "not-utf8": b"\xff\xfe{}", "nan": "NaN", "deep-lists": "[" * 100_000,
    "deep-mappings": '{"a":' * 100_000, "a-5000-digit-number": "1" * 5000, "escapes": OSC52 + ESC + C1,
    "only-the-format": json.dumps({"format": plancache.FORMAT}), "yaml-instead": PLAN_TEXT,
    "lone-surrogate-escape": '{"format": "\\ud800"}',
}
for _name, _data in CACHE_BYTES.items():
    cache_case(_name, _bytes(_data))

CACHE_DAMAGE = {
    "another-plans-digest": (("plan_blake2b",), "0" * 64),
    "another-format": (("format",), "fazhi-plan-cache-0"),
    "meta-too-short": (("meta",), []),
    "part-id-with-escape": (("tasks", 6, 4, 0, 0), "7.1" + ESC),
    "part-id-with-rlo": (("tasks", 6, 4, 0, 0), "7.1" + RLO),
    "unit-kind-with-escape": (("units", 0, 1), "department" + OSC52),
    "lead-unit-unknown": (("tasks", 6, 4, 0, 6), ["区法制办" + RLO]),
    "name-to-nowhere": (("names", "区编办"), "区编办" + C1),
    "warn-days-nan": (("meta", 7), float("nan")),
    "warn-days-infinite": (("meta", 7), 1e999),
    "due-impossible": (("tasks", 6, 4, 0, 4), "2017-02-30"),
    "year-out-of-range": (("obligations", 0, 2), 10_000),
    "title-a-lone-surrogate": (("meta", 0), "\ud800"),
}
for _name, (_where, _value) in CACHE_DAMAGE.items():
    cache_case(_name, _damaged(_set(_where, _value)))


@case("cache", "the-entry-is-a-valid-one-for-another-plan", "miss")
def _(ctx):
    other = ctx.plan(edited('due: "2017-12-31"', 'due: "2071-12-31"'), "other.yaml")
    env = {"FAZHI_CACHE_DIR": str(ctx.cache)}
    cli_env = {**os.environ, **ctx.env, **env}
    subprocess.run([sys.executable, "-m", "fazhi_cli", "show", "7", "--plan", str(other)], env=cli_env,
                   capture_output=True, timeout=60, check=True)
    (entry,) = [p for p in ctx.cache.glob("plan-*.json")]
    entry.rename(ctx.cache / entry_name())
    return [Call(["show", "7", "--format", "json"], env)]


def _special_entry(kind: str):
    def make(ctx, entry):
        if kind == "fifo":
            os.mkfifo(entry)
        elif kind == "folder":
            entry.mkdir()
        elif kind == "loop":
            entry.symlink_to(entry)
        elif kind == "link-to-a-valid-entry":
            elsewhere = ctx.cache / "elsewhere.json"
            elsewhere.write_bytes((ctx.p.cache / entry_name()).read_bytes())
            entry.symlink_to(elsewhere)
        elif kind == "sparse":
            with open(entry, "wb") as f:
                f.truncate(100 * 1024 * 1024)
        else:
            entry.symlink_to(kind)
    return make


for _kind in ("fifo", "folder", "loop", "link-to-a-valid-entry", "sparse", "/dev/zero", "/dev/urandom",
              "/proc/self/status"):
    cache_case(f"an-entry-that-is-{_kind.strip('/').replace('/', '-')}", _special_entry(_kind), process=True)


def _cache_folder(kind: str):
    def build(ctx):
        folder = ctx.cache / "folder"
        if kind == "a-file":
            folder.write_bytes(b"x")
        elif kind == "a-fifo":
            os.mkfifo(folder)
        elif kind == "writable-by-all":
            folder.mkdir()
            folder.chmod(0o777)
            (folder / entry_name()).write_bytes(b"[]")
        elif kind == "a-link-to-dev-null":
            folder.symlink_to("/dev/null")
        return [Call(CACHE_QUESTIONS[0], {"FAZHI_CACHE_DIR": str(folder)}, process=True)]
    return build


for _kind in ("a-file", "a-fifo", "writable-by-all", "a-link-to-dev-null"):
    case("cache", f"the-cache-folder-is-{_kind}", "miss", posix=True)(_cache_folder(_kind))
