"""Table maintenance: retention, compaction, snapshot expiry and orphan removal, applied.

``airlake maintain`` and the ``maintain`` stage (the last task of every run) call
:func:`maintain`. Each step is idempotent and safe beside a run or a reader working at the same
time:

- retention and compaction are ordinary Iceberg commits that assert the table has not changed
  since they were planned; when a run commits first, the step leaves that table for the next
  maintenance instead of overwriting newer data;
- snapshot expiry keeps every snapshot that was current within the retention (so a scan
  planned on the current snapshot a moment ago still finds its files), and deletes only files
  that no remaining snapshot references, judged on the table as it is after the expiry commit;
- orphan removal deletes unreferenced files only when older than a safety age, since a run
  places its data files before it commits them.
"""

from __future__ import annotations

import re
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from airlake.engines import Engine, Relation
from airlake.lifecycle.policy import (
    SnapshotRecord,
    layer_retention,
    orphans,
    partitions_past_retention,
    partitions_to_compact,
    snapshots_to_expire,
)
from airlake.settings import MaintenancePolicy, Settings
from airlake.storage import StorageOptions, filesystem, fs_path, is_remote
from airlake.tables import (
    COMMIT_ATTEMPTS,
    TABLES,
    CommitResult,
    TableDef,
    _place_files,
    in_filter,
)

if TYPE_CHECKING:
    import fsspec
    from pyiceberg.catalog import Catalog
    from pyiceberg.io import FileIO
    from pyiceberg.table import Table


STAGE = "maintain"
METADATA_VERSIONS = "write.metadata.previous-versions-max"
MANIFEST_MERGE = {
    # Every commit adds a manifest; a table kept forever (the reports) would list one more
    # each day and every scan and commit read them all. Merged on append once there are 10.
    "commit.manifest-merge.enabled": "true",
    "commit.manifest.min-count-to-merge": "10",
}


@dataclass(frozen=True, slots=True)
class TableMaintenance:
    """What maintenance did to one table."""

    table: str
    retired_partitions: tuple[date, ...] = ()
    compacted_partitions: tuple[date, ...] = ()
    expired_snapshots: int = 0
    deleted_files: int = 0
    deleted_bytes: int = 0
    orphan_files: int = 0
    skipped: tuple[str, ...] = ()
    """Steps left for the next maintenance because a run committed to the table meanwhile."""
    commits: tuple[CommitResult, ...] = field(default=())


_SNAPSHOT_CELL = re.compile(r'<code data-table="([a-z_]+\.[a-z_]+)">(\d+)</code>')


def snapshots_named_in_page(html: str) -> dict[str, set[int]]:
    """Snapshot ids a published dashboard page names, per table (pure)."""
    out: dict[str, set[int]] = defaultdict(set)
    for table, snap in _SNAPSHOT_CELL.findall(html):
        out[table].add(int(snap))
    return dict(out)


def published_snapshots(settings: Settings) -> dict[str, set[int]]:
    """Snapshot ids named by the published BI file and the published dashboard
    (``reports/latest.html``), per table. Missing files name nothing.

    Dated pages (``airlake-<day>.html``) hold their numbers in the page itself; they pin no
    snapshot, so a year of pages does not keep a year of snapshots.
    """
    from airlake.report.bi import default_bi_path
    from airlake.report.publish import reports_dir

    out: dict[str, set[int]] = defaultdict(set)
    page = reports_dir(settings) / "latest.html"
    if page.is_file():
        for table, ids in snapshots_named_in_page(page.read_text(encoding="utf-8")).items():
            out[table] |= ids
    bi = default_bi_path(settings)
    if bi.is_file():
        for table, snap in _bi_snapshots(bi):
            out[table].add(snap)
    return dict(out)


