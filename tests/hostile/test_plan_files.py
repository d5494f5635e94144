"""Hostile inputs, family 2: plan files (the promise checked: catalogue.py).

Tags, aliases, bombs, encodings, wrong types, hostile ids, titles and unit
names, and plans that are a FIFO, a folder, a link or a device.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from hostile.catalogue import (CASES, OSC52, PLAN_TEXT, RLO, YAML_CHARS, Call, Case, Ctx, calls, case, cases_of,
                               edited, judge)


def pytest_generate_tests(metafunc):
    # the family is built below, after the test that runs it
    if "c" in metafunc.fixturenames:
        metafunc.parametrize("c,signed", cases_of("plan"))


def test_hostile_input(c: Case, signed: bool, cli, variants, tmp_path):
    judge(c, cli, variants[signed], tmp_path)


# === 2. plan files =================================================================

# None of them names task 7 or section 二, which some cases rename.
PLAN_COMMANDS = (["status"], ["due"], ["check"], ["mark", "1", "-u", "区编办", "--on", "2017-11-30"], ["show", "1"],
                 ["units"])
_TITLE = 'title: "加强规范性文件管理"'


def plan_case(name: str, make: Callable[["Ctx"], Path | str], *, process: bool = False, posix: bool = False,
              expect: str = "refused") -> None:
    n = sum(c.family == "plan" for c in CASES)
    command = PLAN_COMMANDS[n % len(PLAN_COMMANDS)]

    def build(ctx):
        plan = make(ctx)
        first = Call([*command, "--plan", plan], process=process)
        if expect == "refused":
            return [first]
        return [first, *calls(["status", "--plan", plan, "--format", "plain"], ["show", "7", "--plan", plan],
                              ["due", "--all", "--plan", plan, "--format", "plain"], ["units", "--plan", plan],
                              ["check", "--plan", plan])]
    case("plan", name, expect, posix or process)(build)


def _text_plan(text: str | bytes):
    return lambda ctx: ctx.plan(text)


RAW_PLANS = {
    # tags that build objects, run code or read files
    "python-object-apply": edited(_TITLE, 'title: !!python/object/apply:os.system ["touch CANARY"]'),
    "python-name": edited(_TITLE, "title: !!python/name:os.system"),
    "python-module": edited(_TITLE, "title: !!python/module:os"),
    "binary-tag": edited(_TITLE, "title: !!binary aGVsbG8="),
    "set-tag": edited(_TITLE, "title: !!set {a, b}"),
    "omap-tag": edited(_TITLE, "title: !!omap [a: 1]"),
    "custom-tag": edited(_TITLE, "title: !evil x"),
    "tag-directive": "%TAG !e! tag:example.com,2000:\n---\n" + edited(_TITLE, "title: !e!x 加强"),
    # anchors, aliases and bombs
    "anchor-and-alias": edited(_TITLE, 'title: &t "加强规范性文件管理"\n    text: *t'),
    "merge-key": edited("plan:\n", "base: &b {title: x}\nplan:\n  <<: *b\n"),
    "billion-laughs": "a: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)),
    "deep-flow-lists": "[" * 200_000,
    "deep-flow-mappings": "{a: " * 100_000,
    "deep-block-nesting": "".join(" " * i + "a:\n" for i in range(1500)),
    "a-2-mib-file": "#" * (2 * 1024 * 1024),
    "a-million-items": "tasks:\n" + "- 1\n" * 250_000,
    "a-long-key": "x" * 900_000 + ": 1\n",
    # encodings and characters
    "tab-indentation": PLAN_TEXT.replace("\n  title:", "\n\ttitle:", 1),
    "invalid-utf8": PLAN_TEXT.encode("utf-8").replace(b"\xe5\x8a\xa0\xe5\xbc\xba", b"\xff\xfe", 1),
    "utf16": PLAN_TEXT.encode("utf-16"),
    "gbk": PLAN_TEXT.encode("gbk", "replace"),
    "nul-byte": edited(_TITLE, 'title: "加强\x00管理"'),
    "raw-escape": edited(_TITLE, 'title: "加强\x1b[31m管理"'),
    "raw-c1": edited(_TITLE, 'title: "加强\x9b2J管理"'),
    "lone-surrogate-escape": edited(_TITLE, 'title: "加强\\ud800管理"'),
    # wrong types everywhere
    "empty": "",
    "only-comments": "# nothing\n",
    "two-documents": PLAN_TEXT + "\n---\nplan: {}\n",
    "a-list": "- a\n- b\n",
    "a-scalar": "plan\n",
    "plan-is-a-list": edited("plan:\n  title:", "plan: []\nx:\n  title:"),
    "plan-is-null": PLAN_TEXT.replace("\nplan:\n", "\nplan:\nplan_old:\n", 1),
    "sections-a-mapping": edited("sections:\n", "sections: {}\nsections_old:\n"),
    "units-a-string": edited("units:\n", "units: 区编办\nunits_old:\n"),
    "tasks-null": PLAN_TEXT.replace("\ntasks:\n", "\ntasks:\ntasks_old:\n", 1),
    "task-id-a-list": edited('- id: "1"\n', '- id: [1]\n'),
    "task-id-a-mapping": edited('- id: "1"\n', '- id: {a: 1}\n'),
    "parts-a-mapping": edited('    parts:\n      - id: "1.1"', '    parts: {}\n    x:\n      - id: "1.1"'),
    "due-a-list": edited('due: "2018-12-31"', "due: [2018]"),
    "due-a-timestamp": edited('due: "2018-12-31"', "due: 2018-12-31T10:00:00"),
    "due-feb-30": edited('due: "2018-12-31"', 'due: "2017-02-30"'),
    "due-five-digit-year": edited('due: "2018-12-31"', 'due: "99999-12-31"'),
    "lead-a-scalar": edited("lead: [区编办, 区法制办]", "lead: 区编办"),
    "lead-empty": edited("lead: [区编办, 区法制办]", "lead: []"),
    "lead-nested": edited("lead: [区编办, 区法制办]", "lead: [[区编办]]"),
    "years-a-scalar": edited("years: [2017, 2018]", "years: 2017"),
    "years-a-float": edited("years: [2017, 2018]", "years: [2017.5]"),
    "years-far": edited("years: [2017, 2018]", "years: [99999]"),
    "years-arabic": edited("years: [2017, 2018]", "years: [٢٠١٧]"),
    "warn-days-negative": edited("warn_days: 30", "warn_days: -1"),
    "warn-days-huge": edited("warn_days: 30", "warn_days: 1e9"),
    "signed-feb-30": edited('signed: "2016-08-15"', 'signed: "2016-02-30"'),
    "target-null": edited('target: "2018-12-31"', "target:"),
    "unknown-kind": edited("  - name: 区编办\n    full_name: 番禺区机构编制委员会办公室\n    kind: department\n",
                            "  - name: 区编办\n    full_name: 番禺区机构编制委员会办公室\n    kind: [department]\n"),
    "settings-a-list": edited("settings:\n", "settings: []\nsettings_old:\n"),
    # bad ids
    "task-id-empty": edited('- id: "1"\n', '- id: ""\n'),
    "part-id-superscript": edited('- id: "1.1"', '- id: "1.\u00b2"'),
    "part-id-escape": edited('- id: "1.1"', '- id: "1.1\\e[2J"'),
    "part-id-path": edited('- id: "1.1"', '- id: "../1.1"'),
    "part-id-duplicate": edited('- id: "2.1"', '- id: "1.1"'),
    "task-id-duplicate": edited('- id: "2"\n', '- id: "1"\n'),
    "recurring-id-path": edited("- id: plan\n", "- id: a/b\n"),
    "recurring-id-escape": edited("- id: plan\n", '- id: "plan\\e[2J"\n'),
    "section-undefined": edited("section: 一\n", "section: 九\n"),
    "section-id-duplicate": edited("- id: 二\n", "- id: 一\n"),
}
for _name, _text in RAW_PLANS.items():
    # as processes: those that could exhaust the stack or memory, and those that would run a command (in the
    # case's folder, where a CANARY would show)
    plan_case(_name, _text_plan(_text), process=_name.startswith(("deep-", "a-million", "a-long-key", "python-")))

# hostile unit names (units are file names and appear on terminals)
UNIT_NAMES = {"escape": "区编\\e[31m办", "osc52": "区编\\e]52;c;aGk=\\a办", "c1": "区编\\x9b办", "rlo": "区编\\u202e办",
              "alm": "区编\\u061c办", "zero-width": "区编\\u200b办", "bom": "区编\\ufeff办", "line-separator": "区编\\u2028办",
              "con": "CON", "com-superscript": "COM\u00b9", "con-space-ext": "CON .x", "parent": "../区编办",
              "slash": "区/编办", "backslash": "区\\\\编办", "nul": "区\\0编办", "leading-dot": ".区编办",
              "too-long": "区" * 65}
for _name, _unit in UNIT_NAMES.items():
    plan_case(f"unit-name-{_name}", _text_plan(edited("  - name: 区编办\n", f'  - name: "{_unit}"\n')))

# escapes in ids, and in titles (text, shown inert)
for _label, _s in YAML_CHARS.items():
    plan_case(f"{_label}-in-a-task-id", _text_plan(edited('- id: "7"\n', f'- id: "7{_s}"\n')))
    plan_case(f"{_label}-in-a-section-id", _text_plan(edited("- id: 二\n", f'- id: "二{_s}"\n').replace(
        "section: 二\n", f'section: "二{_s}"\n')))
    plan_case(f"{_label}-in-an-alias", _text_plan(edited("aliases: [区公安分局]", f'aliases: [区公安分局, "区公安{_s}局"]')))
    plan_case(f"{_label}-in-a-full-name", _text_plan(edited("full_name: 番禺区机构编制委员会办公室",
                                                             f'full_name: "番禺区机构{_s}编制委员会办公室"')))
    plan_case(f"{_label}-in-the-plan-number", _text_plan(edited("number: 番府办〔2016〕60号", f'number: "番府办{_s}〔2016〕60号"')))
    plan_case(f"{_label}-in-a-title", _text_plan(edited(_TITLE, f'title: "加强{_s}规范性文件管理"')), expect="inert")
    plan_case(f"{_label}-in-the-plan-title", _text_plan(edited("  title: 番禺区创建珠三角法治政府示范区工作方案\n",
                                                                 f'  title: "番禺区{_s}工作方案"\n')), expect="inert")


def _special_plan(kind: str):
    def make(ctx):
        path = ctx.root / "plan.yaml"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(path)
        elif kind == "missing-with-escapes":
            return ctx.root / f"{OSC52}{RLO}.yaml"
        elif kind == "sparse":
            with open(path, "wb") as f:
                f.truncate(100 * 1024 * 1024)
        else:
            path.symlink_to(kind)
        return path
    return make


for _kind in ("fifo", "folder", "loop", "missing-with-escapes", "sparse", "/dev/zero", "/dev/null", "/dev/urandom"):
    plan_case(f"a-plan-that-is-{_kind.strip('/').replace('/', '-')}", _special_plan(_kind), process=True)
plan_case("dev-zero-named-directly", lambda ctx: "/dev/zero", process=True)
plan_case("proc-self-status", lambda ctx: "/proc/self/status", process=True)
