"""Where a name went when its import path moved between Airflow 1.10, 2.x and 3.x (data).

Not a verdict: whether an import works on a target comes from the import index generated from
the target's real environment (``imports_index``). This table supplies the rewrite for ``--fix``
and the suggested path of a PF201 finding, used only when the index confirms that the new path
exists on the target.

Each entry: old module, old name, new module, new name, the Airflow version in which the old path
stops working (``removed``), and the version from which the new one exists (``since``).
Sources: Airflow's "Upgrading to Airflow 2" backport-provider tables and `airflow upgrade_check`
rules; "Upgrading to Airflow 3" (airflow.providers.standard, airflow.sdk) and ruff's AIR301/AIR302
rules, which encode the same moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airlake.preflight.imports_index import TargetImports


@dataclass(frozen=True, slots=True)
class Move:
    old_module: str
    old_name: str
    new_module: str | None
    new_name: str | None
    removed: str
    since: str = "2.0.0"
    note: str = ""


_AWS = "airflow.providers.amazon.aws"
APPLY_DEFAULTS_NOTE = (
    "drop it (the import and every @apply_defaults): since Airflow 2.0 BaseOperator applies "
    "default_args itself"
)
_STD = "airflow.providers.standard"

MOVES: tuple[Move, ...] = (
    # 1.10 contrib and renamed core modules, gone in 2.0
    Move(
        "airflow.contrib.operators.emr_add_steps_operator",
        "EmrAddStepsOperator",
        f"{_AWS}.operators.emr",
        "EmrAddStepsOperator",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.operators.emr_create_job_flow_operator",
        "EmrCreateJobFlowOperator",
        f"{_AWS}.operators.emr",
        "EmrCreateJobFlowOperator",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.operators.emr_terminate_job_flow_operator",
        "EmrTerminateJobFlowOperator",
        f"{_AWS}.operators.emr",
        "EmrTerminateJobFlowOperator",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.sensors.emr_step_sensor",
        "EmrStepSensor",
        f"{_AWS}.sensors.emr",
        "EmrStepSensor",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.operators.aws_athena_operator",
        "AWSAthenaOperator",
        f"{_AWS}.operators.athena",
        "AthenaOperator",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.hooks.aws_hook",
        "AwsHook",
        f"{_AWS}.hooks.base_aws",
        "AwsBaseHook",
        "2.0.0",
    ),
    Move("airflow.hooks.S3_hook", "S3Hook", f"{_AWS}.hooks.s3", "S3Hook", "2.0.0"),
    Move(
        "airflow.contrib.operators.ssh_operator",
        "SSHOperator",
        "airflow.providers.ssh.operators.ssh",
        "SSHOperator",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.hooks.ssh_hook",
        "SSHHook",
        "airflow.providers.ssh.hooks.ssh",
        "SSHHook",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.operators.spark_submit_operator",
        "SparkSubmitOperator",
        "airflow.providers.apache.spark.operators.spark_submit",
        "SparkSubmitOperator",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.hooks.slack_webhook_hook",
        "SlackWebhookHook",
        "airflow.providers.slack.hooks.slack_webhook",
        "SlackWebhookHook",
        "2.0.0",
    ),
    Move(
        "airflow.operators.bash_operator",
        "BashOperator",
        "airflow.operators.bash",
        "BashOperator",
        "2.0.0",
    ),
    Move(
        "airflow.operators.python_operator",
        "PythonOperator",
        "airflow.operators.python",
        "PythonOperator",
        "2.0.0",
    ),
    Move(
        "airflow.operators.python_operator",
        "BranchPythonOperator",
        "airflow.operators.python",
        "BranchPythonOperator",
        "2.0.0",
    ),
    Move(
        "airflow.operators.python_operator",
        "ShortCircuitOperator",
        "airflow.operators.python",
        "ShortCircuitOperator",
        "2.0.0",
    ),
    Move(
        "airflow.operators.dummy_operator",
        "DummyOperator",
        "airflow.operators.dummy",
        "DummyOperator",
        "2.0.0",
    ),
    Move(
        "airflow.operators.subdag_operator",
        "SubDagOperator",
        "airflow.operators.subdag",
        "SubDagOperator",
        "2.0.0",
    ),
    Move(
        "airflow.sensors.external_task_sensor",
        "ExternalTaskSensor",
        "airflow.sensors.external_task",
        "ExternalTaskSensor",
        "2.0.0",
    ),
    Move(
        "airflow.operators.dagrun_operator",
        "TriggerDagRunOperator",
        "airflow.operators.trigger_dagrun",
        "TriggerDagRunOperator",
        "2.0.0",
    ),
    Move(
        "airflow.contrib.operators.kubernetes_pod_operator",
        "KubernetesPodOperator",
        "airflow.providers.cncf.kubernetes.operators.kubernetes_pod",
        "KubernetesPodOperator",
        "2.0.0",
    ),
    # core operators moved to the standard provider in 3.0; the SDK replaces models
    Move(
        "airflow.operators.bash",
        "BashOperator",
        f"{_STD}.operators.bash",
        "BashOperator",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.operators.python",
        "PythonOperator",
        f"{_STD}.operators.python",
        "PythonOperator",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.operators.python",
        "BranchPythonOperator",
        f"{_STD}.operators.python",
        "BranchPythonOperator",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.operators.python",
        "ShortCircuitOperator",
        f"{_STD}.operators.python",
        "ShortCircuitOperator",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.operators.python",
        "PythonVirtualenvOperator",
        f"{_STD}.operators.python",
        "PythonVirtualenvOperator",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.operators.empty",
        "EmptyOperator",
        f"{_STD}.operators.empty",
        "EmptyOperator",
        "3.0.0",
        "2.9.0",
    ),
    # DummyOperator became EmptyOperator in 2.3 (the old name a deprecated alias until 3.0)
    Move(
        "airflow.operators.dummy",
        "DummyOperator",
        "airflow.operators.empty",
        "EmptyOperator",
        "3.0.0",
        "2.3.0",
    ),
    Move(
        "airflow.operators.dummy_operator",
        "DummyOperator",
        "airflow.operators.empty",
        "EmptyOperator",
        "3.0.0",
        "2.3.0",
    ),
    Move(
        "airflow.operators.dummy",
        "DummyOperator",
        f"{_STD}.operators.empty",
        "EmptyOperator",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.operators.trigger_dagrun",
        "TriggerDagRunOperator",
        f"{_STD}.operators.trigger_dagrun",
        "TriggerDagRunOperator",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.sensors.external_task",
        "ExternalTaskSensor",
        f"{_STD}.sensors.external_task",
        "ExternalTaskSensor",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.sensors.filesystem",
        "FileSensor",
        f"{_STD}.sensors.filesystem",
        "FileSensor",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.sensors.time_delta",
        "TimeDeltaSensor",
        f"{_STD}.sensors.time_delta",
        "TimeDeltaSensor",
        "3.0.0",
        "2.9.0",
    ),
    Move(
        "airflow.operators.subdag",
        "SubDagOperator",
        None,
        None,
        "3.0.0",
        note="SubDAGs are gone: use a TaskGroup",
    ),
    Move(
        "airflow.utils.dates",
        "days_ago",
        None,
        None,
        "3.0.0",
        note="use pendulum.datetime(...) or datetime(...) with tzinfo",
    ),
    Move("airflow.datasets", "Dataset", "airflow.sdk", "Asset", "3.0.0", "3.0.0"),
    # SimpleHttpOperator: renamed HttpOperator in the HTTP provider (same arguments)
    Move(
        "airflow.operators.http_operator",
        "SimpleHttpOperator",
        "airflow.providers.http.operators.http",
        "SimpleHttpOperator",
        "2.0.0",
    ),
    Move(
        "airflow.providers.http.operators.http",
        "SimpleHttpOperator",
        "airflow.providers.http.operators.http",
        "HttpOperator",
        "3.0.0",
        "2.8.0",
    ),
    # base classes: 1.10 module names, then the task SDK on 3.x
    Move("airflow.hooks.base_hook", "BaseHook", "airflow.hooks.base", "BaseHook", "3.0.0"),
    Move("airflow.hooks.base", "BaseHook", "airflow.sdk", "BaseHook", "3.0.0", "3.0.0"),
    Move(
        "airflow.sensors.base_sensor_operator",
        "BaseSensorOperator",
        "airflow.sensors.base",
        "BaseSensorOperator",
        "3.0.0",
    ),
    Move(
        "airflow.sensors.base",
        "BaseSensorOperator",
        "airflow.sdk",
        "BaseSensorOperator",
        "3.0.0",
        "3.0.0",
    ),
    Move("airflow.models", "BaseOperator", "airflow.sdk", "BaseOperator", "3.0.0", "3.0.0"),
    Move(
        "airflow.models.baseoperator",
        "BaseOperator",
        "airflow.sdk",
        "BaseOperator",
        "3.0.0",
        "3.0.0",
    ),
    Move(
        "airflow.utils.decorators",
        "apply_defaults",
        None,
        None,
        "3.0.0",
        note=APPLY_DEFAULTS_NOTE,
    ),
)
"""Old → new import paths."""


def moves_for(module: str, name: str) -> list[Move]:
    return [m for m in MOVES if m.old_module == module and m.old_name == name]


def _nearness(module: str, wanted: str) -> tuple[int, bool, int, int, str]:
    shared = 0
    for a, b in zip(module.split("."), wanted.split("."), strict=False):
        if a != b:
            break
        shared += 1
    last_differs = module.rsplit(".", 1)[-1] != wanted.rsplit(".", 1)[-1]
    return (-shared, last_differs, module.count("."), len(module), module)


# modules that re-export classes for their own use, never a class's home
_NOT_HOMES = (
    "airflow.www",
    "airflow.api",
    "airflow.cli",
    "airflow.models",
    "airflow.serialization",
    "airflow.utils",
    "airflow.example_dags",
    "airflow.jobs",
    "airflow.dag_processing",
    "airflow.executors",
    "airflow.providers.common.compat",
)
_KINDS = (("Hook", ".hooks."), ("Sensor", ".sensors."), ("Operator", ".operators."))


def _home_by_kind(index: TargetImports, module: str, name: str) -> str | None:
    """For a hook, sensor or operator whose old path is gone and no move is recorded (1.10's
    ``airflow.hooks.postgres_hook``, ``from airflow.operators import PythonOperator``): the
    target's module of that kind that exports the name, nearest the old path."""
    kind = next((folder for suffix, folder in _KINDS if name.endswith(suffix)), None)
    if kind is None:
        return None
    places = [
        m
        for m in index.where_is(name)
        if not m.startswith(_NOT_HOMES)
        and (kind in m + "." or (kind == ".operators." and ".transfers." in m + "."))
    ]
    return min(places, key=lambda m: _nearness(m, module)) if places else None


