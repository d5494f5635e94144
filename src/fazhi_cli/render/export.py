"""`--export FILE.svg|FILE.html`: the coloured table exactly as the terminal shows it.

The view's renderables are drawn once more on a recording Rich console
the width of the user's terminal, and exported. Two things in Rich's own
SVG export do not suit fazhi, so they are changed here: its template loads
the Fira Code font from a CDN (an exported file must fetch nothing; the
font list below names local fonts only), and it sizes each run of text
by its number of characters, which squeezes every Chinese character into
half its cell (Rich issue #2742); the runs are resized here by display
width, which is how the terminal placed them. Rich also asks for full-width
forms, which CJK fonts honour by drawing digits two cells wide; that is
dropped too.
"""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

MONO = ("'Sarasa Mono SC', 'Noto Sans Mono CJK SC', 'Source Han Mono SC', NSimSun, 'WenQuanYi Zen Hei Mono', "
        "Menlo, Consolas, 'DejaVu Sans Mono', monospace")


def _svg_format() -> str:
    from rich._export_format import CONSOLE_SVG_FORMAT  # noqa: PLC0415

    fmt = re.sub(r"\s*@font-face \{\{.*?\}\}", "", CONSOLE_SVG_FORMAT, flags=re.S)
    fmt = re.sub(r"\s*<!--.*?-->", "", fmt, flags=re.S)
    # Rich asks for full-width forms, which CJK fonts honour by drawing Latin
    # letters and digits two cells wide: the terminal draws them in one
    fmt = fmt.replace("font-variant-east-asian: full-width;", "")
    return fmt.replace("font-family: Fira Code, monospace;", f"font-family: {MONO};")


def _html_format() -> str:
    from rich._export_format import CONSOLE_HTML_FORMAT  # noqa: PLC0415

    return re.sub(r"font-family:[^\"]*monospace", f"font-family:{MONO.replace(chr(39), '&#39;')}",
                  CONSOLE_HTML_FORMAT, count=1).replace('<html>', '<html lang="zh-CN">', 1)


def _fix_text_lengths(svg: str) -> str:
    from rich.cells import cell_len  # noqa: PLC0415

    def resize(m: re.Match) -> str:
        text = unescape(m["text"])
        length = float(m["length"])
        width = length / len(text) * cell_len(text) if text else length
        # a font that draws a character wider than the terminal did (box drawing
        # in a CJK font) is squeezed into the run's cells, never over the next run
        return f'{m["head"]}textLength="{width:g}" lengthAdjust="spacingAndGlyphs"{m["tail"]}>{m["text"]}</text>'

    return re.sub(r'(?P<head><text [^>]*?)textLength="(?P<length>[\d.]+)"(?P<tail>[^>]*)>(?P<text>[^<]*)</text>',
                  resize, svg)


def record(renderables: Any) -> Any:
    """A recording console holding what the user's terminal shows."""
    from rich.console import Console, Group  # noqa: PLC0415

    shown = Console(highlight=False)
    console = Console(record=True, file=io.StringIO(), width=shown.width, highlight=False, force_terminal=True,
                      color_system=shown.color_system or "truecolor", no_color=shown.no_color)
    items = renderables if isinstance(renderables, list) else [renderables]
    console.print(Group(*items))
    return console


def terminal_file(renderables: Any, kind: str) -> str:
    """The SVG or HTML text of what the terminal shows."""
    console = record(renderables)
    if kind == "svg":
        # the fonts named above draw Latin at half an em and CJK at a whole one: exactly the
        # terminal's one cell and two, so text is placed where the terminal put it
        return _fix_text_lengths(console.export_svg(title="fazhi", code_format=_svg_format(), font_aspect_ratio=0.5))
    return console.export_html(code_format=_html_format(), inline_styles=True)
