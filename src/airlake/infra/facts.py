"""What ``airlake verify`` reads from the Terraform code or from an account: plain values the
rules in :mod:`airlake.infra.rules` judge (pure data, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass, field

INTERNET = ("0.0.0.0/0", "::/0")
"""Addresses that mean anyone."""

ADMIN_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
"""AWS-managed policies that grant admin rights (judged by name: AWS changes them)."""


@dataclass(frozen=True, slots=True)
class Subnet:
    id: str
    az: str
    routes_to_igw: tuple[str, ...] = ()
    """Route table ids of this subnet that send traffic to an internet gateway."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    service: str  # short name: "s3", "ecr.api", ...
    private_dns: bool
    kind: str = "Interface"


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    source: str = ""
    """The policy holding the statement: a Terraform address or an account policy name."""

    @property
    def wildcard_on_everything(self) -> bool:
        """Allows a wildcard action (``*``, ``*:*``, ``s3:*``) on every resource."""
        return (
            self.effect == "Allow"
            and "*" in self.resources
            and any(a == "*" or a.endswith(":*") for a in self.actions)
        )


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    """The role's name, or its Terraform address with the name it gets."""
    statements: tuple[Statement, ...] = ()
    managed_policies: tuple[str, ...] = ()
    """ARNs of attached AWS-managed policies, whose documents are not read."""


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    unblocked: tuple[str, ...] = ()
    """Block Public Access settings that are off or absent (all four without a block)."""
    encrypted: bool = True
    """A default server-side encryption configuration is set."""

    @property
    def public_access_blocked(self) -> bool:
        return not self.unblocked


@dataclass(frozen=True, slots=True)
class Ingress:
    source: str
    """The security group or security group rule that lets the traffic in."""
    cidr: str
    ports: str
    group: str = ""
    """The security group the traffic comes from (instead of ``cidr``): its address or id."""


@dataclass(frozen=True, slots=True)
class Webserver:
    environment: str
    access_mode: str


@dataclass(frozen=True, slots=True)
class Provider:
    """An AWS provider configuration of the root module: the accounts it may act in."""

    name: str
    """``aws``, or ``aws.<alias>``."""
    allowed_accounts: tuple[str, ...]
    """Its ``allowed_account_ids`` (empty: any account the credentials reach)."""


@dataclass(frozen=True, slots=True)
class VpnEndpoint:
    """A Client VPN endpoint: how its users sign in and where it logs their connections."""

    name: str
    client_cidr: str
    authentication: tuple[str, ...]
    """``federated-authentication`` (SAML), ``certificate-authentication``,
    ``directory-service-authentication``: every option a client must pass."""
    connection_logging: bool
    security_groups: tuple[str, ...] = ()
    """The security groups of its network interfaces (addresses or ids)."""


@dataclass(frozen=True, slots=True)
class VpnAuthorization:
    """A Client VPN authorization rule: who may reach which network through the endpoint."""

    source: str
    target_cidr: str
    all_groups: bool
    group: str = ""


@dataclass(frozen=True, slots=True)
class PermissionSet:
    """An IAM Identity Center permission set with the policies it grants."""

    key: str
    """What assignments name it by: a Terraform address or an ARN."""
    name: str
    managed_policies: tuple[str, ...] = ()
    statements: tuple[Statement, ...] = ()

    @property
    def admin(self) -> bool:
        """Grants admin rights: an AWS admin policy, or a wildcard action on everything."""
        return any(a.rsplit("/", 1)[-1] in ADMIN_POLICIES for a in self.managed_policies) or any(
            s.wildcard_on_everything for s in self.statements
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    """A permission set given to a group or user in an account."""

    source: str
    permission_set: str
    """The :attr:`PermissionSet.key` it assigns."""
    principal: str
    """The group's display name where known, else its id or the expression naming it."""
    principal_type: str
    account: str


@dataclass
class Facts:
    """What was read from Terraform or from the account."""

    subnets: list[Subnet] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    nat: bool = False
    security_group: str = ""
    security_group_self_reference: bool = False
    ingress: list[Ingress] = field(default_factory=list)
    execution_role: str = ""
    """Name of the MWAA execution role among ``roles``."""
    roles: list[Role] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    webservers: list[Webserver] = field(default_factory=list)
    constraints_line: bool | None = None
    vpn_endpoints: list[VpnEndpoint] = field(default_factory=list)
    vpn_groups: list[str] = field(default_factory=list)
    """Security groups of the Client VPN's interfaces (found by name where the endpoint itself
    cannot be read)."""
    vpn_authorizations: list[VpnAuthorization] = field(default_factory=list)
    permission_sets: list[PermissionSet] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    environment: str = ""
    account_id: str = ""
    """The environment's own account, the only one its assignments may target."""
    admin_groups: tuple[str, ...] = ()
    """The groups meant to hold admin permission sets (the platform admins')."""
    providers: list[Provider] | None = None
    """The root module's AWS providers (None: not read, as on an account)."""
    sso_unreadable: str = ""
    """Why IAM Identity Center could not be read (its account refused the credentials)."""
