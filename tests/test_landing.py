import re
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


def test_gzip_sink_files_are_read_as_lines(write_landing, tmp_path: Path) -> None:
    import gzip

    plain = write_landing(DAY, 3, [b'{"a": 1}', b"oops"], offset=0)
    packed = plain.with_name(plain.name.replace("+0000000000.json", "+0000000002.json.gz"))
    packed.write_bytes(gzip.compress(b'{"b": 2}\n{"c": 3}\n'))
    root = str(tmp_path / "landing")
    files = list_day(root, DAY, StorageOptions())
    assert [f.uri.rsplit("/", 1)[1] for f in files] == [plain.name, packed.name]
    table = next(read_batches(root, files, StorageOptions()))
    assert table.column("line").to_pylist() == ['{"a": 1}', "oops", '{"b": 2}', '{"c": 3}']
    assert table.column("source_offset").to_pylist() == [0, 1, 2, 3]


def test_read_content_holds_an_endless_line_to_its_first_bytes() -> None:
    """A 300 MiB line (in a 300 KB gzip) is read in pieces: what is kept is its first 1024
    bytes, its true length is reported, and the lines after it are whole."""
    import io
    import zlib

    from airlake.landing import read_content

    packed = zlib.compressobj(9, zlib.DEFLATED, 31)
    blob = packed.compress(b'{"a": 1}\n')
    for _ in range(300):
        blob += packed.compress(b"y" * (1 << 20))
    blob += packed.compress(b'\n{"b": 2}\n') + packed.flush()
    content, long = read_content(io.BytesIO(blob), True, 1 << 20)
    assert long == {1: 300 << 20}
    assert content == b'{"a": 1}\n' + b"y" * 1024 + b'\n{"b": 2}\n'


@pytest.mark.parametrize("members", [1, 3])
def test_read_content_is_gzip_decompress_for_any_file(members: int) -> None:
    import gzip
    import io
    import os

    from airlake.landing import read_content

    parts = [os.urandom(3 << 20).replace(b"\n", b"") + b"\n" * i for i in range(members)]
    blob = b"".join(gzip.compress(p) for p in parts)
    assert read_content(io.BytesIO(blob), True, None) == (gzip.decompress(blob), {})
    with pytest.raises(EOFError):
        read_content(io.BytesIO(blob[: len(blob) // 2]), True, None)


def test_a_broken_gzip_file_fails_with_its_path(write_landing, tmp_path: Path) -> None:
    plain = write_landing(DAY, 3, [b"{}"])
    broken = plain.with_name(plain.name.replace(".json", ".json.gz"))
    broken.write_bytes(b"not gzip at all")
    root = str(tmp_path / "landing")
    with pytest.raises(UserError, match=re.escape(broken.name)):
        list(read_batches(root, list_day(root, DAY, StorageOptions()), StorageOptions()))


def test_an_unreadable_hour_folder_fails_the_listing_with_its_path(tmp_path: Path) -> None:
    """Run as an unprivileged user (root reads everything), through a real chmod 000 folder."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    from airlake.contract import landing_key

    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run the listing as an unprivileged user")
    base = Path(tempfile.mkdtemp(prefix="airlake-landing-"))
    try:
        base.chmod(0o755)
        root = base / "landing"
        for hour in (2, 3):
            path = root / landing_key("ad-clicks", 2026, 11, 10, hour, 0, 0)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"{}\n")
        for folder in [root, *root.rglob("*")]:
            folder.chmod(0o755 if folder.is_dir() else 0o644)
        hidden = (root / landing_key("ad-clicks", 2026, 11, 10, 3, 0, 0)).parent
        hidden.chmod(0o000)
        code = (
            "import sys; from datetime import date\n"
            "from airlake.errors import UserError\n"
            "from airlake.landing import list_day\n"
            "from airlake.storage import StorageOptions\n"
            "try:\n"
            f"    list_day({str(root)!r}, date(2026, 11, 10), StorageOptions())\n"
            "except UserError as exc:\n"
            "    print(exc); sys.exit(3)\n"
        )
        result = subprocess.run(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-c",
                code,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 3, result.stderr
        assert "cannot list landing folder" in result.stdout
        assert str(hidden) in result.stdout
    finally:
        for folder in [base, *base.rglob("*")]:
            if folder.is_dir():
                folder.chmod(0o755)
        shutil.rmtree(base)


def test_a_name_with_digits_other_than_ascii_is_not_a_sink_file() -> None:
    """The name from the report: Arabic-Indic digits in the offset."""
    folder = "/x/topics/web-events/year=2026/month=11/day=10/hour=07/"
    assert (
        parse_key(
            folder
            + "web-events+1+\u0660\u0660\u0660\u0660\u0660\u0669\u0660\u0660\u0660\u0660.json"
        )
        is None
    )
    assert parse_key(folder + "web-events+\u0661+0000090000.json") is None
    assert parse_key(folder + "web-events+1+90000.json") is None  # the sink pads to 10 digits
    parsed = parse_key(folder + "web-events+1+0000090000.json")
    assert parsed is not None and parsed.start_offset == 90000
