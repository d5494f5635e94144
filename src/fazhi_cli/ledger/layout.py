"""Where the record lives: the data folder, ``progress/<unit>.jsonl``, and the names of the bookkeeping files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Collection, Sequence

from ..errors import LedgerError, UsageError
from ..i18n import t

def data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    chosen = option or os.environ.get("FAZHI_HOME")
    if chosen:
        return Path(chosen)
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_data_dir("fazhi", appauthor=False))


PROGRESS = "progress"       # a data folder's records, one file a unit
EVIDENCE = "evidence"       # the evidence copies, each named by its digest


def progress_dir(root: Path) -> Path:
    return root / PROGRESS


def evidence_dir(root: Path) -> Path:
    return root / EVIDENCE


def records_folders(root: Path) -> tuple[Path, Path]:
    """The folders only the ledger writes in, progress/ and evidence/: views, reports, notices and plans refuse
    to be written inside them (a report named like an evidence copy would replace it)."""
    return progress_dir(root), evidence_dir(root)


def ledger_path(root: Path, unit: str) -> Path:
    # Unit names come from the validated plan, which refuses separators and
    # dots at the start; this check keeps a path outside the folder
    # impossible even for a plan that slipped past it.
    folder = progress_dir(root)
    path = folder / f"{unit}.jsonl"
    if path.parent != folder or path.name.startswith(".") or "\x00" in unit:
        raise LedgerError(t("单位名称 {u!r} 不能用作文件名", "unit name {u!r} cannot be used as a file name", u=unit))
    return path



def ledger_names(folder: Path, units: Collection[str] | None = None) -> list[str]:
    """The names of the unit files a read takes from the progress folder (only these units' when given),
    sorted. Raises OSError as ``os.listdir`` does."""
    return sorted(n for n in os.listdir(folder) if is_ledger_name(n) and (units is None or n[:-6] in units))


def is_ledger_name(name: str) -> bool:
    """A unit's file by its name: ``<unit>.jsonl``."""
    return name.endswith(".jsonl") and name != ".jsonl"


def import_sources(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
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


def folder_identity(root: Path) -> tuple[str, list[int]] | None:
    """The progress folder's real path and (device, inode), None when it is not a folder: what a cache of
    this folder's state is keyed by."""
    import stat  # noqa: PLC0415

    folder = progress_dir(root)
    try:
        st = os.lstat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return os.path.realpath(folder), [st.st_dev, st.st_ino]


def unit_file_names(root: Path, units: Collection[str] | None = None) -> list[str]:
    """The unit files' names in the progress folder (only these units' when given)."""
    return ledger_names(progress_dir(root), units)
