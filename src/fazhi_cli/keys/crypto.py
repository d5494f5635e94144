"""Ed25519 through the ``cryptography`` package: make a pair, sign, verify, and the fingerprint people read.

The only room that imports ``cryptography``, and only when a function here is called: a folder without
signatures never loads it (``fazhi status`` stays as fast as before).
"""

from __future__ import annotations

import base64
import binascii
import re
import sys

# The interpreter's own SHA-256: importing hashlib would load OpenSSL (~4 ms) on every signed `mark`. Named by
# version: a failed import searches the whole path.
try:
    if sys.version_info >= (3, 12):
        from _sha2 import sha256 as _sha256
    else:
        from _sha256 import sha256 as _sha256
except ImportError:  # pragma: no cover - an interpreter built without it
    from hashlib import sha256 as _sha256

# 32 and 64 raw bytes in base64, in the one canonical spelling the record's checks admit (ledger.checks)
PUBLIC_RE = re.compile(r"[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=", re.ASCII)
SIGNATURE_RE = re.compile(r"[A-Za-z0-9+/]{85}[AQgw]==", re.ASCII)
FINGERPRINT_RE = re.compile(r"[0-9a-f]{16}", re.ASCII)


def fingerprint(public: str) -> str:
    """The key's name in records: the first 16 hex digits of the SHA-256 of its 32 raw bytes."""
    return _sha256(base64.b64decode(public)).hexdigest()[:16]


def spoken(fp: str) -> str:
    """A fingerprint as a person reads it over the phone: 4 groups of 4."""
    return " ".join(fp[i:i + 4] for i in range(0, len(fp), 4))


def plain_fingerprint(text: str) -> str | None:
    """A fingerprint as typed (any case, blanks or dashes between groups), or None when it is not one."""
    value = re.sub(r"[\s-]", "", text).lower()
    return value if FINGERPRINT_RE.fullmatch(value) else None


def public_ok(text: object) -> bool:
    """A public key as records spell it, and not a point of small order (one anyone can sign for)."""
    from ..ledger import small_order_key  # noqa: PLC0415

    if type(text) is not str or not PUBLIC_RE.fullmatch(text):
        return False
    try:
        return len(base64.b64decode(text, validate=True)) == 32 and not small_order_key(text)
    except (binascii.Error, ValueError):
        return False


def generate(passphrase: bytes | None) -> tuple[bytes, str]:
    """A new pair: the private key as PEM PKCS8 (encrypted when a passphrase is given) and the public key."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: PLC0415

    key = Ed25519PrivateKey.generate()
    protect = (serialization.BestAvailableEncryption(passphrase) if passphrase
               else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, protect)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return pem, base64.b64encode(raw).decode("ascii")


def is_encrypted(pem: bytes) -> bool:
    return b"ENCRYPTED" in pem.split(b"\n", 1)[0]


# An unencrypted Ed25519 key in PKCS8 DER is always these 16 bytes, then the 32 bytes of the seed (RFC 8410, 7).
_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")


def _plain_seed(pem: bytes) -> bytes | None:
    """The seed of an unencrypted Ed25519 PEM exactly as ``generate`` writes it, else None (the library decides).

    Loading it through ``serialization`` would import cryptography's SSH, PKCS12 and other key formats: about
    as long again as Ed25519 itself, on every `mark` of a PC with a key."""
    lines = pem.strip().split(b"\n")
    if len(lines) < 3 or lines[0] != b"-----BEGIN PRIVATE KEY-----" or lines[-1] != b"-----END PRIVATE KEY-----":
        return None
    try:
        der = base64.b64decode(b"".join(x.strip() for x in lines[1:-1]), validate=True)
    except (binascii.Error, ValueError):
        return None
    return der[16:] if len(der) == 48 and der.startswith(_PKCS8_ED25519) else None


def load_private(pem: bytes, passphrase: bytes | None):  # noqa: ANN201 - a cryptography object
    """The private key of a PEM file; ValueError when it is not one, or the passphrase is wrong or missing."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: PLC0415

    seed = None if passphrase or is_encrypted(pem) else _plain_seed(pem)
    if seed is not None:
        return Ed25519PrivateKey.from_private_bytes(seed)
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    try:
        key = serialization.load_pem_private_key(pem, passphrase or None)
    except TypeError as e:      # a passphrase for a plain key, or none for an encrypted one
        raise ValueError(str(e)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 key")
    return key


def public_of(key) -> str:  # noqa: ANN001
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign(key, data: bytes) -> str:  # noqa: ANN001
    return base64.b64encode(key.sign(data)).decode("ascii")


def verify(public: str, signature: str, data: bytes) -> bool:
    """Whether ``signature`` (base64) is the key's signature of ``data``; False for anything malformed."""
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: PLC0415

    if type(signature) is not str or not SIGNATURE_RE.fullmatch(signature):
        return False
    key = _PUBLIC.get(public) if type(public) is str else None
    try:
        if key is None:     # a district has a few dozen keys, each checked once; an import brings thousands of lines
            if not public_ok(public):
                return False
            key = _PUBLIC[public] = Ed25519PublicKey.from_public_bytes(base64.b64decode(public))
        key.verify(base64.b64decode(signature), data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


_PUBLIC: dict[str, object] = {}
