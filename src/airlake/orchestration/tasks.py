"""What the worker itself runs: the landing sensor, the alerts check and the intraday cluster
lookup. Standard library + Airflow + the Amazon provider only.

Every other task runs airlake in its own environment (``airlake run``), on Spark or EMR, or on
Athena, so the Airflow worker never imports airlake's pipeline and its dependency pins never
meet Airflow's.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

# The Kafka Connect S3 sink layout (see airlake.contract.landing_key): the sink opens an hour
# folder only once records of that hour arrive.
_DAY_KEY = re.compile(
    r"topics/(?P<topic>[^/]+)/year=(?P<y>\d{4})/month=(?P<m>\d{2})/day=(?P<d>\d{2})/"
    r"hour=(?P<h>\d{2})/[^/]+\.json(\.gz)?$"
)


def run_day_of(context: dict[str, Any]) -> date:
    """The day a DAG run processes: the start of its data interval."""
    start = context.get("data_interval_start") or context["logical_date"]
    if isinstance(start, datetime):
        return start.date()
    return date.fromisoformat(str(start)[:10])


def day_is_complete(keys: Iterable[str], day: date) -> bool:
    """Whether the sink has finished ``day``: it wrote files for a later day, or every topic
    that wrote on ``day`` reached hour 23 (pure: keys in, verdict out)."""
    hours: dict[str, set[int]] = {}
    later = False
    for key in keys:
        match = _DAY_KEY.search(key)
        if not match:
            continue
        try:
            on = date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
        if on == day:
            hours.setdefault(match["topic"], set()).add(int(match["h"]))
        elif on > day:
            later = True
    if not hours:
        return False
    return later or all(23 in topic_hours for topic_hours in hours.values())


def _day_prefixes(day: date) -> list[str]:
    return [f"year={d:%Y}/month={d:%m}/day={d:%d}/" for d in (day, day + timedelta(days=1))]


def _local_keys(root: Path, day: date) -> list[str]:
    keys: list[str] = []
    for topic in sorted(p for p in (root / "topics").glob("*") if p.is_dir()):
        for prefix in _day_prefixes(day):
            folder = topic / prefix
            if folder.is_dir():
                keys += [str(p.relative_to(root)) for p in folder.rglob("*") if p.is_file()]
    return keys


def _s3_keys(uri: str, day: date, aws_conn_id: str) -> list[str]:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    bucket, _, prefix = uri[len("s3://") :].partition("/")
    base = f"{prefix.strip('/')}/topics/" if prefix.strip("/") else "topics/"
    hook = S3Hook(aws_conn_id=aws_conn_id)
    keys: list[str] = []
    for topic in hook.list_prefixes(bucket, base, "/") or []:
        for day_prefix in _day_prefixes(day):
            keys += hook.list_keys(bucket, prefix=f"{topic}{day_prefix}") or []
    return keys


NOT_YET = 3
"""Exit code of ``airlake landing-complete`` for a day the sink is still writing."""


def landing_complete(
    landing_uri: str,
    aws_conn_id: str = "aws_default",
    command: Sequence[str] = (),
    **context: Any,
) -> bool:
    """Sensor callable: has the landing day of this run been fully written by the sink?"""
    if command:
        done = subprocess.run(list(command), capture_output=True, text=True, check=False)
        if done.returncode in (0, NOT_YET):
            return done.returncode == 0
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-2000:]}")
    day = run_day_of(context)
    if landing_uri.startswith("s3://"):
        keys = _s3_keys(landing_uri, day, aws_conn_id)
    else:
        keys = _local_keys(Path(landing_uri.removeprefix("file://")), day)
    return day_is_complete(keys, day)


ALERTS_OPEN = 1
"""Exit code of ``airlake alerts`` while an alert is open."""


def alerts_failure(text: str) -> str:
    """The failure message of the alerts task: the open alerts, as ``airlake alerts`` or the
    query printed them (pure)."""
    body = text.strip() or "(no alert text)"
    return f"open alerts:\n{body}"


def open_alerts(command: Sequence[str], **context: Any) -> str:
    """Run ``airlake alerts``: succeed when no alert is open; fail, without retries, with the
    alerts' text when one is; an error of the command itself fails with its error line."""
    from airlake.orchestration.compat import AirflowFailException

    done = subprocess.run(list(command), capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return done.stdout.strip()
    if done.returncode == ALERTS_OPEN and done.stdout.strip():
        raise AirflowFailException(alerts_failure(done.stdout))
    raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-2000:]}")


def alert_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """One line per open alert from the query's rows (severity, rule, subject, message), the
    header row left out (pure)."""
    return [f"{r[0]}  {r[1]}  {r[2]}  {r[3]}" for r in rows[1:] if len(r) >= 4]


def _athena_rows(client: Any, execution_id: str) -> list[list[str]]:
    rows: list[list[str]] = []
    token = None
    while True:
        page = client.get_query_results(
            QueryExecutionId=execution_id, **({"NextToken": token} if token else {})
        )
        rows += [
            [cell.get("VarCharValue", "") for cell in row.get("Data", [])]
            for row in page["ResultSet"].get("Rows", [])
        ]
        token = page.get("NextToken")
        if not token:
            return rows


def open_alerts_athena(
    query: str,
    database: str,
    workgroup: str,
    output_location: str = "",
    aws_conn_id: str = "aws_default",
    poll_seconds: float = 2.0,
    **context: Any,
) -> int:
    """The emr-mode alerts task: ``query`` (the open rows of ``reports.alerts``) on Athena;
    fail, without retries, with the alerts' text when it returns any row."""
    import time

    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    from airlake.orchestration.compat import AirflowFailException

    client = AwsBaseHook(aws_conn_id=aws_conn_id, client_type="athena").get_conn()
    started = client.start_query_execution(
        QueryString=query,
        QueryExecutionContext={"Database": database},
        WorkGroup=workgroup,
        **({"ResultConfiguration": {"OutputLocation": output_location}} if output_location else {}),
    )
    execution_id = started["QueryExecutionId"]
    while True:
        status = client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
        state = status["Status"]["State"]
        if state == "SUCCEEDED":
            break
        if state in ("FAILED", "CANCELLED"):
            reason = status["Status"].get("StateChangeReason", "")
            raise RuntimeError(f"the alerts query {state.lower()}: {reason}")
        time.sleep(poll_seconds)
    lines = alert_lines(_athena_rows(client, execution_id))
    if lines:
        raise AirflowFailException(alerts_failure("\n".join(lines)))
    return 0


LIVE_CLUSTER_STATES = ("STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING")


def kept_cluster(
    name: str, config: dict[str, Any], aws_conn_id: str = "aws_default", **context: Any
) -> str:
    """The id of the live EMR cluster called ``name`` (the day's refreshes share it), else of a
    new one started from ``config`` (``run_job_flow`` arguments with an idle auto-termination,
    so it ends itself after business hours)."""
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    client = AwsBaseHook(aws_conn_id=aws_conn_id, client_type="emr").get_conn()
    pages = client.get_paginator("list_clusters").paginate(ClusterStates=list(LIVE_CLUSTER_STATES))
    live = sorted(
        (c for page in pages for c in page["Clusters"] if c["Name"] == name),
        key=lambda c: str(c["Status"].get("Timeline", {}).get("CreationDateTime", "")),
    )
    if live:
        return str(live[0]["Id"])
    return str(client.run_job_flow(**{**config, "Name": name})["JobFlowId"])
