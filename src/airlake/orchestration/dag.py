"""The daily DAG, built from the pipeline's own stage list, in one of three execution modes.

- ``local``: each stage runs in-process (DuckDB, embedded catalog);
- ``spark``: each stage is a ``spark-submit`` of the airlake job against a Spark master;
- ``emr``: a transient EMR cluster sized from the profile (or an existing one), each Spark stage
  an EMR Spark Step plus a step sensor, the report models as Athena (Trino) statements, Glue as
  the catalog. This is the form MWAA runs.

Parse time reads only the profile file: no Airflow Variable, no database, no heavy import.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from airlake.orchestration import tasks
from airlake.orchestration.compat import (
    DAG,
    BashOperator,
    EmptyOperator,
    PythonOperator,
    PythonSensor,
    daily_timetable,
)
from airlake.settings import EngineMode, profile_values, settings_from_values

DAG_ID = "airlake_daily"
REPORT_STAGE = "reports"


def _profile_values(env: str) -> dict[str, Any]:
    return profile_values(env, environ=os.environ)


def _section(values: dict[str, Any], name: str) -> dict[str, Any]:
    section = values.get(name, {})
    return section if isinstance(section, dict) else {}


def default_args(values: dict[str, Any]) -> dict[str, Any]:
    orchestration = _section(values, "orchestration")
    return {
        "owner": "airlake",
        "retries": int(orchestration.get("retries", 2)),
        "retry_delay": timedelta(minutes=float(orchestration.get("retry_delay_minutes", 2))),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
    }


def build_dag(env: str | None = None, start: datetime | None = None) -> DAG:
    """Build the airlake daily DAG for an environment profile (default: ``$AIRLAKE_ENV`` or local)."""
    env = env or os.environ.get("AIRLAKE_ENV", "local")
    values = _profile_values(env)
    settings = settings_from_values(values)
    orchestration = _section(values, "orchestration")
    start = start or datetime.fromisoformat(
        str(orchestration.get("start_date", "2026-01-01"))
    ).replace(tzinfo=UTC)
    dag = DAG(
        dag_id=DAG_ID,
        description=f"airlake daily run ({settings.environment}, {settings.engine.value} mode)",
        schedule=daily_timetable(),
        start_date=start,
        catchup=True,
        max_active_runs=1,
        default_args=default_args(values),
        tags=["airlake", settings.environment, settings.engine.value],
        params={"overrides": {}},
        doc_md=__doc__,
    )
    with dag:
        wait = PythonSensor(
            task_id="wait_for_landing",
            python_callable=tasks.landing_complete,
            op_kwargs={"env": env},
            mode="reschedule" if settings.engine is not EngineMode.LOCAL else "poke",
            poke_interval=int(orchestration.get("sensor_poke_seconds", 300)),
            timeout=int(orchestration.get("sensor_timeout_seconds", 6 * 3600)),
            soft_fail=False,
            retries=0,
        )
        gate = PythonOperator(
            task_id="quality_gate",
            python_callable=tasks.quality_gate,
            op_kwargs={"env": env},
            retries=0,
        )
        if settings.engine is EngineMode.EMR:
            _emr_tasks(dag, env, values, settings, wait, gate)
        else:
            _stage_chain(env, settings.engine, wait, gate)
    return dag


def _stage_chain(env: str, mode: EngineMode, wait: Any, gate: Any) -> None:
    from airlake.pipeline import STAGES

    previous = wait
    for stage in STAGES:
        task: Any
        if mode is EngineMode.SPARK:
            task = BashOperator(
                task_id=stage.name, bash_command=_spark_submit(stage.name, env), doc=stage.doc
            )
        else:
            task = PythonOperator(
                task_id=stage.name,
                python_callable=tasks.run_stage,
                op_kwargs={"stage": stage.name, "env": env},
                doc=stage.doc,
            )
        previous >> task
        previous = task
        if stage.name == "ingest":
            task >> gate
            previous = gate


def _job_entry() -> str:
    spec = find_spec("airlake")
    root = Path(spec.origin).parent if spec and spec.origin else Path("airlake")
    return str(root / "jobs" / "spark_job.py")


def _spark_submit(stage: str, env: str) -> str:
    master = os.environ.get("AIRLAKE_SPARK_MASTER", "local[2]")
    return (
        f"spark-submit --master '{master}' {_job_entry()} {stage} "
        f"--date {{{{ data_interval_start | ds }}}} --env {env}"
    )


_SENTINEL_DAY = date(1900, 1, 2)


def _templated_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps are built once at parse time; the run's day is filled in by Airflow's templating."""
    text = json.dumps(steps).replace(_SENTINEL_DAY.isoformat(), "{{ data_interval_start | ds }}")
    return list(json.loads(text))


