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

from .escape import safe, safe_lines, to_json
from .lines import act_lines, attached_lines, marked_lines, revoked_lines
from .log import log_view
from .plan_views import duty_show_view, show_view, units_view
from .rows import render_rows, terminal_table, text_table
from .due import due_view
from .views import (days_phrase, duties_view, duty_detail_view, status_header, status_json, status_view,
                    task_detail_view, unit_view)



__all__ = ["act_lines", "attached_lines", "days_phrase", "due_view", "duties_view", "duty_detail_view",
           "duty_show_view", "log_view", "marked_lines", "render_rows", "revoked_lines", "safe", "safe_lines",
           "show_view", "status_header", "status_json", "status_view", "task_detail_view", "terminal_table",
           "text_table", "to_json", "unit_view", "units_view"]
