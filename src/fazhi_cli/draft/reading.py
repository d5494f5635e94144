"""A notice file → its text: plain text (UTF-8, GB18030/GBK, UTF-16), an HTML page, a .docx, or a PDF.

The file may be hostile: only a regular file is read, never more than
MAX_NOTICE_BYTES, and a .docx (a zip) is refused when its directory declares
more than MAX_DOCX_UNPACKED bytes once unpacked, before anything is unpacked.

Encodings: the standard library's strict decoders, tried in a fixed order
(a byte-order mark; UTF-8; the charset an HTML page declares; GB18030, which
contains GBK and GB2312). Text that is not UTF-8 is almost never valid UTF-8
by accident, and Chinese government notices come in no other encodings, so a
statistical detector would add a dependency and a way to guess wrong on a
short notice without reading anything more.
"""

from __future__ import annotations

import codecs
import io
import re
from html.parser import HTMLParser
from pathlib import Path

from ..i18n import t
from .columns import PAGE_BREAK, page_number
from .model import NoticeError

MAX_NOTICE_BYTES = 20 * 1024 * 1024       # a .docx with its pictures
MAX_TEXT_BYTES = 4 * 1024 * 1024          # a notice's text or a saved page is far smaller
MAX_DOCX_UNPACKED = 64 * 1024 * 1024
MAX_DOCX_MEMBERS = 2000
# The document part itself: Word's XML is about five times the text it holds,
# so 4 MiB of text (the limit above) fits in 20 MiB; more would be read whole
# into an XML tree, tens of times its size in memory, before any limit applied.
MAX_DOCX_XML = 20 * 1024 * 1024


