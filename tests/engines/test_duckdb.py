"""The DuckDB engine's output: one Parquet file per partition value, every row kept."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airlake.engines import create_engine
from airlake.settings import settings_from_values

SCHEMA = pa.schema([pa.field("d", pa.date32()), pa.field("x", pa.int64())])
ROWS = """
    SELECT * FROM (VALUES (DATE '2026-11-01', 1), (DATE '2026-11-01', 2), (DATE '2026-11-02', 3),
        (CAST(NULL AS DATE), 4)) AS t(d, x)
"""


def written(files: list[str], root: Path) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for f in files:
        folder = str(Path(f).parent.relative_to(root))
        out.setdefault(folder, []).extend(pq.read_table(f).column("x").to_pylist())
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_materialize_writes_one_file_per_partition_and_keeps_null_partitions(
    engine: str, tmp_path: Path
) -> None:
    settings = settings_from_values({"storage": {"warehouse": str(tmp_path / "w")}})
    runner = create_engine(engine, settings)
    files = runner.materialize(ROWS, {}, str(tmp_path / "out"), "d", SCHEMA)
    assert written(files, tmp_path / "out") == {
        "d=2026-11-01": [1, 2],
        "d=2026-11-02": [3],
        "d=NULL": [4],
    }
    if engine == "duckdb":
        assert len(files) == 3, "one file per partition value"
