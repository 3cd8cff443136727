"""The pipeline's publish stage: the dashboard for the run's window and the BI file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from airlake.report.bi import default_bi_path, publish_bi
from airlake.report.build import RunMeta, build_html
from airlake.report.data import load_report_data
from airlake.settings import Settings
from airlake.storage import is_remote

if TYPE_CHECKING:
    from airlake.pipeline import RunContext, Window
    from airlake.tables import CommitResult


def reports_dir(settings: Settings) -> Path:
    base = (
        Path(".airlake")
        if is_remote(settings.warehouse_uri)
        else Path(settings.warehouse_uri).parent
    )
    return base / "reports"


def write_dashboard(ctx: RunContext, first: object, last: object, out: Path, now: datetime) -> Path:
    data = load_report_data(ctx.catalog, first, last)  # type: ignore[arg-type]
    html = build_html(data, RunMeta(ctx.settings.environment, ctx.engine.name, now))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out


def stage_publish(ctx: RunContext, w: Window) -> list[CommitResult]:
    """Write ``reports/airlake-<day>.html`` (+ ``latest.html``) and the BI file. Commits nothing."""
    now = datetime.now(UTC)
    folder = reports_dir(ctx.settings)
    page = write_dashboard(ctx, w.start, w.day, folder / f"airlake-{w.day.isoformat()}.html", now)
    (folder / "latest.html").write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    publish_bi(ctx.catalog, ctx.settings, default_bi_path(ctx.settings), now)
    ctx.on_progress(f"published {page} and {default_bi_path(ctx.settings)}")
    return []
