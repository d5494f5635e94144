"""Deadlines in a notice's words: one-off dates and recurring duties.

Patterns run on normalised text with 《titles》 masked. Each finding keeps
its span and a note for the comment the draft writes beside the date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ..i18n import t_as_written as t
from .text import Spans


@dataclass
class OneOff:
    start: int
    end: int
    day: date
    note: str = ""


@dataclass
class Recurring:
    start: int
    end: int
    every: str          # year | quarter | month
    due: str            # MM-DD (year; quarter/month: months counted from the period's first), or DD
    due_year: str = "same"
    note: str = ""
    early_march: bool = False


def _end(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, min(d, _end(y, m)) if 1 <= m <= 12 else d)
    except ValueError:
        return None


# a starting day (自2024年1月1日起) is not a deadline
_STARTING = re.compile(r"\s*(?:起|开始|以来|至今|施行)")

# More deadlines than this in one text are not a notice's (recognise refuses them).
LIMIT = 5000

_Q = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_BEFORE = r"(?:前|之前|以前)?"


def _early(y: int, m: int) -> tuple[date | None, str]:
    return _safe(y, m, 10), t("“{m}月初/上旬”没有具体日期:取上旬最后一天 {m}月10日", "“{m}月初/上旬” names no day: the last day "
                              "of the first ten days, {m}/10, is taken", m=m)


def _one_off_rules(year: int) -> list[tuple[str, object]]:
    """(pattern, m -> (date, note)) for dated deadlines; ``year`` is the plan's, for 年底前 without one."""
    y = lambda m: int(m[1])  # noqa: E731
    return [
        (r"(\d{4})年(\d{1,2})月(\d{1,2})日" + _BEFORE, lambda m: (_safe(y(m), int(m[2]), int(m[3])), "")),
        (r"(\d{4})年(\d{1,2})月(?:底|末|下旬)" + _BEFORE, lambda m: (_safe(y(m), int(m[2]), 31), "")),
        (r"(\d{4})年(\d{1,2})月(?:初|上旬)" + _BEFORE, lambda m: _early(y(m), int(m[2]))),
        (r"(\d{4})年(\d{1,2})月中旬" + _BEFORE, lambda m: (_safe(y(m), int(m[2]), 20), t(
            "“中旬”取20日", "“中旬” is taken as the 20th"))),
        (r"(\d{4})年(?:第)?([一二三四1-4])季度(?:末|底)?" + _BEFORE,
         lambda m: (_safe(y(m), _Q[m[2]] * 3, 31), t("季度取其最后一天", "a quarter is taken as its last day"))),
        (r"(\d{4})年(?:上半年|年中)" + _BEFORE, lambda m: (date(y(m), 6, 30), t(
            "“上半年”取6月30日", "“上半年” is taken as 30 June"))),
        (r"(\d{4})年(?:下半年|年底|年末|底|末)" + _BEFORE, lambda m: (date(y(m), 12, 31), t(
            "“年底”取12月31日", "“年底” is taken as 31 December"))),
        (r"(\d{4})年(\d{1,2})月(?:份)?" + _BEFORE, lambda m: (_safe(y(m), int(m[2]), 31), t(
            "只写了月份:取该月最后一天", "only a month is given: its last day is taken"))),
        (r"(?:到|至|截至|截止到?|(?<!关)于|在)(\d{4})年(?![\d月度])", lambda m: (date(y(m), 12, 31), t(
            "“到某年”取该年12月31日", "“到 a year” is taken as 31 December of it"))),
        (r"次年(\d{1,2})月(?:初|上旬)" + _BEFORE, lambda m: _early(year + 1, int(m[1]))),
        (r"次年(\d{1,2})月(\d{1,2})日" + _BEFORE, lambda m: (_safe(year + 1, int(m[1]), int(m[2])), t(
            "“次年”取方案年度的下一年", "“次年” is taken as the year after the plan's"))),
        (r"次年(\d{1,2})月(?:底|末)?" + _BEFORE, lambda m: (_safe(year + 1, int(m[1]), 31), t(
            "“次年”取方案年度的下一年", "“次年” is taken as the year after the plan's"))),
        (r"(?<![\d年每次])(\d{1,2})月(\d{1,2})日" + _BEFORE, lambda m: (_safe(year, int(m[1]), int(m[2])), t(
            "原文未写年份:取方案年度 {y} 年", "no year is given: the plan's year, {y}, is taken", y=year))),
        (r"(?<![\d年每次])(\d{1,2})月(?:底|末)" + _BEFORE, lambda m: (_safe(year, int(m[1]), 31), t(
            "原文未写年份:取方案年度 {y} 年", "no year is given: the plan's year, {y}, is taken", y=year))),
        (r"(?<![\d年每次])(\d{1,2})月(?:初|上旬)" + _BEFORE, lambda m: _early(year, int(m[1]))),
        (r"(?<![\d每次])(?:今年|本年|年)(?:底|末)" + _BEFORE + r"|(?<![\d每次])年内", lambda m: (date(year, 12, 31), t(
            "“年底前/年内”取方案年度 {y} 年12月31日", "“年底前/年内” is taken as 31 December of the plan's year, {y}", y=year))),
        (r"(?<![\d年每第])([一二三四1-4])季度(?:末|底)?" + _BEFORE, lambda m: (_safe(year, _Q[m[1]] * 3, 31), t(
            "季度取其最后一天,年份取方案年度 {y} 年", "a quarter is taken as its last day, in the plan's year, {y}",
            y=year))),
        (r"(?<![\d每次])上半年", lambda m: (date(year, 6, 30), t(
            "“上半年”取方案年度 {y} 年6月30日", "“上半年” is taken as 30 June of the plan's year, {y}", y=year))),
    ]


