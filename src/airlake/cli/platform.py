"""Commands of the platform: run, query, tables, history, sql."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import click

from airlake.cli.output import FORMATS, render, text_table
from airlake.errors import UserError
from airlake.settings import Settings, load_settings

if TYPE_CHECKING:
    from airlake.stages import StageResult


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"bad date {text!r}: use YYYY-MM-DD") from None


def _overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or "." not in key:
            raise UserError(f"bad --set {pair!r}: use section.key=value")
        out[key.strip()] = value.strip()
    return out


def env_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--env and --set, shared by every command that reads a profile."""
    func = click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="SECTION.KEY=VALUE",
        help="Override a profile value (beats the file and AIRLAKE_* variables).",
    )(func)
    return click.option(
        "--env",
        "env",
        default="local",
        envvar="AIRLAKE_ENV",
        show_default=True,
        help="Environment profile: a name under environments/ or a .toml path.",
    )(func)


def settings_for(env: str, overrides: tuple[str, ...]) -> Settings:
    return load_settings(env, overrides=_overrides(overrides))


@contextmanager
def progress() -> Iterator[Callable[[str], None]]:
    """A one-line status on stderr while long work runs (plain lines when not a terminal)."""
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_terminal:
        with console.status("starting") as status:
            yield lambda message: status.update(message)
    else:
        yield lambda message: console.print(f"  {message}", highlight=False, soft_wrap=True)


def _days(start: date, end: date) -> list[date]:
    if end < start:
        raise UserError(f"--to {end} is before --date {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@click.command("run")
@click.option("--date", "day", required=True, help="Day to run (YYYY-MM-DD).")
@click.option("--to", "to_day", default=None, help="Last day of a range to run, in order.")
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default=None, help="Override the engine."
)
@click.option("--stage", "stages", multiple=True, help="Run only these stages (default: all).")
@click.option(
    "--force-ingest",
    is_flag=True,
    help="Ingest the landing days again even when their files are unchanged (repairs raw.*).",
)
@env_options
def run_command(
    day: str,
    to_day: str | None,
    engine: str | None,
    stages: tuple[str, ...],
    force_ingest: bool,
    env: str,
    overrides: tuple[str, ...],
) -> None:
    """Run the daily pipeline for a day or a range of days."""
    from airlake.run_context import open_run, window_for
    from airlake.stages import STAGE_NAMES, run_stage, stage

    settings = settings_for(env, overrides)
    first = parse_day(day)
    days = _days(first, parse_day(to_day) if to_day else first)
    for name in stages:
        stage(name)
    for d in days:  # every day's window is checked before anything is opened
        window_for(d, settings)
    rows = []
    with progress() as report, open_run(settings, engine, report, force_ingest=force_ingest) as ctx:
        for i, d in enumerate(days, start=1):
            report(f"[{i}/{len(days)}] {d}")
            for name in stages or STAGE_NAMES:
                result = run_stage(ctx, name, d)
                click.echo(stage_timing(d, result), err=True)
                for commit in result.commits:
                    rows.append(
                        [str(d), result.stage, commit.table, commit.files, commit.snapshot_id]
                    )
    click.echo(text_table(["day", "stage", "table", "files", "snapshot"], rows))


def stage_timing(day: date, result: StageResult) -> str:
    """One stderr line per stage: its elapsed seconds and the rows each table received (summed
    over the landing days an ingest commits)."""
    received: dict[str, int] = {}
    for commit in result.commits:
        received[commit.table] = received.get(commit.table, 0) + commit.rows
    rows = ", ".join(f"{table} {n:,}" for table, n in received.items()) or "nothing to commit"
    return f"  {day} {result.stage:<11} {result.seconds:7.1f} s  rows: {rows}"


@click.command("gate")
@click.option("--date", "day", required=True, help="Landing day to judge (YYYY-MM-DD).")
@env_options
def gate_command(day: str, env: str, overrides: tuple[str, ...]) -> None:
    """The data-quality gate: exit 1 when too much of the landing day was quarantined, or
    nothing of it was ingested."""
    from airlake.catalog import open_catalog
    from airlake.stages.gate import gate_failure

    settings = settings_for(env, overrides)
    when = parse_day(day)
    failure = gate_failure(
        open_catalog(settings, create=False), when, settings.max_quarantine_share
    )
    if failure:
        raise UserError(failure)
    click.echo(f"data-quality gate: {when} passes")


@click.command("landing-complete")
@click.option("--date", "day", required=True, help="Landing day (YYYY-MM-DD).")
@env_options
def landing_complete_command(day: str, env: str, overrides: tuple[str, ...]) -> None:
    """Exit 0 when the sink has finished writing the landing day, 3 while it has not."""
    from airlake.landing import day_complete
    from airlake.storage import StorageOptions

    settings = settings_for(env, overrides)
    when = parse_day(day)
    if day_complete(
        settings.landing_uri, when, StorageOptions(settings.s3_endpoint, settings.aws_region)
    ):
        click.echo(f"landing day {when} is complete")
        return
    click.echo(f"landing day {when} is not complete yet", err=True)
    raise SystemExit(3)


