"""What the dashboard shows, read from the report tables into plain values (the only I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from airlake.report.today import TodaySoFar, today_so_far
from airlake.tables import (
    CLEAN_ATTRIBUTION,
    REPORT_ALERTS,
    REPORT_CAMPAIGN,
    REPORT_FUNNEL,
    REPORT_PACING,
    REPORT_QUALITY,
    TABLES,
    read_table,
)

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Totals:
    """Period totals on valid traffic: the KPI tiles."""

    impressions: int = 0
    clicks: int = 0
    conversions: float = 0.0
    spend: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)

    @property
    def roas(self) -> float | None:
        """Revenue per unit of spend (None without spend)."""
        return float(self.revenue / self.spend) if self.spend else None

    @property
    def ctr(self) -> float | None:
        """Clicks per impression (None without impressions)."""
        return self.clicks / self.impressions if self.impressions else None

    @property
    def cvr(self) -> float | None:
        """Conversions per click (None without clicks)."""
        return self.conversions / self.clicks if self.clicks else None


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the dashboard shows for the period ``[first, last]``, as plain values."""

    first: date
    last: date
    campaigns: tuple[Row, ...]
    """One row per campaign over the period (sums, then ratios)."""
    daily: tuple[Row, ...]
    """campaign_daily summed per event day (only days that have rows): the trend."""
    funnel: tuple[Row, ...]
    """funnel_daily rows of the period, by day."""
    quality: tuple[Row, ...]
    """data_quality_daily rows whose landing day is in the period."""
    totals: Totals
    previous: Totals
    """The same-length period just before ``first``: the change shown on every KPI tile."""
    snapshots: tuple[tuple[str, int | None], ...] = field(default=())
    """(table, current Iceberg snapshot id) for every table of the lakehouse that exists."""
    currency: str = "EUR"
    """The reporting currency of the amounts (``reports.campaign_daily.reporting_currency``)."""
    unconverted_events: int = 0
    """Events of the period whose amount had no exchange rate (left out of the sums)."""
    today: TodaySoFar | None = None
    """The newest intraday refresh ("today so far"), when one has run."""

    @property
    def days(self) -> tuple[date, ...]:
        """Every day of the period."""
        return tuple(
            self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)
        )

    @property
    def empty(self) -> bool:
        """No report row at all for the period."""
        return not self.campaigns and not self.funnel and not self.quality

    @property
    def days_without_campaigns(self) -> tuple[date, ...]:
        """Days of the period with no campaign rows (not run yet, or no traffic)."""
        have = {d["day"] for d in self.daily}
        return tuple(d for d in self.days if d not in have)

    @property
    def days_without_quality(self) -> tuple[date, ...]:
        """Landing days of the period with no data-quality row (not run yet)."""
        have = {r["landing_date"] for r in self.quality}
        return tuple(d for d in self.days if d not in have)


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _rows(catalog: Catalog, name: str, column: str, first: date, last: date) -> list[Row]:
    listed = ", ".join(f"'{d.isoformat()}'" for d in _dates(first, last))
    rows = read_table(catalog, name, f"{column} IN ({listed})").to_pylist()
    return sorted(rows, key=lambda r: (r[column], r.get("campaign_id") or ""))


def totals_of(rows: list[Row]) -> Totals:
    """Sum campaign_daily rows into :class:`Totals` (pure)."""
    return Totals(
        impressions=sum(r["impressions"] for r in rows),
        clicks=sum(r["clicks"] for r in rows),
        conversions=sum(r["conversions"] for r in rows),
        spend=sum((r["spend"] for r in rows), Decimal(0)),
        revenue=sum((r["revenue"] for r in rows), Decimal(0)),
    )


