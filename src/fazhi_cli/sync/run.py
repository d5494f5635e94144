"""`fazhi sync`: commit this PC's new lines, fetch, check, merge, push, and bring the folder to the result.

One attempt, under the folder's sync lock:

1. fetch the remote's head R into ``.sync/git`` (nothing else changes yet);
2. check every commit since the head this folder last matched (``main``):
   the marker and plan, the shape, no synced line changed or removed, the
   evidence by hash; a history that does not contain ``main`` was rewritten;
3. under the data folder's write lock, read the unit files: each must still
   begin with its synced bytes (anything else is an edit outside fazhi);
   the lines after them are this PC's news; check R's new lines and the news
   against each other by the rules of ``fazhi import``; commit the news on
   top of R (one commit, whose message names the units and the records);
4. push it, if the remote has not moved meanwhile (else start again);
5. under the write lock again, rewrite each unit file as R's (or the new
   commit's) bytes followed by whatever this PC has that they lack, all files
   at once (``ledger.Writing.replace``), note when the new lines arrived, and
   only then move ``main``.

A kill at any point leaves both sides consistent: the remote's ref moves in
one step, the folder's files change together or not at all, and ``main``
moves last, so the next sync finds the folder still beginning with ``main``'s
bytes and carries on from there.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

from .. import ledger, record
from ..dates import now as china_now
from ..errors import FazhiError, LedgerError, UsageError
from ..i18n import t
from ..ledger import Event
from ..plan import Plan
from . import packs, tree
from .state import State, read_state, repo_dir, sync_dir
from .remote import Remote
from .tree import EMPTY, MAIN, Damaged, Folder, Refused

SERVER_ERRORS = 5                # a server failing this many times in a row is down, not busy
LISTED = 20                      # received records listed one by one; the rest are counted
UNITS_LISTED = 12                # units named with their counts on the sent and received lines; then the total
MESSAGE_LINES = 500              # records listed in a commit's message (a first sync of 100k records wrote them all)


def nothing() -> str:
    return t("未合并任何内容", "nothing was merged")


class Outcome(NamedTuple):
    lines: list[str]             # what was sent and received, for stdout
    notes: list[str]             # what the user should know, for stderr


class Extra(NamedTuple):
    """A line of a unit's file after its synced bytes."""

    number: int
    raw: bytes
    obj: Any
    event: Event | None          # None: not a record of this plan (a cut line, another plan's record)


class Local(NamedTuple):
    name: str                    # "区编办.jsonl"
    path: Path
    data: bytes
    base: bytes                  # the synced bytes it begins with
    extras: list[Extra]


class Decision(NamedTuple):
    target: bytes | None         # the commit the folder will match (None: nothing to match yet)
    pushed: bool                 # whether target is a new commit to push
    news: list[record.Incoming]  # this PC's records sent
    received: list[record.Incoming]
    notes: list[str]
    cited: dict[str, int] = {}   # evidence copies the remote's new records cite, with their recorded sizes


def sync(plan: Plan, root: Path, remote_text: str | None = None, *, init_remote: str | None = None,
         clock: datetime | None = None) -> Outcome:
    """Sync the data folder with its remote (remembered after the first time)."""
    from ..lock import FolderLock, lock_timeout  # noqa: PLC0415
    from . import remote as remotes  # noqa: PLC0415

    if remote_text and init_remote:
        raise UsageError(t("远端与 --init-remote 只能给一个", "give the remote or --init-remote, not both"))
    state = read_state(root)
    text = init_remote or remote_text or (state.remote if state else None) or _remembered(root)
    if not text:
        raise UsageError(t("尚未设置远端:第一次请写 fazhi sync 远端(共享盘上的仓库路径或服务器地址),"
                           "或用 fazhi sync --init-remote 路径 在共享盘上新建",
                           "no remote yet: the first time, give it (fazhi sync REMOTE: a repository on a shared drive or "
                           "a server's address), or create one on a shared drive with fazhi sync --init-remote PATH"))
    remote = remotes.parse(text)
    created: list[Path] = []
    made_remote: Path | None = None
    try:
        if init_remote:
            made_remote = remotes.init_bare(remote)
        else:
            remotes.check_local(remote)
        folder = sync_dir(root)
        for p in (root, folder):
            if p.is_symlink():
                raise LedgerError(t("{p}: 是符号链接,拒绝写入", "{p}: is a symbolic link; refusing to write", p=p))
            if not p.exists():
                try:
                    p.mkdir(parents=True)
                except OSError as e:
                    raise LedgerError(t("{p}: 无法创建文件夹({e})", "{p}: cannot create the folder ({e})",
                                        p=p, e=e.strerror or e)) from None
                created.append(p)
        with FolderLock(folder, lock_timeout(), name=str(folder)):
            repo = _open_repo(root, created)
            try:
                outcome = _sync(plan, root, remote, repo, state, clock)
            finally:
                try:
                    repo.close()
                except Exception:  # noqa: BLE001 - a damaged pack may refuse to unmap; the result stands
                    pass
        if made_remote is not None:
            outcome.lines.insert(0, t("已新建同步仓库: {p}", "created the repository: {p}", p=made_remote))
        created = []
        made_remote = None
        return outcome
    finally:
        if made_remote is not None and not _has_history(made_remote):
            _remove_tree(made_remote)      # created by this run, and nothing ever reached it
        if os.path.lexists(sync_dir(root) / ADDRESS):
            created = []                   # the remote was reached and a push begun: keep the address
        for p in reversed(created):
            _remove_tree(p)


def _has_history(path: Path) -> bool:
    from dulwich.repo import Repo  # noqa: PLC0415

    try:
        with Repo(str(path)) as r:
            return MAIN in r.refs
    except Exception:  # noqa: BLE001 - whatever it is, it is not a repository anybody used
        return False


