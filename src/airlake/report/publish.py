"""The pipeline's publish stage: the dashboard for the run's window and the BI file."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from airlake.report.bi import default_bi_path, publish_bi, state_dir
from airlake.report.build import RunMeta, build_html
from airlake.report.data import load_report_data
from airlake.settings import Settings
from airlake.storage import StorageOptions, filesystem, fs_path, is_remote, join

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

    from airlake.pipeline import RunContext, Window
    from airlake.tables import CommitResult


def reports_dir(settings: Settings) -> Path:
    """``<warehouse parent>/reports`` for a local warehouse (``.airlake/reports`` for S3)."""
    return state_dir(settings) / "reports"


def _write_atomically(path: Path, text: str) -> None:
    """A browser reloading the page sees the old or the new file, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_dashboard(
    catalog: Catalog, first: date, last: date, meta: RunMeta, out: Path, *extra: Path
) -> Path:
    """Read the report tables for ``[first, last]`` and write the page to ``out`` (and to
    every path in ``extra``), each replaced atomically. Returns ``out``."""
    page = build_html(load_report_data(catalog, first, last), meta)
    for path in (out, *extra):
        _write_atomically(path, page)
    return out


def remote_state(settings: Settings) -> str | None:
    """For a warehouse on S3, the URI next to it that receives copies of the published files
    (``s3://bucket/lake`` → ``s3://bucket``); None for a local warehouse."""
    if not is_remote(settings.warehouse_uri):
        return None
    scheme, _, path = settings.warehouse_uri.rstrip("/").partition("://")
    parent = path.rsplit("/", 1)[0] if "/" in path else path
    return f"{scheme}://{parent}"


def stage_publish(ctx: RunContext, w: Window) -> list[CommitResult]:
    """Write ``reports/airlake-<day>.html`` and ``reports/latest.html`` for the run's window,
    and the BI file; with a warehouse on S3, also upload them next to it (one PUT per object,
    which S3 makes visible whole). Commits no table, so returns ``[]``."""
    now = datetime.now(UTC)
    folder = reports_dir(ctx.settings)
    name = f"airlake-{w.day.isoformat()}.html"
    meta = RunMeta(ctx.settings.environment, ctx.engine.name, now)
    page = write_dashboard(ctx.catalog, w.start, w.day, meta, folder / name, folder / "latest.html")
    bi = publish_bi(ctx.catalog, ctx.settings, default_bi_path(ctx.settings), now)
    remote = remote_state(ctx.settings)
    if remote is not None:
        fs = filesystem(remote, StorageOptions(ctx.settings.s3_endpoint, ctx.settings.aws_region))
        for local, key in (
            (page, join(remote, "reports", name)),
            (page, join(remote, "reports", "latest.html")),
            (bi.path, join(remote, "bi", bi.path.name)),
        ):
            fs.put_file(str(local), fs_path(key))
        ctx.on_progress(f"published {page} and {bi.path}, copied to {remote}")
    else:
        ctx.on_progress(f"published {page} and {bi.path}")
    return []
