"""The DuckDB engine's output: one Parquet file per partition value, every row kept."""

from __future__ import annotations

import os
import subprocess
import sys
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


def _sink_file(landing: Path, name: str, content: bytes) -> None:
    folder = landing / "topics/ad-clicks/year=2026/month=11/day=01/hour=23"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)


_CLICK = (
    '{"event_id": "e-%d", "event_type": "click", "event_ts": "2026-11-01T23:30:00Z", '
    '"received_ts": "2026-11-01T23:30:01Z", "anonymous_id": "a-1", "campaign_id": "cmp-001", '
    '"ad_group_id": "g-1", "creative_id": "c-1", "channel": "search", "impression_id": "i-1", '
    '"cost": 0.25, "currency": "EUR", "user_agent": "%s"}'
)


def _ingest_day(landing: Path, out: Path):
    from airlake.landing import scan_day
    from airlake.storage import StorageOptions

    settings = settings_from_values(
        {"storage": {"landing": str(landing), "warehouse": str(out / "w")}}
    )
    day = date(2026, 11, 1)
    files = scan_day(str(landing), day, StorageOptions()).files
    return create_engine("duckdb", settings).ingest(str(landing), files, day, 3, str(out))


def test_a_sink_file_that_cannot_be_read_stops_the_ingest_with_one_clear_error(
    tmp_path: Path,
) -> None:
    """The day is read as one stream inside DuckDB's scan: the reader's error still reaches
    the caller as the user error it is, naming the file."""
    from airlake.errors import UserError

    landing = tmp_path / "landing"
    _sink_file(landing, "ad-clicks+0+0000000000.json", (_CLICK % (1, "ok") + "\n").encode())
    _sink_file(landing, "ad-clicks+0+0000000001.json.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 64)
    with pytest.raises(UserError, match=r"cannot read landing file .*0000000001\.json\.gz"):
        _ingest_day(landing, tmp_path / "out")


def test_lines_off_the_fast_path_are_dated_in_utc_whatever_the_process_time_zone(
    tmp_path: Path,
) -> None:
    """A line with an escape goes to the exact path, which runs on a cursor of its own: it must
    date an event at 23:30 UTC on that UTC day in a process whose clock is at UTC+14."""
    landing = tmp_path / "landing"
    lines = [_CLICK % (1, "plain"), _CLICK % (2, "escaped \\u00e9")]
    _sink_file(landing, "ad-clicks+0+0000000000.json", "\n".join(lines).encode() + b"\n")
    script = (
        "import sys, pyarrow.parquet as pq\n"
        "from pathlib import Path\n"
        "from tests.engines.test_duckdb import _ingest_day\n"
        "out = _ingest_day(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "rows = [r for f in out.events for r in pq.read_table(f).to_pylist()]\n"
        "print(sorted((r['event_id'], str(r['event_date'])) for r in rows))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(landing), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "Pacific/Kiritimati"},
        cwd=Path(__file__).parents[2],
        check=True,
    )
    assert done.stdout.strip() == "[('e-1', '2026-11-01'), ('e-2', '2026-11-01')]"
