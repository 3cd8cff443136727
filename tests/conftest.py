"""Shared fixtures: settings on a temporary warehouse, and a small hand-written landing zone.

The suite never writes into the checkout's own state (``.airlake/``, a user's demo or real
local data, nor ``~/airflow``): for the whole session the default profile (``AIRLAKE_ENV``) is a copy of
``environments/local.toml`` whose state lives in a temporary folder; a test that runs a profile
with its warehouse on S3 (whose published copies go under ``./.airlake``) runs in a temporary
working directory. At the end, the session fails if the checkout's ``.airlake/`` changed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from airlake.contract import landing_key
from airlake.settings import Settings, settings_from_values

CHECKOUT = Path(__file__).resolve().parents[1]
CHECKOUT_STATE = CHECKOUT / ".airlake"


def state_fingerprint(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime in ns) of every file and folder under ``folder`` (empty when absent)."""
    if not folder.exists():
        return {}
    out = {}
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        out[str(path.relative_to(folder))] = (st.st_size if path.is_file() else 0, st.st_mtime_ns)
    return out


def pytest_configure(config: pytest.Config) -> None:
    """Airflow, imported in-process by some tests, keeps its home (``airflow.cfg``, logs) in a
    temporary folder instead of the user's ``~/airflow`` (whose settings could also change
    what the tests see)."""
    import tempfile

    home = tempfile.mkdtemp(prefix="airlake-tests-airflow-")
    os.environ["AIRFLOW_HOME"] = home
    config.stash[_AIRFLOW_HOME] = home


def pytest_unconfigure(config: pytest.Config) -> None:
    home = config.stash.get(_AIRFLOW_HOME, None)
    if home is not None:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
        os.environ.pop("AIRFLOW_HOME", None)


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = state_fingerprint(CHECKOUT_STATE)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_BEFORE, None)
    if before is None:
        return
    after = state_fingerprint(CHECKOUT_STATE)
    if after != before:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        session.config.get_terminal_writer().line(
            f"FAILED: the test suite changed the checkout's {CHECKOUT_STATE}: "
            + ", ".join(changed[:10]),
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_BEFORE = pytest.StashKey[dict[str, tuple[int, int]]]()
_AIRFLOW_HOME = pytest.StashKey[str]()


@pytest.fixture(scope="session", autouse=True)
def default_state_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The default profile points into a temporary folder."""
    root = tmp_path_factory.mktemp("default-profile")
    state = root / ".airlake"
    profile = root / "local.toml"
    text = (CHECKOUT / "environments" / "local.toml").read_text(encoding="utf-8")
    profile.write_text(
        text.replace('".airlake/', f'"{state}/').replace(
            "sqlite:///.airlake/", f"sqlite:///{state}/"
        ),
        encoding="utf-8",
    )
    saved_env = os.environ.get("AIRLAKE_ENV")
    os.environ["AIRLAKE_ENV"] = str(profile)
    try:
        yield state
    finally:
        if saved_env is None:
            os.environ.pop("AIRLAKE_ENV", None)
        else:
            os.environ["AIRLAKE_ENV"] = saved_env


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


def write_profile(folder: Path, name: str = "cli") -> Path:
    """A profile file whose landing, warehouse and SQLite catalog all live under ``folder``."""
    path = folder / "p.toml"
    path.write_text(
        f'name = "{name}"\n[storage]\nlanding = "{folder}/landing"\n'
        f'warehouse = "{folder}/warehouse"\n'
        f'[catalog]\ntype = "sqlite"\nuri = "sqlite:///{folder}/catalog.db"\n'
    )
    return path


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
def new_postgres_url() -> Iterator[Callable[[], str]]:
    """Make fresh PostgreSQL databases on 127.0.0.1:5432 (trust auth): each call creates one and
    returns its URL; all are dropped afterwards.

    Fails in CI when the server is unreachable (CI provides it); skips with the reason elsewhere.
    """
    import uuid

    import sqlalchemy as sa

    admin = sa.create_engine(
        "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    made: list[str] = []

    def make() -> str:
        name = f"airlake_{uuid.uuid4().hex[:10]}"
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f"CREATE DATABASE {name}"))
        except sa.exc.OperationalError as exc:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is unreachable in CI: {exc}")
            pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is unreachable: {str(exc).splitlines()[0]}")
        made.append(name)
        return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"

    yield make
    if made:
        with admin.connect() as conn:
            for name in made:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def postgres_url(new_postgres_url: Callable[[], str]) -> str:
    """A fresh PostgreSQL database on 127.0.0.1:5432 (trust auth), dropped afterwards."""
    return new_postgres_url()


class IntradayLake:
    """A generated day staged beside an empty landing zone, released slice by slice as the sink
    would close its files, with reference data whose first campaign has its daily budget cut to
    ``budget`` (so its pacing alert fires once it spends), and a profile file naming it all."""

    def __init__(self, folder: Path, day: date, events: int, seed: int, budget: str) -> None:
        from decimal import Decimal

        from airlake import reference
        from airlake.generator import GeneratorConfig, generate

        self.day, self.staged, self.landing = day, folder / "staged", folder / "landing"
        self.landing.mkdir(parents=True, exist_ok=True)
        generate(
            GeneratorConfig(
                start=day, days=1, events_per_day=events, seed=seed, out=str(self.staged)
            )
        )
        source = f"sqlite:///{folder}/source.db"
        state = reference.state_as_of(reference.history(day, 1, seed), reference.end_of(day))
        self.cut = state["campaigns"][0]["campaign_id"]
        state["campaigns"][0]["daily_budget"] = Decimal(budget)
        reference.load(source, state)
        self.profile = folder / "intraday.toml"
        self.profile.write_text(
            f"""name = "intraday-test"
[storage]
landing = "{self.landing}"
warehouse = "{folder / "state" / "warehouse"}"
[catalog]
type = "sqlite"
uri = "sqlite:///{folder}/state/catalog.db"
[source]
url = "{source}"
[engine]
duckdb_memory_limit = "1GB"
[orchestration]
retries = 0
[intraday]
schedule = "0 * * * *"
business_timezone = "Europe/Berlin"
"""
        )
        self.released = 0

    @property
    def settings(self) -> Settings:
        from airlake.settings import load_settings

        return load_settings(str(self.profile), environ={})

    def release_until(self, hour: int) -> int:
        """Put every file the sink has closed by ``hour``:00 UTC of the day into the landing
        zone; returns how many files appeared."""
        from airlake.generator.release import day_slices, release

        slices = day_slices(str(self.staged), self.day)[self.released : hour]
        for piece in slices:
            release(str(self.staged), str(self.landing), piece.files)
        self.released = max(self.released, hour)
        return sum(len(p.files) for p in slices)


@pytest.fixture
def intraday_lake(tmp_path: Path) -> Callable[..., IntradayLake]:
    """Make an :class:`IntradayLake` under tmp_path (day, events, seed, budget of the cut)."""

    def make(
        day: date = date(2026, 11, 2), events: int = 2000, seed: int = 5, budget: str = "0.50"
    ) -> IntradayLake:
        return IntradayLake(tmp_path, day, events, seed, budget)

    return make
