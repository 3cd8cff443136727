"""checkov for the tests that run it: in its own environment under ``.tools/checkov`` (its pins
clash with Airflow's), installed on first use at the version the code is kept clean against."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from airlake.infra.checkov import VERSION

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "infra" / "terraform"


@pytest.fixture(scope="session")
def checkov() -> str:
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
                f"checkov=={VERSION}",
            ],
            check=True,
        )
    return str(binary)


@pytest.fixture
def terraform_copy(tmp_path: Path) -> Path:
    """A copy of the project's Terraform folder (its links kept) to change freely."""
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy, symlinks=True)
    return copy
