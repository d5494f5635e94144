"""Whether records prove who wrote them (README "Signatures"): what arrives by import or sync, and `check`.

The keyring is replayed from the supervising office's key acts (``keys.replay_keyring``); each record is judged
against it (``keys.judge``). A folder with no signature, no key act and no ``require_signatures`` in its plan is
never read twice and never loads the cryptography library.

Verifying a signature costs far more than reading its line (10,000 lines: about 4 s against 0.6 s), so the
signatures verified here are remembered in the private cache folder (``Verified``): a shortcut, never a source.
Only the check of the signature itself is skipped, and only for the very key, signature and signed bytes that
verified before (their BLAKE2b-256 digest, keyed with a secret beside this PC's private keys); who the key belongs to, revocations and every other rule are judged
every time, and an entry that is not exactly as written is no entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .. import ledger
from ..errors import LedgerError, UsageError
from ..i18n import t
from ..ledger import KEY_ACTS, Event
from ..plan import Plan


# In every signed line (its sig) and every key act (its key field): the lines worth decoding, found as bytes.
_KEYED = b'"key"'


def _counts(plan: Plan, e: Event) -> bool:
    return e.type in KEY_ACTS


def keyring_of(plan: Plan, root: Path, extra: Sequence[tuple[dict, Event]] = ()):  # noqa: ANN201 - keys.Keyring
    """The keyring of the office's file(s) here, then of ``extra`` (key acts arriving with an import or a sync)."""
    from ..keys.ring import replay_keyring  # noqa: PLC0415

    present = [pair for office in plan.supervision.units
               for pair in ledger.unit_records(plan, root, office, _KEYED)]
    return replay_keyring(plan, [(obj, e) for obj, e in (*present, *extra) if e.type in KEY_ACTS])


def needs_judging(plan: Plan, objs: Sequence[dict], events: Sequence[Event], root: Path | None = None) -> bool:
    return bool(plan.supervision.require_signatures or any("sig" in o for o in objs)
                or any(e.type in KEY_ACTS for e in events) or (root is not None and has_keys(plan, root)))


# A key registration in the office's file: a folder without one has no keyring, and nothing to verify.
_KEY_ACT = b'"type":"key"'


def has_keys(plan: Plan, root: Path, known: dict[str, Sequence[Event]] | None = None) -> bool:
    """Whether the office has registered any key here (a byte search of its file(s); nothing decoded).
    ``known``: events a caller has already read, by unit (an office's own undo need not read its file again)."""
    known = known or {}
    return any(any(e.type == "key" for e in known[office]) if office in known
               else ledger.unit_records(plan, root, office, _KEY_ACT) for office in plan.supervision.units)


def refuse_unsigned(plan: Plan, root: Path, events: Sequence[dict], keyed: bool | None = None) -> None:
    """Before a write: a record this PC could not sign, for a unit whose records must now be signed, is refused
    (``--as 区法制办`` on a PC without the office's key, once the office signs), and nothing is written.
    ``keyed``: ``has_keys`` as the caller found it already."""
    if all("sig" in obj for obj in events) or not (has_keys(plan, root) if keyed is None else keyed):
        return
    from ..keys.ring import signing_since  # noqa: PLC0415

    ring = keyring_of(plan, root)
    for obj in events:
        first = signing_since(ring, obj["unit"])
        if "sig" not in obj and first is not None:
            raise UsageError(t("{u} 已登记签名密钥，本机没有它的私钥，不能以 {u} 的名义记录；请在 {u} 的电脑上记录"
                               "（或 fazhi keys init --unit {u} 后请督办单位登记）",
                               "{u} has a registered key and this PC does not hold it, so it cannot record as {u}; "
                               "record on {u}'s PC (or fazhi keys init --unit {u}, then have the office register it)",
                               u=obj["unit"]))


