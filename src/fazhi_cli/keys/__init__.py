"""Signatures of records (README "Signatures"): this PC's keys, the office's keyring, Ed25519.

An index of the rooms: ``crypto`` (Ed25519 through the ``cryptography`` package, imported only when used),
``store`` (this PC's private keys, outside the data folder) and ``ring`` (the keyring replayed from the office's
key acts, and whether a signed record holds; pure).
"""

from ..lazy import index

# name -> room: a room is imported when one of its names is first asked for
__getattr__, __dir__, __all__ = index(__name__, {
    ("fingerprint generate is_encrypted load_private plain_fingerprint public_of public_ok sign spoken "
     "verify"): "crypto",
    "create folder local_keys LocalKey read_passphrase signer": "store",
    "Entry judge Keyring replay_keyring": "ring",
})
