"""What a provider release's modules define, read statically from its wheel (never imported).

The import index probes every provider the MWAA image ships by importing it in the target's real
environment. A provider the project adds in requirements.txt is installed at the release the
target's constraints pin (or the one the requirement pins), which the image does not hold. Those
releases are read here instead, from the wheel alone: every ``airflow/...`` module in it, the
names its top-level code binds (``def``, ``class``, assignments, imports, also inside top-level
``if``/``try``/``with`` blocks), whether a module-level ``__getattr__`` or a star import can serve
names beyond those (then a name not listed is not judged), and the deprecation warning its own
top-level code raises (a shim module). No dependency of the provider is needed, so any release
can be read on any machine in milliseconds.
"""

from __future__ import annotations

import ast
import zipfile
from dataclasses import dataclass
from pathlib import Path

_DEPRECATION = ("Deprecat", "RemovedIn", "PendingDeprecation")
_SKIP_PARTS = {"tests", "example_dags", "__main__"}


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """One module of a release: the names it binds, whether more can be served, its shim
    warning (empty when it has none)."""

    names: tuple[str, ...]
    open: bool
    deprecation: str


def _bound(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _bound(element)]
    if isinstance(target, ast.Starred):
        return _bound(target.value)
    return []


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that run on import: the module body and the blocks of its top-level
    ``if``/``try``/``with``/``for`` statements (never function or class bodies)."""
    out: list[ast.stmt] = []
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        out.append(stmt)
        blocks: list[list[ast.stmt]] = []
        if isinstance(stmt, (ast.If, ast.For, ast.While)):
            blocks = [stmt.body, stmt.orelse]
        elif isinstance(stmt, ast.With):
            blocks = [stmt.body]
        elif isinstance(stmt, ast.Try):
            blocks = [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody]
        for block in reversed(blocks):
            stack.extend(reversed(block))
    return out


def _warning_text(call: ast.Call) -> str | None:
    """The message of ``warnings.warn(message, SomeDeprecationWarning)``, else None."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if called != "warn" or not call.args:
        return None
    category = call.args[1] if len(call.args) > 1 else None
    for kw in call.keywords:
        if kw.arg == "category":
            category = kw.value
    if category is None or not any(p in ast.unparse(category) for p in _DEPRECATION):
        return None
    message = call.args[0]
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        return message.value[:400]
    return ast.unparse(message)[:400]


def module_facts(source: str) -> ModuleFacts:
    """The facts of one module's source. Raises SyntaxError / ValueError as ``ast.parse`` does."""
    tree = ast.parse(source)
    names: set[str] = set()
    open_ = False
    deprecation = ""
    for stmt in _top_level(tree.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
            open_ = open_ or stmt.name == "__getattr__"
        elif isinstance(stmt, ast.Assign):
            names.update(n for target in stmt.targets for n in _bound(target))
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            names.update(_bound(stmt.target))
        elif isinstance(stmt, ast.Import):
            names.update(a.asname or a.name.split(".")[0] for a in stmt.names)
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*":
                    open_ = True
                else:
                    names.add(alias.asname or alias.name)
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and not deprecation
            and (text := _warning_text(stmt.value)) is not None
        ):
            deprecation = text
    public = tuple(sorted(n for n in names if not n.startswith("_") or n == "__getattr__"))
    return ModuleFacts(public, open_, deprecation)


def module_name(member: str) -> str | None:
    """``airflow/providers/x/hooks/y.py`` → ``airflow.providers.x.hooks.y`` (a package's
    ``__init__.py`` → the package), None for what is not an importable airflow module."""
    if not member.startswith("airflow/") or not member.endswith(".py"):
        return None
    parts = member[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if any(p in _SKIP_PARTS or not p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def scan_wheel(path: Path) -> dict[str, ModuleFacts | str]:
    """Every airflow module of the wheel at ``path``: its facts, or why it cannot be read (a
    module Python itself cannot parse is broken on import too)."""
    out: dict[str, ModuleFacts | str] = {}
    with zipfile.ZipFile(path) as wheel:
        for member in sorted(wheel.namelist()):
            module = module_name(member)
            if module is None:
                continue
            try:
                out[module] = module_facts(wheel.read(member).decode("utf-8"))
            except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
                out[module] = f"{type(exc).__name__}: {exc}"
    # namespace packages (``airflow.providers.apache``) have no __init__.py in the wheel but
    # import all the same
    for module in list(out):
        parts = module.split(".")
        for depth in range(1, len(parts)):
            out.setdefault(".".join(parts[:depth]), ModuleFacts((), True, ""))
    return out
