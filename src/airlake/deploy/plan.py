"""The DAG's plan for a profile (pure: profile values in, :class:`DagPlan` out).

Everything that needs airlake's own code — the stage list, the EMR steps and cluster, the report
models rendered as Athena SQL — is decided here, once, so the DAG file itself needs only Airflow
(and the Amazon provider in emr mode). ``airlake mwaa bundle`` writes the plan as JSON beside
the DAG; a self-hosted Airflow with airlake installed computes it at parse time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from airlake.orchestration.plan import DAY, AthenaPlan, DagPlan, EmrPlan, SensorPlan, TaskPlan
from airlake.settings import EngineMode, Settings, settings_from_values

DAG_ID = "airlake_daily"
REPORT_STAGE = "reports"
GATE_TASK = "quality_gate"
GATE_DOC = (
    "Fails the run, without retries, when the quarantined share of the landing day exceeds "
    "quality.max_quarantine_share (runs after ingest committed the quarantine)."
)
_SENTINEL_DAY = date(1900, 1, 2)


def _section(values: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = values.get(name, {})
    return section if isinstance(section, Mapping) else {}


def _templated(steps: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Steps are built once; the run's day is filled in by Airflow's templating."""
    text = json.dumps(steps).replace(_SENTINEL_DAY.isoformat(), DAY)
    return tuple(json.loads(text))


def _stage_docs() -> list[tuple[str, str]]:
    from airlake.stages import STAGES

    return [(stage.name, stage.doc) for stage in STAGES]


def _with_gate(tasks: list[TaskPlan], gate: TaskPlan) -> list[TaskPlan]:
    at = next(i for i, t in enumerate(tasks) if t.task_id == "ingest") + 1
    return [*tasks[:at], gate, *tasks[at:]]


def _spark_submit(stage: str, master: str, entry: str) -> tuple[str, ...]:
    return (
        "spark-submit",
        "--master",
        master,
        entry,
        stage,
        "--date",
        DAY,
        "--env",
        "{profile}",
    )


def _local_tasks(mode: EngineMode, spark_master: str, entry: str) -> list[TaskPlan]:
    tasks = []
    for name, doc in _stage_docs():
        if mode is EngineMode.SPARK:
            command = _spark_submit(name, spark_master, entry)
        else:
            command = ("{airlake}", "run", "--stage", name, "--date", DAY, "--env", "{profile}")
        tasks.append(TaskPlan(name, "command", doc, command=command))
    gate = TaskPlan(
        GATE_TASK,
        "command",
        GATE_DOC,
        command=("{airlake}", "gate", "--date", DAY, "--env", "{profile}"),
        retries=0,
    )
    return _with_gate(tasks, gate)


def _athena_tasks(settings: Settings) -> list[TaskPlan]:
    from airlake.deploy import athena
    from airlake.stages.transform import CAMPAIGN, FUNNEL

    tasks = []
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
            reporting_currency=settings.reporting_currency,
        )
        tasks.append(TaskPlan(f"{step.model}_delete", "athena", query=sql.delete))
        tasks.append(TaskPlan(f"{step.model}_insert", "athena", query=sql.insert))
    return tasks


def _emr_tasks(settings: Settings, values: Mapping[str, Any]) -> list[TaskPlan]:
    from airlake.deploy import emr

    package_uri, entry_uri = emr.artifact_uris(settings, values)

    def step(name: str, doc: str, retries: int | None = None) -> TaskPlan:
        steps = emr.steps_for_run(_SENTINEL_DAY, settings, [name], package_uri, entry_uri)
        return TaskPlan(name, "emr_step", doc, steps=_templated(steps), retries=retries)

    tasks: list[TaskPlan] = []
    for name, doc in _stage_docs():
        if name == REPORT_STAGE:
            tasks += _athena_tasks(settings)
        else:
            tasks.append(step(name, doc))
    return _with_gate(tasks, step(GATE_TASK, GATE_DOC, retries=0))


def plan_for(
    values: Mapping[str, Any], *, spark_master: str = "local[2]", spark_entry: str = ""
) -> DagPlan:
    """The plan of the daily DAG for merged profile ``values`` (see :func:`profile_values`)."""
    settings = settings_from_values(values)
    orchestration = _section(values, "orchestration")
    storage = _section(values, "storage")
    athena_section = _section(values, "athena")
    mode = settings.engine
    emr_plan = athena_plan = None
    if mode is EngineMode.EMR:
        from airlake.deploy import emr

        tasks = _emr_tasks(settings, values)
        existing = str(_section(values, "emr").get("cluster_id", "")).strip()
        emr_plan = (
            EmrPlan(cluster_id=existing)
            if existing
            else EmrPlan(cluster=emr.cluster_config(settings, values))
        )
        athena_plan = AthenaPlan(
            database="reports",
            workgroup=str(athena_section.get("workgroup", "primary")),
            output_location=str(
                athena_section.get("output_location", storage.get("athena_results", ""))
            )
            or None,
        )
    else:
        tasks = _local_tasks(mode, spark_master, spark_entry or default_entry())
    start = str(orchestration.get("start_date", "2026-01-01"))
    return DagPlan(
        dag_id=DAG_ID,
        environment=settings.environment,
        mode=mode.value,
        description=f"airlake daily run ({settings.environment}, {mode.value} mode)",
        start_date=f"{start}T00:00:00+00:00",
        retries=int(orchestration.get("retries", 2)),
        retry_delay_minutes=float(orchestration.get("retry_delay_minutes", 2)),
        sensor=SensorPlan(
            landing_uri=settings.landing_uri,
            poke_seconds=int(orchestration.get("sensor_poke_seconds", 300)),
            timeout_seconds=int(orchestration.get("sensor_timeout_seconds", 6 * 3600)),
            reschedule=mode is not EngineMode.LOCAL,
            command=()
            if mode is EngineMode.EMR
            else ("{airlake}", "landing-complete", "--date", DAY, "--env", "{profile}"),
        ),
        tasks=tuple(tasks),
        emr=emr_plan,
        athena=athena_plan,
    )


def default_entry() -> str:
    """The Spark job entry (``airlake/jobs/spark_job.py``) of the installed package."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("airlake")
    root = Path(spec.origin).parent if spec and spec.origin else Path("airlake")
    return str(root / "jobs" / "spark_job.py")
