"""The plan: frozen dataclasses, and a loader that explains every mistake.

Officials edit plan files by hand, so the loader walks the YAML node tree
itself: every value keeps its line number, and each problem becomes one line
"file:line: what is wrong". Only safe YAML is read (no tags that build
objects, no anchors or aliases, nothing over 1 MiB).
"""

import os
import re
from datetime import date
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, NamedTuple

from .dates import FIRST_YEAR, LAST_YEAR
from .errors import PlanError, PlanProblems, UsageError
from .files import NotRegularFile, TooLarge, read_regular
from .i18n import t

MAX_PLAN_BYTES = 1024 * 1024
# As `--warn-days` allows: ten years.
MAX_WARN_DAYS = 3660
# Part ids as users type them (`mark 6.3`): ASCII letters, digits, dots and
# dashes. "1.²" would pass str.isdigit() and then break the natural sort.
PART_ID = r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}"
UNIT_KINDS = ("department", "party", "judicial", "subdistrict", "town", "committee", "other")
STATES = ("todo", "doing", "done")
# The keyword in `recurring[].units` for "every unit that leads a part".
RESPONSIBLE = "责任单位"


class Unit(NamedTuple):
    name: str
    kind: str
    full_name: str = ""
    aliases: tuple[str, ...] = ()


class Group(NamedTuple):
    name: str
    members: tuple[str, ...]
    role: bool = False
    note: str = ""


class Part(NamedTuple):
    id: str
    task: str
    text: str
    lead: tuple[str, ...]          # names as the source writes them
    support: tuple[str, ...]
    due: date
    due_source: str
    lead_units: tuple[str, ...]    # groups expanded, aliases resolved
    support_units: tuple[str, ...]  # likewise, without the lead units


class Task(NamedTuple):
    id: str
    section: str
    title: str
    text: str
    parts: tuple[Part, ...]


class Section(NamedTuple):
    id: str
    heading: str


class Obligation(NamedTuple):
    """One year's instance of a recurring duty, e.g. summary-2017."""

    id: str
    kind: str
    year: int
    title: str
    due: date
    units: tuple[str, ...]
    source: str
    to: str = ""
    task: str | None = None
    part: str | None = None


class Succession(NamedTuple):
    """Unit ``old``'s responsibilities passed to ``new`` from ``on`` (an institutional reform)."""

    old: str
    new: str
    on: date
    note: str = ""


class Supervision(NamedTuple):
    """Who supervises the plan (督办), and whether a claim counts before it is closed out (销号)."""

    units: tuple[str, ...] = ()
    review_required: bool = False
    numbering: str = "督办"      # reminders are numbered 督办〔2017〕3号


class Plan(NamedTuple):
    path: str
    title: str
    number: str
    issuer: str
    signed: date | None
    published: date | None
    target: date
    target_source: str
    warn_days: int
    sections: tuple[Section, ...]
    units: dict[str, Unit]
    groups: dict[str, Group]
    tasks: dict[str, Task]
    parts: dict[str, Part]
    obligations: dict[str, Obligation]
    names: dict[str, str]  # any accepted spelling -> unit name
    id: str = ""  # the plan's explicit `id:`; see `key`
    supervision: Supervision = Supervision()
    successions: tuple[Succession, ...] = ()
    digest: str = ""  # BLAKE2b of the file's bytes, set by load_plan: what a state snapshot is keyed on

    @property
    def key(self) -> str:
        """The plan's identity, written into every event: its `id:`, else its document number, else its title."""
        return self.id or self.number or self.title

    @property
    def start(self) -> date | None:
        """The day the plan begins: signed, else published. Nothing can be done for it before."""
        return self.signed or self.published

    # --- lookups -------------------------------------------------------
    def resolve_unit(self, text: str) -> str:
        """The unit a user typed, by short name, full name or alias."""
        name = self.names.get(text.strip())
        if name is None:
            raise UsageError(
                t("未知单位: {u!r}{hint}", "unknown unit: {u!r}{hint}",
                  u=text, hint=did_you_mean(text, self.names))
            )
        return name

    def section_id(self, value: str) -> str:
        """A section as users write it: 二, (二), or 2."""
        numerals = "一二三四五六七八九十"
        v = value.strip().strip("()()")
        if v.isdigit() and 1 <= int(v) <= len(numerals):
            v = numerals[int(v) - 1]
        if v not in {s.id for s in self.sections}:
            raise UsageError(t("未知章节: {s!r}(可用: {a})", "unknown section: {s!r} (use one of: {a})",
                               s=value, a="、".join(s.id for s in self.sections)))
        return v

    def task_of(self, ref: str) -> Task:
        """A task by its id, or the task a part id (6.3) belongs to."""
        task = self.tasks.get(ref.strip())
        if task is None and ref.strip() in self.parts:
            task = self.tasks[self.parts[ref.strip()].task]
        if task is None:
            raise UsageError(
                t("未知任务: {r!r}(任务编号为 1-{n}){hint}",
                  "unknown task: {r!r} (tasks are numbered 1-{n}){hint}",
                  r=ref, n=len(self.tasks), hint=did_you_mean(ref, self.tasks))
            )
        return task

    def targets(self, ref: str) -> list[Part | Obligation]:
        """What `mark 7`, `mark 6.3` or `mark summary-2017` refers to."""
        ref = ref.strip()
        if ref in self.parts:
            return [self.parts[ref]]
        if ref in self.obligations:
            return [self.obligations[ref]]
        if ref in self.tasks:
            return list(self.tasks[ref].parts)
        known = [*self.tasks, *self.parts, *self.obligations]
        raise UsageError(
            t("未知任务、分项或年度事项: {r!r}{hint}",
              "unknown task, part or yearly duty: {r!r}{hint}",
              r=ref, hint=did_you_mean(ref, known))
        )

    def role_of(self, target: Part | Obligation, unit: str) -> str | None:
        """The unit's role in a part or duty, its own or inherited from a unit it succeeded."""
        for name in (unit, *self.predecessors(unit)):
            if isinstance(target, Part):
                if name in target.lead_units:
                    return "lead"
                if name in target.support_units:
                    return "support"
            elif name in target.units:
                return "lead"
        return None

    def predecessors(self, unit: str) -> tuple[str, ...]:
        """The units whose responsibilities passed to this one, nearest first."""
        out: list[str] = []
        frontier = [unit]
        while frontier:
            cur = frontier.pop()
            for s in self.successions:
                if s.new == cur and s.old not in out and s.old != unit:
                    out.append(s.old)
                    frontier.append(s.old)
        return tuple(out)

    def successor(self, unit: str, day: date) -> tuple[str, date] | None:
        """The unit that holds ``unit``'s responsibilities on ``day``, and since when; None if it still does."""
        chosen = None
        cur = unit
        for _ in range(len(self.successions) + 1):
            nxt = next((s for s in self.successions if s.old == cur and s.on <= day), None)
            if nxt is None:
                break
            chosen, cur = (nxt.new, nxt.on), nxt.new
        return chosen

    def supervises(self, unit: str) -> bool:
        return unit in self.supervision.units


