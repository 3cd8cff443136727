"""The intraday refresh on generated landing data released hour by hour.

Ground truth is the daily run over the same landing data on a fresh catalog (content hashes of
every table it writes), and the lines of the released files counted here, not by the pipeline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from airlake.errors import UserError
from airlake.generator.release import TEMP_SUFFIX, day_slices, release
from airlake.run_context import open_run
from airlake.run_lock import run_lock
from airlake.settings import Settings, settings_from_values
from airlake.stages import run_day
from airlake.stages.refresh import landing_status, read_alerts, run_refresh
from airlake.tables import content_hash, read_table
from tests.conftest import click_line

START = date(2026, 11, 1)
DAY = START + timedelta(days=1)
COMPARED = (
    "raw.events",
    "raw.quarantine",
    "raw.landing_files",
    "clean.events",
    "clean.sessions",
    "clean.attributed_conversions",
    "reports.campaign_daily",
    "reports.funnel_daily",
    "reports.data_quality_daily",
    "dim.campaigns",
)
AIRLAKE = str(Path(sys.executable).with_name("airlake"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two generated days (small files, so an hour has several) and their reference data."""
    from airlake import exchange_rates, reference
    from airlake.generator import GeneratorConfig, generate

    root = tmp_path_factory.mktemp("intraday")
    generate(
        GeneratorConfig(
            start=START, days=2, events_per_day=4_000, seed=5, out=str(root), flush_size=150
        )
    )
    url = f"sqlite:///{root}/source.db"
    versions = reference.history(START, 2, 5)
    reference.load(url, reference.state_as_of(versions, reference.end_of(DAY)))
    exchange_rates.load(url, exchange_rates.demo_rates(START, DAY))
    return root


