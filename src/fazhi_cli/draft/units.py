"""Unit lists: who leads and who supports, as the notice names them.

Three shapes close a part of a task:

* a labelled parenthesis ``(牵头单位:区财政局、区审计局,配合单位:各镇、街)``;
* role lines after an item, ``牵头单位:区发改局`` / ``责任单位:各街道,区市场局``;
* a parenthesis in sentence form ``(区政务办、区编办牵头,区级各有关部门按职责分工负责)``.

All functions take normalised text (see ``text.norm``) and return spans, so
that names are cut from the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..i18n import t_as_written as t
from .text import Spans, norm

LEAD_LABELS = ("牵头单位", "牵头部门", "主责单位", "主责部门", "主办单位", "牵头责任单位", "牵头科室", "牵头处室",
               "牵头责任部门")
RESPONSIBLE_LABELS = ("责任单位", "责任部门", "责任科室", "责任处室", "承办单位", "承办部门", "实施单位", "落实单位",
                      "责任主体", "主体责任单位", "负责部门", "负责单位")
SUPPORT_LABELS = ("配合单位", "配合部门", "配合科室", "协办单位", "协助单位", "参与单位", "协同单位", "协作单位",
                  "协同责任单位", "协同部门", "参与部门", "指导单位", "指导部门")
# names of people (分管领导: 张副市长) are kept in the text as a note, never taken as units
PEOPLE_LABELS = ("责任领导", "牵头领导", "分管领导", "牵头负责领导", "牵头市领导", "牵头区领导", "牵头县领导",
                 "分管市领导", "分管区领导", "分管县领导", "联系领导", "责任人", "联系人", "负责人")
DEADLINE_LABELS = ("完成时限", "完成时间", "完成期限", "时间节点", "时限要求", "办结时限", "完成时间节点", "时限")
# a label whose words are a sentence of roles: 部门分工:市统计局牵头,各区、各部门配合。
SENTENCE_LABELS = ("部门分工", "责任分工", "任务分工", "分工")

_ALL = LEAD_LABELS + RESPONSIBLE_LABELS + SUPPORT_LABELS + PEOPLE_LABELS + DEADLINE_LABELS + SENTENCE_LABELS
# longest first, so 牵头责任单位 is not read as 责任单位
LABEL = "(?:" + "|".join(sorted(_ALL, key=len, reverse=True)) + r")\s*[:]"
_UNIT_LABEL = "(?:" + "|".join(sorted(LEAD_LABELS + RESPONSIBLE_LABELS + SUPPORT_LABELS, key=len, reverse=True)) + r")\s*[:]"

# the last character of a body's name: 局, 办, 委, 院, 街, 镇 …
UNIT_END = set("局办委部院会室心队所站处厅府街镇乡组社行司馆台校区市县门位团联庭署园场中科关央")
_VERBS_LEAD = ("牵头负责", "牵头落实", "分别牵头", "牵头")
# 指导: those named guide the work and someone else carries it out ((A、B指导), 国办发〔2018〕128号)
_VERBS_SUPPORT = ("按职责分工分别负责", "按职责分工负责", "按职责分工落实", "按职责分别负责", "按职责负责", "分工负责",
                  "配合落实", "协同配合", "配合", "参与", "协助", "协同", "协办", "指导")
_VERBS_OWN = ("分别负责落实", "负责落实", "分别负责", "具体负责", "负责", "落实", "承办", "实施")
_VERBS = sorted(_VERBS_LEAD + _VERBS_SUPPORT + _VERBS_OWN, key=len, reverse=True)
_TRAILING = ("等有关部门和单位", "等相关部门和单位", "等部门和单位", "等有关单位", "等相关单位", "等有关部门", "等相关部门", "等单位", "等部门", "等", "配合", "参与", "协助",
             "负责", "落实")
# a phrase after a name that makes it a sentence, not a name: 乡镇人民政府按职责分工分别负责
_PHRASE_TAIL = re.compile(r"(?:按职责分工|按职责|根据职责)?(?:分别|共同|具体)?(?:负责|落实|配合|参与|协助|实施)(?:落实)?$"
                          r"|(?:按职责分工|按职责|根据职责)(?:分别|共同|具体)?$|分别$"   # the verb already cut as trailing
                          r"|等(?:有关|相关)?(?:单位|部门)?$")


@dataclass
class UnitList:
    """One closing list: where it is, and the names in it (as spans of the original)."""

    start: int
    end: int
    lead: list[tuple[int, int]] = field(default_factory=list)
    support: list[tuple[int, int]] = field(default_factory=list)
    deadline: tuple[int, int] | None = None
    note: str = ""
    shape: str = ""   # paren | lines | sentence | bare
    people: list[str] = field(default_factory=list)   # 分管领导:张副市长, a note
    own: bool = False   # the names answer for the work with no one marked to lead (责任单位: …, …负责)
    rule: str = ""      # 列第一位者为牵头单位,下同: a rule written inside this list
    lead_rule: str = ""   # 以下均需X落实,不再列出: a rule inside this list naming who carries out every later item
    rule_lead: list[tuple[int, int]] = field(default_factory=list)   # that X, as spans of this list's text
    named_lead: list[str] = field(default_factory=list)   # a lead given elsewhere in the notice (by such a rule)


def is_collective(name: str) -> bool:
    """各镇、街, 区政府各部门, 区级各有关部门, 各县市区政府, 行政决策起草和主办部门: sets, not bodies."""
    n = norm(name)
    return (n.startswith("各") or "各" in n[1:] and not n.endswith("各") or "有关" in n or "相关" in n
            or n.endswith(("部门", "单位", "成员单位")) or "直属" in n)


# words that make a bracket a sentence, never a name: (…按有关政策规定执行), (另行通知办理); 银行 ends in 行 too
_A_SENTENCE = re.compile(r"按[^()]{0,30}规定|(?:执行|办理|规定)$")


def looks_like_unit(name: str) -> bool:
    n = norm(name.strip())
    if not 2 <= len(n) <= 40 or any(c in n for c in "。;:,\n") or _A_SENTENCE.search(n):
        return False
    return n[-1] in UNIT_END or is_collective(n)


_PLACE_LEVEL = re.compile(r"^[区县市镇乡街][区县市]?(?:政府|人民政府|街道)?$")
# a level of government named bare, never a body by itself: after 各… it ends that collective (各区、县级市),
# and so does its government (各区、县级市政府, 各有关区、县级市人民政府): no single body is called 县级市政府
_BARE_LEVEL = re.compile(r"^(?:县级市|县市区|县区|区县|乡镇|镇街|街道)(?:人民政府|政府)?$")


def _pieces(seg: str) -> list[tuple[int, int]]:
    """Spans of seg between separators (、 , ; / space) outside brackets: 各县(市、区)政府 is one piece."""
    out: list[tuple[int, int]] = []
    depth = 0
    start = None
    for i, c in enumerate(seg):
        if c in "(〔[【":
            depth += 1
        elif c in ")〕]】":
            depth = max(0, depth - 1)
        if depth == 0 and c in "、,;/ \t\n":
            if start is not None:
                out.append((start, i))
            start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((start, len(seg)))
    return out


def split_names(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """The names in text[start:end] as (start, end, marked_lead) spans.

    Names are separated by 、 , ; / and spaces outside brackets (各县(市、区)政府
    is one name), and by 和, 及, 以及, 与 when the words before them end like a
    body's name (区人力资源和社会保障局 stays whole: 区人力资源 does not).
    各镇、街 and 各县、市、区政府 stay whole: a short fragment after 各… is part
    of it. Phrases that are not names are cut off (……按职责分工负责,
    ……等有关单位). ``市发展改革委(牵头)`` is marked as lead; a note in brackets
    after a name (市卫生健康委(除标注外,下同)) is not part of the name.
    """
    seg = norm(text[start:end])
    # trailing words that are not names: 各镇、街配合, 区政府各部门等
    trimmed = seg.rstrip(" ,;。.、\n\t")
    changed = True
    while changed:
        changed = False
        for word in _TRAILING:
            if trimmed.endswith(word) and len(trimmed) > len(word) + 1:
                trimmed = trimmed[: -len(word)].rstrip(" ,;。.、")
                changed = True
    spans: list[list[int]] = []
    for a, b in _pieces(trimmed):
        # split on 和/及/以及/与 after a body's name
        piece_start = a
        for c in re.finditer(r"以及|和|及|与", trimmed[a:b]):
            left_end = a + c.start()
            right = a + c.end()
            # 全国总工会等和各省级人民政府: 等 closes the names before it
            etc = trimmed[left_end - 1] == "等" and left_end - piece_start >= 3 and trimmed[left_end - 2] in UNIT_END
            # (中央和国家机关工委 is one name: 中央 alone is not a body here)
            body = trimmed[left_end - 1] in UNIT_END and trimmed[piece_start:left_end] != "中央"
            if (left_end - piece_start >= 2 and body or etc) and b - right >= 2:
                spans.append([piece_start, left_end - etc])
                piece_start = right
        spans.append([piece_start, b])
    out: list[list[int]] = []
    merging = False
    for a, b in spans:
        frag = trimmed[a:b]
        if out and (merging or trimmed[out[-1][0]:out[-1][1]].startswith("各")) and not frag.startswith("各") and (
                len(frag) <= 2 or _BARE_LEVEL.match(frag) or _PLACE_LEVEL.match(frag) and merging):
            out[-1][1] = b          # 各镇、街 / 各镇、街道 / 各县、市、区政府 / 各区、县级市
            merging = len(frag) <= 2
            continue
        merging = False
        out.append([a, b])
    result = []
    for a, b in out:
        name = trimmed[a:b]
        marked = False
        for mark in ("(牵头)", "牵头"):
            if name.endswith(mark) and len(name) > len(mark) + 1:
                b -= len(mark)
                marked = True
                break
        name = trimmed[a:b]
        # a note in brackets after the name: 市卫生健康委(除标注外,下同)
        m = re.search(r"\(([^()]*)\)$", name)
        if m and m.start() >= 2 and re.search(r"下同|除|含|包括|注|负责|,|;", m[1]):
            b -= len(m[0])
            name = trimmed[a:b]
        # 市文旅局等有关部门按职责分工: each phrase cut uncovers the next
        tail = _PHRASE_TAIL.search(name)
        while tail and tail.start() >= 2:
            b -= len(name) - tail.start()
            name = trimmed[a:b]
            tail = _PHRASE_TAIL.search(name)
        # 市住建局等政府各有关部门: 等 after a body's name starts a phrase about others
        etc = re.search(r"等[^等、,;]{0,10}(?:单位|部门)$", name)
        if etc and etc.start() >= 2 and name[etc.start() - 1] in UNIT_END:
            b -= len(name) - etc.start()
            name = trimmed[a:b]
        while name.startswith("(") and name.endswith(")") and len(name) > 2:
            a, b = a + 1, b - 1
            name = trimmed[a:b]
        if name.strip("()"):
            result.append((start + a, start + b, marked))
    return result


def _roles_from_labels(text: str, start: int, end: int, ul: UnitList) -> bool:
    """Fill ``ul`` from 'label: names' segments in text[start:end]; False when none is a unit label."""
    labels = list(re.finditer(LABEL, text[start:end]))
    if not labels:
        return False
    has_lead_label = any(m[0].startswith(LEAD_LABELS) for m in labels)
    found = False
    for i, m in enumerate(labels):
        a = start + m.end()
        b = start + labels[i + 1].start() if i + 1 < len(labels) else end
        label = m[0].rstrip(": ").strip()
        if label in DEADLINE_LABELS:
            ul.deadline = (a, b)
            continue
        if label in PEOPLE_LABELS:
            value = text[a:b].strip(" ,;。.\n")
            if value:
                ul.people.append(f"{label}:{value}")
            continue
        if label in SENTENCE_LABELS:      # 部门分工:市统计局牵头,各区、各部门配合。
            inner = _sentence_roles(text, a, len(text[:b].rstrip(" 。.;")))
            if inner is not None:
                ul.lead += inner.lead
                ul.support += inner.support
                ul.note = inner.note
                found = True
            continue
        # (负责部门:市商务局,适用范围:某片区): a word and a colon after the names starts a note, not a name
        tail = re.search(r"[,;]\s*[^,;:、\s]{2,8}\s*:", text[a:b])
        if tail:
            ul.note = text[a + tail.end() - len(tail[0]) + 1:b].strip(" ,;。")
            b = a + tail.start()
        names = split_names(text, a, b)
        found = True
        if label in LEAD_LABELS:
            ul.lead += [(x, y) for x, y, _ in names]
        elif label in SUPPORT_LABELS:
            ul.support += [(x, y) for x, y, _ in names]
        elif has_lead_label:      # 牵头单位 given too: 责任单位 are the others that answer for it
            ul.support += [(x, y) for x, y, _ in names]
            ul.note = t("原文同时写有“牵头单位”和“{l}”:后者按配合单位处理", "the notice gives both 牵头单位 and {l}: "
                        "the latter are taken as support units", l=label)
        elif any(marked for _, _, marked in names):   # 责任单位:市发改委(牵头)、市财政局
            ul.lead += [(x, y) for x, y, marked in names if marked]
            ul.support += [(x, y) for x, y, marked in names if not marked]
        else:                     # 责任单位 alone means the lead
            ul.lead += [(x, y) for x, y, _ in names]
            ul.own = True
    return found


def _sentence_roles(text: str, start: int, end: int) -> UnitList | None:
    """(区政务办、区编办牵头,区级各有关部门按职责分工负责) → lead and support, or None."""
    ul = UnitList(start - 1, end + 1, shape="sentence")
    lead_seen = False
    pieces = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^,;]+", text[start:end])]
    if not pieces:
        return None
    roles = []
    for i, (a, b) in enumerate(pieces):
        piece = text[a:b].strip(" 。.")
        verb = next((v for v in _VERBS if piece.endswith(v)), None)
        if verb is None:
            # (县审批局牵头,县级各有关部门按职责分工负责;2024年12月底前完成): the last clause is the deadline
            if roles and i == len(pieces) - 1 and _DEADLINE_CLAUSE.search(piece):
                ul.deadline = (a, b)
                break
            return None
        b = a + len(text[a:b].rstrip(" 。."))
        names_end = b - len(verb) if text[a:b].endswith(verb) else b
        # 市发展改革委会同有关部门负责: those after 会同 work with the named
        with_ = text.find("会同", a, names_end)
        others = split_names(text, with_ + 2, names_end) if with_ > a else []
        names = split_names(text, a, with_ if with_ > a else names_end)
        if not names or not all(looks_like_unit(text[x:y]) for x, y, _ in names + others):
            return None
        role = "lead" if verb in _VERBS_LEAD else "support" if verb in _VERBS_SUPPORT else "own"
        lead_seen |= role == "lead"
        roles.append((role, verb, names))
        if others:
            roles.append(("support", "会同", others))
    if roles and all(role == "support" and verb.endswith(("负责", "落实")) or verb == "会同" for role, verb, _ in roles):
        # (市财政局、市民政局等有关部门和单位按职责分工负责): no one leads, so the named answer for it themselves
        roles = [("own", verb, names) for _, verb, names in roles]
    notes = []
    for role, verb, names in roles:
        spans = [(x, y) for x, y, _ in names]
        if role == "lead" or (role == "own" and not lead_seen):
            ul.lead += spans
        else:
            ul.support += spans
            if role == "own" or verb.endswith("负责"):
                notes.append(verb)
    if not ul.lead and not any(verb == "指导" for _, verb, _ in roles):
        return None
    # (A、B指导) names only those who guide: a list with no lead, which a rule of the notice may fill in
    ul.own = not lead_seen and bool(ul.lead)
    if notes:
        ul.note = t("原文“{v}”按配合单位处理", "“{v}” is taken as support", v="”“".join(dict.fromkeys(notes)))
    return ul


# a clause that can only be a deadline: a date, a season or term, or ongoing words
_DEADLINE_CLAUSE = re.compile(r"^(?:\d{4}年|\d{1,2}月|[上下]半年|年[底内中末]|[一二三四]季度|全年|持续|长期|常态化|完成时限|时限)"
                              r"|(?:前|底|内|末)(?:完成|落实|到位)?$")


# 各项任务中列第一位的为牵头单位 / 列第一位者为牵头单位 / 排在第一位的部门为牵头部门
FIRST_LEADS = re.compile(r"[^。;\n]{0,20}(?:列|排)(?:在)?(?:第一位|首位|第一)[^。;,\n]{0,6}为牵头(?:单位|部门)")
# the same rule closing a bracketed list, perhaps with 下同
FIRST_LEADS_IN_LIST = re.compile(r"[。,;]\s*[^。,;()]{0,6}(?:列|排)(?:在)?(?:第一位|首位|第一)[^。,;()]{0,6}为牵头(?:单位|部门)?"
                                 r"(?:\s*[,;]\s*下同)?\s*(?=\)|$)")


# 以下均需试点城市政府落实,不再列出 / 以下均由X负责 closing a bracketed list: X carries out every later item
# whose list names no lead of its own (国办发〔2018〕128号 names only the guiding ministries after it)
LEAD_RULE_IN_LIST = re.compile(r"[。,;]\s*(以下(?:各项任务|各项工作|各项|任务|工作)?(?:均|都|皆)?(?:需要|需由|须由|应由|需|须|由)?"
                               r"(?P<who>[^。,;()]{2,30}?)(?:负责落实|牵头落实|组织落实|负责实施|组织实施|负责|落实|牵头|承担|实施)"
                               r"(?:\s*[,;]\s*不再(?:一一|单独|重复|另行)?列出)?)\s*[。]?\s*(?=\)|$)")


_NOT_A_LIST = re.compile(r"^(?:含|包括|以下|即|如|其中|下称|简称|试行|草案|暂行)")


def _bare_list(text: str, start: int, end: int, inner_end: int | None = None) -> UnitList | None:
    """……工作机制。(人事科、信息中心): a parenthesis closing a sentence and holding only bodies' names."""
    before = text[:start].rstrip(" ")
    after = text[end:end + 2].lstrip(" ")
    if not (before.endswith(("。", ";", ";", ".")) or not before or before.endswith("\n")
            or after[:1] in ("", "\n", "。", ";", ";")):
        return None
    inner_end = end - 1 if inner_end is None else inner_end
    inner = text[start + 1:inner_end]
    if _NOT_A_LIST.match(inner.strip()) or re.search(r"\d|年|《", inner):
        return None
    names = split_names(text, start + 1, inner_end)
    if not names or not all(looks_like_unit(text[x:y]) and len(text[x:y].strip()) >= 3 for x, y, _ in names):
        return None
    ul = UnitList(start, end, shape="bare", own=True)
    ul.lead = [(x, y) for x, y, _ in names]
    ul.note = t("括号中只有单位名称:按责任单位(牵头)处理", "a parenthesis holding only names: taken as the responsible "
                "(lead) units")
    return ul


