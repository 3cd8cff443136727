"""``verify --live`` against moto's server on 127.0.0.1: a correct environment passes every
check; a deliberately broken one fails exactly the checks it should, naming the resource; an
insecure one (an admin policy, IAM on every role, internet ingress, a public or unencrypted
bucket) is caught by the same rules as the code."""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner

from airlake.cli import cli
from airlake.infra.rules import REQUIRED_ACTIONS, REQUIRED_ENDPOINTS, Status
from airlake.infra.verify import verify

pytestmark = pytest.mark.integration
REGION = "eu-west-1"
NAME = "airlake-production"


@pytest.fixture
def moto(moto_endpoint: str) -> str:
    return moto_endpoint


def build(broken: bool) -> dict[str, str]:
    """An environment as Terraform would build it — or with five deliberate mistakes."""
    ec2, iam, s3 = boto3.client("ec2"), boto3.client("iam"), boto3.client("s3")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": NAME}])
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.0.0/20", AvailabilityZone="eu-west-1a")[
            "Subnet"
        ]["SubnetId"]
    ]
    if not broken:
        subnets.append(
            ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.16.0/20", AvailabilityZone="eu-west-1b")[
                "Subnet"
            ]["SubnetId"]
        )
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for sn in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=sn)
    if broken:
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    sg = ec2.create_security_group(GroupName=f"{NAME}-mwaa", Description="mwaa", VpcId=vpc)[
        "GroupId"
    ]
    if not broken:
        ec2.authorize_security_group_ingress(
            GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg}]}]
        )
    for service in REQUIRED_ENDPOINTS:
        if service == "s3":
            ec2.create_vpc_endpoint(
                VpcId=vpc,
                ServiceName=f"com.amazonaws.{REGION}.s3",
                VpcEndpointType="Gateway",
                RouteTableIds=[table],
            )
        else:
            ec2.create_vpc_endpoint(
                VpcId=vpc,
                ServiceName=f"com.amazonaws.{REGION}.{service}",
                VpcEndpointType="Interface",
                SubnetIds=subnets,
                SecurityGroupIds=[sg],
                PrivateDnsEnabled=True,
            )
    iam.create_role(
        RoleName=f"{NAME}-execution",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "airflow.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    statement = (
        {"Effect": "Allow", "Action": "*", "Resource": "*"}
        if broken
        else {
            "Effect": "Allow",
            "Action": list(REQUIRED_ACTIONS),
            "Resource": [f"arn:aws:s3:::{NAME}-mwaa-source/*"],
        }
    )
    iam.put_role_policy(
        RoleName=f"{NAME}-execution",
        PolicyName="airlake",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    for suffix in ("landing", "warehouse", "athena-results", "mwaa-source"):
        bucket = f"{NAME}-{suffix}"
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
            },
        )
        if not (broken and suffix == "landing"):
            s3.put_public_access_block(
                Bucket=bucket, PublicAccessBlockConfiguration=dict.fromkeys(BLOCK_PUBLIC, True)
            )
    return {"subnet": subnets[0], "table": table, "sg": sg, "vpc": vpc}


