"""report and publish-bi through click's runner, on the embedded backend."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from airlake.cli import cli
from tests.conftest import click_line

DAY = date(2026, 11, 10)


@pytest.fixture
def profile(tmp_path: Path, write_landing) -> Path:
    """One landing day by hand: two clicks (€0.25 each), one of them delivered twice, and one
    line of garbage."""
    write_landing(
        DAY,
        10,
        [
            click_line("e1", "2026-11-10T10:00:00"),
            click_line("e1", "2026-11-10T10:00:00"),
            click_line("e2", "2026-11-10T11:00:00", campaign_id="cmp-002"),
            b"oops",
        ],
    )
    path = tmp_path / "p.toml"
    path.write_text(
        f'name = "cli"\n[storage]\nlanding = "{tmp_path}/landing"\n'
        f'warehouse = "{tmp_path}/state/warehouse"\n'
        f'[catalog]\ntype = "sqlite"\nuri = "sqlite:///{tmp_path}/state/catalog.db"\n'
    )
    return path


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_publishes_then_report_and_publish_bi(profile: Path, tmp_path: Path) -> None:
    assert invoke("run", "--date", DAY.isoformat(), "--env", str(profile)).exit_code == 0
    # the run's publish stage wrote the dashboard and the BI file next to the warehouse
    state = tmp_path / "state"
    assert (state / "reports" / f"airlake-{DAY}.html").is_file()
    assert (state / "reports" / "latest.html").read_bytes() == (
        state / "reports" / f"airlake-{DAY}.html"
    ).read_bytes()
    assert (state / "bi" / "airlake.duckdb").is_file()

    out = tmp_path / "one-day.html"
    result = invoke(
        "report", "--date", DAY.isoformat(), "--days", "1", "--out", str(out), "--env", str(profile)
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"report: {out.resolve()}"
    page = out.read_text(encoding="utf-8")
    assert (
        '<div class="kpi" data-kpi="spend"><div class="label">Spend</div><div class="value">€0.50</div>'
        in page
    )
    assert 'data-campaign="cmp-001"' in page and 'data-campaign="cmp-002"' in page
    assert '<b data-meta="environment">cli</b>' in page
    assert 'id="partial"' not in page  # the one day is complete

    result = invoke("report", "--date", DAY.isoformat(), "--env", str(profile))
    default = state / "reports" / f"airlake-2026-11-08-{DAY}.html"
    assert result.output.strip() == f"report: {default.resolve()}"
    assert "No campaign data for 2026-11-08, 2026-11-09" in default.read_text(encoding="utf-8")

    bi = tmp_path / "elsewhere" / "bi.duckdb"
    result = invoke("publish-bi", "--out", str(bi), "--env", str(profile))
    assert result.exit_code == 0, result.output
    assert "clean.events" in result.output and f"BI file: {bi.resolve()}" in result.output
    con = duckdb.connect(str(bi), read_only=True)
    try:
        assert con.execute("SELECT COUNT(*) FROM clean.events").fetchone() == (2,)
        assert con.execute(
            "SELECT campaign_id, clicks, spend FROM reports.campaign_daily ORDER BY 1"
        ).fetchall() == [("cmp-001", 1, 0.25), ("cmp-002", 1, 0.25)]
        assert con.execute(
            "SELECT lines, valid, duplicates, quarantined FROM reports.data_quality_daily"
        ).fetchall() == [(4, 2, 1, 1)]
    finally:
        con.close()


def test_a_period_without_data_says_so(profile: Path, tmp_path: Path) -> None:
    ran = invoke("run", "--date", DAY.isoformat(), "--env", str(profile))
    assert ran.exit_code == 0, ran.output
    out = tmp_path / "empty.html"
    result = invoke(
        "report", "--date", "2026-01-02", "--days", "2", "--out", str(out), "--env", str(profile)
    )
    assert result.exit_code == 0, result.output
    assert "No data for 2026-01-01 – 2026-01-02" in out.read_text(encoding="utf-8")


def test_user_mistakes_are_one_line_and_exit_1(profile: Path, tmp_path: Path) -> None:
    result = invoke("report", "--date", "11/10/2026", "--env", str(profile))
    assert result.exit_code == 1
    assert result.output == "error: bad date '11/10/2026': use YYYY-MM-DD\n"

    ran = invoke("run", "--date", DAY.isoformat(), "--stage", "ingest", "--env", str(profile))
    assert ran.exit_code == 0, ran.output
    folder = tmp_path / "a-folder.html"
    folder.mkdir()
    result = invoke(
        "report", "--date", DAY.isoformat(), "--out", str(folder), "--env", str(profile)
    )
    assert result.exit_code != 0 and "Traceback" not in result.output

    blocked = tmp_path / "file"
    blocked.write_text("")
    result = invoke(
        "report", "--date", DAY.isoformat(), "--out", str(blocked / "x.html"), "--env", str(profile)
    )
    assert result.exit_code == 1 and result.output.startswith(f"error: cannot write {blocked}")
    result = invoke("publish-bi", "--out", str(blocked / "x.duckdb"), "--env", str(profile))
    assert result.exit_code == 1 and result.output.startswith(f"error: cannot write {blocked}")

    result = invoke("report", "--date", DAY.isoformat(), "--days", "0", "--env", str(profile))
    assert result.exit_code == 2 and "--days" in result.output
