"""Benchmark: airlake's daily run against a bare DuckDB JSON → Parquet copy of the same files.

    python bench/pipeline.py [--events 2000000] [--keep DIR] [--spark]

Generates one day of events (the late arrivals spill into the next days' landing folders), then
in one invocation times, each in its own child process so peak RSS is per side:

(a) baseline: DuckDB ``read_json`` with an explicit schema → one Parquet file (no quarantine, no
    dedupe, ``ignore_errors`` so broken lines do not stop it);
(b) the peer: a hand-written DuckDB SQL pipeline doing the core of the work (``PEER``): typed
    ``read_json`` with ``ignore_errors``, a validity filter, dedupe on ``event_id``, a bot flag,
    30-minute sessions and campaign_daily, each written as Parquet;
(c) ``airlake run`` for the day: ingest with quarantine, clean, sessions, attribution, reports,
    quality, publish, all committed to Iceberg.

Prints the seconds of each, the ratios airlake/bare copy and airlake/peer (the other's seconds
over airlake's: higher is better), the per-stage split, and the peak RSS of each child. With --spark, (c) the same run on Spark local[2], and how many
times faster airlake-duckdb is than airlake-spark on this machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DAY = date(2026, 11, 1)

BASELINE = r"""
import glob, sys, duckdb
from airlake.contract import FIELDS, FieldType
landing, out = sys.argv[1], sys.argv[2]
types = {FieldType.STRING: "VARCHAR", FieldType.NUMBER: "DECIMAL(18,6)", FieldType.TIMESTAMP: "VARCHAR"}
columns = "{" + ", ".join(f"'{f.name}': '{types[f.type]}'" for f in FIELDS) + "}"
files = sorted(glob.glob(f"{landing}/topics/*/*/*/*/*/*.json"))
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET enable_progress_bar = false")
con.execute(
    f"COPY (SELECT * FROM read_json({files!r}, format='newline_delimited', columns={columns}, "
    f"ignore_errors=true)) TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
)
"""

PEER = r"""
import glob, sys, duckdb
from airlake.contract import FIELDS, FieldType, BOT_IP_PREFIXES
from airlake.bot_agents import alternations
landing, out = sys.argv[1], sys.argv[2]
types = {FieldType.STRING: "VARCHAR", FieldType.NUMBER: "DECIMAL(18,6)", FieldType.TIMESTAMP: "TIMESTAMPTZ"}
columns = "{" + ", ".join(f"'{f.name}': '{types[f.type]}'" for f in FIELDS) + "}"
files = sorted(glob.glob(f"{landing}/topics/*/*/*/*/*/*.json"))
bots = " OR ".join("regexp_matches(user_agent, '" + a.replace("'", "''") + "')" for a in alternations())
bots += " OR " + " OR ".join(f"starts_with(ip, '{p}')" for p in BOT_IP_PREFIXES)
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
con.execute(
    "CREATE TEMP TABLE events AS "
    f"SELECT * EXCLUDE (rn), CAST(event_ts AS DATE) AS event_date, ({bots}) AS is_bot FROM ("
    "  SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY received_ts) AS rn"
    f"  FROM read_json({files!r}, format='newline_delimited', columns={columns}, ignore_errors=true)"
    "  WHERE event_id IS NOT NULL"
    "    AND event_type IN ('impression', 'click', 'page_view', 'conversion')"
    "    AND event_ts IS NOT NULL AND received_ts IS NOT NULL AND event_ts <= received_ts"
    "    AND coalesce(cost, 0) >= 0 AND coalesce(revenue, 0) >= 0"
    ") WHERE rn = 1"
)
con.execute(f"COPY events TO '{out}/events.parquet' (FORMAT parquet)")
con.execute(
    "COPY (WITH gaps AS ("
    "  SELECT anonymous_id, event_ts, CASE WHEN event_ts - lag(event_ts) OVER w"
    "    <= INTERVAL 30 MINUTE THEN 0 ELSE 1 END AS new_session"
    "  FROM events WHERE NOT is_bot WINDOW w AS (PARTITION BY anonymous_id ORDER BY event_ts)"
    "), numbered AS ("
    "  SELECT *, sum(new_session) OVER (PARTITION BY anonymous_id ORDER BY event_ts) AS session"
    "  FROM gaps"
    ") SELECT anonymous_id, session, min(event_ts) AS started, max(event_ts) AS ended,"
    "  count(*) AS events FROM numbered GROUP BY ALL"
    f") TO '{out}/sessions.parquet' (FORMAT parquet)"
)
con.execute(
    "COPY (SELECT event_date, campaign_id,"
    "  count_if(event_type = 'impression') AS impressions, count_if(event_type = 'click') AS clicks,"
    "  sum(cost) AS spend, count_if(event_type = 'conversion') AS conversions,"
    "  sum(revenue) AS revenue"
    f"  FROM events WHERE NOT is_bot GROUP BY ALL) TO '{out}/campaign_daily.parquet' (FORMAT parquet)"
)
"""

AIRLAKE = r"""
import sys
from datetime import date
from airlake.run_context import open_run
from airlake.stages import STAGE_NAMES, run_stage
from airlake.settings import settings_from_values
landing, root, day, engine = sys.argv[1], sys.argv[2], date.fromisoformat(sys.argv[3]), sys.argv[4]
settings = settings_from_values({
    "storage": {"landing": landing, "warehouse": f"{root}/warehouse"},
    "catalog": {"type": "sqlite", "uri": f"sqlite:///{root}/catalog.db"},
})
with open_run(settings, engine) as ctx:
    for name in STAGE_NAMES:
        result = run_stage(ctx, name, day)
        print("STAGE", name, f"{result.seconds:.2f}", flush=True)
