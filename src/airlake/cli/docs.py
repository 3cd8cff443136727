"""``airlake docs tables``: the data dictionary, generated from the table definitions."""

from __future__ import annotations

from pathlib import Path

import click

from airlake.errors import UserError


@click.group("docs")
def docs_group() -> None:
    """Documentation generated from the code."""


@docs_group.command("tables")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the dictionary to this file (docs/tables.md) instead of printing it.",
)
@click.option(
    "--check",
    "check",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fail (exit 1) when this file differs from what the definitions generate.",
)
def tables_command(out: Path | None, check: Path | None) -> None:
    """Every table and column (type, meaning, formula, rounding), the rules, the source DDL."""
    from airlake.data_dictionary import UndocumentedColumnError, render

    try:
        text = render()
    except UndocumentedColumnError as exc:
        raise UserError(str(exc)) from None
    if check is not None:
        try:
            current = check.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot read {check}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UserError(f"cannot read {check}: not UTF-8 text") from None
        if current != text:
            raise UserError(f"{check} is out of date: run `airlake docs tables --out {check}`")
        click.echo(f"{check} is up to date")
        return
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"wrote {out}")


def register(cli: click.Group) -> None:
    cli.add_command(docs_group)
