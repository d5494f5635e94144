"""Chinese punctuation in fazhi's own Chinese sentences (GB/T 15834-2011).

A comma, colon, semicolon, question or exclamation mark, a bracket pair or a
quotation pair written half-width in a Chinese sentence becomes full-width
(，：；？！（）“”). Half-width stays where it belongs: between digits (3,500;
12:30), in dates (2017-06-30), ids (6.3, summary-2017), file names, URLs
and anything written in Latin letters only.

``zh_punct`` is applied to fazhi's *templates* (``zt``), before the values
are filled in: the plan's text, the units' names and the notes keep their
own characters, whatever they are. ``half_width_in_chinese`` finds what
is left, for the tests that scan every document.
"""

from __future__ import annotations

import re

from ..i18n import t

_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}


def is_cjk(c: str) -> bool:
    """A Han character or a CJK mark (、。《》〔〕 and the full-width forms)."""
    o = ord(c)
    return (0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x2FFFF)


def _neighbour(text: str, i: int, step: int) -> str:
    """The nearest character that is not a space, looking one way; a placeholder counts as what it is."""
    j = i + step
    while 0 <= j < len(text) and text[j] == " ":
        j += step
    return text[j] if 0 <= j < len(text) else ""


def _side(c: str) -> str:
    """What is beside a mark: Chinese, a value to come ({x}) or nothing, or anything else (3,500; a:b)."""
    return "cjk" if c and is_cjk(c) else "slot" if c in ("", "{", "}") else "latin"


def _pairs(text: str, open_: str, close: str) -> dict[int, int]:
    stack, out = [], {}
    for i, c in enumerate(text):
        if c == open_:
            stack.append(i)
        elif c == close and stack:
            out[stack.pop()] = i
    return out


def zh_punct(text: str) -> str:
    """``text`` with its half-width marks next to Chinese made full-width (spaces around them dropped)."""
    chars = list(text)
    change: set[int] = set()
    chinese = any(is_cjk(c) for c in text)
    for i, c in enumerate(text):
        if c in ",:;?!":
            sides = {_side(_neighbour(text, i, -1)), _side(_neighbour(text, i, 1))}
            # next to Chinese; or, in a Chinese sentence, between a value to come and the end or another value
            if "cjk" in sides or (chinese and "latin" not in sides):
                change.add(i)
    for start, end in _pairs(text, "(", ")").items():
        inside = text[start + 1:end]
        if (any(is_cjk(c) for c in inside) or is_cjk(_neighbour(text, start, -1) or "a")
                or is_cjk(_neighbour(text, end, 1) or "a")):
            change.update((start, end))
    quotes = [i for i, c in enumerate(text) if c == '"']
    for a, b in zip(quotes[::2], quotes[1::2]):
        if any(is_cjk(c) for c in text[a + 1:b]):
            chars[a], chars[b] = "“", "”"
    for i in change:
        chars[i] = _FULL[text[i]]
    out = "".join(chars)
    # a full-width mark carries its own space: none beside it
    return re.sub(r" *([，：；？！）]) *", r"\1", re.sub(r" *（", "（", out))


def zt(zh: str, en: str, /, **kw: object) -> str:
    """``t`` for the documents: the Chinese template's punctuation made Chinese, the values left as they are."""
    return t(zh_punct(zh), en, **kw)


_HALF_NEAR_CJK = re.compile(
    r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])[,:;?!()\"]|[,:;?!()\"](?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])")


def half_width_in_chinese(text: str) -> list[str]:
    """Each half-width mark written next to a Chinese character, with a little of its context."""
    return [text[max(0, m.start() - 8):m.end() + 8] for m in _HALF_NEAR_CJK.finditer(text)]
