"""Sync through git: forty offices, one record, a history nobody can rewrite quietly.

A data folder that syncs keeps a git repository of its own in ``.sync/git``
(a bare repository: no working copy, nothing for a user to edit by mistake).
Each commit holds the folder as every PC should see it::

    fazhi-sync.json          the plan this repository is for (never changes)
    progress/<unit>.jsonl    each unit's records, byte for byte
    evidence/<sha256><ext>   the evidence copies those records cite

The rules, which ``run`` and ``history`` hold to and the tests prove:

* A unit file in a commit is always its file in the parent commit with lines
  added at the end. The history is linear (every sync commits on top of the
  remote's head), so a line, once synced, keeps its bytes and its place for
  good, on every PC.
* ``sync`` merges by record id: the remote's file first, then this PC's
  lines the remote does not have, in the order they were recorded here.
  Each PC's file therefore ends up with exactly the remote's bytes: the
  files converge, there is never a conflict marker, and no record is lost.
  Only lines nobody else has seen yet can move (to after the remote's).
* What arrives passes the rules of ``fazhi import`` (``record.admit`` and
  ``ledger.check_record``). The lines arriving keep the remote's bytes; when
  they reached this folder is kept beside them in ``progress/.arrivals``
  (never synced), which is what ``--known-at`` counts.

The rooms: ``state`` (what a folder remembers of its sync, and the lines ``status`` adds: light, as
``status`` imports it), ``remote`` (the addresses it accepts), ``transport`` (the shared drive and the
servers), ``tree`` (a commit as a folder), ``packs`` (keeping packs few and small), ``run`` (the sync itself)
and ``audit`` (``check`` on a folder that syncs). Everything that needs dulwich lives in the last five,
which only ``sync`` and ``check`` import.
"""

from ..lazy import index

# name -> room: a room is imported when one of its names is first asked for
__getattr__, __dir__, __all__ = index(__name__, {
    "read_state repo_dir responsible shown State STATE_FILE status_lines sync_dir SYNC_DIR": "state",
})
