"""Chinese punctuation in fazhi's own Chinese sentences (GB/T 15834-2011).

A comma, colon, semicolon, question or exclamation mark or a bracket pair
written half-width in a Chinese sentence becomes full-width (，：；？！（）),
and, in the documents, a quotation pair too (“”). Half-width stays where it
belongs: between digits (3,500; 12:30), in dates (2017-06-30), ids (6.3,
summary-2017), file names, URLs (https://用户名:密码@…), inside a field
``{v!r}`` and in anything written in Latin letters only.

It is applied to fazhi's *templates*, before the values are filled in
(``i18n.t`` does it for every Chinese message): the plan's text, the units'
names and the notes keep their own characters, whatever they are. A mark
written tight between two values (``{path}:{line}``, ``{unit}:{what}``) is
decided once they are filled in: full-width only next to Chinese. In a
message, the file or line it is about keeps its half-width colon
(``{p}: 找不到文件``, ``{w}:{l}: …``), as tools write a location.
``half_width_in_chinese`` finds what is left, for the tests that scan what
fazhi writes.
"""

from __future__ import annotations

import re

_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
# a mark between two values, decided when they are filled in (a character of the private use area)
_LATER = "\ue000"
_URL = re.compile(r"[A-Za-z][\w+.-]*(?:\(s\))?://[^\s,;()，；（）]*")
_MARKS = re.compile(r'[,:;?!()"]')


def is_cjk(c: str) -> bool:
    """A Han character or a CJK mark (、。《》〔〕 and the full-width forms)."""
    o = ord(c)
    return (0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x2FFFF)


def _neighbour(text: str | list[str], i: int, step: int) -> str:
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
    if open_ not in text:
        return out
    for m in re.finditer(re.escape(open_) + "|" + re.escape(close), text):
        i = m.start()
        if text[i] == open_:
            stack.append(i)
        elif stack:
            out[stack.pop()] = i
    return out


# where a message is about: a file, or a line of it, before what is wrong there ({p}: 找不到文件)
_WHERE = re.compile(r"^\{[^{}]*\}(?::\{[^{}]*\})*: ")


def _kept(text: str, later: bool = False) -> set[int]:
    """Where marks are not punctuation: inside a field ({v!r}, {s:g}), inside a URL and, in a message, after
    the file or line it is about (kept as tools write it, path:12: …, which editors and scripts read)."""
    kept: set[int] = set()
    m = _WHERE.match(text) if later else None
    if m:
        kept.update(i for i in range(m.end()) if text[i] == ":")
    for m in re.finditer(r"\{[^{}]*\}", text):
        kept.update(range(m.start() + 1, m.end() - 1))
    for m in _URL.finditer(text):
        kept.update(range(m.start(), m.end()))
    return kept


def zh_punct(text: str, quotes: bool = True, later: bool = False) -> str:
    """``text`` with its half-width marks next to Chinese made full-width (spaces around them dropped).

    ``quotes``: "…" around Chinese becomes “…”. ``later``: a mark tight between two fields is left to
    ``settle`` (after the fields are filled in) instead of being decided now."""
    if not text or max(text) < "\u3000" or not _MARKS.search(text):
        return text           # no Chinese (nothing from U+3000 up), or no mark: nothing to change
    chars = list(text)
    kept = _kept(text, later)
    chinese = True
    for start, end in _pairs(text, "(", ")").items():
        if start in kept or end in kept:
            continue
        inside = text[start + 1:end]
        if (any(is_cjk(c) for c in inside) or is_cjk(_neighbour(text, start, -1) or "a")
                or is_cjk(_neighbour(text, end, 1) or "a")):
            chars[start], chars[end] = _FULL["("], _FULL[")"]
    for m in re.finditer(r"[,:;?!]", text):
        i, c = m.start(), m.group()
        if i not in kept:
            # the brackets made full-width above count as Chinese
            sides = {_side(_neighbour(chars, i, -1)), _side(_neighbour(chars, i, 1))}
            if later and chinese and text[i - 1:i] == "}" and text[i + 1:i + 2] == "{":
                chars[i] = _LATER + c
            # next to Chinese; or, in a Chinese sentence, between a value to come and the end or another value
            elif "cjk" in sides or (chinese and "latin" not in sides):
                chars[i] = _FULL[c]
    if quotes and '"' in text:
        marks = [m.start() for m in re.finditer('"', text) if m.start() not in kept]
        for a, b in zip(marks[::2], marks[1::2]):
            if any(is_cjk(c) for c in text[a + 1:b]):
                chars[a], chars[b] = "“", "”"
    out = "".join(chars)
    # a full-width mark carries its own space: none beside it
    return re.sub(r" *([，：；？！）]) *", r"\1", re.sub(r" *（", "（", out))


def settle(text: str) -> str:
    """The marks ``zh_punct(later=True)`` left between two values, now that they are filled in:
    full-width next to Chinese (区编办：进行中), half-width between anything else (方案.yaml:12)."""
    if _LATER not in text:
        return text

    def one(m: re.Match) -> str:
        before, after = text[m.start() - 1:m.start()], text[m.end():m.end() + 1]
        mark = m.group(1)
        return _FULL[mark] if (before and is_cjk(before)) or (after and is_cjk(after)) else mark

    return re.sub(_LATER + "(.)", one, text)


def half_width_in_chinese(text: str) -> list[str]:
    """Each half-width mark written next to a Chinese character, with a little of its context (for the tests:
    the pattern is compiled here, not when a command imports this module)."""
    near = re.compile(
        r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])[,:;?!()\"]|[,:;?!()\"](?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])")
    return [text[max(0, m.start() - 8):m.end() + 8] for m in near.finditer(text)]
