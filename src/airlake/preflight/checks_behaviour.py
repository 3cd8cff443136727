"""Airflow 3 behaviour changes that are no import error: a DAG that still parses but runs
differently (or fails at run time) on the target.

Judged from the target's own Airflow version and, where the index has it, its real signatures
and modules; never from the Airflow this project is locked to. The facts each check rests on,
read off the releases (``airflow/config_templates/config.yml``, ``airflow.models.dag`` of
2.11.2, ``airflow.sdk.definitions.dag`` and ``.context`` of 3.0.6):

- ``[scheduler] catchup_by_default``: ``True`` up to 2.x, ``False`` from 3.0.
- a DAG without a schedule: ``timedelta(days=1)`` (``DEFAULT_SCHEDULE_INTERVAL``) up to 2.x,
  ``None`` (never scheduled) from 3.0.
- context keys: 2.11.2's ``KNOWN_CONTEXT_KEYS`` minus 3.0.6's ``Context`` keys (below).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache, lru_cache

from packaging.version import Version

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.imports_index import Status, TargetImports, for_target
from airlake.preflight.project import Project, SourceFile
from airlake.preflight.targets import Target, known_targets

V3 = Version("3.0.0")
SCHEDULE_RENAMED = Version("2.4.0")  # schedule= added, schedule_interval= deprecated

# context keys Airflow 3.0 removed, with what replaces each (a template expression)
REMOVED_CONTEXT = {
    "conf": "airflow.configuration.conf, imported in the callable",
    "execution_date": "logical_date",
    "next_ds": "data_interval_end | ds",
    "next_ds_nodash": "data_interval_end | ds_nodash",
    "next_execution_date": "data_interval_end",
    "prev_ds": "prev_data_interval_start_success | ds",
    "prev_ds_nodash": "prev_data_interval_start_success | ds_nodash",
    "prev_execution_date": "prev_data_interval_start_success",
    "prev_execution_date_success": "prev_data_interval_start_success",
    "tomorrow_ds": "macros.ds_add(ds, 1)",
    "tomorrow_ds_nodash": "macros.ds_add(ds, 1) | replace('-', '')",
    "yesterday_ds": "macros.ds_add(ds, -1)",
    "yesterday_ds_nodash": "macros.ds_add(ds, -1) | replace('-', '')",
    "triggering_dataset_events": "triggering_asset_events",
}
# the keys PF203 (checks_dags) already reports in templates and subscripts
_PF203_KEYS = {
    "execution_date",
    "next_execution_date",
    "prev_execution_date",
    "next_ds",
    "prev_ds",
    "tomorrow_ds",
    "yesterday_ds",
}
# accepted by 3.x's BaseOperator, and without effect: the SLA feature is gone
_INERT_IN_3 = {"sla": "SLAs are removed in Airflow 3: use deadline alerts, or a sensor timeout"}
_BASE_OPERATORS = (
    "airflow.sdk.bases.operator.BaseOperator",
    "airflow.models.baseoperator.BaseOperator",
)


def _where(target: Target) -> str:
    return target.name if target.kind == "mwaa" else f"Airflow {target.airflow_version}"


@lru_cache(maxsize=512)
def _nodes(tree: ast.Module) -> tuple[ast.AST, ...]:
    """Every node of a file's tree, walked once for all the checks here (a walk costs more
    than the checks' own work)."""
    return tuple(ast.walk(tree))


