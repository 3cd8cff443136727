"""What the worker itself runs: the landing sensor. Standard library + the Amazon provider only.

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
