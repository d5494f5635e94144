"""Text that came from elsewhere, made inert for a terminal and for JSON.

Every format goes through ``safe()`` (or JSON's escaping), so text that came
from plan files, notes or evidence cannot move the cursor, change colors,
open links or reorder a line on the user's terminal.
"""

from __future__ import annotations

from typing import Any

# C0/C1 controls, DEL, and the invisible format marks that reorder or hide
# text: the Arabic letter mark, zero-width space/joiners, LRM/RLM, bidi
# embeddings, overrides and isolates, the word joiner and invisible operators,
# the deprecated format marks, the BOM, line and paragraph separators, soft
# hyphen, Mongolian vowel separator, interlinear annotation marks and the tag
# characters (which can smuggle invisible ASCII). Each is shown as an escape
# ("\x1b", "\u202e") instead of acting.
_UNSAFE = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0xAD, 0x061C, 0x180E, *range(0x200B, 0x2010),
           *range(0x2028, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x2070), 0xFEFF,
           *range(0xFFF9, 0xFFFC), *range(0xE0000, 0xE0080)]


def _escape(c: int) -> str:
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


def _json_escape(c: int) -> str:
    if c < 0x10000:
        return f"\\u{c:04x}"
    c -= 0x10000  # JSON spells a character beyond U+FFFF as its UTF-16 surrogate pair
    return f"\\u{0xD800 + (c >> 10):04x}\\u{0xDC00 + (c & 0x3FF):04x}"


_SAFE_TABLE = {c: _escape(c) for c in _UNSAFE}
_JSON_TABLE = {c: _json_escape(c) for c in _UNSAFE if c >= 0x7F}


def safe(value: object) -> str:
    return str(value).translate(_SAFE_TABLE)


def safe_lines(value: object) -> str:
    """Like safe(), but a newline stays a line break."""
    return "\n".join(safe(x) for x in str(value).split("\n"))


def to_json(obj: Any) -> str:
    # json escapes C0 itself; the rest is escaped here so that the output is
    # still exact JSON but carries no raw escape character. translate() looked
    # up every one of a status document's 300,000 characters in a dict, and a
    # character class over the text is no faster; the UTF-8 bytes are searched
    # for the marks' encodings instead, and only a document that has one is
    # translated.
    from .jsontext import dumps_indented, has_marks  # noqa: PLC0415

    text = dumps_indented(obj)
    if has_marks(text.encode("utf-8", "surrogatepass")):
        text = text.translate(_JSON_TABLE)
    return text + "\n"


class JsonDoc:
    """``to_json(doc)`` written as it goes, for a document with ``jsontext.Lazy`` arrays: ``chunks()`` makes
    its UTF-8 a piece at a time (each escaped as ``to_json`` escapes the whole: the search and the table go
    character by character), ``str()`` and ``bytes()`` the whole of it for a file."""

    __slots__ = ("doc",)

    def __init__(self, doc: dict) -> None:
        self.doc = doc

    def chunks(self) -> Any:
        from .jsontext import has_marks, pieces_indented  # noqa: PLC0415

        for text in pieces_indented(self.doc):
            data = text.encode("utf-8")          # strictly, as a whole document was
            if has_marks(data):
                data = text.translate(_JSON_TABLE).encode("utf-8")
            yield data
        yield b"\n"

    def __bytes__(self) -> bytes:
        return b"".join(self.chunks())

    def __str__(self) -> str:
        return bytes(self).decode("utf-8")
