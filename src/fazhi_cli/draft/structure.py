"""Numbered items → sections, tasks and parts.

Notices number their items 一、 / (一) / 1. or 1、 / (1) / ①, nested in that
order. The level whose items carry the most unit lists is the task level;
the level above it gives the sections. Each closing unit list in a task's
text ends one part, as in the bundled plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import chinese_number, norm

LEVELS = (
    ("A", r"([一二三四五六七八九十百]{1,4})、"),
    ("B", r"\(([一二三四五六七八九十百]{1,4})\)"),
    ("C", r"(\d{1,3})(?:\.(?!\d)|、)"),
    ("D", r"\((\d{1,3})\)"),
    ("E", r"([①-⑳])"),
)
RANK = {name: i for i, (name, _) in enumerate(LEVELS)}


@dataclass
class Item:
    level: str
    label: str            # the numeral as written: 一, 3, ①
    value: int            # its number
    line: int             # index of its first line
    raw: str              # its first line as written, numbering included
    lines: list[str]      # its own lines, the numbering cut off the first
    parent: "Item | None" = None
    children: list["Item"] = field(default_factory=list)

    def own_text(self) -> str:
        return "\n".join(self.lines)

    def full_lines(self) -> list[str]:
        out = list(self.lines)
        for child in self.children:
            out.append(child.raw)
            out.extend(child.full_lines()[1:])
        return out

    def number_text(self) -> str:
        return {"A": f"{self.label}、", "B": f"({self.label})", "C": f"{self.label}.", "D": f"({self.label})"}.get(
            self.level, self.label)

    def path(self) -> str:
        """二(三)1. — where the item stands in the notice, for a comment."""
        chain = []
        node: Item | None = self
        while node is not None:
            chain.append(node.number_text())
            node = node.parent
        return "".join(reversed(chain))


def classify(line: str) -> tuple[str, str, int, int] | None:
    """(level, label, value, where the text starts) of a numbered line, else None."""
    n = norm(line)
    for level, pattern in LEVELS:
        m = re.match(pattern, n)
        if m and n[m.end():].strip():
            label = m[1]
            if level in ("A", "B"):
                value = chinese_number(label)
                if value is None:
                    continue
            elif level == "E":
                value = ord(label) - ord("①") + 1
            else:
                value = int(label)
            return level, label, value, m.end()
    return None


def build_items(lines: list[str], start: int = 0) -> list[Item]:
    """Every numbered item from line ``start`` on, each with its continuation lines and its parent."""
    items: list[Item] = []
    stack: list[Item] = []
    current: Item | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        c = classify(line)
        if c is None:
            if current is not None:
                current.lines.append(line)
            continue
        level, label, value, at = c
        item = Item(level, label, value, i, line, [line[at:].strip()])
        while stack and RANK[stack[-1].level] >= RANK[level]:
            stack.pop()
        if stack:
            item.parent = stack[-1]
            stack[-1].children.append(item)
        stack.append(item)
        items.append(item)
        current = item
    return items


_COLUMNS = (
    ("number", r"^(序号|编号|序)$"),
    ("task", r"(任务|内容|事项|措施|目标)"),
    ("lead", r"^(牵头单位|牵头部门|主责单位|牵头)$"),
    ("responsible", r"^(责任单位|责任部门|承办单位|实施单位)$"),
    ("support", r"^(配合单位|配合部门|协办单位|参与单位|配合)$"),
    ("deadline", r"(时限|完成时间|时间节点|期限)"),
)
_LABEL_OF = {"lead": "牵头单位", "responsible": "责任单位", "support": "配合单位", "deadline": "完成时限"}


def tables_as_items(lines: list[str]) -> list[str]:
    """A task table (序号 | 任务 | 牵头单位 | 配合单位 | 完成时限) → numbered items with role lines.

    Rows arrive as lines with tab-separated cells (see reading.py); other
    lines pass unchanged.
    """
    out: list[str] = []
    columns: dict[str, int] | None = None
    width = count = 0
    for line in lines:
        if "\t" not in line:
            out.append(line)      # a paragraph, or a row merged into one cell (一、稳定经济增长)
            continue
        cells = line.split("\t")
        found: dict[str, int] = {}
        for i, cell in enumerate(cells):
            c = norm(cell).strip()
            key = next((k for k, pattern in _COLUMNS if k not in found and len(c) <= 12 and re.search(pattern, c)), None)
            if key is not None:
                found[key] = i
        if "task" in found and {"lead", "responsible"} & set(found):
            columns, width, count = found, len(cells), 0
            continue
        if columns is None or len(cells) != width:
            out.append(" ".join(c for c in cells if c.strip()))
            continue
        count += 1
        number = cells[columns["number"]].strip() if "number" in columns else ""
        out.append(f"{number if number.isdigit() else count}.{cells[columns['task']].strip()}")
        for key in ("lead", "responsible", "support", "deadline"):
            if key in columns and cells[columns[key]].strip():
                out.append(f"{_LABEL_OF[key]}:{cells[columns[key]].strip()}")
    return out
