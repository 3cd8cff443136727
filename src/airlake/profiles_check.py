"""Compare environment profiles: sandbox, test and production may differ only in sizing and in
names derived from the environment name (pure: values in, differences out)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SIZING_SECTIONS = frozenset({"sizing"})
"""Sections whose values are sizing: free to differ between environments."""

PER_ENVIRONMENT_KEYS = frozenset(
    {
        "name",
        "network.vpc_cidr",
        "aws.account_id",
        "emr.subnet_id",
        "emr.primary_security_group_id",
    }
)
"""Keys that must differ by design: the name itself, each VPC's address range (the three
VPCs are separate networks that may be peered, so their ranges must not overlap), each
environment's account (one account per environment in the organisation), and the ids
Terraform gave that VPC's EMR subnet and primary-node security group."""
SIZING_KEYS = frozenset({"intraday.schedule"})
"""Keys outside [sizing] that are sizing too: how often the intraday refresh runs."""


STAGES = ("sandbox", "test", "production")


class Kind(enum.StrEnum):
    SIZING = "sizing"
    DERIVED = "derived from the environment name"
    PER_ENVIRONMENT = "per environment by design"
    OTHER = "not allowed"


@dataclass(frozen=True, slots=True)
class Difference:
    key: str
    left: Any
    right: Any
    kind: Kind


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{path}."))
        else:
            out[path] = value
    return out


def _template(value: Any, env: str) -> Any:
    return value.replace(env, "{env}") if isinstance(value, str) else value


def diff(
    left_name: str, left: Mapping[str, Any], right_name: str, right: Mapping[str, Any]
) -> list[Difference]:
    """Every key whose value differs between two profiles, classified."""
    a, b = flatten(left), flatten(right)
    out = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if va == vb:
            continue
        if key.split(".", 1)[0] in SIZING_SECTIONS or key in SIZING_KEYS:
            kind = Kind.SIZING
        elif key in PER_ENVIRONMENT_KEYS:
            kind = Kind.PER_ENVIRONMENT
        elif key in a and key in b and _template(va, left_name) == _template(vb, right_name):
            kind = Kind.DERIVED
        else:
            kind = Kind.OTHER
        out.append(Difference(key, va, vb, kind))
    return out


def check(profiles: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Errors (one line each) for differences that are neither sizing nor derived names,
    comparing every environment with the first one given."""
    names = list(profiles)
    errors = []
    base = names[0]
    for other in names[1:]:
        for d in diff(base, profiles[base], other, profiles[other]):
            if d.kind is Kind.OTHER:
                errors.append(
                    f"{d.key}: {base} has {d.left!r}, {other} has {d.right!r} (only sizing may differ)"
                )
    return errors


RETENTION_LAYERS = (("landing", 30), ("raw", 90), ("clean", 730), ("reports", 0))
"""Layers with their default retention in days (0: forever), as ``settings`` reads them."""


def retention_rows(profiles: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """Per environment, how long each layer keeps data ("30 days", "forever")."""
    rows = []
    for name, values in profiles.items():
        section = values.get("retention", {})
        section = section if isinstance(section, Mapping) else {}
        row = [name]
        for layer, default in RETENTION_LAYERS:
            days = section.get(f"{layer}_days", default)
            row.append(f"{days} days" if days else "forever")
        rows.append(row)
    return rows
