"""The rules on hand-made facts: what each one fails on, what it lets pass, and that one
insecure statement is reported by one rule."""

from __future__ import annotations

import pytest

from airlake.infra.facts import Bucket, Facts, Ingress, Role, Statement, Webserver
from airlake.infra.rules import (
    RULES,
    Status,
    evaluate,
    no_admin_policy,
    no_internet_ingress,
    no_role_escalation,
    no_wildcard_grant,
    private_webserver,
    public_access_blocked,
)


def _role(*statements: Statement, managed: tuple[str, ...] = ()) -> Facts:
    return Facts(roles=[Role("airlake-production-emr-ec2", statements, managed)])


def allow(action: str, resource: str) -> Statement:
    return Statement("Allow", (action,), (resource,), "inline policy p")


def test_every_rule_has_an_id_and_a_summary() -> None:
    for rule in RULES:
        assert rule.__doc__ and rule.__doc__[:6].rstrip(":").isalnum(), rule.__name__


def test_results_follow_the_rules_order_and_skip_facts_that_do_not_exist() -> None:
    checks = [r.check for r in evaluate(Facts())]
    assert checks == [
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
    ]  # no MWAA environment, bundle, VPN or SSO assignment among the facts: not judged


@pytest.mark.parametrize(
    ("action", "resource"),
    [("*", "*"), ("*:*", "*"), ("s3:*", "*"), ("iam:*", "*")],
)
def test_a_wildcard_action_on_every_resource_fails_iam002_only(action: str, resource: str) -> None:
    facts = _role(allow(action, resource))
    result = no_wildcard_grant(facts)
    assert result.status is Status.FAIL
    assert result.evidence == (
        f"airlake-production-emr-ec2: {action} on {resource} (inline policy p)"
    )
    assert no_role_escalation(facts).status is Status.PASS


EVERY_ROLE = (
    "arn:aws:iam::*:role/*",
    "arn:aws:iam::123456789012:role/*",
    "arn:aws:iam::${local.account}:role/*",
    "arn:aws:*::*:*",
    "*",
)


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        (action, resource)
        for action in ("iam:*", "iam:PassRole", "iam:Pass*", "iam:AttachRolePolicy")
        for resource in EVERY_ROLE
        if (action, resource) != ("iam:*", "*")  # a wildcard on every resource is IAM002's
    ],
)
def test_iam_on_every_role_fails_iam003(action: str, resource: str) -> None:
    result = no_role_escalation(_role(allow(action, resource)))
    assert result.status is Status.FAIL
    assert f"{action} on {resource}" in result.evidence


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("iam:PassRole", "${module.emr.aws_iam_role.service.arn}"),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/airlake-production-emr-ec2"),
        ("iam:PassRole", "arn:aws:iam::${local.account}:role/${var.name}-*"),
        ("iam:GetRole", "arn:aws:iam::*:role/*"),
        ("s3:GetObject", "*"),
        ("s3:List*", "arn:aws:s3:::airlake-production-landing"),
    ],
)
def test_scoped_grants_pass_iam002_and_iam003(action: str, resource: str) -> None:
    facts = _role(allow(action, resource))
    assert no_wildcard_grant(facts).status is Status.PASS
    assert no_role_escalation(facts).status is Status.PASS


def test_a_deny_is_no_grant() -> None:
    facts = _role(Statement("Deny", ("*",), ("*",)))
    assert no_wildcard_grant(facts).status is Status.PASS


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/PowerUserAccess",
        "arn:aws:iam::aws:policy/IAMFullAccess",
    ],
)
def test_aws_admin_policies_fail_iam004(arn: str) -> None:
    result = no_admin_policy(_role(managed=(arn,)))
    assert result.status is Status.FAIL
    assert result.evidence == f"airlake-production-emr-ec2: {arn}"


def test_other_managed_policies_pass_iam004() -> None:
    facts = _role(
        managed=(
            "arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2",
            "arn:aws:iam::123456789012:policy/AdministratorAccess",  # a customer's, read as a document
        )
    )
    assert no_admin_policy(facts).status is Status.PASS


@pytest.mark.parametrize(
    ("cidr", "status"),
    [("0.0.0.0/0", Status.FAIL), ("::/0", Status.FAIL), ("10.30.0.0/16", Status.PASS)],
)
def test_ingress_from_anywhere_fails_net005(cidr: str, status: Status) -> None:
    result = no_internet_ingress(Facts(ingress=[Ingress("sg-1 (web)", cidr, "443/tcp")]))
    assert result.status is status
    if status is Status.FAIL:
        assert result.evidence == f"sg-1 (web): 443/tcp from {cidr}"


@pytest.mark.parametrize(
    ("mode", "status"),
    [("PUBLIC_ONLY", Status.FAIL), ("PRIVATE_ONLY", Status.PASS), ("${var.mode}", Status.WARN)],
)
def test_the_webserver_access_mode(mode: str, status: Status) -> None:
    result = private_webserver(Facts(webservers=[Webserver("aws_mwaa_environment.this", mode)]))
    assert result is not None
    assert result.status is status
    assert result.evidence == f"aws_mwaa_environment.this: webserver_access_mode = {mode}"


def test_public_access_names_the_settings_that_are_off() -> None:
    facts = Facts(
        buckets=[
            Bucket(
                "a",
                (
                    "BlockPublicAcls",
                    "IgnorePublicAcls",
                    "BlockPublicPolicy",
                    "RestrictPublicBuckets",
                ),
            ),
            Bucket("b", ("restrict_public_buckets",)),
            Bucket("c"),
        ]
    )
    result = public_access_blocked(facts)
    assert result.status is Status.FAIL
    assert result.evidence == (
        "public access not blocked: a: no public access block; b: restrict_public_buckets off"
    )


def test_unencrypted_buckets_fail_s3002() -> None:
    results = {
        r.check: r for r in evaluate(Facts(buckets=[Bucket("a"), Bucket("b", encrypted=False)]))
    }
    assert results["S3002"].status is Status.FAIL
    assert results["S3002"].evidence == "no default encryption: b"
    assert results["S3001"].status is Status.PASS
