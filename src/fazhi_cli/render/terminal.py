"""Writing a view to the terminal: the bytes Rich's Console would write, without importing it.

A view for the terminal is a list of lines (``Text``), blank lines (``""``)
and tables (``table.Grid``). Importing Rich's Console and Text costs about a
third of a whole `fazhi status` run, so ``show`` writes them itself: each
line folded as Rich folds it (Rich's own ``divide_line`` and cell widths),
each table line cropped to the terminal as Rich crops it, and ANSI styles
only on a terminal, with NO_COLOR, FORCE_COLOR, TTY_COMPATIBLE, TERM and
COLUMNS read as Rich reads them. The tests print the same views through Rich
and compare the bytes.

Wherever this module cannot be sure of producing Rich's bytes it hands the
view to Rich: for a width below one cell, on Windows (legacy consoles are driven through the Win32 API,
and Rich enables VT processing itself), under Jupyter or IDLE, and for
anything in the view it does not know.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Iterable, Sequence

# Style names the views use, as Rich renders them: (with colour, with NO_COLOR).
# Standard colours have the same codes in every colour system Rich picks.
_CODES = {
    "": ("", ""),
    "bold": ("1", "1"),
    "dim": ("2", "2"),
    "green": ("32", ""),
    "yellow": ("33", ""),
    "cyan": ("36", ""),
    "magenta": ("35", ""),
    "bold red": ("1;31", "1"),
    "bold white on red": ("1;37;41", "1"),
    "bold black on yellow": ("1;30;43", "1"),
}


class Text:
    """One line of a view in one style (a Rich style name); Rich sees it as ``rich.text.Text``."""

    __slots__ = ("plain", "style")

    def __init__(self, text: str = "", style: str = "") -> None:
        self.plain = text
        self.style = style

    def __rich__(self) -> Any:
        from rich.text import Text as RichText  # noqa: PLC0415

        return RichText(self.plain, style=self.style)

    def __str__(self) -> str:
        return self.plain

    def __repr__(self) -> str:
        return f"Text({self.plain!r}, style={self.style!r})"


class Screen:
    """What Rich's Console would find out about stdout: its width, and whether and how to colour."""

    __slots__ = ("width", "color", "no_color")

    def __init__(self, width: int, color: bool, no_color: bool) -> None:
        self.width, self.color, self.no_color = width, color, no_color

    @classmethod
    def detect(cls, stream: Any = None, environ: Any = None) -> "Screen | None":
        """As Rich's Console decides (rich/console.py); None where only Rich should decide."""
        if sys.platform == "win32":
            return None
        env = os.environ if environ is None else environ
        stream = sys.stdout if stream is None else stream
        if stream is None or hasattr(stream, "rich_proxied_file"):
            return None
        import builtins  # noqa: PLC0415

        if hasattr(builtins, "get_ipython"):                          # Jupyter, IPython
            return None
        if getattr(sys.stdin, "__module__", "").startswith("idlelib"):
            return None
        compatible = env.get("TTY_COMPATIBLE", "")
        force = env.get("FORCE_COLOR")
        if compatible in ("0", "1"):
            terminal = compatible == "1"
        elif force is not None:
            terminal = force != ""
        else:
            try:
                terminal = bool(stream.isatty())
            except (AttributeError, ValueError):
                terminal = False
        dumb = terminal and env.get("TERM", "").lower() in ("dumb", "unknown")
        columns, lines = env.get("COLUMNS"), env.get("LINES")
        fixed = int(columns) if columns is not None and columns.isdigit() else None
        if fixed is not None and lines is not None and lines.isdigit():
            width = fixed
        elif dumb:
            width = 80
        elif fixed is not None:
            width = fixed
        else:
            width = 0
            for fd in (0, 1, 2):
                try:
                    width = os.get_terminal_size(fd)[0]
                except (AttributeError, ValueError, OSError):
                    continue
                break
            width = width or 80
        if width < 1:                     # COLUMNS=0: whatever Rich makes of it
            return None
        return cls(width, terminal and not dumb, env.get("NO_COLOR", "") != "")


