"""The dashboard as one self-contained HTML page (pure: data + metadata in, text out).

No CDN, no external file: charts are inline SVG, the table sorts with a few lines of inline
script, so the page works offline and renders identically for identical input.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from airlake.contract import Reason
from airlake.report import format as fmt
from airlake.report.data import ReportData, Row
from airlake.report.today import TODAY_CSS, today_html


@dataclass(frozen=True, slots=True)
class RunMeta:
    """Where and when the page was made (the clock is a parameter, so pages are reproducible)."""

    environment: str
    engine: str
    generated_at: datetime


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _days_text(days: Sequence[date]) -> str:
    return ", ".join(d.isoformat() for d in days)


def _kpis(data: ReportData) -> str:
    t, p = data.totals, data.previous
    cur = fmt.currency_prefix(data.currency)
    have_previous = bool(p.impressions or p.clicks or p.spend)
    tiles: list[tuple[str, str, str, float | None, float | None]] = [
        ("spend", "Spend", fmt.money(t.spend, cur), float(t.spend), float(p.spend)),
        ("revenue", "Revenue", fmt.money(t.revenue, cur), float(t.revenue), float(p.revenue)),
        ("roas", "ROAS", fmt.ratio(t.roas), t.roas, p.roas),
        ("conversions", "Conversions", fmt.count(t.conversions), t.conversions, p.conversions),
        ("ctr", "CTR", fmt.percent(t.ctr), t.ctr, p.ctr),
        ("cvr", "CVR", fmt.percent(t.cvr), t.cvr, p.cvr),
    ]
    out = []
    for key, label, shown, current, previous in tiles:
        text, css = fmt.change(current, previous if have_previous else None)
        out.append(
            f'<div class="kpi" data-kpi="{key}"><div class="label">{label}</div>'
            f'<div class="value">{_e(shown)}</div><div class="change {css}">{_e(text)}</div></div>'
        )
    return '<section class="kpis">' + "".join(out) + "</section>"


def _nice_top(value: float) -> tuple[float, float]:
    """(axis maximum, gridline step): a 1-2-5 step giving four or five gridlines."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * math.ceil(value / step), step


def _bar_chart(
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    tick: Callable[[float], str],
    width: int = 580,
) -> str:
    """Grouped vertical bars per day as SVG, with a y axis; a day without data says so.

    ``width`` is the viewBox width: about the pixel width of the chart's card, so text keeps
    its size on screen.
    """
    height = 250
    left, right, top_pad, bottom = 56, 10, 30, 30
    plot_h = height - top_pad - bottom
    values = [v for _, vs, _ in series for v in vs if v is not None] or [0.0]
    top, step = _nice_top(max(values))
    slot = (width - left - right) / max(len(days), 1)
    bar = min(slot * 0.8 / max(len(series), 1), 48.0)
    group = bar * len(series)
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(title)}">'
    ]
    for k in range(round(top / step) + 1):
        y = height - bottom - (k * step / top) * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="ytick">{_e(tick(k * step))}</text>'
        )
    label_every = max(1, math.ceil(len(days) * 52 / (width - left - right)))
    for i, day in enumerate(days):
        centre = left + i * slot + slot / 2
        x0 = centre - group / 2
        present = False
        for j, (name, vs, colour) in enumerate(series):
            v = vs[i]
            if v is None:
                continue
            present = True
            h = (v / top) * plot_h
            parts.append(
                f'<rect class="bar" x="{x0 + j * bar:.1f}" y="{height - bottom - h:.1f}" '
                f'width="{bar * 0.9:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{_e(name)} {day.isoformat()}: {_e(tick(v))}</title></rect>"
            )
        if not present:
            parts.append(
                f'<text x="{centre:.1f}" y="{height - bottom - 8}" class="nodata">no data</text>'
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{centre:.1f}" y="{height - bottom + 16}" class="tick">'
                f"{day.strftime('%b %d')}</text>"
            )
    legend_x = left
    for name, _, colour in series:
        parts.append(
            f'<rect x="{legend_x}" y="8" width="10" height="10" rx="2" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="17" class="legend">{_e(name)}</text>'
        )
        legend_x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def _trend_charts(data: ReportData) -> str:
    by_day = {d["day"]: d for d in data.daily}

    def column(key: str) -> list[float | None]:
        return [float(by_day[d][key]) if d in by_day else None for d in data.days]

    charts = [
        (
            "chart-trend",
            "Spend and revenue per day",
            [("Spend", column("spend"), "#e08e45"), ("Revenue", column("revenue"), "#4f7cac")],
            lambda v: fmt.money(v, fmt.currency_prefix(data.currency), places=0),
            580,
        ),
        (
            "chart-clicks",
            "Clicks per day",
            [("Clicks", column("clicks"), "#5a9a68")],
            lambda v: fmt.integer(v),
            290,
        ),
        (
            "chart-conversions",
            "Conversions per day",
            [("Conversions", column("conversions"), "#a05195")],
            fmt.count,
            290,
        ),
    ]
    cells = "".join(
        f'<div class="card"><h2>{_e(title)}</h2>'
        + _bar_chart(chart_id, title, data.days, series, tick, width)
        + "</div>"
        for chart_id, title, series, tick, width in charts
    )
    return f'<section class="charts">{cells}</section>'


