"""The Iceberg catalog: SQLite (embedded default), PostgreSQL (team) or AWS Glue.

Factories are keyed by :class:`~airlake.settings.CatalogType`; pyiceberg is imported inside them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from airlake.database_url import check_database_url
from airlake.errors import UserError
from airlake.redaction import redact
from airlake.settings import CatalogType, Settings
from airlake.storage import is_remote

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog


def _io_properties(settings: Settings) -> dict[str, str]:
    props: dict[str, str] = {}
    if settings.warehouse_uri.startswith("s3://"):
        endpoint = settings.s3_endpoint or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            props["s3.endpoint"] = endpoint
        props["s3.region"] = settings.aws_region
        for var, key in (
            ("AWS_ACCESS_KEY_ID", "s3.access-key-id"),
            ("AWS_SECRET_ACCESS_KEY", "s3.secret-access-key"),
        ):
            if os.environ.get(var):
                props[key] = os.environ[var]
    return props


def _warehouse(settings: Settings, create: bool) -> str:
    if is_remote(settings.warehouse_uri):
        return settings.warehouse_uri
    if create:
        Path(settings.warehouse_uri).mkdir(parents=True, exist_ok=True)
    return f"file://{settings.warehouse_uri}"


def _sql(settings: Settings, create: bool = True) -> Catalog:
    from pyiceberg.catalog.sql import SqlCatalog

    uri = settings.catalog_uri
    if not uri:
        raise UserError("catalog.uri is empty: set it in the profile or AIRLAKE_CATALOG__URI")
    if uri.startswith("sqlite:///"):
        path = Path(uri[len("sqlite:///") :])
        if not create and not path.is_file():
            raise UserError(f"no catalog at {path}: {_NOT_CREATED}")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
    else:
        check_database_url(uri, "catalog.uri")
    last: Exception | None = None
    for attempt in range(3):
        try:
            catalog = SqlCatalog(
                settings.catalog_name,
                uri=uri,
                warehouse=_warehouse(settings, create),
                # without create, an empty database stays empty: it is not a catalog yet
                init_catalog_tables="true" if create else "false",
                **_io_properties(settings),
            )
            if not create and not _has_catalog_tables(catalog):
                raise UserError(f"no catalog at {redact(uri)}: {_NOT_CREATED}")
            return catalog
        except UserError:
            raise
        except Exception as exc:  # a bad URL or an unreachable server is the user's to fix
            last = exc
            # Two processes opening a new catalog at once both create its tables; the loser
            # sees "already exists" and simply opens the catalog the winner created.
            if "already exists" not in str(exc) and "UniqueViolation" not in str(exc):
                break
            time.sleep(0.2 * (attempt + 1))
    raise UserError(
        f"cannot open the catalog at {uri}: {last.__class__.__name__}: {last}"
    ) from None


_NOT_CREATED = (
    "run a day first (airlake run), or check catalog.uri; only run and demo create a catalog"
)


def _has_catalog_tables(catalog: Catalog) -> bool:
    """Whether the SQL catalog's own tables exist (pyiceberg creates them with a catalog)."""
    import sqlalchemy as sa

    engine = catalog.engine  # type: ignore[attr-defined]
    return bool(sa.inspect(engine).has_table("iceberg_tables"))


def _glue(settings: Settings, create: bool = True) -> Catalog:
    from pyiceberg.catalog.glue import GlueCatalog

    props = {
        "warehouse": settings.warehouse_uri,
        "glue.region": settings.aws_region,
        **_io_properties(settings),
    }
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        props["glue.endpoint"] = endpoint
    return GlueCatalog(settings.catalog_name, **props)


CATALOGS: dict[CatalogType, Callable[[Settings, bool], Catalog]] = {
    CatalogType.SQLITE: _sql,
    CatalogType.POSTGRES: _sql,
    CatalogType.GLUE: _glue,
}


def open_catalog(settings: Settings, *, create: bool = True) -> Catalog:
    """Open the catalog the settings name.

    With ``create=False`` a SQL catalog that does not exist yet (no SQLite file, or a database
    without the catalog's tables) is an error instead of a new empty one, so a mistyped path
    cannot pass for "no data". Only the commands that run the pipeline (``run``, ``demo``)
    create a catalog; every other command, reading or writing, opens it with ``create=False``.
    A Glue catalog is the account's own and always exists.
    """
    return CATALOGS[settings.catalog_type](settings, create)
