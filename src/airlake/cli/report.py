"""Commands for BI users: report (the HTML dashboard) and publish-bi (the DuckDB file)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from airlake.cli.platform import env_options, parse_day, settings_for
from airlake.errors import UserError
from airlake.settings import EngineMode


@click.command("report")
@click.option("--date", "day", required=True, help="Last day of the report (YYYY-MM-DD).")
@click.option(
    "--days", default=3, show_default=True, type=click.IntRange(1, 366), help="Days in the period."
)
@click.option("--out", default=None, type=click.Path(dir_okay=False), help="HTML file to write.")
@env_options
def report_command(
    day: str, days: int, out: str | None, env: str, overrides: tuple[str, ...]
) -> None:
    """Write the self-contained HTML dashboard for a period."""
    from airlake.catalog import open_catalog
    from airlake.report.build import RunMeta
    from airlake.report.publish import reports_dir, write_dashboard

    settings = settings_for(env, overrides)
    last = parse_day(day)
    first = last - timedelta(days=days - 1)
    target = Path(out) if out else reports_dir(settings) / f"airlake-{first}-{last}.html"
    # the engine the environment runs its tables with; the page itself needs none
    engine = "spark" if settings.engine in (EngineMode.SPARK, EngineMode.EMR) else "duckdb"
    meta = RunMeta(settings.environment, engine, datetime.now(UTC))
    try:
        page = write_dashboard(open_catalog(settings, create=False), first, last, meta, target)
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
    click.echo(f"report: {page.resolve()}")


@click.command("publish-bi")
@click.option("--out", default=None, type=click.Path(dir_okay=False), help="DuckDB file to write.")
@env_options
def publish_bi_command(out: str | None, env: str, overrides: tuple[str, ...]) -> None:
    """Publish the report and clean tables to a DuckDB file for BI tools (atomic replace)."""
    from airlake.catalog import open_catalog
    from airlake.report.bi import default_bi_path, publish_bi

    settings = settings_for(env, overrides)
    target = Path(out) if out else default_bi_path(settings)
    try:
        published = publish_bi(
            open_catalog(settings, create=False), settings, target, datetime.now(UTC)
        )
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
    for name, rows in published.tables.items():
        click.echo(f"{name:32} {rows:>10,} rows")
    click.echo(
        f"BI file: {published.path.resolve()} (open read-only: duckdb -readonly {published.path})"
    )


def register(cli: click.Group) -> None:
    """Add ``report`` and ``publish-bi`` to the main group."""
    cli.add_command(report_command)
    cli.add_command(publish_bi_command)
