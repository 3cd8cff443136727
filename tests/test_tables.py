"""The table layer under concurrent commits on PostgreSQL (the team catalog): two catalogs, as
two runs hold them, interleaved at the exact point where one run has read a table and the other
commits before it. Whatever the interleaving, the loser retries on the winner's state: nothing
is lost or duplicated, and when it cannot win it says so in one line."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airlake import tables
from airlake.catalog import open_catalog
from airlake.errors import UserError
from airlake.settings import settings_from_values
from airlake.storage import StorageOptions
from airlake.tables import TableDef, ensure_table, replace_partitions

pytestmark = pytest.mark.integration

D1, D2 = date(2026, 11, 1), date(2026, 11, 2)
THINGS = TableDef(
    "race.things",
    pa.schema([pa.field("day", pa.date32()), pa.field("n", pa.int64())]),
    "day",
    "a table for commit races",
)
STORAGE = StorageOptions(None, "eu-west-1")


@pytest.fixture
def two_runs(postgres_url: str, tmp_path: Path):
    """Two catalogs on one fresh PostgreSQL database and warehouse, as two runs open them."""
    settings = settings_from_values(
        {
            "storage": {"warehouse": str(tmp_path / "warehouse")},
            "catalog": {"type": "postgres", "uri": postgres_url},
        }
    )
    return open_catalog(settings), open_catalog(settings)


def _files(folder: Path, day: date, rows: int) -> list[str]:
    """One engine output file for partition ``day`` with ``rows`` rows."""
    path = folder / f"day={day.isoformat()}" / "part-0.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pa.table({"day": [day] * rows, "n": list(range(rows))}, schema=THINGS.schema)
    pq.write_table(data, path)
    return [str(path)]


def _rows_per_day(catalog) -> dict[date, int]:
    data = catalog.load_table(THINGS.name).scan().to_arrow().to_pylist()
    out: dict[date, int] = {}
    for row in data:
        out[row["day"]] = out.get(row["day"], 0) + 1
    return out


def _between_read_and_commit(
    monkeypatch: pytest.MonkeyPatch, other_run: Callable[[], object], times: int = 1
) -> None:
    """Run ``other_run`` after the next replace_partitions has read its table and placed its
    files, just before it commits (``times`` times: once per commit attempt when > 1)."""
    real = tables._place_files
    left = [times]

    def place_then_other_run_commits(*args, **kwargs):
        placed = real(*args, **kwargs)
        if left[0] > 0:
            left[0] -= 1
            other_run()
        return placed

    monkeypatch.setattr(tables, "_place_files", place_then_other_run_commits)


def test_the_same_partition_committed_first_by_another_run_is_replaced_once(
    two_runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_runs
    ensure_table(second, THINGS)  # fresh catalog: the second run created the table
    _between_read_and_commit(
        monkeypatch,
        lambda: replace_partitions(first, THINGS, _files(tmp_path / "a", D1, 3), [D1], STORAGE),
    )
    replace_partitions(second, THINGS, _files(tmp_path / "b", D1, 3), [D1], STORAGE)
    assert _rows_per_day(first) == {D1: 3}  # not 6: the retry replaced the winner's rows


def test_another_partition_committed_first_is_kept(
    two_runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_runs
    _between_read_and_commit(
        monkeypatch,
        lambda: replace_partitions(first, THINGS, _files(tmp_path / "a", D1, 2), [D1], STORAGE),
    )
    replace_partitions(second, THINGS, _files(tmp_path / "b", D2, 5), [D2], STORAGE)
    assert _rows_per_day(second) == {D1: 2, D2: 5}


def test_a_run_that_never_wins_says_so_in_one_line(
    two_runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyiceberg.table
    from pyiceberg.exceptions import CommitFailedException

    first, second = two_runs
    replace_partitions(first, THINGS, _files(tmp_path / "a", D1, 1), [D1], STORAGE)
    real_commit = second.__class__.commit_table

    def commit_table(self, table, requirements, updates):
        if self is second:  # another run always commits first
            raise CommitFailedException("Table has been updated by another process: race.things")
        return real_commit(self, table, requirements, updates)

    monkeypatch.setattr(second.__class__, "commit_table", commit_table)
    monkeypatch.setattr(pyiceberg.table.time, "sleep", lambda seconds: None)  # its own retries
    with pytest.raises(UserError, match="another run committed first; re-run") as raised:
        replace_partitions(second, THINGS, _files(tmp_path / "b", D1, 4), [D1], STORAGE)
    assert "\n" not in str(raised.value)
    assert _rows_per_day(first) == {D1: 1}


def test_runs_adding_the_same_new_columns_at_once_both_go_on(
    two_runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyiceberg.table import Table

    first, second = two_runs
    older = dataclasses.replace(THINGS, schema=pa.schema([pa.field("day", pa.date32())]))
    ensure_table(first, older)  # made by an earlier version, without ``n``
    real_update = Table.update_schema
    left = [1]

    def update_schema(self, *args, **kwargs):
        if self.catalog is second and left[0]:
            left[0] -= 1
            ensure_table(first, THINGS)  # the other run adds ``n`` after this one read the table
        return real_update(self, *args, **kwargs)

    monkeypatch.setattr(Table, "update_schema", update_schema)
    table = ensure_table(second, THINGS)
    assert left == [0]
    assert [f.name for f in table.schema().fields] == ["day", "n"]
    assert [f.name for f in first.load_table(THINGS.name).schema().fields] == ["day", "n"]


def test_a_report_table_made_with_narrower_amounts_is_widened_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    """A catalog made before amounts were summed in DECIMAL(38, 6): the next commit widens the
    columns in place (Iceberg's decimal promotion) and reads the old files as the wider type."""
    from decimal import Decimal

    from pyiceberg.types import DecimalType

    settings = settings_from_values(
        {
            "storage": {"warehouse": str(tmp_path / "warehouse")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/catalog.db"},
        }
    )
    catalog = open_catalog(settings)
    wide = TableDef(
        "race.money",
        pa.schema([pa.field("day", pa.date32()), pa.field("spend", tables.MONEY_SUM)]),
        "day",
        "amounts",
    )
    narrow = dataclasses.replace(
        wide, schema=pa.schema([pa.field("day", pa.date32()), pa.field("spend", tables.MONEY)])
    )

    def commit(tdef: TableDef, day: date, amount: str) -> None:
        path = tmp_path / tdef.schema.field("spend").type.__str__() / f"day={day}" / "p.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.table({"day": [day], "spend": [Decimal(amount)]}, schema=tdef.schema), path
        )
        replace_partitions(catalog, tdef, [str(path)], [day], STORAGE)

    commit(narrow, D1, "999999999999.500000")
    commit(wide, D2, "1200000000000.000000")  # past DECIMAL(18, 6)
    table = catalog.load_table(wide.name)
    assert table.schema().find_field("spend").field_type == DecimalType(38, 6)
    rows = sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["day"])
    assert [r["spend"] for r in rows] == [Decimal("999999999999.5"), Decimal("1.2e12")]