def destination(
    index: TargetImports, module: str, name: str, _depth: int = 0
) -> tuple[str, str] | None:
    """Where ``from module import name`` should point on a target, confirmed by its import index:
    a known move's new path when it imports there without a warning (moves chain: 1.10 → 2.x →
    3.x), else the target's module that exports the new name, the one nearest the move's new
    path first. None: no known move, or the name is nowhere on the target."""
    from airlake.preflight.imports_index import Status

    found = index.name(module, name)
    for move in moves_for(module, name):
        if not move.new_module:
            continue
        new_name = move.new_name or name
        if index.name(move.new_module, new_name).status is Status.OK:
            return move.new_module, new_name
        if _depth < 3:
            onward = destination(index, move.new_module, new_name, _depth + 1)
            if onward is not None:
                return onward
        places = index.where_is(new_name)
        if places:
            wanted = move.new_module
            return min(places, key=lambda m: _nearness(m, wanted)), new_name
    if (
        found.status in (Status.NO_MODULE, Status.NO_NAME)
        and _depth == 0
        and not moves_for(module, name)
    ):
        home = _home_by_kind(index, module, name)
        if home is not None:
            return home, name
    if found.status is Status.DEPRECATED and found.replacement and _depth == 0:
        # no known move: the path the target's own deprecation warning names, when it
        # imports cleanly there
        head, _, tail = found.replacement.rpartition(".")
        for new_module, new_name in ((found.replacement, name), (head, tail)):
            if new_module and index.name(new_module, new_name).status is Status.OK:
                return new_module, new_name
    return None


