"""The stages of a daily run, in order: :data:`STAGES` is the one list of them.

The CLI runs it in order and the Airflow DAG turns it into tasks. Each stage lives in a module of
its own here (extract, ingest, transform for the SQL models, publish, maintain; the data-quality
gate in :mod:`~airlake.stages.gate`); they all take the run's context and window from
:mod:`airlake.run_context`, which imports none of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from airlake.errors import UserError
from airlake.run_context import RunContext, Window, window_for
from airlake.stages.transform import (
    ATTRIBUTION,
    CAMPAIGN,
    CLEAN,
    FUNNEL,
    QUALITY,
    SESSIONS,
    models_stage,
)
from airlake.tables import CommitResult


def _extract(ctx: RunContext, w: Window) -> list[CommitResult]:
    from airlake.stages.extract import stage_extract

    return stage_extract(ctx, w)


def _ingest(ctx: RunContext, w: Window) -> list[CommitResult]:
    from airlake.stages.ingest import stage_ingest

    return stage_ingest(ctx, w)


def _publish(ctx: RunContext, w: Window) -> list[CommitResult]:
    from airlake.stages.publish import stage_publish

    return stage_publish(ctx, w)


def _maintain(ctx: RunContext, w: Window) -> list[CommitResult]:
    from airlake.stages.maintain import stage_maintain

    return stage_maintain(ctx, w)


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    doc: str
    run: Callable[[RunContext, Window], list[CommitResult]]


STAGES: tuple[Stage, ...] = (
    Stage("extract", "Reference data from the relational source → dim.* with history.", _extract),
    Stage("ingest", "Landing lines → raw.events + raw.quarantine (contract check).", _ingest),
    Stage("clean", "Dedupe on event_id, flag bots, normalise → clean.events.", models_stage(CLEAN)),
    Stage(
        "sessions",
        "30-minute inactivity sessions per visitor → clean.sessions.",
        models_stage(SESSIONS),
    ),
    Stage(
        "attribution",
        "Credit conversions to clicks → clean.attributed_conversions.",
        models_stage(ATTRIBUTION),
    ),
    Stage("reports", "Campaign performance and funnel per day.", models_stage(CAMPAIGN, FUNNEL)),
    Stage("quality", "Data quality per landing day.", models_stage(QUALITY)),
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
    """Run one stage for ``day`` (what one Airflow task does), holding the catalog's run lock
    so that an intraday refresh never commits the same partitions at the same time."""
    from airlake.run_lock import run_lock

    window = window_for(day, ctx.settings)
    started = time.perf_counter()
    with run_lock(ctx.settings, f"stage {name} for {day}", on_wait=ctx.on_progress):
        commits = stage(name).run(ctx, window)
    return StageResult(name, tuple(commits), time.perf_counter() - started)


def run_day(ctx: RunContext, day: date, stages: Sequence[str] = STAGE_NAMES) -> list[StageResult]:
    """Run the given stages (all by default) for one day, in order."""
    return [run_stage(ctx, name, day) for name in stages]
