"""The data-quality gate: whether a landing day's quarantine share lets the run go on.

A day with no ingested line fails the gate: "nothing was quarantined" must not pass for a day
that was never ingested (a wrong date, a run that never happened, a mistyped catalog).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from airlake.tables import RAW_EVENTS, RAW_QUARANTINE

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog


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
    engine: the MWAA worker runs it with pyiceberg alone. Creates nothing: a table that does
    not exist yet counts zero lines.
    """
    counts = []
    for tdef in (RAW_EVENTS, RAW_QUARANTINE):
        if not catalog.table_exists(tdef.name):
            counts.append(0)
            continue
        table = catalog.load_table(tdef.name)
        if table.current_snapshot() is None:
            counts.append(0)
            continue
        scan = table.scan(row_filter=f"landing_date = '{day.isoformat()}'")
        counts.append(sum(task.file.record_count for task in scan.plan_files()))
    return QuarantineShare(day, counts[0] + counts[1], counts[1])


def gate_failure(catalog: Catalog, day: date, max_share: float) -> str | None:
    """The data-quality gate's verdict for landing day ``day``: None to go on, else why not."""
    share = quarantine_share(catalog, day)
    if share.lines == 0:
        return (
            f"data-quality gate: no ingested lines for landing day {day}: "
            f"run the day first (airlake run --date {day})"
        )
    if share.share <= max_share:
        return None
    return (
        f"data-quality gate: {share.quarantined} of {share.lines} lines of {day} quarantined "
        f"({share.share:.2%} > {max_share:.2%}); "
        f'inspect: airlake query "SELECT reason, COUNT(*) FROM raw.quarantine '
        f"WHERE landing_date = DATE '{day}' GROUP BY 1\""
    )
