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
        task = self.tasks.get(ref.strip())
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
    return t(",是否要写: {c}?", "; did you mean: {c}?", c="、".join(close))


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
    from . import plancache  # noqa: PLC0415 - keeps YAML out of the fast path

    cached = None if fresh else plancache.get(p, data)
    if cached is not None:
        return cached
    plan = parse_plan(data, str(p))
    plancache.put(p, data, plan)
    return plan


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
    loader = Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = (e.problem or e.context or "").strip()
        if mark is None:
            raise PlanError(f"{where}: {t('YAML 语法错误', 'YAML syntax error')}: {problem}") from None
        raise PlanError(
            f"{where}:{mark.line + 1}:{mark.column + 1}: "
            + t("YAML 语法错误: {p}", "YAML syntax error: {p}", p=problem)
        ) from None
    except yaml.YAMLError as e:
        raise PlanError(f"{where}: {t('YAML 语法错误', 'YAML syntax error')}: {e}") from None
    finally:
        loader.dispose()
    if root is None:
        raise PlanError(t("{w}: 文件为空", "{w}: the file is empty", w=where))
    _refuse_aliases_and_tags(root, where)
    return root


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


class _Builder:
    def __init__(self, where: str) -> None:
        self.where = where
        self.errors: list[PlanError] = []

    # small typed readers; each failure names the node's line
    def fail(self, node: Any, zh: str, en: str, **kw: object) -> PlanError:
        return PlanError(f"{self.where}:{node.start_mark.line + 1}: " + t(zh, en, **kw))

    def mapping(self, node: Any, what: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
        if node.id != "mapping":
            raise self.fail(node, "{w} 应为键值映射", "{w} should be a mapping", w=what)
        out: dict[str, Any] = {}
        for k, v in node.value:
            key = k.value if k.id == "scalar" else None
            if not isinstance(key, str):
                raise self.fail(k, "{w} 的键应为文字", "keys of {w} should be text", w=what)
            if key in out:
                raise self.fail(k, "重复的键 {k!r}(在 {w} 中)", "duplicate key {k!r} in {w}", k=key, w=what)
            if key not in allowed:
                raise self.fail(k, "{w} 中有未知字段 {k!r}{h}", "unknown field {k!r} in {w}{h}",
                                k=key, w=what, h=did_you_mean(key, allowed))
            out[key] = v
        for key in required:
            if key not in out:
                raise self.fail(node, "{w} 缺少必填字段 {k!r}", "{w} is missing the required field {k!r}",
                                k=key, w=what)
        return out

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
        """Build the plan; problems in separate entries are all collected."""
        top = self.mapping(root, t("方案文件", "the plan file"),
                           ("schema", "plan", "settings", "supervision", "successions", "sections", "units", "groups",
                            "recurring", "tasks"),
                           ("plan", "sections", "units", "tasks"))
        meta = self.mapping(top["plan"], "plan",
                            ("id", "title", "number", "issuer", "signed", "published", "target", "target_source"),
                            ("title", "target"))
        optional = lambda key, read: read(meta[key], key) if key in meta else None  # noqa: E731
        plan_args: dict[str, Any] = dict(
            id=optional("id", self.label) or "",
            title=self.text(meta["title"], "title"),
            number=optional("number", self.label) or "",
            issuer=optional("issuer", self.text) or "",
            signed=optional("signed", self.day),
            published=optional("published", self.day),
            target=self.day(meta["target"], "target"),
            target_source=optional("target_source", self.text) or "",
        )
        named_days, warn_days = self._settings(top)
        sections = self._sections(top["sections"])
        units, names = self._units(top["units"])
        groups = self._groups(top.get("groups") or _EMPTY_SEQ, names)
        tasks, parts = self._tasks(top["tasks"], sections, groups, names)
        obligations = self._recurring(top.get("recurring") or _EMPTY_SEQ, named_days, tasks, parts, groups, names)
        supervision = Supervision()
        with self.entry():
            supervision = self._supervision(top["supervision"], names) if "supervision" in top else Supervision()
        successions = self._successions(top.get("successions") or _EMPTY_SEQ, names, plan_args)
        if self.errors:
            raise PlanProblems(self.errors)
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

    def _settings(self, top: dict[str, Any]) -> tuple[dict[str, str], int]:
        settings = self.mapping(top["settings"], "settings", ("early_march", "warn_days"), ()) if "settings" in top else {}
        named_days: dict[str, str] = {}
        if "early_march" in settings:
            md = self.text(settings["early_march"], "early_march")
            self._month_day(settings["early_march"], md, "early_march")
            named_days["early_march"] = md
        warn_days = self.integer(settings["warn_days"], "warn_days", 0, MAX_WARN_DAYS) if "warn_days" in settings else 30
        return named_days, warn_days

    def _sections(self, node: Any) -> dict[str, Section]:
        sections: dict[str, Section] = {}
        for item in self.seq(node, "sections"):
            with self.entry():
                m = self.mapping(item, t("章节", "a section"), ("id", "heading"), ("id", "heading"))
                sid = self.label(m["id"], "id")
                if sid in sections:
                    raise self.fail(m["id"], "重复的章节编号 {i!r}", "duplicate section id {i!r}", i=sid)
                sections[sid] = Section(sid, self.text(m["heading"], "heading"))
        return sections

    def _units(self, node: Any) -> tuple[dict[str, Unit], dict[str, str]]:
        units: dict[str, Unit] = {}
        names: dict[str, str] = {}
        for item in self.seq(node, "units"):
            with self.entry():
                m = self.mapping(item, t("单位", "a unit"), ("name", "full_name", "kind", "aliases"), ("name", "kind"))
                name = self.name(m["name"], "name")
                aliases = [self.label(a, "aliases") for a in self.seq(m["aliases"], "aliases")] if "aliases" in m else []
                for spelling, where in [(name, m["name"])] + [(a, m["aliases"]) for a in aliases]:
                    if spelling in names:
                        raise self.fail(where, "单位名称 {n!r} 重复", "unit name {n!r} is defined twice", n=spelling)
                # known from here on, so that a mistake below is reported once,
                # not again at every part that names the unit
                names.update({spelling: name for spelling in [name, *aliases]})
                kind = self.text(m["kind"], "kind")
                if kind not in UNIT_KINDS:
                    raise self.fail(m["kind"], "未知的单位类别 {k!r}(可用: {a})",
                                    "unknown unit kind {k!r} (use one of: {a})", k=kind, a=", ".join(UNIT_KINDS))
                full = self.label(m["full_name"], "full_name") if "full_name" in m else ""
                if full and full not in names:
                    names[full] = name
                units[name] = Unit(name, kind, full, tuple(aliases))
        return units, names

    def _groups(self, node: Any, names: dict[str, str]) -> dict[str, Group]:
        groups: dict[str, Group] = {}
        for item in self.seq(node, "groups"):
            with self.entry():
                m = self.mapping(item, t("单位组", "a group"), ("name", "members", "role", "note"), ("name", "members"))
                gname = self.name(m["name"], "name")
                if gname in groups or gname in names:
                    raise self.fail(m["name"], "名称 {n!r} 重复", "the name {n!r} is defined twice", n=gname)
                members = []
                for member, mnode in self.names(m["members"], "members"):
                    if member not in names:
                        raise self.fail(mnode, "单位组 {g} 的成员 {u!r} 未在 units 中定义{h}",
                                        "group {g}: member {u!r} is not defined under units{h}",
                                        g=gname, u=member, h=did_you_mean(member, names))
                    members.append(names[member])
                role = "role" in m and self.text(m["role"], "role").lower() == "true"
                note = self.text(m["note"], "note") if "note" in m else ""
                groups[gname] = Group(gname, tuple(dict.fromkeys(members)), role, note)
        return groups

    def _tasks(self, node: Any, sections: dict[str, Section], groups: dict[str, Group],
               names: dict[str, str]) -> tuple[dict[str, Task], dict[str, Part]]:
        known = set(names) | set(groups)
        tasks: dict[str, Task] = {}
        parts: dict[str, Part] = {}
        for item in self.seq(node, "tasks"):
            with self.entry():
                m = self.mapping(item, t("任务", "a task"), ("id", "section", "title", "text", "parts"),
                                 ("id", "section", "title", "parts"))
                tid = self.label(m["id"], "id")
                if tid in tasks:
                    raise self.fail(m["id"], "重复的任务编号 {i!r}", "duplicate task id {i!r}", i=tid)
                sec = self.text(m["section"], "section")
                if sec not in sections:
                    raise self.fail(m["section"], "任务 {i} 的章节 {s!r} 未在 sections 中定义",
                                    "task {i}: section {s!r} is not defined under sections", i=tid, s=sec)
                task_parts = []
                for pnode in self.seq(m["parts"], "parts"):
                    with self.entry():
                        part = self._part(pnode, tid, parts, known, groups, names)
                        parts[part.id] = part
                        task_parts.append(part)
                if not self.seq(m["parts"], "parts"):
                    raise self.fail(m["parts"], "任务 {i} 没有分项", "task {i} has no parts", i=tid)
                text = self.text(m["text"], "text") if "text" in m else ""
                tasks[tid] = Task(tid, sec, self.text(m["title"], "title"), text, tuple(task_parts))
        return tasks, parts

    def _part(self, node: Any, tid: str, parts: dict[str, Part], known: set[str], groups: dict[str, Group],
              names: dict[str, str]) -> Part:
        pm = self.mapping(node, t("分项", "a part"), ("id", "text", "lead", "support", "due", "due_source"),
                          ("id", "lead", "due"))
        pid = self.text(pm["id"], "id")
        if not re.fullmatch(PART_ID, pid):
            raise self.fail(pm["id"], "分项编号 {i!r} 无效(只能用英文字母、数字、点和连字符,如 6.3)",
                            "invalid part id {i!r} (use ASCII letters, digits, dots and dashes, like 6.3)", i=pid)
        if pid in parts:
            raise self.fail(pm["id"], "重复的分项编号 {i!r}", "duplicate part id {i!r}", i=pid)
        lead = self._unit_refs(pm["lead"], "lead", known)
        if not lead:
            raise self.fail(pm["lead"], "分项 {i} 没有牵头单位", "part {i} has no lead unit", i=pid)
        support = self._unit_refs(pm["support"], "support", known) if "support" in pm else []
        lead_units = expand(groups, names, lead)
        return Part(pid, tid, self.text(pm["text"], "text", empty=True) if "text" in pm else "",
                    tuple(lead), tuple(support), self.day(pm["due"], "due"),
                    self.text(pm["due_source"], "due_source") if "due_source" in pm else "",
                    lead_units, tuple(u for u in expand(groups, names, support) if u not in lead_units))

    def _recurring(self, node: Any, named_days: dict[str, str], tasks: dict[str, Task], parts: dict[str, Part],
                   groups: dict[str, Group], names: dict[str, str]) -> dict[str, Obligation]:
        known = set(names) | set(groups)
        obligations: dict[str, Obligation] = {}
        responsible = tuple(dict.fromkeys(u for p in parts.values() for u in p.lead_units))
        for item in self.seq(node, "recurring"):
            with self.entry():
                m = self.mapping(item, t("年度事项", "a recurring duty"),
                                 ("id", "title", "source", "to", "units", "part", "years", "due", "due_year"),
                                 ("id", "title", "years", "due"))
                rid = self.name(m["id"], "id")
                part_ref = self.text(m["part"], "part") if "part" in m else None
                if part_ref is not None and part_ref not in parts:
                    raise self.fail(m["part"], "未知分项 {p!r}", "unknown part {p!r}", p=part_ref)
                if "units" in m and m["units"].id == "scalar":
                    if self.text(m["units"], "units") != RESPONSIBLE:
                        raise self.fail(m["units"], "units 应为单位列表或 {r}",
                                        "units should be a list of units or {r}", r=RESPONSIBLE)
                    owed = responsible
                elif "units" in m:
                    owed = expand(groups, names, self._unit_refs(m["units"], "units", known))
                elif part_ref is not None:
                    owed = parts[part_ref].lead_units
                else:
                    raise self.fail(item, "年度事项 {i} 需要 units 或 part", "recurring duty {i} needs units or part",
                                    i=rid)
                due_text = self.text(m["due"], "due")
                month_day = named_days.get(due_text, due_text)
                self._month_day(m["due"], month_day, "due")
                shift = 0
                if "due_year" in m:
                    which = self.text(m["due_year"], "due_year")
                    if which not in ("same", "next"):
                        raise self.fail(m["due_year"], "due_year 应为 same 或 next", "due_year should be same or next")
                    shift = 1 if which == "next" else 0
                title = self.text(m["title"], "title")
                for ynode in self.seq(m["years"], "years"):
                    year = self.integer(ynode, "years", FIRST_YEAR, LAST_YEAR)
                    oid = f"{rid}-{year}"
                    if oid in obligations or oid in parts or oid in tasks:
                        raise self.fail(ynode, "重复的编号 {i!r}", "duplicate id {i!r}", i=oid)
                    obligations[oid] = Obligation(
                        id=oid, kind=rid, year=year, title=f"{year}年{title}",
                        due=date.fromisoformat(f"{year + shift}-{month_day}"),
                        units=owed, source=self.text(m["source"], "source") if "source" in m else "",
                        to=self.text(m["to"], "to") if "to" in m else "",
                        task=parts[part_ref].task if part_ref else None, part=part_ref,
                    )
        return obligations

    def _unit_refs(self, node: Any, what: str, known: set[str]) -> list[str]:
        out = []
        for name, n in self.names(node, what):
            if name not in known:
                raise self.fail(n, "{w} 中的 {u!r} 不是已定义的单位或单位组{h}",
                                "{w}: {u!r} is not a defined unit or group{h}",
                                w=what, u=name, h=did_you_mean(name, known))
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
