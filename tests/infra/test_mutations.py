"""Insecure changes to the Terraform code, one at a time, each on a fresh copy of
``infra/terraform``: verify's static path (airlake's rules and checkov) must fail and name the
resource. The unchanged copy must pass, so each failure is the change's doing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from airlake.infra.rules import Result, Status
from airlake.infra.verify import verify

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Mutation:
    """Append ``add`` to ``file``, or replace ``old`` by ``new`` in it (a regular expression)."""

    file: str
    expect: dict[str, str]
    """The results that must fail, and the resource each must name."""
    add: str = ""
    old: str = ""
    new: str = ""

    def apply(self, root: Path) -> None:
        path = root / self.file
        text = path.read_text() if path.exists() else ""
        if self.add:
            path.write_text(text + "\n" + self.add + "\n")
            return
        changed, count = re.subn(self.old, self.new, text, flags=re.S)
        assert count, f"{self.old!r} not found in {self.file}: the mutation is stale"
        path.write_text(changed)


def _policy(role: str, action: str, resource: str) -> str:
    return f"""resource "aws_iam_role_policy" "wide" {{
  name   = "wide"
  role   = aws_iam_role.{role}.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "{action}", Resource = "{resource}" }}]
  }})
}}"""


MUTATIONS = {
    "public-bucket-outside-the-bucket-module": Mutation(
        "modules/data/extra.tf",
        dict.fromkeys(("S3001", "S3002", "CKV2_AWS_6", "CKV_AWS_20"), "aws_s3_bucket.extra"),
        add="""resource "aws_s3_bucket" "extra" {
  bucket = "${var.name}-extra"
}
resource "aws_s3_bucket_acl" "extra" {
  bucket = aws_s3_bucket.extra.id
  acl    = "public-read"
}""",
    ),
    "administrator-access-on-the-mwaa-execution-role": Mutation(
        "modules/mwaa/main.tf",
        {
            "IAM004": "module.mwaa.aws_iam_role.execution",
            "CKV_AWS_274": "module.mwaa.aws_iam_role_policy_attachment.admin",
        },
        add="""resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}""",
    ),
    "intraday-cluster-lookup-not-granted": Mutation(
        "modules/mwaa/main.tf",
        {"IAM001": "missing elasticmapreduce:ListClusters"},
        old=r'  statement \{\n    # the intraday DAG finds.*?"EmrFindIntradayCluster".*?\n  \}\n',
        new="",
    ),
    "inline-star-on-the-mwaa-execution-role": Mutation(
        "modules/mwaa/main.tf",
        {  # checkov's CKV_AWS_62/63 look for "*" alone, not "*:*"
            "IAM002": "module.mwaa.aws_iam_role.execution (airlake-production-execution): "
            "*:* on * (module.mwaa.aws_iam_role_policy.wide)"
        },
        add=_policy("execution", "*:*", "*"),
    ),
    "star-on-the-emr-service-role": Mutation(
        "modules/emr/main.tf",
        {
            "IAM002": "module.emr.aws_iam_role.service (airlake-production-emr-service): "
            "*:* on * (module.emr.aws_iam_role_policy.wide)"
        },
        add=_policy("service", "*:*", "*"),
    ),
    "star-on-the-emr-instance-profile-role": Mutation(
        "modules/emr/main.tf",
        {
            "IAM002": "module.emr.aws_iam_role.ec2 (airlake-production-emr-ec2): "
            "*:* on * (module.emr.aws_iam_role_policy.wide)"
        },
        add=_policy("ec2", "*:*", "*"),
    ),
    "iam-star-on-every-role": Mutation(
        "modules/mwaa/main.tf",
        {
            "IAM003": "module.mwaa.aws_iam_role.execution",
            "CKV2_AWS_40": "module.mwaa.aws_iam_role_policy.wide",
        },
        add=_policy("execution", "iam:*", "arn:aws:iam::*:role/*"),
    ),
    "bucket-encryption-removed": Mutation(
        "modules/bucket/main.tf",
        dict.fromkeys(
            ("S3002", "CKV_AWS_145"), 'module.data.module.bucket["landing"].aws_s3_bucket.this'
        ),
        old=r'resource "aws_s3_bucket_server_side_encryption_configuration" "this" \{.*?\n\}\n',
        new="",
    ),
    "mwaa-webserver-public": Mutation(
        "modules/mwaa/main.tf",
        dict.fromkeys(("MWA001", "CKV2_AWS_66"), "module.mwaa.aws_mwaa_environment.this"),
        old=r'webserver_access_mode(\s+)= "PRIVATE_ONLY"',
        new=r'webserver_access_mode\1= "PUBLIC_ONLY"',
    ),
    "security-group-ingress-from-anywhere": Mutation(
        "modules/network/main.tf",
        {"NET005": "module.network.aws_security_group.mwaa: 443/tcp from 0.0.0.0/0"},
        old=r"(resource \"aws_security_group\" \"mwaa\" \{.*?)(\n  egress \{)",
        new=r"""\1
  ingress {
    description = "HTTPS from anywhere"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
\2""",
    ),
    "public-access-block-flag-false": Mutation(
        "modules/bucket/main.tf",
        {
            "S3001": 'module.data.module.bucket["landing"].aws_s3_bucket.this',
            "CKV_AWS_56": 'module.data.module.bucket["landing"].aws_s3_bucket_public_access_block',
        },
        old=r"restrict_public_buckets = true",
        new="restrict_public_buckets = false",
    ),
    "bucket-policy-for-any-principal": Mutation(
        "modules/data/extra.tf",
        {"CKV_AWS_70": "module.data.aws_s3_bucket_policy.landing"},
        add="""resource "aws_s3_bucket_policy" "landing" {
  bucket = module.bucket["landing"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${module.bucket["landing"].arn}/*"
    }]
  })
}""",
    ),
    "provider-not-pinned-to-the-environments-account": Mutation(
        "envs/_shared/main.tf",
        {"ACC001": "provider aws: any account"},
        old=r"\n  allowed_account_ids = \[var\.account_id\]",
        new="",
    ),
    "vpn-authorizes-all-groups": Mutation(
        "modules/network/client_vpn.tf",
        {
            "VPN001": 'module.network.aws_ec2_client_vpn_authorization_rule.emr_primary["data_engineer"]'
        },
        old=r"access_group_id(\s+)= var\.group_ids\[each\.key\]",
        new=r"authorize_all_groups\1= true",
    ),
    "vpn-authorizes-the-internet": Mutation(
        "modules/network/client_vpn.tf",
        {"VPN002": "module.network.aws_ec2_client_vpn_authorization_rule.internet"},
        add="""resource "aws_ec2_client_vpn_authorization_rule" "internet" {
  count                  = local.vpn_count
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.developers[0].id
  target_network_cidr    = "0.0.0.0/0"
  access_group_id        = var.group_ids["analyst"]
}""",
    ),
    "vpn-without-connection-logging": Mutation(
        "modules/network/client_vpn.tf",
        {"VPN003": "module.network.aws_ec2_client_vpn_endpoint.developers[0]"},
        old=r"(connection_log_options \{\s+enabled\s+= )true",
        new=r"\1false",
    ),
    "vpn-certificate-only": Mutation(
        "modules/network/client_vpn.tf",
        {
            "VPN004": "module.network.aws_ec2_client_vpn_endpoint.developers[0]: "
            "certificate-authentication without SSO"
        },
        old=r'type(\s+)= "federated-authentication"\s+saml_provider_arn\s+= [^\n]+',
        new=r'type\1= "certificate-authentication"\n    root_certificate_chain_arn = '
        r"data.aws_acm_certificate.client_vpn[0].arn",
    ),
    "vpn-group-open-to-the-emr-node-on-every-port": Mutation(
        "modules/network/client_vpn.tf",
        {
            "VPN005": "module.network.aws_security_group_rule.emr_primary_everything: "
            "all traffic from the VPN (module.network.aws_security_group.client_vpn)"
        },
        add="""resource "aws_security_group_rule" "emr_primary_everything" {
  type                     = "ingress"
  security_group_id        = aws_security_group.emr_primary_access.id
  source_security_group_id = aws_security_group.client_vpn.id
  protocol                 = "-1"
  from_port                = 0
  to_port                  = 0
  description              = "everything from the VPN"
}""",
    ),
    "vpn-client-range-open-to-the-emr-node-on-every-port": Mutation(
        "modules/network/client_vpn.tf",
        {
            "VPN005": "module.network.aws_vpc_security_group_ingress_rule.emr_primary_range: "
            "0-65535/tcp from the VPN (172.16.0.0/22)"
        },
        add="""resource "aws_vpc_security_group_ingress_rule" "emr_primary_range" {
  security_group_id = aws_security_group.emr_primary_access.id
  cidr_ipv4         = var.vpn_client_cidr
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  description       = "every port from the VPN's clients"
}""",
    ),
    "sso-admin-permission-set-to-analysts": Mutation(
        "modules/identity/main.tf",
        {
            "SSO001": "module.identity.aws_ssoadmin_account_assignment.analyst_admin: "
            'module.identity.aws_ssoadmin_permission_set.role["platform_admin"] '
            "(airlake-production-platform-admin) to group airlake-analysts"
        },
        add="""resource "aws_ssoadmin_account_assignment" "analyst_admin" {
  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role["platform_admin"].arn
  principal_type     = "GROUP"
  principal_id       = data.aws_identitystore_group.role["analyst"].group_id
  target_type        = "AWS_ACCOUNT"
  target_id          = var.account_id
}""",
    ),
    "sso-assignment-to-another-environments-account": Mutation(
        "modules/identity/main.tf",
        dict.fromkeys(
            ("SSO002",), 'module.identity.aws_ssoadmin_account_assignment.role["analyst"]'
        ),
        old=r"target_id(\s+)= var\.account_id",
        new=r'target_id\1= "111111111111"',
    ),
}


def _failing(results: list[Result]) -> dict[str, Result]:
    return {r.check: r for r in results if r.status is Status.FAIL}


def test_the_unchanged_copy_passes(terraform_copy: Path, checkov: str) -> None:
    results = verify("production", terraform=terraform_copy, checkov=checkov)
    assert _failing(results) == {}


@pytest.mark.parametrize("mutation", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_an_insecure_change_fails_verify_naming_the_resource(
    terraform_copy: Path, checkov: str, mutation: Mutation
) -> None:
    mutation.apply(terraform_copy)
    failing = _failing(verify("production", terraform=terraform_copy, checkov=checkov))
    assert set(mutation.expect) <= set(failing), sorted(failing)
    for check, resource in mutation.expect.items():
        assert resource in failing[check].evidence, failing[check]
        assert failing[check].fix
