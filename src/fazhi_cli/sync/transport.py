"""Moving commits between this PC's ``.sync/git`` and the remote, whatever the remote is.

Two kinds of link, one face (``fetch`` and ``push``):

* ``PathLink``: a bare repository on a path (the shared drive). fazhi reads
  and writes it directly, not through a git protocol: the head is read once
  and everything after works from that pinned commit, so a push by another
  PC meanwhile cannot make a fetch fail; only the commits after the ones
  this PC has are read (the cost follows what changed, not the history); a
  push writes one pack of the new objects and moves the branch with a
  compare-and-swap under git's own ref lock.
* ``NetLink``: HTTP(S), SSH and git://, through dulwich's clients; the pack
  it sends is the new commit's objects, found by comparing trees with the
  parent (never a walk of the history).

Every failure that comes from another PC's timing is raised as ``Busy``
(the remote moved, its ref lock is held, a pack was replaced by a repack or
``git gc`` while reading); ``run`` tries again within its time limit.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import LedgerError, UsageError
from ..i18n import t
from . import tree
from .remote import Remote
from .packs import tidy
from .tree import MAIN, Damaged

STALE_LOCK = 10.0          # seconds: git holds a ref lock for milliseconds; one this old was left by a killed process
MAX_TREE_DEPTH = 3


VANISHED_TRIES = 8      # looks again after another PC's repack; each repack needs a push, so few in a row


class Busy(Exception):
    """Another PC's timing: the remote moved, is locked by a live sync, or repacked under us; try again."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


# --- the objects a commit adds ---------------------------------------------------

def new_objects(store: Any, head: bytes, known: Callable[[bytes], bool]) -> list[Any]:
    """The objects of ``head``'s history that a store lacks, given which commits it has.

    Walks back from ``head`` only until commits the other side has (for
    fazhi's linear history: the commits since the last sync), and for each
    new commit takes the tree entries that differ from its first parent's.
    """
    out: list[Any] = []
    seen: set[bytes] = set()
    stack = [head]
    while stack:
        sha = stack.pop()
        if sha in seen or known(sha):
            continue
        seen.add(sha)
        c = tree.get(store, sha, "commit")
        if c.type_name != b"commit":
            raise not_a_commit(sha, c) if sha == head else \
                Damaged(t("{s} 不是提交", "{s} is not a commit", s=tree.short(sha)))
        out.append(c)
        parent_tree = None
        if c.parents:
            p = c.parents[0]
            if p in store:
                parent_tree = tree.get(store, p, "commit").tree
        _tree_diff(store, c.tree, parent_tree, seen, out, 0)
        stack.extend(c.parents)
    return out


def not_a_commit(sha: bytes, obj: Any) -> Damaged:
    kind = obj.type_name.decode("ascii", "replace")
    return Damaged(t("远端的 main 分支指向 {s},它是 {k} 而不是提交(有人用 git 改动了 refs/heads/main);"
                     "请在远端把它恢复为最后一次同步的提交;未做任何改动",
                     "the remote's main branch names {s}, a {k}, not a commit (someone changed refs/heads/main with "
                     "git); put it back to the last synced commit on the remote; nothing was changed",
                     s=tree.short(sha), k=kind))


def _tree_diff(store: Any, sha: bytes, old: bytes | None, seen: set[bytes], out: list[Any], depth: int) -> None:
    if sha == old or sha in seen:
        return
    seen.add(sha)
    obj = tree.get(store, sha, "tree")
    out.append(obj)
    if obj.type_name != b"tree" or depth >= MAX_TREE_DEPTH:
        return
    before: dict[bytes, tuple[int, bytes]] = {}
    if old is not None:
        prev = tree.get(store, old, "tree")
        if prev.type_name == b"tree":
            before = {e.path: (e.mode, e.sha) for e in prev.items()}
    for e in obj.items():
        was = before.get(e.path)
        if was is not None and was[1] == e.sha:
            continue
        if e.mode == 0o040000:
            _tree_diff(store, e.sha, was[1] if was and was[0] == 0o040000 else None, seen, out, depth + 1)
        elif e.mode != 0o160000 and e.sha not in seen:      # a submodule names a commit elsewhere
            seen.add(e.sha)
            out.append(tree.get(store, e.sha, e.path.decode("utf-8", "replace")))


