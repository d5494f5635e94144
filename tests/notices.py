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


def write_pdf(lines: list[str], path: Path, *, text: bool = True) -> Path:
    """A PDF of ``lines`` (one a line, 40 lines a page), as a Word processor exports a notice.

    The font is not embedded: a Type0 font whose ToUnicode map gives each
    character's code point, which is what a reader extracts text from. With
    ``text=False`` the pages hold no text layer, as a scanned notice.
    """
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    chars = sorted({c for line in lines for c in line})
    cmap_entries = []
    for i in range(0, len(chars), 100):
        block = chars[i:i + 100]
        cmap_entries.append(f"{len(block)} beginbfchar\n" + "\n".join(
            f"<{ord(c):04X}> <{ord(c):04X}>" for c in block) + "\nendbfchar")
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def "
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n" + "\n".join(cmap_entries)
            + "\nendcmap CMapName currentdict /CMap defineresource pop end end").encode()
    catalog = add(b"<< /Type /Catalog /Pages 2 0 R >>")
    pages_at = add(b"")             # filled in below
    tounicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    cid = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
              b"/Ordering (Identity) /Supplement 0 >> /DW 1000 >>")
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R] "
               b"/ToUnicode %d 0 R >>" % (cid, tounicode))
    kids = []
    for start in range(0, max(len(lines), 1), 40):
        ops = [b"BT /F1 10 Tf 40 800 Td 14 TL"] if text else []
        for line in lines[start:start + 40] if text else []:
            ops.append(b"<" + line.encode("utf-16-be").hex().upper().encode() + b"> Tj T*")
        if text:
            ops.append(b"ET")
        else:
            ops.append(b"0.5 g 40 40 500 700 re f")      # a scanned page: only a picture of text
        stream = b"\n".join(ops)
        contents = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                        b"/Contents %d 0 R >>" % (font, contents)))
    objects[pages_at - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    path.write_bytes(bytes(out))
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "qingxi-2024.html").write_text(as_html(paragraphs()), encoding="utf-8")
    write_docx(paragraphs(), out / "qingxi-2024.docx")
    print(out / "qingxi-2024.html", out / "qingxi-2024.docx")
