"""Finding the plan file and reading it: a regular file, never more than 1 MiB, decoded as UTF-8.

Every failure is a PlanError that names the file (and, for bad bytes, the line).
"""

import os
from pathlib import Path

from ..errors import PlanError
from ..files import NotRegularFile, TooLarge, read_regular
from ..i18n import t

MAX_PLAN_BYTES = 1024 * 1024


def bundled_plan_path() -> Path:
    here = Path(__file__).resolve().parents[1]       # fazhi_cli/, above plan/
    packaged = here / "data" / "tasks.yaml"          # inside an installed wheel
    if packaged.is_file():
        return packaged
    return here.parents[1] / "data" / "tasks.yaml"   # a source checkout


def plan_path(option: str | os.PathLike[str] | None = None) -> Path:
    chosen = option or os.environ.get("FAZHI_PLAN")
    return Path(chosen) if chosen else bundled_plan_path()


def read_plan_text(p: Path) -> bytes:
    # A regular file only, and never more than the limit however much the
    # file claims or grows: a FIFO, /dev/zero or a link to it is refused.
    try:
        return read_regular(p, MAX_PLAN_BYTES)
    except TooLarge as e:
        raise PlanError(t("{p}: {e};方案文件不得超过 1 MiB", "{p}: {e}; a plan must stay under 1 MiB",
                          p=p, e=e.strerror)) from None
    except NotRegularFile:
        if p.is_dir():
            raise PlanError(t("{p}: 是文件夹,不是方案文件", "{p}: is a folder, not a plan file", p=p)) from None
        raise PlanError(t("{p}: 不是普通文件(可能是管道或设备),不能作为方案文件",
                          "{p}: not a regular file (a pipe or a device?); a plan must be a file",
                          p=p)) from None
    except FileNotFoundError:
        raise PlanError(t("{p}: 找不到方案文件", "{p}: plan file not found", p=p)) from None
    except PermissionError:
        raise PlanError(t("{p}: 无权读取方案文件", "{p}: no permission to read the plan file", p=p)) from None
    except OSError as e:
        raise PlanError(t("{p}: 无法读取方案文件({e})", "{p}: cannot read the plan file ({e})",
                          p=p, e=e.strerror or e)) from None


def decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise PlanError(t("{w}:{l}: 不是有效的 UTF-8 文本(第 {b} 字节),请以 UTF-8 编码保存",
                          "{w}:{l}: not valid UTF-8 (byte {b}); save the file as UTF-8",
                          w=where, l=line, b=e.start + 1)) from None

