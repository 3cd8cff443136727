"""Shared fixtures: settings on a temporary warehouse, and a small hand-written landing zone."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from airlake.contract import landing_key
from airlake.settings import Settings, settings_from_values

# Airflow reads its configuration once per process from $AIRFLOW_HOME (default ~/airflow): the suite uses its own, so no Airflow config of the user's changes what
# the tests see, and the tests write none there.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="airlake-tests-airflow-")

CLICK = {
    "event_type": "click",
    "anonymous_id": "a-1",
    "campaign_id": "cmp-001",
    "ad_group_id": "g-1",
    "creative_id": "c-1",
    "channel": "search",
    "impression_id": "i-1",
    "cost": 0.25,
    "currency": "EUR",
    "user_agent": "Mozilla/5.0",
    "ip": "10.1.2.0",
}


def click_line(event_id: str, ts: str, **changes: object) -> bytes:
    """A valid click landing line (JSON bytes) at ``ts`` (``YYYY-MM-DDTHH:MM:SS``)."""
    doc = {
        **CLICK,
        "event_id": event_id,
        "event_ts": f"{ts}Z",
        "received_ts": f"{ts}.5Z",
        **changes,
    }
    return json.dumps(doc).encode()


@pytest.fixture
def write_landing(tmp_path: Path) -> Callable[..., Path]:
    """Write one sink file: write_landing(day, hour, lines, topic=..., partition=..., offset=...)."""
    root = tmp_path / "landing"

    def write(
        day: date,
        hour: int,
        lines: list[bytes],
        topic: str = "ad-clicks",
        partition: int = 0,
        offset: int = 0,
    ) -> Path:
        path = root / landing_key(topic, day.year, day.month, day.day, hour, partition, offset)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(line + b"\n" for line in lines))
        return path

    root.mkdir(parents=True, exist_ok=True)
    return write


@pytest.fixture
def local_settings(tmp_path: Path) -> Settings:
    """Embedded settings on tmp_path: landing/, warehouse/, a SQLite catalog."""
    return settings_from_values(
        {
            "name": "test",
            "storage": {
                "landing": str(tmp_path / "landing"),
                "warehouse": str(tmp_path / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/catalog.db"},
            "engine": {"duckdb_memory_limit": "1GB"},
        },
        root=tmp_path,
    )


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch):
    """moto's server on 127.0.0.1 as the AWS endpoint, with an empty account for each test
    (moto keeps its state per process, so it is reset first)."""
    import urllib.request

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    ).read()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(key, value)
    yield endpoint
    server.stop()


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database on 127.0.0.1:5432 (trust auth), dropped afterwards.

    Fails in CI when the server is unreachable (CI provides it); skips with the reason elsewhere.
    """
    import os
    import uuid

    import sqlalchemy as sa

    admin = sa.create_engine(
        "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            name = f"airlake_{uuid.uuid4().hex[:10]}"
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is unreachable: {str(exc).splitlines()[0]}")
    yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
