"""Hostile inputs, family 5: odd file types in the data folder, and as evidence (the promise checked: catalogue.py).

The data folder, `progress`, a ledger, a journal and `evidence` (and a
stored copy, and a file given as evidence) as a FIFO, a device, a file, a
folder or a link.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Callable

from conftest import SOURCE
from hostile.catalogue import C1, ESC, OSC52, RLO, ROOT_USER, WRITERS, Call, Case, Ctx, calls, case, cases_of, judge


def pytest_generate_tests(metafunc):
    # the family is built below, after the test that runs it
    if "c" in metafunc.fixturenames:
        metafunc.parametrize("c,signed", cases_of("files", signed=True))


def test_hostile_input(c: Case, signed: bool, cli, variants, tmp_path):
    judge(c, cli, variants[signed], tmp_path)


# === 5. odd file types in the data folder, and as evidence ==========================

def _replace(path: Path, kind: str, ctx: Ctx) -> None:
    """Put something odd where a file or folder of the data folder is."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "file":
        path.write_bytes(b"not a folder\n")
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))   # what /dev/null is
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "link-elsewhere":
        elsewhere = ctx.root / "elsewhere"
        shutil.copytree(ctx.p.base / "progress", elsewhere)
        path.symlink_to(elsewhere / path.name if (elsewhere / path.name).exists() else elsewhere)
    else:
        path.symlink_to(kind)


def files_case(name: str, where: Callable[[Ctx], Path], kind: str, *commands: list) -> None:
    if kind == "device" and not ROOT_USER:
        return                                  # only root can make a device node
    process = kind in ("fifo", "device") or kind.startswith("/")
    for command in commands:
        def build(ctx, command=command):
            _replace(where(ctx), kind, ctx)
            return [Call(command, process=process)]
        case("files", f"{name}-{kind.strip('/').replace('/', '-')}-{command[0]}", posix=True)(build)


# a file outside every case's folder, not yet in the data folder's evidence
EVIDENCE = str(SOURCE)

for _kind in ("fifo", "file", "device", "/dev/null"):
    files_case("data-folder", lambda ctx: ctx.home, _kind, ["status"], ["log"], WRITERS["mark"])
files_case("data-folder", lambda ctx: ctx.home, "link-elsewhere", WRITERS["mark"], WRITERS["undo"],
           WRITERS["attach"])
for _kind in ("fifo", "file", "device"):
    files_case("progress-folder", lambda ctx: ctx.home / "progress", _kind, ["status"], WRITERS["mark"])
# a link is not followed: views note it and show nothing (exit 0), writers refuse it
for _kind in ("/dev/null", "loop", "link-elsewhere"):
    files_case("progress-folder", lambda ctx: ctx.home / "progress", _kind, WRITERS["mark"], WRITERS["undo"])
for _kind in ("fifo", "device", "folder", "loop", "/dev/zero", "/dev/null", "link-elsewhere"):
    files_case("ledger", lambda ctx: ctx.ledger(), _kind, WRITERS["mark"], WRITERS["undo"])
for _kind in ("fifo", "folder", "link-elsewhere"):
    files_case("ledger", lambda ctx: ctx.ledger(), _kind, WRITERS["attach"])
for _kind in ("fifo", "file", "loop", "/dev/null"):
    files_case("evidence-folder", lambda ctx: ctx.home / "evidence", _kind,
               ["mark", "7", "-u", "区法制办", "--on", "2017-12-01", "--evidence", EVIDENCE])
for _kind in ("fifo", "folder", "/dev/zero", "loop"):
    files_case("pending-import-journal", lambda ctx: ctx.home / "progress" / ".pending-import", _kind,
               ["status"], WRITERS["mark"])


def _stored_copy(kind: str):
    # the copy `mark --evidence EVIDENCE` would make is already there, and odd
    def build(ctx):
        import hashlib  # noqa: PLC0415

        sha = hashlib.sha256(Path(EVIDENCE).read_bytes()).hexdigest()
        if kind == "matching-link":     # a link to a file with the very same bytes, outside the folder
            ctx.file("same.txt", Path(EVIDENCE).read_bytes())
            (ctx.home / "evidence" / f"{sha}.txt").symlink_to(ctx.root / "same.txt")
        else:
            _replace(ctx.home / "evidence" / f"{sha}.txt", kind, ctx)
        return [Call(["mark", "7", "-u", "区法制办", "--on", "2017-12-01", "--evidence", EVIDENCE],
                     process=kind == "fifo")]
    return build


for _kind in ("fifo", "folder", "loop", "link-elsewhere", "matching-link"):
    case("files", f"stored-evidence-copy-{_kind}-mark", posix=True)(_stored_copy(_kind))


def _evidence_source(kind: str):
    def build(ctx):
        path = ctx.root / "证明.pdf"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(path)
        elif kind == "empty":
            path.write_bytes(b"")
        else:
            path = Path(kind)
        return [Call([*WRITERS["mark"], "--evidence", path], process=kind == "fifo" or kind.startswith("/")),
                ]
    return build


for _kind in ("/dev/zero", "/dev/null", "/dev/urandom", "fifo", "/proc/self/status", "folder", "loop", "empty"):
    case("files", f"evidence-{_kind.strip('/').replace('/', '-')}-mark", posix=True)(_evidence_source(_kind))
for _kind in ("/dev/zero", "fifo", "/proc/self/status"):
    def build(ctx, kind=_kind):
        call = _evidence_source(kind)(ctx)[0]
        return [Call(["attach", "7", "-u", "区法制办", *call.args[len(WRITERS["mark"]):]], process=call.process)]
    case("files", f"evidence-{_kind.strip('/').replace('/', '-')}-attach", posix=True)(build)


@case("files", "a-ledger-whose-name-has-escapes", "inert", posix=True)
def _(ctx):
    (ctx.home / "progress" / f"{OSC52}{ESC}{RLO}.jsonl").write_bytes(b'{"id": "' + C1.encode() + b'"}\n{\n')
    return calls(["status"], ["log", "-f", "plain"], ["check"], [*WRITERS["mark"]])
