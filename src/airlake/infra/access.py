"""Who may do what in which environment, read from the profiles (pure): per SSO group, the
permission set it gets in each environment's account and whether the Client VPN admits it to
the EMR primary node. ``infra/README.md`` shows it as one table (``airlake infra access``).

The Terraform builds exactly this from the same profiles: ``modules/identity`` assigns each
role's permission set ([roles]) to the role's group ([sso]) in the environment's account
([aws] account_id), and ``modules/network`` authorizes the groups of ``[vpn] roles`` where
``[sizing] vpn_enabled``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ROLE_DUTIES = {
    "platform_admin": "operates the platform (PowerUserAccess)",
    "data_engineer": "deploys DAGs, runs the pipeline, reads EMR and Airflow logs, debugs on EMR",
    "analyst": "queries the reports through Athena",
}
"""What each role's permission set allows, in short (``modules/identity/main.tf``)."""

EMR_DEBUG_PORTS = (22, 8088, 18080, 20888)
"""The primary node's ports the VPN reaches: SSH, YARN ResourceManager, Spark history server,
YARN web proxy (``local.emr_debug_ports`` of ``modules/network/client_vpn.tf``)."""


def _section(values: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = values.get(name, {})
    return section if isinstance(section, Mapping) else {}


def _cell(values: Mapping[str, Any], role: str) -> str:
    permission_set = _section(values, "roles").get(role)
    if not permission_set:
        return "—"
    vpn_on = bool(_section(values, "sizing").get("vpn_enabled", False))
    vpn_roles = [str(r) for r in _section(values, "vpn").get("roles", [])]
    if not vpn_on:
        vpn = "VPN off"
    elif role in vpn_roles:
        vpn = "VPN to the EMR primary node"
    else:
        vpn = "no VPN access"
    return f"`{permission_set}`; {vpn}"


def access_headers(profiles: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The table's columns: the group, its role, then one per environment with its account."""
    return [
        "SSO group",
        "role: may",
        *(
            f"{env} ({_section(values, 'aws').get('account_id', '?')})"
            for env, values in profiles.items()
        ),
    ]


def access_rows(profiles: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """One row per role: its group (as the first environment names it), what the role may do,
    and per environment the permission set assigned there and the group's VPN access."""
    first = next(iter(profiles.values()), {})
    rows = []
    for role, duty in ROLE_DUTIES.items():
        group = _section(first, "sso").get(f"{role}_group", "—")
        rows.append(
            [
                f"`{group}`",
                f"{role.replace('_', ' ')}: {duty}",
                *(_cell(values, role) for values in profiles.values()),
            ]
        )
    return rows


def access_note() -> str:
    """The sentence under the table: what the VPN reaches."""
    ports = ", ".join(str(p) for p in EMR_DEBUG_PORTS)
    return (
        f"The VPN reaches the EMR primary node's subnet, ports {ports} only; every assignment "
        "targets the environment's own account."
    )
