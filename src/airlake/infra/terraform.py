"""Reading the Terraform code (python-hcl2) into the facts the rules check, before deploying."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from airlake.errors import UserError
from airlake.infra.rules import Bucket, Endpoint, Facts, Statement, Subnet


def unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of keys and strings; drop them and its bookkeeping keys."""
    if isinstance(value, dict):
        return {
            unquote(k): unquote(v)
            for k, v in value.items()
            if k not in ("__is_block__", "__comments__")
        }
    if isinstance(value, list):
        return [unquote(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def load(path: Path) -> dict[str, Any]:
    import hcl2

    try:
        with path.open() as fh:
            return dict(unquote(hcl2.load(fh)))
    except Exception as exc:  # a parse error is the user's to fix: one line, with the file
        raise UserError(f"cannot parse {path}: {exc}") from None


def _blocks(doc: dict[str, Any], kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, name, body) of resource/data blocks; ("module", name, body) of module calls."""
    out = []
    for entry in doc.get(kind, []):
        for rtype, named in entry.items():
            if kind == "module":
                out.append(("module", rtype, named))
                continue
            for name, body in named.items():
                out.append((rtype, name, body))
    return out


def module_blocks(
    root: Path, module: str, kind: str = "resource"
) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for tf in sorted((root / "modules" / module).glob("*.tf")):
        out.extend(_blocks(load(tf), kind))
    return out


_BLOCK_PUBLIC = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def facts_from_terraform(root: Path, tfvars: dict[str, Any]) -> Facts:
    """What the Terraform code would build for these inputs."""
    f = Facts()
    network = module_blocks(root, "network")
    for rtype, name, body in network:
        if rtype == "aws_subnet":
            count = int(body.get("count", 1))
            zones = tfvars.get("availability_zones", [])
            for i in range(count):
                az = (
                    zones[i]
                    if "availability_zones" in str(body.get("availability_zone")) and i < len(zones)
                    else str(body.get("availability_zone"))
                )
                f.subnets.append(Subnet(f"aws_subnet.{name}[{i}]", az))
        if rtype == "aws_internet_gateway" or (
            rtype in ("aws_route", "aws_route_table") and "gateway_id" in str(body)
        ):
            f.subnets = [
                Subnet(s.id, s.az, (*s.routes_to_igw, f"{rtype}.{name}")) for s in f.subnets
            ]
        if rtype == "aws_nat_gateway":
            f.nat = True
        if rtype == "aws_security_group" and name == "mwaa":
            f.security_group = f"aws_security_group.{name}"
            f.security_group_self_reference = any(
                rule.get("self") is True for rule in body.get("ingress", [])
            )
        if rtype == "aws_vpc_endpoint":
            service = str(body.get("service_name", ""))
            kind = str(body.get("vpc_endpoint_type", "Gateway"))
            dns = body.get("private_dns_enabled") is True
            if "each.value" in service:
                locals_ = {}
                for tf in (root / "modules" / "network").glob("*.tf"):
                    for entry in load(tf).get("locals", []):
                        locals_.update(entry)
                listed = re.search(r"local\.(\w+)", str(body.get("for_each", "")))
                for svc in locals_.get(listed.group(1), []) if listed else []:
                    f.endpoints.append(Endpoint(svc, dns, kind))
            else:
                f.endpoints.append(Endpoint(service.rsplit("}.", 1)[-1], dns, kind))
    for _, _name, body in module_blocks(root, "mwaa", "data"):
        for stmt in body.get("statement", []):
            f.statements.append(
                Statement(
                    str(stmt.get("effect", "Allow")),
                    tuple(stmt.get("actions", [])),
                    tuple(stmt.get("resources", [])),
                )
            )
        f.role = "module.mwaa.aws_iam_role.execution"
    # Every bucket is an instance of the "bucket" module, called from the "data" module.
    template = module_blocks(root, "bucket")
    blocked = any(
        rtype == "aws_s3_bucket_public_access_block"
        and all(body.get(k) is True for k in _BLOCK_PUBLIC)
        for rtype, _, body in template
    ) and any(rtype == "aws_s3_bucket" for rtype, _, _ in template)
    for call in module_blocks(root, "data", "module"):
        _, name, body = call
        each = re.findall(r'"([^"]+)"', str(body.get("for_each", "")))
        for instance in each or [None]:
            label = f'module.{name}["{instance}"]' if instance else f"module.{name}"
            f.buckets.append(Bucket(label, blocked))
    return f