def per_campaign(rows: list[Row]) -> tuple[Row, ...]:
    """campaign_daily rows summed per campaign, ratios recomputed from the sums (pure).

    The name, advertiser and channel shown are those of the last day of the period.
    """
    by: dict[str, list[Row]] = {}
    for r in sorted(rows, key=lambda r: r["event_date"]):
        by.setdefault(r["campaign_id"], []).append(r)
    out = []
    for campaign, group in sorted(by.items()):
        t = totals_of(group)
        latest = group[-1]
        out.append(
            {
                "campaign_id": campaign,
                "campaign_name": latest.get("campaign_name") or campaign,
                "advertiser_name": latest.get("advertiser_name") or "",
                "channel": latest.get("channel") or "",
                "impressions": t.impressions,
                "clicks": t.clicks,
                "conversions": t.conversions,
                "spend": t.spend,
                "revenue": t.revenue,
                "ctr": t.ctr,
                "cvr": t.cvr,
                "cpc": float(t.spend) / t.clicks if t.clicks else None,
                "cpa": float(t.spend) / t.conversions if t.conversions else None,
                "roas": t.roas,
                "bot_clicks": sum(r["bot_clicks"] for r in group),
            }
        )
    return tuple(out)


def per_day(rows: list[Row]) -> tuple[Row, ...]:
    """campaign_daily rows summed per event day (pure)."""
    by: dict[date, list[Row]] = {}
    for r in rows:
        by.setdefault(r["event_date"], []).append(r)
    out = []
    for day, group in sorted(by.items()):
        t = totals_of(group)
        out.append(
            {
                "day": day,
                "spend": t.spend,
                "revenue": t.revenue,
                "clicks": t.clicks,
                "conversions": t.conversions,
            }
        )
    return tuple(out)


def load_today(catalog: Catalog, around: date, timezone: str) -> TodaySoFar | None:
    """The newest intraday refresh of a business day near ``around`` (the day before, the day,
    the day after: a business day east of UTC starts on the UTC day before), with its
    conversions and the open alerts. None when no refresh has run."""
    if not catalog.table_exists(REPORT_PACING.name):
        return None
    near = ", ".join(f"'{(around + timedelta(days=i)).isoformat()}'" for i in (-1, 0, 1))
    pacing = read_table(catalog, REPORT_PACING.name, f"business_date IN ({near})").to_pylist()
    if not pacing:
        return None
    day = max(r["business_date"] for r in pacing)
    # a business day's conversion times fall on its own UTC date and the ones either side
    dates = ", ".join(f"'{(day + timedelta(days=i)).isoformat()}'" for i in (-1, 0, 1))
    conversions = read_table(
        catalog, CLEAN_ATTRIBUTION.name, f"event_date IN ({dates})"
    ).to_pylist()
    alerts = read_table(catalog, REPORT_ALERTS.name).to_pylist()
    return today_so_far(pacing, conversions, alerts, timezone)


def load_report_data(
    catalog: Catalog, first: date, last: date, business_timezone: str | None = None
) -> ReportData:
    """Read the period ``[first, last]`` and the same-length period before it.

    Args:
        catalog: the lakehouse catalog.
        first: first event (and landing) day of the period.
        last: last day of the period, inclusive.
        business_timezone: with it, also the newest intraday refresh ("today so far") of a
            business day near ``last``, shown in that time zone.

    Returns:
        A :class:`ReportData`; tables that do not exist yet read as empty.
    """
    length = (last - first).days + 1
    before_first, before_last = first - timedelta(days=length), first - timedelta(days=1)
    campaign_rows = _rows(catalog, REPORT_CAMPAIGN.name, "event_date", first, last)
    previous_rows = _rows(catalog, REPORT_CAMPAIGN.name, "event_date", before_first, before_last)
    snapshots: list[tuple[str, int | None]] = []
    for tdef in TABLES:
        if catalog.table_exists(tdef.name):
            snap = catalog.load_table(tdef.name).current_snapshot()
            snapshots.append((tdef.name, snap.snapshot_id if snap else None))
    return ReportData(
        first=first,
        last=last,
        campaigns=per_campaign(campaign_rows),
        daily=per_day(campaign_rows),
        funnel=tuple(_rows(catalog, REPORT_FUNNEL.name, "event_date", first, last)),
        quality=tuple(_rows(catalog, REPORT_QUALITY.name, "landing_date", first, last)),
        totals=totals_of(campaign_rows),
        previous=totals_of(previous_rows),
        snapshots=tuple(sorted(snapshots)),
        currency=next(
            (r["reporting_currency"] for r in campaign_rows if r.get("reporting_currency")), "EUR"
        ),
        unconverted_events=sum(r.get("unconverted_events") or 0 for r in campaign_rows),
        today=load_today(catalog, last, business_timezone) if business_timezone else None,
    )
