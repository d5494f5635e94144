"""The units a draft names: each unit with its guessed kind, collective names to confirm, possible aliases
(flagged, never merged), and the supervising unit's guess.
"""

from __future__ import annotations

import re

from ..i18n import t_as_written as t
from .model import Draft, DraftGroup, DraftUnit
from .text import norm
from .units import guess_kind, is_collective, possible_alias


# Comparing names for possible aliases costs a pair at a time; a notice names
# a few hundred units at most, and a hostile one with thousands stops here.
MAX_ALIAS_PAIRS = 200_000


def roster(d: Draft) -> None:
    """Every name the tasks and duties use: a unit, or a collective name to be confirmed."""
    order: list[str] = []
    for task in d.tasks:
        for part in task.parts:
            order += part.lead + part.support
    for duty in d.duties:
        if isinstance(duty.units, list):
            order += duty.units
    seen: list[str] = list(dict.fromkeys(order))
    collective = {n for n in seen if is_collective(n)}
    plain = [n for n in seen if n not in collective]
    departments: list[str] | None = None
    for name in seen:
        if name in collective:
            if departments is None and any(w in name for w in ("部门", "单位")):
                departments = [n for n in plain if guess_kind(n)[0] == "department"]
            d.groups.append(DraftGroup(name, _group_note(name), _group_hint(name, departments or [])))
    # only names ending in the same character can abbreviate each other (区发改局 / 区发展改革局)
    by_end: dict[str, list[str]] = {}
    pairs = 0
    for name in plain:
        kind, why = guess_kind(name)
        unit = DraftUnit(name, kind, why)
        earlier = []
        normed = norm(name)
        same_end = by_end.setdefault(normed[-1:], [])
        for other, other_normed in same_end:
            pairs += 1
            if pairs > MAX_ALIAS_PAIRS:
                break
            if possible_alias(other_normed, normed):
                earlier.append(other)
        same_end.append((name, normed))
        if earlier:
            unit.alias_note = t("可能与 {o} 是同一单位(名称只差几个字):如是,删去本条,把 {n} 写进 {o} 的 aliases;"
                                "草稿不合并", "may be the same body as {o} (the names differ by a few characters): "
                                "if so, remove this entry and add {n} to the aliases of {o}; the draft merges nothing",
                                o="、".join(earlier), n=name)
        d.units.append(unit)
    _supervision(d)


_SUPERVISORS = r"(司法局|法制办|法制局|依法治\S{0,2}办|督查室|督考办|督查局|政府办|政府办公室|人民政府办公室|办公厅)$"


def _supervision(d: Draft) -> None:
    """Who supervises: the issuing office's 司法局/法制办/政府办 named in the notice, else the issuer, with a comment."""
    names = [u.name for u in d.units]
    named = [n for n in names if re.search(_SUPERVISORS, norm(n))]
    to = [duty.to for duty in d.duties if duty.to]
    # the office progress is reported to, when it is a supervising office (督查室); then one the notice names; a
    # report to a 人大 or a 党委 is accountability, not supervision, so it comes last
    looks = [c for c in to if re.search(_SUPERVISORS, norm(c))]
    for candidate in looks + named + to:
        if candidate in names or candidate in to:
            d.supervision = candidate
            break
    if not d.supervision and d.issuer and len(d.issuer) <= 30:
        d.supervision = d.issuer
    if not d.supervision:
        return
    if d.supervision not in names:
        kind, why = guess_kind(d.supervision)
        d.units.append(DraftUnit(d.supervision, kind, t("督办单位,通知中不承担分项", "the supervising unit; it holds no "
                                                         "part in the notice")))
    d.supervision_note = t("督办单位是草稿猜的(发文机关或通知中报送进展的单位:{u}):review、extend、remind 以它的名义办理;"
                           "请改为实际督办的单位(如司法局、法制办、政府办督查室)",
                           "the supervising unit is a guess (the issuer, or the office progress is reported to: {u}): "
                           "review, extend and remind act in its name; change it to the office that supervises "
                           "(such as the 司法局, 法制办 or the 政府办's 督查室)", u=d.supervision)


def _group_note(name: str) -> str:
    if name.endswith("部门") and not any(w in name for w in ("各", "有关", "相关", "直属")):
        return t("“{g}”指一类单位,可能是一种角色(如起草某项决策的部门):请列出成员;是角色时加 role: true",
                 "“{g}” names a kind of body, perhaps a role (such as whoever drafts a decision): list the members; "
                 "add role: true if it is a role", g=name)
    return t("通知未列出“{g}”包含哪些单位:暂作一个责任主体;要分别跟踪时,移到 groups 并在 members 中逐一列出",
             "the notice does not list who “{g}” are: one body for now; to track them one by one, move it to groups "
             "and list them under members", g=name)


def _group_hint(name: str, departments: list[str]) -> str:
    if any(w in name for w in ("部门", "单位")) and departments:
        shown = "、".join(departments[:30]) + ("……" if len(departments) > 30 else "")
        return t("通知中出现的部门有: {n}", "departments the notice names: {n}", n=shown)
    return ""
