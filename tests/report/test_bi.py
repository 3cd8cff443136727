"""The BI file is replaced atomically: a reader in another process always sees a whole snapshot."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from airlake.pipeline import open_run, run_day
from airlake.report.bi import publish_bi
from airlake.settings import Settings
from tests.conftest import click_line

READER = """
import sys, time, duckdb
path, seconds = sys.argv[1], float(sys.argv[2])
end, reads = time.time() + seconds, 0
while time.time() < end:
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.IOException:
        continue  # the very first publish has not renamed its file into place yet
    published = dict(con.execute("SELECT table_name, row_count FROM main.published").fetchall())
    actual = con.execute("SELECT COUNT(*) FROM clean.events").fetchone()[0]
    con.close()
    assert len(published) == 6, published
    assert published["clean.events"] == actual, (published, actual)
    reads += 1
print("READS", reads)
"""


@pytest.mark.slow
def test_reader_never_sees_a_half_written_file(
    write_landing, local_settings: Settings, tmp_path: Path
) -> None:
    day = date(2026, 11, 10)
    write_landing(day, 10, [click_line(f"e{i}", "2026-11-10T10:00:00") for i in range(50)])
    with open_run(local_settings) as ctx:
        run_day(ctx, day)
        target = tmp_path / "bi" / "airlake.duckdb"
        publish_bi(ctx.catalog, local_settings, target, datetime.now(UTC))
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(target), "6"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        published = 0
        deadline = time.time() + 5
        while time.time() < deadline:
            publish_bi(ctx.catalog, local_settings, target, datetime.now(UTC))
            published += 1
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err[-2000:]
    reads = int(out.split()[-1])
    assert reads > 0 and published > 1
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("SELECT COUNT(*) FROM clean.events").fetchone() == (50,)
    con.close()
    assert not list(target.parent.glob(".airlake-bi-*")), (
        "temporary files are cleaned up by the rename"
    )
