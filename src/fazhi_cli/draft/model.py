"""What the drafter recognised in a notice, before it is written as YAML.

Every value a person should confirm carries a ``note``: the comment the
draft writes beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import FazhiError

# The keyword for "every unit that leads a part" (plan.recurring.RESPONSIBLE), repeated
# here so that drafting does not import the loader.
RESPONSIBLE = "责任单位"

# The longest task division plans run to a few hundred items; a "notice" with
# more is something else, and would only cost time.
MAX_ITEMS = 5000


class NoticeError(FazhiError):
    """The notice cannot be read, or holds nothing that looks like a plan."""


@dataclass
class DraftUnit:
    name: str
    kind: str
    note: str = ""          # why this kind
    alias_note: str = ""    # "may be the same body as …"


@dataclass
class DraftGroup:
    name: str
    note: str
    hint: str = ""          # names from the notice that may belong to it


@dataclass
class DraftPart:
    id: str
    text: str
    lead: list[str]
    support: list[str]
    due: date
    due_source: str
    due_note: str = ""
    role_note: str = ""
    ongoing: bool = False   # 持续推进, 长期坚持: no due date in the notice
    people: str = ""        # 分管领导: 张副市长, kept as a note


@dataclass
class DraftTask:
    id: str
    section: str
    title: str
    text: str
    parts: list[DraftPart]
    note: str = ""


@dataclass
class DraftSection:
    id: str
    heading: str
    note: str = ""


@dataclass
class DraftDuty:
    id: str
    title: str
    source: str
    every: str               # year | quarter | month
    due: str                 # MM-DD, DD, or a setting's name
    due_year: str = "same"
    to: str = ""
    units: list[str] | str | None = None   # a list, RESPONSIBLE, or None with part
    part: str | None = None
    years: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Draft:
    title: str
    number: str = ""
    issuer: str = ""
    signed: date | None = None
    published: date | None = None
    target: date = date(1970, 1, 1)
    target_source: str = ""
    addressees: str = ""
    notes: dict[str, str] = field(default_factory=dict)   # plan field -> comment
    early_march: bool = False
    sections: list[DraftSection] = field(default_factory=list)
    units: list[DraftUnit] = field(default_factory=list)
    groups: list[DraftGroup] = field(default_factory=list)
    duties: list[DraftDuty] = field(default_factory=list)
    tasks: list[DraftTask] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)      # numbered items not taken as tasks
    table_rows: int = 0                                    # numbered rows of the notice's task tables
    table_rows_left: int = 0                               # of them, rows not drafted as tasks
    year: int = 0
    year_source: str = ""                                  # where the plan's year comes from, said in a comment
    supervision: str = ""                                  # the guessed supervising unit
    supervision_note: str = ""
