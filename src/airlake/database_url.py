"""SQLAlchemy database URLs (the SQL catalog, the relational source): checked before use.

A URL that does not parse, names an unknown database, or whose driver is not installed is the
user's to fix: one clear error naming the driver instead of a traceback from deep in SQLAlchemy.
"""

from __future__ import annotations

from airlake.errors import UserError

_INSTALLED_HINT = {"postgresql": "postgresql+psycopg2://", "oracle": "oracle+oracledb://"}
"""Per database, the driver a URL can name instead when its own is missing (if installed)."""

_PACKAGE = {"oracledb": "oracledb", "psycopg": "psycopg", "psycopg2": "psycopg2-binary"}
"""The package that provides a driver module, where the names differ or are worth stating."""


def check_database_url(url: str, what: str) -> None:
    """Raise UserError unless ``url`` parses and its dialect and driver can be loaded.

    ``what`` names the setting in the message (e.g. ``catalog.uri``). Messages are redacted.
    """
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise UserError(f"{what} {url!r} is not a database URL (e.g. sqlite:///path)") from None
    try:
        dialect = parsed.get_dialect()
    except sa.exc.NoSuchModuleError:
        raise UserError(
            f"{what} {url!r}: unknown database {parsed.drivername!r} "
            "(use sqlite:///..., postgresql+psycopg2://..., oracle+oracledb://...)"
        ) from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        module = getattr(exc, "name", None) or str(exc)
        raise UserError(
            f"{what} {url!r} needs the {module} driver, which is not installed: "
            + _driver_hint(parsed.drivername, parsed.get_backend_name(), module)
        ) from None


def _driver_hint(drivername: str, backend: str, module: str) -> str:
    """What to do about a missing driver: name another spelling only when the URL does not
    already use it and that spelling's driver can actually be loaded; else install the driver."""
    import sqlalchemy as sa

    hint = _INSTALLED_HINT.get(backend)
    if hint is not None and f"{drivername}://" != hint:
        try:
            sa.engine.make_url(f"{hint}x").get_dialect().import_dbapi()
        except (ImportError, sa.exc.NoSuchModuleError):
            pass
        else:
            return f"write the URL as {hint}... (its driver is installed)"
    return f"install {_PACKAGE.get(module, module)} into airlake's environment"
