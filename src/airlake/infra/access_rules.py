"""Rules for developer access: the Client VPN (who may connect, to what, how it is logged) and
IAM Identity Center's assignments (who gets admin rights, in which account). Pure: facts in,
results out; :data:`airlake.infra.rules.RULES` lists them after the platform's rules."""

from __future__ import annotations

import re

from airlake.infra.facts import INTERNET, Assignment, Facts, PermissionSet
from airlake.infra.result import Result, Status

SSO_AUTHENTICATION = "federated-authentication"
"""The Client VPN authentication that signs users in through IAM Identity Center (SAML)."""

_ALL_PORTS = re.compile(r"^(all traffic|[01]-65535/.*|-1-.*)$")


def own_account(f: Facts) -> Result | None:
    """ACC001: the root module acts in the environment's account only: its default AWS provider
    allows exactly that account (``allowed_account_ids``), and every other AWS provider names
    the accounts it may act in."""
    if f.providers is None:
        return None
    if not f.providers:
        return Result(
            "ACC001",
            Status.FAIL,
            'no provider "aws" block: Terraform acts in whatever account the credentials reach',
            'add provider "aws" with allowed_account_ids = [var.account_id] and assume_role',
        )
    wrong = [
        p
        for p in f.providers
        if not p.allowed_accounts
        or (p.name == "aws" and f.account_id and p.allowed_accounts != (f.account_id,))
    ]
    return Result(
        "ACC001",
        Status.FAIL if wrong else Status.PASS,
        "; ".join(
            f"provider {p.name}: "
            + (
                f"allowed_account_ids {', '.join(p.allowed_accounts)}"
                if p.allowed_accounts
                else "any account"
            )
            for p in wrong
        )
        or "; ".join(
            f"provider {p.name}: account {', '.join(p.allowed_accounts)}" for p in f.providers
        ),
        "set allowed_account_ids = [var.account_id] on the default provider (the profile's "
        f"[aws] account_id, {f.account_id or 'unknown'}); pin every other provider to its account",
    )


def _vpn_endpoints(f: Facts) -> str:
    return ", ".join(e.name for e in f.vpn_endpoints)


def vpn_no_all_groups(f: Facts) -> Result | None:
    """VPN001: no Client VPN authorization rule admits every group (``authorize_all_groups``)."""
    if not (f.vpn_endpoints or f.vpn_authorizations):
        return None
    found = [a for a in f.vpn_authorizations if a.all_groups]
    return Result(
        "VPN001",
        Status.FAIL if found else Status.PASS,
        "; ".join(f"{a.source}: every group may reach {a.target_cidr}" for a in found)
        or f"{len(f.vpn_authorizations)} authorization rule(s), each for one SSO group",
        "name one SSO group per rule (access_group_id); drop authorize_all_groups",
    )


def vpn_no_internet_authorization(f: Facts) -> Result | None:
    """VPN002: no Client VPN authorization rule admits anyone to 0.0.0.0/0 or ::/0."""
    if not (f.vpn_endpoints or f.vpn_authorizations):
        return None
    found = [a for a in f.vpn_authorizations if a.target_cidr in INTERNET]
    return Result(
        "VPN002",
        Status.FAIL if found else Status.PASS,
        "; ".join(
            f"{a.source}: {a.group or 'every group'} may reach {a.target_cidr}" for a in found
        )
        or "no authorization to 0.0.0.0/0 or ::/0",
        "authorize the EMR primary node's subnet only (target_network_cidr)",
    )


def vpn_connection_logging(f: Facts) -> Result | None:
    """VPN003: every Client VPN endpoint logs its connections (to CloudWatch Logs)."""
    if not f.vpn_endpoints:
        return None
    found = [e.name for e in f.vpn_endpoints if not e.connection_logging]
    return Result(
        "VPN003",
        Status.FAIL if found else Status.PASS,
        f"no connection logging: {', '.join(found)}"
        if found
        else f"connections logged: {_vpn_endpoints(f)}",
        "set connection_log_options { enabled = true, cloudwatch_log_group = ... }",
    )


