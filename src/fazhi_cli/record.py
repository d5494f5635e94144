"""Recording progress: what `mark`, `attach`, `undo`, `import`, `log` and `check` do.

Validates what a user asks for against the plan, then hands whole events to
``ledger`` (the only module that touches the files). Everything is checked
before the first byte is written, so a refused command changes nothing; every
record, typed or imported, passes ``ledger.check_record``.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import date
from pathlib import Path
from typing import NamedTuple, Sequence

from . import ledger
from .dates import parse_date
from .errors import LedgerError, UsageError
from .i18n import state_label, t
from .ledger import Event, Ledger
from .plan import Obligation, Part, Plan

MAX_IMPORT_BYTES = 64 * 1024 * 1024


class Written(NamedTuple):
    """What a writing command recorded, and what it wants the user to know."""

    events: list[dict]
    notes: list[str]


def _who(by: str | None) -> str:
    value = by if by is not None else os.environ.get("FAZHI_USER")
    if value is None:
        try:
            value = getpass.getuser()
        except Exception:  # no login name on some service accounts
            value = ""
    return ledger.clean_text(value, "--by" if by is not None else "FAZHI_USER", limit=ledger.MAX_BY,
                             allow_empty=by is None).replace("\n", " ")


def _responsible_line(plan: Plan, targets: Sequence[Part | Obligation]) -> str:
    bits = []
    for x in targets:
        if isinstance(x, Part):
            who = t("牵头 {l}", "lead {l}", l="、".join(x.lead))
            if x.support:
                who += t(";配合 {s}", "; support {s}", s="、".join(x.support))
        else:
            names = x.units if len(x.units) <= 5 else (*x.units[:5], "…")
            who = "、".join(names)
        bits.append(f"{x.id}: {who}")
    return " | ".join(bits)


def _mine(plan: Plan, target: str, unit: str) -> list[Part | Obligation]:
    candidates = plan.targets(target)
    mine = [x for x in candidates if plan.role_of(x, unit)]
    if not mine:
        raise UsageError(t("{u} 不负责 {r};负责单位为 {who}", "{u} holds no responsibility for {r}; responsible: {who}",
                           u=unit, r=target.strip(), who=_responsible_line(plan, candidates)))
    return mine


def _day(plan: Plan, on: str | None, now_day: date) -> date:
    day = parse_date(on, "--on") if on is not None else now_day
    if day > now_day:
        raise UsageError(t("--on {d} 晚于今天({n}),不能记录未来的进度", "--on {d} is after today ({n}); progress cannot be recorded ahead",
                           d=day, n=now_day))
    if plan.start is not None and day < plan.start:
        raise UsageError(t("--on {d} 早于方案印发日期({s}),方案开始前的工作不能记入",
                           "--on {d} is before the plan was signed ({s}); work before the plan cannot be recorded",
                           d=day, s=plan.start))
    return day


def _evidence(values: Sequence[str]) -> tuple[list[dict], list[ledger.EvidenceFile], list[str]]:
    if len(values) > ledger.MAX_EVIDENCE:
        raise UsageError(t("证明材料过多(最多 {m} 项)", "too much evidence (at most {m} items)", m=ledger.MAX_EVIDENCE))
    items, files, notes = [], [], []
    for value in values:
        item = ledger.evidence_item(value)
        if isinstance(item, ledger.EvidenceFile):
            files.append(item)
            item = item.item
        elif item.pop("unfound", False):
            notes.append(t("注意: 找不到文件 {v},已作为文号或材料名称记录,未保存文件副本",
                           "note: no file {v}; recorded as a document reference, no copy kept", v=item["value"]))
        items.append(item)
    return items, files, notes


def _validated(plan: Plan, events: list[dict], day: str) -> list[dict]:
    # The same checks an imported record meets: one path for every record.
    # (--on was checked against the caller's day already; a record stamped
    # by this machine's clock is never "after today" by that clock.)
    day = max(day, ledger.now().date().isoformat())
    for obj in events:
        try:
            ledger.check_record(obj, plan, today=day, file_unit=obj["unit"])
        except ValueError as e:
            raise UsageError(str(e)) from None
    return events


def _write(root: Path, unit: str, events: list[dict], files: Sequence[ledger.EvidenceFile]) -> None:
    with ledger.Writing(root) as w:
        for f in files:
            w.store_evidence(f.source, f.item["sha256"], f.item["name"])
        w.append(unit, events)


def mark(plan: Plan, root: Path, *, target: str, unit: str, state: str, on: str | None,
         note: str | None, evidence: Sequence[str], by: str | None, clock_today: date | None = None) -> Written:
    """Record a unit's state for a part, a task's parts, or a yearly duty."""
    mine = _mine(plan, target, unit)
    now_day = clock_today or ledger.now().date()
    day = _day(plan, on, now_day)
    refuse_if_closed(plan, root, day)
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    items, files, notes = _evidence(evidence)
    who = _who(by)
    cmd = ledger.new_id()
    events = _validated(plan, [ledger.new_event(plan, target=x.id, unit=unit, state=state, on=day.isoformat(),
                                                note=text, evidence=items, by=who, cmd=cmd) for x in mine],
                        now_day.isoformat())
    if state == "done" and on is None:
        standing = _own_standing(plan, root, unit, now_day)
        for x in mine:
            pair = standing.get((x.id, unit))
            if pair is not None and pair.state == "done":
                notes.append(t("注意: {p} 已于 {d} 完成,完成日期不变;只补充材料或备注可用 fazhi attach",
                               "note: {p} has been done since {d}; its completion date stays. To add evidence or a "
                               "note only, use fazhi attach", p=x.id, d=pair.since))
    _write(root, unit, events, files)
    return Written(events, notes)


def attach(plan: Plan, root: Path, *, target: str, unit: str, note: str | None, evidence: Sequence[str],
           by: str | None, clock_today: date | None = None) -> Written:
    """Add evidence or a note to what a unit has recorded, without changing its state or date."""
    if note is None and not evidence:
        raise UsageError(t("请用 --evidence 或 --note 指明要补充的内容", "give --evidence or --note to attach"))
    mine = _mine(plan, target, unit)
    now_day = clock_today or ledger.now().date()
    standing = _own_standing(plan, root, unit, now_day)
    missing = [x.id for x in mine if (x.id, unit) not in standing]
    if missing:
        raise UsageError(t("{u} 尚未记录 {p} 的进度,请先用 fazhi mark 记录", "{u} has recorded nothing for {p}; use fazhi mark first",
                           u=unit, p="、".join(missing)))
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    items, files, notes = _evidence(evidence)
    cmd = ledger.new_id()
    events = _validated(plan, [ledger.new_event(plan, target=x.id, unit=unit, state=None, on=now_day.isoformat(),
                                                note=text, evidence=items, by=_who(by), cmd=cmd, kind="attach")
                               for x in mine], now_day.isoformat())
    _write(root, unit, events, files)
    return Written(events, notes)


def _own_standing(plan: Plan, root: Path, unit: str, day: date) -> dict:
    from .progress.replay import replay  # noqa: PLC0415

    events, _ = _own_events(plan, root, unit)
    return replay(events, day)


def _own_events(plan: Plan, root: Path, unit: str, start: int = 0) -> tuple[list[Event], int]:
    """The unit's own records of this plan in its file from byte ``start``, and the file's size read."""
    path = ledger.ledger_path(root, unit)
    if not os.path.lexists(path):
        return [], 0
    caps = ledger.pending_import(root)
    source = ledger.pending_sync(root).get(path.name, path)     # a sync's decided file, if one is pending
    data, problem = ledger.read_ledger_file(source, caps.get(path.name), start)
    if data is None:
        raise LedgerError(str(problem))
    events = [item[0] for item in ledger.parse_lines(path, data, plan, file_unit=unit) if not isinstance(item, ledger.Problem)]
    return events, start + len(data)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class Undone(NamedTuple):
    revoked: list[Event]
    events: list[dict]


def undo(plan: Plan, root: Path, unit: str) -> Undone:
    """Revoke everything the unit's latest command recorded, by appending revoking events."""
    path = ledger.ledger_path(root, unit)
    events, size = _own_events(plan, root, unit)
    seen = _identity(path)
    _latest_command(events, unit)       # refuse before taking the lock
    with ledger.Writing(root) as w:
        # Only what was appended meanwhile is read under the lock: a large
        # ledger must not keep other writers waiting. A sync replaces the
        # file whole (a new file, lines in another order): then it is read again.
        if _identity(path) == seen:
            more, _ = _own_events(plan, root, unit, start=size)
        else:
            events, _ = _own_events(plan, root, unit)
            more = []
        chosen = _latest_command(events + more, unit)
        cmd = ledger.new_id()
        by = _who(None)
        day = ledger.now().date().isoformat()  # the clock of its own timestamp: never dated after it
        out = [ledger.new_event(plan, target=e.target, unit=unit, state=None, on=day, by=by, revokes=e.id, cmd=cmd)
               for e in chosen]
        w.append(unit, out)
    return Undone(chosen, out)


