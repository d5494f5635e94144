"""The shared drive: a bare repository on a path, read and written directly (see ``transport`` for the way the
two kinds of link share one face)."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Any

from ..errors import LedgerError, UsageError
from ..i18n import t
from . import tree
from .objects import Busy, new_objects, store_objects
from .packs import tidy
from .remote import Remote
from .tree import MAIN, Damaged

STALE_LOCK = 10.0          # seconds: git holds a ref lock for milliseconds; one this old was left by a killed process
VANISHED_TRIES = 8         # looks again after another PC's repack; each repack needs a push, so few in a row


class PathLink:
    """A bare repository on a path, read and written directly."""

    def __init__(self, remote: Remote) -> None:
        self.remote = remote

    def close(self) -> None:
        pass

    def _open(self) -> Any:
        from dulwich.errors import NotGitRepository  # noqa: PLC0415
        from dulwich.repo import Repo  # noqa: PLC0415

        from . import remote as remotes  # noqa: PLC0415

        try:
            return Repo(self.remote.target)
        except NotGitRepository:
            raise UsageError(t("远端 {r} 不是 git 仓库;可用 fazhi sync --init-remote 在共享盘上新建",
                               "the remote {r} is not a git repository; fazhi sync --init-remote creates one on a "
                               "shared drive", r=self.remote.shown)) from None
        except OSError as e:
            raise remotes.unreachable(self.remote, e.strerror or e) from None

    def fetch(self, repo: Any) -> bytes | None:
        """The remote's head (read once), its new objects now in the local store; None for an empty remote."""
        return self._guarded(self._fetch, repo)

    def push(self, repo: Any, old: bytes | None, new: bytes) -> None:
        """Move the remote's main from ``old`` to ``new``; Busy when it had moved or is locked."""
        self._guarded(self._push, repo, old, new)

    def _guarded(self, work: Any, *args: Any) -> Any:
        """``work`` on a freshly opened repository, again when another PC's repack removed a pack it had listed.

        Git looks again in that case too: the objects are all still there, in the merged pack.
        """
        for attempt in range(VANISHED_TRIES):
            try:
                return self._once(work, *args)
            except tree.Vanished:
                if attempt == VANISHED_TRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _once(self, work: Any, *args: Any) -> Any:
        from ..errors import FazhiError  # noqa: PLC0415

        try:
            return work(*args)
        except (FazhiError, Busy):
            raise
        except OSError as e:
            from . import remote as remotes  # noqa: PLC0415

            if isinstance(e, FileNotFoundError) and "pack" in os.path.basename(os.fsdecode(e.filename or "")):
                raise self._vanished() from None
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise LedgerError(t("远端 {r} 所在的磁盘已满,无法写入;请清理共享盘后再同步;本机未做任何改动",
                                    "the disk of the remote {r} is full; free space on the shared drive and sync "
                                    "again; nothing was changed here", r=self.remote.shown)) from None
            raise remotes.unreachable(self.remote, e.strerror or e) from None
        except Exception as e:  # noqa: BLE001 - zlib, checksum and pack errors: the remote's objects do not read
            if tree.vanished(e):        # a pack another PC's repack removed: the caller looks again
                raise self._vanished() from None
            raise Damaged(t("远端 {r} 的仓库已损坏,无法读取({e});未做任何改动",
                            "the remote {r} is damaged and cannot be read ({e}); nothing was changed",
                            r=self.remote.shown, e=type(e).__name__)) from None

    def _vanished(self) -> Any:
        return tree.Vanished(t("远端 {r} 的仓库正被另一台电脑整理,请稍后再同步",
                               "the remote {r} is being repacked by another PC; sync again in a moment", r=self.remote.shown))

    def _fetch(self, repo: Any) -> bytes | None:
        r = self._open()
        try:
            head = read_main(r, self.remote)
            if head is None:
                _claim_head(r)
                return None
            local = repo.object_store
            if head not in local and not local.packs:
                _copy_packs(r.object_store, local)      # a new PC: the packs as they are, deltas and all
            try:
                objects = new_objects(r.object_store, head, lambda s: s in local)
            except Damaged:
                # a repack or `git gc` may have replaced the packs we had listed: look again once
                _close(r)
                r = self._open()
                objects = new_objects(r.object_store, head, lambda s: s in local)
            store_objects(local, objects)
            return head
        finally:
            _close(r)

    def _push(self, repo: Any, old: bytes | None, new: bytes) -> None:
        from dulwich.file import FileLocked  # noqa: PLC0415

        r = self._open()
        try:
            current = read_main(r, self.remote)
            if current != old:
                raise Busy("moved")
            remote_store = r.object_store
            objects = new_objects(repo.object_store, new, lambda s: s in remote_store)
            store_objects(remote_store, objects)
            try:
                done = r.refs.set_if_equals(MAIN, old, new) if old else r.refs.add_if_new(MAIN, new)
            except FileLocked:
                if clear_stale_lock(Path(self.remote.target) / "refs" / "heads" / "main.lock"):
                    raise Busy("stale lock cleared") from None
                raise Busy("locked") from None
            if not done:
                raise Busy("moved")
            _claim_head(r)
            tidy(remote_store)
        finally:
            _close(r)


