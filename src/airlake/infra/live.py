"""Reading a deployed environment through boto3 into the facts the rules check.

Honours ``AWS_ENDPOINT_URL`` (or ``endpoint_url``), so it runs against moto's server in tests.
The environment's resources are those named after it (``airlake-production-*``): every role
with its inline and attached policies, every bucket with its public access block and default
encryption, and every security group of its VPC, evaluated by the same rules as the Terraform
code (the rules' action matching is what ``simulate_principal_policy`` would answer for these
actions; policies with conditions are taken at face value). The MWAA environment's own
settings are not read here: its web server access mode is checked on the code.
"""

from __future__ import annotations

from typing import Any

from airlake.errors import UserError
from airlake.infra.policy import statements
from airlake.infra.rules import (
    ADMIN_POLICIES,
    Bucket,
    Endpoint,
    Facts,
    Ingress,
    Role,
    Statement,
    Subnet,
)

BLOCK_PUBLIC_ACCESS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=endpoint_url)


def facts_from_account(name: str, region: str, endpoint_url: str | None = None) -> Facts:
    """Facts of the environment whose resources are named ``name`` (e.g. airlake-production)."""
    from botocore.exceptions import BotoCoreError, ClientError

    f = Facts()
    try:
        ec2 = _client("ec2", region, endpoint_url)
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"]
        if not vpcs:
            raise UserError(f"no VPC tagged Name={name} in {region}: is the environment deployed?")
        vpc = vpcs[0]["VpcId"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "RouteTables"
        ]
        for sn in subnets:
            if sn.get("MapPublicIpOnLaunch"):
                continue
            igw = tuple(
                rt["RouteTableId"]
                for rt in tables
                if any(a.get("SubnetId") == sn["SubnetId"] for a in rt.get("Associations", []))
                and any(
                    str(r.get("GatewayId", "")).startswith("igw-") for r in rt.get("Routes", [])
                )
            )
            f.subnets.append(Subnet(sn["SubnetId"], sn["AvailabilityZone"], igw))
        f.nat = bool(
            ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc]}]).get(
                "NatGateways"
            )
        )
        for ep in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "VpcEndpoints"
        ]:
            service = ep["ServiceName"].split(f".{region}.", 1)[-1]
            f.endpoints.append(
                Endpoint(
                    service,
                    bool(ep.get("PrivateDnsEnabled")),
                    ep.get("VpcEndpointType", "Interface"),
                )
            )
        groups = ec2.describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [f"{name}-mwaa"]}]
        )["SecurityGroups"]
        if groups:
            sg = groups[0]
            f.security_group = f"{sg['GroupId']} ({sg['GroupName']})"
            f.security_group_self_reference = any(
                pair.get("GroupId") == sg["GroupId"]
                for rule in sg.get("IpPermissions", [])
                for pair in rule.get("UserIdGroupPairs", [])
            )
        for group in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "SecurityGroups"
        ]:
            f.ingress.extend(_ingress(group))
        iam = _client("iam", region, endpoint_url)
        for page in iam.get_paginator("list_roles").paginate():
            for role in page["Roles"]:
                if role["RoleName"].startswith(f"{name}-"):
                    f.roles.append(_role(iam, role["RoleName"]))
        f.execution_role = f"{name}-execution"
        if not any(r.name == f.execution_role for r in f.roles):
            f.execution_role += " (missing)"
        s3 = _client("s3", region, endpoint_url)
        for bucket in s3.list_buckets()["Buckets"]:
            if bucket["Name"].startswith(f"{name}-"):
                f.buckets.append(_bucket(s3, bucket["Name"]))
    except (BotoCoreError, ClientError) as exc:
        raise UserError(f"cannot read the AWS account: {exc}") from None
    return f


def _ingress(group: dict[str, Any]) -> list[Ingress]:
    source = f"{group['GroupId']} ({group.get('GroupName', '')})"
    out: list[Ingress] = []
    for rule in group.get("IpPermissions", []):
        protocol = str(rule.get("IpProtocol", "-1"))
        if protocol == "-1":
            ports = "all traffic"
        elif rule.get("FromPort") == rule.get("ToPort"):
            ports = f"{rule.get('FromPort')}/{protocol}"
        else:
            ports = f"{rule.get('FromPort')}-{rule.get('ToPort')}/{protocol}"
        cidrs = [r["CidrIp"] for r in rule.get("IpRanges", [])] + [
            r["CidrIpv6"] for r in rule.get("Ipv6Ranges", [])
        ]
        out.extend(Ingress(source, cidr, ports) for cidr in cidrs)
    return out


def _role(iam: Any, role: str) -> Role:
    """A role with its inline policies' statements and its attached policies: AWS's admin
    policies by name (IAM004), every other attached policy by its default version's document."""
    found: list[Statement] = []
    managed = []
    for policy in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
        found.extend(statements(document, f"inline policy {policy}"))
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        arn = attached["PolicyArn"]
        if ":iam::aws:policy/" in arn:
            managed.append(arn)
            if arn.rsplit("/", 1)[-1] in ADMIN_POLICIES:
                continue
        meta = iam.get_policy(PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=meta["DefaultVersionId"])
        found.extend(statements(version["PolicyVersion"]["Document"], arn))
    return Role(role, tuple(found), tuple(managed))


def _bucket(s3: Any, name: str) -> Bucket:
    from botocore.exceptions import ClientError

    try:
        conf = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        unblocked = tuple(k for k in BLOCK_PUBLIC_ACCESS if not conf.get(k))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchPublicAccessBlockConfiguration":
            raise
        unblocked = BLOCK_PUBLIC_ACCESS
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        encrypted = bool(rules)
    except ClientError as exc:
        if (
            exc.response.get("Error", {}).get("Code")
            != "ServerSideEncryptionConfigurationNotFoundError"
        ):
            raise
        encrypted = False
    return Bucket(name, unblocked, encrypted)
