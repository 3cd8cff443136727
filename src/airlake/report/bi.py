"""The BI file: a DuckDB database with the report tables and the clean tables' current snapshots.

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
    REPORT_CAMPAIGN,
    REPORT_FUNNEL,
    REPORT_QUALITY,
)

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

BI_TABLES = (
    REPORT_CAMPAIGN,
    REPORT_FUNNEL,
    REPORT_QUALITY,
    CLEAN_EVENTS,
    CLEAN_SESSIONS,
    CLEAN_ATTRIBUTION,
)


def default_bi_path(settings: Settings) -> Path:
    """``<state>/bi/airlake.duckdb`` next to a local warehouse (or under .airlake/ for S3)."""
    base = (
        Path(".airlake")
        if is_remote(settings.warehouse_uri)
        else Path(settings.warehouse_uri).parent
    )
    return base / "bi" / "airlake.duckdb"


@dataclass(frozen=True, slots=True)
class Published:
    path: Path
    tables: dict[str, int]


def publish_bi(
    catalog: Catalog, settings: Settings, out: Path, published_at: datetime
) -> Published:
    """Write the BI database to ``out`` atomically; returns rows per table."""
    import duckdb

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".airlake-bi-", suffix=".duckdb", dir=out.parent)
    os.close(fd)
    os.unlink(tmp_name)  # DuckDB creates the file itself
    counts: dict[str, int] = {}
    con = duckdb.connect(tmp_name)
    try:
        if is_remote(settings.warehouse_uri):
            con.register_filesystem(
                filesystem("s3://", StorageOptions(settings.s3_endpoint, settings.aws_region))
            )
        for tdef in BI_TABLES:
            schema, name = tdef.name.split(".")
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            files: list[str] = []
            snapshot = None
            if catalog.table_exists(tdef.name):
                table = catalog.load_table(tdef.name)
                snap = table.current_snapshot()
                snapshot = snap.snapshot_id if snap else None
                if snap is not None:
                    files = sorted(task.file.file_path for task in table.scan().plan_files())
            if files:
                listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                con.execute(
                    f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM read_parquet([{listed}])'
                )
            else:
                con.register("__empty", tdef.schema.empty_table())
                con.execute(f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM __empty')
                con.unregister("__empty")
            row = con.execute(f'SELECT COUNT(*) FROM "{schema}"."{name}"').fetchone()
            counts[tdef.name] = int(row[0]) if row else 0
            con.execute(
                "CREATE TABLE IF NOT EXISTS main.published "
                "(table_name VARCHAR, snapshot_id BIGINT, row_count BIGINT, published_at TIMESTAMPTZ)"
            )
            con.execute(
                "INSERT INTO main.published VALUES (?, ?, ?, ?)",
                [tdef.name, snapshot, counts[tdef.name], published_at],
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp_name, out)
    return Published(out, counts)
