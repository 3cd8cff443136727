"""Budget pacing: spend so far against the daily budget, projected to the end of the day.

Two projections of end-of-day spend from spend so far ``s`` at local time ``t``:

* ``linear``: ``s / elapsed_share(t)``, the day's clock share passed;
* ``profile``: ``s / cumulative_share(t)``, where the share comes from the campaign's own
  hour-of-day spend in past days (all campaigns pooled when it has none; linear when there is
  no history at all).

Traffic follows the clock of the audience (little at night, most in the evening), so the
profile is the better one (MAPE measured in docs/intraday.md) and :func:`pace` ships it.
Early in the day a projection divides by a small share; below :data:`MIN_SHARE` a campaign is
not judged on pace (only an exhausted budget counts).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from airlake.intraday.business_day import BusinessDay

MIN_SHARE = 0.05
"""Below this share of the day's expected spend, a projection is too noisy to judge pace by."""
_CENTS = Decimal("0.000001")


class Projection(enum.StrEnum):
    LINEAR = "linear"
    PROFILE = "profile"


class Status(enum.StrEnum):
    ON_TRACK = "on_track"
    OVER_PACING = "over_pacing"
    UNDER_PACING = "under_pacing"
    BUDGET_EXHAUSTED = "budget_exhausted"


@dataclass(frozen=True, slots=True)
class CampaignSpend:
    """What pacing knows of one campaign on the business day."""

    campaign_id: str
    campaign_name: str | None
    advertiser_name: str | None
    daily_budget: Decimal | None
    spend: Decimal
    """Valid spend so far on the business day, in the reporting currency."""


@dataclass(frozen=True, slots=True)
class PacingRow:
    """One row of reports.pacing_intraday."""

    as_of: datetime
    business_date: object
    campaign_id: str
    campaign_name: str | None
    advertiser_name: str | None
    reporting_currency: str
    spend: Decimal
    daily_budget: Decimal
    elapsed_share: float
    projected_spend: Decimal
    pacing_ratio: float
    status: str
    data_through: datetime | None


def hour_profile(hourly: Mapping[int, Decimal]) -> list[float] | None:
    """Shares of spend per local hour (0..23) from past spend per local hour; None if none."""
    total = sum((float(v) for v in hourly.values()), 0.0)
    if total <= 0:
        return None
    return [float(hourly.get(h, 0)) / total for h in range(24)]


def cumulative_share(profile: Sequence[float], local: datetime) -> float:
    """Share of a day's spend that a profile expects before local time ``local``."""
    hour = local.hour
    fraction = (local.minute * 60 + local.second + local.microsecond / 1e6) / 3600
    return float(sum(profile[:hour]) + fraction * profile[hour])


def expected_share(
    day: BusinessDay, now: datetime, profile: Sequence[float] | None, tz: object
) -> float:
    """The share of the day's spend expected by ``now``: from the profile, else linear."""
    if now >= day.end:
        return 1.0
    if profile is None:
        return day.elapsed_share(now)
    return cumulative_share(profile, now.astimezone(tz))  # type: ignore[arg-type]


def project(spend: Decimal, share: float) -> Decimal:
    """End-of-day spend from spend so far and the expected share of the day behind us."""
    return (spend / Decimal(repr(max(share, MIN_SHARE)))).quantize(_CENTS, ROUND_HALF_EVEN)


def status_of(
    spend: Decimal,
    budget: Decimal,
    ratio: float,
    share: float,
    over_pct: float,
    under_pct: float,
) -> Status:
    """The pacing status; pace is judged only once the expected share reaches MIN_SHARE."""
    if spend >= budget:
        return Status.BUDGET_EXHAUSTED
    if share < MIN_SHARE:
        return Status.ON_TRACK
    if ratio > over_pct / 100:
        return Status.OVER_PACING
    if ratio < under_pct / 100:
        return Status.UNDER_PACING
    return Status.ON_TRACK


def pace(
    campaigns: Sequence[CampaignSpend],
    day: BusinessDay,
    as_of: datetime,
    tz: object,
    profiles: Mapping[str, Sequence[float]],
    pooled: Sequence[float] | None,
    data_through: datetime | None,
    reporting_currency: str,
    over_pct: float,
    under_pct: float,
    projection: Projection = Projection.PROFILE,
) -> list[PacingRow]:
    """Pacing rows for every campaign with a positive budget, sorted by campaign id.

    ``profiles`` holds each campaign's hour-of-day profile (see :func:`hour_profile`),
    ``pooled`` the all-campaign one; a campaign without its own uses the pooled profile, and
    with neither the projection is linear. ``data_through`` is capped at ``as_of``: an event
    stamped in the future does not move what the table claims to know.
    """
    through = min(data_through, as_of) if data_through is not None else None
    rows = []
    for c in sorted(campaigns, key=lambda c: c.campaign_id):
        if c.daily_budget is None or c.daily_budget <= 0:
            continue
        profile = None
        if projection is Projection.PROFILE:
            profile = profiles.get(c.campaign_id) or pooled
        share = expected_share(day, as_of, profile, tz)
        projected = project(c.spend, share)
        ratio = float(projected / c.daily_budget)
        status = status_of(c.spend, c.daily_budget, ratio, share, over_pct, under_pct)
        rows.append(
            PacingRow(
                as_of=as_of,
                business_date=day.day,
                campaign_id=c.campaign_id,
                campaign_name=c.campaign_name,
                advertiser_name=c.advertiser_name,
                reporting_currency=reporting_currency,
                spend=c.spend,
                daily_budget=c.daily_budget,
                elapsed_share=day.elapsed_share(as_of),
                projected_spend=projected,
                pacing_ratio=ratio,
                status=status.value,
                data_through=through,
            )
        )
    return rows
