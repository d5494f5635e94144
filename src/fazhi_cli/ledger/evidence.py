"""The evidence store: files copied to ``evidence/<sha256><ext>``, never replaced, checked by their digest."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from ..errors import LedgerError, UsageError
from ..files import open_regular
from ..i18n import t
from .checks import clean_text
from .layout import evidence_dir
from .model import MAX_EVIDENCE_FILE, MAX_EVIDENCE_TEXT, SHA, Event, Lazy, new_id

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)

# --- evidence ---------------------------------------------------------------

_EXT = Lazy(r"\.[0-9A-Za-z]{1,8}$")
_PATHLIKE = Lazy(r"[/\\]|^[A-Za-z]:|\.(?:pdf|docx?|xlsx?|wps|et|ofd|jpe?g|png|tiff?|zip|rar|7z|txt|csv)$", re.I)
# 番府办〔2017〕12号, 粤府[2017]3号: a document number, even with a slash or a dot in it
_DOCUMENT_NUMBER = Lazy(r"[〔\[【(（]\s*(?:19|20)\d\d\s*[〕\]】)）]\s*第?\s*\d+\s*号")


class EvidenceFile(NamedTuple):
    source: Path
    item: dict


def evidence_item(value: str, base: Path | None = None) -> dict | EvidenceFile:
    """A document number, a URL, or a file to be copied into the data folder."""
    text = clean_text(value, "--evidence", limit=MAX_EVIDENCE_TEXT, allow_empty=False)
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return {"kind": "url", "value": text}
    path = Path(text).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        exists = os.path.lexists(path)
    except (OSError, ValueError):
        exists = False
    if not exists:
        item = {"kind": "document", "value": text}
        if _PATHLIKE.search(text) and not _DOCUMENT_NUMBER.search(text):
            item["unfound"] = True  # looks like a file that is not there: the caller refuses it
        return item
    try:
        sha, size = file_digest(path)
    except OSError as e:
        raise UsageError(t("{p}: 无法读取证明材料({e})", "{p}: cannot read the evidence file ({e})",
                           p=path, e=e.strerror or e)) from None
    if not size:
        # an empty file proves nothing (and /proc files read as empty): a failed save, most likely
        raise UsageError(t("{p}: 证明材料文件是空的(0 字节),请检查后再记录", "{p}: the evidence file is empty (0 bytes); check it",
                           p=path))
    name = path.name[:255]
    return EvidenceFile(path, {"kind": "file", "value": name, "name": name, "size": size, "sha256": sha})


def file_digest(path: Path, limit: int = MAX_EVIDENCE_FILE, *, nofollow: bool = False) -> tuple[str, int]:
    """SHA-256 and size of a regular file, read a megabyte at a time, never past its size when opened."""
    import hashlib  # noqa: PLC0415 - only evidence needs it

    from ..files import TooLarge, span_chunks  # noqa: PLC0415

    fd, st = open_regular(path, nofollow=nofollow)
    try:
        if st.st_size > limit:
            raise TooLarge(27, t("文件过大({n} 字节)", "file too large ({n} bytes)", n=st.st_size), str(path))
        digest = hashlib.sha256()
        size = 0
        for chunk in span_chunks(fd, st.st_size, block=1 << 20):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size
    finally:
        os.close(fd)


def blob_path(root: Path, sha: str, name: str = "") -> Path:
    """Where a file's copy lives: evidence/<sha256><ext>, named by its content."""
    if not SHA.fullmatch(sha):
        raise ValueError("bad digest")
    m = _EXT.search(name or "")
    return evidence_dir(root) / (sha + (m.group(0).lower() if m else ""))


