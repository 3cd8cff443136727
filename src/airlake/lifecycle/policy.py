"""What table maintenance removes, decided from plain values (pure: no catalog, no clock).

Every function here takes the state it judges and the time as parameters and returns what to
remove; :mod:`airlake.lifecycle.maintain` reads that state from the catalog and storage and
applies the answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from airlake.settings import MaintenancePolicy, Retention

ERASURE_STAGE = "forget"
"""``airlake.stage`` of the commits that erase a person's rows."""


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    """One snapshot as the expiry rule sees it."""

    snapshot_id: int
    parent_id: int | None
    committed_ms: int
    stage: str = ""
    """``airlake.stage`` of the commit (``forget`` for an erasure)."""


def superseded_at(
    snapshots: Sequence[SnapshotRecord], log: Sequence[tuple[int, int]]
) -> dict[int, int | None]:
    """When each snapshot stopped being the table's current one (ms), None for the current one.

    ``log`` is the table's snapshot log, ``(snapshot_id, ms)`` oldest first: a snapshot stops
    being current when the next log entry is made. A snapshot that was never current (a
    staged commit) counts as superseded when it was committed.
    """
    out: dict[int, int | None] = {s.snapshot_id: s.committed_ms for s in snapshots}
    for (sid, _), (_, next_ms) in itertools.pairwise(log):
        if sid in out:
            out[sid] = next_ms
    if log and log[-1][0] in out:
        out[log[-1][0]] = None
    return out


def snapshots_to_expire(
    snapshots: Sequence[SnapshotRecord],
    log: Sequence[tuple[int, int]],
    current_id: int | None,
    policy: MaintenancePolicy,
    protected: Iterable[int],
    now_ms: int,
) -> set[int]:
    """Snapshots to expire: those replaced longer than the retention ago, except the current
    one, the last ``keep_last_snapshots`` of its history and the ``protected`` ones.

    The age that counts is how long ago a snapshot stopped being current, not when it was
    committed: a reader that planned a scan on the current snapshot a moment ago still finds
    every file of it, however old its commit.

    A protected snapshot (named by a published file) older than the table's latest erasure
    commit loses its protection: it may hold rows a person asked to have erased, so only the
    retention keeps it.
    """
    by_id = {s.snapshot_id: s for s in snapshots}
    keep: set[int] = set()
    sid = current_id
    while sid is not None and sid in by_id and len(keep) < policy.keep_last_snapshots:
        keep.add(sid)
        sid = by_id[sid].parent_id
    erasures = [s.committed_ms for s in snapshots if s.stage == ERASURE_STAGE]
    last_erasure = max(erasures) if erasures else None
    keep |= {
        p
        for p in protected
        if p in by_id and (last_erasure is None or by_id[p].committed_ms >= last_erasure)
    }
    cutoff = now_ms - int(policy.snapshot_retention_hours * 3_600_000)
    ended = superseded_at(snapshots, log)
    return {
        s.snapshot_id
        for s in snapshots
        if s.snapshot_id not in keep
        and s.snapshot_id != current_id
        and (end := ended.get(s.snapshot_id)) is not None
        and end <= cutoff
    }


def layer_retention(table: str, retention: Retention) -> int | None:
    """Days a table's partitions are kept, by its layer (namespace); None for forever."""
    layer = table.split(".", 1)[0]
    return {
        "raw": retention.raw_days,
        "clean": retention.clean_days,
        "reports": retention.reports_days,
    }.get(layer)


def partitions_past_retention(
    partitions: Iterable[date], days: int | None, today: date
) -> list[date]:
    """Partition dates older than ``days`` before ``today`` (a partition of ``today - days``
    is the oldest kept), oldest first; none when the layer keeps data forever."""
    if days is None:
        return []
    oldest_kept = today - timedelta(days=days)
    return sorted({p for p in partitions if p < oldest_kept})


def partitions_to_compact(
    files: Mapping[date, Sequence[int]], policy: MaintenancePolicy
) -> list[date]:
    """Partitions whose data files are many and small: at least ``compact_min_files`` files
    (sizes in bytes) averaging under ``compact_small_file_bytes``."""
    return sorted(
        part
        for part, sizes in files.items()
        if len(sizes) >= policy.compact_min_files
        and sum(sizes) / len(sizes) < policy.compact_small_file_bytes
    )


def orphans(
    listed: Iterable[tuple[str, float]],
    referenced: set[str],
    now_s: float,
    policy: MaintenancePolicy,
) -> list[str]:
    """Files under a table's location that nothing references and that are older than the
    safety age (``(path, modified-at seconds)`` in, paths out, sorted). Younger unreferenced
    files may belong to a commit in progress."""
    cutoff = now_s - policy.orphan_min_age_hours * 3600
    return sorted(path for path, mtime in listed if path not in referenced and mtime <= cutoff)
