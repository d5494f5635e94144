"""Keeping a repository's packs few and small, within the sync, in bounded time.

Every push writes one pack on the shared repository, every sync one or two
in the PC's own ``.sync/git``: left alone that is thousands of files, three
open descriptors each, and every version of a unit's file stored whole (the
storage grows with the square of the records). ``tidy`` merges packs
geometrically, as ``git repack --geometric`` does: the smallest packs are
merged while together they are at least half the size of the next one, so a
pack's objects are rewritten a logarithmic number of times over the years.

A unit's file only ever grows at its end, so each version of it is written
as a delta on the previous one (dulwich's ``create_delta``: copy the old
bytes, add the new lines). The parent commit names the previous version, so
no base is searched for, and the history costs what its records cost, within
a small factor of ``git gc --aggressive``. Chains are cut every ``MAX_DEPTH`` versions so a read never
applies more than that many deltas.

Packs another tool wrote (``git gc``, with bitmaps and ``.keep`` files) are
read as any pack; a kept pack is never merged or removed.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Iterator

MAX_PACKS = 8          # more than this many packs after a sync: merge
MAX_DEPTH = 50         # git's own default delta depth
_SIDE_FILES = (".pack", ".idx", ".bitmap", ".rev", ".mtimes")


def tidy(store: Any, limit: int = MAX_PACKS) -> int:
    """Merge the smallest packs of an object store when it holds more than ``limit``; how many were merged.

    Runs after the sync has landed, so nothing it meets may fail the sync:
    a pack another process removed meanwhile, a full disk, a read-only
    share. What was not merged this time is merged by a later sync.
    """
    try:
        return _tidy(store, limit)
    except Exception:  # noqa: BLE001 - see above: tidying is never worth a failed sync
        return 0


def _tidy(store: Any, limit: int) -> int:
    packs = _packs(store)
    if len(packs) <= limit:
        return 0
    packs.sort(key=lambda p: p[1])
    total, k = 0, 0
    while k < len(packs) and (k < 2 or packs[k][1] <= 2 * total or len(packs) - k + 1 > limit // 2):
        total += packs[k][1]
        k += 1
    chosen = packs[:k]
    _merge(store, [p[0] for p in chosen])
    return k


def _packs(store: Any) -> list[tuple[str, int]]:
    """(base path, size) of every pack that may be merged: complete, and not kept."""
    folder = store.pack_dir
    try:
        names = set(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        if not name.endswith(".pack"):
            continue
        stem = name[:-5]
        if stem + ".idx" not in names or stem + ".keep" in names or stem + ".promisor" in names:
            continue
        try:
            size = os.stat(os.path.join(folder, name)).st_size
        except OSError:
            continue
        out.append((os.path.join(folder, stem), size))
    return out


def _merge(store: Any, bases: list[str]) -> None:
    from dulwich.pack import load_pack_index  # noqa: PLC0415

    ids: set[bytes] = set()
    for base in bases:
        index = load_pack_index(base + ".idx", store.object_format)
        try:
            ids.update(name.hex().encode("ascii") for name, _, _ in index.iterentries())
        finally:
            index.close()
    store.add_pack_data(len(ids), _records(store, ids))
    for base in bases:
        for ext in _SIDE_FILES:
            try:
                os.unlink(base + ext)
            except FileNotFoundError:
                pass
            except OSError:
                break          # Windows: a pack another process still reads; the next tidy removes it
    _refresh(store)


def _refresh(store: Any) -> None:
    try:
        store._update_pack_cache()  # noqa: SLF001 - dulwich's own rescan after packs went
    except Exception:  # noqa: BLE001 - a rescan is an optimisation; the next open rescans anyway
        pass


def _records(store: Any, ids: set[bytes]) -> Iterator[Any]:
    """The objects as pack records: each version of a file or folder as a delta on the one before.

    A record that is already a delta on an object being merged is copied as it is, never expanded: a merge
    costs what the deltas weigh and what the new commits hold, not what every version of every file weighs.
    """
    from dulwich.pack import UnpackedObject  # noqa: PLC0415

    kept: dict[bytes, Any] = {}
    kinds: dict[bytes, int] = {}
    for sha in ids:
        u = _unpacked(store, sha)
        if u is None:
            continue
        if u.pack_type_num == 7 and isinstance(u.delta_base, bytes) and len(u.delta_base) == 20 \
                and u.delta_base.hex().encode("ascii") in ids:
            kept[sha] = u
        else:
            kinds[sha] = u.pack_type_num
    depth = _kept_depths(kept)
    base_of = _bases(store, ids, kept, kinds, depth)
    wanted = set(base_of.values())
    length: dict[bytes, int] = {}
    raws: dict[bytes, bytes] = {}
    # A delta is written only on a base already written: the pack's deltas then follow its order and can never
    # form a cycle. (git gc keeps an older version as a delta on the newer one; a merge that made the newer one a
    # delta on the older, or copied both packs' records, wrote a cycle that no later read could resolve.)
    written: set[bytes] = set()
    for _, sha in sorted((depth.get(s, 0), s) for s in ids):
        name = bytes.fromhex(sha.decode("ascii"))
        u = kept.get(sha)
        if u is not None and u.delta_base.hex().encode("ascii") in written:
            if sha in wanted:
                length[sha] = _target_length(u.decomp_chunks)
            chunks = list(u.decomp_chunks)
            written.add(sha)
            yield UnpackedObject(7, sha=name, delta_base=u.delta_base, decomp_len=sum(map(len, chunks)),
                                 decomp_chunks=chunks)
            continue
        obj = store[sha]
        raw = obj.as_raw_string()
        base = base_of.get(sha)
        if base is not None and base not in written:
            base = None
        chunks = None
        if base is not None and obj.type_name == b"blob":
            if base in length and _is_prefix(raw, base, length[base]):
                chunks = _deltified(raw[:length[base]], raw)   # the base is what this version begins with
        elif base is not None:
            old = raws.get(base)
            if old is None:
                try:
                    old = store[base].as_raw_string()       # a folder kept as a delta: small, read whole
                except KeyError:
                    old = None
            if old is not None:
                chunks = _deltified(old, raw)
        if sha in wanted:
            if obj.type_name == b"blob":
                length[sha] = len(raw)
            else:
                raws[sha] = raw
        written.add(sha)
        if chunks is not None and sum(map(len, chunks)) < len(raw):
            yield UnpackedObject(7, sha=name, delta_base=bytes.fromhex(base.decode("ascii")),
                                 decomp_len=sum(map(len, chunks)), decomp_chunks=chunks)
        else:
            yield UnpackedObject(obj.type_num, sha=name, decomp_len=len(raw), decomp_chunks=[raw])


SLOW_DELTA = 256 * 1024     # without dulwich's compiled delta, larger versions are stored whole


def _deltified(base: bytes, target: bytes) -> list[bytes] | None:
    """``target`` as a git delta on ``base``; None where only dulwich's pure-Python differ is installed and the
    version is large (its difflib search grows with the square of the size)."""
    from dulwich import pack  # noqa: PLC0415

    if pack.create_delta is getattr(pack, "_create_delta_py", None) and len(target) > SLOW_DELTA:
        return None
    return list(pack.create_delta(base, target))


def _unpacked(store: Any, sha: bytes) -> Any:
    """The object's record as its pack holds it (a delta stays a delta), or None."""
    try:
        return store.get_unpacked_object(bytes.fromhex(sha.decode("ascii")))
    except (KeyError, AssertionError, ValueError):
        return None


