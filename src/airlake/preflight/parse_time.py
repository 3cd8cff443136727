"""PF206: work a DAG file does every time it is parsed (read, never imported).

What runs when Airflow parses a file: its module-level statements, the default values and
decorators of its functions, and the bodies of the module's own functions that those statements
call, followed call by call (a ``@dag`` function called at the bottom of the file, a builder
called inside ``with DAG(...)``). A function decorated as a task (``@task``, ``@task.python``,
...) is not followed: calling it while the DAG is built makes a task, its body runs in the task.

What is judged there: Variables and connections read (``Variable.get`` and
``get_connection``/``Connection.get`` however the name was imported or aliased), hooks whose
constructor reads their connection (``SSHHook(ssh_conn_id=...)``: the provider's own code, or a
hook class of the project whose ``__init__`` reads one), database sessions, HTTP and AWS calls,
sleeps and data reads.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeGuard

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.project import Project, SourceFile
from airlake.preflight.targets import Target

_EVERY_PARSE = "the scheduler parses DAG files every 30 s or so; MWAA times out slow parses"
_DATABASE = "queries the metadata database on every parse"

# (the object as imported, its attribute) → what it does at parse time; the object is the
# name a call is made on, once import aliases are undone (``V`` of ``import Variable as V``)
_PARSE_TIME_CALLS = {
    ("Variable", "get"): f"Variable.get at parse time {_DATABASE}",
    ("Connection", "get"): f"Connection.get at parse time {_DATABASE}",
    ("Connection", "get_connection_from_secrets"): f"a connection read at parse time {_DATABASE}",
    ("settings", "Session"): "a database session at parse time",
    ("requests", "get"): "an HTTP request at parse time",
    ("requests", "post"): "an HTTP request at parse time",
    ("boto3", "client"): "an AWS client at parse time",
    ("time", "sleep"): "sleeping at parse time",
    ("pandas", "read_csv"): "reading data at parse time",
}
_MODULE_ALIASES = {"pd": "pandas"}  # by convention, even when the import is not seen

# Hooks whose constructor reads their connection (so constructing one at parse time is a
# connection read), read off the ``__init__`` of the releases MWAA 3.3.1's constraints pin:
# apache-airflow-providers-ssh 6.0.1 (``self.get_connection(self.ssh_conn_id)``; the 1.10
# contrib SSHHook did the same), sftp 6.0.1 (SFTPHook is an SSHHook and calls its
# ``__init__``), apache-spark 6.3.1 (SparkSubmitHook and its subclasses resolve their
# connection, SparkSqlHook reads it), apache-hive 9.6.1 (HiveCliHook, HiveMetastoreHook), and
# the standard provider's FSHook. Most hooks read it lazily (``get_conn``) and cost nothing to
# construct.
EAGER_HOOKS = frozenset(
    {
        "SSHHook",
        "SFTPHook",
        "FSHook",
        "SparkSubmitHook",
        "SparkJDBCHook",
        "SparkPipelinesHook",
        "SparkSqlHook",
        "HiveCliHook",
        "HiveMetastoreHook",
    }
)

# decorators whose function body runs when the decorated function is called
_RUN_WHEN_CALLED = frozenset({"dag", "task_group", "cache", "lru_cache", "cached", "wraps"})


@dataclass(frozen=True, slots=True)
class _Via:
    """How a node inside a function comes to run at parse time."""

    function: str
    line: int

    def __str__(self) -> str:
        return f" (in {self.function}(), called while the file is parsed, line {self.line})"


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def _runs_when_called(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether calling ``fn`` runs its body: undecorated, or decorated with ``@dag``,
    ``@task_group`` or a cache; a task decorator (or one not known) defers or hides it."""
    return all(_decorator_name(d) in _RUN_WHEN_CALLED for d in fn.decorator_list)


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name → the name it was imported as (``V`` → ``Variable``, ``m`` → ``models``)."""
    names: dict[str, str] = dict(_MODULE_ALIASES)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                names[a.asname or a.name] = a.name
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    names[a.asname] = a.name.rsplit(".", 1)[-1]
    return names


def _parse_time_nodes(tree: ast.Module) -> Iterator[tuple[ast.AST, _Via | None]]:
    """Every node that runs when the module is imported, with how it comes to run when it is
    inside one of the module's functions."""
    defs = {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    followed: set[str] = set()
    stack: list[tuple[ast.AST, _Via | None]] = [(node, None) for node in tree.body]
    while stack:
        node, via = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # its decorators and default values are evaluated where it is defined
            args = node.args
            parts = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d)]
            stack.extend((part, via) for part in parts)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend((d, via) for d in node.args.defaults)
            continue
        if _main_guard(node):
            # Airflow imports the file under its module name: only the else branch runs
            stack.extend((stmt, via) for stmt in node.orelse)
            continue
        yield node, via
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            fn = defs.get(node.func.id)
            if fn is not None and fn.name not in followed and _runs_when_called(fn):
                followed.add(fn.name)
                inner = via or _Via(fn.name, node.lineno)
                stack.extend((stmt, inner) for stmt in fn.body)
        stack.extend((child, via) for child in ast.iter_child_nodes(node))