def read_notice(path: str | Path) -> str:
    """The text of the notice at ``path``; NoticeError (one line) when it cannot be read."""
    from ..files import NotRegularFile, TooLarge, read_regular  # noqa: PLC0415

    where = str(path)
    try:
        data = read_regular(path, MAX_NOTICE_BYTES)
    except FileNotFoundError:
        raise NoticeError(t("{p}: 找不到文件", "{p}: no such file", p=where)) from None
    except TooLarge:
        size = Path(path).stat().st_size
        raise NoticeError(t("{p}: 文件过大({n} 字节),通知文件不得超过 {m} MiB",
                            "{p}: file too large ({n} bytes); a notice must stay under {m} MiB",
                            p=where, n=size, m=MAX_NOTICE_BYTES // (1024 * 1024))) from None
    except NotRegularFile as e:
        raise NoticeError(f"{where}: {e.strerror}") from None
    except PermissionError:
        raise NoticeError(t("{p}: 无权读取", "{p}: no permission to read it", p=where)) from None
    except OSError as e:
        raise NoticeError(t("{p}: 无法读取({e})", "{p}: cannot be read ({e})", p=where, e=e.strerror or e)) from None
    return notice_text(data, where)


def notice_text(data: bytes, where: str) -> str:
    """The text of a notice given as bytes, whatever its format."""
    if not data.strip():
        raise NoticeError(t("{p}: 文件是空的", "{p}: the file is empty", p=where))
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return "\n".join(docx_lines(data, where))
    if head.startswith(b"%PDF"):
        return "\n".join(pdf_lines(data, where))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise NoticeError(t("{p}: 是旧版 Word(.doc)或 WPS 文件:请用 Word/WPS 另存为 .docx",
                            "{p}: an old Word (.doc) or WPS file: save it as .docx in Word or WPS", p=where))
    if head.startswith(b"{\\rtf"):
        raise NoticeError(t("{p}: 是 RTF 文件:请另存为 .docx 或 .txt", "{p}: an RTF file: save it as .docx or .txt", p=where))
    if len(data) > MAX_TEXT_BYTES:
        raise NoticeError(t("{p}: 文本过大({n} 字节),通知正文不会超过 {m} MiB:是不是选错了文件?",
                            "{p}: too much text ({n} bytes) for a notice (at most {m} MiB): the wrong file?",
                            p=where, n=len(data), m=MAX_TEXT_BYTES // (1024 * 1024)))
    html = _looks_like_html(data, where)
    text = decode(data, where, html=html)
    if html:
        text = html_text(text)
    return text


def _looks_like_html(data: bytes, where: str) -> bool:
    if where.lower().endswith((".htm", ".html", ".shtml", ".xhtml")):
        return True
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta", b"<body")) or (
        start.startswith(b"<") and re.search(rb"<(p|div|body|table|br)[\s>/]", data[:65536], re.I) is not None)


def decode(data: bytes, where: str, *, html: bool = False) -> str:
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8"]
        if html:
            m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]{2,20})""", data[:4096], re.I)
            if m:
                try:
                    candidates.append(codecs.lookup(m[1].decode("ascii")).name)
                except LookupError:
                    pass
        candidates.append("gb18030")
    if b"\x00" in data and candidates[0] != "utf-16":
        raise _binary(where)
    for encoding in dict.fromkeys(candidates):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f" or "\x7f" <= c <= "\x9f")
        if controls > max(2, len(text) // 200):
            raise _binary(where)
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise NoticeError(t("{p}: 无法识别文字编码(不是 UTF-8,也不是 GBK/GB18030):请另存为 UTF-8 文本",
                        "{p}: unknown text encoding (neither UTF-8 nor GBK/GB18030): save it as UTF-8 text", p=where))


def _too_much(where: str) -> NoticeError:
    """A .docx or PDF whose text grew past MAX_TEXT_BYTES while it was read: never a notice."""
    return NoticeError(t("{p}: 文本过大(超过 {m} MiB),通知正文不会这么多:是不是选错了文件?",
                         "{p}: too much text (over {m} MiB) for a notice: the wrong file?", p=where,
                         m=MAX_TEXT_BYTES // (1024 * 1024)))


def _too_busy(where: str) -> NoticeError:
    """A PDF whose pages draw more than a notice ever does (MAX_PDF_CONTENT, MAX_PDF_OPERATORS)."""
    return NoticeError(t("{p}: PDF 页面内容过多(超过 {m} MiB 的绘制指令),不像一份通知:请另存为 .docx 或复制正文为 .txt",
                         "{p}: the PDF's pages draw too much (over {m} MiB of drawing operators) for a notice: save it "
                         "as .docx, or copy its text into a .txt", p=where, m=MAX_PDF_CONTENT // (1024 * 1024)))


def _binary(where: str) -> NoticeError:
    return NoticeError(t("{p}: 不是文本文件,也不是网页或 .docx:请提供通知的 .txt、.html 或 .docx",
                         "{p}: not a text file, a web page or a .docx: give the notice as .txt, .html or .docx", p=where))


class _TextOfPage(HTMLParser):
    """The visible text of a saved page: one line per block, a table's rows as lines of tab-separated cells.

    A cell spanning rows (rowspan) is repeated in the rows below, where it
    stands, so that every row has its cells in their columns.
    """

    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "ul", "ol", "dd", "dt", "blockquote", "pre", "hr", "center", "header", "footer", "form", "title"}
    HIDDEN = {"script", "style", "noscript", "template", "svg", "iframe", "object", "select", "textarea"}
    MAX_SPAN = 200

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0
        self.tables = 0                    # depth: cells of a table inside a cell are that cell's text
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.spans: dict[int, list] = {}   # column -> [rows left, text], for the outermost table

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "table":
            self.tables += 1
            if self.tables == 1:
                self.out.append("\n")
                self.spans = {}
        elif tag == "tr" and self.tables == 1:
            self._end_row()
            self.row = []
        elif tag in ("td", "th") and self.tables == 1:
            self._end_cell()
            if self.row is None:
                self.row = []
            self._carry()
            self.cell = []
            rowspan = next((v for k, v in attrs if k == "rowspan"), None)
            try:
                n = min(int(rowspan or 1), self.MAX_SPAN)
            except ValueError:
                n = 1
            if n > 1:
                self.spans[len(self.row)] = [n - 1, None]
        elif tag in self.BLOCKS or tag == "br":
            self._text(" " if self.cell is not None else "\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in self.BLOCKS:
            self._text(" " if self.cell is not None else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "table":
            if self.tables == 1:
                self._end_row()
                self.out.append("\n")
            self.tables = max(0, self.tables - 1)
        elif tag in ("td", "th") and self.tables == 1:
            self._end_cell()
        elif tag == "tr" and self.tables == 1:
            self._end_row()
        elif tag in self.BLOCKS:
            self._text(" " if self.cell is not None else "\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._text(re.sub(r"[ \t\r\n]+", " ", data))

    def _text(self, s: str) -> None:
        if self.cell is not None:
            self.cell.append(s)
        else:
            self.out.append(s)

    def _carry(self) -> None:
        """Cells spanning down from rows above, at the column this row has reached."""
        while len(self.row) in self.spans and self.spans[len(self.row)][1] is not None:
            left, text = self.spans[len(self.row)]
            self.row.append(text)
            if left <= 1:
                del self.spans[len(self.row) - 1]
            else:
                self.spans[len(self.row) - 1][0] = left - 1

    def _end_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        text = " ".join("".join(self.cell).replace("\u3000", " ").split())
        col = len(self.row)
        if col in self.spans and self.spans[col][1] is None:
            self.spans[col][1] = text
        self.row.append(text)
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is None:
            return
        self._carry()
        cells = self.row
        self.row = None
        if any(c for c in cells):
            self.out.append("\n" + "\t".join(cells) + "\n")


def html_text(page: str) -> str:
    parser = _TextOfPage()
    parser.feed(page)
    parser.close()
    lines = ("".join(parser.out)).split("\n")
    return "\n".join(" ".join(ln.replace("\u3000", " ").split()) if "\t" not in ln else
                     "\t".join(" ".join(c.split()) for c in ln.split("\t")).strip("\t") for ln in lines)


MAX_PDF_PAGES = 500
# pypdf interprets a page's drawing operators in Python, some 10,000 a second: a 90 KB file can inflate to
# millions of them. A notice's pages hold a few KB of operators each; the bound is on the whole file, so the
# work is bounded however the bytes are spread over pages or repeated through forms.
MAX_PDF_CONTENT = 2 * 1024 * 1024      # bytes of page content, all pages together
MAX_PDF_OPERATORS = 200_000            # operators the plain reader interprets, forms included


def pdf_lines(data: bytes, where: str) -> list[str]:
    """The text of a PDF's pages, laid out as printed, so that a table's cells stay apart (runs of spaces).

    Lines keep their leading spaces (a wrapped cell's column) and pages are
    separated by a line holding a form feed: columns.py puts a table's wrapped
    rows back together from them.

    Read with pypdf, imported only here. A PDF with no text layer (a scanned
    notice) is refused in one line: the drafter cannot read pictures.
    """
    try:
        import pypdf  # noqa: PLC0415
        import logging  # noqa: PLC0415
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise NoticeError(t("读取 PDF 需要 pypdf：pip install pypdf", "reading a PDF needs pypdf: pip install pypdf")) from None
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)   # its warnings about a damaged file are not the user's to read
    lines: list[str] = []
    size = 0
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise NoticeError(t("{p}: PDF 有密码保护,无法读取:请另存为没有密码的 PDF 或 .docx",
                                "{p}: the PDF is password-protected: save it without a password, or as .docx", p=where))
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise NoticeError(t("{p}: PDF 有 {n} 页,不像一份通知(最多 {m} 页)", "{p}: {n} pages do not look like a notice "
                                "(at most {m})", p=where, n=len(pages), m=MAX_PDF_PAGES))
        content = 0
        operators = [0]

        def count(*_: object) -> None:
            operators[0] += 1
            if operators[0] > MAX_PDF_OPERATORS:
                raise _too_busy(where)

        for page in pages:
            stream = page.get_contents()
            content += len(stream.get_data()) if stream is not None else 0
            if content > MAX_PDF_CONTENT:
                raise _too_busy(where)
            try:
                text = page.extract_text(extraction_mode="layout")
            except Exception:  # noqa: BLE001 - layout needs font widths some files lack; plain order still reads
                text = page.extract_text(visitor_operand_before=count)
            if lines:
                lines.append(PAGE_BREAK)      # so that a table's reader knows where a page's positions change
            page_lines = [ln.rstrip() for ln in (text or "").split("\n")]   # leading spaces: a cell's column
            foot = max((k for k, ln in enumerate(page_lines) if ln), default=-1)
            for k, line in enumerate(page_lines):
                if page_number(line, at_foot=k == foot):
                    continue                  # — 3 — would run into the text of the item it interrupts
                size += len(line) * 3
                lines.append(line)
            if size > MAX_TEXT_BYTES:
                raise _too_much(where)
    except NoticeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a malformed PDF raises, the file is at fault
        raise NoticeError(t("{p}: 无法读取 PDF（{k}）:文件损坏?请另存为 .docx 或复制正文为 .txt",
                            "{p}: cannot read the PDF ({k}): damaged? save it as .docx, or copy its text into a .txt",
                            p=where, k=type(e).__name__)) from None
    if not any(ln.strip() for ln in lines):
        raise NoticeError(t("{p}: PDF 中没有文字(可能是扫描件):草稿无法识别图片中的文字;请找原文的 .docx 或网页,或先用文字识别(OCR)转成文字",
                            "{p}: the PDF holds no text (a scan?): the drafter cannot read pictures; find the notice as "
                            ".docx or a web page, or run text recognition (OCR) first", p=where))
    return lines


def docx_lines(data: bytes, where: str) -> list[str]:
    """The paragraphs (and table rows, cells joined by tabs) of a .docx, in order."""
    import zipfile  # noqa: PLC0415

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise NoticeError(t("{p}: 文件损坏,或不是 .docx", "{p}: damaged, or not a .docx", p=where)) from None
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > MAX_DOCX_MEMBERS or unpacked > MAX_DOCX_UNPACKED:
        raise NoticeError(t("{p}: 解压后有 {n} 字节、{k} 个部件,超过上限({m} MiB):拒绝读取(可能是压缩炸弹)",
                            "{p}: unpacks to {n} bytes in {k} parts, over the limit ({m} MiB): refused (a zip bomb?)",
                            p=where, n=unpacked, k=len(infos), m=MAX_DOCX_UNPACKED // (1024 * 1024)))
    document_xml = next((i for i in infos if i.filename == "word/document.xml"), None)
    if document_xml is None:
        raise NoticeError(t("{p}: 是压缩包,但不是 Word .docx", "{p}: a zip file, but not a Word .docx", p=where))
    if document_xml.file_size > MAX_DOCX_XML:
        raise NoticeError(t("{p}: 正文部件解压后有 {n} 字节,超过上限({m} MiB):一份通知的正文不会这么大",
                            "{p}: its text part unpacks to {n} bytes, over the limit ({m} MiB): no notice's text is so large",
                            p=where, n=document_xml.file_size, m=MAX_DOCX_XML // (1024 * 1024)))
    try:
        import docx  # noqa: PLC0415
        from docx.table import Table  # noqa: PLC0415
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise NoticeError(t("读取 .docx 需要 python-docx：pip install python-docx",
                            "reading a .docx needs python-docx: pip install python-docx")) from None
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        size = 0
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells: list[str] = []
                    seen: list[object] = []
                    for cell in row.cells:
                        if any(cell._tc is tc for tc in seen):   # a merged cell repeats
                            continue
                        seen.append(cell._tc)
                        cells.append(" ".join(cell.text.split()))
                    lines.append("\t".join(cells))
            else:
                lines.append(block.text)
            size += len(lines[-1]) * 3 if lines else 0
            if size > MAX_TEXT_BYTES:
                raise _too_much(where)
    except NoticeError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a malformed package raises, the file is at fault
        raise NoticeError(t("{p}: 无法读取 .docx（{k}）", "{p}: cannot read the .docx ({k})", p=where,
                            k=type(e).__name__)) from None
    return lines
