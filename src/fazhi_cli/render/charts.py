"""The report's two charts, drawn with matplotlib: as SVG for HTML, as PNG for Word.

* Parts done per section over time: the replay in ``Report.timeline``
  (``progress.status`` at the end of each month or quarter of the plan).
* The lights per section as of the report's day.

SVG keeps its text as text (``svg.fonttype: none``), so the browser draws
the Chinese labels with its own fonts and the file stays small. A PNG has
its glyphs baked in, so it is drawn only with a font that has them: a CJK
font found on the system (Microsoft YaHei, SimHei or SimSun on Windows,
PingFang on macOS, Noto Sans CJK or WenQuanYi on Linux). Without one,
``NoCJKFont`` is raised and the caller leaves the chart out, saying why:
Chinese is never drawn as empty boxes.
"""

from __future__ import annotations

import io
import re
import warnings
from typing import Any, NamedTuple, Sequence

from .escape import safe
from .punct import zt as t
from .cells import section_label

# In order of preference: the fonts a Chinese office PC has, then the free ones.
CJK_FONTS = ("Microsoft YaHei", "SimHei", "DengXian", "SimSun", "PingFang SC", "Hiragino Sans GB",
             "Heiti SC", "STHeiti", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
             "Source Han Sans CN", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Serif CJK SC",
             "AR PL UMing CN", "Droid Sans Fallback")
# What every label needs: digits, the light names and the section headings' characters.
_PROBE = "一二三四五六七八章节完成分项红黄绿灯截至年月日进展政府法治行政体制改革"

LIGHT_COLOURS = {"red": "#d4380d", "yellow": "#faad14", "green": "#52c41a"}
SECTION_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                   "#17becf", "#d62728")


# The saved picture is the box around everything drawn, with a white margin: a
# label or legend wider than the figure grows the picture instead of being cut.
_WHOLE = {"bbox_inches": "tight", "pad_inches": 0.12}


class NoCJKFont(Exception):
    """No font on this system can draw the charts' Chinese labels."""


class Chart(NamedTuple):
    key: str
    title: str
    data: bytes | str   # SVG text or PNG bytes


def find_cjk_font() -> str | None:
    """The first family in CJK_FONTS that is installed and has every glyph the labels use.

    matplotlib lists the system's fonts once and keeps the list in its cache:
    a font installed after the first run is not in it. When the list has no
    Chinese font, the fonts the system has now are added to it (and the cache
    written again), so installing a font and running again is enough.
    """
    from matplotlib import font_manager  # noqa: PLC0415

    found = _first_cjk(font_manager.fontManager.ttflist, CJK_FONTS)
    if found is None and _add_system_fonts(font_manager):
        found = _first_cjk(font_manager.fontManager.ttflist, CJK_FONTS)
        if found is None:  # a Chinese font by another name, found by the system (fontconfig's :lang=zh)
            found = _first_cjk(font_manager.fontManager.ttflist, _fontconfig_chinese())
    return found


def _first_cjk(entries: Any, names: Sequence[str]) -> str | None:
    from matplotlib.ft2font import FT2Font  # noqa: PLC0415

    by_name: dict[str, list[Any]] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
    for name in names:
        for entry in by_name.get(name, []):
            try:
                font = _open_font(FT2Font, entry)
                if all(font.get_char_index(ord(c)) for c in _PROBE):
                    return name
            except (OSError, RuntimeError, TypeError, ValueError):
                continue
    return None


def _fontconfig_chinese() -> list[str]:
    """The families fontconfig says cover Chinese (Linux, and macOS with fontconfig); none elsewhere."""
    import shutil  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    fc = shutil.which("fc-list")
    if fc is None:
        return []
    try:
        out = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True, timeout=20,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()})


def _add_system_fonts(font_manager: Any) -> bool:
    """Add the font files the system has that matplotlib's list lacks; True when any was added."""
    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist}
    added = False
    try:
        paths = font_manager.findSystemFonts()
    except (OSError, RuntimeError, ValueError):
        return False
    for path in sorted(set(paths) - known):
        try:
            manager.addfont(path)
            added = True
        except (OSError, RuntimeError, TypeError, ValueError):
            continue  # a file that is not a font matplotlib can read
    if added:
        _save_font_list(font_manager)
    return added


