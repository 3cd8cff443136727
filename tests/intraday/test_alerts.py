from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from airlake.intraday.alerts import Rule, evaluate_rules, merge_alerts
from airlake.intraday.pacing import PacingRow

T0 = datetime(2026, 11, 2, 10, tzinfo=UTC)
DAY = date(2026, 11, 2)


def _row(spend: str, ratio: float, share: float = 0.5) -> PacingRow:
    return PacingRow(
        T0,
        DAY,
        "cmp-001",
        "Spring",
        "adv",
        "EUR",
        Decimal(spend),
        Decimal("100"),
        share,
        Decimal(str(ratio * 100)),
        ratio,
        "x",
        T0,
    )


def _rules(pacing, newest=None, quarantine=None, at=T0):
    return evaluate_rules(pacing, newest or {}, quarantine, at, 110.0, 60.0, 0.05)


def test_each_rule_fires_on_its_condition_only() -> None:
    assert [f.rule for f in _rules([_row("101", 2.0)])] == [Rule.OVER_BUDGET]
    assert [f.rule for f in _rules([_row("60", 1.2)])] == [Rule.PROJECTED_OVER_BUDGET]
    assert _rules([_row("60", 1.05)]) == []
    assert _rules([_row("2", 1.5, share=0.01)]) == []  # too early in the day to judge pace
    stale = _rules([], newest={"ad-clicks": T0 - timedelta(minutes=61), "web": T0})
    assert [(f.rule, f.subject) for f in stale] == [(Rule.STALE_TOPIC, "ad-clicks")]
    assert [f.rule for f in _rules([], quarantine=(100, 6))] == [Rule.QUARANTINE_SHARE]
    assert _rules([], quarantine=(100, 5)) == []


def test_an_alert_keeps_first_seen_moves_last_seen_resolves_and_reopens() -> None:
    fired = _rules([_row("101", 2.0)])
    first = merge_alerts([], fired, DAY, T0)
    assert [(a.alert_key, a.is_open) for a in first] == [("over_budget:cmp-001:2026-11-02", True)]
    later = T0 + timedelta(minutes=15)
    second = merge_alerts(first, fired, DAY, later)
    assert (second[0].first_seen, second[0].last_seen) == (T0, later)
    resolved = merge_alerts(second, [], DAY, later + timedelta(minutes=15))
    assert not resolved[0].is_open
    assert resolved[0].resolved_at == later + timedelta(minutes=15)
    again = merge_alerts(resolved, fired, DAY, later + timedelta(minutes=30))
    assert again[0].is_open and again[0].resolved_at is None and again[0].first_seen == T0
