"""What users read, in Chinese by default and in English on request.

The language is chosen once per process (``--lang`` or ``FAZHI_LANG``) before
any message is built, so the core can raise errors with finished text.
"""

from __future__ import annotations

import os

_lang = "en" if os.environ.get("FAZHI_LANG", "").lower().startswith("en") else "zh"


def set_lang(lang: str | None) -> None:
    global _lang
    if lang:
        _lang = "en" if lang.lower().startswith("en") else "zh"


def lang() -> str:
    return _lang


def t(zh: str, en: str, /, **kw: object) -> str:
    """Pick the text for the current language and fill in its fields."""
    text = en if _lang == "en" else zh
    return text.format(**kw) if kw else text
