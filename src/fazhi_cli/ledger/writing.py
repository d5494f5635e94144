"""The transactional writer: appends whole lines under the folder's lock, recovers what a crash left."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Iterable

from .. import dates
from ..errors import LedgerError
from ..files import write_aside
from ..i18n import t
from ..plan import Plan
from .evidence import evidence_dir, store_blob
from .journal import journal_names, pending_import, replaceable
from .layout import ledger_path, progress_dir
from .model import JOURNAL, STAGED, SYNC_JOURNAL, new_id

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)

# --- writing ----------------------------------------------------------------

def new_event(plan: Plan, *, target: str, unit: str, state: str | None, on: str, by: str, cmd: str,
              note: str = "", evidence: list | None = None, revokes: str | None = None,
              kind: str | None = None, **act: object) -> dict:
    event = {
        "id": new_id(),
        "type": kind or ("revoke" if revokes else "mark"),
        "plan": plan.key,
        "part": target,
        "unit": unit,
        "on": on,
        "note": note,
        "evidence": evidence or [],
        "by": by,
        "recorded_at": dates.now().isoformat(timespec="microseconds"),
        "cmd": cmd,
    }
    if revokes:
        event["revokes"] = revokes
    elif event["type"] == "mark":
        event["state"] = state
    event.update((k, v) for k, v in act.items() if v is not None and v != "")
    return event


def encode(events: Iterable[dict]) -> bytes:
    return b"".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for e in events)


class Writing:
    """``with Writing(root) as w``: the data folder's write lock, and appends that all land or none.

    Folders created for a write that then fails are removed again, so a
    refused or failed command leaves nothing behind.
    """

    def __init__(self, root: Path, timeout: float | None = None) -> None:
        self.root = root
        self.folder = progress_dir(root)
        self.timeout = timeout
        self._created: list[Path] = []
        self._lock = None
        self._sizes: dict[Path, int | None] = {}   # size before our first write; None if we created it
        self._blobs: list[Path] = []
        self._journal: Path | None = None

    def __enter__(self) -> "Writing":
        from ..lock import FolderLock  # noqa: PLC0415

        for folder in (self.root, self.folder):
            if folder.is_symlink():
                raise LedgerError(t("{p}: 是符号链接,拒绝写入", "{p}: is a symbolic link; refusing to write", p=folder))
            if not folder.exists():
                try:
                    folder.mkdir()
                except FileNotFoundError:
                    try:
                        folder.mkdir(parents=True)
                    except OSError as e:
                        self._cleanup()
                        raise LedgerError(t("{p}: 无法创建数据文件夹({e})", "{p}: cannot create the data folder ({e})",
                                            p=folder, e=e.strerror or e)) from None
                except OSError as e:
                    self._cleanup()
                    raise LedgerError(t("{p}: 无法创建数据文件夹({e})", "{p}: cannot create the data folder ({e})",
                                        p=folder, e=e.strerror or e)) from None
                self._created.append(folder)
        self._lock = FolderLock(self.folder, self.timeout)
        try:
            self._lock.__enter__()
        except BaseException:
            self._lock = None
            self._cleanup()
            raise
        try:
            recover(self.root)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None:
            self.rollback()
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None
        if kind is not None:
            self._cleanup()

    def _cleanup(self) -> None:
        for folder in reversed(self._created):
            try:
                folder.rmdir()  # only if still empty
            except OSError:
                pass
        self._created = []

    def append(self, unit: str, events: Iterable[dict]) -> None:
        payload = encode(events)
        if payload:
            self.append_bytes(ledger_path(self.root, unit), payload)

    def append_bytes(self, path: Path, payload: bytes) -> None:
        before = append_bytes(path, payload)
        self._sizes.setdefault(path, before)

    def rollback(self) -> None:
        """Take back every byte this writer appended, and the evidence copies it made."""
        taken_back = all([truncate(path, size) for path, size in self._sizes.items()])
        self._sizes = {}
        if self._journal is not None and taken_back:
            # while a file could not be taken back, the journal stays: readers
            # keep ignoring the bytes and the next writer tries again
            try:
                self._journal.unlink()
            except OSError:
                pass
        self._journal = None
        for blob in self._blobs:
            try:
                blob.unlink()
            except OSError:
                pass
        self._blobs = []

    def store_evidence(self, source: Path, sha: str, name: str) -> None:
        folder = evidence_dir(self.root)
        fresh = not os.path.lexists(folder)
        try:
            blob = store_blob(self.root, source, sha, name)
        finally:
            # the evidence folder this write made goes again when the write fails, as the data folder
            # does (a refused copy on a full disk left an empty evidence/ behind)
            if fresh and folder not in self._created and folder.is_dir() and not folder.is_symlink():
                self._created.append(folder)
        if blob is not None:
            self._blobs.append(blob)

    def journal(self, units: Iterable[str]) -> Path:
        """Write down the units' files' sizes before a multi-file import (see ``recover``)."""
        sizes = {}
        for p in (ledger_path(self.root, u) for u in units):
            try:
                st = os.lstat(p)
                sizes[p.name] = st.st_size
            except FileNotFoundError:
                sizes[p.name] = -1
        path = self.folder / JOURNAL
        data = json.dumps(sizes, ensure_ascii=False).encode("utf-8")
        # written whole under another name, then renamed: a reader or a
        # later writer never meets half a journal, even after a kill
        try:
            write_aside(path, data)
        except OSError as e:
            raise LedgerError(t("{p}: 无法开始导入({e})", "{p}: cannot start the import ({e})",
                                p=path, e=e.strerror or e)) from None
        self._journal = path
        return path

    def commit(self) -> None:
        """The multi-file write is whole: readers may now see all of it."""
        if self._journal is not None:
            self._journal.unlink()
            self._journal = None

    def replace(self, contents: dict[str, bytes]) -> None:
        """Replace whole files of the progress folder (by name) together: all of them, even after a kill.

        Only a sync does this, and only to put lines in the order every PC
        has (see the sync package): each new file holds every line of the old.
        The new files are written aside, then a journal naming them is renamed
        into place (from then on they are the truth: readers read them, and
        the next writer finishes the job if this one is killed), then they
        are renamed over the old ones one by one.
        """
        if not contents:
            return
        stage = self.folder / STAGED
        for name in contents:
            target = self.folder / name
            if not replaceable(name) or target.parent != self.folder:
                raise LedgerError(t("{p}: 不能替换此文件", "{p}: this file cannot be replaced", p=target))
            try:
                st = os.lstat(target)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
                raise LedgerError(t("{p}: 不是普通文件或有多个硬链接,拒绝写入",
                                    "{p}: not a regular file, or it has several hard links; refusing to write", p=target))
        try:
            _remove_stage(stage)
            stage.mkdir()
            for name, data in contents.items():
                _write_new(stage / name, data)
        except OSError as e:
            _remove_stage(stage)
            raise LedgerError(t("{p}: 写入失败({e}),文件保持原样", "{p}: write failed ({e}); the files are unchanged",
                                p=stage, e=e.strerror or e)) from None
        journal = self.folder / SYNC_JOURNAL
        try:
            write_aside(journal, json.dumps(sorted(contents), ensure_ascii=False).encode("utf-8"))
        except OSError as e:
            _remove_stage(stage)
            raise LedgerError(t("{p}: 写入失败({e}),文件保持原样", "{p}: write failed ({e}); the files are unchanged",
                                p=journal, e=e.strerror or e)) from None
        try:
            _finish_replace(self.folder)
        except OSError as e:
            raise LedgerError(t("{p}: 同步的文件未能全部就位({e});下一次写入时会完成",
                                "{p}: not every synced file could be moved into place ({e}); the next write finishes it",
                                p=self.folder, e=e.strerror or e)) from None


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            if n <= 0:
                raise OSError(28, "short write")
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stage(stage: Path) -> None:
    if not os.path.lexists(stage):
        return
    if stage.is_symlink() or not stage.is_dir():
        stage.unlink()
        return
    for p in stage.iterdir():
        p.unlink()
    stage.rmdir()


def _finish_replace(folder: Path) -> None:
    """Move a decided sync's files into place (the journal says which), then forget it."""
    journal = folder / SYNC_JOURNAL
    stage = folder / STAGED
    for name in journal_names(journal):
        staged = stage / name
        if os.path.lexists(staged):
            os.replace(staged, folder / name)
    journal.unlink()
    try:
        _remove_stage(stage)
    except OSError:
        pass


