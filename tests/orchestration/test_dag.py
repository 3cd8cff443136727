"""The DAG file parses in a DagBag, mirrors the stage list, and a run through Airflow produces
the same tables as ``airlake run`` on the same input."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from airlake.demo import airflow_environment, migrate, run_through_airflow
from airlake.errors import UserError
from airlake.run_context import open_run
from airlake.settings import Settings
from airlake.stages import STAGE_NAMES, run_day
from airlake.tables import TABLES, content_hash, read_table
from tests.conftest import click_line

pytestmark = pytest.mark.airflow
DAGS = Path(__file__).resolve().parents[2] / "dags"
D1 = date(2026, 11, 10)


def _write_profile(path: Path, settings: Settings, max_share: float = 0.5) -> Path:
    path.write_text(
        f"""name = "test"
[storage]
landing = "{settings.landing_uri}"
warehouse = "{settings.warehouse_uri}"
[catalog]
type = "sqlite"
uri = "{settings.catalog_uri}"
[quality]
max_quarantine_share = {max_share}
[orchestration]
retries = 0
sensor_poke_seconds = 1
sensor_timeout_seconds = 10
"""
    )
    return path


def test_dagbag_loads_every_dag_file_quickly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from airlake.orchestration.compat import dagbag

    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    started = time.perf_counter()
    bag = dagbag(str(DAGS))
    parse_seconds = time.perf_counter() - started
    assert bag.import_errors == {}
    dag = bag.dags.get("airlake_daily")
    assert dag is not None
    # one task per stage, plus the landing sensor and the quality gate
    assert {t.task_id for t in dag.tasks} == {*STAGE_NAMES, "wait_for_landing", "quality_gate"}
    assert dag.max_active_runs == 1
    assert dag.catchup
    assert dag.get_task("quality_gate").upstream_task_ids == {"ingest"}
    assert dag.get_task("clean").upstream_task_ids == {"quality_gate"}
    assert parse_seconds < 30, (
        "generous bound: a DAG file that does real work at parse time would blow it"
    )
    intraday = bag.dags.get("airlake_intraday")
    assert intraday is not None
    assert {t.task_id for t in intraday.tasks} == {"refresh", "alerts"}
    assert intraday.get_task("alerts").upstream_task_ids == {"refresh"}
    assert intraday.max_active_runs == 1
    assert not intraday.catchup


def test_intraday_dag_runs_on_the_profiles_schedule_in_its_business_time_zone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, local_settings: Settings
) -> None:
    from datetime import UTC, datetime

    from airlake.orchestration.compat import dagbag

    profile = _write_profile(tmp_path / "p.toml", local_settings)
    profile.write_text(
        profile.read_text()
        + '[intraday]\nschedule = "*/15 6-21 * * *"\nbusiness_timezone = "Europe/Berlin"\n'
    )
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRLAKE_ENV", str(profile))
    bag = dagbag(str(DAGS))
    assert bag.import_errors == {}
    timetable = bag.dags["airlake_intraday"].timetable
    # 21:45 Berlin is the day's last tick; the next is 06:00 Berlin = 05:00 UTC in winter
    after = datetime(2026, 11, 2, 20, 50, tzinfo=UTC)
    nxt = timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=_restriction(after),
    )
    assert nxt is not None
    assert nxt.run_after == datetime(2026, 11, 3, 5, 0, tzinfo=UTC)


def _restriction(earliest):  # the next tick from a given time (catchup off would use the clock)
    from airflow.timetables.base import TimeRestriction

    return TimeRestriction(earliest=earliest, latest=None, catchup=True)


@pytest.mark.slow
def test_a_day_through_airflow_equals_airlake_run(
    write_landing, local_settings: Settings, tmp_path: Path
) -> None:
    write_landing(
        D1,
        23,
        [
            click_line("e1", "2026-11-10T10:00:00"),
            click_line("e2", "2026-11-10T10:10:00"),
            click_line("e1", "2026-11-10T10:00:00"),
            b"[]",
        ],
    )
    env = airflow_environment(tmp_path / "state", DAGS)
    log = tmp_path / "airflow.log"
    migrate(env, log)

    # 1 of 4 lines quarantined: a 10 % gate fails the run, after the quarantine is committed.
    env["AIRLAKE_ENV"] = str(
        _write_profile(tmp_path / "strict.toml", local_settings, max_share=0.1)
    )
    with pytest.raises(UserError, match="DAG runs failed for 2026-11-10"):
        run_through_airflow([D1], env, DAGS, log)
    assert "data-quality gate: 1 of 4 lines of 2026-11-10 quarantined" in log.read_text()
    with open_run(local_settings) as ctx:
        assert read_table(ctx.catalog, "raw.quarantine").num_rows == 1
        assert read_table(ctx.catalog, "clean.events").num_rows == 0  # stopped before clean

    env["AIRLAKE_ENV"] = str(_write_profile(tmp_path / "profile.toml", local_settings))
    states = run_through_airflow([D1], env, DAGS, log)
    assert states["2026-11-10"].endswith("success")

    direct = replace(
        local_settings,
        warehouse_uri=str(tmp_path / "direct"),
        catalog_uri=f"sqlite:///{tmp_path}/direct.db",
    )
    with open_run(direct) as ctx:
        run_day(ctx, D1)
    with open_run(local_settings) as via_airflow, open_run(direct) as plain:
        for t in TABLES:
            assert content_hash(read_table(via_airflow.catalog, t.name)) == content_hash(
                read_table(plain.catalog, t.name)
            ), t.name


def test_spark_mode_submits_every_stage_with_spark_submit(
    tmp_path: Path, local_settings: Settings
) -> None:
    from airlake.deploy.plan import plan_for
    from airlake.orchestration.dag import build_dag
    from airlake.settings import profile_values

    profile = _write_profile(tmp_path / "spark.toml", local_settings)
    profile.write_text(profile.read_text() + '[engine]\nmode = "spark"\n')
    dag = build_dag(plan_for(profile_values(str(profile))), profile=str(profile))
    for stage in STAGE_NAMES:
        task = dag.get_task(stage)
        assert type(task).__name__ == "BashOperator"
        command = task.bash_command
        assert command.startswith("spark-submit --master 'local[2]' ")
        assert (
            f"airlake/jobs/spark_job.py {stage} --date '{{{{ data_interval_start | ds }}}}' --env {profile}"
            in command
        )
    assert dag.get_task("quality_gate").upstream_task_ids == {"ingest"}


@pytest.mark.slow
def test_intraday_dag_refreshes_through_airflow_and_fails_with_the_alert_text(
    intraday_lake, tmp_path: Path
) -> None:
    """Two refreshes as the day's files arrive, replayed as of 08:00 and 11:00 UTC through the
    real DAG file and Airflow; one campaign's budget is cut so that its alert fires."""
    import subprocess
    import sys
    from datetime import UTC, datetime

    from airlake.demo import run_intraday_through_airflow
    from airlake.stages import run_stage

    lake = intraday_lake()
    with open_run(lake.settings) as ctx:
        run_stage(ctx, "extract", lake.day)  # the campaigns and their budgets
    env = airflow_environment(tmp_path / "af-state", DAGS, str(lake.profile))
    log = tmp_path / "airflow.log"
    migrate(env, log)
    instants = [datetime(2026, 11, 2, 8, tzinfo=UTC), datetime(2026, 11, 2, 11, tzinfo=UTC)]
    states = {}
    for at in instants:
        assert lake.release_until(at.hour) > 0
        states.update(run_intraday_through_airflow([at], env, DAGS, log))

    with open_run(lake.settings) as ctx:
        pacing = read_table(ctx.catalog, "reports.pacing_intraday").to_pylist()
        alerts = read_table(ctx.catalog, "reports.alerts").to_pylist()
    assert {r["as_of"] for r in pacing} == set(instants)  # each refresh as of its replay time
    cut = [r for r in pacing if r["campaign_id"] == lake.cut and r["as_of"] == instants[-1]]
    assert cut and cut[0]["spend"] > cut[0]["daily_budget"], cut
    open_alerts = [a for a in alerts if a["is_open"]]
    assert any(a["subject"] == lake.cut for a in open_alerts), open_alerts

    # the alerts task agrees with `airlake alerts`, and its failure carries the alerts' text
    cli = subprocess.run(
        [str(Path(sys.executable).parent / "airlake"), "alerts", "--env", str(lake.profile)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 1
    last = instants[-1].isoformat()
    assert states[f"{last} refresh"].endswith("success")
    assert states[f"{last} alerts"].endswith("failed")
    assert states[last].endswith("failed")
    text = log.read_text()
    assert "open alerts:" in text
    for alert in open_alerts:
        assert alert["message"] in text, alert["message"]