def _read_lead_rule(text: str, m: re.Match, ul: UnitList) -> None:
    names = split_names(text, m.start("who"), m.end("who"))
    if names and all(looks_like_unit(text[x:y]) for x, y, _ in names):
        ul.lead_rule = m[1].strip(" 。,;")
        ul.rule_lead = [(x, y) for x, y, _ in names]


def find_lists(text: str) -> list[UnitList]:
    """Every closing unit list in an item's (normalised) text, in order."""
    found: list[UnitList] = []
    # one level of brackets inside: (牵头单位:各县(市、区)政府)
    for m in re.finditer(r"\(((?:[^()\n]|\([^()\n]{0,40}\)){2,400})\)", text):
        a, b = m.start(1), m.end(1)
        # (市人社局、市财政局负责。列第一位者为牵头单位,下同): the rule is read apart from the names
        rule = FIRST_LEADS_IN_LIST.search(text, a, b)
        if rule:
            b = rule.start()
        lead_rule = LEAD_RULE_IN_LIST.search(text, a, b)
        if lead_rule:
            b = lead_rule.start()
        inner = text[a:b].lstrip()
        if re.match(_UNIT_LABEL, inner):
            ul = UnitList(m.start(), m.end(), shape="paren")
            if _roles_from_labels(text, a, b, ul) and (ul.lead or ul.support):
                if lead_rule:
                    _read_lead_rule(text, lead_rule, ul)
                found.append(ul)
            continue
        ul2 = _sentence_roles(text, a, b)
        if ul2 is None:
            ul2 = _bare_list(text, m.start(), m.end(), b)
        if ul2 is not None:
            ul2.start, ul2.end = m.start(), m.end()
            if rule:
                ul2.rule = rule[0].strip(" 。,;")
            if lead_rule:
                _read_lead_rule(text, lead_rule, ul2)
            found.append(ul2)
    taken = Spans()
    for u in found:
        taken.add(u.start, u.end)
    # role lines, or role words after a sentence: from the first label to the end of the line;
    # consecutive role lines (牵头单位:… / 责任单位:… / 完成时限:…) are one list, read together
    blocks: list[list[int]] = []
    # (a label right after a bracketed list starts one too: (牵头单位:…)完成时限:…)
    for m in re.finditer(r"(?:^|(?<=[。;\n)）]))[ \t]*(" + LABEL + r")", text, re.M):
        a = m.start(1)
        if taken.overlaps(a, a + 1):
            continue
        b = text.find("\n", a)
        b = len(text) if b < 0 else b
        if blocks and not text[blocks[-1][1]:a].strip():
            blocks[-1][1] = b
        else:
            blocks.append([a, b])
    for a, b in blocks:
        ul = UnitList(a, b, shape="lines")
        _roles_from_labels(text, a, b, ul)
        found.append(ul)
    found.sort(key=lambda u: u.start)
    return [u for u in found if u.lead or u.support or u.deadline]


