"""The dashboard HTML is deterministic for fixed input and clock (golden file)."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from airlake.report.build import RunMeta, build_html
from airlake.report.data import ReportData, Totals

GOLDEN = Path(__file__).parent / "golden"
META = RunMeta("test", "duckdb", datetime(2026, 11, 4, 6, 0, tzinfo=UTC))


def _campaign(cid: str, imps: int, clicks: int, conv: float, spend: str, revenue: str) -> dict:
    s, r = Decimal(spend), Decimal(revenue)
    return {
        "campaign_id": cid,
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


def sample() -> ReportData:
    days = [date(2026, 11, 1), date(2026, 11, 2)]
    quality = {
        "lines": 1000,
        "valid": 950,
        "duplicates": 30,
        "quarantined": 20,
        "bot_events": 40,
        "late_events": 12,
        **{
            f"q_{r}": 0
            for r in (
                "malformed_json",
                "not_an_object",
                "unknown_event_type",
                "missing_field",
                "bad_type",
                "bad_value",
                "bad_timestamp",
                "late_beyond_window",
            )
        },
    }
    return ReportData(
        first=days[0],
        last=days[1],
        campaigns=[
            _campaign("cmp-001", 5000, 100, 3, "50.00", "300.00"),
            _campaign("cmp-002", 2000, 30, 0, "12.50", "0"),
        ],
        daily=[
            {
                "day": days[0],
                "spend": Decimal("30"),
                "revenue": Decimal("100"),
                "clicks": 60,
                "conversions": 1.0,
            },
            {
                "day": days[1],
                "spend": Decimal("32.5"),
                "revenue": Decimal("200"),
                "clicks": 70,
                "conversions": 2.0,
            },
        ],
        funnel=[
            {
                "event_date": d,
                "impressions": 3500,
                "clicks": 65,
                "page_views": 110,
                "conversions": 2,
            }
            for d in days
        ],
        quality=[{"landing_date": d, **quality} for d in days],
        totals=Totals(7000, 130, 3.0, Decimal("62.50"), Decimal("300.00")),
        previous=Totals(6000, 100, 2.0, Decimal("50.00"), Decimal("200.00")),
        snapshots={"reports.campaign_daily": 8_578_860_769_060_774_957},
    )


def scrub(html: str) -> str:
    return re.sub(r"<code>\d+</code>", "<code>SNAPSHOT</code>", html)


def test_dashboard_matches_the_golden_file() -> None:
    html = scrub(build_html(sample(), META))
    golden = GOLDEN / "dashboard.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")
    assert build_html(sample(), META) == build_html(sample(), META)


def test_kpis_and_changes_are_formatted() -> None:
    html = build_html(sample(), META)
    assert "€62.50" in html and "4.80×" in html
    assert "▲ 25.0% vs previous period" in html  # spend 50 → 62.50
    assert (
        "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    )  # offline


def test_empty_period_says_so() -> None:
    empty = ReportData(date(2026, 1, 1), date(2026, 1, 2), [], [], [], [], Totals(), Totals())
    html = build_html(empty, META)
    assert 'id="no-data"' in html and "No data for 2026-01-01 – 2026-01-02" in html
