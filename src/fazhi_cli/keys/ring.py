"""The keyring as the record has it, and whether a signed record holds.

Pure: takes the office's key acts (``key``: register a unit's public key; ``unkey``: revoke one) in the order
of its file, and judges records; opens no file. The replay, act by act:

- an act counts only when signed by an office key standing when it was recorded (registered, and not revoked
  at or before its ``recorded_at``);
- the first office key is the one exception: the office registering its own key, the act signed by that same
  key, counts when the plan names the key's fingerprint (``supervision: fingerprint:``), or, when the plan names
  none, when no office key was registered before it (trust on first use: the first such act in the office's
  file stands);
- a fingerprint belongs to one unit for good; a revoked key is never registered again.

Once the office has registered a key for a unit, the unit's records recorded from then on must be signed: an
unsigned line claiming to be the office's, or another unit's, is refused without any setting in the plan.
A record signed with key K by unit U, recorded at T, holds when K is registered for U (at any time: the
office vouches for the key when it registers it), K was not revoked at or before T, and the signature
verifies. Revoking a key keeps what it signed before, and refuses what it signed after.

A record's time is what its signer wrote, so whoever holds a lost key could date a line before the
revocation. A revocation made by this version therefore names the records it keeps (``kept``: the ids of
every line signed with the key that the office's folder held when it revoked it); a line signed with a key
revoked so is kept only when its id is named there, whatever time it claims. A revocation without ``kept``
(written before) keeps what was recorded before it.
"""

from __future__ import annotations

from typing import Callable, Iterable, NamedTuple

from ..i18n import t
from ..ledger import Event, signing_bytes
from ..plan import Plan


class Entry(NamedTuple):
    unit: str
    public: str
    added: str                 # recorded_at of the act that registered it
    revoked: str | None        # recorded_at of the act that revoked it
    kept: frozenset | None = None   # the ids of the records signed with it that its revocation keeps (None: by time)


class Keyring(NamedTuple):
    entries: dict[str, Entry]            # by fingerprint
    refused: dict[str, str]              # key act id -> why it does not count
    anchors: tuple[str, ...]             # the office keys the trust starts from
    first_use: bool                      # the anchor was trusted on first use (the plan names none)


Verify = Callable[[str, str, bytes], bool]     # (public key, signature, signed bytes) -> whether it holds


def _verify(public: str, sig: dict, obj: dict, verify: Verify | None = None) -> bool:
    if verify is None:
        from .crypto import verify  # noqa: PLC0415

    return verify(public, sig["ed25519"], signing_bytes(obj))


def replay_keyring(plan: Plan, acts: Iterable[tuple[dict, Event]]) -> Keyring:
    """The keyring made by the office's key acts, in their file's order.

    ``fazhi undo`` never takes a key act back (``record.latest_command`` refuses): an unsigned revoke, which
    the record still admits from before signing, must not be able to bring a revoked key back."""
    from .crypto import fingerprint  # noqa: PLC0415

    pinned = plan.supervision.fingerprints
    entries: dict[str, Entry] = {}
    refused: dict[str, str] = {}
    anchors: list[str] = []
    for obj, e in acts:
        if e.id in refused:
            continue
        sig = obj.get("sig")
        if sig is None:
            refused[e.id] = t("密钥记录未签名；密钥只能由督办单位用已登记的密钥登记或吊销",
                              "the key record is unsigned; only the office, with a registered key, registers or "
                              "revokes keys")
            continue
        fp = sig["key"]
        signer = entries.get(fp)
        if signer is not None:
            why = _signer_problem(plan, signer, fp, e)
            if why is None and not _verify(signer.public, sig, obj):
                why = t("签名不符（记录在签名后被改动）", "the signature does not match (the record was changed after signing)")
            if why is not None:
                refused[e.id] = why
                continue
        elif (e.type == "key" and e.subject == e.unit and plan.supervises(e.unit) and fingerprint(e.key) == fp
              and (fp in pinned if pinned else not any(plan.supervises(x.unit) for x in entries.values()))
              and _verify(e.key, sig, obj)):
            anchors.append(fp)
        else:
            refused[e.id] = (t("签名所用的密钥 {k} 未登记为督办单位的密钥", "it is signed with {k}, which is not a registered "
                               "key of the supervising office", k=fp) if not pinned or e.type != "key" or fp not in pinned
                             else t("签名不符", "the signature does not match"))
            continue
        if e.type == "key":
            new = fingerprint(e.key)
            have = entries.get(new)
            if have is not None and (have.unit != e.subject or have.revoked is not None):
                refused[e.id] = (t("密钥 {k} 已登记给 {u}", "key {k} is already registered for {u}", k=new, u=have.unit)
                                 if have.unit != e.subject else
                                 t("密钥 {k} 已被吊销，不能再次登记", "key {k} was revoked and cannot be registered again", k=new))
            elif have is None:
                entries[new] = Entry(e.subject, e.key, e.recorded_at, None)
        else:
            have = entries.get(e.key)
            if have is None or have.unit != e.subject:
                refused[e.id] = t("{u} 没有登记指纹为 {k} 的密钥", "{u} has no registered key {k}", u=e.subject, k=e.key)
            elif have.revoked is None or e.recorded_at < have.revoked:
                kept = frozenset(e.kept) if e.kept is not None else None
                if have.revoked is not None and have.kept is not None and kept is not None:
                    kept |= have.kept       # an earlier revocation's records stay kept
                entries[e.key] = have._replace(revoked=e.recorded_at, kept=kept)
    return Keyring(entries, refused, tuple(anchors), not pinned)


