"""The landing sensor's rule, on keys as S3 lists them (pure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from airlake.orchestration.tasks import day_is_complete, landing_complete

D = date(2026, 11, 2)


def key(topic: str, day: date, hour: int, suffix: str = ".json") -> str:
    return (
        f"events/topics/{topic}/year={day:%Y}/month={day:%m}/day={day:%d}/hour={hour:02d}/"
        f"{topic}+0+0000000001{suffix}"
    )


def test_a_day_is_complete_when_every_topic_reached_hour_23() -> None:
    assert day_is_complete([key("clicks", D, 23), key("views", D, 23)], D)
    assert not day_is_complete([key("clicks", D, 23), key("views", D, 22)], D)


def test_files_of_a_later_day_complete_it() -> None:
    assert day_is_complete([key("clicks", D, 5), key("clicks", date(2026, 11, 3), 0)], D)
    assert not day_is_complete([key("clicks", date(2026, 11, 3), 0)], D)  # nothing on D


def test_gzip_sink_files_count_and_other_files_do_not() -> None:
    assert day_is_complete([key("clicks", D, 23, ".json.gz")], D)
    assert not day_is_complete([key("clicks", D, 23, ".txt"), "events/_manifest.json"], D)


def test_a_local_landing_folder_is_listed(tmp_path: Path) -> None:
    for k in (key("clicks", D, 10), key("clicks", D, 23)):
        path = tmp_path / k
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n")
    context = {"data_interval_start": "2026-11-02T00:00:00+00:00"}
    assert landing_complete(str(tmp_path / "events"), **context)
    context = {"data_interval_start": "2026-11-01T00:00:00+00:00"}
    assert not landing_complete(str(tmp_path / "events"), **context)


# -- the alerts task and the intraday cluster ------------------------------------------------

ALERT_TEXT = "2026-11-02  critical  over_budget  c-07  Campaign 7 spent 512 EUR of 500"


def test_alerts_task_succeeds_without_open_alerts_and_fails_with_their_text() -> None:
    import sys

    import pytest

    from airlake.orchestration.compat import AirflowFailException
    from airlake.orchestration.tasks import open_alerts

    assert open_alerts([sys.executable, "-c", "print('no open alerts')"]) == "no open alerts"
    with pytest.raises(AirflowFailException) as failed:
        open_alerts([sys.executable, "-c", f"print({ALERT_TEXT!r}); raise SystemExit(1)"])
    assert str(failed.value) == f"open alerts:\n{ALERT_TEXT}"
    # the command's own error (exit 1 with nothing on stdout, or any other code) is not an
    # alert: a plain failure that Airflow may retry, with the error line
    for code in (1, 2):
        script = f"import sys; sys.stderr.write('error: no catalog'); raise SystemExit({code})"
        with pytest.raises(RuntimeError, match="error: no catalog"):
            open_alerts([sys.executable, "-c", script])


def test_emr_alerts_task_reads_the_open_alerts_from_athena(moto_endpoint: str) -> None:
    """Against moto's Athena API. moto runs no SQL: the query's result rows are seeded through
    its API (the one simulated boundary); the request, polling and paging are real."""
    import boto3
    import pytest

    from airlake.deploy.intraday_plan import ALERTS_QUERY
    from airlake.deploy.matrix_intraday import queue_athena_results
    from airlake.orchestration.compat import AirflowFailException
    from airlake.orchestration.tasks import open_alerts_athena

    boto3.client("athena").create_work_group(Name="wg")
    args = {"query": ALERTS_QUERY, "database": "reports", "workgroup": "wg", "poll_seconds": 0}
    assert open_alerts_athena(**args, output_location="s3://r/results") == 0  # no row: no alert
    header = ["severity", "rule", "subject", "message"]
    queue_athena_results(
        moto_endpoint,
        [[tuple(header), ("critical", "over_budget", "c-07", "Campaign 7 spent 512 EUR of 500")]],
    )
    with pytest.raises(AirflowFailException) as failed:
        open_alerts_athena(**args)
    assert str(failed.value) == (
        "open alerts:\ncritical  over_budget  c-07  Campaign 7 spent 512 EUR of 500"
    )
    executions = boto3.client("athena").list_query_executions()["QueryExecutionIds"]
    assert len(executions) == 2


def test_intraday_cluster_is_started_once_then_shared_until_it_ends(moto_endpoint: str) -> None:
    import boto3

    from airlake.deploy.emr import intraday_cluster_config, intraday_cluster_name
    from airlake.orchestration.tasks import kept_cluster
    from airlake.settings import load_settings, profile_values

    settings = load_settings("production", environ={})
    config = intraday_cluster_config(settings, profile_values("production", environ={}))
    name = intraday_cluster_name(settings)
    emr = boto3.client("emr")
    other = emr.run_job_flow(**{**config, "Name": "airlake-production"})["JobFlowId"]
    first = kept_cluster(name, config)
    assert first != other  # the daily run's cluster is not the refreshes'
    assert kept_cluster(name, config) == first
    emr.terminate_job_flows(JobFlowIds=[first])
    second = kept_cluster(name, config)
    assert second != first  # an ended cluster (idle after hours) is replaced by a new one
    names = [c["Name"] for c in emr.list_clusters()["Clusters"]]
    assert sorted(names) == sorted([name, name, "airlake-production"])