def _remove_tree(path: Path) -> None:
    """Remove a folder this run created (and only such a folder)."""
    import shutil  # noqa: PLC0415

    shutil.rmtree(path, ignore_errors=True)


def _open_repo(root: Path, created: list[Path]) -> Any:
    from dulwich.errors import NotGitRepository  # noqa: PLC0415
    from dulwich.repo import Repo  # noqa: PLC0415

    path = repo_dir(root)
    _remove_unfinished(path)
    if not path.exists() or _never_used(path):
        from .remote import new_bare  # noqa: PLC0415

        # made aside and renamed into place, so that a sync killed meanwhile leaves no half-made repository
        aside = path.with_name(f"{path.name}{_UNFINISHED}{os.getpid()}")
        why = ""
        try:
            if path.exists():
                _remove_tree(path)          # what a killed 0.4.0 left: folders, no object, no ref
            repo, why = new_bare(aside, True)
            if repo is not None:
                repo.close()
                os.rename(aside, path)
        except OSError as e:
            repo, why = None, e.strerror or str(e)
        if repo is None:
            _remove_tree(aside)
            raise LedgerError(t("{p}: 无法新建同步仓库({e})", "{p}: cannot create the sync repository ({e})",
                                p=path, e=why))
        created.append(path)
        return Repo(str(path))
    try:
        return Repo(str(path))
    except NotGitRepository:
        raise Damaged(t("{p}: 本机的同步仓库已损坏;请检查此文件夹", "{p}: this PC's sync repository is damaged; check this folder",
                        p=path)) from None


_UNFINISHED = ".new-"


def _remove_unfinished(path: Path) -> None:
    """Repositories a killed sync began making aside (the folder lock is held: none is in use)."""
    try:
        for p in path.parent.iterdir():
            if p.name.startswith(path.name + _UNFINISHED) and p.is_dir() and not p.is_symlink():
                _remove_tree(p)
    except OSError:
        pass


def _never_used(path: Path) -> bool:
    """A folder that is not a repository and holds no object and no ref: a repository whose making was killed."""
    from dulwich.errors import NotGitRepository  # noqa: PLC0415
    from dulwich.repo import Repo  # noqa: PLC0415

    if path.is_symlink() or not path.is_dir():
        return False
    try:
        Repo(str(path)).close()
        return False
    except NotGitRepository:
        pass
    except Exception:  # noqa: BLE001 - something else is wrong with it: leave it to the damaged path
        return False
    for sub, _dirs, files in os.walk(path):
        rel = Path(sub).relative_to(path).parts
        if files and rel[:1] in (("objects",), ("refs",)) and rel[1:2] not in (("info",),):
            return False
    return True


def _sync(plan: Plan, root: Path, remote: Remote, repo: Any, state: State | None, clock: datetime | None) -> Outcome:
    """Attempts until one lands: another PC's timing is waited out, with backoff and jitter, for a bounded time."""
    from . import remote as remotes  # noqa: PLC0415
    from .objects import Busy  # noqa: PLC0415
    from .transport import link  # noqa: PLC0415

    until = time.monotonic() + remotes.deadline()
    _clear_local_lock(repo)
    tries = 0
    errors = 0               # server errors in a row: a few are load, many are a broken server
    why = ""
    way = remotes.bounded(lambda: link(remote), until, remote)
    kept, start = _pack_files(repo), _ref(repo)
    landed = False
    try:
        while True:
            tries += 1
            try:
                outcome = _attempt(plan, root, remote, repo, way, clock, until)
                landed = True
                return outcome
            except OSError as e:
                if isinstance(e, FazhiError) or not _ours(repo, e):
                    raise
                raise _local_write(repo, e) from None
            except Busy as e:
                why = e.why
                errors = 0 if why in ("moved", "locked", "stale lock cleared", "unconfirmed") else errors + 1
                if errors >= SERVER_ERRORS:
                    raise remotes.unreachable(remote, why) from None
            left = until - time.monotonic()
            # full jitter over a growing window: PCs that met once spread apart
            pause = random.uniform(0.05, min(2.0, 0.1 * 2 ** min(tries, 5)))
            if left <= pause + 0.5:
                break
            time.sleep(pause)
    finally:
        way.close()
        for name in {n for n in _pack_files(repo) - kept if n.startswith("tmp")}:
            try:                        # a fetch that failed on a full disk leaves its pack half written
                os.unlink(os.path.join(repo.object_store.pack_dir, name))
            except OSError:
                pass
        if not landed and _ref(repo) == start:
            _drop_fetched(repo, kept)
    raise LedgerError(t("远端在同步期间一再被其他电脑更新或锁定({w}),{n} 次尝试共 {s} 秒未能推送;"
                        "本机记录未丢失,请稍后再同步",
                        "the remote kept changing or stayed locked while syncing ({w}): {n} tries in {s} s did not "
                        "land; nothing is lost here; sync again shortly", w=_busy_reason(why), n=tries,
                        s=round(remotes.deadline())))


def _pack_files(repo: Any) -> set[str]:
    """The files of this PC's pack folder (dulwich writes a fetched pack as tmp*.pack, then renames it)."""
    try:
        return set(os.listdir(repo.object_store.pack_dir))
    except OSError:
        return set()


def _drop_fetched(repo: Any, kept: set[str]) -> None:
    """A sync that did not land (refused, or given up) keeps nothing it fetched: the packs it added hold only
    what the remote sent since this PC's main, which nothing here names (a hostile remote's planted file
    included). A later sync fetches again what it needs."""
    folder = repo.object_store.pack_dir
    try:
        repo.object_store.close()           # dulwich maps the packs it read; Windows keeps a mapped file
    except Exception:  # noqa: BLE001 - a damaged pack may refuse to unmap; what can be removed is removed
        pass
    for name in _pack_files(repo) - kept:
        if name.startswith("pack-") or name.startswith("tmp"):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass


