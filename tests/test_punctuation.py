"""Chinese punctuation in everything fazhi prints (issue 26's Done-when): every command that writes Chinese is run
through the CLI on the bundled plan with some records, and what it prints is scanned for a half-width
``: , ; ( ) ? !`` next to a Chinese character. Plan text keeps its own marks (the bundled plan writes its
headings with half-width commas), so a mark is left to the plan when the text around it is the plan's own.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from fazhi_cli import i18n
from fazhi_cli.i18n import t

from conftest import SOURCE

_HIT = re.compile(r"[\u4e00-\u9fff][:,;()?!]|[:,;()?!][\u4e00-\u9fff]")
# where a piece of text ends in a terminal table or a wrapped line
_EDGE = set("│┃┆┊║|─━═┌┐└┘├┤┬┴┼╭╮╯╰\n")


def _strings(obj: Any, out: set[str]) -> set[str]:
    """Every string in the plan's records (titles, texts, unit names, notes of groups, sources of deadlines)."""
    if isinstance(obj, str):
        out.add(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _strings(k, out)
            _strings(v, out)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            _strings(v, out)
    elif hasattr(obj, "__dict__") or hasattr(obj, "_fields"):
        fields = obj._fields if hasattr(obj, "_fields") else vars(obj)
        for name in fields:
            _strings(getattr(obj, name), out)
    return out


def _theirs(line: str, i: int, corpus: str) -> bool:
    """Whether the mark at ``line[i]`` is inside text written by others: the longest stretch around it found in
    the corpus reaches two characters on each side of it, or the edge of its table cell."""
    lo, hi = i, i + 1
    while lo > 0 and line[lo - 1] not in _EDGE:
        lo -= 1
    while hi < len(line) and line[hi] not in _EDGE:
        hi += 1
    while lo < i and line[lo] == " ":
        lo += 1
    while hi > i + 1 and line[hi - 1] == " ":
        hi -= 1
    a, b = i, i + 1
    grew = True
    while grew:
        grew = False
        if a > lo and line[a - 1:b] in corpus:
            a, grew = a - 1, True
        if b < hi and line[a:b + 1] in corpus:
            b, grew = b + 1, True
    if a == i and b == i + 1:
        return False
    return (i - a >= 2 or a == lo) and (b - i - 1 >= 2 or b == hi)


def _ours(text: str, corpus: str, paths: tuple[str, ...] = ()) -> list[str]:
    """The lines holding a half-width mark next to Chinese that is fazhi's own (paths stand aside as ``path``)."""
    found = []
    for line in text.splitlines():
        for p in paths:
            line = line.replace(p, "path")
        for m in _HIT.finditer(line):
            i = m.start() + (1 if line[m.start()] not in ":,;()?!" else 0)
            if not _theirs(line, i, corpus):
                found.append(line.strip()[:120])
                break
    return found


def _cells(text: str) -> str:
    """A CSV's cells, one a line, without its header row: the column names are a public interface, which scripts
    read by name (the lines before it, starting with #, say what the table is)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    first = next((i for i, row in enumerate(rows) if row and not row[0].startswith("#")), None)
    return "\n".join(cell for i, row in enumerate(rows) if i != first for cell in row)


@pytest.fixture
def office(cli, home, tmp_path):
    """A data folder with marks, a review, an extension, a waiver and a reminder, made through the CLI."""
    runs = [
        ("mark", "7.1", "-u", "区法制办", "--on", "2017-05-01", "-m", "已完成规范性文件清理", "--evidence",
         "番府办〔2017〕12号"),
        ("mark", "2.2", "-u", "区编办", "--on", "2017-01-15", "--state", "doing", "-m", "已起草"),
        ("mark", "summary-2016", "-u", "区编办", "--on", "2017-03-01", "-m", "已报送"),
        ("mark", "6.3", "-u", "区发展改革局", "--on", "2017-05-01"),
        ("review", "6.3", "-u", "区发展改革局", "--return", "-m", "材料不全", "--as", "区法制办"),
        ("extend", "2.2", "--to", "2018-06-30", "-r", "机构调整", "--as", "区法制办"),
        ("waive", "catalogue-2018", "-r", "该项工作已由上级统一部署", "--as", "区法制办"),
    ]
    for args in runs:
        r = cli(*args)
        assert r.exit_code == 0, (args, r.output)
    return home


COMMANDS = [
    ("status", "--as-of", "2017-12-31"),
    ("status", "--as-of", "2017-12-31", "--parts"),
    ("status", "--as-of", "2017-12-31", "--task", "7"),
    ("status", "--as-of", "2017-12-31", "--task", "6.3"),
    ("status", "--as-of", "2017-12-31", "--unit", "区编办"),
    ("status", "--as-of", "2017-12-31", "--duties"),
    ("status", "--as-of", "2017-12-31", "--task", "summary-2016"),
    ("status", "--as-of", "2017-12-31", "--format", "plain"),
    ("status", "--as-of", "2017-12-31", "--unit", "区编办", "--format", "plain"),
    ("status", "--as-of", "2017-12-31", "--format", "markdown"),
    ("status", "--as-of", "2017-12-31", "--unit", "区编办", "--format", "csv"),
    ("due", "--as-of", "2017-12-31"),
    ("due", "--as-of", "2017-12-31", "--format", "csv"),
    ("due", "--as-of", "2017-12-31", "--all"),
    ("due", "--as-of", "2017-12-31", "--unit", "区编办", "--format", "plain"),
    ("log",),
    ("log", "--format", "plain"),
    ("log", "--format", "csv"),
    ("show", "7"),
    ("show", "2"),
    ("show", "summary-2017"),
    ("units",),
    ("units", "--record", "--year", "2017", "--as-of", "2017-12-31"),
    ("units", "--record", "--year", "2017", "--as-of", "2017-12-31", "--format", "plain"),
    ("check",),
    ("report", "--year", "2017"),
    ("report", "--year", "2017", "--unit", "区编办"),
    ("remind", "--as", "区法制办", "--as-of", "2017-12-31", "--dry-run"),
    ("--help",),
    ("mark", "--help"),
    ("report", "--help"),
]

BAD = [
    ("mark", "99.9", "-u", "区编办", "--on", "2017-05-01"),
    ("mark", "7.1", "-u", "没有这个单位", "--on", "2017-05-01"),
    ("mark", "7.1", "-u", "区法制办", "--on", "2099-05-01"),
    ("mark", "7.1", "-u", "区法制办", "--on", "2010-05-01"),
    ("mark", "7.1", "--on", "2017-05-01"),
    ("status", "--as-of", "昨天"),
    ("status", "--light", "紫灯"),
    ("review", "7.1", "-u", "区法制办", "--as", "区法制办"),
    ("review", "6.3", "-u", "区发展改革局", "--return", "--as", "区法制办"),
    ("extend", "7.1", "--to", "2016-01-01", "-r", "x", "--as", "区法制办"),
    ("attach", "3.1", "-u", "区编办", "-m", "补充"),
    ("report", "--year", "2030"),
    ("report", "--year", "2017", "--format", "docx"),
    ("status", "--output", "x.pdf"),
    ("draft", "没有这个文件.txt"),
]


def _run_all(cli, tmp_path, plan) -> dict[str, list[str]]:
    corpus = "\n".join(sorted(_strings(plan, set()))) + "\n已完成规范性文件清理\n番府办〔2017〕12号\n已起草\n已报送\n" \
             "材料不全\n机构调整\n该项工作已由上级统一部署\n"
    skip = (str(tmp_path), str(plan.path))
    env = {"COLUMNS": "160"}
    found: dict[str, list[str]] = {}

    def scan(name: str, r: Any) -> None:
        out = _cells(r.stdout) if "csv" in name else r.stdout
        hits = _ours(out, corpus, skip) + _ours(r.stderr, corpus, skip)
        if hits:
            found[name] = hits

    for args in COMMANDS:
        r = cli(*args, env=env)
        assert r.exit_code in (0, 1), (args, r.output)
        assert r.stdout.strip() or r.stderr.strip(), args
        scan(" ".join(args), r)
    for args in BAD:
        r = cli(*args, env=env)
        assert r.exit_code in (1, 2), (args, r.output)
        assert "Traceback" not in r.stderr, (args, r.stderr)
        scan(" ".join(args), r)
    # what draft says of a notice it cannot use (its errors are said, not written into a plan file)
    for name, text in (("空.txt", ""), ("无任务.txt", "一、总则\n随便写点什么\n"), ("只有标题.txt", "某县2022年法治政府建设工作要点\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        r = cli("draft", str(tmp_path / name), "--output", str(tmp_path / f"{name}.yaml"), env=env)
        assert r.exit_code != 0, (name, r.output)
        scan(f"draft {name}", r)
    # what each writing command says when it records
    (tmp_path / "催办").mkdir()
    for args in [("review", "7.1", "-u", "区法制办", "--accept", "--as", "区法制办"),
                 ("mark", "7.1", "-u", "区法制办", "--on", "2017-06-01", "--state", "doing"),
                 ("attach", "7.1", "-u", "区法制办", "-m", "补充说明"),
                 ("undo", "-u", "区法制办"),
                 ("extend", "7.1", "--to", "2018-06-30", "-r", "机构调整", "-u", "区法制办", "--as", "区法制办"),
                 ("waive", "catalogue-2017", "-r", "不再适用", "--as", "区法制办"),
                 ("remind", "--as", "区法制办", "--as-of", "2017-12-31", "--output", str(tmp_path / "催办")),
                 ("report", "--year", "2017", "--unit", "区编办", "--output", str(tmp_path / "u.docx")),
                 ("status", "--as-of", "2017-12-31", "--output", str(tmp_path / "s.csv")),
                 ("draft", str(SOURCE), "--output", str(tmp_path / "方案.yaml"))]:
        r = cli(*args, env=env)
        assert r.exit_code == 0, (args, r.output)
        scan(" ".join(args), r)
    for notice in sorted((tmp_path / "催办").glob("*.txt")):
        hits = _ours(notice.read_text(encoding="utf-8"), corpus, skip)
        if hits:
            found[notice.name] = hits
    table = (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    hits = _ours(_cells(table), corpus, skip)
    if hits:
        found["s.csv"] = hits
    return found


def test_no_half_width_punctuation_next_to_chinese_in_what_fazhi_prints(cli, office, tmp_path, plan):
    found = _run_all(cli, tmp_path, plan)
    assert found == {}, "\n".join(f"{k}: {x}" for k, v in found.items() for x in dict.fromkeys(v))


def test_the_scan_sees_what_it_is_meant_to_see(plan):
    corpus = "\n".join(sorted(_strings(plan, set())))
    heading = plan.sections[0].heading
    assert "," in heading                                       # the plan writes its own half-width commas
    assert _ours(f"7 {heading}", corpus, ()) == []              # and they are the plan's
    assert _ours(f"│ {heading[:6]} │", corpus, ()) == []       # even cut by a table cell
    assert _ours(f"已记录 7.1 区法制办: 已完成(2017-05-01)", corpus, ()) != []
    assert _ours(f"{heading}(已完成)", corpus, ()) != []        # fazhi's brackets around plan text are fazhi's
    assert _ours("已记录 7.1 区法制办：已完成（2017-05-01）", corpus, ()) == []


def test_english_keeps_its_own_punctuation():
    i18n.set_lang("en")
    assert t("分项 {n} 个:已完成", "{n} parts: done", n=3) == "3 parts: done"
