"""Chinese punctuation in the documents: ``zt``, the message catalogue's ``t`` with quotation marks made Chinese
too (“…”), and the rule itself from ``punctuation`` for the rooms and tests that ask for it here.
"""

from __future__ import annotations

from ..i18n import t
from ..punctuation import half_width_in_chinese, is_cjk, zh_punct

__all__ = ["half_width_in_chinese", "is_cjk", "zh_punct", "zt"]


def zt(zh: str, en: str, /, **kw: object) -> str:
    """``t`` for the documents: the Chinese template's punctuation made Chinese, quotation marks included."""
    return t(zh_punct(zh), en, **kw)
