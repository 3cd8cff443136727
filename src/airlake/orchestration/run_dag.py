"""Run the daily DAG for some days through Airflow in this process (``dag.test``).

Used by ``airlake demo`` in a child process whose Airflow logs go to a file:
``python -m airlake.orchestration.run_dag --dags DIR --result FILE 2026-11-01 2026-11-02``.
Writes ``{"day": "state", ...}`` to the result file; exits 1 when a run did not succeed.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from airlake.orchestration.compat import dagbag, test_day
from airlake.orchestration.dag import DAG_ID


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dags", required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("days", nargs="+", type=date.fromisoformat)
    args = parser.parse_args(argv)
    states = run(args.dags, args.days)
    with open(args.result, "w", encoding="utf-8") as fh:
        json.dump(states, fh)
    return 0 if states and all(s.endswith("success") for s in states.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
