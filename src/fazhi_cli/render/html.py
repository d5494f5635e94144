"""The report as one self-contained HTML file: styles and charts inline.

Nothing is fetched when the file is opened: no scripts, no web fonts, no
images by address; the charts are inline SVG. Every value passes through
``safe()`` and HTML escaping, so text from notes and plans stays text.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any, Sequence

from ..i18n import lang
from .escape import safe
from .report_tables import Document, LightCell, Names, Table, Word, cell_text

_FONTS = ("'Microsoft YaHei', 'PingFang SC', 'Hiragino Sans GB', 'Noto Sans CJK SC', 'Source Han Sans SC', "
          "'WenQuanYi Micro Hei', SimHei, sans-serif")

_CSS = """
body { font-family: %(fonts)s; color: #1f1f1f; margin: 2em auto; max-width: 1100px; padding: 0 1.5em;
       line-height: 1.6; }
h1 { font-size: 1.6em; text-align: center; margin-bottom: 0.2em; }
.subtitle { text-align: center; color: #555; margin: 0; }
h2 { font-size: 1.25em; border-bottom: 2px solid #c00; padding-bottom: 0.2em; margin-top: 1.8em; }
table { border-collapse: collapse; width: 100%%; margin: 0.6em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #bfbfbf; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
td.date { white-space: nowrap; }
tr.total td { font-weight: bold; background: #fafafa; }
.nb { white-space: nowrap; }
.light { display: inline-block; padding: 0 0.5em; border-radius: 3px; white-space: nowrap; }
.light-red { background: #d4380d; color: #fff; font-weight: bold; }
.light-yellow { background: #faad14; color: #000; font-weight: bold; }
.light-green { color: #237804; }
figure.chart { margin: 1em auto; max-width: 860px; }
figure.chart svg { width: 100%%; height: auto; }
.note { color: #666; font-size: 0.9em; margin-top: 2em; border-top: 1px solid #ddd; padding-top: 0.5em; }
.signature { text-align: right; margin: 2.5em 4em 0 0; line-height: 1.8; }
.signature span { display: inline-block; text-align: center; }
/* Printing from the browser gives the document: A4, the 公文 margins, page numbers where the
   browser draws margin boxes, no row cut in two, a table's header on every page */
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center { content: "— " counter(page) " —"; font-family: SimSun, 'Noto Serif CJK SC', serif;
                         font-size: 14pt; } }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; color: #000; }
  h1 { font-size: 22pt; font-weight: normal; font-family: '方正小标宋简体', 'FZXiaoBiaoSong-B05S', STZhongsong, SimSun,
       'Noto Serif CJK SC', serif; }
  h2 { font-size: 14pt; border-bottom: none; font-family: SimHei, 'Noto Sans CJK SC', sans-serif;
       break-after: avoid; page-break-after: avoid; }
  h2 + p { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  thead { display: table-header-group; }
  tr, td, th, figure.chart, .signature { break-inside: avoid; page-break-inside: avoid; }
  th { background: #e6e6e6; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .light { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  figure.chart { max-width: 100%%; }
  .note { color: #000; border-top: none; }
}
""" % {"fonts": _FONTS}


def h(value: Any) -> str:
    return escape(safe(cell_text(value)), quote=True)


def _cell(value: Any) -> str:
    if isinstance(value, LightCell):
        return f'<td><span class="light light-{h(value.light)}">{h(value)}</span></td>'
    if isinstance(value, Names):
        # one span per name: the browser may break a line at 、 between names, never inside one
        return "<td>" + "、".join(f'<span class="nb">{h(n)}</span>' for n in value.names) + "</td>"
    if isinstance(value, Word):
        return f'<td><span class="nb">{h(value)}</span></td>'
    if isinstance(value, bool):
        return f"<td>{h(value)}</td>"
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    if isinstance(value, date):
        return f'<td class="date">{h(value)}</td>'
    return f"<td>{h(value)}</td>"


def _table(table: Table) -> list[str]:
    out = [f"<h2>{h(table.heading)}</h2>", f"<p>{h(table.lead)}</p>"]
    if not table.rows:
        return out
    out.append("<table>")
    out.append("<thead><tr>" + "".join(f"<th>{h(x)}</th>" for x in table.headers) + "</tr></thead>")
    out.append("<tbody>")
    for row in table.rows:
        out.append("<tr>" + "".join(_cell(c) for c in row) + "</tr>")
    if table.total:
        out.append('<tr class="total">' + "".join(_cell(c) for c in table.total) + "</tr>")
    out.append("</tbody></table>")
    return out


def page(doc: Document, charts: Sequence[Any]) -> str:
    """The whole file. ``charts`` are (key, title, svg) from ``charts.svg_charts``: trusted, made here."""
    body = [f"<h1>{h(doc.title)}</h1>"]
    body += [f'<p class="subtitle">{h(s)}</p>' for s in doc.subtitle]
    for i, table in enumerate(doc.tables):
        body += _table(table)
        if i == doc.charts_after and charts:
            body.append('<div class="charts">')
            for chart in charts:
                body.append(f'<figure class="chart" id="chart-{h(chart.key)}" role="img" '
                            f'aria-label="{h(chart.title)}">{chart.data}</figure>')
            body.append("</div>")
    if doc.signer and doc.signed is not None:   # the 落款: the unit over the date
        from .supervision import cn_day  # noqa: PLC0415

        body.append(f'<p class="signature"><span>{h(doc.signer)}<br>{h(cn_day(doc.signed))}</span></p>')
    body.append(f'<p class="note">{h(doc.note)}</p>')
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{"en" if lang() == "en" else "zh-CN"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(doc.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])
