"""Provider releases a project adds in requirements.txt: preflight's verdict against the real one.

For each target: its real worker environment plus the requirements below (``build_target_env``,
the same environment ``--install`` builds: the image, then the requirements under the target's
constraints) is the truth; every import line is executed there on its own. preflight's static
checks run on the same lines and requirements, offline, twice in this one invocation: with the
provider-release index (now) and with the previous behaviour, where an import under a provider
the requirements add was passed unjudged (the old code path, restored by replacing the
provider lookup with one that finds nothing). A miss is a line that fails to import that gets
no error; a false error is an error on a line that imports.

Usage: python bench/preflight_providers.py [--target mwaa-X ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.finding import Severity
from airlake.preflight.target_env import build_target_env

REQUIREMENTS = (
    "apache-airflow-providers-snowflake\n"
    "apache-airflow-providers-slack\n"
    "apache-airflow-providers-databricks\n"
)
# one import statement a line: the two the report found unjudged first, then others of the
# same providers, current and historical paths
LINES = [
    "from airflow.providers.snowflake.operators.snowflake import SnowflakeOperator",
    "from airflow.providers.snowflake.transfers.s3_to_snowflake import S3ToSnowflakeOperator",
    "from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook",
    "from airflow.providers.snowflake.operators.snowflake import SnowflakeCheckOperator",
    "from airflow.providers.snowflake.transfers.copy_into_snowflake import "
    "CopyFromExternalStageToSnowflakeOperator",
    "from airflow.providers.snowflake.transfers.snowflake_to_slack import SnowflakeToSlackOperator",
    "from airflow.providers.slack.operators.slack import SlackAPIPostOperator",
    "from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator",
    "from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook",
    "from airflow.providers.slack.notifications.slack import send_slack_notification",
    "from airflow.providers.slack.transfers.sql_to_slack import SqlToSlackOperator",
    "from airflow.providers.slack.transfers.sql_to_slack import SqlToSlackApiFileOperator",
    "from airflow.providers.databricks.operators.databricks import DatabricksSubmitRunOperator",
    "from airflow.providers.databricks.operators.databricks import DatabricksRunNowOperator",
    "from airflow.providers.databricks.operators.databricks_sql import DatabricksSqlOperator",
    "from airflow.providers.databricks.sensors.databricks_partition import "
    "DatabricksPartitionSensor",
    "from airflow.providers.databricks.operators.databricks_workflow import "
    "DatabricksWorkflowTaskGroup",
    "from airflow.providers.databricks.hooks.databricks_base import BaseDatabricksHook",
]

TRUTH = r"""
import json, sys, traceback, warnings
warnings.simplefilter("ignore")
out = {}
for line in json.loads(sys.argv[1]):
    try:
        exec(line, {})
        out[line] = None
    except BaseException as exc:
        out[line] = f"{type(exc).__name__}: {exc}"[:200]
print("TRUTH " + json.dumps(out))
"""


def truth(python: Path) -> dict[str, str | None]:
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run(
            [str(python), "-c", TRUTH, json.dumps(LINES)],
            capture_output=True,
            text=True,
            check=False,
            env={
                "PATH": os.environ.get("PATH", ""),
                "AIRFLOW_HOME": home,
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            },
        )
    marker = next(line for line in done.stdout.splitlines() if line.startswith("TRUTH "))
    result: dict[str, str | None] = json.loads(marker[len("TRUTH ") :])
    return result


def verdicts(project: Path, target_name: str) -> dict[int, list[str]]:
    """Line number → ids of the errors (and PF212 'not judged') preflight reports there."""
    out: dict[int, list[str]] = {}
    for f in run_checks(load_project(project), load_target(target_name)):
        if f.path == "dags/lines.py" and (f.severity is Severity.ERROR or f.id == "PF212"):
            out.setdefault(f.line, []).append(f.id)
    return out


def score(found: dict[int, list[str]], failing: set[int]) -> tuple[int, int, int]:
    """(misses, false errors, not judged); a line reported as not judged is no miss."""
    errors = {n for n, ids in found.items() if any(i != "PF212" for i in ids)}
    unjudged = {n for n, ids in found.items() if ids == ["PF212"]}
    return len(failing - errors - unjudged), len(errors - failing), len(unjudged)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", action="append")
    args = parser.parse_args(argv)
    targets = args.target or ["mwaa-2.10.3", "mwaa-3.0.6"]
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "dags").mkdir()
        (project / "dags" / "lines.py").write_text("\n".join(LINES) + "\n")
        (project / "requirements.txt").write_text(REQUIREMENTS)
        print(
            "| target | lines | fail for real | before: misses | before: false errors "
            "| now: misses | now: false errors | not judged |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name in targets:
            started = time.perf_counter()
            env = build_target_env(load_target(name), REQUIREMENTS)
            real = truth(env.python)
            now = verdicts(project, name)
            with mock.patch(
                "airlake.preflight.checks_dags.installed_provider", lambda *a, **k: None
            ):
                before = verdicts(project, name)
            failing = {i for i, line in enumerate(LINES, 1) if real[line]}
            b, n = score(before, failing), score(now, failing)
            print(
                f"| {name} | {len(LINES)} | {len(failing)} | {b[0]} | {b[1]} | {n[0]} | {n[1]} "
                f"| {n[2]} |",
                flush=True,
            )
            for i in sorted(failing):
                print(f"    fails: {LINES[i - 1]} -> {real[LINES[i - 1]]}", file=sys.stderr)
            print(
                f"    ({time.perf_counter() - started:.0f} s, env cached: {env.cached})",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
