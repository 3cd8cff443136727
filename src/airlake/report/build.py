"""The dashboard as one self-contained HTML page (pure: data + metadata in, text out).

No CDN, no external file: charts are inline SVG, the table sorts with a few lines of inline
script, so the page works offline and renders identically for identical input.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from airlake.contract import Reason
from airlake.report import format as fmt
from airlake.report.data import ReportData


@dataclass(frozen=True, slots=True)
class RunMeta:
    environment: str
    engine: str
    generated_at: datetime


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _kpis(data: ReportData) -> str:
    t, p = data.totals, data.previous
    tiles = [
        ("spend", "Spend", fmt.money(t.spend), float(t.spend), float(p.spend) if p.spend else None),
        (
            "revenue",
            "Revenue",
            fmt.money(t.revenue),
            float(t.revenue),
            float(p.revenue) if p.revenue else None,
        ),
        ("roas", "ROAS", fmt.ratio(t.roas), t.roas, p.roas),
        (
            "conversions",
            "Conversions",
            fmt.number(t.conversions, 0),
            t.conversions,
            p.conversions or None,
        ),
        ("ctr", "CTR", fmt.percent(t.ctr), t.ctr, p.ctr),
        ("cvr", "CVR", fmt.percent(t.cvr), t.cvr, p.cvr),
    ]
    out = []
    for key, label, shown, current, previous in tiles:
        text, css = fmt.change(current, previous)
        out.append(
            f'<div class="kpi" data-kpi="{key}"><div class="label">{label}</div>'
            f'<div class="value">{_e(shown)}</div><div class="change {css}">{_e(text)}</div></div>'
        )
    return '<section class="kpis">' + "".join(out) + "</section>"


def _bar_chart(
    chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[float], str]]
) -> str:
    """Grouped vertical bars as SVG."""
    width, height, pad = 640, 240, 36
    values = [v for _, vs, _ in series for v in vs] or [0.0]
    top = max(values) or 1.0
    groups = max(len(labels), 1)
    slot = (width - 2 * pad) / groups
    bar = slot * 0.8 / max(len(series), 1)
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" class="axis"/>',
    ]
    for i, label in enumerate(labels):
        x0 = pad + i * slot + slot * 0.1
        for j, (name, vs, colour) in enumerate(series):
            h = (vs[i] / top) * (height - 2 * pad)
            parts.append(
                f'<rect class="bar" x="{x0 + j * bar:.1f}" y="{height - pad - h:.1f}" width="{bar * 0.9:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{_e(name)} {_e(label)}: {vs[i]:,.2f}</title></rect>'
            )
        parts.append(
            f'<text x="{pad + i * slot + slot / 2:.1f}" y="{height - pad + 16}" class="tick">{_e(label)}</text>'
        )
    legend_x = pad
    for name, _, colour in series:
        parts.append(f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="15" class="legend">{_e(name)}</text>')
        legend_x += 16 + 8 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def _funnel_chart(funnel: list[dict[str, Any]]) -> str:
    steps = [
        ("Impressions", sum(r["impressions"] for r in funnel)),
        ("Clicks", sum(r["clicks"] for r in funnel)),
        ("Page views", sum(r["page_views"] for r in funnel)),
        ("Conversions", sum(r["conversions"] for r in funnel)),
    ]
    width, row = 640, 44
    top = steps[0][1] or 1
    parts = [
        f'<svg class="chart" id="chart-funnel" viewBox="0 0 {width} {row * len(steps) + 8}" role="img" aria-label="Funnel">'
    ]
    for i, (label, value) in enumerate(steps):
        # log scale: conversions are ~0.1 % of impressions and would vanish on a linear one
        w = 60 + (width - 260) * (math.log10(value + 1) / math.log10(top + 1) if value else 0)
        y = 4 + i * row
        parts.append(
            f'<rect class="bar" x="150" y="{y}" width="{w:.1f}" height="{row - 10}" rx="4" fill="#4f7cac"/>'
        )
        parts.append(f'<text x="140" y="{y + row / 2}" class="flabel">{label}</text>')
        parts.append(
            f'<text x="{160 + w:.1f}" y="{y + row / 2}" class="fvalue">{fmt.integer(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _campaign_table(rows: list[dict[str, Any]]) -> str:
    columns: list[tuple[str, str, Callable[[Any], str], str]] = [
        ("campaign_id", "Campaign", str, "text"),
        ("impressions", "Impressions", fmt.integer, "num"),
        ("clicks", "Clicks", fmt.integer, "num"),
        ("conversions", "Conversions", lambda v: fmt.number(v, 1), "num"),
        ("spend", "Spend", fmt.money, "num"),
        ("revenue", "Revenue", fmt.money, "num"),
        ("ctr", "CTR", fmt.percent, "num"),
        ("cvr", "CVR", fmt.percent, "num"),
        ("cpc", "CPC", fmt.money, "num"),
        ("cpa", "CPA", fmt.money, "num"),
        ("roas", "ROAS", fmt.ratio, "num"),
    ]
    head = "".join(
        f'<th data-col="{i}" data-type="{kind}" onclick="sortBy(this)">{label}</th>'
        for i, (_, label, _, kind) in enumerate(columns)
    )
    body = []
    for r in sorted(rows, key=lambda r: (-(r["roas"] or -1), r["campaign_id"])):
        cells = []
        for key, _, render, kind in columns:
            raw = r[key]
            sort_value = (
                ""
                if raw is None
                else (float(raw) if isinstance(raw, (int, float, Decimal)) else raw)
            )
            cells.append(
                f'<td class="{kind}" data-key="{key}" data-sort="{_e(sort_value)}">{_e(render(raw))}</td>'
            )
        body.append(f'<tr data-campaign="{_e(r["campaign_id"])}">' + "".join(cells) + "</tr>")
    return (
        '<table id="campaigns" class="sortable"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def _quality(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="empty">No data-quality rows for this period.</p>'
    reasons = [r.value for r in Reason]
    head = "".join(
        f"<th>{_e(h)}</th>"
        for h in [
            "Landing day",
            "Received",
            "Valid",
            "Duplicates",
            "Quarantined",
            *reasons,
            "Bot share",
            "Late",
        ]
    )
    body = []
    for r in rows:
        bot_share = r["bot_events"] / r["valid"] if r["valid"] else None
        cells = [
            r["landing_date"].isoformat(),
            fmt.integer(r["lines"]),
            fmt.integer(r["valid"]),
            fmt.integer(r["duplicates"]),
            fmt.integer(r["quarantined"]),
            *[fmt.integer(r[f"q_{reason}"]) for reason in reasons],
            fmt.percent(bot_share, 1),
            fmt.integer(r["late_events"]),
        ]
        body.append(
            f'<tr data-landing="{r["landing_date"].isoformat()}">'
            + "".join(f"<td>{_e(c)}</td>" for c in cells)
            + "</tr>"
        )
    return (
        '<table id="quality"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f6f9;color:#1d2733}
header{background:#1d2733;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header .period{opacity:.8;margin-top:4px}main{padding:20px 28px;max-width:1200px}
section{background:#fff;border-radius:8px;padding:16px 20px;margin-bottom:18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:16px;margin:0 0 12px}.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;background:none;box-shadow:none;padding:0}
.kpi{background:#fff;border-radius:8px;padding:14px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.kpi .label{font-size:12px;text-transform:uppercase;color:#5b6b7c}.kpi .value{font-size:24px;font-weight:600;margin:6px 0}
.change{font-size:12px}.change.up{color:#1b8a4b}.change.down{color:#c0392b}.change.flat{color:#5b6b7c}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:18px;background:none;box-shadow:none;padding:0}
.charts>div{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.chart{width:100%;height:auto}.axis{stroke:#9aa5b1}.tick,.legend{font-size:11px;fill:#3d4b59}.flabel,.fvalue{font-size:9px;fill:#3d4b59}
.tick{text-anchor:middle}.flabel{text-anchor:end;dominant-baseline:middle}.fvalue{dominant-baseline:middle}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:6px 8px;border-bottom:1px solid #e4e8ee;text-align:right}
th:first-child,td:first-child{text-align:left}th{cursor:pointer;background:#f0f3f7;position:sticky;top:0}
.empty{color:#5b6b7c;font-style:italic}.meta{font-size:12px;color:#5b6b7c}.meta code{font-size:11px}
"""

