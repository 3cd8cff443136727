"""Terraform inputs of an environment, generated from its profile (pure)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from airlake.errors import UserError

_ACCOUNT = re.compile(r"^\d{12}$")


class _Section(dict[str, Any]):
    """A profile section whose missing key is named with its section (``vpn.roles``)."""

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.name = name

    def __missing__(self, key: str) -> Any:
        raise KeyError(f"{self.name}.{key}")


def _section(values: Mapping[str, Any], name: str) -> _Section:
    section = values.get(name, {})
    return _Section(name, section if isinstance(section, Mapping) else {})


def tfvars(values: Mapping[str, Any]) -> dict[str, Any]:
    """``terraform.tfvars.json`` for ``infra/terraform/envs/<env>`` from merged profile values."""
    env = str(values.get("name", ""))
    if env not in {"sandbox", "test", "production"}:
        raise UserError(
            f"profile {env!r} is not one of the AWS environments (sandbox, test, production)"
        )
    retention = _section(values, "retention")
    sizing, mwaa, network, aws, roles, sso, vpn = (
        _section(values, "sizing"),
        _section(values, "mwaa"),
        _section(values, "network"),
        _section(values, "aws"),
        _section(values, "roles"),
        _section(values, "sso"),
        _section(values, "vpn"),
    )
    try:
        region = str(aws.get("region", "eu-west-1"))
        vpn_enabled = bool(sizing.get("vpn_enabled", False))
        return {
            "environment": env,
            "name": f"airlake-{env}",
            "region": region,
            "account_id": _account(aws, "aws.account_id"),
            "deploy_role": str(aws["deploy_role"]),
            "sso_account_id": _account(sso, "sso.account_id"),
            "sso_region": str(sso.get("region", region)),
            "group_names": {k: str(sso[f"{k}_group"]) for k in roles},
            "vpc_cidr": str(network["vpc_cidr"]),
            "availability_zones": list(network["availability_zones"]),
            "airflow_version": str(mwaa["airflow_version"]),
            "mwaa_environment_class": str(sizing["mwaa_environment_class"]),
            "mwaa_min_workers": int(sizing["mwaa_min_workers"]),
            "mwaa_max_workers": int(sizing["mwaa_max_workers"]),
            "mwaa_schedulers": int(sizing["mwaa_schedulers"]),
            "athena_bytes_scanned_cutoff": int(sizing["athena_bytes_scanned_cutoff"]),
            "role_names": {k: str(v) for k, v in roles.items()},
            "landing_retention_days": int(retention.get("landing_days", 30)),
            "vpn_enabled": vpn_enabled,
            "vpn_client_cidr": _client_cidr(vpn, network),
            "vpn_server_certificate_domain": str(
                vpn["server_certificate_domain"]
                if vpn_enabled
                else vpn.get("server_certificate_domain", "")
            ),
            "vpn_roles": _vpn_roles(vpn, roles),
        }
    except KeyError as exc:
        raise UserError(
            f"profile {env} lacks {exc.args[0]} (needed for the Terraform inputs)"
        ) from None


def _account(section: Mapping[str, Any], key: str) -> str:
    value = str(section[key.split(".", 1)[1]])
    if not _ACCOUNT.match(value):
        raise UserError(f"{key} is {value!r}: an AWS account id is 12 digits, as a string")
    return value


def _client_cidr(vpn: Mapping[str, Any], network: Mapping[str, Any]) -> str:
    """The VPN clients' range, which must be a network outside the VPC's (AWS refuses overlaps)."""
    text = str(vpn.get("client_cidr", "172.16.0.0/22"))
    try:
        clients = ipaddress.ip_network(text)
        vpc = ipaddress.ip_network(str(network.get("vpc_cidr", "")))
    except ValueError as exc:
        raise UserError(f"vpn.client_cidr: {exc}") from None
    if clients.overlaps(vpc):
        raise UserError(f"vpn.client_cidr {clients} overlaps the VPC's range {vpc}")
    return str(clients)


def _vpn_roles(vpn: Mapping[str, Any], roles: Mapping[str, Any]) -> list[str]:
    chosen = [str(r) for r in vpn.get("roles", [])]
    unknown = [r for r in chosen if r not in roles]
    if unknown:
        raise UserError(
            f"vpn.roles names {', '.join(unknown)}: not a role of [roles] ({', '.join(roles)})"
        )
    return chosen
