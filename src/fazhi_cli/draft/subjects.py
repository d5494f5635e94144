"""Units named as the subject of an item's sentences, with no label or bracket.

Some notices write ``各县(市、区)务必于6月30日前……`` or ``……等省级主管部门牵头
完成……,其他相关部门配合`` and nothing else. This reading is a fallback: the
drafter uses it only when no item of the notice carries a labelled or
bracketed list (see recognise.py), and every part it gives says so.
"""

from __future__ import annotations

import re

from ..i18n import t_as_written as t
from .text import norm
from .units import UNIT_END, UnitList, looks_like_unit, split_names


# Units named as a sentence's subject, with no label or bracket: 各县(市、区)务必于6月30日前…, 市政府各部门要…,
# ……等省级主管部门牵头…,其他相关部门配合. Read only when no item of the notice carries a list (see recognise.py).
# The verb of duty after the subject; a date (于…前, 每月10日前) may stand between them.
_DUTY = re.compile(r"务必|必须|要(?![求点素事])|应(?![用急对])|负责|牵头|配合|抓紧|认真|切实|确定"
                   r"|(?:于|在)[^,;。\n]{1,20}?前|每[月季年周]|\d{1,2}月(?:\d{1,2}日)?(?:底)?前")
# subjects that are never a body: 我市, 本区, 各地, 各级, 各方面
# and a clause opening with a preposition (按省委要求, 对…, 根据…) has no subject
_NOT_SUBJECT = re.compile(r"^(?:我|本|该|其(?!他)|各(?:地|级|方面|位|项)|按|对|根据|依据|为|经|在|从|向)")


_LEVEL_WITH_BRACKET = re.compile(r"^[省市州县区镇乡][级]?\([^()]{1,8}\)$")


def _subject_like(name: str) -> bool:
    """A body's name as a subject: the existing rules, at least three characters, ending like a body."""
    n = norm(name.strip())
    # 重点工程业主: a project's owner answers for it as a body does
    owner = n.endswith("业主") and looks_like_unit(n[:-2] + "单位")
    if len(n) < 3 or _NOT_SUBJECT.match(n) or not (looks_like_unit(n) or owner):
        return False
    core = re.sub(r"(?:\([^()]*\))+$", "", n)     # 各县(市、区), 省级主管部门(单位): the word before the bracket
    return len(core) >= 2 and (core[-1] in UNIT_END or core.endswith("业主"))


def subject_lists(text: str) -> list[UnitList]:
    """The units an item names as the subjects of its clauses, as one list closing the item's whole text.

    A clause opens with a run of unit-like names followed by a verb of duty;
    牵头 makes them lead, 配合 support, any other verb makes them responsible
    (lead). A clause whose subject is not unit-like gives nothing.
    """
    lead: dict[str, tuple[int, int]] = {}
    support: dict[str, tuple[int, int]] = {}
    named: dict[str, tuple[int, int]] = {}     # those a clause says lead (牵头)
    for m in re.finditer(r"[^,;。\n]+", text):
        a, b = m.start(), m.end()
        while a < b and text[a] in " \t\u3000":
            a += 1
        if text.startswith("由", a):
            a += 1
        lead_in = re.match(r"所[^、,的]{1,6}的", text[a:b])     # 由所涉及的…: the words before the names
        if lead_in:
            a += lead_in.end()
        duty = _DUTY.search(text, a, b)
        if duty is None:
            continue
        # 一、各地自查 各市(州)要……: a heading before the subject, set off by a space
        gap = list(re.finditer(r"\s+", text[a:duty.start()]))
        if gap:
            a += gap[-1].end()
        if duty.start() - a < 3:
            continue
        end = duty.start()
        # ……人力资源社会保障厅等省级主管部门(单位): 等 and what follows say what kind the named are
        etc = re.search(r"等[^、,]{0,14}$", text[a:end])
        if etc and etc.start() >= 2 and text[a + etc.start() - 1] in UNIT_END:
            end = a + etc.start()
        names = split_names(text, a, end)
        for k in range(len(names) - 1, 0, -1):
            # 各市(州)、县(市、区): a level of government with its bracket after 各… is part of that one set
            if norm(text[names[k - 1][0]:names[k - 1][1]]).startswith("各") and _LEVEL_WITH_BRACKET.match(
                    norm(text[names[k][0]:names[k][1]])):
                names[k - 1:k + 1] = [(names[k - 1][0], names[k][1], False)]
        if not names or not all(_subject_like(text[x:y]) for x, y, _ in names):
            continue
        # the role is said by the verb after the names, perhaps after a date: ……等部门牵头完成, 其他部门配合
        role = ("support" if text.startswith("配合", duty.start()) else
                "named" if text.startswith("牵头", duty.start()) else "lead")
        for x, y, _ in names:
            name = text[x:y].strip()
            if role == "named" and name not in named:
                named[name] = (x, y)
            elif role == "lead" and name not in lead:
                lead[name] = (x, y)
            elif role == "support" and name not in lead and name not in support:
                support[name] = (x, y)
    if named:
        # ……等部门牵头,其他部门配合: the clause that says who leads is the notice's word on it; the subjects of
        # the item's other clauses (省级部门要按照职责分工……) are the set those leads are drawn from
        lead = named
    # 各市(州)、县(市、区)要…… then 各市(州)于……前: the second names part of the first set, not another body
    lead = {k: v for k, v in lead.items() if not any(o.startswith(k + "、") for o in lead)}
    support = {k: v for k, v in support.items() if k not in lead}
    if not lead and not support:
        return []
    ul = UnitList(len(text), len(text), lead=list(lead.values()), support=list(support.values()), shape="subject",
                  own=not support)
    ul.note = subject_note()
    return [ul]


def subject_note() -> str:
    return t("单位取自句子主语(原文没有写明牵头或责任单位),请核对", "the units are read from the sentence's subject (the "
             "notice names no lead or responsible units): confirm")
