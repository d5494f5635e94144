"""Tables of cells in every format: the terminal's grid, plain text, Markdown and CSV."""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from .cells import Cell, Lines, Multiline, Names, Ratio
from .escape import safe, safe_lines

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _plain(cell: Cell) -> Any:
    if isinstance(cell, Lines):
        return str(cell)
    return cell[0] if isinstance(cell, tuple) else cell


def _text_cell(cell: Cell, fmt: str) -> Any:
    value = _plain(cell)
    if not isinstance(value, str):
        return value
    if isinstance(value, Multiline):
        text = safe_lines(value)
        return text.replace("\n", "<br>") if fmt == "markdown" else text
    if fmt == "csv":
        if value == "-":
            return ""               # a placeholder is an empty cell, never '-
        if isinstance(value, Ratio):
            return value.replace("/", "\uff0f")   # 1／17: Excel and WPS leave it as text
    return safe(value)


def text_table(fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]],
               context: Sequence[str] = ()) -> str:
    """A plain, Markdown or CSV table, after the lines that say what it is."""
    body = [[_text_cell(c, fmt) for c in row] for row in rows]
    heads = [safe(h) for h in headers]
    lines = [safe(x) for x in context]
    if fmt == "csv":
        import csv  # noqa: PLC0415
        import io  # noqa: PLC0415

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerows([["# " + x] for x in lines])     # context rows: skip lines starting with #
        writer.writerow(heads)
        # A cell that starts like a formula would run in Excel/WPS; a leading
        # apostrophe keeps it text. A plain number such as -3 is left alone.
        writer.writerows([[("'" + c) if isinstance(c, str) and c[:1] in ("=", "+", "-", "@")
                           and not _NUMBER.fullmatch(c) else c for c in row] for row in body])
        return "\ufeff" + buf.getvalue()
    from tabulate import tabulate  # noqa: PLC0415

    table = tabulate(body, heads, tablefmt="github" if fmt == "markdown" else "simple", disable_numparse=True) + "\n"
    if not lines:
        return table
    if fmt == "markdown":
        head = [f"**{lines[0]}**", ""] + [f"{x}  " for x in lines[1:]]
        return "\n".join(head) + "\n\n" + table
    return "\n".join(lines) + "\n\n" + table


def terminal_table(headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, no_wrap: Sequence[int] = (),
                   drop: Sequence[int] = ()) -> Any:
    """A table for the terminal: every value made safe, styles kept for Rich.

    A column of names (Lines cells) is never narrower than its longest name,
    so a unit's name is never split across lines.
    """
    from .table import Grid  # noqa: PLC0415

    cells = []
    atoms: set[int] = set()
    names: set[int] = set()
    for row in rows:
        out = []
        for i, c in enumerate(row):
            if isinstance(c, Names):  # names packed into lines, broken only between them
                out.append(("、".join(safe(x) for x in c), ""))
                names.add(i)
            elif isinstance(c, Lines):  # each name on its own line, never folded mid-name
                out.append(("\n".join(safe(x) for x in c), ""))
                atoms.add(i)
            else:
                value, style = c if isinstance(c, tuple) else (c, "")
                out.append((safe_lines(value) if isinstance(value, Multiline) else safe(value), style))
        cells.append(out)
    return Grid([safe(h) for h in headers], cells, no_wrap, atoms - names, drop, names)


def render_rows(fmt: str, headers: Sequence[str], rows: list[Sequence[Cell]], **kw: Any) -> Any:
    return [terminal_table(headers, rows, **kw)] if fmt == "table" else text_table(fmt, headers, rows)
