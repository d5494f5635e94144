"""``fazhi check``: the plan, the record's problems, the evidence copies and a syncing folder's history."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .. import ledger
from ..i18n import t
from ..ledger import Event, Ledger
from ..plan import Plan


# --- check ------------------------------------------------------------------

def audit(events: Sequence[Event]) -> list[str]:
    """Problems between files: ids used twice, revokes of another unit's record."""
    out = []
    first: dict[str, Event] = {}
    for e in events:
        other = first.get(e.id)
        if other is None:
            first[e.id] = e
        else:
            out.append(t("{f}:{l}: 编号 {i} 与 {g}:{m} 重复", "{f}:{l}: id {i} is also used at {g}:{m}",
                         f=e.file, l=e.line, i=e.id, g=other.file, m=other.line))
    for e in events:
        if e.revokes:
            target = first.get(e.revokes)
            if target is not None and target.unit != e.unit:
                out.append(t("{f}:{l}: 撤销了 {u} 的记录 {i}(无效:一个单位只能撤销自己的记录)",
                             "{f}:{l}: revokes {u}'s record {i} (void: a unit may revoke only its own)",
                             f=e.file, l=e.line, u=target.unit, i=e.revokes))
    return out


def check(plan: Plan, book: Ledger, root: Path) -> tuple[list[str], int]:
    """A report on the plan and the progress files, and the number of problems."""
    lines = [t("方案: {p}(任务 {t} 项,分项 {n} 个,单位 {u} 个,年度事项 {o} 项)",
               "plan: {p} ({t} tasks, {n} parts, {u} units, {o} yearly duties)",
               p=plan.path, t=len(plan.tasks), n=len(plan.parts), u=len(plan.units), o=len(plan.obligations)),
             t("方案标识: {k}", "plan identity: {k}", k=plan.key)]
    sets = [u.name for u in plan.units.values() if u.kind == "collective"]
    if sets:   # usable as they stand: each answers as one body; a note, not a problem
        lines.append(t("待确认的单位组 {n} 个:{u};各作一个责任主体,要按成员跟踪时在 groups 中列出其成员",
                       "sets of units to confirm, {n}: {u}; each answers as one body; to track the members one by one, "
                       "list them under groups", n=len(sets), u=t("、", ", ").join(sets)))
    problems = [str(p) for p in book.problems] + audit(book.events)
    for e in book.events:
        problems += [f"{e.file}:{e.line}: {msg}" for msg in ledger.verify_evidence(root, e)]
    from .verifying import verify_present  # noqa: PLC0415

    try:
        names = ledger.unit_file_names(root)
    except OSError:
        names = []   # no folder of records (or not one: the read above said so)
    said, found = verify_present(plan, root, [n[:-6] for n in names if n[:-6] in plan.units], len(book.events))
    lines += said
    problems += found
    pending = ledger.pending_import(root)
    if pending:
        problems.append(t("{p}: 有一次导入未完成,其写入部分不计;下一次写入时会撤回",
                          "{p}: an import did not finish; what it wrote is not counted and is taken back on the next write",
                          p=ledger.import_journal(root)))
    from ..sync import repo_dir  # noqa: PLC0415

    if repo_dir(root).is_dir():  # the folder syncs: its whole history must keep every synced line
        from ..sync.audit import audit as sync_audit  # noqa: PLC0415

        said, found = sync_audit(plan, root)
        lines += said
        problems += found
    lines.append(t("进度记录: {n} 条,问题 {p} 个", "progress records: {n}, problems: {p}",
                   n=len(book.events), p=len(problems)))
    return lines + problems, len(problems)
