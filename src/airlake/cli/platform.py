"""Commands of the platform: generate, run, query, tables, history, demo."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Attach the platform commands to the main group."""
