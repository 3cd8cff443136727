"""``airlake demo``: generate days of events and run them through Airflow, end to end: the
daily DAG for the first days, then the intraday DAG through the next day as its hours arrive.

Everything lives under the local profile's state folder (``.airlake/``): the generated days
(``staged/``, released into the landing zone the way the sink closes its files), the warehouse
and catalog, and a fresh ``AIRFLOW_HOME`` whose metadata database is migrated once.
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
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from airlake import reference
from airlake.errors import UserError
from airlake.settings import Settings, project_root

REFRESH_HOURS = (6, 9, 12, 15)
"""UTC hours of the intraday day at which the demo refreshes (07:00 .. 16:00 in Berlin)."""
BUDGET_CUT = Decimal("0.6")
"""The demo cuts its busiest campaign's budget to this share of its spend the day before, so
that campaign's pacing alert fires during the intraday day."""


@dataclass(frozen=True, slots=True)
class DemoPlan:
    start: date
    days: int
    events_per_day: int
    seed: int
    intraday: bool = True
    """After the daily days, refresh the next day through the intraday DAG."""

    @property
    def run_days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    @property
    def intraday_day(self) -> date | None:
        """The day refreshed as it arrives: the one after the daily days."""
        return self.start + timedelta(days=self.days) if self.intraday else None

    @property
    def generated_days(self) -> int:
        return self.days + (1 if self.intraday else 0)

    @property
    def refresh_times(self) -> list[datetime]:
        day = self.intraday_day
        if day is None:
            return []
        return [datetime.combine(day, time(h), tzinfo=UTC) for h in REFRESH_HOURS]


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


def _run_dag_child(
    args: list[str], result_name: str, env: dict[str, str], dags: Path, log: Path
) -> dict[str, str]:
    """``airlake.orchestration.run_dag`` in a child process (Airflow's logs to ``log``); the
    states it wrote. A DAG that did not import or a child that did not finish is an error."""
    result = Path(env["AIRFLOW_HOME"]) / result_name
    result.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "airlake.orchestration.run_dag",
        "--dags",
        str(dags),
        "--result",
        str(result),
        *args,
    ]
    with log.open("a") as out:
        subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if not result.exists():
        raise UserError(f"the Airflow run did not finish; see {log}")
    states: dict[str, str] = json.loads(result.read_text())
    if "import_errors" in states:
        raise UserError(f"the DAG did not import: {states['import_errors']}")
    return states


def run_through_airflow(
    days: list[date], env: dict[str, str], dags: Path, log: Path
) -> dict[str, str]:
    """Run the DAG for ``days`` with ``dag.test`` in a child process; return each run's state."""
    states = _run_dag_child([d.isoformat() for d in days], "demo-result.json", env, dags, log)
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
    states = _run_dag_child(
        ["--intraday", *[at.isoformat() for at in instants]],
        "demo-intraday-result.json",
        env,
        dags,
        log,
    )
    failed = [
        at.isoformat()
        for at in instants
        if not states.get(f"{at.isoformat()} refresh", "").endswith("success")
    ]
    if failed:
        raise UserError(f"intraday refreshes failed at {', '.join(failed)}; see {log}")
    return states


def _release_all_but(staged: str, landing: str, day: date) -> None:
    """Every staged landing day before ``day`` into the landing zone; the files of ``day`` and
    later that an earlier demo released are taken back (the demo's own files only)."""
    from airlake.generator.release import release
    from airlake.landing import relative_name

    root = Path(staged) / "topics"
    for folder in sorted(root.glob("*/year=*/month=*/day=*")) if root.exists() else []:
        y, m, d = (int(part.split("=")[1]) for part in folder.parts[-3:])
        files = [relative_name(staged, str(f)) for f in sorted(folder.rglob("*")) if f.is_file()]
        if date(y, m, d) < day:
            release(staged, landing, files)
        else:
            for key in files:
                (Path(landing) / key).unlink(missing_ok=True)


def _cut_budget(
    settings: Settings,
    versions: list[reference.Version],
    last_daily: date,
    day: date,
    staged: str,
) -> tuple[str, Decimal] | None:
    """The campaign that spends most on ``day`` (by the generator's own manifest, the day's
    true final spend) gets a budget of 60 % of that spend from the start of ``day``, so its
    pacing alert fires during the day; returns (campaign id, new budget)."""
    manifest = json.loads((Path(staged) / "_manifest.json").read_text())
    rows = [r for r in manifest["campaign_days"] if r["event_date"] == day.isoformat()]
    if not rows:
        return None
    busiest = max(rows, key=lambda r: (Decimal(r["spend"]), r["campaign_id"]))
    budget = (Decimal(busiest["spend"]) * BUDGET_CUT).quantize(Decimal("0.01"))
    current = reference.state_as_of(versions, reference.end_of(last_daily))["campaigns"]
    row = next((c for c in current if c["campaign_id"] == busiest["campaign_id"]), None)
    if row is None or budget <= 0:
        return None
    at = datetime.combine(day, time(0), tzinfo=UTC)
    versions.append(
        reference.Version("campaigns", row["campaign_id"], {**row, "daily_budget": budget}, at)
    )
    return str(row["campaign_id"]), budget