def show(items: Sequence[Any], stream: Any = None) -> None:
    """Print a view to stdout exactly as ``Console(highlight=False).print(Group(*items))`` would."""
    stream = sys.stdout if stream is None else stream
    screen = Screen.detect(stream)
    text = None if screen is None else draw(items, screen)
    if text is None:
        from rich.console import Console, Group  # noqa: PLC0415

        Console(highlight=False, file=stream if stream is not sys.stdout else None).print(Group(*items))
        return
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        # what Rich does when the reader has gone: nothing more reaches the pipe, exit 1
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
        except (OSError, AttributeError, ValueError):
            pass
        raise SystemExit(1) from None


def draw(items: Sequence[Any], screen: Screen) -> str | None:
    """The text Rich would write for these items on this screen; None for anything unknown."""
    from .table import Grid, Paragraph  # noqa: PLC0415

    width = screen.width
    paint = _painter(screen)
    out: list[str] = []
    for item in items:
        if type(item) is str:
            if item:            # Rich reads a non-empty string as markup: leave that to Rich
                return None
            out.append("\n")
        elif type(item) is Text:
            lines = _fold(item.plain, width)
            if lines is None:
                return None
            style = item.style
            for line in lines:
                out.append(paint(line, style) + "\n")
        elif isinstance(item, Paragraph):     # folded by fazhi's own rule, the same through Rich
            if _has_controls(item.text.replace("\n", "")):
                return None
            for line in item.lines(width):
                out.append(paint(line, item.style) + "\n")
        elif type(item) is Grid:
            grid = item.fitted(width) if item.drop else item
            for runs in grid.lines(width):
                for text, style in _crop(runs, width):
                    out.append(paint(text, style))
                out.append("\n")
        else:
            return None
    return "".join(out)


def _painter(screen: Screen) -> Any:
    if not screen.color:
        return lambda text, style: text
    which = 1 if screen.no_color else 0
    cache: dict[str, str] = {}

    def paint(text: str, style: str) -> str:
        if not text or not style:
            return text
        codes = cache.get(style)
        if codes is None:
            known = _CODES.get(style)
            codes = cache[style] = known[which] if known else _rich_codes(style, bool(which))
        return f"\x1b[{codes}m{text}\x1b[0m" if codes else text

    return paint


def _rich_codes(style: str, no_color: bool) -> str:
    # a style this module has no entry for: ask Rich (any colour system gives standard colours the same codes)
    from rich.color import ColorSystem  # noqa: PLC0415
    from rich.style import Style  # noqa: PLC0415

    parsed = Style.parse(style)
    if no_color:
        parsed = parsed.without_color
    return parsed._make_ansi_codes(ColorSystem.TRUECOLOR)


def _has_controls(text: str) -> bool:
    return any(c < " " for c in text)


def _fold(text: str, width: int) -> list[str] | None:
    """A line of text as Rich's Text wraps it to ``width`` cells (overflow "fold", justify "default")."""
    from rich.cells import cell_len  # noqa: PLC0415

    if _has_controls(text):          # Rich strips some control codes and splits at newlines
        return None
    if len(text) <= width and cell_len(text) <= width:
        return [text]
    import re  # noqa: PLC0415

    from rich._wrap import divide_line  # noqa: PLC0415
    from rich.cells import set_cell_size  # noqa: PLC0415

    offsets = [0, *divide_line(text, width, fold=True), len(text)]
    lines = []
    for start, end in zip(offsets, offsets[1:]):
        line = text[start:end]
        if len(line) > width:       # Text.rstrip_end
            space = re.search(r"\s+$", line)
            if space is not None:
                line = line[:len(line) - min(len(space.group(0)), len(line) - width)]
        if cell_len(line) > width:  # Text.truncate
            line = set_cell_size(line, width)
        lines.append(line)
    return lines


def _crop(runs: Sequence[tuple[str, str]], width: int) -> Iterable[tuple[str, str]]:
    """A line's runs cut to ``width`` cells, as Rich's Segment.adjust_line_length cuts them."""
    from rich.cells import cell_len  # noqa: PLC0415

    lengths = [cell_len(text) for text, _ in runs]
    if sum(lengths) <= width:
        return runs
    from rich.cells import set_cell_size  # noqa: PLC0415

    out = []
    used = 0
    for (text, style), length in zip(runs, lengths):
        if used + length < width:
            out.append((text, style))
            used += length
        else:
            out.append((set_cell_size(text, width - used), style))
            break
    return out
