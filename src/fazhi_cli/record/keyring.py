"""The office's keyring acts: ``fazhi keys add`` registers a unit's public key, ``fazhi keys revoke`` revokes one.

Records in the office's own file like its other acts, so the keyring travels with the record by import and sync
and keeps its history (README "Signatures"; the replay is ``keys.replay_keyring``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .. import dates, ledger
from ..errors import UsageError
from ..i18n import t
from ..plan import Plan
from .acts import supervisor
from .prepare import recorder, validated
from .verifying import keyring_of


def key_act(plan: Plan, root: Path, *, unit: str, value: str, acting: str, revoke: bool, by: str | None,
            clock_today: date | None = None) -> dict:
    """The office registers ``unit``'s public key ``value`` (``keys add``) or revokes the key with the fingerprint
    ``value`` (``keys revoke``): one record in its own file, signed by an office key of this PC."""
    from ..keys import crypto  # noqa: PLC0415
    from ..keys.ring import readable_time  # noqa: PLC0415
    from ..keys.store import local_keys  # noqa: PLC0415

    acting = supervisor(plan, acting)
    if not local_keys(acting):
        raise UsageError(t("本机没有 {a} 的密钥；请先运行 fazhi keys init --unit {a}",
                           "this PC has no key of {a}; run fazhi keys init --unit {a} first", a=acting))
    ring = keyring_of(plan, root)
    if revoke:
        fp = crypto.plain_fingerprint(value)
        if fp is None:
            raise UsageError(t("{v!r} 不是指纹（应为 16 位十六进制，如 a1b2 c3d4 e5f6 0718）",
                               "{v!r} is not a fingerprint (16 hex digits, like a1b2 c3d4 e5f6 0718)", v=value))
        entry = ring.entries.get(fp)
        if entry is None or entry.unit != unit:
            raise UsageError(t("{u} 没有登记指纹为 {k} 的密钥（fazhi keys show 列出已登记的密钥）",
                               "{u} has no registered key {k} (fazhi keys show lists them)", u=unit, k=crypto.spoken(fp)))
        if entry.revoked is not None:
            raise UsageError(t("密钥 {k} 已于 {r} 吊销", "key {k} was revoked at {r}", k=crypto.spoken(fp),
                               r=readable_time(entry.revoked)))
        kind, key = "unkey", fp
        # the records signed with it that this folder holds are kept by name: a line dated before the
        # revocation by whoever holds the lost key is not among them (README "Signatures")
        kept = [o["id"] for o, _ in ledger.unit_records(plan, root, unit, None)
                if type(o.get("sig")) is dict and o["sig"].get("key") == fp]
    else:
        key = value.strip()
        if not crypto.public_ok(key):
            if crypto.PUBLIC_RE.fullmatch(key) and ledger.small_order_key(key):
                raise UsageError(t("{v!r} 不是 fazhi keys init 生成的公钥：任何人都能以它的名义签名，不能登记",
                                   "{v!r} is not a key fazhi keys init makes: anyone can sign in its name, so it is "
                                   "not registered", v=value))
            raise UsageError(t("{v!r} 不是公钥（应为 fazhi keys init 显示的 44 个字符）",
                               "{v!r} is not a public key (the 44 characters fazhi keys init shows)", v=value))
        fp = crypto.fingerprint(key)
        entry = ring.entries.get(fp)
        if entry is not None:
            raise UsageError(t("密钥 {k} 已登记给 {u}", "key {k} is already registered for {u}", k=crypto.spoken(fp),
                               u=entry.unit) if entry.revoked is None else
                             t("密钥 {k} 已被吊销，不能再次登记；请生成新的密钥", "key {k} was revoked and cannot be registered "
                               "again; make a new key", k=crypto.spoken(fp)))
        kind = "key"
    day = clock_today or dates.now().date()
    event = ledger.new_event(plan, target="", unit=acting, state=None, on=day.isoformat(), by=recorder(by),
                             cmd=ledger.new_id(), kind=kind, subject=unit, key=key)
    if revoke and len(kept) <= ledger.MAX_KEPT:       # beyond that, the revocation keeps what came before it
        event["kept"] = kept
    validated(plan, [event], day.isoformat())
    read = ledger.check_record(event, plan, file_unit=acting)
    why = keyring_of(plan, root, [(event, read)]).refused.get(event["id"])
    if why is not None:
        raise UsageError(t("{r}；本机签名所用的督办单位密钥须先登记（第一次：fazhi keys add {a} <本机 {a} 的公钥> --as {a}）",
                           "{r}; the office key this PC signs with must be registered first (the first time: "
                           "fazhi keys add {a} <this PC's public key of {a}> --as {a})", r=why, a=acting))
    with ledger.Writing(root) as w:
        w.append(acting, [event])
    return event
