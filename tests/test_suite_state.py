"""The suite stays out of the user's state, and a run needs no reference database.

The CLI's default-profile commands (no ``--env``) write where the session's default profile
points (see ``tests/conftest.py``), never into the checkout's own ``.airlake/``.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from airlake.generator import load_manifest
from airlake.settings import load_settings
from airlake.tables import read_table
from tests.conftest import CHECKOUT_STATE, state_fingerprint

pytestmark = pytest.mark.integration


def test_default_profile_commands_leave_the_checkouts_state_alone(
    default_state_elsewhere: Path,
) -> None:
    before = state_fingerprint(CHECKOUT_STATE)
    settings = load_settings(os.environ["AIRLAKE_ENV"])  # what the CLI reads without --env
    assert Path(settings.landing_uri).is_relative_to(default_state_elsewhere)
    assert Path(settings.warehouse_uri).is_relative_to(default_state_elsewhere)

    runner = CliRunner()
    generated = runner.invoke(
        cli,
        [
            "generate",
            "--start",
            "2026-11-01",
            "--events-per-day",
            "300",
            "--out",
            settings.landing_uri,
        ],
        catch_exceptions=False,
    )
    assert generated.exit_code == 0, generated.output
    # no --source-url: the profile's source database does not exist, and the run completes
    result = runner.invoke(cli, ["run", "--date", "2026-11-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if "extract skipped" in line]
    assert len(skipped) == 1 and "no reference database at sqlite:///" in skipped[0]

    assert state_fingerprint(CHECKOUT_STATE) == before
    assert (default_state_elsewhere / "reports" / "latest.html").is_file()
    assert (default_state_elsewhere / "bi" / "airlake.duckdb").is_file()
    from airlake.catalog import open_catalog

    catalog = open_catalog(settings)
    rows = read_table(catalog, "reports.campaign_daily").to_pylist()
    assert rows and all(r["campaign_name"] is None and r["advertiser_name"] is None for r in rows)
    assert sum(r["impressions"] for r in rows) > 0
    # no exchange rates either: foreign amounts are counted as unconverted, never summed
    truth = {r["campaign_id"]: r for r in load_manifest(settings.landing_uri)["campaign_days"]}
    for row in rows:
        if row["campaign_id"] not in truth:
            # only bots saw the campaign that day: the manifest counts human traffic
            assert row["impressions"] == row["clicks"] == row["conversions"] == 0
            assert row["bot_impressions"] + row["bot_clicks"] > 0
            continue
        expected = truth[row["campaign_id"]]
        assert row["currency"] == expected["currency"]
        assert row["spend_original"] == Decimal(expected["spend_original"])
        if expected["currency"] == "EUR":
            assert row["spend"] == Decimal(expected["spend"]) and row["unconverted_events"] == 0
        else:
            assert row["spend"] == row["revenue"] == 0
            assert row["unconverted_events"] == (
                expected["impressions"] + expected["clicks"] + expected["conversions"]
            )
    (quality,) = read_table(catalog, "reports.data_quality_daily").to_pylist()
    assert quality["no_rate_events"] > 0
    page = (default_state_elsewhere / "reports" / "latest.html").read_text(encoding="utf-8")
    assert 'amounts in <span data-meta="currency">EUR</span>' in page
    assert "events without an exchange rate left out" in page
