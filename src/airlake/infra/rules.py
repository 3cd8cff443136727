"""What an MWAA + EMR + Athena environment needs from the network, IAM and S3, and what
developer access (the Client VPN, SSO assignments) may allow — one list of rules,
applied to the Terraform code before deploying and to the live account after (pure: the
collected facts in, results out).

Each rule is one function whose docstring is its summary; ``RULES`` lists them in their order
(the developer-access rules are :mod:`airlake.infra.access_rules`).
Generic Terraform checks (bucket ACLs and policies, versioning, logging, ...) are checkov's, which
``airlake verify`` runs beside these on the code (:mod:`airlake.infra.checkov`); the rules here
are what the platform needs, and what can also be read back from an account.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence

from airlake.infra.access_rules import (
    own_account,
    sso_admin_to_admins,
    sso_own_account,
    vpn_connection_logging,
    vpn_narrow_ingress,
    vpn_no_all_groups,
    vpn_no_internet_authorization,
    vpn_sso_authentication,
)
from airlake.infra.facts import ADMIN_POLICIES, INTERNET, Facts, Role, Statement
from airlake.infra.result import Result, Status, failed

__all__ = ["RULES", "Result", "Rule", "Status", "evaluate", "failed"]


REQUIRED_ENDPOINTS = (
    "s3",
    "monitoring",
    "ecr.api",
    "ecr.dkr",
    "logs",
    "sqs",
    "kms",
    "airflow.api",
    "airflow.env",
    "airflow.ops",
    "elasticmapreduce",
    "athena",
    "glue",
    "sts",
)
"""VPC endpoint services MWAA needs without a NAT (first ten) and the DAG's own calls (last four)."""

REQUIRED_ACTIONS = (
    "airflow:PublishMetrics",
    "s3:GetObject",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "sqs:ReceiveMessage",
    "sqs:SendMessage",
    "kms:Decrypt",
    "elasticmapreduce:RunJobFlow",
    "elasticmapreduce:AddJobFlowSteps",
    "elasticmapreduce:DescribeStep",
    "elasticmapreduce:ListClusters",
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "glue:GetTable",
    "iam:PassRole",
)

ROLE_ESCALATION_ACTIONS = (
    "iam:PassRole",
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:UpdateAssumeRolePolicy",
)
"""Granted on every role, any one of these lets the holder act as any role of the account."""


