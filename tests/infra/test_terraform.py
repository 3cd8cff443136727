"""The Terraform code: parses, documents its variables, and differs between environments only
in sizing and derived names; the static verify passes on it. Reading it into facts: every
bucket, role, policy and security group counts, in whatever form and file it is declared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from airlake.infra.checkov import run
from airlake.infra.facts import Facts
from airlake.infra.rules import Result, Status, evaluate
from airlake.infra.terraform import facts_from_terraform
from airlake.infra.tfconfig import load
from airlake.infra.tfvars import tfvars
from airlake.infra.verify import verify
from airlake.profiles_check import Kind, diff
from airlake.settings import read_profile_file
from tests.infra.conftest import TERRAFORM

TF_FILES = sorted(TERRAFORM.rglob("*.tf"))


def test_there_is_terraform_to_check() -> None:
    modules = {p.parent.name for p in TF_FILES if "modules" in p.parts}
    assert modules == {"network", "data", "bucket", "mwaa", "emr", "athena", "identity"}
    envs = {p.parent.name for p in TF_FILES if "envs" in p.parts}
    assert envs == {"_shared", "sandbox", "test", "production"}
    for env in (
        "sandbox",
        "test",
        "production",
    ):  # one root module, linked: environments cannot drift
        for name in ("main.tf", "variables.tf"):
            path = TERRAFORM / "envs" / env / name
            assert path.is_symlink()
            assert path.resolve() == (TERRAFORM / "envs" / "_shared" / name).resolve()


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_every_file_parses_and_every_variable_is_documented(path: Path) -> None:
    doc = load(path)
    for entry in doc.get("variable", []):
        for name, body in entry.items():
            assert body.get("description"), f"{path.name}: variable {name} has no description"
            assert body.get("type"), f"{path.name}: variable {name} has no type"


_ATTRIBUTE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=(?!=)")


def duplicate_attributes(text: str) -> list[str]:
    """``name (line)`` of every argument set twice in one block or object, which Terraform
    rejects ("Attribute redefined") and python-hcl2 reads without a word (the last one wins)."""
    scopes: list[set[str]] = [set()]
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _ATTRIBUTE.match(line)
        if match and len(scopes) > 1:
            if match.group(1) in scopes[-1]:
                found.append(f"{match.group(1)} ({number})")
            scopes[-1].add(match.group(1))
        for ch in re.sub(r'"(?:[^"\\]|\\.)*"', '""', line):
            if ch == "{":
                scopes.append(set())
            elif ch == "}" and len(scopes) > 1:
                scopes.pop()
    return found


def test_duplicate_attributes_are_found() -> None:
    text = 'module "m" {\n  a = 1\n  b = { a = 2 }\n  c = "{"\n  a = 3\n}\nx {\n  a = 1\n}\n'
    assert duplicate_attributes(text) == ["a (5)"]


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_no_argument_is_set_twice_in_a_block(path: Path) -> None:
    assert duplicate_attributes(path.read_text()) == []


def test_generated_inputs_differ_only_in_sizing_and_derived_names() -> None:
    inputs = {env: tfvars(read_profile_file(env)) for env in ("sandbox", "test", "production")}
    sizing = {
        "mwaa_environment_class",
        "mwaa_min_workers",
        "mwaa_max_workers",
        "mwaa_schedulers",
        "athena_bytes_scanned_cutoff",
        "vpn_enabled",
    }
    for other in ("test", "production"):
        for d in diff("sandbox", inputs["sandbox"], other, inputs[other]):
            assert (
                d.key in sizing
                or d.key in ("vpc_cidr", "account_id")
                or d.kind in (Kind.DERIVED, Kind.PER_ENVIRONMENT)
            ), d


@pytest.mark.slow
def test_static_verify_passes_on_the_shipped_code(checkov: str) -> None:
    results = verify("production", checkov=checkov)
    assert [r.check for r in results] == [
        "NET001",
        "NET002",
        "NET003",
        "NET004",
        "NET005",
        "IAM001",
        "IAM002",
        "IAM003",
        "IAM004",
        "MWA001",
        "S3001",
        "S3002",
        "BND001",
        "ACC001",
        "VPN001",
        "VPN002",
        "VPN003",
        "VPN004",
        "VPN005",
        "SSO001",
        "SSO002",
        "CKV",
    ]
    assert all(r.status is Status.PASS for r in results), results


def test_every_checkov_skip_is_justified() -> None:
    for path in TF_FILES:
        for line in path.read_text().splitlines():
            if "checkov:skip=" in line:
                assert re.search(r"checkov:skip=CKV2?_AWS_\d+: \S.{10,}", line), (
                    f"{path}: {line.strip()}"
                )


@pytest.mark.slow
@pytest.mark.integration
def test_checkov_reports_no_failed_check(checkov: str) -> None:
    """checkov without a platform key reports no severities, so the bar is stricter than
    "no high or critical": no failed check at all; skips carry their reason inline."""
    report = run(TERRAFORM, checkov)
    reports = report if isinstance(report, list) else [report]
    failed = [c for r in reports for c in r["results"]["failed_checks"]]
    assert failed == [], [(c["check_id"], c["resource"]) for c in failed]
    assert sum(r["summary"]["passed"] for r in reports) > 100


def _facts(root: Path) -> Facts:
    inputs = tfvars(read_profile_file("production"))
    f = facts_from_terraform(root, inputs)
    f.environment, f.account_id = "production", inputs["account_id"]
    f.admin_groups = (inputs["group_names"]["platform_admin"],)
    return f


def _failing(facts: Facts) -> dict[str, Result]:
    return {r.check: r for r in evaluate(facts) if r.status is Status.FAIL}


def _add(root: Path, relative: str, hcl: str) -> None:
    path = root / relative
    path.write_text((path.read_text() if path.exists() else "") + "\n" + hcl)


def test_the_shipped_code_reads_into_every_resource() -> None:
    f = _facts(TERRAFORM)
    assert [b.name for b in f.buckets] == [
        "module.data.module.logs.aws_s3_bucket.this (airlake-production-access-logs)",
        *(
            f'module.data.module.bucket["{b}"].aws_s3_bucket.this (airlake-production-{b})'
            for b in ("landing", "warehouse", "athena-results", "mwaa-source")
        ),
    ]
    assert all(b.public_access_blocked and b.encrypted for b in f.buckets)
    assert {r.name for r in f.roles} == {
        "module.network.aws_iam_role.flow (airlake-production-vpc-flow-logs)",
        "module.emr.aws_iam_role.service (airlake-production-emr-service)",
        "module.emr.aws_iam_role.ec2 (airlake-production-emr-ec2)",
        "module.mwaa.aws_iam_role.execution (airlake-production-execution)",
    }
    assert f.execution_role == "module.mwaa.aws_iam_role.execution (airlake-production-execution)"
    emr = next(r for r in f.roles if "emr-service" in r.name)
    assert emr.managed_policies == (
        "arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2",
    )
    assert f.security_group == "module.network.aws_security_group.mwaa"
    assert f.webservers[0].access_mode == "PRIVATE_ONLY"
    # developer access: the VPN is declared once (production's vpn_enabled = false leaves it
    # out of a plan, but the code is checked for what any environment builds from it)
    (vpn,) = f.vpn_endpoints
    assert vpn.name == "module.network.aws_ec2_client_vpn_endpoint.developers[0]"
    assert vpn.authentication == ("federated-authentication",)
    assert vpn.connection_logging and vpn.client_cidr == "172.16.0.0/22"
    assert vpn.security_groups == ("module.network.aws_security_group.client_vpn",)
    assert [(a.source, a.all_groups) for a in f.vpn_authorizations] == [
        ('module.network.aws_ec2_client_vpn_authorization_rule.emr_primary["data_engineer"]', False)
    ]
    from_vpn = [i for i in f.ingress if i.group == "module.network.aws_security_group.client_vpn"]
    assert sorted(i.ports for i in from_vpn) == ["18080/tcp", "20888/tcp", "22/tcp", "8088/tcp"]
    assert {(a.permission_set.split('"')[1], a.principal, a.account) for a in f.assignments} == {
        ("platform_admin", "airlake-platform-admins", "333333333333"),
        ("data_engineer", "airlake-data-engineers", "333333333333"),
        ("analyst", "airlake-analysts", "333333333333"),
    }
    admin = next(p for p in f.permission_sets if "platform_admin" in p.key)
    assert admin.managed_policies == ("arn:aws:iam::aws:policy/PowerUserAccess",)
    assert _failing(f) == {}


# Each form Terraform offers for the same insecure change; test_mutations runs the whole
# verify (checkov included) on one case of each rule, these read the forms into facts only.
FORMS = {
    "VPN reached by an inline ingress naming its security group, all traffic": (
        "modules/network/client_vpn.tf",
        """resource "aws_security_group" "debug" {
  name   = "debug"
  vpc_id = aws_vpc.this.id
  ingress {
    from_port       = 0
    to_port         = 0
    protocol        = "-1"
    security_groups = [aws_security_group.client_vpn.id]
  }
}""",
        "VPN005",
        "module.network.aws_security_group.debug: all traffic from the VPN "
        "(module.network.aws_security_group.client_vpn)",
    ),
    "VPN signing in through a directory, without SSO": (
        "modules/network/client_vpn.tf",
        """resource "aws_ec2_client_vpn_endpoint" "ad" {
  server_certificate_arn = "arn:aws:acm:eu-west-1:333333333333:certificate/x"
  client_cidr_block      = "172.20.0.0/22"
  authentication_options {
    type                = "directory-service-authentication"
    active_directory_id = "d-1234567890"
  }
  connection_log_options {
    enabled              = true
    cloudwatch_log_group = aws_cloudwatch_log_group.client_vpn.name
  }
}""",
        "VPN004",
        "module.network.aws_ec2_client_vpn_endpoint.ad: directory-service-authentication without SSO",
    ),
    "admin permission set to one user": (
        "modules/identity/main.tf",
        """resource "aws_ssoadmin_account_assignment" "someone" {
  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role["platform_admin"].arn
  principal_type     = "USER"
  principal_id       = "90676d2b-0011-7022-1111-111111111111"
  target_type        = "AWS_ACCOUNT"
  target_id          = var.account_id
}""",
        "SSO001",
        "module.identity.aws_ssoadmin_account_assignment.someone: "
        'module.identity.aws_ssoadmin_permission_set.role["platform_admin"] '
        "(airlake-production-platform-admin) to user 90676d2b-0011-7022-1111-111111111111",
    ),
    "AdministratorAccess on the data engineers' permission set": (
        "modules/identity/main.tf",
        """resource "aws_ssoadmin_managed_policy_attachment" "data_engineer_admin" {
  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role["data_engineer"].arn
  managed_policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}""",
        "SSO001",
        'module.identity.aws_ssoadmin_account_assignment.role["data_engineer"]: '
        'module.identity.aws_ssoadmin_permission_set.role["data_engineer"] '
        "(airlake-production-data-engineer) to group airlake-data-engineers",
    ),
    "rule ::/0 on a separate security group rule": (
        "modules/network/main.tf",
        """resource "aws_security_group_rule" "v6" {
  type              = "ingress"
  from_port         = 8080
  to_port           = 8080
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
  security_group_id = aws_security_group.mwaa.id
}""",
        "NET005",
        "module.network.aws_security_group_rule.v6: 8080/tcp from ::/0",
    ),
    "vpc ingress rule resource": (
        "modules/network/main.tf",
        """resource "aws_vpc_security_group_ingress_rule" "web" {
  security_group_id = aws_security_group.mwaa.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}""",
        "NET005",
        "module.network.aws_vpc_security_group_ingress_rule.web: 443/tcp from 0.0.0.0/0",
    ),
    "a new security group in the root module, all traffic": (
        "envs/production/extra.tf",
        """resource "aws_security_group" "debug" {
  name = "debug"
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]
  }
}""",
        "NET005",
        "aws_security_group.debug: all traffic from 0.0.0.0/0",
    ),
    "managed_policy_arns on the role": (
        "modules/emr/extra.tf",
        """resource "aws_iam_role" "spare" {
  name                = "${var.name}-spare"
  assume_role_policy  = "{}"
  managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}""",
        "IAM004",
        "module.emr.aws_iam_role.spare (airlake-production-spare): arn:aws:iam::aws:policy/PowerUserAccess",
    ),
    "aws_iam_policy_attachment by role name": (
        "envs/production/extra.tf",
        """resource "aws_iam_policy_attachment" "iam" {
  name       = "iam"
  roles      = ["airlake-production-emr-ec2"]
  policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
}""",
        "IAM004",
        "module.emr.aws_iam_role.ec2 (airlake-production-emr-ec2): arn:aws:iam::aws:policy/IAMFullAccess",
    ),
    "customer policy document attached to the role": (
        "modules/mwaa/extra.tf",
        """resource "aws_iam_policy" "wide" {
  name   = "wide"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = ["*"] }] })
}
resource "aws_iam_role_policy_attachment" "wide" {
  role       = aws_iam_role.execution.name
  policy_arn = aws_iam_policy.wide.arn
}""",
        "IAM002",
        "module.mwaa.aws_iam_role.execution (airlake-production-execution): s3:* on * (module.mwaa.aws_iam_role_policy_attachment.wide)",
    ),
    "inline_policy block with a heredoc document": (
        "modules/emr/main.tf",
        """resource "aws_iam_role" "extra" {
  name               = "${var.name}-extra"
  assume_role_policy = "{}"
  inline_policy {
    name   = "all"
    policy = <<POLICY
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*:*", "Resource": "*"}}
POLICY
  }
}""",
        "IAM002",
        "module.emr.aws_iam_role.extra (airlake-production-extra): *:* on * (module.emr.aws_iam_role.extra inline_policy all)",
    ),
    "iam:PassRole on every role in the account": (
        "modules/mwaa/main.tf",
        """resource "aws_iam_role_policy" "pass" {
  name   = "pass"
  role   = aws_iam_role.execution.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::${local.account}:role/*" }] })
}""",
        "IAM003",
        "module.mwaa.aws_iam_role.execution (airlake-production-execution): iam:PassRole on arn:aws:iam::${local.account}:role/* (module.mwaa.aws_iam_role_policy.pass)",
    ),
    "a role outside the code, named by a data source": (
        "modules/mwaa/extra.tf",
        """data "aws_iam_role" "legacy" {
  name = "legacy-airflow"
}
resource "aws_iam_role_policy_attachment" "legacy" {
  role       = data.aws_iam_role.legacy.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}""",
        "IAM004",
        "role module.mwaa.data.aws_iam_role.legacy: arn:aws:iam::aws:policy/AdministratorAccess",
    ),
    "bucket in the root module with an inline public access block by name": (
        "envs/production/extra.tf",
        """resource "aws_s3_bucket" "scratch" {
  bucket = "${var.name}-scratch"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}
resource "aws_s3_bucket_public_access_block" "scratch" {
  bucket                  = "airlake-production-scratch"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = false
  restrict_public_buckets = true
}""",
        "S3001",
        "aws_s3_bucket.scratch (airlake-production-scratch): ignore_public_acls off",
    ),
}


@pytest.mark.parametrize("case", FORMS.values(), ids=FORMS.keys())
def test_every_form_of_an_insecure_change_is_read(
    terraform_copy: Path, case: tuple[str, str, str, str]
) -> None:
    relative, hcl, check, evidence = case
    _add(terraform_copy, relative, hcl)
    failing = _failing(_facts(terraform_copy))
    assert set(failing) == {check}
    assert evidence in failing[check].evidence


def test_an_mwaa_environment_with_the_access_mode_from_a_variable(terraform_copy: Path) -> None:
    main = terraform_copy / "modules" / "mwaa" / "main.tf"
    main.write_text(main.read_text().replace('"PRIVATE_ONLY"', "var.access_mode"))
    _add(
        terraform_copy,
        "modules/mwaa/variables.tf",
        'variable "access_mode" {\n  type    = string\n  default = "PUBLIC_ONLY"\n}',
    )
    assert "module.mwaa.aws_mwaa_environment.this: webserver_access_mode = PUBLIC_ONLY" in (
        _failing(_facts(terraform_copy))["MWA001"].evidence
    )


def test_an_environment_without_a_root_module_is_one_clear_error(tmp_path: Path) -> None:
    from airlake.errors import UserError

    with pytest.raises(UserError, match=r"no Terraform root module at .*envs/production"):
        _facts(tmp_path)
