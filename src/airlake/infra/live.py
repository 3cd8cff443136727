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
from airlake.infra.facts import (
    ADMIN_POLICIES,
    Assignment,
    Bucket,
    Endpoint,
    Facts,
    Ingress,
    PermissionSet,
    Role,
    Statement,
    Subnet,
)
from airlake.infra.policy import statements

BLOCK_PUBLIC_ACCESS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=endpoint_url)


def facts_from_account(
    name: str, region: str, endpoint_url: str | None = None, account_id: str = ""
) -> Facts:
    """Facts of the environment whose resources are named ``name`` (e.g. airlake-production),
    with the assignments of its permission sets to ``account_id`` (its own account)."""
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
            if group.get("GroupName") == f"{name}-client-vpn":
                f.vpn_groups.append(group["GroupId"])
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
    try:
        _sso(f, name, account_id, region, endpoint_url)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in (
            "AccessDeniedException",
            "AccessDenied",
        ):
            raise UserError(f"cannot read IAM Identity Center: {exc}") from None
        # the credentials of the environment's account seldom reach the Identity Center
        # account: the SSO rule says so instead of passing on nothing
        f.sso_unreadable = str(exc)
    except BotoCoreError as exc:
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
        out.extend(
            Ingress(source, "", ports, pair["GroupId"])
            for pair in rule.get("UserIdGroupPairs", [])
            if pair.get("GroupId") and pair["GroupId"] != group["GroupId"]
        )
    return out


def _pages(call: Any, key: str, **params: Any) -> list[Any]:
    """Every item of a paginated list call (``NextToken``)."""
    items: list[Any] = []
    while True:
        page = call(**params)
        items.extend(page.get(key, []))
        if not page.get("NextToken"):
            return items
        params["NextToken"] = page["NextToken"]


def _sso(f: Facts, name: str, account_id: str, region: str, endpoint_url: str | None) -> None:
    """The environment's permission sets (named ``<name>-*``) in IAM Identity Center, their
    policies, and their assignments in the environment's account, groups by display name."""
    sso = _client("sso-admin", region, endpoint_url)
    store = _client("identitystore", region, endpoint_url)
    for instance in _pages(sso.list_instances, "Instances"):
        arn, store_id = instance["InstanceArn"], instance["IdentityStoreId"]
        for ps_arn in _pages(sso.list_permission_sets, "PermissionSets", InstanceArn=arn):
            ps = sso.describe_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn)
            ps_name = ps["PermissionSet"]["Name"]
            if not ps_name.startswith(f"{name}-"):
                continue
            managed = _pages(
                sso.list_managed_policies_in_permission_set,
                "AttachedManagedPolicies",
                InstanceArn=arn,
                PermissionSetArn=ps_arn,
            )
            inline = sso.get_inline_policy_for_permission_set(
                InstanceArn=arn, PermissionSetArn=ps_arn
            ).get("InlinePolicy")
            f.permission_sets.append(
                PermissionSet(
                    ps_arn,
                    ps_name,
                    tuple(p["Arn"] for p in managed),
                    tuple(statements(inline, f"{ps_name} inline policy")) if inline else (),
                )
            )
            if not account_id:
                continue
            for a in _pages(
                sso.list_account_assignments,
                "AccountAssignments",
                InstanceArn=arn,
                AccountId=account_id,
                PermissionSetArn=ps_arn,
            ):
                principal = a["PrincipalId"]
                if a["PrincipalType"] == "GROUP":
                    principal = store.describe_group(IdentityStoreId=store_id, GroupId=principal)[
                        "DisplayName"
                    ]
                f.assignments.append(
                    Assignment(
                        f"assignment of {ps_name}",
                        ps_arn,
                        principal,
                        a["PrincipalType"],
                        a["AccountId"],
                    )
                )


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
