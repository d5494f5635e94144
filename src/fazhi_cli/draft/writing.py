"""A Draft → the text of a plan file, with a comment beside every guess.

Every value is written double-quoted with YAML escapes, so no text from a
notice can change the file's structure; comments are cut to one line.
"""

from __future__ import annotations

import re
from datetime import date

from ..i18n import t
from .model import RESPONSIBLE, Draft, DraftDuty, DraftPart

# What YAML readers refuse or would read as a line break, plus the controls
# that could make a terminal or an editor show something else.
_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff"
                     "\u200e\u200f\u202a-\u202e\u2066-\u2069\"\\\\]")


def q(value: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly ``value``."""
    def esc(m: re.Match) -> str:
        c = m[0]
        if c in "\"\\":
            return "\\" + c
        if c == "\n":
            return "\\n"
        if c == "\t":
            return "\\t"
        return f"\\u{ord(c):04x}" if ord(c) > 0xFF else f"\\x{ord(c):02x}"

    return '"' + _ESCAPE.sub(esc, value) + '"'


def comment(text: str) -> str:
    """Text for after a #: one line, no control or direction characters."""
    one = _ESCAPE.sub(lambda m: m[0] if m[0] in "\"\\" else " ", text)
    return " ".join(one.split())


def flow(names: list[str]) -> str:
    return "[" + ", ".join(q(n) for n in names) + "]"


class _Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "", note: str = "") -> None:
        self.lines.append(f"{text}  # {comment(note)}" if note and text else f"# {comment(note)}" if note else text)

    def notes(self, indent: str, *notes: str) -> None:
        for n in notes:
            if n:
                self.lines.append(f"{indent}# {comment(n)}")


def to_yaml(d: Draft, source: str, output: str) -> str:
    w = _Out()
    for line in t(_HEAD_ZH, _HEAD_EN).format(source=comment(source), output=comment(output) or "plan.yaml").split("\n"):
        w(line)
    w()
    w("schema: 1")
    w()
    w("plan:")
    w(f"  title: {q(d.title)}", d.notes.get("title", ""))
    if d.number:
        w(f"  number: {q(d.number)}")
    if d.issuer:
        w(f"  issuer: {q(d.issuer)}", d.notes.get("issuer", ""))
    if d.signed:
        w(f"  signed: {q(d.signed.isoformat())}", d.notes.get("signed", ""))
    else:
        w.notes("  ", t("通知中没有找到落款日期:请补上 signed(印发日期),check 会指出早于它的期限",
                        "no signature date found: add signed (the day the plan was issued); check reports deadlines before it"))
    if d.published:
        w(f"  published: {q(d.published.isoformat())}", t("取自网页的发布时间", "the page's publication date"))
    if d.addressees:
        w.notes("  ", t("主送: {a}(方案文件不跟踪主送单位;需要跟踪的请在 units 中定义)",
                        "addressees: {a} (the plan does not track them; define under units any that you want tracked)",
                        a=d.addressees))
    w(f"  target: {q(d.target.isoformat())}", d.notes.get("target", ""))
    if d.target_source:
        w(f"  target_source: {q(d.target_source)}")
    w()
    w("settings:")
    if d.early_march:
        w.notes("  ", t("“3月初”没有具体日期;上旬到10日为止,所以取3月10日。改这一处,所有写 early_march 的期限随之改变。",
                        "“3月初” names no day; the first ten days end on the 10th, so 10 March is taken. Change it here and "
                        "every deadline that says early_march follows."))
        w('  early_march: "03-10"')
    w("  warn_days: 30", t("到期前几天亮黄灯", "days before a deadline that turn it yellow"))
    w()
    w("sections:")
    for s in d.sections:
        w.notes("  ", s.note)
        w(f"  - id: {q(s.id)}")
        w(f"    heading: {q(s.heading)}")
    w()
    w.notes("", t("通知中出现的每个单位,按原文的写法。kind(类别)都是按名称推测的,请核对:department 政府部门、party 党委机构、"
                  "judicial 司法机关、subdistrict 街道、town 镇、committee 管委会、other 其他。",
                  "Every unit the notice names, as it writes them. Each kind is guessed from the name; check them: "
                  "department, party, judicial, subdistrict (街道), town (镇), committee (管委会), other."))
    w("units:")
    for u in d.units:
        w.notes("  ", u.alias_note)
        w(f"  - name: {q(u.name)}")
        w(f"    kind: {u.kind}", u.note)
    if d.groups:
        w()
        w.notes("", t("通知用来指一类单位的说法。草稿无法知道它们包含哪些单位:每组的 members 都要填写,"
                      "填写前 fazhi check 会逐一指出。",
                      "Names the notice uses for sets of units. The draft cannot know who belongs to them: fill in each "
                      "group's members; until then fazhi check names each one."))
        w("groups:")
        for g in d.groups:
            w.notes("  ", g.note, g.hint)
            w(f"  - name: {q(g.name)}")
            w("    members: []")
    if d.duties:
        w()
        w.notes("", t("定期事项:每期一个期限,编号如 summary-2017(按季 -2024-q1,按月 -2024-01)。years 取方案印发年到总体期限年;"
                      "every 不写即每年一次。",
                      "Recurring duties: one deadline per period, ids such as summary-2017 (quarterly -2024-q1, monthly "
                      "-2024-01). years run from the plan's year to its target's; without every a duty is yearly."))
        w("recurring:")
        for duty in d.duties:
            _duty(w, duty)
    w()
    if d.skipped:
        w.notes("", t("以下编号条目没有写单位,未作为任务(如是任务,请照下面的格式补上):",
                      "These numbered items name no units and are not taken as tasks (add any that are):"))
        for s in d.skipped:
            w.notes("", f"  {s}")
    w.notes("", t("任务:原文的每个编号条目;每个单位列表结束一个分项。title 取原文第一句。",
                  "Tasks: each numbered item of the notice; each unit list ends a part. A title is the item's first words."))
    w("tasks:")
    section = None
    for task in d.tasks:
        if task.section != section:
            section = task.section
            heading = next((s.heading for s in d.sections if s.id == section), "")
            w()
            w.notes("  ", f"{section} {heading}")
        w.notes("  ", task.note)
        w(f"  - id: {q(task.id)}")
        w(f"    section: {q(task.section)}")
        w(f"    title: {q(task.title)}")
        w(f"    text: {q(task.text)}")
        w("    parts:")
        for part in task.parts:
            _part(w, part)
    return "\n".join(w.lines) + "\n"


