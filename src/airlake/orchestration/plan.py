"""What a DAG (daily or intraday) consists of, as plain data: the DAG file builds operators.

A plan is computed from a profile by :func:`airlake.deploy.plan.plan_for` — in-process for a
self-hosted Airflow that has airlake installed, or once by ``airlake mwaa bundle``, which writes
it as JSON beside the DAG. Reading a plan needs only the standard library, so the MWAA worker
needs nothing beyond Airflow and the Amazon provider to parse and run the DAG.

Task kinds:
- ``command``: a command line run by ``BashOperator`` (``airlake run --stage X`` in airlake's
  own environment, or ``spark-submit``); ``{airlake}`` in it is the airlake executable and
  ``{profile}`` the profile, both resolved where the DAG is parsed;
- ``emr_step``: EMR Spark Steps added to the run's cluster, then a step sensor;
- ``athena``: one Athena statement;
- ``alerts``: a command that prints the open alerts and exits 1 when there are any (``airlake
  alerts``), or (with ``query``) an Athena query whose rows are the open alerts: the task fails
  with the alerts' text, so Airflow's failure notifications (email, callbacks → SNS) carry it.
Dates are Airflow templates (``{{ data_interval_start | ds }}``), filled in at run time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DAY = "{{ data_interval_start | ds }}"
"""The run's day: the start of its data interval (day D runs over [D, D+1))."""

NOW = '{{ params.now or macros.datetime.now().astimezone().isoformat(timespec="seconds") }}'
"""The intraday run's clock: the run conf's ``now`` (a replay, e.g. ``{"now": "2026-11-02T12:00:00+00:00"}``),
else the wall clock when the task starts. Not the run's logical time: a refresh that starts
late (a retry, a queue) must project pacing from the time it actually reads, or it would see
spend beyond its as-of time and over-project."""

NOW_PATTERN = r"^$|^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
"""What a run conf's ``now`` may be (checked by Airflow when the run is triggered): empty, or
an ISO 8601 time — nothing a shell would read as more than one word."""


@dataclass(frozen=True, slots=True)
class TaskPlan:
    task_id: str
    kind: str  # "command" | "emr_step" | "athena"
    doc: str = ""
    command: tuple[str, ...] = ()
    steps: tuple[dict[str, Any], ...] = ()
    query: str = ""
    retries: int | None = None


@dataclass(frozen=True, slots=True)
class SensorPlan:
    """The landing sensor: is the landing day complete? Asked of S3 directly (``landing_uri``,
    emr mode), or of airlake in its own environment (``command``: exit 0 complete, 3 not yet)."""

    landing_uri: str
    poke_seconds: int
    timeout_seconds: int
    reschedule: bool
    aws_conn_id: str = "aws_default"
    command: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EmrPlan:
    """A transient cluster (``cluster`` = run_job_flow arguments) or an existing one; with
    ``keep_name``, the cluster of that name that is still up (else a new one from ``cluster``,
    which ends itself after an idle time): the intraday refreshes share it all day."""

    cluster: dict[str, Any] = field(default_factory=dict)
    cluster_id: str = ""
    keep_name: str = ""


@dataclass(frozen=True, slots=True)
class AthenaPlan:
    database: str
    workgroup: str
    output_location: str | None


@dataclass(frozen=True, slots=True)
class DagPlan:
    dag_id: str
    environment: str
    mode: str
    description: str
    start_date: str
    retries: int
    retry_delay_minutes: float
    sensor: SensorPlan | None
    tasks: tuple[TaskPlan, ...]
    emr: EmrPlan | None = None
    athena: AthenaPlan | None = None
    doc_md: str = ""
    schedule: str = ""
    """A cron expression read in ``timezone`` (one run per tick); empty: daily, one run per
    day's data interval."""
    timezone: str = "UTC"
    catchup: bool = True
    params: dict[str, str] = field(default_factory=dict)
    """Run parameters (a trigger's conf overrides them), e.g. the intraday ``now``."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DagPlan:
        raw = json.loads(text)
        raw["sensor"] = (
            SensorPlan(**{**raw["sensor"], "command": tuple(raw["sensor"].get("command", ()))})
            if raw.get("sensor")
            else None
        )
        raw["tasks"] = tuple(
            TaskPlan(
                **{
                    **t,
                    "command": tuple(t.get("command", ())),
                    "steps": tuple(t.get("steps", ())),
                }
            )
            for t in raw["tasks"]
        )
        raw["emr"] = EmrPlan(**raw["emr"]) if raw.get("emr") else None
        raw["athena"] = AthenaPlan(**raw["athena"]) if raw.get("athena") else None
        return cls(**raw)


def load_plan(path: str | Path) -> DagPlan:
    """Read a plan written by ``airlake mwaa bundle``."""
    return DagPlan.from_json(Path(path).read_text(encoding="utf-8"))
