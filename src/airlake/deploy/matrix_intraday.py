"""The target matrix's intraday checks: the ``airlake_intraday`` DAG of the bundle on a target.

- local mode: the matrix's generated day released into an empty landing zone as the sink closes
  its files, and a refresh through the target's Airflow after each release (a replay as of that
  time: the run conf's ``now``); every refresh succeeds, the pacing table holds one refresh per
  run at its replay time, and the alerts task agrees with ``airlake alerts`` — one campaign's
  budget is cut so that an alert fires, and the run that sees it fails with its text;
- emr mode against moto's server: two runs share one intraday cluster (found by name, else
  started), each adds one EMR step of the job's ``--refresh`` mode as of its replay time, and
  the alerts task asks Athena for the open alerts. Simulated at the boundaries moto cannot
  play: a step never completes (the sensor's poke reports success, so no Spark job runs) and
  Athena runs no SQL (the query's result rows are queued through moto's API: none for the
  first run, one alert for the second, which must fail with its text).
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airlake.deploy.matrix import Fixture, TargetResult

INTRADAY_HOURS = (6, 12, 22)
"""Replay times (UTC hours of the matrix's day) of the local-mode refreshes: 22:00 UTC is still
the business day in Berlin (CET = UTC+1)."""
EMR_HOURS = (9, 10)
ALERT = ("critical", "over_budget", "cmp-001", "Campaign cmp-001 spent 12.00 EUR of 1.00")

RUN_INTRADAY = r"""
import json, sys
from datetime import datetime
sys.path[:0] = [sys.argv[1]]
if sys.argv[2] == "emr":
    from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
    EmrStepSensor.poke = lambda self, context: True  # moto never completes a step: simulated
from airlake.orchestration.compat import dagbag, test_at
bag = dagbag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
at = datetime.fromisoformat(sys.argv[3])
run = test_at(bag.dags["airlake_intraday"], at, {"now": at.isoformat()})
states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
print("MATRIX " + json.dumps({"state": str(run.state), "tasks": states}))
"""


def _at(hour: int) -> datetime:
    from airlake.deploy.matrix import DAY

    return datetime.combine(DAY, time(hour), tzinfo=UTC)


def _cut_budget_source(url: str) -> str:
    """Reference data of the matrix's day with the first campaign's budget cut to 1.00: the
    campaign whose alert must fire. Returns the cut campaign's id."""
    from airlake import reference
    from airlake.deploy.matrix import DAY

    state = reference.state_as_of(reference.history(DAY, 1, 11), reference.end_of(DAY))
    state["campaigns"][0]["daily_budget"] = Decimal("1.00")
    reference.load(url, state)
    return str(state["campaigns"][0]["campaign_id"])


def check_intraday_local(
    result: TargetResult, python: Path, airlake_bin: Path, version: str, fx: Fixture, log: Path
) -> None:
    """A day of refreshes in local mode through the target's Airflow (see the module doc)."""
    import subprocess

    from airlake.deploy.matrix import (
        DAY,
        _airflow_env,
        _marker,
        _run,
        local_profile,
        migrate,
    )
    from airlake.deploy.mwaa_bundle import build_bundle
    from airlake.generator.release import day_slices, release

    base = fx.work / "runs" / result.target / "intraday"
    landing = base / "landing"
    landing.mkdir(parents=True, exist_ok=True)
    source = f"sqlite:///{base}/source.db"
    cut = _cut_budget_source(source)
    profile = local_profile(
        fx.work, f"intraday-{result.target}", base / "warehouse", landing, source
    )
    bundle = build_bundle(str(profile), base / "bundle", version)
    dags = bundle.root / "dags"
    env = _airflow_env(base / "airflow", dags, {"AIRLAKE_BIN": str(airlake_bin)})
    migrate(python, env, log)
    own = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    extract = [str(airlake_bin), "run", "--stage", "extract", "--date", DAY.isoformat()]
    _run([*extract, "--env", str(profile)], own, log)
    slices = day_slices(str(fx.landing), DAY)
    released = 0
    states: list[str] = []
    for hour in INTRADAY_HOURS:
        for piece in slices[released:hour]:
            release(str(fx.landing), str(landing), piece.files)
        released = hour
        outcome = _marker(
            _run(
                [str(python), "-c", RUN_INTRADAY, str(dags), "local", _at(hour).isoformat()],
                env,
                log,
            )
        )
        tasks = outcome.get("tasks", {})
        if not str(tasks.get("refresh", "")).endswith("success"):
            result.intraday = "failed"
            result.problems.append(f"intraday refresh at {hour:02d}:00: {outcome or 'no result'}")
            return
        states.append(str(tasks.get("alerts", "")))
    from airlake.catalog import open_catalog
    from airlake.settings import load_settings
    from airlake.tables import read_table

    catalog = open_catalog(load_settings(str(profile), environ={}))
    pacing = read_table(catalog, "reports.pacing_intraday").to_pylist()
    alerts = [a for a in read_table(catalog, "reports.alerts").to_pylist() if a["is_open"]]
    as_of = {r["as_of"] for r in pacing}
    cli = subprocess.run(
        [str(airlake_bin), "alerts", "--env", str(profile)],
        env=own,
        capture_output=True,
        text=True,
        check=False,
    )
    problems = []
    if as_of != {_at(h) for h in INTRADAY_HOURS}:
        problems.append(f"pacing as-of times {sorted(as_of)}")
    if not any(a["subject"] == cut for a in alerts):
        problems.append(f"no open alert for the campaign with the cut budget {cut}")
    if cli.returncode != 1 or not states[-1].endswith("failed"):
        problems.append(f"alerts task {states[-1]}, airlake alerts exit {cli.returncode}")
    elif not all(a["message"] in log.read_text() for a in alerts):
        problems.append("the alerts task's failure does not carry the alerts' text")
    result.intraday = f"{len(INTRADAY_HOURS)} refreshes, {len(alerts)} alerts"
    result.problems += [f"intraday local: {p} (see {log})" for p in problems]


def queue_athena_results(endpoint: str, results: list[list[tuple[str, ...]]]) -> None:
    """Queue result sets for moto's Athena: each new query execution takes the next one (moto
    runs no SQL; this is where the matrix and the tests stand in for Athena's answer)."""
    body = {
        "region": "eu-west-1",
        "results": [
            {
                "rows": [{"Data": [{"VarCharValue": v} for v in row]} for row in rows],
                "column_info": [],
            }
            for rows in results
        ],
    }
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/athena/query-results",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request).read()


def check_intraday_emr(
    result: TargetResult, python: Path, version: str, fx: Fixture, log: Path
) -> None:
    """Two emr-mode intraday runs against moto (see the module doc)."""
    import boto3

    from airlake.deploy.matrix import (
        _airflow_env,
        _aws_env,
        _marker,
        _profile,
        _reset_aws,
        _run,
        migrate,
    )
    from airlake.deploy.mwaa_bundle import build_bundle

    _reset_aws(fx.moto)
    header = ("severity", "rule", "subject", "message")
    queue_athena_results(fx.moto, [[header], [header, ALERT]])
    profile = _profile(
        fx.work / result.target, "production", "production", {"retries = 2": "retries = 0"}
    )
    base = fx.work / "runs" / result.target / "intraday-emr"
    bundle = build_bundle(str(profile), base / "bundle", version)
    dags = bundle.root / "dags"
    conn = {"conn_type": "aws", "extra": {"endpoint_url": fx.moto, "region_name": "eu-west-1"}}
    env = _airflow_env(
        base / "airflow", dags, {**_aws_env(fx.moto), "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(conn)}
    )
    migrate(python, env, log)
    outcomes = [
        _marker(
            _run([str(python), "-c", RUN_INTRADAY, str(dags), "emr", _at(h).isoformat()], env, log)
        )
        for h in EMR_HOURS
    ]
    emr = boto3.client("emr", endpoint_url=fx.moto, region_name="eu-west-1")
    clusters = [c for c in emr.list_clusters()["Clusters"] if c["Name"].endswith("-intraday")]
    steps = emr.list_steps(ClusterId=clusters[0]["Id"])["Steps"] if clusters else []
    nows = sorted(s["Config"]["Args"][-1] for s in steps if "--refresh" in s["Config"]["Args"])
    first, second = (o.get("tasks", {}) for o in outcomes)
    problems = []
    if len(clusters) != 1:
        problems.append(f"{len(clusters)} intraday clusters (want 1, shared by both runs)")
    if nows != [_at(h).isoformat() for h in EMR_HOURS]:
        problems.append(f"refresh steps as of {nows}")
    if not str(first.get("alerts", "")).endswith("success"):
        problems.append(f"first run's alerts task {first.get('alerts')} without an open alert")
    if not str(second.get("alerts", "")).endswith("failed") or ALERT[3] not in log.read_text():
        problems.append(
            f"second run's alerts task {second.get('alerts')} did not fail with the alert"
        )
    result.intraday_emr = f"{len(clusters)} cluster {len(steps)} steps"
    result.problems += [f"intraday emr: {p} (see {log})" for p in problems]
