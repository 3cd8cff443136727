"""The daily run: its stages, the window each stage owns, and how a stage is executed.

A run for day D owns the event-date partitions of the late-data window ``[D-L+1, D]`` and the
landing-day partition ``D`` of the data-quality table. It reads every landing day that can hold
those dates (and the attribution context before them), so any order of runs over the same
landing data ends in the same tables. :data:`STAGES` is the one list of stages: the CLI runs
it in order and the Airflow DAG turns it into tasks.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from airlake import models
from airlake.bot_agents import list_label
from airlake.catalog import open_catalog
from airlake.engines import Engine, Relation, create_engine
from airlake.errors import UserError
from airlake.landing import list_day, relative_name, scan_day
from airlake.settings import EngineMode, Settings
from airlake.storage import StorageOptions
from airlake.tables import (
    CLEAN_ATTRIBUTION,
    CLEAN_EVENTS,
    CLEAN_SESSIONS,
    DIM_ADVERTISERS,
    DIM_CAMPAIGNS,
    DIM_EXCHANGE_RATES,
    RAW_EVENTS,
    RAW_LANDING_FILES,
    RAW_QUARANTINE,
    REPORT_CAMPAIGN,
    REPORT_FUNNEL,
    REPORT_QUALITY,
    CommitResult,
    TableDef,
    data_files,
    ensure_table,
    read_table,
    replace_partitions,
)

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass(frozen=True, slots=True)
class Window:
    """The dates one run for ``day`` reads and writes. Pure arithmetic on the settings."""

    day: date
    window_days: int
    context_days: int

    @property
    def start(self) -> date:
        return self.day - timedelta(days=self.window_days - 1)

    @property
    def context_start(self) -> date:
        return self.start - timedelta(days=self.context_days)

    @property
    def event_dates(self) -> list[date]:
        """Event dates this run rebuilds."""
        return _days(self.start, self.day)

    @property
    def clean_dates(self) -> list[date]:
        """Event dates of clean.events this run rebuilds: the window plus attribution context."""
        return _days(self.context_start, self.day)

    @property
    def landing_days(self) -> list[date]:
        """Landing days that can hold an event of :attr:`clean_dates` (an in-window event of
        date E lands on E .. E+L-1)."""
        return _days(self.context_start, self.day + timedelta(days=self.window_days - 1))

    @property
    def quality_landing_days(self) -> list[date]:
        """Landing days whose lines can be earlier copies of a line landing on ``day``."""
        return _days(self.start, self.day)


def window_for(day: date, settings: Settings) -> Window:
    """The window of a run for ``day``; a day whose window leaves the calendar is an error."""
    w = Window(day, settings.late_window_days, settings.lookback_days)
    try:
        w.landing_days  # noqa: B018 - computed once here so every later use is in range
    except OverflowError:
        raise UserError(
            f"day {day} is out of range: its window ({settings.late_window_days} days, "
            f"{settings.lookback_hours} h of context) leaves the calendar"
        ) from None
    return w


@dataclass(frozen=True, slots=True)
class ModelStep:
    """One SQL model: the table it writes and, per input relation, the table and partitions."""

    model: str
    output: TableDef
    inputs: tuple[tuple[str, TableDef, Callable[[Window], list[date]]], ...]
    partitions: Callable[[Window], list[date]]


def _event_dates(w: Window) -> list[date]:
    return w.event_dates


def _clean_dates(w: Window) -> list[date]:
    return w.clean_dates


def _landing_days(w: Window) -> list[date]:
    return w.landing_days


def _run_day(w: Window) -> list[date]:
    return [w.day]


CLEAN = ModelStep(
    "clean_events", CLEAN_EVENTS, (("raw_events", RAW_EVENTS, _landing_days),), _clean_dates
)
SESSIONS = ModelStep(
    "sessions", CLEAN_SESSIONS, (("clean_events", CLEAN_EVENTS, _event_dates),), _event_dates
)
ATTRIBUTION = ModelStep(
    "attributed_conversions",
    CLEAN_ATTRIBUTION,
    (("clean_events", CLEAN_EVENTS, _clean_dates),),
    _event_dates,
)
CAMPAIGN = ModelStep(
    "campaign_daily",
    REPORT_CAMPAIGN,
    (
        ("clean_events", CLEAN_EVENTS, _event_dates),
        ("attributed_conversions", CLEAN_ATTRIBUTION, _event_dates),
        ("campaigns", DIM_CAMPAIGNS, _event_dates),
        ("advertisers", DIM_ADVERTISERS, _event_dates),
        ("exchange_rates", DIM_EXCHANGE_RATES, _event_dates),
    ),
    _event_dates,
)
FUNNEL = ModelStep(
    "funnel_daily",
    REPORT_FUNNEL,
    (("clean_events", CLEAN_EVENTS, _event_dates), ("sessions", CLEAN_SESSIONS, _event_dates)),
    _event_dates,
)
QUALITY = ModelStep(
    "data_quality_daily",
    REPORT_QUALITY,
    (
        ("raw_events", RAW_EVENTS, _run_day),
        ("quarantine", RAW_QUARANTINE, _run_day),
        ("clean_events", CLEAN_EVENTS, _event_dates),
        ("exchange_rates", DIM_EXCHANGE_RATES, _event_dates),
        ("landing_files", RAW_LANDING_FILES, _run_day),
    ),
    _run_day,
)


@dataclass
class RunContext:
    """What a stage needs: settings, catalog, engine. Opened by :func:`open_run`."""

    settings: Settings
    catalog: Catalog
    engine: Engine
    storage: StorageOptions
    on_progress: Callable[[str], None] = field(default=lambda message: None)
    force_ingest: bool = False
    """Ingest every landing day again, even when its files are the ones already ingested."""
    reingested: set[date] = field(default_factory=set)
    """Landing days already forced in this context (a range of runs forces each day once)."""


@contextmanager
def open_run(
    settings: Settings,
    engine: str | None = None,
    on_progress: Callable[[str], None] | None = None,
    *,
    force_ingest: bool = False,
) -> Iterator[RunContext]:
    """Open catalog and engine for one or more runs; closes the engine afterwards.

    ``force_ingest`` re-ingests every landing day the runs draw on (a repair after data files
    were lost), instead of skipping days whose files are unchanged.
    """
    name = engine or (
        "spark" if settings.engine in (EngineMode.SPARK, EngineMode.EMR) else "duckdb"
    )
    ctx = RunContext(
        settings=settings,
        catalog=open_catalog(settings),
        engine=create_engine(name, settings),
        storage=StorageOptions(settings.s3_endpoint, settings.aws_region),
        on_progress=on_progress or (lambda message: None),
        force_ingest=force_ingest,
    )
    try:
        yield ctx
    finally:
        ctx.engine.close()


def params_for(w: Window, settings: Settings) -> models.Params:
    return models.Params(
        window_start=w.start,
        window_end=w.day,
        context_start=w.context_start,
        landing_date=w.day,
        lookback_us=settings.lookback_hours * 3600 * 1_000_000,
        attribution_model=settings.attribution_model.value,
        reporting_currency=settings.reporting_currency,
    )


def run_model(ctx: RunContext, step: ModelStep, w: Window) -> CommitResult:
    """Run one model over its inputs and replace its partitions in one commit."""
    inputs = {}
    for relation, tdef, dates in step.inputs:
        table = ensure_table(ctx.catalog, tdef)
        inputs[relation] = Relation(
            tuple(data_files(table, tdef.partition_column, dates(w))), tdef.schema
        )
    sql = models.render(
        step.model,
        params_for(w, ctx.settings),
        dialect="duckdb" if ctx.engine.name == "duckdb" else ctx.engine.name,
    )
    with tempfile.TemporaryDirectory(prefix=f"airlake-{step.model}-") as tmp:
        files = ctx.engine.materialize(
            sql, inputs, tmp, step.output.partitioned_by, step.output.schema
        )
        return replace_partitions(
            ctx.catalog,
            step.output,
            files,
            step.partitions(w),
            ctx.storage,
            {
                "airlake.model": step.model,
                "airlake.run-day": w.day.isoformat(),
                "airlake.engine": ctx.engine.name,
                # every model reads is_bot, set by the crawler list of this version
                "airlake.bot-list": list_label(),
            },
        )


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
        listing_table = pa.table(
            {
                "landing_date": [day] * len(listing),
                "path": [p for p, _, _, _ in listing],
                "size": [n for _, n, _, _ in listing],
                "version": [v for _, _, v, _ in listing],
                "sink_file": [k for _, _, _, k in listing],
            },
            schema=RAW_LANDING_FILES.schema,
        )
        part = f"{tmp}/files/landing_date={day.isoformat()}"
        os.makedirs(part, exist_ok=True)
        pq.write_table(listing_table, f"{part}/files.parquet")
        results.append(
            replace_partitions(
                ctx.catalog, RAW_LANDING_FILES, [f"{part}/files.parquet"], [day], ctx.storage, props
            )
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


def _models(*steps: ModelStep) -> Callable[[RunContext, Window], list[CommitResult]]:
    def run(ctx: RunContext, w: Window) -> list[CommitResult]:
        results = []
        for step in steps:
            ctx.on_progress(f"{step.model} for {w.start}..{w.day}")
            results.append(run_model(ctx, step, w))
        return results

    return run


def _publish(ctx: RunContext, w: Window) -> list[CommitResult]:
    from airlake.report.publish import stage_publish

    return stage_publish(ctx, w)


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    doc: str
    run: Callable[[RunContext, Window], list[CommitResult]]


def _extract(ctx: RunContext, w: Window) -> list[CommitResult]:
    from airlake.extract import stage_extract

    return stage_extract(ctx, w)


def _maintain(ctx: RunContext, w: Window) -> list[CommitResult]:
    from airlake.lifecycle.maintain import stage_maintain

    return stage_maintain(ctx, w)


STAGES: tuple[Stage, ...] = (
    Stage("extract", "Reference data from the relational source → dim.* with history.", _extract),
    Stage("ingest", "Landing lines → raw.events + raw.quarantine (contract check).", stage_ingest),
    Stage("clean", "Dedupe on event_id, flag bots, normalise → clean.events.", _models(CLEAN)),
    Stage(
        "sessions", "30-minute inactivity sessions per visitor → clean.sessions.", _models(SESSIONS)
    ),
    Stage(
        "attribution",
        "Credit conversions to clicks → clean.attributed_conversions.",
        _models(ATTRIBUTION),
    ),
    Stage("reports", "Campaign performance and funnel per day.", _models(CAMPAIGN, FUNNEL)),
    Stage("quality", "Data quality per landing day.", _models(QUALITY)),
    Stage("publish", "The HTML dashboard and the BI file.", _publish),
    Stage(
        "maintain",
        "Retention per layer, compaction, snapshot expiry and orphan-file removal.",
        _maintain,
    ),
)
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)


def stage(name: str) -> Stage:
    for s in STAGES:
        if s.name == name:
            return s
    raise UserError(f"unknown stage {name!r}; known: {', '.join(STAGE_NAMES)}")


@dataclass(frozen=True, slots=True)
class StageResult:
    stage: str
    commits: tuple[CommitResult, ...]
    seconds: float


def run_stage(ctx: RunContext, name: str, day: date) -> StageResult:
    """Run one stage for ``day`` (what one Airflow task does)."""
    started = time.perf_counter()
    commits = stage(name).run(ctx, window_for(day, ctx.settings))
    return StageResult(name, tuple(commits), time.perf_counter() - started)


def run_day(ctx: RunContext, day: date, stages: Sequence[str] = STAGE_NAMES) -> list[StageResult]:
    """Run the given stages (all by default) for one day, in order."""
    return [run_stage(ctx, name, day) for name in stages]


@dataclass(frozen=True, slots=True)
class QuarantineShare:
    day: date
    lines: int
    quarantined: int

    @property
    def share(self) -> float:
        return self.quarantined / self.lines if self.lines else 0.0


def quarantine_share(catalog: Catalog, day: date) -> QuarantineShare:
    """Lines of landing day ``day`` that were quarantined, from the committed raw tables.

    Reads table metadata only (file record counts), so it is cheap on any catalog and needs no
    engine: the MWAA worker runs it with pyiceberg alone.
    """
    counts = []
    for tdef in (RAW_EVENTS, RAW_QUARANTINE):
        table = ensure_table(catalog, tdef)
        if table.current_snapshot() is None:
            counts.append(0)
            continue
        scan = table.scan(row_filter=f"landing_date = '{day.isoformat()}'")
        counts.append(sum(task.file.record_count for task in scan.plan_files()))
    return QuarantineShare(day, counts[0] + counts[1], counts[1])


def gate_failure(catalog: Catalog, day: date, max_share: float) -> str | None:
    """The data-quality gate's verdict for landing day ``day``: None to go on, else why not."""
    share = quarantine_share(catalog, day)
    if share.share <= max_share:
        return None
    return (
        f"data-quality gate: {share.quarantined} of {share.lines} lines of {day} quarantined "
        f"({share.share:.2%} > {max_share:.2%}); "
        f'inspect: airlake query "SELECT reason, COUNT(*) FROM raw.quarantine '
        f"WHERE landing_date = DATE '{day}' GROUP BY 1\""
    )