def _refresh_line(settings: Settings, at: datetime, cut: tuple[str, Decimal] | None) -> str:
    """One line on what the refresh at ``at`` shows: spend so far, the cut campaign, alerts."""
    from airlake.catalog import open_catalog
    from airlake.tables import REPORT_ALERTS, REPORT_PACING, read_table

    catalog = open_catalog(settings)
    rows = [r for r in read_table(catalog, REPORT_PACING.name).to_pylist() if r["as_of"] == at]
    alerts = [a for a in read_table(catalog, REPORT_ALERTS.name).to_pylist() if a["is_open"]]
    spend = sum((r["spend"] for r in rows), Decimal(0))
    line = f"{at:%H:%M} UTC: spend so far {spend:,.2f} {settings.reporting_currency}"
    if cut is not None:
        mine = next((r for r in rows if r["campaign_id"] == cut[0]), None)
        if mine is not None:
            line += (
                f"; {cut[0]} spent {mine['spend']:,.2f} of {cut[1]:,.2f}, projected "
                f"{mine['projected_spend']:,.2f}: {mine['status'].replace('_', ' ')}"
            )
    line += f"; {len(alerts)} open alert(s)"
    for a in alerts:
        line += f"\n    alert ({a['severity']}): {a['message']}"
    return line


def run_demo(
    settings: Settings, plan: DemoPlan, on_progress: Callable[[str], None], profile: str = "local"
) -> dict[str, str]:
    """Generate, migrate, run every daily day through Airflow with the DAG of ``profile`` (a
    name or a .toml path; the same one ``settings`` came from), then the intraday DAG through
    the next day as its hours arrive. Returns each run's state."""
    from airlake.generator import GeneratorConfig, generate  # type: ignore[attr-defined,unused-ignore]
    from airlake.generator.release import day_slices, release

    state = Path(settings.warehouse_uri).parent
    dags = project_root() / "dags"
    if not (dags / "airlake_daily.py").exists():
        raise UserError(
            f"no DAG file at {dags}/airlake_daily.py: run the demo from the project folder"
        )
    state.mkdir(parents=True, exist_ok=True)
    staged = str(state / "staged")
    on_progress(
        f"generating {plan.generated_days} days x {plan.events_per_day:,} events into {staged}"
    )
    generate(
        GeneratorConfig(
            start=plan.start,
            days=plan.generated_days,
            events_per_day=plan.events_per_day,
            seed=plan.seed,
            out=staged,
            reporting_currency=settings.reporting_currency,
        )
    )
    intraday_day = plan.intraday_day
    last = plan.start + timedelta(days=plan.generated_days - 1)
    # the sink's landing zone: every landing day before the intraday day, whole
    _release_all_but(
        staged,
        settings.landing_uri,
        last + timedelta(days=1) if intraday_day is None else intraday_day,
    )
    slices = day_slices(staged, intraday_day) if intraday_day is not None else []
    if slices:
        # the intraday day's first hour: the sink writing the next day is what closes the last
        # daily day for the landing sensor (a quiet topic need not reach hour 23)
        release(staged, settings.landing_uri, slices[0].files)
    env = airflow_environment(state, dags, profile)
    log = Path(env["AIRFLOW_HOME"]) / "demo.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    on_progress("preparing Airflow (db migrate, first time only)")
    migrate(env, log)
    states: dict[str, str] = {}
    versions = (
        reference.history(plan.start, plan.generated_days, plan.seed)
        if settings.source_url
        else None
    )
    if settings.source_url:
        from airlake import exchange_rates

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
    if intraday_day is None:
        return states
    cut = None
    if versions is not None and plan.run_days:
        from airlake.run_context import open_run
        from airlake.stages import run_stage

        cut = _cut_budget(settings, versions, plan.run_days[-1], intraday_day, staged)
        reference.load(
            settings.source_url or "",
            reference.state_as_of(versions, datetime.combine(intraday_day, time(0), tzinfo=UTC)),
        )
        with open_run(settings) as ctx:
            run_stage(ctx, "extract", intraday_day)  # the day's budgets, the cut one included
        if cut is not None:
            on_progress(f"{intraday_day}: campaign {cut[0]}'s daily budget cut to {cut[1]:,.2f}")
    released = 1  # the first hour, released before the daily runs
    for at in plan.refresh_times:
        upto = at.hour * len(slices) // 24
        arrived = [f for piece in slices[released:upto] for f in piece.files]
        for piece in slices[released:upto]:
            release(staged, settings.landing_uri, piece.files)
        released = upto
        on_progress(
            f"{at:%H:%M} UTC: {len(arrived)} landing files closed since the last refresh; "
            "running the intraday DAG"
        )
        ran = run_intraday_through_airflow([at], env, dags, log)
        key = at.isoformat()
        alert = ran.get(f"{key} alerts", "").endswith("failed")
        states[f"{intraday_day} {at:%H:%M} intraday"] = (
            "refreshed, alerts task failed: alert open" if alert else "refreshed, no alert"
        )
        on_progress(_refresh_line(settings, at, cut))
    # the rest of the day lands later: `airlake run --date <day>` closes it
    for piece in slices[released:]:
        release(staged, settings.landing_uri, piece.files)
    return states
