"""A Draft → the text of a plan file, with a comment beside every guess.

Every value is written double-quoted with YAML escapes, so no text from a
notice can change the file's structure; comments are cut to one line.
"""

from __future__ import annotations

import re

from ..i18n import t_as_written as t  # a plan file is YAML, where a colon is syntax
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
    if d.year_source:
        w.notes("  ", d.year_source)
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
                  "judicial 司法机关、subdistrict 街道、town 镇、committee 管委会、other 其他、collective 单位组(待确认)。",
                  "Every unit the notice names, as it writes them. Each kind is guessed from the name; check them: "
                  "department, party, judicial, subdistrict (街道), town (镇), committee (管委会), other, collective (a set of units to confirm)."))
    w("units:")
    for u in d.units:
        w.notes("  ", u.alias_note)
        w(f"  - name: {q(u.name)}")
        w(f"    kind: {u.kind}", u.note)
    if d.groups:
        w()
        w.notes("  ", t("以下是通知用来指一类单位的说法(待确认)。草稿把每个说法当作一个责任主体,方案马上可用;"
                        "要按成员分别跟踪时,把它从 units 移到 groups,在 members 中列出成员(每个成员先在 units 中定义)。",
                        "Below: names the notice uses for sets of units (to confirm). The draft counts each as one "
                        "responsible body, so the plan works at once; to track the members one by one, move it from "
                        "units to groups and list them under members (define each under units first)."))
        for g in d.groups:
            w.notes("  ", g.note, g.hint)
            w(f"  - name: {q(g.name)}")
            w("    kind: collective", t("待确认:一类单位,暂作一个责任主体", "to confirm: a set of units, one body for now"))
    if d.supervision:
        w()
        w.notes("", d.supervision_note)
        w("supervision:")
        w(f"  units: {flow([d.supervision])}")
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
    if part.people:
        w.notes("      ", t("原文写有负责的领导: {p}(人名不作为单位)", "the notice names people: {p} (not units)",
                           p=part.people))
    w(f"      - id: {q(part.id)}")
    w(f"        text: {q(part.text)}")
    w(f"        lead: {flow(part.lead)}")
    w(f"        support: {flow(part.support)}")
    # ongoing work is written 长期: the plan model's word for a part with no due date (never overdue)
    w(f"        due: {'长期' if part.ongoing else q(part.due.isoformat())}", part.due_note)
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
#   - 单位组(如“各镇、街”“区政府各部门”)包含哪些单位:草稿暂把每个说法当作一个单位(units 末尾,注明待确认);
#   - “3月初”这类说法是哪一天(settings.early_march);
#   - 名称相近的单位是否同一单位(见 units 下“可能与……是同一单位”);
#   - 没写期限的分项取方案总体期限(plan.target);“持续推进”等长期工作写 due: 长期(没有期限,不计逾期);
#   - 督办单位(supervision)是按发文机关猜的;每个单位的 kind 是按名称猜的。
# 改好后运行: fazhi check --plan {output}"""

_HEAD_EN = """\
# A draft plan file, written by fazhi draft from {source}.
#
# Each comment marks something the draft guessed: check each, correct it, then delete the comments you no longer need.
# What the draft cannot know from the notice and you decide:
#   - who belongs to each group (such as 各镇、街 or 区政府各部门): each is one unit for now (at the end of units, marked to confirm);
#   - which day words such as 3月初 mean (settings.early_march);
#   - whether two similar names are one unit (see "may be the same body as" under units);
#   - a part with no deadline takes the plan's overall one (plan.target); ongoing work says due: 长期 (no date, never overdue);
#   - the supervising unit (supervision) is guessed from the issuer; each unit's kind is guessed from its name.
# Then run: fazhi check --plan {output}"""


def template(year: int) -> str:
    """A small plan file that ``fazhi check`` accepts, every field explained."""
    return t(_TEMPLATE_ZH, _TEMPLATE_EN).format(y=year)


