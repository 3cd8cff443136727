"""``airlake query`` only reads; ``airlake check`` finds lost data files; ``run --force-ingest``
repairs them. Through the CLI runner, on the embedded backend with real DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from airlake.cli import cli
from tests.conftest import click_line, write_profile

DAY = "2026-11-10"


@pytest.fixture
def profile(tmp_path: Path, write_landing) -> Path:
    from datetime import date

    write_landing(
        date(2026, 11, 10),
        10,
        [click_line(f"e{i}", "2026-11-10T10:00:00") for i in range(20)],
    )
    path = write_profile(tmp_path, "ro")
    result = CliRunner().invoke(cli, ["run", "--date", DAY, "--env", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _raw_event_files(profile: Path) -> list[str]:
    result = _run("tables", "--format", "json", "--env", str(profile))
    assert result.exit_code == 0
    from airlake.catalog import open_catalog
    from airlake.settings import load_settings

    catalog = open_catalog(load_settings(str(profile), environ={}), create=False)
    table = catalog.load_table("raw.events")
    return [t.file.file_path.removeprefix("file://") for t in table.scan().plan_files()]


def _count(profile: Path) -> int:
    result = _run(
        "query", "SELECT count(*) AS n FROM raw.events", "--format", "json", "--env", str(profile)
    )
    assert result.exit_code == 0, result.output
    return int(json.loads(result.output)[0]["n"])


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("", "empty"),
        ("   -- nothing", "empty"),
        ("SELECT 1; SELECT 2", "2 statements"),
        ("COPY (SELECT * FROM raw.events WHERE false) TO '{file}' (FORMAT parquet)", "COPY"),
        ("ATTACH '{tmp}/bi.duckdb' AS bi", "ATTACH"),
        ("INSERT INTO raw.events SELECT * FROM raw.events", "INSERT"),
        ("SET enable_external_access = true", "SET"),
        ("PRAGMA version", "PRAGMA"),
        ("CALL pragma_version()", "CALL"),
        ("SELECT * FROM read_csv('/etc/passwd')", "Permission"),
        ("SELECT * FROM read_text('/etc/hostname')", "Permission"),
        ("SELECT * FROM '{tmp}/p.toml'", "query failed"),
        ("SELECT * FROM read_parquet('{file}') , raw.events LIMIT 1", None),
        ("WITH x AS (SELECT * FROM read_blob('{tmp}/catalog.db')) SELECT * FROM x", "Permission"),
    ],
)
def test_query_only_reads(profile: Path, tmp_path: Path, sql: str, message: str | None) -> None:
    files = _raw_event_files(profile)
    sizes = {f: Path(f).stat().st_size for f in files}
    before = _count(profile)
    text = sql.format(file=files[0], tmp=tmp_path)
    result = _run("query", text, "--env", str(profile))
    if message is None:  # the tables' own files may be read, as the views read them
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1, result.output
        assert result.output.startswith("error: ") and message in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert {f: Path(f).stat().st_size for f in files} == sizes
    assert _count(profile) == before == 20
    assert "root:" not in result.output


def test_with_statement_is_a_query(profile: Path) -> None:
    result = _run(
        "query",
        "WITH e AS (SELECT event_id FROM raw.events) SELECT count(*) AS n FROM e",
        "--format",
        "json",
        "--env",
        str(profile),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"n": 20}]


def test_read_command_never_creates_a_catalog(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(f'[catalog]\ntype = "sqlite"\nuri = "sqlite:///{tmp_path}/catalgo.db"\n')
    for args in (("tables",), ("query", "SELECT 1"), ("history", "raw.events"), ("check",)):
        result = _run(*args, "--env", str(path))
        assert result.exit_code == 1, result.output
        assert "no catalog at" in result.output
    assert not (tmp_path / "catalgo.db").exists()


def test_check_finds_a_lost_file_and_force_ingest_repairs_it(profile: Path) -> None:
    result = _run("check", "--env", str(profile))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")

    victim = _raw_event_files(profile)[0]
    table = pq.read_table(victim)
    pq.write_table(table.slice(0, 5), victim)  # rewritten behind the catalog's back

    result = _run("check", "--env", str(profile))
    assert result.exit_code == 1
    assert "raw.events" in result.output and victim in result.output
    assert "recorded" in result.output
    assert _count(profile) == 5  # what a reader sees now

    # An ordinary re-run skips the landing day: its files did not change.
    assert _run("run", "--date", DAY, "--env", str(profile)).exit_code == 0
    assert _run("check", "--env", str(profile)).exit_code == 1

    result = _run("run", "--date", DAY, "--force-ingest", "--env", str(profile))
    assert result.exit_code == 0, result.output
    assert _run("check", "--env", str(profile)).exit_code == 0
    assert _count(profile) == 20


def test_check_names_a_missing_file(profile: Path) -> None:
    victim = _raw_event_files(profile)[0]
    Path(victim).unlink()
    result = _run("check", "--format", "json", "--env", str(profile))
    assert result.exit_code == 1
    assert '"problem": "missing"' in result.output


@pytest.mark.parametrize(
    ("depth", "message"),
    [
        (100_000, "the query is 200,008 characters long; at most 100,000 are accepted"),
        (5_000, "the query nests 5,000 levels of parentheses; at most 100 are accepted"),
    ],
)
def test_deeply_nested_query_is_refused_quickly_in_little_memory(
    depth: int, message: str, tmp_path: Path
) -> None:
    """The issue's nested parentheses: one error line, and the process stays small (its own
    peak RSS, from the kernel; DuckDB's parser alone took ~1 GB and many seconds)."""
    import subprocess
    import sys

    sql, rss = tmp_path / "q.sql", tmp_path / "rss"
    sql.write_text("SELECT " + "(" * depth + "1" + ")" * depth)
    # the text can be longer than one argv string may be (128 KiB), so the child reads it
    program = (
        "import atexit, resource, sys; from pathlib import Path; "
        f"atexit.register(lambda: Path({str(rss)!r}).write_text("
        "str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))); "
        "from airlake.cli import main; "
        f"sys.argv = ['airlake', 'query', Path({str(sql)!r}).read_text()]; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"error: {message}"]
    peak_mib = int(rss.read_text()) / 1024
    # the command's imports (DuckDB, pyarrow, pyiceberg) take ~400 MiB by themselves; parsing
    # the query took 4.1 GB (5,000 levels) to 22.9 GB (100,000)
    assert peak_mib < 768, f"peak RSS {peak_mib:.0f} MiB"
