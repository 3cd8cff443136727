"""The Spark engine produces exactly the DuckDB engine's tables from the same landing data.

Input: 3 generated days at 10 000 events a day (the suite runs on 2 cores; Spark's fixed cost
per stage dominates, so more data mostly adds minutes, not coverage).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from airlake.generator import GeneratorConfig, generate
from airlake.run_context import open_run
from airlake.settings import Settings, settings_from_values
from airlake.stages import run_day
from airlake.tables import TABLES, content_hash, read_table

pytestmark = [pytest.mark.spark, pytest.mark.slow]
START = date(2026, 11, 1)
DAYS = [START + timedelta(days=i) for i in range(3)]


def _settings(root: Path, name: str) -> Settings:
    return settings_from_values(
        {
            "storage": {
                "landing": str(root / "landing"),
                "warehouse": str(root / name / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{root}/{name}/catalog.db"},
            "source": {"url": f"sqlite:///{root}/source.db"},
            # neither the base (EUR) nor the generator's first currency: every amount converts
            "reporting": {"currency": "GBP"},
        }
    )


def _comparable(table: pa.Table) -> pa.Table:
    # the quarantine detail is an engine's own wording; reason, raw line and source must match
    return table.drop_columns(["detail"]) if "detail" in table.column_names else table


def _hashes(settings: Settings) -> dict[str, str]:
    with open_run(settings, "duckdb") as ctx:
        return {t.name: content_hash(_comparable(read_table(ctx.catalog, t.name))) for t in TABLES}


def _floats_close(a: pa.Table, b: pa.Table) -> None:
    key = [c for c in a.column_names if not pa.types.is_floating(a.schema.field(c).type)]
    rows_a = sorted(a.to_pylist(), key=lambda r: repr([r[k] for k in key]))
    rows_b = sorted(b.to_pylist(), key=lambda r: repr([r[k] for k in key]))
    assert len(rows_a) == len(rows_b)
    for ra, rb in zip(rows_a, rows_b, strict=True):
        for column, va in ra.items():
            vb = rb[column]
            if isinstance(va, float) and vb is not None:
                assert vb == pytest.approx(va, rel=1e-9), column
            else:
                assert va == vb, column


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Settings, Settings]]:
    root = tmp_path_factory.mktemp("engines")
    generate(
        GeneratorConfig(
            start=START, days=3, events_per_day=10_000, seed=21, out=str(root / "landing")
        )
    )
    # a gzip sink file whose second line expands to 24 MiB: both engines read it in pieces
    from airlake.contract import landing_key

    gz = root / "landing" / landing_key("ad-clicks", 2026, 11, 2, 5, 9, 0)
    gz = gz.with_name(gz.name + ".gz")
    gz.parent.mkdir(parents=True, exist_ok=True)
    gz.write_bytes(gzip.compress(b'{"a": 1}\n{"b": "' + b"z" * (24 << 20) + b'"}\n', 9))
    from airlake import exchange_rates, reference

    url = f"sqlite:///{root}/source.db"
    versions = reference.history(START, 3, 21)
    reference.load(url, reference.state_as_of(versions, reference.end_of(DAYS[-1])))
    # rates for the first two days only: the third day's foreign amounts have no rate
    exchange_rates.load(url, exchange_rates.demo_rates(START, DAYS[1]))
    on_duckdb, on_spark = _settings(root, "duckdb"), _settings(root, "spark")
    for settings, engine in ((on_duckdb, "duckdb"), (on_spark, "spark")):
        with open_run(settings, engine) as ctx:
            for day in DAYS:
                run_day(ctx, day)
    yield root, on_duckdb, on_spark
    from airlake.engines.spark import session

    session().stop()  # before the interpreter exits, while logging can still write


def test_every_table_is_the_same_on_spark_and_duckdb(runs) -> None:
    _, on_duckdb, on_spark = runs
    with open_run(on_duckdb, "duckdb") as a, open_run(on_spark, "duckdb") as b:
        for t in TABLES:
            left, right = (
                _comparable(read_table(a.catalog, t.name)),
                _comparable(read_table(b.catalog, t.name)),
            )
            assert left.num_rows == right.num_rows, t.name
            _floats_close(left, right)
        rows = read_table(b.catalog, "reports.campaign_daily").to_pylist()
    # the conversion ran both ways: amounts converted at a rate, and amounts without one
    assert any(r["currency"] not in (None, "GBP") and r["spend"] for r in rows)
    assert any(r["unconverted_events"] for r in rows if r["event_date"] == DAYS[2])
    assert not any(r["unconverted_events"] for r in rows if r["event_date"] < DAYS[2])


def test_a_line_cut_while_read_has_the_same_row_on_both_engines(runs) -> None:
    _, on_duckdb, on_spark = runs
    rows = []
    for settings in (on_duckdb, on_spark):
        with open_run(settings, "duckdb") as ctx:
            quarantine = read_table(ctx.catalog, "raw.quarantine").to_pylist()
        rows.append([q for q in quarantine if q["source_file"].endswith("+9+0000000000.json.gz")])
    # the wording of other reasons' details is each engine's own; the cut line's is one
    assert [{**q, "detail": None} for q in rows[0]] == [{**q, "detail": None} for q in rows[1]]
    assert rows[0][1]["detail"] == rows[1][1]["detail"]
    assert [(q["source_line"], q["reason"]) for q in rows[0]] == [
        (1, "unknown_event_type"),
        (2, "line_too_long"),
    ]
    length = len(b'{"b": "') + (24 << 20) + len(b'"}')
    assert rows[0][1]["detail"].startswith(f"line of {length} bytes")


def test_rerunning_a_day_on_spark_is_idempotent(runs) -> None:
    _, _, on_spark = runs
    before = _hashes(on_spark)
    with open_run(on_spark, "spark") as ctx:
        run_day(ctx, DAYS[1])
    assert _hashes(on_spark) == before


def test_mixing_engines_across_days_gives_the_same_tables(runs) -> None:
    root, on_duckdb, _ = runs
    mixed = _settings(root, "mixed")
    for day, engine in zip(DAYS, ("duckdb", "spark", "duckdb"), strict=True):
        with open_run(mixed, engine) as ctx:
            run_day(ctx, day)
    assert _hashes(mixed) == _hashes(on_duckdb)


def test_amounts_at_the_contracts_limit_sum_the_same_on_spark(write_landing, tmp_path) -> None:
    """Both engines sum in DECIMAL(38, 6): the same exact sums (Python's Decimal) on Spark."""
    from tests.stages.test_stages import HUGE_DAY, huge_amount_settings, huge_amounts

    url = f"sqlite:///{tmp_path}/source.db"
    expected = huge_amounts(write_landing, url)
    tables = {}
    for engine in ("spark", "duckdb"):
        settings = huge_amount_settings(tmp_path, url, engine)
        with open_run(settings, engine) as ctx:
            run_day(ctx, HUGE_DAY)
            tables[engine] = read_table(ctx.catalog, "reports.campaign_daily")
    from airlake.engines.spark import session

    session().stop()
    got = {
        r["campaign_id"]: {
            k: r[k] for k in ("spend", "spend_original", "revenue", "revenue_original")
        }
        for r in tables["spark"].to_pylist()
    }
    assert got == expected
    _floats_close(tables["spark"], tables["duckdb"])