class Verified:
    """The signatures verified on this PC before (digests in the cache folder); ``verify`` checks a signature,
    from memory when it can; ``save`` writes back what is known, once, at the end."""

    NAME = "verified-2.bin"     # 1: digests without a secret, which anyone able to write the cache could add
    HEAD = b"fazhi verified signatures 2\n"
    SIZE = 32
    MOST = 1 << 20              # entries kept (32 MiB): beyond that, only those of the last run

    def __init__(self) -> None:
        from .. import cache  # noqa: PLC0415

        self.folder = cache.folder()
        self.known: set[bytes] = set()
        self.seen: set[bytes] = set()
        self.new = False
        self.secret = b""
        if self.folder is None:
            return
        from ..keys.store import memory_secret  # noqa: PLC0415

        secret = memory_secret()
        if secret is None:              # no private key folder here: every signature is verified, nothing kept
            self.folder = None
            return
        self.secret = secret
        from ..files import read_regular  # noqa: PLC0415

        try:
            raw = read_regular(self.folder / self.NAME, len(self.HEAD) + self.MOST * self.SIZE, nofollow=True)
        except OSError:
            return
        body = raw[len(self.HEAD):]
        if raw.startswith(self.HEAD) and len(body) % self.SIZE == 0:
            self.known = {body[i:i + self.SIZE] for i in range(0, len(body), self.SIZE)}

    def _digest(self, public: str, signature: str, data: bytes) -> bytes:
        import hashlib  # noqa: PLC0415

        head = f"{len(public)}:{public}{len(signature)}:{signature}".encode("utf-8", "surrogatepass")
        return hashlib.blake2b(head + data, digest_size=self.SIZE, person=b"fazhi-verified", key=self.secret).digest()

    def verify(self, public: str, signature: str, data: bytes) -> bool:
        if type(public) is not str or type(signature) is not str:
            return False
        digest = self._digest(public, signature, data)
        self.seen.add(digest)
        if digest in self.known:
            return True
        from ..keys.crypto import verify  # noqa: PLC0415

        if not verify(public, signature, data):
            self.seen.discard(digest)
            return False
        self.known.add(digest)
        self.new = True
        return True

    def save(self) -> None:
        from .. import cache  # noqa: PLC0415

        if not self.new or self.folder is None or not cache.made(self.folder):
            return
        keep = self.known if len(self.known) <= self.MOST else self.seen
        cache.write_entry(self.folder, self.NAME, self.HEAD + b"".join(sorted(keep)[:self.MOST]))


def verify_arrivals(plan: Plan, root: Path, items: Sequence, nothing: str, beside: Sequence = ()) -> None:
    """Refuse, naming ``file:line`` and why, the first record arriving (``Incoming``) whose signature does not hold:
    an unknown key, a key of another unit, a revoked key, a record changed after signing, or an unsigned record
    the plan requires signed. ``beside``: records arriving with them (a sync's received ones, before what it sends),
    whose key acts count first."""
    if not needs_judging(plan, [x.obj for x in items], [x.event for x in items], root):
        return
    from ..keys.ring import judge  # noqa: PLC0415

    ring = keyring_of(plan, root, [(x.obj, x.event) for x in (*beside, *items) if _counts(plan, x.event)])
    memo = Verified()
    try:
        for x in items:
            why = judge(ring, plan, x.obj, x.event, memo.verify)
            if why is not None:
                raise LedgerError(t("{w}: {r}；{n}", "{w}: {r}; {n}", w=x.where, r=why, n=nothing))
    finally:
        memo.save()


def verify_present(plan: Plan, root: Path, units: Sequence[str], total: int) -> tuple[list[str], list[str]]:
    """`check`'s lines about signatures (none for a folder without any) and its problems, each ``file:line``;
    ``total``: the records `check` read, of which those without a signature are counted as 未签名."""
    required = bool(plan.supervision.require_signatures)
    try:
        keyed = has_keys(plan, root)
    except LedgerError:
        keyed = False       # the office's file cannot be read: check lists why
    signed = 0
    found: list[tuple[dict, Event]] = []
    for unit in units:
        try:
            # once the office registers keys, an unsigned line may be a forgery: every line is judged
            found += ledger.unit_records(plan, root, unit, None if required or keyed else _KEYED)
        except LedgerError:
            continue        # a file that cannot be read: check has listed it already
    found = [(o, e) for o, e in found if required or keyed or "sig" in o or e.type in KEY_ACTS]
    if not found:
        return [], []
    from ..keys.crypto import spoken  # noqa: PLC0415
    from ..keys.ring import judge  # noqa: PLC0415

    try:
        ring = keyring_of(plan, root)
    except LedgerError as e:     # the office's file cannot be read (check lists why): nothing can be verified
        return [], [t("签名无法核对：{e}", "signatures cannot be verified: {e}", e=e)]
    problems = []
    unsigned = total - sum(1 for o, _ in found if "sig" in o)
    memo = Verified()
    for obj, e in found:
        why = judge(ring, plan, obj, e, memo.verify)
        if why is not None:
            problems.append(f"{e.file}:{e.line}: {why}")
        elif "sig" in obj:
            signed += 1
    memo.save()
    anchors = "、".join(spoken(a) for a in ring.anchors) or t("（无）", "(none)")
    source = (t("首次使用时信任", "trusted on first use") if ring.first_use else t("方案文件指定", "named by the plan file"))
    lines = [t("签名：有效签名 {n} 条，未签名 {u} 条；已登记密钥 {k} 个；督办单位密钥 {a}（{s}）",
               "signatures: {n} valid, {u} unsigned; {k} keys registered; the office's key {a} ({s})",
               n=signed, u=max(unsigned, 0), k=len(ring.entries), a=anchors, s=source)]
    return lines, problems
