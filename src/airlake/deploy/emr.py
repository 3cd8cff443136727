"""EMR Spark Steps for a run, and the transient cluster they run on (pure: values in, boto3
request dictionaries out).

Each pipeline stage becomes one step: ``command-runner.jar`` running ``spark-submit`` on the
airlake job entry (``airlake/jobs/spark_job.py``) with the airlake package on ``--py-files`` —
the replacement for a Livy batch. The cluster is sized from the profile's ``[sizing]`` section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from airlake.settings import Settings

EMR_PYTHON = "/usr/bin/python3.11"
"""airlake needs Python 3.11; EMR 7.x ships it beside its default 3.9, selected per cluster."""
BOOTSTRAP_SCRIPT = "emr/bootstrap.sh"
WHEELHOUSE = "emr/wheelhouse"

SPARK_CONF = {
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.session.timeZone": "UTC",
}


def _spark_submit(package_uri: str, entry_uri: str, *args: str) -> list[str]:
    """``spark-submit`` in cluster mode with airlake's Spark settings, the package and the
    entry point, then the entry point's ``args``."""
    conf = [item for key, value in SPARK_CONF.items() for item in ("--conf", f"{key}={value}")]
    return [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        *conf,
        "--py-files",
        package_uri,
        entry_uri,
        *args,
    ]


def spark_submit_args(
    stage: str, day: date | str, env: str, package_uri: str, entry_uri: str
) -> list[str]:
    """The ``spark-submit`` command line of one stage."""
    day_text = day.isoformat() if isinstance(day, date) else day
    return _spark_submit(package_uri, entry_uri, stage, "--date", day_text, "--env", env)


def steps_for_run(
    day: date | str,
    settings: Settings,
    stages: Sequence[str],
    package_uri: str,
    entry_uri: str,
    action_on_failure: str = "CONTINUE",
) -> list[dict[str, Any]]:
    """``Steps`` for ``add_job_flow_steps``: one EMR Spark Step per stage, in order.

    ``CONTINUE`` keeps a shared cluster alive when a step fails; Airflow's step sensor fails the
    task, and the DAG's retry resubmits the step.
    """
    day_text = day.isoformat() if isinstance(day, date) else day
    return [
        {
            "Name": f"airlake {settings.environment} {stage} {day_text}",
            "ActionOnFailure": action_on_failure,
            "HadoopJarStep": {
                "Jar": "command-runner.jar",
                "Args": spark_submit_args(
                    stage, day_text, settings.environment, package_uri, entry_uri
                ),
            },
        }
        for stage in stages
    ]


def refresh_submit_args(env: str, package_uri: str, entry_uri: str, now: str) -> list[str]:
    """The ``spark-submit`` command line of one intraday refresh as of ``now`` (ISO 8601)."""
    return _spark_submit(package_uri, entry_uri, "--refresh", "--env", env, "--now", now)


def refresh_step(settings: Settings, package_uri: str, entry_uri: str, now: str) -> dict[str, Any]:
    """The EMR Spark Step of one intraday refresh (``CONTINUE`` on failure: the cluster is
    shared by the day's refreshes; the next one picks up what this one did not commit)."""
    return {
        "Name": f"airlake {settings.environment} refresh",
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": refresh_submit_args(settings.environment, package_uri, entry_uri, now),
        },
    }


INTRADAY_IDLE_SECONDS = 75 * 60
"""How long the intraday cluster stays up without a step: longer than the gap between two
refreshes on an hourly schedule (the sandbox's) plus a slow refresh, so it lives through the
business day and ends itself 75 minutes after the day's last refresh."""


def intraday_cluster_name(settings: Settings) -> str:
    """The name by which the intraday DAG finds the day's cluster."""
    return f"airlake-{settings.environment}-intraday"


def intraday_cluster_config(settings: Settings, values: Mapping[str, Any]) -> dict[str, Any]:
    """``run_job_flow`` arguments of the intraday cluster: the daily cluster's release, roles,
    bootstrap and instance types, with the profile's intraday core count and an idle
    auto-termination instead of a terminate task (pure)."""
    sizing = values.get("sizing", {}) if isinstance(values.get("sizing"), Mapping) else {}
    config = cluster_config(settings, values)
    cores = int(sizing.get("emr_intraday_core_instance_count", 1))
    groups = [
        {**g, "InstanceCount": cores} if g["InstanceRole"] == "CORE" else g
        for g in config["Instances"]["InstanceGroups"]
    ]
    return {
        **config,
        "Name": intraday_cluster_name(settings),
        "Instances": {**config["Instances"], "InstanceGroups": groups},
        "AutoTerminationPolicy": {"IdleTimeout": INTRADAY_IDLE_SECONDS},
        "Tags": [*config["Tags"], {"Key": "airlake:role", "Value": "intraday"}],
    }


def artifacts_uri(settings: Settings, values: Mapping[str, Any]) -> str:
    """Where the bundle's EMR artifacts (package, entry, bootstrap, wheelhouse) are uploaded."""
    storage = values.get("storage", {}) if isinstance(values.get("storage"), Mapping) else {}
    return str(storage.get("artifacts", settings.warehouse_uri)).rstrip("/")


