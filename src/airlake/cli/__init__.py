"""The ``airlake`` command. Thin: parse options, call the library, render the result.

Each command family lives in its own module here and is registered below.
"""

from __future__ import annotations

import click

from airlake.errors import UserError, environment_fault
from airlake.redaction import redact


class _Group(click.Group):
    """Turns UserError, and faults of the environment (no credentials, a refused permission),
    into one clear, redacted line and exit code 1 (never a traceback)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Bytes of the command line that are not UTF-8 arrive as lone surrogates: no name,
        # path or value airlake handles can hold them, and printing them fails.
        for arg in args:
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "replace")
                raise click.UsageError(f"argument '{shown}' is not valid UTF-8", ctx) from None
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"error: {redact(str(exc))}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:
            message = environment_fault(exc)
            if message is None:
                raise
            click.echo(f"error: {message}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="airlake")
def cli() -> None:
    """airlake: event analytics on Airflow, on one laptop or on AWS; and preflight for MWAA."""


def _register() -> None:
    from airlake.cli import platform

    platform.register(cli)
    for name in (
        "generate",
        "preflight",
        "infra",
        "orchestration",
        "report",
        "spark",
        "lifecycle",
        "docs",
        "intraday",
    ):
        try:
            module = __import__(f"airlake.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"airlake.cli.{name}":
                raise
            continue
        module.register(cli)


_register()


def main() -> None:
    cli(prog_name="airlake")


if __name__ == "__main__":  # pragma: no cover
    main()