def _save_font_list(font_manager: Any) -> None:
    """Write matplotlib's font list again, so the next run finds the new fonts at once; best effort."""
    import os  # noqa: PLC0415

    import matplotlib  # noqa: PLC0415

    try:
        path = os.path.join(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
        font_manager.json_dump(font_manager.fontManager, path)
    except (OSError, AttributeError, TypeError, ValueError):
        pass


def _open_font(cls: Any, entry: Any) -> Any:
    index = getattr(entry, "index", 0)  # a face of a .ttc collection (matplotlib >= 3.10)
    return cls(entry.fname, face_index=index) if index else cls(entry.fname)


def label(section: Any) -> str:
    """A section's label as plain text: escapes shown, not acted on (the SVG keeps its text as text)."""
    return safe(section_label(section.id, section.title))


def _labels(rep: Any) -> list[tuple[str, str]]:
    return [(c.id, label(c)) for c in rep.sections]


def _rc(family: list[str], svg: bool) -> dict[str, Any]:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": family,
        "font.size": 10,
        "axes.unicode_minus": False,
        # labels are the plan's text, never math: $100…$200 and $\foo$ are drawn as written
        "text.parse_math": False,
        "svg.fonttype": "none" if svg else "path",
        "svg.hashsalt": "fazhi",  # the same report gives the same file
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _progress_figure(rep: Any) -> Any:
    from matplotlib.figure import Figure  # noqa: PLC0415

    labels = _labels(rep)
    days = [p.day for p in rep.timeline]
    fig = Figure(figsize=(8.0, 4.6), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    series = [[p.done.get(sid, 0) for p in rep.timeline] for sid, _ in labels]
    ax.stackplot(days, *series, labels=[name for _, name in labels], step="post",
                 colors=SECTION_COLOURS[:len(labels)], alpha=0.85)
    total = rep.total.parts
    top = max((sum(p.done.values()) for p in rep.timeline), default=0)
    ax.set_ylim(0, min(total, max(5, int(top * 1.25) + 1)) or 1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(days[0], days[-1])
    what = t("本单位已完成的分项", "parts the unit has done") if rep.unit else t("已完成的分项", "parts done")
    ax.set_ylabel(t("{w}(共 {n} 个)", "{w} (of {n})", w=what, n=total))
    ax.set_title(chart_titles(rep)[0], loc="left", fontsize=12)
    ax.grid(axis="y", alpha=0.3)
    # two columns: the longest section name (about 14 characters) four times over is wider than the figure
    fig.legend(loc="outside lower center", fontsize=8, frameon=False, ncols=2)
    _date_axis(ax)
    return fig


def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates  # noqa: PLC0415

    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))


def _lights_figure(rep: Any) -> Any:
    from matplotlib.figure import Figure  # noqa: PLC0415

    rows = list(reversed(rep.sections))
    fig = Figure(figsize=(8.0, 0.45 * len(rows) + 1.4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    names = [label(c) for c in rows]
    left = [0] * len(rows)
    for light in ("red", "yellow", "green"):
        values = [getattr(c, light) for c in rows]
        bars = ax.barh(names, values, left=left, color=LIGHT_COLOURS[light], label=_light_name(light))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center", fontsize=9,
                     color="white" if light == "red" else "black")
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel(t("分项数", "parts"))
    ax.set_title(chart_titles(rep)[1], loc="left", fontsize=12)
    fig.legend(loc="outside lower center", fontsize=9, frameon=False, ncols=3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return fig


def _light_name(light: str) -> str:
    from ..i18n import light_label  # noqa: PLC0415

    return light_label(light)


def chart_titles(rep: Any) -> tuple[str, str]:
    scope = t("本单位", "the unit's ") if rep.unit else ""
    return (t("各章节{s}已完成分项数(逐{p})", "Parts {s}done per section, {p}", s=scope,
              p=_period_word(rep)),
            t("截至 {d} 各章节{s}分项的红黄绿灯", "Lights of {s}parts per section as of {d}", d=rep.as_of, s=scope))


def _period_word(rep: Any) -> str:
    days = [p.day for p in rep.timeline]
    quarterly = len(days) > 2 and (days[1] - days[0]).days > 40
    return t("季", "by quarter") if quarterly else t("月", "by month")


def _figures(rep: Any) -> list[tuple[str, Any]]:
    return [("progress", _progress_figure(rep)), ("lights", _lights_figure(rep))]


def svg_charts(rep: Any) -> list[Chart]:
    """Both charts as inline SVG (no XML prolog, no metadata, no external references)."""
    import matplotlib  # noqa: PLC0415

    family = [*CJK_FONTS, "DejaVu Sans", "sans-serif"]
    out = []
    with matplotlib.rc_context(_rc(family, svg=True)), warnings.catch_warnings():
        # Glyph widths are only measured here; the browser draws the text.
        warnings.simplefilter("ignore")
        import logging  # noqa: PLC0415

        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        titles = chart_titles(rep)
        for (key, fig), title in zip(_figures(rep), titles):
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
                        **_WHOLE)
            out.append(Chart(key, title, _inline_svg(buf.getvalue(), key)))
    return out


def _inline_svg(svg: str, key: str) -> str:
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # namespaces are not fetched, but an inline SVG in HTML needs none of them
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    # matplotlib names its clip paths and glyphs by hash: keep each chart's own
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{key}-{m[1]}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{key}-{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{key}-{m[1]}"', svg)
    # one font list for the whole chart, not one per label: the browser picks
    # the first of these it has, and falls back to its own CJK font
    svg = re.sub(r"\s*font-family:[^;\"]+;?", "", svg)
    stack = ", ".join(f"'{f}'" for f in CJK_FONTS) + ", sans-serif"
    svg = svg.replace("<defs>", f"<defs>\n  <style>text {{ font-family: {stack} }}</style>", 1)
    return svg.strip() + "\n"


def png_charts(rep: Any, dpi: int = 150) -> list[Chart]:
    """Both charts as PNG, drawn with an installed CJK font; NoCJKFont if there is none."""
    font = find_cjk_font()
    if font is None:
        raise NoCJKFont(t("本机没有能显示中文的字体，如 Microsoft YaHei、SimHei、Noto Sans CJK、文泉驿",
                          "no font on this system can draw Chinese (e.g. Microsoft YaHei, SimHei, Noto Sans CJK, "
                          "WenQuanYi)"))
    return draw_png(rep, [font], dpi)


def draw_png(rep: Any, family: list[str], dpi: int = 150) -> list[Chart]:
    """PNG charts with these fonts only; NoCJKFont when a label has a glyph they lack."""
    import matplotlib  # noqa: PLC0415

    out = []
    with matplotlib.rc_context(_rc(family, svg=False)), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        titles = chart_titles(rep)
        for (key, fig), title in zip(_figures(rep), titles):
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, **_WHOLE)
            missing = [w for w in caught if "missing from font" in str(w.message)]
            if missing:
                raise NoCJKFont(t("字体 {f} 缺少图表所需的汉字", "the font {f} lacks characters the chart needs",
                                  f="、".join(family)))
            out.append(Chart(key, title, buf.getvalue()))
    return out
