"""Benchmark: how run time and warehouse size grow over many daily runs, with and without
``maintain``.

    python bench/growth.py [--days 60] [--events 500] [--retention DAYS] [--keep DIR]

Generates N small days of events, then runs them in order twice on fresh warehouses (SQLite
catalog, DuckDB): once with every stage but ``maintain`` (and ``publish``, whose HTML page is the
same either way), once with ``maintain`` after each day. Per day it prints the run's seconds,
the bytes on disk under the warehouse (data + metadata), the bytes of the data files the current
snapshots use (live), and the snapshots kept over all tables. ``--retention DAYS`` sets raw and
clean retention (default: the profile defaults, 90 and 730 days, so live data grows with the days).

Maintenance here expires every snapshot replaced before the run (retention 0 h, keeping the last
5) and removes unreferenced files at once (safety age 0 h): the bench compresses a year of wall
clock into minutes, and nothing else writes to its warehouse.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

START = date(2026, 1, 1)


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _run(
    landing: Path, root: Path, days: int, with_maintain: bool, retention: int
) -> list[tuple[float, int, int, int]]:
    from airlake.lifecycle.stats import table_growth
    from airlake.run_context import open_run
    from airlake.settings import MaintenancePolicy, settings_from_values
    from airlake.stages import STAGE_NAMES, run_day
    from airlake.tables import TABLES

    settings = settings_from_values(
        {
            "name": "bench",
            "storage": {"landing": str(landing), "warehouse": str(root / "warehouse")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{root}/catalog.db"},
            # the landing folder is shared by both passes: the local landing retention is off
            "retention": {
                "landing_days": 0,
                **({"raw_days": retention, "clean_days": retention} if retention else {}),
            },
        },
        root=root,
    )
    settings = dataclasses.replace(
        settings,
        maintenance=MaintenancePolicy(snapshot_retention_hours=0, orphan_min_age_hours=0),
    )
    stages = [s for s in STAGE_NAMES if s != "publish" and (with_maintain or s != "maintain")]
    out = []
    with open_run(settings) as ctx:
        for i in range(days):
            started = time.perf_counter()
            run_day(ctx, START + timedelta(days=i), stages)
            seconds = time.perf_counter() - started
            snapshots = sum(
                len(ctx.catalog.load_table(t.name).metadata.snapshots)
                for t in TABLES
                if ctx.catalog.table_exists(t.name)
            )
            live = sum(g.data_bytes for g in table_growth(ctx.catalog, ctx.storage))
            out.append((seconds, _size(root / "warehouse"), live, snapshots))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--retention", type=int, default=0, help="Raw and clean retention, days.")
    parser.add_argument("--keep", default=None, help="Work in this folder and keep it.")
    args = parser.parse_args()
    from airlake.generator import GeneratorConfig, generate

    work = Path(args.keep or tempfile.mkdtemp(prefix="airlake-growth-"))
    landing = work / "landing"
    generate(GeneratorConfig(START, args.days, args.events, 11, str(landing)))
    without = _run(landing, work / "without", args.days, False, args.retention)
    with_ = _run(landing, work / "with", args.days, True, args.retention)
    print(
        f"{args.days} days x {args.events} events; per day: seconds, warehouse MB (live data MB), "
        "snapshots"
    )
    print(f"{'day':>4} | {'without maintain':>36} | {'with maintain':>36}")
    for i, (a, b) in enumerate(zip(without, with_, strict=True), 1):
        print(
            f"{i:>4} | {a[0]:6.2f} s {a[1] / 1e6:7.2f} MB ({a[2] / 1e6:6.2f}) {a[3]:5d} | "
            f"{b[0]:6.2f} s {b[1] / 1e6:7.2f} MB ({b[2] / 1e6:6.2f}) {b[3]:5d}"
        )
    for label, rows in (("without", without), ("with", with_)):
        first, last = rows[: min(5, len(rows))], rows[-min(5, len(rows)) :]
        print(
            f"{label} maintain: first 5 days {sum(r[0] for r in first) / len(first):.2f} s/day, "
            f"last 5 days {sum(r[0] for r in last) / len(last):.2f} s/day; warehouse "
            f"{rows[0][1] / 1e6:.2f} MB after day 1, {rows[-1][1] / 1e6:.2f} MB after day "
            f"{len(rows)} (live data {rows[-1][2] / 1e6:.2f} MB); {rows[-1][3]} snapshots"
        )


if __name__ == "__main__":
    main()
