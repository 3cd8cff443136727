"""Packaging airlake for a Spark cluster: a zip for ``--py-files`` and the job entry file."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_SKIP_DIRS = {"__pycache__", "cli", "orchestration", "preflight", "infra"}


@dataclass(frozen=True, slots=True)
class Package:
    zip_path: Path
    entry_path: Path
    files: int


def build_package(out: Path) -> Package:
    """Write ``airlake.zip`` (the modules a Spark step imports) and ``spark_job.py`` into ``out``.

    The zip leaves out what only runs on the Airflow side or a laptop (CLI, DAG, preflight, infra).
    Third-party dependencies (pyarrow, pyiceberg, duckdb, sqlglot, fsspec/s3fs, sqlalchemy) are
    not in it: install them on the cluster (an EMR bootstrap action running
    ``pip install -r requirements.txt``, or a custom image).
    """
    root = Path(str(resources.files("airlake")))
    out.mkdir(parents=True, exist_ok=True)
    zip_path = out / "airlake.zip"
    count = 0
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if path.is_dir() or set(rel.parts[:-1]) & _SKIP_DIRS or path.suffix in (".pyc", ".pyo"):
                continue
            zf.write(path, Path("airlake") / rel)
            count += 1
    entry = out / "spark_job.py"
    shutil.copyfile(root / "jobs" / "spark_job.py", entry)
    return Package(zip_path, entry, count)
