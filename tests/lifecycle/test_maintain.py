"""Maintenance on real pyiceberg commits (SQLite catalog) and DuckDB."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airlake.lifecycle.maintain import maintain, published_snapshots, snapshots_named_in_page
from airlake.run_context import open_run
from airlake.settings import MaintenancePolicy, Retention, Settings
from airlake.stages import run_day
from airlake.tables import (
    CLEAN_EVENTS,
    RAW_EVENTS,
    TABLES,
    content_hash,
    read_table,
    replace_partitions,
)
from tests.conftest import click_line

D1 = date(2026, 11, 10)
D2 = date(2026, 11, 11)
BUILD = ("extract", "ingest", "clean", "sessions", "attribution", "reports", "quality")


@pytest.fixture
def landed(write_landing) -> None:
    write_landing(D1, 10, [click_line("e1", "2026-11-10T10:00:00", anonymous_id="p-1")])
    write_landing(
        D2, 1, [click_line("e2", "2026-11-11T00:30:00"), click_line("e1", "2026-11-10T10:00:00")]
    )


def _aggressive(settings: Settings, **changes: object) -> Settings:
    policy = dataclasses.replace(
        MaintenancePolicy(
            snapshot_retention_hours=0,
            keep_last_snapshots=1,
            orphan_min_age_hours=0,
            compact_min_files=2,
        ),
        **changes,
    )
    return dataclasses.replace(settings, maintenance=policy)


def _all_hashes(settings: Settings) -> dict[str, str]:
    with open_run(settings) as ctx:
        return {t.name: content_hash(read_table(ctx.catalog, t.name)) for t in TABLES}


def _warehouse_files(settings: Settings) -> list[Path]:
    return [p for p in Path(settings.warehouse_uri).rglob("*") if p.is_file()]


def test_expiry_keeps_content_and_removes_replaced_files(landed, local_settings: Settings) -> None:
    with open_run(local_settings) as ctx:
        for _ in range(3):  # re-runs replace partitions: history and dead files pile up
            run_day(ctx, D1, BUILD)
            run_day(ctx, D2, BUILD)
    before = _all_hashes(local_settings)
    files_before = len(_warehouse_files(local_settings))
    settings = _aggressive(local_settings)
    with open_run(settings) as ctx:
        results = maintain(
            ctx.catalog, settings, ctx.engine, ctx.storage, today=D2, now_s=time.time() + 1
        )
        events = ctx.catalog.load_table(CLEAN_EVENTS.name)
        assert len(events.metadata.snapshots) == 1
    assert sum(r.expired_snapshots for r in results) > 0
    assert sum(r.deleted_files for r in results) > 0
    assert _all_hashes(settings) == before  # the current data is untouched
    assert len(_warehouse_files(settings)) < files_before
    # every file the tables reference is still there
    from airlake.catalog import open_catalog
    from airlake.catalog_views import check_files

    assert check_files(open_catalog(settings, create=False)).problems == []
    # idempotent: a second pass finds nothing to do and changes nothing
    with open_run(settings) as ctx:
        again = maintain(
            ctx.catalog, settings, ctx.engine, ctx.storage, today=D2, now_s=time.time() + 1
        )
    assert sum(r.expired_snapshots + r.deleted_files for r in again) == 0
    assert _all_hashes(settings) == before


def test_retention_keeps_recent_snapshots_and_young_orphans(
    landed, local_settings: Settings
) -> None:
    with open_run(local_settings) as ctx:
        run_day(ctx, D1, BUILD)
        run_day(ctx, D1, BUILD)
        table = ctx.catalog.load_table(RAW_EVENTS.name)
        stray = Path(table.location().removeprefix("file://")) / "data" / "stray.parquet"
        stray.write_bytes(b"not committed yet")
        snapshots = len(ctx.catalog.load_table(CLEAN_EVENTS.name).metadata.snapshots)
        # the profile's defaults: 7 days of snapshots, orphans older than 24 h
        results = maintain(ctx.catalog, local_settings, ctx.engine, ctx.storage, today=D1)
        assert len(ctx.catalog.load_table(CLEAN_EVENTS.name).metadata.snapshots) == snapshots
    assert sum(r.expired_snapshots + r.deleted_files for r in results) == 0
    assert stray.exists()
    old = time.time() - 25 * 3600
    os.utime(stray, (old, old))
    with open_run(local_settings) as ctx:
        results = maintain(ctx.catalog, local_settings, ctx.engine, ctx.storage, today=D1)
    assert not stray.exists()
    assert sum(r.orphan_files for r in results) == 1


def test_partitions_past_the_layer_retention_are_dropped(landed, local_settings: Settings) -> None:
    with open_run(local_settings) as ctx:
        run_day(ctx, D1, BUILD)
        run_day(ctx, D2, BUILD)
    settings = dataclasses.replace(
        local_settings, retention=Retention(landing_days=None, raw_days=10, clean_days=None)
    )
    later = D2 + timedelta(days=10)  # D1 is 11 days old: past raw's 10, D2 is kept
    with open_run(settings) as ctx:
        results = {
            r.table: r
            for r in maintain(ctx.catalog, settings, ctx.engine, ctx.storage, today=later)
        }
        raw = read_table(ctx.catalog, RAW_EVENTS.name)
        clean = read_table(ctx.catalog, CLEAN_EVENTS.name)
        reports = read_table(ctx.catalog, "reports.data_quality_daily")
    assert results["raw.events"].retired_partitions == (D1,)
    assert set(raw.column("landing_date").to_pylist()) == {D2}
    assert D1 in set(clean.column("event_date").to_pylist())  # clean keeps data forever here
    assert set(reports.column("landing_date").to_pylist()) == {D1, D2}  # reports: forever


def test_many_small_files_are_compacted_into_one(local_settings: Settings, tmp_path) -> None:
    files = []
    for i in range(4):
        part = tmp_path / f"out{i}" / "landing_date=2026-11-10"
        part.mkdir(parents=True)
        data = pa.table(
            {"landing_date": [D1], "path": [f"f{i}"], "size": [i], "version": ["v"]},
            schema=pa.schema(
                [
                    pa.field("landing_date", pa.date32()),
                    pa.field("path", pa.string()),
                    pa.field("size", pa.int64()),
                    pa.field("version", pa.string()),
                ]
            ),
        )
        pq.write_table(data, part / "f.parquet")
        files.append(str(part / "f.parquet"))
    from airlake.tables import RAW_LANDING_FILES

    settings = _aggressive(local_settings, snapshot_retention_hours=168, keep_last_snapshots=5)
    with open_run(settings) as ctx:
        replace_partitions(ctx.catalog, RAW_LANDING_FILES, files, [D1], ctx.storage)
        before = content_hash(read_table(ctx.catalog, RAW_LANDING_FILES.name))
        results = {
            r.table: r for r in maintain(ctx.catalog, settings, ctx.engine, ctx.storage, today=D1)
        }
        table = ctx.catalog.load_table(RAW_LANDING_FILES.name)
        live = list(table.scan().plan_files())
        after = content_hash(read_table(ctx.catalog, RAW_LANDING_FILES.name))
        summary = table.current_snapshot().summary.additional_properties
    assert results[RAW_LANDING_FILES.name].compacted_partitions == (D1,)
    assert len(live) == 1 and after == before
    assert summary["airlake.stage"] == "maintain"


def test_a_reader_and_a_run_during_maintenance_see_whole_snapshots(
    landed, local_settings: Settings
) -> None:
    with open_run(local_settings) as ctx:
        for _ in range(3):
            run_day(ctx, D1, BUILD)
            run_day(ctx, D2, BUILD)
    expected = _all_hashes(local_settings)
    # every snapshot replaced before now is past the retention once maintenance starts
    settings = _aggressive(local_settings, snapshot_retention_hours=0, orphan_min_age_hours=1)
    started = time.time()
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        from airlake.catalog import open_catalog

        catalog = open_catalog(settings, create=False)
        try:
            while not stop.is_set():
                for name in (CLEAN_EVENTS.name, "reports.campaign_daily", RAW_EVENTS.name):
                    assert content_hash(read_table(catalog, name)) == expected[name], name
        except BaseException as exc:
            errors.append(exc)

    def runner() -> None:
        try:
            with open_run(local_settings) as ctx:
                run_day(ctx, D2, BUILD)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader), threading.Thread(target=runner)]
    for t in threads:
        t.start()
    expired = 0
    with open_run(settings) as ctx:
        for _ in range(2):
            results = maintain(
                ctx.catalog, settings, ctx.engine, ctx.storage, today=D2, now_s=started
            )
            expired += sum(r.expired_snapshots for r in results)
    threads[1].join()
    stop.set()
    threads[0].join()
    assert errors == []
    assert expired > 0
    assert _all_hashes(local_settings) == expected
    from airlake.catalog import open_catalog
    from airlake.catalog_views import check_files

    assert check_files(open_catalog(settings, create=False)).problems == []


def test_snapshots_named_by_published_files_are_kept(landed, local_settings: Settings) -> None:
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)  # every stage: publishes the dashboard and the BI file
        named = published_snapshots(local_settings)
        pinned = next(iter(named[CLEAN_EVENTS.name]))
        run_day(ctx, D1, BUILD)
        run_day(ctx, D1, BUILD)
    settings = _aggressive(local_settings)
    with open_run(settings) as ctx:
        maintain(ctx.catalog, settings, ctx.engine, ctx.storage, today=D1, now_s=time.time() + 1)
        ids = {s.snapshot_id for s in ctx.catalog.load_table(CLEAN_EVENTS.name).snapshots()}
        rows = ctx.catalog.load_table(CLEAN_EVENTS.name).scan(snapshot_id=pinned).to_arrow()
    assert pinned in ids and len(ids) == 2
    assert rows.num_rows == 1


def test_snapshot_ids_are_read_from_a_dashboard_page() -> None:
    page = (
        '<td>clean.events</td><td><code data-table="clean.events">123</code></td>'
        '<td>dim.campaigns</td><td><code data-table="dim.campaigns">–</code></td>'
    )
    assert snapshots_named_in_page(page) == {"clean.events": {123}}


def test_the_spark_job_entry_point_runs_maintain(
    landed, local_settings: Settings, tmp_path, capsys
) -> None:
    import json

    from airlake.jobs.spark_job import main

    profile = tmp_path / "p.toml"
    profile.write_text(
        f"""
