from datetime import date

from airlake.deploy.emr import cluster_config, steps_for_run
from airlake.settings import load_settings, profile_values


def test_one_spark_step_per_stage_with_the_run_arguments() -> None:
    settings = load_settings("production", environ={})
    steps = steps_for_run(
        date(2026, 11, 10),
        settings,
        ["ingest", "clean"],
        "s3://a/airlake.zip",
        "s3://a/spark_job.py",
    )
    assert [s["Name"] for s in steps] == [
        "airlake production ingest 2026-11-10",
        "airlake production clean 2026-11-10",
    ]
    args = steps[0]["HadoopJarStep"]["Args"]
    assert steps[0]["HadoopJarStep"]["Jar"] == "command-runner.jar"
    assert args[:3] == ["spark-submit", "--deploy-mode", "cluster"]
    assert args[-6:] == [
        "s3://a/spark_job.py",
        "ingest",
        "--date",
        "2026-11-10",
        "--env",
        "production",
    ]
    assert "spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS" in args


def test_cluster_is_sized_from_the_profile() -> None:
    values = profile_values("sandbox")
    config = cluster_config(load_settings("sandbox", environ={}), values)
    core = next(g for g in config["Instances"]["InstanceGroups"] if g["InstanceRole"] == "CORE")
    assert core["InstanceType"] == values["sizing"]["emr_core_instance_type"]
    assert core["InstanceCount"] == values["sizing"]["emr_core_instance_count"]
    assert core["Market"] == "SPOT"  # sandbox runs its core nodes on spot
    assert config["ServiceRole"] == "airlake-sandbox-emr-service"


def test_intraday_cluster_is_the_daily_one_smaller_and_ends_itself_when_idle() -> None:
    from airlake.deploy.emr import INTRADAY_IDLE_SECONDS, intraday_cluster_config

    settings = load_settings("production", environ={})
    values = profile_values("production", environ={})
    daily = cluster_config(settings, values)
    intraday = intraday_cluster_config(settings, values)
    cores = {g["InstanceRole"]: g for g in intraday["Instances"]["InstanceGroups"]}
    assert cores["CORE"]["InstanceCount"] == values["sizing"]["emr_intraday_core_instance_count"]
    assert cores["CORE"]["InstanceType"] == values["sizing"]["emr_core_instance_type"]
    assert intraday["AutoTerminationPolicy"] == {"IdleTimeout": INTRADAY_IDLE_SECONDS}
    assert intraday["Name"] == "airlake-production-intraday"
    for key in ("ReleaseLabel", "BootstrapActions", "Configurations", "ServiceRole"):
        assert intraday[key] == daily[key], key
