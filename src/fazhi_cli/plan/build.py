"""Building the Plan from the YAML node tree: every field read with its line, every reference checked.

Each independent problem is collected and all are raised together
(PlanProblems, sorted by line); a name whose own definition was faulty is not
reported again where it is used.
"""

import re
from datetime import date
from typing import Any

from ..errors import PlanError, PlanProblems
from ..i18n import t
from .model import MAX_WARN_DAYS, ONGOING, ONGOING_WORDS, PART_ID, Group, Part, Plan, Section, Supervision, Task, expand
from .nodes import EMPTY_SEQ, Nodes, Noted
from .recurring import read_obligations
from .source import decode
from .syntax import compose
from .units import read_groups, read_successions, read_supervision, read_units


def parse_plan(data: bytes, where: str) -> Plan:
    """The plan these bytes describe; ``where`` names the file in every problem. Never consults a cache."""
    return Builder(where).plan(compose(decode(data, where), where))


class Builder(Nodes):
    """One file's plan, read from its root node: the document, its dates and settings, its tasks and parts."""

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
        units, names = read_units(self, top["units"]) if "units" in top else ({}, None)
        groups = read_groups(self, top.get("groups") or EMPTY_SEQ, names)
        tasks, parts = self._tasks(top["tasks"], sections, groups, names, signed) if "tasks" in top else ({}, {})
        obligations = read_obligations(self, top.get("recurring") or EMPTY_SEQ, named_days, tasks, parts, groups, names,
                                       signed)
        supervision = Supervision()
        with self.entry():
            if "supervision" in top:
                supervision = read_supervision(self, top["supervision"], names)
        successions = read_successions(self, top.get("successions") or EMPTY_SEQ, names, plan_args or {})
        if self.errors or plan_args is None or names is None or sections is None:
            raise PlanProblems(sorted(self.errors, key=lambda e: getattr(e, "line", 0)))
        return Plan(path=self.where, warn_days=warn_days, sections=tuple(sections.values()), units=units,
                    groups=groups, tasks=tasks, parts=parts, obligations=obligations, names=names,
                    supervision=supervision, successions=successions, **plan_args)

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
        self.not_before_signed(meta.get("target"), args["target"], args["signed"], "target")
        return args if args["title"] is not None and args["target"] is not None else None

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
                    raise Noted
                self.month_day(settings["early_march"], md, "early_march")
                named_days["early_march"] = md
            except PlanError as e:
                self.errors.append(e)
                self.faulty_days.add("early_march")
            except Noted:
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

    def due_day(self, node: Any, what: str) -> date:
        """A part's due date, or 长期 (ongoing) for work with none."""
        value = self.text(node, what)
        if value in ONGOING_WORDS:
            return ONGOING
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return self.day(node, what)     # an impossible date is said as every other date is
        raise self.fail(node, "{w} 的期限无效：{v!r}（应写成 YYYY-MM-DD 的真实日期；没有期限的长期工作写 长期）",
                            "{w}: invalid due date {v!r} (write a real date as YYYY-MM-DD, or 长期 for ongoing work "
                            "with no due date)", w=what, v=value)

    def _part(self, node: Any, tid: str | None, parts: dict[str, Part], known: set[str] | None,
              groups: dict[str, Group], names: dict[str, str] | None, signed: date | None) -> Part:
        pm = self.mapping(node, t("分项", "a part"), ("id", "text", "lead", "support", "due", "due_source"),
                          ("id", "lead", "due"))
        pid = self.field(pm, "id", self.text)
        if pid is None:
            raise Noted
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
        lead = self.field(pm, "lead", self.unit_refs, known) or []
        if "lead" in pm and pm["lead"].id == "sequence" and not pm["lead"].value:
            self.errors.append(self.fail(pm["lead"], "分项 {i} 没有牵头单位", "part {i} has no lead unit", i=pid))
        support = self.field(pm, "support", self.unit_refs, known) or []
        due = self.field(pm, "due", self.due_day)
        self.not_before_signed(pm.get("due"), due, signed, pid)
        if len(self.errors) > before or names is None:
            self.faulty_parts.add(pid)
            raise Noted
        lead_units = expand(groups, names, lead)
        return Part(pid, tid or "", self.field(pm, "text", self.text, empty=True) or "",
                    tuple(lead), tuple(support), due or date.min,
                    self.field(pm, "due_source", self.text) or "",
                    lead_units, tuple(u for u in expand(groups, names, support) if u not in lead_units))

