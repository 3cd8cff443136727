"""The publish stage: the dashboard for the run's window and the BI file."""

from __future__ import annotations

from datetime import UTC, datetime

from airlake.report.bi import default_bi_path, publish_bi
from airlake.report.build import RunMeta
from airlake.report.publish import remote_state, reports_dir, write_dashboard
from airlake.run_context import RunContext, Window
from airlake.storage import StorageOptions, filesystem, fs_path, join
from airlake.tables import CommitResult


def stage_publish(ctx: RunContext, w: Window) -> list[CommitResult]:
    """Write ``reports/airlake-<day>.html`` and ``reports/latest.html`` for the run's window,
    and the BI file; with a warehouse on S3, also upload them next to it (one PUT per object,
    which S3 makes visible whole). Commits no table, so returns ``[]``."""
    now = datetime.now(UTC)
    folder = reports_dir(ctx.settings)
    name = f"airlake-{w.day.isoformat()}.html"
    meta = RunMeta(ctx.settings.environment, ctx.engine.name, now)
    page = write_dashboard(
        ctx.catalog,
        w.start,
        w.day,
        meta,
        folder / name,
        folder / "latest.html",
        business_timezone=ctx.settings.intraday.business_timezone,
    )
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
