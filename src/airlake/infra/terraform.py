"""Reading the Terraform code into the facts the rules check, before deploying.

Every resource counts wherever it is declared: each bucket, role, policy, security group and
MWAA environment in the environment's root module and in every module it calls, found by type
and linked by reference (a public access block to its bucket, a policy to its role), as
Terraform would link them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airlake.infra.policy import document_statements, statements
from airlake.infra.rules import (
    Bucket,
    Endpoint,
    Facts,
    Ingress,
    Role,
    Statement,
    Subnet,
    Webserver,
)
from airlake.infra.tfconfig import Block, Configuration, Ref

BLOCK_PUBLIC_ACCESS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def facts_from_terraform(root: Path, tfvars: Mapping[str, Any]) -> Facts:
    """What the Terraform code under ``root`` would build for these inputs (the environment is
    ``tfvars["environment"]``, whose root module is ``root/envs/<environment>``)."""
    config = Configuration(root, str(tfvars["environment"]), tfvars)
    f = Facts()
    _network(config, f)
    _iam(config, f)
    _buckets(config, f)
    for env in config.of_type("aws_mwaa_environment"):
        mode = config.value(env, "webserver_access_mode", "PRIVATE_ONLY")
        f.webservers.append(Webserver(env.address, str(mode)))
    return f


def _label(config: Configuration, block: Block, name_key: str) -> str:
    """``address (name)`` when the name resolves, else the address."""
    name = config.value(block, name_key)
    return (
        f"{block.address} ({name})" if isinstance(name, str) and "${" not in name else block.address
    )


def _network(config: Configuration, f: Facts) -> None:
    for sn in config.of_type("aws_subnet"):
        if config.value(sn, "map_public_ip_on_launch") is True:
            continue
        f.subnets.append(Subnet(sn.address, str(config.value(sn, "availability_zone"))))
    to_igw = [
        b.address
        for b in config.of_type("aws_internet_gateway", "aws_route", "aws_route_table")
        if b.type == "aws_internet_gateway" or "gateway_id" in str(b.body)
    ]
    if to_igw:
        f.subnets = [Subnet(s.id, s.az, (*s.routes_to_igw, *to_igw)) for s in f.subnets]
    f.nat = bool(config.of_type("aws_nat_gateway"))
    for ep in config.of_type("aws_vpc_endpoint"):
        service = str(config.value(ep, "service_name", ""))
        region = str(config.inputs.get("region", ""))
        short = service.split(f".{region}.", 1)[-1] if region else service.rsplit(".", 1)[-1]
        f.endpoints.append(
            Endpoint(
                short,
                config.value(ep, "private_dns_enabled") is True,
                str(config.value(ep, "vpc_endpoint_type", "Gateway")),
            )
        )
    groups = config.of_type("aws_security_group", "aws_default_security_group")
    mwaa_groups = [
        g
        for env in config.of_type("aws_mwaa_environment")
        for net in config.nested(env, "network_configuration")
        for ref in _as_list(net.get("security_group_ids"))
        for g in config.targets(ref)
    ] or [g for g in groups if g.name == "mwaa"]
    if mwaa_groups:
        sg = mwaa_groups[0]
        f.security_group = sg.address
        f.security_group_self_reference = any(
            rule.get("self") is True for rule in config.nested(sg, "ingress")
        )
    for sg in groups:
        for rule in config.nested(sg, "ingress"):
            f.ingress.extend(_ingress(sg.address, rule, "cidr_blocks", "ipv6_cidr_blocks"))
    for rule_block in config.of_type("aws_security_group_rule"):
        if config.value(rule_block, "type") == "ingress":
            body = config.arguments(rule_block)
            f.ingress.extend(_ingress(rule_block.address, body, "cidr_blocks", "ipv6_cidr_blocks"))
    for rule_block in config.of_type("aws_vpc_security_group_ingress_rule"):
        body = config.arguments(rule_block)
        body["protocol"] = body.get("ip_protocol")
        f.ingress.extend(_ingress(rule_block.address, body, "cidr_ipv4", "cidr_ipv6"))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _ingress(source: str, rule: Mapping[str, Any], *cidr_keys: str) -> list[Ingress]:
    protocol = str(rule.get("protocol", ""))
    if protocol in ("-1", "all"):
        ports = "all traffic"
    else:
        low, high = rule.get("from_port"), rule.get("to_port")
        ports = f"{low}/{protocol}" if low == high else f"{low}-{high}/{protocol}"
    return [
        Ingress(source, str(cidr), ports)
        for key in cidr_keys
        for cidr in _as_list(rule.get(key))
        if cidr is not None
    ]


def _policy(config: Configuration, block: Block, value: Any, source: str) -> list[Statement]:
    """The statements of a policy argument: a data source's document, ``jsonencode``, JSON."""
    document = config.document(block, value)
    if isinstance(document, Ref):
        out = []
        for target in config.targets(document):
            if target.type == "aws_iam_policy_document":
                out.extend(document_statements(config.nested(target, "statement"), source))
            elif target.type == "aws_iam_policy":
                out.extend(_policy(config, target, config.value(target, "policy"), source))
        return out
    if isinstance(document, dict):
        return statements(document, source)
    return []


