"""Commands that involve Airflow: demo (the whole platform through Airflow)."""

from __future__ import annotations

import click

from airlake.cli.output import render, text_table
from airlake.cli.platform import env_options, parse_day, progress, settings_for


@click.command("demo")
@click.option("--start", default="2026-11-01", show_default=True, help="First generated day.")
@click.option(
    "--days", default=2, show_default=True, type=click.IntRange(1, 31), help="Days run daily."
)
@click.option(
    "--intraday/--no-intraday",
    default=True,
    show_default=True,
    help="Then refresh the next day through the intraday DAG as its hours arrive.",
)
@click.option(
    "--events-per-day", default=20_000, show_default=True, type=click.IntRange(100, 5_000_000)
)
@click.option("--seed", default=7, show_default=True, type=int)
@env_options
def demo_command(
    start: str,
    days: int,
    intraday: bool,
    events_per_day: int,
    seed: int,
    env: str,
    overrides: tuple[str, ...],
) -> None:
    """Generate events, run the daily DAG through Airflow for each day, then the intraday DAG
    through the next day as its hours arrive; summarise."""
    from airlake.catalog import open_catalog
    from airlake.catalog_views import run_summary
    from airlake.demo import DemoPlan, run_demo
    from airlake.engines import create_engine

    settings = settings_for(env, overrides)
    plan = DemoPlan(parse_day(start), days, events_per_day, seed, intraday)
    with progress() as report:
        states = run_demo(settings, plan, report, env)
    click.echo(text_table(["run", "DAG run"], sorted(states.items())))
    last_day = plan.intraday_day or plan.run_days[-1]
    engine = create_engine("duckdb", settings)
    try:
        summary = run_summary(open_catalog(settings), engine, str(plan.run_days[0]), str(last_day))
    finally:
        engine.close()
    click.echo("\nTables")
    click.echo(
        text_table(
            ["table", "rows", "snapshot"],
            [[t.name, t.rows, t.snapshot_id or "-"] for t in summary.tables],
        )
    )
    click.echo("\nData quality per landing day (lines = valid + duplicates + quarantined)")
    click.echo(render(summary.quality, "text"))
    click.echo("\nTop campaigns by ROAS")
    click.echo(render(summary.top_campaigns, "text"))
    from airlake.report.bi import default_bi_path
    from airlake.report.publish import reports_dir

    click.echo(f"\nWarehouse: {settings.warehouse_uri}")
    click.echo(f"BI file:   {default_bi_path(settings).resolve()}")
    click.echo(f"Report:    {(reports_dir(settings) / 'latest.html').resolve()}")
    if plan.intraday_day is not None:
        click.echo(
            f"\nThe report opens with {plan.intraday_day} so far (partial); the rest of that day "
            f"has landed since: `airlake run --date {plan.intraday_day}` closes it."
        )


@click.group("mwaa")
def mwaa_group() -> None:
    """Package the platform for Amazon MWAA."""


@mwaa_group.command("bundle")
@click.option(
    "--env", "env", required=True, help="Environment profile to bundle (e.g. production)."
)
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write."
)
@click.option(
    "--mwaa-version", default=None, help="Target MWAA Airflow version (default: the profile's)."
)
@click.option(
    "--wheelhouse",
    type=click.Choice(["aarch64", "x86_64"]),
    default=None,
    help="Also download the wheels airlake's own environment installs offline, for this CPU.",
)
def bundle_command(env: str, out: str, mwaa_version: str | None, wheelhouse: str | None) -> None:
    """Write dags/, requirements.txt (the constraints line) and airlake's own artifacts."""
    from pathlib import Path

    from airlake.deploy.mwaa_bundle import build_bundle
    from airlake.storage import writing_under

    with writing_under(out, "--out"):
        bundle = build_bundle(env, Path(out), mwaa_version, wheelhouse)
    click.echo(
        f"MWAA {bundle.mwaa_version} bundle for {env} in {bundle.root} ({len(bundle.files)} files)"
    )
    click.echo((bundle.root / "requirements.txt").read_text().rstrip())
    click.echo(
        f"next: aws s3 sync {bundle.root} s3://<source bucket>/ ; then update the environment"
    )


def register(cli: click.Group) -> None:
    cli.add_command(demo_command)
    cli.add_command(mwaa_group)
