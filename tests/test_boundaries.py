"""Who may import whom.

The sandbox is the test oracle for the provider clients: if it shared their
code (the signer, the identity parser, the sync), a mistake there would be
agreed with on both sides of every HTTP test. The product, in turn, must run
without the sandbox and the bench, which are only installed with
SANDBOX_ENABLED. The settings and URLs name the sandbox as an app to install
and mount; that is configuration, not an import, and is not checked here.

The files are parsed with `ast` rather than searched as text: an import
counts however it is written (relative, from a package, through importlib),
and a comment or a string that mentions a module does not.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENT_CODE = ("invoices.providers", "invoices.identity", "invoices.sync")


def imports(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) for each import in `source`, a module of `package`; `from a import b` counts as a.b."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            found += [(node.lineno, base if alias.name == "*" else f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _imports_by_name(node.func) and node.args:
            name = node.args[0]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found.append((node.lineno, name.value))
    return sorted(found)


def _absolute(module, level, package):
    if not level:
        return module
    parts = package.split(".")
    parent = ".".join(parts[: len(parts) - (level - 1)])
    return f"{parent}.{module}" if module else parent


def _imports_by_name(func):
    """importlib.import_module(...), import_module(...) or __import__(...)."""
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module"
    return isinstance(func, ast.Name) and func.id in ("import_module", "__import__")


def within(module, prefixes):
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def violations(folder, forbidden, allowed=lambda path, module: False):
    """'path:line imports module' for each import of a forbidden module under `folder`."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        dotted = path.relative_to(ROOT).with_suffix("").parts
        package = ".".join(dotted if path.name == "__init__.py" else dotted[:-1])
        for line, module in imports(path.read_text(encoding="utf-8"), package):
            if within(module, forbidden) and not allowed(path, module):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("folder", ["invoices", "arportal"])
def test_the_product_imports_neither_the_sandbox_nor_the_bench(folder):
    assert violations(folder, ("sandbox", "bench")) == []


def test_the_sandbox_imports_no_client_code():
    assert violations("sandbox", CLIENT_CODE) == []


def test_the_sandbox_imports_nothing_else_of_the_product_but_the_models_from_its_commands():
    def models_in_a_command(path, module):
        return path.is_relative_to(ROOT / "sandbox" / "management" / "commands") and within(module, ["invoices.models"])

    assert violations("sandbox", ("invoices", "bench"), allowed=models_in_a_command) == []


def test_the_check_sees_every_way_of_writing_an_import_and_nothing_else():
    source = """
import invoices.providers.qvickly
from invoices import identity
from invoices.sync import refresh
from ..sync import current_problems
importlib.import_module("invoices.providers.fusebill")
__import__("invoices.identity")
# from invoices.providers import qvickly: a comment is not an import
text = "import invoices.sync"
"""
    found = imports(source, "invoices.providers")

    assert found == [
        (2, "invoices.providers.qvickly"),
        (3, "invoices.identity"),
        (4, "invoices.sync.refresh"),
        (5, "invoices.sync.current_problems"),
        (6, "invoices.providers.fusebill"),
        (7, "invoices.identity"),
    ]
    assert all(within(module, CLIENT_CODE) for _, module in found)
    assert not within("invoices.providers_extra", CLIENT_CODE)
