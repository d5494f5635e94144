"""The command line: parse options, call the core, hand results to render.

- ``app.py``: the Typer app and its one error path (a FazhiError becomes one line on stderr and its exit code).
- ``options.py``: every option more than one command takes, declared once.
- ``common.py``: the glue the commands share (open the plan and the records, read dates and units, write out).
- ``reading.py``: status, due, log, show, units, check.
- ``writing.py``: mark, attach, undo, import, sync.
- ``office.py``: the supervising office's review, extend, waive, close, reopen, remind.
- ``documents.py``: report, draft, new.
- ``keys.py``: keys init, show, add, revoke (signatures).
- ``startup.py``: build only the command a run names; end the process without tearing it down.

``main`` is the ``fazhi`` program (pyproject's ``fazhi = "fazhi_cli.cli:main"``).
"""

import sys

from . import documents, keys, office, reading, writing  # noqa: F401 - importing a room registers its commands
from .app import app
from .startup import leave_now, only_the_command_asked_for

__all__ = ["app", "main"]


def main() -> None:
    # A run lasts a fraction of a second and builds no reference cycles worth
    # collecting; the cyclic collector would only walk the ledger's objects.
    import gc  # noqa: PLC0415

    gc.disable()
    only_the_command_asked_for(sys.argv[1:])
    try:
        app()
    except SystemExit as e:
        leave_now(e.code)
        raise
