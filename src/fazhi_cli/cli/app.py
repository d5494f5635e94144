"""The Typer app and its one error path.

Every FazhiError raised below a command is caught in one place (``FazhiGroup.main``) and becomes one line on
stderr and the error's exit code; Click's usage errors, an abort and a bug each become one line too.
"""

import os
import sys
from typing import Annotated, Any, Callable, Optional

import typer
from typer.core import TyperGroup

try:  # typer >= 0.26 carries its own copy of Click
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer uses Click itself
    import click  # type: ignore[no-redef]

from .. import __version__, clicktext
from ..errors import FazhiError, UsageError
from ..i18n import set_lang, t

clicktext.install()


class FazhiGroup(TyperGroup):
    """Turns every error into one line on stderr with a meaningful exit code."""

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)
        for p in params:  # Typer's own completion options, in the user's language
            if p.name == "install_completion":
                p.help = t("为当前 shell 安装命令补全。", "Install completion for the current shell.")
            elif p.name == "show_completion":
                p.help = t("显示当前 shell 的命令补全脚本,可复制或自行安装。",
                           "Show completion for the current shell, to copy it or customize the installation.")
        return params

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        _tolerant_streams()
        code = 0
        try:
            rv = super().main(args, prog_name or "fazhi", complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except FazhiError as e:
            _error_line(e.message)
            code = e.exit_code
        except click.exceptions.NoArgsIsHelpError as e:  # bare `fazhi`
            text = e.ctx.get_help()  # Rich help prints itself and returns ""
            if text:
                typer.echo(text)
            code = 0
        except click.exceptions.ClickException as e:
            hint = ""
            ctx = getattr(e, "ctx", None)
            if ctx is not None:
                hint = t("(运行 {p} --help 查看用法)", " (see {p} --help)", p=ctx.command_path)
            _error_line(f"{_click_message(e.format_message())}{hint}")
            code = e.exit_code
        except typer.Abort:
            _error_line(t("已取消", "aborted"))
            code = 1
        except BrokenPipeError:
            code = 1
        except Exception as e:  # a bug: say so in one line; FAZHI_DEBUG=1 shows the traceback
            if os.environ.get("FAZHI_DEBUG"):
                raise
            _error_line(t("内部错误 {k}: {m}(请联系维护者;设置 FAZHI_DEBUG=1 可查看详情)",
                          "internal error {k}: {m} (please report it; FAZHI_DEBUG=1 shows details)",
                          k=type(e).__name__, m=e))
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


def _tolerant_streams() -> None:
    # A console in GBK (or a pipe in any narrow encoding) must not crash on
    # a character it cannot show: it gets a replacement character instead.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


def _click_message(message: str) -> str:
    """Click's usage errors, in Chinese when the user reads Chinese."""
    from ..clicktext import translate  # noqa: PLC0415

    return translate(message)


def _error_line(message: str) -> None:
    from ..render import safe  # noqa: PLC0415

    sys.stderr.write(t("错误: ", "error: ") + safe(" ".join(message.split())) + "\n")
    sys.stderr.flush()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fazhi {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=FazhiGroup,
    name="fazhi",
    help=t("法治政府建设工作方案进度清单:谁欠什么、什么已逾期、谁已完成。",
           "Compliance checklist for a district's rule-of-law government work plan."),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,
)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=t("显示版本并退出。", "Show the version and exit."))] = False,
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="zh|en",
                                                help=t("界面语言:zh(默认)或 en;也可设 FAZHI_LANG。",
                                                       "Language: zh (default) or en; or set FAZHI_LANG."))] = None,
) -> None:
    if lang is not None and lang not in ("zh", "en"):
        raise UsageError(t("--lang 只能是 zh 或 en", "--lang must be zh or en"))
    set_lang(lang)


# The order `fazhi --help` lists the commands in. Typer lists them as they were registered, and the rooms that
# hold them (reading, writing, office, documents) are imported one after the other, so each registration puts
# the list back in this order.
ORDER = ("status", "due", "mark", "attach", "undo", "log", "import", "sync", "show", "units", "check", "report",
         "review", "extend", "waive", "close", "reopen", "remind", "draft", "new")


def name_of(info: Any) -> str:
    """The name a registered command is typed as."""
    return info.name or info.callback.__name__


def command(name: str | None = None, *, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a command on the app, with its help (the text `fazhi NAME --help` and `fazhi --help` show)."""
    def register(callback: Callable[..., Any]) -> Callable[..., Any]:
        app.command(name, help=help)(callback)
        app.registered_commands.sort(key=lambda info: ORDER.index(name_of(info)))
        return callback

    return register
