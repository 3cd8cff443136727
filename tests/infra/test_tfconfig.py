"""The configuration of a small module tree: addresses as Terraform gives them, and
expressions resolved through variables, locals, module outputs, ``each`` and ``count``."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlake.errors import UserError
from airlake.infra.tfconfig import Configuration, Ref, conditional_branches, heredoc

ROOT_TF = """
module "store" {
  source = "../../modules/store"
  name   = var.name
}
module "copies" {
  for_each = toset(["a", "b"])
  source   = "../../modules/store"
  name     = "${var.name}-${each.value}"
}
resource "aws_iam_role_policy_attachment" "x" {
  role       = module.store.role_name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"""
STORE_TF = """
variable "name" {
  type = string
}
variable "zones" {
  type    = list(string)
  default = ["z1", "z2"]
}
locals {
  kinds = ["raw", "clean"]
}
resource "aws_s3_bucket" "this" {
  bucket = "${var.name}-bucket"
}
resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id
}
resource "aws_subnet" "private" {
  count             = 2
  availability_zone = var.zones[count.index]
}
resource "aws_glue_catalog_database" "db" {
  for_each = toset(local.kinds)
  name     = "${var.name}_${each.key}"
}
resource "aws_iam_role" "r" {
  name = "${var.name}-role"
}
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"] }] })
}
resource "aws_s3_bucket_logging" "maybe" {
  count  = var.name == "" ? 0 : 1
  bucket = aws_s3_bucket.this.id
}
output "role_name" {
  value = aws_iam_role.r.name
}
"""


@pytest.fixture
def config(tmp_path: Path) -> Configuration:
    (tmp_path / "envs" / "dev").mkdir(parents=True)
    (tmp_path / "envs" / "dev" / "main.tf").write_text(ROOT_TF)
    (tmp_path / "modules" / "store").mkdir(parents=True)
    (tmp_path / "modules" / "store" / "main.tf").write_text(STORE_TF)
    return Configuration(tmp_path, "dev", {"name": "lake"})


def test_modules_and_resources_carry_terraform_addresses(config: Configuration) -> None:
    assert [m.address for m in config.modules] == [
        "",
        "module.store",
        'module.copies["a"]',
        'module.copies["b"]',
    ]
    store = [b.address for b in config.blocks if b.module.address == "module.store"]
    assert store == [
        "module.store.aws_s3_bucket.this",
        "module.store.aws_s3_bucket_public_access_block.this",
        "module.store.aws_subnet.private[0]",
        "module.store.aws_subnet.private[1]",
        'module.store.aws_glue_catalog_database.db["raw"]',
        'module.store.aws_glue_catalog_database.db["clean"]',
        "module.store.aws_iam_role.r",
        "module.store.aws_iam_role_policy.p",
        # a conditional count: taken as present, with its larger branch's instances
        "module.store.aws_s3_bucket_logging.maybe[0]",
    ]
    assert [b.address for b in config.blocks if b.module.parent is None] == [
        "aws_iam_role_policy_attachment.x"
    ]


def test_variables_each_and_count_resolve(config: Configuration) -> None:
    buckets = config.of_type("aws_s3_bucket")
    assert [config.value(b, "bucket") for b in buckets] == [
        "lake-bucket",
        "lake-a-bucket",
        "lake-b-bucket",
    ]
    subnets = [b for b in config.of_type("aws_subnet") if b.module.address == "module.store"]
    assert [config.value(s, "availability_zone") for s in subnets] == ["z1", "z2"]
    dbs = [
        b for b in config.of_type("aws_glue_catalog_database") if b.module.address == "module.store"
    ]
    assert [config.value(d, "name") for d in dbs] == ["lake_raw", "lake_clean"]


def test_references_point_at_resources_across_modules(config: Configuration) -> None:
    (attachment,) = config.of_type("aws_iam_role_policy_attachment")
    role = config.value(attachment, "role")
    assert role == Ref("module.store.aws_iam_role.r", "name")
    assert [t.address for t in config.targets(role)] == ["module.store.aws_iam_role.r"]
    block = next(b for b in config.of_type("aws_s3_bucket_public_access_block"))
    assert config.value(block, "bucket") == Ref("module.store.aws_s3_bucket.this", "id")


def test_a_jsonencode_policy_is_read_as_an_object(config: Configuration) -> None:
    policy = config.of_type("aws_iam_role_policy")[0]
    document = config.document(policy, config.value(policy, "policy"))
    assert document == {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": [
                    Ref("module.store.aws_s3_bucket.this", "arn"),
                    "${aws_s3_bucket.this.arn}/*",
                ],
            }
        ]
    }


def test_heredoc_bodies() -> None:
    assert heredoc('<<EOF\n{"a": 1}\nEOF') == '{"a": 1}'
    assert heredoc('<<-EOT\n  {"a": 1}\n  EOT') == '  {"a": 1}'
    assert heredoc("plain") == "plain"


def test_a_file_that_does_not_parse_is_one_clear_error(config: Configuration) -> None:
    (config.root / "modules" / "store" / "broken.tf").write_text('resource "x" {\n')
    with pytest.raises(UserError, match=r"cannot parse .*broken\.tf"):
        Configuration(config.root, "dev", {"name": "lake"})


def test_conditional_branches_split_at_the_top_level_only() -> None:
    assert conditional_branches('${var.on ? {a = "x ? y : z"} : {}}') == ('{a = "x ? y : z"}', "{}")
    assert conditional_branches("${var.on ? [1, 2] : []}") == ("[1, 2]", "[]")
    assert conditional_branches("${var.on}") is None
    assert conditional_branches("plain ? a : b") is None


def test_conditional_instances_are_taken_as_present_with_the_larger_branch(tmp_path: Path) -> None:
    (tmp_path / "envs" / "dev").mkdir(parents=True)
    (tmp_path / "envs" / "dev" / "main.tf").write_text(
        """
variable "on" {
  type    = bool
  default = false
}
locals {
  roles = ["reader", "writer"]
}
resource "aws_ec2_client_vpn_endpoint" "vpn" {
  count = var.on ? 1 : 0
}
resource "aws_ec2_client_vpn_authorization_rule" "role" {
  for_each               = toset(var.on ? local.roles : [])
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.vpn[0].id
}
resource "aws_ec2_client_vpn_network_association" "a" {
  count                  = var.on ? length(local.roles) : 0
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.vpn[0].id
}
"""
    )
    config = Configuration(tmp_path, "dev", {"on": False})
    assert [b.address for b in config.blocks] == [
        "aws_ec2_client_vpn_endpoint.vpn[0]",
        'aws_ec2_client_vpn_authorization_rule.role["reader"]',
        'aws_ec2_client_vpn_authorization_rule.role["writer"]',
        # a count known only to a plan (a function call): one instance, without a key
        "aws_ec2_client_vpn_network_association.a",
    ]
    rule = config.of_type("aws_ec2_client_vpn_authorization_rule")[0]
    endpoint = config.value(rule, "client_vpn_endpoint_id")
    assert [b.address for b in config.targets(endpoint)] == ["aws_ec2_client_vpn_endpoint.vpn[0]"]
