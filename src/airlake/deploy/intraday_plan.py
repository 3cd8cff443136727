"""The intraday DAG's plan for a profile (pure: profile values in, :class:`DagPlan` out).

``airlake_intraday`` runs one refresh at every tick of the profile's ``[intraday] schedule``
(read in the business time zone), never two at once and never a backlog: a missed tick is
covered by the next refresh, which reads every closed file not read yet. Then an alerts task
fails, with the alerts' text, while an alert is open.

- local/team: ``airlake refresh`` and ``airlake alerts`` in airlake's own environment;
- spark: the refresh as ``spark-submit`` of the job's ``--refresh`` mode;
- emr: the refresh as an EMR Spark Step on the day's intraday cluster (found by name, else
  started; it terminates itself when idle after business hours), the alerts as an Athena query
  on ``reports.alerts``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airlake.orchestration.plan import NOW, AthenaPlan, DagPlan, EmrPlan, TaskPlan
from airlake.settings import EngineMode, settings_from_values

DAG_ID = "airlake_intraday"
REFRESH_TASK = "refresh"
ALERTS_TASK = "alerts"
REFRESH_DOC = (
    "One intraday refresh: the closed landing files not read yet for today's business day and "
    "the late window → every table, the dashboard's 'today so far' and the BI file."
)
ALERTS_DOC = (
    "Fails, without retries, with the open alerts' text (budget pacing, stale topics, "
    "quarantine share), so the DAG's failure notifications carry it."
)
ALERTS_QUERY = (
    "SELECT severity, rule, subject, message FROM reports.alerts WHERE is_open "
    "ORDER BY severity, rule, subject"
)
"""The open alerts, as Athena (Trino) reads the Iceberg table: the emr-mode alerts task."""


def _section(values: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = values.get(name, {})
    return section if isinstance(section, Mapping) else {}


def _refresh(mode: EngineMode, spark_master: str, entry: str) -> TaskPlan:
    if mode is EngineMode.SPARK:
        command: tuple[str, ...] = (
            "spark-submit",
            "--master",
            spark_master,
            entry,
            "--refresh",
            "--env",
            "{profile}",
            "--now",
            NOW,
        )
    else:
        command = ("{airlake}", "refresh", "--env", "{profile}", "--now", NOW)
    return TaskPlan(REFRESH_TASK, "command", REFRESH_DOC, command=command)


def intraday_plan_for(
    values: Mapping[str, Any], *, spark_master: str = "local[2]", spark_entry: str = ""
) -> DagPlan:
    """The plan of the intraday DAG for merged profile ``values`` (see :func:`profile_values`)."""
    from airlake.deploy.plan import default_entry

    settings = settings_from_values(values)
    orchestration = _section(values, "orchestration")
    mode = settings.engine
    schedule, timezone = settings.intraday.schedule, settings.intraday.business_timezone
    emr_plan = athena_plan = None
    if mode is EngineMode.EMR:
        from airlake.deploy import emr

        package_uri, entry_uri = emr.artifact_uris(settings, values)
        tasks = (
            TaskPlan(
                REFRESH_TASK,
                "emr_step",
                REFRESH_DOC,
                steps=(emr.refresh_step(settings, package_uri, entry_uri, NOW),),
            ),
            TaskPlan(ALERTS_TASK, "alerts", ALERTS_DOC, query=ALERTS_QUERY, retries=0),
        )
        existing = str(_section(values, "emr").get("cluster_id", "")).strip()
        emr_plan = (
            EmrPlan(cluster_id=existing)
            if existing
            else EmrPlan(
                cluster=emr.intraday_cluster_config(settings, values),
                keep_name=emr.intraday_cluster_name(settings),
            )
        )
        athena = _section(values, "athena")
        athena_plan = AthenaPlan(
            database="reports",
            workgroup=str(athena.get("workgroup", "primary")),
            output_location=str(
                athena.get("output_location", _section(values, "storage").get("athena_results", ""))
            )
            or None,
        )
    else:
        tasks = (
            _refresh(mode, spark_master, spark_entry or default_entry()),
            TaskPlan(
                ALERTS_TASK,
                "alerts",
                ALERTS_DOC,
                command=("{airlake}", "alerts", "--env", "{profile}"),
                retries=0,
            ),
        )
    start = str(orchestration.get("start_date", "2026-01-01"))
    return DagPlan(
        dag_id=DAG_ID,
        environment=settings.environment,
        mode=mode.value,
        description=f"airlake intraday refresh ({settings.environment}, {mode.value} mode, "
        f"{schedule} {timezone})",
        start_date=f"{start}T00:00:00+00:00",
        # one quick retry: a refresh that fails twice is covered by the next tick's
        retries=min(int(orchestration.get("retries", 1)), 1),
        retry_delay_minutes=1.0,
        sensor=None,
        tasks=tasks,
        emr=emr_plan,
        athena=athena_plan,
        doc_md=__doc__ or "",
        schedule=schedule,
        timezone=timezone,
        catchup=False,
        params={"now": ""},
    )
