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
  parent (never a walk of the history). A server's HEAD cannot be moved
  through a git protocol, so where the server has no ``main`` and its HEAD
  names another branch (``git init --bare`` makes it ``master``; a server's
  initialise button may commit a README there), fazhi writes that branch:
  a clone checks the record out, and no second branch appears.

Every failure that comes from another PC's timing is raised as ``Busy``
(the remote moved, its ref lock is held, a pack was replaced by a repack or
``git gc`` while reading); ``run`` tries again within its time limit.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from ..errors import LedgerError, UsageError
from ..i18n import t
from .drive import PathLink
from .objects import Busy, new_objects
from .remote import Remote
from .tree import MAIN, Damaged



# --- a git server ---------------------------------------------------------------------

class NetLink:
    """HTTP(S), SSH or git://, through dulwich's client."""

    def __init__(self, remote: Remote) -> None:
        from . import remote as remotes  # noqa: PLC0415

        self.remote = remote
        self.client, self.path = remotes.client(remote)
        self.branch = MAIN          # the server's branch fazhi writes; learnt from HEAD where there is no main
        self.notes: list[str] = []  # what the user should know about the server, for stderr

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
            sha = refs.get(MAIN) if MAIN in refs else refs.get(b"HEAD")    # no main: the branch HEAD names
            return [sha] if sha and sha not in repo.object_store else []

        try:
            result = _released(self.client.fetch, self.path, repo, determine_wants=wants, depth=None)
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
        if MAIN not in refs:
            named = (getattr(result, "symrefs", None) or {}).get(b"HEAD")
            if isinstance(named, bytes) and named.startswith(b"refs/heads/") and refs.get(named) == refs.get(b"HEAD"):
                self.branch = named
        head = refs.get(self.branch)
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

        branch = self.branch

        def update(refs: dict) -> dict:
            nonlocal moved
            if refs.get(branch) != old:
                moved = True
                return {}
            return {branch: new}

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
        if branch not in status:
            raise Busy("unconfirmed")       # no report that the branch moved: never assume it did
        if status.get(branch):
            raise Busy(str(status.get(branch)))
        # a server may report success for an update it then lost (a crash after its answer, a ref lock taken
        # by another request): this PC moves its own main only to a head the server shows
        try:
            refs = _released(self.client.get_refs, self.path)
        except (HangupException, GitProtocolError, OSError, EOFError) as e:
            raise Busy(remotes.reason(self.remote, e)) from None
        found = getattr(refs, "refs", refs)
        if found.get(branch) != new:
            raise Busy("unconfirmed")
        if old is None and found.get(b"HEAD") != new:
            # the branch is new and the server's HEAD does not name it (an older server hides an unborn HEAD's
            # target): a clone would check out nothing, which git users should hear of once
            self.notes.append(t("注意:远端 {r} 的 HEAD 没有指向记录所在的分支 {b};用 git 克隆将看不到文件。"
                                "请在服务器上运行 git symbolic-ref HEAD {b}(同步不受影响)",
                                "note: the remote {r}'s HEAD does not name {b}, the branch holding the record, so a "
                                "git clone checks out nothing; run git symbolic-ref HEAD {b} on the server "
                                "(syncing is not affected)", r=self.remote.shown, b=branch.decode("utf-8", "replace")))


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
