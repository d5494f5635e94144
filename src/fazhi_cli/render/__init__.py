"""Turning results into what people and programs read. Shows, never decides.

An index: each room below does one job, and they import each other, never this file.

- ``escape``: text from elsewhere made inert for a terminal and for JSON (``safe``, ``to_json``).
- ``cells``: the cells views are made of (``Lines``, ``Names``, state and light cells).
- ``rows``: a header and rows as a terminal table, plain text, Markdown or CSV.
- ``lines``: the lines ``mark``, ``attach``, ``undo`` and the office's acts print.
- ``plan_views``: ``show`` and ``units``, the plan as written.
- ``log``: the record's history.
- ``views``: the status, unit, task and duty views; ``due``: the due view.
- ``supervision``: the units' record and the 催办通知.
- ``output``: where a view or a report goes when it is a file.
- ``report_tables``, ``report_md``, ``html``, ``docx``, ``xlsx``, ``charts``, ``export``: the documents.
- ``terminal``, ``table``, ``jsontext``: the fast paths behind a terminal table and a JSON document.
"""

from ..lazy import index

# name -> room: a room is imported when one of its names is first asked for
__getattr__, __dir__, __all__ = index(__name__, {
    "safe safe_lines to_json": "escape",
    "act_lines attached_lines marked_lines revoked_lines": "lines",
    "log_view": "log",
    "duty_show_view show_view units_view": "plan_views",
    "render_rows terminal_table text_table": "rows",
    "due_view": "due",
    ("days_phrase duties_view duty_detail_view status_header status_json status_view task_detail_view "
     "unit_view"): "views",
})
