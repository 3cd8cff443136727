"""Erasure end to end: real pipeline runs, real commits, the CLI, the audit record."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from airlake.lifecycle.erasure import Subject, read_ids_file, subject_hash
from airlake.lifecycle.maintain import maintain
from airlake.run_context import open_run
from airlake.settings import MaintenancePolicy, Settings
from airlake.tables import TABLES, read_table
from tests.conftest import click_line, write_profile

D1 = date(2026, 11, 10)
D2 = date(2026, 11, 11)
PERSON = "p-forget-me"


@pytest.fixture
def profile(tmp_path: Path, write_landing) -> Path:
    write_landing(
        D1,
        10,
        [
            click_line("e1", "2026-11-10T10:00:00", anonymous_id=PERSON, user_id="u-9"),
            click_line("e2", "2026-11-10T10:10:00"),
            b'{"event_id": "q1", "anonymous_id": "' + PERSON.encode() + b'", "event_type": 5}',
        ],
    )
    write_landing(
        D2,
        1,
        [
            click_line("e3", "2026-11-11T00:30:00", anonymous_id="a-other", user_id="u-9"),
            click_line("e4", "2026-11-11T00:40:00"),
        ],
    )
    return write_profile(tmp_path, "local")


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _settings(profile: Path) -> Settings:
    from airlake.settings import load_settings

    return load_settings(str(profile), environ={})


def _holding(settings: Settings, ids: set[str]) -> dict[str, int]:
    """Rows naming any of ``ids`` per table, in the current snapshots."""
    out = {}
    with open_run(settings) as ctx:
        for tdef in TABLES:
            data = read_table(ctx.catalog, tdef.name)
            text = [json.dumps(r, default=str) for r in data.to_pylist()]
            out[tdef.name] = sum(any(f'"{i}"' in t or i in t for i in ids) for t in text)
    return out


def test_forget_a_login_end_to_end(profile: Path) -> None:
    assert _invoke("run", "--date", str(D1), "--to", str(D2), "--env", str(profile)).exit_code == 0
    settings = _settings(profile)
    ids = {PERSON, "a-other", "u-9"}
    before = _holding(settings, ids)
    assert before["raw.events"] == 2 and before["clean.events"] == 2
    assert before["raw.quarantine"] == 1 and before["clean.sessions"] >= 1
    with open_run(settings) as ctx:
        reports_before = read_table(ctx.catalog, "reports.campaign_daily").num_rows

    result = _invoke("forget", "--user-id", "u-9", "--by", "dpo@example.com", "--env", str(profile))
    assert result.exit_code == 0, result.output
    assert "audit record:" in result.output

    # gone from every table's current snapshot, including the quarantined line
    assert set(_holding(settings, ids).values()) == {0}
    # the BI file was published again without them
    import duckdb

    bi = Path(settings.warehouse_uri).parent / "bi" / "airlake.duckdb"
    con = duckdb.connect(str(bi), read_only=True)
    assert con.execute(
        "SELECT count(*) FROM clean.events WHERE anonymous_id IN (?, ?)", [PERSON, "a-other"]
    ).fetchone() == (0,)
    con.close()

    # the audit record: who, when, rows per table, the id only as a salted hash
    audits = list((Path(settings.warehouse_uri) / "_audit" / "erasure").glob("*.json"))
    assert len(audits) == 1
    text = audits[0].read_text()
    assert "u-9" not in text and PERSON not in text and "a-other" not in text
    record = json.loads(text)
    assert record["requested_by"] == "dpo@example.com"
    rows = {t["table"]: t["rows"] for t in record["tables"]}
    assert rows["raw.events"] == 2 and rows["clean.events"] == 2 and rows["raw.quarantine"] == 1
    salt = (Path(settings.warehouse_uri).parent / "erasure.salt").read_text().strip()
    assert record["subjects"] == [
        {"kind": "user_id", "hash": subject_hash(Subject("user_id", "u-9"), salt)}
    ]
    assert record["landing_days"] == [str(D1), str(D2)]

    # reports stay consistent: a re-run of the window keeps the accounting invariant
    assert _invoke("run", "--date", str(D2), "--env", str(profile)).exit_code == 0
    with open_run(settings) as ctx:
        for row in read_table(ctx.catalog, "reports.data_quality_daily").to_pylist():
            assert row["lines"] == row["valid"] + row["duplicates"] + row["quarantined"]
        assert read_table(ctx.catalog, "reports.campaign_daily").num_rows == reports_before
    assert set(_holding(settings, ids).values()) == {0}
    assert _invoke("check", "--env", str(profile)).exit_code == 0

    # once the snapshot retention allows, no snapshot holds them any more
    later = dataclasses.replace(
        settings, maintenance=MaintenancePolicy(snapshot_retention_hours=1, keep_last_snapshots=1)
    )
    with open_run(later) as ctx:
        maintain(ctx.catalog, later, ctx.engine, ctx.storage, today=D2, now_s=time.time() + 7200)
        for name in ("raw.events", "clean.events", "clean.sessions"):
            table = ctx.catalog.load_table(name)
            for snap in table.snapshots():
                data = table.scan(snapshot_id=snap.snapshot_id).to_arrow()
                assert PERSON not in data.column("anonymous_id").to_pylist(), (name, snap)


def test_ids_file_and_mistakes() -> None:
    subjects = read_ids_file("# request 17\nanonymous_id: a-1\n\nuser_id:u-2\n")
    assert subjects == [Subject("anonymous_id", "a-1"), Subject("user_id", "u-2")]
    with pytest.raises(Exception, match="line 1"):
        read_ids_file("a-1")
    with pytest.raises(Exception, match="unknown id kind"):
        Subject("email", "x@example.com")
    assert subject_hash(Subject("user_id", "u"), "s1") != subject_hash(
        Subject("user_id", "u"), "s2"
    )


def test_forget_without_ids_is_one_line(profile: Path) -> None:
    result = CliRunner().invoke(cli, ["forget", "--env", str(profile)])
    assert result.exit_code == 1
    assert "name at least one id" in result.output


def test_the_landing_lines_are_gone_by_the_date_forget_promises(profile: Path) -> None:
    """The landing files were written today, weeks after their landing days: maintain still
    removes them by the promised date, because it ages them by the landing day in their path."""
    from airlake.landing import parse_key

    assert _invoke("run", "--date", str(D1), "--to", str(D2), "--env", str(profile)).exit_code == 0
    settings = _settings(profile)
    landing = Path(settings.landing_uri)

    def landing_days_left() -> set[date]:
        keys = (parse_key(str(p)) for p in landing.rglob("*") if p.is_file())
        return {k.landing_date for k in keys if k is not None}

    assert landing_days_left() == {D1, D2}
    result = _invoke("forget", "--user-id", "u-9", "--by", "dpo@example.com", "--env", str(profile))
    assert result.exit_code == 0, result.output
    audit = next((Path(settings.warehouse_uri) / "_audit" / "erasure").glob("*.json"))
    promised = date.fromisoformat(json.loads(audit.read_text())["landing_files_gone_by"])
    assert f"(by {promised})" in result.output
    keep = settings.retention.landing_days
    assert keep is not None and promised == D2 + timedelta(days=keep + 1)

    day_before = _invoke(
        "maintain", "--date", str(promised - timedelta(days=1)), "--env", str(profile)
    )
    assert day_before.exit_code == 0, day_before.output
    assert landing_days_left() == {D2}  # D1's files left a day earlier, D2's are still due
    on_the_day = _invoke("maintain", "--date", str(promised), "--env", str(profile))
    assert on_the_day.exit_code == 0, on_the_day.output
    assert landing_days_left() == set()
