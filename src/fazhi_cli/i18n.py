"""What users read, in Chinese by default and in English on request.

The language is chosen once per process (``--lang`` or ``FAZHI_LANG``) before
any message is built, so the core can raise errors with finished text.
A Chinese message takes Chinese punctuation (，：；（）？！) in fazhi's own
words: ``t`` makes its template's marks full-width before the values are
filled in, so the plan's text, unit names and notes keep theirs.
"""

from __future__ import annotations

import os
from functools import lru_cache

from .punctuation import settle, zh_punct

def _from_env() -> str:
    return "en" if os.environ.get("FAZHI_LANG", "").lower().startswith("en") else "zh"


_lang = _from_env()


def set_lang(lang: str | None) -> None:
    """Choose the language; None means FAZHI_LANG, else Chinese."""
    global _lang
    _lang = ("en" if lang.lower().startswith("en") else "zh") if lang else _from_env()


def lang() -> str:
    return _lang


@lru_cache(maxsize=None)
def _chinese(template: str) -> str:
    # quotation marks stay as written: a message may quote a command to type (--note "…")
    return zh_punct(template, quotes=False, later=True)


def t(zh: str, en: str, /, **kw: object) -> str:
    """Pick the text for the current language and fill in its fields (Chinese with Chinese punctuation)."""
    if _lang == "en":
        return en.format(**kw) if kw else en
    text = _chinese(zh)
    return settle(text.format(**kw) if kw else text)


def t_as_written(zh: str, en: str, /, **kw: object) -> str:
    """``t`` without the punctuation: for the plan file a draft writes (YAML, where a colon is syntax)."""
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


def act_label(kind: str, *, verdict: str | None = None, until: str | None = None, number: int | None = None,
              revokes: str | None = None) -> str:
    """A record that is not a mark, as every list of records names it (the log, what import and sync bring):
    退回 or 销号, 延期至 <day>, 不再适用, 催办 第N号, 结束方案, 重新开启, 补充材料, 撤销 <id>."""
    if kind == "revoke":
        return t("撤销 ", "revokes ") + (revokes or "")[:8]
    if kind == "review":
        return t("销号", "closed out") if verdict == "accept" else t("退回", "returned")
    if kind == "extend":
        return t("延期至 {d}", "extended to {d}", d=until)
    if kind == "remind":
        return t("催办 第{n}号", "reminder No. {n}", n=number)
    names = {"attach": t("补充材料", "attachment"), "waive": t("不再适用", "waived"), "close": t("结束方案", "plan closed"),
             "reopen": t("重新开启", "plan reopened"), "key": t("登记密钥", "key registered"),
             "unkey": t("吊销密钥", "key revoked")}
    return names.get(kind, kind)


def act_kind_label(kind: str) -> str:
    """The kind of a record that is not a mark, without its particulars (what `undo` took back): 审核, 延期."""
    names = {"attach": t("补充材料", "attachment"), "review": t("审核", "review"), "extend": t("延期", "extension"),
             "waive": t("不再适用", "waiver"), "remind": t("催办", "reminder"), "close": t("结束方案", "closing"),
             "reopen": t("重新开启", "reopening"), "key": t("登记密钥", "key registration"),
             "unkey": t("吊销密钥", "key revocation")}
    return names.get(kind, kind)


def light_label(light: str) -> str:
    return {"red": t("红灯", "red"), "yellow": t("黄灯", "yellow"), "green": t("绿灯", "green")}[light]


def role_label(role: str) -> str:
    return t("牵头", "lead") if role == "lead" else t("配合", "support")


def kind_label(kind: str) -> str:
    zh = {"department": "政府部门", "party": "党委部门", "judicial": "司法机关", "subdistrict": "街道",
          "town": "镇", "committee": "管委会", "other": "其他", "collective": "单位组(待确认)"}
    return zh.get(kind, kind) if t("zh", "en") == "zh" else kind
