"""Benchmark: how well each pacing projection predicts a campaign's end-of-day spend.

    python bench/pacing_accuracy.py [--days 8] [--events 100000]

Generates ``--days`` days of events and runs the daily pipeline's ingest and clean stages over
them, so clean.events holds every valid event. For the last full business day (in
``intraday.business_timezone``, Europe/Berlin) it takes each campaign's true final spend (the
whole day's valid spend in the reporting currency) and, at 12:00 and 18:00 local time, the
spend so far (events before that time); then projects the end of the day with

* ``linear``: spend so far / share of the day elapsed;
* ``profile``: spend so far / the share the campaign's own hour-of-day profile over the previous
  business days expects by then (:mod:`airlake.intraday.pacing`, as the refresh computes it),

and prints the mean absolute percentage error over campaigns with spend, per projection and time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

START = date(2026, 10, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=8)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()

    from airlake import exchange_rates, reference
    from airlake.engines import Relation
    from airlake.generator import GeneratorConfig, generate
    from airlake.intraday.business_day import day_bounds
    from airlake.intraday.pacing import cumulative_share, hour_profile
    from airlake.run_context import open_run
    from airlake.settings import settings_from_values
    from airlake.stages import run_day
    from airlake.stages.refresh import _spend_sql, _us
    from airlake.tables import CLEAN_EVENTS, DIM_EXCHANGE_RATES, data_files, ensure_table

    root = Path(tempfile.mkdtemp(prefix="airlake-bench-pacing-"))
    last = START + timedelta(days=args.days - 1)
    generate(
        GeneratorConfig(
            start=START, days=args.days, events_per_day=args.events, seed=21, out=str(root / "l")
        )
    )
    url = f"sqlite:///{root}/source.db"
    versions = reference.history(START, args.days, 21)
    reference.load(url, reference.state_as_of(versions, reference.end_of(last)))
    exchange_rates.load(url, exchange_rates.demo_rates(START, last))
    settings = settings_from_values(
        {
            "name": "bench",
            "storage": {"landing": str(root / "l"), "warehouse": str(root / "wh")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{root}/catalog.db"},
            "source": {"url": url},
        },
        root,
    )
    tz = ZoneInfo(settings.intraday.business_timezone)
    with open_run(settings) as ctx:
        for i in range(args.days):
            run_day(ctx, START + timedelta(days=i), ["extract", "ingest", "clean"])
        # the last business day whose UTC dates all have their late data: the day before last
        target = day_bounds(last - timedelta(days=1), tz)
        first = day_bounds(START + timedelta(days=1), tz)
        table = ensure_table(ctx.catalog, CLEAN_EVENTS)
        dates = [START + timedelta(days=i) for i in range(args.days)]
        rows = ctx.engine.query(
            _spend_sql(_us(first.start), _us(target.end), settings.reporting_currency),
            {
                "clean_events": Relation(
                    tuple(data_files(table, "event_date", dates)), CLEAN_EVENTS.schema
                ),
                "exchange_rates": Relation(
                    tuple(data_files(ensure_table(ctx.catalog, DIM_EXCHANGE_RATES), None, [])),
                    DIM_EXCHANGE_RATES.schema,
                ),
            },
        ).to_pylist()
    day_lo = _us(target.start) // 3_600_000_000
    today: dict[str, dict[int, Decimal]] = {}
    past: dict[str, dict[int, Decimal]] = {}
    for r in rows:
        hour_start = datetime.fromtimestamp(r["utc_hour"] * 3600, UTC)
        bucket = today if r["utc_hour"] >= day_lo else past
        hours = bucket.setdefault(r["campaign_id"], {})
        key = r["utc_hour"] if bucket is today else hour_start.astimezone(tz).hour
        hours[key] = hours.get(key, Decimal(0)) + (r["spend"] or Decimal(0))
    print(
        f"{args.days} days x {args.events:,} events; business day {target.day} "
        f"({settings.intraday.business_timezone}); history {len(past)} campaigns over "
        f"{(target.day - first.day).days} days"
    )
    for local_hour in (12, 18):
        at = datetime.combine(target.day, time(local_hour), tzinfo=tz).astimezone(UTC)
        cut = _us(at) // 3_600_000_000
        errors: dict[str, list[float]] = {"linear": [], "profile": []}
        for cid, hours in today.items():
            final = float(sum(hours.values()))
            so_far = float(sum(v for h, v in hours.items() if h < cut))
            profile = hour_profile(past.get(cid, {}))
            if final <= 0 or profile is None:
                continue
            linear = so_far / target.elapsed_share(at)
            shaped = so_far / cumulative_share(profile, at.astimezone(tz))
            errors["linear"].append(abs(linear - final) / final)
            errors["profile"].append(abs(shaped - final) / final)
        print(
            f"  at {local_hour:02d}:00 local, {len(errors['linear'])} campaigns: MAPE linear "
            f"{statistics.mean(errors['linear']):.1%}, profile {statistics.mean(errors['profile']):.1%}"
        )


if __name__ == "__main__":
    main()
