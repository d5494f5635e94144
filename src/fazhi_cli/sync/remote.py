"""Where a data folder syncs: a bare repository on a shared drive, or a git server.

A remote is typed as a path (``\\\\server\\share\\fazhi.git``, ``/mnt/share/fazhi.git``,
``file://...``), an HTTP(S) URL (``https://git.example.gov.cn/fazhi.git``) or an
SSH address (``ssh://user@host/srv/fazhi.git`` or ``user@host:fazhi.git``).

Credentials come from where git keeps them: a password typed in the URL is
used for that run only; otherwise HTTP(S) looks in the git credential store
(``~/.git-credentials``), and SSH uses the ``ssh`` program, its keys and its
agent. What the data folder remembers is the URL without user name or
password (an SSH user name is kept: it says which account, not how to get
in); what is printed hides any password.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, NamedTuple

from .. import ledger
from ..errors import FazhiError, LedgerError, UsageError
from ..i18n import t
from .state import shown

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_DRIVE = re.compile(r"[A-Za-z]:([\\/]|$)")
_SCP = re.compile(r"(?:(?P<user>[^@/\\]+)@)?(?P<host>[^@/\\:]{2,}):(?P<path>.*)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_TIMEOUT = 30.0


class Remote(NamedTuple):
    kind: str                 # "local", "http", "ssh" or "git"
    target: str               # a path, or the URL without credentials
    stored: str               # what the data folder remembers
    username: str | None = None
    password: str | None = None

    @property
    def shown(self) -> str:
        return shown(self.stored)


# a host name, an IPv4 address or an IPv6 address (urlsplit gives it without brackets); never a leading "-"
_HOST = re.compile(r"[0-9A-Za-z_](?:[0-9A-Za-z_.-]*[0-9A-Za-z_])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%A-Za-z]*")


def parse(text: str) -> Remote:
    """Read what the user typed as a remote; UsageError if it is none of the accepted forms."""
    value = text.strip()
    if not value:
        raise UsageError(t("远端不能为空", "the remote must not be empty"))
    if _CONTROL.search(value):
        raise UsageError(t("远端含有控制字符", "the remote contains control characters"))
    m = _SCHEME.match(value)
    if m:
        return _url(value)
    scp = _SCP.fullmatch(value)
    if scp and not _DRIVE.match(value) and not os.path.exists(value):
        user, password = scp["user"], None
        if user and ":" in user:
            user, password = user.split(":", 1)
        if not _HOST.fullmatch(scp["host"]) or (user or "").startswith("-"):
            raise UsageError(t("远端地址中的主机名 {h} 无效", "the host name {h} in the remote address is invalid",
                               h=shown(scp["host"])))
        target = (f"{user}@" if user else "") + f"{scp['host']}:{scp['path']}"
        return Remote("ssh", target, target, user, password)
    path = os.path.abspath(os.path.expanduser(value))
    return Remote("local", path, path)


def _url(value: str) -> Remote:
    from urllib.parse import unquote, urlsplit, urlunsplit  # noqa: PLC0415

    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise UsageError(t("远端地址无效: {u}", "invalid remote address: {u}", u=shown(value))) from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        from urllib.request import url2pathname  # noqa: PLC0415

        path = os.path.abspath(url2pathname(parts.path if not parts.netloc else f"//{parts.netloc}{parts.path}"))
        return Remote("local", path, path)
    if scheme not in ("http", "https", "ssh", "git+ssh", "git") or not parts.hostname:
        raise UsageError(t("不支持的远端 {u}:请写共享盘上的路径、http(s)://、ssh:// 或 git:// 地址",
                           "unsupported remote {u}: give a path on a shared drive, an http(s)://, ssh:// or git:// "
                           "address",
                           u=shown(value)))
    if not _HOST.fullmatch(parts.hostname) or (parts.username or "").startswith("-"):
        # a host such as -oProxyCommand=… is an option to ssh, not a computer: git refuses it too
        raise UsageError(t("远端地址中的主机名 {h} 无效", "the host name {h} in the remote address is invalid",
                           h=shown(parts.hostname)))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    host = parts.hostname + (f":{port}" if port else "")
    if ":" in parts.hostname:  # an IPv6 address keeps its brackets
        host = f"[{parts.hostname}]" + (f":{port}" if port else "")
    bare = urlunsplit((scheme, host, parts.path, parts.query, ""))
    if scheme in ("http", "https"):
        return Remote("http", bare, bare, user, password)
    if scheme == "git":        # git daemon: no user, no password
        return Remote("git", bare, bare)
    with_user = urlunsplit((scheme, (f"{parts.username}@" if parts.username else "") + host, parts.path, "", ""))
    return Remote("ssh", with_user, with_user, user, password)


def credentials(remote: Remote) -> tuple[str | None, str | None]:
    """The user name and password for an HTTP(S) remote: typed in the URL, else from git's credential store."""
    if remote.password is not None or remote.kind != "http":
        return remote.username, remote.password
    home = Path(os.path.expanduser("~"))
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    for store in (home / ".git-credentials", Path(xdg) / "git" / "credentials"):
        found = stored_credential(store, remote.target, remote.username)
        if found is not None:
            return found
    return remote.username, None


