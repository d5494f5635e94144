"""Reading files that may be hostile: regular files only, never more than a limit.

Every file fazhi reads may have arrived from elsewhere (a mailed ledger, a
plan from another district, a cache entry, an evidence path). A FIFO would
hang the reader, a device such as /dev/zero would never end, and a symlink
may point anywhere. So a file is opened without blocking, checked to be a
regular file on the open descriptor (not by name, which could be swapped),
and read for at most the size it had when opened, which must be within the
caller's limit. Files in /proc report size 0 and are read as empty instead of
blocking.

Files fazhi writes for people (views, reports, notices) are checked before
anything is computed (``check_target``, ``check_folder``) and written to a
temporary file in the same folder, flushed, then renamed over the target
(``write_atomic``): a reader never sees half a file and a failure leaves
nothing behind.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterator

from .errors import FazhiError, UsageError
from .i18n import t

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


# The folders no view, report, notice or plan may be written into: the data folder's progress/ and evidence/
Protected = Path | tuple[Path, ...] | None


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or a folder."""


class TooLarge(OSError):
    """The file is larger than the caller allows."""


class SymlinkRefused(OSError):
    """The path is a symbolic link and the caller reads only real files."""


def open_regular(path: str | os.PathLike[str], *, nofollow: bool = False) -> tuple[int, os.stat_result]:
    """An open read-only descriptor of a regular file, and its stat; the caller closes it."""
    flags = os.O_RDONLY | _O_NONBLOCK | _O_BINARY | (_O_NOFOLLOW if nofollow else 0)
    if nofollow and not _O_NOFOLLOW and os.path.islink(path):  # pragma: no cover - Windows
        raise SymlinkRefused(errno.ELOOP, t("是符号链接", "is a symbolic link"), str(path))
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if nofollow and e.errno in (errno.ELOOP, errno.EMLINK):
            raise SymlinkRefused(errno.ELOOP, t("是符号链接", "is a symbolic link"), str(path)) from None
        if e.errno == errno.EISDIR:
            raise NotRegularFile(e.errno, t("是文件夹,不是文件", "is a folder, not a file"), str(path)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = (t("是文件夹,不是文件", "is a folder, not a file") if stat.S_ISDIR(st.st_mode)
                    else t("不是普通文件(可能是管道或设备)", "is not a regular file (a pipe or a device?)"))
            raise NotRegularFile(errno.EINVAL, what, str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_regular(path: str | os.PathLike[str], limit: int, *, nofollow: bool = False) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises OSError (FileNotFoundError, PermissionError, …) or one of its
    subclasses above; ``strerror`` is written for users.
    """
    fd, st = open_regular(path, nofollow=nofollow)
    try:
        if st.st_size > limit:
            raise TooLarge(errno.EFBIG, t("文件过大({n} 字节,上限 {m} 字节)", "file too large ({n} bytes, at most {m})",
                                          n=st.st_size, m=limit), str(path))
        return read_span(fd, st.st_size)
    finally:
        os.close(fd)


def read_span(fd: int, size: int, start: int = 0) -> bytes:
    """Bytes ``start`` to ``size`` of an open file: never past ``size``, so a file that grows
    meanwhile (another writer appending) is read as it was."""
    return b"".join(span_chunks(fd, size, start))


def span_chunks(fd: int, size: int, start: int = 0, block: int = 1 << 24) -> Iterator[bytes]:
    """``read_span``'s bytes as they are read, ``block`` at a time (for a digest that need not hold them)."""
    start = min(start, size)
    if start:
        os.lseek(fd, start, os.SEEK_SET)
    left = size - start
    while left > 0:
        chunk = os.read(fd, min(left, block))
        if not chunk:
            break
        yield chunk
        left -= len(chunk)


def write_aside(path: Path, data: bytes) -> None:
    """Write ``data`` under a fresh name beside ``path``, flush it, then rename it into place:
    a reader, or a process killed half-way, never meets half a file. Raises OSError."""
    tmp = path.with_name(f"{path.name}.{os.urandom(8).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o644)
        try:
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, "short write")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def is_regular(path: Path) -> bool:
    """True for an existing regular file (symlinks followed), without opening it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


# --- files written for people: views, reports, notices ------------------------------

def check_target(path: Path, suffixes: tuple[str, ...], kind: str, protected: Protected,
                 option: str = "--output") -> Path:
    """Refuse an output file that cannot or must not be written; return it. Every command that writes a file
    for people (views, reports, notices, plans) asks this first.

    Its name must end in one of ``suffixes`` (so a slip cannot write a workbook
    over the plan or a ledger), its folder must exist and not be ``protected``,
    and if it exists it must be a regular file, which is then replaced.
    """
    o = f"{option} " if option else ""
    if path.suffix.lower() not in suffixes:
        raise UsageError(t("{o}{p}: {f} 格式的文件名应以 {s} 结尾", "{o}{p}: a {f} file name should end in {s}",
                           o=o, p=path, f=kind, s=t(" 或 ", " or ").join(suffixes) or "-"))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(t("{o}{p}: 文件夹 {d} 不存在", "{o}{p}: the folder {d} does not exist",
                           o=o, p=path, d=folder))
    if os.path.lexists(path) and (path.is_dir() or not path.is_file()):
        raise UsageError(t("{o}{p}: 已存在且不是普通文件", "{o}{p}: exists and is not a regular file",
                           o=o, p=path))
    _refuse_protected(folder, protected, o, path)
    return path


def check_folder(folder: Path, protected: Protected, option: str = "--output") -> Path:
    """A folder files may be written into: it exists, and it is not inside ``protected`` (progress/, evidence/)."""
    o = f"{option} " if option else ""
    if not folder.is_dir():
        raise UsageError(t("{o}{p}: 文件夹不存在", "{o}{p}: no such folder", o=o, p=folder))
    _refuse_protected(folder, protected, o, folder)
    return folder


def _refuse_protected(folder: Path, protected: Protected, o: str, shown: Path) -> None:
    where = folder.resolve()
    for inside in (protected if isinstance(protected, tuple) else (protected,)):
        if inside is None:
            continue
        inside = inside.resolve()
        if where == inside or inside in where.parents:
            raise UsageError(t("{o}{p}: 不能写入 {d}(进度记录和证明材料只由 fazhi 自己写入)",
                               "{o}{p}: refusing to write into {d} (records and evidence are written by fazhi alone)",
                               o=o, p=shown, d=inside))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: a temporary file in the same folder, flushed, then renamed."""
    stage([(path, data)]).finish()


class Staged:
    """Files written aside, each under a temporary name in its own folder and flushed: ``finish`` renames them
    into place, ``abort`` takes them away. What must not be recorded unless its files exist (the numbers of
    催办通知) is recorded between the two."""

    def __init__(self) -> None:
        self.done: list[tuple[str, Path]] = []
        self.paths: list[Path] = []          # every file staged, in order

    def add(self, path: Path, data: bytes) -> None:
        import tempfile  # noqa: PLC0415  only the commands that write a document need it

        if os.path.lexists(path) and not is_regular(path):
            raise FazhiError(t("{p}: 已存在且不是普通文件,无法写入", "{p}: exists and is not a regular file; cannot be written",
                               p=path))
        folder = path.parent if str(path.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as e:
            raise _unwritable(path, e) from None
        self.done.append((tmp, path))
        self.paths.append(path)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            try:
                os.chmod(tmp, path.stat().st_mode & 0o777 if path.is_file() else 0o666 & ~_umask())
            except OSError:
                pass
        except OSError as e:
            raise _unwritable(path, e) from None

    def finish(self) -> None:
        try:
            while self.done:
                tmp, path = self.done[0]
                try:
                    os.replace(tmp, path)
                except OSError as e:
                    raise _unwritable(path, e) from None
                self.done.pop(0)
        finally:
            self.abort()

    def abort(self) -> None:
        for tmp, _ in self.done:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        self.done = []


def stage(items: list[tuple[Path, bytes]]) -> Staged:
    """Write every file aside (see ``Staged``); on any failure take them all away again and raise."""
    staged = Staged()
    try:
        for path, data in items:
            staged.add(path, data)
    except BaseException:
        staged.abort()
        raise
    return staged


def _unwritable(path: Path, e: OSError) -> FazhiError:
    hint = t("(文件是否正被 Excel、WPS 或 Word 打开?)", " (is it open in Excel, WPS or Word?)") \
        if isinstance(e, PermissionError) else ""
    return FazhiError(t("{p}: 无法写入({e}){h}", "{p}: cannot be written ({e}){h}", p=path, e=e.strerror or e, h=hint))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