def _ours(repo: Any, e: OSError) -> bool:
    """Whether an OSError is about this PC's own sync repository, or a full disk or a file too large for it
    (a file size limit, a FAT32 drive: EFBIG), wherever it struck: the remote's own errors are named earlier."""
    import errno  # noqa: PLC0415

    name = os.fsdecode(e.filename) if isinstance(e.filename, str | bytes) else ""
    return (e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
            or bool(name) and name.startswith(str(repo.controldir())))


def _local_write(repo: Any, e: OSError) -> FazhiError:
    """An error writing this PC's own .sync/git (a full disk, a folder made read-only): what to do, in one line."""
    import errno  # noqa: PLC0415

    where = repo.controldir()
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return LedgerError(t("{p}: 本机磁盘已满,无法写入同步仓库;请清理磁盘后再同步;记录未丢失",
                             "{p}: this PC's disk is full and the sync repository cannot be written; free some space "
                             "and sync again; no record is lost", p=where))
    return LedgerError(t("{p}: 无法写入本机的同步仓库({e});记录未丢失", "{p}: cannot write this PC's sync repository "
                                                           "({e}); no record is lost", p=where, e=e.strerror or e))


def _busy_reason(why: str) -> str:
    if why == "locked":
        return t("refs/heads/main.lock 被另一次同步持有", "refs/heads/main.lock held by another sync")
    if why in ("moved", "stale lock cleared"):
        return t("其他电脑刚推送了新的提交", "other PCs pushed meanwhile")
    if why == "unconfirmed":
        return t("服务器未确认推送", "the server did not confirm the push")
    return t("最后一次: {w}", "the last time: {w}", w=why)


def _clear_local_lock(repo: Any) -> None:
    """A lock in this PC's own repository was left by a killed sync: this one holds the folder's sync lock."""
    from .drive import clear_stale_lock  # noqa: PLC0415

    clear_stale_lock(Path(repo.controldir()) / "refs" / "heads" / "main.lock", age=0.0)


def _attempt(plan: Plan, root: Path, remote: Remote, repo: Any, way: Any, clock: datetime | None,
             until: float) -> Outcome:
    from . import remote as remotes  # noqa: PLC0415

    store = repo.object_store
    main = _ref(repo)
    head = remotes.bounded(lambda: way.fetch(repo), until, remote)
    if head is not None:
        obj = tree.get(store, head, "main")
        if obj.type_name != b"commit":
            from .objects import not_a_commit  # noqa: PLC0415

            raise not_a_commit(head, obj)
    base = tree.read_folder(store, main) if main else EMPTY
    if head is not None:
        theirs = _verified(plan, store, head, main, base, remote)
    else:
        theirs = EMPTY
    stamp = china_now(clock).isoformat(timespec="microseconds")
    staging = sync_dir(root) / "incoming"
    blobs = Blobs(store, root)
    try:
        with ledger.Writing(root):
            decision = _decide(plan, root, blobs, remote, main, base, head, theirs, staging, clock)
        if decision.pushed:
            _remember(root, remote)
            remotes.bounded(lambda: _push(remote, way, repo, head, decision.target), until, remote)
        target = decision.target
        folder = tree.read_folder(store, target) if target else EMPTY
        with ledger.Writing(root) as w:
            _apply(root, blobs, w, base, folder, staging, stamp, decision.cited)
        if target is not None:
            _move_main(repo, target)
            packs.tidy(store)
            _write_state(root, State(remote.stored, stamp, target.decode("ascii"), plan.key))
            _note_lengths(root, folder, blobs)
    finally:
        _remove_staging(staging)
    outcome = _report(remote, decision, target)
    return outcome._replace(notes=outcome.notes + list(getattr(way, "notes", ())))


ADDRESS = "address"


def _remember(root: Path, remote: Remote) -> None:
    """Note the address before the first push, so a first sync that is killed or times out is carried on by
    a plain ``fazhi sync`` (state.json, written when a sync completes, says the same afterwards)."""
    from ..files import write_aside  # noqa: PLC0415

    path = sync_dir(root) / ADDRESS
    try:
        if read_state(root) is None or read_state(root).remote != remote.stored:
            write_aside(path, remote.stored.encode("utf-8") + b"\n")
    except OSError:
        pass             # a courtesy: the sync itself goes on


def _remembered(root: Path) -> str | None:
    from ..files import read_regular  # noqa: PLC0415

    try:
        text = read_regular(sync_dir(root) / ADDRESS, 4096, nofollow=True).decode("utf-8").strip()
    except (OSError, ValueError):
        return None
    return text or None


def _move_main(repo: Any, target: bytes) -> None:
    from dulwich.file import FileLocked  # noqa: PLC0415

    try:
        repo.refs[MAIN] = target
    except FileLocked:
        _clear_local_lock(repo)
        repo.refs[MAIN] = target


def _ref(repo: Any) -> bytes | None:
    try:
        sha = repo.refs[MAIN]
    except KeyError:
        return None
    return sha


# --- 2. the remote's history ----------------------------------------------------