def _iam(config: Configuration, f: Facts) -> None:
    roles = {r.address: r for r in config.of_type("aws_iam_role")}
    by_name = {config.value(r, "name"): a for a, r in roles.items()}
    statements_of: dict[str, list[Statement]] = {a: [] for a in roles}
    managed_of: dict[str, list[str]] = {a: [] for a in roles}
    labels = {a: _label(config, r, "name") for a, r in roles.items()}

    def role_addresses(ref: Any) -> list[str]:
        """The roles an argument names: by reference or by name; a role outside the code (a data
        source, a name no resource has) is keyed by what names it."""
        found = [
            t.address
            for t in config.targets(ref)
            if t.type == "aws_iam_role" and t.kind == "resource"
        ]
        if found:
            return found
        key = ref.address if isinstance(ref, Ref) else by_name.get(ref, str(ref))
        if key not in statements_of:
            statements_of[key], managed_of[key], labels[key] = [], [], f"role {key}"
        return [key]

    def attach(role_keys: list[str], arn: Any, block: Block) -> None:
        for key in role_keys:
            if isinstance(arn, str) and ":iam::aws:policy/" in arn:
                managed_of[key].append(arn)
            else:
                statements_of[key].extend(_policy(config, block, arn, block.address))

    for address, role in roles.items():
        for inline in config.nested(role, "inline_policy"):
            source = f"{address} inline_policy {inline.get('name', '')}".rstrip()
            statements_of[address].extend(_policy(config, role, inline.get("policy"), source))
        for arn in _as_list(config.value(role, "managed_policy_arns", [])):
            attach([address], arn, role)
    for block in config.of_type("aws_iam_role_policy"):
        for key in role_addresses(config.value(block, "role")):
            statements_of[key].extend(
                _policy(config, block, config.value(block, "policy"), block.address)
            )
    for block in config.of_type("aws_iam_role_policy_attachment"):
        attach(
            role_addresses(config.value(block, "role")), config.value(block, "policy_arn"), block
        )
    for block in config.of_type("aws_iam_policy_attachment"):
        keys = [
            k for ref in _as_list(config.value(block, "roles", [])) for k in role_addresses(ref)
        ]
        attach(keys, config.value(block, "policy_arn"), block)

    for key, stmts in statements_of.items():
        f.roles.append(Role(labels[key], tuple(stmts), tuple(managed_of[key])))
    execution = [
        t.address
        for env in config.of_type("aws_mwaa_environment")
        for t in config.targets(config.value(env, "execution_role_arn"))
    ]
    if execution:
        f.execution_role = labels[execution[0]]


def _buckets(config: Configuration, f: Facts) -> None:
    buckets = config.of_type("aws_s3_bucket")
    by_name = {config.value(b, "bucket"): b.address for b in buckets}

    def bucket_of(block: Block) -> list[str]:
        ref = config.value(block, "bucket")
        found = [t.address for t in config.targets(ref) if t.type == "aws_s3_bucket"]
        return found or ([by_name[ref]] if isinstance(ref, str) and ref in by_name else [])

    unblocked: dict[str, tuple[str, ...]] = {b.address: BLOCK_PUBLIC_ACCESS for b in buckets}
    for pab in config.of_type("aws_s3_bucket_public_access_block"):
        off = tuple(k for k in BLOCK_PUBLIC_ACCESS if config.value(pab, k) is not True)
        for address in bucket_of(pab):
            unblocked[address] = off
    encrypted = {
        b.address for b in buckets if config.nested(b, "server_side_encryption_configuration")
    }
    for sse in config.of_type("aws_s3_bucket_server_side_encryption_configuration"):
        if config.nested(sse, "rule"):
            encrypted.update(bucket_of(sse))
    for b in buckets:
        f.buckets.append(
            Bucket(_label(config, b, "bucket"), unblocked[b.address], b.address in encrypted)
        )
