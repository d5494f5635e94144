"""The start-up tricks: build only the command a run names, and end the process without tearing it down."""

import os
import sys
from typing import Any

from .app import app, name_of


def leave_now(code: Any) -> None:
    """End the process at once, with ``code``, when nothing is left to do.

    Tearing the interpreter down (every module and object freed one by one)
    costs ~8 % of a `fazhi status`. Everything fazhi writes is flushed and
    synced before a command returns; so unless something registered an
    atexit handler or started a thread, or the output cannot be flushed, the
    process ends here with the same output and exit status.
    """
    import atexit  # noqa: PLC0415
    import threading  # noqa: PLC0415

    code = 0 if code is None else code
    if type(code) is not int or threading.active_count() != 1 or getattr(atexit, "_ncallbacks", lambda: 1)():
        return
    try:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return          # the interpreter's own exit reports it as it always has
    os._exit(code)


def only_the_command_asked_for(args: list[str]) -> None:
    """Register only the command the line names, when it plainly names one.

    Typer builds the Click parameters of every registered command on every
    run, whichever is invoked: each command and option costs start-up time
    for all the others. A run of `fazhi status` needs only `status`. Help,
    completion, the version and anything unusual get the full set.
    """
    if os.environ.get("_FAZHI_COMPLETE"):
        return
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--lang":
            i += 2
        elif word.startswith("--lang="):
            i += 1
        elif word in ("--help", "-h") and i == len(args) - 1:
            names_and_help_only()
            return
        elif word.startswith("-"):
            return
        else:
            chosen = [c for c in app.registered_commands if name_of(c) == word]
            if len(chosen) == 1:
                app.registered_commands[:] = chosen
                app.registered_groups[:] = []       # a group's commands would be built too (`fazhi keys …`)
            elif any(g.name == word or getattr(g.typer_instance.info, "name", None) == word
                     for g in app.registered_groups):
                app.registered_commands[:] = []      # a group (`fazhi keys init`): its commands only
            return
    names_and_help_only()       # a bare `fazhi` prints the help too


def names_and_help_only() -> None:
    """For `fazhi --help`: every command by its name and help alone, without building its parameters.

    The list of commands shows each one's name and the first line of its
    help, nothing of its options; Typer would build them all the same.
    """
    import copy  # noqa: PLC0415

    stand_ins = []
    for info in app.registered_commands:
        def stub() -> None:  # never called: the help is printed and the run ends
            raise AssertionError("a command registered for help only was run")

        stub.__name__ = info.callback.__name__
        stand_in = copy.copy(info)   # the registered command itself stays whole
        stand_in.callback = stub
        stand_ins.append(stand_in)
    app.registered_commands[:] = stand_ins
    for group in app.registered_groups:     # a group listed by its name and help: its commands are not built
        sub = group.typer_instance
        if sub is not None and sub.registered_commands:
            shown = copy.copy(sub)
            shown.registered_commands = [copy.copy(sub.registered_commands[0])]
            shown.registered_commands[0].callback = stand_ins[0].callback if stand_ins else None
            group.typer_instance = shown
