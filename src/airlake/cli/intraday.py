"""Intraday commands: refresh, alerts, status."""

from __future__ import annotations

from datetime import UTC, datetime

import click
import pyarrow as pa

from airlake.cli.output import FORMATS, render
from airlake.cli.platform import env_options, progress, settings_for
from airlake.errors import UserError


def parse_now(text: str | None) -> datetime:
    """``--now``: an ISO 8601 instant (naive means UTC); the wall clock when absent."""
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"bad --now {text!r}: use ISO 8601, e.g. 2026-11-01T14:15:00Z") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@click.command("refresh")
@click.option("--now", "now", default=None, help="The refresh's time (ISO 8601; default: now).")
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default=None, help="Override the engine."
)
@env_options
def refresh_command(
    now: str | None, engine: str | None, env: str, overrides: tuple[str, ...]
) -> None:
    """Read today's new closed landing files and bring every table, pacing and alerts up to date."""
    from airlake.run_context import open_run
    from airlake.stages.refresh import run_refresh

    settings = settings_for(env, overrides)
    at = parse_now(now)
    with progress() as report, open_run(settings, engine, report) as ctx:
        result = run_refresh(ctx, at)
    dates = ", ".join(d.isoformat() for d in result.event_dates) or "none"
    click.echo(
        f"refresh at {result.as_of:%Y-%m-%d %H:%M} UTC, business day {result.business_date} "
        f"({settings.intraday.business_timezone}): {result.new_files} new files, "
        f"event dates rebuilt: {dates}, {len(result.open_alerts)} open alerts, "
        f"{len(result.commits)} commits, {result.seconds:.1f} s"
    )
    for alert in result.open_alerts:
        click.echo(f"  alert {alert.severity}: {alert.message}", err=True)


@click.command("alerts")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also the resolved alerts.")
@env_options
def alerts_command(fmt: str, show_all: bool, env: str, overrides: tuple[str, ...]) -> None:
    """Print the open alerts; exit 1 when any is open, 0 otherwise."""
    from airlake.catalog import open_catalog
    from airlake.stages.refresh import read_alerts
    from airlake.tables import REPORT_ALERTS

    settings = settings_for(env, overrides)
    alerts = read_alerts(open_catalog(settings, create=False))
    shown = sorted(
        (a for a in alerts if show_all or a.is_open),
        key=lambda a: (a.business_date, a.first_seen, a.alert_key),
    )
    table = pa.Table.from_pylist(
        [{f: getattr(a, f) for f in REPORT_ALERTS.columns} for a in shown],
        schema=REPORT_ALERTS.schema,
    )
    if fmt == "text":
        table = table.select(
            [
                "business_date",
                "severity",
                "rule",
                "subject",
                "first_seen",
                "last_seen",
                "is_open",
                "message",
            ]
        )
    click.echo(render(table, fmt))
    if any(a.is_open for a in alerts):
        raise SystemExit(1)


@click.command("status")
@click.option("--now", "now", default=None, help="Judge the lag at this time (default: now).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@env_options
def status_command(now: str | None, fmt: str, env: str, overrides: tuple[str, ...]) -> None:
    """Per topic: newest landing file, newest event time read, lag, files waiting."""
    from dataclasses import asdict

    from airlake.catalog import open_catalog
    from airlake.run_context import open_run
    from airlake.stages.refresh import landing_status

    settings = settings_for(env, overrides)
    open_catalog(settings, create=False)  # a read command: a mistyped catalog is an error
    with open_run(settings, "duckdb") as ctx:
        rows = landing_status(ctx, parse_now(now))
    table = pa.Table.from_pylist(
        [asdict(r) for r in rows],
        schema=pa.schema(
            [
                pa.field("topic", pa.string()),
                pa.field("newest_file", pa.string()),
                pa.field("newest_file_at", pa.timestamp("us", tz="UTC")),
                pa.field("newest_event_read", pa.timestamp("us", tz="UTC")),
                pa.field("lag_minutes", pa.float64()),
                pa.field("files_waiting", pa.int64()),
            ]
        ),
    )
    click.echo(render(table, fmt))


def register(cli: click.Group) -> None:
    for command in (refresh_command, alerts_command, status_command):
        cli.add_command(command)