def current_home(index: TargetImports, module: str, name: str) -> str | None:
    """The fix for an import that is gone or deprecated on a target: the statement that imports
    the name from its current, non-deprecated home there (moves followed to their end: 1.10 →
    2.x → the standard provider on 3.x; a renamed class keeps its local name with ``as``), or
    what to do instead when the name has no successor (``apply_defaults``: drop it). None when
    neither the moves nor the target's deprecation warning know."""
    if name == "*":
        return None
    found = destination(index, module, name)
    if found is not None:
        new_module, new_name = found
        if new_name != name:
            return f"from {new_module} import {new_name} (the new name of {name})"
        return f"from {new_module} import {name}"
    for move in moves_for(module, name):
        if move.note and not move.new_module:
            return move.note
    return sql_successor(index, module, name)


SQL_OPERATORS = {
    "PostgresOperator": "postgres_conn_id",
    "MySqlOperator": "mysql_conn_id",
    "SqliteOperator": "sqlite_conn_id",
    "MsSqlOperator": "mssql_conn_id",
    "OracleOperator": "oracle_conn_id",
    "SnowflakeOperator": "snowflake_conn_id",
    "TrinoOperator": "trino_conn_id",
    "JdbcOperator": "jdbc_conn_id",
    "VerticaOperator": "vertica_conn_id",
    "ExasolOperator": "exasol_conn_id",
}
"""The database providers' own SQL operators, deprecated for and then removed in favour of the
common SQL provider's ``SQLExecuteQueryOperator`` (postgres 6.0, mysql 6.0, sqlite 4.0, ...),
with the connection argument each one took."""

