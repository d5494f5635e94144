"""A data folder as git holds it, and the rule its history keeps: lines are only ever added.

``Folder`` is one commit's content as fazhi reads it (the marker naming the
plan, each unit's file, each evidence copy), refusing any other shape.
``verify`` walks commits and yields every place where a synced line was
changed or removed, a unit's file deleted, an evidence copy changed, or the
marker altered; ``sync`` stops at the first, ``check`` lists them all.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, NamedTuple

from ..errors import FazhiError, LedgerError, UsageError
from ..i18n import t
from ..ledger import EVIDENCE, MAX_EVIDENCE_FILE, PROGRESS   # a commit holds the folders as a data folder does

MARKER = "fazhi-sync.json"
MAIN = b"refs/heads/main"
MAX_UNIT_FILE = 64 * 1024 * 1024
MAX_MARKER = 4096
FORMAT = 1
_FILE_MODES = (0o100644, 0o100755)
_TREE_MODE = 0o040000
_EVIDENCE_NAME = re.compile(r"[0-9a-f]{64}(?:\.[0-9a-z]{1,8})?")


class Damaged(LedgerError):
    """The repository cannot be read: objects missing (a shallow copy) or corrupt."""


class Vanished(Damaged):
    """A pack was removed between listing the packs and reading one: another process repacked. Look again."""


def vanished(e: BaseException) -> bool:
    """Whether an error while reading a store is a pack that another process removed meanwhile."""
    return isinstance(e, Vanished) or type(e).__name__ == "PackFileDisappeared"


class Refused(LedgerError):
    """The history breaks the rule: a synced line changed or removed, or the folder's shape."""


class Folder(NamedTuple):
    commit: bytes | None
    marker: bytes | None                # blob id
    units: dict[str, bytes]             # "区编办.jsonl" -> blob id
    evidence: dict[str, bytes]          # "<sha256><ext>" -> blob id
    others: dict[str, tuple[int, bytes]] = {}   # a server's README or licence: kept as it is, never read


EMPTY = Folder(None, None, {}, {}, {})
# what a server's "initialise this repository" button puts in its first commit
_INIT_FILE = re.compile(r"(readme|license|licence|copying|\.gitignore|\.gitattributes)([._-][^/\\]*)?", re.I)


def initial_only(folder: Folder) -> bool:
    """A commit holding nothing but a server's README or licence: fazhi may start on top of it."""
    return folder.marker is None and not folder.units and not folder.evidence


def short(sha: bytes | None) -> str:
    return sha.decode("ascii")[:10] if sha else "-"


def get(store: Any, sha: bytes, what: str = "") -> Any:
    """An object of the store; Damaged when it is missing or does not read."""
    try:
        return store[sha]
    except KeyError:
        raise Damaged(t("同步仓库缺少对象 {s}{w}(可能是浅克隆或已损坏的仓库)",
                        "the repository lacks object {s}{w} (a shallow or damaged repository?)",
                        s=short(sha), w=f" ({what})" if what else "")) from None
    except Exception as e:  # zlib, checksum and format errors of a damaged object
        if isinstance(e, FazhiError):
            raise
        if vanished(e):
            raise Vanished(t("同步仓库的对象 {s} 所在的包已被移走", "the pack holding object {s} was removed meanwhile",
                             s=short(sha))) from None
        raise Damaged(t("同步仓库的对象 {s} 已损坏({e})",
                        "object {s} of the repository is damaged ({e})",
                        s=short(sha), e=type(e).__name__)) from None


def commit_label(c: Any) -> str:
    from datetime import datetime, timedelta, timezone  # noqa: PLC0415

    try:
        when = datetime.fromtimestamp(c.commit_time, timezone(timedelta(seconds=c.commit_timezone)))
        day = when.strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        day = "?"
    who = c.author.decode("utf-8", "replace").split(" <")[0][:60]
    return f"{short(c.id)}（{day}，{who}）" if _zh() else f"{short(c.id)} ({day}, {who})"


def _zh() -> bool:
    from ..i18n import lang  # noqa: PLC0415

    return lang() == "zh"


