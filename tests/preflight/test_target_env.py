"""Where a target's environment gets its uv from."""

from __future__ import annotations

from pathlib import Path

import pytest

import airlake
from airlake.preflight.target_env import find_uv


def test_uv_is_found_in_the_checkout_tools_folder_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make install`` puts uv in the checkout's .tools/bin, on no PATH: found all the same."""
    checkout = Path(airlake.__file__).resolve().parents[2]
    installed = checkout / ".tools" / "bin" / "uv"
    if not installed.exists():
        pytest.skip("no make install in this checkout")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert find_uv() == str(installed.resolve())
