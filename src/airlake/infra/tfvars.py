"""Terraform inputs of an environment, generated from its profile (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airlake.errors import UserError


def _section(values: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = values.get(name, {})
    return section if isinstance(section, Mapping) else {}


def tfvars(values: Mapping[str, Any]) -> dict[str, Any]:
    """``terraform.tfvars.json`` for ``infra/terraform/envs/<env>`` from merged profile values."""
    env = str(values.get("name", ""))
    if env not in {"sandbox", "test", "production"}:
        raise UserError(
            f"profile {env!r} is not one of the AWS environments (sandbox, test, production)"
        )
    retention = _section(values, "retention")
    sizing, mwaa, network, aws, roles = (
        _section(values, "sizing"),
        _section(values, "mwaa"),
        _section(values, "network"),
        _section(values, "aws"),
        _section(values, "roles"),
    )
    try:
        return {
            "environment": env,
            "name": f"airlake-{env}",
            "region": str(aws.get("region", "eu-west-1")),
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
        }
    except KeyError as exc:
        raise UserError(
            f"profile {env} lacks {exc.args[0]} (needed for the Terraform inputs)"
        ) from None
