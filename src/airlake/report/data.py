"""What the dashboard shows, read from the report tables into plain values (the only I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from airlake.tables import REPORT_CAMPAIGN, REPORT_FUNNEL, REPORT_QUALITY, TABLES, data_files

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Totals:
    """Period totals on valid traffic; the KPI tiles."""

    impressions: int = 0
    clicks: int = 0
    conversions: float = 0.0
    spend: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)

    @property
    def roas(self) -> float | None:
        return float(self.revenue / self.spend) if self.spend else None

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None

    @property
    def cvr(self) -> float | None:
        return self.conversions / self.clicks if self.clicks else None


@dataclass(frozen=True, slots=True)
class ReportData:
    first: date
    last: date
    campaigns: list[dict[str, Any]]
    """One row per campaign over the period (sums, then ratios)."""
    daily: list[dict[str, Any]]
    """campaign_daily summed per day: the trend."""
    funnel: list[dict[str, Any]]
    quality: list[dict[str, Any]]
    totals: Totals
    previous: Totals
    snapshots: dict[str, int | None] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.campaigns and not self.funnel and not self.quality


def _rows(
    catalog: Catalog, name: str, column: str, first: date, last: date
) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    if not catalog.table_exists(name):
        return []
    table = catalog.load_table(name)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    files = data_files(table, column, days)
    if not files:
        return []
    io = table.io
    rows: list[dict[str, Any]] = []
    for path in files:
        with io.new_input(path).open() as fh:
            rows.extend(pq.read_table(fh).to_pylist())
    return sorted(rows, key=lambda r: (r[column], r.get("campaign_id") or ""))


def _totals(rows: list[dict[str, Any]]) -> Totals:
    return Totals(
        impressions=sum(r["impressions"] for r in rows),
        clicks=sum(r["clicks"] for r in rows),
        conversions=sum(r["conversions"] for r in rows),
        spend=sum((r["spend"] for r in rows), Decimal(0)),
        revenue=sum((r["revenue"] for r in rows), Decimal(0)),
    )


def _per_campaign(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["campaign_id"], []).append(r)
    out = []
    for campaign, group in sorted(by.items()):
        t = _totals(group)
        out.append(
            {
                "campaign_id": campaign,
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
    return out


def _per_day(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by: dict[date, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["event_date"], []).append(r)
    out = []
    for day, group in sorted(by.items()):
        t = _totals(group)
        out.append(
            {
                "day": day,
                "spend": t.spend,
                "revenue": t.revenue,
                "clicks": t.clicks,
                "conversions": t.conversions,
            }
        )
    return out


def load_report_data(catalog: Catalog, first: date, last: date) -> ReportData:
    """Read the period [first, last] and the same-length period before it."""
    length = (last - first).days + 1
    before_first, before_last = first - timedelta(days=length), first - timedelta(days=1)
    campaign_rows = _rows(catalog, REPORT_CAMPAIGN.name, "event_date", first, last)
    previous_rows = _rows(catalog, REPORT_CAMPAIGN.name, "event_date", before_first, before_last)
    snapshots: dict[str, int | None] = {}
    for tdef in TABLES:
        if catalog.table_exists(tdef.name):
            snap = catalog.load_table(tdef.name).current_snapshot()
            snapshots[tdef.name] = snap.snapshot_id if snap else None
    return ReportData(
        first=first,
        last=last,
        campaigns=_per_campaign(campaign_rows),
        daily=_per_day(campaign_rows),
        funnel=_rows(catalog, REPORT_FUNNEL.name, "event_date", first, last),
        quality=_rows(catalog, REPORT_QUALITY.name, "landing_date", first, last),
        totals=_totals(campaign_rows),
        previous=_totals(previous_rows),
        snapshots=snapshots,
    )
