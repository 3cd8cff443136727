"""The platform CLI through click's runner, on the embedded backend: exit codes and output."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from tests.conftest import click_line, write_profile

DAY = date(2026, 11, 10)


@pytest.fixture
def profile(tmp_path: Path, write_landing) -> Path:
    write_landing(
        DAY,
        10,
        [click_line("e1", "2026-11-10T10:00:00"), click_line("e1", "2026-11-10T10:00:00"), b"oops"],
    )
    return write_profile(tmp_path)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_then_query_tables_history(profile: Path) -> None:
    result = invoke("run", "--date", "2026-11-10", "--env", str(profile))
    assert result.exit_code == 0, result.output
    assert "reports.data_quality_daily" in result.output

    result = invoke(
        "query",
        "SELECT lines, valid, duplicates, quarantined FROM reports.data_quality_daily",
        "--format",
        "json",
        "--env",
        str(profile),
    )
    assert result.exit_code == 0
    assert json.loads(result.output) == [
        {"lines": 3, "valid": 1, "duplicates": 1, "quarantined": 1}
    ]

    result = invoke(
        "query", "SELECT reason FROM raw.quarantine", "--format", "csv", "--env", str(profile)
    )
    assert result.output.splitlines() == ["reason", "malformed_json"]

    result = invoke("tables", "--env", str(profile))
    assert "clean.events" in result.output

    result = invoke("history", "reports.campaign_daily", "--env", str(profile))
    assert result.exit_code == 0
    assert "2026-11-10" in result.output and "campaign_daily" in result.output


def test_run_prints_each_stage_time_and_rows_on_stderr(profile: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--date", "2026-11-10", "--env", str(profile)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.stderr.splitlines() if " s  rows: " in line}
    assert set(lines) == {
        "extract",
        "ingest",
        "clean",
        "sessions",
        "attribution",
        "reports",
        "quality",
        "publish",
        "maintain",
    }
    # the landing day holds two copies of one click and one broken line
    assert "raw.events 2," in lines["ingest"] and "raw.quarantine 1," in lines["ingest"]
    assert "clean.events 1" in lines["clean"]
    assert all(float(line.split()[2]) >= 0 for line in lines.values())
    assert " s  rows: " not in result.stdout, "timings go to stderr, the table to stdout"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "--date", "2026-13-01"), "bad date '2026-13-01'"),
        (("run", "--date", "2026-11-12"), "no landing data for 2026-11-12"),
        (("query", "SELECT * FROM reports.nope"), "unknown table 'reports.nope'"),
        (("query", "SELEC 1"), "query failed"),
        (("history", "raw.nope"), "unknown table"),
        (("run", "--date", "2026-11-10", "--stage", "nope"), "unknown stage 'nope'"),
        (("run", "--date", "2026-11-10", "--set", "nope"), "bad --set"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_1(
    profile: Path, args: tuple[str, ...], message: str
) -> None:
    result = CliRunner().invoke(cli, [*args, "--env", str(profile)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_unreadable_landing_folder_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        f'[storage]\nlanding = "{tmp_path}/missing"\nwarehouse = "{tmp_path}/warehouse"\n'
        f'[catalog]\ntype = "sqlite"\nuri = "sqlite:///{tmp_path}/c.db"\n'
    )
    result = CliRunner().invoke(cli, ["run", "--date", "2026-11-10", "--env", str(path)])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_sql_prints_a_model_in_each_dialect() -> None:
    for dialect in ("duckdb", "spark", "trino"):
        result = invoke("sql", "campaign_daily", "--dialect", dialect, "--date", "2026-11-10")
        assert result.exit_code == 0
        assert "2026-11-08" in result.output  # window start for a 3-day window
    assert CliRunner().invoke(cli, ["sql", "nope"]).exit_code == 1
