"""JSON as ``json.dumps(obj, ensure_ascii=False, indent=2)`` writes it, and the search for invisible marks.

The stdlib's indented encoder is pure Python and `str.translate` looks up
every character in a dict; for a `status --format json` document of 300,000
characters they were most of the command's run. The tests compare every
answer with json.dumps and with the translate table.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable, Iterator

# The UTF-8 forms of escape._JSON_TABLE's characters: a byte sequence each starts with,
# and what must follow it (a test checks every character against the table).
_UNSAFE_UTF8: list[tuple[bytes, Any]] = [
    (b"\x7f", None), (b"\xc2", rb"\xc2[\x80-\x9f\xad]"), (b"\xd8\x9c", None), (b"\xe1\xa0\x8e", None),
    (b"\xe2\x80", rb"\xe2\x80[\x8b-\x8f\xa8-\xae]"), (b"\xe2\x81", rb"\xe2\x81[\xa0-\xa4\xa6-\xaf]"),
    (b"\xef\xbb\xbf", None), (b"\xef\xbf", rb"\xef\xbf[\xb9-\xbb]"), (b"\xf3\xa0", rb"\xf3\xa0[\x80\x81]")]


# every byte but the first bytes above: deleting them leaves, in one C pass, the lead bytes the text holds
_NOT_LEADS = bytes(b for b in range(256) if b not in {start[0] for start, _ in _UNSAFE_UTF8})


def has_marks(data: bytes) -> bool:
    """Whether UTF-8 text holds a character of escape._JSON_TABLE: byte searches, then a pattern where one hits
    (a search for a sequence whose first byte the text does not hold is skipped: each costs a pass)."""
    leads = set(data.translate(None, _NOT_LEADS))
    if not leads:
        return False
    for start, rest in _UNSAFE_UTF8:
        if start[0] in leads and start in data and (rest is None or re.search(rest, data)):
            return True
    return False


_SCALARS = frozenset({str, int, bool, type(None)})
_EMPTY = frozenset({list, dict})


def dumps_indented(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=2)``, several times faster on a view's document.

    The stdlib writes indented JSON in Python, value by value; here every
    object or array whose members are plain values (or empty arrays and
    objects) is written by the C encoder in one call, with the line break and
    indentation as its item separator, and plain values elsewhere by the C
    string encoder. Anything unusual (a key that is not a string, a float, a
    custom type) is left to json.dumps itself. A test compares the two.
    """
    out: list[str] = []
    try:
        _indented(obj, out, "\n")
    except _Unusual:
        return json.dumps(obj, ensure_ascii=False, indent=2, default=_plain)
    return "".join(out)


class _Unusual(Exception):
    pass


_flat_encoders: dict[str, Any] = {}


def _flat(separator: str) -> Any:
    """The C encoder for a container of plain values, its items joined by ``separator``."""
    encode = _flat_encoders.get(separator)
    if encode is None:
        from json.encoder import c_make_encoder, encode_basestring  # noqa: PLC0415

        if c_make_encoder is None:  # pragma: no cover - an interpreter without _json
            encode = json.JSONEncoder(ensure_ascii=False, separators=(separator, ": ")).encode
        else:
            iterencode = c_make_encoder(None, _refuse, encode_basestring, None, ": ", separator, False, False, True)
            encode = lambda o: "".join(iterencode(o, 0))  # noqa: E731
        _flat_encoders[separator] = encode
    return encode


def _refuse(o: Any) -> Any:
    raise _Unusual


def _encode_str(text: str) -> str:
    global _encode_str
    from json.encoder import encode_basestring  # noqa: PLC0415 - the C function where there is one

    _encode_str = encode_basestring
    return encode_basestring(text)


