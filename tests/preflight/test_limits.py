"""Reading within limits: only regular files, never more than the limit, whatever a file or a
zip member claims about its size."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

import pytest

from airlake.preflight.limits import (
    MAX_FILE_BYTES,
    NotRead,
    ReadLimits,
    declared_members,
    read_bounded,
    read_member,
    size_text,
)
from tests.preflight.zip_files import declare_size, zip_bytes


def test_a_file_within_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "dag.py"
    path.write_bytes(b"x = 1\n")
    assert read_bounded(path, 6) == b"x = 1\n"


def test_a_file_past_the_default_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    with path.open("wb") as fp:
        fp.truncate(MAX_FILE_BYTES + 1)  # sparse: no time, no disk
    with pytest.raises(NotRead, match="2097153 bytes, more than the 2097152 bytes preflight reads"):
        read_bounded(path, MAX_FILE_BYTES)


@pytest.mark.timeout(20)
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "dag.py"
    os.mkfifo(path)
    with pytest.raises(NotRead, match="not a regular file"):
        read_bounded(path, MAX_FILE_BYTES)


def test_the_end_record_gives_the_member_count_before_the_directory_is_parsed() -> None:
    assert declared_members(io.BytesIO(zip_bytes({f"m{i}.py": b"" for i in range(3)}))) == 3
    assert declared_members(io.BytesIO(b"not a zip")) is None


def test_a_zip64_end_record_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    # a zip64 end record, as for more than 65535 members, with the classic count saturated
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
    data = bytearray(zip_bytes({f"m{i}.py": b"" for i in range(3)}))
    at = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, at + 8, 0xFFFF, 0xFFFF)
    assert declared_members(io.BytesIO(bytes(data))) == 3


def test_a_member_declaring_more_than_the_limit_is_not_unpacked() -> None:
    data = declare_size(zip_bytes({"bomb.py": b"x = 1\n"}), "bomb.py", 0xFFFFFFF0)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        (info,) = zf.infolist()
        assert info.file_size == 0xFFFFFFF0
        with pytest.raises(NotRead, match=r"4\.0 GiB"):
            read_member(zf, info, MAX_FILE_BYTES)


def test_a_member_is_read_up_to_its_size() -> None:
    with zipfile.ZipFile(io.BytesIO(zip_bytes({"a.py": b"x = 1\n"}))) as zf:
        assert read_member(zf, zf.getinfo("a.py"), 6) == b"x = 1\n"
        with pytest.raises(NotRead):
            read_member(zf, zf.getinfo("a.py"), 5)


def test_limits_are_positive() -> None:
    with pytest.raises(ValueError, match="zip_members must be at least 1"):
        ReadLimits(zip_members=0)


@pytest.mark.parametrize(
    ("size", "text"),
    [(512, "512 bytes"), (1536, "1.5 KiB"), (10 * 1024 * 1024, "10.0 MiB"), (2**32, "4.0 GiB")],
)
def test_sizes_read_as_a_person_reads_them(size: int, text: str) -> None:
    assert size_text(size) == text
