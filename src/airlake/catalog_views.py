"""Read-side views of the catalog: what tables exist, their history, SQL over them, a run summary.

Used by ``airlake tables|history|query`` and the end-of-run summary. Reads only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from airlake.engines import Engine, Relation
from airlake.errors import UserError
from airlake.tables import TABLES, TableDef, table_def

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

    from airlake.settings import Settings


@dataclass(frozen=True, slots=True)
class TableInfo:
    name: str
    rows: int
    files: int
    snapshot_id: int | None
    partitions: int
    doc: str


def _table_files(catalog: Catalog, tdef: TableDef) -> list[str]:
    if not catalog.table_exists(tdef.name):
        return []
    table = catalog.load_table(tdef.name)
    if table.current_snapshot() is None:
        return []
    return sorted(task.file.file_path for task in table.scan().plan_files())


def list_tables(catalog: Catalog) -> list[TableInfo]:
    """Every pipeline table with its current row count, file count and snapshot."""
    out = []
    for tdef in TABLES:
        if not catalog.table_exists(tdef.name):
            out.append(TableInfo(tdef.name, 0, 0, None, 0, tdef.doc))
            continue
        table = catalog.load_table(tdef.name)
        snap = table.current_snapshot()
        tasks = list(table.scan().plan_files()) if snap else []
        rows = sum(t.file.record_count for t in tasks)
        parts = {str(t.file.partition) for t in tasks}
        out.append(
            TableInfo(
                tdef.name,
                rows,
                len(tasks),
                snap.snapshot_id if snap else None,
                len(parts),
                tdef.doc,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    snapshot_id: int
    committed_at: datetime
    operation: str
    properties: dict[str, str]


def history(catalog: Catalog, name: str) -> list[SnapshotInfo]:
    """The table's snapshots, oldest first."""
    tdef = table_def(name)
    if not catalog.table_exists(tdef.name):
        raise UserError(f"table {name} has no data yet: run a day first")
    table = catalog.load_table(tdef.name)
    out = []
    for snap in table.snapshots():
        summary = snap.summary
        props = {k: v for k, v in (summary.additional_properties if summary else {}).items()}
        out.append(
            SnapshotInfo(
                snap.snapshot_id,
                datetime.fromtimestamp(snap.timestamp_ms / 1000, tz=UTC),
                summary.operation.value if summary else "",
                props,
            )
        )
    return out


_TABLE_REF = re.compile(r"\b(raw|clean|reports|dim)\.([a-z_]+)\b", re.IGNORECASE)


def referenced_tables(sql: str) -> list[str]:
    """Pipeline tables named in a SQL text as ``namespace.table`` (pure)."""
    seen = []
    for ns, name in _TABLE_REF.findall(sql):
        full = f"{ns.lower()}.{name.lower()}"
        if full not in seen:
            seen.append(full)
    return seen


def _inputs(catalog: Catalog, sql: str) -> dict[str, Relation]:
    inputs = {}
    for name in referenced_tables(sql):
        tdef = table_def(name)
        inputs[name] = Relation(tuple(_table_files(catalog, tdef)), tdef.schema)
    return inputs


def query(catalog: Catalog, engine: Engine, sql: str) -> pa.Table:
    """Run SQL over the pipeline tables (current snapshots), addressed as ``reports.x`` etc."""
    return engine.query(sql, _inputs(catalog, sql))


def read_only_query(catalog: Catalog, settings: Settings, sql: str) -> pa.Table:
    """Run one user SELECT over the pipeline tables on a DuckDB connection that can read the
    tables' current data files and nothing else (see ``DuckDBEngine.query_read_only``)."""
    from airlake.engines.duckdb import DuckDBEngine, read_only_statement

    statement = read_only_statement(sql)
    engine = DuckDBEngine(settings)
    try:
        return engine.query_read_only(statement, _inputs(catalog, statement))
    finally:
        engine.close()


@dataclass(frozen=True, slots=True)
class FileProblem:
    table: str
    path: str
    problem: str


@dataclass(frozen=True, slots=True)
class FileCheck:
    tables: int
    files: int
    problems: list[FileProblem]


def check_files(catalog: Catalog) -> FileCheck:
    """Every data file the tables' current snapshots reference: present, with the size the
    snapshot recorded. A file removed or rewritten behind the catalog's back is a problem."""
    problems: list[FileProblem] = []
    files = tables = 0
    for tdef in TABLES:
        if not catalog.table_exists(tdef.name):
            continue
        table = catalog.load_table(tdef.name)
        if table.current_snapshot() is None:
            continue
        tables += 1
        for task in table.scan().plan_files():
            files += 1
            path, recorded = task.file.file_path, task.file.file_size_in_bytes
            try:
                found = len(table.io.new_input(path))
            except FileNotFoundError:
                problems.append(FileProblem(tdef.name, path, "missing"))
                continue
            except OSError as exc:
                problems.append(FileProblem(tdef.name, path, f"unreadable: {exc}"))
                continue
            if found != recorded:
                problems.append(
                    FileProblem(tdef.name, path, f"size {found} bytes, recorded {recorded}")
                )
    return FileCheck(tables, files, problems)


@dataclass(frozen=True, slots=True)
class RunSummary:
    tables: list[TableInfo]
    quality: pa.Table
    top_campaigns: pa.Table


def run_summary(
    catalog: Catalog, engine: Engine, first: str, last: str, top: int = 5
) -> RunSummary:
    """Rows per table, data quality per landing day, and the best campaigns by ROAS."""
    quality = query(
        catalog,
        engine,
        "SELECT landing_date, lines, valid, duplicates, quarantined, bot_events, late_events, "
        "ROUND(quarantine_share * 100, 2) AS quarantine_pct FROM reports.data_quality_daily "
        f"WHERE landing_date BETWEEN DATE '{first}' AND DATE '{last}' ORDER BY landing_date",
    )
    campaigns = query(
        catalog,
        engine,
        "SELECT campaign_id, arg_max(campaign_name, event_date) AS campaign, "
        "arg_max(advertiser_name, event_date) AS advertiser, SUM(impressions) AS impressions, SUM(clicks) AS clicks, "
        "ROUND(SUM(conversions), 2) AS conversions, ROUND(SUM(spend), 2) AS spend, ROUND(SUM(revenue), 2) AS revenue, "
        "ROUND(CAST(SUM(revenue) AS DOUBLE) / NULLIF(CAST(SUM(spend) AS DOUBLE), 0), 2) AS roas "
        "FROM reports.campaign_daily "
        f"WHERE event_date BETWEEN DATE '{first}' AND DATE '{last}' "
        f"GROUP BY campaign_id ORDER BY roas DESC NULLS LAST, campaign_id LIMIT {int(top)}",
    )
    return RunSummary(list_tables(catalog), quality, campaigns)
