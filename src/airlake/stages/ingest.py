"""The ingest stage: landing lines of a landing day → raw.events + raw.quarantine.

A landing day is ingested whole (every sink file of its folders, in one commit per table) and
recorded in raw.landing_files last, so a crash in between makes the next run ingest it again.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Sequence
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from airlake.errors import UserError
from airlake.landing import list_day, relative_name, scan_day
from airlake.run_context import RunContext, Window
from airlake.tables import (
    RAW_EVENTS,
    RAW_LANDING_FILES,
    RAW_QUARANTINE,
    CommitResult,
    read_table,
    replace_partitions,
)

FileEntry = tuple[str, int, str, bool, int | None]
"""One row of raw.landing_files: path, size, version, sink_file, lines."""


def lines_per_file(parquet_files: Sequence[str]) -> dict[str, int]:
    """Lines per landing file (``source_file``) in an ingest's output (events + quarantine)."""
    counts: dict[str, int] = {}
    for path in parquet_files:
        column = pq.read_table(path, columns=["source_file"]).column("source_file")
        for item in pc.value_counts(column).to_pylist():
            counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
    return counts


def write_listing(tmp: str, day: date, entries: Sequence[FileEntry]) -> str:
    """Write raw.landing_files rows of landing day ``day`` as one Parquet file; its path."""
    table = pa.table(
        {
            "landing_date": [day] * len(entries),
            "path": [e[0] for e in entries],
            "size": [e[1] for e in entries],
            "version": [e[2] for e in entries],
            "sink_file": [e[3] for e in entries],
            "lines": [e[4] for e in entries],
        },
        schema=RAW_LANDING_FILES.schema,
    )
    part = f"{tmp}/files/landing_date={day.isoformat()}"
    os.makedirs(part, exist_ok=True)
    path = f"{part}/files-{uuid.uuid4().hex}.parquet"
    pq.write_table(table, path)
    return path


def _recorded_files(ctx: RunContext, day: date) -> list[tuple[str, int, str]]:
    rows = read_table(
        ctx.catalog, RAW_LANDING_FILES.name, f"landing_date = '{day.isoformat()}'"
    ).to_pylist()
    return sorted((r["path"], r["size"], r["version"]) for r in rows)


def ingest_day(ctx: RunContext, day: date, *, force: bool = False) -> list[CommitResult]:
    """Ingest one landing day into raw.events and raw.quarantine (skipped when its files are
    exactly the ones already ingested, unless ``force``)."""
    s = ctx.settings
    scanned = scan_day(s.landing_uri, day, ctx.storage)
    files = scanned.files
    sink = {f.uri for f in files}
    listing = sorted(
        (relative_name(s.landing_uri, f.uri), f.size, f.version, f.uri in sink)
        for f in [*files, *scanned.others]
    )
    if not force and [entry[:3] for entry in listing] == _recorded_files(ctx, day):
        return []
    others = f", {len(scanned.others)} other files not read" if scanned.others else ""
    ctx.on_progress(f"ingest landing day {day}: {len(files)} files{others}")
    with tempfile.TemporaryDirectory(prefix="airlake-ingest-") as tmp:
        out = ctx.engine.ingest(s.landing_uri, files, day, s.late_window_days, tmp)
        props = {
            "airlake.stage": "ingest",
            "airlake.landing-day": day.isoformat(),
            "airlake.engine": ctx.engine.name,
        }
        results = [
            replace_partitions(ctx.catalog, RAW_EVENTS, out.events, [day], ctx.storage, props),
            replace_partitions(
                ctx.catalog, RAW_QUARANTINE, out.quarantine, [day], ctx.storage, props
            ),
        ]
        # Recorded last: its rows say "this landing day is in raw", so a crash before here
        # makes the next run ingest the day again.
        counts = lines_per_file([*out.events, *out.quarantine])
        entries = [
            (p, n, v, is_sink, counts.get(p, 0) if is_sink else None)
            for p, n, v, is_sink in listing
        ]
        part = write_listing(tmp, day, entries)
        results.append(
            replace_partitions(ctx.catalog, RAW_LANDING_FILES, [part], [day], ctx.storage, props)
        )
    return results


def stage_ingest(ctx: RunContext, w: Window) -> list[CommitResult]:
    """Ingest every landing day the window can draw on; the run day itself must have data."""
    if not list_day(ctx.settings.landing_uri, w.day, ctx.storage):
        raise UserError(f"no landing data for {w.day} under {ctx.settings.landing_uri}")
    results: list[CommitResult] = []
    for day in w.landing_days:
        if day == w.day or list_day(ctx.settings.landing_uri, day, ctx.storage):
            force = ctx.force_ingest and day not in ctx.reingested
            results.extend(ingest_day(ctx, day, force=force))
            if force:
                ctx.reingested.add(day)
    return results
