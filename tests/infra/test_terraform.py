"""The Terraform code: parses, documents its variables, and differs between environments only
in sizing and derived names; the static verify passes on it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from airlake.infra.terraform import load
from airlake.infra.tfvars import tfvars
from airlake.infra.verify import verify
from airlake.profiles_check import Kind, diff
from airlake.settings import read_profile_file

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "infra" / "terraform"
TF_FILES = sorted(TERRAFORM.rglob("*.tf"))
CHECKOV = "3.3.30"


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


def test_generated_inputs_differ_only_in_sizing_and_derived_names() -> None:
    inputs = {env: tfvars(read_profile_file(env)) for env in ("sandbox", "test", "production")}
    sizing = {
        "mwaa_environment_class",
        "mwaa_min_workers",
        "mwaa_max_workers",
        "mwaa_schedulers",
        "athena_bytes_scanned_cutoff",
    }
    for other in ("test", "production"):
        for d in diff("sandbox", inputs["sandbox"], other, inputs[other]):
            assert (
                d.key in sizing
                or d.key == "vpc_cidr"
                or d.kind in (Kind.DERIVED, Kind.PER_ENVIRONMENT)
            ), d


def test_static_verify_passes_on_the_shipped_code() -> None:
    results = verify("production")
    assert [r.check for r in results] == [
        "NET001",
        "NET002",
        "NET003",
        "NET004",
        "IAM001",
        "IAM002",
        "S3001",
        "BND001",
    ]
    assert all(r.status.value == "pass" for r in results), results


def test_every_checkov_skip_is_justified() -> None:
    for path in TF_FILES:
        for line in path.read_text().splitlines():
            if "checkov:skip=" in line:
                assert re.search(r"checkov:skip=CKV2?_AWS_\d+: \S.{10,}", line), (
                    f"{path}: {line.strip()}"
                )


def _checkov() -> str:
    """checkov in its own environment (its pins clash with Airflow's), installed on first use."""
    env = ROOT / ".tools" / "checkov"
    binary = env / "bin" / "checkov"
    if not binary.exists():
        uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(env)], check=True)
        subprocess.run(
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--python",
                str(env / "bin" / "python"),
                f"checkov=={CHECKOV}",
            ],
            check=True,
        )
    return str(binary)


@pytest.mark.slow
@pytest.mark.integration
def test_checkov_reports_no_failed_check() -> None:
    """checkov without a platform key reports no severities, so the bar is stricter than
    "no high or critical": no failed check at all; skips carry their reason inline."""
    import json

    done = subprocess.run(
        [
            _checkov(),
            "-d",
            str(TERRAFORM),
            "--framework",
            "terraform",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [c for r in reports for c in r["results"]["failed_checks"]]
    assert failed == [], [(c["check_id"], c["resource"]) for c in failed]
    assert sum(r["summary"]["passed"] for r in reports) > 100
