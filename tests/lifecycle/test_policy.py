"""The pure maintenance rules."""

from __future__ import annotations

from datetime import date

import pytest

from airlake.errors import UserError
from airlake.infra.tfvars import tfvars
from airlake.lifecycle.policy import (
    SnapshotRecord,
    layer_retention,
    orphans,
    partitions_past_retention,
    partitions_to_compact,
    snapshots_to_expire,
    superseded_at,
)
from airlake.profiles_check import retention_rows
from airlake.settings import MaintenancePolicy, Retention, read_profile_file, settings_from_values

H = 3_600_000
# a chain of five commits, one per hour; 5 is current
CHAIN = [SnapshotRecord(i, i - 1 if i > 1 else None, i * H) for i in range(1, 6)]
LOG = [(s.snapshot_id, s.committed_ms) for s in CHAIN]


def _expire(policy: MaintenancePolicy, now_ms: int, protected=(), chain=CHAIN, log=LOG) -> set[int]:
    return snapshots_to_expire(chain, log, chain[-1].snapshot_id, policy, protected, now_ms)


def test_age_counts_from_when_a_snapshot_was_replaced() -> None:
    assert superseded_at(CHAIN, LOG) == {1: 2 * H, 2: 3 * H, 3: 4 * H, 4: 5 * H, 5: None}
    policy = MaintenancePolicy(snapshot_retention_hours=1, keep_last_snapshots=1)
    # at 5h30: 1..3 were replaced at 2h..4h (more than 1 h ago); 4 was replaced at 5h
    assert _expire(policy, 5 * H + H // 2) == {1, 2, 3}
    assert _expire(policy, 100 * H) == {1, 2, 3, 4}


def test_the_last_n_and_protected_snapshots_are_kept() -> None:
    policy = MaintenancePolicy(snapshot_retention_hours=0, keep_last_snapshots=2)
    assert _expire(policy, 100 * H) == {1, 2, 3}
    assert _expire(policy, 100 * H, protected={2}) == {1, 3}


def test_an_erasure_lifts_the_protection_of_older_snapshots() -> None:
    chain = [*CHAIN[:4], SnapshotRecord(5, 4, 5 * H, "forget")]
    policy = MaintenancePolicy(snapshot_retention_hours=0, keep_last_snapshots=1)
    assert _expire(policy, 100 * H, protected={2}, chain=chain) == {1, 2, 3, 4}


def test_layer_retention_and_old_partitions() -> None:
    retention = Retention(landing_days=30, raw_days=90, clean_days=730, reports_days=None)
    assert layer_retention("raw.events", retention) == 90
    assert layer_retention("clean.sessions", retention) == 730
    assert layer_retention("reports.campaign_daily", retention) is None
    assert layer_retention("dim.campaigns", retention) is None
    days = [date(2026, 1, d) for d in (1, 2, 3)]
    assert partitions_past_retention(days, 1, date(2026, 1, 3)) == [date(2026, 1, 1)]
    assert partitions_past_retention(days, None, date(2030, 1, 1)) == []


def test_compaction_and_orphans() -> None:
    policy = MaintenancePolicy(compact_min_files=3, compact_small_file_bytes=100)
    d1, d2, d3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)
    assert partitions_to_compact({d1: [10, 10, 10], d2: [10, 10], d3: [500, 10, 10]}, policy) == [
        d1
    ]
    policy = MaintenancePolicy(orphan_min_age_hours=1)
    listed = [("/a", 0.0), ("/b", 0.0), ("/c", 7000.0)]
    assert orphans(listed, {"/b"}, now_s=7200.0, policy=policy) == ["/a"]


def test_profile_keys_and_validation() -> None:
    s = settings_from_values(
        {
            "retention": {"reports_days": 0, "raw_days": 10},
            "maintenance": {"keep_last_snapshots": 2},
        }
    )
    assert s.retention.reports_days is None and s.retention.raw_days == 10
    assert s.maintenance.keep_last_snapshots == 2
    with pytest.raises(UserError, match="shorter than what a run reads back"):
        settings_from_values({"retention": {"raw_days": 2}})
    with pytest.raises(UserError, match="keep_last_snapshots"):
        settings_from_values({"maintenance": {"keep_last_snapshots": 0}})


def test_landing_retention_reaches_terraform_and_env_check() -> None:
    production = read_profile_file("production")
    assert tfvars(production)["landing_retention_days"] == 30
    assert retention_rows({"production": production}) == [
        ["production", "30 days", "90 days", "730 days", "forever"]
    ]
