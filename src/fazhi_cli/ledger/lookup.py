"""The data folder's files as another layer may ask about them by name: sync compares them with a
repository's, byte for byte, and may learn a file's bytes, whether an evidence copy is here, and a path to
print, but opens nothing in ``progress/`` or ``evidence/`` itself."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..files import TooLarge, read_regular, read_span
from ..i18n import t
from .evidence import MAX_EVIDENCE_FILE, blob_path, evidence_dir, verify_blob
from .layout import ledger_names, progress_dir
from .model import ARRIVALS
from .reading import open_unit_file

def is_data_folder(path: Path) -> bool:
    """Whether a folder looks like a fazhi data folder (it has a progress folder)."""
    return progress_dir(path).is_dir()


def progress_shown(root: Path) -> Path:
    """The progress folder as a message names it."""
    return progress_dir(root)


def progress_is_link(root: Path) -> bool:
    return progress_dir(root).is_symlink()


def unit_files_here(root: Path) -> list[str]:
    """The unit files' names present in the folder (none when there is no progress folder yet)."""
    folder = progress_dir(root)
    if not folder.is_dir():
        return []
    return [n for n in ledger_names(folder) if not n.startswith(".")]


def unit_file_shown(root: Path, name: str) -> Path:
    """The unit file ``name`` as a message names it."""
    return progress_dir(root) / name


def read_unit_file(root: Path, name: str, limit: int) -> tuple[bytes, int]:
    """The unit file's bytes (a regular file, never through a link, at most ``limit``) and its count of
    hard links; FileNotFoundError or OSError as reading raises them."""
    fd, st = open_unit_file(root, name)
    try:
        if st.st_size > limit:
            raise TooLarge(errno.EFBIG, t("文件过大({n} 字节,上限 {m} 字节)", "file too large ({n} bytes, at most {m})",
                                          n=st.st_size, m=limit), str(unit_file_shown(root, name)))
        return read_span(fd, st.st_size), st.st_nlink
    finally:
        os.close(fd)


def arrivals_shown(root: Path) -> Path:
    return progress_dir(root) / ARRIVALS


def blob_name(sha: str, name: str = "") -> str:
    """The file name of an evidence copy in the store and in a sync repository; ValueError for a bad digest."""
    return blob_path(Path("."), sha, name).name


def has_blob(root: Path, file_name: str) -> bool:
    """Whether the evidence copy ``file_name`` (as ``blob_name`` gives) is in the folder, as any kind of file."""
    return os.path.lexists(evidence_dir(root) / file_name)


def blob_shown(root: Path, file_name: str) -> Path:
    return evidence_dir(root) / file_name


def good_blob_bytes(root: Path, sha: str, name: str) -> tuple[str, bytes] | None:
    """(file name, bytes) of an intact evidence copy, None when there is none here or it does not match."""
    path = blob_path(root, sha, name)
    if verify_blob(path, sha) is not None:
        return None
    return path.name, read_regular(path, MAX_EVIDENCE_FILE, nofollow=True)
