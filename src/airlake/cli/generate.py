"""``airlake generate``: write realistic landing data and its ground-truth manifest."""

from __future__ import annotations

import time
from contextlib import nullcontext
from datetime import timedelta

import click

from airlake.cli.platform import parse_day, progress
from airlake.redaction import redact
from airlake.settings import DEFAULT_MAX_LINE_BYTES


@click.command("generate")
@click.option("--start", required=True, help="First event day (YYYY-MM-DD).")
@click.option("--days", default=1, show_default=True, type=click.IntRange(1, 366))
@click.option(
    "--events-per-day", default=10_000, show_default=True, type=click.IntRange(1, 100_000_000)
)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--out", required=True, help="Landing root: a folder or an s3:// URI.")
@click.option("--duplicate-rate", default=0.02, show_default=True, type=float)
@click.option("--bot-rate", default=0.05, show_default=True, type=float)
@click.option("--malformed-rate", default=0.005, show_default=True, type=float)
@click.option("--late-rate", default=0.03, show_default=True, type=float)
@click.option("--too-late-rate", default=0.001, show_default=True, type=float)
@click.option("--late-window-days", default=3, show_default=True, type=click.IntRange(1, 30))
@click.option("--lookback-hours", default=24, show_default=True, type=click.IntRange(1, 720))
@click.option("--campaigns", default=50, show_default=True, type=int)
@click.option("--flush-size", default=10_000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option(
    "--max-line-bytes",
    default=DEFAULT_MAX_LINE_BYTES,
    show_default=True,
    type=click.IntRange(1024, 1 << 30),
    help="The ingest's pipeline.max_line_bytes: one broken line is longer.",
)
@click.option(
    "--source-url",
    default=None,
    help="Also load the matching reference data (campaigns, advertisers, synthetic daily "
    "exchange rates) into this SQLAlchemy URL, as of the end of the last generated day.",
)
def generate_command(start: str, out: str, source_url: str | None, **options: object) -> None:
    """Generate events in the Kafka Connect S3 sink layout, plus _manifest.json (ground truth)."""
    from airlake.generator import GeneratorConfig, generate
    from airlake.storage import is_remote, writing_under

    config = GeneratorConfig(start=parse_day(start), out=out, **options)  # type: ignore[arg-type]
    started = time.perf_counter()
    refused = nullcontext() if is_remote(out) else writing_under(out, "--out")
    with progress() as report, refused:
        manifest = generate(config, report)
    if source_url:
        from airlake import exchange_rates, reference

        versions = reference.history(config.start, config.days, config.seed, config.campaigns)
        last = config.start + timedelta(days=config.days - 1)
        reference.load(source_url, reference.state_as_of(versions, reference.end_of(last)))
        exchange_rates.load(source_url, exchange_rates.demo_rates(config.start, last))
        click.echo(
            f"reference data (and demo exchange rates) loaded into {redact(source_url)}",
            err=True,
        )
    lines = sum(d["lines"] for d in manifest["landing_days"].values())
    seconds = time.perf_counter() - started
    click.echo(
        f"wrote {lines:,} lines over {len(manifest['landing_days'])} landing days to {out} "
        f"in {seconds:.1f} s ({lines / max(seconds, 1e-9):,.0f} lines/s); ground truth: _manifest.json"
    )


def register(cli: click.Group) -> None:
    cli.add_command(generate_command)