def _emr_tasks(
    dag: DAG, env: str, values: dict[str, Any], settings: Any, wait: Any, gate: Any
) -> None:
    from airflow.providers.amazon.aws.operators.athena import AthenaOperator
    from airflow.providers.amazon.aws.operators.emr import (
        EmrAddStepsOperator,
        EmrCreateJobFlowOperator,
        EmrTerminateJobFlowOperator,
    )
    from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor

    from airlake import athena, emr  # type: ignore[attr-defined,unused-ignore]
    from airlake.pipeline import CAMPAIGN, FUNNEL, STAGES

    emr_section = _section(values, "emr")
    athena_section = _section(values, "athena")
    storage = _section(values, "storage")
    existing = str(emr_section.get("cluster_id", "")).strip()
    package_uri = str(
        emr_section.get(
            "package_uri", f"{storage.get('artifacts', settings.warehouse_uri)}/airlake.zip"
        )
    )
    entry_uri = str(
        emr_section.get(
            "entry_uri", f"{storage.get('artifacts', settings.warehouse_uri)}/spark_job.py"
        )
    )
    if existing:
        cluster_id: str = existing
        create = None
    else:
        create = EmrCreateJobFlowOperator(
            task_id="create_cluster",
            job_flow_overrides=emr.cluster_config(settings, values),
            retries=0,
        )
        cluster_id = "{{ ti.xcom_pull(task_ids='create_cluster') }}"
        wait >> create

    previous: Any = create or wait
    athena_kwargs: dict[str, Any] = {
        "database": "reports",
        "workgroup": str(athena_section.get("workgroup", "primary")),
        "output_location": str(
            athena_section.get("output_location", storage.get("athena_results", ""))
        )
        or None,
    }
    for stage in STAGES:
        if stage.name == REPORT_STAGE:
            for step in (CAMPAIGN, FUNNEL):
                inputs = {relation: tdef.name for relation, tdef, _ in step.inputs}
                sql = athena.statements(
                    step.model,
                    step.output.name,
                    step.output.partitioned_by,
                    inputs,
                    settings.attribution_model.value,
                    settings.lookback_hours,
                    settings.late_window_days,
                    settings.lookback_days,
                )
                delete = AthenaOperator(
                    task_id=f"{step.model}_delete", query=sql.delete, **athena_kwargs
                )
                insert = AthenaOperator(
                    task_id=f"{step.model}_insert", query=sql.insert, **athena_kwargs
                )
                previous >> delete >> insert
                previous = insert
            continue
        add = EmrAddStepsOperator(
            task_id=f"{stage.name}_step",
            job_flow_id=cluster_id,
            steps=_templated_steps(
                emr.steps_for_run(_SENTINEL_DAY, settings, [stage.name], package_uri, entry_uri)
            ),
            doc=stage.doc,
        )
        sensor = EmrStepSensor(
            task_id=stage.name,
            job_flow_id=cluster_id,
            step_id=f"{{{{ ti.xcom_pull(task_ids='{stage.name}_step')[0] }}}}",
            poke_interval=60,
            timeout=3 * 3600,
            mode="reschedule",
        )
        previous >> add >> sensor
        previous = sensor
        if stage.name == "ingest":
            sensor >> gate
            previous = gate
    if create is not None:
        terminate = EmrTerminateJobFlowOperator(
            task_id="terminate_cluster", job_flow_id=cluster_id, trigger_rule="all_done"
        )
        previous >> terminate
        # The terminate task succeeds even after a failed stage (all_done); this leaf keeps the
        # run's state honest: it fails when any stage failed.
        complete = EmptyOperator(task_id="pipeline_complete")
        previous >> complete
