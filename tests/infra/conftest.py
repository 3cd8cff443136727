"""The project's Terraform folder, and copies of it to change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "infra" / "terraform"


@pytest.fixture
def terraform_copy(tmp_path: Path) -> Path:
    """A copy of the project's Terraform folder (its links kept) to change freely."""
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy, symlinks=True)
    return copy
