"""User mistakes and faults of the environment: one ``error:`` line and exit 1, never a
traceback. Real DuckDB, SQLite and PostgreSQL (127.0.0.1:5432)."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from tests.conftest import click_line, write_profile

DAY = date(2026, 11, 10)


@pytest.fixture
def profile(tmp_path: Path, write_landing) -> Path:
    write_landing(DAY, 10, [click_line("e1", "2026-11-10T10:00:00")])
    return write_profile(tmp_path)


def _one_error_line(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error: "), result.output
    assert message in lines[-1], result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "--date", "9999-12-31"), "out of range"),
        (("run", "--date", "0001-01-01"), "out of range"),
        (("run", "--date", DAY.isoformat(), "--set", "engine.duckdb_threads=0"), "duckdb_threads"),
        (
            ("run", "--date", DAY.isoformat(), "--set", "engine.duckdb_memory_limit=1GB' --"),
            "is not a size",
        ),
        (
            ("run", "--date", DAY.isoformat(), "--set", "pipeline.late_window_day=2"),
            "did you mean pipeline.late_window_days",
        ),
        (("query", ""), "empty"),
        (("query", "SELECT 1", "--set", "catalog.urii=x"), "did you mean catalog.uri"),
        (
            (
                "run",
                "--date",
                DAY.isoformat(),
                "--set",
                "catalog.type=postgres",
                "--set",
                "catalog.uri=postgresql://bob:pw-in-url@127.0.0.1:5432/nope",
            ),
            "needs the psycopg driver",
        ),
        (
            ("run", "--date", DAY.isoformat(), "--set", "catalog.uri=mysqlx://h/db"),
            "unknown database",
        ),
    ],
)
def test_mistakes_are_one_error_line(profile: Path, args: tuple[str, ...], message: str) -> None:
    result = CliRunner().invoke(cli, [*args, "--env", str(profile)])
    _one_error_line(result, message)
    assert "pw-in-url" not in result.output


def test_unknown_environment_variable_key(profile: Path) -> None:
    result = CliRunner().invoke(
        cli, ["tables", "--env", str(profile)], env={"AIRLAKE_PIPELINE__LATE_WINDOWDAYS": "5"}
    )
    _one_error_line(result, "AIRLAKE_PIPELINE__LATE_WINDOWDAYS")


def test_unknown_mwaa_version(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "mwaa",
            "bundle",
            "--env",
            "production",
            "--out",
            str(tmp_path / "b"),
            "--mwaa-version",
            "9.9.9",
        ],
    )
    _one_error_line(result, "unknown MWAA Airflow version '9.9.9'")
    assert "3.0.6" in result.output
    assert not (tmp_path / "b").exists()


def test_s3_without_credentials(
    profile: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: no traffic
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "--date",
            DAY.isoformat(),
            "--env",
            str(profile),
            "--set",
            "storage.landing=s3://b/landing",
        ],
    )
    _one_error_line(result, "no AWS credentials found")


def test_read_only_postgres_role(profile: Path, postgres_url: str) -> None:
    import sqlalchemy as sa

    first = CliRunner().invoke(
        cli,
        [
            "run",
            "--date",
            DAY.isoformat(),
            "--env",
            str(profile),
            "--stage",
            "ingest",
            "--set",
            "catalog.type=postgres",
            "--set",
            f"catalog.uri={postgres_url}",
        ],
    )
    assert first.exit_code == 0, first.output
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD 'Reader-Pw-9'"))
        conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    try:
        reader = postgres_url.replace("postgres@", f"{role}:Reader-Pw-9@")
        result = CliRunner().invoke(
            cli,
            [
                "run",
                "--date",
                DAY.isoformat(),
                "--env",
                str(profile),
                "--stage",
                "ingest",
                "--force-ingest",
                "--set",
                "catalog.type=postgres",
                "--set",
                f"catalog.uri={reader}",
            ],
        )
        _one_error_line(result, "lacks a privilege")
        assert "Reader-Pw-9" not in result.output
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"REASSIGN OWNED BY {role} TO postgres"))
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
            conn.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_runs_racing_on_a_fresh_catalog_both_create_the_tables(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from airlake.catalog import open_catalog
    from airlake.settings import settings_from_values
    from airlake.tables import RAW_EVENTS, ensure_table

    uri = (
        f"sqlite:///{tmp_path}/race.db"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    for trial in range(4):
        settings = settings_from_values(
            {
                "storage": {"warehouse": str(tmp_path / "wh")},
                "catalog": {"type": backend, "uri": uri, "name": f"race{trial}"},
            }
        )
        catalogs = [open_catalog(settings) for _ in range(4)]
        barrier = threading.Barrier(len(catalogs))
        errors: list[BaseException] = []

        def create(catalog, barrier=barrier, errors=errors) -> None:
            barrier.wait()
            try:
                ensure_table(catalog, RAW_EVENTS)
            except BaseException as exc:  # collected: the test fails on any
                errors.append(exc)

        threads = [threading.Thread(target=create, args=(c,)) for c in catalogs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert catalogs[0].table_exists(RAW_EVENTS.name)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.integration)]
)
def test_a_run_that_loses_every_commit_race_says_so_in_one_line(
    backend: str, profile: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    import pyiceberg.table
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.exceptions import CommitFailedException

    def commit_table(self, table, requirements, updates):  # another run always commits first
        raise CommitFailedException(f"Table has been updated by another process: {table.name()}")

    monkeypatch.setattr(SqlCatalog, "commit_table", commit_table)
    monkeypatch.setattr(pyiceberg.table.time, "sleep", lambda seconds: None)  # its own retries
    catalog = (
        [
            "--set",
            "catalog.type=postgres",
            "--set",
            f"catalog.uri={request.getfixturevalue('postgres_url')}",
        ]
        if backend == "postgres"
        else []
    )
    result = CliRunner().invoke(
        cli,
        ["run", "--date", DAY.isoformat(), "--stage", "ingest", "--env", str(profile), *catalog],
    )
    _one_error_line(result, "another run committed first; re-run")


WRITE_COMMANDS = [
    ("gate", "--date", DAY.isoformat()),
    ("forget", "--user-id", "u-1", "--by", "dpo@example.com"),
    ("maintain", "--date", DAY.isoformat()),
    ("publish-bi",),
    ("report", "--date", DAY.isoformat()),
]


@pytest.mark.parametrize("args", WRITE_COMMANDS, ids=lambda a: a[0])
def test_write_commands_refuse_a_catalog_that_does_not_exist(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    """A mistyped catalog path is an error, never a new empty catalog (nor an audit record
    of an erasure over nothing); only run and demo create one."""
    profile = write_profile(tmp_path)
    typo = f"catalog.uri=sqlite:///{tmp_path}/catalgo.db"
    result = CliRunner().invoke(cli, [*args, "--env", str(profile), "--set", typo])
    _one_error_line(result, f"no catalog at {tmp_path}/catalgo.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.toml"], "nothing may be created"


@pytest.mark.parametrize("args", WRITE_COMMANDS, ids=lambda a: a[0])
def test_write_commands_refuse_an_empty_postgres_database(
    args: tuple[str, ...], tmp_path: Path, postgres_url: str
) -> None:
    import sqlalchemy as sa

    profile = write_profile(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            *args,
            "--env",
            str(profile),
            "--set",
            "catalog.type=postgres",
            "--set",
            f"catalog.uri={postgres_url}",
        ],
    )
    _one_error_line(result, "no catalog at postgresql+psycopg2://")
    engine = sa.create_engine(postgres_url)
    assert sa.inspect(engine).get_table_names() == []  # the catalog's tables were not made
    engine.dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.toml"]


def test_gate_fails_for_a_day_with_no_ingested_data(profile: Path) -> None:
    ran = CliRunner().invoke(
        cli, ["run", "--date", DAY.isoformat(), "--stage", "ingest", "--env", str(profile)]
    )
    assert ran.exit_code == 0, ran.output
    passed = CliRunner().invoke(cli, ["gate", "--date", DAY.isoformat(), "--env", str(profile)])
    assert passed.exit_code == 0, passed.output
    assert f"data-quality gate: {DAY} passes" in passed.output
    never_run = CliRunner().invoke(cli, ["gate", "--date", "2026-11-11", "--env", str(profile)])
    _one_error_line(never_run, "no ingested lines for landing day 2026-11-11")


@pytest.mark.parametrize(
    "args",
    [
        ("mwaa", "bundle", "--env", "production", "--out"),
        ("spark", "package", "--out"),
        ("generate", "--start", "2026-11-01", "--events-per-day", "10", "--out"),
    ],
    ids=lambda a: a[0],
)
@pytest.mark.parametrize("where", ["FILE/sub", "/proc/x"])
def test_an_out_folder_the_file_system_refuses_is_one_error_line(
    args: tuple[str, ...], where: str, tmp_path: Path
) -> None:
    (tmp_path / "FILE").write_text("a file, not a folder")
    out = where if where.startswith("/") else str(tmp_path / where)
    result = CliRunner().invoke(cli, [*args, out])
    _one_error_line(result, f"--out {out}: cannot write there")
    assert (tmp_path / "FILE").read_text() == "a file, not a folder"
