"""The run lock on a PostgreSQL catalog: PostgreSQL's own advisory lock on 127.0.0.1:5432."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from airlake.run_lock import LockTimeout, run_lock
from airlake.settings import CatalogType, Settings

pytestmark = pytest.mark.integration


def _on_postgres(settings: Settings, url: str, name: str = "airlake") -> Settings:
    return dataclasses.replace(
        settings, catalog_type=CatalogType.POSTGRES, catalog_uri=url, catalog_name=name
    )


def _advisory_locks(url: str) -> int:
    """Advisory locks granted in the database, as the server's own pg_locks lists them."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                        "AND database = (SELECT oid FROM pg_database WHERE datname = "
                        "current_database())"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_second_run_waits_then_gives_up_naming_itself(
    local_settings: Settings, postgres_url: str
) -> None:
    settings = _on_postgres(local_settings, postgres_url)
    told: list[str] = []
    with run_lock(settings, "stage ingest for 2026-11-02"):
        assert _advisory_locks(postgres_url) == 1
        started = time.monotonic()
        with (
            pytest.raises(LockTimeout, match=r"^refresh at 12:00: another refresh or daily run"),
            run_lock(settings, "refresh at 12:00", wait=0.6, on_wait=told.append),
        ):
            pass
        assert time.monotonic() - started >= 0.6
        assert told == ["waiting for another run on this catalog (up to 1 s)"]
    assert _advisory_locks(postgres_url) == 0
    with run_lock(settings, "the next run", wait=0):
        assert _advisory_locks(postgres_url) == 1


def test_catalogs_of_other_names_in_the_same_database_do_not_wait(
    local_settings: Settings, postgres_url: str
) -> None:
    sandbox = _on_postgres(local_settings, postgres_url, "sandbox")
    test = _on_postgres(local_settings, postgres_url, "test")
    with run_lock(sandbox, "sandbox run"), run_lock(test, "test run", wait=0):
        assert _advisory_locks(postgres_url) == 2


def test_a_killed_holder_leaves_no_lock_behind(
    local_settings: Settings, new_postgres_url: Callable[[], str], tmp_path: Path
) -> None:
    url = new_postgres_url()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from airlake.run_lock import _pg_lock\n"
            "with _pg_lock(sys.argv[1], 'airlake', 5, 'holder', print):\n"
            "    print('held', flush=True); time.sleep(600)\n",
            url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        settings = _on_postgres(local_settings, url)
        with pytest.raises(LockTimeout), run_lock(settings, "while held", wait=0.3):
            pass
        holder.send_signal(signal.SIGKILL)  # kill -9: the server ends the session, and its lock
        holder.wait(10)
        with run_lock(settings, "after the kill", wait=10):
            assert _advisory_locks(url) == 1
    finally:
        holder.kill()
        holder.wait(10)