_JS = """
function sortBy(th){const t=th.closest('table'),i=+th.dataset.col,num=th.dataset.type==='num';
const asc=th.dataset.dir!=='asc';t.querySelectorAll('th').forEach(h=>delete h.dataset.dir);th.dataset.dir=asc?'asc':'desc';
const rows=[...t.tBodies[0].rows];rows.sort((a,b)=>{let x=a.cells[i].dataset.sort,y=b.cells[i].dataset.sort;
if(num){x=x===''?-Infinity:+x;y=y===''?-Infinity:+y;return asc?x-y:y-x}return asc?x.localeCompare(y):y.localeCompare(x)});
rows.forEach(r=>t.tBodies[0].appendChild(r))}
"""


def build_html(data: ReportData, meta: RunMeta) -> str:
    """The whole page. Deterministic for the same data and metadata."""
    period = f"{data.first.isoformat()} – {data.last.isoformat()}"
    if data.empty:
        body = f'<section><p class="empty" id="no-data">No data for {period}: run the pipeline for these days first.</p></section>'
    else:
        labels = [d["day"].strftime("%b %d") for d in data.daily]
        money_chart = _bar_chart(
            "chart-trend",
            "Spend and revenue per day",
            labels,
            [
                ("Spend", [float(d["spend"]) for d in data.daily], "#e08e45"),
                ("Revenue", [float(d["revenue"]) for d in data.daily], "#4f7cac"),
            ],
        )
        clicks_chart = _bar_chart(
            "chart-clicks",
            "Clicks and conversions per day",
            labels,
            [
                ("Clicks", [float(d["clicks"]) for d in data.daily], "#7aa974"),
                ("Conversions ×10", [float(d["conversions"]) * 10 for d in data.daily], "#a05195"),
            ],
        )
        campaigns = (
            _campaign_table(data.campaigns)
            if data.campaigns
            else '<p class="empty">No campaign data for this period.</p>'
        )
        funnel = (
            _funnel_chart(data.funnel)
            if data.funnel
            else '<p class="empty">No funnel data for this period.</p>'
        )
        body = (
            _kpis(data)
            + '<section class="charts"><div><h2>Spend and revenue per day</h2>'
            + money_chart
            + "</div><div><h2>Clicks and conversions per day</h2>"
            + clicks_chart
            + "</div></section>"
            + "<section><h2>Funnel (valid traffic, log scale)</h2>"
            + funnel
            + "</section>"
            + "<section><h2>Campaigns</h2>"
            + campaigns
            + "</section>"
            + "<section><h2>Data quality per landing day</h2>"
            + _quality(data.quality)
            + "</section>"
        )
    snapshots = "".join(
        f"<li>{_e(name)}: <code>{_e(snap if snap is not None else '–')}</code></li>"
        for name, snap in sorted(data.snapshots.items())
    )
    meta_html = (
        f'<section class="meta" id="run-meta"><h2>Run</h2>Environment <b>{_e(meta.environment)}</b> · engine '
        f"<b>{_e(meta.engine)}</b> · generated {_e(meta.generated_at.isoformat(timespec='seconds'))}"
        f"<ul>{snapshots}</ul></section>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>airlake report {period}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>airlake · campaign performance</h1><div class="period">{period}</div></header>'
        f"<main>{body}{meta_html}</main><script>{_JS}</script></body></html>\n"
    )