def _verified(plan: Plan, store: Any, head: bytes, main: bytes | None, base: Folder, remote: Remote) -> Folder:
    """The remote head's content, once its history since ``main`` keeps every synced line."""
    if main == head:
        return base
    try:
        first = tree.read_folder(store, head) if main is None else None
    except Refused:
        first = None            # not a fazhi shape: the marker check below says what it is
    if first is not None and tree.initial_only(first):
        # a server's "initialise" commit (a README, a licence): fazhi starts on top of it and leaves it alone
        commits, _ = tree.walk(store, head, None)
        if all(tree.initial_only(tree.read_folder(store, c)) for c in commits):
            return first
    their_plan = tree.marker_plan(store, head)
    if their_plan != plan.key:
        raise UsageError(t("远端 {r} 是方案 {o} 的记录,而本次使用的方案是 {p};请用 --plan 指明该方案;未合并任何内容",
                           "the remote {r} holds the record of the plan {o}, not of {p}; give that plan with --plan; "
                           "nothing was merged", r=remote.shown, o=their_plan, p=plan.key))
    if main is None:
        tree.walk(store, head, None)        # every commit there (a shallow or damaged copy says so)
        # a first sync has no synced line to protect: the head must be fazhi's shape with every evidence copy
        # matching its digest (all that reaches the folder); the whole history is what `fazhi check` reads
        for violation in tree.verify_head(store, head):
            raise Refused(t("远端的历史不可接受: {m};未合并任何内容", "the remote's history is refused: {m}; nothing was merged",
                            m=violation.message))
        return tree.read_folder(store, head)
    commits, met = tree.walk(store, head, main)
    known = {main: base} if main else {}
    for violation in tree.verify(store, commits, known):
        raise Refused(t("远端的历史不可接受: {m};未合并任何内容", "the remote's history is refused: {m}; nothing was merged",
                        m=violation.message))
    if main is not None and not met:
        raise Refused(_rewritten(store, commits, head, base))
    return tree.read_folder(store, head)


def _rewritten(store: Any, commits: list[bytes], head: bytes, base: Folder) -> str:
    """Why a head whose history lacks ``main`` is refused: the first synced line it lost, and where."""
    theirs = tree.read_folder(store, head)
    for name, sha in sorted(base.units.items()):
        old = tree.blob(store, sha, tree.MAX_UNIT_FILE, name)
        new_sha = theirs.units.get(name)
        new = tree.blob(store, new_sha, tree.MAX_UNIT_FILE, name) if new_sha else b""
        if new.startswith(old):
            continue
        n, rid = tree.first_difference(old, new)
        culprit = _culprit(store, commits, name, old) or head
        what = tree.line_ref(name, n, rid) if new_sha else t("{u} 的进度文件", "{u}'s progress file", u=name[:-6])
        return t("远端的历史被改写(强制推送):{w}在远端提交 {c} 中已被修改或删除;未合并任何内容",
                 "the remote's history was rewritten (a force-push): {w} is changed or gone in the remote's commit {c}; "
                 "nothing was merged", w=what, c=tree.commit_label(tree.get(store, culprit)))
    return t("远端的历史被改写(强制推送):本机已同步到的提交 {c} 不在远端的历史中;未合并任何内容",
             "the remote's history was rewritten (a force-push): commit {c}, which this PC had synced, is not in it; "
             "nothing was merged", c=tree.short(base.commit))


def _culprit(store: Any, commits: list[bytes], name: str, old: bytes) -> bytes | None:
    """The oldest commit of the new history whose version of a file contradicts what was synced."""
    for sha in commits:
        folder = tree.read_folder(store, sha)
        blob_id = folder.units.get(name)
        if blob_id is None:
            continue
        data = tree.blob(store, blob_id, tree.MAX_UNIT_FILE, name)
        if not (data.startswith(old) or old.startswith(data)):
            return sha
    return None


# --- what a sync already holds ---------------------------------------------------

LENGTHS = "lengths.json"
MAX_LENGTHS = 4 * 1024 * 1024


class Blobs:
    """The unit files of one attempt, by blob id: read out of the repository once, or not at all when the
    file here is known to begin with them.

    The last sync notes each synced file's length by blob id
    (``.sync/lengths.json``): a file here whose first that-many bytes hash to
    the blob id begins with exactly the synced bytes, so a sync that sends one
    record reads no synced file back out of the repository (resolving each
    delta chain was what grew with the record). The note is a hint: any
    length that does not hash to the id is ignored, and the file is read.
    """

    def __init__(self, store: Any, root: Path) -> None:
        self.store = store
        self.known: dict[bytes, bytes] = {}
        self.noted = _noted_lengths(root)

    def get(self, sha: bytes | None, name: str) -> bytes:
        if not sha:
            return b""
        data = self.known.get(sha)
        if data is None:
            data = self.known[sha] = tree.blob(self.store, sha, tree.MAX_UNIT_FILE, name)
        return data

    def prefix(self, sha: bytes | None, data: bytes) -> bytes | None:
        """The synced bytes ``data`` begins with, if the noted length says so and the id agrees; else None."""
        if not sha:
            return b""
        if sha in self.known:
            synced = self.known[sha]
            return synced if data.startswith(synced) else None
        n = self.noted.get(sha)
        if n is None or n > len(data) or (n and data[n - 1:n] != b"\n") or _blob_id(data[:n]) != sha:
            return None
        synced = self.known[sha] = data[:n]
        return synced


def _noted_lengths(root: Path) -> dict[bytes, int]:
    from ..files import read_regular  # noqa: PLC0415

    try:
        obj = json.loads(read_regular(sync_dir(root) / LENGTHS, MAX_LENGTHS, nofollow=True))
    except (OSError, ValueError, RecursionError):
        return {}
    if type(obj) is not dict:
        return {}
    return {k.encode("ascii"): v for k, v in obj.items()
            if type(k) is str and len(k) == 40 and k.isascii() and type(v) is int and 0 <= v <= tree.MAX_UNIT_FILE}


def _note_lengths(root: Path, folder: Folder, blobs: Blobs) -> None:
    """Note the length of each synced file the attempt knows; a courtesy to the next sync, never needed."""
    from ..files import write_aside  # noqa: PLC0415

    noted = {sha.decode("ascii"): len(blobs.known[sha]) for sha in folder.units.values() if sha in blobs.known}
    noted.update({sha.decode("ascii"): blobs.noted[sha] for sha in folder.units.values()
                  if sha in blobs.noted and sha.decode("ascii") not in noted})
    try:
        write_aside(sync_dir(root) / LENGTHS, json.dumps(noted, sort_keys=True).encode("ascii") + b"\n")
    except OSError:
        pass


