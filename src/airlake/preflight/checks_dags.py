"""Checks of DAG code, on the parsed source (never imported)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from packaging.version import Version

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.imports_index import Status, TargetImports, for_target, not_indexed_reason
from airlake.preflight.livy import livy_replacement
from airlake.preflight.markers import installed
from airlake.preflight.moves import current_home, moves_for
from airlake.preflight.project import Project, SourceFile
from airlake.preflight.provider_imports import installed_provider, provider_import_finding
from airlake.preflight.targets import Target, normalise

V2, V3 = Version("2.0.0"), Version("3.0.0")


def _sources(project: Project) -> list[SourceFile]:
    return project.dags


_IMPORT_GUARDS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _guarded(tree: ast.Module) -> set[int]:
    """Ids of import nodes that cannot break the file: inside ``try`` blocks that catch
    ImportError (or broader) and their fallback handlers, or under ``if TYPE_CHECKING:``."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        body: list[ast.stmt] = []
        if isinstance(node, ast.Try):
            caught: set[str] = set()
            for handler in node.handlers:
                kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                for kind in kinds:
                    name = getattr(kind, "id", None) or getattr(kind, "attr", None)
                    caught.add("BaseException" if kind is None else str(name))
            if caught & _IMPORT_GUARDS:
                # the fallbacks in the handlers run only when the guarded import failed
                body = [*node.body, *(stmt for h in node.handlers for stmt in h.body)]
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            body = node.body
        for stmt in body:
            guarded.update(id(n) for n in ast.walk(stmt))
    return guarded


def _imports(tree: ast.Module) -> Iterator[tuple[int, str, str]]:
    """(line, module, name) for every ``from m import n`` and ``import m`` that runs
    unguarded when the file is imported."""
    guarded = _guarded(tree)
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
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


def files_not_read(project: Project, target: Target) -> Iterator[Finding]:
    """DAG and plugin files (and plugins.zip) past preflight's reading limits: not analysed."""
    for unread in project.unread:
        yield Finding(
            "PF208",
            Severity.WARNING,
            unread.path,
            0,
            f"not analysed: {unread.reason}; nothing in it is checked",
            "check it by hand, or bring it within preflight's limits (split a large file; keep "
            "plugins.zip to what the workers need)",
        )


def _shipped_by_requirements(project: Project, target: Target, module: str) -> bool:
    """Whether the project's requirements install what ``module`` needs on the target (a
    provider package, or the top-level package an import error names): then the image alone
    cannot judge it. A line whose marker is false on the target installs nothing there."""
    names = {r.name for r in installed(project.requirements.requirements, target) if r.name}
    parts = module.split(".")
    if parts[:2] == ["airflow", "providers"] and len(parts) > 2:
        for depth in range(len(parts), 2, -1):
            if "apache-airflow-providers-" + "-".join(parts[2:depth]).replace("_", "-") in names:
                return True
        return False
    return normalise(parts[0]) in names


# Provider distributions named after two levels of their module path (apache-airflow-providers-
# apache-livy is ``airflow.providers.apache.livy``).
_PROVIDER_GROUPS = {"apache", "common", "microsoft", "cncf", "atlassian", "dbt"}


def _provider_package(module: str) -> str:
    parts = module.split(".")[2:]
    depth = 2 if parts and parts[0] in _PROVIDER_GROUPS and len(parts) > 1 else 1
    return "apache-airflow-providers-" + "-".join(parts[:depth]).replace("_", "-")


def _missing_package(detail: str) -> str | None:
    match = re.search(r"No module named '([^'.]+)", detail)
    return match.group(1) if match else None


def _suggestion(index: TargetImports, module: str, name: str) -> str:
    """Where ``name`` lives on the target: its current home (see :func:`moves.current_home`),
    else a known move's note, else the target's own modules that export the name."""
    home = current_home(index, module, name)
    if home:
        return home
    for move in moves_for(module, name if name != "*" else "*"):
        if move.new_module and move.new_name and move.new_name in index.names_of(move.new_module):
            return f"from {move.new_module} import {move.new_name}"
        if move.note and not move.new_module:
            return move.note
    if name != "*":
        places = index.where_is(name)
        if places:
            return f"from {places[0]} import {name}"
    return "find its current path in the target's Airflow / provider documentation"


