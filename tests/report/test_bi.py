"""The BI file is replaced atomically: a reader in another process always sees a whole snapshot."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from airlake.catalog import open_catalog
from airlake.report.bi import BI_TABLES, publish_bi
from airlake.run_context import open_run
from airlake.settings import Settings, settings_from_values
from airlake.stages import run_day
from tests.conftest import click_line

# Opens the file read-only in a loop. Every read must be one whole version: all tables present,
# each table's rows equal to what main.published says, and one publishing time for all of them.
READER = """
import sys, time, duckdb
path, seconds, tables = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(",")
end, reads, versions = time.time() + seconds, 0, set()
while time.time() < end:
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.IOException:
        continue  # the very first publish has not renamed its file into place yet
    published = con.execute("SELECT table_name, row_count, published_at FROM main.published").fetchall()
    actual = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    con.close()
    assert sorted(p[0] for p in published) == sorted(tables), published
    assert {p[0]: p[1] for p in published} == actual, (published, actual)
    assert len({p[2] for p in published}) == 1, published
    versions.add(actual["clean.events"])
    reads += 1
print("READS", reads, "VERSIONS", len(versions))
"""


def _settings(tmp_path: Path, name: str) -> Settings:
    return settings_from_values(
        {
            "storage": {
                "landing": str(tmp_path / "landing"),
                "warehouse": str(tmp_path / name / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/{name}/catalog.db"},
        },
        root=tmp_path,
    )


@pytest.mark.slow
def test_reader_never_sees_a_half_written_file(write_landing, tmp_path: Path) -> None:
    # two lakehouses over the same landing zone: one holds day 10 (50 events), the other days
    # 10 and 11 (80 events); publishing them in turn gives the reader two different versions
    write_landing(
        date(2026, 11, 10), 10, [click_line(f"a{i}", "2026-11-10T10:00:00") for i in range(50)]
    )
    write_landing(
        date(2026, 11, 11), 10, [click_line(f"b{i}", "2026-11-11T10:00:00") for i in range(30)]
    )
    small, large = _settings(tmp_path, "small"), _settings(tmp_path, "large")
    with open_run(small) as ctx:
        run_day(ctx, date(2026, 11, 10))
    with open_run(large) as ctx:
        run_day(ctx, date(2026, 11, 10))
        run_day(ctx, date(2026, 11, 11))
    versions = [(open_catalog(small), small), (open_catalog(large), large)]
    target = tmp_path / "bi" / "airlake.duckdb"
    publish_bi(*versions[0], target, datetime.now(UTC))
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(target), "6", ",".join(t.name for t in BI_TABLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    published = 0
    deadline = time.time() + 5
    while time.time() < deadline:
        catalog, settings = versions[published % 2]
        publish_bi(catalog, settings, target, datetime.now(UTC))
        published += 1
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err[-2000:]
    words = out.split()
    reads, seen = int(words[1]), int(words[3])
    print(f"{published} publishes, {reads} complete reads, {seen} distinct versions read")
    assert reads > 0 and published > 1
    con = duckdb.connect(str(target), read_only=True)
    last = 50 if published % 2 == 1 else 80
    assert con.execute("SELECT COUNT(*) FROM clean.events").fetchone() == (last,)
    con.close()
    assert not list(target.parent.glob(".airlake-bi-*")), "the rename leaves no temporary file"


def test_an_empty_lakehouse_publishes_empty_tables(
    local_settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "bi.duckdb"
    published = publish_bi(open_catalog(local_settings), local_settings, out, datetime.now(UTC))
    assert published.tables == {t.name: 0 for t in BI_TABLES}
    con = duckdb.connect(str(out), read_only=True)
    try:
        columns = [r[0] for r in con.execute("DESCRIBE reports.campaign_daily").fetchall()]
        assert columns[:3] == ["event_date", "campaign_id", "impressions"]
        assert con.execute("SELECT snapshot_id FROM main.published").fetchall() == [(None,)] * len(
            BI_TABLES
        )
        tags = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE path = ?", [str(out)]
        ).fetchone()
        assert tags == ({"storage_version": "v1.0.0+"},)  # BI drivers with DuckDB 1.x open it
    finally:
        con.close()


def test_a_failed_publish_keeps_the_old_file_and_leaves_nothing_behind(
    local_settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "bi" / "airlake.duckdb"
    catalog = open_catalog(local_settings)
    publish_bi(catalog, local_settings, out, datetime(2026, 11, 1, tzinfo=UTC))
    before = out.read_bytes()
    # a folder in the way of the final rename: the publish fails after writing the new version
    (out.parent / "blocker").mkdir()
    with pytest.raises(IsADirectoryError):
        publish_bi(catalog, local_settings, out.parent / "blocker", datetime.now(UTC))
    assert out.read_bytes() == before
    assert not list(out.parent.glob(".airlake-bi-*"))


def test_the_copy_is_the_current_snapshot_after_a_delete(
    local_settings: Settings, tmp_path: Path
) -> None:
    from airlake.tables import REPORT_FUNNEL, ensure_table

    catalog = open_catalog(local_settings)
    table = ensure_table(catalog, REPORT_FUNNEL)
    rows = [
        {f.name: None for f in REPORT_FUNNEL.schema}
        | {"event_date": date(2026, 11, d), "visitors": d}
        for d in (1, 2, 3)
    ]
    table.append(pa.Table.from_pylist(rows, schema=REPORT_FUNNEL.schema))
    table.delete("event_date = '2026-11-02'")
    out = tmp_path / "bi.duckdb"
    published = publish_bi(catalog, local_settings, out, datetime.now(UTC))
    assert published.tables["reports.funnel_daily"] == 2
    con = duckdb.connect(str(out), read_only=True)
    try:
        assert con.execute("SELECT visitors FROM reports.funnel_daily ORDER BY 1").fetchall() == [
            (1,),
            (3,),
        ]
        snapshot = con.execute(
            "SELECT snapshot_id FROM main.published WHERE table_name = 'reports.funnel_daily'"
        ).fetchone()
        assert snapshot == (
            catalog.load_table("reports.funnel_daily").current_snapshot().snapshot_id,
        )
    finally:
        con.close()


@pytest.mark.slow
def test_bi_file_carries_the_as_of_time_of_the_newest_refresh(intraday_lake) -> None:
    from airlake.report.bi import default_bi_path
    from airlake.stages import run_stage
    from airlake.stages.refresh import run_refresh
    from airlake.tables import read_table

    lake = intraday_lake()
    settings = lake.settings
    assert lake.release_until(9) > 0  # the files the sink closed by 09:00 UTC
    as_of = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with open_run(settings) as ctx:
        run_stage(ctx, "extract", lake.day)  # the campaigns and their budgets
        run_refresh(ctx, as_of)
        pacing = read_table(ctx.catalog, "reports.pacing_intraday").to_pylist()
    assert pacing
    con = duckdb.connect(str(default_bi_path(settings)), read_only=True)
    try:
        info = con.execute(
            "SELECT business_date, as_of, data_through FROM main.refresh_info"
        ).fetchall()
        tables = {r[0] for r in con.execute("SELECT table_name FROM main.published").fetchall()}
    finally:
        con.close()
    newest_event = max(r["data_through"] for r in pacing)
    assert [(d, a.astimezone(UTC), t.astimezone(UTC)) for d, a, t in info] == [
        (lake.day, as_of, newest_event)
    ]
    assert newest_event <= as_of
    assert {"reports.pacing_intraday", "reports.alerts"} <= tables


def test_the_profiles_bi_file_reads_clean_tables_in_place_through_maintenance(
    write_landing, tmp_path: Path
) -> None:
    """The run's own BI file copies the reports and points its clean tables at the published
    snapshot's files: it reads the published rows after the clean tables are rewritten twice
    and maintain expired every snapshot it may and removed every orphan; a file written
    elsewhere copies everything."""
    from airlake.lifecycle.maintain import maintain
    from airlake.report.bi import default_bi_path
    from airlake.stages import run_stage

    day = date(2026, 11, 10)
    write_landing(day, 10, [click_line(f"a{i}", "2026-11-10T10:00:00") for i in range(40)])
    settings = settings_from_values(
        {
            "storage": {
                "landing": str(tmp_path / "landing"),
                "warehouse": str(tmp_path / "state" / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/state/catalog.db"},
            "maintenance": {
                "snapshot_retention_hours": 0,
                "keep_last_snapshots": 1,
                "orphan_min_age_hours": 0,
            },
        },
        root=tmp_path,
    )
    with open_run(settings) as ctx:
        run_day(ctx, day, ("extract", "ingest", "clean", "sessions", "publish"))
        write_landing(day, 11, [click_line(f"b{i}", "2026-11-10T11:00:00") for i in range(5)])
        for _ in range(2):  # the clean tables replaced, not published
            for name in ("ingest", "clean", "sessions"):
                run_stage(ctx, name, day)
        maintain(ctx.catalog, settings, ctx.engine, ctx.storage, today=day, now_s=time.time() + 60)
        current = ctx.catalog.load_table("clean.events").scan().to_arrow().num_rows
    path = default_bi_path(settings)
    con = duckdb.connect(str(path), read_only=True)
    try:
        views = {
            r[0]
            for r in con.execute(
                "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
        # (clean.attributed_conversions has no rows here: an empty table, as before)
        assert views == {"clean.events", "clean.sessions"}
        published = dict(con.execute("SELECT table_name, row_count FROM main.published").fetchall())
        assert con.execute("SELECT COUNT(*) FROM clean.events").fetchone() == (40,)
        assert published["clean.events"] == 40
        assert con.execute("SELECT COUNT(*) FROM clean.sessions").fetchone()[0] > 0
    finally:
        con.close()
    assert current == 45  # the lakehouse moved on; the published file did not
    elsewhere = tmp_path / "export.duckdb"
    publish_bi(open_catalog(settings), settings, elsewhere, datetime.now(UTC))
    con = duckdb.connect(str(elsewhere), read_only=True)
    try:
        assert con.execute("SELECT COUNT(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (
            0,
        )
        assert con.execute("SELECT COUNT(*) FROM clean.events").fetchone() == (45,)
    finally:
        con.close()
