"""A parsed-plan cache: never a source of truth, only a shortcut past YAML.

Entries are keyed by the plan file's length and two checksums of its bytes
(CRC-32 and Adler-32, from zlib, which the interpreter has loaded anyway;
hashlib would cost more to import than the whole lookup), with this
module's format version, so any edit to the plan misses the cache and the
file is parsed and validated again. Entries are JSON (nothing executable), written
atomically; any problem reading one just means a miss. FAZHI_NO_CACHE=1
turns the cache off.
"""

from __future__ import annotations

import zlib
import json
import os
from datetime import date
from pathlib import Path

from .plan import Group, Obligation, Part, Plan, Section, Task, Unit

# 2: the loader refuses more (deadlines before plan.signed, stray part ids,
# empty groups) and reads quarterly and monthly duties: an entry made by an
# older loader may stand for a file this one refuses.
FORMAT = "fazhi-plan-cache-2"


def _cache_dir() -> Path | None:
    if os.environ.get("FAZHI_NO_CACHE"):
        return None
    root = os.environ.get("FAZHI_CACHE_DIR")
    if root:
        return Path(root)
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_cache_dir("fazhi", appauthor=False))


def _entry(data: bytes) -> Path | None:
    folder = _cache_dir()
    if folder is None:
        return None
    key = f"{len(data)}-{zlib.crc32(data):08x}-{zlib.adler32(data):08x}"
    return folder / f"plan-{FORMAT}-{key}.json"


def get(path: Path, data: bytes) -> Plan | None:
    entry = _entry(data)
    if entry is None:
        return None
    try:
        raw = json.loads(entry.read_bytes())
        return _from_json(raw, str(path))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def put(path: Path, data: bytes, plan: Plan) -> None:
    entry = _entry(data)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_to_json(plan), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, entry)
    except OSError:
        pass  # a cache that cannot be written is only a slower start


def _to_json(plan: Plan) -> dict:
    def d(x: date | None) -> str | None:
        return x.isoformat() if x else None

    return {
        "format": FORMAT,
        "meta": [plan.title, plan.number, plan.issuer, d(plan.signed), d(plan.published),
                 d(plan.target), plan.target_source, plan.warn_days],
        "sections": [[s.id, s.heading] for s in plan.sections],
        "units": [[u.name, u.kind, u.full_name, list(u.aliases)] for u in plan.units.values()],
        "groups": [[g.name, list(g.members), g.role, g.note] for g in plan.groups.values()],
        "tasks": [[tk.id, tk.section, tk.title, tk.text,
                   [[p.id, p.text, p.lead, p.support, d(p.due), p.due_source, p.lead_units, p.support_units]
                    for p in tk.parts]] for tk in plan.tasks.values()],
        "obligations": [[o.id, o.kind, o.year, o.title, d(o.due), o.units, o.source, o.to, o.task, o.part]
                        for o in plan.obligations.values()],
        "names": plan.names,
    }


def _from_json(raw: dict, where: str) -> Plan:
    if raw.get("format") != FORMAT:
        raise KeyError("format")
    day = date.fromisoformat
    title, number, issuer, signed, published, target, target_source, warn_days = raw["meta"]
    tasks: dict[str, Task] = {}
    parts: dict[str, Part] = {}
    for tid, sec, ttitle, text, plist in raw["tasks"]:
        built = []
        for pid, ptext, lead, support, due, due_source, lead_units, support_units in plist:
            p = Part(pid, tid, ptext, tuple(lead), tuple(support), day(due), due_source,
                     tuple(lead_units), tuple(support_units))
            parts[pid] = p
            built.append(p)
        tasks[tid] = Task(tid, sec, ttitle, text, tuple(built))
    return Plan(
        path=where, title=title, number=number, issuer=issuer,
        signed=day(signed) if signed else None, published=day(published) if published else None,
        target=day(target), target_source=target_source, warn_days=warn_days,
        sections=tuple(Section(*s) for s in raw["sections"]),
        units={u[0]: Unit(u[0], u[1], u[2], tuple(u[3])) for u in raw["units"]},
        groups={g[0]: Group(g[0], tuple(g[1]), g[2], g[3]) for g in raw["groups"]},
        tasks=tasks, parts=parts,
        obligations={o[0]: Obligation(o[0], o[1], o[2], o[3], day(o[4]), tuple(o[5]), o[6], o[7], o[8], o[9])
                     for o in raw["obligations"]},
        names=raw["names"],
    )
