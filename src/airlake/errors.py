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


def environment_fault(exc: BaseException) -> str | None:
    """One redacted line when ``exc``, or an exception it was raised from, is a fault of the
    environment the user can fix (no AWS credentials, an unreachable endpoint, a permission the
    file system or a database refused); None for anything else, which is a bug to report.

    Recognised by class name and module so that neither botocore nor SQLAlchemy is imported here.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        message = _fault(current)
        if message:
            return redact(message)
        current = current.__cause__ or current.__context__
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fault(exc: BaseException) -> str | None:
    name, module = type(exc).__name__, type(exc).__module__
    if isinstance(exc, UserError):
        return str(exc)
    if module.startswith("botocore"):
        if name in {"NoCredentialsError", "PartialCredentialsError"}:
            return (
                "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or "
                "AWS_PROFILE, or run where an IAM role provides them"
            )
        if name in {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"}:
            return f"cannot reach AWS: {_first_line(exc)}"
        if name == "ClientError":
            return f"AWS refused the request: {_first_line(exc)}"
    if isinstance(exc, PermissionError):
        where = exc.filename or _first_line(exc)
        return f"permission denied: {where}"
    if module.startswith("sqlalchemy") and hasattr(exc, "orig"):
        orig = exc.orig
        if (
            getattr(orig, "pgcode", None) == "42501"
            or "InsufficientPrivilege" in type(orig).__name__
        ):
            return (
                f"the database refused: {_first_line(orig)} (the role lacks a privilege: the "
                "catalog needs a role that can read and write its tables)"
            )
        if name == "OperationalError":
            return f"the database is unavailable: {_first_line(orig)}"
    return None