def _deprecated_fix(index: TargetImports, module: str, name: str, replacement: str | None) -> str:
    home = current_home(index, module, name)
    if home:
        return home
    if not replacement:
        return "import it from the path the deprecation warning names"
    if name != "*" and name in index.names_of(replacement):
        return f"from {replacement} import {name}"
    head, _, tail = replacement.rpartition(".")
    if head and index.has_module(head) and tail in index.names_of(head):
        return f"from {head} import {tail}"
    return f"import from `{replacement}`"


def _import_finding(
    project: Project,
    target: Target,
    index: TargetImports,
    path: str,
    line: int,
    module: str,
    name: str,
) -> Finding | None:
    provided = installed_provider(project, target, module)
    if provided is not None:  # a provider release the requirements install, not the image's
        return provider_import_finding(provided, target, path, line, module, name)
    where = f"Airflow {target.airflow_version}" if target.kind == "airflow" else target.name
    what = f"`{module}`" if name == "*" else f"`{module}.{name}`"
    found = index.name(module, name)
    if found.status is Status.DEPRECATED:
        removal = f"; removed in Airflow {found.removed_in}" if found.removed_in else ""
        alias = f" of `{found.replacement}`" if found.replacement else ""
        return Finding(
            "PF201",
            Severity.WARNING,
            path,
            line,
            f"{what} is a deprecated alias{alias} on {where} (it still imports, with a "
            f"deprecation warning{removal})",
            _deprecated_fix(index, module, name, found.replacement),
        )
    if found.status is Status.NOT_SHIPPED:
        if target.kind == "airflow" or _shipped_by_requirements(project, target, module):
            return None
        package = _provider_package(module)
        return Finding(
            "PF201",
            Severity.ERROR,
            path,
            line,
            f"`{module}` is not installed on {where}: the image does not ship {package}",
            f"add {package} to requirements.txt (a version the target's constraints allow)",
        )
    if found.status is Status.BROKEN:
        missing = _missing_package(found.detail)
        if missing and _shipped_by_requirements(project, target, missing):
            return None
        return Finding(
            "PF201",
            Severity.ERROR,
            path,
            line,
            f"{what} exists on {where} but fails to import there: {found.detail}",
            f"add the package that provides `{missing}` to requirements.txt"
            if missing
            else "import it from a module that imports on the target",
        )
    if found.status is Status.NO_MODULE:
        return Finding(
            "PF201",
            Severity.ERROR,
            path,
            line,
            f"`{module}` does not exist on {where}",
            _suggestion(index, module, name),
        )
    if found.status is Status.NO_NAME:
        return Finding(
            "PF201",
            Severity.ERROR,
            path,
            line,
            f"`{module}` has no `{name}` on {where}",
            _suggestion(index, module, name),
        )
    return None


def moved_imports(project: Project, target: Target) -> Iterator[Finding]:
    """Airflow imports checked against the target's import index (generated from its real
    environment): gone or failing → error; a deprecated alias → warning with its replacement."""
    sources = [src for src in project.dags + project.plugins if src.tree is not None]
    if not sources:
        return
    index = for_target(target)
    if index is None:
        yield Finding(
            "PF209",
            Severity.INFO,
            "",
            0,
            f"imports not checked: no import index for Airflow {target.airflow_version} "
            f"({not_indexed_reason(target)})",
            "run with --install to import the DAG files in the target's real environment",
        )
        return
    for src in sources:
        assert src.tree is not None
        seen: set[tuple[int, str, str]] = set()
        for line, module, name in _imports(src.tree):
            if (line, module, name) in seen:
                continue
            seen.add((line, module, name))
            finding = _import_finding(project, target, index, src.path, line, module, name)
            if finding:
                yield finding


# How to replace an argument a target does not take (whether it takes it comes from the index's
# real signatures).
_ARG_FIXES = {
    "provide_context": "drop it: Airflow 2 passes the context to callables that accept **kwargs",
    "schedule_interval": "use schedule=...",
    "concurrency": "use max_active_tasks=...",
    "task_concurrency": "use max_active_tis_per_dag=...",
    "sla": "SLAs are removed in Airflow 3: use deadline alerts or a sensor with a timeout",
    "default_view": "drop it: the Airflow 3 UI has no per-DAG default view",
    "orientation": "drop it",
    "fail_stop": "use fail_fast=...",
}
_DAG_CLASSES = ("airflow.sdk.definitions.dag.DAG", "airflow.models.dag.DAG")
_OPERATOR_CLASSES = (
    "airflow.sdk.bases.operator.BaseOperator",
    "airflow.sdk.definitions.baseoperator.BaseOperator",
    "airflow.models.baseoperator.BaseOperator",
)
_PYTHON_OPERATORS = (
    "airflow.providers.standard.operators.python.PythonOperator",
    "airflow.operators.python.PythonOperator",
    "airflow.operators.python_operator.PythonOperator",
)


