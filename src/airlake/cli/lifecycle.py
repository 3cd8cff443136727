"""Commands for a platform that runs for years: maintain, forget."""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import click

from airlake.cli.output import text_table
from airlake.cli.platform import env_options, parse_day, progress, settings_for
from airlake.errors import UserError


@click.command("maintain")
@click.option(
    "--date", "day", default=None, help="Day the layer retention counts from (default: today)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@env_options
def maintain_command(day: str | None, fmt: str, env: str, overrides: tuple[str, ...]) -> None:
    """Apply retention, compact small files, expire old snapshots and remove orphan files.

    Idempotent; safe beside a running pipeline. The rules come from the profile's [retention]
    and [maintenance] sections.
    """
    from airlake.lifecycle.maintain import maintain
    from airlake.run_context import open_run

    settings = settings_for(env, overrides)
    today = parse_day(day) if day else datetime.now(UTC).date()
    with progress() as report, open_run(settings, None, report, create=False) as ctx:
        results = maintain(ctx.catalog, settings, ctx.engine, ctx.storage, today=today)
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in results], indent=2, default=str))
        return
    click.echo(
        text_table(
            ["table", "retired", "compacted", "expired", "deleted files", "deleted MB", "skipped"],
            [
                [
                    r.table,
                    len(r.retired_partitions),
                    len(r.compacted_partitions),
                    r.expired_snapshots,
                    r.deleted_files,
                    f"{r.deleted_bytes / 1e6:.1f}",
                    ", ".join(r.skipped) or "-",
                ]
                for r in results
            ],
        )
    )


@click.command("forget")
@click.option("--anonymous-id", "anonymous_ids", multiple=True, help="A cookie/device id.")
@click.option("--user-id", "user_ids", multiple=True, help="A login id (its cookies follow).")
@click.option(
    "--file",
    "ids_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A file of ids, one 'anonymous_id:X' or 'user_id:Y' per line.",
)
@click.option("--by", "requested_by", default=None, help="Who asks (default: the OS user).")
@env_options
def forget_command(
    anonymous_ids: tuple[str, ...],
    user_ids: tuple[str, ...],
    ids_file: Path | None,
    requested_by: str | None,
    env: str,
    overrides: tuple[str, ...],
) -> None:
    """Erase a person's rows from every table and write an audit record (ids hashed)."""
    from airlake.catalog import open_catalog
    from airlake.lifecycle.erasure import Subject, forget, read_ids_file
    from airlake.storage import StorageOptions

    subjects = [Subject("anonymous_id", v) for v in anonymous_ids]
    subjects += [Subject("user_id", v) for v in user_ids]
    if ids_file is not None:
        subjects += read_ids_file(ids_file.read_text(encoding="utf-8"))
    if not subjects:
        raise UserError("name at least one id: --anonymous-id, --user-id or --file")
    settings = settings_for(env, overrides)
    record = forget(
        open_catalog(settings, create=False),
        settings,
        StorageOptions(settings.s3_endpoint, settings.aws_region),
        subjects,
        requested_by=requested_by or getpass.getuser(),
        now=datetime.now(UTC),
    )
    click.echo(
        text_table(
            ["table", "rows deleted", "snapshot"],
            [[t.table, t.rows, t.snapshot_id or "-"] for t in record.tables],
        )
    )
    click.echo(f"audit record: {record.audit_path}")
    click.echo(
        f"older snapshots holding the rows expire at the first maintain after "
        f"{record.older_snapshots_expire_after}"
    )
    if record.landing_days:
        if record.landing_files_gone_by:
            until = (
                f"maintain removes them by the landing day in their path "
                f"(by {record.landing_files_gone_by})"
            )
        elif settings.retention.landing_days is None:
            until = "someone deletes them (retention.landing_days keeps them forever)"
        else:
            until = (
                "the landing bucket's lifecycle rule expires them "
                f"({settings.retention.landing_days} days after each file was written, "
                "noncurrent versions later)"
            )
        click.echo(
            f"landing files of {', '.join(record.landing_days)} still hold the lines until "
            f"{until}; do not --force-ingest those days before then without running forget again"
        )


def register(cli: click.Group) -> None:
    for command in (maintain_command, forget_command):
        cli.add_command(command)