# --- 3. decide ------------------------------------------------------------------

def _decide(plan: Plan, root: Path, blobs: Blobs, remote: Remote, main: bytes | None, base: Folder,
            head: bytes | None, theirs: Folder, staging: Path, clock: datetime | None) -> Decision:
    store = blobs.store
    day = china_now(clock).date().isoformat()
    locals_ = _read_locals(plan, root, blobs, base, day)
    notes = [_stays(x.path, e) for x in locals_.values() for e in x.extras if e.event is None]
    # the remote's new lines, as import would receive them
    incoming: list[record.Incoming] = []
    their_bytes: dict[str, bytes] = {}
    for name, sha in sorted(theirs.units.items()):
        if base.units.get(name) == sha:
            continue
        data = their_bytes[name] = blobs.get(sha, name)
        if name[:-6] not in plan.units:
            raise Refused(t("远端有方案中没有的单位的进度文件 {p};未合并任何内容",
                            "the remote holds {p}, a progress file of no unit of the plan; nothing was merged",
                            p=f"{tree.PROGRESS}/{name}"))
        old = blobs.get(base.units.get(name), name)
        first = old.count(b"\n") + 1
        for offset, raw in enumerate(data[len(old):].split(b"\n")[:-1]):
            # named as git names a file of a commit: <commit>:<path>, then the line
            where = f"{remote.shown} {tree.short(head)}:{tree.PROGRESS}/{name}:{first + offset}"
            incoming.append(_received(plan, raw, name[:-6], where, staging, day))
    cited = _cited(root, incoming)
    _stage_evidence(root, store, theirs, staging, cited)
    # this PC's news: every record after the synced bytes that the remote lacks
    news: list[record.Incoming] = []
    raws: dict[str, bytes] = {}
    seen: dict[str, bytes] = {}
    for name, local in sorted(locals_.items()):
        wanted = {x.event.id for x in local.extras if x.event is not None}
        their_ids = _ids(blobs.get(theirs.units.get(name), name), wanted) if wanted else {}
        for x in local.extras:
            if x.event is None:
                continue
            canon = ledger.canonical(x.obj)
            other = their_ids.get(x.event.id) or seen.get(x.event.id)
            if other is not None:
                if other != canon.encode("utf-8"):
                    raise LedgerError(t("{p}:{n}: 编号 {i} 在远端已有内容不同的记录;{m}",
                                        "{p}:{n}: the remote holds another record under the id {i}; {m}",
                                        p=local.path, n=x.number, i=x.event.id, m=nothing()))
                continue
            seen[x.event.id] = canon.encode("utf-8")
            raws[x.event.id] = x.raw
            news.append(record.Incoming(x.obj, x.event, f"{local.path}:{x.number}", root))
    have = _have(root, [x.event for x in (*incoming, *news)], {n: x.data for n, x in locals_.items()})
    received = record.admit(plan, root, incoming, have, nothing=nothing())
    notes += received.missing
    own = {x.event.id for x in news}
    sent = record.admit(plan, root, news, {k: v for k, v in have.items() if k not in own},
                        nothing=t("未同步任何内容", "nothing was synced"), beside=list(received.new.values()))
    notes += sent.missing
    if not news and head is not None and theirs.marker is not None:
        return Decision(head, False, [], list(received.new.values()), notes, cited)
    if not news and head is None and main is not None:
        return Decision(main, True, [], [], notes)      # an empty remote gets this folder's history back
    parent = head if head is not None else main
    start = theirs if head is not None else base
    commit = _commit(plan, root, blobs, parent, start, news, raws, clock)
    return Decision(commit, True, news, list(received.new.values()), notes, cited)


def _have(root: Path, events: Sequence[Event], files: dict[str, bytes]) -> dict[str, ledger.Existing]:
    """The folder's records that the rules can involve: those sharing an id with, or revoked by, these events.

    The same as ``ledger.record_ids`` for these ids; for a few records, only
    the lines that mention one of them are decoded, so that a sync of one
    record does not read a district's whole history into JSON. ``files``: the
    unit files as this sync read them, under the same write lock.
    """
    wanted = {e.id for e in events} | {e.revokes for e in events if e.revokes}
    if not wanted:
        return {}
    if len(wanted) > 256:
        return ledger.record_ids(root)
    pieces = ledger.plain_ids(wanted)
    out: dict[str, ledger.Existing] = {}
    for name, data in sorted(files.items()):
        if data:
            ledger.existing_lines(str(ledger.unit_file_shown(root, name)), data, out, pieces=pieces)
    return {k: v for k, v in out.items() if k in wanted}


def _ids(data: bytes, wanted: set[str]) -> dict[str, bytes]:
    """The canonical content of each record of a file's bytes whose id is ``wanted`` (lines that do not
    mention one of them are not decoded)."""
    out: dict[str, bytes] = {}
    if not wanted:
        return out
    pieces = ledger.plain_ids(wanted)       # None: an id a line spells with an escape; every line is decoded
    for raw in data.split(b"\n"):
        if not raw.strip() or pieces is not None and not ledger.may_hold(raw, pieces):
            continue
        try:
            obj = ledger.decode_line(raw)
        except ValueError:
            continue
        if type(obj) is dict and type(obj.get("id")) is str:
            out.setdefault(obj["id"], ledger.canonical(obj).encode("utf-8"))
    return out


def _received(plan: Plan, raw: bytes, unit: str, where: str, staging: Path, day: str) -> record.Incoming:
    try:
        obj = ledger.decode_line(raw)
        event = ledger.check_record(obj, plan, today=day, file_unit=unit)
        if event is None:
            raise ValueError(t("记录属于另一方案 {k!r}", "the record belongs to another plan {k!r}", k=ledger.plan_of(obj)))
    except ValueError as e:
        raise LedgerError(t("{w}: {r}；{m}", "{w}: {r}; {m}", w=where, r=e, m=nothing())) from None
    return record.Incoming(obj, event, where, staging)


