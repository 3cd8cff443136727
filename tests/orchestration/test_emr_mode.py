"""The DAG in ``emr`` mode (what MWAA runs) against moto's server on 127.0.0.1.

Real: the EMR cluster request (run_job_flow), the EMR Spark Steps (add_job_flow_steps), the
Athena queries, the Glue catalog and S3. Simulated, at the one boundary moto cannot play: an EMR
step never completes in moto, so the step sensor's poke is patched to report success — and the
stages' Spark jobs therefore do not run; this test checks what the DAG asks AWS to do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from airlake.demo import airflow_environment, migrate
from airlake.settings import read_profile_file
from airlake.stages import STAGE_NAMES

pytestmark = [pytest.mark.airflow, pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-11-01"

DRIVER = """
import sys
from datetime import date
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
EmrStepSensor.poke = lambda self, context: True  # moto never finishes a step: simulated here
from airlake.orchestration.compat import dagbag, test_day
bag = dagbag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
run = test_day(bag.dags["airlake_daily"], date.fromisoformat(sys.argv[2]))
print("STATE", run.state)
"""


@pytest.fixture
def moto(moto_endpoint: str) -> str:
    return moto_endpoint


def test_emr_mode_creates_a_sized_cluster_submits_steps_and_athena_sql(
    moto: str, tmp_path: Path
) -> None:
    import boto3
    import sqlglot

    from airlake.generator import GeneratorConfig, generate

    s3 = boto3.client("s3")
    for bucket in ("landing", "warehouse", "athena-results", "mwaa-source"):
        s3.create_bucket(
            Bucket=f"airlake-production-{bucket}",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
    boto3.client("athena").create_work_group(
        Name="airlake-production",
        Configuration={
            "ResultConfiguration": {
                "OutputLocation": "s3://airlake-production-athena-results/results"
            }
        },
    )
    generate(
        GeneratorConfig(
            start=date(2026, 11, 1),
            days=1,
            events_per_day=400,
            seed=3,
            out="s3://airlake-production-landing/events",
        )
    )

    profile = tmp_path / "production.toml"
    profile.write_text(
        (ROOT / "environments" / "production.toml")
        .read_text()
        .replace("sensor_poke_seconds = 300", "sensor_poke_seconds = 1")
        .replace("sensor_timeout_seconds = 21600", "sensor_timeout_seconds = 30")
        .replace("retries = 2", "retries = 0")
    )
    env = airflow_environment(tmp_path / "state", ROOT / "dags")
    env["AIRLAKE_ENV"] = str(profile)
    env["AIRFLOW_CONN_AWS_DEFAULT"] = json.dumps(
        {"conn_type": "aws", "extra": {"endpoint_url": moto, "region_name": "eu-west-1"}}
    )
    log = tmp_path / "airflow.log"
    migrate(env, log)
    with log.open("a") as out:
        done = subprocess.run(
            [sys.executable, "-c", DRIVER, str(ROOT / "dags"), DAY],
            env=env,
            cwd=tmp_path,  # the published copies of an S3 warehouse go under ./.airlake
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    text = log.read_text()
    assert done.returncode == 0 and "STATE success" in text, text[-4000:]

    sizing = read_profile_file("production")["sizing"]
    emr = boto3.client("emr")
    (cluster,) = emr.list_clusters()["Clusters"]
    groups = {
        g["InstanceGroupType"]: g
        for g in emr.list_instance_groups(ClusterId=cluster["Id"])["InstanceGroups"]
    }
    assert groups["MASTER"]["InstanceType"] == sizing["emr_master_instance_type"]
    assert groups["CORE"]["InstanceType"] == sizing["emr_core_instance_type"]
    assert groups["CORE"]["RequestedInstanceCount"] == sizing["emr_core_instance_count"]

    steps = emr.list_steps(ClusterId=cluster["Id"])["Steps"]
    submitted = {
        s["Config"]["Args"][s["Config"]["Args"].index("--date") - 1]: s["Config"] for s in steps
    }
    assert set(submitted) == (set(STAGE_NAMES) - {"reports"}) | {"quality_gate"}  # reports: Athena
    for stage, config in submitted.items():
        assert config["Jar"] == "command-runner.jar"
        args = config["Args"]
        assert args[:3] == ["spark-submit", "--deploy-mode", "cluster"]
        assert args[args.index("--date") + 1] == DAY, stage
        assert args[args.index("--env") + 1] == "production"
        assert args[args.index("--py-files") + 1].endswith("airlake.zip")

    athena = boto3.client("athena")
    ids = athena.list_query_executions()["QueryExecutionIds"]
    queries = [
        athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"] for i in ids
    ]
    assert len(queries) == 4  # delete + insert for campaign_daily and funnel_daily
    for query in queries:
        sqlglot.parse_one(query, read="trino")  # raises if Athena would get invalid Trino SQL
    assert any(q.startswith("INSERT INTO reports.campaign_daily") for q in queries)
    assert any(
        "DELETE FROM reports.funnel_daily WHERE event_date BETWEEN DATE '2026-10-30' AND DATE '2026-11-01'"
        in q
        for q in queries
    )


INTRADAY_DRIVER = """
import sys
from datetime import datetime
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
EmrStepSensor.poke = lambda self, context: True  # moto never finishes a step: simulated here
from airlake.orchestration.compat import dagbag, test_at
bag = dagbag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
for when in sys.argv[2:]:
    at = datetime.fromisoformat(when)
    run = test_at(bag.dags["airlake_intraday"], at, {"now": at.isoformat()})
    print("STATES", when, {ti.task_id: str(ti.state) for ti in run.get_task_instances()})
