"""Progress records: one append-only JSON Lines file per unit.

This is the only module that writes progress. Each unit's file
``<data>/progress/<unit>.jsonl`` holds one event per line, written only by
that unit's commands (and by imports of that unit's own records), and is only
ever appended to, under the data folder's write lock, one whole line per write,
flushed to disk. Reading never changes a file: a line that does not pass the
checks is reported with file:line and skipped, never repaired or removed.

Every record, typed or imported or read back, passes one validation path:
``check_record``. Records name the plan they belong to (``plan``); records
written before plans had an identity have no such field and belong to the
bundled plan (``LEGACY_PLAN``).

An index of the rooms: ``model`` (the event, its limits and shapes: what ``progress/`` imports), ``layout`` (where
files live), ``checks`` (the one validation path), ``reading``, ``journal`` (unfinished imports and syncs, arrivals),
``ids`` (the records present, by id), ``writing`` (the transactional writer), ``evidence`` (the evidence store) and
``lookup`` (the folder's files asked for by name, as sync compares them with a repository's). Other layers ask these questions;
none of them opens ``progress/`` or ``evidence/`` itself.
"""

from ..lazy import index

# name -> room: a room is imported when one of its names is first asked for
__getattr__, __dir__, __all__ = index(__name__, {
    ("ACTS ARRIVALS KEY_ACTS BAD_TEXT DAY DAY_RE Event ID ID_RE JOURNAL Lazy Ledger LEGACY_PLAN MAX_ARRIVALS "
     "MAX_BY MAX_EVIDENCE MAX_EVIDENCE_FILE MAX_EVIDENCE_TEXT MAX_KEPT MAX_LINE MAX_NOTE new_id NO_ACT Problem SHA SHAPE "
     "STAGED STAMP STAMP_RE SYNC_JOURNAL tuple_new TYPES VERDICTS"): "model",
    ("data_dir EVIDENCE evidence_dir folder_identity import_sources is_ledger_name ledger_names ledger_path progress_dir PROGRESS "
     "records_folders unit_file_names"): "layout",
    ("check_record clean_text decode_line evidence_ok FINGERPRINT GOOD_DAYS no_constants plan_of PUBLIC_KEY real_day "
     "role_list role_pairs sig_ok small_order_key text_ok usual_record"): "checks",
    ("Arrival arrival_ok arrivals_bytes import_journal journal_names pending_import pending_sync "
     "read_arrivals replaceable unfinished"): "journal",
    ("arrived file_identity open_unit_file parse_lines parse_unit_bytes read_file_checked read_ledger "
     "read_ledger_file unit_events unit_records usual_lines"): "reading",
    "canonical Existing existing_lines may_hold plain_ids record_ids signing_bytes": "ids",
    "append_bytes encode new_event recover truncate Writing": "writing",
    ("blob_path evidence_item EvidenceFile file_digest incoming_blobs "
     "store_blob verify_blob verify_evidence"): "evidence",
    ("arrivals_shown blob_name blob_shown good_blob_bytes has_blob is_data_folder progress_is_link progress_shown "
     "read_unit_file unit_file_shown unit_files_here"): "lookup",
})