def did_you_mean(text: str, choices: Iterable[str]) -> str:
    import difflib  # only on the error path

    close = difflib.get_close_matches(text.strip(), list(choices), n=3, cutoff=0.5)
    if not close:
        return ""
    return t(",是否要写: {c}?", "; did you mean: {c}?", c=t("、", ", ").join(close))


# --- locating and reading the file ----------------------------------------

def bundled_plan_path() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "data" / "tasks.yaml"          # inside an installed wheel
    if packaged.is_file():
        return packaged
    return here.parents[1] / "data" / "tasks.yaml"   # a source checkout


def plan_path(option: str | os.PathLike[str] | None = None) -> Path:
    chosen = option or os.environ.get("FAZHI_PLAN")
    return Path(chosen) if chosen else bundled_plan_path()


def load_plan(path: str | os.PathLike[str] | None = None, *, fresh: bool = False) -> Plan:
    """Load and validate a plan file; raise PlanError naming file and line.

    ``fresh`` parses the YAML even when the cache holds the plan (and puts the
    result back), for `fazhi check`, which must judge the file itself.
    """
    p = plan_path(path)
    data = read_plan_text(p)
    from . import cache, plancache  # noqa: PLC0415 - keeps YAML out of the fast path

    cached = None if fresh else plancache.get(p, data)
    if cached is not None:
        return cached._replace(digest=cache.digest(data))
    plan = parse_plan(data, str(p))
    plancache.put(p, data, plan)
    return plan._replace(digest=cache.digest(data))


def read_plan_text(p: Path) -> bytes:
    # A regular file only, and never more than the limit however much the
    # file claims or grows: a FIFO, /dev/zero or a link to it is refused.
    try:
        return read_regular(p, MAX_PLAN_BYTES)
    except TooLarge as e:
        raise PlanError(t("{p}: {e};方案文件不得超过 1 MiB", "{p}: {e}; a plan must stay under 1 MiB",
                          p=p, e=e.strerror)) from None
    except NotRegularFile:
        if p.is_dir():
            raise PlanError(t("{p}: 是文件夹,不是方案文件", "{p}: is a folder, not a plan file", p=p)) from None
        raise PlanError(t("{p}: 不是普通文件(可能是管道或设备),不能作为方案文件",
                          "{p}: not a regular file (a pipe or a device?); a plan must be a file",
                          p=p)) from None
    except FileNotFoundError:
        raise PlanError(t("{p}: 找不到方案文件", "{p}: plan file not found", p=p)) from None
    except PermissionError:
        raise PlanError(t("{p}: 无权读取方案文件", "{p}: no permission to read the plan file", p=p)) from None
    except OSError as e:
        raise PlanError(t("{p}: 无法读取方案文件({e})", "{p}: cannot read the plan file ({e})",
                          p=p, e=e.strerror or e)) from None


def decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise PlanError(t("{w}:{l}: 不是有效的 UTF-8 文本(第 {b} 字节),请以 UTF-8 编码保存",
                          "{w}:{l}: not valid UTF-8 (byte {b}); save the file as UTF-8",
                          w=where, l=line, b=e.start + 1)) from None


def parse_plan(data: bytes, where: str) -> Plan:
    text = decode(data, where)
    root = _compose(text, where)
    return _Builder(where).plan(root)


def _compose(text: str, where: str) -> Any:
    import yaml  # noqa: PLC0415

    Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = None
    try:
        loader = Loader(text)  # the pure-Python reader refuses control characters here already
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark is not None and ("flow" in (e.context or "") or "end of stream" in (e.problem or "")):
            mark = e.context_mark  # an unclosed [ or quote: where it was opened, not where the file ran on to
        if mark is None:
            raise PlanError(f"{where}: " + t("YAML 语法错误: {p}", "YAML syntax error: {p}",
                                             p=_yaml_problem(e, text))) from None
        raise PlanError(
            f"{where}:{mark.line + 1}:{mark.column + 1}: "
            + t("YAML 语法错误: {p}", "YAML syntax error: {p}", p=_yaml_problem(e, text))
        ) from None
    except yaml.reader.ReaderError as e:
        # the first such character is the one reported (libyaml counts its position in bytes)
        at = text.find(chr(e.character)) if isinstance(e.character, int) else -1
        line = text.count("\n", 0, at if at >= 0 else max(e.position, 0)) + 1
        raise PlanError(f"{where}:{line}: " + t(
            "YAML 语法错误: 含有不允许的控制字符 #x{c:04x},请删去", "YAML syntax error: control character #x{c:04x} is not allowed; remove it",
            c=e.character if isinstance(e.character, int) else 0)) from None
    except yaml.YAMLError as e:
        raise PlanError(f"{where}: {t('YAML 语法错误', 'YAML syntax error')}: {e}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise PlanError(t("{w}: 文件为空", "{w}: the file is empty", w=where))
    _refuse_aliases_and_tags(root, where)
    return root


# PyYAML's messages (both its C and its Python scanner), said so that the
# person who mis-indented a line can fix it: (words in the problem or its
# context, Chinese, English).
_YAML_PROBLEMS = (
    (("a tab character",), "此处有制表符(Tab):YAML 只能用空格缩进,请把 Tab 换成空格",
     "a tab character here: YAML is indented with spaces only; replace the tab with spaces"),
    (("mapping values are not allowed",),
     "此处不能出现“键: 值”:可能是这一行缩进不对,或值里含有“: ”(请给整个值加双引号)",
     "a 'key: value' is not allowed here: the line may be indented wrongly, or the value contains ': ' "
     "(put the whole value in double quotes)"),
    (("expected <block end>", "did not find expected key", "expected '-' indicator"),
     "缩进不一致:同一层的键和列表项(-)必须上下对齐",
     "inconsistent indentation: the keys and list items (-) of one level must line up"),
    (("could not find expected ':'",), "这一行缺少冒号:键和值之间应写“: ”",
     "this line lacks a colon: write 'key: value'"),
    (("expected ',' or ']'",), "方括号 [ ] 没有闭合,或列表项之间缺少逗号",
     "a [ ] list is not closed, or a comma is missing between its items"),
    (("expected ',' or '}'",), "花括号 { } 没有闭合,或项之间缺少逗号",
     "a { } mapping is not closed, or a comma is missing between its items"),
    (("unknown escape character",), "双引号里有无效的反斜杠转义:反斜杠请写成 \\\\,或改用单引号",
     "an invalid backslash escape inside double quotes: write a backslash as \\\\ or use single quotes"),
    (("quoted scalar",), "引号没有闭合(每个值的引号都要成对)",
     "a quotation mark is not closed (every value's quotes come in pairs)"),
    (("alias", "anchor"), "不允许使用锚点和别名(& 和 *),请把内容直接写出",
     "anchors and aliases (& and *) are not allowed; write the content out"),
    (("tag handle",), "不允许使用 YAML 标签(以 ! 开头);如果 ! 是文字,请给整个值加双引号",
     "YAML tags (starting with !) are not allowed; if the ! is text, put the whole value in double quotes"),
    (("another document",), "一个文件只能有一个 YAML 文档,请删去 --- 分隔线",
     "a file holds one YAML document only; remove the --- separator"),
    (("cannot start any token",), "值不能以这个字符开头(如 @ ` % !):请给整个值加双引号",
     "a value cannot start with this character (such as @ ` % !): put the whole value in double quotes"),
)


def _yaml_problem(e: Any, text: str) -> str:
    """PyYAML's complaint in the reader's language, with what to do about it."""
    said = f"{e.problem or ''} {e.context or ''}"
    mark = e.problem_mark
    if mark is not None and "cannot start any token" in said:
        # The C scanner does not say which character it met: look.
        lines = text.split("\n")
        if mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
            said = "a tab character"
    for words, zh, en in _YAML_PROBLEMS:
        if any(w in said for w in words):
            return t(zh, en)
    return (e.problem or e.context or "").strip()


_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + s for s in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


def _refuse_aliases_and_tags(root: Any, where: str) -> None:
    # The composer hands an alias back as the very node its anchor named, so
    # a node met twice is an alias. Stopping at the first one also defuses
    # "billion laughs" documents before anything is built from them.
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise PlanError(t("{w}:{l}: 不允许使用锚点和别名(& 和 *),请把内容直接写出",
                              "{w}:{l}: anchors and aliases (& and *) are not allowed; write the content out",
                              w=where, l=node.start_mark.line + 1))
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            raise PlanError(t("{w}:{l}: 不允许的 YAML 标签 {tag}",
                              "{w}:{l}: YAML tag {tag} is not allowed",
                              w=where, l=node.start_mark.line + 1, tag=node.tag))
        if node.id == "mapping":
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        elif node.id == "sequence":
            stack.extend(node.value)


# --- building the model from nodes ---------------------------------------

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


class _Noted(Exception):
    """An entry cannot be read further; its problem is already in the list."""


class _Builder:
    def __init__(self, where: str) -> None:
        self.where = where
        self.errors: list[PlanError] = []
        # Names whose own definition was faulty: already reported, so a
        # reference to them is not reported again.
        self.faulty_parts: set[str] = set()
        self.faulty_days: set[str] = set()

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
                                             k=key, w=what, h=did_you_mean(key, allowed)))
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

    # the document
    def plan(self, root: Any) -> Plan:
        """Build the plan; every independent problem is collected, sorted by line."""
        top = self.mapping(root, t("方案文件", "the plan file"),
                           ("schema", "plan", "settings", "supervision", "successions", "sections", "units", "groups",
                            "recurring", "tasks"),
                           ("plan", "sections", "units", "tasks"))
        plan_args = self._meta(top["plan"]) if "plan" in top else None
        signed = plan_args["signed"] if plan_args else None
        named_days, warn_days = self._settings(top)
        # None below means "not known": a part is then not checked against it,
        # so a missing or broken list is reported once, not at every use.
        sections = self._sections(top["sections"]) if "sections" in top else None
        units, names = self._units(top["units"]) if "units" in top else ({}, None)
        groups = self._groups(top.get("groups") or _EMPTY_SEQ, names)
        tasks, parts = self._tasks(top["tasks"], sections, groups, names, signed) if "tasks" in top else ({}, {})
        obligations = self._recurring(top.get("recurring") or _EMPTY_SEQ, named_days, tasks, parts, groups, names,
                                      signed)
        supervision = Supervision()
        with self.entry():
            supervision = self._supervision(top["supervision"], names or {}) if "supervision" in top else Supervision()
        successions = self._successions(top.get("successions") or _EMPTY_SEQ, names or {}, plan_args or {})
        if self.errors or plan_args is None or names is None or sections is None:
            raise PlanProblems(sorted(self.errors, key=lambda e: getattr(e, "line", 0)))
        return Plan(path=self.where, warn_days=warn_days, sections=tuple(sections.values()), units=units,
                    groups=groups, tasks=tasks, parts=parts, obligations=obligations, names=names,
                    supervision=supervision, successions=successions, **plan_args)

    def _supervision(self, node: Any, names: dict[str, str]) -> Supervision:
        m = self.mapping(node, "supervision", ("units", "review_required", "numbering"), ("units",))
        units = []
        for name, n in self.names(m["units"], "units"):
            if name not in names:
                raise self.fail(n, "supervision 中的 {u!r} 不是已定义的单位{h}", "supervision: {u!r} is not a defined unit{h}",
                                u=name, h=did_you_mean(name, names))
            units.append(names[name])
        required = False
        if "review_required" in m:
            value = self.text(m["review_required"], "review_required").lower()
            if value not in ("true", "false"):
                raise self.fail(m["review_required"], "review_required 应为 true 或 false",
                                "review_required should be true or false")
            required = value == "true"
        numbering = self.text(m["numbering"], "numbering") if "numbering" in m else "督办"
        return Supervision(tuple(dict.fromkeys(units)), required, numbering)

    def _successions(self, node: Any, names: dict[str, str], meta: dict[str, Any]) -> tuple[Succession, ...]:
        out: list[Succession] = []
        for item in self.seq(node, "successions"):
            with self.entry():
                m = self.mapping(item, t("职责承继", "a succession"), ("from", "to", "on", "note"), ("from", "to", "on"))
                ends = []
                for key in ("from", "to"):
                    name = self.text(m[key], key)
                    if name not in names:
                        raise self.fail(m[key], "{k} 中的 {u!r} 不是已定义的单位{h}", "{k}: {u!r} is not a defined unit{h}",
                                        k=key, u=name, h=did_you_mean(name, names))
                    ends.append(names[name])
                old, new = ends
                on = self.day(m["on"], "on")
                start = meta.get("signed") or meta.get("published")
                if old == new:
                    raise self.fail(m["to"], "{u} 不能承继自己的职责", "{u} cannot succeed itself", u=old)
                if start is not None and on < start:
                    raise self.fail(m["on"], "承继日期 {d} 早于方案印发日期 {s}", "succession date {d} is before the plan was signed ({s})",
                                    d=on, s=start)
                if any(s.old == old for s in out):
                    raise self.fail(m["from"], "{u} 的职责已写明由其他单位承继", "{u}'s responsibilities already pass to another unit",
                                    u=old)
                chain, cur = {old}, new
                while True:  # A -> B -> ... -> A would leave nobody responsible
                    if cur in chain:
                        raise self.fail(m["to"], "职责承继形成循环: {u}", "the successions form a cycle through {u}", u=cur)
                    chain.add(cur)
                    nxt = next((s for s in out if s.old == cur), None)
                    if nxt is None:
                        break
                    cur = nxt.new
                out.append(Succession(old, new, on, self.text(m["note"], "note") if "note" in m else ""))
        return tuple(out)

    @contextmanager
    def entry(self) -> Iterator[None]:
        """One entry of a list: its problem is noted and the next entry read."""
        try:
            yield
        except PlanError as e:
            self.errors.append(e)
        except _Noted:
            pass

    def _meta(self, node: Any) -> dict[str, Any] | None:
        try:
            meta = self.mapping(node, "plan",
                                ("id", "title", "number", "issuer", "signed", "published", "target", "target_source"),
                                ("title", "target"))
        except PlanError as e:
            self.errors.append(e)
            return None
        args: dict[str, Any] = dict(
            id=self.field(meta, "id", self.label) or "",
            title=self.field(meta, "title", self.text),
            number=self.field(meta, "number", self.label) or "",
            issuer=self.field(meta, "issuer", self.text) or "",
            signed=self.field(meta, "signed", self.day),
            published=self.field(meta, "published", self.day),
            target=self.field(meta, "target", self.day),
            target_source=self.field(meta, "target_source", self.text) or "",
        )
        self._not_before_signed(meta.get("target"), args["target"], args["signed"], "target")
        return args if args["title"] is not None and args["target"] is not None else None

    def _not_before_signed(self, node: Any, day: date | None, signed: date | None, what: str) -> None:
        if day is not None and signed is not None and day < signed:
            self.errors.append(self.fail(node, "{w} 的期限 {d} 早于方案印发日期 {s}(plan.signed),请核对",
                                         "{w}: the deadline {d} is before the plan was signed ({s}, plan.signed)",
                                         w=what, d=day.isoformat(), s=signed.isoformat()))

    def _settings(self, top: dict[str, Any]) -> tuple[dict[str, str], int]:
        settings: dict[str, Any] = {}
        if "settings" in top:
            try:
                settings = self.mapping(top["settings"], "settings", ("early_march", "warn_days"), ())
            except PlanError as e:
                self.errors.append(e)
        named_days: dict[str, str] = {}
        if "early_march" in settings:
            md = self.field(settings, "early_march", self.text)
            try:
                if md is None:
                    raise _Noted
                self._month_day(settings["early_march"], md, "early_march")
                named_days["early_march"] = md
            except PlanError as e:
                self.errors.append(e)
                self.faulty_days.add("early_march")
            except _Noted:
                self.faulty_days.add("early_march")
        warn_days = 30
        if "warn_days" in settings:
            try:
                warn_days = self.integer(settings["warn_days"], "warn_days", 0, MAX_WARN_DAYS)
            except PlanError as e:
                self.errors.append(e)
        return named_days, warn_days

    def _sections(self, node: Any) -> dict[str, Section] | None:
        sections: dict[str, Section] = {}
        try:
            items = self.seq(node, "sections")
        except PlanError as e:
            self.errors.append(e)
            return None
        for item in items:
            with self.entry():
                m = self.mapping(item, t("章节", "a section"), ("id", "heading"), ("id", "heading"))
                sid = self.field(m, "id", self.label)
                if sid is None:
                    continue
                if sid in sections:
                    raise self.fail(m["id"], "重复的章节编号 {i!r}", "duplicate section id {i!r}", i=sid)
                sections[sid] = Section(sid, self.field(m, "heading", self.text) or "")
        return sections

    def _units(self, node: Any) -> tuple[dict[str, Unit], dict[str, str] | None]:
        units: dict[str, Unit] = {}
        names: dict[str, str] = {}
        try:
            items = self.seq(node, "units")
        except PlanError as e:
            self.errors.append(e)
            return units, None
        for item in items:
            with self.entry():
                m = self.mapping(item, t("单位", "a unit"), ("name", "full_name", "kind", "aliases"), ("name", "kind"))
                name = self.field(m, "name", self.text)
                if name is None:
                    continue
                aliases = [self.label(a, "aliases") for a in self.field(m, "aliases", self.seq) or []]
                for spelling, where in [(name, m["name"])] + [(a, m["aliases"]) for a in aliases]:
                    if spelling in names:
                        self.errors.append(self.fail(where, "单位名称 {n!r} 重复", "unit name {n!r} is defined twice",
                                                     n=spelling))
                # known from here on, even when refused below, so that a
                # mistake here is reported once, not again at every part that
                # names the unit
                for spelling in [name, *aliases]:
                    names.setdefault(spelling, name)
                self.field(m, "name", self.name)
                kind = self.field(m, "kind", self.text)
                if kind is not None and kind not in UNIT_KINDS:
                    self.errors.append(self.fail(m["kind"], "未知的单位类别 {k!r}(可用: {a})",
                                                 "unknown unit kind {k!r} (use one of: {a})",
                                                 k=kind, a=", ".join(UNIT_KINDS)))
                full = self.field(m, "full_name", self.label) or ""
                if full and full not in names:
                    names[full] = name
                units.setdefault(name, Unit(name, kind or "other", full, tuple(aliases)))
        return units, names

    def _groups(self, node: Any, names: dict[str, str] | None) -> dict[str, Group]:
        groups: dict[str, Group] = {}
        try:
            items = self.seq(node, "groups")
        except PlanError as e:
            self.errors.append(e)
            return groups
        for item in items:
            with self.entry():
                m = self.mapping(item, t("单位组", "a group"), ("name", "members", "role", "note"), ("name", "members"))
                gname = self.field(m, "name", self.text)
                if gname is None:
                    continue
                if gname in groups or (names is not None and gname in names):
                    raise self.fail(m["name"], "名称 {n!r} 重复", "the name {n!r} is defined twice", n=gname)
                groups[gname] = Group(gname, ())  # known from here on, whatever is wrong below
                self.field(m, "name", self.name)
                members = []
                listed = self.field(m, "members", self.names)
                for member, mnode in listed or []:
                    if names is None:
                        continue
                    if member not in names:
                        self.errors.append(self.fail(mnode, "单位组 {g} 的成员 {u!r} 未在 units 中定义{h}",
                                                     "group {g}: member {u!r} is not defined under units{h}",
                                                     g=gname, u=member, h=did_you_mean(member, names)))
                        continue
                    members.append(names[member])
                if listed == []:
                    # A group drafted from a notice ("各镇、街") comes with no
                    # members: tracking it would track nobody, so say so.
                    self.errors.append(self.fail(
                        m["members"], "单位组 {g} 还没有成员:请在 members 中列出它包含的单位(每个单位先在 units 中定义)",
                        "group {g} has no members yet: list the units it stands for under members "
                        "(define each under units first)", g=gname))
                role = "role" in m and (self.field(m, "role", self.text) or "").lower() == "true"
                note = self.field(m, "note", self.text) or ""
                groups[gname] = Group(gname, tuple(dict.fromkeys(members)), role, note)
        return groups

    def _tasks(self, node: Any, sections: dict[str, Section] | None, groups: dict[str, Group],
               names: dict[str, str] | None, signed: date | None) -> tuple[dict[str, Task], dict[str, Part]]:
        known = None if names is None else set(names) | set(groups)
        tasks: dict[str, Task] = {}
        parts: dict[str, Part] = {}
        try:
            items = self.seq(node, "tasks")
        except PlanError as e:
            self.errors.append(e)
            return tasks, parts
        for item in items:
            with self.entry():
                m = self.mapping(item, t("任务", "a task"), ("id", "section", "title", "text", "parts"),
                                 ("id", "section", "title", "parts"))
                tid = self.field(m, "id", self.label)
                if tid is not None and tid in tasks:
                    self.errors.append(self.fail(m["id"], "重复的任务编号 {i!r}", "duplicate task id {i!r}", i=tid))
                    tid = None
                sec = self.field(m, "section", self.text)
                if sec is not None and sections is not None and sec not in sections:
                    named = tid if tid is not None else getattr(m["id"], "value", "?")
                    self.errors.append(self.fail(m["section"], "任务 {i} 的章节 {s!r} 未在 sections 中定义",
                                                 "task {i}: section {s!r} is not defined under sections", i=named, s=sec))
                task_parts = []
                for pnode in self.field(m, "parts", self.seq) or []:
                    with self.entry():
                        part = self._part(pnode, tid, parts, known, groups, names, signed)
                        parts[part.id] = part
                        task_parts.append(part)
                if "parts" in m and m["parts"].id == "sequence" and not m["parts"].value:
                    self.errors.append(self.fail(m["parts"], "任务 {i} 没有分项", "task {i} has no parts", i=tid))
                title = self.field(m, "title", self.text)
                text = self.field(m, "text", self.text) or ""
                if tid is not None:
                    tasks[tid] = Task(tid, sec or "", title or "", text, tuple(task_parts))
        return tasks, parts

    def _part(self, node: Any, tid: str | None, parts: dict[str, Part], known: set[str] | None,
              groups: dict[str, Group], names: dict[str, str] | None, signed: date | None) -> Part:
        pm = self.mapping(node, t("分项", "a part"), ("id", "text", "lead", "support", "due", "due_source"),
                          ("id", "lead", "due"))
        pid = self.field(pm, "id", self.text)
        if pid is None:
            raise _Noted
        if not re.fullmatch(PART_ID, pid):
            self.faulty_parts.add(pid)
            raise self.fail(pm["id"], "分项编号 {i!r} 无效(只能用英文字母、数字、点和连字符,如 6.3)",
                            "invalid part id {i!r} (use ASCII letters, digits, dots and dashes, like 6.3)", i=pid)
        if tid is not None and not (pid.startswith(f"{tid}.") and len(pid) > len(tid) + 1):
            # checked first: "3.1" under task 4 is one mistake, not also a duplicate of task 3's 3.1
            self.faulty_parts.add(pid)
            raise self.fail(pm["id"], "分项编号 {p!r} 不属于任务 {i}(任务 {i} 的分项应写成 {i}.1、{i}.2……)",
                            "part id {p!r} does not belong to task {i} (its parts are {i}.1, {i}.2, ...)",
                            p=pid, i=tid)
        if pid in parts or pid in self.faulty_parts:
            raise self.fail(pm["id"], "重复的分项编号 {i!r}", "duplicate part id {i!r}", i=pid)
        before = len(self.errors)
        lead = self.field(pm, "lead", self._unit_refs, known) or []
        if "lead" in pm and pm["lead"].id == "sequence" and not pm["lead"].value:
            self.errors.append(self.fail(pm["lead"], "分项 {i} 没有牵头单位", "part {i} has no lead unit", i=pid))
        support = self.field(pm, "support", self._unit_refs, known) or []
        due = self.field(pm, "due", self.day)
        self._not_before_signed(pm.get("due"), due, signed, pid)
        if len(self.errors) > before or names is None:
            self.faulty_parts.add(pid)
            raise _Noted
        lead_units = expand(groups, names, lead)
        return Part(pid, tid or "", self.field(pm, "text", self.text, empty=True) or "",
                    tuple(lead), tuple(support), due or date.min,
                    self.field(pm, "due_source", self.text) or "",
                    lead_units, tuple(u for u in expand(groups, names, support) if u not in lead_units))

    def _recurring(self, node: Any, named_days: dict[str, str], tasks: dict[str, Task], parts: dict[str, Part],
                   groups: dict[str, Group], names: dict[str, str] | None,
                   signed: date | None) -> dict[str, Obligation]:
        known = None if names is None else set(names) | set(groups)
        obligations: dict[str, Obligation] = {}
        responsible = tuple(dict.fromkeys(u for p in parts.values() for u in p.lead_units))
        try:
            items = self.seq(node, "recurring")
        except PlanError as e:
            self.errors.append(e)
            return obligations
        for item in items:
            with self.entry():
                m = self.mapping(item, t("年度事项", "a recurring duty"),
                                 ("id", "title", "source", "to", "units", "part", "every", "years", "due", "due_year"),
                                 ("id", "title", "years", "due"))
                if any(k not in m for k in ("id", "title", "years", "due")):
                    raise _Noted
                rid = self.name(m["id"], "id")
                part_ref = self.text(m["part"], "part") if "part" in m else None
                if part_ref in self.faulty_parts:
                    raise _Noted
                if part_ref is not None and part_ref not in parts:
                    raise self.fail(m["part"], "未知分项 {p!r}", "unknown part {p!r}", p=part_ref)
                if "units" in m and m["units"].id == "scalar":
                    if self.text(m["units"], "units") != RESPONSIBLE:
                        raise self.fail(m["units"], "units 应为单位列表或 {r}",
                                        "units should be a list of units or {r}", r=RESPONSIBLE)
                    owed = responsible
                elif "units" in m:
                    before = len(self.errors)
                    refs = self._unit_refs(m["units"], "units", known)
                    if len(self.errors) > before or names is None:
                        raise _Noted
                    owed = expand(groups, names, refs)
                elif part_ref is not None:
                    owed = parts[part_ref].lead_units
                else:
                    raise self.fail(item, "年度事项 {i} 需要 units 或 part", "recurring duty {i} needs units or part",
                                    i=rid)
                every = self.text(m["every"], "every") if "every" in m else "year"
                if every not in _PERIODS:
                    raise self.fail(m["every"], "every 应为 year、quarter 或 month",
                                    "every should be year, quarter or month")
                due_text = self.text(m["due"], "due")
                if due_text in self.faulty_days:
                    raise _Noted
                month_day = named_days.get(due_text, due_text)
                if every == "year":
                    self._month_day(m["due"], month_day, "due")
                else:
                    month_day = self._offset_day(m["due"], month_day, every)
                shift = 0
                if "due_year" in m:
                    if every != "year":
                        raise self.fail(m["due_year"], "due_year 只用于每年一次的事项;按季、按月的事项请在 due 中写月份",
                                        "due_year applies to yearly duties only; write the month into due instead")
                    which = self.text(m["due_year"], "due_year")
                    if which not in ("same", "next"):
                        raise self.fail(m["due_year"], "due_year 应为 same 或 next", "due_year should be same or next")
                    shift = 1 if which == "next" else 0
                title = self.text(m["title"], "title")
                for ynode in self.seq(m["years"], "years"):
                    year = self.integer(ynode, "years", FIRST_YEAR, LAST_YEAR)
                    for suffix, label, due in _periods(every, year, month_day, shift):
                        if every != "year" and signed is not None and due < signed:
                            continue  # a month or quarter whose deadline passed before the plan was signed
                        self._not_before_signed(ynode, due, signed, f"{rid}-{year}{suffix}")
                        oid = f"{rid}-{year}{suffix}"
                        if oid in obligations or oid in parts or oid in tasks:
                            raise self.fail(ynode, "重复的编号 {i!r}", "duplicate id {i!r}", i=oid)
                        obligations[oid] = Obligation(
                            id=oid, kind=rid, year=year, title=f"{year}年{label}{title}",
                            due=due,
                            units=owed, source=self.text(m["source"], "source") if "source" in m else "",
                            to=self.text(m["to"], "to") if "to" in m else "",
                            task=parts[part_ref].task if part_ref else None, part=part_ref,
                        )
        return obligations

    def _unit_refs(self, node: Any, what: str, known: set[str] | None) -> list[str]:
        """The units and groups a list names; each unknown one is noted, the rest returned."""
        out = []
        for name, n in self.names(node, what):
            if known is not None and name not in known:
                self.errors.append(self.fail(n, "{w} 中的 {u!r} 不是已定义的单位或单位组{h}",
                                             "{w}: {u!r} is not a defined unit or group{h}",
                                             w=what, u=name, h=did_you_mean(name, known)))
                continue
            out.append(name)
        return out

    def _month_day(self, node: Any, value: str, what: str) -> None:
        ok = bool(re.fullmatch(_MONTH_DAY, value))
        if ok:
            try:
                date.fromisoformat(f"2000-{value}")
            except ValueError:
                ok = False
        if not ok:
            raise self.fail(node, "{w} 应为 MM-DD 形式的日期或设置名称: {v!r}",
                            "{w} should be a month-day MM-DD or the name of a setting: {v!r}", w=what, v=value)

    def _offset_day(self, node: Any, value: str, every: str) -> str:
        """A quarterly or monthly due: "MM-DD" counted from the period's first month (01 = that month); "DD" alone for a month."""
        if every == "month" and re.fullmatch(r"\d{1,2}", value):
            value = f"01-{int(value):02d}"
        m = re.fullmatch(r"(\d{2})-(\d{2})", value)
        if not m or not (1 <= int(m[1]) <= 12 and 1 <= int(m[2]) <= 31):
            raise self.fail(node, "按季、按月事项的 due 应写成 MM-DD(MM 从本期第一个月算起,01 即本期第一个月;按月事项也可只写日,如 28): {v!r}",
                            "the due of a quarterly or monthly duty is MM-DD, MM counted from the period's first "
                            "month (01 = that month), or for a monthly duty the day alone, e.g. 28: {v!r}", v=value)
        return value


