"""The per-database SQL operators (``PostgresOperator``, ``MySqlOperator``, ...) replaced by the
common SQL provider's ``SQLExecuteQueryOperator`` (pure: what the rewrite may do, judged from
the target's import index and a call's arguments; :mod:`migrate_code` applies it).

The replacement is made only where it keeps the DAG's meaning: the old import does not work on
the target (gone, failing, or a deprecated alias with no working home for the class),
``SQLExecuteQueryOperator`` imports there (or its provider is one the target's constraints pin,
which the migration then adds), and every argument of the call is one ``SQLExecuteQueryOperator``
or ``BaseOperator`` takes once ``<db>_conn_id=`` is renamed ``conn_id=``. A call with any other
argument (``runtime_parameters=``, Snowflake's ``warehouse=``, ...) is left for a person.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst

from airlake.preflight.checks_dags import _provider_package, _signature_for
from airlake.preflight.imports_index import Status, TargetImports
from airlake.preflight.moves import SQL_CLASS, SQL_HOME, SQL_OPERATORS
from airlake.preflight.targets import Target

# SQLExecuteQueryOperator's own arguments (and BaseSQLOperator's) since common-sql 1.3, the
# release that introduced it; anything else must be a BaseOperator argument
SQL_ARGUMENTS = frozenset(
    {
        "sql",
        "autocommit",
        "parameters",
        "handler",
        "conn_id",
        "database",
        "split_statements",
        "return_last",
        "hook_params",
    }
)

# the provider whose hook SQLExecuteQueryOperator reaches through the connection's type
DATABASE_PROVIDERS = {
    "PostgresOperator": "airflow.providers.postgres",
    "MySqlOperator": "airflow.providers.mysql",
    "SqliteOperator": "airflow.providers.sqlite",
    "MsSqlOperator": "airflow.providers.microsoft.mssql",
    "OracleOperator": "airflow.providers.oracle",
    "SnowflakeOperator": "airflow.providers.snowflake",
    "TrinoOperator": "airflow.providers.trino",
    "JdbcOperator": "airflow.providers.jdbc",
    "VerticaOperator": "airflow.providers.vertica",
    "ExasolOperator": "airflow.providers.exasol",
}

_NOT_WORKING = (Status.NO_MODULE, Status.NO_NAME, Status.BROKEN, Status.DEPRECATED)


def sql_connection_argument(
    index: TargetImports | None, target: Target, module: str, name: str
) -> str | None:
    """The connection argument (``postgres_conn_id``) of ``from module import name`` when the
    migration replaces that import by ``SQLExecuteQueryOperator`` on ``target``; None when it
    does not (not one of Airflow's SQL operators, the import works, a move keeps the class, or
    the target has no ``SQLExecuteQueryOperator``)."""
    # migrate_code applies this module's rewrite and owns the import moves it defers to
    from airlake.preflight.migrate_code import rewrite_path

    conn = SQL_OPERATORS.get(name)
    if conn is None or index is None or not module.startswith("airflow."):
        return None
    if index.name(module, name).status not in _NOT_WORKING:
        return None
    if rewrite_path(index, target, module, name) is not None:
        return None  # the class still has a working home: the import moves, the calls stay
    home = index.name(SQL_HOME, SQL_CLASS).status
    if home is Status.OK:
        return conn
    if home is Status.NOT_SHIPPED and _provider_package(SQL_HOME) in target.constraints:
        return conn  # the migration adds the provider the target's constraints pin
    return None


def accepted_arguments(index: TargetImports | None) -> frozenset[str]:
    """What a ``SQLExecuteQueryOperator(...)`` call may pass on the target: its own arguments
    and the target's ``BaseOperator`` ones (from the index's recorded signature)."""
    governed = _signature_for(index, "", SQL_CLASS) if index is not None else None
    base = frozenset(governed[1]["params"]) if governed else frozenset()
    return SQL_ARGUMENTS | base


def blocker(
    keywords: Sequence[str | None], positional: int, conn: str, accepted: frozenset[str]
) -> str | None:
    """Why a call of the old operator cannot become ``SQLExecuteQueryOperator(...)`` with
    ``conn_id=`` (``keywords``: its keyword names, None for ``**mapping``), or None when it can."""
    if positional:
        return "positional arguments (SQLExecuteQueryOperator takes keywords only)"
    if None in keywords:
        return "a `**mapping` of arguments (which ones it holds is not known here)"
    if conn in keywords and "conn_id" in keywords:
        return f"both `{conn}=` and `conn_id=`"
    unknown = [k for k in keywords if k is not None and k != conn and k not in accepted]
    if unknown:
        shown = ", ".join(f"`{k}=`" for k in unknown)
        return f"{shown}, which SQLExecuteQueryOperator does not take"
    return None


def database_provider_missing(index: TargetImports | None, name: str) -> str | None:
    """The provider distribution the connection's hook needs when the target's image does not
    ship it (``SQLExecuteQueryOperator`` finds the hook by the connection's type at run time)."""
    root = DATABASE_PROVIDERS.get(name)
    if index is None or root is None or index.module(root).status is not Status.NOT_SHIPPED:
        return None
    return _provider_package(root)


def sql_import_rewritten(
    tree: ast.Module, index: TargetImports | None, target: Target, module: str, name: str
) -> bool:
    """Whether the migration replaces ``from module import name`` in this file (``tree``): the
    import qualifies and every use of its local name is a call it can rewrite."""
    conn = sql_connection_argument(index, target, module, name)
    if conn is None:
        return False
    accepted = accepted_arguments(index)
    locals_ = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0
        for alias in node.names
        if alias.name == name
    }
    calls = {
        id(node.func)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in locals_
        and blocker([k.arg for k in node.keywords], len(node.args), conn, accepted) is None
    }
    return all(
        id(node) in calls
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id in locals_
    )


def sql_locals(
    tree: ast.Module, index: TargetImports | None, target: Target
) -> dict[str, tuple[str, str, str]]:
    """Local names the file binds to an import the migration replaces: local → (module, class,
    connection argument)."""
    found: dict[str, tuple[str, str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                conn = sql_connection_argument(index, target, node.module, alias.name)
                if conn is not None:
                    found[alias.asname or alias.name] = (node.module, alias.name, conn)
    return found


def sql_call(
    call: cst.Call, local: str, name: str, conn: str, accepted: frozenset[str]
) -> tuple[cst.Call | None, tuple[str, ...]]:
    """A call of the old operator (bound to ``local``) as ``SQLExecuteQueryOperator(...)``
    with ``conn_id=``, and the change made; or None, with what a person must decide and why."""
    keywords = [
        a.keyword.value if a.keyword else None
        for a in call.args
        if a.keyword is not None or a.star == "**"
    ]
    positional = sum(1 for a in call.args if a.keyword is None and a.star != "**")
    why = blocker(keywords, positional, conn, accepted)
    if why:
        return None, (
            f"{name}(...) kept as written: it passes {why}",
            f"rewrite it as {SQL_CLASS}(conn_id=...) (connection settings go in hook_params=), "
            f"then import {SQL_CLASS} from {SQL_HOME} in place of {name}",
        )
    args = [
        a.with_changes(keyword=cst.Name("conn_id"))
        if a.keyword is not None and a.keyword.value == conn
        else a
        for a in call.args
    ]
    renamed = f", `{conn}=` → `conn_id=`" if conn in keywords else ""
    change = f"`{local}(...)` → `{SQL_CLASS}(...)`{renamed}"
    return call.with_changes(func=cst.Name(SQL_CLASS), args=args), (change,)