@click.command("query")
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@env_options
def query_command(sql: str, fmt: str, env: str, overrides: tuple[str, ...]) -> None:
    """Run one SELECT over the tables, named like reports.campaign_daily. Reads only.

    One statement, SELECT or WITH; it can read the tables' current data files and nothing else
    (no other files, no ATTACH, COPY or SET).
    """
    from airlake.catalog import open_catalog
    from airlake.catalog_views import read_only_query, referenced_tables
    from airlake.engines.duckdb import read_only_statement
    from airlake.tables import table_def

    statement = read_only_statement(sql)  # checked before anything is opened
    for name in referenced_tables(statement):
        table_def(name)
    settings = settings_for(env, overrides)
    click.echo(
        render(read_only_query(open_catalog(settings, create=False), settings, statement), fmt)
    )


def _size(n: int) -> str:
    """Bytes as a short human figure (pure)."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover - the loop returns


@click.command("tables")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@env_options
def tables_command(fmt: str, env: str, overrides: tuple[str, ...]) -> None:
    """List the tables: rows, live data files and their average size, snapshots kept, metadata
    size, what lies on storage, and the current snapshot."""
    from airlake.catalog import open_catalog
    from airlake.catalog_views import list_tables
    from airlake.lifecycle.stats import table_growth
    from airlake.storage import StorageOptions

    settings = settings_for(env, overrides)
    catalog = open_catalog(settings, create=False)
    infos = list_tables(catalog)
    growth = {
        g.name: g
        for g in table_growth(catalog, StorageOptions(settings.s3_endpoint, settings.aws_region))
    }
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        **asdict(i),
                        **asdict(growth[i.name]),
                        "average_file_bytes": growth[i.name].average_file_bytes,
                    }
                    for i in infos
                ],
                indent=2,
            )
        )
        return
    click.echo(
        text_table(
            [
                "table",
                "rows",
                "files",
                "avg file",
                "snapshots",
                "metadata",
                "stored data",
                "partitions",
                "snapshot",
            ],
            [
                [
                    i.name,
                    i.rows,
                    i.files,
                    _size(growth[i.name].average_file_bytes),
                    growth[i.name].snapshots,
                    _size(growth[i.name].metadata_bytes),
                    f"{_size(growth[i.name].stored_data_bytes)} "
                    f"({growth[i.name].stored_data_files} files)",
                    i.partitions,
                    i.snapshot_id or "-",
                ]
                for i in infos
            ],
        )
    )


@click.command("history")
@click.argument("table")
@env_options
def history_command(table: str, env: str, overrides: tuple[str, ...]) -> None:
    """Show a table's Iceberg snapshots, oldest first."""
    from airlake.catalog import open_catalog
    from airlake.catalog_views import history
    from airlake.tables import table_def

    table_def(table)
    snaps = history(open_catalog(settings_for(env, overrides), create=False), table)
    click.echo(
        text_table(
            ["snapshot", "committed", "operation", "run day", "stage/model", "engine"],
            [
                [
                    s.snapshot_id,
                    s.committed_at.isoformat(timespec="seconds"),
                    s.operation,
                    s.properties.get("airlake.run-day")
                    or s.properties.get("airlake.landing-day", ""),
                    s.properties.get("airlake.model") or s.properties.get("airlake.stage", ""),
                    s.properties.get("airlake.engine", ""),
                ]
                for s in snaps
            ],
        )
    )


@click.command("check")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@env_options
def check_command(fmt: str, env: str, overrides: tuple[str, ...]) -> None:
    """Check that every data file the tables' current snapshots reference exists with its
    recorded size. Exit 1 when one is missing or changed."""
    from airlake.catalog import open_catalog
    from airlake.catalog_views import check_files

    report = check_files(open_catalog(settings_for(env, overrides), create=False))
    if fmt == "json":
        click.echo(json.dumps(asdict(report), indent=2))
    elif report.problems:
        click.echo(
            text_table(
                ["table", "file", "problem"],
                [[p.table, p.path, p.problem] for p in report.problems],
            )
        )
    if report.problems:
        tables = sorted({p.table for p in report.problems})
        raise UserError(
            f"{len(report.problems)} of {report.files} data file(s) missing or changed in "
            f"{', '.join(tables)}: re-run the affected days with --force-ingest"
        )
    if fmt == "text":
        click.echo(
            f"ok: {report.files} data file(s) of {report.tables} table(s) present and intact"
        )


@click.command("sql")
@click.argument("model")
@click.option(
    "--dialect",
    type=click.Choice(["duckdb", "spark", "trino"]),
    default="duckdb",
    show_default=True,
)
@click.option("--date", "day", default=None, help="Fill in the run parameters for this day.")
@env_options
def sql_command(
    model: str, dialect: str, day: str | None, env: str, overrides: tuple[str, ...]
) -> None:
    """Print a model as the given engine will run it."""
    from airlake import models
    from airlake.run_context import params_for, window_for

    params = None
    if day:
        settings = settings_for(env, overrides)
        params = params_for(window_for(parse_day(day), settings), settings)
    click.echo(models.render(model, params, dialect=dialect, pretty=True))


def register(cli: click.Group) -> None:
    """Attach the platform commands to the main group."""
    for command in (
        run_command,
        gate_command,
        landing_complete_command,
        query_command,
        tables_command,
        history_command,
        check_command,
        sql_command,
    ):
        cli.add_command(command)
