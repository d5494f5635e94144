"""The plan's model: frozen records and the questions they answer, nothing read or written.

What a plan file says once it is read: units and their groups, sections, tasks
and their parts, the recurring duties' yearly (quarterly, monthly) instances,
who supervises, and which unit succeeded which. ``progress/`` reads these and
imports nothing else of the plan.
"""

from datetime import date
from typing import Iterable, NamedTuple

from ..errors import UsageError
from ..i18n import t

# As `--warn-days` allows: ten years.
MAX_WARN_DAYS = 3660
# Part ids as users type them (`mark 6.3`): ASCII letters, digits, dots and
# dashes. "1.²" would pass str.isdigit() and then break the natural sort.
PART_ID = r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}"
# collective: a set of units the notice names without listing them (各乡镇, 各有关部门); it answers as one body
# until someone lists its members under groups, and `check` lists it as something to confirm
UNIT_KINDS = ("department", "party", "judicial", "subdistrict", "town", "committee", "other", "collective")
STATES = ("todo", "doing", "done")
# A part the notice means as ongoing work (持续推进, 长期坚持, 常态化开展; `due: 长期` in a plan file) has no due
# date. It is kept as the last day a date can name, so that every comparison deciding a light, a lateness or an
# order treats it as never due without a branch of its own; whatever shows or counts a due date asks
# `is_ongoing` and says 长期 instead.
ONGOING = date.max
ONGOING_WORDS = ("长期", "ongoing")


def is_ongoing(day: object) -> bool:
    """Whether a due date is the ongoing mark: a part with no due date."""
    return day == ONGOING


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

    @property
    def ongoing(self) -> bool:
        """Ongoing work (长期): no due date, never overdue; counted apart."""
        return self.due == ONGOING


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
    # README "Signatures": the office's own keys, by fingerprint (16 hex digits), that every PC trusts from the
    # plan file; and the day from which every record must be signed ("" never, "0000-00-00" always).
    fingerprints: tuple[str, ...] = ()
    require_signatures: str = ""


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
    def level(self) -> str:
        """The plan's level of government as its own words name it (区, 县, 市…): read from the issuer, else
        the title (番禺区人民政府办公室 → 区; 某县2020年…方案 → 县); 区 when neither names one."""
        import re  # noqa: PLC0415

        for text in (self.issuer, self.title):
            found = re.search(r"(自治区|自治州|自治县|特别行政区|省|市|州|盟|区|县|旗)", _place(text))
            if found:
                return found.group(1)
        return "区"

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
            ids = list(self.tasks)
            known = (t("（本方案只有任务 {a}）", " (this plan has only task {a})", a=ids[0]) if len(ids) == 1 else
                     t("（任务编号为 {a} 至 {b}）", " (tasks are numbered {a} to {b})", a=ids[0], b=ids[-1]) if ids
                     else t("（本方案没有任务）", " (this plan has no tasks)"))
            raise UsageError(
                t("未知任务：{r!r}{k}{hint}", "unknown task: {r!r}{k}{hint}", r=ref, k=known,
                  hint=did_you_mean(ref, self.tasks))
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
    """A hint naming the choices closest to a mistyped ``text``, or ""."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(text.strip(), list(choices), n=3, cutoff=0.5)
    if not close:
        return ""
    return t(",是否要写: {c}?", "; did you mean: {c}?", c=t("、", ", ").join(close))


def expand(groups: dict[str, Group], names: dict[str, str], refs: Iterable[str]) -> tuple[str, ...]:
    """The units that groups and unit names stand for, each once, in the order first named."""
    out: dict[str, None] = {}
    for ref in refs:
        group = groups.get(ref)
        for unit in group.members if group else (names[ref],):
            out[unit] = None
    return tuple(out)


def _place(text: str) -> str:
    """The place a plan's issuer or title begins with: what comes before 人民政府, 政府, a year or the plan's
    subject (番禺区创建珠三角… → 番禺区; 某县2020年… → 某县)."""
    import re  # noqa: PLC0415

    cut = re.search(r"人民政府|政府|\d{4}|关于|创建|法治|工作|办公", text)
    return text[:cut.start()] if cut else text