def _scalar(v: Any) -> str:
    if type(v) is str:
        return _encode_str(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    return int.__repr__(v)


def _is_flat(values: Any) -> bool:
    kinds = set(map(type, values))
    if kinds <= _SCALARS:
        return True
    return kinds <= _SCALARS | _EMPTY and not any(v for v in values if type(v) in _EMPTY)


def _flat_object(d: dict) -> bool:
    return bool(d) and set(map(type, d)) == {str} and _is_flat(d.values())


def _indented(obj: Any, out: list[str], newline: str) -> None:
    kind = type(obj)
    inner = newline + "  "
    if kind is dict:
        if not obj:
            out.append("{}")
            return
        if set(map(type, obj)) != {str}:
            raise _Unusual
        if _is_flat(obj.values()):
            text = _flat("," + inner)(obj)
            out.append("{" + inner + text[1:-1] + newline + "}")
            return
        sep = "{" + inner
        for k, v in obj.items():
            out.append(sep + _encode_str(k) + ": ")
            sep = "," + inner
            if type(v) in _SCALARS:
                out.append(_scalar(v))
            else:
                _indented(v, out, inner)
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not obj:
            out.append("[]")
            return
        if _is_flat(obj):
            text = _flat("," + inner)(obj)
            out.append("[" + inner + text[1:-1] + newline + "]")
            return
        if set(map(type, obj)) == {dict}:
            text = _same_keys(obj, inner)
            if text is not None:
                out.append("[" + inner + text + newline + "]")
                return
        if set(map(type, obj)) == {dict} and all(map(_flat_object, obj)):
            # an array of objects of plain values (a part's units): one C call for all of them, with a
            # separator no encoded text can hold (\x00: the encoder escapes control characters); "}\x00{"
            # is where one object ends and the next begins, any other \x00 is between two members
            deeper = inner + "  "
            text = _flat("\x00")(obj)[2:-2]
            text = text.replace("}\x00{", "\x01").replace("\x00", "," + deeper)
            text = text.replace("\x01", inner + "}," + inner + "{" + deeper)
            out.append("[" + inner + "{" + deeper + text + inner + "}" + newline + "]")
            return
        sep = "[" + inner
        for v in obj:
            out.append(sep)
            sep = "," + inner
            if type(v) in _SCALARS:
                out.append(_scalar(v))
            else:
                _indented(v, out, inner)
        out.append(newline + "]")
    elif kind in _SCALARS:
        out.append(_scalar(obj))
    elif kind is Table:
        n = len(obj.keys)
        whole = obj.rows and all(len(r) == n for r in obj.rows)
        text = _template_rows(obj.keys, [v for r in obj.rows for v in r], inner) if whole else None
        if text is None:
            _indented(obj.objects(), out, newline)
        else:
            out.append("[" + inner + text + newline + "]")
    else:
        raise _Unusual


class Table:
    """An array of objects that all have ``keys``, given as a tuple of values each (a part's units): written as
    the list of those objects, without making them."""

    __slots__ = ("keys", "rows")

    def __init__(self, keys: tuple[str, ...], rows: list[tuple]) -> None:
        self.keys, self.rows = keys, rows

    def objects(self) -> list[dict]:
        return [dict(zip(self.keys, r)) for r in self.rows]


def _plain(o: Any) -> Any:
    """json.dumps's ``default``: a Table as its objects."""
    if type(o) is Table:
        return o.objects()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


_CONTAINERS = frozenset({list, tuple, dict, Table})
_rows: dict[tuple, str] = {}      # (keys, indentation) -> the template of an object


def _same_keys(rows: list, inner: str) -> str | None:
    """An array's objects that all have the same keys in the same order (the tasks, parts and units of a
    view), without the brackets around them: each object put together from one template, the plain values of
    all of them in one C call, the arrays and objects among them each as ``_indented`` writes it; None for any
    other array."""
    keys = tuple(rows[0])
    if not keys or not all(tuple(r) == keys for r in rows):
        return None
    return _template_rows(keys, [v for r in rows for v in r.values()], inner)


def _template_rows(keys: tuple, values: list, inner: str) -> str | None:
    """``_same_keys`` of the objects whose values, ``len(keys)`` a row, are ``values``."""
    n = len(keys)
    if not n or set(map(type, keys)) != {str}:
        return None
    kinds = set(map(type, values))
    if not kinds <= _SCALARS | _CONTAINERS:
        return None
    deeper = inner + "  "
    # the columns holding a non-empty array or object; an empty one is a plain value, as "[]" or "{}"
    nested = [j for j in range(n) if not _is_flat(values[j::n])] if kinds - _SCALARS and not _is_flat(values) else []
    if nested:
        plain = [j for j in range(n) if j not in nested]
        flat = [r[j] for r in (values[i:i + n] for i in range(0, len(values), n)) for j in plain]
    else:
        plain, flat = list(range(n)), values
    # \x00 parts values: the encoder escapes it in any string, and nothing else writes it
    encoded = _flat("\x00")(flat)[1:-1].split("\x00") if flat else []
    if nested:
        m, out, at = len(plain), [], 0
        for i in range(0, len(values), n):
            cells = [""] * n
            for j, text in zip(plain, encoded[at:at + m]):
                cells[j] = text
            at += m
            for j in nested:
                piece: list[str] = []
                _indented(values[i + j], piece, deeper)
                cells[j] = "".join(piece)
            out.extend(cells)
        encoded = out
    row = _rows.get((keys, inner))
    if row is None:
        row = "{" + deeper + ("," + deeper).join(_encode_str(k).replace("%", "%%") + ": %s" for k in keys) + inner + "}"
        if len(_rows) < 64:
            _rows[(keys, inner)] = row
    return ("," + inner).join([row % tuple(encoded[i:i + n]) for i in range(0, len(encoded), n)])


class Lazy:
    """An array of a document made while it is written, one item at a time (``make`` gives a fresh iterable
    each time it is called): the 3,000 parts and 27,000 units of a large plan's view are never all objects at
    once."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Iterable[Any]]) -> None:
        self.make = make


def pieces_indented(obj: dict) -> Iterator[str]:
    """``dumps_indented(obj)`` in pieces, for an object whose values may be ``Lazy`` arrays: each member, and
    each item of a lazy array, is written when its turn comes. Joined, the pieces are exactly the text
    ``json.dumps(obj, ensure_ascii=False, indent=2)`` writes with every lazy array made a list (each piece is
    written as that text writes it; a test compares them)."""
    if not obj:
        yield "{}"
        return
    if set(map(type, obj)) != {str}:
        raise ValueError("a document's keys are strings")
    sep = "{\n  "
    for k, v in obj.items():
        key = sep + _encode_str(k) + ": "
        sep = ",\n  "
        if type(v) is Lazy:
            head, empty = key + "[\n    ", True
            for item in v.make():
                yield head + _piece(item, "\n    ")
                head, empty = ",\n    ", False
            yield key + "[]" if empty else "\n  ]"
        else:
            yield key + _piece(v, "\n  ")
    yield "\n}"


def _piece(value: Any, newline: str) -> str:
    """One value as the indented document writes it where its line starts with ``newline``."""
    out: list[str] = []
    try:
        _indented(value, out, newline)
    except _Unusual:
        return json.dumps(value, ensure_ascii=False, indent=2, default=_plain).replace("\n", newline)
    return "".join(out)
