from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from airlake.intraday.business_day import day_bounds
from airlake.intraday.pacing import (
    CampaignSpend,
    Projection,
    cumulative_share,
    hour_profile,
    pace,
)

UTC_TZ = ZoneInfo("UTC")
DAY = day_bounds(date(2026, 11, 2), UTC_TZ)
NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)


def _c(cid: str, spend: str, budget: str | None = "100") -> CampaignSpend:
    return CampaignSpend(
        cid, f"name {cid}", "adv", Decimal(budget) if budget else None, Decimal(spend)
    )


def _pace(campaigns, profiles=None, pooled=None, projection=Projection.PROFILE, through=None):
    return pace(
        campaigns,
        DAY,
        NOON,
        UTC_TZ,
        profiles or {},
        pooled,
        through,
        "EUR",
        110.0,
        80.0,
        projection,
    )


def test_linear_projection_doubles_half_a_day_of_spend() -> None:
    (row,) = _pace([_c("a", "50")], projection=Projection.LINEAR)
    assert row.elapsed_share == 0.5
    assert row.projected_spend == Decimal("100")
    assert row.pacing_ratio == 1.0
    assert row.status == "on_track"


def test_a_profile_with_most_spend_in_the_evening_projects_more_at_noon() -> None:
    # a quarter of the day's spend before noon: 30 so far projects 120
    hourly = {h: Decimal(1) if h < 12 else Decimal(3) for h in range(24)}
    profile = hour_profile(hourly)
    assert profile is not None
    assert abs(cumulative_share(profile, NOON) - 0.25) < 1e-12
    (row,) = _pace([_c("a", "30")], profiles={"a": profile})
    assert row.projected_spend == Decimal("120")
    assert row.status == "over_pacing"


def test_statuses() -> None:
    rows = {
        r.campaign_id: r.status
        for r in _pace(
            [_c("spent", "100"), _c("slow", "10"), _c("fine", "50"), _c("fast", "60")],
            projection=Projection.LINEAR,
        )
    }
    assert rows == {
        "spent": "budget_exhausted",
        "slow": "under_pacing",
        "fine": "on_track",
        "fast": "over_pacing",
    }


def test_campaigns_without_a_budget_are_not_paced_and_the_pooled_profile_stands_in() -> None:
    pooled = hour_profile({h: Decimal(1) for h in range(24)})
    rows = _pace([_c("a", "50"), _c("b", "5", None)], pooled=pooled)
    assert [r.campaign_id for r in rows] == ["a"]
    assert rows[0].projected_spend == Decimal("100")


def test_data_through_never_passes_as_of() -> None:
    future = datetime(2026, 11, 2, 18, tzinfo=UTC)
    (row,) = _pace([_c("a", "1")], through=future)
    assert row.data_through == NOON
