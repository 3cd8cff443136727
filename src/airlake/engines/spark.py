"""The scale-out engine: Apache Spark (local[2] here; any master or EMR via spark-submit).

Runs the same SQL models as DuckDB, transpiled by :func:`airlake.models.render`, and the same
contract check: every landing line is judged by :func:`airlake.validation.judge` in the
executors. Output is Parquet that the table layer commits with pyiceberg exactly as for DuckDB:
microsecond timestamps, the partition column inside the files, one partition value per file.
"""

from __future__ import annotations

import glob
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from airlake.engines import IngestOutput, Relation, sql_type
from airlake.errors import UserError
from airlake.landing import LandingFile, relative_name
from airlake.settings import Settings
from airlake.storage import StorageOptions
from airlake.tables import RAW_EVENTS, RAW_QUARANTINE

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.sql.adaptive.enabled": "true",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.parquet.compression.codec": "snappy",
}


def spark_type(t: pa.DataType) -> str:
    return sql_type(t, "spark")


def ddl(schema: pa.Schema) -> str:
    return ", ".join(f"`{f.name}` {spark_type(f.type)}" for f in schema)


def session(master: str | None = None) -> SparkSession:
    """The shared Spark session (created once per process)."""
    from pyspark.sql import SparkSession

    # Python workers must run this interpreter (the one airlake is installed in).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # py4j logs every connection it closes, also from garbage collection at interpreter exit,
    # when the log streams may already be closed: keep it to warnings.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    builder = SparkSession.builder.master(
        master or os.environ.get("AIRLAKE_SPARK_MASTER", "local[2]")
    ).appName("airlake")
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _judge_files(
    rows: Iterable[Any],
    landing_uri: str,
    window_days: int,
    s3_endpoint: str | None,
    region: str,
    truncate: bool = False,
    max_line_bytes: int | None = None,
) -> Iterator[Any]:
    """Executor side: read each file, judge every line, yield one tuple per line."""
    from airlake.contract import LINE_PREFIX_BYTES, Reason
    from airlake.landing import read_content
    from airlake.storage import filesystem, fs_path
    from airlake.validation import Verdict, judge, too_long_detail

    storage = StorageOptions(s3_endpoint, region)
    fs = filesystem(landing_uri, storage)
    for row in rows:
        with fs.open(fs_path(row.uri), "rb") as fh:  # gunzipped for a .json.gz sink file
            data, long = read_content(fh, row.uri.endswith(".gz"), max_line_bytes)
        pieces = data.split(b"\n")
        if pieces and pieces[-1] == b"":
            pieces.pop()
        landing = date.fromisoformat(row.landing_date)
        for i, raw in enumerate(pieces):
            if i in long and max_line_bytes is not None:  # cut while read: its true length
                verdict = Verdict(Reason.LINE_TOO_LONG, too_long_detail(long[i], max_line_bytes))
            else:
                verdict = judge(raw, landing, window_days, max_line_bytes)
            if verdict.reason is Reason.LINE_TOO_LONG:
                text: str | None = None
                raw = raw[:LINE_PREFIX_BYTES]
            else:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
            source = (
                row.topic,
                row.partition,
                row.start_offset + i,
                row.name,
                i + 1,
                landing,
                row.hour,
            )
            event = verdict.event or {}
            if truncate and event.get("ip") is not None:
                from airlake.ip_truncation import truncate_ip

                event = {**event, "ip": truncate_ip(event["ip"])}
            yield (
                verdict.reason.value if verdict.reason else None,
                verdict.detail,
                text,
                None if text is not None else raw,
                *(event.get(name) for name in _EVENT_FIELDS),
                *source,
            )


_EVENT_FIELDS = tuple(
    f.name
    for f in RAW_EVENTS.schema
    if f.name
    not in {
        "source_topic",
        "source_partition",
        "source_offset",
        "source_file",
        "source_line",
        "landing_date",
        "landing_hour",
    }
)
_SOURCE_FIELDS = (
    "source_topic",
    "source_partition",
    "source_offset",
    "source_file",
    "source_line",
    "landing_date",
    "landing_hour",
)