def _funnel_chart(funnel: Sequence[Row]) -> str:
    steps = [
        ("Impressions", sum(r["impressions"] for r in funnel)),
        ("Clicks", sum(r["clicks"] for r in funnel)),
        ("Page views", sum(r["page_views"] for r in funnel)),
        ("Conversions", sum(r["conversions"] for r in funnel)),
    ]
    width, row = 760, 40
    top = steps[0][1] or 1
    parts = [
        f'<svg class="chart funnel" id="chart-funnel" viewBox="0 0 {width} {row * len(steps) + 4}" '
        'role="img" aria-label="Funnel">'
    ]
    previous = None
    for i, (label, value) in enumerate(steps):
        # log scale: conversions are ~0.1 % of impressions and would vanish on a linear one
        w = 40 + 400 * (math.log10(value + 1) / math.log10(top + 1) if value else 0)
        y = 2 + i * row
        step_rate = (
            f" · {fmt.percent(value / previous, 1)} of {steps[i - 1][0].lower()}"
            if previous
            else ""
        )
        parts.append(
            f'<rect class="bar" x="130" y="{y}" width="{w:.1f}" height="{row - 8}" rx="4" '
            f'fill="#4f7cac"/><text x="120" y="{y + (row - 8) / 2}" class="flabel">{label}</text>'
            f'<text x="{140 + w:.1f}" y="{y + (row - 8) / 2}" class="fvalue" data-step="{i}">'
            f'{fmt.integer(value)}<tspan class="rate">{_e(step_rate)}</tspan></text>'
        )
        previous = value
    parts.append("</svg>")
    return "".join(parts)


_COLUMNS: list[tuple[str, str, Callable[[Any], str], str]] = [
    ("campaign_name", "Campaign", str, "text"),
    ("advertiser_name", "Advertiser", str, "text"),
    ("channel", "Channel", str, "text"),
    ("impressions", "Impressions", fmt.integer, "num"),
    ("clicks", "Clicks", fmt.integer, "num"),
    ("conversions", "Conversions", fmt.count, "num"),
    ("spend", "Spend", fmt.money, "num"),
    ("revenue", "Revenue", fmt.money, "num"),
    ("ctr", "CTR", fmt.percent, "num"),
    ("cvr", "CVR", fmt.percent, "num"),
    ("cpc", "CPC", fmt.money, "num"),
    ("cpa", "CPA", fmt.money, "num"),
    ("roas", "ROAS", fmt.ratio, "num"),
]


