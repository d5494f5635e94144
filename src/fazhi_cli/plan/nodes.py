"""Reading the plan's YAML nodes as typed fields, each problem one line "file:line: what is wrong".

``Nodes`` holds the list of problems found so far: a reader raises PlanError
for the value it cannot read, ``field`` and ``entry`` note it and let the
builder read on, so that every independent mistake in a file is reported at
once, sorted by line.
"""

import re
from contextlib import contextmanager
from datetime import date
from typing import Any, Iterator

from ..errors import PlanError
from ..i18n import t
from .model import did_you_mean

# Patterns as text: `re` compiles them on first use, so a run that reads the
# plan from the cache never pays for them.
_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
_MONTH_DAY = r"\d{2}-\d{2}"
# Names Windows reserves for devices: a progress file called CON.jsonl cannot
# exist there. Windows also counts the superscripts ¹²³ as port digits, and
# ignores spaces before the extension ("CON .x" is CON).
_WINDOWS_DEVICES = frozenset(["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                              *(f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789\u00b9\u00b2\u00b3")])
# Path characters, controls, and the invisible format marks that reorder or hide
# text (bidi marks and isolates, zero-width characters, line separators, BOM):
# a unit name is a file name and is shown on terminals, so none may hide in it.
_INVISIBLE = (r"\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
              r"\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f")
_BAD_NAME = rf"[<>:\"/\\|?*{_INVISIBLE}]"
# Ids and other spellings people type or match (task and section ids, aliases,
# full names, the plan's number): controls and invisible marks could make
# two different ones look alike, or act on a terminal when completed.
_BAD_LABEL = rf"[{_INVISIBLE}]"


class Noted(Exception):
    """An entry cannot be read further; its problem is already in the list."""


HINT_COMPARISONS = 50_000    # difflib ratios, some tens of microseconds each