def guess_kind(name: str) -> tuple[str, str]:
    """(kind, why) from a unit's name; always a guess."""
    rules = (
        (r"(法院|检察院)$", "judicial", t("名称以法院/检察院结尾", "named as a court or procuratorate")),
        (r"^(中共)?[区市县省州]?(委|纪委)|纪委|政法委|^中共|党委|党组|(宣传|组织|统战)部$", "party",
         t("名称显示是党委机构", "the name reads as a Party organ")),
        (r"(街道|街道办事处|街)$", "subdistrict", t("名称以“街”结尾", "the name ends in 街")),
        (r"(镇|乡|镇政府|镇人民政府|乡人民政府)$", "town", t("名称以“镇/乡”结尾", "the name ends in 镇/乡")),
        (r"(管委会|管理委员会)$", "committee", t("名称是管委会", "the name is a 管委会")),
        (r"(人大常委会|人大|政协|领导小组|委员会办公室)$", "other", t("名称显示不是政府部门", "the name is not a department")),
    )
    for pattern, kind, why in rules:
        if re.search(pattern, norm(name)):
            return kind, why
    return "department", t("按名称推测为政府部门", "taken as a government department from its name")


_PLACE = re.compile(r"^(?:[^区市县省]{0,4}(?:区|市|县|省))")


def possible_alias(a: str, b: str) -> bool:
    """True when one name may abbreviate the other: 区发改局/区发展改革局, 区公安局/区公安分局, 区财政局/番禺区财政局."""
    if a == b:
        return False
    short_, long_ = sorted((a, b), key=len)
    if len(short_) < 3 or short_[-1] != long_[-1] or len(short_) == len(long_):
        return False
    it = iter(long_)
    if not all(c in it for c in short_):
        return False
    # the shorter must start where the longer does, or where it does after a place name
    if long_.startswith(short_[0]):
        return True
    m = _PLACE.match(long_)
    # 番禺区财政局 / 区财政局 (the place dropped), 市经贸委 / 经贸委 (the level dropped too)
    return bool(m) and (long_[m.end() - 1:].startswith(short_[0]) or long_[m.end():].startswith(short_[0]))

