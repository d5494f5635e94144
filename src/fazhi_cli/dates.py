"""Dates as users write them, and "today" on the plan's clock."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from .errors import UsageError
from .i18n import t

# China has kept UTC+8 without daylight saving since 1991, so Asia/Shanghai is
# a fixed offset for every date this tool deals with. A fixed offset needs no
# zone database, which Windows does not ship.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

# 2017-06-30, 2017/06/30, 2017.6.30 (one separator throughout), 2017年6月30日.
_NUMERIC = r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
_CN = r"(\d{4})年(\d{1,2})月(\d{1,2})日"

# The years a plan, a record or a view may name. Nothing this tool tracks
# predates 1949, and a bound far from date.max keeps "as of + N days" and
# "year + 1" arithmetic clear of OverflowError.
FIRST_YEAR = 1949
LAST_YEAR = 2200


def parse_date(text: str, what: str = "") -> date:
    """Parse 2017-06-30, 2017/06/30, 2017.6.30 or 2017年6月30日; raise UsageError otherwise."""
    value = text.strip()
    label = f"{what} " if what else ""
    m = re.fullmatch(_NUMERIC, value, re.ASCII)
    parts = (m[1], m[3], m[4]) if m else None
    if parts is None:
        m = re.fullmatch(_CN, value, re.ASCII)
        parts = (m[1], m[2], m[3]) if m else None
    if parts is None:
        raise UsageError(
            t("{label}日期格式无效: {v!r},请写成 2017-06-30、2017/6/30、2017.6.30 或 2017年6月30日",
              "{label}invalid date {v!r}: write it as 2017-06-30, 2017/6/30, 2017.6.30 or 2017年6月30日",
              label=label, v=text)
        )
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise UsageError(
            t("{label}日期不存在: {v}", "{label}no such date: {v}", label=label, v=text)
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(
            t("{label}日期超出范围: {v}(年份应在 {a} 到 {b} 之间)",
              "{label}date out of range: {v} (the year must be from {a} to {b})",
              label=label, v=text, a=FIRST_YEAR, b=LAST_YEAR)
        )
    return day


def parse_moment(text: str, what: str = "") -> str:
    """A day (any spelling parse_date accepts) or a timestamp, as an ISO string on China's clock."""
    value = text.strip()
    if "T" in value or " " in value and ":" in value:
        try:
            moment = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            label = f"{what} " if what else ""
            raise UsageError(t("{label}时间格式无效: {v!r},请写成 2017-06-30 或 2017-06-30T18:00",
                               "{label}invalid time {v!r}: write it as 2017-06-30 or 2017-06-30T18:00",
                               label=label, v=text)) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=CHINA)
        try:
            moment = moment.astimezone(CHINA)  # 9999-12-31T23:59-12:00 is in year 10000 here
        except OverflowError:
            moment = datetime.min
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            label = f"{what} " if what else ""
            raise UsageError(t("{label}时间超出范围: {v}(年份应在 {a} 到 {b} 之间)",
                               "{label}time out of range: {v} (the year must be from {a} to {b})",
                               label=label, v=text, a=FIRST_YEAR, b=LAST_YEAR))
        return moment.isoformat(timespec="microseconds")
    return parse_date(value, what).isoformat()


def now(clock: datetime | None = None) -> datetime:
    """The current time in China; ``clock`` (any aware datetime) pins it."""
    return (clock or datetime.now(timezone.utc)).astimezone(CHINA)


def today(clock: datetime | None = None) -> date:
    return now(clock).date()
