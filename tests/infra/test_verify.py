"""``airlake verify`` on the code through the CLI runner: a failing rule exits 1 after a table
that names the resource and the fix; a user mistake is one ``error:`` line, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from airlake.cli import cli


def _one_error_line(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error: "), result.output
    assert message in lines[-1], result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--env", "staging"), "no profile 'staging'"),
        (("--env", "local"), "is not one of the AWS environments"),
        (("--env", "production", "--terraform", "/no/such/folder"), "no Terraform root module"),
        (("--env", "production", "--checkov", "/no/such/checkov"), "checkov not found at"),
    ],
    ids=["unknown-profile", "not-an-aws-environment", "no-terraform-folder", "no-checkov"],
)
def test_a_user_mistake_is_one_error_line(args: tuple[str, ...], message: str) -> None:
    _one_error_line(CliRunner().invoke(cli, ["verify", *args]), message)


def test_terraform_that_does_not_parse_is_one_error_line(terraform_copy: Path) -> None:
    (terraform_copy / "modules" / "mwaa" / "broken.tf").write_text('resource "aws_iam_role" {\n')
    result = CliRunner().invoke(
        cli, ["verify", "--env", "production", "--terraform", str(terraform_copy)]
    )
    _one_error_line(result, "cannot parse")
    assert "modules/mwaa/broken.tf" in result.output


@pytest.mark.slow
def test_a_failing_rule_exits_1_with_the_resource_and_the_fix(
    terraform_copy: Path, checkov: str
) -> None:
    main = terraform_copy / "modules" / "mwaa" / "main.tf"
    main.write_text(main.read_text().replace('"PRIVATE_ONLY"', '"PUBLIC_ONLY"'))
    args = ["verify", "--env", "production", "--terraform", str(terraform_copy)]
    result = CliRunner().invoke(cli, [*args, "--checkov", checkov])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    (row,) = [line for line in result.output.splitlines() if line.startswith("MWA001")]
    assert "fail" in row
    assert "module.mwaa.aws_mwaa_environment.this: webserver_access_mode = PUBLIC_ONLY" in row
    assert 'set webserver_access_mode = "PRIVATE_ONLY"' in row
    assert result.output.strip().splitlines()[-1] == (
        "error: 2 check(s) failed: MWA001, CKV2_AWS_66"
    )

    result = CliRunner().invoke(cli, [*args, "--format", "json"], env={"AIRLAKE_CHECKOV": checkov})
    assert result.exit_code == 1
    payload = json.loads(result.output[: result.output.rindex("]") + 1])
    assert [r["check"] for r in payload if r["status"] == "fail"] == ["MWA001", "CKV2_AWS_66"]
