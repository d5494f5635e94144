"""The objects one side of a sync lacks, found from the commits since the last sync; and ``Busy``, another PC's
timing, which ``run`` waits out.
"""

from __future__ import annotations

from typing import Any, Callable

from ..i18n import t
from . import tree
from .tree import Damaged

MAX_TREE_DEPTH = 3


class Busy(Exception):
    """Another PC's timing: the remote moved, is locked by a live sync, or repacked under us; try again."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


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

def store_objects(store: Any, objects: list[Any]) -> None:
    if objects:
        store.add_objects([(o, None) for o in objects])
