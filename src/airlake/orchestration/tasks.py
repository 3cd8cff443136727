"""What each Airflow task runs. Imported by task code at run time, never at DAG parse time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from airlake.orchestration.compat import AirflowFailException


def run_day_of(context: dict[str, Any]) -> date:
    """The day a DAG run processes: the start of its data interval."""
    start = context.get("data_interval_start") or context["logical_date"]
    if isinstance(start, datetime):
        return start.date()
    return date.fromisoformat(str(start)[:10])


def landing_complete(env: str, **context: Any) -> bool:
    """Sensor callable: has the landing day been fully written by the sink?"""
    from airlake.landing import day_complete
    from airlake.settings import load_settings
    from airlake.storage import StorageOptions

    settings = load_settings(env)
    return day_complete(
        settings.landing_uri,
        run_day_of(context),
        StorageOptions(settings.s3_endpoint, settings.aws_region),
    )


def run_stage(stage: str, env: str, **context: Any) -> dict[str, Any]:
    """Run one pipeline stage in-process for the run's day; returns a summary for XCom."""
    from airlake.pipeline import open_run
    from airlake.pipeline import run_stage as run

    day = run_day_of(context)
    with open_run(_settings(env, context)) as ctx:
        result = run(ctx, stage, day)
    return {
        "stage": stage,
        "day": day.isoformat(),
        "seconds": round(result.seconds, 3),
        "commits": [
            {"table": c.table, "snapshot": c.snapshot_id, "files": c.files} for c in result.commits
        ],
    }


def quality_gate(env: str, **context: Any) -> dict[str, Any]:
    """Fail the run (without retries) when too much of the landing day was quarantined.

    Runs after ingest has committed the quarantine, so the bad lines are kept for inspection.
    """
    from airlake.catalog import open_catalog
    from airlake.pipeline import quarantine_share

    day = run_day_of(context)
    settings = _settings(env, context)
    share = quarantine_share(open_catalog(settings), day)
    if share.share > settings.max_quarantine_share:
        raise AirflowFailException(
            f"data-quality gate: {share.quarantined} of {share.lines} lines of {day} quarantined "
            f"({share.share:.2%} > {settings.max_quarantine_share:.2%}); "
            f'inspect: airlake query "SELECT reason, COUNT(*) FROM raw.quarantine '
            f"WHERE landing_date = DATE '{day}' GROUP BY 1\""
        )
    return {"day": day.isoformat(), "lines": share.lines, "quarantined": share.quarantined}


def _settings(env: str, context: dict[str, Any]) -> Any:
    from airlake.settings import load_settings

    params = context.get("params") or {}
    overrides = {k: str(v) for k, v in (params.get("overrides") or {}).items()}
    return load_settings(env, overrides=overrides)