def _kept_depths(kept: dict[bytes, Any]) -> dict[bytes, int]:
    depth: dict[bytes, int] = {}
    for start in kept:
        chain = []
        sha = start
        while sha in kept and sha not in depth:
            chain.append(sha)
            sha = kept[sha].delta_base.hex().encode("ascii")
            if len(chain) > 10_000:
                break                 # a cycle in a foreign pack: depths are only an order
        d = depth.get(sha, 0)
        for item in reversed(chain):
            d += 1
            depth[item] = d
    return depth


def _target_length(chunks: Any) -> int:
    """The size of what a git delta makes: the second number of its header (dulwich reads it only inside
    ``apply_delta``, which would make the whole version)."""
    data = b"".join(chunks)[:20]
    pos = 0
    value = 0
    for _ in range(2):
        value, shift = 0, 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
    return value


def _bases(store: Any, ids: set[bytes], kept: dict[bytes, Any], kinds: dict[bytes, int],
           depth: dict[bytes, int]) -> dict[bytes, bytes]:
    """For each whole blob and tree of the new commits, the previous version at the same place (named by the
    parent commit); ``depth`` is filled in for them. Commits whose folder is already a delta are old: skipped."""
    commits = []
    for sha, kind in kinds.items():
        if kind == 1:
            try:
                c = store[sha]
            except KeyError:
                continue
            if c.tree not in kept:
                commits.append(c)
    commits.sort(key=lambda c: c.commit_time)
    base_of: dict[bytes, bytes] = {}
    seen: dict[bytes, dict[bytes, bytes]] = {}
    for c in commits:
        if not c.parents:
            continue
        try:
            parent_tree = store[c.parents[0]].tree
            new = seen.pop(c.tree, None) or _files(store, c.tree)
            old = seen.pop(parent_tree, None) or _files(store, parent_tree)
        except KeyError:
            continue
        seen[c.tree] = new                  # the next commit's parent, most of the time
        if len(seen) > 64:
            seen.pop(next(iter(seen)))
        for name, sha in new.items():
            prev = old.get(name)
            if prev is None or prev == sha or sha in base_of or sha in kept or sha not in ids or prev not in ids:
                continue
            d = depth.get(prev, 0) + 1
            if d >= MAX_DEPTH:
                continue
            base_of[sha] = prev
            depth[sha] = d
    return base_of


def _files(store: Any, tree_id: bytes, prefix: bytes = b"", level: int = 0) -> dict[bytes, bytes]:
    """Every file and folder of a commit's tree by path (folders end in /), two levels deep as fazhi's are."""
    out: dict[bytes, bytes] = {prefix: tree_id}
    t = store[tree_id]
    if t.type_name != b"tree":
        return out
    for e in t.items():
        if e.mode == 0o040000 and level < 2:
            out.update(_files(store, e.sha, prefix + e.path + b"/", level + 1))
        elif e.mode in (0o100644, 0o100755):
            out[prefix + e.path] = e.sha
    return out


def _is_prefix(raw: bytes, base: bytes, n: int) -> bool:
    if n > len(raw):
        return False
    h = hashlib.sha1(b"blob %d\0" % n)  # noqa: S324 - git's object name
    h.update(memoryview(raw)[:n])
    return h.hexdigest().encode("ascii") == base
