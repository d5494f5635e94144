"""Pure functions from (plan, events, as_of, known_at) to states, lights and due items.

No I/O and no clock: the caller says which day it is. ``replay`` finds each
(target, unit) pair's standing, ``status`` the state and light of every part,
task and yearly duty, ``due`` what falls due. See each module for its rules.
"""

from .due import DueItem, due_items, natural
from .replay import Acts, Pair, known_cutoff, latest, replay, replay_all, replay_days
from .status import (LIGHT_RANK, DutyStatus, OwnItem, PartStatus, Status, TaskStatus, UnitState, combine, count,
                     duty_status, light, own_items, part_status, parts_done_on, parts_on, part_title, returned_over, sharing, status,
                     status_of)

__all__ = ["Acts", "DueItem", "DutyStatus", "LIGHT_RANK", "OwnItem", "Pair", "PartStatus", "Status", "TaskStatus", "UnitState",
           "combine", "count", "due_items", "duty_status", "known_cutoff", "latest", "light", "natural", "own_items",
           "part_status", "part_title", "parts_done_on", "parts_on", "replay", "returned_over", "replay_all", "replay_days", "sharing",
           "status", "status_of"]
