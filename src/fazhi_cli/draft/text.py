"""Helpers on notice text: a matching copy, sentence and clause bounds, numerals.

Notices mix full-width and ASCII punctuation ((一) and (一), 1. and 1.), and
some arrive in Traditional characters (牽頭單位, 〔2006〕19號). Patterns run on
``norm(text)``, a copy with full-width ASCII folded to ASCII and Traditional
characters converted to Simplified (by OpenCC, the maintained converter),
character for character, so a match's span cuts the same words out of the
original, which is what the draft keeps: titles, texts and unit names stay
as the source wrote them.
"""

from __future__ import annotations

import re

_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20     # ideographic space
_FOLD[0x00A0] = 0x20     # no-break space
_FOLD[0xFE50] = ord(",")   # small comma


def norm(text: str) -> str:
    """The same text with full-width ASCII folded and Traditional characters simplified; same length, same positions."""
    return simplified(text.translate(_FOLD))


_CONVERTER: list = []


def _t2s():
    """OpenCC's Traditional → Simplified converter, loaded once, only by drafting."""
    if not _CONVERTER:
        try:
            import opencc  # noqa: PLC0415
            _CONVERTER.append(opencc.OpenCC("t2s"))
        except Exception:  # noqa: BLE001 - no converter: Simplified notices still draft
            _CONVERTER.append(None)
    return _CONVERTER[0]


def simplified(text: str) -> str:
    """``text`` in Simplified characters, of the same length (a phrase rule that would change it is not applied)."""
    if text.isascii():
        return text
    cc = _t2s()
    if cc is None:
        return text
    out = cc.convert(text)
    if len(out) == len(text):
        return out
    # A phrase conversion changed the length: convert line by line, and a line
    # that still differs character by character, so that spans stay true.
    lines = []
    for line in text.split("\n"):
        conv = cc.convert(line)
        if len(conv) != len(line):
            conv = "".join(c2 if len(c2 := cc.convert(c)) == 1 else c for c in line)
        lines.append(conv)
    return "\n".join(lines)


def mask_titles(text: str) -> str:
    """《…》 blanked out (same length): a law's title such as 《纲要(2015—2020年)》 holds no deadline."""
    return re.sub(r"《[^《》\n]{0,80}》", lambda m: " " * len(m[0]), text)


SENTENCE_END = "。;;!?!?\n"
CLAUSE_END = SENTENCE_END + ",,"


def sentence_bounds(text: str, start: int, end: int, stops: str = SENTENCE_END) -> tuple[int, int]:
    """The sentence (or clause, with ``stops=CLAUSE_END``) around text[start:end]."""
    a = max(text.rfind(c, 0, start) for c in stops) + 1
    b = min((i for i in (text.find(c, end) for c in stops) if i >= 0), default=len(text))
    return a, b


_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 三十八 → 38; None for anything else."""
    if not s or any(c not in _DIGITS and c not in "十百" for c in s):
        return None
    if "百" in s:
        head, _, rest = s.partition("百")
        hundreds = _DIGITS.get(head, 1) if head else 1
        return hundreds * 100 + (chinese_number(rest.lstrip("零〇")) or 0)
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = _DIGITS[head] if head else 1
        return tens * 10 + (_DIGITS[tail] if tail else 0)
    return _DIGITS[s] if len(s) == 1 else None


def chinese_year(s: str) -> int | None:
    """二〇一六 → 2016 (digit by digit)."""
    if len(s) != 4 or any(c not in _DIGITS for c in s):
        return None
    return int("".join(str(_DIGITS[c]) for c in s))


def short(text: str, limit: int = 60) -> str:
    """One line of at most ``limit`` characters, for a comment or a source quote."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 2] + "……"


class Spans:
    """Non-overlapping [start, end) spans, with an overlap test in O(log n): a hostile notice may hold 10⁵ of them."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        import bisect  # noqa: PLC0415

        i = bisect.bisect_right(self.starts, start)
        return (i > 0 and self.ends[i - 1] > start) or (i < len(self.starts) and self.starts[i] < end)

    def add(self, start: int, end: int) -> None:
        import bisect  # noqa: PLC0415

        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


# pinyin a copying site put after characters, 部門(mén), 業(yè): a reading aid, never the notice's words;
# only brackets of lowercase letters with a tone mark, so that (app) or (PPP) stay
_READING_AID = re.compile(r"(?<=[\u3400-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7} ?\)")


def without_reading_aids(text: str) -> str:
    """The text without the pinyin a web page inserted after its characters."""
    return _READING_AID.sub("", text)
