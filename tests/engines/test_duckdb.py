"""The DuckDB engine's output: one Parquet file per partition value, every row kept."""

from __future__ import annotations

from datetime import date
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


FAULTY_START = date(2026, 11, 1)


@pytest.fixture(scope="module")
def faulty_landing(tmp_path_factory: pytest.TempPathFactory):
    """Two generated days with a broken line in every 20: every fault the generator makes,
    many times over."""
    from airlake.generator import GeneratorConfig, generate

    root = tmp_path_factory.mktemp("faulty")
    manifest = generate(
        GeneratorConfig(
            start=FAULTY_START,
            days=2,
            events_per_day=4_000,
            seed=11,
            malformed_rate=0.05,
            out=str(root / "landing"),
        )
    )
    return root, manifest


def _run_both_paths(root: Path, fast_path: bool) -> dict[str, pa.Table]:
    from dataclasses import replace
    from datetime import timedelta

    from airlake.engines.duckdb import DuckDBEngine
    from airlake.run_context import open_run
    from airlake.stages import run_day
    from airlake.tables import read_table

    name = "fast" if fast_path else "exact"
    settings = settings_from_values(
        {
            "storage": {"landing": str(root / "landing"), "warehouse": str(root / name / "w")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{root}/{name}/catalog.db"},
        }
    )
    with open_run(settings) as opened:
        ctx = replace(opened, engine=DuckDBEngine(settings, fast_path=fast_path))
        try:
            for offset in range(2):
                run_day(ctx, FAULTY_START + timedelta(days=offset))
            return {
                t: read_table(ctx.catalog, t)
                for t in ("raw.events", "raw.quarantine", "reports.data_quality_daily")
            }
        finally:
            ctx.engine.close()


@pytest.mark.slow
def test_fast_path_gives_exactly_the_exact_paths_tables(faulty_landing) -> None:
    """The same landing through the fast path and through the exact path alone: the same
    events, the same quarantine rows (reason, detail, line, position) and the same data
    quality; and both agree with the generator's own count of every fault it made."""
    from airlake.contract import Reason
    from airlake.tables import content_hash

    root, manifest = faulty_landing
    fast, exact = _run_both_paths(root, True), _run_both_paths(root, False)
    for name in ("raw.events", "raw.quarantine", "reports.data_quality_daily"):
        assert content_hash(fast[name]) == content_hash(exact[name]), name
    quarantined: dict[str, int] = {}
    for day in ("2026-11-01", "2026-11-02"):  # the landing days the two runs ingest
        for reason, n in manifest["landing_days"][day]["quarantined"].items():
            quarantined[reason] = quarantined.get(reason, 0) + n
    assert set(quarantined) == {r.value for r in Reason}, "the generator made every fault"
    got = fast["raw.quarantine"].group_by("reason").aggregate([("reason", "count")]).to_pylist()
    assert {r["reason"]: r["reason_count"] for r in got} == quarantined
    assert fast["raw.quarantine"].num_rows > 300
