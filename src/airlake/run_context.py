"""What one run is: the window of dates it owns and the context a stage runs in.

A run for day D owns the event-date partitions of the late-data window ``[D-L+1, D]`` and the
landing-day partition ``D`` of the data-quality table. It reads every landing day that can hold
those dates (and the attribution context before them), so any order of runs over the same
landing data ends in the same tables. The stages (:mod:`airlake.stages`) take a
:class:`RunContext` and a :class:`Window`; this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from airlake import models
from airlake.catalog import open_catalog
from airlake.engines import Engine, create_engine
from airlake.errors import UserError
from airlake.settings import EngineMode, Settings
from airlake.storage import StorageOptions

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
    create: bool = True,
) -> Iterator[RunContext]:
    """Open catalog and engine for one or more runs; closes the engine afterwards.

    ``force_ingest`` re-ingests every landing day the runs draw on (a repair after data files
    were lost), instead of skipping days whose files are unchanged. ``create=False`` (work on
    tables that must exist already, e.g. maintenance) refuses a catalog that does not exist.
    """
    name = engine or (
        "spark" if settings.engine in (EngineMode.SPARK, EngineMode.EMR) else "duckdb"
    )
    ctx = RunContext(
        settings=settings,
        catalog=open_catalog(settings, create=create),
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
