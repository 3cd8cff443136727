"""checkov's report as verify results: a recorded report read exactly, the program found or one
clear error, and (slow) a real scan of the shipped code."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from airlake.errors import UserError
from airlake.infra.checkov import VERSION, find, results, scan
from airlake.infra.result import Result, Status
from tests.infra.conftest import TERRAFORM

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_report_reads_into_one_result_per_failed_check() -> None:
    report = json.loads((FIXTURES / "checkov_report.json").read_text())
    root = Path("/repo/infra/terraform")
    assert results(report, root / "envs" / "production", root) == [
        Result(
            "CKV_AWS_56",
            Status.FAIL,
            "Ensure S3 bucket has 'restrict_public_buckets' enabled: "
            'module.data.module.bucket["warehouse"].aws_s3_bucket_public_access_block.this '
            "(modules/bucket/main.tf:12); "
            "module.data.module.logs.aws_s3_bucket_public_access_block.this "
            "(modules/bucket/main.tf:12)",
            "set restrict_public_buckets = true in the bucket's public access block",
        ),
        Result(
            "CKV_AWS_70",
            Status.FAIL,
            "Ensure S3 bucket does not allow an action with any Principal: "
            "module.data.aws_s3_bucket_policy.open (modules/data/extra.tf:8)",
            'replace Principal "*" in the bucket policy with the principals that need access',
        ),
        Result(
            "CKV2_AWS_61",
            Status.FAIL,
            "Ensure that an S3 bucket has a lifecycle configuration: "
            "module.data.aws_s3_bucket.extra (modules/data/extra.tf:1)",
            "Ensure that an S3 bucket has a lifecycle configuration",
        ),
    ]


def test_a_clean_report_is_one_passed_result() -> None:
    summary = {"passed": 180, "skipped": 22, "parsing_errors": 0, "checkov_version": "3.3.30"}
    report = [{"results": {"failed_checks": []}, "summary": summary}]
    assert results(report, TERRAFORM, TERRAFORM) == [
        Result(
            "CKV",
            Status.PASS,
            "checkov 3.3.30: 180 passed, 0 failed, 22 skipped with a reason",
            "—",
        )
    ]


def test_files_checkov_cannot_parse_fail() -> None:
    report = {"results": {"failed_checks": []}, "summary": {"parsing_errors": 2}}
    (result,) = results(report, TERRAFORM, TERRAFORM)
    assert (result.check, result.status) == ("CKV", Status.FAIL)
    assert "could not parse 2 file(s)" in result.evidence


def _program(folder: Path, name: str = "checkov") -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_the_program_is_found_on_path_then_in_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(UserError, match=r"checkov is not installed: run `make checkov`"):
        find(tmp_path)
    (tmp_path / ".tools" / "checkov" / "bin").mkdir(parents=True)
    local = _program(tmp_path / ".tools" / "checkov" / "bin")
    assert find(tmp_path) == str(local)
    (tmp_path / "bin").mkdir()
    on_path = _program(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find(tmp_path) == str(on_path)
    assert find(tmp_path, str(local)) == str(local)
    with pytest.raises(UserError, match="checkov not found at /no/such/checkov"):
        find(tmp_path, "/no/such/checkov")


def test_a_program_that_writes_no_report_is_one_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "checkov"
    broken.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named x' >&2\nexit 2\n")
    broken.chmod(broken.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(UserError, match=r"checkov failed \(exit 2\): ModuleNotFoundError"):
        scan(TERRAFORM, "production", str(broken))


@pytest.mark.slow
def test_the_shipped_code_has_no_failed_check(checkov: str) -> None:
    (result,) = scan(TERRAFORM, "production", checkov)
    assert (result.check, result.status) == ("CKV", Status.PASS), result
    assert result.evidence.startswith(f"checkov {VERSION}: ")
