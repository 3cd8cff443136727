"""Run one pipeline stage for one day: the target of ``spark-submit`` (and of each EMR step).

    spark-submit [--py-files airlake.zip] .../airlake/jobs/spark_job.py STAGE --date D --env E

``quality_gate`` instead of a stage runs the data-quality gate. ``--refresh [--now T]`` instead
of a stage runs one intraday refresh (:func:`airlake.stages.refresh.run_refresh`). The engine comes from the profile (``engine.mode``: spark/emr → Spark, local → DuckDB), so the
same entry point serves a laptop, a Spark master and an EMR cluster. Prints one JSON line with
the commits; exits 1 with one ``error:`` line on a user mistake.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airlake.settings import Settings

GATE = "quality_gate"
"""Not a stage: the data-quality gate after ingest, failing the step (and so the run)."""


def main(argv: list[str] | None = None) -> int:
    from airlake.errors import UserError
    from airlake.run_context import open_run
    from airlake.settings import load_settings
    from airlake.stages import STAGE_NAMES, run_stage
    from airlake.stages.gate import gate_failure

    parser = argparse.ArgumentParser(prog="spark_job", description=__doc__)
    parser.add_argument("stage", nargs="?", choices=(*STAGE_NAMES, GATE))
    parser.add_argument("--date", type=date.fromisoformat)
    parser.add_argument("--refresh", action="store_true", help="one intraday refresh")
    parser.add_argument("--now", default=None, help="the refresh's time (ISO 8601)")
    parser.add_argument("--env", default="local")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default=None)
    args = parser.parse_args(argv)
    if args.refresh == bool(args.stage) or (args.stage and args.date is None):
        parser.error("give a STAGE with --date, or --refresh")
    try:
        settings = load_settings(args.env)
        if args.refresh:
            return _refresh(settings, args.engine, args.now)
        if args.stage == GATE:
            from airlake.catalog import open_catalog

            failure = gate_failure(open_catalog(settings), args.date, settings.max_quarantine_share)
            if failure:
                raise UserError(failure)
            print(json.dumps({"stage": GATE, "day": args.date.isoformat(), "passed": True}))
            return 0
        with open_run(settings, args.engine) as ctx:
            result = run_stage(ctx, args.stage, args.date)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        json.dumps(
            {
                "stage": result.stage,
                "day": args.date.isoformat(),
                "seconds": round(result.seconds, 3),
                "commits": [
                    {"table": c.table, "snapshot": c.snapshot_id, "files": c.files}
                    for c in result.commits
                ],
            }
        )
    )
    return 0


def _refresh(settings: Settings, engine: str | None, now: str | None) -> int:
    from datetime import UTC, datetime

    from airlake.errors import UserError
    from airlake.run_context import open_run
    from airlake.stages.refresh import run_refresh

    try:
        at = datetime.fromisoformat(now) if now else datetime.now(UTC)
    except ValueError:
        raise UserError(f"bad --now {now!r}: use ISO 8601") from None
    with open_run(settings, engine) as ctx:
        result = run_refresh(ctx, at)
    print(
        json.dumps(
            {
                "refresh": result.as_of.isoformat(),
                "business_date": result.business_date.isoformat(),
                "new_files": result.new_files,
                "event_dates": [d.isoformat() for d in result.event_dates],
                "open_alerts": [a.message for a in result.open_alerts],
                "seconds": round(result.seconds, 3),
                "commits": [
                    {"table": c.table, "snapshot": c.snapshot_id, "files": c.files}
                    for c in result.commits
                ],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