"""


_PEAK = (
    "\nimport resource; print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def timed_child(code: str, *args: str) -> tuple[float, float, dict[str, float]]:
    """Run ``code`` in a fresh child Python; return (seconds, that child's peak RSS in MiB, the
    seconds of each stage it printed)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + _PEAK, *args], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    peak = next(
        int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("PEAK_RSS_KIB")
    )
    stages = {
        line.split()[1]: float(line.split()[2])
        for line in done.stdout.splitlines()
        if line.startswith("STAGE ")
    }
    return seconds, peak / 1024, stages


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--events",
        type=int,
        default=2_000_000,
        help="events in the day (10000000 for the large run)",
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="reuse/keep generated data in this folder"
    )
    parser.add_argument("--spark", action="store_true", help="also run airlake on Spark (local[2])")
    args = parser.parse_args()

    from airlake.generator import GeneratorConfig, generate

    work = args.keep or Path(tempfile.mkdtemp(prefix="airlake-bench-"))
    landing = work / f"landing-{args.events}"
    manifest_path = landing / "_manifest.json"
    if not manifest_path.exists():
        started = time.perf_counter()
        generate(
            GeneratorConfig(start=DAY, days=1, events_per_day=args.events, seed=1, out=str(landing))
        )
        generated_s = time.perf_counter() - started
        print(
            f"generated in {generated_s:.1f} s ({args.events / generated_s:,.0f} events/s)",
            flush=True,
        )
    manifest = json.loads(manifest_path.read_text())
    lines = sum(d["lines"] for d in manifest["landing_days"].values())
    size = sum(p.stat().st_size for p in (landing / "topics").rglob("*.json"))

    base_s, base_rss, _ = timed_child(BASELINE, str(landing), str(work / "baseline.parquet"))
    peer_dir = Path(tempfile.mkdtemp(prefix="peer-", dir=work))
    peer_s, peer_rss, _ = timed_child(PEER, str(landing), str(peer_dir))
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    lake_s, lake_rss, lake_stages = timed_child(
        AIRLAKE, str(landing), str(run_dir), DAY.isoformat(), "duckdb"
    )
    spark: dict[str, float] = {}
    if args.spark:
        spark_dir = Path(tempfile.mkdtemp(prefix="spark-", dir=work))
        spark_s, spark_rss, _ = timed_child(
            AIRLAKE, str(landing), str(spark_dir), DAY.isoformat(), "spark"
        )
        spark = {
            "spark_seconds": round(spark_s, 2),
            "spark_lines_per_s": round(lines / spark_s),
            "spark_driver_peak_rss_mib": round(spark_rss),
            "ratio_airlake_duckdb_over_spark": round(spark_s / lake_s, 2),
        }

    result = {
        "events_requested": args.events,
        "landing_lines": lines,
        "landing_mib": round(size / 2**20, 1),
        "baseline_seconds": round(base_s, 2),
        "baseline_lines_per_s": round(lines / base_s),
        "baseline_peak_rss_mib": round(base_rss),
        "peer_seconds": round(peer_s, 2),
        "peer_peak_rss_mib": round(peer_rss),
        "airlake_seconds": round(lake_s, 2),
        "airlake_lines_per_s": round(lines / lake_s),
        "airlake_peak_rss_mib": round(lake_rss),
        "ratio_airlake_over_baseline": round(base_s / lake_s, 3),
        "ratio_airlake_over_peer": round(peer_s / lake_s, 3),
        **{f"airlake_stage_{name}_s": seconds for name, seconds in lake_stages.items()},
        **spark,
    }
    for key, value in result.items():
        print(f"{key:36} {value}")


if __name__ == "__main__":
    main()
