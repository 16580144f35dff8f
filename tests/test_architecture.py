"""The shape of the package: every import points down, and nothing imports the command line.

Walks ``src/postkit`` with ``ast`` (function-level imports included, since
postkit imports heavy libraries lazily) and builds the module graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "postkit"
COMMANDS = ("validate", "convert", "traditional", "images", "feeds")


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The postkit modules that ``path`` imports, resolved to modules that exist (``from a import b`` may name a module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.startswith("postkit") and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path) for path in files}
    edges = {module_name(path): imports_of(path, modules) for path in files}
    # Importing a package's module runs the package's __init__ first, but __init__ files here
    # import nothing, so edges to a package name stand for the package itself only.
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among the modules, or ``None`` (depth-first search with colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_walker_sees_lazy_and_relative_imports(tmp_path):
    source = tmp_path / "postkit" / "core" / "x.py"
    source.parent.mkdir(parents=True)
    source.write_text("def f():\n    from postkit.images import run\n    from . import y\n")
    modules = {"postkit.images.run", "postkit.images", "postkit.core.y", "postkit.core.x", "postkit.core"}
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        assert imports_of(source, modules) == {"postkit.images.run", "postkit.images", "postkit.core.y", "postkit.core"}
    finally:
        SRC = saved


def test_find_cycle_finds_one_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_among_modules():
    assert find_cycle(graph()) is None


@pytest.mark.parametrize("command", COMMANDS)
def test_the_core_never_imports_a_command_package(command):
    offenders = [
        (module, target)
        for module, targets in graph().items()
        if module.startswith("postkit.core")
        for target in targets
        if target == f"postkit.{command}" or target.startswith(f"postkit.{command}.")
    ]
    assert offenders == []


def test_nothing_imports_the_command_line_and_commands_do_not_import_each_others_commands():
    edges = graph()
    assert [module for module, targets in edges.items() if "postkit.cli" in targets] == ["postkit.__main__"]
    for module, targets in edges.items():
        for target in targets:
            if target.endswith(".command"):
                assert module in ("postkit.cli", target), f"{module} imports {target}"


def test_each_command_package_has_its_command_module():
    for command in COMMANDS:
        assert (PACKAGE / command / "command.py").is_file()
        assert f"postkit.{command}.command" in graph()["postkit.cli"]