def _stays(path: Path, x: Extra) -> str:
    return t("注意: {p}:{n} 不是本方案的记录(或是写入中断留下的残行),只留在本机,不同步",
             "note: {p}:{n} is not a record of this plan (or a line cut off by a crash); it stays on this PC, unsynced",
             p=path, n=x.number)


def _read_locals(plan: Plan, root: Path, blobs: Blobs, base: Folder, day: str) -> dict[str, Local]:
    """Every unit file of the folder, each checked to begin with its synced bytes."""
    if ledger.progress_is_link(root):
        raise LedgerError(t("{p}: 进度文件夹是符号链接,拒绝同步", "{p}: the progress folder is a symbolic link; refusing to sync",
                            p=ledger.progress_shown(root)))
    names = set(base.units)
    names.update(ledger.unit_files_here(root))
    out: dict[str, Local] = {}
    for name in sorted(names):
        path = ledger.unit_file_shown(root, name)
        sha = base.units.get(name)
        try:
            data, links = ledger.read_unit_file(root, name, tree.MAX_UNIT_FILE)
        except FileNotFoundError:
            if sha:
                raise LedgerError(t("{p}: 已同步的进度文件在本机被删除(不是 fazhi 做的改动);请从备份恢复此文件,"
                                    "或在其他电脑上核对后再同步;{m}",
                                    "{p}: a synced progress file was deleted on this PC, outside fazhi; restore it from a "
                                    "backup before syncing; {m}", p=path, m=nothing())) from None
            continue
        except OSError as e:
            raise LedgerError(t("{p}: 无法读取进度文件({e});{m}", "{p}: the progress file cannot be read ({e}); {m}",
                                p=path, e=e.strerror or e, m=nothing())) from None
        if links > 1:
            raise LedgerError(t("{p}: 有多个硬链接,拒绝同步", "{p}: has several hard links; refusing to sync", p=path))
        synced = blobs.prefix(sha, data)
        if synced is None:
            synced = blobs.get(sha, name)
        if not data.startswith(synced):
            n, rid = tree.first_difference(synced, data)
            raise LedgerError(t("{p}:{n}: 已同步的记录{i}在本机被修改或删除(不是 fazhi 做的改动);"
                                "请恢复此行后再同步;{m}",
                                "{p}:{n}: a synced record{i} was changed or removed on this PC, outside fazhi; "
                                "put the line back before syncing; {m}",
                                p=path, n=n, i=t("(编号 {r})", " {r}", r=rid) if rid else "", m=nothing()))
        extras = list(_extras(plan, path, data, len(synced), synced.count(b"\n"), day))
        out[name] = Local(name, path, data, synced, extras)
    return out


def _extras(plan: Plan, path: Path, data: bytes, start: int, lines_before: int, day: str):
    unit = path.stem
    for offset, raw in enumerate(data[start:].split(b"\n")):
        number = lines_before + offset + 1
        if not raw.strip():
            continue
        try:
            obj = ledger.decode_line(raw)
        except ValueError:
            yield Extra(number, raw, None, None)
            continue
        try:
            event = ledger.check_record(obj, plan, today=day, file=str(path), line=number, file_unit=unit)
        except ValueError as e:
            raise LedgerError(t("{p}:{n}: {r}(这一行不是 fazhi 写入的,或已被改动);{m}",
                                "{p}:{n}: {r} (a line fazhi did not write, or one that was changed); {m}",
                                p=path, n=number, r=e, m=nothing())) from None
        yield Extra(number, raw, obj, event)


def _cited(root: Path, incoming: Sequence[record.Incoming]) -> dict[str, int]:
    """The evidence copies the remote's new records cite, by file name, with the size each record gives."""
    out: dict[str, int] = {}
    for x in incoming:
        for item in x.event.evidence:
            if not isinstance(item, dict) or item.get("kind") != "file" or "sha256" not in item:
                continue
            try:
                name = ledger.blob_name(item["sha256"], item.get("name", ""))
            except ValueError:
                continue
            size = item.get("size")
            if type(size) is int:
                out[name] = min(out.get(name, size), size)
    return out


def _stage_evidence(root: Path, store: Any, theirs: Folder, staging: Path, cited: dict[str, int]) -> None:
    """The remote's evidence copies that its new records cite and this folder lacks, written out where
    import's checks can read them; never more than the size a record gives (a remote plants nothing)."""
    _remove_staging(staging)
    target = staging / ledger.EVIDENCE         # laid out as a data folder, for import's checks
    for name, sha in sorted(theirs.evidence.items()):
        if name not in cited or ledger.has_blob(root, name):
            continue
        if not target.exists():
            target.mkdir(parents=True)
        data = tree.blob(store, sha, min(ledger.MAX_EVIDENCE_FILE, cited[name]), f"{tree.EVIDENCE}/{name}")
        (target / name).write_bytes(data)


def _remove_staging(staging: Path) -> None:
    if staging.exists():
        _remove_tree(staging)