def _airflow_names(tree: ast.Module) -> dict[str, str]:
    """Local name → dotted path, for names imported from airflow."""
    names: dict[str, str] = {}
    for node in _nodes(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "airflow" or node.module.startswith("airflow."):
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "airflow" or alias.name.startswith("airflow."):
                    names[alias.asname or alias.name.split(".")[0]] = alias.name
    return names


def _dag_definitions(src: SourceFile) -> Iterator[tuple[int, list[ast.keyword] | None]]:
    yield from _dag_definitions_of(src.tree)


@lru_cache(maxsize=512)
def _dag_definitions_of(
    tree: ast.Module | None,
) -> tuple[tuple[int, list[ast.keyword] | None], ...]:
    return tuple(_find_dag_definitions(tree))


def _find_dag_definitions(
    tree: ast.Module | None,
) -> Iterator[tuple[int, list[ast.keyword] | None]]:
    """(line, keywords) of every DAG the file defines through Airflow's ``DAG(...)`` or
    ``@dag(...)``; keywords None for a bare ``@dag``. A call with ``**kwargs`` is left out:
    what it passes is not known here."""
    assert tree is not None
    imported = _airflow_names(tree)
    for node in _nodes(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and imported.get(func.id, "").endswith((".DAG", ".dag")):
                pass
            elif isinstance(func, ast.Attribute) and func.attr == "DAG":
                root = func.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if not (isinstance(root, ast.Name) and root.id in imported):
                    continue
            else:
                continue
            if any(kw.arg is None for kw in node.keywords):
                continue
            yield node.lineno, node.keywords
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Name) and imported.get(decorator.id, "").endswith(
                    ".dag"
                ):
                    yield decorator.lineno, None


def _sources(project: Project) -> Iterator[SourceFile]:
    return (src for src in project.dags if src.tree is not None)


def catchup_default(project: Project, target: Target) -> Iterator[Finding]:
    """A DAG that sets no ``catchup``: Airflow 3 no longer runs the intervals missed since
    ``start_date`` (``catchup_by_default`` turned False)."""
    if target.airflow < V3:
        return
    for src in _sources(project):
        for line, keywords in _dag_definitions(src):
            if keywords is not None and any(kw.arg == "catchup" for kw in keywords):
                continue
            yield Finding(
                "PF220",
                Severity.WARNING,
                src.path,
                line,
                f"this DAG sets no `catchup`: on {_where(target)} it does not catch up "
                "(catchup_by_default is False since Airflow 3.0; it was True), so the runs "
                "missed since start_date are no longer made",
                "add catchup=True to keep the Airflow 2 behaviour (or catchup=False to say so)",
            )


def schedule_default(project: Project, target: Target) -> Iterator[Finding]:
    """A DAG without a schedule ran daily up to Airflow 2; on Airflow 3 it is never scheduled."""
    if target.airflow < V3:
        return
    given = {"schedule", "schedule_interval", "timetable"}
    for src in _sources(project):
        for line, keywords in _dag_definitions(src):
            if keywords is not None and any(kw.arg in given for kw in keywords):
                continue
            yield Finding(
                "PF221",
                Severity.WARNING,
                src.path,
                line,
                f"this DAG gives no schedule: on {_where(target)} it runs only when triggered "
                "(the default is None since Airflow 3.0; up to 2.x it ran daily)",
                "add schedule=datetime.timedelta(days=1) to keep the Airflow 2 default "
                "(or schedule=None to say so)",
            )


def schedule_interval_renamed(project: Project, target: Target) -> Iterator[Finding]:
    """``schedule_interval=`` on Airflow 2.4–2.x: deprecated for ``schedule=`` (an error on 3.x,
    where PF202 reports it from the real signature)."""
    if not SCHEDULE_RENAMED <= target.airflow < V3:
        return
    for src in _sources(project):
        for _, keywords in _dag_definitions(src):
            for kw in keywords or ():
                if kw.arg == "schedule_interval":
                    yield Finding(
                        "PF222",
                        Severity.WARNING,
                        src.path,
                        kw.value.lineno,
                        f"`schedule_interval=` is deprecated on {_where(target)} and removed in "
                        "Airflow 3.0",
                        "rename it to schedule= (same value)",
                    )


def _callables(tree: ast.Module) -> set[str]:
    """Names of the functions Airflow calls with the context: passed as ``python_callable=``
    or decorated with ``@task`` (any ``task...`` decorator)."""
    names: set[str] = set()
    for node in _nodes(tree):
        if isinstance(node, ast.keyword) and node.arg == "python_callable":
            if isinstance(node.value, ast.Name):
                names.add(node.value.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if ast.unparse(decorator).startswith(("task", "airflow.decorators.task")):
                    names.add(node.name)
    return names


_TEMPLATE_KEY = re.compile(r"\{\{[^}]*?(?<![.\w])(" + "|".join(REMOVED_CONTEXT) + r")\b")


def removed_context_keys(project: Project, target: Target) -> Iterator[Finding]:
    """Context keys Airflow 3 removed, asked for by a callable's parameter, ``.get()``, or (for
    the keys PF203 does not cover) a template or a subscript."""
    if target.airflow < V3:
        return

    def finding(path: str, line: int, key: str, how: str) -> Finding:
        return Finding(
            "PF223",
            Severity.ERROR,
            path,
            line,
            f"{how} `{key}`, a context key removed in Airflow 3.0 ({_where(target)} does not "
            "provide it)",
            f"use {REMOVED_CONTEXT[key]}",
        )

    for src in _sources(project):
        assert src.tree is not None
        callables = _callables(src.tree)
        for node in _nodes(src.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in callables:
                for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
                    if arg.arg in REMOVED_CONTEXT:
                        yield finding(src.path, arg.lineno, arg.arg, "the callable asks for")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in REMOVED_CONTEXT
                and node.args[0].value != "conf"  # dag_run.conf.get("conf") is the user's own
            ):
                yield finding(src.path, node.lineno, str(node.args[0].value), ".get() asks for")
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.slice, ast.Constant)
                and node.slice.value in REMOVED_CONTEXT
                and node.slice.value not in _PF203_KEYS
                and node.slice.value != "conf"
            ):
                yield finding(src.path, node.lineno, str(node.slice.value), "the code reads")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                for match in _TEMPLATE_KEY.finditer(node.value):
                    if match.group(1) not in _PF203_KEYS:
                        yield finding(src.path, node.lineno, match.group(1), "a template uses")


