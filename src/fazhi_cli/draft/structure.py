"""Numbered items → sections, tasks and parts.

Notices number their items 一、 / (一) / 1. or 1、 / (1) / ①, nested in that
order. The level whose items carry the most unit lists is the task level;
the level above it gives the sections. Each closing unit list in a task's
text ends one part, as in the bundled plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .columns import spaced_tables
from .header import date_line
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
            if date_line(line) is not None:
                current = None      # a date alone on its line is a signature's: it ends the item above, never its deadline
            elif current is not None:
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
    ("lead", r"^(牵头单位|牵头部门|主责单位|牵头|牵头责任单位|牵头科室|牵头处室)$"),
    ("responsible", r"^(责任单位|责任部门|承办单位|实施单位|责任科室|责任处室|落实单位|责任主体)$"),
    ("support", r"^(配合单位|配合部门|协办单位|参与单位|配合|协同责任单位|配合科室|协同单位)$"),
    # 指导部门: the units named guide the work (support); 推广范围: where it applies, and so who carries it out
    ("guide", r"^(指导部门|指导单位)$"),
    ("scope", r"^(推广范围|实施范围|适用范围)$"),
    ("people", r"(领导|责任人|联系人)$"),
    ("deadline", r"(时限|完成时间|时间节点|期限|进度安排|时间要求)"),
    ("content", r"(具体措施|具体要求|工作内容|任务内容|工作措施|主要内容|具体内容|具体任务|措施|要求|内容)"),
    ("task", r"(任务|事项|工作|目标|项目|类别|举措)"),
)
# header words of columns a plan has no use for (完成情况, 备注): they belong to the header all the same
_OTHER_COLUMNS = re.compile(r"^(备注|完成情况|进展情况|完成进度|进度情况|推进情况|备注说明)$")
# a task cell that carries the row's number: 1.规范文件公开
_NUMBERED_CELL = re.compile(r"^\s*(\d{1,3})\s*[.、．](?!\d)\s*")
_LABEL_OF = {"lead": "牵头单位", "responsible": "责任单位", "support": "配合单位", "deadline": "完成时限",
             "people": "责任领导", "guide": "指导单位"}
# a 推广范围 cell that names bodies (各区人民政府, 市商务局): they carry it out; else it is a territory (全国, 各自贸试验区)
_BODY = re.compile(r"(政府|部门|单位|机构|局|委|办|厅|院|中心|办事处|街道|管委会)$")
# the addressee line before the body: 各省、自治区、直辖市人民政府,国务院各部委、各直属机构:
_ADDRESSEES = re.compile(r"^(各[^,:]{1,30}?(?:人民政府|政府))[,、:]")


def _header(cells: list[str]) -> dict[str, int] | None:
    """The columns of a task table's header row, or None when the row is not one."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        c = norm(cell).strip().replace(" ", "")
        key = next((k for k, pattern in _COLUMNS if k not in found and 0 < len(c) <= 12 and re.search(pattern, c)), None)
        if key is None and _OTHER_COLUMNS.match(c):
            key = f"other{i}"
        if key is not None:
            found[key] = i
    if ({"task", "content"} & set(found)) and ({"lead", "responsible", "scope", "guide"} & set(found)) and len(found) >= 3:
        return found
    return None


def _cells(line: str) -> list[str]:
    """A row's cells: tab-separated (Word, web page), or |-separated, or separated by runs of spaces (copied text)."""
    if "\t" in line:
        return line.split("\t")
    n = norm(line)
    if n.count("|") >= 2:
        return [c.strip() for c in line.replace("｜", "|").strip().strip("|").split("|")]
    parts = re.split(r" {2,}|\u3000+", line.strip())
    return parts if len(parts) >= 3 else [line]


