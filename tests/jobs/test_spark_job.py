"""The spark-submit entry point's ``--refresh`` mode (on the DuckDB engine here; the Spark
engine runs the same function)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from airlake.jobs.spark_job import main
from tests.conftest import click_line, write_profile


def test_refresh_mode_prints_one_json_line(
    tmp_path: Path, write_landing, capsys: pytest.CaptureFixture[str]
) -> None:
    write_landing(date(2026, 11, 10), 9, [click_line("e1", "2026-11-10T09:00:00")])
    profile = write_profile(tmp_path)
    code = main(["--refresh", "--now", "2026-11-10T09:30:00Z", "--env", str(profile)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["new_files"] == 1
    assert out["business_date"] == "2026-11-10"
    assert "clean.events" in {c["table"] for c in out["commits"]}


def test_a_stage_or_refresh_is_required() -> None:
    with pytest.raises(SystemExit):
        main(["--env", "local"])
    with pytest.raises(SystemExit):
        main(["ingest", "--refresh", "--date", "2026-11-10"])
