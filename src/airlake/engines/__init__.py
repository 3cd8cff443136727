"""Engines: the compute that runs ingest and the SQL models, behind one Protocol.

An engine (a) reads landing files into typed events + quarantine rows with the contract's
semantics, (b) runs a model's SQL over named input relations (Parquet files of the input
tables) and (c) writes the result as Parquet files, one partition value per file, for the table
layer to commit. The table layer (:mod:`airlake.tables`) is the same for every engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pyarrow as pa

from airlake.errors import UserError
from airlake.landing import LandingFile
from airlake.settings import Settings

_SQL_TYPES: tuple[tuple[Callable[[pa.DataType], bool], str, str], ...] = (
    (pa.types.is_timestamp, "TIMESTAMPTZ", "TIMESTAMP"),
    (pa.types.is_date32, "DATE", "DATE"),
    (pa.types.is_int32, "INTEGER", "INT"),
    (pa.types.is_int64, "BIGINT", "BIGINT"),
    (pa.types.is_float64, "DOUBLE", "DOUBLE"),
    (pa.types.is_boolean, "BOOLEAN", "BOOLEAN"),
    (pa.types.is_binary, "BLOB", "BINARY"),
    (pa.types.is_string, "VARCHAR", "STRING"),
)


def sql_type(t: pa.DataType, dialect: str) -> str:
    """The column type an engine's SQL uses for an Arrow type (``duckdb`` or ``spark``)."""
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision}, {t.scale})"
    for test, duckdb_name, spark_name in _SQL_TYPES:
        if test(t):
            return duckdb_name if dialect == "duckdb" else spark_name
    raise TypeError(f"no {dialect} type for {t}")


@dataclass(frozen=True, slots=True)
class Relation:
    """A named input: the Parquet files of some partitions of a table, and its schema."""

    files: tuple[str, ...]
    schema: pa.Schema


@dataclass(frozen=True, slots=True)
class IngestOutput:
    """Parquet files written by ingest, each under a ``landing_date=...`` folder."""

    events: tuple[str, ...]
    quarantine: tuple[str, ...]
    lines: int
    files: tuple[LandingFile, ...] = field(default=())


class Engine(Protocol):
    name: str

    def ingest(
        self,
        landing_uri: str,
        files: Sequence[LandingFile],
        landing_day: date,
        window_days: int,
        out_dir: str,
    ) -> IngestOutput:
        """Judge every line of ``files`` against the contract; write events and quarantine."""
        ...

    def materialize(
        self,
        sql: str,
        inputs: Mapping[str, Relation],
        out_dir: str,
        partition_column: str,
        schema: pa.Schema,
    ) -> list[str]:
        """Run ``sql`` over ``inputs`` and write the rows as Parquet under ``out_dir``,
        partitioned by ``partition_column``, with exactly ``schema``'s columns and types."""
        ...

    def query(self, sql: str, inputs: Mapping[str, Relation]) -> pa.Table:
        """Run ``sql`` over ``inputs`` and return the (small) result."""
        ...

    def close(self) -> None: ...


def _duckdb(settings: Settings) -> Engine:
    from airlake.engines.duckdb import DuckDBEngine

    return DuckDBEngine(settings)


def _spark(settings: Settings) -> Engine:
    try:
        from airlake.engines.spark import SparkEngine  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError as exc:
        if exc.name == "pyspark":
            raise UserError("the spark engine needs pyspark: install airlake[spark]") from None
        if exc.name == "airlake.engines.spark":
            raise UserError(
                "the spark engine is not part of this airlake build yet; run with the duckdb engine "
                "(engine.mode = local) until it ships"
            ) from None
        raise
    return SparkEngine(settings)  # type: ignore[no-any-return,unused-ignore]


ENGINES: dict[str, Callable[[Settings], Engine]] = {"duckdb": _duckdb, "spark": _spark}


def create_engine(name: str, settings: Settings) -> Engine:
    """Create an engine by name (``duckdb`` or ``spark``)."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise UserError(f"unknown engine {name!r}; known: {', '.join(ENGINES)}") from None
    return factory(settings)
