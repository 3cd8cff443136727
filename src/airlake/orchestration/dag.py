"""The daily and the intraday DAG, built from a :class:`~airlake.orchestration.plan.DagPlan`.

The plan says what runs (see :mod:`airlake.orchestration.plan`); this module only turns it into
operators, so parsing the DAG needs Airflow and (in emr mode) the Amazon provider — nothing of
airlake's pipeline, and no database, Variable or network access at parse time.

- ``local``: each stage is ``airlake run --stage X`` in airlake's own environment (a separate
  virtualenv: its pins never meet Airflow's);
- ``spark``: each stage is a ``spark-submit`` of the airlake job against a Spark master;
- ``emr``: a transient EMR cluster sized from the profile (or an existing one), each stage an
  EMR Spark Step plus a step sensor, the report models as Athena (Trino) statements. This is the
  form MWAA runs. The intraday refreshes share one cluster kept up during business hours.

The intraday DAG (``airlake_intraday``) runs ``airlake refresh`` at every tick of the profile's
``[intraday] schedule``, then an alerts task that fails, with the alerts' text, while any alert
is open.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airlake.orchestration import tasks
from airlake.orchestration.compat import (
    DAG,
    BashOperator,
    EmptyOperator,
    Param,
    PythonOperator,
    PythonSensor,
    cron_timetable,
    daily_timetable,
)
from airlake.orchestration.plan import NOW_PATTERN, DagPlan, TaskPlan

DAG_ID = "airlake_daily"
AIRLAKE_BIN_VARIABLE = "AIRLAKE_BIN"


_PARAM_DOCS = {
    "now": "Replay the refresh as of this time (ISO 8601, e.g. 2026-11-02T12:00:00+00:00); "
    "empty: the wall clock when the task starts.",
}


def airlake_executable() -> str:
    """The airlake CLI the stages run: ``$AIRLAKE_BIN`` (set by the bundle's startup script or
    the operator), else the one installed beside this interpreter, else ``airlake`` on PATH."""
    configured = os.environ.get(AIRLAKE_BIN_VARIABLE)
    if configured:
        return configured
    beside = Path(sys.executable).parent / "airlake"
    return str(beside) if beside.exists() else "airlake"


def _argv(command: tuple[str, ...], profile: str) -> list[str]:
    # airlake's own environment must not see the DAG folder's light copy of the package, which
    # MWAA puts on PYTHONPATH for Airflow's processes.
    prefix = ["env", "-u", "PYTHONPATH"] if command[:1] == ("{airlake}",) else []
    return prefix + [
        w.replace("{airlake}", airlake_executable()).replace("{profile}", profile) for w in command
    ]


def _command(task: TaskPlan, profile: str) -> str:
    return " ".join(shlex.quote(w) for w in _argv(task.command, profile))


def build_dag(plan: DagPlan, profile: str | None = None) -> DAG:
    """Build the DAG of ``plan``. ``profile`` (a name or a .toml path) is what ``airlake run``
    is given; default: the plan's environment name."""
    profile = profile or plan.environment
    dag = DAG(
        dag_id=plan.dag_id,
        description=plan.description,
        schedule=cron_timetable(plan.schedule, plan.timezone)
        if plan.schedule
        else daily_timetable(),
        start_date=datetime.fromisoformat(plan.start_date),
        catchup=plan.catchup,
        max_active_runs=1,
        params={
            name: Param(
                default, type="string", pattern=NOW_PATTERN, description=_PARAM_DOCS.get(name, "")
            )
            for name, default in plan.params.items()
        },
        default_args={
            "owner": "airlake",
            "retries": plan.retries,
            "retry_delay": timedelta(minutes=plan.retry_delay_minutes),
            "retry_exponential_backoff": True,
            "max_retry_delay": timedelta(minutes=30),
        },
        tags=["airlake", plan.environment, plan.mode],
        doc_md=plan.doc_md or __doc__,
    )
    with dag:
        previous: Any = _sensor(plan, profile) if plan.sensor is not None else None
        cluster_id = ""
        create = None
        if plan.emr is not None:
            cluster_id, create = _cluster(plan)
            if create is not None:
                if previous is not None:
                    previous >> create
                previous = create
        for task in plan.tasks:
            first, last = _task(plan, task, profile, cluster_id)
            if previous is not None:
                previous >> first
            previous = last
        if create is not None and plan.emr is not None and not plan.emr.keep_name:
            _terminate(cluster_id, previous)
    return dag