# Work with no end: 持续推进, 长期坚持, 常态化开展 … in a deadline's place
ONGOING = re.compile(r"持续推进|长期坚持|长期推进|长期执行|长期|常态化|持续开展|持续实施|持续抓好|持续落实|持续|经常性|日常")
# The whole year as a deadline: 全年, 年内, 本年度
WHOLE_YEAR = re.compile(r"^(?:全年|年内|本年度|年度内|全年度|今年内|\d{4}年(?:全年|度|内)?)(?:完成)?$")


WORKING_DAYS = re.compile(r"(\d{1,3}|[一二三四五六七八九十]{1,3})个工作日(?:内|之内)?")


def working_days(start: date, n: int) -> tuple[date | None, str]:
    """The ``n``th working day after ``start`` by the State Council's holiday and 调休 tables (chinesecalendar).

    None, with a note, when the span runs past the tables: a day is never guessed.
    """
    from datetime import timedelta  # noqa: PLC0415

    try:
        import chinese_calendar  # noqa: PLC0415
    except ImportError:  # pragma: no cover - a dependency
        return None, t("未安装 chinesecalendar,无法按工作日计算", "chinesecalendar is not installed: working days not counted")
    day, left = start, n
    try:
        while left > 0:
            day += timedelta(days=1)
            if chinese_calendar.is_workday(day):
                left -= 1
    except NotImplementedError:
        return None, t("{n} 个工作日跨到 {y} 年,国务院的节假日安排还没有这一年的数据:请自行填写期限",
                       "{n} working days run into {y}, for which the State Council's holiday tables have no data yet: "
                       "write the deadline yourself", n=n, y=day.year)
    return day, t("自 {s} 起 {n} 个工作日,按国务院节假日和调休安排计算", "{n} working days from {s}, by the State "
                  "Council's holidays and 调休 working weekends", s=start.isoformat(), n=n)


def ongoing(text: str) -> str:
    """The words that make a deadline ongoing (no due date), or ""."""
    m = ONGOING.search(text)
    return m[0] if m else ""


