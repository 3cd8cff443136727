"""``airlake demo`` end to end through Airflow, on a profile of its own (not the project's .airlake/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from airlake.demo import REFRESH_HOURS
from airlake.run_context import open_run
from airlake.settings import load_settings
from airlake.tables import read_table

pytestmark = [pytest.mark.airflow, pytest.mark.slow]


def test_demo_runs_the_dag_for_the_chosen_profile(tmp_path: Path) -> None:
    profile = tmp_path / "demo.toml"
    profile.write_text(
        f'name = "demo"\n[storage]\nlanding = "{tmp_path}/landing"\nwarehouse = "{tmp_path}/state/warehouse"\n'
        f'[catalog]\ntype = "sqlite"\nuri = "sqlite:///{tmp_path}/state/catalog.db"\n'
        f'[source]\nurl = "sqlite:///{tmp_path}/state/source.db"\n'
        "[orchestration]\nretries = 0\nsensor_poke_seconds = 1\nsensor_timeout_seconds = 30\n"
    )
    result = CliRunner().invoke(
        cli,
        ["demo", "--env", str(profile), "--days", "1", "--events-per-day", "2000", "--seed", "3"],
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^2026-11-01 +success$", result.output, re.M), result.output
    assert f"Report:    {tmp_path}/state/reports/latest.html" in result.output
    with open_run(load_settings(str(profile), environ={})) as ctx:
        quality = read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
        campaigns = read_table(ctx.catalog, "reports.campaign_daily").to_pylist()
        pacing = read_table(ctx.catalog, "reports.pacing_intraday").to_pylist()
        alerts = read_table(ctx.catalog, "reports.alerts").to_pylist()
    # the daily day's quality row; the intraday day (2026-11-02) refreshed its own
    assert sorted(q["landing_date"].isoformat() for q in quality)[:1] == ["2026-11-01"]
    assert all(c["campaign_name"] for c in campaigns)  # the reference data reached the report

    # then the next day through the intraday DAG: its hours arriving, a refresh at each of
    # the demo's times, and the cut campaign's pacing alert firing on the way
    refreshes = sorted({r["as_of"] for r in pacing})
    assert [f"{t:%H:%M}" for t in refreshes] == [f"{h:02d}:00" for h in REFRESH_HOURS]
    spend = [sum(r["spend"] for r in pacing if r["as_of"] == t) for t in refreshes]
    assert spend == sorted(spend) and spend[0] < spend[-1]  # the day filling up
    cut = re.search(r"campaign (cmp-\d+)'s daily budget cut to", result.output)
    assert cut, result.output
    # fired on the way (it may close again later in the day, when the projection falls back)
    assert any(a["subject"] == cut[1] for a in alerts), alerts
    assert "alerts task failed: alert open" in result.output
    page = (tmp_path / "state" / "reports" / "latest.html").read_text()
    assert 'id="today"' in page and "partial" in page
