"""A task table laid out in columns of spaces, its cells wrapped over several lines → one tab-separated line a row.

This is how a PDF's table arrives (pypdf's layout mode, see reading.py), and
how a table copied from a PDF viewer keeps it: each printed line of a row is a
line of text, each cell's fragment stands at its column's position. The header
line (序号 | 重点任务 | … | 完成时限) gives the columns; a fragment belongs to
the column it starts in; a number in the 序号 column starts a row, and every
other line continues the cells of the row above.

How pypdf places text, measured on Word and LibreOffice exports: a fragment
after a gap starts at int(x / w), where w is the page's average character
width divided by 1.25 and x is counted from the leftmost text on the page. A
CJK character is one character of the line but about 1.25 of those columns
wide, so the spaces pypdf adds make up the difference and a fragment after a
gap stands at its true column; the positions are the same on every line of a
page. Both w and the leftmost text change from page to page, so a page that
does not repeat the header is matched to the header's page by the columns its
fragments start in (a scale and a shift), and a page where only one cell
continues (pypdf puts it at the left edge) continues the cell still open.

Pages are separated by a line holding only a form feed (reading.py writes it);
page numbers (— 3 —) and a header repeated on the next page are skipped.

Narrow columns wrap the header too (序 / 号, 牵头 / 单位): its second line is
taken in when the header then names more columns. Cells centred vertically
(Word's 居中) put a row's number on its middle line rather than its first:
when lines come before the first number, each row is taken to have its number
in its middle, within the blank lines shorter columns leave between rows.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import takewhile

from .text import norm

_RUN = re.compile(r"\S+(?: \S+)*")        # a stretch of text: words apart by single spaces, as in a sentence
_WORD = re.compile(r"\S+")
_ROW_NUMBER = re.compile(r"^\d{1,3}[.、]?$")
# — 3 —, -3-, 第3页 (共5页); a bare 3 only at a page's foot, since a wrapped cell may hold a line of digits
_PAGE_NUMBER = re.compile(r"^[-—–－―]+\s*\d{1,3}\s*[-—–－―]+$|^第\s*\d{1,3}\s*页(\s*[,/]?\s*共\s*\d{1,3}\s*页)?$")
PAGE_BREAK = "\f"
MAX_CLUSTERS = 8        # column edges a page is matched by
MAX_COLUMNS = 16        # words on a header line: a task table has six or seven
MAX_HEADER_CHARS = 400  # a header line, spaces included, even on a landscape page


def _runs(line: str, words: bool = False) -> list[tuple[int, str]]:
    """The stretches of text on a line with their positions; with ``words``, every piece between spaces.

    Cells are placed by their words: pypdf may leave a single space between
    two columns (序 重点任务) as well as inside a cell (2025年 6).
    """
    pattern = _WORD if words else _RUN
    return [(m.start(), m.group()) for m in pattern.finditer(line.replace("\u3000", " ").replace("\f", " "))]


def page_number(line: str, at_foot: bool = False) -> bool:
    """Whether ``line`` is a page number alone (``at_foot``: the page's last line, where a bare number is one too)."""
    n = norm(line).strip()
    return bool(_PAGE_NUMBER.match(n) or at_foot and re.fullmatch(r"\d{1,3}", n))



def _join(left: str, right: str) -> str:
    """Two printed lines of one cell: Chinese joins with nothing between, words of Latin letters or digits with a space."""
    if not left:
        return right
    if left[-1].isascii() and left[-1].isalnum() and right[:1].isascii() and right[:1].isalpha():
        return f"{left} {right}"
    return left + right


def spaced_tables(lines: list[str], header_of) -> list[str]:
    """``lines`` with every wrapped, column-aligned task table replaced by a header line and one line a row (tabs).

    ``header_of(cells)`` is the drafter's test of a header row (structure._header):
    the columns it names, or None. A table whose rows each fit on one line is
    left as it is: the line-by-line reading already serves it.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        near = list(takewhile(lambda ln: len(ln) <= MAX_HEADER_CHARS, lines[i:i + 3]))
        # cells apart by tabs or | (Word, a web page, copied text) are cells already: structure.py reads them
        separated = "\t" in lines[i] or norm(lines[i]).count("|") >= 2
        found = _header_lines([_runs(ln, True) for ln in near], header_of) if (
            lines[i].strip() and near and not separated) else None
        if found is None:
            out.append(lines[i])
            i += 1
            continue
        header, taken = found
        end = _extent(lines, i + taken, header)
        table = _read(lines, i + taken, end, header, header_of)
        # a table that needs nothing is left as it is, whole: read again from each line, a text of
        # header lines would cost the square of its length
        out.extend(lines[i:end] if table is None else table)
        i = max(end, i + 1)
    return out


def _header_lines(lines: list[list[tuple[int, str]]], header_of) -> tuple[list[tuple[int, str]], int] | None:
    """The header's words and how many printed lines it takes (序 / 号, 牵头 / 单位 in narrow columns), else None.

    A line below the header's first continues it when it holds no row number
    and only short words, each under a word of the first line, and when the
    header then names more columns (a cell continued under a repeated header
    names none).
    """
    if not lines or not 3 <= len(lines[0]) <= MAX_COLUMNS:
        return None
    head = list(lines[0])
    candidates = [(list(head), 1)]
    for below in lines[1:]:
        if not below or len(below) > MAX_COLUMNS or _ROW_NUMBER.match(norm(below[0][1])) or any(
                len(text) > 4 for _, text in below):
            break
        near = [min(range(len(head)), key=lambda k: abs(head[k][0] - p)) for p, _ in below]
        if any(abs(head[k][0] - p) > 3 for k, (p, _) in zip(near, below)):
            break
        for k, (_, text) in zip(near, below):
            head[k] = (head[k][0], head[k][1] + text)
        candidates.append((list(head), candidates[-1][1] + 1))
    best = None
    for words, n in candidates:           # the reading that names the most columns, on the fewest lines
        cols = header_of([t for _, t in words])
        if cols is not None and cols.get("number") == 0 and (best is None or len(cols) > best[0]):
            best = (len(cols), words, n)
    return (best[1], best[2]) if best else None


def _bounds(header: list[tuple[int, str]], starts: list[float] = ()) -> list[float]:
    """Where each column starts on the header's page.

    A header is often centred in its column while the cells below start at
    its left edge: a column starts where lines below most often start, between
    the end of the header word before and its own header word; failing that,
    halfway between the two.
    """
    bounds = [float("-inf")]
    for (p0, t0), (p1, _) in zip(header, header[1:]):
        edges = [s for s in starts if p0 + len(t0) <= s <= p1 + 1]
        bounds.append(min(edges) - 0.5 if edges else min(p1, (p0 + len(t0) + p1) / 2))
    return bounds


def _column(bounds: list[float], pos: int) -> int:
    k = 0
    while k + 1 < len(bounds) and pos >= bounds[k + 1] - 0.5:
        k += 1
    return k


_GLUED_NUMBER = re.compile(r"^(\d{1,3}[.、]?)([^\d.、].*)$")


def _unglue(words: list[tuple[int, str]], bounds: list[float]) -> list[tuple[int, str]]:
    """A row's number glued to the next cell (10抓好法治): pypdf adds no space when half-width digits overrun."""
    if words and len(bounds) > 1 and _column(bounds, words[0][0]) == 0:
        m = _GLUED_NUMBER.match(norm(words[0][1]))
        if m:
            p, text = words[0]
            at = max(p + len(m[1]), int(bounds[1] + 1))
            return [(p, text[:len(m[1])]), (at, text[len(m[1]):])] + words[1:]
    return words


def _row_start(runs: list[tuple[int, str]], bounds: list[float]) -> bool:
    return bool(runs) and _column(bounds, runs[0][0]) == 0 and bool(_ROW_NUMBER.match(norm(runs[0][1])))


def _extent(lines: list[str], start: int, header: list[tuple[int, str]]) -> int:
    """The index after the table's last line.

    The table ends at a gap (a blank line) that no page break explains, or at
    a paragraph running across the columns, unless a numbered row follows it
    (then it is a heading row merged across the table).
    """
    bounds = _bounds(header)
    widest = max(b - a for a, b in zip(bounds[1:], bounds[2:])) if len(bounds) > 2 else 0
    end = start
    gap = page = spill = False
    last: list[tuple[int, str]] = []
    j = start
    while j < len(lines):
        line = lines[j]
        if PAGE_BREAK in line:
            page = True
        elif not line.strip() or page_number(line):
            gap = True
        else:
            runs = _runs(line)
            row = _row_start(_unglue(_runs(line, True), bounds), bounds)
            if gap and not page and not row:
                break
            short = all(len(text) <= widest + 1 for _, text in runs)
            if row:
                spill = False
            elif page and short and any(not text.endswith(("。", ";", "；")) for _, text in last):
                spill = True      # cells of the row above run on over the page, moved to its left edge
            elif spill and not short:
                break
            if not spill and _across(runs, bounds) and not _row_start(_runs(_next_line(lines, j + 1), True), bounds):
                break
            gap = page = False
            last = runs
            end = j + 1
        j += 1
    return end


def _across(runs: list[tuple[int, str]], bounds: list[float]) -> bool:
    """A line of one fragment in the 序号 column that is not a number: a heading across the table, or text after it."""
    return len(runs) == 1 and _column(bounds, runs[0][0]) == 0 and not _ROW_NUMBER.match(norm(runs[0][1]))


def _next_line(lines: list[str], j: int) -> str:
    for line in lines[j:j + 8]:
        if line.strip() and PAGE_BREAK not in line and not page_number(line):
            return line
    return ""


def _starts(page: list[list[tuple[int, str]]], most: int = 0) -> list[float]:
    """Where fragments on a page start more than once (columns' left edges), neighbours merged; the ``most`` frequent."""
    counts = Counter(p for runs in page for p, _ in runs)
    clusters: list[list[int]] = []
    for p in sorted(counts):
        if clusters and p - clusters[-1][-1] <= 1:
            clusters[-1].append(p)
        else:
            clusters.append([p])
    scored = [(sum(counts[p] for p in c), max(c, key=lambda p: counts[p])) for c in clusters]
    frequent = sorted(scored, reverse=True)[:most or len(scored)]
    return sorted(p for n, p in frequent if n >= 2)


def _fit(ref: list[float], here: list[float]) -> tuple[float, float]:
    """The scale and shift that best carry the header page's column edges onto this page's."""
    best = (0, -1.0, 1.0, 0.0)
    candidates = [(1.0, 0.0)]
    # two neighbouring edges of the header's page on two neighbouring edges of this one: some pair of
    # columns shows on both, and trying every pair of pairs would cost the fourth power of the edges
    for i in range(len(ref) - 1):
        for j in range(len(here) - 1):
            a = (here[j + 1] - here[j]) / (ref[i + 1] - ref[i])
            if 0.7 <= a <= 1.4:
                candidates.append((a, here[j] - a * ref[i]))
    for a, b in candidates:
        matched = sum(1 for p in here if any(abs(a * f + b - p) <= 1.0 for f in ref))
        score = (matched, -abs(a - 1) - abs(b) / 100)
        if score > best[:2]:
            best = (*score, a, b)
    return best[2], best[3]


def _read(lines: list[str], start: int, end: int, header: list[tuple[int, str]], header_of) -> list[str] | None:
    """The table's lines as tab rows, or None when its rows do not wrap (nothing to put back together)."""
    width = len(header)
    names = [t for _, t in header]
    cols = header_of(names)
    pages: list[list[list[tuple[int, str]]]] = [[]]
    stretches: list[list[list[tuple[int, str]]]] = [[]]     # the same lines as stretches, to tell a heading row
    for line in lines[start:end]:
        if PAGE_BREAK in line:
            pages.append([])
            stretches.append([])
        elif line.strip() and not page_number(line):
            pages[-1].append(_runs(line, True))
            stretches[-1].append(_runs(line))
    base = _bounds(header, _starts(pages[0]))
    ref = _starts(pages[0], MAX_CLUSTERS)
    entries: list[str | tuple[list[tuple[int, str]], bool]] = []   # a heading, or a line's cells and if it numbers a row
    row: list[str] | None = None  # the row being read, as if each began at its number: for _open_cells
    last: list[int] = []          # the columns the previous line wrote to
    for n, (page, spans) in enumerate(zip(pages, stretches)):
        bounds = base
        place = None              # a page that only continues cells: its fragments' positions → columns
        if n and page:
            again = _header_lines(page[:3], header_of)
            if again is not None and len(again[0]) == width:
                page, spans = page[again[1]:], spans[again[1]:]
                bounds = _bounds(again[0], _starts(page))       # the header repeated on this page
            elif row is not None and not any(_row_start(_unglue(words, base), base) for words in page):
                place = _open_cells(page, row, last, cols)
            else:
                here = _starts(page, MAX_CLUSTERS)
                if len(here) >= 2 and len(ref) >= 2:
                    a, b = _fit(ref, here)
                    bounds = [float("-inf")] + [a * x + b for x in base[1:]]
        for words, span in zip(page, spans):
            if place is None:
                words = _unglue(words, bounds)
            starts = place is None and _row_start(words, bounds)
            if not starts and place is None and _across(span, bounds):
                entries.append(span[0][1])        # a heading row merged across the table
                row = None
                continue
            if starts or row is None:
                row = [""] * width
            cells = [(place[p] if place is not None else _column(bounds, p), text) for p, text in words]
            for k, text in cells:
                row[k] = _join(row[k], text)
            last = [k for k, _ in cells]
            entries.append((cells, starts))
    if all(isinstance(e, str) or e[1] for e in entries):
        return None               # every line a row of its own: nothing wraps
    out = ["\t".join(names)]
    segment: list[tuple[list[tuple[int, str]], bool]] = []
    for entry in [*entries, ""]:
        if isinstance(entry, str):
            out.extend("\t".join(r) for r in _rows(segment, width))
            segment = []
            if entry:
                out.append(entry)
        else:
            segment.append(entry)
    return out


def _rows(lines: list[tuple[list[tuple[int, str]], bool]], width: int) -> list[list[str]]:
    """The rows of a stretch of table lines (cells placed, row numbers marked) between headings."""
    numbered = [i for i, (_, starts) in enumerate(lines) if starts]
    if not numbered:
        return []                 # the header's own second line, or lines no number claims
    if numbered[0] == 0:
        edges = numbered          # cells aligned to the top: a row begins at its number
    elif numbered[0] >= 2 or any(len(t) > 4 for _, t in lines[0][0]):
        edges = _centred(lines, numbered)
    else:
        edges = numbered          # a line of the header left over
    rows = []
    for a, b in zip(edges, [*edges[1:], len(lines)]):
        row = [""] * width
        for cells, _ in lines[a:b]:
            for k, text in cells:
                row[k] = _join(row[k], text)
        rows.append(row)
    return rows


def _centred(lines: list[tuple[list[tuple[int, str]], bool]], numbered: list[int]) -> list[int]:
    """Where each row begins when cells are centred vertically: a row's number stands at its middle line.

    Between two numbers, a column whose two cells are shorter than the rows
    leaves blank lines between them, and the row boundary lies there; among
    those lines, the one that puts the number in the middle of its row, or,
    when none does (a row split by a page break is not centred), the middle one.
    """
    edges = [0]
    for c, following in zip(numbered, numbered[1:]):
        lo, hi = c + 1, following
        for k in {k for cells, _ in lines[c:following + 1] for k, _ in cells} - {0}:
            written = [i for i in range(c, following + 1) if any(j == k for j, _ in lines[i][0])]
            gaps = [(b - a, a + 1, b) for a, b in zip(written, written[1:]) if b - a > 1]
            if gaps:
                _, a, b = max(gaps)
                lo, hi = max(lo, a), min(hi, b)
        if lo > hi:
            lo, hi = c + 1, following
        guess = 2 * c - edges[-1] + 1
        edges.append(guess if lo <= guess <= hi else (lo + hi + 1) // 2)
    return edges


def _open_cells(page: list[list[tuple[int, str]]], row: list[str], last: list[int], cols: dict[str, int]) -> dict:
    """Where the fragments of a page that only continues the row above go.

    pypdf puts the leftmost of them at the page's left edge, so positions say
    nothing of columns: the fragments continue, left to right, the cells the
    last line of the page before wrote to. One column alone continues the text
    column if it was still open, else the longest open cell.
    """
    starts = sorted({p for runs in page for p, _ in runs})
    groups: list[list[int]] = []
    for p in starts:
        if groups and p - groups[-1][-1] <= 1:
            groups[-1].append(p)
        else:
            groups.append([p])
    open_ = sorted(set(last)) or list(range(len(row)))
    if len(groups) == len(open_):
        targets = open_
    elif len(groups) == 1:
        targets = [next((cols[key] for key in ("content", "task") if cols.get(key) in open_),
                        max(open_, key=lambda k: len(row[k])))]
    else:
        targets = open_[:len(groups)] + [open_[-1]] * (len(groups) - len(open_))
    return {p: targets[g] for g, group in enumerate(groups) for p in group}
