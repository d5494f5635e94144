"""The house's layout, read from the source with ``ast``: imports run one way, no room uses another's private
names, ``progress/`` does no I/O, only ``ledger/`` opens ``progress/`` and ``evidence/``, and rooms stay small.

Each ``ALLOWED_*`` list names what the code does today and the rules forbid; every step of the move to one room per
job shrinks them, and the lists are exact (an entry that no longer happens fails too), so they cannot go stale.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "fazhi_cli"

# Strongly connected groups of modules (import circles) that may still exist: a circle found must lie inside one.
ALLOWED_CIRCLES: list[frozenset[str]] = []

# (user, owner, name): a module reading a private name of another module.
ALLOWED_PRIVATE: set[tuple[str, str, str]] = set()

# fazhi modules that progress/ may import: the pure ones (models, dates, words).
PURE = {"errors", "i18n", "dates", "ledger.model", "plan.model"}
IO_STDLIB = {"os", "io", "pathlib", "shutil", "subprocess", "socket", "tempfile", "glob", "fcntl", "msvcrt", "mmap",
             "sqlite3", "urllib", "http", "json"}
ALLOWED_IMPURE: set[tuple[str, str]] = set()

# Modules outside ledger/ that build a path into progress/ or evidence/ themselves.
STORAGE_PATHS = {"progress_dir", "ledger_path", "evidence_dir", "blob_path"}
ALLOWED_SIDE_DOORS: set[str] = set()

MAX_MODULE = 500
MAX_CLASS = 300
ALLOWED_LONG: set[str] = {"snapshot", "sync.run"}
ALLOWED_LONG_CLASSES: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


def _package(name: str) -> list[str]:
    """The package a module's relative imports start from, as parts ('' is fazhi_cli itself)."""
    parts = name.split(".") if name else []
    return parts if MODULES[name].name == "__init__.py" else parts[:-1]


