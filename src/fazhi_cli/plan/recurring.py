"""Recurring duties: each `recurring` entry becomes one Obligation a year (a quarter, a month), e.g. summary-2017.

A yearly duty's due is a month-day (or the name of a setting such as
early_march) in the year or the next; a quarterly or monthly one counts its
MM-DD from the period's first month. Its units are a list, the keyword
责任单位 (every unit that leads a part), or the lead units of one part.
"""

import re
from datetime import date
from typing import Any, Iterator

from ..dates import FIRST_YEAR, LAST_YEAR
from ..errors import PlanError
from ..i18n import t
from .model import Group, Obligation, Part, Task, expand
from .nodes import Nodes, Noted

# The keyword in `recurring[].units` for "every unit that leads a part".
RESPONSIBLE = "责任单位"


def read_obligations(r: Nodes, node: Any, named_days: dict[str, str], tasks: dict[str, Task], parts: dict[str, Part],
                     groups: dict[str, Group], names: dict[str, str] | None,
                     signed: date | None) -> dict[str, Obligation]:
    """The duties of the `recurring` list, by id; each faulty entry is noted in ``r`` and the rest still read."""
    known = None if names is None else set(names) | set(groups)
    obligations: dict[str, Obligation] = {}
    responsible = tuple(dict.fromkeys(u for p in parts.values() for u in p.lead_units))
    try:
        items = r.seq(node, "recurring")
    except PlanError as e:
        r.errors.append(e)
        return obligations
    for item in items:
        with r.entry():
            m = r.mapping(item, t("年度事项", "a recurring duty"),
                          ("id", "title", "source", "to", "units", "part", "every", "years", "due", "due_year"),
                          ("id", "title", "years", "due"))
            if any(k not in m for k in ("id", "title", "years", "due")):
                raise Noted
            rid = r.name(m["id"], "id")
            part_ref = r.text(m["part"], "part") if "part" in m else None
            if part_ref in r.faulty_parts:
                raise Noted
            if part_ref is not None and part_ref not in parts:
                raise r.fail(m["part"], "未知分项 {p!r}", "unknown part {p!r}", p=part_ref)
            if "units" in m and m["units"].id == "scalar":
                if r.text(m["units"], "units") != RESPONSIBLE:
                    raise r.fail(m["units"], "units 应为单位列表或 {r}",
                                 "units should be a list of units or {r}", r=RESPONSIBLE)
                owed = responsible
            elif "units" in m:
                before = len(r.errors)
                refs = r.unit_refs(m["units"], "units", known)
                if len(r.errors) > before or names is None:
                    raise Noted
                owed = expand(groups, names, refs)
            elif part_ref is not None:
                owed = parts[part_ref].lead_units
            else:
                raise r.fail(item, "年度事项 {i} 需要 units 或 part", "recurring duty {i} needs units or part",
                             i=rid)
            every = r.text(m["every"], "every") if "every" in m else "year"
            if every not in _PERIODS:
                raise r.fail(m["every"], "every 应为 year、quarter 或 month",
                             "every should be year, quarter or month")
            due_text = r.text(m["due"], "due")
            if due_text in r.faulty_days:
                raise Noted
            month_day = named_days.get(due_text, due_text)
            if every == "year":
                r.month_day(m["due"], month_day, "due")
            else:
                month_day = _offset_day(r, m["due"], month_day, every)
            shift = 0
            if "due_year" in m:
                if every != "year":
                    raise r.fail(m["due_year"], "due_year 只用于每年一次的事项;按季、按月的事项请在 due 中写月份",
                                 "due_year applies to yearly duties only; write the month into due instead")
                which = r.text(m["due_year"], "due_year")
                if which not in ("same", "next"):
                    raise r.fail(m["due_year"], "due_year 应为 same 或 next", "due_year should be same or next")
                shift = 1 if which == "next" else 0
            title = r.text(m["title"], "title")
            for ynode in r.seq(m["years"], "years"):
                year = r.integer(ynode, "years", FIRST_YEAR, LAST_YEAR)
                for suffix, label, due in _periods(every, year, month_day, shift):
                    if every != "year" and signed is not None and due < signed:
                        continue  # a month or quarter whose deadline passed before the plan was signed
                    r.not_before_signed(ynode, due, signed, f"{rid}-{year}{suffix}")
                    oid = f"{rid}-{year}{suffix}"
                    if oid in obligations or oid in parts or oid in tasks:
                        raise r.fail(ynode, "重复的编号 {i!r}", "duplicate id {i!r}", i=oid)
                    obligations[oid] = Obligation(
                        id=oid, kind=rid, year=year, title=f"{year}年{label}{title}",
                        due=due,
                        units=owed, source=r.text(m["source"], "source") if "source" in m else "",
                        to=r.text(m["to"], "to") if "to" in m else "",
                        task=parts[part_ref].task if part_ref else None, part=part_ref,
                    )
    return obligations


def _offset_day(r: Nodes, node: Any, value: str, every: str) -> str:
    """A quarterly or monthly due: "MM-DD" counted from the period's first month (01 = that month); "DD" alone for a month."""
    if every == "month" and re.fullmatch(r"\d{1,2}", value):
        value = f"01-{int(value):02d}"
    m = re.fullmatch(r"(\d{2})-(\d{2})", value)
    if not m or not (1 <= int(m[1]) <= 12 and 1 <= int(m[2]) <= 31):
        raise r.fail(node, "按季、按月事项的 due 应写成 MM-DD(MM 从本期第一个月算起,01 即本期第一个月;按月事项也可只写日,如 28): {v!r}",
                     "the due of a quarterly or monthly duty is MM-DD, MM counted from the period's first "
                     "month (01 = that month), or for a monthly duty the day alone, e.g. 28: {v!r}", v=value)
    return value


_PERIODS = ("year", "quarter", "month")


def _periods(every: str, year: int, month_day: str, shift: int) -> Iterator[tuple[str, str, date]]:
    """(id suffix, title prefix, deadline) of each period of a recurring duty in one year.

    A yearly duty keeps the ids it always had (summary-2017); quarters are
    summary-2024-q1 … q4, months summary-2024-01 … 12. For quarters and
    months, "MM-DD" counts months from the period's first month and a day
    past the month's end means its last day (每季度最后一个月的30日前 in a
    quarter ending in March is 31 March's neighbour, 30 March; in February a
    monthly "30" is the 28th or 29th).
    """
    if every == "year":
        yield "", "", date.fromisoformat(f"{year + shift}-{month_day}")
        return
    import calendar  # noqa: PLC0415

    offset, day = int(month_day[:2]) - 1, int(month_day[3:])
    starts = range(1, 13, 3) if every == "quarter" else range(1, 13)
    for n, first in enumerate(starts, 1):
        index = year * 12 + first - 1 + offset
        y, mo = divmod(index, 12)
        due = date(y, mo + 1, min(day, calendar.monthrange(y, mo + 1)[1]))
        if every == "quarter":
            yield f"-q{n}", f"第{n}季度", due
        else:
            yield f"-{first:02d}", f"{first}月", due