def store_blob(root: Path, source: Path, sha: str, name: str) -> Path | None:
    """Copy a file into the evidence store, checking its digest; the new path, or None if already there."""
    import hashlib  # noqa: PLC0415

    target = blob_path(root, sha, name)
    folder = target.parent
    if folder.is_symlink():
        raise LedgerError(t("{p}: 是符号链接,拒绝写入", "{p}: is a symbolic link; refusing to write", p=folder))
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        raise LedgerError(t("{p}: 无法创建文件夹({e})", "{p}: cannot create the folder ({e})", p=folder, e=e.strerror or e)) from None
    if os.path.lexists(target):
        if verify_blob(target, sha) is None:
            return None
        raise LedgerError(t("{p}: 证明材料副本已损坏,请检查", "{p}: the stored copy of this evidence is damaged; check it",
                            p=target))
    tmp = folder / f".{new_id()}.tmp"
    try:
        src_fd, st = open_regular(source)
        try:
            out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o644)
            try:
                digest, left = hashlib.sha256(), st.st_size
                while left > 0:
                    chunk = os.read(src_fd, min(left, 1 << 20))
                    if not chunk:
                        break
                    digest.update(chunk)
                    os.write(out, chunk)
                    left -= len(chunk)
                os.fsync(out)
            finally:
                os.close(out)
        finally:
            os.close(src_fd)
        if digest.hexdigest() != sha:
            raise LedgerError(t("{p}: 文件在记录过程中被修改,请重试", "{p}: the file changed while it was being recorded; try again",
                                p=source))
        os.link(tmp, target)  # never replaces a file that is already there
    except OSError as e:
        raise LedgerError(t("{p}: 无法保存证明材料副本({e})", "{p}: cannot store a copy of the evidence ({e})",
                            p=target, e=e.strerror or e)) from None
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass
    return target


def verify_blob(path: Path, sha: str, *, follow: bool = False) -> str | None:
    """None when the stored copy is intact, else what is wrong with it.

    A stored copy is a regular file in an evidence folder, never a link to one
    elsewhere (``follow`` is for the path a record made before copies were kept).
    """
    try:
        got, _ = file_digest(path, nofollow=not follow)
    except FileNotFoundError:
        return t("证明材料副本不存在: {p}", "the stored copy of the evidence is missing: {p}", p=path)
    except OSError as e:
        return t("证明材料副本无法读取: {p}（{e}）", "the stored copy of the evidence cannot be read: {p} ({e})",
                 p=path, e=e.strerror or e)
    if got != sha:
        return t("证明材料副本已被修改: {p}", "the stored copy of the evidence has changed: {p}", p=path)
    return None


def verify_evidence(root: Path, event: Event) -> list[str]:
    """What is wrong with the stored copies of the files an event cites."""
    out = []
    for item in event.evidence:
        if not isinstance(item, dict) or item.get("kind") != "file":
            continue
        problem = verify_blob(blob_path(root, item["sha256"], item.get("name", "")), item["sha256"])
        if problem and "name" not in item:
            # recorded before copies were kept: the file where it was recorded
            problem = verify_blob(Path(item["value"]), item["sha256"], follow=True)
        if problem:
            out.append(problem)
    return out


def incoming_blobs(root: Path, items, nothing: str) -> tuple[list[tuple[Path, str, str]], list[str]]:
    """The evidence copies to bring along, checked by hash; lines for those that did not come."""
    wanted: dict[str, tuple[Path, str]] = {}
    for x in items:
        for ev in x.event.evidence:
            if isinstance(ev, dict) and ev.get("kind") == "file" and "name" in ev:
                wanted.setdefault(ev["sha256"], (x.source, ev["name"]))
    blobs, missing = [], []
    for sha, (source, name) in wanted.items():
        here = blob_path(root, sha, name)
        if os.path.lexists(here):
            continue
        there = blob_path(source, sha, name)
        if not os.path.lexists(there):
            missing.append(t("注意: 证明材料 {n} 的副本没有随附(应在 {p})", "note: the copy of evidence {n} did not come along (expected at {p})",
                             n=name, p=there))
            continue
        problem = verify_blob(there, sha)
        if problem:
            raise LedgerError(t("{p}: 证明材料与记录的 SHA-256 不符或无法读取;{n}",
                                "{p}: the evidence does not match its recorded SHA-256 or cannot be read; {n}",
                                p=there, n=nothing))
        blobs.append((there, sha, name))
    return blobs, missing
