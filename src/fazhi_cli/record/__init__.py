"""Recording progress: what `mark`, `attach`, `undo`, `import`, `check` and the office's acts do.

An index of the rooms: ``prepare`` (who records, the unit's items, the day, the evidence, the one validation path
before writing), ``own`` (a unit's ``mark``, ``attach``, ``undo``), ``intake`` (``import``'s rules, which ``sync``
shares), ``check`` and ``acts`` (the supervising office's review, extend, waive, close, reopen and remind). Every
record, typed or imported, passes ``ledger.check_record``; the files themselves are the ledger's.
"""

from .acts import (close_plan, closed_on, extend, owed_notices, refuse_if_closed, remind, review, supervisor,
                   waive)
from .check import audit, check
from .intake import Admitted, Incoming, added_line, admit, import_files
from .own import Undone, attach, latest_command, mark, undo
from .prepare import MAX_IMPORT_BYTES, Written, recorder

__all__ = ["Admitted", "Incoming", "MAX_IMPORT_BYTES", "Undone", "Written", "added_line", "admit", "attach", "audit",
           "check", "close_plan", "closed_on", "extend", "import_files", "latest_command", "mark", "owed_notices",
           "recorder", "refuse_if_closed", "remind", "review", "supervisor", "undo", "waive"]