# --- the shared drive --------------------------------------------------------------

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
                raise tree.Vanished(t("远端 {r} 的仓库正被另一台电脑整理,请稍后再同步",
                                      "the remote {r} is being repacked by another PC; sync again in a moment",
                                      r=self.remote.shown)) from None
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise LedgerError(t("远端 {r} 所在的磁盘已满,无法写入;请清理共享盘后再同步;本机未做任何改动",
                                    "the disk of the remote {r} is full; free space on the shared drive and sync "
                                    "again; nothing was changed here", r=self.remote.shown)) from None
            raise remotes.unreachable(self.remote, e.strerror or e) from None
        except Exception as e:  # noqa: BLE001 - zlib, checksum and pack errors: the remote's objects do not read
            if tree.vanished(e):        # a pack another PC's repack removed: the caller looks again
                raise tree.Vanished(t("远端 {r} 的仓库正被另一台电脑整理,请稍后再同步",
                                      "the remote {r} is being repacked by another PC; sync again in a moment",
                                      r=self.remote.shown)) from None
            raise Damaged(t("远端 {r} 的仓库已损坏,无法读取({e});未做任何改动",
                            "the remote {r} is damaged and cannot be read ({e}); nothing was changed",
                            r=self.remote.shown, e=type(e).__name__)) from None

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
            _store(local, objects)
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
            _store(remote_store, objects)
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
    _store(target, loose)


def _store(store: Any, objects: list[Any]) -> None:
    if objects:
        store.add_objects([(o, None) for o in objects])


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


# --- a git server ---------------------------------------------------------------------