SQL_HOME = "airflow.providers.common.sql.operators.sql"
SQL_CLASS = "SQLExecuteQueryOperator"


def sql_successor(index: TargetImports, module: str, name: str) -> str | None:
    """What replaces one of Airflow's own per-database SQL operators (any of its 1.10, 2.x or
    provider paths) on a target that has ``SQLExecuteQueryOperator``: not a mechanical rewrite,
    since the connection argument changes name."""
    from airlake.preflight.imports_index import Status

    conn = SQL_OPERATORS.get(name)
    if conn is None or not module.startswith("airflow."):
        return None
    if index.name(SQL_HOME, SQL_CLASS).status is not Status.OK:
        return None
    return (
        f"from {SQL_HOME} import {SQL_CLASS}, and pass conn_id= where {name} took "
        f"{conn}= (sql=, parameters=, autocommit= and database= keep their names)"
    )


def provider_move(index: TargetImports, module: str, name: str) -> tuple[str, str] | None:
    """A known move to a provider the target's image does not ship (``contrib.hooks.ssh_hook``
    → ``airflow.providers.ssh``): the new path, for a migration that also adds the provider."""
    from airlake.preflight.imports_index import Status

    for move in moves_for(module, name):
        if move.new_module and index.module(move.new_module).status is Status.NOT_SHIPPED:
            return move.new_module, move.new_name or name
    return None