def _recurring_rules() -> list[tuple[str, object]]:
    end_q = t("没有写日期:取季度最后一天", "no day is given: the quarter's last day is taken")
    end_m = t("没有写日期:取每月最后一天", "no day is given: the month's last day is taken")
    end_y = t("没有写日期:取每年12月31日", "no day is given: 31 December is taken")

    def yearly_early(m: re.Match, shift: str) -> Recurring:
        mo = int(m[1])
        if mo == 3:
            return Recurring(0, 0, "year", "early_march", shift, t(
                "“3月初”没有具体日期:取上旬最后一天,见 settings.early_march",
                "“3月初” names no day: see settings.early_march"), early_march=True)
        return Recurring(0, 0, "year", f"{mo:02d}-10", shift, _early(2000, mo)[1])

    return [
        (r"每季度(?:的)?最后一个月(?:的)?(\d{1,2})日" + _BEFORE, lambda m: Recurring(0, 0, "quarter", f"03-{int(m[1]):02d}")),
        (r"每季度(?:的)?(?:第一个月|首月)(?:的)?(\d{1,2})日" + _BEFORE, lambda m: Recurring(0, 0, "quarter", f"01-{int(m[1]):02d}")),
        (r"每季度(?:结束|末)后(\d{1,2})(?:日|天|个工作日)内", lambda m: Recurring(0, 0, "quarter", f"04-{int(m[1]):02d}", note=t(
            "季度结束后 {n} 天内:取下季度第一个月的 {n} 日(工作日未折算)",
            "within {n} days after the quarter: the {n}th of the next quarter's first month (working days not counted)",
            n=int(m[1])))),
        (r"每季度(?:末|底|结束前)", lambda m: Recurring(0, 0, "quarter", "03-31", note=t(
            "取季度最后一天", "the quarter's last day"))),
        (r"每季度", lambda m: Recurring(0, 0, "quarter", "03-31", note=end_q)),
        (r"每半年(?:末|底)?", lambda m: Recurring(0, 0, "half", "06-30", note=t(
            "每半年一次:写成每年两期(6月30日、12月31日)", "every half year: two yearly duties (30 June, 31 December)"))),
        (r"每月(\d{1,2})日" + _BEFORE, lambda m: Recurring(0, 0, "month", f"{int(m[1]):02d}")),
        (r"每月(?:底|末)" + _BEFORE, lambda m: Recurring(0, 0, "month", "31", note=t(
            "取每月最后一天", "the month's last day"))),
        (r"每月[^。;,]{0,30}?次月(\d{1,2})日" + _BEFORE, lambda m: Recurring(0, 0, "month", f"02-{int(m[1]):02d}", note=t(
            "“次月 {d} 日前”:下个月的 {d} 日", "“次月 {d} 日前”: the {d}th of the following month", d=int(m[1])))),
        (r"每月", lambda m: Recurring(0, 0, "month", "31", note=end_m)),
        (r"每年(\d{1,2})月(\d{1,2})日" + _BEFORE, lambda m: Recurring(0, 0, "year", f"{int(m[1]):02d}-{int(m[2]):02d}")),
        (r"每年(\d{1,2})月(?:初|上旬)" + _BEFORE, lambda m: yearly_early(m, "same")),
        (r"每年(\d{1,2})月中旬" + _BEFORE, lambda m: Recurring(0, 0, "year", f"{int(m[1]):02d}-20", note=t(
            "“中旬”取20日", "“中旬” is taken as the 20th"))),
        (r"每年(\d{1,2})月(?:底|末|下旬)" + _BEFORE,
         lambda m: Recurring(0, 0, "year", f"{int(m[1]):02d}-{_end(2001, int(m[1])):02d}")),
        (r"每年(?:年底|年末|底|末)" + _BEFORE, lambda m: Recurring(0, 0, "year", "12-31")),
        (r"每年(?:上半年|年中)", lambda m: Recurring(0, 0, "year", "06-30", note=t(
            "“上半年”取6月30日", "“上半年” is taken as 30 June"))),
        (r"次年(\d{1,2})月(?:初|上旬)" + _BEFORE, lambda m: yearly_early(m, "next")),
        (r"次年(\d{1,2})月(\d{1,2})日" + _BEFORE, lambda m: Recurring(0, 0, "year", f"{int(m[1]):02d}-{int(m[2]):02d}", "next")),
        (r"次年(\d{1,2})月(?:底|末)?" + _BEFORE,
         lambda m: Recurring(0, 0, "year", f"{int(m[1]):02d}-{_end(2001, int(m[1])):02d}", "next")),
        (r"每年(\d{1,2})月(?:份)?" + _BEFORE, lambda m: Recurring(0, 0, "year", f"{int(m[1]):02d}-{_end(2001, int(m[1])):02d}", note=t(
            "只写了月份:取该月最后一天", "only a month is given: its last day is taken"))),
        (r"每年", lambda m: Recurring(0, 0, "year", "12-31", note=end_y)),
    ]


def _scan(text: str, rules: list, make) -> list:
    taken = Spans()
    out = []
    for pattern, build in rules:
        for m in re.finditer(pattern, text):
            if taken.overlaps(m.start(), m.end()):
                continue
            item = make(m, build)
            if item is None:
                continue
            taken.add(m.start(), m.end())
            out.append(item)
            if len(out) > LIMIT:     # no notice has so many; the caller refuses it
                out.sort(key=lambda i: i.start)
                return out
    out.sort(key=lambda i: i.start)
    return out


def recurring(text: str) -> list[Recurring]:
    """Recurring deadlines (每年3月初, 每季度…, 每月28日前, and 次年… beside a 每年)."""
    def make(m: re.Match, build) -> Recurring | None:
        if m[0].startswith("次年"):
            a = max(text.rfind(s, 0, m.start()) for s in "。;\n")
            if "每年" not in text[a + 1:m.start()]:
                return None   # 次年 in a one-off sentence: the year after the plan's
        r = build(m)
        r.start, r.end = m.start(), m.end()
        return r

    return _scan(text, _recurring_rules(), make)


def one_off(text: str, year: int) -> list[OneOff]:
    """Dated deadlines, outside any recurring phrase."""
    blocked = Spans()
    for r in recurring(text):
        blocked.add(r.start, r.end)

    def make(m: re.Match, build) -> OneOff | None:
        if blocked.overlaps(m.start(), m.end()):
            return None
        if _STARTING.match(text, m.end()) or text[max(0, m.start() - 1):m.start()] in ("自", "从"):
            return None   # a starting day (自2024年1月1日起), not a deadline
        if re.match(r"\s*(?:至|到|—|~)\s*(?:\d{4}年)?\d{1,2}月", text[m.end():]):
            return None   # the first day of a period (2025年1月1日至12月31日): its end is the one that counts
        day, note = build(m)
        # …至12月31日 after 2025年1月1日: the end of a period is in the year its start names
        since = re.search(r"(\d{4})年[\d月日号]*\s*(?:至|到|—|~)\s*$", text[max(0, m.start() - 16):m.start()])
        if day is not None and since and not re.match(r"\d{4}年", m[0]) and int(since[1]) != day.year:
            try:
                day = day.replace(year=int(since[1]))
            except ValueError:
                day = None
        return None if day is None else OneOff(m.start(), m.end(), day, note)

    return _scan(text, _one_off_rules(year), make)
