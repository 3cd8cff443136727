"""airlake maintain / forget / tables through the CLI runner, on the embedded backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from tests.conftest import click_line, write_profile


@pytest.fixture
def profile(tmp_path: Path, write_landing) -> Path:
    from datetime import date

    write_landing(date(2026, 11, 10), 10, [click_line("e1", "2026-11-10T10:00:00")])
    return write_profile(tmp_path, "local")


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_tables_shows_growth_and_maintain_shrinks_it(profile: Path) -> None:
    env = ("--env", str(profile))
    stages = ("--stage", "ingest", "--stage", "clean")
    for _ in range(3):
        assert _invoke("run", "--date", "2026-11-10", *stages, *env).exit_code == 0
    result = _invoke("tables", *env)
    assert result.exit_code == 0
    header = result.output.splitlines()[0]
    for column in ("avg file", "snapshots", "metadata", "stored data"):
        assert column in header
    before = {t["name"]: t for t in json.loads(_invoke("tables", "--format", "json", *env).output)}
    assert before["clean.events"]["snapshots"] >= 3  # a replace is a delete and an append
    assert before["clean.events"]["stored_data_files"] == 3
    assert before["clean.events"]["data_files"] == 1
    assert before["clean.events"]["metadata_bytes"] > 0

    aggressive = (
        "--set",
        "maintenance.snapshot_retention_hours=0",
        "--set",
        "maintenance.keep_last_snapshots=1",
    )
    result = _invoke("maintain", "--date", "2026-11-10", *aggressive, *env)
    assert result.exit_code == 0, result.output
    assert "clean.events" in result.output and "expired" in result.output
    after = {t["name"]: t for t in json.loads(_invoke("tables", "--format", "json", *env).output)}
    assert after["clean.events"]["snapshots"] == 1
    assert after["clean.events"]["stored_data_files"] == 1
    assert after["clean.events"]["rows"] == before["clean.events"]["rows"]

    again = _invoke("maintain", "--date", "2026-11-10", "--format", "json", *aggressive, *env)
    assert all(r["expired_snapshots"] == 0 for r in json.loads(again.output))


def test_forget_reads_an_ids_file(profile: Path, tmp_path: Path) -> None:
    env = ("--env", str(profile))
    assert _invoke("run", "--date", "2026-11-10", "--stage", "ingest", *env).exit_code == 0
    ids = tmp_path / "ids.txt"
    ids.write_text("anonymous_id:a-1\n")
    result = _invoke("forget", "--file", str(ids), "--by", "dpo", *env)
    assert result.exit_code == 0, result.output
    assert "raw.events" in result.output and "audit record:" in result.output
    assert "a-1" not in result.output
