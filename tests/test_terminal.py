"""The terminal writer prints exactly the bytes Rich's Console prints, without importing Rich."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, Group

from fazhi_cli import ledger, progress, record, render
from fazhi_cli.render.terminal import Screen, Text, draw, show

SYSTEMS = [None, "standard", "256", "truecolor"]


def by_rich(items, width, color_system=None, no_color=False) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=color_system, force_terminal=color_system is not None,
            no_color=no_color, highlight=False).print(Group(*items))
    return out.getvalue()


def by_us(items, width, color_system=None, no_color=False) -> str:
    return draw(items, Screen(width, color_system is not None, no_color))


@pytest.fixture(scope="module")
def marked(plan, tmp_path_factory):
    """A record with every state, lateness, notes, evidence and a revoke."""
    root = tmp_path_factory.mktemp("data")
    for target, unit, state, on in [("2.2", "区编办", "done", "2016-12-20"), ("7", "区法制办", "done", "2018-01-15"),
                                    ("6.2", "区财政局", "doing", "2017-05-01"), ("27", "石楼镇", "done", "2017-05-01"),
                                    ("plan-2017", "区检察院", "done", "2017-03-01"),
                                    ("plan-2017", "区编办", "done", "2017-04-20")]:
        record.mark(plan, root, target=target, unit=unit, state=state, on=on, note="第一行\n第二行 with a long note",
                    evidence=["番府办〔2017〕12号", "https://example.org/a-very-long-address/that/goes/on"], by="测试")
    record.mark(plan, root, target="19.1", unit="区法制办", state="done", on="2018-06-01", note=None, evidence=[],
                by="x")
    record.undo(plan, root, "区法制办")
    return ledger.read_ledger(root, plan).events


def views(plan, events):
    """Every terminal view, for two days (one after the plan's target: the final account)."""
    for day in (date(2017, 12, 1), date(2019, 3, 11)):
        st_ = progress.status(plan, events, day)
        yield render.status_view(plan, st_, st_.tasks, "table")
        yield render.status_view(plan, st_, st_.tasks, "table", by_part=True)
        yield render.status_view(plan, st_, st_.tasks, "table", light="red")
        yield render.status_view(plan, st_, st_.tasks, "table", light="yellow")
        yield render.unit_view(plan, st_, "区法制办", st_.tasks, "table")
        yield render.unit_view(plan, st_, "区编办", st_.tasks, "table", light="red")
        yield render.task_detail_view(plan, st_, st_.tasks[6], "table")
        yield render.duties_view(plan, st_, "table")
        yield render.duty_detail_view(plan, st_, st_.duties[0], "table")
        yield render.due_view(plan, progress.due_items(st_, within=60), day, "table")
        yield render.due_view(plan, progress.due_items(st_, everything=True, unit="区法制办"), day, "table",
                              everything=True, unit="区法制办")
    yield render.log_view(events, "table")
    yield render.log_view([], "table")
    yield render.show_view(plan, plan.tasks["7"], "table")
    yield render.units_view(plan, "table")


@pytest.mark.parametrize("width", [20, 40, 60, 80, 100, 123, 160, 250])
def test_every_view_is_written_as_rich_writes_it(plan, marked, width):
    for items in views(plan, marked):
        items = items if isinstance(items, list) else [items]
        for system in SYSTEMS:
            for no_color in (False, True):
                assert by_us(items, width, system, no_color) == by_rich(items, width, system, no_color)


def test_a_view_is_coloured_only_on_a_terminal(plan):
    st_ = progress.status(plan, [], date(2017, 12, 1))
    items = render.status_view(plan, st_, st_.tasks, "table")
    coloured = by_us(items, 100, "standard")
    assert "\x1b[1;37;41m红灯\x1b[0m" in coloured and "\x1b[1;30;43m黄灯\x1b[0m" in coloured
    plain = by_us(items, 100)
    assert "\x1b" not in plain and "红灯" in plain
    assert "\x1b[4" not in by_us(items, 100, "standard", no_color=True)   # NO_COLOR: bold stays, colours go


LINE = st.lists(st.sampled_from(list("法治政府建设 ab-c,。、)") + ["中文", "x", "  ", "\u3000", "é", "e\u0301",
                                                                   "〔2016〕", "www.example.org/path"]),
                max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.tuples(LINE, st.sampled_from(["", "bold", "dim", "bold red", "green", "italic"])),
                      max_size=4),
       width=st.integers(min_value=1, max_value=120), system=st.sampled_from(SYSTEMS), no_color=st.booleans())
def test_lines_fold_as_rich_folds_them(texts, width, system, no_color):
    items = [Text(x, style=s) for x, s in texts] + [""]
    assert by_us(items, width, system, no_color) == by_rich(items, width, system, no_color)


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


ENVS = [{}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"NO_COLOR": "1"}, {"FORCE_COLOR": "1", "NO_COLOR": "1"},
        {"TTY_COMPATIBLE": "0"}, {"TTY_COMPATIBLE": "1"}, {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
        {"TERM": "dumb"}, {"TERM": "unknown", "COLUMNS": "120"}, {"TERM": "dumb", "COLUMNS": "120", "LINES": "30"},
        {"COLUMNS": "57"}, {"COLUMNS": "abc"}, {"COLUMNS": "0"}, {"TERM": "xterm-256color"},
        {"COLORTERM": "truecolor"}]


@pytest.mark.skipif(sys.platform == "win32", reason="Windows output is left to Rich")
@pytest.mark.parametrize("env", ENVS, ids=lambda e: ",".join(f"{k}={v}" for k, v in e.items()) or "none")
@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
def test_the_screen_is_judged_as_rich_judges_it(plan, monkeypatch, env, tty):
    for var in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TERM", "COLUMNS", "LINES", "COLORTERM"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    st_ = progress.status(plan, [], date(2017, 12, 1))
    items = render.status_view(plan, st_, st_.tasks, "table")
    ours, theirs = (FakeTTY() if tty else io.StringIO()), (FakeTTY() if tty else io.StringIO())

    def outcome(write):
        try:
            write()
        except Exception as e:  # COLUMNS=0 fails in Rich; it must fail alike here
            return type(e)
        return None

    assert outcome(lambda: show(items, stream=ours)) == outcome(
        lambda: Console(file=theirs, highlight=False).print(Group(*items)))
    assert ours.getvalue() == theirs.getvalue()


def test_anything_unknown_goes_to_rich(plan):
    from rich.panel import Panel

    assert draw([Panel("x")], Screen(80, False, False)) is None
    assert draw(["[bold]markup[/bold]"], Screen(80, False, False)) is None   # a string is markup to Rich
    assert draw([Text("a\x07b")], Screen(80, False, False)) is None           # Rich strips some controls
    out = io.StringIO()
    show([Text("标题", style="bold"), Panel("x")], stream=out)
    assert out.getvalue() == by_rich([Text("标题", style="bold"), Panel("x")], Console(file=io.StringIO()).width)


def test_status_imports_no_rich_console(home):
    # the point of the writer: a terminal table without Rich's Console, Text, Segment or Style
    code = ("import os, sys; sys.argv = ['fazhi', 'status', '--as-of', '2017-12-01']\n"
            "os._exit = lambda code: None  # let the run return here\n"
            "from fazhi_cli.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m in "
            "('rich.console', 'rich.text', 'rich.segment', 'rich.style', 'rich.color')), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"FAZHI_HOME": str(home),
                       "PATH": "", "FORCE_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    assert "\x1b[1;37;41m红灯" in r.stdout
    assert r.stderr.strip().splitlines()[-1] == "[]", r.stderr
