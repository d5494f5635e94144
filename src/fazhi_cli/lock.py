"""One writer at a time in a data folder: a lock on the progress folder itself.

Every command that writes (mark, attach, undo, import) holds this lock from
its last check to its last byte. On POSIX the lock is flock(2) on the folder's
own descriptor, so no lock file is ever created or left behind, and the kernel
releases it when a writer dies. Windows cannot open a folder as a file, so
there a hidden ``.lock`` file inside the folder is locked with msvcrt.

Writes are short (one line per event, one fsync), so one lock for the whole
folder costs nothing in practice and makes a multi-file import atomic with
respect to every other writer. The standard library is enough: filelock's
import alone cost ~38 ms of every `mark`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .errors import LedgerError, LockTimeout
from .i18n import t

DEFAULT_TIMEOUT = 10.0
_POLL = 0.05


def lock_timeout() -> float:
    return env_seconds("FAZHI_LOCK_TIMEOUT", DEFAULT_TIMEOUT, 0.0)


def env_seconds(name: str, default: float, low: float, high: float = 3600.0) -> float:
    """Seconds from an environment variable, held between ``low`` and ``high``; the default when it is unset,
    empty, not a number or NaN."""
    raw = os.environ.get(name, "")
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return min(max(low, value), high) if value == value else default  # NaN -> default


class FolderLock:
    """``with FolderLock(folder):`` holds the folder's write lock (the folder must exist)."""

    def __init__(self, folder: Path, timeout: float | None = None, *, name: str | None = None) -> None:
        self.folder = folder
        self.timeout = lock_timeout() if timeout is None else timeout
        self.name = name or str(folder)  # what the timeout message names
        self._fd: int | None = None

    def __enter__(self) -> "FolderLock":
        try:
            self._fd = _open(self.folder)
        except OSError as e:
            raise LedgerError(t("{p}: 无法加锁({e})", "{p}: cannot be locked ({e})",
                                p=self.folder, e=e.strerror or e)) from None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                _try_lock(self._fd)
                return self
            except BlockingIOError:
                pass
            except OSError as e:
                if not _busy(e):
                    self._close()
                    raise LedgerError(t("{p}: 无法加锁({e})", "{p}: cannot be locked ({e})",
                                        p=self.folder, e=e.strerror or e)) from None
            if time.monotonic() >= deadline:
                self._close()
                raise LockTimeout(t("{p}: 文件被其他程序锁定,等待 {s:g} 秒后放弃;请稍后再试",
                                    "{p}: locked by another process; gave up after {s:g} s, try again later",
                                    p=self.name, s=self.timeout))
            time.sleep(_POLL)

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            try:
                _unlock(self._fd)
            except OSError:
                pass
            self._close()

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _open(folder: Path) -> int:
        return os.open(folder / ".lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)

    def _try_lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    def _busy(e: OSError) -> bool:
        return e.errno in (13, 36)  # EACCES / EDEADLOCK: held by another process
else:
    import fcntl

    def _open(folder: Path) -> int:
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    def _busy(e: OSError) -> bool:
        import errno  # noqa: PLC0415

        return e.errno in (errno.EAGAIN, errno.EACCES)