def _matches(action: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def _allows(statements: Sequence[Statement], action: str) -> bool:
    allowed = any(
        s.effect == "Allow" and any(_matches(action, a) for a in s.actions) for s in statements
    )
    denied = any(
        s.effect == "Deny" and "*" in s.resources and any(_matches(action, a) for a in s.actions)
        for s in statements
    )
    return allowed and not denied


_ARN = re.compile(r"^arn:[^:]*:([^:]*):[^:]*:[^:]*:(.*)$")
_INTERPOLATION = re.compile(r"\$\{[^}]*\}")


def _every_role(resource: str) -> bool:
    """Whether a policy resource covers any role of an account (``*``, ``arn:aws:iam::*:role/*``).

    A resource that is one unresolved Terraform expression names specific roles; an expression
    inside an ARN stands for one value (the account id, the environment's name).
    """
    if resource == "*":
        return True
    parsed = _ARN.match(_INTERPOLATION.sub("x", resource))
    return bool(
        parsed
        and fnmatch.fnmatchcase("iam", parsed.group(1))
        and fnmatch.fnmatchcase("role/some-other-team/any-role", parsed.group(2))
    )


def _statement(s: Statement) -> str:
    where = f" ({s.source})" if s.source else ""
    return f"{','.join(s.actions)} on {','.join(s.resources)}{where}"


def _roles_evidence(roles: Sequence[Role], found: Sequence[str], clean: str) -> str:
    return "; ".join(found) if found else f"{len(roles)} role(s): {clean}"


def private_subnets(f: Facts) -> Result:
    """NET001: exactly two private subnets, in two availability zones."""
    ok = len(f.subnets) == 2 and len({s.az for s in f.subnets}) == 2
    return Result(
        "NET001",
        Status.PASS if ok else Status.FAIL,
        f"private subnets: {', '.join(f'{s.id} ({s.az})' for s in f.subnets) or 'none'}",
        "MWAA needs exactly two private subnets in two different availability zones",
    )


def no_internet_route(f: Facts) -> Result:
    """NET002: no route from the private subnets to an internet gateway."""
    igw = [(s.id, rt) for s in f.subnets for rt in s.routes_to_igw]
    return Result(
        "NET002",
        Status.FAIL if igw else Status.PASS,
        "; ".join(f"subnet {sid} routes to an internet gateway via {rt}" for sid, rt in igw)
        or "no internet gateway route",
        "remove the 0.0.0.0/0 → igw-… route from the private subnets' route tables (use endpoints or a NAT)",
    )


def endpoints_or_nat(f: Facts) -> Result:
    """NET003: a VPC endpoint (private DNS on) for every service MWAA and the DAG call, or a NAT."""
    if f.nat:
        return Result("NET003", Status.PASS, "a NAT gateway routes the private subnets out", "—")
    present = {e.service for e in f.endpoints if e.kind == "Gateway" or e.private_dns}
    missing = [svc for svc in REQUIRED_ENDPOINTS if svc not in present]
    no_dns = sorted(e.service for e in f.endpoints if e.kind == "Interface" and not e.private_dns)
    return Result(
        "NET003",
        Status.FAIL if missing else Status.PASS,
        (
            f"missing VPC endpoints: {', '.join(missing)}"
            if missing
            else "every required endpoint present"
        )
        + (f"; without private DNS: {', '.join(no_dns)}" if no_dns else ""),
        "add interface endpoints (private DNS on) for the missing services, or a NAT gateway",
    )


def self_referencing_group(f: Facts) -> Result:
    """NET004: MWAA's security group lets all traffic in from itself."""
    return Result(
        "NET004",
        Status.PASS if f.security_group_self_reference else Status.FAIL,
        f"security group {f.security_group or '(none)'}: "
        + (
            "allows all traffic from itself"
            if f.security_group_self_reference
            else "no self-referencing rule"
        ),
        "add an ingress rule: all protocols, source = the security group itself",
    )


def no_internet_ingress(f: Facts) -> Result:
    """NET005: no security group lets traffic in from anywhere (0.0.0.0/0 or ::/0), on any port."""
    open_ = [i for i in f.ingress if i.cidr in INTERNET]
    return Result(
        "NET005",
        Status.FAIL if open_ else Status.PASS,
        "; ".join(f"{i.source}: {i.ports} from {i.cidr}" for i in open_)
        or "no ingress from 0.0.0.0/0 or ::/0",
        "remove the ingress from 0.0.0.0/0 / ::/0; admit the VPC's range or a security group",
    )


def execution_role_actions(f: Facts) -> Result:
    """IAM001: the MWAA execution role may do what MWAA and the DAG call."""
    role = next((r for r in f.roles if r.name == f.execution_role), None)
    statements = role.statements if role else ()
    lacking = [a for a in REQUIRED_ACTIONS if not _allows(statements, a)]
    return Result(
        "IAM001",
        Status.FAIL if lacking else Status.PASS,
        f"execution role {f.execution_role or '(none)'}: "
        + (f"missing {', '.join(lacking)}" if lacking else "has every needed action"),
        "grant the missing actions, scoped to the environment's resources",
    )


def no_wildcard_grant(f: Facts) -> Result:
    """IAM002: no policy reaching a role (the MWAA execution role, the EMR roles, any other)
    allows a wildcard action (``*``, ``*:*``, ``s3:*``) on every resource."""
    found = [
        f"{r.name}: {_statement(s)}"
        for r in f.roles
        for s in r.statements
        if s.wildcard_on_everything
    ]
    return Result(
        "IAM002",
        Status.FAIL if found else Status.PASS,
        _roles_evidence(f.roles, found, "no wildcard action on every resource"),
        "replace wildcard actions on '*' with the specific actions and resources",
    )


def no_role_escalation(f: Facts) -> Result:
    """IAM003: no policy reaching a role allows passing or changing every role (``iam:*`` or
    ``iam:PassRole`` on ``arn:aws:iam::*:role/*``); a wildcard on every resource is IAM002's."""
    found = [
        f"{r.name}: {_statement(s)}"
        for r in f.roles
        for s in r.statements
        if s.effect == "Allow"
        and not s.wildcard_on_everything
        and any(_matches(e, a) for e in ROLE_ESCALATION_ACTIONS for a in s.actions)
        and any(_every_role(res) for res in s.resources)
    ]
    return Result(
        "IAM003",
        Status.FAIL if found else Status.PASS,
        _roles_evidence(f.roles, found, "no IAM action on every role"),
        "scope iam: actions to the environment's own role ARNs (iam:PassRole to the EMR roles only)",
    )


def no_admin_policy(f: Facts) -> Result:
    """IAM004: no role holds AdministratorAccess, PowerUserAccess or IAMFullAccess."""
    found = [
        f"{r.name}: {arn}"
        for r in f.roles
        for arn in r.managed_policies
        if arn.rsplit("/", 1)[-1] in ADMIN_POLICIES and ":iam::aws:policy/" in arn
    ]
    return Result(
        "IAM004",
        Status.FAIL if found else Status.PASS,
        _roles_evidence(f.roles, found, f"none holds {', '.join(ADMIN_POLICIES)}"),
        "detach the AWS admin policy; grant the role's own least-privilege policy instead",
    )


def private_webserver(f: Facts) -> Result | None:
    """MWA001: the Airflow UI is reachable from the VPC only (webserver_access_mode PRIVATE_ONLY)."""
    if not f.webservers:
        return None
    public = [w for w in f.webservers if w.access_mode == "PUBLIC_ONLY"]
    unknown = [w for w in f.webservers if w.access_mode not in ("PUBLIC_ONLY", "PRIVATE_ONLY")]
    return Result(
        "MWA001",
        Status.FAIL if public else Status.WARN if unknown else Status.PASS,
        "; ".join(
            f"{w.environment}: webserver_access_mode = {w.access_mode}" for w in f.webservers
        ),
        'set webserver_access_mode = "PRIVATE_ONLY" and reach the UI through the VPC',
    )


def public_access_blocked(f: Facts) -> Result:
    """S3001: every bucket has all four Block Public Access settings on."""
    public = [b for b in f.buckets if not b.public_access_blocked]
    if not f.buckets:
        evidence = "no buckets found"
    elif public:
        evidence = "public access not blocked: " + "; ".join(
            f"{b.name}: "
            + (
                "no public access block"
                if len(b.unblocked) == 4
                else f"{', '.join(b.unblocked)} off"
            )
            for b in public
        )
    else:
        evidence = f"{len(f.buckets)} bucket(s), all blocked"
    return Result(
        "S3001",
        Status.FAIL if public or not f.buckets else Status.PASS,
        evidence,
        "enable all four S3 Block Public Access settings on every bucket",
    )


def default_encryption(f: Facts) -> Result:
    """S3002: every bucket has a default server-side encryption configuration."""
    plain = [b.name for b in f.buckets if not b.encrypted]
    return Result(
        "S3002",
        Status.FAIL if plain else Status.PASS,
        f"no default encryption: {', '.join(plain)}"
        if plain
        else f"{len(f.buckets)} bucket(s), all encrypted by default",
        "add a server-side encryption configuration (aws:kms with the environment's data key)",
    )


def bundle_constraints(f: Facts) -> Result | None:
    """BND001: the MWAA bundle's requirements.txt carries the target's constraints line."""
    if f.constraints_line is None:
        return None
    return Result(
        "BND001",
        Status.PASS if f.constraints_line else Status.FAIL,
        "requirements.txt "
        + ("has" if f.constraints_line else "lacks")
        + " the target's constraints line",
        "rebuild the bundle: airlake mwaa bundle --env <env>",
    )


Rule = Callable[[Facts], Result | None]

RULES: tuple[Rule, ...] = (
    private_subnets,
    no_internet_route,
    endpoints_or_nat,
    self_referencing_group,
    no_internet_ingress,
    execution_role_actions,
    no_wildcard_grant,
    no_role_escalation,
    no_admin_policy,
    private_webserver,
    public_access_blocked,
    default_encryption,
    bundle_constraints,
    own_account,
    vpn_no_all_groups,
    vpn_no_internet_authorization,
    vpn_connection_logging,
    vpn_sso_authentication,
    vpn_narrow_ingress,
    sso_admin_to_admins,
    sso_own_account,
)
"""Every rule, in the order of their results. A rule returns None where its facts do not exist
(no MWAA environment among the facts, no bundle looked at)."""


def evaluate(f: Facts) -> list[Result]:
    """Every rule's result, in the order of ``RULES``."""
    return [r for rule in RULES if (r := rule(f)) is not None]