def stored_credential(store: Path, url: str, username: str | None) -> tuple[str, str] | None:
    """The first line of a git credential store that git itself would use for ``url``.

    As git's ``credential-store`` matches: the scheme and the host with its
    port must be the same, a user name given in the address must be the
    line's, and the line's path is ignored (git's default, without
    ``credential.useHttpPath``).
    """
    from urllib.parse import unquote, urlsplit  # noqa: PLC0415

    from ..files import read_regular  # noqa: PLC0415

    try:
        text = read_regular(store, 1 << 20, nofollow=False).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    want = urlsplit(url)
    want_host = _host_port(want)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            have = urlsplit(line)
            host = _host_port(have)
        except ValueError:
            continue
        if have.scheme.lower() != want.scheme.lower() or host != want_host or have.password is None:
            continue
        user = unquote(have.username or "")
        if username is not None and user != username:
            continue
        return user, unquote(have.password)
    return None


def _host_port(parts: Any) -> str:
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def client(remote: Remote) -> tuple[Any, str]:
    """A dulwich client for the remote and the path to give it."""
    if remote.kind == "local":
        from dulwich.client import LocalGitClient  # noqa: PLC0415

        return LocalGitClient(), remote.target
    if remote.kind == "http":
        from urllib.parse import urlsplit  # noqa: PLC0415

        from dulwich.client import Urllib3HttpGitClient  # noqa: PLC0415

        user, password = credentials(remote)
        return (Urllib3HttpGitClient(remote.target, username=user, password=password, timeout=timeout(), config=None),
                urlsplit(remote.target).path or "/")
    from dulwich.client import get_transport_and_path  # noqa: PLC0415

    extra = {"ssh_command": ssh_command()} if remote.kind == "ssh" else {}
    try:
        return get_transport_and_path(remote.target, username=remote.username, password=remote.password, **extra)
    except ValueError as e:
        raise UsageError(t("远端地址无效: {u}（{e}）", "invalid remote address: {u} ({e})", u=remote.shown, e=e)) from None


