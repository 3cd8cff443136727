"""The embedded engine: DuckDB, in-process. Reads Parquet/landing through fsspec, writes Parquet."""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import pyarrow as pa

from airlake.engines import IngestOutput, Relation, sql_type
from airlake.engines.duckdb_ingest import ingest_sql
from airlake.errors import UserError
from airlake.landing import LandingFile, read_batches
from airlake.settings import Settings
from airlake.storage import StorageOptions, filesystem, is_remote
from airlake.tables import RAW_EVENTS, RAW_QUARANTINE

if TYPE_CHECKING:
    import duckdb


def _duck_type(t: pa.DataType) -> str:
    return sql_type(t, "duckdb")


def _projection(schema: pa.Schema, present: set[str] | None = None) -> str:
    """Select exactly the table's columns, cast to its types (engines must not leak others).
    A column not in ``present`` (added to the table after its files were written) is null."""

    def source(name: str) -> str:
        return "NULL" if present is not None and name not in present else f'"{name}"'

    return ", ".join(
        f'CAST({source(f.name)} AS {_duck_type(f.type)}) AS "{f.name}"' for f in schema
    )


class DuckDBEngine:
    """Runs ingest and models in one in-process DuckDB connection."""

    name = "duckdb"

    def __init__(self, settings: Settings) -> None:
        import duckdb

        self._settings = settings
        self._storage = StorageOptions(settings.s3_endpoint, settings.aws_region)
        self.con: duckdb.DuckDBPyConnection = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
        self.con.execute(f"SET threads = {int(settings.duckdb_threads)}")
        self.con.execute("SET preserve_insertion_order = false")
        self._registered_s3 = False

    def _register_truncation(self) -> None:
        from duckdb.func import ARROW

        from airlake.ip_truncation import truncate_ips

        try:
            self.con.create_function(
                "airlake_truncate_ip", truncate_ips, ["varchar"], "varchar", type=ARROW
            )
        except Exception as exc:  # registered already on this connection
            if "already" not in str(exc).lower():
                raise

    # -- inputs ---------------------------------------------------------------------------
    def _register_inputs(self, inputs: Mapping[str, Relation]) -> None:
        for name, rel in inputs.items():
            if any(is_remote(f) for f in rel.files) and not self._registered_s3:
                self.con.register_filesystem(filesystem("s3://", self._storage))
                self._registered_s3 = True
            # "reports.campaign_daily" becomes a view in schema "reports", so SQL can name it.
            view = ".".join(f'"{part}"' for part in name.split("."))
            if "." in name:
                self.con.execute(f'CREATE SCHEMA IF NOT EXISTS "{name.split(".")[0]}"')
            kind = "VIEW" if "." in name else "TEMP VIEW"
            if rel.files:
                files = ", ".join(_literal(f) for f in rel.files)
                # by name: files written before a column was added to the table lack it
                source = f"read_parquet([{files}], union_by_name = true)"
                present = {
                    row[0]
                    for row in self.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
                }
                self.con.execute(
                    f"CREATE OR REPLACE {kind} {view} AS "
                    f"SELECT {_projection(rel.schema, present)} FROM {source}"
                )
            else:
                empty = f"__empty_{name.replace('.', '_')}"
                self.con.register(empty, rel.schema.empty_table())
                self.con.execute(f'CREATE OR REPLACE {kind} {view} AS SELECT * FROM "{empty}"')

    # -- Engine protocol ------------------------------------------------------------------
    def ingest(
        self,
        landing_uri: str,
        files: Sequence[LandingFile],
        landing_day: date,
        window_days: int,
        out_dir: str,
    ) -> IngestOutput:
        max_line_bytes = self._settings.max_line_bytes
        sql = ingest_sql(window_days, max_line_bytes)
        events_cols = _projection(RAW_EVENTS.schema)
        if self._settings.truncate_ip:
            self._register_truncation()
            events_cols = events_cols.replace(
                'CAST("ip" AS VARCHAR)', 'CAST(airlake_truncate_ip("ip") AS VARCHAR)'
            )
        quarantine_cols = _projection(RAW_QUARANTINE.schema)
        lines = 0
        for n, batch in enumerate(
            read_batches(landing_uri, files, self._storage, max_line_bytes=max_line_bytes)
        ):
            lines += batch.num_rows
            self.con.register("lines", batch)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE judged AS {sql}")
            self.con.unregister("lines")
            # Every line of the batch has the landing day's date: one plain file per output,
            # half the work of a partitioned COPY.
            for name, where, cols in (
                ("events", "reason IS NULL", events_cols),
                ("quarantine", "reason IS NOT NULL", quarantine_cols),
            ):
                found = self.con.execute(f"SELECT count(*) FROM judged WHERE {where}").fetchone()
                if not found or not found[0]:
                    continue
                folder = os.path.join(out_dir, name, f"landing_date={landing_day.isoformat()}")
                os.makedirs(folder, exist_ok=True)
                self.con.execute(
                    f"COPY (SELECT {cols} FROM judged WHERE {where}) "
                    f"TO {_literal(os.path.join(folder, f'part{n:04d}.parquet'))} "
                    f"(FORMAT parquet, COMPRESSION snappy)"
                )
            self.con.execute("DROP TABLE judged")
        return IngestOutput(
            events=tuple(_parquet_files(os.path.join(out_dir, "events"))),
            quarantine=tuple(_parquet_files(os.path.join(out_dir, "quarantine"))),
            lines=lines,
            files=tuple(files),
        )

    def materialize(
        self,
        sql: str,
        inputs: Mapping[str, Relation],
        out_dir: str,
        partition_column: str,
        schema: pa.Schema,
    ) -> list[str]:
        import duckdb

        self._register_inputs(inputs)
        try:
            self._copy(
                f"SELECT {_projection(schema)} FROM ({sql})", out_dir, partition_column, "part"
            )
        except duckdb.Error as exc:
            raise UserError(f"model failed on duckdb: {exc}") from None
        return _parquet_files(out_dir)

    def query(self, sql: str, inputs: Mapping[str, Relation]) -> pa.Table:
        import duckdb

        self._register_inputs(inputs)
        try:
            return self.con.sql(sql).to_arrow_table()
        except duckdb.Error as exc:
            raise UserError(f"query failed: {str(exc).splitlines()[0]}") from None

    def query_read_only(self, sql: str, inputs: Mapping[str, Relation]) -> pa.Table:
        """Run one SELECT/WITH statement over ``inputs`` and nothing else.

        The statement is checked with DuckDB's own parser (one statement, a SELECT); then, once
        the input views exist, the connection may read only the inputs' data files, has every
        other file system operation disabled, and its configuration locked so the statement
        cannot turn it back on. The connection is good for nothing else afterwards.
        """
        import duckdb

        statement = read_only_statement(sql)
        self._register_inputs(inputs)
        files = sorted({f for rel in inputs.values() for f in rel.files})
        allowed = ", ".join(_literal(f) for f in files)
        self.con.execute(f"SET allowed_paths = [{allowed}]")
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")
        try:
            return self.con.sql(statement).to_arrow_table()
        except duckdb.Error as exc:
            raise UserError(f"query failed: {str(exc).splitlines()[0]}") from None

    def close(self) -> None:
        self.con.close()

    # -- output ---------------------------------------------------------------------------
    def _copy(self, select: str, out_dir: str, partition_column: str, prefix: str) -> None:
        # One file per partition value with the partition column kept inside: what pyiceberg's
        # add_files needs. Timestamps are written as microseconds (DuckDB's native unit).
        # Snappy: about a third faster to write than zstd here, for slightly larger files.
        self.con.execute(
            f"COPY ({select}) TO '{out_dir}' (FORMAT parquet, PARTITION_BY ({partition_column}), "
            f"WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE true, "
            f"FILENAME_PATTERN '{prefix}_{{i}}', COMPRESSION snappy)"
        )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_only_statement(sql: str) -> str:
    """The one SELECT (or WITH ... SELECT) statement in ``sql``, parsed by DuckDB's own parser.

    Raises UserError for an empty text, several statements, a statement of any other kind
    (COPY, ATTACH, INSERT, SET, PRAGMA, CALL, EXPLAIN ANALYZE, ...) or a text DuckDB cannot parse.
    """
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise UserError(f"query failed: {str(exc).splitlines()[0]}") from None
    if not statements:
        raise UserError("the query is empty: give one SELECT statement")
    if len(statements) > 1:
        raise UserError(
            f"the query holds {len(statements)} statements: give exactly one SELECT statement"
        )
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        name = getattr(kind, "name", str(kind))
        raise UserError(
            f"query only reads: a {name} statement is not allowed, give one SELECT (or WITH) "
            "statement"
        )
    return statements[0].query


def _parquet_files(root: str) -> list[str]:
    return sorted(glob.glob(os.path.join(root, "**", "*.parquet"), recursive=True))
