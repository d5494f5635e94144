"""What people and programs read: literal text, widths, exports, hostile text."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from rich.cells import cell_len
from rich.console import Console, Group

from fazhi_cli import progress, render


def show(renderables, width=100, color_system=None) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=color_system, force_terminal=bool(color_system))
    console.print(Group(*renderables))
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())


def due_2016(plan, fmt):
    st = progress.status(plan, [], date(2016, 11, 15))
    return render.due_view(plan, progress.due_items(st, within=60), st.as_of, fmt)


def test_due_table_literal(plan):
    assert show(due_2016(plan, "table")) == "\n".join([
        "截至 2016-11-15：3 项待办，其中 0 项已逾期",
        "",
        "期限        距期限      灯    状态    事项                                      尚欠单位",
        "─" * 88,
        "2016-12-31  还有 46 天  绿灯  未开始  2.2                                       区编办",
        "                                      基本完成权责清单的公布",
        "2016-12-31  还有 46 天  绿灯  未开始  catalogue-2016                            区政府办",
        "                                      2016年重大行政决策事项目录                区监察局",
        "                                                                                区法制办",
        "2016-12-31  还有 46 天  绿灯  未开始  report-2016                               区法制办",
        "                                      2016年向区人大常委会报告依法行政工作情况",
    ])


def test_due_plain_literal(plan):
    assert due_2016(plan, "plain") == "\n".join([
        "番禺区创建珠三角法治政府示范区工作方案（番府办〔2016〕60号）",
        "截至 2016-11-15：3 项待办，其中 0 项已逾期",
        "",
        "期限        距期限      灯    状态    事项                                                  尚欠单位",
        "----------  ----------  ----  ------  ----------------------------------------------------  ----------------------------",
        "2016-12-31  还有 46 天  绿灯  未开始  2.2 基本完成权责清单的公布                            区编办",
        "2016-12-31  还有 46 天  绿灯  未开始  catalogue-2016 2016年重大行政决策事项目录             区政府办、区监察局、区法制办",
        "2016-12-31  还有 46 天  绿灯  未开始  report-2016 2016年向区人大常委会报告依法行政工作情况  区法制办",
    ]) + "\n"


def test_status_fits_80_columns(plan):
    st = progress.status(plan, [], date(2017, 12, 1))
    text = show(render.status_view(plan, st, st.tasks, "table"), width=80)
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert "番禺区创建珠三角法治政府示范区工作方案（番府办〔2016〕60号）" in text
    assert "截至 2017-12-01 · 距总体目标（2018-12-31）还有 395 天" in text
    assert "红灯" in text and "黄灯" in text


def test_status_colours_lights_in_a_terminal(plan):
    st = progress.status(plan, [], date(2017, 12, 1))
    text = show(render.status_view(plan, st, st.tasks, "table"), width=80, color_system="standard")
    assert "\x1b[1;37;41m红灯" in text      # white on red
    assert "\x1b[1;30;43m黄灯" in text      # black on yellow


def test_fold_keeps_chinese_aligned_and_punctuation_attached():
    from fazhi_cli.render.table import fold

    assert fold("区人力资源和社会保障局", 12) == ["区人力资源和", "社会保障局"]
    assert fold("推进机构、职能", 8) == ["推进机", "构、职能"]       # 、 never starts a line
    assert fold("lead units here", 9) == ["lead", "units", "here"]
    assert fold("短", 1) == ["短"]                                       # a wide character always fits


def test_fold_keeps_a_count_with_its_label():
    # at 80 columns the unit view's header once ended a line with 本单位红灯 and began the next with 51,
    # and the status summary split 未开始 0 into 未开 / 始 0: a short phrase holding a number moves whole
    from fazhi_cli.render.table import fold

    head = "区编办:负责事项 51 项(牵头 24,配合 27):已完成 0,进行中 1,未开始 50;本单位红灯 51,黄灯 0"
    assert fold(head, 80) == ["区编办:负责事项 51 项(牵头 24,配合 27):已完成 0,进行中 1,未开始 50;",
                              "本单位红灯 51,黄灯 0"]
    summary = "分项 3000 个:已完成 703(其中逾期完成 457),进行中 2297(其中仅配合单位启动 4),未开始 0;红灯 2297"
    assert fold(summary, 80)[1].startswith("未开始 0;")
    # a phrase without a number, or too long to move, still folds where it reaches the edge
    assert fold("区人力资源和社会保障局", 12) == ["区人力资源和", "社会保障局"]
    assert fold("推进:区人力资源和社会保障局工作", 12) == ["推进:区人力", "资源和社会保", "障局工作"]


def test_grid_never_exceeds_the_terminal(plan):
    from fazhi_cli.render.table import Grid

    st = progress.status(plan, [], date(2017, 12, 1))
    for width in (60, 80, 100, 160):
        text = show(render.status_view(plan, st, st.tasks, "table"), width=width)
        assert max(cell_len(line) for line in text.splitlines()) <= width, width
    grid = Grid(["a", "b"], [[("x" * 50, ""), ("y" * 50, "")]], no_wrap=())
    assert sum(grid.widths(40)) + 2 <= 40


def test_csv_has_bom_and_defuses_formulas(plan):
    out = render.text_table("csv", ["a", "b"], [["=HYPERLINK(\"http://x\")", "-5"], ["区编办", 3], ["-1+cmd", "@SUM(A1)"],
                                                ["+1", "-"]])
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    # a plain number stays a number; a placeholder is an empty cell, never '-
    assert rows == [["a", "b"], ["'=HYPERLINK(\"http://x\")", "-5"], ["区编办", "3"], ["'-1+cmd", "'@SUM(A1)"],
                    ["+1", ""]]


HOSTILE = "[bold]x[/bold] [link=http://example.org]y[/link] \x1b[31mred \x1b]52;c;aGk=\x07 \x9b2J \u202eevil \x00"


def test_hostile_text_is_shown_literally_in_rich():
    table = render.terminal_table(["h"], [[HOSTILE]])
    text = show([table], color_system="truecolor")
    assert "[bold]x[/bold]" in text and "[link=http://example.org]y[/link]" in text
    assert "\\x1b[31mred" in text and "\\x1b]52;c;aGk=\\x07" in text and "\\x9b2J" in text and "\\u202eevil" in text
    body = text.replace("\x1b[1m", "").replace("\x1b[0m", "")   # Rich's own header style
    assert "\x1b" not in body and "\x07" not in body and "\x9b" not in body and "\u202e" not in body
    assert "\x1b]8;" not in text                                   # no hyperlink


def test_hostile_text_in_text_formats_and_json():
    for fmt in ("plain", "markdown", "csv"):
        out = render.text_table(fmt, ["h"], [[HOSTILE]])
        assert "[bold]x[/bold]" in out
        assert not any(c in out for c in "\x1b\x07\x9b\u202e\x00"), fmt
    out = render.to_json({"note": HOSTILE})
    assert not any(c in out for c in "\x1b\x07\x9b\u202e\x00")
    assert json.loads(out)["note"] == HOSTILE                      # still exact for programs


# Marks that reorder or hide text without showing themselves: Arabic letter mark,
# zero-width space/joiners and LRM/RLM, bidi embeddings and overrides, word
# joiner and invisible operators, isolates and the deprecated format marks,
# BOM, line and paragraph separators.
INVISIBLE = [0x061C, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
             *range(0x2066, 0x2070), 0xFEFF, 0x2028, 0x2029]


def test_invisible_and_bidi_marks_are_shown_as_escapes():
    for c in INVISIBLE:
        text = f"区{chr(c)}法制办"
        assert render.safe(text) == f"区\\u{c:04x}法制办", hex(c)
        for fmt in ("plain", "markdown", "csv"):
            out = render.text_table(fmt, ["h"], [[text]]).removeprefix("\ufeff")   # CSV's own BOM, for Excel
            assert chr(c) not in out, (hex(c), fmt)
        out = render.to_json({"unit": text})
        assert chr(c) not in out and json.loads(out)["unit"] == text, hex(c)
        assert chr(c) not in show([render.terminal_table(["h"], [[text]])]), hex(c)


def test_tag_characters_are_escaped_and_json_stays_exact():
    hidden = "ok" + "".join(chr(0xE0000 + ord(ch)) for ch in "rm -rf")   # "ASCII smuggling"
    assert render.safe(hidden) == "ok" + "".join(f"\\U{0xE0000 + ord(ch):08x}" for ch in "rm -rf")
    out = render.to_json({"note": hidden})
    assert not any(0xE0000 <= ord(ch) <= 0xE007F for ch in out)
    assert json.loads(out)["note"] == hidden


# --- JSON as json.dumps(indent=2) writes it, faster ----------------------------------------

from hypothesis import given, settings  # noqa: E402

from fazhi_cli.render import escape, jsontext  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON_TEXT = st.text(st.sampled_from(list('ab"\\\n\t\x00\x1b\x7f\x85\u202e\u2028中文€') + ["\U0001d400", "\U000e0041"]),
                    max_size=6)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), JSON_TEXT, st.just([]), st.just({}),
                      st.floats(allow_nan=True, allow_infinity=True))
JSON_VALUE = st.recursive(JSON_LEAF, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.tuples(kids, kids), st.dictionaries(JSON_TEXT, kids, max_size=4),
    st.dictionaries(st.one_of(st.integers(0, 3), st.none(), st.booleans()), kids, max_size=2)), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUE)
def test_indented_json_is_what_json_dumps_writes(value):
    assert jsontext.dumps_indented(value) == json.dumps(value, ensure_ascii=False, indent=2)
    # and to_json escapes exactly what translate() escaped
    assert render.to_json(value) == json.dumps(value, ensure_ascii=False, indent=2).translate(escape._JSON_TABLE) + "\n"


def test_arrays_of_plain_objects_are_indented_as_json_dumps_indents_them():
    tricky = ["}\x00{", "\x00", "\x01", "},{", "}\n{", "中文", ""]
    for value in ([{"a": x, "b": [], "c": {}, "d": None} for x in tricky], [{"a": 1}, {"b": True, "c": ""}],
                  {"k": [[{"x": "}\x00{"}, {"y": 2}]]}, [{"a": 1}, {}], [{"a": [1]}, {"b": 2}],
                  # objects with the same keys (a part's units), written from one template
                  [{"%s": "%s", "b%": x, "c": [], "d": 1, "e": False} for x in tricky],
                  [{"a": 1, "b": [2]}, {"a": 1, "b": []}], [{"a": 1, "b": 2}, {"b": 2, "a": 1}], [{"a": {}}],
                  [{"a": [{"x": 1}], "b": "%", "c": {"d": [[]]}}, {"a": [], "b": "", "c": {}}],
                  [{"a": (1, 2)}, {"a": ()}], [{"a": 1.5}, {"a": 2}], [{"a": [1.5]}, {"a": []}]):
        assert jsontext.dumps_indented(value) == json.dumps(value, ensure_ascii=False, indent=2)


@given(st.dictionaries(st.text(max_size=3), JSON_VALUE, max_size=4), st.sets(st.integers(0, 3)))
def test_a_document_written_as_it_goes_is_what_json_dumps_writes(doc, lazy):
    # arrays made while they are written (status --format json) give the text the whole document gives
    streamed = {k: jsontext.Lazy(lambda v=v: iter(v)) if i in lazy and type(v) is list else v
                for i, (k, v) in enumerate(doc.items())}
    whole = json.dumps(doc, ensure_ascii=False, indent=2)
    assert "".join(jsontext.pieces_indented(streamed)) == whole
    assert str(escape.JsonDoc(streamed)) == render.to_json(doc)
    assert bytes(escape.JsonDoc(streamed)) == render.to_json(doc).encode("utf-8")


@given(st.lists(st.tuples(JSON_VALUE, JSON_VALUE), max_size=4))
def test_a_table_is_written_as_its_objects(rows):
    keys = ("a", "%s")
    table = jsontext.Table(keys, rows)
    objects = [dict(zip(keys, r)) for r in rows]
    for doc, whole in (({"t": table, "n": 1}, {"t": objects, "n": 1}), ([table], [objects])):
        assert jsontext.dumps_indented(doc) == json.dumps(whole, ensure_ascii=False, indent=2)
    assert "".join(jsontext.pieces_indented({"t": jsontext.Lazy(lambda: [{"u": table}])})) == json.dumps(
        {"t": [{"u": objects}]}, ensure_ascii=False, indent=2)


def test_the_status_view_in_json_is_written_as_it_goes(plan):
    from fazhi_cli.render import views

    for day, light in ((date(2017, 12, 1), None), (date(2019, 3, 1), None), (date(2017, 12, 1), "red"),
                       (date(2017, 12, 1), "green")):
        st_ = progress.status(plan, [], day)
        got = render.status_view(plan, st_, st_.tasks, "json", light)
        # the document as it was built whole before
        doc = render.status_json(plan, st_, st_.tasks, (lambda p: p.light == light) if light else None)
        duties = [d for d in st_.duties if light is None or d.light == light]
        doc["duties"] = [views._duty_json(d) for d in duties]
        doc["duties_summary"] = progress.count(duties)
        assert str(got) == render.to_json(doc)


def test_a_status_document_is_written_by_the_fast_path(plan):
    st_ = progress.status(plan, [], date(2017, 12, 1))
    doc = render.status_json(plan, st_, st_.tasks)
    out: list[str] = []
    jsontext._indented(doc, out, "\n")                   # raises _Unusual where json.dumps would take over
    assert "".join(out) == json.dumps(doc, ensure_ascii=False, indent=2)


def test_the_json_escape_search_finds_exactly_the_escaped_characters():
    found = {c for c in range(0x110000) if jsontext.has_marks(chr(c).encode("utf-8", "surrogatepass"))}
    assert found == set(escape._JSON_TABLE)
    assert not jsontext.has_marks("中文“引号”——(全角)…".encode())