def dummy_operator(project: Project, target: Target) -> Iterator[Finding]:
    """``DummyOperator``: deprecated for ``EmptyOperator`` (2.4), removed in 3.0; judged from
    the target's import index, the fix from where the target defines EmptyOperator."""
    index = for_target(target)
    if index is None:
        return
    verdict = index.name("airflow.operators.dummy", "DummyOperator").status
    if verdict in (Status.OK, Status.UNKNOWN):
        return
    removed = verdict is not Status.DEPRECATED
    homes = index.where_is("EmptyOperator")
    fix = (
        f"use EmptyOperator (from {homes[0]} import EmptyOperator): same behaviour"
        if homes
        else "use EmptyOperator"
    )
    for src in _sources(project):
        assert src.tree is not None
        # the names DummyOperator itself is bound to here (an EmptyOperator imported under the
        # old name, as a migration may do, is not DummyOperator)
        bound = {
            alias.asname or alias.name
            for node in _nodes(src.tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
            if alias.name == "DummyOperator"
        }
        for node in _nodes(src.tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = (
                    func.id in bound
                    if isinstance(func, ast.Name)
                    else getattr(func, "attr", "") == "DummyOperator"
                )
                if called:
                    yield Finding(
                        "PF224",
                        Severity.ERROR if removed else Severity.WARNING,
                        src.path,
                        node.lineno,
                        "DummyOperator is "
                        + ("removed" if removed else "deprecated")
                        + f" on {_where(target)}",
                        fix,
                    )


def _base_params(index: TargetImports) -> set[str] | None:
    for name in _BASE_OPERATORS:
        if name in index.signatures:
            return set(index.signatures[name]["params"])
    return None


def _earlier_base_params(target: Target) -> frozenset[str]:
    """Every BaseOperator argument of the indexed targets older than ``target``."""
    return _base_params_before(target.airflow_version)


@cache
def _base_params_before(version: str) -> frozenset[str]:
    known: set[str] = set()
    for name in known_targets():
        # the index is keyed by the MWAA name; loading each target's data would cost more
        older = name.removeprefix("mwaa-")
        if not name.startswith("mwaa-") or Version(older) >= Version(version):
            continue
        index = for_target(Target(name, "mwaa", older, ""))
        params = _base_params(index) if index else None
        known |= params or set()
    return frozenset(known)


def _default_args(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, key) of every key of a ``default_args`` dict literal (assigned, or passed)."""
    for node in _nodes(tree):
        value: ast.expr | None = None
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "default_args" for t in node.targets)
        ) or (isinstance(node, ast.keyword) and node.arg == "default_args"):
            value = node.value
        if isinstance(value, ast.Dict):
            for key in value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield key.lineno, key.value
        elif (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "dict"
        ):
            for kw in value.keywords:
                if kw.arg:
                    yield kw.value.lineno, kw.arg


def ignored_default_args(project: Project, target: Target) -> Iterator[Finding]:
    """``default_args`` entries the target's operators no longer take (a BaseOperator argument
    of an older release that the target's BaseOperator lacks, from the index's signatures), or
    take without effect: silently ignored, the setting is lost."""
    index = for_target(target)
    params = _base_params(index) if index else None
    if params is None:
        return
    dropped = _earlier_base_params(target) - params - {"args", "context"}
    for src in _sources(project):
        assert src.tree is not None
        for line, key in _default_args(src.tree):
            if key in dropped:
                why = "no operator on it takes it any more"
                fix = "drop it, or set what replaced it"
            elif key in _INERT_IN_3 and target.airflow >= V3:
                why = "accepted, and without effect"
                fix = _INERT_IN_3[key]
            else:
                continue
            yield Finding(
                "PF225",
                Severity.WARNING,
                src.path,
                line,
                f"default_args entry `{key}` is ignored on {_where(target)}: {why}",
                fix,
            )
