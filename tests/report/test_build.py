"""The dashboard HTML is deterministic for fixed input and clock (golden file), and says so
when a period has no data or only part of it."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from airlake.contract import Reason
from airlake.report.build import RunMeta, build_html
from airlake.report.data import ReportData, Totals

GOLDEN = Path(__file__).parent / "golden"
META = RunMeta("test", "duckdb", datetime(2026, 11, 4, 6, 0, tzinfo=UTC))
DAYS = (date(2026, 11, 1), date(2026, 11, 2))


def _campaign(cid: str, name: str, imps: int, clicks: int, conv: float, spend: str, revenue: str):
    s, r = Decimal(spend), Decimal(revenue)
    return {
        "campaign_id": cid,
        "campaign_name": name,
        "advertiser_name": "Acme <Shoes>",  # escaped in the page
        "channel": "search",
        "impressions": imps,
        "clicks": clicks,
        "conversions": conv,
        "spend": s,
        "revenue": r,
        "ctr": clicks / imps,
        "cvr": conv / clicks,
        "cpc": float(s) / clicks,
        "cpa": float(s) / conv if conv else None,
        "roas": float(r / s),
        "bot_clicks": 1,
    }


def _quality(day: date, malformed: int) -> dict:
    return {
        "landing_date": day,
        "lines": 1000,
        "valid": 950,
        "duplicates": 30,
        "quarantined": 20,
        "bot_events": 40,
        "late_events": 12,
        "quarantine_share": 0.02,
        **{f"q_{r.value}": 0 for r in Reason},
        "q_malformed_json": malformed,
        "q_bad_value": 20 - malformed,
    }


def sample() -> ReportData:
    """Two days, two campaigns: numbers chosen by hand so every KPI is easy to check."""
    return ReportData(
        first=DAYS[0],
        last=DAYS[1],
        campaigns=(
            _campaign("cmp-001", "Winter sale", 5000, 100, 3, "50.00", "300.00"),
            _campaign("cmp-002", "Brand", 2000, 30, 0, "12.50", "0"),
        ),
        daily=(
            {
                "day": DAYS[0],
                "spend": Decimal("30"),
                "revenue": Decimal("100"),
                "clicks": 60,
                "conversions": 1.0,
            },
            {
                "day": DAYS[1],
                "spend": Decimal("32.5"),
                "revenue": Decimal("200"),
                "clicks": 70,
                "conversions": 2.0,
            },
        ),
        funnel=tuple(
            {
                "event_date": d,
                "impressions": 3500,
                "clicks": 65,
                "page_views": 110,
                "conversions": 2,
            }
            for d in DAYS
        ),
        quality=(_quality(DAYS[0], 5), _quality(DAYS[1], 20)),
        totals=Totals(7000, 130, 3.0, Decimal("62.50"), Decimal("300.00")),
        previous=Totals(6000, 100, 2.0, Decimal("50.00"), Decimal("200.00")),
        snapshots=(
            ("reports.campaign_daily", 8_578_860_769_060_774_957),
            ("reports.funnel_daily", 12345),
        ),
    )


def scrub(html: str) -> str:
    """Snapshot ids change on every commit: replace them by a marker."""
    return re.sub(r"(<code data-table=\"[^\"]+\">)\d+(</code>)", r"\1SNAPSHOT\2", html)


def test_dashboard_matches_the_golden_file() -> None:
    html = scrub(build_html(sample(), META))
    golden = GOLDEN / "dashboard.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")
    assert build_html(sample(), META) == build_html(sample(), META)


def test_snapshot_ids_and_run_metadata_are_shown() -> None:
    html = build_html(sample(), META)
    assert '<code data-table="reports.campaign_daily">8578860769060774957</code>' in html
    assert '<b data-meta="environment">test</b>' in html
    assert '<b data-meta="engine">duckdb</b>' in html
    assert "2026-11-04T06:00:00+00:00" in html


def test_kpis_and_changes_are_formatted() -> None:
    html = build_html(sample(), META)
    assert '<div class="value">€62.50</div>' in html
    assert '<div class="value">4.80×</div>' in html  # 300 / 62.50
    assert '<div class="value">1.86%</div>' in html  # CTR 130 / 7000
    assert '<div class="value">2.31%</div>' in html  # CVR 3 / 130
    assert "▲ 25.0% vs previous period" in html  # spend 50 → 62.50
    assert "Acme &lt;Shoes&gt;" in html and "Acme <Shoes>" not in html


def test_the_page_needs_no_network() -> None:
    html = build_html(sample(), META)
    assert not re.search(r"(src|href)=", html)
    assert "http://" not in html and "https://" not in html


def test_quality_panel_shows_only_reasons_that_occur() -> None:
    html = build_html(sample(), META)
    assert '<th class="reason">malformed json</th>' in html
    assert '<th class="reason">bad value</th>' in html
    assert "bad timestamp" not in html
    assert '<td data-key="bot_share">4.2%</td>' in html  # 40 / 950


def test_empty_period_says_so() -> None:
    empty = ReportData(date(2026, 1, 1), date(2026, 1, 2), (), (), (), (), Totals(), Totals())
    html = build_html(empty, META)
    assert 'id="no-data"' in html and "No data for 2026-01-01 – 2026-01-02" in html
    assert "<svg" not in html and 'id="run-meta"' in html


def test_partial_period_names_the_missing_days() -> None:
    data = sample()
    partial = replace(
        data,
        first=date(2026, 10, 31),
        daily=data.daily[1:],
        quality=data.quality[1:],
    )
    html = build_html(partial, META)
    assert "No campaign data for 2026-10-31, 2026-11-01" in html
    assert "No data-quality rows for 2026-10-31, 2026-11-01" in html
    # the trend keeps one slot per day and marks the empty ones
    assert html.count('class="nodata">no data</text>') == 2 * 3  # two days, three charts
