"""Reading files that may be hostile: regular files only, never more than a limit.

Every file fazhi reads may have arrived from elsewhere (a mailed ledger, a
plan from another district, a cache entry, an evidence path). A FIFO would
hang the reader, a device such as /dev/zero would never end, and a symlink
may point anywhere. So a file is opened without blocking, checked to be a
regular file on the open descriptor (not by name, which could be swapped),
and read for at most the size it had when opened, which must be within the
caller's limit. Files in /proc report size 0 and are read as empty instead of
blocking.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterator

from .i18n import t

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


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
