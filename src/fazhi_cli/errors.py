"""Errors meant for users: each carries its exit code and a one-line message."""

from __future__ import annotations


class FazhiError(Exception):
    """A problem the user can act on. Its message is shown as is, on one line."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        # One line, always: a message that quotes user data must not break
        # the "one clear line on stderr" promise.
        super().__init__(" ".join(message.split("\n")))

    @property
    def message(self) -> str:
        return str(self)


class UsageError(FazhiError):
    """The command line asked for something that does not exist or cannot be."""

    exit_code = 2


class PlanError(FazhiError):
    """The plan file cannot be loaded."""


class PlanProblems(PlanError):
    """Several independent mistakes in one plan file; the message names the first."""

    def __init__(self, problems: list[PlanError]) -> None:
        from .i18n import t  # noqa: PLC0415

        self.problems = [p.message for p in problems]
        more = len(problems) - 1
        extra = t("(另有 {n} 个问题;运行 fazhi check 查看全部)", " (and {n} more; fazhi check lists them all)",
                  n=more) if more else ""
        super().__init__(self.problems[0] + extra)


class LedgerError(FazhiError):
    """A progress file cannot be read or written."""


class LockTimeout(LedgerError):
    """Another process held a progress file's lock for too long."""
