"""A notice → a plan file: reading (txt/html/docx → text), recognising the
shapes (numbering, unit lists, deadlines, header), writing commented YAML.

Everything here is pure on text except ``read_notice`` and ``save``, the
two doors to files.
"""

from __future__ import annotations

from .model import Draft
from .recognise import NoticeError, recognise

__all__ = ["Draft", "NoticeError", "recognise"]