def _bi_snapshots(path: Path) -> list[tuple[str, int]]:
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return []  # being replaced right now: the new file names current snapshots anyway
    try:
        rows = con.execute(
            "SELECT table_name, snapshot_id FROM main.published WHERE snapshot_id IS NOT NULL"
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    return [(str(t), int(s)) for t, s in rows]


def _records(table: Table) -> list[SnapshotRecord]:
    out = []
    for snap in table.metadata.snapshots:
        props = snap.summary.additional_properties if snap.summary else {}
        out.append(
            SnapshotRecord(
                snap.snapshot_id,
                snap.parent_snapshot_id,
                snap.timestamp_ms,
                props.get("airlake.stage", ""),
            )
        )
    return out


def _log(table: Table) -> list[tuple[int, int]]:
    return [(e.snapshot_id, e.timestamp_ms) for e in table.metadata.snapshot_log]


def referenced_files(table: Table, snapshot_ids: Iterable[int] | None = None) -> set[str]:
    """Paths (without scheme) of every file the given snapshots (default: all) reach: manifest
    lists, manifests, data and delete files."""
    io: FileIO = table.io
    wanted = None if snapshot_ids is None else set(snapshot_ids)
    seen_manifests: set[str] = set()
    out: set[str] = set()
    for snap in table.metadata.snapshots:
        if wanted is not None and snap.snapshot_id not in wanted:
            continue
        out.add(fs_path(snap.manifest_list))
        for manifest in snap.manifests(io):
            if manifest.manifest_path in seen_manifests:
                continue
            seen_manifests.add(manifest.manifest_path)
            out.add(fs_path(manifest.manifest_path))
            for entry in manifest.fetch_manifest_entry(io, discard_deleted=True):
                out.add(fs_path(entry.data_file.file_path))
    return out


def _metadata_files(table: Table) -> set[str]:
    files = {fs_path(e.metadata_file) for e in table.metadata.metadata_log}
    files.add(fs_path(table.metadata_location))
    for stats in table.metadata.statistics:
        files.add(fs_path(stats.statistics_path))
    return files


def _listing(fs: fsspec.AbstractFileSystem, root: str) -> list[tuple[str, float, int]]:
    """(path, modified-at seconds, size) of every file under ``root``."""
    if not fs.exists(root):
        return []
    out = []
    for path, info in fs.find(root, detail=True).items():
        mtime = info.get("mtime")
        if mtime is None:
            modified = info.get("LastModified")
            mtime = modified.timestamp() if modified is not None else time.time()
        # local paths come back absolute, S3 ones as bucket/key: both as fs_path() gives them
        out.append((path, float(mtime), int(info.get("size") or 0)))
    return out


def _commit_guarded(table: Table, build: object) -> bool:
    """Run ``build(tx)`` in one transaction; False when another commit came first."""
    from pyiceberg.exceptions import CommitFailedException, ValidationException

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Delete operation did not match any records")
            with table.transaction() as tx:
                build(tx)  # type: ignore[operator]
    except (CommitFailedException, ValidationException):
        return False
    return True


def _partition_files(table: Table, column: str) -> dict[date, list[tuple[str, int]]]:
    out: dict[date, list[tuple[str, int]]] = defaultdict(list)
    if table.current_snapshot() is None:
        return out
    for task in table.scan().plan_files():
        value = task.file.partition[0]
        if value is None:
            continue
        day = (
            value
            if isinstance(value, date)
            else date.fromordinal(date(1970, 1, 1).toordinal() + value)
        )
        out[day].append((task.file.file_path, task.file.file_size_in_bytes))
    return out


def maintain_table(
    catalog: Catalog,
    tdef: TableDef,
    settings: Settings,
    engine: Engine,
    storage: StorageOptions,
    *,
    today: date,
    now_s: float,
    protected: Iterable[int] = (),
) -> TableMaintenance:
    """Maintain one table: drop partitions past its layer's retention, compact partitions of
    many small files, expire old snapshots and delete the files only they held, then delete
    orphan files older than the safety age."""
    if not catalog.table_exists(tdef.name):
        return TableMaintenance(tdef.name)
    policy = settings.maintenance
    table = catalog.load_table(tdef.name)
    commits: list[CommitResult] = []
    skipped: list[str] = []
    retired: tuple[date, ...] = ()
    compacted: list[date] = []
    props = {"airlake.stage": STAGE, "airlake.engine": engine.name}

    if tdef.partition_column is not None and table.current_snapshot() is not None:
        column = tdef.partition_column
        files = _partition_files(table, column)
        old = partitions_past_retention(
            files, layer_retention(tdef.name, settings.retention), today
        )
        if old:
            retire_props = {**props, "airlake.partitions": ",".join(d.isoformat() for d in old)}
            if _commit_guarded(
                table,
                lambda tx: tx.delete(in_filter(column, old), snapshot_properties=retire_props),
            ):
                retired = tuple(old)
                table = catalog.load_table(tdef.name)
                commits.append(_result(tdef, table, 0, retired))
                files = _partition_files(table, column)
            else:
                skipped.append("retention")
                table = catalog.load_table(tdef.name)
        sizes = {day: [size for _, size in fs] for day, fs in files.items()}
        for day in partitions_to_compact(sizes, policy):
            done = _compact(catalog, table, tdef, engine, storage, day, files[day], props)
            table = catalog.load_table(tdef.name)
            if done:
                compacted.append(day)
                commits.append(_result(tdef, table, 1, (day,)))
            else:
                skipped.append(f"compaction of {day}")

    wanted = {METADATA_VERSIONS: str(policy.metadata_versions_kept), **MANIFEST_MERGE}
    if any(table.properties.get(k) != v for k, v in wanted.items()):
        # a property commit; when a run commits first, the next maintenance sets it
        _commit_guarded(table, lambda tx: tx.set_properties(wanted))
        table = catalog.load_table(tdef.name)
    expired, held, table = _expire(catalog, tdef, table, policy, protected, now_s)
    fs = filesystem(table.location(), storage)
    keep = referenced_files(table) | _metadata_files(table)
    deleted_files, deleted_bytes = _delete(fs, sorted(held - keep))
    listed = _listing(fs, fs_path(table.location()))
    stray = orphans(((p, m) for p, m, _ in listed), keep, now_s, policy)
    removed, removed_bytes = _delete(fs, stray)
    return TableMaintenance(
        tdef.name,
        retired_partitions=retired,
        compacted_partitions=tuple(compacted),
        expired_snapshots=expired,
        deleted_files=deleted_files + removed,
        deleted_bytes=deleted_bytes + removed_bytes,
        orphan_files=removed,
        skipped=tuple(skipped),
        commits=tuple(commits),
    )


def _expire(
    catalog: Catalog,
    tdef: TableDef,
    table: Table,
    policy: MaintenancePolicy,
    protected: Iterable[int],
    now_s: float,
) -> tuple[int, set[str], Table]:
    """Expire the snapshots the policy names, planned again when a run commits meanwhile;
    (snapshots expired, files they reached, the table after the commit)."""
    from pyiceberg.exceptions import CommitFailedException

    pinned = set(protected)
    for _ in range(COMMIT_ATTEMPTS):
        expire = snapshots_to_expire(
            _records(table),
            _log(table),
            table.metadata.current_snapshot_id,
            policy,
            pinned,
            int(now_s * 1000),
        )
        if not expire:
            return 0, set(), table
        held = referenced_files(table, expire)
        try:
            table.maintenance.expire_snapshots().by_ids(sorted(expire)).commit()
        except (CommitFailedException, ValueError):
            # a run (or another maintenance) committed first: plan again on its state
            table = catalog.load_table(tdef.name)
            continue
        # files are judged on the table as it is now, so a commit made meanwhile keeps its own
        return len(expire), held, catalog.load_table(tdef.name)
    return 0, set(), catalog.load_table(tdef.name)


def _result(tdef: TableDef, table: Table, files: int, parts: tuple[date, ...]) -> CommitResult:
    snap = table.current_snapshot()
    return CommitResult(tdef.name, snap.snapshot_id if snap else None, files, parts)


def _delete(fs: fsspec.AbstractFileSystem, paths: list[str]) -> tuple[int, int]:
    count = size = 0
    for path in paths:
        try:
            info_size = int(fs.info(path).get("size") or 0)
            fs.rm_file(path)
        except FileNotFoundError:
            continue  # removed by a maintenance running at the same time
        count += 1
        size += info_size
    return count, size


def _compact(
    catalog: Catalog,
    table: Table,
    tdef: TableDef,
    engine: Engine,
    storage: StorageOptions,
    day: date,
    files: list[tuple[str, int]],
    props: dict[str, str],
) -> bool:
    """Rewrite one partition's files as one, in one commit that fails when the table changed
    since it was read (then the new file is removed and the partition left as it is)."""
    column = tdef.partitioned_by
    with tempfile.TemporaryDirectory(prefix="airlake-compact-") as tmp:
        out = engine.materialize(
            "SELECT * FROM part",
            {"part": Relation(tuple(p for p, _ in files), tdef.schema)},
            tmp,
            column,
            tdef.schema,
        )
        placed = _place_files(table, tdef, out, storage)
    compact_props = {
        **props,
        "airlake.partitions": day.isoformat(),
        "airlake.compacted": str(len(files)),
    }

    def build(tx: object) -> None:
        tx.delete(in_filter(column, [day]), snapshot_properties=compact_props)  # type: ignore[attr-defined]
        tx.add_files(placed, snapshot_properties=compact_props, check_duplicate_files=False)  # type: ignore[attr-defined]

    if _commit_guarded(table, build):
        return True
    _delete(filesystem(table.location(), storage), [fs_path(p) for p in placed])
    return False


def landing_past_retention(settings: Settings, today: date) -> list[str]:
    """Delete local landing files whose landing day is past the landing retention; their paths.

    A file's age is its landing day, read from its path (the sink's record-time partition), not
    when it was written: files of landing day L leave at the first maintain on or after
    L + ``retention.landing_days`` + 1, which is the date ``forget`` promises the person's lines
    are gone by, even for a file the sink wrote days after L. Only a local landing folder is
    touched here; on S3 the landing bucket's lifecycle rule expires objects by age.
    """
    from airlake.landing import parse_key

    days = settings.retention.landing_days
    if days is None or is_remote(settings.landing_uri):
        return []
    root = Path(settings.landing_uri)
    if not root.is_dir():
        return []
    cutoff = today - timedelta(days=days)
    removed = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        key = parse_key(str(path))
        if key is not None and key.landing_date < cutoff:
            path.unlink()
            removed.append(str(path))
    return removed


def maintain(
    catalog: Catalog,
    settings: Settings,
    engine: Engine,
    storage: StorageOptions,
    *,
    today: date,
    now_s: float | None = None,
) -> list[TableMaintenance]:
    """Maintain every table (see :func:`maintain_table`) and the local landing folder."""
    now = time.time() if now_s is None else now_s
    protected = published_snapshots(settings)
    out = [
        maintain_table(
            catalog,
            tdef,
            settings,
            engine,
            storage,
            today=today,
            now_s=now,
            protected=protected.get(tdef.name, ()),
        )
        for tdef in TABLES
    ]
    landing_past_retention(settings, today)
    return out
