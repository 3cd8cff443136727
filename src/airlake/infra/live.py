"""Reading a deployed environment through boto3 into the facts the rules check.

Honours ``AWS_ENDPOINT_URL`` (or ``endpoint_url``), so it runs against moto's server in tests.
IAM is read from the role's inline and attached policies and evaluated by the same rules as
the Terraform code (the rules' action matching is what ``simulate_principal_policy`` would answer
for these actions; policies with conditions are taken at face value).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote as url_unquote

from airlake.errors import UserError
from airlake.infra.rules import Bucket, Endpoint, Facts, Statement, Subnet


def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=endpoint_url)


def _statements(document: Any) -> list[Statement]:
    if isinstance(document, str):
        document = json.loads(url_unquote(document))
    raw = document.get("Statement", [])
    out = []
    for s in raw if isinstance(raw, list) else [raw]:
        actions = s.get("Action", [])
        resources = s.get("Resource", [])
        out.append(
            Statement(
                s.get("Effect", "Allow"),
                tuple(actions if isinstance(actions, list) else [actions]),
                tuple(resources if isinstance(resources, list) else [resources]),
            )
        )
    return out


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
        iam = _client("iam", region, endpoint_url)
        role = f"{name}-execution"
        f.role = role
        try:
            for policy in iam.list_role_policies(RoleName=role)["PolicyNames"]:
                f.statements.extend(
                    _statements(
                        iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
                    )
                )
            for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
                meta = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
                version = iam.get_policy_version(
                    PolicyArn=attached["PolicyArn"], VersionId=meta["DefaultVersionId"]
                )
                f.statements.extend(_statements(version["PolicyVersion"]["Document"]))
        except iam.exceptions.NoSuchEntityException:
            f.role = f"{role} (missing)"
        s3 = _client("s3", region, endpoint_url)
        for bucket in s3.list_buckets()["Buckets"]:
            if not bucket["Name"].startswith(f"{name}-"):
                continue
            try:
                conf = s3.get_public_access_block(Bucket=bucket["Name"])[
                    "PublicAccessBlockConfiguration"
                ]
                blocked = all(
                    conf.get(k)
                    for k in (
                        "BlockPublicAcls",
                        "IgnorePublicAcls",
                        "BlockPublicPolicy",
                        "RestrictPublicBuckets",
                    )
                )
            except ClientError:
                blocked = False
            f.buckets.append(Bucket(bucket["Name"], blocked))
    except (BotoCoreError, ClientError) as exc:
        raise UserError(f"cannot read the AWS account: {exc}") from None
    return f
