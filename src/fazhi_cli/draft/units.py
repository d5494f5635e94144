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

from ..i18n import t
from .text import Spans

LEAD_LABELS = ("牵头单位", "牵头部门", "主责单位", "主责部门", "主办单位", "牵头责任单位")
RESPONSIBLE_LABELS = ("责任单位", "责任部门", "承办单位", "实施单位", "落实单位", "责任主体")
SUPPORT_LABELS = ("配合单位", "配合部门", "协办单位", "协助单位", "参与单位", "协同单位", "协作单位")
PEOPLE_LABELS = ("责任领导", "牵头领导", "分管领导", "责任人", "联系人")
DEADLINE_LABELS = ("完成时限", "完成时间", "完成期限", "时间节点", "时限要求", "办结时限", "时限")

_ALL = LEAD_LABELS + RESPONSIBLE_LABELS + SUPPORT_LABELS + PEOPLE_LABELS + DEADLINE_LABELS
# longest first, so 牵头责任单位 is not read as 责任单位
LABEL = "(?:" + "|".join(sorted(_ALL, key=len, reverse=True)) + r")\s*[:]"
_UNIT_LABEL = "(?:" + "|".join(sorted(LEAD_LABELS + RESPONSIBLE_LABELS + SUPPORT_LABELS, key=len, reverse=True)) + r")\s*[:]"

# the last character of a body's name: 局, 办, 委, 院, 街, 镇 …
UNIT_END = set("局办委部院会室心队所站处厅府街镇乡组社行司馆台校区市县门位团联庭署园场中")
_VERBS_LEAD = ("牵头负责", "牵头")
_VERBS_SUPPORT = ("按职责分工负责", "按职责分工落实", "按职责负责", "分工负责", "配合", "参与", "协助", "协同", "协办")
_VERBS_OWN = ("负责", "落实", "承办", "实施")
_TRAILING = ("等有关单位", "等单位", "等部门", "等", "配合", "参与", "协助", "负责", "落实")


@dataclass
class UnitList:
    """One closing list: where it is, and the names in it (as spans of the original)."""

    start: int
    end: int
    lead: list[tuple[int, int]] = field(default_factory=list)
    support: list[tuple[int, int]] = field(default_factory=list)
    deadline: tuple[int, int] | None = None
    note: str = ""
    shape: str = ""   # paren | lines | sentence


def is_collective(name: str) -> bool:
    """各镇、街, 区政府各部门, 区级各有关部门, 各县市区政府, 行政决策起草和主办部门: sets, not bodies."""
    n = name
    return (n.startswith("各") or "各" in n[1:] and not n.endswith("各") or "有关" in n or "相关" in n
            or n.endswith(("部门", "单位", "成员单位")) or "直属" in n)


def looks_like_unit(name: str) -> bool:
    n = name.strip()
    if not 2 <= len(n) <= 40 or any(c in n for c in "。;:,\n"):
        return False
    return n[-1] in UNIT_END or is_collective(n)


def split_names(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """The names in text[start:end] as (start, end, marked_lead) spans.

    Names are separated by 、 , ; / and spaces, and by 和, 及, 以及, 与 when the
    words before them end like a body's name (区人力资源和社会保障局 stays
    whole: 区人力资源 does not). 各镇、街 stays whole: a fragment of one or two
    characters after 各… is part of it. ``市发展改革委(牵头)`` is marked as lead.
    """
    seg = text[start:end]
    # trailing words that are not names: 各镇、街配合, 区政府各部门等
    trimmed = seg.rstrip(" ,;。.、")
    changed = True
    while changed:
        changed = False
        for word in _TRAILING:
            if trimmed.endswith(word) and len(trimmed) > len(word) + 1:
                trimmed = trimmed[: -len(word)].rstrip(" ,;。.、")
                changed = True
    spans: list[list[int]] = []
    for m in re.finditer(r"[^、,;/\s]+", trimmed):
        a, b = m.start(), m.end()
        # split on 和/及/以及/与 after a body's name
        piece_start = a
        for c in re.finditer(r"以及|和|及|与", trimmed[a:b]):
            left_end = a + c.start()
            right = a + c.end()
            if left_end - piece_start >= 2 and trimmed[left_end - 1] in UNIT_END and b - right >= 2:
                spans.append([piece_start, left_end])
                piece_start = right
        spans.append([piece_start, b])
    out: list[list[int]] = []
    for a, b in spans:
        frag = trimmed[a:b]
        if out and trimmed[out[-1][0]:out[-1][1]].startswith("各") and len(frag) <= 2 and not frag.startswith("各"):
            out[-1][1] = b          # 各镇、街 / 各镇、街道
            continue
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
        name = trimmed[a:b].strip("()")
        if name:
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
            continue
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
    return found


def _sentence_roles(text: str, start: int, end: int) -> UnitList | None:
    """(区政务办、区编办牵头,区级各有关部门按职责分工负责) → lead and support, or None."""
    ul = UnitList(start - 1, end + 1, shape="sentence")
    lead_seen = False
    pieces = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^,;]+", text[start:end])]
    if not pieces:
        return None
    roles = []
    for a, b in pieces:
        piece = text[a:b].strip()
        verb = next((v for v in (*_VERBS_LEAD, *_VERBS_SUPPORT, *_VERBS_OWN) if piece.endswith(v)), None)
        if verb is None:
            return None
        names = split_names(text, a, b - len(verb) if text[a:b].endswith(verb) else b)
        if not names or not all(looks_like_unit(text[x:y]) for x, y, _ in names):
            return None
        role = "lead" if verb in _VERBS_LEAD else "support" if verb in _VERBS_SUPPORT else "own"
        lead_seen |= role == "lead"
        roles.append((role, verb, names))
    notes = []
    for role, verb, names in roles:
        spans = [(x, y) for x, y, _ in names]
        if role == "lead" or (role == "own" and not lead_seen):
            ul.lead += spans
        else:
            ul.support += spans
            if role == "own" or verb.endswith("负责"):
                notes.append(verb)
    if not ul.lead:
        return None
    if notes:
        ul.note = t("原文“{v}”按配合单位处理", "“{v}” is taken as support", v="”“".join(dict.fromkeys(notes)))
    return ul


def find_lists(text: str) -> list[UnitList]:
    """Every closing unit list in an item's (normalised) text, in order."""
    found: list[UnitList] = []
    for m in re.finditer(r"\(([^()\n]{2,400})\)", text):
        a, b = m.start(1), m.end(1)
        inner = text[a:b].lstrip()
        if re.match(_UNIT_LABEL, inner):
            ul = UnitList(m.start(), m.end(), shape="paren")
            if _roles_from_labels(text, a, b, ul) and (ul.lead or ul.support):
                found.append(ul)
        else:
            ul2 = _sentence_roles(text, a, b)
            if ul2 is not None:
                found.append(ul2)
    taken = Spans()
    for u in found:
        taken.add(u.start, u.end)
    # role lines, or role words after a sentence: from the first label to the end of the line;
    # consecutive role lines (牵头单位:… / 责任单位:… / 完成时限:…) are one list, read together
    blocks: list[list[int]] = []
    for m in re.finditer(r"(?:^|(?<=[。;\n]))[ \t]*(" + LABEL + r")", text, re.M):
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
        if re.search(pattern, name):
            return kind, why
    return "department", t("按名称推测为政府部门", "taken as a government department from its name")


_PLACE = re.compile(r"^(?:[^区市县省]{1,4}(?:区|市|县|省))")


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
    return long_.startswith(short_[0]) or bool(_PLACE.match(long_)) and long_[_PLACE.match(long_).end() - 1:].startswith(short_[0])