class SparkEngine:
    """Runs ingest and models on Spark."""

    name = "spark"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.spark = session()

    # -- helpers --------------------------------------------------------------------------
    def _view(self, name: str, rel: Relation) -> None:
        if rel.files:
            # merged: files written before a column was added to the table lack it
            df = self.spark.read.option("mergeSchema", "true").parquet(*rel.files)
        else:
            df = self.spark.createDataFrame([], ddl(rel.schema))
        present = set(df.columns)
        cols = ", ".join(
            f"CAST({f'`{f.name}`' if f.name in present else 'NULL'} AS {spark_type(f.type)}) "
            f"AS `{f.name}`"
            for f in rel.schema
        )
        df.createOrReplaceTempView(f"__raw_{name}")
        self.spark.sql(f"SELECT {cols} FROM __raw_{name}").createOrReplaceTempView(name)

    def _write(
        self, df: DataFrame, out_dir: str, partition_column: str, schema: pa.Schema
    ) -> list[str]:
        """One file per partition value, partition column kept inside (Spark's partitionBy
        would drop it from the files)."""
        cols = [f"CAST(`{f.name}` AS {spark_type(f.type)}) AS `{f.name}`" for f in schema]
        df = df.selectExpr(*cols).cache()
        values = [r[0] for r in df.select(partition_column).distinct().collect()]
        for value in sorted(v for v in values if v is not None):
            target = os.path.join(out_dir, f"{partition_column}={value.isoformat()}")
            df.filter(df[partition_column] == value).coalesce(1).write.mode("overwrite").parquet(
                target
            )
        if None in values:  # rows without a partition value are kept, as the DuckDB engine does
            target = os.path.join(out_dir, f"{partition_column}=NULL")
            df.filter(df[partition_column].isNull()).coalesce(1).write.mode("overwrite").parquet(
                target
            )
        df.unpersist()
        return sorted(glob.glob(os.path.join(out_dir, "**", "*.parquet"), recursive=True))

    # -- Engine protocol ------------------------------------------------------------------
    def ingest(
        self,
        landing_uri: str,
        files: Sequence[LandingFile],
        landing_day: date,
        window_days: int,
        out_dir: str,
    ) -> IngestOutput:
        from pyspark.sql import Row

        listing = [
            Row(
                uri=f.uri,
                name=relative_name(landing_uri, f.uri),
                topic=f.topic,
                partition=f.partition,
                start_offset=f.start_offset,
                landing_date=f.landing_date.isoformat(),
                hour=f.hour,
            )
            for f in files
        ]
        if not listing:
            return IngestOutput((), (), 0, tuple(files))
        s = self._settings
        columns = (
            "reason STRING, detail STRING, raw_line STRING, raw_bytes BINARY, "
            + ddl(pa.schema([RAW_EVENTS.schema.field(n) for n in _EVENT_FIELDS]))
            + ", "
            + ddl(pa.schema([RAW_EVENTS.schema.field(n) for n in _SOURCE_FIELDS]))
        )
        rdd = self.spark.sparkContext.parallelize(
            listing, max(1, min(len(listing), 8))
        ).mapPartitions(
            lambda rows: _judge_files(
                rows,
                landing_uri,
                window_days,
                s.s3_endpoint,
                s.aws_region,
                s.truncate_ip,
                s.max_line_bytes,
            )
        )
        judged = self.spark.createDataFrame(rdd, columns).cache()
        lines = judged.count()
        events = self._write(
            judged.filter("reason IS NULL"),
            os.path.join(out_dir, "events"),
            "landing_date",
            RAW_EVENTS.schema,
        )
        quarantine = self._write(
            judged.filter("reason IS NOT NULL"),
            os.path.join(out_dir, "quarantine"),
            "landing_date",
            RAW_QUARANTINE.schema,
        )
        judged.unpersist()
        return IngestOutput(tuple(events), tuple(quarantine), lines, tuple(files))

    def materialize(
        self,
        sql: str,
        inputs: Mapping[str, Relation],
        out_dir: str,
        partition_column: str,
        schema: pa.Schema,
    ) -> list[str]:
        for name, rel in inputs.items():
            self._view(name, rel)
        try:
            df = self.spark.sql(sql)
        except Exception as exc:  # AnalysisException and friends: one clear line
            raise UserError(f"model failed on spark: {str(exc).splitlines()[0]}") from None
        return self._write(df, out_dir, partition_column, schema)

    def query(self, sql: str, inputs: Mapping[str, Relation]) -> pa.Table:
        renamed = sql
        for name, rel in inputs.items():
            view = name.replace(".", "__")
            self._view(view, rel)
            renamed = renamed.replace(name, view)
        try:
            return self.spark.sql(renamed).toArrow()
        except Exception as exc:
            raise UserError(f"query failed: {str(exc).splitlines()[0]}") from None

    def close(self) -> None:
        """The session is shared by the process and stopped at exit."""
