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