def _commit(plan: Plan, root: Path, blobs: Blobs, parent: bytes | None, start: Folder,
            news: Sequence[record.Incoming], raws: dict[str, bytes], clock: datetime | None) -> bytes:
    """One commit on top of ``parent``: its files with this PC's news appended, and the evidence they cite."""
    from dulwich.objects import Blob, Commit, Tree  # noqa: PLC0415

    units = dict(start.units)
    evidence = dict(start.evidence)
    added: list[Any] = []
    by_file: dict[str, list[record.Incoming]] = {}
    for x in news:
        by_file.setdefault(f"{x.event.unit}.jsonl", []).append(x)
    for name, items in by_file.items():
        # each record keeps the bytes of its line here: never re-encoded
        data = blobs.get(start.units.get(name), name) + b"".join(raws[x.event.id] + b"\n" for x in items)
        b = Blob.from_string(data)
        added.append(b)
        units[name] = b.id
        blobs.known[b.id] = data
    for x in news:
        for item in x.event.evidence:
            if not isinstance(item, dict) or item.get("kind") != "file" or "name" not in item:
                continue
            if ledger.blob_name(item["sha256"], item["name"]) in evidence:
                continue  # already there
            copy = ledger.good_blob_bytes(root, item["sha256"], item["name"])
            if copy is None:
                continue  # no good copy here (admit said so)
            b = Blob.from_string(copy[1])
            added.append(b)
            evidence[copy[0]] = b.id
    marker = start.marker
    if marker is None:
        b = Blob.from_string(tree.marker_bytes(plan.key))
        added.append(b)
        marker = b.id
    progress, files = Tree(), Tree()
    for name, sha in units.items():
        progress.add(name.encode("utf-8"), 0o100644, sha)
    for name, sha in evidence.items():
        files.add(name.encode("ascii"), 0o100644, sha)
    top = Tree()
    for name, (mode, sha) in start.others.items():
        top.add(name.encode("utf-8"), mode, sha)
    top.add(tree.MARKER.encode(), 0o100644, marker)
    if units:
        top.add(tree.PROGRESS.encode(), 0o040000, progress.id)
    if evidence:
        top.add(tree.EVIDENCE.encode(), 0o040000, files.id)
    c = Commit()
    c.tree = top.id
    c.parents = [parent] if parent else []
    c.author = c.committer = _author(news).encode("utf-8")
    moment = china_now(clock)
    c.author_time = c.commit_time = int(moment.timestamp())
    c.author_timezone = c.commit_timezone = 8 * 3600
    c.message = _message(news).encode("utf-8")
    blobs.store.add_objects([(o, None) for o in (*added, progress, files, top, c)])
    return c.id


def _author(news: Sequence[record.Incoming]) -> str:
    """``单位 <FAZHI_USER or login@host>``: who recorded, as git shows it (never an empty address)."""
    units = "、".join(dict.fromkeys(x.event.unit for x in news)) or "fazhi"
    try:
        who = record.recorder(None) if os.environ.get("FAZHI_USER") else ""
    except FazhiError:
        who = ""
    if not who:
        import getpass  # noqa: PLC0415
        import socket  # noqa: PLC0415

        try:
            login = getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name on some service accounts
            login = "fazhi"
        who = f"{login}@{socket.gethostname() or 'localhost'}"
    return f"{_plain(units, 200) or 'fazhi'} <{_plain(who, 100) or 'fazhi'}>"


def _plain(text: str, limit: int) -> str:
    return "".join(ch for ch in text if ch not in "<>\n\r\x00")[:limit].strip()


def _message(news: Sequence[record.Incoming]) -> str:
    """The commit message, in the plan's language (Chinese) whichever language this PC speaks."""
    from .. import i18n  # noqa: PLC0415

    before = i18n.lang()
    i18n.set_lang("zh")
    try:
        return _message_zh(news)
    finally:
        i18n.set_lang(before)


def _message_zh(news: Sequence[record.Incoming]) -> str:
    if not news:
        return "fazhi: 开始同步\n"
    head = _units_counted(news, ";", lambda u, n: f"{u} 记录 {n} 条")
    body = "\n".join(record.added_line(x) for x in news[:MESSAGE_LINES])
    if len(news) > MESSAGE_LINES:
        body += f"\n…… 另有 {len(news) - MESSAGE_LINES} 条"
    return f"{head}\n\n{body}\n"


# --- 4. push --------------------------------------------------------------------

def _push(remote: Remote, way: Any, repo: Any, old: bytes | None, new: bytes) -> None:
    """Move the remote's main from ``old`` to ``new``; objects.Busy when it had moved meanwhile or is locked."""
    way.push(repo, old, new)


# --- 5. apply -------------------------------------------------------------------

def _apply(root: Path, blobs: Blobs, w: ledger.Writing, base: Folder, target: Folder, staging: Path,
           stamp: str, cited: dict[str, int] | None = None) -> None:
    """Bring the folder to ``target``, keeping what it has that target lacks (all files at once)."""
    contents: dict[str, bytes] = {}
    entries: list[dict] = []
    arrivals = ledger.read_arrivals(root)
    for name, sha in sorted(target.units.items()):
        path = ledger.unit_file_shown(root, name)
        try:
            data, _ = ledger.read_unit_file(root, name, tree.MAX_UNIT_FILE)
        except FileNotFoundError:
            data = b""
        except OSError as e:
            raise LedgerError(t("{p}: 无法读取进度文件({e})", "{p}: the progress file cannot be read ({e})",
                                p=path, e=e.strerror or e)) from None
        if sha == base.units.get(name) and _blob_id(data) == sha:
            continue        # the file is exactly what was synced, and the target did not change it
        theirs = blobs.get(sha, name)
        synced = blobs.get(base.units.get(name), name)
        if not data.startswith(synced):
            raise LedgerError(t("{p}: 同步期间被 fazhi 以外的程序改动;请再同步一次", "{p}: changed outside fazhi during the sync; "
                                                                                 "sync again", p=path))
        after = [(raw, tree.record_id(raw)) for raw in data[len(synced):].split(b"\n") if raw.strip()]
        their_ids = _ids(theirs, {rid for _, rid in after if rid})
        keep, known = [], {}
        for raw, rid in after:
            if rid and rid in their_ids:
                try:
                    obj = ledger.decode_line(raw)
                except ValueError:
                    obj = None
                if type(obj) is dict:
                    known[rid] = obj.get("received_at") or obj.get("recorded_at")
                if obj is None or their_ids[rid] != ledger.canonical(obj).encode("utf-8"):
                    raise LedgerError(t("{p}: 编号 {i} 在远端已有内容不同的记录;未合并任何内容",
                                        "{p}: the remote holds another record under the id {i}; nothing was merged",
                                        p=path, i=rid))
                continue
            keep.append(raw)
        new = theirs + b"".join(raw + b"\n" for raw in keep)
        if new != data:
            contents[name] = new
        entries += _arrivals(name, theirs, synced.count(b"\n"), known, arrivals.get(name, []), stamp)
    cited = cited or {}
    for name, sha in sorted(target.evidence.items()):
        if ledger.has_blob(root, name):
            continue
        if name not in cited and not (name in base.evidence and _mentioned(blobs, target, name[:64])):
            continue        # no record of this folder cites it: a file a remote planted is not ours to take
        staged = staging / ledger.EVIDENCE / name
        if not staged.exists():
            staged.parent.mkdir(parents=True, exist_ok=True)
            limit = min(ledger.MAX_EVIDENCE_FILE, cited.get(name, ledger.MAX_EVIDENCE_FILE))
            staged.write_bytes(tree.blob(blobs.store, sha, limit, f"{tree.EVIDENCE}/{name}"))
        w.store_evidence(staged, name[:64], name)
    if entries:
        try:
            old = ledger.arrivals_bytes(root) or b""
        except OSError as e:
            raise LedgerError(t("{p}: 无法读取({e})", "{p}: cannot be read ({e})", p=ledger.arrivals_shown(root),
                                e=e.strerror or e)) from None
        if old and not old.endswith(b"\n"):
            old += b"\n"
        contents[ledger.ARRIVALS] = old + b"".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                                                   + b"\n" for e in entries)
    w.replace(contents)


