from datetime import date
from pathlib import Path

import pytest

from airlake.errors import UserError
from airlake.landing import day_complete, list_day, parse_key, read_batches
from airlake.storage import StorageOptions

DAY = date(2026, 11, 10)


def test_parse_key_reads_the_sink_layout() -> None:
    f = parse_key(
        "/x/topics/ad-clicks/year=2026/month=11/day=10/hour=07/ad-clicks+2+0000000042.json", 9
    )
    assert f is not None
    assert (f.topic, f.landing_date, f.hour, f.partition, f.start_offset, f.size) == (
        "ad-clicks",
        DAY,
        7,
        2,
        42,
        9,
    )
    assert (
        parse_key("/x/topics/ad-clicks/year=2026/month=02/day=30/hour=07/ad-clicks+2+1.json")
        is None
    )
    assert parse_key("/x/topics/ad-clicks/year=2026/month=11/day=10/hour=07/other+2+1.json") is None


def test_list_day_orders_files_and_ignores_foreign_ones(write_landing, tmp_path: Path) -> None:
    write_landing(DAY, 9, [b"{}"], partition=1, offset=5)
    write_landing(DAY, 3, [b"{}"], partition=0, offset=0)
    write_landing(DAY, 9, [b"{}"], partition=0, offset=7)
    (tmp_path / "landing" / "topics" / "notes.txt").write_text("x")
    files = list_day(str(tmp_path / "landing"), DAY, StorageOptions())
    assert [(f.hour, f.partition, f.start_offset) for f in files] == [
        (3, 0, 0),
        (9, 0, 7),
        (9, 1, 5),
    ]


def test_missing_landing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        list_day(str(tmp_path / "nope"), DAY, StorageOptions())


def test_read_batches_keeps_every_line_with_offsets(write_landing, tmp_path: Path) -> None:
    path = write_landing(DAY, 1, [b'{"a":1}', b"", b"\xff\xfe", b"last"], offset=100)
    # no trailing newline on the last line: it is still a line
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    files = list_day(str(tmp_path / "landing"), DAY, StorageOptions())
    (batch,) = list(read_batches(str(tmp_path / "landing"), files, StorageOptions()))
    rows = batch.to_pylist()
    assert [r["line"] for r in rows] == ['{"a":1}', "", None, "last"]
    assert rows[2]["raw_bytes"] == b"\xff\xfe"
    assert [r["source_offset"] for r in rows] == [100, 101, 102, 103]
    assert [r["source_line"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["source_file"].startswith("topics/ad-clicks/year=2026/")


def test_day_complete(write_landing, tmp_path: Path) -> None:
    root = str(tmp_path / "landing")
    assert not day_complete(root, DAY, StorageOptions())
    write_landing(DAY, 22, [b"{}"])
    assert not day_complete(root, DAY, StorageOptions())
    write_landing(DAY, 23, [b"{}"])
    assert day_complete(root, DAY, StorageOptions())
    write_landing(DAY, 5, [b"{}"], topic="web-events")
    assert not day_complete(root, DAY, StorageOptions())
    write_landing(date(2026, 11, 11), 0, [b"{}"], topic="web-events")
    assert day_complete(root, DAY, StorageOptions())
