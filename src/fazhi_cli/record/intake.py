"""What arrives from elsewhere: ``import``'s rules, which ``sync`` shares (``admit``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple, Sequence

from .. import dates, ledger
from ..errors import LedgerError, UsageError
from ..i18n import act_label, state_label, t
from ..ledger import Event, Existing
from ..plan import Plan
from .prepare import MAX_IMPORT_BYTES


# --- import -----------------------------------------------------------------

class Incoming(NamedTuple):
    obj: dict
    event: Event
    where: str          # file:line it came from
    source: Path        # the folder its evidence would be in








def file_unit(plan: Plan, path: Path) -> str | None:
    return plan.names.get(path.stem)


def read_incoming(plan: Plan, path: Path, source: Path, day: str, any_unit: bool) -> list[Incoming]:
    from ..files import read_regular  # noqa: PLC0415

    try:
        data = read_regular(path, MAX_IMPORT_BYTES, nofollow=True)
    except OSError as e:
        raise UsageError(t("{p}: 无法导入({e})", "{p}: cannot be imported ({e})", p=path, e=e.strerror or e)) from None
    named = file_unit(plan, path)
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


def admit(plan: Plan, root: Path, incoming: Sequence[Incoming], have: dict[str, Existing] | None = None, *,
          nothing: str | None = None, beside: Sequence[Incoming] = ()) -> Admitted:
    """The rules every record arriving from elsewhere meets, whether by import or by sync.

    An id already present (in ``have``, by default the data folder) with other
    content is a conflict; a revoke may take back only a record of its own
    unit; a signed record must hold by the office's keyring, and an unsigned one
    be allowed by the plan (README "Signatures"; ``beside``: records arriving with these, whose key acts count
    too, as a sync's received ones do for what it sends); evidence copies are checked against their SHA-256. Raises
    LedgerError naming the record; ``nothing`` ends the message (what was
    not done).
    """
    nothing = nothing or t("未导入任何记录", "nothing was imported")
    if have is None:
        # what the rules below ask of the folder: the ids arriving and the ids they revoke
        wanted = {x.event.id for x in incoming} | {x.event.revokes for x in incoming if x.event.revokes}
        have = ledger.record_ids(root, wanted)
    new: dict[str, Incoming] = {}
    repeated = 0
    for item in incoming:
        eid, canon = item.event.id, ledger.canonical(item.obj)
        known = have.get(eid)
        if known is None and eid in new:
            known = Existing(new[eid].event.unit, ledger.canonical(new[eid].obj), new[eid].where)
        if known is None:
            new[eid] = item
            continue
        if known.canonical != canon:
            raise LedgerError(t("{w}: 编号 {i} 已存在({k})且内容不同;已有: {a};收到: {b}；{n}",
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
            raise LedgerError(t("{w}: {r}；{n}", "{w}: {r}; {n}", w=item.where, r=why, n=nothing))
    if new:
        from .verifying import verify_arrivals  # noqa: PLC0415 - a folder without signatures stops at once

        verify_arrivals(plan, root, list(new.values()), nothing, beside)
    # evidence comes with every record received, new or already here: a ledger
    # mailed alone first and its folder later brings the copies that were missing
    blobs, missing = ledger.incoming_blobs(root, incoming, nothing)
    return Admitted(new, repeated, blobs, missing)


def import_files(plan: Plan, root: Path, files: Sequence[Path], *, dry_run: bool = False, any_unit: bool = False,
                 clock_today: date | None = None) -> tuple[list[str], list[Incoming]]:
    """Merge received progress files by record id: all of them, or nothing.

    Returns the lines to show and the records added (or that would be).
    """
    day = (clock_today or dates.now().date()).isoformat()
    incoming: list[Incoming] = []
    for path, source in ledger.import_sources(files):
        incoming += read_incoming(plan, path, source, day, any_unit)
    if not incoming:
        raise UsageError(t("{p}: 没有任何进度记录,未导入任何记录", "{p}: holds no progress records; nothing was imported",
                           p=", ".join(map(str, files))))
    admitted = admit(plan, root, incoming)
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
        stamp = dates.now().isoformat(timespec="microseconds")
        by_unit: dict[str, list[dict]] = {}
        for x in new.values():
            by_unit.setdefault(x.event.unit, []).append({**x.obj, "received_at": stamp})
        with ledger.Writing(root) as w:
            if by_unit:
                w.journal(sorted(by_unit))
            for source, sha, name in blobs:
                w.store_evidence(source, sha, name)
            for unit in sorted(by_unit):
                w.append(unit, by_unit[unit])
            w.commit()
    return [*lines, t("导入完成: {s}", "imported: {s}", s=summary)], list(new.values())


def added_line(x: Incoming) -> str:
    """One record an import or a sync brings, as the list of what arrived shows it."""
    e = x.event
    if e.type == "mark":
        return t("+ {u} {p} {w}（{d}）", "+ {u} {p} {w} ({d})", u=e.unit, p=e.target, w=state_label(e.state), d=e.on)
    # an office's act names the act and whom it concerns, in the words and the shape of the log's columns
    item = e.target or "-"
    if e.subject:
        item = f"{item} → {e.subject}"
    what = act_label(e.type, verdict=e.verdict, until=e.until, number=e.number, revokes=e.revokes)
    return t("+ {u} {p} {w}（{d}）", "+ {u} {p} {w} ({d})", u=e.unit, p=item, w=what, d=e.on)
