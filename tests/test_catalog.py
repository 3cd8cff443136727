"""The Iceberg catalog on PostgreSQL (the team profile): concurrent commits from two processes."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from airlake.generator import GeneratorConfig, generate
from airlake.pipeline import open_run, run_day
from airlake.settings import CatalogType, load_settings, settings_from_values
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
