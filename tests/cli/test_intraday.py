"""``airlake refresh``, ``alerts`` and ``status`` through the CLI runner on the embedded
backend (SQLite catalog, DuckDB)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from tests.conftest import click_line, write_profile

DAY = date(2026, 11, 10)
NOW = "2026-11-10T12:00:00Z"


@pytest.fixture
def profile(tmp_path: Path, write_landing) -> Path:
    write_landing(DAY, 10, [click_line("e1", "2026-11-10T10:00:00"), b"{broken"])
    return write_profile(tmp_path)


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_refresh_reads_the_new_file_then_finds_nothing_new(profile: Path) -> None:
    first = _run("refresh", "--now", NOW, "--env", str(profile))
    assert first.exit_code == 0, first.output
    assert "1 new files" in first.output
    again = _run("refresh", "--now", NOW, "--env", str(profile))
    assert again.exit_code == 0, again.output
    assert "0 new files, event dates rebuilt: none" in again.output
    query = _run(
        "query",
        "SELECT lines, valid, quarantined FROM reports.data_quality_daily",
        "--format",
        "csv",
        "--env",
        str(profile),
    )
    assert query.output.strip().splitlines()[1] == "2,1,1"


def test_alerts_exit_1_while_one_is_open(profile: Path) -> None:
    # one broken line of two: half of today's lines quarantined
    assert _run("refresh", "--now", NOW, "--env", str(profile)).exit_code == 0
    alerts = _run("alerts", "--env", str(profile))
    assert alerts.exit_code == 1
    assert "quarantine_share" in alerts.output
    relaxed = _run("alerts", "--env", str(profile), "--format", "json")
    assert '"rule": "quarantine_share"' in relaxed.output


def test_no_alert_open_exits_0(profile: Path) -> None:
    args = (
        "--env",
        str(profile),
        "--set",
        "alerts.max_quarantine_share=0.9",
        "--set",
        "alerts.stale_topic_minutes=600",
    )
    assert _run("refresh", "--now", NOW, *args).exit_code == 0
    done = _run("alerts", *args)
    assert done.exit_code == 0, done.output


def test_status_shows_waiting_files_before_the_refresh(profile: Path) -> None:
    assert _run("refresh", "--now", "2026-11-09T12:00:00Z", "--env", str(profile)).exit_code == 0
    status = _run("status", "--now", NOW, "--env", str(profile), "--format", "csv")
    assert status.exit_code == 0, status.output
    header, row = status.output.strip().splitlines()
    assert header.endswith("lag_minutes,files_waiting")
    assert row.startswith("ad-clicks,topics/ad-clicks/year=2026/month=11/day=10/hour=10/")
    assert row.endswith(",,1")  # nothing read yet, one file waiting


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("refresh", "--now", "noon"), "bad --now 'noon'"),
        (("refresh", "--set", "intraday.business_timezone=Mars/Base"), "not an IANA time zone"),
        (("refresh", "--set", "intraday.schedule=hourly"), "not a cron expression"),
        (("refresh", "--set", "alerts.stale_minutes=5"), "did you mean alerts.stale_topic_minutes"),
    ],
)
def test_mistakes_are_one_error_line(profile: Path, args: tuple[str, ...], message: str) -> None:
    result = _run(*args, "--env", str(profile))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("error: ")
    assert message in result.output


def test_alerts_and_status_never_create_a_catalog(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    for command in ("alerts", "status"):
        result = _run(command, "--env", str(profile))
        assert result.exit_code == 1
        assert "no catalog at" in result.output
    assert not (tmp_path / "catalog.db").exists()