def recover(root: Path) -> None:
    # An import appends to several files; before it starts it writes their
    # sizes down, and it removes that note when every file is written. A note
    # found here (under the lock) is an import that was killed: the bytes it
    # appended were never a committed record, and readers already ignore them,
    # so they are taken back before anything else is appended.
    folder = progress_dir(root)
    try:
        names = os.listdir(folder)     # one listing, no glob patterns to compile: every write passes here
    except OSError:
        names = []
    for name in names:
        # a journal a killed import or sync never finished writing
        if name.endswith(".tmp") and (name.startswith(JOURNAL + ".") or name.startswith(SYNC_JOURNAL + ".")):
            try:
                (folder / name).unlink()
            except OSError:
                pass
    if SYNC_JOURNAL in names:
        # a sync that had decided was killed while moving its files into
        # place: the decision stands, so the move is finished
        try:
            _finish_replace(folder)
        except OSError as e:
            raise LedgerError(t("{p}: 无法完成一次中断的同步({e});请检查数据文件夹的权限后重试",
                                "{p}: cannot finish an interrupted sync ({e}); check the data folder's permissions and retry",
                                p=folder / SYNC_JOURNAL, e=e.strerror or e)) from None
    elif STAGED in names:
        try:  # a sync killed before it decided: its files were never the truth
            _remove_stage(folder / STAGED)
        except OSError:
            pass
    sizes = pending_import(root)
    if not sizes:
        return
    whole = True
    for name, size in sizes.items():
        path = folder / name
        if path.parent != folder or not name.endswith(".jsonl") or path.is_symlink():
            continue
        whole = truncate(path, size if size >= 0 else None) and whole
    if not whole:
        raise LedgerError(t("{p}: 无法撤回一次中断的导入;请检查数据文件夹的权限后重试",
                            "{p}: cannot take back an interrupted import; check the data folder's permissions and retry",
                            p=folder / JOURNAL))
    (folder / JOURNAL).unlink()


