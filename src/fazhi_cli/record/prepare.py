"""What every writing command shares: who records, which of a unit's items a target names, the day, the
evidence given, and the one validation path each new record passes before it is written."""

from __future__ import annotations

import getpass
import os
from datetime import date
from pathlib import Path
from typing import NamedTuple, Sequence

from .. import dates, ledger
from ..dates import parse_date
from ..errors import UsageError
from ..i18n import t
from ..plan import Obligation, Part, Plan


MAX_IMPORT_BYTES = 64 * 1024 * 1024


class Written(NamedTuple):
    """What a writing command recorded, and what it wants the user to know."""

    events: list[dict]
    notes: list[str]


def recorder(by: str | None) -> str:
    value = by if by is not None else os.environ.get("FAZHI_USER")
    if value is None:
        try:
            value = getpass.getuser()
        except Exception:  # no login name on some service accounts
            value = ""
    return ledger.clean_text(value, "--by" if by is not None else "FAZHI_USER", limit=ledger.MAX_BY,
                             allow_empty=by is None).replace("\n", " ")


def responsible_line(plan: Plan, targets: Sequence[Part | Obligation]) -> str:
    bits = []
    for x in targets:
        if isinstance(x, Part):
            who = t("牵头 {l}", "lead {l}", l="、".join(x.lead))
            if x.support:
                who += t(";配合 {s}", "; support {s}", s="、".join(x.support))
        else:
            names = x.units if len(x.units) <= 5 else (*x.units[:5], "…")
            who = "、".join(names)
        bits.append(t("{i}：{w}", "{i}: {w}", i=x.id, w=who))
    return " | ".join(bits)


def unit_items(plan: Plan, target: str, unit: str) -> list[Part | Obligation]:
    candidates = plan.targets(target)
    mine = [x for x in candidates if plan.role_of(x, unit)]
    if not mine:
        raise UsageError(t("{u} 不负责 {r};负责单位为 {who}", "{u} holds no responsibility for {r}; responsible: {who}",
                           u=unit, r=target.strip(), who=responsible_line(plan, candidates)))
    return mine


def act_day(plan: Plan, on: str | None, now_day: date) -> date:
    day = parse_date(on, "--on") if on is not None else now_day
    if day > now_day:
        raise UsageError(t("--on {d} 晚于今天({n}),不能记录未来的进度", "--on {d} is after today ({n}); progress cannot be recorded ahead",
                           d=day, n=now_day))
    if plan.start is not None and day < plan.start:
        raise UsageError(t("--on {d} 早于方案印发日期({s}),方案开始前的工作不能记入",
                           "--on {d} is before the plan was signed ({s}); work before the plan cannot be recorded",
                           d=day, s=plan.start))
    return day


def evidence_items(values: Sequence[str], refs: Sequence[str] = ()) -> tuple[list[dict], list[ledger.EvidenceFile],
                                                                                list[str]]:
    """--evidence values (a file, a URL or a document number) and --ref values (a reference, whatever it looks like).

    A value that looks like a path (a separator, a drive letter, a file's extension) and names no file is
    refused: recorded as a reference it would stand for good in place of the file meant."""
    if len(values) + len(refs) > ledger.MAX_EVIDENCE:
        raise UsageError(t("证明材料过多(最多 {m} 项)", "too much evidence (at most {m} items)", m=ledger.MAX_EVIDENCE))
    items, files, notes = [], [], []
    for value in values:
        item = ledger.evidence_item(value)
        if isinstance(item, ledger.EvidenceFile):
            files.append(item)
            item = item.item
        elif item.pop("unfound", False):
            raise UsageError(t("找不到文件 {v}：请检查路径和文件名；如要记录为文号或材料名称，请改用 --ref",
                               "no file {v}: check the path and name; to record it as a document reference, use --ref",
                               v=item["value"]))
        items.append(item)
    for value in refs:
        items.append({"kind": "document", "value": ledger.clean_text(value, "--ref", limit=ledger.MAX_EVIDENCE_TEXT,
                                                                     allow_empty=False)})
    return items, files, notes


def validated(plan: Plan, events: list[dict], day: str) -> list[dict]:
    # The same checks an imported record meets: one path for every record.
    # (--on was checked against the caller's day already; a record stamped
    # by this machine's clock is never "after today" by that clock.)
    day = max(day, dates.now().date().isoformat())
    from .signing import sign  # noqa: PLC0415

    sign(events)     # signed as written: the checks below read the signature's shape too
    for obj in events:
        try:
            ledger.check_record(obj, plan, today=day, file_unit=obj["unit"])
        except ValueError as e:
            raise UsageError(str(e)) from None
    return events


def write_own(root: Path, unit: str, events: list[dict], files: Sequence[ledger.EvidenceFile]) -> None:
    with ledger.Writing(root) as w:
        for f in files:
            w.store_evidence(f.source, f.item["sha256"], f.item["name"])
        w.append(unit, events)


def own_standing(plan: Plan, root: Path, unit: str, day: date) -> dict:
    from ..progress.replay import replay  # noqa: PLC0415

    events, _ = ledger.unit_events(plan, root, unit)
    return replay(events, day)