def artifact_uris(settings: Settings, values: Mapping[str, Any]) -> tuple[str, str]:
    """(package zip for ``--py-files``, job entry) as the profile names them."""
    emr = values.get("emr", {}) if isinstance(values.get("emr"), Mapping) else {}
    base = artifacts_uri(settings, values)
    return (
        str(emr.get("package_uri", f"{base}/airlake.zip")),
        str(emr.get("entry_uri", f"{base}/spark_job.py")),
    )


def bootstrap_script(wheelhouse_uri: str) -> str:
    """The bootstrap action: airlake's third-party packages for Python 3.11, installed on every
    node from the wheelhouse uploaded with the package, so no step needs a package index."""
    return f"""#!/bin/bash
# airlake bootstrap action: install airlake's runtime packages for {EMR_PYTHON}
set -euo pipefail
sudo dnf install -y python3.11 python3.11-pip >/dev/null 2>&1 || true
rm -rf /tmp/airlake-wheelhouse && mkdir -p /tmp/airlake-wheelhouse
aws s3 cp --recursive --quiet "{wheelhouse_uri}/" /tmp/airlake-wheelhouse/
sudo {EMR_PYTHON} -m pip install --no-index --find-links /tmp/airlake-wheelhouse \
    -r /tmp/airlake-wheelhouse/requirements.txt
"""


def _placement(emr: Mapping[str, Any]) -> dict[str, Any]:
    """Where the cluster runs: the environment's EMR subnet and, on its primary node, the
    security group the developers' Client VPN reaches (Terraform's outputs ``emr_subnet_id``
    and ``emr_primary_security_group_id``, set as ``[emr] subnet_id`` and
    ``primary_security_group_id``). Without them EMR picks the account's default VPC, which
    the VPN does not reach."""
    out: dict[str, Any] = {}
    if subnet := str(emr.get("subnet_id", "")).strip():
        out["Ec2SubnetId"] = subnet
    if group := str(emr.get("primary_security_group_id", "")).strip():
        out["AdditionalMasterSecurityGroups"] = [group]
    return out


def cluster_config(settings: Settings, values: Mapping[str, Any]) -> dict[str, Any]:
    """``run_job_flow`` arguments for a transient cluster sized from the profile, with Spark on
    Python 3.11 and airlake's packages installed by the bundle's bootstrap action."""
    sizing = values.get("sizing", {}) if isinstance(values.get("sizing"), Mapping) else {}
    emr = values.get("emr", {}) if isinstance(values.get("emr"), Mapping) else {}
    spot = bool(sizing.get("emr_core_spot", False))
    base = artifacts_uri(settings, values)
    python_env = {"PYSPARK_PYTHON": EMR_PYTHON, "PYSPARK_DRIVER_PYTHON": EMR_PYTHON}
    return {
        "Name": f"airlake-{settings.environment}",
        "ReleaseLabel": str(emr.get("release_label", "emr-7.5.0")),
        "Applications": [{"Name": "Spark"}],
        "LogUri": str(emr.get("log_uri", f"{settings.warehouse_uri.rstrip('/')}/emr-logs/")),
        "ServiceRole": str(emr.get("service_role", "EMR_DefaultRole")),
        "JobFlowRole": str(emr.get("instance_profile", "EMR_EC2_DefaultRole")),
        "VisibleToAllUsers": True,
        "Instances": {
            "InstanceGroups": [
                {
                    "Name": "primary",
                    "InstanceRole": "MASTER",
                    "Market": "ON_DEMAND",
                    "InstanceType": str(sizing.get("emr_master_instance_type", "m6g.xlarge")),
                    "InstanceCount": 1,
                },
                {
                    "Name": "core",
                    "InstanceRole": "CORE",
                    "Market": "SPOT" if spot else "ON_DEMAND",
                    "InstanceType": str(sizing.get("emr_core_instance_type", "m6g.xlarge")),
                    "InstanceCount": int(sizing.get("emr_core_instance_count", 2)),
                },
            ],
            # Transient: the DAG terminates the cluster after the last step.
            "KeepJobFlowAliveWhenNoSteps": True,
            "TerminationProtected": False,
            **_placement(emr),
        },
        "BootstrapActions": [
            {
                "Name": "airlake packages (Python 3.11)",
                "ScriptBootstrapAction": {"Path": f"{base}/{BOOTSTRAP_SCRIPT}", "Args": []},
            }
        ],
        "Configurations": [
            {"Classification": "spark-defaults", "Properties": dict(SPARK_CONF)},
            {
                "Classification": "spark-env",
                "Configurations": [{"Classification": "export", "Properties": python_env}],
                "Properties": {},
            },
            {
                "Classification": "spark-hive-site",
                "Properties": {
                    "hive.metastore.client.factory.class": (
                        "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"
                    )
                },
            },
        ],
        "Tags": [{"Key": "airlake:environment", "Value": settings.environment}],
    }