def _absolute(user: str, node: ast.ImportFrom) -> str | None:
    """The fazhi module (dotted, without ``fazhi_cli``) an ``ImportFrom`` reads from, or None for other packages."""
    if node.level:
        base = _package(user)
        base = base[:len(base) - (node.level - 1)]
        return ".".join(base + (node.module.split(".") if node.module else []))
    if node.module == "fazhi_cli":
        return ""
    if node.module and node.module.startswith("fazhi_cli."):
        return node.module[len("fazhi_cli."):]
    return None


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _imports(user: str) -> tuple[set[str], dict[str, str], set[tuple[str, str]]]:
    """The fazhi modules a module imports (at any depth of its code), the local names bound to modules, and the
    names it imports ``from`` a module (module, name)."""
    edges, aliases, names = set(), {}, set()
    for node in ast.walk(TREES[user]):
        if isinstance(node, ast.ImportFrom):
            base = _absolute(user, node)
            if base is None:
                continue
            for alias in node.names:
                sub = _join(base, alias.name)
                if sub in MODULES:
                    edges.add(sub)
                    aliases[alias.asname or alias.name] = sub
                else:
                    edges.add(base)
                    names.add((base, alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "fazhi_cli" or alias.name.startswith("fazhi_cli."):
                    target = alias.name[len("fazhi_cli."):] if "." in alias.name else ""
                    edges.add(target)
                    if alias.asname:
                        aliases[alias.asname] = target
    edges.discard(user)
    return edges, aliases, names


IMPORTS = {name: _imports(name) for name in MODULES}


def _circles() -> list[frozenset[str]]:
    """Tarjan's strongly connected components of the import graph, those of more than one module."""
    graph = {name: IMPORTS[name][0] & MODULES.keys() for name in MODULES}
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_uses() -> set[tuple[str, str, str]]:
    out = set()
    for user in MODULES:
        _, aliases, names = IMPORTS[user]
        out |= {(user, owner, n) for owner, n in names if _private(n) and owner != user}
        for node in ast.walk(TREES[user]):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _private(node.attr)
                    and node.value.id in aliases and aliases[node.value.id] != user):
                out.add((user, aliases[node.value.id], node.attr))
    return out


def test_every_circle_is_allowed():
    for group in _circles():
        assert any(group <= allowed for allowed in ALLOWED_CIRCLES), f"import circle: {sorted(group)}"


def test_allowed_circles_still_exist():
    found = _circles()
    for allowed in ALLOWED_CIRCLES:
        assert any(group & allowed for group in found), f"no longer a circle, drop it: {sorted(allowed)}"


def test_no_private_names_across_rooms():
    found = _private_uses()
    assert found - ALLOWED_PRIVATE == set()
    assert ALLOWED_PRIVATE - found == set(), "no longer used, drop from ALLOWED_PRIVATE"


def test_progress_does_no_io():
    impure, io = set(), set()
    for user in MODULES:
        if not (user == "progress" or user.startswith("progress.")):
            continue
        for target in IMPORTS[user][0]:
            if not (target == "progress" or target.startswith("progress.") or target in PURE):
                impure.add((user, target))
        for node in ast.walk(TREES[user]):
            if isinstance(node, ast.Import):
                io |= {(user, a.name) for a in node.names if a.name.split(".")[0] in IO_STDLIB}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                if node.module.split(".")[0] in IO_STDLIB:
                    io.add((user, node.module))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("open", "print"):
                io.add((user, node.func.id))
    assert io == set()
    assert impure - ALLOWED_IMPURE == set()
    assert ALLOWED_IMPURE - impure == set(), "no longer imported, drop from ALLOWED_IMPURE"


def _storage_paths(user: str) -> bool:
    """Whether a module names ledger's path helpers or joins 'progress'/'evidence' into a path itself."""
    for node in ast.walk(TREES[user]):
        if isinstance(node, ast.Attribute) and node.attr in STORAGE_PATHS:
            return True
        if isinstance(node, ast.ImportFrom) and any(a.name in STORAGE_PATHS for a in node.names):
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and side.value in ("progress", "evidence"):
                    return True
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and node.value.value in ("progress", "evidence") \
                and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
            return True
    return False


def test_only_ledger_opens_progress_and_evidence():
    found = {u for u in MODULES if not (u == "ledger" or u.startswith("ledger.")) and _storage_paths(u)}
    assert found - ALLOWED_SIDE_DOORS == set()
    assert ALLOWED_SIDE_DOORS - found == set(), "no longer a side door, drop from ALLOWED_SIDE_DOORS"


def test_rooms_are_small():
    long = {name for name, path in MODULES.items()
            if len(path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE}
    assert long - ALLOWED_LONG == set()
    assert ALLOWED_LONG - long == set(), "now short, drop from ALLOWED_LONG"
    classes = {(name, node.name) for name, tree in TREES.items() for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS}
    assert classes == ALLOWED_LONG_CLASSES


def test_a_package_index_is_not_imported_by_its_own_modules():
    """One test for every package, so that adding a package does not change the suite's count."""
    allowed: dict[str, set[str]] = {}
    packages = sorted(n for n in MODULES if MODULES[n].name == "__init__.py" and n)
    assert "progress" in packages and "render" in packages
    found = {name: {u for u in MODULES if u.startswith(name + ".") and name in IMPORTS[u][0]} for name in packages}
    assert {n: s for n, s in found.items() if s} == allowed


def test_the_readme_layout_names_every_room():
    """README's "Layout" is the map of the house: one entry a room, each under its folder, none that is gone."""
    readme = (SRC.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 布局 · Layout", 1)[1].split("\n## ", 1)[0]
    named: dict[str, set[str]] = {}
    folder = ""
    for line in section.splitlines():
        if line.startswith("- `"):
            first = line[3:line.index("`", 3)]
            folder = first[:-1] if first.endswith("/") else ""
            named.setdefault(folder, set())
            if not folder:
                named[""].add(first)
        if line.startswith(("- ", "  ", "    ")) and (folder or line.startswith("- ")):
            named[folder].update(part.split("`")[0] for part in line.split("`")[1::2] if part.endswith(".py"))
    rooms: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.name in ("__main__.py",) or rel == Path("__init__.py"):
            continue
        rooms.setdefault(rel.parent.as_posix() if rel.parent != Path(".") else "", set()).add(rel.name)
    assert {f: sorted(n) for f, n in rooms.items()} == {f: sorted(n) for f, n in named.items()}