def ssh_command() -> str | None:
    """The ssh program as git would run it: GIT_SSH_COMMAND, then GIT_SSH, then core.sshCommand, else plain ssh."""
    for name in ("GIT_SSH_COMMAND", "GIT_SSH"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    try:
        from dulwich.config import StackedConfig  # noqa: PLC0415

        value = StackedConfig.default().get((b"core",), b"sshCommand")
    except (KeyError, OSError, ValueError):
        return None
    return value.decode("utf-8", "replace").strip() or None if value else None


def timeout() -> float:
    from ..lock import env_seconds  # noqa: PLC0415

    return env_seconds("FAZHI_SYNC_TIMEOUT", DEFAULT_TIMEOUT, 1.0)


def check_local(remote: Remote) -> None:
    """A path remote must be a bare repository that is there: say plainly what it is otherwise."""
    if remote.kind != "local":
        return
    path = Path(remote.target)
    if not path.exists():
        raise LedgerError(t("无法连接远端 {r}: 找不到此文件夹(共享盘是否已连接?);未做任何改动",
                            "cannot reach the remote {r}: no such folder (is the shared drive connected?); nothing was changed",
                            r=remote.shown))
    if not path.is_dir():
        raise UsageError(t("远端 {r} 不是文件夹,不是 git 仓库", "the remote {r} is not a folder, not a git repository",
                           r=remote.shown))
    if (path / ".git").exists():
        raise UsageError(t("远端 {r} 是带工作区的 git 仓库;请使用裸仓库(fazhi sync --init-remote 可新建)",
                           "the remote {r} is a git working copy; use a bare repository (fazhi sync --init-remote creates one)",
                           r=remote.shown))
    if not ((path / "objects").is_dir() and (path / "refs").is_dir() and (path / "HEAD").exists()):
        hint = t("(这是 fazhi 的数据文件夹,不是同步用的仓库)", " (it is a fazhi data folder, not a repository to sync with)") \
            if ledger.is_data_folder(path) else ""
        raise UsageError(t("远端 {r} 不是 git 仓库{h};可用 fazhi sync --init-remote {r} 新建",
                           "the remote {r} is not a git repository{h}; fazhi sync --init-remote {r} creates one",
                           r=remote.shown, h=hint))


def init_bare(remote: Remote) -> Path:
    """Create an empty bare repository at a path remote; refuse anything already there but an empty folder."""
    if remote.kind != "local":
        raise UsageError(t("--init-remote 只能在共享盘或本机路径上新建仓库;服务器上的仓库请在服务器上新建",
                           "--init-remote creates repositories on a shared drive or local path only; create a server's "
                           "repository on the server"))
    path = Path(remote.target)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(t("{p} 已存在且不是空文件夹;已有的同步仓库请用 fazhi sync {p}",
                           "{p} exists and is not an empty folder; for an existing repository use fazhi sync {p}", p=path))
    if not path.parent.is_dir():
        raise LedgerError(t("无法连接远端 {r}: 上级文件夹不存在(共享盘是否已连接?);未做任何改动",
                            "cannot reach the remote {r}: its parent folder does not exist (is the shared drive "
                            "connected?); nothing was changed", r=remote.shown))
    made = not path.exists()
    repo, why = new_bare(path, made)
    if repo is None:
        raise LedgerError(t("{p}: 无法新建仓库({e})", "{p}: cannot create the repository ({e})", p=path, e=why))
    repo.close()
    return path


def new_bare(path: Path, made: bool) -> tuple[Any, str]:
    """A new bare repository at ``path`` (made by this run if ``made``), or (None, why) with what was made taken
    back. On a full disk dulwich's lock file, left open by the failure, fails again as it is freed, and Python
    would print that as a traceback below the one line: what is freed here is freed quietly."""
    import gc  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from dulwich.repo import Repo  # noqa: PLC0415

    repo, why = None, ""
    hook, sys.unraisablehook = sys.unraisablehook, lambda _: None
    try:
        try:
            repo = Repo.init_bare(str(path), mkdir=made, default_branch=b"main")
        except OSError as e:
            why = e.strerror or str(e)
        gc.collect()
    finally:
        sys.unraisablehook = hook
    if repo is None:
        _unmake(path, made)
    return repo, why


def _unmake(path: Path, made: bool) -> None:
    """Take back a repository half made on a full disk: the folder if this run made it, else what it put in."""
    import shutil  # noqa: PLC0415

    for item in [path] if made else list(path.iterdir()):
        if item.is_dir() and not item.is_symlink():
            shutil.rmtree(item, ignore_errors=True)
        else:
            try:
                item.unlink()
            except OSError:
                pass


def unreachable(remote: Remote, why: object) -> FazhiError:
    return LedgerError(t("无法连接远端 {r}: {e};未做任何改动", "cannot reach the remote {r}: {e}; nothing was changed",
                         r=remote.shown, e=_reason(remote, why)))


def reason(remote: Remote, why: object) -> str:
    """What went wrong, as a library said it, on one line and without any password."""
    return _reason(remote, why)


def _reason(remote: Remote, why: object) -> str:
    text = str(why) or type(why).__name__
    # never echo a password, whatever the library put in its message
    if remote.password:
        text = text.replace(remote.password, "***")
    return " ".join(text.split())[:300]


DEFAULT_DEADLINE = 600.0


def deadline() -> float:
    """Seconds a whole sync may take, every transport and every retry included (FAZHI_SYNC_DEADLINE)."""
    from ..lock import env_seconds  # noqa: PLC0415

    return env_seconds("FAZHI_SYNC_DEADLINE", DEFAULT_DEADLINE, 1.0, 24 * 3600.0)


def bounded(work: Any, until: float, remote: Remote) -> Any:
    """``work()``, given up on at ``until`` (time.monotonic) whatever it waits on.

    A timeout on each read is no limit (a server that sends one byte every
    half second never trips it; an SSH server that accepts and says nothing
    waits on ssh's own terms), so the talk with the remote runs in a thread
    that is abandoned when the time is up: what it may still finish is what a
    killed sync leaves, which the next sync carries on from.
    """
    import threading  # noqa: PLC0415
    import time  # noqa: PLC0415

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread as it was
            box["error"] = e

    worker = threading.Thread(target=run, name="fazhi-sync", daemon=True)
    worker.start()
    worker.join(max(0.0, until - time.monotonic()))
    if worker.is_alive():
        raise LedgerError(t("远端 {r} 在限定时间内未完成同步(FAZHI_SYNC_DEADLINE = {s} 秒);"
                            "请检查网络或服务器后再试;本机记录未丢失",
                            "the remote {r} did not finish the sync within the time limit (FAZHI_SYNC_DEADLINE = {s} s); "
                            "check the network or the server and try again; nothing is lost here",
                            r=remote.shown, s=round(deadline())))
    if "error" in box:
        raise box["error"]
    return box.get("value")
