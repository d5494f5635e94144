"""Invented notices for the drafter's tests, as a saved web page and as a Word file.

``python tests/notices.py DIR`` writes qingxi-2024.html and qingxi-2024.docx
into DIR (for trying ``fazhi draft`` by hand).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
QINGXI = FIXTURES / "qingxi-2024-tasks.txt"


def paragraphs(path: Path = QINGXI) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def as_html(paras: list[str], charset: str = "utf-8") -> str:
    """A page as a government site serves it: navigation, scripts, full-width indents, entities."""
    body = "\n".join(f'<p style="text-indent:2em">\u3000\u3000{html.escape(p)}</p>' for p in paras)
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{html.escape(paras[0])}</title>
<style>p {{ font-size: 16px }}</style>
<script>var nav = "1.首页(牵头单位:假单位)"; document.write(nav);</script></head>
<body><div class="nav">首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="TRS_Editor">{body}</div>
<div class="footer">主办:青溪市人民政府办公室&nbsp;&nbsp;扫一扫在手机打开当前页</div>
<noscript>请开启脚本</noscript></body></html>
"""


def write_docx(paras: list[str], path: Path, table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    for p in paras:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            if len(set(row)) == 1:              # one value across the row: a merged heading row
                t.cell(r, 0).merge(t.cell(r, len(row) - 1)).text = row[0]
                continue
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    document.save(str(path))
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "qingxi-2024.html").write_text(as_html(paragraphs()), encoding="utf-8")
    write_docx(paragraphs(), out / "qingxi-2024.docx")
    print(out / "qingxi-2024.html", out / "qingxi-2024.docx")
