"""Recurring duties from a notice's words: 每年3月初报送工作计划, 每季度最后一个月的30日前, 每半年.

Each becomes a DraftDuty: its title and id from the words around the
deadline, who owes it (the part's leads, the units named, or every lead
unit), whom it goes to, and its years.
"""

from __future__ import annotations

import re
from datetime import date

from ..i18n import t as say  # what is said on the terminal: Chinese punctuation
from ..i18n import t_as_written as t
from . import deadlines as dl
from .model import MAX_ITEMS, RESPONSIBLE, Draft, DraftDuty, NoticeError
from .text import SENTENCE_END, mask_titles, norm, short
from .units import UNIT_END, is_collective, looks_like_unit, split_names


def duties(d: Draft, outside: str, year: int, where: str) -> None:
    """Recurring duties: in the tasks' parts, and in the text outside the tasks."""
    start_year = (d.signed or d.published or date(year, 1, 1)).year
    used: dict[str, int] = {}
    places = [(part.text, part.id) for task in d.tasks for part in task.parts] + [(outside, None)]
    for text, pid in places:
        n = mask_titles(norm(text))
        for s_start, s_end, found in _sentences_with(n, dl.recurring(n)):
            sentence = text[s_start:s_end]
            nsent = n[s_start:s_end]
            to = _to(nsent, sentence)
            source = short(sentence.strip()[:200], 80)
            responsible = "责任单位" in nsent
            cuts = [s_start]
            for r in found[1:]:
                k = r.start
                while k > cuts[-1] and n[k - 1] not in "、,,;":
                    k -= 1
                cuts.append(k if k > cuts[-1] else r.start)
            cuts.append(s_end)
            if len(d.duties) + len(found) > MAX_ITEMS:
                raise NoticeError(say("{w}: 定期期限超过 {m} 处,不像一份通知", "{w}: more than {m} recurring deadlines do "
                                    "not look like a notice", w=where, m=MAX_ITEMS))
            for i, r in enumerate(found):
                a, b = cuts[i], cuts[i + 1]
                p = r.start
                while p > a and n[p - 1] in "于在":   # 于每年3月初
                    p -= 1
                halves = [("06-30", t("(上半年)", " (first half)")), ("12-31", t("(下半年)", " (second half)"))]
                for due, half in halves if r.every == "half" else [(r.due, "")]:
                    # the plan counts years, quarters and months: a half-yearly duty is two yearly ones
                    one = dl.Recurring(r.start, r.end, "year" if r.every == "half" else r.every, due, r.due_year,
                                       r.note, r.early_march)
                    duty = _duty(text[a:p], text[r.end:b], responsible, one, pid, to, used)
                    duty.title += half
                    duty.source = source
                    if r.early_march:
                        d.early_march = True
                    duty.years = _years(one, start_year, d.target.year, d.signed)
                    d.duties.append(duty)


def _sentences_with(n: str, found: list[dl.Recurring]):
    import bisect  # noqa: PLC0415

    stops = [i for i, c in enumerate(n) if c in SENTENCE_END]   # once: a sentence may hold thousands of matches
    groups: dict[tuple[int, int], list[dl.Recurring]] = {}
    for r in found:
        i = bisect.bisect_left(stops, r.start)
        a = stops[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(stops, r.end)
        b = stops[j] if j < len(stops) else len(n)
        groups.setdefault((a, b), []).append(r)
    for (a, b), rs in groups.items():
        yield a, b, rs


_IDS = (("计划", "plan"), ("总结", "summary"), ("报告", "report"), ("目录", "catalogue"), ("统计", "stats"),
        ("报表", "stats"), ("进展", "progress"), ("自查", "selfcheck"), ("评估", "review"), ("考核", "assessment"),
        ("清单", "list"), ("台账", "register"), ("督查", "inspection"), ("分析", "analysis"))


def _duty(before: str, after: str, responsible: bool, r: dl.Recurring, pid: str | None, to: str,
          used: dict[str, int]) -> DraftDuty:
    """One recurring duty from the words around its deadline phrase."""
    after = re.sub(r"^(?:前|之前|以前)", "", after.strip(" 、,,;"))
    after = after[:len(re.split(r"[,;。]", norm(after))[0])]     # its own clause only
    dest = re.search(r"(?:报送|上报|报给|报(?![告表道名送]))([^,。;、]{2,30})$", norm(after))
    if dest and looks_like_unit(dest[1]) and dest[1][-1] in UNIT_END:
        after = after[:dest.start()]
    after = re.sub(r"^(?:将|把|报送|上报|提交|报(?![告表道名]))", "", after.strip())
    after_title = _clean_title(after)
    title = after_title if len(after_title) >= 4 else _clean_title(before) or after_title
    title = title or t("定期事项", "recurring duty")
    key = "duty"
    best = -1
    for word, name in _IDS:
        pos = title.rfind(word)
        if pos > best:
            best, key = pos, name
    used[key] = used.get(key, 0) + 1
    rid = key if used[key] == 1 else f"{key}{used[key]}"
    duty = DraftDuty(rid, title, "", r.every, r.due, r.due_year, to=to, part=pid)
    if r.note:
        duty.notes.append(r.note)
    if pid is None:
        subject = before.strip(" 、,,;")
        subject = re.sub(r"(?:要|应|须|均|都|的)+$", "", subject)
        if responsible or "责任单位" in norm(subject):
            duty.units = RESPONSIBLE
        else:
            names = [subject[a:b].strip() for a, b, _ in split_names(subject, 0, len(subject))]
            if names and all(looks_like_unit(x) for x in names):
                duty.units = names
            else:
                duty.units = RESPONSIBLE
                duty.notes.append(t("原文未写由谁报送:取全部牵头单位(责任单位)", "the notice does not say who owes it: "
                                    "every lead unit (责任单位)"))
    if rid.startswith("duty"):
        duty.notes.append(t("编号 {i} 是草稿起的,可改为简短的英文词(如 summary)", "the id {i} is made up: "
                            "a short English word (such as summary) reads better", i=rid))
    return duty


def _clean_title(s: str) -> str:
    s = s.strip(" 、,,;。.")
    s = re.sub(r"^(?:各)?(?:责任单位|牵头单位|配合单位)的?", "", s)
    s = re.sub(r"^(?:要|应|须|并|均|都|主动|及时|按时|定期|认真)+", "", s)
    s = re.sub(r"(?:于|在|要|应|须)+$", "", s)
    return s.strip(" 、,,;。.")


def _to(nsent: str, sentence: str) -> str:
    for pattern in (r"向([^,。;、]{2,30}?)(?:报告|报送|提交|汇报|备案)",
                    r"(?:报送|上报|报)(?!告|表|道|名)([^,。;、]{2,30}?)(?:审核|备案|审定|汇总)?(?:[,。;]|$)"):
        m = re.search(pattern, nsent)
        if m and looks_like_unit(m[1]) and not is_collective(m[1]):
            return sentence[m.start(1):m.end(1)].strip()
    return ""


def _years(r: dl.Recurring, start: int, end: int, signed: date | None) -> list[int]:
    years = list(range(start, max(start, end) + 1))
    if r.every != "year" or signed is None:
        return years
    md = "03-10" if r.due == "early_march" else r.due
    shift = 1 if r.due_year == "next" else 0
    kept = [y for y in years if date.fromisoformat(f"{y + shift}-{md}") >= signed]
    return kept or years
