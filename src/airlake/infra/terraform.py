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

from airlake.infra.facts import (
    Assignment,
    Bucket,
    Endpoint,
    Facts,
    Ingress,
    PermissionSet,
    Provider,
    Role,
    Statement,
    Subnet,
    VpnAuthorization,
    VpnEndpoint,
    Webserver,
)
from airlake.infra.policy import document_statements, statements
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
    _client_vpn(config, f)
    _sso(config, f)
    _providers(config, f)
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
            f.ingress.extend(_group_ingress(config, sg.address, rule, "security_groups"))
    for rule_block in config.of_type("aws_security_group_rule"):
        if config.value(rule_block, "type") == "ingress":
            body = config.arguments(rule_block)
            f.ingress.extend(_ingress(rule_block.address, body, "cidr_blocks", "ipv6_cidr_blocks"))
            f.ingress.extend(
                _group_ingress(config, rule_block.address, body, "source_security_group_id")
            )
    for rule_block in config.of_type("aws_vpc_security_group_ingress_rule"):
        body = config.arguments(rule_block)
        body["protocol"] = body.get("ip_protocol")
        f.ingress.extend(_ingress(rule_block.address, body, "cidr_ipv4", "cidr_ipv6"))
        f.ingress.extend(
            _group_ingress(config, rule_block.address, body, "referenced_security_group_id")
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _ports(rule: Mapping[str, Any]) -> str:
    protocol = str(rule.get("protocol", ""))
    if protocol in ("-1", "all"):
        return "all traffic"
    low, high = rule.get("from_port"), rule.get("to_port")
    return f"{low}/{protocol}" if low == high else f"{low}-{high}/{protocol}"


def _group_ingress(
    config: Configuration, source: str, rule: Mapping[str, Any], key: str
) -> list[Ingress]:
    """Ingress from other security groups, each named by its address (or by what names it)."""
    return [
        Ingress(source, "", _ports(rule), group)
        for ref in _as_list(rule.get(key))
        if ref is not None
        for group in (_addresses(config, ref) or [str(ref)])
    ]


def _addresses(config: Configuration, ref: Any) -> list[str]:
    return [t.address for t in config.targets(ref)]


def _ingress(source: str, rule: Mapping[str, Any], *cidr_keys: str) -> list[Ingress]:
    ports = _ports(rule)
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


def _client_vpn(config: Configuration, f: Facts) -> None:
    """Client VPN endpoints (sign-in, connection logging, security groups) and their
    authorization rules."""
    for ep in config.of_type("aws_ec2_client_vpn_endpoint"):
        logging = config.nested(ep, "connection_log_options")
        f.vpn_endpoints.append(
            VpnEndpoint(
                ep.address,
                str(config.value(ep, "client_cidr_block", "")),
                tuple(str(o.get("type", "")) for o in config.nested(ep, "authentication_options")),
                any(o.get("enabled") is True for o in logging),
                tuple(
                    a
                    for ref in _as_list(config.value(ep, "security_group_ids", []))
                    for a in (_addresses(config, ref) or [str(ref)])
                ),
            )
        )
    for rule in config.of_type("aws_ec2_client_vpn_authorization_rule"):
        group = config.value(rule, "access_group_id", "")
        f.vpn_authorizations.append(
            VpnAuthorization(
                rule.address,
                str(config.value(rule, "target_network_cidr", "")),
                config.value(rule, "authorize_all_groups") is True,
                _group_name(config, group) if group else "",
            )
        )


def _group_name(config: Configuration, ref: Any) -> str:
    """The display name of the identity store group a reference names (through an
    ``aws_identitystore_group`` data source), else the reference's text."""
    for target in config.targets(ref):
        if target.type != "aws_identitystore_group":
            continue
        for alternate in config.nested(target, "alternate_identifier"):
            for unique in _as_list(alternate.get("unique_attribute")):
                if isinstance(unique, Mapping) and unique.get("attribute_path") == "DisplayName":
                    return str(unique.get("attribute_value"))
        for legacy in config.nested(target, "filter"):
            if legacy.get("attribute_path") == "DisplayName":
                return str(legacy.get("attribute_value"))
    return str(ref)


def _sso(config: Configuration, f: Facts) -> None:
    """IAM Identity Center permission sets, the policies they grant, and their assignments."""
    sets = {p.address: p for p in config.of_type("aws_ssoadmin_permission_set")}
    managed: dict[str, list[str]] = {a: [] for a in sets}
    granted: dict[str, list[Statement]] = {a: [] for a in sets}
    for block in config.of_type("aws_ssoadmin_managed_policy_attachment"):
        for address in _addresses(config, config.value(block, "permission_set_arn")):
            managed.setdefault(address, []).append(str(config.value(block, "managed_policy_arn")))
    for block in config.of_type("aws_ssoadmin_permission_set_inline_policy"):
        for address in _addresses(config, config.value(block, "permission_set_arn")):
            granted.setdefault(address, []).extend(
                _policy(config, block, config.value(block, "inline_policy"), block.address)
            )
    for address, block in sets.items():
        f.permission_sets.append(
            PermissionSet(
                address,
                _label(config, block, "name"),
                tuple(managed[address]),
                tuple(granted[address]),
            )
        )
    for block in config.of_type("aws_ssoadmin_account_assignment"):
        ref = config.value(block, "permission_set_arn")
        f.assignments.append(
            Assignment(
                block.address,
                next(iter(_addresses(config, ref)), str(ref)),
                _group_name(config, config.value(block, "principal_id")),
                str(config.value(block, "principal_type", "")),
                str(config.value(block, "target_id", "")),
            )
        )


def _providers(config: Configuration, f: Facts) -> None:
    """The root module's AWS providers and the accounts each may act in."""
    root = config.modules[0]
    f.providers = []
    for _, label, _, body in root.blocks("provider"):
        if label != "aws":
            continue
        alias = config.resolve(body.get("alias"), root)
        allowed = config.resolve(body.get("allowed_account_ids", []), root)
        f.providers.append(
            Provider(
                f"aws.{alias}" if alias else "aws",
                tuple(str(a) for a in _as_list(allowed) if a is not None),
            )
        )
