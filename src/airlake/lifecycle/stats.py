"""How big each table has grown: snapshots, live data files, and what lies on storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from airlake.storage import StorageOptions, filesystem, fs_path, join
from airlake.tables import TABLES

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog


@dataclass(frozen=True, slots=True)
class TableGrowth:
    """One table's size: what its current snapshot uses and what its location holds."""

    name: str
    snapshots: int
    data_files: int
    """Data files of the current snapshot."""
    data_bytes: int
    stored_data_files: int
    """Files under the table's ``data/`` folder, referenced or not."""
    stored_data_bytes: int
    metadata_files: int
    """Files under ``metadata/``: table metadata JSON, manifest lists, manifests."""
    metadata_bytes: int

    @property
    def average_file_bytes(self) -> int:
        return self.data_bytes // self.data_files if self.data_files else 0


def _folder(fs: object, path: str) -> tuple[int, int]:
    if not fs.exists(path):  # type: ignore[attr-defined]
        return 0, 0
    found = fs.find(path, detail=True)  # type: ignore[attr-defined]
    return len(found), sum(int(info.get("size") or 0) for info in found.values())


def table_growth(catalog: Catalog, storage: StorageOptions) -> list[TableGrowth]:
    """Every pipeline table's growth figures (zeros for a table not created yet)."""
    out = []
    for tdef in TABLES:
        if not catalog.table_exists(tdef.name):
            out.append(TableGrowth(tdef.name, 0, 0, 0, 0, 0, 0, 0))
            continue
        table = catalog.load_table(tdef.name)
        tasks = list(table.scan().plan_files()) if table.current_snapshot() else []
        location = table.location()
        fs = filesystem(location, storage)
        stored = _folder(fs, fs_path(join(location, "data")))
        meta = _folder(fs, fs_path(join(location, "metadata")))
        out.append(
            TableGrowth(
                tdef.name,
                len(table.metadata.snapshots),
                len(tasks),
                sum(t.file.file_size_in_bytes for t in tasks),
                stored[0],
                stored[1],
                meta[0],
                meta[1],
            )
        )
    return out
