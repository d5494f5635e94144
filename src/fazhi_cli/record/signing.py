"""Signing what this PC records (README "Signatures").

Every new record is signed, just before it is checked and written, with this PC's key for the record's unit
(the office's, for its acts) when this PC has one; a PC without keys writes exactly what it always wrote.
"""

from __future__ import annotations

from .. import ledger

def sign(events: list[dict]) -> list[dict]:
    """Add a ``sig`` to each record whose unit has a key on this PC: {"key": fingerprint, "ed25519": signature}
    over ``ledger.signing_bytes``."""
    from ..keys.store import signer  # noqa: PLC0415 - lists the key folder; cryptography only if a key is there

    signers: dict[str, object] = {}
    for obj in events:
        unit = obj["unit"]
        if unit not in signers:
            signers[unit] = signer(unit)
        found = signers[unit]
        if found is None:
            continue
        from ..keys.crypto import sign as ed25519  # noqa: PLC0415

        fp, key = found  # type: ignore[misc]
        obj.pop("sig", None)
        obj["sig"] = {"key": fp, "ed25519": ed25519(key, ledger.signing_bytes(obj))}
    return events

