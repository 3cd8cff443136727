"""Errors a user can cause and fix. The CLI prints them as one line and exits non-zero."""

from __future__ import annotations

from airlake.redaction import redact


class UserError(Exception):
    """A mistake in input, configuration or environment, with a message that says what to do.

    The message is redacted on construction (URL passwords, ``password=`` values), so it is safe
    wherever it ends up: the CLI's error line, an Airflow task log, a traceback.
    """

    def __init__(self, message: object = "") -> None:
        super().__init__(redact(str(message)))


class NotInstalledError(UserError):
    """An optional dependency is missing."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed: install airlake[{extra}] (make install does)"
        )