class Nodes:
    """The typed readers of one file's nodes, and the problems they found."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.errors: list[PlanError] = []
        # Names whose own definition was faulty: already reported, so a
        # reference to them is not reported again.
        self.faulty_parts: set[str] = set()
        self.faulty_days: set[str] = set()
        self.compared = 0

    def hint(self, text: str, choices: Any) -> str:
        """A "did you mean", while the hints given have compared fewer than HINT_COMPARISONS names: each compares
        the name with every choice, so a plan naming thousands of unknown units among thousands of units would
        take minutes."""
        self.compared += len(choices)
        return did_you_mean(text, choices) if self.compared <= HINT_COMPARISONS else ""

    # small typed readers; each failure names the node's line
    def fail(self, node: Any, zh: str, en: str, **kw: object) -> PlanError:
        line = node.start_mark.line + 1
        error = PlanError(f"{self.where}:{line}: " + t(zh, en, **kw))
        error.line = line  # type: ignore[attr-defined]  # for sorting the report
        return error

    def mapping(self, node: Any, what: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
        """The fields of a mapping; a stray, repeated or missing field is noted and the rest still read."""
        if node.id != "mapping":
            raise self.fail(node, "{w} 应为键值映射", "{w} should be a mapping", w=what)
        out: dict[str, Any] = {}
        seen: set[str] = set()
        for k, v in node.value:
            key = k.value if k.id == "scalar" else None
            if not isinstance(key, str):
                self.errors.append(self.fail(k, "{w} 的键应为文字", "keys of {w} should be text", w=what))
            elif key in seen:
                self.errors.append(self.fail(k, "重复的键 {k!r}(在 {w} 中)", "duplicate key {k!r} in {w}", k=key, w=what))
            elif key not in allowed:
                self.errors.append(self.fail(k, "{w} 中有未知字段 {k!r}{h}", "unknown field {k!r} in {w}{h}",
                                             k=key, w=what, h=self.hint(key, allowed)))
            else:
                out[key] = v
            if isinstance(key, str):
                seen.add(key)
        for key in required:
            if key not in out and key not in seen:
                self.errors.append(self.fail(node, "{w} 缺少必填字段 {k!r}", "{w} is missing the required field {k!r}",
                                             k=key, w=what))
        return out

    def field(self, m: dict[str, Any], key: str, read: Any, *args: Any, **kw: Any) -> Any:
        """One field read with ``read``; None when absent or faulty (the fault is noted)."""
        if key not in m:
            return None
        try:
            return read(m[key], key, *args, **kw)
        except PlanError as e:
            self.errors.append(e)
            return None

    def seq(self, node: Any, what: str) -> list[Any]:
        if node.id != "sequence":
            raise self.fail(node, "{w} 应为列表", "{w} should be a list", w=what)
        return node.value

    def text(self, node: Any, what: str, *, empty: bool = False) -> str:
        if node.id != "scalar" or node.tag.endswith(":null"):
            raise self.fail(node, "{w} 应为文字", "{w} should be text", w=what)
        value = node.value.strip()
        if not value and not empty:
            raise self.fail(node, "{w} 不能为空", "{w} must not be empty", w=what)
        return value

    def label(self, node: Any, what: str) -> str:
        value = self.text(node, what)
        if re.search(_BAD_LABEL, value):
            raise self.fail(node, "{w} {v!r} 含有控制字符或不可见的格式字符", "{w} {v!r} contains control or invisible format characters",
                            w=what, v=value)
        return value

    def name(self, node: Any, what: str) -> str:
        value = self.text(node, what)
        if (re.search(_BAD_NAME, value) or value.startswith(".") or len(value) > 64
                or value.split(".")[0].rstrip(" ").upper() in _WINDOWS_DEVICES):
            raise self.fail(node, "{w} {v!r} 含有不能用于名称的字符(/ \\ : * ? 等、控制字符或不可见的格式字符),"
                                  "或是 Windows 的设备名(CON、COM1 等)",
                            "{w} {v!r} contains characters not allowed in a name (/ \\ : * ?, control or "
                            "invisible format characters) or is a Windows device name (CON, COM1, ...)",
                            w=what, v=value)
        return value

    def day(self, node: Any, what: str) -> date:
        value = self.text(node, what)
        if re.fullmatch(_ISO_DAY, value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(node, "{w} 日期无效: {v!r}(应写成 YYYY-MM-DD 的真实日期)",
                        "{w}: invalid date {v!r} (write a real date as YYYY-MM-DD)", w=what, v=value)

    def integer(self, node: Any, what: str, low: int, high: int) -> int:
        value = self.text(node, what)
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        if not re.fullmatch(r"[0-9]{1,9}", value):
            raise self.fail(node, "{w} 应为整数: {v!r}", "{w} should be a whole number: {v!r}", w=what, v=value)
        number = int(value)
        if not low <= number <= high:
            raise self.fail(node, "{w} 应在 {a} 到 {b} 之间: {v}", "{w} must be from {a} to {b}: {v}",
                            w=what, a=low, b=high, v=value)
        return number

    def names(self, node: Any, what: str) -> list[tuple[str, Any]]:
        return [(self.text(n, what), n) for n in self.seq(node, what)]

    @contextmanager
    def entry(self) -> Iterator[None]:
        """One entry of a list: its problem is noted and the next entry read."""
        try:
            yield
        except PlanError as e:
            self.errors.append(e)
        except Noted:
            pass

    # checks that both the builder and the recurring duties make, noted rather than raised
    def not_before_signed(self, node: Any, day: date | None, signed: date | None, what: str) -> None:
        if day is not None and signed is not None and day < signed:
            self.errors.append(self.fail(node, "{w} 的期限 {d} 早于方案印发日期 {s}(plan.signed),请核对",
                                         "{w}: the deadline {d} is before the plan was signed ({s}, plan.signed)",
                                         w=what, d=day.isoformat(), s=signed.isoformat()))

    def unit_refs(self, node: Any, what: str, known: set[str] | None) -> list[str]:
        """The units and groups a list names; each unknown one is noted, the rest returned."""
        out = []
        for name, n in self.names(node, what):
            if known is not None and name not in known:
                self.errors.append(self.fail(n, "{w} 中的 {u!r} 不是已定义的单位或单位组{h}",
                                             "{w}: {u!r} is not a defined unit or group{h}",
                                             w=what, u=name, h=self.hint(name, known)))
                continue
            out.append(name)
        return out

    def month_day(self, node: Any, value: str, what: str) -> None:
        """A yearly month-day such as 03-10; raises when it is no real day of a year."""
        ok = bool(re.fullmatch(_MONTH_DAY, value))
        if ok:
            try:
                # a common year: a yearly day must exist every year (02-29 would fail three years in four)
                date.fromisoformat(f"2001-{value}")
            except ValueError:
                ok = False
        if not ok:
            raise self.fail(node, "{w} 应为 MM-DD 形式的日期或设置名称: {v!r}",
                            "{w} should be a month-day MM-DD or the name of a setting: {v!r}", w=what, v=value)


class _EmptySeq:
    """What an absent optional list reads as."""

    id = "sequence"
    value: list[Any] = []


EMPTY_SEQ = _EmptySeq()
