"""The report tables read into ReportData: sums by hand, the previous period, snapshot ids."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from airlake.report.data import ReportData, Totals, load_report_data, per_campaign, per_day
from airlake.run_context import open_run
from airlake.settings import Settings
from airlake.stages import run_day
from tests.conftest import click_line


def _row(day: int, campaign: str, clicks: int, spend: str, revenue: str, name: str = "") -> dict:
    return {
        "event_date": date(2026, 11, day),
        "campaign_id": campaign,
        "campaign_name": name,
        "advertiser_name": "Acme",
        "channel": "search",
        "impressions": clicks * 50,
        "clicks": clicks,
        "conversions": 1.0,
        "spend": Decimal(spend),
        "revenue": Decimal(revenue),
        "bot_clicks": 0,
    }


def test_campaigns_are_summed_and_ratios_recomputed_from_the_sums() -> None:
    rows = [
        _row(1, "cmp-1", 10, "5.00", "20.00", "Old name"),
        _row(2, "cmp-1", 30, "15.00", "0.00", "New name"),
        _row(2, "cmp-2", 0, "0.00", "0.00"),
    ]
    first, second = per_campaign(rows)
    assert first["campaign_name"] == "New name"  # as of the last day
    assert (first["clicks"], first["spend"], first["revenue"]) == (40, Decimal(20), Decimal(20))
    assert first["roas"] == 1.0 and first["cpc"] == 0.5 and first["cvr"] == 2 / 40
    assert first["ctr"] == 40 / 2000  # not the mean of the daily CTRs
    assert second["campaign_name"] == "cmp-2"  # no name yet: the id
    assert second["cpc"] is None and second["roas"] is None and second["ctr"] is None
    assert [(d["day"].day, d["clicks"], d["spend"]) for d in per_day(rows)] == [
        (1, 10, Decimal(5)),
        (2, 30, Decimal(15)),
    ]


def test_missing_days_of_a_period() -> None:
    data = ReportData(
        date(2026, 11, 1),
        date(2026, 11, 3),
        (),
        ({"day": date(2026, 11, 2)},),
        (),
        ({"landing_date": date(2026, 11, 3)},),
        Totals(),
        Totals(),
    )
    assert data.days_without_campaigns == (date(2026, 11, 1), date(2026, 11, 3))
    assert data.days_without_quality == (date(2026, 11, 1), date(2026, 11, 2))


def test_load_from_a_run(write_landing, local_settings: Settings) -> None:
    # day 1: one click; day 2: two clicks on cmp-001 and one on cmp-002; every click costs €0.25
    write_landing(date(2026, 11, 1), 9, [click_line("a", "2026-11-01T09:00:00")])
    write_landing(
        date(2026, 11, 2),
        9,
        [
            click_line("b", "2026-11-02T09:00:00"),
            click_line("c", "2026-11-02T09:30:00"),
            click_line("d", "2026-11-02T09:40:00", campaign_id="cmp-002"),
        ],
    )
    with open_run(local_settings) as ctx:
        empty = load_report_data(ctx.catalog, date(2026, 11, 1), date(2026, 11, 2))
        assert empty.empty and empty.snapshots == ()

        run_day(ctx, date(2026, 11, 1))
        run_day(ctx, date(2026, 11, 2))
        data = load_report_data(ctx.catalog, date(2026, 11, 2), date(2026, 11, 2))
        snapshots = {
            name: ctx.catalog.load_table(name).current_snapshot() for name, _ in data.snapshots
        }
        current = {name: snap.snapshot_id if snap else None for name, snap in snapshots.items()}

    assert data.totals == Totals(0, 3, 0.0, Decimal("0.75"), Decimal(0))
    assert data.previous == Totals(0, 1, 0.0, Decimal("0.25"), Decimal(0))  # 2026-11-01
    assert [(c["campaign_id"], c["clicks"]) for c in data.campaigns] == [
        ("cmp-001", 2),
        ("cmp-002", 1),
    ]
    assert [r["landing_date"] for r in data.quality] == [date(2026, 11, 2)]
    assert data.quality[0]["lines"] == 3
    assert dict(data.snapshots) == current
    assert current["reports.campaign_daily"] is not None
