"""The maintain stage: retention, compaction, snapshot expiry and orphan removal after a run."""

from __future__ import annotations

from airlake.lifecycle.maintain import maintain
from airlake.run_context import RunContext, Window
from airlake.tables import CommitResult


def stage_maintain(ctx: RunContext, w: Window) -> list[CommitResult]:
    """The ``maintain`` stage: :func:`maintain` with the run day as today."""
    results = maintain(ctx.catalog, ctx.settings, ctx.engine, ctx.storage, today=w.day)
    for r in results:
        if r.expired_snapshots or r.deleted_files or r.compacted_partitions or r.retired_partitions:
            ctx.on_progress(
                f"maintain {r.table}: {r.expired_snapshots} snapshots expired, "
                f"{r.deleted_files} files deleted"
            )
    return [c for r in results for c in r.commits]