_PERIODS = ("year", "quarter", "month")


def _periods(every: str, year: int, month_day: str, shift: int) -> Iterator[tuple[str, str, date]]:
    """(id suffix, title prefix, deadline) of each period of a recurring duty in one year.

    A yearly duty keeps the ids it always had (summary-2017); quarters are
    summary-2024-q1 … q4, months summary-2024-01 … 12. For quarters and
    months, "MM-DD" counts months from the period's first month and a day
    past the month's end means its last day (每季度最后一个月的30日前 in a
    quarter ending in March is 31 March's neighbour, 30 March; in February a
    monthly "30" is the 28th or 29th).
    """
    if every == "year":
        yield "", "", date.fromisoformat(f"{year + shift}-{month_day}")
        return
    import calendar  # noqa: PLC0415

    offset, day = int(month_day[:2]) - 1, int(month_day[3:])
    starts = range(1, 13, 3) if every == "quarter" else range(1, 13)
    for n, first in enumerate(starts, 1):
        index = year * 12 + first - 1 + offset
        y, mo = divmod(index, 12)
        due = date(y, mo + 1, min(day, calendar.monthrange(y, mo + 1)[1]))
        if every == "quarter":
            yield f"-q{n}", f"第{n}季度", due
        else:
            yield f"-{first:02d}", f"{first}月", due


class _EmptySeq:
    id = "sequence"
    value: list[Any] = []


_EMPTY_SEQ = _EmptySeq()


def expand(groups: dict[str, Group], names: dict[str, str], refs: Iterable[str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for ref in refs:
        group = groups.get(ref)
        for unit in group.members if group else (names[ref],):
            out[unit] = None
    return tuple(out)
