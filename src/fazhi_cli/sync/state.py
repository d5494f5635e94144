"""What a data folder remembers about its sync, and what ``status`` says of it: light, ``status`` imports it."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from ..i18n import t

SYNC_DIR = ".sync"
REPO_DIR = "git"
STATE_FILE = "state.json"
STALE_DAYS = 90
MAX_STATE = 64 * 1024


class State(NamedTuple):
    """What a data folder remembers about its sync (never a credential)."""

    remote: str         # where it syncs, without any password
    last_sync: str      # when the last sync completed, ISO on China's clock
    head: str           # the commit the folder then matched
    plan: str           # the plan the remote holds


def sync_dir(root: Path) -> Path:
    return root / SYNC_DIR


def repo_dir(root: Path) -> Path:
    return root / SYNC_DIR / REPO_DIR


def read_state(root: Path) -> State | None:
    """The folder's sync state, or None when it does not sync (or the state does not read)."""
    path = sync_dir(root) / STATE_FILE
    if not os.path.lexists(path):
        return None
    from ..files import read_regular  # noqa: PLC0415

    try:
        obj = json.loads(read_regular(path, MAX_STATE, nofollow=True))
    except (OSError, ValueError, RecursionError):
        return None
    if type(obj) is not dict or not all(type(obj.get(k)) is str for k in State._fields):
        return None
    return State(*(obj[k] for k in State._fields))


def shown(url: str) -> str:
    """A remote as it may be printed: any password in it replaced by ***."""
    if "://" not in url or "@" not in url:
        return url
    from urllib.parse import urlsplit, urlunsplit  # noqa: PLC0415

    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    except ValueError:
        return "***"


def status_lines(state: State, last: dict[str, str], plan: Any, now: datetime) -> list[str]:
    """The lines `status` adds when the folder syncs: when it last did, and which units have gone quiet.

    A unit's file in the shared record changes when the unit records and
    syncs, so its newest record's ``recorded_at`` (``last``, by unit) says when it last changed:
    a unit that records but never syncs, or has not recorded for months,
    shows up here on the supervising office's PC.
    """
    lines = [t("上次同步: {w} · 远端 {r}", "Last synced: {w} · remote {r}", w=_minute(state.last_sync),
               r=shown(state.remote))]
    cutoff = (now - timedelta(days=STALE_DAYS)).isoformat()
    stale = sorted((stamp, unit) for unit, stamp in last.items() if stamp < cutoff)
    silent = [u for u in responsible(plan) if u not in last]
    bits = []
    if stale:
        names = "、".join(t("{u}（{d}）", "{u}({d})", u=u, d=s[:10]) for s, u in stale[:8]) + (
            t(" 等 {n} 个", " and {n} more", n=len(stale) - 8) if len(stale) > 8 else "")
        bits.append(t("{d} 天以上未更新: {n}", "not updated for over {d} days: {n}", d=STALE_DAYS, n=names))
    if silent:
        bits.append(t("尚无任何记录的单位 {n} 个", "{n} units have no record yet", n=len(silent)))
    if bits:
        lines.append(t("；", "; ").join(bits))
    return lines


def responsible(plan: Any) -> list[str]:
    """The units that hold a part or a yearly duty: those whose record the office waits for."""
    units = {u for p in plan.parts.values() for u in (*p.lead_units, *p.support_units)}
    units.update(u for o in plan.obligations.values() for u in o.units)
    return [u for u in plan.units if u in units]


def _minute(stamp: str) -> str:
    return stamp[:16].replace("T", " ")
