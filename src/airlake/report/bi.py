"""The BI file: a DuckDB database with the report tables and the clean tables' current snapshots.

What BI users query are the report tables: they are copied into the file, whole (they are
small: one row per campaign and day, per refresh). The clean tables are there for drill-down;
copying them would copy the whole history of events every day, so the published file at the
profile's own place (``<state>/bi/airlake.duckdb``, on a local warehouse) holds them as views
over the data files of the snapshot it names in ``main.published``. ``maintain`` keeps those
snapshots and their files (see :func:`airlake.lifecycle.maintain.published_snapshots`), so
the views read what was published until the next publish replaces the file. A file written
elsewhere (``publish-bi --out``), or next to a warehouse on S3 (a downloaded copy cannot be
assumed to reach the bucket), copies the clean tables too: it stands alone.

Published atomically: written to a temporary file in the same folder, then renamed over the old
one, so a BI tool that opens the file read-only sees the previous or the new version, whole.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from airlake.settings import Settings
from airlake.storage import StorageOptions, filesystem, is_remote
from airlake.tables import (
    CLEAN_ATTRIBUTION,
    CLEAN_EVENTS,
    CLEAN_SESSIONS,
    REPORT_ALERTS,
    REPORT_CAMPAIGN,
    REPORT_FUNNEL,
    REPORT_PACING,
    REPORT_QUALITY,
    TableDef,
)

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection
    from pyiceberg.catalog import Catalog

STORAGE_VERSION = "v1.0.0"
"""Oldest DuckDB release that can open the BI file."""

BI_TABLES = (
    REPORT_CAMPAIGN,
    REPORT_FUNNEL,
    REPORT_QUALITY,
    CLEAN_EVENTS,
    CLEAN_SESSIONS,
    CLEAN_ATTRIBUTION,
    REPORT_PACING,
    REPORT_ALERTS,
)

REFRESH_INFO = """
CREATE TABLE main.refresh_info AS
SELECT business_date, as_of, MAX(data_through) AS data_through
FROM reports.pacing_intraday
GROUP BY business_date, as_of
ORDER BY as_of DESC
LIMIT 1
"""
"""``main.refresh_info``: the newest intraday refresh in the file (its business day, as-of time,
newest event read); no row until a refresh has run. Tables of the daily run describe whole
days; the pacing and alert tables describe the day so far, as of this time."""


def state_dir(settings: Settings) -> Path:
    """The folder that holds the warehouse locally (``.airlake`` when the warehouse is on S3):
    published files go next to the data they come from."""
    if is_remote(settings.warehouse_uri):
        return Path(".airlake")
    return Path(settings.warehouse_uri).parent


def default_bi_path(settings: Settings) -> Path:
    """``<state>/bi/airlake.duckdb``, see :func:`state_dir`."""
    return state_dir(settings) / "bi" / "airlake.duckdb"


@dataclass(frozen=True, slots=True)
class Published:
    """A published BI file and the rows written per table."""

    path: Path
    tables: dict[str, int]


def publish_bi(
    catalog: Catalog, settings: Settings, out: Path, published_at: datetime
) -> Published:
    """Write the BI database to ``out`` atomically.

    Every table is read from its current Iceberg snapshot; ``main.published`` records the
    snapshot id, row count and time per table, so a reader can check what it sees. The
    clean tables are views over the snapshot's files when ``out`` is the profile's own BI file
    on a local warehouse (see the module's docstring), copies otherwise.

    Returns:
        The path and the rows written per table.
    """
    import duckdb

    out.parent.mkdir(parents=True, exist_ok=True)
    in_place = not is_remote(settings.warehouse_uri) and (
        out.resolve() == default_bi_path(settings).resolve()
    )
    fd, tmp_name = tempfile.mkstemp(prefix=".airlake-bi-", suffix=".duckdb", dir=out.parent)
    os.close(fd)
    os.unlink(tmp_name)  # DuckDB refuses to open an empty file as a database: let it create it
    counts: dict[str, int] = {}
    try:
        # BI drivers bundle their own DuckDB, often a 1.x release: write a format they can open
        con = duckdb.connect(tmp_name, config={"storage_compatibility_version": STORAGE_VERSION})
        try:
            if is_remote(settings.warehouse_uri):
                con.register_filesystem(
                    filesystem("s3://", StorageOptions(settings.s3_endpoint, settings.aws_region))
                )
            con.execute(
                "CREATE TABLE main.published (table_name VARCHAR, snapshot_id BIGINT, "
                "row_count BIGINT, published_at TIMESTAMPTZ)"
            )
            for tdef in BI_TABLES:
                view = in_place and tdef.name.startswith("clean.")
                snapshot = _copy_table(con, catalog, tdef, view)
                schema, name = tdef.name.split(".")
                row = con.execute(f'SELECT COUNT(*) FROM "{schema}"."{name}"').fetchone()
                counts[tdef.name] = int(row[0]) if row else 0
                con.execute(
                    "INSERT INTO main.published VALUES (?, ?, ?, ?)",
                    [tdef.name, snapshot, counts[tdef.name], published_at],
                )
            con.execute(REFRESH_INFO)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp_name, out)
    finally:
        # after a failure nothing half-written stays next to the published file
        for leftover in (tmp_name, tmp_name + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return Published(out, counts)


def _copy_table(
    con: DuckDBPyConnection, catalog: Catalog, tdef: TableDef, view: bool
) -> int | None:
    """Create ``schema.name`` in ``con`` from the table's current snapshot (a view over its
    files when ``view`` and the snapshot has no row-level deletes); its id, or None."""
    schema, name = tdef.name.split(".")
    target = f'"{schema}"."{name}"'
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    table = catalog.load_table(tdef.name) if catalog.table_exists(tdef.name) else None
    snap = table.current_snapshot() if table is not None else None
    scan = table.scan(snapshot_id=snap.snapshot_id) if table is not None and snap else None
    tasks = list(scan.plan_files()) if scan is not None else []
    if scan is None or not tasks:
        # the table's columns and types, no rows: a BI tool sees the same schema either way
        con.register("__empty", tdef.schema.empty_table())
        con.execute(f"CREATE TABLE {target} AS SELECT * FROM __empty")
        con.unregister("__empty")
    elif any(task.delete_files for task in tasks):
        # row-level deletes: let pyiceberg apply them rather than reading the files raw
        con.register("__scan", scan.to_arrow())
        con.execute(f"CREATE TABLE {target} AS SELECT * FROM __scan")
        con.unregister("__scan")
    else:
        # the pipeline writes whole files per partition: DuckDB streams them straight in
        listed = ", ".join("'" + t.file.file_path.replace("'", "''") + "'" for t in tasks)
        columns = ", ".join(f'"{f.name}"' for f in tdef.schema)
        source = f"read_parquet([{listed}], union_by_name = true)"
        kind = "VIEW" if view else "TABLE"
        con.execute(f"CREATE {kind} {target} AS SELECT {columns} FROM {source}")
    return int(snap.snapshot_id) if snap is not None else None