def text_tables(lines: list[str]) -> list[str]:
    """A table copied as text with one cell a line (cells ended by `|`, or `|` lines between them) → tab rows.

    Rows are found by the 序号 column (1, 2, 3 … in order); cells missing on
    the left of a row were merged with the row above and carry down.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        # a run of cells: lines ending with | or lines that are only |
        j = i
        tokens: list[str] = []
        suffix = False      # cells written "text |": a line of "|" alone is then an empty cell, not a separator
        while j < len(lines):
            ln = norm(lines[j]).strip()
            if ln == "|":
                if suffix:
                    tokens.append("")
                j += 1
                continue
            if suffix and len(ln) > 1 and not ln.strip("|"):
                j += 1          # a line of bars only (||, |||||): the end of a row, no cell
                continue
            if ln.endswith("|") and ln.count("|") == 1:
                tokens.append(lines[j].strip().rstrip("|｜").strip())
                suffix = True
                j += 1
                continue
            if j + 1 < len(lines) and norm(lines[j + 1]).strip() == "|" and "\t" not in lines[j]:
                tokens.append(lines[j].strip())
                j += 1
                continue
            break
        if len(tokens) < 6:
            out.append(lines[i])
            i += 1
            continue
        out.extend(_rows_of(tokens))
        i = j
    return out


def _rows_of(tokens: list[str]) -> list[str]:
    head = None
    for k in range(len(tokens)):
        for width in range(min(10, len(tokens) - k), 2, -1):
            cols = _header(tokens[k:k + width])
            if cols is not None and len(cols) == width:
                head = (k, width, cols)
                break
        if head:
            break
    if head is None:
        return tokens
    k, width, cols = head
    header = tokens[k:k + width]
    rest = tokens[k + width:]
    if "number" not in cols:
        # rows numbered 1, 2, 3 under a header that names no 序号 column: the numbers are a column of their own
        q0 = next((q for q, tok in enumerate(rest[:width + 1]) if tok.strip() == "1"), None)
        if q0 is not None and "2" in (tok.strip() for tok in rest[q0 + 1:q0 + 2 * width + 2]):
            header = header[:q0] + ["序号"] + header[q0:]
            width += 1
            cols = _header(header) or cols
    out = tokens[:k] + ["\t".join(header)]
    numbered_task = "number" not in cols and "task" in cols and any(
        _NUMBERED_CELL.match(tok) and _NUMBERED_CELL.match(tok)[1] == "1" for tok in rest)
    if numbered_task:
        # no 序号 column, but the task cells are numbered 1.…, 2.…: they start the rows
        cols = dict(cols, number=cols["task"])
    if "number" not in cols:
        for r in range(0, len(rest) - width + 1, width):
            out.append("\t".join(rest[r:r + width]))
        out += rest[len(rest) - len(rest) % width:] if len(rest) % width else []
        return out
    nc = cols["number"]
    right = width - nc - 1
    expected = 1
    previous_left: list[str] = [""] * nc
    pos = 0
    while pos < len(rest):
        starts = [q for q in range(pos, len(rest)) if rest[q].strip() == str(expected)
                  or numbered_task and (m := _NUMBERED_CELL.match(rest[q])) is not None and m[1] == str(expected)]
        if not starts:
            out += rest[pos:]
            break
        q = starts[0]
        left = rest[pos:q]
        if len(left) > nc:                      # a heading row before this one
            out += left[:len(left) - nc]
            left = left[len(left) - nc:]
        left = previous_left[:nc - len(left)] + left   # merged with the row above: carried down
        previous_left = left
        row = left + [rest[q]] + rest[q + 1:q + 1 + right]
        out.append("\t".join(row))
        pos = q + 1 + right
        expected += 1
    return out


def _addressed_level(lines: list[str]) -> str:
    """The level of government a notice is addressed to first (各省、自治区、直辖市人民政府 → 各省（区、市）人民政府), or ""."""
    for line in lines:
        m = _ADDRESSEES.match(norm(line).strip())
        if m and norm(line).strip().endswith(":"):
            name = line.strip()[:m.end(1)]
            return re.sub(r"各省[、,，]自治区[、,，]直辖市", "各省（区、市）", name)
    return ""


def _scope_lines(cell: str, level: str) -> list[str]:
    """A 推广范围 cell → role lines: the bodies it names lead; a territory (全国) is the addressed level's to carry out."""
    names = [x for x in re.split(r"[、,，]", norm(cell)) if x.strip()]
    if names and all(_BODY.search(x.strip()) for x in names):
        return [f"牵头单位:{cell}"]
    if not level:
        return []
    # a reading, not the notice's words: the drafter's comment asks a person to confirm who carries it out there
    return [f"牵头单位:{level};推广范围:{cell}"]


