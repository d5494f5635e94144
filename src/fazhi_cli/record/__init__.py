"""Recording progress: what `mark`, `attach`, `undo`, `import`, `check` and the office's acts do.

An index of the rooms: ``prepare`` (who records, the unit's items, the day, the evidence, the one validation path
before writing), ``own`` (a unit's ``mark``, ``attach``, ``undo``), ``intake`` (``import``'s rules, which ``sync``
shares), ``check`` and ``acts`` (the supervising office's review, extend, waive, close, reopen and remind), ``signing`` (every
new record signed with this PC's key for its unit), ``keyring`` (the office's ``keys add`` and ``keys revoke``) and
``verifying`` (signatures of what arrives and of what `check` reads). Every
record, typed or imported, passes ``ledger.check_record``; the files themselves are the ledger's.
"""

from ..lazy import index

# name -> room: a room is imported when one of its names is first asked for
__getattr__, __dir__, __all__ = index(__name__, {
    "close_plan closed_on extend office_day owed_notices refuse_if_closed remind review supervisor waive": "acts",
    "audit check": "check",
    "added_line admit Admitted import_files Incoming": "intake",
    "attach latest_command mark undo Undone": "own",
    "MAX_IMPORT_BYTES recorder Written": "prepare",
    "key_act": "keyring",
    "sign": "signing",
    "keyring_of needs_judging verify_arrivals verify_present": "verifying",
})