def _close(r: Any) -> None:
    try:
        r.close()
    except Exception:  # noqa: BLE001 - a damaged pack may refuse to unmap; what was read is what counts
        pass


def read_main(r: Any, remote: Remote) -> bytes | None:
    """The remote's main as a commit id, or None; a main that names anything but a commit is one clear line."""
    try:
        sha = r.refs.read_ref(MAIN)
    except OSError as e:
        from . import remote as remotes  # noqa: PLC0415

        raise remotes.unreachable(remote, e.strerror or e) from None
    if sha is None:
        if any(k.startswith(b"refs/heads/") for k in r.refs.allkeys()):
            return _other_branch(r, remote)
        return None
    if sha.startswith(b"ref: ") or len(sha) != 40:
        raise Damaged(t("远端 {r} 的 main 分支不是一个提交;请在远端核对 refs/heads/main;未做任何改动",
                        "the remote {r}'s main branch does not name a commit; check refs/heads/main there; "
                        "nothing was changed", r=remote.shown))
    return sha


def _other_branch(r: Any, remote: Remote) -> bytes | None:
    raise UsageError(t("远端 {r} 不是 fazhi 的同步仓库(没有 main 分支);未合并任何内容",
                       "the remote {r} is not a fazhi repository (it has no main branch); nothing was merged",
                       r=remote.shown))


def _claim_head(r: Any) -> None:
    """A repository made with plain `git init --bare` names master as HEAD: point HEAD at the branch fazhi writes.

    Only while HEAD names a branch that does not exist (an unborn HEAD), so a
    clone checks out the record instead of nothing.
    """
    try:
        target = r.refs.read_ref(b"HEAD")
        if target and target.startswith(b"ref: refs/heads/") and target[5:] != MAIN \
                and r.refs.read_ref(target[5:]) is None:
            r.refs.set_symbolic_ref(b"HEAD", MAIN)
    except Exception:  # noqa: BLE001 - HEAD is a courtesy to git users; the sync does not depend on it
        pass


def _copy_packs(source: Any, target: Any) -> None:
    """Copy every complete pack of the remote into an empty local store (then only loose objects are left to
    read one by one). A pack removed meanwhile by a repack elsewhere is simply not copied."""
    import shutil  # noqa: PLC0415

    folder = Path(source.pack_dir)
    dest = Path(target.pack_dir)
    dest.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in folder.iterdir()}
    for name in sorted(names):
        if not name.endswith(".pack") or name[:-5] + ".idx" not in names:
            continue
        stem = name[:-5]
        try:
            for ext in (".pack", ".idx"):            # the index last: a pack counts once its index is there
                tmp = dest / f"tmp-{os.getpid()}-{stem}{ext}"
                shutil.copyfile(folder / (stem + ext), tmp)
                os.replace(tmp, dest / (stem + ext))
        except FileNotFoundError:
            for ext in (".pack", ".idx"):
                for leftover in (dest / f"tmp-{os.getpid()}-{stem}{ext}", dest / (stem + ext)):
                    try:
                        leftover.unlink()
                    except OSError:
                        pass
    try:
        target._update_pack_cache()  # noqa: SLF001 - dulwich's own rescan
    except Exception:  # noqa: BLE001 - the next read rescans anyway
        pass
    # objects real git left loose (a push by hand), so that what is here is whole history, as a walk assumes
    loose = []
    for sha in source._iter_loose_objects():  # noqa: SLF001 - dulwich has no public listing of loose objects
        if sha not in target:
            try:
                loose.append(source[sha])
            except KeyError:
                continue        # packed or pruned meanwhile by a gc elsewhere: then it is in a pack we copied
    store_objects(target, loose)




def clear_stale_lock(lock: Path, age: float = STALE_LOCK) -> bool:
    """Remove a ref lock left by a killed process: one older than ``age`` seconds. True when one was removed.

    The lock is first renamed to a name of our own, so that a lock another
    sync takes at the same moment is never the one removed: if what we
    renamed turns out to be fresh, it is put back.
    """
    try:
        st = os.lstat(lock)
    except OSError:
        return False
    if time.time() - st.st_mtime < age:
        return False
    aside = lock.with_name(f"{lock.name}.stale-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(lock, aside)
    except OSError:
        return False
    try:
        moved = os.lstat(aside)
        if (moved.st_ino, moved.st_mtime) != (st.st_ino, st.st_mtime) and time.time() - moved.st_mtime < age:
            try:
                os.link(aside, lock)          # not ours to clear: give it back (fails if a new lock exists)
            except OSError:
                pass
            os.unlink(aside)
            return False
        os.unlink(aside)
    except OSError:
        pass
    return True