def _latest_command(events: list[Event], unit: str) -> list[Event]:
    revoked = {e.revokes for e in events if e.revokes}
    standing = [e for e in events if e.type != "revoke" and e.id not in revoked and e.unit == unit]
    if not standing:
        raise UsageError(t("{u} 没有可撤销的记录", "{u} has no record to revoke", u=unit))
    newest = max(standing, key=lambda e: e.recorded_at)
    return [e for e in standing if e.cmd == newest.cmd]


# --- import -----------------------------------------------------------------

class Incoming(NamedTuple):
    obj: dict
    event: Event
    where: str          # file:line it came from
    source: Path        # the folder its evidence would be in


def _canonical(obj: dict) -> str:
    return json.dumps({k: v for k, v in obj.items() if k != "received_at"}, ensure_ascii=False, sort_keys=True)


def _sources(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(ledger file, folder its evidence lives in) for each file or folder given."""
    out = []
    for path in paths:
        if path.is_dir():
            # what arrives is read as it is, never through links: not the folder,
            # not its progress or evidence folders (nor, below, a file or a copy)
            for folder in (path, path / "progress", path / "evidence"):
                if folder.is_symlink():
                    raise UsageError(t("{p}: 是符号链接,不能导入;请给出实际的文件夹",
                                       "{p}: is a symbolic link and cannot be imported; give the folder itself",
                                       p=folder))
            progress = path / "progress" if (path / "progress").is_dir() else path
            found = sorted(p for p in progress.iterdir() if p.suffix == ".jsonl")
            if not found:
                raise UsageError(t("{p}: 文件夹中没有 .jsonl 进度文件", "{p}: the folder holds no .jsonl progress files", p=path))
            out += [(p, progress.parent if progress.name == "progress" else progress) for p in found]
        elif os.path.lexists(path):
            folder = path.parent
            out.append((path, folder.parent if folder.name == "progress" else folder))
        else:
            raise UsageError(t("{p}: 找不到文件", "{p}: no such file", p=path))
    return out


def _file_unit(plan: Plan, path: Path) -> str | None:
    return plan.names.get(path.stem)


def _read_incoming(plan: Plan, path: Path, source: Path, day: str, any_unit: bool) -> list[Incoming]:
    from .files import read_regular  # noqa: PLC0415

    try:
        data = read_regular(path, MAX_IMPORT_BYTES, nofollow=True)
    except OSError as e:
        raise UsageError(t("{p}: 无法导入({e})", "{p}: cannot be imported ({e})", p=path, e=e.strerror or e)) from None
    named = _file_unit(plan, path)
    out: list[Incoming] = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = ledger.decode_line(raw)
            event = ledger.check_record(obj, plan, today=day)
            if event is None:
                raise ValueError(t("记录属于另一方案 {k!r},请用 --plan 指明该方案后导入",
                                   "the record belongs to another plan {k!r}; import it with that --plan",
                                   k=ledger.plan_of(obj)))
        except ValueError as e:
            raise LedgerError(t("{w}: {r};未导入任何记录", "{w}: {r}; nothing was imported", w=where, r=e)) from None
        owner = named or (out[0].event.unit if out else event.unit)
        if event.unit != owner and not any_unit:
            raise LedgerError(t("{w}: 这是 {u} 的记录,而此文件是 {o} 的进度;只能导入发件单位自己的记录"
                                "(确需导入请加 --any-unit);未导入任何记录",
                                "{w}: a record of {u} in {o}'s progress file; only the sender's own records are imported "
                                "(add --any-unit if you mean it); nothing was imported", w=where, u=event.unit, o=owner))
        out.append(Incoming(obj, event, where, source))
    return out


class Existing(NamedTuple):
    unit: str
    canonical: str
    where: str


def _existing(root: Path) -> dict[str, Existing]:
    """Every record id in the data folder, whatever its plan, with its content."""
    folder = ledger.progress_dir(root)
    out: dict[str, Existing] = {}
    if not folder.is_dir():
        return out
    caps = ledger.pending_import(root)
    staged = ledger.pending_sync(root)
    for path in sorted(p for p in folder.iterdir() if p.suffix == ".jsonl"):
        data, _ = ledger.read_ledger_file(staged.get(path.name, path), caps.get(path.name))
        existing_lines(str(path), data or b"", out)
    return out


def existing_lines(label: str, data: bytes, out: dict[str, Existing], only: Sequence[bytes] | None = None) -> None:
    """Add every record id of one file's bytes (named ``label``) to ``out``, the first of each id.

    ``only``: read just the lines that contain one of these byte strings (quoted ids).
    """
    for number, raw in enumerate(data.split(b"\n"), 1):
        if only is not None and not any(n in raw for n in only):
            continue
        try:
            obj = ledger.decode_line(raw) if raw.strip() else None
        except ValueError:
            continue
        if type(obj) is dict and type(obj.get("id")) is str and obj["id"] not in out:
            out[obj["id"]] = Existing(str(obj.get("unit")), _canonical(obj), f"{label}:{number}")


class Admitted:
    """What an import (or a sync) may add, once every rule is met.

    A plain class, not a NamedTuple: `mark` imports this module, and a
    NamedTuple compiles code when it is defined.
    """

    __slots__ = ("new", "repeated", "blobs", "missing")

    def __init__(self, new: dict[str, Incoming], repeated: int, blobs: list[tuple[Path, str, str]],
                 missing: list[str]) -> None:
        self.new = new              # by id, in the order received
        self.repeated = repeated    # records already present, identical
        self.blobs = blobs          # evidence copies to bring: (where, sha256, name)
        self.missing = missing      # lines about evidence copies that did not come along


def admit(root: Path, incoming: Sequence[Incoming], have: dict[str, Existing] | None = None, *,
          nothing: str | None = None) -> Admitted:
    """The rules every record arriving from elsewhere meets, whether by import or by sync.

    An id already present (in ``have``, by default the data folder) with other
    content is a conflict; a revoke may take back only a record of its own
    unit; evidence copies are checked against their SHA-256. Raises
    LedgerError naming the record; ``nothing`` ends the message (what was
    not done).
    """
    nothing = nothing or t("未导入任何记录", "nothing was imported")
    have = _existing(root) if have is None else have
    new: dict[str, Incoming] = {}
    repeated = 0
    for item in incoming:
        eid, canon = item.event.id, _canonical(item.obj)
        known = have.get(eid)
        if known is None and eid in new:
            known = Existing(new[eid].event.unit, _canonical(new[eid].obj), new[eid].where)
        if known is None:
            new[eid] = item
            continue
        if known.canonical != canon:
            raise LedgerError(t("{w}: 编号 {i} 已存在({k})且内容不同;已有: {a};收到: {b};{n}",
                                "{w}: id {i} already exists ({k}) with other content; have: {a}; received: {b}; "
                                "{n}", w=item.where, i=eid, k=known.where, a=known.canonical, b=canon, n=nothing))
        repeated += 1
    units_of = {eid: x.unit for eid, x in have.items()}
    units_of.update((eid, x.event.unit) for eid, x in new.items())
    for item in new.values():
        target = item.event.revokes
        if target and units_of.get(target) != item.event.unit:
            why = (t("撤销的记录不存在", "the record it revokes does not exist") if target not in units_of else
                   t("撤销的是 {u} 的记录;一个单位只能撤销自己的记录", "it revokes a record of {u}; a unit may revoke only its own",
                     u=units_of[target]))
            raise LedgerError(t("{w}: {r};{n}", "{w}: {r}; {n}", w=item.where, r=why, n=nothing))
    # evidence comes with every record received, new or already here: a ledger
    # mailed alone first and its folder later brings the copies that were missing
    blobs, missing = _incoming_evidence(root, incoming, nothing)
    return Admitted(new, repeated, blobs, missing)


def import_files(plan: Plan, root: Path, files: Sequence[Path], *, dry_run: bool = False, any_unit: bool = False,
                 clock_today: date | None = None) -> tuple[list[str], list[Incoming]]:
    """Merge received progress files by record id: all of them, or nothing.

    Returns the lines to show and the records added (or that would be).
    """
    day = (clock_today or ledger.now().date()).isoformat()
    incoming: list[Incoming] = []
    for path, source in _sources(files):
        incoming += _read_incoming(plan, path, source, day, any_unit)
    if not incoming:
        raise UsageError(t("{p}: 没有任何进度记录,未导入任何记录", "{p}: holds no progress records; nothing was imported",
                           p=", ".join(map(str, files))))
    admitted = admit(root, incoming)
    new, repeated, blobs, missing = admitted.new, admitted.repeated, admitted.blobs, admitted.missing
    lines = [added_line(x) for x in new.values()]
    lines += missing
    wanted_new = {ev["sha256"] for x in new.values() for ev in x.event.evidence
                  if isinstance(ev, dict) and ev.get("kind") == "file"}
    filled = sum(1 for _, sha, _ in blobs if sha not in wanted_new)
    if filled:
        lines.append(t("补齐证明材料 {n} 份(此前已导入的记录缺少的副本)", "{n} evidence copies filled in for records "
                       "already here", n=filled))
    summary = t("读到 {n} 条记录,新增 {a} 条,已有 {s} 条未重复写入", "{n} records read, {a} new, {s} already present",
                n=len(incoming), a=len(new), s=repeated)
    if dry_run:
        return [*lines, t("试运行: {s};未写入任何文件", "dry run: {s}; nothing was written", s=summary)], list(new.values())
    if new or blobs:
        stamp = ledger.now().isoformat(timespec="microseconds")
        by_unit: dict[str, list[dict]] = {}
        for x in new.values():
            by_unit.setdefault(x.event.unit, []).append({**x.obj, "received_at": stamp})
        with ledger.Writing(root) as w:
            if by_unit:
                w.journal(ledger.ledger_path(root, u) for u in sorted(by_unit))
            for source, sha, name in blobs:
                w.store_evidence(source, sha, name)
            for unit in sorted(by_unit):
                w.append(unit, by_unit[unit])
            w.commit()
    return [*lines, t("导入完成: {s}", "imported: {s}", s=summary)], list(new.values())


def added_line(x: Incoming) -> str:
    """One record an import or a sync brings, as the list of what arrived shows it."""
    e = x.event
    if e.type == "revoke":
        what = t("撤销 {i}", "revokes {i}", i=(e.revokes or "")[:8])
    elif e.type == "attach":
        what = t("补充材料", "attachment")
    else:
        what = state_label(e.state or "todo")
    return t("+ {u} {p} {w}({d})", "+ {u} {p} {w} ({d})", u=e.unit, p=e.target, w=what, d=e.on)


def _incoming_evidence(root: Path, items, nothing: str) -> tuple[list[tuple[Path, str, str]], list[str]]:
    """The evidence copies to bring along, checked by hash; lines for those that did not come."""
    wanted: dict[str, tuple[Path, str]] = {}
    for x in items:
        for ev in x.event.evidence:
            if isinstance(ev, dict) and ev.get("kind") == "file" and "name" in ev:
                wanted.setdefault(ev["sha256"], (x.source, ev["name"]))
    blobs, missing = [], []
    for sha, (source, name) in wanted.items():
        here = ledger.blob_path(root, sha, name)
        if os.path.lexists(here):
            continue
        there = ledger.blob_path(source, sha, name)
        if not os.path.lexists(there):
            missing.append(t("注意: 证明材料 {n} 的副本没有随附(应在 {p})", "note: the copy of evidence {n} did not come along (expected at {p})",
                             n=name, p=there))
            continue
        problem = ledger.verify_blob(there, sha)
        if problem:
            raise LedgerError(t("{p}: 证明材料与记录的 SHA-256 不符或无法读取;{n}",
                                "{p}: the evidence does not match its recorded SHA-256 or cannot be read; {n}",
                                p=there, n=nothing))
        blobs.append((there, sha, name))
    return blobs, missing


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
    problems = [str(p) for p in book.problems] + audit(book.events)
    for e in book.events:
        problems += [f"{e.file}:{e.line}: {msg}" for msg in ledger.verify_evidence(root, e)]
    pending = ledger.pending_import(root)
    if pending:
        problems.append(t("{p}: 有一次导入未完成,其写入部分不计;下一次写入时会撤回",
                          "{p}: an import did not finish; what it wrote is not counted and is taken back on the next write",
                          p=ledger.progress_dir(root) / ledger.JOURNAL))
    from .sync import repo_dir  # noqa: PLC0415

    if repo_dir(root).is_dir():  # the folder syncs: its whole history must keep every synced line
        from .sync.audit import audit as sync_audit  # noqa: PLC0415

        said, found = sync_audit(plan, root)
        lines += said
        problems += found
    lines.append(t("进度记录: {n} 条,问题 {p} 个", "progress records: {n}, problems: {p}",
                   n=len(book.events), p=len(problems)))
    return lines + problems, len(problems)


# --- supervision (督办): the supervising office's acts, in its own file ----------

def _supervisor(plan: Plan, acting: str) -> str:
    if not plan.supervision.units:
        raise UsageError(t("方案没有指定督办单位(supervision.units),不能记录督办事项",
                           "the plan names no supervising unit (supervision.units); supervision acts cannot be recorded"))
    if not plan.supervises(acting):
        raise UsageError(t("{u} 不是督办单位;只有 {w} 可以审核、延期、免除、催办或结束方案",
                           "{u} is not a supervising unit; only {w} may review, extend, waive, remind or close",
                           u=acting, w="、".join(plan.supervision.units)))
    return acting


def _act_write(plan: Plan, root: Path, acting: str, events: list[dict], day: date) -> list[dict]:
    _validated(plan, events, day.isoformat())
    with ledger.Writing(root) as w:
        w.append(acting, events)
    return events


def _subjects(plan: Plan, target: Part | Obligation, unit: str | None, *, leads_only: bool = False) -> list[str]:
    if unit is not None:
        if not plan.role_of(target, unit):
            raise UsageError(t("{u} 不负责 {p}", "{u} holds no responsibility for {p}", u=unit, p=target.id))
        return [unit]
    return []


def review(plan: Plan, root: Path, *, target: str, unit: str, acting: str, verdict: str, note: str | None,
           by: str | None, clock_today: date | None = None) -> list[dict]:
    """销号 (accept) or 退回 (return) a unit's claim that a part or duty is done."""
    acting = _supervisor(plan, acting)
    items = _mine(plan, target, unit)
    day = clock_today or ledger.now().date()
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    if verdict == "return" and not text:
        raise UsageError(t("退回时请用 --note 写明理由,单位会在自己的视图中看到",
                           "say why with --note when returning: the unit sees it in its views"))
    standing = _own_standing(plan, root, unit, day)
    unclaimed = [x.id for x in items if getattr(standing.get((x.id, unit)), "state", None) != "done"]
    if unclaimed:
        raise UsageError(t("{u} 尚未报告完成 {p},无可审核的内容", "{u} has not reported {p} done; there is nothing to review",
                           u=unit, p="、".join(unclaimed)))
    cmd = ledger.new_id()
    who = _who(by)
    events = [ledger.new_event(plan, target=x.id, unit=acting, state=None, on=day.isoformat(), by=who, cmd=cmd,
                               note=text, kind="review", subject=unit, verdict=verdict) for x in items]
    return _act_write(plan, root, acting, events, day)


def extend(plan: Plan, root: Path, *, target: str, unit: str | None, acting: str, to: str, reason: str,
           approved_by: str | None, by: str | None, clock_today: date | None = None) -> list[dict]:
    """延期: a new due date for a part or duty (for one unit, or for all), the original kept for assessment."""
    acting = _supervisor(plan, acting)
    items = plan.targets(target) if unit is None else _mine(plan, target, unit)
    new_due = parse_date(to, "--to")
    late = [x.id for x in items if new_due <= x.due]
    if late:
        raise UsageError(t("--to {d} 不晚于 {p} 的原定期限,延期应延到原期限之后", "--to {d} is not after the due date of {p}",
                           d=new_due, p="、".join(late)))
    day = clock_today or ledger.now().date()
    text = ledger.clean_text(reason, "--reason", allow_empty=False)
    approver = ledger.clean_text(approved_by, "--approved-by", limit=ledger.MAX_BY) if approved_by else ""
    cmd = ledger.new_id()
    who = _who(by)
    events = [ledger.new_event(plan, target=x.id, unit=acting, state=None, on=day.isoformat(), by=who, cmd=cmd,
                               note=text, kind="extend", subject=unit, until=new_due.isoformat(),
                               approved_by=approver) for x in items]
    return _act_write(plan, root, acting, events, day)


def waive(plan: Plan, root: Path, *, target: str, unit: str | None, acting: str, reason: str, by: str | None,
          clock_today: date | None = None) -> list[dict]:
    """不再适用: the item leaves what is owed (for one unit, or for all) but stays visible with its reason."""
    acting = _supervisor(plan, acting)
    items = plan.targets(target) if unit is None else _mine(plan, target, unit)
    day = clock_today or ledger.now().date()
    text = ledger.clean_text(reason, "--reason", allow_empty=False)
    cmd = ledger.new_id()
    events = [ledger.new_event(plan, target=x.id, unit=acting, state=None, on=day.isoformat(), by=_who(by), cmd=cmd,
                               note=text, kind="waive", subject=unit) for x in items]
    return _act_write(plan, root, acting, events, day)


def close_plan(plan: Plan, root: Path, *, acting: str, on: str | None, note: str | None, reopen: bool = False,
               by: str | None = None, clock_today: date | None = None) -> list[dict]:
    """Close the plan (its final account stands; due --check passes), or reopen it."""
    acting = _supervisor(plan, acting)
    now_day = clock_today or ledger.now().date()
    day = _day(plan, on, now_day)
    text = ledger.clean_text(note, "--note", allow_empty=False) if note is not None else ""
    event = ledger.new_event(plan, target="", unit=acting, state=None, on=day.isoformat(), by=_who(by),
                             cmd=ledger.new_id(), note=text, kind="reopen" if reopen else "close")
    return _act_write(plan, root, acting, [event], now_day)


def closed_on(events: Sequence[Event]) -> str | None:
    """The day the plan was closed, if its latest close or reopen is a close."""
    from .progress.replay import replay_all  # noqa: PLC0415

    return replay_all(events, date.max)[1].closed


def _office_events(plan: Plan, root: Path) -> list[Event]:
    events: list[Event] = []
    for office in plan.supervision.units:
        events += _own_events(plan, root, office)[0]
    return events


def refuse_if_closed(plan: Plan, root: Path, day: date) -> None:
    """A closed plan takes no record dated after its closing, until the office reopens it."""
    if not plan.supervision.units:
        return
    closed = closed_on(_office_events(plan, root))
    if closed is not None and day.isoformat() > closed:
        raise UsageError(t("方案已于 {d} 结束,不能记录其后的进度;如需补记,请督办单位先运行 fazhi reopen",
                           "the plan was closed on {d}; nothing after that can be recorded unless the supervising "
                           "unit runs fazhi reopen", d=closed))


def owed_notices(plan: Plan, events: Sequence[Event], *, acting: str, unit: str | None, as_of: date,
                 within: int) -> tuple[str, list]:
    """The supervising unit acting, and the 催办通知 due: one for each unit that owes something as of ``as_of``."""
    from . import progress  # noqa: PLC0415
    from .progress.supervision import notices  # noqa: PLC0415

    acting = _supervisor(plan, acting)
    st = progress.status(plan, events, as_of)
    return acting, notices(plan, st, within=within, unit=unit)


def remind(plan: Plan, root: Path, chosen: Sequence, *, acting: str, dry_run: bool, by: str | None,
           clock_today: date | None = None) -> tuple[list[tuple], date]:
    """Number the notices and record the numbers in the office's file; the numbered notices and the day issued."""
    issued = clock_today or ledger.now().date()   # the recording clock, as the records it writes
    numbered: list[tuple] = [(n, None) for n in chosen]
    if not dry_run:
        who = _who(by)
        with ledger.Writing(root) as w:
            # numbered under the lock: two reminders never share a number
            mine, _ = _own_events(plan, root, acting)
            revoked = {e.revokes for e in mine if e.revokes}
            used = [e.number for e in mine if e.type == "remind" and e.id not in revoked and e.on[:4] == str(issued.year)]
            first = max(used, default=0) + 1
            numbered = [(n, first + i) for i, n in enumerate(chosen)]
            cmd = ledger.new_id()
            records = [ledger.new_event(plan, target="", unit=acting, state=None, on=issued.isoformat(), by=who,
                                        cmd=cmd, kind="remind", subject=n.unit, number=num,
                                        note=t("逾期 {a} 项,未报年度事项 {b} 项,即将到期 {c} 项,退回 {d} 项",
                                               "{a} overdue, {b} duties missing, {c} falling due, {d} returned",
                                               a=len(n.overdue), b=len(n.duties), c=len(n.upcoming), d=len(n.returned)))
                       for n, num in numbered]
            _validated(plan, records, issued.isoformat())
            w.append(acting, records)
    return numbered, issued
