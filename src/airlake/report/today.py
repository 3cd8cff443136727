"""The dashboard's "today so far" section: the newest intraday refresh of a business day
(pure: rows in, values and HTML out).

What it shows is partial by nature: the day is not over, late events are still to come, and
the daily run rebuilds the day from all of its landing data. The section says so, and names its
two times: *as of* (when the refresh ran) and *data through* (the newest event it read).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from airlake.report import format as fmt

Row = dict[str, Any]

STATUS_LABELS = {
    "on_track": "on track",
    "over_pacing": "over-pacing",
    "under_pacing": "under-pacing",
    "budget_exhausted": "budget exhausted",
}
"""How each pacing status reads on the page (the table keeps the codes)."""


@dataclass(frozen=True, slots=True)
class TodaySoFar:
    """The newest refresh of ``business_date``: per campaign, and the alerts still open."""

    business_date: date
    timezone: str
    """The business time zone (IANA) the day and the times are shown in."""
    as_of: datetime
    data_through: datetime | None
    currency: str
    campaigns: tuple[Row, ...]
    """Per campaign: name, advertiser, spend, conversions, budget, projection, pacing, status."""
    alerts: tuple[Row, ...]
    """Open alerts (reports.alerts rows), most severe first."""

    @property
    def spend(self) -> Decimal:
        """Spend so far over every campaign, in the reporting currency."""
        return sum((r["spend"] or Decimal(0) for r in self.campaigns), Decimal(0))

    @property
    def conversions(self) -> float:
        """Conversions credited so far (attributed on the business day's conversion times)."""
        return sum(float(r["conversions"] or 0) for r in self.campaigns)

    def local(self, at: datetime) -> datetime:
        """``at`` in the business time zone."""
        return at.astimezone(ZoneInfo(self.timezone))


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of business day ``day`` in ``timezone``, as aware datetimes."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tz)


def conversions_by_campaign(
    rows: Iterable[Row], day: date, timezone: str, as_of: datetime
) -> dict[str, float]:
    """Credited conversions per campaign whose conversion time is on business day ``day`` and
    not after ``as_of`` (clean.attributed_conversions rows; unattributed ones left out)."""
    start, end = day_bounds(day, timezone)
    out: dict[str, float] = {}
    for r in rows:
        at, campaign = r["conversion_ts"], r["campaign_id"]
        if campaign is None or at is None or not (start <= at < end and at <= as_of):
            continue
        out[campaign] = out.get(campaign, 0.0) + float(r["credit"] or 0)
    return out


_SEVERITY = {"critical": 0, "warning": 1}


def today_so_far(
    pacing: Sequence[Row],
    conversions: Iterable[Row],
    alerts: Iterable[Row],
    timezone: str,
) -> TodaySoFar | None:
    """The newest refresh in ``pacing`` (reports.pacing_intraday rows): its business day, its
    rows, the conversions of that day up to its as-of time, and the open ``alerts``.
    None when no refresh has run."""
    if not pacing:
        return None
    day = max(r["business_date"] for r in pacing)
    as_of = max(r["as_of"] for r in pacing if r["business_date"] == day)
    latest = [r for r in pacing if r["business_date"] == day and r["as_of"] == as_of]
    converted = conversions_by_campaign(conversions, day, timezone, as_of)
    campaigns = tuple(
        {
            "campaign_id": r["campaign_id"],
            "campaign_name": r.get("campaign_name") or r["campaign_id"],
            "advertiser_name": r.get("advertiser_name") or "",
            "spend": r["spend"],
            "conversions": converted.get(r["campaign_id"], 0.0),
            "daily_budget": r["daily_budget"],
            "projected_spend": r["projected_spend"],
            "pacing_ratio": r["pacing_ratio"],
            "status": r["status"],
        }
        for r in sorted(latest, key=lambda r: (-(r["pacing_ratio"] or 0), r["campaign_id"]))
    )
    through = [r["data_through"] for r in latest if r.get("data_through") is not None]
    open_alerts = sorted(
        (a for a in alerts if a["is_open"]),
        key=lambda a: (_SEVERITY.get(a["severity"], 9), a["rule"], a["subject"]),
    )
    return TodaySoFar(
        business_date=day,
        timezone=timezone,
        as_of=as_of,
        data_through=max(through) if through else None,
        currency=next(
            (r["reporting_currency"] for r in latest if r.get("reporting_currency")), "EUR"
        ),
        campaigns=campaigns,
        alerts=tuple(open_alerts),
    )


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _hhmm(t: TodaySoFar, at: datetime | None) -> str:
    return "–" if at is None else t.local(at).strftime("%H:%M")


def _alerts_html(t: TodaySoFar) -> str:
    alerts = t.alerts
    if not alerts:
        return '<p class="note" id="today-no-alerts">No open alert.</p>'
    items = "".join(
        f'<li class="alert {_e(a["severity"])}" data-alert="{_e(a["alert_key"])}">'
        f"<b>{_e(a['severity'])}</b> {_e(a['message'])}"
        f' <span class="since">since {_e(_hhmm(t, a["first_seen"]))}</span></li>'
        for a in alerts
    )
    return f'<ul class="alerts" id="today-alerts">{items}</ul>'


def today_html(t: TodaySoFar | None) -> str:
    """The section, or nothing when no intraday refresh has run."""
    if t is None:
        return ""
    cur = fmt.currency_prefix(t.currency)
    rows = []
    for r in t.campaigns:
        shown = _e(r["campaign_name"])
        if r["campaign_name"] != r["campaign_id"]:
            shown += f' <span class="id">{_e(r["campaign_id"])}</span>'
        status = r["status"] or ""
        cells = [
            ("campaign_name", shown, "text"),
            ("advertiser_name", _e(r["advertiser_name"]), "text"),
            ("spend", _e(fmt.money(r["spend"], cur)), "num"),
            ("conversions", _e(fmt.count(r["conversions"])), "num"),
            ("daily_budget", _e(fmt.money(r["daily_budget"], cur)), "num"),
            ("projected_spend", _e(fmt.money(r["projected_spend"], cur)), "num"),
            ("pacing_ratio", _e(fmt.percent(r["pacing_ratio"], 0)), "num"),
            (
                "status",
                f'<span class="status {_e(status)}">{_e(STATUS_LABELS.get(status, status))}</span>',
                "text",
            ),
        ]
        rows.append(
            f'<tr data-campaign="{_e(r["campaign_id"])}">'
            + "".join(f'<td class="{k}" data-key="{key}">{c}</td>' for key, c, k in cells)
            + "</tr>"
        )
    head = "".join(
        f'<th class="{kind}">{label}</th>'
        for label, kind in (
            ("Campaign", "text"),
            ("Advertiser", "text"),
            ("Spend so far", "num"),
            ("Conversions", "num"),
            ("Daily budget", "num"),
            ("Projected", "num"),
            ("Pacing", "num"),
            ("Status", "text"),
        )
    )
    table = (
        '<div class="scroll"><table id="today-campaigns"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )
    return (
        f'<section class="today" id="today" data-business-date="{t.business_date.isoformat()}">'
        f"<h2>Today so far · {t.business_date.isoformat()} "
        '<span class="partial-badge">partial</span></h2>'
        f'<p class="today-times">As of <b data-today="as-of">{_hhmm(t, t.as_of)}</b>, data '
        f'through <b data-today="data-through">{_hhmm(t, t.data_through)}</b> '
        f"({_e(t.timezone)}). The day is not over: these numbers change with every refresh "
        "until the daily run rebuilds the day from all of its data.</p>"
        '<div class="today-kpis">'
        f'<div class="kpi" data-today-kpi="spend"><div class="label">Spend so far</div>'
        f'<div class="value">{_e(fmt.money(t.spend, cur))}</div></div>'
        f'<div class="kpi" data-today-kpi="conversions"><div class="label">Conversions so far'
        f'</div><div class="value">{_e(fmt.count(t.conversions))}</div></div>'
        f'<div class="kpi" data-today-kpi="alerts"><div class="label">Open alerts</div>'
        f'<div class="value">{len(t.alerts)}</div></div></div>'
        + _alerts_html(t)
        + table
        + "</section>"
    )


TODAY_CSS = """
.today{border:2px dashed #e0a030}.today h2{display:flex;align-items:center;gap:8px}
.partial-badge{background:#e0a030;color:#fff;border-radius:10px;padding:1px 9px;font-size:11px;text-transform:uppercase;letter-spacing:.05em}
.today-times{margin:0 0 10px;color:#5c4100}
.today-kpis{display:grid;grid-template-columns:repeat(3,1fr);gap:12px;margin-bottom:10px}
.today-kpis .kpi{background:#fffaf0}
.alerts{list-style:none;padding:0;margin:0 0 10px}.alerts li{padding:6px 10px;border-radius:6px;margin-bottom:4px}
.alert.critical{background:#fdecea;color:#8a1c12}.alert.warning{background:#fff4e0;color:#6b4500}
.alert .since{opacity:.7;font-size:11px}
.status{border-radius:10px;padding:1px 8px;font-size:11.5px}.status.on_track{background:#e6f4ea;color:#1b5e20}
.status.over_pacing,.status.budget_exhausted{background:#fdecea;color:#8a1c12}.status.under_pacing{background:#e8eef7;color:#23466e}
"""
"""The section's styles (added to the page's stylesheet)."""
