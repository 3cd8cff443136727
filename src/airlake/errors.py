"""Errors a user can cause and fix. The CLI prints them as one line and exits non-zero."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in input, configuration or environment, with a message that says what to do."""


class NotInstalledError(UserError):
    """An optional dependency is missing."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed: install airlake[{extra}] (make install does)"
        )
