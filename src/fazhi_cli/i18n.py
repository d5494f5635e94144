"""What users read, in Chinese by default and in English on request.

The language is chosen once per process (``--lang`` or ``FAZHI_LANG``) before
any message is built, so the core can raise errors with finished text.
"""

from __future__ import annotations

import os

def _from_env() -> str:
    return "en" if os.environ.get("FAZHI_LANG", "").lower().startswith("en") else "zh"


_lang = _from_env()


def set_lang(lang: str | None) -> None:
    """Choose the language; None means FAZHI_LANG, else Chinese."""
    global _lang
    _lang = ("en" if lang.lower().startswith("en") else "zh") if lang else _from_env()


def lang() -> str:
    return _lang


def t(zh: str, en: str, /, **kw: object) -> str:
    """Pick the text for the current language and fill in its fields."""
    text = en if _lang == "en" else zh
    return text.format(**kw) if kw else text
