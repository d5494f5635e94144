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


# --- the words for states, lights, roles and kinds, which views, reports and records all use ----------------

def state_label(state: str, late: bool = False, support_only: bool = False, review: str | None = None,
                waived: str | None = None) -> str:
    if waived:
        return t("不再适用", "waived")
    if review == "returned" and state != "done":
        return t("退回", "returned")
    suffix = {"pending": t("·待审核", " (awaiting review)"), "accepted": t("·已销号", " (closed out)")}.get(
        review or "", "") if state == "done" else ""
    if state == "done" and late:
        return t("逾期完成", "done late") + suffix
    if state == "doing" and support_only:
        return t("配合单位已启动", "support started")
    if suffix:
        return t("已完成", "done") + suffix
    return {"todo": t("未开始", "to do"), "doing": t("进行中", "doing"), "done": t("已完成", "done")}[state]


def light_label(light: str) -> str:
    return {"red": t("红灯", "red"), "yellow": t("黄灯", "yellow"), "green": t("绿灯", "green")}[light]


def role_label(role: str) -> str:
    return t("牵头", "lead") if role == "lead" else t("配合", "support")


def kind_label(kind: str) -> str:
    zh = {"department": "政府部门", "party": "党委部门", "judicial": "司法机关", "subdistrict": "街道",
          "town": "镇", "committee": "管委会", "other": "其他"}
    return zh.get(kind, kind) if t("zh", "en") == "zh" else kind
