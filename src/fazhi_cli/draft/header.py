"""The notice's header: title, document number, issuer, dates, addressees."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..i18n import t_as_written as t
from .text import chinese_number, chinese_year, norm

DOC_NUMBER = r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(]\s*\d{4}\s*[〕\]】)]\s*\d{1,4}\s*号"
_PLAN_NOUNS = ("方案", "计划", "要点", "意见", "清单", "安排", "分工", "办法", "规划", "任务", "措施")
_ISSUER_ENDS = ("政府", "办公室", "办公厅", "委员会", "局", "委", "部", "小组", "厅", "院", "办")
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_CN_DATE = r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"


@dataclass
class Header:
    title: str = ""
    number: str = ""
    issuer: str = ""
    signed: date | None = None
    signed_line: int = -1
    published: date | None = None
    addressees: str = ""
    notes: dict[str, str] = field(default_factory=dict)


def date_line(line: str) -> date | None:
    """The date when ``line`` is only a date (a signature's: 2020年7月8日, 二〇二〇年七月八日), else None."""
    return _date_of(line)


def _date_of(line: str) -> date | None:
    s = norm(line).strip().strip("()")
    m = re.fullmatch(_DATE, s)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(_CN_DATE, s)
        if m:
            y, mo, d = chinese_year(m[1]), chinese_number(m[2]), chinese_number(m[3])
            if y and mo and d:
                return date(y, mo, d)
    except ValueError:
        return None
    return None


_TITLE_END = re.compile(r"的(?:通知|意见|决定|批复|函)$")


def _joined_title(head: list[str]) -> list[str]:
    """The head with a title's first line (…关于…, no ending) joined to the line that ends it (…的通知)."""
    out = list(head)
    for i, line in enumerate(out[:8]):
        n = norm(line).strip()
        if "关于" not in n or _TITLE_END.search(n) or not 4 <= len(n) <= 60:
            continue
        nxt = next((j for j in range(i + 1, min(i + 3, len(out))) if out[j].strip()), None)
        if nxt is not None and _TITLE_END.search(norm(out[nxt]).strip()) and len(norm(out[nxt]).strip()) <= 60:
            out[i] = line.strip() + out[nxt].strip()
            out[nxt] = ""
        break
    return out


def read_header(lines: list[str], body_start: int) -> Header:
    """What the lines before the first numbered item (and the signature, wherever it is) say."""
    h = Header()
    head = lines[:body_start]
    normed = [norm(x) for x in lines]
    for i, line in enumerate(head):
        m = re.search(DOC_NUMBER, normed[i])
        if m and not h.number:
            h.number = line[m.start():m.end()].strip()
    # a title set over two lines (two <p> of a web page: 国务院办公厅关于推广第二批 / …改革举措的通知) is one title
    head, normed = _joined_title(head), [norm(x) for x in _joined_title(head)] + normed[len(head):]
    # title: "…关于印发《X》的通知" names the plan; else a line ending like a plan's name
    for i, line in enumerate(head):
        n = normed[i]
        m = re.search(r"关于印发(.+?)的通知", n)
        if m and len(n) <= 120:
            title = line[m.start(1):m.end(1)].strip()
            h.title = title.strip("《》")
            if not h.issuer:
                before = line[:m.start()].strip()
                if 2 <= len(before) <= 40:
                    h.issuer = before
                    h.notes["issuer"] = t("取自通知标题;落款如有不同,以落款为准", "taken from the notice's title; "
                                          "the signature, if different, is the better source")
            break
    if not h.title:
        for i, line in enumerate(head):
            n = normed[i].strip()
            if 4 <= len(n) <= 60 and n.endswith(_PLAN_NOUNS) and not re.match(r"[((]?[一二三四五六七八九十\d]", n):
                h.title = line.strip()
                h.notes["title"] = t("取自通知开头的标题行,请核对", "taken from a heading near the top; please confirm")
                break
    if not h.title:
        for line in head:
            n = norm(line).strip()
            if "关于" in n and _TITLE_END.search(n) and len(n) <= 80:
                h.title = line.strip()
                h.notes["title"] = t("取自通知标题,请核对", "taken from the notice's title; please confirm")
                break
    if not h.title:
        first = next((x.strip() for x in head if 4 <= len(x.strip()) <= 60), "")
        h.title = first or t("(请填写方案名称)", "(write the plan's title)")
        h.notes["title"] = t("未找到方案名称:取第一行,请改正", "no title found: the first line is taken; correct it")
    # the signature: an issuer-like line and a date line just below it
    for i, line in enumerate(lines):
        day = _date_of(line)
        if day is None:
            continue
        prev = next((lines[j].strip() for j in range(i - 1, max(i - 3, -1), -1) if lines[j].strip()), "")
        if prev and len(prev) <= 40 and norm(prev).endswith(_ISSUER_ENDS) and not re.search(r"[。,,:]", norm(prev)):
            h.signed, h.signed_line = day, i
            h.notes["signed"] = t("取自落款日期“{d}”", "the date under the signature, “{d}”", d=line.strip())
            if prev != h.issuer:
                h.issuer = prev
                h.notes["issuer"] = t("取自落款", "taken from the signature")
            break
    if h.signed is None:
        # a date alone on its line, with no issuer just above it: the signature's all the same
        for i, line in enumerate(lines):
            day = _date_of(line)
            if day is not None:
                h.signed, h.signed_line = day, i
                h.notes["signed"] = t("取自单独成行的日期“{d}”(落款位置),请核对", "the date alone on its line, “{d}” "
                                      "(where a signature stands); please confirm", d=line.strip())
                break
    for i, line in enumerate(lines):
        n = normed[i]
        m = re.search(r"(发布时间|发布日期|公开日期|发文日期|成文日期|(?:^|(?<=\s))时间)\s*[:]\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", n)
        if not m:
            continue
        try:
            day = date(int(m[2]), int(m[3]), int(m[4]))
        except ValueError:
            continue
        if m[1] in ("成文日期", "发文日期"):  # the day signed; 发布时间/时间 is the page's
            if h.signed is None:
                h.signed = day
                h.notes["signed"] = t("取自“{l}”", "from “{l}”", l=m[1])
        elif h.published is None:
            h.published = day
    # addressees: "各镇政府、街道办事处,…:" before the body
    for i, line in enumerate(head):
        n = normed[i].strip()
        if (n.endswith(":") and 4 <= len(n) <= 300 and ("、" in n or "," in n or n.startswith("各"))
                and not re.match(r"(牵头|责任|配合)", n)):
            h.addressees = line.strip()[:-1]
            break
    return h
