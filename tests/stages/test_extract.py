"""Incremental extract from a real PostgreSQL source into dimensions with history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from airlake import reference
from airlake.errors import UserError
from airlake.run_context import open_run
from airlake.settings import Settings, settings_from_values
from airlake.stages import run_day, run_stage
from airlake.stages.extract import source_absence
from airlake.tables import read_table

pytestmark = pytest.mark.integration
START = date(2026, 11, 1)
DAYS = [START + timedelta(days=i) for i in range(3)]
SEED = 4


def _settings(tmp_path: Path, url: str | None) -> Settings:
    return settings_from_values(
        {
            "storage": {
                "landing": str(tmp_path / "landing"),
                "warehouse": str(tmp_path / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/catalog.db"},
            "source": {"url": url} if url else {},
        }
    )


def _load(url: str, day: date) -> None:
    reference.load(
        url, reference.state_as_of(reference.history(START, 3, SEED), reference.end_of(day))
    )


def _dim(settings: Settings, name: str) -> list[dict]:
    with open_run(settings) as ctx:
        return sorted(
            read_table(ctx.catalog, name).to_pylist(),
            key=lambda r: (str(r[next(iter(r))]), r["valid_from"]),
        )


def test_inserts_updates_deletes_are_picked_up_exactly_once(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, postgres_url)
    truth = reference.history(START, 3, SEED)
    for day in DAYS:
        _load(postgres_url, day)
        with open_run(settings) as ctx:
            run_stage(ctx, "extract", day)
    campaigns = _dim(settings, "dim.campaigns")
    # expected versions, straight from the reference history (independent of the merge)
    expected = sorted(
        (v.key, v.row["name"], v.updated_at)
        for v in truth
        if v.table == "campaigns" and not v.deleted
    )
    assert sorted((r["campaign_id"], r["name"], r["valid_from"]) for r in campaigns) == expected
    renamed = [r for r in campaigns if r["campaign_id"] == "cmp-001"]
    assert [r["is_current"] for r in renamed] == [False, True]
    assert renamed[0]["valid_to"] == renamed[1]["valid_from"]
    deleted = [r for r in campaigns if r["campaign_id"] == "cmp-050"]
    assert len(deleted) == 1 and not deleted[0]["is_current"]
    assert deleted[0]["valid_to"].date() == DAYS[2] + timedelta(
        days=1
    )  # closed at the end of the run day
    budgets = [r["daily_budget"] for r in campaigns if r["campaign_id"] == "cmp-002"]
    assert budgets[1] == 2 * budgets[0]
    advertisers = _dim(settings, "dim.advertisers")
    assert [r["name"] for r in advertisers if r["advertiser_id"] == "adv-01"] == [
        "Northwind Outdoor",
        "Northwind Outdoor Group",
    ]

    with open_run(settings) as ctx:
        before = ctx.catalog.load_table("dim.campaigns").current_snapshot().snapshot_id
        assert run_stage(ctx, "extract", DAYS[2]).commits == ()  # a re-run commits nothing
        assert ctx.catalog.load_table("dim.campaigns").current_snapshot().snapshot_id == before


@pytest.mark.slow
def test_reports_show_the_name_valid_on_each_event_day(postgres_url: str, tmp_path: Path) -> None:
    from airlake.generator import GeneratorConfig, generate

    generate(
        GeneratorConfig(
            start=START, days=3, events_per_day=3000, seed=SEED, out=str(tmp_path / "landing")
        )
    )
    settings = _settings(tmp_path, postgres_url)
    for day in DAYS:
        _load(postgres_url, day)
        with open_run(settings) as ctx:
            run_day(ctx, day)
    with open_run(settings) as ctx:
        rows = read_table(ctx.catalog, "reports.campaign_daily").to_pylist()
    names = {r["event_date"]: r["campaign_name"] for r in rows if r["campaign_id"] == "cmp-001"}
    original = [v.row["name"] for v in reference.history(START, 3, SEED) if v.key == "cmp-001"]
    assert names[DAYS[0]] == original[0]
    assert names[DAYS[1]] == original[1] == original[0] + " (relaunch)"
    assert all(r["advertiser_name"] for r in rows if r["event_date"] in DAYS)
    budget = next(r for r in rows if r["campaign_id"] == "cmp-003" and r["event_date"] == DAYS[0])
    assert budget["budget_pacing"] == pytest.approx(float(budget["spend"] / budget["daily_budget"]))


def test_no_reference_source_skips_extract_with_one_line(postgres_url: str, tmp_path: Path) -> None:
    """A missing SQLite file (not created by looking), an empty database, or no source.url."""
    missing = tmp_path / "nowhere" / "source.db"
    assert source_absence(f"sqlite:///{missing}") == f"no reference database at sqlite:///{missing}"
    assert not missing.exists() and not missing.parent.exists()
    assert source_absence(postgres_url) == (
        f"no reference tables (advertisers, campaigns, exchange_rates) at {postgres_url}"
    )
    for url in (f"sqlite:///{missing}", postgres_url, None):
        lines: list[str] = []
        with open_run(_settings(tmp_path, url), on_progress=lines.append) as ctx:
            assert run_stage(ctx, "extract", DAYS[0]).commits == ()
        assert len(lines) == 1 and lines[0].startswith("extract skipped: "), lines
    _load(postgres_url, DAYS[0])
    assert source_absence(postgres_url) is None


def test_bad_source_input_is_one_clear_error_and_commits_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    unreachable = _settings(tmp_path, "postgresql+psycopg2://postgres@127.0.0.1:1/nope")
    with open_run(unreachable) as ctx, pytest.raises(UserError, match="cannot read the source"):
        run_stage(ctx, "extract", DAYS[0])

    empty = _settings(tmp_path, postgres_url)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:  # half a source: one reference table, not the other
        conn.execute(sa.text("CREATE TABLE campaigns (campaign_id varchar(32))"))
    with (
        open_run(empty) as ctx,
        pytest.raises(UserError, match="source table advertisers does not exist"),
    ):
        run_stage(ctx, "extract", DAYS[0])
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE campaigns"))
    engine.dispose()

    _load(postgres_url, DAYS[0])
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE campaigns ALTER COLUMN daily_budget TYPE varchar(20)"))
        conn.execute(
            sa.text("UPDATE campaigns SET daily_budget = 'lots' WHERE campaign_id = 'cmp-007'")
        )
    engine.dispose()
    with (
        open_run(empty) as ctx,
        pytest.raises(UserError, match=r"cmp-007.*daily_budget: expected a number, got 'lots'"),
    ):
        run_stage(ctx, "extract", DAYS[0])
    with open_run(empty) as ctx:
        for name in ("dim.advertisers", "dim.campaigns"):
            assert (
                not ctx.catalog.table_exists(name)
                or ctx.catalog.load_table(name).current_snapshot() is None
            )


def test_a_rate_in_an_unaccepted_currency_is_skipped_and_counted(
    postgres_url: str, tmp_path: Path
) -> None:
    from decimal import Decimal

    from airlake import exchange_rates
    from airlake.stages.extract import SKIPPED_RATES
    from airlake.tables import snapshot_property

    _load(postgres_url, DAYS[0])
    rates = exchange_rates.demo_rates(DAYS[0], DAYS[1])
    rates += [
        {"rate_date": day, "currency": "JPY", "per_base": Decimal("162.5300")} for day in DAYS[:2]
    ]
    exchange_rates.load(postgres_url, rates)
    settings = _settings(tmp_path, postgres_url)
    said: list[str] = []
    with open_run(settings, on_progress=said.append) as ctx:
        run_stage(ctx, "extract", DAYS[0])
        stored = read_table(ctx.catalog, "dim.exchange_rates").to_pylist()
        recorded = snapshot_property(ctx.catalog, "dim.exchange_rates", SKIPPED_RATES)
    assert "JPY" not in {r["currency"] for r in stored}
    # every accepted rate is there: 5 quoted currencies + the base, per day
    assert len(stored) == 2 * (len(exchange_rates.DEMO_RATES) + 1)
    assert "extract exchange_rates: skipped 2 of JPY (not an accepted currency)" in said
    assert recorded == "2 of JPY (not an accepted currency)"
