"""The developer-access rules on hand-made facts: the Client VPN's sign-in, logging,
authorizations and reach, and who gets admin rights in which account."""

from __future__ import annotations

import pytest

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
from airlake.infra.facts import (
    Assignment,
    Facts,
    Ingress,
    PermissionSet,
    Provider,
    Statement,
    VpnAuthorization,
    VpnEndpoint,
)
from airlake.infra.rules import Rule, Status, evaluate


def allow(action: str, resource: str) -> Statement:
    return Statement("Allow", (action,), (resource,), "inline policy p")


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


def test_the_default_provider_acts_in_the_environments_account_only() -> None:
    pinned = [Provider("aws", ("333333333333",)), Provider("aws.identity", ("999999999999",))]
    ok = own_account(Facts(providers=pinned, account_id="333333333333"))
    assert ok is not None and ok.status is Status.PASS
    assert own_account(Facts(account_id="333333333333")) is None  # not read (an account)


@pytest.mark.parametrize(
    ("providers", "evidence"),
    [
        ([Provider("aws", ("111111111111",))], "provider aws: allowed_account_ids 111111111111"),
        (
            [Provider("aws", ("333333333333", "111111111111"))],
            "provider aws: allowed_account_ids 333333333333, 111111111111",
        ),
        (
            [Provider("aws", ("333333333333",)), Provider("aws.identity", ())],
            "provider aws.identity: any account",
        ),
        ([], 'no provider "aws" block: Terraform acts in whatever account the credentials reach'),
    ],
)
def test_a_provider_free_to_act_elsewhere_fails(providers: list[Provider], evidence: str) -> None:
    result = own_account(Facts(providers=providers, account_id="333333333333"))
    assert result is not None and result.status is Status.FAIL
    assert result.evidence == evidence
