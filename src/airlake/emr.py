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

SPARK_CONF = {
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.session.timeZone": "UTC",
}


def spark_submit_args(
    stage: str, day: date | str, env: str, package_uri: str, entry_uri: str
) -> list[str]:
    """The ``spark-submit`` command line of one stage."""
    conf = [item for key, value in SPARK_CONF.items() for item in ("--conf", f"{key}={value}")]
    day_text = day.isoformat() if isinstance(day, date) else day
    return [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        *conf,
        "--py-files",
        package_uri,
        entry_uri,
        stage,
        "--date",
        day_text,
        "--env",
        env,
    ]


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


def cluster_config(settings: Settings, values: Mapping[str, Any]) -> dict[str, Any]:
    """``run_job_flow`` arguments for a transient cluster sized from the profile."""
    sizing = values.get("sizing", {}) if isinstance(values.get("sizing"), Mapping) else {}
    emr = values.get("emr", {}) if isinstance(values.get("emr"), Mapping) else {}
    spot = bool(sizing.get("emr_core_spot", False))
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
        },
        "Configurations": [
            {"Classification": "spark-defaults", "Properties": dict(SPARK_CONF)},
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