_TEMPLATE_ZH = """\
# 方案文件模板(由 fazhi new 生成)。把示例内容改成你的方案,改好后运行:
#   fazhi check --plan 本文件
# 规则: 值里含有冒号、# 或以特殊字符开头时,请加双引号;日期写成 "YYYY-MM-DD";缩进只用空格。

schema: 1

plan:
  title: "示例区{y}年法治政府建设工作要点"   # 方案名称
  number: "示例府办〔{y}〕1号"                # 文号(可删)
  issuer: "示例区人民政府办公室"              # 印发单位(可删)
  signed: "{y}-03-01"                          # 印发日期:早于它的期限会被 check 指出
  target: "{y}-12-31"                          # 总体期限:分项没写期限时以它为准
  target_source: "{y}年底前完成各项任务"       # 原文怎么说的(可删)

settings:
  early_march: "03-10"   # “3月初”算哪一天;定期事项的 due 可以写 early_march
  warn_days: 30          # 到期前几天亮黄灯

sections:                # 章节:任务按章节分组
  - id: 一
    heading: "示例章节:深化行政执法体制改革"

units:                   # 每个单位一条;kind: department 政府部门、party 党委机构、judicial 司法机关、
                         # subdistrict 街道、town 镇、committee 管委会、other 其他
  - name: 区司法局
    full_name: 示例区司法局   # 全称(可删)
    kind: department
    aliases: [区司法行政局]   # 其他写法(可删)
  - name: 区财政局
    kind: department
  - name: 甲街
    kind: subdistrict
  - name: 乙镇
    kind: town

groups:                  # 通知里指一类单位的说法,如“各镇、街”:列出它包含的单位
  - name: 各镇、街
    members: [甲街, 乙镇]

recurring:               # 定期事项:每期一个期限,编号 <id>-<年>,如 summary-{y}
  - id: summary
    title: 工作总结
    units: 责任单位      # 责任单位 = 每个牵头某一分项的单位;也可以写单位列表
    years: [{y}]
    due: "12-20"         # 每年的 MM-DD
  - id: progress
    title: 工作进展情况
    units: [区司法局]
    every: quarter       # 按季度(quarter)或按月(month);编号如 progress-{y}-q1、-{y}-01
    years: [{y}]
    due: "03-25"         # 从每期第一个月算起:03-25 即每季度最后一个月的25日

tasks:
  - id: "1"
    section: 一
    title: "示例任务:推行行政执法公示制度"
    text: "推行行政执法公示制度,{y}年6月底前完成执法信息公示平台建设。(牵头单位:区司法局,配合单位:区财政局和各镇、街)"
    parts:               # 每个分项:编号 <任务>.<序号>,牵头单位必填
      - id: "1.1"
        text: "推行行政执法公示制度,{y}年6月底前完成执法信息公示平台建设。"
        lead: [区司法局]
        support: [区财政局, 各镇、街]
        due: "{y}-06-30"   # YYYY-MM-DD;持续推进、长期坚持等没有期限的长期工作写 长期(不计逾期)
        due_source: "{y}年6月底前完成执法信息公示平台建设"
"""

_TEMPLATE_EN = """\
# A plan file template (written by fazhi new). Replace the examples with your plan, then run:
#   fazhi check --plan this-file
# Rules: quote a value that holds a colon or a #, or starts with a special character; dates are "YYYY-MM-DD";
# indent with spaces only.

schema: 1

plan:
  title: "示例区{y}年法治政府建设工作要点"   # the plan's title
  number: "示例府办〔{y}〕1号"                # document number (optional)
  issuer: "示例区人民政府办公室"              # issuer (optional)
  signed: "{y}-03-01"                          # day issued: check reports deadlines before it
  target: "{y}-12-31"                          # overall deadline: a part without its own takes it
  target_source: "{y}年底前完成各项任务"       # the notice's words (optional)

settings:
  early_march: "03-10"   # which day "3月初" is; a recurring due may say early_march
  warn_days: 30          # days before a deadline that turn it yellow

sections:                # sections group the tasks
  - id: 一
    heading: "示例章节:深化行政执法体制改革"

units:                   # one entry per unit; kind: department, party, judicial, subdistrict (街道),
                         # town (镇), committee (管委会), other
  - name: 区司法局
    full_name: 示例区司法局   # full name (optional)
    kind: department
    aliases: [区司法行政局]   # other spellings (optional)
  - name: 区财政局
    kind: department
  - name: 甲街
    kind: subdistrict
  - name: 乙镇
    kind: town

groups:                  # names for sets of units, such as 各镇、街: list who belongs
  - name: 各镇、街
    members: [甲街, 乙镇]

recurring:               # recurring duties: one deadline per period, ids <id>-<year> such as summary-{y}
  - id: summary
    title: 工作总结
    units: 责任单位      # 责任单位 = every unit that leads a part; or a list of units
    years: [{y}]
    due: "12-20"         # MM-DD each year
  - id: progress
    title: 工作进展情况
    units: [区司法局]
    every: quarter       # quarter or month; ids such as progress-{y}-q1, -{y}-01
    years: [{y}]
    due: "03-25"         # counted from each period's first month: the 25th of its last month

tasks:
  - id: "1"
    section: 一
    title: "示例任务:推行行政执法公示制度"
    text: "推行行政执法公示制度,{y}年6月底前完成执法信息公示平台建设。(牵头单位:区司法局,配合单位:区财政局和各镇、街)"
    parts:               # each part: id <task>.<n>; a lead unit is required
      - id: "1.1"
        text: "推行行政执法公示制度,{y}年6月底前完成执法信息公示平台建设。"
        lead: [区司法局]
        support: [区财政局, 各镇、街]
        due: "{y}-06-30"   # YYYY-MM-DD; ongoing work with no due date (持续推进, 长期坚持) says 长期
        due_source: "{y}年6月底前完成执法信息公示平台建设"
"""
