"""``airlake preflight PROJECT --target T`` and ``airlake preflight targets``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from airlake.errors import UserError


class _PreflightGroup(click.Group):
    """``preflight targets`` is a subcommand; anything else is a project folder to check."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group("preflight", cls=_PreflightGroup)
def preflight_group() -> None:
    """Will this Airflow project work on that target? PROJECT_DIR --target mwaa-2.10.3 ..."""


@preflight_group.command("targets")
def targets_command() -> None:
    """List the known targets with their Airflow and Python versions."""
    from airlake.preflight.targets import known_targets, load_target

    for name in known_targets():
        t = load_target(name)
        click.echo(
            f"{name:18} Airflow {t.airflow_version:8} Python {t.python_version:5} {len(t.preinstalled):>4} packages preinstalled"
        )


def _statable(path: Path, what: str) -> None:
    """A path that is absent is the checks' to report (a finding); one the file system cannot
    even look up (a name too long, a loop of links, no permission) is one error line."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise UserError(f"cannot read {what} at {path}: {exc.strerror}") from None


@preflight_group.command("check")
@click.argument("project_dir", type=click.Path(file_okay=False))
@click.option(
    "--target",
    "target_name",
    required=True,
    help="e.g. mwaa-2.10.3 (see: airlake preflight targets)",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "junit"]),
    default="text",
    show_default=True,
)
@click.option(
    "--requirements",
    default="requirements.txt",
    show_default=True,
    help="Requirements file, relative to the project.",
)
@click.option("--fix", "do_fix", is_flag=True, help="Show the fixes as a diff.")
@click.option("--write", is_flag=True, help="With --fix: write the fixed files.")
@click.option(
    "--resolve",
    is_flag=True,
    help="Also ask uv's resolver (needs the package index, not the target's Python).",
)
@click.option(
    "--install", is_flag=True, help="Also build the target in an isolated env and parse every DAG."
)
def check_command(
    project_dir: str,
    target_name: str,
    fmt: str,
    requirements: str,
    do_fix: bool,
    write: bool,
    resolve: bool,
    install: bool,
) -> None:
    """Check PROJECT_DIR against the target; exit 1 when errors are found."""
    from airlake.preflight.fix import fixes, write_fix
    from airlake.preflight.output import render
    from airlake.preflight.project import load_project
    from airlake.preflight.run import run_checks
    from airlake.preflight.targets import load_target

    if write and not do_fix:
        raise click.UsageError("--write needs --fix")
    try:
        target = load_target(target_name)
    except UserError as exc:
        raise click.UsageError(str(exc)) from None
    root = Path(project_dir)
    _statable(root, "the project")
    _statable(root / requirements, "--requirements")
    project = load_project(root, requirements)
    findings = run_checks(project, target)
    if resolve:
        from airlake.preflight.resolver import resolver_findings

        findings = sorted(
            [*findings, *resolver_findings(project, target)], key=lambda f: f.sort_key()
        )
    if install:
        from airlake.preflight.runtime import runtime_findings

        findings = sorted(
            [*findings, *runtime_findings(project, target)], key=lambda f: f.sort_key()
        )
    click.echo(render(fmt, findings, target, colour=sys.stdout.isatty() and fmt == "text"))
    if do_fix:
        for fix in fixes(project, target):
            click.echo(fix.diff(), err=fmt != "text")
            if write:
                write_fix(root, fix)
                click.echo(f"wrote {fix.path}", err=True)
    if any(f.severity.value == "error" for f in findings):
        sys.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(preflight_group)
