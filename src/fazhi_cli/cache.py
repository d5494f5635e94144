"""The private cache folder both caches use (the parsed plan, the state snapshot), and how they write into it.

The cache folder must be a folder of this user that nobody else can write;
any other folder is neither read nor written. Entries are written through a
temporary file created exclusively under an unpredictable name, then renamed
into place, and named by a cryptographic digest (BLAKE2b-256) of what they
stand for. FAZHI_NO_CACHE=1 turns the folder, and so both caches, off.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .i18n import t

try:  # the interpreter's own BLAKE2: importing hashlib would load OpenSSL (~3-5 ms) for one digest
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - an interpreter built without it
    from hashlib import blake2b as _blake2b

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


def digest(data: bytes) -> str:
    return _blake2b(data, digest_size=32).hexdigest()


def configured() -> Path | None:
    """The cache folder the environment names (or the platform's), whatever it is; None when the cache is off."""
    if os.environ.get("FAZHI_NO_CACHE"):
        return None
    root = os.environ.get("FAZHI_CACHE_DIR")
    if root:
        return Path(root)
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_cache_dir("fazhi", appauthor=False))


def folder() -> Path | None:
    """The cache folder when it may be used (private, or not yet made, and not among a data folder's records);
    None when the cache is off."""
    chosen = configured()
    if chosen is None or (os.path.lexists(chosen) and not private(chosen)) or among_records(chosen):
        return None
    return chosen


def among_records(path: Path) -> bool:
    """Whether a folder is, or is inside, a data folder's ``progress/`` or ``evidence/`` (FAZHI_CACHE_DIR set
    there by mistake): only the ledger writes there, so the caches are not used."""
    from . import ledger  # noqa: PLC0415

    try:
        real = Path(os.path.realpath(path))
    except (OSError, ValueError):
        return True
    return any(p.name in (ledger.PROGRESS, ledger.EVIDENCE) and ledger.is_data_folder(p.parent)
               for p in (real, *real.parents))


def private(folder: Path) -> bool:
    """A real folder of this user that neither the group nor others can write."""
    try:
        st = os.stat(folder)
    except (OSError, ValueError):
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # pragma: no cover - Windows: no owner or mode bits; the profile's ACLs keep it private
        return True
    return st.st_uid == geteuid() and not st.st_mode & 0o022


def folder_note() -> str | None:
    """Why the cache folder is not used, when something is there but it is not private; None otherwise."""
    folder = configured()
    if folder is not None and among_records(folder):
        return t("缓存文件夹 {f} 在数据文件夹的 progress 或 evidence 之中(那里只由 fazhi 写入记录),未使用;"
                 "请把 FAZHI_CACHE_DIR 设为别处的私有文件夹",
                 "the cache folder {f} is inside a data folder's progress or evidence (only the record is written "
                 "there) and is not used; point FAZHI_CACHE_DIR at a private folder elsewhere", f=folder)
    if folder is None or not os.path.lexists(folder) or private(folder):
        return None
    return t("缓存文件夹 {f} 不是只有当前用户可写的文件夹(属于他人、他人可写或不是文件夹),未使用;"
             "请把 FAZHI_CACHE_DIR 设为私有文件夹",
             "the cache folder {f} is not a folder only this user can write (owned or writable by others, "
             "or not a folder) and is not used; point FAZHI_CACHE_DIR at a private folder", f=folder)


def made(folder: Path) -> bool:
    """The cache folder, made (0700) if it was not there, and private (and not among a data folder's records):
    else it is not written."""
    if among_records(folder):
        return False
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, ValueError):
        return False  # a cache that cannot be written is only a slower start
    return private(folder)


def write_entry(folder: Path, name: str, body: bytes) -> None:
    """Put an entry into the (private) cache folder whole, or not at all; never raises."""
    # O_EXCL never follows or reuses whatever sits at the name, and the name
    # cannot be guessed in advance; the rename replaces a link, never its target.
    tmp = folder / f".{name}.{os.urandom(8).hex()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o600)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        os.replace(tmp, folder / name)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