class NetLink:
    """HTTP(S), SSH or git://, through dulwich's client."""

    def __init__(self, remote: Remote) -> None:
        from . import remote as remotes  # noqa: PLC0415

        self.remote = remote
        self.client, self.path = remotes.client(remote)

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001 - closing a connection must not hide the result
            pass

    def fetch(self, repo: Any) -> bytes | None:
        from dulwich.client import HTTPUnauthorized  # noqa: PLC0415
        from dulwich.errors import GitProtocolError, HangupException, NotGitRepository  # noqa: PLC0415

        from . import remote as remotes  # noqa: PLC0415

        remote = self.remote
        pinned: dict[str, Any] = {}

        def wants(refs: dict, depth: Any = None, **_: Any) -> list[bytes]:
            pinned["refs"] = refs           # what the objects are fetched for: the refs seen here, not read again
            sha = refs.get(MAIN)
            return [sha] if sha and sha not in repo.object_store else []

        try:
            _released(self.client.fetch, self.path, repo, determine_wants=wants, depth=None)
        except NotGitRepository:
            raise UsageError(t("远端 {r} 不是 git 仓库;可用 fazhi sync --init-remote 在共享盘上新建",
                               "the remote {r} is not a git repository; fazhi sync --init-remote creates one on a "
                               "shared drive", r=remote.shown)) from None
        except HTTPUnauthorized:
            raise LedgerError(t("远端 {r} 要求用户名和密码:请在地址中写一次(https://用户名:密码@…,不会保存),"
                                "或写入 git 凭据文件 ~/.git-credentials;未做任何改动",
                                "the remote {r} asks for a user name and password: type them in the address once "
                                "(https://user:password@…, never stored) or put them in git's credential store "
                                "~/.git-credentials; nothing was changed", r=remote.shown)) from None
        except (HangupException, GitProtocolError, OSError, EOFError) as e:
            if isinstance(e, LedgerError | UsageError):
                raise
            if isinstance(e, GitProtocolError) and "invalid object" in str(e):
                raise Busy("moved") from None       # the head advertised moved on before the objects were asked for
            if isinstance(e, GitProtocolError) and "unexpected http resp 5" in str(e):
                raise Busy(remotes.reason(remote, e)) from None    # a server error under load: tried again
            raise remotes.unreachable(remote, e) from None
        except (LedgerError, UsageError, Busy):
            raise
        except KeyError as e:
            raise Damaged(t("远端 {r} 的历史不完整(浅克隆或已损坏的仓库,缺少对象 {o});未做任何改动",
                            "the remote {r} has an incomplete history (a shallow or damaged repository: object {o} is "
                            "missing); nothing was changed", r=remote.shown, o=_object_name(e))) from None
        except Exception as e:  # noqa: BLE001 - zlib, checksum and pack errors: the remote's objects do not read
            raise Damaged(t("远端 {r} 的仓库已损坏,无法读取({e});未做任何改动",
                            "the remote {r} is damaged and cannot be read ({e}); nothing was changed",
                            r=remote.shown, e=type(e).__name__)) from None
        refs = pinned.get("refs") or {}
        head = refs.get(MAIN)
        if head is None and any(k.startswith(b"refs/heads/") for k in refs):
            raise UsageError(t("远端 {r} 不是 fazhi 的同步仓库(没有 main 分支);未合并任何内容",
                               "the remote {r} is not a fazhi repository (it has no main branch); nothing was merged",
                               r=remote.shown))
        return head

    def push(self, repo: Any, old: bytes | None, new: bytes) -> None:
        from dulwich.client import HTTPUnauthorized  # noqa: PLC0415
        from dulwich.errors import GitProtocolError, HangupException  # noqa: PLC0415
        from dulwich.pack import pack_objects_to_data  # noqa: PLC0415

        from . import remote as remotes  # noqa: PLC0415

        moved = False

        def update(refs: dict) -> dict:
            nonlocal moved
            if refs.get(MAIN) != old:
                moved = True
                return {}
            return {MAIN: new}

        def pack(have: Any, want: Any, **_: Any) -> tuple[int, Iterator[Any]]:
            haves = set(have)
            objects = new_objects(repo.object_store, new, lambda s: s in haves)
            return pack_objects_to_data([(o, None) for o in objects])

        try:
            result = _released(self.client.send_pack, self.path, update, pack)
        except HTTPUnauthorized:
            raise LedgerError(t("远端 {r} 拒绝写入:用户名或密码不对,或没有写权限;本机已核对的内容未改动",
                                "the remote {r} refuses the push: wrong user name or password, or no right to write; "
                                "nothing was changed here", r=self.remote.shown)) from None
        except (HangupException, GitProtocolError, OSError, EOFError) as e:
            # the server answered the fetch a moment ago: a push it fails mid-way (its ref lock taken by
            # another PC, a restart) is tried again; whether it landed, the next fetch shows
            raise Busy(remotes.reason(self.remote, e)) from None
        if moved:
            raise Busy("moved")
        status = getattr(result, "ref_status", None) or {}
        if MAIN not in status:
            raise Busy("unconfirmed")       # no report that main moved: never assume it did
        if status.get(MAIN):
            raise Busy(str(status.get(MAIN)))
        # a server may report success for an update it then lost (a crash after its answer, a ref lock taken
        # by another request): this PC moves its own main only to a head the server shows
        try:
            refs = _released(self.client.get_refs, self.path)
            refs = getattr(refs, "refs", refs)
        except (HangupException, GitProtocolError, OSError, EOFError) as e:
            raise Busy(remotes.reason(self.remote, e)) from None
        if refs.get(MAIN) != new:
            raise Busy("unconfirmed")


def _object_name(e: KeyError) -> str:
    name = e.args[0] if e.args else ""
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    return str(name)[:10] or "?"


def _released(work: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """A call into dulwich's client whose failure lets go of its connection at once: the error's frames hold
    the unclosed protocol (an ssh that exited at once), which Python would otherwise free only while shutting
    down, printing "Exception ignored … Traceback" below the one line."""
    import gc  # noqa: PLC0415
    import traceback  # noqa: PLC0415

    try:
        return work(*args, **kw)
    except BaseException as e:
        seen, cause = set(), e
        while cause is not None and id(cause) not in seen:     # the error and those it was raised from
            seen.add(id(cause))
            traceback.clear_frames(cause.__traceback__)
            cause = cause.__cause__ or cause.__context__
        gc.collect()            # the protocol sits in a reference cycle: freed now, while Python still runs
        raise


def link(remote: Remote) -> PathLink | NetLink:
    return PathLink(remote) if remote.kind == "local" else NetLink(remote)
