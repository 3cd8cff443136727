"""``airlake spark package``: what an EMR Spark Step needs on S3."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("spark")
def spark_group() -> None:
    """Spark and EMR helpers."""


@spark_group.command("package")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
def package_command(out: str) -> None:
    """Write airlake.zip (for --py-files) and spark_job.py (the step's entry point)."""
    from airlake.jobs.package import build_package
    from airlake.storage import writing_under

    with writing_under(out, "--out"):
        package = build_package(Path(out))
    click.echo(f"{package.zip_path} ({package.files} files) and {package.entry_path}")
    click.echo(
        "upload both next to each other, e.g. aws s3 cp --recursive "
        f"{out} s3://airlake-<env>-mwaa-source/artifacts/ (the profile's emr.package_uri / entry_uri)"
    )


def register(cli: click.Group) -> None:
    cli.add_command(spark_group)