def _main_guard(node: ast.AST) -> TypeGuard[ast.If]:
    """``if __name__ == "__main__":``"""
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
        and len(node.test.comparators) == 1
        and isinstance(node.test.comparators[0], ast.Constant)
        and node.test.comparators[0].value == "__main__"
    )


def _is_hook(name: str) -> bool:
    return name.endswith("Hook")


def project_eager_hooks(project: Project) -> set[str]:
    """Hook classes of the project (DAG and plugin files) whose ``__init__`` reads a
    connection, or that extend a hook that does."""
    eager = set(EAGER_HOOKS)
    classes: list[ast.ClassDef] = [
        node
        for src in [*project.dags, *project.plugins]
        if src.tree is not None
        for node in ast.walk(src.tree)
        if isinstance(node, ast.ClassDef)
    ]
    changed = True
    while changed:  # a subclass of a subclass: until nothing is added
        changed = False
        for cls in classes:
            if cls.name in eager:
                continue
            bases = {_decorator_name(b) for b in cls.bases}
            init = next(
                (f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"),
                None,
            )
            reads = init is not None and any(
                isinstance(n, ast.Attribute) and n.attr == "get_connection" for n in ast.walk(init)
            )
            if reads or bases & eager:
                eager.add(cls.name)
                changed = True
    return eager


_MOVE_IT = "move it into the task (a callable or a template such as {{ var.value.name }})"
_HOOK_FIX = (
    "construct the hook inside the task, or give the operator the connection id "
    "(e.g. ssh_conn_id=) instead of a hook"
)


def _what(node: ast.Call, aliases: dict[str, str], eager: set[str]) -> tuple[str, str] | None:
    """What a call does at parse time and its fix, when it is work PF206 names."""
    func = node.func
    if isinstance(func, ast.Name):
        name = aliases.get(func.id, func.id)
        if name in eager:
            return (
                f"{name}(...) at parse time reads its connection when it is constructed: "
                f"it {_DATABASE}, and where the connection is not defined the import can fail "
                "(SSHHook's does)",
                _HOOK_FIX,
            )
        return None
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value
    if isinstance(owner, ast.Attribute):  # models.Variable.get, airflow.models.Variable.get
        obj = owner.attr
    elif isinstance(owner, ast.Name):
        obj = aliases.get(owner.id, owner.id)
    else:
        return None
    if func.attr == "get_connection" and (_is_hook(obj) or obj == "Connection"):
        return f"get_connection at parse time {_DATABASE}", _MOVE_IT
    what = _PARSE_TIME_CALLS.get((obj, func.attr))
    return (what, _MOVE_IT) if what else None


def _findings(src: SourceFile, eager: set[str]) -> Iterator[Finding]:
    assert src.tree is not None
    aliases = _aliases(src.tree)
    for node, via in _parse_time_nodes(src.tree):
        if not isinstance(node, ast.Call):
            continue
        found = _what(node, aliases, eager)
        if found:
            what, fix = found
            yield Finding(
                "PF206",
                Severity.WARNING,
                src.path,
                node.lineno,
                f"{what}{via or ''} ({_EVERY_PARSE})",
                fix,
            )


def parse_time_work(project: Project, target: Target) -> Iterator[Finding]:
    """Top-level Variable/connection/database access and heavy work: runs on every DAG parse."""
    eager = project_eager_hooks(project)
    for src in project.dags:
        if src.tree is not None:
            yield from sorted(_findings(src, eager), key=lambda f: f.line)
