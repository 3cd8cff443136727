"""``airlake preflight PROJECT --target T`` and ``airlake preflight targets``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from airlake.errors import UserError

if TYPE_CHECKING:
    from airlake.preflight.project import Project
    from airlake.preflight.targets import Target


class _PreflightGroup(click.Group):
    """``preflight targets`` is a subcommand; anything else is a project folder to check."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group("preflight", cls=_PreflightGroup)
def preflight_group() -> None:
    """Will this Airflow project work on that target? PROJECT_DIR --target mwaa-2.10.3 ...;
    which target to move to: plan PROJECT_DIR."""


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
    skipped: list[str] = []
    if do_fix:
        for fix in fixes(project, target):
            click.echo(fix.diff(), err=fmt != "text")
            if write:
                why = write_fix(root, fix)
                if why:
                    skipped.append(fix.path)
                click.echo(f"skipped {fix.path}: {why}" if why else f"wrote {fix.path}", err=True)
    if skipped:
        click.echo(f"error: not written: {', '.join(skipped)} (see above)", err=True)
    if skipped or any(f.severity.value == "error" for f in findings):
        sys.exit(1)


@preflight_group.command("plan")
@click.argument("project_dir", type=click.Path(file_okay=False))
@click.option(
    "--target",
    "target_name",
    help="Show this target in full (default: the table of every MWAA target).",
)
@click.option(
    "--write",
    "out",
    type=click.Path(file_okay=False),
    help="Write the project migrated for --target (default: the recommended one) to OUT.",
)
@click.option("--force", is_flag=True, help="With --write: replace what OUT holds.")
@click.option(
    "--install",
    is_flag=True,
    help="With --write: build the target's worker environment and parse the migrated DAGs.",
)
@click.option(
    "--requirements",
    default="requirements.txt",
    show_default=True,
    help="Requirements file, relative to the project.",
)
@click.option(
    "--resolve",
    is_flag=True,
    help="Ask uv's resolver whether the requirements the migration writes install; "
    "recommend the best-ranked target where they do (needs the package index).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def plan_command(
    project_dir: str,
    target_name: str | None,
    out: str | None,
    force: bool,
    install: bool,
    requirements: str,
    resolve: bool,
    fmt: str,
) -> None:
    """Which MWAA version to move PROJECT_DIR to, and what must change: every target at once;
    --write OUT writes the migrated copy and its report (the original is never modified)."""
    from airlake.preflight.plan import make_plan, plan_target, resolve_plan, resolve_row
    from airlake.preflight.plan_output import (
        plan_json,
        plan_table,
        resolution_line,
        target_detail,
    )
    from airlake.preflight.project import load_project
    from airlake.preflight.targets import load_target

    if install and not out:
        raise click.UsageError("--install needs --write OUT (it proves the migrated copy)")
    try:
        target = load_target(target_name) if target_name else None
    except UserError as exc:
        raise click.UsageError(str(exc)) from None
    _statable(Path(project_dir), "the project")
    _statable(Path(project_dir) / requirements, "--requirements")
    project = load_project(Path(project_dir), requirements)

    def asking(name: str) -> None:
        click.echo(f"resolving the requirements for {name} with uv ...", err=True)

    if target is None:
        plan = make_plan(project)
        if resolve:
            plan = resolve_plan(plan, project, date.today(), asking=asking)
        if not out:
            click.echo(plan_json(plan) if fmt == "json" else plan_table(plan, project_dir))
            return
        if plan.recommended is None:
            raise click.UsageError(f"no target to migrate to: {plan.reason}")
        target = plan.recommended.target
        click.echo(f"migrating for the recommended target {target.name} ({plan.reason})")
    elif resolve:
        answer = resolve_row(project, plan_target(project, target), date.today(), asking=asking)
        click.echo(resolution_line(target.name, answer))
    if not out:
        click.echo(target_detail(plan_target(project, target)))
        return
    _write(project, target, Path(out), force, install, date.today())


def _write(
    project: Project, target: Target, out: Path, force: bool, install: bool, today: date
) -> None:
    """Migrate, write, check the written copy again (and prove it with --install), report."""
    from airlake.preflight.migrate import REPORT_HTML, REPORT_MD, migrate, write_migration
    from airlake.preflight.plan_output import install_summary, report_html, report_markdown
    from airlake.preflight.project import load_project
    from airlake.preflight.run import run_checks
    from airlake.storage import writing_under

    if not project.root.is_dir():
        click.echo(f"error: no project folder at {project.root}", err=True)
        sys.exit(1)
    migration = migrate(project, target, run_checks(project, target), today)
    try:
        with writing_under(str(out), "--write"):
            write_migration(project, migration, out, force)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    migrated = load_project(out, project.requirements_path or "requirements.txt")
    after = run_checks(migrated, target)
    proof = None
    if install:
        from airlake.preflight.runtime import runtime_findings

        click.echo(
            f"building {target.name}'s worker environment and parsing the DAGs ...", err=True
        )
        proof = runtime_findings(migrated, target)
    name = str(project.root)
    files = len(migrated.dags)
    (out / REPORT_MD).write_text(
        report_markdown(migration, name, after, proof, files), encoding="utf-8"
    )
    (out / REPORT_HTML).write_text(
        report_html(migration, name, after, proof, files), encoding="utf-8"
    )
    errors = [f for f in after if f.severity.value == "error"]
    click.echo(
        f"wrote {out} for {target.name}: {len(migration.files)} file(s) changed, requirements "
        f"{migration.requirements_before} -> {migration.requirements_after} lines, "
        f"{len(migration.decisions)} decision(s) left, {len(errors)} error(s) left"
    )
    if proof is not None:
        click.echo(install_summary(proof, files))
    click.echo(f"report: {out / REPORT_MD} and {out / REPORT_HTML}")
    if errors or any(f.severity.value == "error" for f in proof or ()):
        sys.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(preflight_group)