def _campaign_table(rows: Sequence[Row], currency: str) -> str:
    # advertiser and channel come from the campaign dimension: hide them while it is empty
    columns = [
        c
        for c in _COLUMNS
        if c[0] == "campaign_name" or c[3] == "num" or any(r[c[0]] for r in rows)
    ]
    head = "".join(
        f'<th data-col="{i}" data-key="{key}" data-type="{kind}" class="{kind}" '
        f'onclick="sortBy(this)">{label}</th>'
        for i, (key, label, _, kind) in enumerate(columns)
    )
    body = []
    for r in sorted(rows, key=lambda r: (-(r["revenue"] or 0), r["campaign_id"])):
        cells = []
        for key, _, render, kind in columns:
            if render is fmt.money:
                render = partial(fmt.money, currency=fmt.currency_prefix(currency))
            raw = r[key]
            sort_value = (
                ""
                if raw is None
                else (float(raw) if isinstance(raw, (int, float, Decimal)) else raw)
            )
            shown = _e(render(raw))
            if key == "campaign_name" and raw != r["campaign_id"]:
                shown += f' <span class="id">{_e(r["campaign_id"])}</span>'
            cells.append(
                f'<td class="{kind}" data-key="{key}" data-sort="{_e(sort_value)}">{shown}</td>'
            )
        body.append(f'<tr data-campaign="{_e(r["campaign_id"])}">' + "".join(cells) + "</tr>")
    return (
        '<div class="scroll"><table id="campaigns" class="sortable"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


def _quality(rows: Sequence[Row]) -> str:
    if not rows:
        return '<p class="empty">No data-quality rows for this period.</p>'
    # only the reasons that occur: eight mostly-zero columns would hide the ones that matter
    reasons = [r.value for r in Reason if any(row[f"q_{r.value}"] for row in rows)]
    headers = ["Landing day", "Received", "Valid", "Duplicates", "Quarantined"]
    headers += [f"· {reason.replace('_', ' ')}" for reason in reasons]  # quarantined, by reason
    headers += ["Quarantine share", "Bot share", "Late events"]
    no_rate = any(row.get("no_rate_events") for row in rows)
    if no_rate:  # amounts in a currency without an exchange rate for their day
        headers.append("No exchange rate")
    others = [r for r in rows if r.get("other_files")]
    if others:  # files in the landing folders that the sink did not write: never read
        headers.append("Other files")
    head = "".join(
        f'<th class="reason">{_e(h[2:])}</th>' if h.startswith("· ") else f"<th>{_e(h)}</th>"
        for h in headers
    )
    body = []
    for r in rows:
        bot_share = r["bot_events"] / r["valid"] if r["valid"] else None
        cells = [
            ("landing_date", r["landing_date"].isoformat()),
            ("lines", fmt.integer(r["lines"])),
            ("valid", fmt.integer(r["valid"])),
            ("duplicates", fmt.integer(r["duplicates"])),
            ("quarantined", fmt.integer(r["quarantined"])),
            *[(f"q_{reason}", fmt.integer(r[f"q_{reason}"])) for reason in reasons],
            ("quarantine_share", fmt.percent(r["quarantine_share"])),
            ("bot_share", fmt.percent(bot_share, 1)),
            ("late_events", fmt.integer(r["late_events"])),
        ]
        if no_rate:
            cells.append(("no_rate_events", fmt.integer(r.get("no_rate_events") or 0)))
        if others:
            cells.append(("other_files", fmt.integer(r.get("other_files") or 0)))
        body.append(
            f'<tr data-landing="{r["landing_date"].isoformat()}">'
            + "".join(f'<td data-key="{k}">{_e(c)}</td>' for k, c in cells)
            + "</tr>"
        )
    note = "" if reasons else '<p class="note">No line was quarantined.</p>'
    for r in others:
        note += (
            f'<p class="note" data-other-files="{r["landing_date"].isoformat()}">'
            f"Landing day {r['landing_date'].isoformat()}: {fmt.integer(r['other_files'])} "
            f"file(s) in the landing folders are not sink files and were not read: "
            f"{_e(r.get('other_file_names') or '')}</p>"
        )
    return (
        '<div class="scroll"><table id="quality"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
        + note
    )


def _partial(data: ReportData) -> str:
    notes = []
    if data.days_without_campaigns:
        notes.append(
            f"No campaign data for {_days_text(data.days_without_campaigns)}: "
            "those days have not been run yet or had no traffic."
        )
    if data.days_without_quality:
        notes.append(
            f"No data-quality rows for {_days_text(data.days_without_quality)}: "
            "those landing days have not been run yet."
        )
    if not notes:
        return ""
    return '<section class="notice" id="partial">' + "<br>".join(notes) + "</section>"


def _run_meta(data: ReportData, meta: RunMeta) -> str:
    snapshots = "".join(
        f'<tr><td>{_e(name)}</td><td><code data-table="{_e(name)}">'
        f"{_e(snap if snap is not None else '–')}</code></td></tr>"
        for name, snap in data.snapshots
    )
    return (
        '<section class="meta" id="run-meta"><h2>Run</h2><p>Environment '
        f'<b data-meta="environment">{_e(meta.environment)}</b> · engine '
        f'<b data-meta="engine">{_e(meta.engine)}</b> · generated '
        f'<b data-meta="generated">{_e(meta.generated_at.isoformat(timespec="seconds"))}</b></p>'
        '<details><summary>Iceberg snapshot per table</summary><table class="snapshots">'
        f"<tbody>{snapshots}</tbody></table></details></section>"
    )


_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f6f9;color:#1d2733}
header{background:#1d2733;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header .period{opacity:.8;margin-top:4px}main{padding:20px 24px;max-width:1320px;margin:0 auto}
section,.card{background:#fff;border-radius:8px;padding:16px 20px;margin-bottom:18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:15px;margin:0 0 10px}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;background:none;box-shadow:none;padding:0}
.kpi{background:#fff;border-radius:8px;padding:14px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.kpi .label{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#5b6b7c}
.kpi .value{font-size:24px;font-weight:600;margin:6px 0;font-variant-numeric:tabular-nums}
.change{font-size:12px}.change.up{color:#1b8a4b}.change.down{color:#c0392b}.change.flat{color:#5b6b7c}
.charts{display:grid;grid-template-columns:2fr 1fr 1fr;gap:18px;background:none;box-shadow:none;padding:0}
.charts .card{margin:0;padding:14px 14px 6px}
.chart{width:100%;height:auto;display:block}.grid{stroke:#e4e8ee}.funnel{max-width:900px}
.tick,.legend,.ytick,.nodata{font-size:11px;fill:#3d4b59}.tick,.nodata{text-anchor:middle}.ytick{text-anchor:end}
.nodata{fill:#9aa5b1;font-style:italic}
.flabel,.fvalue{font-size:13px;fill:#3d4b59;dominant-baseline:middle}.flabel{text-anchor:end}
.fvalue{font-weight:600;font-variant-numeric:tabular-nums}.rate{font-weight:400;fill:#5b6b7c}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:12.5px;font-variant-numeric:tabular-nums}
th,td{padding:6px 6px;border-bottom:1px solid #e4e8ee;text-align:right;white-space:nowrap}
th.text,td.text,#quality td:first-child,#quality th:first-child{text-align:left}
th{background:#f0f3f7;position:sticky;top:0;font-weight:600}#quality th{white-space:normal;vertical-align:bottom}
#quality th.reason{color:#5b6b7c;font-weight:500;max-width:90px}
#campaigns th{cursor:pointer;user-select:none}#campaigns th:hover{background:#e4e9f0}
th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
tbody tr:hover{background:#f7f9fb}.id{color:#8895a3;font-size:11px}
.empty{color:#5b6b7c;font-style:italic}.note{color:#5b6b7c;font-size:12px;margin:8px 0 0}
.notice{background:#fff7e6;border-left:4px solid #e0a030;color:#5c4100}
.meta{font-size:12px;color:#5b6b7c}.meta p{margin:0 0 6px}.meta code{font-size:11px}
.snapshots{width:auto;font-size:12px}.snapshots td{text-align:left;padding:2px 12px 2px 0;border:0}
@media (max-width:900px){.kpis{grid-template-columns:repeat(3,1fr)}.charts{grid-template-columns:1fr}}
"""

_JS = """
function sortBy(th){const t=th.closest('table'),i=+th.dataset.col,num=th.dataset.type==='num';
const asc=th.dataset.dir!=='asc';t.querySelectorAll('th').forEach(h=>delete h.dataset.dir);th.dataset.dir=asc?'asc':'desc';
const rows=[...t.tBodies[0].rows];rows.sort((a,b)=>{let x=a.cells[i].dataset.sort,y=b.cells[i].dataset.sort;
if(num){x=x===''?-Infinity:+x;y=y===''?-Infinity:+y;return asc?x-y:y-x}return asc?x.localeCompare(y):y.localeCompare(x)});
rows.forEach(r=>t.tBodies[0].appendChild(r))}
"""


def build_html(data: ReportData, meta: RunMeta) -> str:
    """The whole page for ``data``: deterministic for the same data and metadata.

    A period without any report row renders a "no data for ..." page; days of the period
    without rows are named in a notice and marked "no data" in the charts.
    """
    period = f"{data.first.isoformat()} – {data.last.isoformat()}"
    today = today_html(data.today)
    today_css = TODAY_CSS if today else ""
    if data.empty:
        body = (
            f'<section class="notice" id="no-data">No data for {period}: '
            "run the pipeline for these days first.</section>"
        )
    else:
        campaigns = (
            _campaign_table(data.campaigns, data.currency)
            if data.campaigns
            else '<p class="empty">No campaign data for this period.</p>'
        )
        funnel = (
            _funnel_chart(data.funnel)
            if data.funnel
            else '<p class="empty">No funnel data for this period.</p>'
        )
        body = (
            _partial(data)
            + _kpis(data)
            + _trend_charts(data)
            + "<section><h2>Funnel (valid traffic, log scale)</h2>"
            + funnel
            + "</section>"
            + f"<section><h2>Campaigns ({len(data.campaigns)})</h2>"
            + campaigns
            + "</section>"
            + "<section><h2>Data quality per landing day</h2>"
            + _quality(data.quality)
            + "</section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>airlake report {period}</title><style>{_CSS}{today_css}</style></head><body>"
        f'<header><h1>airlake · campaign performance</h1><div class="period">{period}'
        f" · {len(data.days)} day{'s' if len(data.days) != 1 else ''}"
        f' · amounts in <span data-meta="currency">{_e(data.currency)}</span>'
        + (
            f' · <span class="warn" data-meta="unconverted">{data.unconverted_events:,} '
            "events without an exchange rate left out</span>"
            if data.unconverted_events
            else ""
        )
        + "</div></header>"
        f"<main>{today}{body}{_run_meta(data, meta)}</main><script>{_JS}</script></body></html>\n"
    )
