"""Benchmark: the intraday refresh against one daily run of the same landing day.

    python bench/intraday.py [--events 2000000] [--per-hour 1 4] [--keep DIR]

Generates one day of events (``--events``) into a staging folder. Then, each side on a fresh
catalog and landing folder, every step in its own ``airlake`` child process (as an Airflow
task runs it):

* **daily**: the landing day released whole, then ``airlake run --date D`` (every stage);
* **slices of 1/per_hour h**: the day released slice by slice (each file copied under a
  temporary name and renamed into place, :mod:`airlake.generator.release`), and after each
  slice ``airlake refresh --now <end of the slice>``; then three more refreshes that find
  nothing new (the fixed cost: process start, catalog reads, no commit), then the daily run for
  the day on top, whose tables must equal the daily side's (content hash).

Prints per side the seconds and peak RSS of every child, and the ratios the targets name:
the last refresh / the daily run, all refreshes / the daily run, the no-op refresh's seconds,
and freshness (a file waits at most one interval for the next refresh, then that refresh's
duration until its events are in reports.campaign_daily).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DAY = date(2026, 11, 2)
COMPARED = (
    "raw.events",
    "raw.quarantine",
    "raw.landing_files",
    "clean.events",
    "clean.sessions",
    "clean.attributed_conversions",
    "reports.campaign_daily",
    "reports.funnel_daily",
    "reports.data_quality_daily",
)


def child(profile: Path, *args: str) -> tuple[float, int, str]:
    """Run ``airlake ARGS --env PROFILE`` via /usr/bin/time: (seconds, peak RSS KiB, stdout)."""
    airlake = str(Path(sys.executable).with_name("airlake"))
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "PEAK_RSS_KIB %M", airlake, *args, "--env", str(profile)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"airlake {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    rss = int(done.stderr.rsplit("PEAK_RSS_KIB", 1)[1].split()[0])
    return seconds, rss, done.stdout


def side(root: Path, name: str, source: str) -> tuple[Path, Path]:
    folder = root / name
    folder.mkdir()
    profile = folder / "profile.toml"
    profile.write_text(
        f'name = "{name}"\n[storage]\nlanding = "{folder}/landing"\n'
        f'warehouse = "{folder}/warehouse"\n'
        f'[catalog]\ntype = "sqlite"\nuri = "sqlite:///{folder}/catalog.db"\n'
        f'[source]\nurl = "{source}"\n'
        # the bench replays a day in minutes: no snapshot expiry or orphan removal mid-day
        "[maintenance]\nsnapshot_retention_hours = 168\norphan_min_age_hours = 24\n"
    )
    return folder, profile


def hashes(profile: Path) -> dict[str, str]:
    from airlake.catalog import open_catalog
    from airlake.settings import load_settings
    from airlake.tables import content_hash, read_table

    catalog = open_catalog(load_settings(str(profile)), create=False)
    out = {}
    for name in COMPARED:
        data = read_table(catalog, name)
        if name == "raw.landing_files":
            # each side has its own copy of the landing files: their mtimes differ
            data = data.drop_columns(["version"])
        out[name] = content_hash(data)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--per-hour", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--flush-size", type=int, default=2_500)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()

    from airlake import exchange_rates, reference
    from airlake.generator import GeneratorConfig, generate
    from airlake.generator.release import day_slices, release

    root = Path(args.keep or tempfile.mkdtemp(prefix="airlake-bench-intraday-"))
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    print(f"machine: load average {os.getloadavg()[0]:.1f} at start (2 cores)")
    staged = root / "staged"
    config = GeneratorConfig(
        start=DAY,
        days=1,
        events_per_day=args.events,
        seed=11,
        out=str(staged),
        flush_size=args.flush_size,
    )
    started = time.perf_counter()
    generate(config)
    source = f"sqlite:///{root}/source.db"
    versions = reference.history(config.start, config.days, config.seed, config.campaigns)
    reference.load(source, reference.state_as_of(versions, reference.end_of(DAY)))
    exchange_rates.load(source, exchange_rates.demo_rates(DAY, DAY))
    print(f"generated {args.events:,} events in {time.perf_counter() - started:.1f} s")
    results: dict[str, object] = {"events": args.events}

    folder, daily_profile = side(root, "daily", source)
    for piece in day_slices(str(staged), DAY):
        release(str(staged), str(folder / "landing"), piece.files)
    d_seconds, d_rss, _ = child(daily_profile, "run", "--date", DAY.isoformat())
    print(f"daily run: {d_seconds:.1f} s, peak RSS {d_rss / 1024:.0f} MiB")
    results["daily"] = {"seconds": d_seconds, "rss_mib": d_rss / 1024}
    reference_hashes = hashes(daily_profile)

    for per_hour in args.per_hour:
        name = f"slices-{60 // per_hour}min"
        folder, profile = side(root, name, source)
        runs = []
        for piece in day_slices(str(staged), DAY, per_hour):
            release(str(staged), str(folder / "landing"), piece.files)
            seconds, rss, _ = child(profile, "refresh", "--now", piece.end.isoformat())
            runs.append((seconds, rss, len(piece.files)))
        last = day_slices(str(staged), DAY, per_hour)[-1].end.isoformat()
        noop = [child(profile, "refresh", "--now", last)[0] for _ in range(3)]
        end_seconds, _, _ = child(profile, "run", "--date", DAY.isoformat())
        same = hashes(profile) == reference_hashes
        total = sum(s for s, _, _ in runs)
        interval = 60 / per_hour
        summary = {
            "refreshes": len(runs),
            "last_seconds": runs[-1][0],
            "last_over_daily": runs[-1][0] / d_seconds,
            "all_seconds": total,
            "all_over_daily": total / d_seconds,
            "median_seconds": statistics.median(s for s, _, _ in runs),
            "max_seconds": max(s for s, _, _ in runs),
            "noop_seconds_median": statistics.median(noop),
            "peak_rss_mib": max(r for _, r, _ in runs) / 1024,
            "freshness_bound_minutes": interval + max(s for s, _, _ in runs) / 60,
            "daily_after_refreshes_seconds": end_seconds,
            "end_state_equal": same,
        }
        results[name] = summary
        print(
            f"{name}: {len(runs)} refreshes, last {runs[-1][0]:.1f} s "
            f"({summary['last_over_daily']:.2f} x daily), all {total:.1f} s "
            f"({summary['all_over_daily']:.2f} x daily), median {summary['median_seconds']:.1f} s, "
            f"no-op {summary['noop_seconds_median']:.2f} s, peak RSS "
            f"{summary['peak_rss_mib']:.0f} MiB (daily {d_rss / 1024:.0f}), freshness <= "
            f"{summary['freshness_bound_minutes']:.1f} min, end state equal: {same}"
        )
        print("  per refresh (s): " + " ".join(f"{s:.1f}" for s, _, _ in runs))
    print(f"machine: load average {os.getloadavg()[0]:.1f} at end")
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