def _settings(staged: Path, folder: Path, **extra: dict) -> Settings:
    return settings_from_values(
        {
            "name": "test",
            "storage": {"landing": str(folder / "landing"), "warehouse": str(folder / "wh")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{folder}/catalog.db"},
            "source": {"url": f"sqlite:///{staged}/source.db"},
            "engine": {"duckdb_memory_limit": "1GB"},
            **extra,
        },
        root=folder,
    )


def _profile(settings: Settings, folder: Path, staged: Path, wait: float = 300) -> Path:
    path = folder / "profile.toml"
    path.write_text(
        f'name = "test"\n[storage]\nlanding = "{settings.landing_uri}"\n'
        f'warehouse = "{settings.warehouse_uri}"\n'
        f'[catalog]\ntype = "sqlite"\nuri = "{settings.catalog_uri}"\n'
        f'[source]\nurl = "sqlite:///{staged}/source.db"\n'
        f"[intraday]\nlock_wait_seconds = {wait}\n"
    )
    return path


def _release_day(staged: Path, settings: Settings, day: date) -> None:
    for piece in day_slices(str(staged), day):
        release(str(staged), settings.landing_uri, piece.files)


def _hashes(settings: Settings) -> dict[str, str]:
    with open_run(settings) as ctx:
        return {name: content_hash(read_table(ctx.catalog, name)) for name in COMPARED}


def _one_daily_run(staged: Path, refreshed: Settings, folder: Path) -> dict[str, str]:
    """The tables of one daily run per day over the landing data ``refreshed`` ends with."""
    single = settings_from_values(
        {
            "name": "test",
            "storage": {"landing": refreshed.landing_uri, "warehouse": str(folder / "wh1")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{folder}/single.db"},
            "source": {"url": f"sqlite:///{staged}/source.db"},
        },
        root=folder,
    )
    with open_run(single) as ctx:
        run_day(ctx, START)
        run_day(ctx, DAY)
    return _hashes(single)


def _lines_released(settings: Settings, day: date) -> int:
    """Lines in the sink files of landing day ``day`` now in the landing folder (counted here)."""
    folder = Path(settings.landing_uri) / "topics"
    total = 0
    for path in folder.glob(f"*/year={day:%Y}/month={day:%m}/day={day:%d}/hour=*/*.json"):
        data = path.read_bytes()
        total += data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return total


def test_refreshes_through_the_day_then_the_daily_run_equal_one_daily_run(
    staged: Path, tmp_path: Path
) -> None:
    settings = _settings(staged, tmp_path)
    _release_day(staged, settings, START)
    with open_run(settings) as ctx:
        run_day(ctx, START)
        for piece in day_slices(str(staged), DAY):
            release(str(staged), settings.landing_uri, piece.files)
            if piece.end.hour % 5:
                continue
            result = run_refresh(ctx, piece.end, publish=piece.end.hour == 10)
            assert result.new_files > 0
            # accounting exact at every refresh, against the lines counted in the files
            quality = {
                r["landing_date"]: r
                for r in read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
            }[DAY]
            assert quality["lines"] == _lines_released(settings, DAY)
            assert quality["lines"] == (
                quality["valid"] + quality["duplicates"] + quality["quarantined"]
            )
            assert quality["duplicates"] >= 0
            pacing = read_table(
                ctx.catalog, "reports.pacing_intraday", f"as_of = '{piece.end.isoformat()}'"
            ).to_pylist()
            assert pacing and all(r["data_through"] <= piece.end for r in pacing)
        noop = run_refresh(ctx, piece.end + timedelta(minutes=1))
        assert noop.noop and all(c.table == "reports.alerts" for c in noop.commits)
        run_day(ctx, DAY)
    assert _hashes(settings) == _one_daily_run(staged, settings, tmp_path)


def test_a_refresh_killed_between_its_commits_is_repaired_by_the_next(
    staged: Path, tmp_path: Path
) -> None:
    settings = _settings(staged, tmp_path)
    profile = _profile(settings, tmp_path, staged)
    _release_day(staged, settings, START)
    with open_run(settings) as ctx:
        run_day(ctx, START)
    slices = day_slices(str(staged), DAY)
    for piece in slices[:8]:
        release(str(staged), settings.landing_uri, piece.files)
    # kill -9 of the refresh process right after raw.events got its rows, before clean.events
    # and the record of the files
    killer = (
        "import os, signal, sys\n"
        "import airlake.stages.refresh as r\n"
        "original = r.append_files\n"
        "def append(catalog, tdef, *a, **k):\n"
        "    if tdef.name == 'clean.events':\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return original(catalog, tdef, *a, **k)\n"
        "r.append_files = append\n"
        "from airlake.cli import main\n"
        f"sys.argv = ['airlake', 'refresh', '--now', '{slices[7].end.isoformat()}', "
        f"'--env', '{profile}']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", killer], capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL
    for piece in slices[8:]:
        release(str(staged), settings.landing_uri, piece.files)
    with open_run(settings) as ctx:
        result = run_refresh(ctx, slices[-1].end, publish=False)
        assert result.repaired == (DAY,)
        quality = read_table(
            ctx.catalog, "reports.data_quality_daily", f"landing_date = '{DAY}'"
        ).to_pylist()[0]
        assert quality["lines"] == _lines_released(settings, DAY)
        run_day(ctx, DAY)
    assert _hashes(settings) == _one_daily_run(staged, settings, tmp_path)


def test_a_refresh_and_a_daily_run_at_once_and_one_during_maintain(
    staged: Path, tmp_path: Path
) -> None:
    settings = _settings(staged, tmp_path)
    profile = _profile(settings, tmp_path, staged)
    _release_day(staged, settings, START)
    slices = day_slices(str(staged), DAY)
    for piece in slices[:12]:
        release(str(staged), settings.landing_uri, piece.files)
    now = slices[11].end.isoformat()
    procs = [
        subprocess.Popen(
            [AIRLAKE, *args, "--env", str(profile)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for args in (
            ["run", "--date", START.isoformat()],
            ["refresh", "--now", now],
            ["refresh", "--now", now],
        )
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1][-2000:] for o in outs]
    for piece in slices[12:]:
        release(str(staged), settings.landing_uri, piece.files)
    procs = [
        subprocess.Popen(
            [AIRLAKE, *args, "--env", str(profile)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for args in (
            ["run", "--date", START.isoformat(), "--stage", "maintain"],
            ["refresh", "--now", slices[-1].end.isoformat()],
        )
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    with open_run(settings) as ctx:
        run_day(ctx, DAY)
    assert _hashes(settings) == _one_daily_run(staged, settings, tmp_path)


def test_a_refresh_gives_up_with_one_line_when_the_lock_stays_taken(
    staged: Path, tmp_path: Path
) -> None:
    settings = _settings(staged, tmp_path, intraday={"lock_wait_seconds": 1})
    profile = _profile(settings, tmp_path, staged, wait=1)
    _release_day(staged, settings, START)
    held, release_it = threading.Event(), threading.Event()

    def hold() -> None:
        with run_lock(settings, "test"):
            held.set()
            release_it.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(10)
        done = subprocess.run(
            [AIRLAKE, "refresh", "--now", "2026-11-01T12:00:00Z", "--env", str(profile)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        release_it.set()
        holder.join()
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: refresh at 2026-11-01 12:00 UTC: another refresh")
    assert "Traceback" not in done.stderr


def test_a_day_without_data_is_no_error_and_a_half_written_file_waits(
    tmp_path: Path, write_landing, local_settings: Settings
) -> None:
    now = datetime(2026, 11, 10, 12, tzinfo=UTC)
    day = now.date()
    Path(local_settings.landing_uri).mkdir(parents=True, exist_ok=True)
    with open_run(local_settings) as ctx:
        assert run_refresh(ctx, now).noop
        # a file the sink is still writing: its temporary name is not a sink name
        path = write_landing(day, 11, [click_line("e1", "2026-11-10T11:00:00")])
        os.rename(path, str(path) + TEMP_SUFFIX)
        assert run_refresh(ctx, now).new_files == 0
        assert [s.files_waiting for s in landing_status(ctx, now)] == []
        os.rename(str(path) + TEMP_SUFFIX, path)
        assert [s.files_waiting for s in landing_status(ctx, now)] == [1]
        result = run_refresh(ctx, now)
        assert result.new_files == 1
        assert read_table(ctx.catalog, "clean.events").num_rows == 1
        assert [s.files_waiting for s in landing_status(ctx, now)] == [0]


def test_events_from_the_future_do_not_move_as_of_or_freshness(
    tmp_path: Path, write_landing, local_settings: Settings
) -> None:
    now = datetime(2026, 11, 10, 12, tzinfo=UTC)
    write_landing(
        now.date(),
        11,
        [
            click_line("e1", "2026-11-10T11:00:00"),
            click_line("e2", "2026-11-10T18:00:00"),  # a producer six hours ahead
        ],
    )
    with open_run(local_settings) as ctx:
        result = run_refresh(ctx, now, publish=False)
        assert result.as_of == now
        (topic,) = landing_status(ctx, now)
        assert topic.newest_event_read == datetime(2026, 11, 10, 11, tzinfo=UTC)
        assert topic.lag_minutes == 60.0


def test_a_missing_landing_folder_is_a_user_error(local_settings: Settings) -> None:
    with open_run(local_settings) as ctx, pytest.raises(UserError, match="does not exist"):
        run_refresh(ctx, datetime(2026, 11, 10, 12, tzinfo=UTC))


def test_an_over_budget_campaign_alerts_once_with_first_seen_kept(
    staged: Path, tmp_path: Path
) -> None:
    # every budget at one unit: every campaign with spend is over budget by mid-morning
    settings = _settings(staged, tmp_path)
    import sqlalchemy as sa

    source = tmp_path / "source.db"
    source.write_bytes((staged / "source.db").read_bytes())
    engine = sa.create_engine(f"sqlite:///{source}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE campaigns SET daily_budget = 1"))
    engine.dispose()
    settings = settings_from_values(
        {
            "name": "test",
            "storage": {"landing": str(tmp_path / "landing"), "warehouse": str(tmp_path / "wh")},
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/catalog.db"},
            "source": {"url": f"sqlite:///{source}"},
        },
        root=tmp_path,
    )
    slices = day_slices(str(staged), DAY)
    with open_run(settings) as ctx:
        run_day(ctx, START, ["extract"])
        for piece in slices[:10]:
            release(str(staged), settings.landing_uri, piece.files)
        first = run_refresh(ctx, slices[9].end, publish=False)
        for piece in slices[10:12]:
            release(str(staged), settings.landing_uri, piece.files)
        second = run_refresh(ctx, slices[11].end, publish=False)
        stored = read_alerts(ctx.catalog, DAY)
    over = {a.subject: a for a in first.open_alerts if a.rule == "over_budget"}
    assert over
    again = {a.subject: a for a in second.open_alerts if a.rule == "over_budget"}
    for subject in over:
        assert again[subject].first_seen == slices[9].end
        assert again[subject].last_seen == slices[11].end
    assert len([a for a in stored if a.rule == "over_budget"]) == len(again)
    done = subprocess.run(
        [AIRLAKE, "alerts", "--env", str(_profile(settings, tmp_path, tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "over_budget" in done.stdout