def read_folder(store: Any, commit_id: bytes) -> Folder:
    """One commit's content, refusing any shape but fazhi's."""
    c = get(store, commit_id, "commit")
    if c.type_name != b"commit":
        raise Damaged(t("{s} 不是提交", "{s} is not a commit", s=short(commit_id)))
    root = get(store, c.tree, "tree")
    marker = None
    units: dict[str, bytes] = {}
    evidence: dict[str, bytes] = {}
    others: dict[str, tuple[int, bytes]] = {}
    _each_once(root, "", commit_id)
    for entry in root.items():
        name = entry.path.decode("utf-8", "replace")
        if name == MARKER and entry.mode in _FILE_MODES:
            marker = entry.sha
        elif entry.mode in _FILE_MODES and _INIT_FILE.fullmatch(name):
            others[name] = (entry.mode, entry.sha)
        elif name in (PROGRESS, EVIDENCE) and entry.mode == _TREE_MODE:
            sub = get(store, entry.sha, name)
            _each_once(sub, f"{name}/", commit_id)
            for item in sub.items():
                inner = item.path.decode("utf-8", "replace")
                where = f"{name}/{inner}"
                if item.mode not in _FILE_MODES:
                    raise Refused(t("提交 {c} 中的 {p} 不是普通文件",
                                    "{p} in commit {c} is not a plain file", c=short(commit_id), p=where))
                if name == PROGRESS:
                    if not inner.endswith(".jsonl") or inner.startswith(".") or "\\" in inner or "\x00" in inner:
                        raise Refused(t("提交 {c} 中有不是进度文件的 {p}",
                                        "commit {c} holds {p}, which is not a progress file",
                                        c=short(commit_id), p=where))
                    units[inner] = item.sha
                else:
                    if not _EVIDENCE_NAME.fullmatch(inner):
                        raise Refused(t("提交 {c} 中的 {p} 不是按内容命名的证明材料副本",
                                        "{p} in commit {c} is not an evidence copy named by its content",
                                        c=short(commit_id), p=where))
                    evidence[inner] = item.sha
        else:
            raise Refused(t("提交 {c} 中有 fazhi 数据以外的内容 {p}",
                            "commit {c} holds {p}, which is not fazhi data", c=short(commit_id), p=name))
    return Folder(commit_id, marker, units, evidence, others)


def _each_once(tree: Any, prefix: str, commit_id: bytes) -> None:
    """A tree names each entry once. dulwich keeps the last of two entries of one name, git checkout the
    first, and git fsck refuses the tree: so does fazhi, reading the tree's own bytes (mode, space, name,
    NUL, a 20-byte id, for each entry)."""
    raw = tree.as_raw_string()
    seen: set[bytes] = set()
    at = 0
    while at < len(raw):
        space = raw.find(b" ", at)
        nul = raw.find(b"\0", space)
        if space < 0 or nul < 0:
            raise Damaged(t("{s} 不是有效的 tree", "{s} is not a valid tree", s=short(tree.id)))
        name, at = raw[space + 1:nul], nul + 21
        if name in seen:
            raise Refused(t("提交 {c} 中的 {p} 出现了两次", "{p} appears twice in commit {c}", c=short(commit_id),
                            p=prefix + name.decode("utf-8", "replace")))
        seen.add(name)


def blob(store: Any, sha: bytes, limit: int, what: str) -> bytes:
    obj = get(store, sha, what)
    if obj.type_name != b"blob":
        raise Damaged(t("{w} 不是文件", "{w} is not a file", w=what))
    data = obj.as_raw_string()
    if len(data) > limit:
        raise Refused(t("{w} 过大({n} 字节,上限 {m})", "{w} is too large ({n} bytes, at most {m})",
                        w=what, n=len(data), m=limit))
    return data


def marker_bytes(plan_key: str) -> bytes:
    return json.dumps({"fazhi": "sync", "format": FORMAT, "plan": plan_key}, ensure_ascii=False,
                      sort_keys=True).encode("utf-8") + b"\n"


