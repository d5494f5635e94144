"""Click's and Typer's own words (help headings, usage errors) in the user's language.

Typer carries its own copy of Click, whose strings are English literals, and
a few gettext calls in ``typer.core``. Help and errors a user reads must be all
Chinese or all English, so the few places that produce them are given the
user's language here: the gettext function Typer's help uses, the help
option's text, the "Usage:" prefix, and the messages of usage errors, which
``translate`` turns into Chinese. Data quoted in a message (an option name, a
value typed) is kept as it was.
"""

from __future__ import annotations

import re
from typing import Any

from .i18n import lang, t
from .punctuation import settle, zh_punct

_WORDS = {
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "Missing command.": "缺少命令。",
    "Aborted!": "已取消",
}


def _gettext(message: str) -> str:
    return _WORDS.get(message, message) if lang() == "zh" else message


def install() -> None:
    """Give Typer's and Click's help texts the user's language (cheap: a few attribute sets)."""
    import typer.core as typer_core  # noqa: PLC0415

    try:
        from typer._click import decorators, formatting  # noqa: PLC0415
    except ImportError:  # pragma: no cover - older typer uses Click itself
        import click.decorators as decorators  # type: ignore[no-redef]  # noqa: PLC0415
        import click.formatting as formatting  # type: ignore[no-redef]  # noqa: PLC0415

    typer_core._ = _gettext  # type: ignore[attr-defined]
    if getattr(decorators.help_option, "_fazhi", False):
        return
    original_help_option = decorators.help_option

    def help_option(*names: Any, **kwargs: Any) -> Any:
        decorate = original_help_option(*names, **kwargs)

        def apply(command: Any) -> Any:
            command = decorate(command)
            command.params[-1].help = t("显示本帮助并退出。", "Show this message and exit.")
            return command

        return apply

    help_option._fazhi = True  # type: ignore[attr-defined]
    decorators.help_option = help_option
    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_usage(self, prog, args, t("用法：", "Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage
    original_heading = formatting.HelpFormatter.write_heading

    def write_heading(self: Any, heading: str) -> None:
        # Click writes "选项:" with its own half-width colon
        if lang() == "en":
            original_heading(self, heading)
        else:
            self.write(f"{'':>{self.current_indent}}{heading}：\n")

    formatting.HelpFormatter.write_heading = write_heading
    # Chinese help: measure by display cells (a Chinese character is two), and
    # fold lines that have no spaces to break at.
    original_wrap = formatting.wrap_text

    def wrap_text(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
                  preserve_paragraphs: bool = False) -> str:
        if text.isascii():
            return original_wrap(text, width, initial_indent, subsequent_indent, preserve_paragraphs)
        from .render.table import fold  # noqa: PLC0415

        paragraphs = text.split("\n\n") if preserve_paragraphs else [text]
        room = width - max(len(initial_indent), len(subsequent_indent))
        out = []
        for para in paragraphs:
            joined = " ".join(line.strip() for line in para.splitlines() if line.strip())
            lines = fold(joined, room)
            out.append("\n".join((initial_indent if i == 0 else subsequent_indent) + x for i, x in enumerate(lines)))
        return "\n\n".join(out)

    formatting.wrap_text = wrap_text
    formatting.term_len = _cells


def _cells(text: str) -> int:
    if text.isascii():
        return len(text)
    from rich.cells import cell_len  # noqa: PLC0415

    return cell_len(text)


# Usage errors: Click's English sentence -> Chinese, the quoted parts kept.
_ERRORS = (
    (r"Missing argument '(.+?)'\.?", "缺少参数 {0}"),
    (r"Missing option '(.+?)'\.?", "缺少选项 {0}"),
    (r"Missing parameter: (.+)", "缺少参数 {0}"),
    (r"No such option: (\S+?)\.?(?: Did you mean (\S+?)\?)?(?: \(Possible options: (.+)\))?",
     "没有这个选项: {0}{1}{2}"),
    (r"No such command '(.+?)'\.?(?: Did you mean (.+?)\?)?", "没有这个命令: {0}{1}"),
    (r"Got unexpected extra arguments? \((.+)\)", "多余的参数: {0}"),
    (r"Got unexpected extra argument\(s\) \((.+)\)", "多余的参数: {0}"),
    (r"Option '(.+?)' requires an argument\.?", "选项 {0} 需要一个值"),
    (r"Option '(.+?)' does not take a value\.?", "选项 {0} 不需要值"),
    (r"Invalid value for (.+?): (.+)", "{0} 的值无效: {1}"),
    (r"(.+?) is not one of (.+?)\.?", "{0} 不是可选的值(可选: {1})"),
    (r"(.+?) is not a valid integer\.?", "{0} 不是整数"),
    (r"(.+?) is not a valid float\.?", "{0} 不是数字"),
    (r"(.+?) is not in the range (.+?)\.?", "{0} 超出范围 {1}"),
    (r"(.+?) is not a valid boolean\..*", "{0} 不是有效的是/否值"),
    (r"(.+?) is not a valid (?:int|integer|int range)\.?", "{0} 不是整数"),
    (r"(.+?) is not a valid (.+?)\.?", "{0} 无效"),
)


def translate(message: str) -> str:
    """Click's usage error in the user's language."""
    if lang() == "en":
        # the Chinese names of choices are for Chinese readers: an English
        # message lists the English ones
        return re.sub(r", '[^'\x00-\x7f]+'", "", message)
    text = message.strip()
    for pattern, zh in _ERRORS:
        m = re.fullmatch(pattern, text, re.S)
        if m:
            groups = [(g or "").replace("' / '", " / ") for g in m.groups()]     # '--reason' / '-r'
            if zh.startswith("没有这个选项"):
                groups[1] = f"，是否要写：{groups[1]}？" if groups[1] else ""
                groups[2] = f"（可选：{groups[2]}）" if groups[2] else ""
            elif zh.startswith("没有这个命令"):
                groups[1] = f"，是否要写：{groups[1]}？" if groups[1] else ""
            elif zh.startswith("{0} 的值无效"):
                groups[1] = translate(groups[1])
            return settle(zh_punct(zh, quotes=False, later=True).format(*groups))
    return message
