"""Alert rules and their lifecycle: which fire at a refresh, and how they merge with the open ones.

An alert is keyed by rule, subject and business day (:func:`alert_key`), so the same condition
seen by many refreshes is one alert: ``first_seen`` stays, ``last_seen`` moves. An open alert
whose rule no longer fires is resolved (``is_open`` false, ``resolved_at`` set); if it fires
again the same day it reopens with its first ``first_seen``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from airlake.intraday.pacing import MIN_SHARE, PacingRow


class Rule(enum.StrEnum):
    PROJECTED_OVER_BUDGET = "projected_over_budget"
    OVER_BUDGET = "over_budget"
    STALE_TOPIC = "stale_topic"
    QUARANTINE_SHARE = "quarantine_share"


@dataclass(frozen=True, slots=True)
class Fired:
    """A rule that fires at this refresh."""

    rule: Rule
    subject: str
    severity: str
    message: str


@dataclass(frozen=True, slots=True)
class Alert:
    """One row of reports.alerts."""

    alert_key: str
    business_date: date
    rule: str
    subject: str
    severity: str
    message: str
    first_seen: datetime
    last_seen: datetime
    is_open: bool
    resolved_at: datetime | None


def alert_key(rule: str, subject: str, day: date) -> str:
    return f"{rule}:{subject}:{day.isoformat()}"


def evaluate_rules(
    pacing: Sequence[PacingRow],
    newest_by_topic: Mapping[str, datetime | None],
    quarantine: tuple[int, int] | None,
    as_of: datetime,
    projected_over_budget_pct: float,
    stale_topic_minutes: float,
    max_quarantine_share: float,
) -> list[Fired]:
    """The rules that fire at ``as_of``.

    ``newest_by_topic`` is the newest event time read per topic (None: nothing read yet
    today); ``quarantine`` is (lines, quarantined) of today's landing day. Pure.
    """
    fired = []
    for row in pacing:
        if row.spend > row.daily_budget:
            fired.append(
                Fired(
                    Rule.OVER_BUDGET,
                    row.campaign_id,
                    "critical",
                    f"campaign {row.campaign_id} ({row.campaign_name or 'unnamed'}) has spent "
                    f"{row.spend:.2f} {row.reporting_currency} of its daily budget "
                    f"{row.daily_budget:.2f}",
                )
            )
        elif row.pacing_ratio > projected_over_budget_pct / 100 and row.elapsed_share >= MIN_SHARE:
            fired.append(
                Fired(
                    Rule.PROJECTED_OVER_BUDGET,
                    row.campaign_id,
                    "warning",
                    f"campaign {row.campaign_id} ({row.campaign_name or 'unnamed'}) is projected "
                    f"to spend {row.projected_spend:.2f} {row.reporting_currency}, "
                    f"{row.pacing_ratio:.0%} of its daily budget {row.daily_budget:.2f} "
                    f"(limit {projected_over_budget_pct:g}%)",
                )
            )
    for topic, newest in sorted(newest_by_topic.items()):
        if newest is None:
            continue
        quiet = (as_of - min(newest, as_of)).total_seconds() / 60
        if quiet > stale_topic_minutes:
            fired.append(
                Fired(
                    Rule.STALE_TOPIC,
                    topic,
                    "warning",
                    f"topic {topic}: no new events for {quiet:.0f} minutes (newest "
                    f"{newest:%Y-%m-%d %H:%M} UTC; limit {stale_topic_minutes:g} min)",
                )
            )
    if quarantine is not None:
        lines, quarantined = quarantine
        share = quarantined / lines if lines else 0.0
        if share > max_quarantine_share:
            fired.append(
                Fired(
                    Rule.QUARANTINE_SHARE,
                    "landing",
                    "critical",
                    f"{quarantined} of {lines} landing lines today quarantined ({share:.2%} > "
                    f"{max_quarantine_share:.2%})",
                )
            )
    return fired


def merge_alerts(
    existing: Sequence[Alert], fired: Sequence[Fired], day: date, as_of: datetime
) -> list[Alert]:
    """The business day's alerts after a refresh at ``as_of``: the fired ones opened or kept
    open (first_seen kept), the others resolved. Sorted by key. Pure."""
    by_key = {a.alert_key: a for a in existing}
    out: dict[str, Alert] = {}
    for f in fired:
        key = alert_key(f.rule.value, f.subject, day)
        old = by_key.get(key)
        out[key] = Alert(
            alert_key=key,
            business_date=day,
            rule=f.rule.value,
            subject=f.subject,
            severity=f.severity,
            message=f.message,
            first_seen=old.first_seen if old else as_of,
            last_seen=max(as_of, old.last_seen) if old else as_of,
            is_open=True,
            resolved_at=None,
        )
    for key, old in by_key.items():
        if key in out:
            continue
        out[key] = old if not old.is_open else replace(old, is_open=False, resolved_at=as_of)
    return [out[k] for k in sorted(out)]
