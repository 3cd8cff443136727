"""Publishing: the dashboard for a range of days and the BI file, written atomically."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from airlake.report.bi import state_dir
from airlake.report.build import RunMeta, build_html
from airlake.report.data import load_report_data
from airlake.settings import Settings
from airlake.storage import is_remote

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog


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
    catalog: Catalog,
    first: date,
    last: date,
    meta: RunMeta,
    out: Path,
    *extra: Path,
    business_timezone: str | None = None,
) -> Path:
    """Read the report tables for ``[first, last]`` and write the page to ``out`` (and to
    every path in ``extra``), each replaced atomically. With ``business_timezone``, the page
    opens with the newest intraday refresh ("today so far"). Returns ``out``."""
    page = build_html(load_report_data(catalog, first, last, business_timezone), meta)
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