BLOCK_PUBLIC = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def make_insecure(ids: dict[str, str]) -> str:
    """Five insecure changes to a correct environment, as someone might make them by hand."""
    ec2, iam, s3 = boto3.client("ec2"), boto3.client("iam"), boto3.client("s3")
    iam.create_role(RoleName=f"{NAME}-emr-service", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(
        RoleName=f"{NAME}-emr-service", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    iam.create_role(RoleName=f"{NAME}-emr-ec2", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(
        RoleName=f"{NAME}-emr-ec2",
        PolicyName="roles",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::*:role/*"}
                ],
            }
        ),
    )
    web = ec2.create_security_group(GroupName=f"{NAME}-web", Description="web", VpcId=ids["vpc"])
    ec2.authorize_security_group_ingress(
        GroupId=web["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    bucket = f"{NAME}-scratch"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            **dict.fromkeys(BLOCK_PUBLIC, True),
            "RestrictPublicBuckets": False,
        },
    )
    return str(web["GroupId"])


def test_a_correct_environment_passes_every_live_check(moto: str) -> None:
    build(broken=False)
    results = verify("production", live=True, endpoint_url=moto)
    assert {r.check: r.status for r in results} == {
        c: Status.PASS
        for c in (
            "NET001",
            "NET002",
            "NET003",
            "NET004",
            "NET005",
            "IAM001",
            "IAM002",
            "IAM003",
            "IAM004",
            "S3001",
            "S3002",
        )
    }


def test_a_broken_environment_fails_exactly_the_right_checks(moto: str) -> None:
    ids = build(broken=True)
    results = {r.check: r for r in verify("production", live=True, endpoint_url=moto)}
    assert {c for c, r in results.items() if r.status is Status.FAIL} == {
        "NET001",
        "NET002",
        "NET004",
        "IAM002",
        "S3001",
    }
    assert ids["subnet"] in results["NET001"].evidence
    assert ids["table"] in results["NET002"].evidence
    assert ids["sg"] in results["NET004"].evidence
    assert "airlake-production-landing" in results["S3001"].evidence
    assert "* on *" in results["IAM002"].evidence


def test_cli_exit_codes_and_json(moto: str) -> None:
    build(broken=True)
    result = CliRunner().invoke(
        cli, ["verify", "--env", "production", "--live", "--format", "json"]
    )
    assert result.exit_code == 1
    assert "5 check(s) failed" in result.output
    payload = result.output[: result.output.rindex("]") + 1]
    assert {r["check"] for r in json.loads(payload) if r["status"] == "fail"} == {
        "NET001",
        "NET002",
        "NET004",
        "IAM002",
        "S3001",
    }


def test_an_insecure_environment_fails_the_same_rules_as_the_code(
    moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # AdministratorAccess exists
    group = make_insecure(build(broken=False))
    results = {r.check: r for r in verify("production", live=True, endpoint_url=moto)}
    assert {c for c, r in results.items() if r.status is Status.FAIL} == {
        "NET005",
        "IAM003",
        "IAM004",
        "S3001",
        "S3002",
    }
    assert f"{group} (airlake-production-web): 443/tcp from 0.0.0.0/0" in results["NET005"].evidence
    assert (
        "airlake-production-emr-ec2: iam:* on arn:aws:iam::*:role/* (inline policy roles)"
        in results["IAM003"].evidence
    )
    assert (
        "airlake-production-emr-service: arn:aws:iam::aws:policy/AdministratorAccess"
        in results["IAM004"].evidence
    )
    assert "airlake-production-scratch: RestrictPublicBuckets off" in results["S3001"].evidence
    assert results["S3002"].evidence == "no default encryption: airlake-production-scratch"


ACCOUNT = "333333333333"  # production's account in environments/production.toml
GROUPS = {
    "platform-admin": "airlake-platform-admins",
    "data-engineer": "airlake-data-engineers",
    "analyst": "airlake-analysts",
}


def build_access(vpc: str, insecure: bool) -> dict[str, str]:
    """Developer access as the Terraform builds it: the permission sets assigned to their
    groups in the environment's account, and the VPN's security group admitted to the EMR
    primary node's SSH port. ``insecure``: the admin set also given to the analysts, and the
    primary node open to the VPN on every port. (The Client VPN endpoint itself is not built:
    moto has no Client VPN API, so ``--live`` does not read it.)"""
    sso, store, ec2 = boto3.client("sso-admin"), boto3.client("identitystore"), boto3.client("ec2")
    instance = sso.list_instances()["Instances"][0]
    arn, store_id = instance["InstanceArn"], instance["IdentityStoreId"]
    group_ids = {
        role: store.create_group(IdentityStoreId=store_id, DisplayName=name)["GroupId"]
        for role, name in GROUPS.items()
    }
    sets = {
        role: sso.create_permission_set(InstanceArn=arn, Name=f"{NAME}-{role}")["PermissionSet"][
            "PermissionSetArn"
        ]
        for role in GROUPS
    }
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=arn,
        PermissionSetArn=sets["platform-admin"],
        ManagedPolicyArn="arn:aws:iam::aws:policy/PowerUserAccess",
    )
    sso.put_inline_policy_to_permission_set(
        InstanceArn=arn,
        PermissionSetArn=sets["analyst"],
        InlinePolicy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["athena:StartQueryExecution"],
                        "Resource": [f"arn:aws:athena:*:*:workgroup/{NAME}"],
                    }
                ],
            }
        ),
    )
    pairs = [(role, role) for role in GROUPS]
    if insecure:
        pairs.append(("platform-admin", "analyst"))
    for permission_set, group in pairs:
        sso.create_account_assignment(
            InstanceArn=arn,
            TargetId=ACCOUNT,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=sets[permission_set],
            PrincipalType="GROUP",
            PrincipalId=group_ids[group],
        )
    vpn = ec2.create_security_group(GroupName=f"{NAME}-client-vpn", Description="vpn", VpcId=vpc)
    emr = ec2.create_security_group(
        GroupName=f"{NAME}-emr-primary-access", Description="emr", VpcId=vpc
    )
    ports = (
        {"IpProtocol": "-1"} if insecure else {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
    )
    ec2.authorize_security_group_ingress(
        GroupId=emr["GroupId"],
        IpPermissions=[{**ports, "UserIdGroupPairs": [{"GroupId": vpn["GroupId"]}]}],
    )
    return {"vpn": vpn["GroupId"], "emr": emr["GroupId"]}


def test_developer_access_as_built_passes(moto: str) -> None:
    build_access(build(broken=False)["vpc"], insecure=False)
    results = {r.check: r for r in verify("production", live=True, endpoint_url=moto)}
    assert {c: results[c].status for c in ("VPN005", "SSO001", "SSO002")} == dict.fromkeys(
        ("VPN005", "SSO001", "SSO002"), Status.PASS
    )
    assert results["SSO001"].evidence == (
        "3 assignment(s); admin rights to airlake-platform-admins only"
    )
    assert results["SSO002"].evidence == f"every assignment targets account {ACCOUNT}"
    # the endpoint's own settings (VPN001-VPN004) are read from the code only
    assert not {"VPN001", "VPN002", "VPN003", "VPN004"} & set(results)


def test_an_admin_set_for_analysts_and_a_wide_open_node_fail_live(moto: str) -> None:
    groups = build_access(build(broken=False)["vpc"], insecure=True)
    results = {r.check: r for r in verify("production", live=True, endpoint_url=moto)}
    assert {c for c, r in results.items() if r.status is Status.FAIL} == {"VPN005", "SSO001"}
    assert (
        f"{groups['emr']} (airlake-production-emr-primary-access): all traffic from the VPN "
        f"({groups['vpn']})" in results["VPN005"].evidence
    )
    assert results["SSO001"].evidence == (
        "assignment of airlake-production-platform-admin: airlake-production-platform-admin "
        "to group airlake-analysts"
    )