def _sensor(plan: DagPlan, profile: str) -> Any:
    assert plan.sensor is not None
    return PythonSensor(
        task_id="wait_for_landing",
        python_callable=tasks.landing_complete,
        op_kwargs={
            "landing_uri": plan.sensor.landing_uri,
            "aws_conn_id": plan.sensor.aws_conn_id,
            "command": _argv(plan.sensor.command, profile) if plan.sensor.command else [],
        },
        mode="reschedule" if plan.sensor.reschedule else "poke",
        poke_interval=plan.sensor.poke_seconds,
        timeout=plan.sensor.timeout_seconds,
        soft_fail=False,
        retries=0,
    )


def _extra(task: TaskPlan) -> dict[str, Any]:
    return {} if task.retries is None else {"retries": task.retries}


def _task(plan: DagPlan, task: TaskPlan, profile: str, cluster_id: str) -> tuple[Any, Any]:
    if task.kind == "command":
        op = BashOperator(
            task_id=task.task_id, bash_command=_command(task, profile), doc=task.doc, **_extra(task)
        )
        return op, op
    if task.kind == "alerts":
        # a Python task rather than a BashOperator: its failure carries the alerts' text,
        # which a failed shell command would leave in the log only
        callable_: Callable[..., Any]
        kwargs: dict[str, Any]
        if task.query:
            assert plan.athena is not None
            callable_ = tasks.open_alerts_athena
            kwargs = {
                "query": task.query,
                "database": plan.athena.database,
                "workgroup": plan.athena.workgroup,
                "output_location": plan.athena.output_location or "",
            }
        else:
            callable_ = tasks.open_alerts
            kwargs = {"command": _argv(task.command, profile)}
        alerts = PythonOperator(
            task_id=task.task_id,
            python_callable=callable_,
            op_kwargs=kwargs,
            doc=task.doc,
            **_extra(task),
        )
        return alerts, alerts
    if task.kind == "athena":
        from airflow.providers.amazon.aws.operators.athena import AthenaOperator

        assert plan.athena is not None
        athena: Any = AthenaOperator(
            task_id=task.task_id,
            query=task.query,
            database=plan.athena.database,
            workgroup=plan.athena.workgroup,
            output_location=plan.athena.output_location,
            doc=task.doc,
            **_extra(task),
        )
        return athena, athena
    if task.kind == "emr_step":
        from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator
        from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor

        add = EmrAddStepsOperator(
            task_id=f"{task.task_id}_step",
            job_flow_id=cluster_id,
            steps=[dict(step) for step in task.steps],
            doc=task.doc,
        )
        sensor = EmrStepSensor(
            task_id=task.task_id,
            job_flow_id=cluster_id,
            step_id=f"{{{{ ti.xcom_pull(task_ids='{task.task_id}_step')[0] }}}}",
            poke_interval=60,
            timeout=3 * 3600,
            mode="reschedule",
            doc=task.doc,
            **_extra(task),
        )
        add >> sensor
        return add, sensor
    raise ValueError(f"unknown task kind {task.kind!r} in the plan of {plan.dag_id}")


def _cluster(plan: DagPlan) -> tuple[str, Any]:
    assert plan.emr is not None
    if plan.emr.cluster_id:
        return plan.emr.cluster_id, None
    if plan.emr.keep_name:
        kept = PythonOperator(
            task_id="cluster",
            python_callable=tasks.kept_cluster,
            op_kwargs={"name": plan.emr.keep_name, "config": dict(plan.emr.cluster)},
            doc="The cluster of the day's refreshes: the one still up, else a new one that "
            "terminates itself when idle.",
        )
        return "{{ ti.xcom_pull(task_ids='cluster') }}", kept
    from airflow.providers.amazon.aws.operators.emr import EmrCreateJobFlowOperator

    create = EmrCreateJobFlowOperator(
        task_id="create_cluster", job_flow_overrides=dict(plan.emr.cluster), retries=0
    )
    return "{{ ti.xcom_pull(task_ids='create_cluster') }}", create


def _terminate(cluster_id: str, last: Any) -> None:
    from airflow.providers.amazon.aws.operators.emr import EmrTerminateJobFlowOperator

    terminate = EmrTerminateJobFlowOperator(
        task_id="terminate_cluster", job_flow_id=cluster_id, trigger_rule="all_done"
    )
    last >> terminate
    # The terminate task succeeds even after a failed stage (all_done); this leaf keeps the
    # run's state honest: it fails when any stage failed.
    last >> EmptyOperator(task_id="pipeline_complete")