def marker_plan(store: Any, commit_id: bytes) -> str:
    """The plan a repository is for, from its marker; UsageError when it is not a fazhi repository."""
    root = get(store, get(store, commit_id, "commit").tree, "tree")
    marker = next((e.sha for e in root.items() if e.path == MARKER.encode() and e.mode in _FILE_MODES), None)
    if marker is None:
        raise UsageError(t("远端不是 fazhi 的同步仓库(提交 {c} 中没有 {m})",
                           "the remote is not a fazhi repository (commit {c} has no {m})",
                           c=short(commit_id), m=MARKER))
    try:
        obj = json.loads(blob(store, marker, MAX_MARKER, MARKER))
    except ValueError:
        obj = None
    if type(obj) is not dict or obj.get("fazhi") != "sync" or type(obj.get("plan")) is not str:
        raise UsageError(t("远端不是 fazhi 的同步仓库({m} 无法识别)",
                           "the remote is not a fazhi repository ({m} is not fazhi's)", m=MARKER))
    if obj.get("format") != FORMAT:
        raise UsageError(t("远端仓库的格式为 {f},本版本的 fazhi 只认识 {g};请升级 fazhi",
                           "the remote's format is {f}; this fazhi knows {g}; upgrade fazhi", f=obj.get("format"), g=FORMAT))
    return obj["plan"]


def evidence_ok(store: Any, name: str, sha: bytes, checked: set[bytes]) -> str | None:
    """None when an evidence copy's content matches the SHA-256 it is named by."""
    if sha in checked:
        return None
    import hashlib  # noqa: PLC0415

    data = blob(store, sha, MAX_EVIDENCE_FILE, f"{EVIDENCE}/{name}")
    if hashlib.sha256(data).hexdigest() != name[:64]:
        return t("证明材料副本 {p} 的内容与其 SHA-256 不符", "the evidence copy {p} does not match its SHA-256",
                 p=f"{EVIDENCE}/{name}")
    checked.add(sha)
    return None


def first_difference(old: bytes, new: bytes) -> tuple[int, str]:
    """The first line of ``old`` that ``new`` does not keep whole: its number and its record id (or '')."""
    old_lines = old.split(b"\n")
    if old_lines and old_lines[-1] == b"":
        old_lines.pop()
    kept = new.split(b"\n")[:-1]       # a last line without its newline is not kept whole
    for i, line in enumerate(old_lines):
        if i >= len(kept) or kept[i] != line:
            return i + 1, record_id(line)
    return len(old_lines), ""


def record_id(line: bytes) -> str:
    try:
        obj = json.loads(line)
    except ValueError:
        return ""
    value = obj.get("id") if type(obj) is dict else None
    return value if type(value) is str else ""


def line_ref(unit_file: str, number: int, rid: str) -> str:
    unit = unit_file[:-6]
    if rid:
        return t("{u} 的进度文件第 {n} 行(记录 {i})", "line {n} of {u}'s progress file (record {i})", u=unit, n=number, i=rid)
    return t("{u} 的进度文件第 {n} 行", "line {n} of {u}'s progress file", u=unit, n=number)


class Violation(NamedTuple):
    commit: bytes
    message: str


def compare(store: Any, parent: Folder, child: Folder, label: str, checked: set[bytes],
            blobs: dict[bytes, bytes]) -> Iterator[str]:
    """What ``child`` (described by ``label``) did to lines ``parent`` had: every change or removal."""
    if child.marker != parent.marker and not (initial_only(parent) and child.marker is not None):
        yield t("提交 {c} 改动了 {m}(仓库所属的方案)", "commit {c} changed {m} (the plan the repository is for)",
                c=label, m=MARKER)
    for name, sha in parent.units.items():
        new = child.units.get(name)
        if new is None:
            yield t("提交 {c} 删除了 {u} 的进度文件", "commit {c} deleted {u}'s progress file", c=label, u=name[:-6])
            continue
        if new == sha:
            continue
        old_bytes = _cached(store, sha, blobs, f"{PROGRESS}/{name}")
        new_bytes = _cached(store, new, blobs, f"{PROGRESS}/{name}")
        if not new_bytes.startswith(old_bytes):
            n, rid = first_difference(old_bytes, new_bytes)
            yield t("提交 {c} 改写或删除了{l}", "commit {c} changed or removed {l}", c=label, l=line_ref(name, n, rid))
        elif new_bytes and not new_bytes.endswith(b"\n"):
            yield t("提交 {c} 中 {u} 的进度文件末行不完整", "commit {c} leaves {u}'s progress file with an unfinished last line",
                    c=label, u=name[:-6])
    for name, sha in parent.evidence.items():
        if child.evidence.get(name) != sha:
            yield t("提交 {c} 删除或改动了证明材料副本 {p}", "commit {c} removed or changed the evidence copy {p}",
                    c=label, p=f"{EVIDENCE}/{name}")
    yield from _new_content(store, parent, child, label, checked, blobs)


