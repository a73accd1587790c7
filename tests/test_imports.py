"""The modules of cnnlab import one another without a circle, at the top or inside a function.

A module may import its own package or subpackages (``cnnlab.layers`` re-exports its
modules); any other path that leads back to where it started is a circle.
"""

import ast
from pathlib import Path

import cnnlab

ROOT = Path(cnnlab.__file__).parent.parent


def module_names() -> dict:
    """Dotted module name -> file, for every module of the cnnlab package."""
    names = {}
    for path in (ROOT / "cnnlab").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports_of(name: str, path: Path, modules: dict) -> set:
    """The cnnlab modules ``name`` imports anywhere in its file (``from cnnlab import x`` is x)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names}
    return {other for other in found if other in modules and not related(name, other)}


def related(name: str, other: str) -> bool:
    """Whether one of the two modules is the other or a package holding it."""
    return other == name or other.startswith(name + ".") or name.startswith(other + ".")


def test_no_module_imports_itself_through_others():
    modules = module_names()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    circles = []
    for start in graph:
        stack = [(start, [start])]
        seen = {start}
        while stack:
            node, path = stack.pop()
            for other in graph[node]:
                if other == start:
                    circles.append(" -> ".join([*path, start]))
                elif other not in seen:
                    seen.add(other)
                    stack.append((other, [*path, other]))
    assert not circles, "import circles:\n" + "\n".join(sorted(circles))
