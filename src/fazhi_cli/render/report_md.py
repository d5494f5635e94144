"""The report as Markdown: headings, the counting sentences and pipe tables.

Every value goes through ``safe()`` and then has the characters Markdown
would act on escaped, so a note cannot add a link, an image, a heading or
a column.
"""

from __future__ import annotations

import re

from .escape import safe
from .report_tables import Document, Table, cell_text

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def md(value: object) -> str:
    return _MD_SPECIAL.sub(r"\\\1", safe(cell_text(value)))


def _table(table: Table) -> list[str]:
    out = [f"## {md(table.heading)}", "", md(table.lead), ""]
    if not table.rows:
        return out
    out.append("| " + " | ".join(md(h) for h in table.headers) + " |")
    out.append("|" + "|".join("---" for _ in table.headers) + "|")
    for row in table.rows:
        out.append("| " + " | ".join(md(c) for c in row) + " |")
    if table.total:
        out.append("| " + " | ".join(f"**{md(c)}**" for c in table.total) + " |")
    out.append("")
    return out


def markdown(doc: Document) -> str:
    lines = [f"# {md(doc.title)}", ""]
    lines += [md(s) + "  " for s in doc.subtitle]
    lines.append("")
    for table in doc.tables:
        lines += _table(table)
    lines += ["---", "", md(doc.note), ""]
    return "\n".join(lines)