def tables_as_items(lines: list[str], rows: list[str] | None = None) -> list[str]:
    """A task table (序号 | 任务 | 牵头单位 | 配合单位 | 完成时限) → numbered items with role lines.

    Rows arrive as lines with tab-separated cells (see reading.py), |-separated
    cells, cells one a line (see text_tables), or laid out in columns of spaces
    with cells wrapped over several lines, as in a PDF (see columns.py); other
    lines pass unchanged.
    The content column becomes the part's text; a task column beside it is
    the item's title; a cell left empty by a merge takes the value above.
    A 指导部门 column names units that support; a 推广范围 column names who
    leads, or a territory, which the level of government the notice is
    addressed to carries out (a reading, with a comment). Each row's line is
    added to ``rows`` when given, so the drafter can say how many it left out.
    """
    out: list[str] = []
    level = ""
    columns: dict[str, int] | None = None
    width = count = 0
    above: list[str] = []
    for line in text_tables(spaced_tables(lines, _header)):
        cells = _cells(line)
        if len(cells) < 3:
            out.append(line)      # a paragraph, or a row merged into one cell (一、稳定经济增长)
            continue
        found = _header(cells)
        if found is not None:
            # a header copied with empty cells after its last word (工作任务 | … | 时限要求 | ||): they are no columns
            while len(cells) > 1 and not cells[-1].strip() and len(cells) - 1 > max(found.values()):
                cells = cells[:-1]
            columns, width, count, above = found, len(cells), 0, [""] * len(cells)
            level = _addressed_level(out) if "scope" in found else ""
            continue
        if columns is not None and len(cells) > width:
            while len(cells) > width and not cells[-1].strip():
                cells = cells[:-1]        # the row's empty cells past the header's last column
            if len(cells) > width and all(c.strip() for c in cells[:len(cells) - width]):
                # the first row brings the cells merged over the rows below it (一、… | (一)… | 1 | …): headings
                out.extend(c.strip() for c in cells[:len(cells) - width])
                cells = cells[len(cells) - width:]
        if columns is None or len(cells) > width or len(cells) < width - 2 or len(set(c.strip() for c in cells)) == 1:
            out.append(" ".join(c for c in cells if c.strip()))
            continue
        if len(cells) < width:    # merged cells (rowspan) on the left: carried down
            cells = above[:width - len(cells)] + cells
        cells = [c.strip() or (above[i] if i in (columns.get("task"), columns.get("lead"), columns.get("responsible"),
                                                  columns.get("deadline")) else "") for i, c in enumerate(cells)]
        above = cells
        count += 1
        number = cells[columns["number"]].strip() if "number" in columns else ""
        task = cells[columns["task"]].strip() if "task" in columns else ""
        own = _NUMBERED_CELL.match(task) if not number.isdigit() else None
        if own:           # 1.规范文件公开: the row's number, written in its task cell
            number, task = own[1], task[own.end():]
        elif not number.isdigit() and task.isdigit() and "content" in columns:
            number, task = task, ""     # the task column holds only the row's number; its text is the content
        number = number if number.isdigit() else str(count)
        content = cells[columns["content"]].strip() if "content" in columns else ""
        if task and content:
            text = task if content.startswith(task) else f"{task.rstrip('。')}。{content}"
        else:
            text = task or content
        out.append(f"{number}.{text}")
        if rows is not None:
            rows.append(out[-1])
        if "scope" in columns and not {"lead", "responsible"} & set(columns) and cells[columns["scope"]].strip():
            out.extend(_scope_lines(cells[columns["scope"]].strip(), level))
        for key in ("people", "lead", "responsible", "support", "guide", "deadline"):
            if key in columns and cells[columns[key]].strip():
                out.append(f"{_LABEL_OF[key]}:{cells[columns[key]].strip()}")
    return out
