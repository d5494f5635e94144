"""Hostile inputs, family 4: command-line arguments (the promise checked: catalogue.py).

Impossible and blank dates, escapes and invalid UTF-8 in units, targets and
options, huge or blank notes and evidence, values out of range and options
that contradict each other.
"""

from __future__ import annotations

from hostile.catalogue import ALM, C1, ESC, OSC52, RLO, Call, Case, case, cases_of, judge


def _writes(c: Case) -> bool:
    """A case of a command that writes a record: it runs on the signed data folder too (the views and the
    options they share read a signed folder as they read an unsigned one, test_keys.py)."""
    (call,) = c.build(None)         # an argument case is its arguments, whatever the folder
    return any(a in ("mark", "attach", "undo", "import") for a in call.args[:3])


def pytest_generate_tests(metafunc):
    # the family is built below, after the test that runs it
    if "c" in metafunc.fixturenames:
        metafunc.parametrize("c,signed", cases_of("args", signed=_writes))


def test_hostile_input(c: Case, signed: bool, cli, variants, tmp_path):
    judge(c, cli, variants[signed], tmp_path)


# === 4. command-line arguments ======================================================

def args_case(name: str, *args: str, env: dict | None = None, process: bool = False) -> None:
    case("args", name, posix=process)(lambda ctx: [Call(list(args), env or {}, process=process)])


DATED = {"status-as-of": ["status", "--as-of"], "due-as-of": ["due", "--as-of"],
         "mark-on": ["mark", "7", "-u", "区法制办", "--on"], "log-since": ["log", "--since"],
         "status-known-at": ["status", "--known-at"], "due-known-at": ["due", "--known-at"],
         "log-known-at": ["log", "--known-at"]}
for _where, _args in DATED.items():
    for _bad in ("2017-13-45", "9999-12-31", "0000-00-00"):
        args_case(f"{_where}-{_bad}", *_args, _bad)
for _name, _bad in {"empty": "", "blank": "   ", "june-31": "2017-06-31", "fullwidth": "２０１７-０６-３０",
                    "escape": "2017-6-30" + ESC, "1e9": "1e9", "yesterday": "yesterday"}.items():
    args_case(f"as-of-{_name}", "due", "--as-of", _bad)
args_case("since-empty", "log", "--since", "")
args_case("known-at-empty", "log", "--known-at", "")
for _bad in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "9999-06-30T00:00", "1000-01-01T00:00",
             "2017-06-30T25:00", "2017-06-30T18:00" + RLO, "2017-06-30T18:00" + OSC52, "T", "2017-06-30 18:00 x"):
    args_case(f"known-at-{_bad}", "status", "--known-at", _bad)

UNIT_COMMANDS = {"mark": ["mark", "7"], "attach": ["attach", "7", "-m", "补充"], "undo": ["undo"],
                 "status": ["status"], "due": ["due"], "log": ["log"]}
for _cmd, _args in UNIT_COMMANDS.items():
    for _label, _unit in {"unknown": "火星局", "esc": ESC + "区编办", "rlo": "区编办" + RLO, "osc52": OSC52,
                          "blank": "   ", "path": "../区编办"}.items():
        args_case(f"{_cmd}-unit-{_label}", *_args, "-u", _unit)
args_case("fazhi-unit-with-escapes", "mark", "7", env={"FAZHI_UNIT": OSC52 + "区法制办"})
args_case("fazhi-unit-blank", "undo", env={"FAZHI_UNIT": " "})

for _name, _args in {"mark": ["mark", OSC52, "-u", "区法制办"], "show": ["show", "7" + ESC],
                     "status-task": ["status", "--task", RLO + "7"], "log-task": ["log", "--task", C1 + "7"],
                     "attach": ["attach", ESC + "7", "-u", "区法制办", "-m", "x"],
                     "status-section": ["status", "--section", "二" + ALM], "show-empty": ["show", ""],
                     "mark-part-of-another-unit": ["mark", "4.1", "-u", "区法制办"]}.items():
    args_case(f"id-{_name}", *_args)