def _new_content(store: Any, parent: Folder, child: Folder, label: str, checked: set[bytes],
                 blobs: dict[bytes, bytes]) -> Iterator[str]:
    for name, sha in child.evidence.items():
        if parent.evidence.get(name) != sha:
            problem = evidence_ok(store, name, sha, checked)
            if problem:
                yield t("提交 {c}: {p}", "commit {c}: {p}", c=label, p=problem)
    for name, sha in child.units.items():
        if name not in parent.units:
            data = _cached(store, sha, blobs, f"{PROGRESS}/{name}")
            if data and not data.endswith(b"\n"):
                yield t("提交 {c} 中 {u} 的进度文件末行不完整", "commit {c} leaves {u}'s progress file with an unfinished last line",
                        c=label, u=name[:-6])


def _cached(store: Any, sha: bytes, blobs: dict[bytes, bytes], what: str) -> bytes:
    data = blobs.get(sha)
    if data is None:
        data = blob(store, sha, MAX_UNIT_FILE, what)
        if len(blobs) > 256:
            blobs.clear()
        blobs[sha] = data
    return data


def walk(store: Any, head: bytes, stop: bytes | None) -> tuple[list[bytes], bool]:
    """Commits reachable from ``head``, parents before children, not going past ``stop``; and whether stop was met."""
    order: list[bytes] = []
    seen: set[bytes] = set()
    met = False
    stack: list[tuple[bytes, bool]] = [(head, False)]
    while stack:
        sha, done = stack.pop()
        if done:
            order.append(sha)
            continue
        if sha in seen:
            continue
        seen.add(sha)
        if sha == stop:
            met = True
            continue
        c = get(store, sha, "commit")
        if c.type_name != b"commit":
            raise Damaged(t("{s} 不是提交", "{s} is not a commit", s=short(sha)))
        stack.append((sha, True))
        for p in c.parents:
            if p not in seen:
                stack.append((p, False))
    return order, met


def verify(store: Any, commits: list[bytes], known: dict[bytes, Folder] | None = None) -> Iterator[Violation]:
    """Every breach of the rule in these commits (parents first), each against each of its parents."""
    folders: dict[bytes, Folder] = dict(known or {})
    checked: set[bytes] = set()
    blobs: dict[bytes, bytes] = {}
    for sha in commits:
        c = get(store, sha, "commit")
        try:
            folder = folders[sha] = read_folder(store, sha)
        except Refused as e:
            yield Violation(sha, str(e))
            continue
        label = commit_label(c)
        if not c.parents:
            if folder.marker is None and not initial_only(folder):
                yield Violation(sha, t("提交 {c} 没有 {m}", "commit {c} has no {m}", c=label, m=MARKER))
            for message in _new_content(store, EMPTY._replace(marker=folder.marker), folder, label, checked, blobs):
                yield Violation(sha, message)
        for p in c.parents:
            parent = folders.get(p)
            if parent is None:
                try:
                    parent = folders[p] = read_folder(store, p)
                except Refused:
                    continue  # reported where that commit itself is checked
            for message in compare(store, parent, folder, label, checked, blobs):
                yield Violation(sha, message)


def verify_head(store: Any, head: bytes) -> Iterator[Violation]:
    """What a first sync checks: the head's shape, its marker, every evidence copy against its digest, and
    unit files that end with a whole line."""
    try:
        folder = read_folder(store, head)
    except Refused as e:
        yield Violation(head, str(e))
        return
    label = commit_label(get(store, head, "commit"))
    if folder.marker is None:
        yield Violation(head, t("提交 {c} 没有 {m}", "commit {c} has no {m}", c=label, m=MARKER))
    for message in _new_content(store, EMPTY._replace(marker=folder.marker), folder, label, set(), {}):
        yield Violation(head, message)