"""


def test_emr_intraday_refreshes_share_one_cluster_and_fail_with_athenas_alerts(
    moto: str, tmp_path: Path
) -> None:
    """Two intraday runs in emr mode. Also simulated: moto runs no SQL, so the alert query's
    result rows are queued through moto's API (none for the first run, one for the second)."""
    import boto3

    from airlake.deploy.matrix_intraday import ALERT, queue_athena_results

    boto3.client("athena").create_work_group(Name="airlake-production")
    header = ("severity", "rule", "subject", "message")
    queue_athena_results(moto, [[header], [header, ALERT]])
    profile = tmp_path / "production.toml"
    profile.write_text(
        (ROOT / "environments" / "production.toml")
        .read_text()
        .replace("retries = 2", "retries = 0")
    )
    env = airflow_environment(tmp_path / "state", ROOT / "dags")
    env["AIRLAKE_ENV"] = str(profile)
    env["AIRFLOW_CONN_AWS_DEFAULT"] = json.dumps(
        {"conn_type": "aws", "extra": {"endpoint_url": moto, "region_name": "eu-west-1"}}
    )
    log = tmp_path / "airflow.log"
    migrate(env, log)
    instants = ["2026-11-02T09:00:00+00:00", "2026-11-02T09:15:00+00:00"]
    with log.open("a") as out:
        subprocess.run(
            [sys.executable, "-c", INTRADAY_DRIVER, str(ROOT / "dags"), *instants],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    text = log.read_text()
    states = [line for line in text.splitlines() if line.startswith("STATES")]
    assert len(states) == 2, text[-4000:]
    assert "'refresh': 'success'" in states[0] and "'alerts': 'success'" in states[0]
    assert "'refresh': 'success'" in states[1] and "'alerts': 'failed'" in states[1]
    assert f"open alerts:\n{'  '.join(ALERT)}" in text

    emr = boto3.client("emr")
    (cluster,) = emr.list_clusters()["Clusters"]  # started by the first run, found by the second
    assert cluster["Name"] == "airlake-production-intraday"
    sizing = read_profile_file("production")["sizing"]
    groups = {
        g["InstanceGroupType"]: g
        for g in emr.list_instance_groups(ClusterId=cluster["Id"])["InstanceGroups"]
    }
    assert groups["CORE"]["RequestedInstanceCount"] == sizing["emr_intraday_core_instance_count"]
    steps = emr.list_steps(ClusterId=cluster["Id"])["Steps"]
    args = sorted((s["Config"]["Args"] for s in steps), key=lambda a: a[-1])
    assert [a[a.index("--now") + 1] for a in args] == instants
    for a in args:
        assert a[a.index("--env") + 1] == "production" and "--refresh" in a
        assert a[a.index("--py-files") + 1].endswith("airlake.zip")
    queries = boto3.client("athena").list_query_executions()["QueryExecutionIds"]
    assert len(queries) == 2  # one alerts query per run
