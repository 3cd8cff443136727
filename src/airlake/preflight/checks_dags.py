"""Checks of DAG code, on the parsed source (never imported)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from packaging.version import Version

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.livy import livy_replacement
from airlake.preflight.moves import module_gone, moves_for
from airlake.preflight.project import Project, SourceFile
from airlake.preflight.targets import Target

V2, V3 = Version("2.0.0"), Version("3.0.0")


def _sources(project: Project) -> list[SourceFile]:
    return project.dags


def _imports(tree: ast.Module) -> Iterator[tuple[int, str, str]]:
    """(line, module, name) for every ``from m import n`` and ``import m``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.lineno, node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, "*"


def _calls(project: Project) -> Iterator[tuple[SourceFile, ast.Call, str]]:
    """Every call in the DAG files, with the called name (``f`` of ``f()`` and ``x.f()``)."""
    for src in _sources(project):
        if src.tree is None:
            continue
        for node in ast.walk(src.tree):
            if isinstance(node, ast.Call):
                name = (
                    node.func.id
                    if isinstance(node.func, ast.Name)
                    else getattr(node.func, "attr", "")
                )
                yield src, node, name


def dag_files_parse(project: Project, target: Target) -> Iterator[Finding]:
    """A DAG file that does not parse is an import error on every target."""
    for src in project.dags + project.plugins:
        if src.error:
            yield Finding(
                "PF200",
                Severity.ERROR,
                src.path,
                src.error_line,
                src.error,
                "fix the file so Python can parse it",
            )


def moved_imports(project: Project, target: Target) -> Iterator[Finding]:
    """Import paths that are gone on the target, with the path to use instead."""
    for src in project.dags + project.plugins:
        if src.tree is None:
            continue
        for line, module, name in _imports(src.tree):
            found = False
            for move in moves_for(module, name):
                if target.airflow >= Version(move.removed):
                    found = True
                    if move.new_module:
                        fix = f"from {move.new_module} import {move.new_name}"
                        if move.new_module.startswith(
                            "airflow.providers."
                        ) and not move.new_module.startswith("airflow.providers.standard"):
                            fix += f" (package apache-airflow-providers-{move.new_module.split('.')[2]})"
                    else:
                        fix = move.note
                    yield Finding(
                        "PF201",
                        Severity.ERROR,
                        src.path,
                        line,
                        f"`{module}.{name}` no longer exists on Airflow {target.airflow_version}",
                        fix,
                    )
                    break
            if not found:
                gone = module_gone(module)
                if gone and target.airflow >= Version(gone.removed):
                    yield Finding(
                        "PF201",
                        Severity.ERROR,
                        src.path,
                        line,
                        f"`{module}` no longer exists on Airflow {target.airflow_version}",
                        "import from the provider package that replaced it (see docs/preflight.md)",
                    )


_REMOVED_ARGS = (
    (
        "provide_context",
        V2,
        "drop it: Airflow 2 passes the context to callables that accept **kwargs",
    ),
    ("schedule_interval", V3, "use schedule=..."),
    ("concurrency", V3, "use max_active_tasks=..."),
    ("task_concurrency", V3, "use max_active_tis_per_dag=..."),
    ("sla", V3, "SLAs are removed in Airflow 3: use deadline alerts or a sensor with a timeout"),
    ("default_view", V3, "drop it: the Airflow 3 UI has no per-DAG default view"),
    ("orientation", V3, "drop it"),
    ("fail_stop", V3, "use fail_fast=..."),
)
_REMOVED_TEMPLATES = (
    ("execution_date", V3, "logical_date"),
    ("next_execution_date", V3, "data_interval_end"),
    ("prev_execution_date", V3, "prev_data_interval_start_success"),
    ("next_ds", V3, "data_interval_end | ds"),
    ("prev_ds", V3, "prev_data_interval_start_success | ds"),
    ("tomorrow_ds", V3, "macros.ds_add(ds, 1)"),
    ("yesterday_ds", V3, "macros.ds_add(ds, -1)"),
)


