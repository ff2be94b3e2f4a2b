"""The package's floors: no module imports, as it loads, one that imports it back.

Imports inside functions (made on first use, to keep ``wasikernel run`` fast) and under
``TYPE_CHECKING`` do not run at load time and are not counted here."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "wasikernel"


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load_time_imports(path: Path, modules: set[str]) -> set[str]:
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text()).body:  # module level only, not under `if`
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.add(full if full in modules else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in modules and m != name}


def _packages_of(module: str, modules: set[str]) -> set[str]:
    """Importing ``a.b.c`` runs ``a`` and ``a.b`` first."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))} & modules


def test_no_module_imports_at_load_time_one_that_imports_it_back():
    paths = list(PACKAGE.rglob("*.py"))
    assert len(paths) > 50, f"the package's modules are not at {PACKAGE}"
    modules = {_name(p) for p in paths}
    graph = {_name(p): _load_time_imports(p, modules) for p in paths}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            here = todo.pop()
            for nxt in graph.get(here, ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    circles = sorted(
        f"{a} -> {b}" for a, targets in graph.items() for b in targets
        if b not in _packages_of(a, modules) and reaches(b, a)
    )  # fmt: skip
    assert not circles, "import circles at load time:\n" + "\n".join(circles)
