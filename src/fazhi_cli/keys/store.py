"""This PC's private keys: kept outside the data folder, in the user's config folder, readable by the user alone.

``FAZHI_KEYS`` names another folder (tests, a USB stick). Each key is two files named by its fingerprint:
``<fp>.pem``, the private key (PEM PKCS8, encrypted when it was made with a passphrase, mode 0600), and
``<fp>.pub``, which unit it signs for and its public key (JSON), so that listing keys or finding none asks
for no passphrase and imports no cryptography.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NamedTuple

from .. import dates
from ..errors import FazhiError, UsageError
from ..i18n import t

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
MAX_KEY_FILE = 64 * 1024


class LocalKey(NamedTuple):
    unit: str
    public: str
    fingerprint: str
    created: str
    encrypted: bool
    path: Path          # the private key's file


def folder() -> Path:
    chosen = os.environ.get("FAZHI_KEYS")
    if chosen:
        return Path(chosen)
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_config_dir("fazhi", appauthor=False)) / "keys"


def _usable(where: Path) -> None:
    from ..cache import private  # noqa: PLC0415

    if not private(where):
        raise FazhiError(t("{p}：密钥文件夹不是本用户独有的文件夹（其他人可写，或是符号链接），拒绝使用",
                           "{p}: the key folder is not this user's own (others can write it, or it is a link); "
                           "refusing to use it", p=where))


def _read(path: Path) -> bytes:
    from ..files import read_regular  # noqa: PLC0415

    return read_regular(path, MAX_KEY_FILE, nofollow=True)


def local_keys(unit: str | None = None) -> list[LocalKey]:
    """The keys on this PC (for one unit), oldest first; [] when there is no key folder."""
    where = folder()
    try:
        names = sorted(os.listdir(where))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as e:
        raise FazhiError(t("{p}：无法读取密钥文件夹（{e}）", "{p}: cannot read the key folder ({e})",
                           p=where, e=e.strerror or e)) from None
    from .crypto import fingerprint, public_ok  # noqa: PLC0415 - no cryptography in there

    _usable(where)
    out = []
    for name in names:
        if not name.endswith(".pub"):
            continue
        try:
            info = json.loads(_read(where / name))
        except (OSError, ValueError):
            continue
        if type(info) is not dict or not public_ok(info.get("public")) or type(info.get("unit")) is not str:
            continue
        fp = fingerprint(info["public"])
        pem = where / f"{fp}.pem"
        if name != f"{fp}.pub" or not pem.is_file() or (unit is not None and info["unit"] != unit):
            continue
        try:
            head = _read(pem)[:64]
        except OSError:
            continue
        out.append(LocalKey(info["unit"], info["public"], fp, str(info.get("created", "")), b"ENCRYPTED" in head, pem))
    return sorted(out, key=lambda k: k.created)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


MEMORY_SECRET = "verified.secret"


def memory_secret() -> bytes | None:
    """The secret that keys what this PC remembers of verified signatures (in the key folder, readable by this
    user alone), made the first time; None where this PC has no key folder, or it is not private: then nothing
    is remembered. A digest in the cache folder proves nothing by itself: anyone who can write that folder
    could add one; only a digest keyed with this secret is one this PC made."""
    where = folder()
    if not where.is_dir():
        return None
    from ..cache import private  # noqa: PLC0415

    if not private(where):
        return None
    path = where / MEMORY_SECRET
    for _ in range(2):
        try:
            data = _read(path)
        except FileNotFoundError:
            try:
                _write_new(path, os.urandom(32))
            except FileExistsError:
                continue                # another fazhi made it meanwhile: read that one
            except OSError:
                return None
            continue
        except OSError:
            return None
        return data if len(data) == 32 else None
    return None


def create(unit: str, passphrase: bytes | None) -> LocalKey:
    """Make a pair for ``unit`` and keep it here."""
    from .crypto import fingerprint, generate  # noqa: PLC0415

    where = folder()
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise FazhiError(t("{p}：无法创建密钥文件夹（{e}）", "{p}: cannot create the key folder ({e})",
                           p=where, e=e.strerror or e)) from None
    _usable(where)
    pem, public = generate(passphrase)
    fp = fingerprint(public)
    created = dates.now().isoformat(timespec="microseconds")
    info = json.dumps({"unit": unit, "public": public, "created": created}, ensure_ascii=False).encode("utf-8")
    try:
        _write_new(where / f"{fp}.pem", pem)
        _write_new(where / f"{fp}.pub", info + b"\n")
    except OSError as e:
        for p in (where / f"{fp}.pem", where / f"{fp}.pub"):
            try:
                p.unlink()
            except OSError:
                pass
        raise FazhiError(t("{p}：无法保存密钥（{e}）", "{p}: cannot save the key ({e})", p=where, e=e.strerror or e)) from None
    return LocalKey(unit, public, fp, created, passphrase is not None, where / f"{fp}.pem")


def read_passphrase(path: str | None) -> bytes | None:
    """The passphrase in a file (its first line), or None without a file."""
    if path is None:
        return None
    try:
        data = _read(Path(path))
    except OSError as e:
        raise UsageError(t("{p}：无法读取口令文件（{e}）", "{p}: cannot read the passphrase file ({e})",
                           p=path, e=e.strerror or e)) from None
    value = data.split(b"\n", 1)[0].rstrip(b"\r")
    if not value:
        raise UsageError(t("{p}：口令文件的第一行是空的", "{p}: the passphrase file's first line is empty", p=path))
    return value


def signer(unit: str):  # noqa: ANN201 - (fingerprint, private key) or None
    """The key this PC signs ``unit``'s records with (the newest), or None when it has none."""
    mine = local_keys(unit)
    if not mine:
        return None
    key = mine[-1]
    passphrase = None
    if key.encrypted:
        passphrase = read_passphrase(os.environ.get("FAZHI_PASSPHRASE_FILE"))
        if passphrase is None and sys.stdin is not None and sys.stdin.isatty():
            import getpass  # noqa: PLC0415

            passphrase = getpass.getpass(t("{u} 的密钥口令： ", "passphrase of {u}'s key: ", u=unit)).encode("utf-8")
        if not passphrase:
            raise UsageError(t("{u} 的密钥有口令保护；请在终端中运行，或用 FAZHI_PASSPHRASE_FILE 指明口令文件",
                               "{u}'s key is protected by a passphrase; run this in a terminal, or name a passphrase "
                               "file with FAZHI_PASSPHRASE_FILE", u=unit))
    from .crypto import load_private  # noqa: PLC0415

    try:
        private = load_private(_read(key.path), passphrase)
    except OSError as e:
        raise FazhiError(t("{p}：无法读取密钥（{e}）", "{p}: cannot read the key ({e})", p=key.path, e=e.strerror or e)) from None
    except ValueError:
        raise UsageError(t("{p}：口令不对，或不是 fazhi 的密钥", "{p}: wrong passphrase, or not a fazhi key",
                           p=key.path)) from None
    return key.fingerprint, private
