"""`--export FILE.svg|FILE.html`: the coloured table exactly as the terminal shows it.

The view's renderables are drawn once more on a recording Rich console
the width of the user's terminal, and exported. Two things in Rich's own
SVG export do not suit fazhi, so they are changed here: its template loads
the Fira Code font from a CDN (an exported file must fetch nothing; the
font list below names local fonts only), and it sizes each run of text
by its number of characters, which squeezes every Chinese character into
half its cell (Rich issue #2742); the runs are resized here by display
width, which is how the terminal placed them.
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
        if not text or cell_len(text) == len(text):
            return m[0]
        width = length / len(text) * cell_len(text)
        return f'{m["head"]}textLength="{width:g}"{m["tail"]}>{m["text"]}</text>'

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
        return _fix_text_lengths(console.export_svg(title="fazhi", code_format=_svg_format()))
    return console.export_html(code_format=_html_format(), inline_styles=True)