def truncate(path: Path, size: int | None) -> bool:
    """Take a file back to its size before a write (None: the write created it); False if that failed."""
    try:
        if size is None:  # the writer created it: it goes again
            path.unlink()
            return True
        fd = os.open(path, os.O_RDWR | _O_NOFOLLOW | _O_BINARY)
        try:
            if os.fstat(fd).st_size > size:
                os.ftruncate(fd, size)
                os.fsync(fd)
        finally:
            os.close(fd)
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


def append_bytes(path: Path, payload: bytes) -> int | None:
    """Append whole lines in one write and flush them; return the size before (None: file created).

    A failed write is taken back, so the file holds what it held before.
    """
    existed = os.path.lexists(path)
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | _O_NOFOLLOW | _O_BINARY
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as e:
        if os.path.islink(path):
            raise LedgerError(t("{p}: 进度文件是符号链接,拒绝写入", "{p}: the progress file is a symbolic link; refusing to write",
                                p=path)) from None
        raise LedgerError(t("{p}: 无法打开进度文件({e})", "{p}: cannot open the progress file ({e})",
                            p=path, e=e.strerror or e)) from None
    size = 0
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
            raise LedgerError(t("{p}: 不是普通文件或有多个硬链接,拒绝写入",
                                "{p}: not a regular file, or it has several hard links; refusing to write", p=path))
        size = st.st_size
        if size:
            # Never glue a new line onto a torn one: start on a fresh line.
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                payload = b"\n" + payload
        written = os.write(fd, payload)
        if written != len(payload):
            raise OSError(28, "short write")
        os.fsync(fd)
    except OSError as e:
        # Take back whatever part of this write reached the file, so the bytes
        # that were there before are all that remain.
        try:
            os.ftruncate(fd, size)
        except OSError:
            pass
        os.close(fd)
        if not existed:
            truncate(path, None)
        raise LedgerError(t("{p}: 写入失败({e}),文件保持原样", "{p}: write failed ({e}); the file is unchanged",
                            p=path, e=e.strerror or e)) from None
    except BaseException:
        os.close(fd)
        if not existed:
            truncate(path, None)
        raise
    os.close(fd)
    return size if existed else None
