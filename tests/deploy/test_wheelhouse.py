"""Wheelhouse mistakes are one clear error (the real download runs in the target matrix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlake.deploy.wheelhouse import fill_wheelhouse
from airlake.errors import UserError


def test_an_unknown_architecture_is_named(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown architecture 'sparc'; known: aarch64, x86_64"):
        fill_wheelhouse(tmp_path, "3.11", "sparc")


def test_a_wheelhouse_without_requirements_says_to_bundle_first(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="make the bundle first"):
        fill_wheelhouse(tmp_path, "3.11", "x86_64")