name = "local"
[storage]
landing = "{local_settings.landing_uri}"
warehouse = "{local_settings.warehouse_uri}"
[catalog]
type = "sqlite"
uri = "{local_settings.catalog_uri}"
"""
    )
    with open_run(local_settings) as ctx:
        run_day(ctx, D1, BUILD)
    assert main(["maintain", "--date", str(D1), "--env", str(profile), "--engine", "duckdb"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["stage"] == "maintain"


@pytest.mark.integration
@pytest.mark.slow
def test_maintenance_on_s3(moto_endpoint: str, tmp_path) -> None:
    import boto3

    from airlake.catalog import open_catalog
    from airlake.catalog_views import check_files
    from airlake.generator import GeneratorConfig, generate
    from airlake.settings import settings_from_values
    from airlake.storage import StorageOptions, filesystem

    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="eu-west-1")
    for bucket in ("landing", "warehouse"):
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    generate(GeneratorConfig(start=D1, days=1, events_per_day=300, seed=3, out="s3://landing/ev"))
    settings = settings_from_values(
        {
            "name": "s3",
            "storage": {"landing": "s3://landing/ev", "warehouse": "s3://warehouse/lake"},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/catalog.db"},
        }
    )
    with open_run(settings) as ctx:
        run_day(ctx, D1, BUILD)
        run_day(ctx, D1, BUILD)
    fs = filesystem("s3://", StorageOptions())
    stored_before = len(fs.find("warehouse/lake"))
    expected = _all_hashes(settings)
    aggressive = _aggressive(settings)
    with open_run(aggressive) as ctx:
        results = maintain(
            ctx.catalog, aggressive, ctx.engine, ctx.storage, today=D1, now_s=time.time() + 1
        )
    assert sum(r.deleted_files for r in results) > 0
    assert len(fs.find("warehouse/lake")) < stored_before
    assert _all_hashes(settings) == expected
    assert check_files(open_catalog(settings, create=False)).problems == []


def test_local_landing_files_leave_by_their_landing_day(
    write_landing, local_settings: Settings
) -> None:
    from airlake.lifecycle.maintain import landing_past_retention

    old = write_landing(D1, 10, [click_line("e1", "2026-11-10T10:00:00")])
    fresh = write_landing(D2, 10, [click_line("e2", "2026-11-11T10:00:00")])
    # written long ago, but its landing day is recent: its path decides, not its age on disk
    written = time.time() - 400 * 86_400
    os.utime(fresh, (written, written))
    settings = dataclasses.replace(local_settings, retention=Retention(landing_days=30))
    assert landing_past_retention(settings, D1 + timedelta(days=30)) == []
    assert landing_past_retention(settings, D1 + timedelta(days=31)) == [str(old)]
    assert not old.exists() and fresh.exists()
    forever = dataclasses.replace(local_settings, retention=Retention(landing_days=None))
    assert landing_past_retention(forever, D2 + timedelta(days=9999)) == []


def test_old_metadata_files_are_trimmed(landed, local_settings: Settings) -> None:
    settings = _aggressive(local_settings, metadata_versions_kept=2)
    with open_run(settings) as ctx:
        run_day(ctx, D1, BUILD)
        maintain(ctx.catalog, settings, ctx.engine, ctx.storage, today=D1, now_s=time.time() + 1)
        for _ in range(3):  # later commits trim the metadata log to 2 entries
            run_day(ctx, D1, BUILD)
        maintain(ctx.catalog, settings, ctx.engine, ctx.storage, today=D1, now_s=time.time() + 1)
        table = ctx.catalog.load_table(CLEAN_EVENTS.name)
        folder = Path(table.location().removeprefix("file://")) / "metadata"
    assert table.properties["write.metadata.previous-versions-max"] == "2"
    # the current file, the two it lists, and the one the expiry commit wrote
    assert len(list(folder.glob("*.metadata.json"))) <= 4