_BAD_BYTES = b"\xff\xfe\x1b[31m".decode("utf-8", "surrogateescape")
for _name, (_args, _env) in {
    "mark-note": (["mark", "7", "-u", "区法制办", "--note", _BAD_BYTES], {}),
    "mark-evidence": (["mark", "7", "-u", "区法制办", "--evidence", _BAD_BYTES + ".pdf"], {}),
    "mark-by": (["mark", "7", "-u", "区法制办", "--by", _BAD_BYTES], {}),
    "mark-fazhi-user": (["mark", "7", "-u", "区法制办"], {"FAZHI_USER": _BAD_BYTES}),
    "attach-note": (["attach", "7", "-u", "区法制办", "--note", _BAD_BYTES], {}),
    "attach-evidence": (["attach", "7", "-u", "区法制办", "--evidence", _BAD_BYTES], {}),
    "undo-fazhi-user": (["undo", "-u", "区法制办"], {"FAZHI_USER": _BAD_BYTES}),
    "mark-target": (["mark", "7" + _BAD_BYTES, "-u", "区法制办"], {}),
    "mark-unit": (["mark", "7", "-u", "区法制办" + _BAD_BYTES], {}),
    "status-unit": (["status", "-u", _BAD_BYTES], {}),
    "show-task": (["show", _BAD_BYTES], {}),
    "due-as-of": (["due", "--as-of", "2017-06-30" + _BAD_BYTES], {}),
    "fazhi-unit": (["mark", "7"], {"FAZHI_UNIT": _BAD_BYTES}),
    "lang": (["--lang", _BAD_BYTES, "status"], {}),
    "plan-path": (["status", "--plan", _BAD_BYTES + ".yaml"], {}),
    "import-path": (["import", _BAD_BYTES + ".jsonl"], {}),
}.items():
    args_case(f"invalid-utf8-{_name}", *_args, env=_env, process=True)

MARK = ["mark", "7", "-u", "区法制办", "--on", "2017-11-30"]
args_case("huge-note", *MARK, "--note", "长" * 100_000)
args_case("blank-note", *MARK, "--note", "   ")
args_case("note-with-escape", *MARK, "--note", "完成" + OSC52)
args_case("note-with-c1", *MARK, "--note", "完成" + C1)
args_case("21-evidence", *MARK, *[x for i in range(21) for x in ("--evidence", f"番府办〔2017〕{i}号")])
args_case("empty-evidence", *MARK, "--evidence", "")
args_case("huge-evidence", *MARK, "--evidence", "文" * 501)
args_case("evidence-with-escape", *MARK, "--evidence", "文号" + ESC)
args_case("by-with-escape", *MARK, "--by", "张三" + ESC)
args_case("huge-by", *MARK, "--by", "人" * 101)
args_case("attach-nothing", "attach", "7", "-u", "区法制办")
args_case("attach-to-nothing-recorded", "attach", "24.1", "-u", "区财政局", "-m", "x")
args_case("undo-with-nothing-to-undo", "undo", "-u", "区财政局")
for _value in ("-1", "36601", "many", "1e3"):
    args_case(f"within-{_value}", "due", "--within", _value)
for _value in ("-1", "3661", "x"):
    args_case(f"warn-days-{_value}", "status", "--warn-days", _value)
for _value in ("fr", ESC, "", "zh-CN"):
    args_case(f"lang-{_value.encode('unicode_escape').decode() or 'empty'}", "--lang", _value, "status")
for _cmd in ("status", "due", "mark", "attach", "undo", "log", "import", "show", "units", "check"):
    args_case(f"unknown-option-{_cmd}", _cmd, "--bogus" + ESC)
args_case("unknown-command", "nosuch" + OSC52)
args_case("option-without-value", "status", "--as-of")
args_case("limit-0", "log", "--limit", "0")
args_case("format-xml", "status", "--format", "xml" + ESC)
args_case("light-blue", "status", "--light", "blue")
args_case("state-finished", *MARK, "--state", "finished")
args_case("section-99", "status", "--section", "99")
args_case("unit-and-all-units", "due", "-u", "区编办", "--all-units")
args_case("unit-and-task", "status", "-u", "区编办", "--task", "2")
