"""The shape of the code: no import cycles, and no module reaching into another's private names.

Every import counts, including one written inside a function to dodge a cycle at import time."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"complaintctl": ROOT / "complaintctl", "complaintctl_cli": ROOT / "cli"}


def _modules() -> dict[str, Path]:
    out = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([package, *parts])] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(module: str) -> list[tuple[str, str | None, ast.AST, dict[str, str]]]:
    """(module imported, name imported from it or None, node) for every import in the module,
    and the names bound to package modules."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, None, node))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            for alias in node.names:
                found.append((base, alias.name, node))
    return found


def _edges(module: str) -> set[str]:
    out = set()
    for base, name, _node in _imports(module):
        target = f"{base}.{name}" if name and f"{base}.{name}" in MODULES else base
        if target in MODULES and target != module:
            out.add(target)
    return out


def _cycle() -> list[str] | None:
    graph = {m: _edges(m) for m in MODULES}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_packages_import_each_other_without_a_cycle():
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_walk_sees_imports_inside_functions():
    """The walker itself: the CLI imports the library lazily, inside command functions."""
    assert "complaintctl.services" in _edges("complaintctl_cli.cases")


def test_no_module_uses_another_modules_private_names():
    offences = []
    for module in MODULES:
        bound: dict[str, str] = {}
        for base, name, node in _imports(module):
            target = f"{base}.{name}" if name else base
            if name and target in MODULES:
                bound[name] = target
            if name and name.startswith("_") and not name.startswith("__") and base in MODULES and base != module:
                offences.append(f"{module}: imports {base}.{name}")
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                offences.append(f"{module}: uses {bound[node.value.id]}.{node.attr}")
    assert not offences, "\n".join(offences)


SCREEN = 50  # lines: a function longer than this says why in its docstring ("Long because ...")


def _long_functions_without_a_reason(source: str) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > SCREEN:
            if "long because" not in (ast.get_docstring(node) or "").lower():
                out.append(f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})")
    return out


def test_no_library_function_is_longer_than_a_screen_without_saying_why():
    found = {path.name: bad for path in sorted(PACKAGES["complaintctl"].glob("*.py"))
             if (bad := _long_functions_without_a_reason(path.read_text(encoding="utf-8")))}
    assert not found, f"split these, or say in the docstring why each is one function: {found}"


def test_the_length_check_sees_a_long_function():
    body = "\n".join(f"    x{i} = {i}" for i in range(SCREEN))
    assert _long_functions_without_a_reason(f'def f():\n    """Short."""\n{body}\n') == [f"f ({SCREEN + 2} lines, line 1)"]
    assert _long_functions_without_a_reason(f'def f():\n    """Long because it must be."""\n{body}\n') == []
