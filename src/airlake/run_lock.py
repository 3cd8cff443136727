"""The catalog's run lock: one writer of the pipeline's partitions at a time.

A daily stage and an intraday refresh both rewrite today's partitions; Iceberg would let both
commit (each commit is atomic, and a conflict is retried on the new state), but two of them
replacing the same partitions one after the other waste the first one's work and can publish a
mix. So each takes this lock for its duration, waits a bounded time for it, and gives up with
one clear line.

The lock lives where the catalog lives, so every process that commits to the same catalog sees
it: an advisory lock on the PostgreSQL server of a ``postgres`` catalog, an exclusive ``flock``
on a file beside a SQLite catalog. A Glue catalog has no lock server: runs on it are serialised
by the orchestrator (one Airflow pool for both DAGs).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from airlake.errors import UserError
from airlake.settings import CatalogType, Settings

_POLL_SECONDS = 0.2


class LockTimeout(UserError):
    """Another run held the catalog's lock for longer than the wait allowed."""


def _key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a lock name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def _file_lock(
    path: Path, wait: float, what: str, on_wait: Callable[[str], None]
) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(_busy(what, wait)) from None
                if not told:
                    on_wait(f"waiting for another run on this catalog (up to {wait:.0f} s)")
                    told = True
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def _pg_lock(
    uri: str, catalog: str, wait: float, what: str, on_wait: Callable[[str], None]
) -> Iterator[None]:
    import sqlalchemy as sa

    engine = sa.create_engine(uri, poolclass=sa.pool.NullPool)
    # advisory locks are the database's; one key per catalog name, as the catalog's own tables
    # keep each name's tables apart in one database
    key = _key(f"airlake.pipeline:{catalog}")
    try:
        with engine.connect() as conn:
            deadline = time.monotonic() + wait
            told = False
            while not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                conn.rollback()
                if time.monotonic() >= deadline:
                    raise LockTimeout(_busy(what, wait))
                if not told:
                    on_wait(f"waiting for another run on this catalog (up to {wait:.0f} s)")
                    told = True
                time.sleep(_POLL_SECONDS)
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
    finally:
        engine.dispose()


def _busy(what: str, wait: float) -> str:
    return (
        f"{what}: another refresh or daily run holds this catalog's lock after {wait:.0f} s "
        "of waiting; it commits the same partitions, so this one stopped without writing "
        "(the next scheduled run catches up)"
    )


@contextmanager
def run_lock(
    settings: Settings,
    what: str,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the catalog's run lock for the block; wait up to ``wait`` seconds (default
    ``intraday.lock_wait_seconds``) for it, then raise :class:`LockTimeout` naming ``what``.
    """
    seconds = settings.intraday.lock_wait_seconds if wait is None else wait
    told = on_wait or (lambda message: None)
    if settings.catalog_type is CatalogType.SQLITE and settings.catalog_uri.startswith(
        "sqlite:///"
    ):
        db = Path(settings.catalog_uri[len("sqlite:///") :])
        with _file_lock(db.with_name(db.name + ".run-lock"), seconds, what, told):
            yield
    elif settings.catalog_type is CatalogType.POSTGRES:
        with _pg_lock(settings.catalog_uri, settings.catalog_name, seconds, what, told):
            yield
    else:
        yield
