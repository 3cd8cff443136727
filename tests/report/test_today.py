"""The "today so far" section: the newest refresh chosen, conversions of the business day only,
open alerts first by severity, clearly marked partial (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from airlake.report.today import conversions_by_campaign, day_bounds, today_html, today_so_far

DAY = date(2026, 11, 2)
TZ = "Europe/Berlin"


def _pacing(as_of: datetime, campaign: str, spend: str, ratio: float, status: str, **kw):
    return {
        "as_of": as_of,
        "business_date": kw.get("day", DAY),
        "campaign_id": campaign,
        "campaign_name": f"Campaign {campaign}",
        "advertiser_name": "Acme",
        "reporting_currency": "EUR",
        "spend": Decimal(spend),
        "daily_budget": Decimal("100.00"),
        "elapsed_share": 0.5,
        "projected_spend": Decimal(spend) * 2,
        "pacing_ratio": ratio,
        "status": status,
        "data_through": kw.get("through", as_of),
    }


def _alert(key: str, severity: str, message: str, is_open: bool = True):
    return {
        "alert_key": key,
        "business_date": DAY,
        "rule": key.split(":")[0],
        "subject": key.split(":")[1],
        "severity": severity,
        "message": message,
        "first_seen": datetime(2026, 11, 2, 8, 15, tzinfo=UTC),
        "last_seen": datetime(2026, 11, 2, 9, 15, tzinfo=UTC),
        "is_open": is_open,
        "resolved_at": None,
    }


def test_business_day_bounds_follow_the_time_zone() -> None:
    start, end = day_bounds(DAY, TZ)
    assert start.astimezone(UTC) == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)  # CET = UTC+1
    assert end.astimezone(UTC) == datetime(2026, 11, 2, 23, 0, tzinfo=UTC)


def test_conversions_count_only_the_business_day_up_to_as_of() -> None:
    as_of = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    rows = [
        {
            "conversion_ts": datetime(2026, 11, 1, 23, 30, tzinfo=UTC),
            "campaign_id": "a",
            "credit": 1.0,
        },
        {
            "conversion_ts": datetime(2026, 11, 1, 22, 59, tzinfo=UTC),
            "campaign_id": "a",
            "credit": 1.0,
        },
        {
            "conversion_ts": datetime(2026, 11, 2, 9, 59, tzinfo=UTC),
            "campaign_id": "a",
            "credit": 0.5,
        },
        {
            "conversion_ts": datetime(2026, 11, 2, 10, 1, tzinfo=UTC),
            "campaign_id": "a",
            "credit": 1.0,
        },
        {
            "conversion_ts": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            "campaign_id": None,
            "credit": 1.0,
        },
    ]
    assert conversions_by_campaign(rows, DAY, TZ, as_of) == {"a": 1.5}


def test_the_newest_refresh_of_the_newest_day_is_shown_with_open_alerts_first() -> None:
    early = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    late = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
    through = datetime(2026, 11, 2, 9, 12, tzinfo=UTC)
    pacing = [
        _pacing(early, "a", "10.00", 0.5, "under_pacing"),
        _pacing(late, "a", "40.00", 1.6, "over_pacing", through=through),
        _pacing(late, "b", "20.00", 0.9, "on_track", through=through),
        _pacing(
            datetime(2026, 11, 1, 20, 0, tzinfo=UTC),
            "a",
            "99.00",
            1.0,
            "on_track",
            day=date(2026, 11, 1),
        ),
    ]
    alerts = [
        _alert("projected_over_budget:a:2026-11-02", "warning", "Campaign a projected at 160 %"),
        _alert("over_budget:c:2026-11-02", "critical", "Campaign c over budget"),
        _alert("stale_topic:clicks:2026-11-02", "warning", "old news", is_open=False),
    ]
    t = today_so_far(pacing, [], alerts, TZ)
    assert t is not None
    assert (t.business_date, t.as_of, t.data_through) == (DAY, late, through)
    assert [r["campaign_id"] for r in t.campaigns] == ["a", "b"]  # highest pacing first
    assert t.spend == Decimal("60.00")
    assert [a["severity"] for a in t.alerts] == ["critical", "warning"]

    page = today_html(t)
    assert 'id="today"' in page and "partial" in page
    # times in the business time zone: 09:15 UTC is 10:15 in Berlin in November
    assert '<b data-today="as-of">10:15</b>' in page
    assert '<b data-today="data-through">10:12</b>' in page
    assert "Campaign c over budget" in page and "old news" not in page
    assert "over-pacing" in page and "€40.00" in page


def test_no_refresh_no_section() -> None:
    assert today_so_far([], [], [], TZ) is None
    assert today_html(None) == ""
