"""`fazhi check` on a folder that syncs: the whole local history keeps every synced line.

Every commit is checked against each of its parents (no synced line changed
or removed, no unit file deleted, no evidence copy changed, the marker
untouched, every evidence copy matching its SHA-256), and the folder's own
files must still begin with the bytes of the last commit they matched.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import FazhiError
from ..i18n import t
from .. import ledger
from ..plan import Plan
from . import tree
from .state import read_state, repo_dir


def audit(plan: Plan, root: Path) -> tuple[list[str], list[str]]:
    """Lines saying what was checked, and one line per problem."""
    from dulwich.errors import NotGitRepository  # noqa: PLC0415
    from dulwich.repo import Repo  # noqa: PLC0415

    path = repo_dir(root)
    try:
        repo = Repo(str(path))
    except NotGitRepository:
        return [], [t("{p}: 同步仓库无法读取", "{p}: the sync repository cannot be read", p=path)]
    try:
        return _audit(plan, root, repo)
    finally:
        repo.close()


def _audit(plan: Plan, root: Path, repo) -> tuple[list[str], list[str]]:
    store = repo.object_store
    try:
        main = repo.refs[tree.MAIN]
    except KeyError:
        return [t("同步: 尚未完成第一次同步", "sync: not synced yet")], []
    problems: list[str] = []
    try:
        commits, _ = tree.walk(store, main, None)
        problems += [v.message for v in tree.verify(store, commits)]
        head = tree.read_folder(store, main)
        key = tree.marker_plan(store, main)
        if key != plan.key:
            problems.append(t("同步仓库是方案 {o} 的记录,不是 {p} 的", "the sync repository holds the plan {o}, not {p}",
                              o=key, p=plan.key))
        state = read_state(root)
        if state is not None and state.head.encode("ascii", "replace") not in set(commits):
            problems += _lost(store, state.head.encode("ascii", "replace"), head)
        problems += _local(root, store, head)
    except FazhiError as e:
        return [], [f"{path_label(root)}: {e}"]
    where = t(",远端 {r}", ", remote {r}", r=_shown(state.remote)) if state else ""
    return [t("同步历史: {n} 个提交,最新 {c}{w}", "sync history: {n} commits, newest {c}{w}",
              n=len(commits), c=tree.short(main), w=where)], problems


def _shown(url: str) -> str:
    from .state import shown  # noqa: PLC0415

    return shown(url)


def path_label(root: Path) -> str:
    return str(repo_dir(root))


def _lost(store, synced: bytes, head: tree.Folder) -> list[str]:
    """The last commit this folder synced is not in its history any more: what the history lost."""
    out = [t("本机的同步历史被改写: 最后一次同步到的提交 {s} 不在当前历史(最新 {c})中",
             "this PC's sync history was rewritten: commit {s}, the last one synced, is not in it (newest {c})",
             s=tree.short(synced), c=tree.short(head.commit))]
    try:
        last = tree.read_folder(store, synced)
    except FazhiError:
        return out
    label = tree.commit_label(tree.get(store, head.commit))
    for name, sha in sorted(last.units.items()):
        old = tree.blob(store, sha, tree.MAX_UNIT_FILE, name)
        new_sha = head.units.get(name)
        new = tree.blob(store, new_sha, tree.MAX_UNIT_FILE, name) if new_sha else b""
        if not new.startswith(old):
            n, rid = tree.first_difference(old, new)
            out.append(t("提交 {c} 改写或删除了{l}", "commit {c} changed or removed {l}", c=label,
                         l=tree.line_ref(name, n, rid)))
    return out


def _local(root: Path, store, head: tree.Folder) -> list[str]:
    """The folder's files must still begin with what they last synced."""
    out = []
    for name, sha in sorted(head.units.items()):
        path = ledger.unit_file_shown(root, name)
        synced = tree.blob(store, sha, tree.MAX_UNIT_FILE, name)
        try:
            data, _ = ledger.read_unit_file(root, name, tree.MAX_UNIT_FILE)
        except FileNotFoundError:
            out.append(t("{p}: 已同步的进度文件在本机被删除", "{p}: a synced progress file was deleted on this PC", p=path))
            continue
        except OSError as e:
            out.append(t("{p}: 无法读取({e})", "{p}: cannot be read ({e})", p=path, e=e.strerror or e))
            continue
        if not data.startswith(synced):
            n, rid = tree.first_difference(synced, data)
            out.append(t("{p}:{n}: 已同步的记录{i}在本机被修改或删除", "{p}:{n}: a synced record{i} was changed or removed on this PC",
                         p=path, n=n, i=t("(编号 {r})", " {r}", r=rid) if rid else ""))
    texts = [tree.blob(store, sha, tree.MAX_UNIT_FILE, name) for name, sha in sorted(head.units.items())] \
        if head.evidence else []
    for name in sorted(head.evidence):
        cited = f'"{name[:64]}"'.encode("ascii")
        if not ledger.has_blob(root, name) and any(cited in text for text in texts):
            out.append(t("{p}: 已同步的证明材料副本在本机缺失(下次同步会恢复)",
                         "{p}: a synced evidence copy is missing on this PC (the next sync restores it)",
                         p=ledger.blob_shown(root, name)))
    return out
