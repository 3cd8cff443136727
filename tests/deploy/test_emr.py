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


def test_the_cluster_runs_where_the_developers_vpn_reaches_it(moto_endpoint) -> None:
    """With Terraform's subnet and primary-node group in the profile, both clusters are placed
    there (moto's run_job_flow records the placement); without them, nowhere in particular."""
    import boto3

    from airlake.deploy.emr import intraday_cluster_config

    ec2 = boto3.client("ec2", endpoint_url=moto_endpoint, region_name="eu-west-1")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="emr-primary", Description="vpn", VpcId=vpc)
    values = profile_values(
        "sandbox",
        environ={
            "AIRLAKE_EMR__SUBNET_ID": subnet,
            "AIRLAKE_EMR__PRIMARY_SECURITY_GROUP_ID": group["GroupId"],
        },
    )
    settings = load_settings("sandbox", environ={})
    emr = boto3.client("emr", endpoint_url=moto_endpoint, region_name="eu-west-1")
    for config in (cluster_config(settings, values), intraday_cluster_config(settings, values)):
        assert config["Instances"]["Ec2SubnetId"] == subnet
        cluster = emr.run_job_flow(**config)["JobFlowId"]
        attributes = emr.describe_cluster(ClusterId=cluster)["Cluster"]["Ec2InstanceAttributes"]
        assert attributes["Ec2SubnetId"] == subnet
        assert attributes["AdditionalMasterSecurityGroups"] == [group["GroupId"]]
    unplaced = cluster_config(settings, profile_values("sandbox", environ={}))["Instances"]
    assert "Ec2SubnetId" not in unplaced and "AdditionalMasterSecurityGroups" not in unplaced


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
