"""What an MWAA + EMR + Athena environment needs from the network, IAM and S3 — one list of rules,
applied to the Terraform code before deploying and to the live account after (pure: the
collected facts in, results out)."""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


class Status(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class Result:
    check: str
    status: Status
    evidence: str
    fix: str


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
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "glue:GetTable",
    "iam:PassRole",
)


@dataclass(frozen=True, slots=True)
class Subnet:
    id: str
    az: str
    routes_to_igw: tuple[str, ...] = ()
    """Route table ids of this subnet that send traffic to an internet gateway."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    service: str  # short name: "s3", "ecr.api", ...
    private_dns: bool
    kind: str = "Interface"


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    public_access_blocked: bool


@dataclass
class Facts:
    """What was read from Terraform or from the account."""

    subnets: list[Subnet] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    nat: bool = False
    security_group: str = ""
    security_group_self_reference: bool = False
    role: str = ""
    statements: list[Statement] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    constraints_line: bool | None = None


def _allows(statements: Sequence[Statement], action: str) -> bool:
    allowed = any(
        s.effect == "Allow"
        and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in s.actions)
        for s in statements
    )
    denied = any(
        s.effect == "Deny"
        and "*" in s.resources
        and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in s.actions)
        for s in statements
    )
    return allowed and not denied


def evaluate(f: Facts) -> list[Result]:
    """Every rule, in a fixed order: NET001..NET004, IAM001..IAM002, S3001, BND001."""
    out: list[Result] = []
    azs = {s.az for s in f.subnets}
    ok = len(f.subnets) == 2 and len(azs) == 2
    out.append(
        Result(
            "NET001",
            Status.PASS if ok else Status.FAIL,
            f"private subnets: {', '.join(f'{s.id} ({s.az})' for s in f.subnets) or 'none'}",
            "MWAA needs exactly two private subnets in two different availability zones",
        )
    )
    igw = [(s.id, rt) for s in f.subnets for rt in s.routes_to_igw]
    out.append(
        Result(
            "NET002",
            Status.FAIL if igw else Status.PASS,
            "; ".join(f"subnet {sid} routes to an internet gateway via {rt}" for sid, rt in igw)
            or "no internet gateway route",
            "remove the 0.0.0.0/0 → igw-… route from the private subnets' route tables (use endpoints or a NAT)",
        )
    )
    present = {e.service for e in f.endpoints if e.kind == "Gateway" or e.private_dns}
    missing = [svc for svc in REQUIRED_ENDPOINTS if svc not in present]
    no_dns = sorted(e.service for e in f.endpoints if e.kind == "Interface" and not e.private_dns)
    if f.nat:
        out.append(
            Result("NET003", Status.PASS, "a NAT gateway routes the private subnets out", "—")
        )
    else:
        out.append(
            Result(
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
        )
    out.append(
        Result(
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
    )
    lacking = [a for a in REQUIRED_ACTIONS if not _allows(f.statements, a)]
    out.append(
        Result(
            "IAM001",
            Status.FAIL if lacking else Status.PASS,
            f"execution role {f.role or '(none)'}: "
            + (f"missing {', '.join(lacking)}" if lacking else "has every needed action"),
            "grant the missing actions, scoped to the environment's resources",
        )
    )
    broad = [
        f"{','.join(s.actions)} on {','.join(s.resources)}"
        for s in f.statements
        if s.effect == "Allow"
        and "*" in s.resources
        and any(a == "*" or a.endswith(":*") for a in s.actions)
    ]
    out.append(
        Result(
            "IAM002",
            Status.FAIL if broad else Status.PASS,
            f"execution role {f.role or '(none)'}: "
            + ("; ".join(broad) if broad else "no wildcard action on every resource"),
            "replace wildcard actions on '*' with the specific actions and resources",
        )
    )
    public = [b.name for b in f.buckets if not b.public_access_blocked]
    out.append(
        Result(
            "S3001",
            Status.FAIL if public or not f.buckets else Status.PASS,
            (
                f"public access not blocked: {', '.join(public)}"
                if public
                else f"{len(f.buckets)} bucket(s), all blocked"
            )
            if f.buckets
            else "no buckets found",
            "enable all four S3 Block Public Access settings on every bucket",
        )
    )
    if f.constraints_line is not None:
        out.append(
            Result(
                "BND001",
                Status.PASS if f.constraints_line else Status.FAIL,
                "requirements.txt "
                + ("has" if f.constraints_line else "lacks")
                + " the target's constraints line",
                "rebuild the bundle: airlake mwaa bundle --env <env>",
            )
        )
    return out


def failed(results: Iterable[Result]) -> list[Result]:
    return [r for r in results if r.status is Status.FAIL]
