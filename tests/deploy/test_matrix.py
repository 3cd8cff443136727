"""The matrix's own pieces (the matrix itself runs as ``make matrix``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlake.deploy import matrix
from airlake.errors import UserError
from airlake.settings import load_settings


def test_local_profile_points_every_path_at_the_run(tmp_path: Path) -> None:
    profile = matrix.local_profile(
        tmp_path, "m", tmp_path / "wh", tmp_path / "landing", "sqlite:////x/source.db"
    )
    settings = load_settings(str(profile), environ={})
    assert settings.environment == "m"
    assert settings.landing_uri == str(tmp_path / "landing")
    assert settings.warehouse_uri == str(tmp_path / "wh")
    assert settings.catalog_uri == f"sqlite:///{tmp_path}/wh.db"
    assert settings.source_url == "sqlite:////x/source.db"


def test_a_profile_that_lost_a_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"local\.toml has no 'nope = 1'"):
        matrix._profile(tmp_path, "x", "local", {"nope = 1": "nope = 2"})


def test_a_result_line_says_what_failed() -> None:
    result = matrix.TargetResult("mwaa-3.0.6", python="3.12", parse="5/5 DAGs")
    assert result.ok and result.line().endswith("ok")
    result.problems.append("local day: tables differ from the lock: clean.events")
    assert not result.ok
    assert "FAILED: local day: tables differ from the lock: clean.events" in result.line()