def removed_arguments(project: Project, target: Target) -> Iterator[Finding]:
    """Keyword arguments and template variables the target no longer accepts."""
    for src in _sources(project):
        if src.tree is None:
            continue
        for node in ast.walk(src.tree):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    for arg, since, fix in _REMOVED_ARGS:
                        if kw.arg == arg and target.airflow >= since:
                            yield Finding(
                                "PF202",
                                Severity.ERROR,
                                src.path,
                                kw.value.lineno,
                                f"`{arg}=` was removed in Airflow {since}",
                                fix,
                            )
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and "{{" in node.value
            ):
                for name, since, new in _REMOVED_TEMPLATES:
                    if target.airflow >= since and re.search(
                        r"\{\{[^}]*\b" + name + r"\b", node.value
                    ):
                        yield Finding(
                            "PF203",
                            Severity.ERROR,
                            src.path,
                            node.lineno,
                            f"template variable `{name}` was removed in Airflow {since}",
                            f"use `{new}`",
                        )
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                key = node.slice.value
                for name, since, new in _REMOVED_TEMPLATES:
                    if key == name and target.airflow >= since:
                        yield Finding(
                            "PF203",
                            Severity.ERROR,
                            src.path,
                            node.lineno,
                            f"context key `{name}` was removed in Airflow {since}",
                            f"use context['{new.split(' ')[0]}']",
                        )


def subdags_and_days_ago(project: Project, target: Target) -> Iterator[Finding]:
    """SubDagOperator and days_ago: deprecated in 2.x, gone in 3.0."""
    for src, node, name in _calls(project):
        if name == "SubDagOperator":
            severity = Severity.ERROR if target.airflow >= V3 else Severity.WARNING
            yield Finding(
                "PF204",
                severity,
                src.path,
                node.lineno,
                "SubDagOperator is "
                + ("removed" if severity is Severity.ERROR else "deprecated")
                + f" on Airflow {target.airflow_version}",
                "replace the sub-DAG with a TaskGroup (airflow.utils.task_group / airflow.sdk.TaskGroup)",
            )
        elif name == "days_ago":
            severity = Severity.ERROR if target.airflow >= V3 else Severity.WARNING
            yield Finding(
                "PF205",
                severity,
                src.path,
                node.lineno,
                "days_ago() makes start_date move every parse"
                + (" and is removed in Airflow 3" if severity is Severity.ERROR else ""),
                "use a fixed start_date: pendulum.datetime(2024, 1, 1, tz='UTC')",
            )


_PARSE_TIME_CALLS = {
    ("Variable", "get"): "Variable.get at parse time queries the metadata database on every parse",
    (
        "BaseHook",
        "get_connection",
    ): "get_connection at parse time queries the metadata database on every parse",
    ("settings", "Session"): "a database session at parse time",
    ("requests", "get"): "an HTTP request at parse time",
    ("requests", "post"): "an HTTP request at parse time",
    ("boto3", "client"): "an AWS client at parse time",
    ("time", "sleep"): "sleeping at parse time",
    ("pd", "read_csv"): "reading data at parse time",
    ("pandas", "read_csv"): "reading data at parse time",
}


def _top_level_nodes(tree: ast.Module) -> Iterator[ast.AST]:
    """Nodes executed when the module is imported (not inside def/lambda bodies)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def parse_time_work(project: Project, target: Target) -> Iterator[Finding]:
    """Top-level Variable/connection/database access and heavy work: runs on every DAG parse."""
    for src in _sources(project):
        if src.tree is None:
            continue
        for node in _top_level_nodes(src.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
            ):
                what = _PARSE_TIME_CALLS.get((node.func.value.id, node.func.attr))
                if what:
                    yield Finding(
                        "PF206",
                        Severity.WARNING,
                        src.path,
                        node.lineno,
                        f"{what} (the scheduler parses DAG files every 30 s or so; MWAA times out slow parses)",
                        "move it into the task (a callable or a template such as {{ var.value.name }})",
                    )


def livy_operators(project: Project, target: Target) -> Iterator[Finding]:
    """Livy batches: replace with EMR Spark Steps (generated from the Livy call)."""
    for src, node, name in _calls(project):
        if name in ("LivyOperator", "LivyHook", "LivyBatchOperator", "LivySensor"):
            yield Finding(
                "PF210",
                Severity.WARNING,
                src.path,
                node.lineno,
                f"{name}: Spark through Livy needs a Livy server on the cluster and a network path "
                "from the Airflow workers; EMR Spark Steps need neither",
                "replace it with EmrAddStepsOperator + EmrStepSensor (generated below)",
                replacement=livy_replacement(node, src.text) if name != "LivyHook" else None,
            )
