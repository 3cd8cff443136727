"""The SQL-model stages: clean, sessions, attribution, reports and quality.

Each :class:`ModelStep` is one model file in :mod:`airlake.models` (written once in DuckDB's
dialect, transpiled for Spark and Trino), the tables and partitions it reads, and the partitions
of its output table it replaces, in one Iceberg commit per run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from airlake import models
from airlake.bot_agents import list_label
from airlake.engines import Relation
from airlake.run_context import RunContext, Window, params_for
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
    replace_partitions,
)


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


def models_stage(*steps: ModelStep) -> Callable[[RunContext, Window], list[CommitResult]]:
    def run(ctx: RunContext, w: Window) -> list[CommitResult]:
        results = []
        for step in steps:
            ctx.on_progress(f"{step.model} for {w.start}..{w.day}")
            results.append(run_model(ctx, step, w))
        return results

    return run
