"""Run the daily DAG for some days, or the intraday DAG at some instants, through Airflow in
this process (``dag.test``).

Used by ``airlake demo`` in a child process whose Airflow logs go to a file::

    python -m airlake.orchestration.run_dag --dags DIR --result FILE 2026-11-01 2026-11-02
    python -m airlake.orchestration.run_dag --dags DIR --result FILE --intraday \\
        2026-11-02T09:00:00+00:00 2026-11-02T12:00:00+00:00

Writes ``{"day or instant": "state", ...}`` to the result file (intraday: also each task's
state, under ``"<instant> <task>"``); exits 1 when a run did not succeed.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime

from airlake.orchestration.compat import dagbag, test_at, test_day
from airlake.orchestration.dag import DAG_ID

INTRADAY_DAG_ID = "airlake_intraday"


def run(dags_folder: str, days: list[date]) -> dict[str, str]:
    bag = dagbag(dags_folder)
    if bag.import_errors:
        return {"import_errors": json.dumps({str(k): str(v) for k, v in bag.import_errors.items()})}
    dag = bag.get_dag(DAG_ID)
    states = {}
    for day in days:
        run = test_day(dag, day)
        states[day.isoformat()] = str(getattr(run, "state", "unknown"))
    return states


def run_intraday(dags_folder: str, instants: list[datetime]) -> dict[str, str]:
    """One intraday run per instant, each a replay as of that instant (the run conf's ``now``)."""
    bag = dagbag(dags_folder)
    if bag.import_errors:
        return {"import_errors": json.dumps({str(k): str(v) for k, v in bag.import_errors.items()})}
    dag = bag.get_dag(INTRADAY_DAG_ID)
    states = {}
    for at in instants:
        run = test_at(dag, at, {"now": at.isoformat()})
        states[at.isoformat()] = str(getattr(run, "state", "unknown"))
        for ti in run.get_task_instances():
            states[f"{at.isoformat()} {ti.task_id}"] = str(ti.state)
    return states


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dags", required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("--intraday", action="store_true", help="instants of intraday runs")
    parser.add_argument("when", nargs="+")
    args = parser.parse_args(argv)
    if args.intraday:
        states = run_intraday(args.dags, [datetime.fromisoformat(w) for w in args.when])
    else:
        states = run(args.dags, [date.fromisoformat(w) for w in args.when])
    with open(args.result, "w", encoding="utf-8") as fh:
        json.dump(states, fh)
    return 0 if states and all(s.endswith("success") for s in states.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
