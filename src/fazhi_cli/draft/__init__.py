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
from .model import Draft, NoticeError
from .recognise import recognise

__all__ = ["Draft", "NoticeError", "recognise", "draft_notice", "save", "summary"]


def draft_notice(path: str | Path, today: date, output: str = "") -> tuple[Draft, str]:
    """The Draft of the notice at ``path`` and its YAML text."""
    from .reading import read_notice  # noqa: PLC0415
    from .writing import to_yaml  # noqa: PLC0415

    d = recognise(read_notice(path), today, str(path))
    return d, to_yaml(d, Path(path).name, output)


def summary(d: Draft, output: str) -> str:
    """What was drafted and what a person confirms, in a few lines; names from the notice are made safe to print."""
    from .writing import comment  # noqa: PLC0415

    parts = [p for task in d.tasks for p in task.parts]
    dated = sum(1 for p in parts if p.due_source and not p.ongoing)
    ongoing = sum(1 for p in parts if p.ongoing)
    guessed = len(parts) - dated - ongoing
    aliases = sum(1 for u in d.units if u.alias_note)
    out = comment(output)
    lines = [
        t("已起草 {o}: 任务 {t} 项,分项 {p} 个,单位 {u} 个(其中待确认的单位组 {g} 个),定期事项 {r} 项",
          "drafted {o}: {t} tasks, {p} parts, {u} units ({g} of them groups to confirm), {r} recurring duties",
          o=out, t=len(d.tasks), p=len(parts), u=len(d.units) + len(d.groups), g=len(d.groups), r=len(d.duties)),
        t("期限：原文写明 {a} 个，长期 {b} 个，取总体期限 {c} 个；可能同名的单位 {n} 处；督办单位（猜测）：{s}",
          "deadlines: {a} from the notice, {b} ongoing, {c} take the overall deadline; {n} possible aliases; "
          "supervising unit (a guess): {s}", a=dated, b=ongoing, c=guessed, n=aliases,
          s=comment(d.supervision) or t("无", "none")),
    ]
    from .subjects import subject_note  # noqa: PLC0415

    read = sum(1 for p in parts if p.role_note == subject_note())
    if read:
        # no unit list anywhere: every such part is a reading of a sentence, and may miss who leads
        lines.append(t("注意: 通知没有单位清单,{n} 个分项的单位取自句子主语(如“各县(市、区)要……”);请逐一对照原文核对牵头和配合单位",
                       "warning: the notice has no unit lists; the units of {n} parts are read from the subjects of its "
                       "sentences; check each part's lead and support units against the notice", n=read))
    if d.table_rows_left > 0:
        lines.append(t("注意: 原文表格有 {n} 个编号行,其中 {m} 行没有起草为任务;请对照原文补上",
                       "warning: the notice's table has {n} numbered rows and {m} of them were not drafted as tasks; "
                       "add them from the notice", n=d.table_rows, m=d.table_rows_left))
    if d.groups:
        lines.append(t("下一步: 核对 {o} 中带 # 的注释(单位组 {g} 暂各作一个单位),然后运行 fazhi check --plan {o}",
                       "next: check the # comments in {o} (the groups {g} are one unit each for now), then run "
                       "fazhi check --plan {o}", o=out, g=comment("、".join(g.name for g in d.groups[:10]))
                       + ("……" if len(d.groups) > 10 else "")))
    else:
        lines.append(t("下一步: 核对 {o} 中带 # 的注释,然后运行 fazhi check --plan {o}",
                       "next: check the # comments in {o}, then run fazhi check --plan {o}", o=out))
    return "\n".join(lines) + "\n"


def save(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file in the same folder, then a rename.

    Without ``force`` an existing file is never replaced, not even one that
    appears while we write (the temporary file is linked, which fails if the
    name is taken).
    """
    import tempfile  # noqa: PLC0415

    import stat  # noqa: PLC0415

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(t("{p}: 是文件夹;请给出要写的文件名", "{p}: is a folder; name the file to write", p=path))
    try:
        mode = path.lstat().st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISLNK(mode):
        # --force replaces a plan file, never a device, a pipe or a socket
        raise UsageError(t("{p}: 不是普通文件(可能是设备或管道):不会覆盖它;请给出方案文件的路径",
                           "{p}: not a regular file (a device or a pipe?): it is not replaced; name a plan file", p=path))
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
            # a plan is meant to be shared: the user's umask decides, as for any file they save (mkstemp makes 0600)
            umask = os.umask(0)
            os.umask(umask)
            if hasattr(os, "fchmod"):      # not on Windows, where the folder's permissions apply
                os.fchmod(f.fileno(), 0o666 & ~umask)
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