def _mentioned(blobs: Blobs, folder: Folder, sha256: str) -> bool:
    """Whether a record of the folder's files names this digest (a copy synced before and deleted here)."""
    needle = f'"{sha256}"'.encode("ascii")
    return any(needle in blobs.get(sha, name) for name, sha in folder.units.items())


def _blob_id(data: bytes) -> bytes:
    """git's name for these bytes as a file (a SHA-1 of its header and content)."""
    import hashlib  # noqa: PLC0415

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest().encode("ascii")  # noqa: S324 - git's object name


def _arrivals(name: str, theirs: bytes, synced_lines: int, known: dict[str, str], ranges: list,
              stamp: str) -> list[dict]:
    """When the lines of ``theirs`` after the synced ones reached this folder, as ranges of line numbers.

    A record this folder already had (its own, or one imported by mail)
    counts from when it had it; any other from now. Lines an earlier,
    interrupted sync already noted keep their first moment.
    """
    covered = set()
    for r in ranges:
        covered.update(range(r.first, r.last + 1))
    out: list[dict] = []
    lines = theirs.split(b"\n")[:-1]
    for number in range(synced_lines + 1, len(lines) + 1):
        if number in covered:
            continue
        raw = lines[number - 1]
        try:
            obj = ledger.decode_line(raw)
        except ValueError:
            continue
        if type(obj) is not dict:
            continue
        own = obj.get("received_at") or obj.get("recorded_at")
        rid = obj.get("id")
        at = known.get(rid) if type(rid) is str and rid in known else stamp
        if at == own or type(at) is not str:
            continue
        if out and out[-1]["at"] == at and out[-1]["to"] == number - 1:
            out[-1]["to"] = number
        else:
            out.append({"file": name, "from": number, "to": number, "at": at})
    return out


def _write_state(root: Path, state: State) -> None:
    from ..files import write_aside  # noqa: PLC0415

    path = sync_dir(root) / "state.json"
    data = json.dumps(state._asdict(), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    try:
        write_aside(path, data)
    except OSError as e:
        raise LedgerError(t("{p}: 无法保存同步状态({e});记录已同步", "{p}: cannot save the sync state ({e}); the records are synced",
                            p=path, e=e.strerror or e)) from None


# --- what the user reads --------------------------------------------------------

def _report(remote: Remote, d: Decision, target: bytes | None) -> Outcome:
    lines = [t("远端: {r}", "remote: {r}", r=remote.shown)]
    if d.news:
        lines.append(t("发出: {s}", "sent: {s}", s=_per_unit(d.news)))
    if d.received:
        lines.append(t("收到: {s}", "received: {s}", s=_per_unit(d.received)))
        lines += [record.added_line(x) for x in d.received[:LISTED]]
        if len(d.received) > LISTED:
            lines.append(t("…… 另有 {n} 条", "… and {n} more", n=len(d.received) - LISTED))
    if not d.news and not d.received:
        lines.append(t("没有新的记录要发出或收到", "no new records to send or receive"))
    lines.append(t("同步完成: 与远端一致(提交 {c})", "synced: the folder matches the remote (commit {c})",
                   c=tree.short(target)))
    return Outcome(lines, d.notes)


def _per_unit(items: Sequence[record.Incoming]) -> str:
    return _units_counted(items, t("、", ", "), lambda u, n: t("{u} {n} 条", "{u} {n}", u=u, n=n))


def _units_counted(items: Sequence[record.Incoming], sep: str, each: Callable[[str, int], str]) -> str:
    """The records of each unit, in the order they come: the first UNITS_LISTED units named, then the totals
    (the sent and received lines; a commit's subject, in Chinese)."""
    counts: dict[str, int] = {}
    for x in items:
        counts[x.event.unit] = counts.get(x.event.unit, 0) + 1
    shown = sep.join(each(u, n) for u, n in list(counts.items())[:UNITS_LISTED])
    if len(counts) <= UNITS_LISTED:
        return shown
    return shown + t("…… 共 {k} 个单位 {n} 条", " … {n} from {k} units in all", k=len(counts), n=len(items))
