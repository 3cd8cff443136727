"""``airlake demo``: generate three days of events and run them through Airflow, end to end.

Everything lives under the local profile's state folder (``.airlake/``): the landing zone, the
warehouse and catalog, and a fresh ``AIRFLOW_HOME`` whose metadata database is migrated once.
Airflow runs in a child process (its logs go to ``.airlake/airflow/demo.log``) so this process
can show progress and stay quiet. Re-running is safe: generation is deterministic and every run
replaces exactly what it owns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from airlake import reference
from airlake.errors import UserError
from airlake.settings import Settings, project_root


@dataclass(frozen=True, slots=True)
class DemoPlan:
    start: date
    days: int
    events_per_day: int
    seed: int

    @property
    def run_days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def airflow_environment(state: Path, dags: Path, profile: str = "local") -> dict[str, str]:
    """Environment variables for an isolated Airflow under ``state`` running ``profile``."""
    home = state / "airflow"
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRLAKE_ENV": profile,
    }


def _bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def migrate(env: dict[str, str], log: Path) -> None:
    """``airflow db migrate`` once per state folder (a marker records it)."""
    marker = Path(env["AIRFLOW_HOME"]) / ".migrated"
    if marker.exists():
        return
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        done = subprocess.run(
            [_bin("airflow"), "db", "migrate"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    if done.returncode != 0:
        raise UserError(f"airflow db migrate failed; see {log}")
    marker.touch()


def run_through_airflow(
    days: list[date], env: dict[str, str], dags: Path, log: Path
) -> dict[str, str]:
    """Run the DAG for ``days`` with ``dag.test`` in a child process; return each run's state."""
    result = Path(env["AIRFLOW_HOME"]) / "demo-result.json"
    result.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "airlake.orchestration.run_dag",
        "--dags",
        str(dags),
        "--result",
        str(result),
        *[d.isoformat() for d in days],
    ]
    with log.open("a") as out:
        subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if not result.exists():
        raise UserError(f"the Airflow run did not finish; see {log}")
    states: dict[str, str] = json.loads(result.read_text())
    if "import_errors" in states:
        raise UserError(f"the DAG did not import: {states['import_errors']}")
    failed = [d for d, s in states.items() if not s.endswith("success")]
    if failed:
        raise UserError(f"DAG runs failed for {', '.join(failed)}; see {log}")
    return states


def run_intraday_through_airflow(
    instants: list[datetime], env: dict[str, str], dags: Path, log: Path
) -> dict[str, str]:
    """Run the intraday DAG once per instant (a replay as of that time) with ``dag.test`` in a
    child process; return each run's state and each task's (``"<instant> <task>"``).

    A run whose alerts task failed is not an error here: that is the DAG reporting an alert.
    A refresh that failed is.
    """
    result = Path(env["AIRFLOW_HOME"]) / "demo-intraday-result.json"
    result.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "airlake.orchestration.run_dag",
        "--dags",
        str(dags),
        "--result",
        str(result),
        "--intraday",
        *[at.isoformat() for at in instants],
    ]
    with log.open("a") as out:
        subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if not result.exists():
        raise UserError(f"the Airflow run did not finish; see {log}")
    states: dict[str, str] = json.loads(result.read_text())
    if "import_errors" in states:
        raise UserError(f"the DAG did not import: {states['import_errors']}")
    failed = [
        at.isoformat()
        for at in instants
        if not states.get(f"{at.isoformat()} refresh", "").endswith("success")
    ]
    if failed:
        raise UserError(f"intraday refreshes failed at {', '.join(failed)}; see {log}")
    return states


def run_demo(
    settings: Settings, plan: DemoPlan, on_progress: Callable[[str], None], profile: str = "local"
) -> dict[str, str]:
    """Generate, migrate, run every day through Airflow with the DAG of ``profile`` (a name or
    a .toml path; the same one ``settings`` came from). Returns each day's run state."""
    from airlake.generator import GeneratorConfig, generate  # type: ignore[attr-defined,unused-ignore]

    state = Path(settings.warehouse_uri).parent
    dags = project_root() / "dags"
    if not (dags / "airlake_daily.py").exists():
        raise UserError(
            f"no DAG file at {dags}/airlake_daily.py: run the demo from the project folder"
        )
    state.mkdir(parents=True, exist_ok=True)
    on_progress(
        f"generating {plan.days} days x {plan.events_per_day:,} events into {settings.landing_uri}"
    )
    generate(
        GeneratorConfig(
            start=plan.start,
            days=plan.days,
            events_per_day=plan.events_per_day,
            seed=plan.seed,
            out=settings.landing_uri,
            reporting_currency=settings.reporting_currency,
        )
    )
    env = airflow_environment(state, dags, profile)
    log = Path(env["AIRFLOW_HOME"]) / "demo.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    on_progress("preparing Airflow (db migrate, first time only)")
    migrate(env, log)
    states: dict[str, str] = {}
    versions = reference.history(plan.start, plan.days, plan.seed) if settings.source_url else None
    if settings.source_url:
        from airlake import exchange_rates

        last = plan.start + timedelta(days=plan.days - 1)
        # the bundled offline default: synthetic daily rates for the demo's days
        exchange_rates.load(settings.source_url, exchange_rates.demo_rates(plan.start, last))
    for day in plan.run_days:
        if versions is not None:
            # the source system as it was that evening: renames and removals land day by day
            reference.load(
                settings.source_url or "", reference.state_as_of(versions, reference.end_of(day))
            )
        on_progress(f"running the DAG through Airflow for {day}")
        states.update(run_through_airflow([day], env, dags, log))
    return states
