"""The Iceberg catalog on PostgreSQL (the team profile): concurrent commits from several
processes, on a catalog in use and on a fresh one."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from airlake.generator import GeneratorConfig, generate
from airlake.run_context import open_run
from airlake.settings import CatalogType, load_settings, settings_from_values
from airlake.stages import run_day
from airlake.tables import TABLES, content_hash, read_table

pytestmark = [pytest.mark.integration, pytest.mark.slow]
D1, D2 = date(2026, 11, 1), date(2026, 11, 2)


def test_the_team_profile_uses_postgres() -> None:
    assert load_settings("team", environ={}).catalog_type is CatalogType.POSTGRES


def _profile(path: Path, landing: Path, warehouse: Path, catalog: str) -> Path:
    path.write_text(
        f'name = "team"\n[storage]\nlanding = "{landing}"\nwarehouse = "{warehouse}"\n'
        f'[catalog]\ntype = "postgres"\nuri = "{catalog}"\n'
    )
    return path


def _run(profile: Path, *days: date) -> subprocess.Popen:
    args = [
        sys.executable,
        "-m",
        "airlake.cli",
        "run",
        "--env",
        str(profile),
        "--date",
        days[0].isoformat(),
    ]
    if len(days) > 1:
        args += ["--to", days[-1].isoformat()]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _hashes(settings) -> dict[str, str]:
    with open_run(settings) as ctx:
        return {t.name: content_hash(read_table(ctx.catalog, t.name)) for t in TABLES}


def test_two_processes_committing_at_once_lose_and_duplicate_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    generate(
        GeneratorConfig(
            start=D1, days=2, events_per_day=3000, seed=8, out=str(tmp_path / "landing")
        )
    )
    profile = _profile(
        tmp_path / "team.toml", tmp_path / "landing", tmp_path / "warehouse", postgres_url
    )

    # different days at once: both commit to every table
    first, second = _run(profile, D1), _run(profile, D2)
    outcomes = [(p.wait(timeout=600), p.communicate()) for p in (first, second)]
    for code, (_, err) in outcomes:
        assert code == 0 or "could not commit" in err, err[-1500:]
    # the same day twice at once: the loser retries on the new state or fails with a clear line
    again = [_run(profile, D2), _run(profile, D2)]
    for p in again:
        code = p.wait(timeout=600)
        assert code == 0 or "could not commit" in p.communicate()[1]
    # whatever failed converges on a plain re-run
    assert _run(profile, D1, D2).wait(timeout=600) == 0

    sequential = settings_from_values(
        {
            "storage": {"landing": str(tmp_path / "landing"), "warehouse": str(tmp_path / "seq")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/seq.db"},
        }
    )
    with open_run(sequential) as ctx:
        run_day(ctx, D1)
        run_day(ctx, D2)
    team = load_settings(str(profile), environ={})
    assert _hashes(team) == _hashes(sequential)


# Imports first (seconds, and uneven), then every process waits for the same start signal, so the
# runs reach the fresh catalog's creation and their first commits within milliseconds.
START_TOGETHER = r"""
import sys, time
from pathlib import Path
import airlake.cli, airlake.stages, pyiceberg.catalog.sql, pyiceberg.table, duckdb
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.001)
sys.argv = ["airlake", *sys.argv[3:]]
airlake.cli.main()
"""
LOST_RACE = re.compile(r"error: .*another run committed first; re-run")


def _started_together(folder: Path, runs: int, *args: str) -> list[tuple[int, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    go = folder / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", START_TOGETHER, str(folder / f"ready{i}"), str(go), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(runs)
    ]
    deadline = time.monotonic() + 120
    while len(list(folder.glob("ready*"))) < runs and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()
    return [(p.wait(timeout=600), p.communicate()[1]) for p in procs]


def test_runs_started_together_on_a_fresh_catalog_retry_or_say_so_in_one_line(
    new_postgres_url, tmp_path: Path
) -> None:
    generate(
        GeneratorConfig(start=D1, days=1, events_per_day=300, seed=5, out=str(tmp_path / "landing"))
    )
    sequential = settings_from_values(
        {
            "storage": {"landing": str(tmp_path / "landing"), "warehouse": str(tmp_path / "seq")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/seq.db"},
        }
    )
    with open_run(sequential) as ctx:
        run_day(ctx, D1)
    expected = _hashes(sequential)

    for trial in range(3):  # a fresh database each time: the race is on creating the catalog
        folder = tmp_path / f"trial{trial}"
        folder.mkdir()
        profile = _profile(
            folder / "team.toml", tmp_path / "landing", folder / "warehouse", new_postgres_url()
        )
        outcomes = _started_together(
            folder / "signals", 3, "run", "--env", str(profile), "--date", D1.isoformat()
        )
        for code, err in outcomes:
            assert "Traceback" not in err, err[-3000:]
            # a run that lost every retry says so in its last line, and a re-run converges
            assert code == 0 or (code == 1 and LOST_RACE.fullmatch(err.strip().splitlines()[-1]))
        if any(code for code, _ in outcomes):
            assert _run(profile, D1).wait(timeout=600) == 0
        assert _hashes(load_settings(str(profile), environ={})) == expected