# subclasses of PythonOperator in every release (1.10 to the standard provider) that add no
# argument of the ones judged here: its __init__ decides
_PYTHON_OPERATOR_FAMILY = ("PythonOperator", "BranchPythonOperator", "ShortCircuitOperator")


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name → imported dotted path, for ``from m import n [as local]``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _signature_for(
    index: TargetImports, path: str, local: str
) -> tuple[str, dict[str, Any]] | None:
    """The recorded signature facts that govern a call of ``local`` (imported as ``path``)."""
    facts = index.signatures
    if path in facts:
        return path, facts[path]
    if local in ("DAG", "dag"):
        candidates: tuple[str, ...] = _DAG_CLASSES
    elif local in _PYTHON_OPERATOR_FAMILY:
        candidates = _PYTHON_OPERATORS
    elif local.endswith(("Operator", "Sensor")):
        candidates = _OPERATOR_CLASSES
    else:
        return None
    for name in candidates:
        if name in facts:
            return name, facts[name]
    return None


def _argument_findings(
    index: TargetImports, target: Target, path: str, call: ast.Call, local: str, dotted: str
) -> Iterator[Finding]:
    governed = _signature_for(index, dotted, local)
    if governed is None:
        return
    cls, facts = governed
    params, popped = set(facts["params"]), set(facts["popped"])
    strict_dag = local == "DAG" and not facts["var_kw"]
    where = target.name if target.kind == "mwaa" else f"Airflow {target.airflow_version}"
    for kw in call.keywords:
        if kw.arg is None or kw.arg in params:
            continue
        if kw.arg not in _ARG_FIXES and not strict_dag:
            continue  # an operator's own arguments: only its own code knows them
        fix = _ARG_FIXES.get(kw.arg, "remove it")
        if kw.arg in popped:
            yield Finding(
                "PF202",
                Severity.WARNING,
                path,
                kw.value.lineno,
                f"`{kw.arg}=` is deprecated for {local} on {where}: accepted and ignored, "
                "with a deprecation warning",
                fix,
            )
        elif local not in ("DAG", "dag") and target.airflow < V2:
            yield Finding(
                "PF202",
                Severity.WARNING,
                path,
                kw.value.lineno,
                f"`{kw.arg}=` is not an argument of {local} on {where}: Airflow 1.10 ignores "
                "it with a warning; Airflow 2 rejects it",
                fix,
            )
        else:
            yield Finding(
                "PF202",
                Severity.ERROR,
                path,
                kw.value.lineno,
                f"`{kw.arg}=` is not accepted by {local} on {where} ({cls})",
                fix,
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


# operator arguments removed in a release, which the operator's own signature rejects (the
# index records only the DAG / BaseOperator / PythonOperator signatures)
_REMOVED_OPERATOR_ARGUMENTS = {
    ("TriggerDagRunOperator", "python_callable"): (
        "2.0.0",
        "pass conf={...} instead, and decide whether to trigger upstream (a ShortCircuitOperator)",
    ),
}


def removed_arguments(project: Project, target: Target) -> Iterator[Finding]:
    """Keyword arguments the target's DAG / operator signatures do not take (from the index),
    and template variables the target no longer provides."""
    index = for_target(target)
    for src in _sources(project):
        if src.tree is None:
            continue
        imported = _imported_names(src.tree)
        for node in ast.walk(src.tree):
            if isinstance(node, ast.Call):
                local = node.func.id if isinstance(node.func, ast.Name) else ""
                dotted = imported.get(local, "")
                if (
                    isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "airflow"
                    and node.func.attr == "DAG"
                ):
                    local, dotted = "DAG", "airflow.DAG"  # import airflow; airflow.DAG(...)
                if index is not None and dotted.startswith("airflow"):
                    yield from _argument_findings(index, target, src.path, node, local, dotted)
                for kw in node.keywords:
                    removed = _REMOVED_OPERATOR_ARGUMENTS.get((local, kw.arg or ""))
                    if removed and target.airflow >= Version(removed[0]):
                        yield Finding(
                            "PF202",
                            Severity.ERROR,
                            src.path,
                            kw.value.lineno,
                            f"`{kw.arg}=` was removed from {local} in Airflow {removed[0]}: the "
                            "file fails to import (Invalid arguments were passed)",
                            removed[1],
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