def _part(w: _Out, part: DraftPart) -> None:
    w.notes("      ", part.role_note)
    w(f"      - id: {q(part.id)}")
    w(f"        text: {q(part.text)}")
    w(f"        lead: {flow(part.lead)}")
    w(f"        support: {flow(part.support)}")
    w(f"        due: {q(part.due.isoformat())}", part.due_note)
    if part.due_source:
        w(f"        due_source: {q(part.due_source)}")


def _duty(w: _Out, duty: DraftDuty) -> None:
    w.notes("  ", *duty.notes)
    w(f"  - id: {q(duty.id)}")
    w(f"    title: {q(duty.title)}")
    if duty.source:
        w(f"    source: {q(duty.source)}")
    if duty.to:
        w(f"    to: {q(duty.to)}")
    if duty.part:
        w(f"    part: {q(duty.part)}", t("由该分项的牵头单位负责", "owed by that part's lead units"))
    elif duty.units == RESPONSIBLE:
        w(f"    units: {q(RESPONSIBLE)}", t("即每个牵头某一分项的单位", "every unit that leads a part"))
    elif duty.units:
        w(f"    units: {flow(list(duty.units))}")
    if duty.every != "year":
        w(f"    every: {duty.every}", t("due 的月份从每期第一个月算起(01 即当月)", "due counts months from each period's "
                                       "first (01 = that month)"))
    w(f"    years: [{', '.join(str(y) for y in duty.years)}]")
    w(f"    due: {duty.due if duty.due == 'early_march' else q(duty.due)}")
    if duty.due_year == "next":
        w("    due_year: next", t("次年", "the following year"))


_HEAD_ZH = """\
# 方案文件草稿:由 fazhi draft 根据 {source} 起草。
#
# 带 # 的注释标出草稿推测的每一处,请逐条核对、改正,然后删去不再需要的注释。
# 草稿无法从通知中得知、要由你决定的:
#   - 单位组(如“各镇、街”“区政府各部门”)包含哪些单位:groups 下每组的 members 都要填写;
#   - “3月初”这类说法是哪一天(settings.early_march);
#   - 名称相近的单位是否同一单位(见 units 下“可能与……是同一单位”);
#   - 没写期限的分项取方案总体期限(plan.target);每个单位的 kind 是按名称猜的。
# 改好后运行: fazhi check --plan {output}"""

_HEAD_EN = """\
# A draft plan file, written by fazhi draft from {source}.
#
# Each comment marks something the draft guessed: check each, correct it, then delete the comments you no longer need.
# What the draft cannot know from the notice and you decide:
#   - who belongs to each group (such as 各镇、街 or 区政府各部门): fill in each group's members;
#   - which day words such as 3月初 mean (settings.early_march);
#   - whether two similar names are one unit (see "may be the same body as" under units);
#   - a part with no deadline takes the plan's overall one (plan.target); each unit's kind is guessed from its name.
# Then run: fazhi check --plan {output}"""
