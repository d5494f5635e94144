"""The plan: frozen dataclasses, and a loader that explains every mistake.

Officials edit plan files by hand, so the loader walks the YAML node tree
itself: every value keeps its line number, and each problem becomes one line
"file:line: what is wrong". Only safe YAML is read (no tags that build
objects, no anchors or aliases, nothing over 1 MiB).

The rooms, in the order a file goes through them:

* ``source``: finding the plan file and reading it (a regular file, bounded, UTF-8);
* ``syntax``: YAML to a node tree, and YAML's complaints in words a clerk can act on;
* ``nodes``: typed fields read from the nodes, each problem with its file and line;
* ``build``: the Plan from the nodes (``parse_plan``), with ``units`` (units, groups,
  supervision, successions) and ``recurring`` (the recurring duties);
* ``model``: what comes out, the pure records ``progress/`` reads.

``load_plan`` goes source → cache → parse: the loader owns the plan cache
(``plancache``); the parser (``build.parse_plan``) never knows it, and a run
that finds the plan in the cache never imports it.
"""

import os

from .model import (ONGOING, STATES, UNIT_KINDS, Group, Obligation, Part, Plan, Section, Succession, Supervision,
                    Task, Unit, is_ongoing)
from .source import bundled_plan_path, plan_path, read_plan_text

__all__ = ["ONGOING", "STATES", "UNIT_KINDS", "Group", "Obligation", "Part", "Plan", "Section", "Succession",
           "Supervision", "Task", "Unit", "bundled_plan_path", "is_ongoing", "load_plan", "plan_path"]


def load_plan(path: str | os.PathLike[str] | None = None, *, fresh: bool = False) -> Plan:
    """Load and validate a plan file; raise PlanError naming file and line.

    ``fresh`` parses the YAML even when the cache holds the plan (and puts the
    result back), for `fazhi check`, which must judge the file itself.
    """
    p = plan_path(path)
    data = read_plan_text(p)
    from .. import cache, plancache  # noqa: PLC0415 - only a command that loads a plan needs the caches

    cached = None if fresh else plancache.get(p, data)
    if cached is not None:
        return cached._replace(digest=cache.digest(data))
    from . import build  # noqa: PLC0415 - the parser (YAML, the readers, their patterns) only on a miss

    plan = build.parse_plan(data, str(p))
    plancache.put(p, data, plan)
    return plan._replace(digest=cache.digest(data))
