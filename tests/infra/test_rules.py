"""The rules on hand-made facts: what each one fails on, what it lets pass, and that one
insecure statement is reported by one rule."""

from __future__ import annotations

import pytest

from airlake.infra.facts import (
    Assignment,
    Bucket,
    Facts,
    Ingress,
    PermissionSet,
    Role,
    Statement,
    VpnAuthorization,
    VpnEndpoint,
    Webserver,
)
from airlake.infra.rules import (
    RULES,
    Rule,
    Status,
    evaluate,
    no_admin_policy,
    no_internet_ingress,
    no_role_escalation,
    no_wildcard_grant,
    private_webserver,
    public_access_blocked,
    sso_admin_to_admins,
    sso_own_account,
    vpn_connection_logging,
    vpn_narrow_ingress,
    vpn_no_all_groups,
    vpn_no_internet_authorization,
    vpn_sso_authentication,
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


VPN = VpnEndpoint("cvpn", "172.16.0.0/22", ("federated-authentication",), True, ("sg-vpn",))


def test_a_vpn_as_shipped_passes_every_vpn_rule() -> None:
    facts = Facts(
        vpn_endpoints=[VPN],
        vpn_authorizations=[VpnAuthorization("rule", "10.30.0.0/20", False, "engineers")],
        ingress=[
            Ingress("sg-emr", "", "22/tcp", "sg-vpn"),
            Ingress("sg-emr", "", "18080/tcp", "sg-vpn"),
        ],
    )
    rules = (
        vpn_no_all_groups,
        vpn_no_internet_authorization,
        vpn_connection_logging,
        vpn_sso_authentication,
        vpn_narrow_ingress,
    )
    assert [r(facts).status for r in rules] == [Status.PASS] * 5


def test_vpn_rules_are_not_judged_without_a_vpn() -> None:
    assert {r.check for r in evaluate(Facts())}.isdisjoint({"VPN001", "VPN003", "VPN005"})


@pytest.mark.parametrize(
    ("rule", "facts", "evidence"),
    [
        (
            vpn_no_all_groups,
            Facts(vpn_authorizations=[VpnAuthorization("all", "10.30.0.0/20", True)]),
            "all: every group may reach 10.30.0.0/20",
        ),
        (
            vpn_no_internet_authorization,
            Facts(vpn_authorizations=[VpnAuthorization("net", "0.0.0.0/0", False, "analysts")]),
            "net: analysts may reach 0.0.0.0/0",
        ),
        (
            vpn_connection_logging,
            Facts(
                vpn_endpoints=[
                    VpnEndpoint("cvpn", "172.16.0.0/22", ("federated-authentication",), False)
                ]
            ),
            "no connection logging: cvpn",
        ),
        (
            vpn_sso_authentication,
            Facts(
                vpn_endpoints=[
                    VpnEndpoint("cvpn", "172.16.0.0/22", ("certificate-authentication",), True)
                ]
            ),
            "cvpn: certificate-authentication without SSO",
        ),
        (
            vpn_narrow_ingress,
            Facts(vpn_endpoints=[VPN], ingress=[Ingress("sg-emr", "", "all traffic", "sg-vpn")]),
            "sg-emr: all traffic from the VPN (sg-vpn)",
        ),
        (
            vpn_narrow_ingress,
            Facts(vpn_endpoints=[VPN], ingress=[Ingress("sg-emr", "172.16.0.0/22", "0-65535/tcp")]),
            "sg-emr: 0-65535/tcp from the VPN (172.16.0.0/22)",
        ),
        (
            vpn_narrow_ingress,
            Facts(vpn_groups=["sg-vpn"], ingress=[Ingress("sg-emr", "", "1-65535/udp", "sg-vpn")]),
            "sg-emr: 1-65535/udp from the VPN (sg-vpn)",
        ),
    ],
)
def test_each_vpn_rule_fails_naming_the_resource(rule: Rule, facts: Facts, evidence: str) -> None:
    result = rule(facts)
    assert result is not None and result.status is Status.FAIL
    assert result.evidence == evidence
    assert result.fix


def test_vpn_narrow_ingress_leaves_other_sources_and_named_ports_alone() -> None:
    facts = Facts(
        vpn_endpoints=[VPN],
        ingress=[
            Ingress("sg-mwaa", "", "all traffic", "sg-mwaa"),  # a group's own self-reference
            Ingress("sg-emr", "", "22/tcp", "sg-vpn"),
            Ingress("sg-emr", "172.16.0.0/22", "20888/tcp"),
        ],
    )
    assert vpn_narrow_ingress(facts).status is Status.PASS


ADMIN = PermissionSet(
    "ps-admin", "airlake-production-platform-admin", ("arn:aws:iam::aws:policy/PowerUserAccess",)
)
STAR = PermissionSet("ps-star", "star", statements=(allow("*", "*"),))
READER = PermissionSet(
    "ps-read",
    "airlake-production-analyst",
    statements=(allow("athena:GetQueryResults", "arn:aws:athena:*:*:workgroup/x"),),
)


def _sso(env: str, *assignments: Assignment) -> Facts:
    return Facts(
        permission_sets=[ADMIN, STAR, READER],
        assignments=list(assignments),
        environment=env,
        account_id="333333333333",
        admin_groups=("admins",),
    )


def test_admin_permission_sets_go_to_the_admin_group_only() -> None:
    ok = _sso(
        "production",
        Assignment("a1", "ps-admin", "admins", "GROUP", "333333333333"),
        Assignment("a2", "ps-read", "analysts", "GROUP", "333333333333"),
    )
    assert sso_admin_to_admins(ok).status is Status.PASS
    assert sso_own_account(ok).status is Status.PASS


@pytest.mark.parametrize(
    ("assignment", "evidence"),
    [
        (
            Assignment("a", "ps-admin", "analysts", "GROUP", "333333333333"),
            "a: airlake-production-platform-admin to group analysts",
        ),
        (
            Assignment("a", "ps-star", "analysts", "GROUP", "333333333333"),
            "a: star to group analysts",
        ),
        (
            Assignment("a", "ps-admin", "admins", "USER", "333333333333"),
            "a: airlake-production-platform-admin to user admins",
        ),
    ],
)
def test_an_admin_set_for_anyone_else_fails_in_production_and_warns_elsewhere(
    assignment: Assignment, evidence: str
) -> None:
    production = sso_admin_to_admins(_sso("production", assignment))
    assert production.status is Status.FAIL
    assert production.evidence == evidence
    assert sso_admin_to_admins(_sso("sandbox", assignment)).status is Status.WARN


def test_an_assignment_in_another_account_fails() -> None:
    result = sso_own_account(
        _sso("test", Assignment("a", "ps-read", "analysts", "GROUP", "111111111111"))
    )
    assert result.status is Status.FAIL
    assert (
        result.evidence == "a: airlake-production-analyst to group analysts in account 111111111111"
    )


def test_an_unreadable_identity_center_is_a_warning_not_a_pass() -> None:
    result = sso_admin_to_admins(Facts(sso_unreadable="AccessDeniedException"))
    assert result is not None and result.status is Status.WARN
    assert "AccessDeniedException" in result.evidence