def vpn_sso_authentication(f: Facts) -> Result | None:
    """VPN004: every Client VPN endpoint signs users in through SSO (SAML federated
    authentication), never by a client certificate (or a directory) alone."""
    if not f.vpn_endpoints:
        return None
    found = [e for e in f.vpn_endpoints if SSO_AUTHENTICATION not in e.authentication]
    return Result(
        "VPN004",
        Status.FAIL if found else Status.PASS,
        "; ".join(
            f"{e.name}: {', '.join(e.authentication) or 'no authentication'} without SSO"
            for e in found
        )
        or f"SSO sign-in: {_vpn_endpoints(f)}",
        'authenticate with type = "federated-authentication" (the SSO SAML provider)',
    )


def vpn_narrow_ingress(f: Facts) -> Result | None:
    """VPN005: no security group admits the Client VPN (its client range or its security
    group) on every port; only the debug ports of the EMR primary node."""
    groups = {g for e in f.vpn_endpoints for g in e.security_groups} | set(f.vpn_groups)
    cidrs = {e.client_cidr for e in f.vpn_endpoints}
    if not (groups or cidrs):
        return None
    found = [
        i for i in f.ingress if (i.group in groups or i.cidr in cidrs) and _ALL_PORTS.match(i.ports)
    ]
    return Result(
        "VPN005",
        Status.FAIL if found else Status.PASS,
        "; ".join(f"{i.source}: {i.ports} from the VPN ({i.group or i.cidr})" for i in found)
        or "the VPN reaches named ports only",
        "admit the VPN on the debug ports only (22, 8088, 18080, 20888 on the EMR primary node)",
    )


def _assignment(a: Assignment, sets: dict[str, PermissionSet]) -> str:
    held = sets.get(a.permission_set)
    return f"{a.source}: {held.name if held else a.permission_set} to {a.principal_type.lower()} {a.principal}"


def sso_admin_to_admins(f: Facts) -> Result | None:
    """SSO001: in production, a permission set with admin rights (AdministratorAccess,
    PowerUserAccess, IAMFullAccess, ``*`` on ``*``) is assigned to the platform admins' group
    only; elsewhere such an assignment is a warning."""
    if f.sso_unreadable:
        return Result(
            "SSO001",
            Status.WARN,
            f"IAM Identity Center not read: {f.sso_unreadable}",
            "run with credentials of the Identity Center account (or its delegated administrator)",
        )
    if not f.assignments:
        return None
    sets = {p.key: p for p in f.permission_sets}
    found = [
        a
        for a in f.assignments
        if a.permission_set in sets
        and sets[a.permission_set].admin
        and not (a.principal_type == "GROUP" and a.principal in f.admin_groups)
    ]
    production = f.environment == "production"
    return Result(
        "SSO001",
        Status.PASS if not found else Status.FAIL if production else Status.WARN,
        "; ".join(_assignment(a, sets) for a in found)
        or f"{len(f.assignments)} assignment(s); admin rights to {', '.join(f.admin_groups) or '(no admin group)'} only",
        f"assign admin permission sets to {', '.join(f.admin_groups) or 'the platform admins'} only; "
        "give other groups their role's own permission set",
    )


def sso_own_account(f: Facts) -> Result | None:
    """SSO002: every assignment of the environment's permission sets targets its own account."""
    if not f.assignments or not f.account_id:
        return None
    sets = {p.key: p for p in f.permission_sets}
    found = [a for a in f.assignments if a.account != f.account_id]
    return Result(
        "SSO002",
        Status.FAIL if found else Status.PASS,
        "; ".join(f"{_assignment(a, sets)} in account {a.account}" for a in found)
        or f"every assignment targets account {f.account_id}",
        f"target_id = the environment's account ({f.account_id}): one account per environment",
    )
