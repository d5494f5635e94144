"""A package index that imports a room only when one of its names is asked for.

An index lists which room answers each public name; ``from fazhi_cli.ledger import Event`` then imports
``ledger/model.py`` alone, and ``import fazhi_cli.ledger.model`` (which runs the index first) costs nothing
more. An eager index made every command pay for every room: ``fazhi --help`` imported the ledger's writer.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable


def index(package: str, rooms: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package``, whose names live in the rooms named by
    ``rooms`` (``"names separated by spaces": room``)."""
    where = {name: room for names, room in rooms.items() for name in names.split()}

    def getattr_(name: str) -> Any:
        room = where.get(name)
        if room is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{room}"), name)
        globals_ = importlib.import_module(package).__dict__
        globals_[name] = value          # asked once: later reads are plain attribute reads
        return value

    def dir_() -> list[str]:
        return sorted(where)

    return getattr_, dir_, sorted(where)
