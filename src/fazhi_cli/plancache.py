"""A parsed-plan cache: never a source of truth, only a shortcut past YAML.

An entry is named by a cryptographic digest (BLAKE2b-256) of the plan file's
bytes and holds that digest again, so it can stand only for the exact bytes it
was made from: a file forged to the same length and checksums, or an entry
copied under another plan's name, is a miss. Before use an entry is checked
field by field (types, value ranges, ids, every cross reference), so a
damaged or hand-written entry is a miss too, never an error. Any doubt is a
miss, and a miss only means the YAML is parsed and validated again.

Entries live in the private cache folder (see ``cache``: a folder of this
user that nobody else can write, or none at all). They are read only as
regular files (no symlinks, FIFOs or devices) of bounded size, and written
whole by ``cache.write_entry``. Entries are JSON: nothing executable.
FAZHI_NO_CACHE=1 turns the cache off; `fazhi check` never reads it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from . import cache
from .dates import FIRST_YEAR, LAST_YEAR
from .files import read_regular
from .plan.model import (MAX_WARN_DAYS, PART_ID, UNIT_KINDS, Group, Obligation, Part, Plan, Section, Succession,
                         Supervision, Task, Unit)

# 5: the loader refuses more (deadlines before plan.signed, stray part ids,
# empty groups) and reads quarterly and monthly duties: an entry made by an
# older loader may stand for a file this one refuses. 6: the office's key fingerprints and
# require_signatures (README "Signatures").
FORMAT = "fazhi-plan-cache-6"
# A plan is at most 1 MiB; its entry repeats the expanded unit lists of every
# part, so it may be a few times larger, never more than this.
MAX_ENTRY_BYTES = 8 * 1024 * 1024


def _entry_name(key: str) -> str:
    return f"plan-{FORMAT}-{key}.json"


def get(path: Path, data: bytes) -> Plan | None:
    """The plan cached for exactly these bytes, or None."""
    folder = cache.configured()
    if folder is None or not cache.private(folder):
        return None
    key = cache.digest(data)
    try:
        raw = read_regular(folder / _entry_name(key), MAX_ENTRY_BYTES, nofollow=True)
    except (OSError, ValueError):
        return None
    return _from_bytes(raw, key, str(path))


def put(path: Path, data: bytes, plan: Plan) -> None:
    folder = cache.configured()
    if folder is None or not cache.made(folder):
        return
    key = cache.digest(data)
    try:
        body = json.dumps(_to_json(plan, key), ensure_ascii=False).encode("utf-8")
    except ValueError:
        return
    if len(body) > MAX_ENTRY_BYTES:
        return
    cache.write_entry(folder, _entry_name(key), body)


def _to_json(plan: Plan, key: str) -> dict:
    def d(x: date | None) -> str | None:
        return x.isoformat() if x else None

    return {
        "format": FORMAT,
        "plan_blake2b": key,
        "meta": [plan.title, plan.number, plan.issuer, d(plan.signed), d(plan.published),
                 d(plan.target), plan.target_source, plan.warn_days, plan.id],
        "sections": [[s.id, s.heading] for s in plan.sections],
        "units": [[u.name, u.kind, u.full_name, list(u.aliases)] for u in plan.units.values()],
        "groups": [[g.name, list(g.members), g.role, g.note] for g in plan.groups.values()],
        "tasks": [[tk.id, tk.section, tk.title, tk.text,
                   [[p.id, p.text, p.lead, p.support, d(p.due), p.due_source, p.lead_units, p.support_units]
                    for p in tk.parts]] for tk in plan.tasks.values()],
        "obligations": [[o.id, o.kind, o.year, o.title, d(o.due), o.units, o.source, o.to, o.task, o.part]
                        for o in plan.obligations.values()],
        "names": plan.names,
        "supervision": [list(plan.supervision.units), plan.supervision.review_required, plan.supervision.numbering,
                        list(plan.supervision.fingerprints), plan.supervision.require_signatures],
        "successions": [[x.old, x.new, d(x.on), x.note] for x in plan.successions],
    }


# --- reading an entry: every field checked, any doubt a miss --------------------------

class _NotAnEntry(Exception):
    pass


# json.dumps(ensure_ascii=False) never writes a \uD800-\uDFFF escape, so one
# (after an odd number of backslashes) means a hand-made entry that would put
# a lone surrogate into the output.
_SURROGATE_ESCAPE = r"(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F]"
_ISO_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_FINGERPRINT = re.compile(r"[0-9a-f]{16}", re.ASCII)


def _refuse_constant(_name: str) -> None:
    raise _NotAnEntry  # NaN, Infinity


def _from_bytes(raw: bytes, key: str, where: str) -> Plan | None:
    try:
        text = raw.decode("utf-8")
        # the plain search first: the pattern with its look-behind is slow on a whole entry
        if ("\\ud" in text or "\\uD" in text) and re.search(_SURROGATE_ESCAPE, text):
            return None
        doc = json.loads(text, parse_constant=_refuse_constant)
        return _from_json(doc, key, where)
    except (ValueError, RecursionError, _NotAnEntry):
        return None


def _row(value: Any, n: int) -> list:
    if type(value) is not list or len(value) != n:
        raise _NotAnEntry
    return value


def _seq(value: Any) -> list:
    if type(value) is not list:
        raise _NotAnEntry
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _NotAnEntry
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


_ONLY_STR = {str}


def _strs(value: Any) -> tuple[str, ...]:
    # set(map(type, …)) rather than all(…): this runs for every list of every part
    if type(value) is not list or (value and set(map(type, value)) != _ONLY_STR):
        raise _NotAnEntry
    return tuple(value)


def _int(value: Any, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _NotAnEntry
    return value


def _day(value: Any) -> date:
    if type(value) is not str or not re.fullmatch(_ISO_DAY, value):
        raise _NotAnEntry
    return date.fromisoformat(value)  # ValueError for an impossible date: a miss


def _opt_day(value: Any) -> date | None:
    return None if value is None else _day(value)


def _within(names: tuple[str, ...], known: Any) -> tuple[str, ...]:
    if not known >= set(names):  # known: a set or a dict's keys
        raise _NotAnEntry
    return names


def _from_json(raw: Any, key: str, where: str) -> Plan:
    if type(raw) is not dict or raw.get("format") != FORMAT or raw.get("plan_blake2b") != key:
        raise _NotAnEntry
    title, number, issuer, signed, published, target, target_source, warn_days, plan_id = _row(raw.get("meta"), 9)

    sections = []
    for s in _seq(raw.get("sections")):
        sid, heading = _row(s, 2)
        sections.append(Section(_str(sid), _str(heading)))
    section_ids = {s.id for s in sections}

    units: dict[str, Unit] = {}
    for u in _seq(raw.get("units")):
        name, kind, full_name, aliases = _row(u, 4)
        if _str(kind) not in UNIT_KINDS:
            raise _NotAnEntry
        units[_str(name)] = Unit(name, kind, _str(full_name), _strs(aliases))

    names_raw = raw.get("names")
    if type(names_raw) is not dict:
        raise _NotAnEntry
    names: dict[str, str] = {}
    for spelling, name in names_raw.items():
        if _str(name) not in units:
            raise _NotAnEntry
        names[spelling] = name

    groups: dict[str, Group] = {}
    for g in _seq(raw.get("groups")):
        gname, members, role, note = _row(g, 4)
        if type(role) is not bool:
            raise _NotAnEntry
        groups[_str(gname)] = Group(gname, _within(_strs(members), units.keys()), role, _str(note))
    refs = names.keys() | groups.keys()
    unit_names = units.keys()

    tasks: dict[str, Task] = {}
    parts: dict[str, Part] = {}
    for tk in _seq(raw.get("tasks")):
        tid, sec, ttitle, ttext, plist = _row(tk, 5)
        if _str(sec) not in section_ids or _str(tid) in tasks:
            raise _NotAnEntry
        built = []
        for p in _seq(plist):
            pid, ptext, lead, support, due, due_source, lead_units, support_units = _row(p, 8)
            if not re.fullmatch(PART_ID, _str(pid)) or pid in parts:
                raise _NotAnEntry
            part = Part(pid, tid, _str(ptext), _within(_strs(lead), refs), _within(_strs(support), refs),
                        _day(due), _str(due_source), _within(_strs(lead_units), unit_names),
                        _within(_strs(support_units), unit_names))
            parts[pid] = part
            built.append(part)
        tasks[tid] = Task(tid, sec, _str(ttitle), _str(ttext), tuple(built))

    obligations: dict[str, Obligation] = {}
    for o in _seq(raw.get("obligations")):
        oid, kind, year, otitle, due, owed, source, to, task, part_ref = _row(o, 10)
        if (_str(oid) in obligations or (_opt_str(task) is not None and task not in tasks)
                or (_opt_str(part_ref) is not None and part_ref not in parts)):
            raise _NotAnEntry
        obligations[oid] = Obligation(oid, _str(kind), _int(year, FIRST_YEAR, LAST_YEAR), _str(otitle), _day(due),
                                      _within(_strs(owed), unit_names), _str(source), _str(to), task, part_ref)

    sup_units, required, numbering, fingerprints, from_day = _row(raw.get("supervision"), 5)
    if type(required) is not bool or not all(_FINGERPRINT.fullmatch(f) for f in _strs(fingerprints)) \
            or not (_str(from_day) in ("", "0000-00-00") or _day(from_day)):
        raise _NotAnEntry
    supervision = Supervision(_within(_strs(sup_units), unit_names), required, _str(numbering),
                              tuple(_strs(fingerprints)), from_day)
    successions = []
    for x in _seq(raw.get("successions")):
        old, new, on, note = _row(x, 4)
        successions.append(Succession(_within((_str(old),), unit_names)[0], _within((_str(new),), unit_names)[0],
                                      _day(on), _str(note)))

    return Plan(
        path=where, id=_str(plan_id), title=_str(title), number=_str(number), issuer=_str(issuer),
        signed=_opt_day(signed), published=_opt_day(published), target=_day(target),
        target_source=_str(target_source), warn_days=_int(warn_days, 0, MAX_WARN_DAYS),
        sections=tuple(sections), units=units, groups=groups, tasks=tasks, parts=parts,
        obligations=obligations, names=names, supervision=supervision, successions=tuple(successions),
    )
