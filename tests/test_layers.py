"""dsr's modules import each other only at their top, in layers without cycles.

An import of a dsr module inside a function hides a dependency from the
layers contract's readers (and used to hide cycles). Only heavy third-party
packages (WeasyPrint, Typst, pikepdf) load inside functions. The command line
stays fast by loading each command's module (dsr/commands) only when it runs.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dsr"
# Python's entry point: it imports the CLI inside its guard, so a Ctrl-C while dsr
# starts is handled by the CLI's own handler.
COMMAND_LINE = frozenset({"__main__.py"})


def _imports_dsr(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        if node.level:  # from . import x, from .x import y
            return True
        module = node.module or ""
        return module == "dsr" or module.startswith("dsr.")
    return any(alias.name == "dsr" or alias.name.startswith("dsr.") for alias in node.names)


def function_level_imports(source: str) -> list[tuple[int, str]]:
    """(line, function) of every import of a dsr module inside a function or method."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                name = child.name if not isinstance(child, ast.Lambda) else "<lambda>"
                visit(child, name if function is None else f"{function}.{name}")
            elif isinstance(child, ast.Import | ast.ImportFrom):
                if function is not None and _imports_dsr(child):
                    found.append((child.lineno, function))
            else:
                visit(child, function)

    visit(ast.parse(source), None)
    return found


def library_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name not in COMMAND_LINE)


@pytest.mark.parametrize("path", library_modules(), ids=lambda p: p.name)
def test_no_function_level_imports_of_dsr_modules(path: Path) -> None:
    found = function_level_imports(path.read_text(encoding="utf-8"))
    assert found == [], "\n".join(
        f"dsr/{path.name}:{line}: {function}() imports a dsr module; import it at the top"
        for line, function in found
    )


def test_the_check_finds_what_it_looks_for() -> None:
    source = (
        "from . import files\n"  # at the top: allowed
        "import dsr.text\n"
        "def f():\n"
        "    import pikepdf\n"  # a heavy third-party package: allowed
        "    from .registry import controller\n"
        "class C:\n"
        "    def m(self):\n"
        "        if True:\n"
        "            from dsr import pdf\n"
        "        def inner():\n"
        "            import dsr.track\n"
        "async def g():\n"
        "    from . import render\n"
    )
    assert function_level_imports(source) == [
        (5, "f"),
        (9, "m"),
        (11, "m.inner"),
        (13, "g"),
    ]


def test_the_layers_contract_names_every_module() -> None:
    """Also checked by lint-imports (``make lint``): exhaustive, and every module in one layer."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    assert layers["containers"] == ["dsr"]
    assert layers["exhaustive"] is True
    named = [m.strip() for layer in layers["layers"] for m in layer.replace(":", "|").split("|")]
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    modules += sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert sorted(named) == sorted(modules)


def test_the_click_contract_names_every_module_below_the_command_line() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (forbidden,) = [c for c in contracts if c["type"] == "forbidden"]
    assert forbidden["forbidden_modules"] == ["click"]
    command_line = {"__init__", "__main__", "cli", "guide"}
    library = sorted(f"dsr.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem not in command_line)
    # Packages too (dsr.web, the web page's front end), but the CLI's commands.
    library += [
        f"dsr.{p.name}"
        for p in PACKAGE.iterdir()
        if (p / "__init__.py").exists() and p.name != "commands"
    ]
    assert sorted(forbidden["source_modules"]) == sorted(library)
