"""Commands about environments: env show | diff | check."""

from __future__ import annotations

import json
from pathlib import Path

import click

from airlake.cli.output import text_table
from airlake.errors import UserError


@click.group("env")
def env_group() -> None:
    """Inspect and compare environment profiles (environments/*.toml)."""


def _values(name: str) -> dict:
    from airlake.settings import profile_values

    return profile_values(name)


@env_group.command("show")
@click.argument("name")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def show_command(name: str, fmt: str) -> None:
    """Show a profile with environment variables applied (AIRLAKE_SECTION__KEY)."""
    import os

    from airlake.profiles_check import flatten
    from airlake.redaction import redact_values
    from airlake.settings import profile_values, settings_from_values

    values = profile_values(name, environ=os.environ)
    settings_from_values(values)  # validates: a bad value is one clear error
    values = redact_values(values)
    if fmt == "json":
        click.echo(json.dumps(values, indent=2, sort_keys=True))
        return
    click.echo(text_table(["key", "value"], sorted(flatten(values).items())))


@env_group.command("diff")
@click.argument("left")
@click.argument("right")
def diff_command(left: str, right: str) -> None:
    """Show every difference between two profiles and whether it is allowed."""
    from airlake.profiles_check import diff

    rows = [
        [d.key, d.left, d.right, d.kind.value]
        for d in diff(left, _values(left), right, _values(right))
    ]
    click.echo(text_table(["key", left, right, "kind"], rows) if rows else "no differences")


@env_group.command("check")
@click.argument("names", nargs=-1)
def check_command(names: tuple[str, ...]) -> None:
    """Fail when sandbox, test and production differ in anything but sizing and derived names."""
    from airlake.profiles_check import RETENTION_LAYERS, STAGES, check, retention_rows

    chosen = names or STAGES
    profiles = {n: _values(n) for n in chosen}
    click.echo(
        text_table(
            ["retention", *(layer for layer, _ in RETENTION_LAYERS)], retention_rows(profiles)
        )
    )
    errors = check(profiles)
    if errors:
        for line in errors:
            click.echo(f"error: {line}", err=True)
        raise UserError(f"{len(errors)} difference(s) beyond sizing between {', '.join(chosen)}")
    click.echo(
        f"ok: {', '.join(chosen)} differ only in sizing and names derived from the environment"
    )


@click.group("infra")
def infra_group() -> None:
    """Infrastructure as code: inputs for infra/terraform/envs/<env>."""


@infra_group.command("tfvars")
@click.option("--env", "env", required=True, help="sandbox, test or production.")
def tfvars_command(env: str) -> None:
    """Print terraform.tfvars.json for an environment, generated from its profile."""
    from airlake.infra.tfvars import tfvars

    click.echo(json.dumps(tfvars(_values(env)), indent=2, sort_keys=True))


@infra_group.command("access")
@click.argument("names", nargs=-1)
def access_command(names: tuple[str, ...]) -> None:
    """Print who may do what in which environment (Markdown, as infra/README.md shows it)."""
    from airlake.cli.output import markdown_table
    from airlake.infra.access import access_headers, access_note, access_rows
    from airlake.profiles_check import STAGES

    profiles = {n: _values(n) for n in names or STAGES}
    click.echo(markdown_table(access_headers(profiles), access_rows(profiles)))
    click.echo(f"\n{access_note()}")


@click.command("verify")
@click.option("--env", "env", required=True, help="sandbox, test or production.")
@click.option("--live", is_flag=True, help="Check the deployed account instead of the code.")
@click.option(
    "--endpoint-url", default=None, envvar="AWS_ENDPOINT_URL", help="AWS endpoint override."
)
@click.option(
    "--terraform",
    "terraform",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Terraform folder to check (default: the project's infra/terraform).",
)
@click.option(
    "--checkov",
    "checkov",
    default=None,
    envvar="AIRLAKE_CHECKOV",
    help="checkov program (default: on PATH, or .tools/checkov from make checkov).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def verify_command(
    env: str,
    live: bool,
    endpoint_url: str | None,
    terraform: Path | None,
    checkov: str | None,
    fmt: str,
) -> None:
    """Check network, IAM, S3, MWAA and the bundle against what MWAA + EMR + Athena need; on the
    code, checkov's Terraform checks too."""
    from dataclasses import asdict

    from airlake.infra.rules import failed
    from airlake.infra.verify import verify

    results = verify(env, live, endpoint_url, terraform=terraform, checkov=checkov)
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in results], indent=2))
    else:
        click.echo(
            text_table(
                ["check", "status", "evidence", "fix"],
                [
                    [r.check, r.status.value, r.evidence, r.fix if r.status.value != "pass" else ""]
                    for r in results
                ],
            )
        )
    bad = failed(results)
    if bad:
        raise UserError(f"{len(bad)} check(s) failed: {', '.join(r.check for r in bad)}")


def register(cli: click.Group) -> None:
    cli.add_command(env_group)
    cli.add_command(infra_group)
    cli.add_command(verify_command)
