"""A terminal table for Chinese text, cheap enough to draw on every run.

Rich's Table measures and renders every cell through several layers; for
the 38-row status table that was most of the command's run time. This grid
does the same job for the simple layout fazhi needs (a header, a rule,
rows, columns two spaces apart): fixed columns take their widest cell,
wrapping columns share the rest of the terminal in proportion to their
natural widths, and text folds by display width, so Chinese stays aligned.
It draws itself as lines of (text, style) runs: ``terminal.show`` writes
them without Rich, and ``__rich_console__`` hands the same runs to Rich as
segments (for the exported SVG and HTML, and wherever Rich draws the view).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from rich.cells import cell_len, get_character_cell_size

GAP = "  "
MIN_WRAP = 12         # a wrapping column keeps this much (most unit names) while it can
_NO_LINE_START = set("、,。;:)》」』〕】!?,.;:)")


_WORD = re.compile(r"[!-~]")  # printable ASCII: a word, a number, an option, a range
# a phrase begins after one of these; a short one holding a number (未开始 0, 本单位红灯 51) is kept whole
_PHRASE_END = frozenset("、,。;:,;:)》」』〕】!?(《「『〔【(")
MAX_PHRASE = 16       # cells


def _phrase_start(line: list[str], text: str, i: int, width: int) -> int:
    """Where in ``line`` the phrase running on through ``text[i]`` begins, when it holds a count and fits
    a line: it then moves to the next line whole. 0 when it does not apply."""
    p = len(line)
    while p > 0 and line[p - 1] not in _PHRASE_END:
        p -= 1
    if p == 0 or p == len(line):
        return 0
    j = i
    while j < len(text) and text[j] not in _PHRASE_END:
        j += 1
    phrase = "".join(line[p:]) + text[i:j]
    if any(c.isdigit() for c in phrase) and cell_len(phrase.strip()) <= min(MAX_PHRASE, width):
        return p
    return 0


def _word_start(line: list[str]) -> int:
    """Where the Latin word at the end of ``line`` begins (0: the whole line is one word)."""
    k = len(line)
    while k > 0 and _WORD.match(line[k - 1]):
        k -= 1
    return k


def fold_names(text: str, width: int) -> list[str]:
    """Names joined by 、, broken into lines only between names (a name is never split)."""
    out: list[str] = []
    line = ""
    for name in text.split("、"):
        piece = name if not line else "、" + name
        if line and cell_len(line + piece) > width:
            out.append(line + "、")
            line = name
        else:
            line += piece
    out.append(line)
    return out


def _longest_word(text: str) -> int:
    """The widest piece of a cell that must not be broken: a Latin word, an id, a number."""
    return max((len(w) for w in re.findall(r"[!-~]+", text)), default=0)


def fold(text: str, width: int) -> list[str]:
    """Break one line of text into pieces at most `width` cells wide.

    Latin text breaks at spaces where it can; CJK text breaks anywhere,
    except that closing punctuation never starts a line: it takes the
    character before it along to the next line.
    """
    width = max(width, 2)  # room for one wide character
    if cell_len(text) <= width:
        return [text]
    latin = text.isascii()
    out: list[str] = []
    line: list[str] = []
    used = 0
    for i, ch in enumerate(text):
        w = get_character_cell_size(ch)
        if used + w > width and line:
            if latin and " " in line:
                k = len(line) - 1 - line[::-1].index(" ")
                out.append("".join(line[:k]).rstrip())
                line = line[k + 1:]
            elif not latin and (k := _phrase_start(line, text, i, width)):
                out.append("".join(line[:k]))
                line = line[k:]
                while line and line[0] == " ":
                    line.pop(0)
            elif _WORD.match(ch) and _WORD.match(line[-1]) and _word_start(line) > 0:
                # a Latin word or number inside Chinese text moves whole to the next line
                k = _word_start(line)
                out.append("".join(line[:k]))
                line = line[k:]
            elif ch in _NO_LINE_START and len(line) > 1:
                # the punctuation takes the character (or the Latin word) before it along
                k = _word_start(line) if _WORD.match(line[-1]) else len(line) - 1
                k = k if k > 0 else len(line) - 1
                out.append("".join(line[:k]))
                line = line[k:]
            else:
                out.append("".join(line))
                line = []
            used = sum(get_character_cell_size(c) for c in line)
            if ch == " " and not line:
                continue
        line.append(ch)
        used += w
    if line:
        out.append("".join(line))
    return out


class Grid:
    """Rows of (text, style) cells; a cell's text may hold several lines."""

    def __init__(self, headers: Sequence[str], rows: Iterable[Sequence[tuple[str, str]]],
                 no_wrap: Sequence[int] = (), atoms: Iterable[int] = (), drop: Sequence[int] = (),
                 names: Iterable[int] = ()) -> None:
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        # atoms: columns of names, one per line, never folded inside a name
        self.no_wrap = set(no_wrap) | set(atoms)
        self.drop = list(drop)   # columns to leave out, in this order, when a terminal is too narrow
        self.names = set(names)  # columns of names joined by 、: folded only between names

    def kept(self, total: int) -> list[int]:
        """The columns a terminal of ``total`` cells shows."""
        keep = list(range(len(self.headers)))
        for col in self.drop:
            if self._needs(keep) <= total:
                break
            keep.remove(col)
        return keep

    def fitted(self, total: int) -> "Grid":
        """This grid, less the optional columns a terminal of ``total`` cells has no room for."""
        keep = self.kept(total)
        if len(keep) == len(self.headers):
            return self
        index = {c: i for i, c in enumerate(keep)}
        return Grid([self.headers[c] for c in keep], [[row[c] for c in keep] for row in self.rows],
                    [index[c] for c in self.no_wrap if c in index], names=[index[c] for c in self.names if c in index])

    def _unbreakable(self, col: int) -> int:
        """The widest piece of this column that folding must keep whole."""
        cells = [row[col][0] for row in self.rows]
        if col in self.names:
            return max((cell_len(n) for text in cells for line in text.split("\n") for n in line.split("、")), default=0)
        return max((_longest_word(text) for text in cells), default=0)

    def _needs(self, cols: Sequence[int]) -> int:
        """The narrowest this grid can be with these columns: fixed ones whole, the others at their floor."""
        need = len(GAP) * (len(cols) - 1)
        for c in cols:
            widest = max([cell_len(self.headers[c])] + [cell_len(x) for row in self.rows for x in row[c][0].split("\n")])
            need += widest if c in self.no_wrap else min(widest, max(MIN_WRAP, self._unbreakable(c)))
        return need

    def widths(self, total: int) -> list[int]:
        """Column widths that fit `total` cells whenever the fixed columns allow."""
        natural = [cell_len(h) for h in self.headers]
        for row in self.rows:
            for i, (text, _) in enumerate(row):
                natural[i] = max(natural[i], *(cell_len(x) for x in text.split("\n")))
        room = total - len(GAP) * (len(natural) - 1)
        wrap = [i for i in range(len(natural)) if i not in self.no_wrap]
        if sum(natural) <= room or not wrap:
            return natural
        widths = list(natural)
        share = room - sum(w for i, w in enumerate(natural) if i in self.no_wrap)
        floor = {i: min(natural[i], max(MIN_WRAP, self._unbreakable(i))) for i in wrap}
        if share <= sum(floor.values()):
            # a narrow terminal: split what there is evenly, two cells at least
            each = max(2, share // len(wrap))
            for i in wrap:
                widths[i] = min(natural[i], each)
            return widths
        # every wrapping column gets its floor, then the rest in proportion
        # to how much more it would like
        spare = share - sum(floor.values())
        want = {i: natural[i] - floor[i] for i in wrap}
        total_want = sum(want.values())
        for i in wrap:
            widths[i] = floor[i] + want[i] * spare // total_want
        left = share - sum(widths[i] for i in wrap)
        for i in sorted(wrap, key=lambda i: -want[i]):
            add = min(left, natural[i] - widths[i])
            widths[i] += add
            left -= add
        return widths

    def __rich_console__(self, console: Any, options: Any) -> Iterable[Any]:
        from rich.segment import Segment  # noqa: PLC0415
        from rich.style import Style  # noqa: PLC0415

        styles: dict[str, Style | None] = {"": None}
        new_line = Segment.line()
        grid = self.fitted(options.max_width) if self.drop else self
        for runs in grid.lines(options.max_width):
            for text, name in runs:
                style = styles.get(name)
                if style is None and name:
                    style = styles[name] = Style.parse(name)
                yield Segment(text, style)
            yield new_line

    def lines(self, total: int) -> Iterable[list[tuple[str, str]]]:
        """Each line of the grid drawn ``total`` cells wide, as (text, style) runs; no trailing blanks."""
        widths = self.widths(total)
        if any(self.headers):   # a grid without headers is a list of labelled lines
            yield from self._line([[h] for h in self.headers], ["bold"] * len(widths), widths)
            yield [("─" * (sum(widths) + len(GAP) * (len(widths) - 1)), "")]
        for row in self.rows:
            pieces = [[p for part in text.split("\n") for p in (fold_names if i in self.names else fold)(part, w)]
                      or [""] for i, ((text, _), w) in enumerate(zip(row, widths))]
            yield from self._line(pieces, [s for _, s in row], widths)

    @staticmethod
    def _line(pieces: list[list[str]], styles: list[str], widths: list[int]) -> Iterable[list[tuple[str, str]]]:
        height = max(len(p) for p in pieces)
        for n in range(height):
            texts = [cell[n] if n < len(cell) else "" for cell in pieces]
            end = max((i for i, x in enumerate(texts) if x), default=-1)  # no trailing blanks
            runs = []
            for i in range(end + 1):
                if texts[i]:
                    runs.append((texts[i], styles[i]))
                if i < end:
                    runs.append((" " * (widths[i] - cell_len(texts[i])) + GAP, ""))
            yield runs


class Paragraph:
    """Text folded to the terminal's width the way tables fold it: Chinese anywhere, but a
    Latin word, an id or a number is never split and closing punctuation never starts a line."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text, self.style = text, style

    def lines(self, width: int) -> list[str]:
        return [piece for line in self.text.split("\n") for piece in fold(line, width)]

    def __rich_console__(self, console: Any, options: Any) -> Iterable[Any]:
        from rich.segment import Segment  # noqa: PLC0415
        from rich.style import Style  # noqa: PLC0415

        style = Style.parse(self.style) if self.style else None
        for piece in self.lines(options.max_width):
            yield Segment(piece, style)
            yield Segment.line()


class CountedParagraph(Paragraph):
    """A header quoting its table's columns: a piece tied to a column is left out when a narrow terminal
    leaves that column out, so the header never cites a number its rows do not show."""

    def __init__(self, pieces: Sequence[tuple[str, int | None]], grid: "Grid", style: str = "",
                 hidden: str = "") -> None:
        super().__init__("".join(p for p, _ in pieces), style)
        self.pieces, self.grid, self.hidden = list(pieces), grid, hidden

    def lines(self, width: int) -> list[str]:
        keep = set(self.grid.kept(width)) if self.grid.drop else set(range(len(self.grid.headers)))
        text = "".join(p for p, col in self.pieces if col is None or col in keep)
        if len(keep) < len(self.grid.headers) and self.hidden:
            text += self.hidden.format(n=len(self.grid.headers) - len(keep))
        return [piece for line in text.split("\n") for piece in fold(line, width)]