def _signer_problem(plan: Plan, signer: Entry, fp: str, e: Event) -> str | None:
    if not plan.supervises(signer.unit):
        return t("签名所用的密钥 {k} 是 {u} 的，不是督办单位的", "it is signed with {k}, a key of {u}, not of the office",
                 k=fp, u=signer.unit)
    if signer.revoked is not None and not _kept(signer, e):
        return t("签名所用的密钥 {k} 已于 {r} 吊销", "it is signed with {k}, revoked at {r}", k=fp,
                 r=readable_time(signer.revoked))
    return None


def readable_time(stamp: str) -> str:
    """A recorded_at as a person reads it: 2026-12-08 08:58:15."""
    return stamp[:19].replace("T", " ")


def _kept(entry: Entry, e: Event) -> bool:
    """Whether a revoked key's record stands: named by its revocation, or (a revocation that names none)
    recorded before it."""
    if entry.kept is not None:
        return e.id in entry.kept
    return entry.revoked is None or e.recorded_at < entry.revoked


def signing_since(ring: Keyring, unit: str) -> str | None:
    """When the office first registered a key for the unit (its records from then on must be signed), or None."""
    return min((x.added for x in ring.entries.values() if x.unit == unit), default=None)


def judge(ring: Keyring, plan: Plan, obj: dict, e: Event, verify: Verify | None = None) -> str | None:
    """Why a record does not hold, or None when it does (signed and verified, or unsigned and allowed).
    ``verify``: the signature check (``crypto.verify``, or one that remembers what it verified)."""
    if e.id in ring.refused:
        return ring.refused[e.id]
    sig = obj.get("sig")
    if sig is None:
        first = signing_since(ring, e.unit)
        if first is not None and e.recorded_at >= first:
            return t("记录未签名；{u} 自 {d} 起已登记签名密钥，此后的记录须由它签名",
                     "the record is unsigned; {u} has had a registered key since {d}, and its later records must be "
                     "signed with it", u=e.unit, d=readable_time(first))
        since = plan.supervision.require_signatures
        if since and e.recorded_at[:10] >= since:
            return (t("记录未签名；方案要求所有记录签名", "the record is unsigned; the plan requires every record signed")
                    if since == "0000-00-00" else
                    t("记录未签名；方案要求 {d} 起的记录签名", "the record is unsigned; the plan requires records from {d} "
                      "on to be signed", d=since))
        return None
    fp = sig["key"]
    entry = ring.entries.get(fp)
    if entry is None:
        return t("签名所用的密钥 {k} 未经督办单位登记（fazhi keys add）", "it is signed with {k}, a key the office has not "
                 "registered (fazhi keys add)", k=fp)
    if entry.unit != e.unit:
        return t("签名所用的密钥 {k} 是 {u} 的，不是 {w} 的", "it is signed with {k}, a key of {u}, not of {w}",
                 k=fp, u=entry.unit, w=e.unit)
    if entry.revoked is not None and not _kept(entry, e):
        if entry.kept is not None and e.recorded_at < entry.revoked:
            return t("签名所用的密钥 {k} 已于 {r} 吊销；吊销时督办单位保留的 {n} 条记录中没有这一条（记录时间写作 {s}）",
                     "it is signed with {k}, revoked at {r}, and is not one of the {n} records the office kept when it "
                     "revoked it (it says it was recorded at {s})", k=fp, r=readable_time(entry.revoked),
                     n=len(entry.kept), s=readable_time(e.recorded_at))
        return t("签名所用的密钥 {k} 已于 {r} 吊销，此记录记于其后（{s}）", "it is signed with {k}, revoked at {r}, and was "
                 "recorded after that ({s})", k=fp, r=readable_time(entry.revoked),
                 s=readable_time(e.recorded_at))
    if not _verify(entry.public, sig, obj, verify):
        return t("签名不符（记录在签名后被改动、移动或用于别的方案）", "the signature does not match (the record was changed, "
                 "moved or replayed after signing)")
    return None
