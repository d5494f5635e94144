"""A notice → a plan file: reading (txt/html/docx → text), recognising the
shapes (numbering, unit lists, deadlines, header), writing commented YAML.

Everything below is pure on text except ``read_notice`` and ``save``, the
two doors to files.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ..errors import UsageError
from ..i18n import t
from .model import Draft
from .recognise import NoticeError, recognise

__all__ = ["Draft", "NoticeError", "recognise", "draft_notice", "save", "summary"]


def draft_notice(path: str | Path, today: date, output: str = "") -> tuple[Draft, str]:
    """The Draft of the notice at ``path`` and its YAML text."""
    from .reading import read_notice  # noqa: PLC0415
    from .writing import to_yaml  # noqa: PLC0415

    d = recognise(read_notice(path), today, str(path))
    return d, to_yaml(d, Path(path).name, output)


def summary(d: Draft, output: str) -> str:
    parts = sum(len(task.parts) for task in d.tasks)
    lines = [t("已起草 {o}: 任务 {t} 项,分项 {p} 个,单位 {u} 个,单位组 {g} 个,定期事项 {r} 项",
               "drafted {o}: {t} tasks, {p} parts, {u} units, {g} groups, {r} recurring duties",
               o=output, t=len(d.tasks), p=parts, u=len(d.units), g=len(d.groups), r=len(d.duties))]
    if d.groups:
        lines.append(t("下一步: 在 {o} 中填写 {n} 个单位组的成员({g}),核对带 # 的注释,然后运行 fazhi check --plan {o}",
                       "next: fill in the members of {n} groups in {o} ({g}), check the # comments, then run "
                       "fazhi check --plan {o}", o=output, n=len(d.groups), g="、".join(g.name for g in d.groups)))
    else:
        lines.append(t("下一步: 核对 {o} 中带 # 的注释,然后运行 fazhi check --plan {o}",
                       "next: check the # comments in {o}, then run fazhi check --plan {o}", o=output))
    return "\n".join(lines) + "\n"


def save(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file in the same folder, then a rename.

    Without ``force`` an existing file is never replaced, not even one that
    appears while we write (the temporary file is linked, which fails if the
    name is taken).
    """
    import tempfile  # noqa: PLC0415

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(t("{p}: 是文件夹;请给出要写的文件名", "{p}: is a folder; name the file to write", p=path))
    if not force and (path.exists() or path.is_symlink()):
        raise UsageError(t("{p}: 文件已存在;要覆盖请加 --force", "{p}: already exists; add --force to replace it", p=path))
    if not folder.is_dir():
        raise UsageError(t("{p}: 文件夹 {f} 不存在", "{p}: the folder {f} does not exist", p=path, f=folder))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise NoticeError(t("{p}: 无法写入({e})", "{p}: cannot write ({e})", p=path, e=e.strerror or e)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise UsageError(t("{p}: 文件已存在;要覆盖请加 --force", "{p}: already exists; add --force to replace it",
                                   p=path)) from None
            except OSError:     # a file system without hard links: the check above has to do
                if path.exists():
                    raise UsageError(t("{p}: 文件已存在;要覆盖请加 --force",
                                       "{p}: already exists; add --force to replace it", p=path)) from None
                os.replace(tmp, path)
    except OSError as e:
        raise NoticeError(t("{p}: 无法写入({e})", "{p}: cannot write ({e})", p=path, e=e.strerror or e)) from None
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
