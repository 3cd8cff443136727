"""The sink: files of ``flush_size`` lines in the order runs came, offsets counting on per
partition across hours, full files of the open hour written early, nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from airlake.generator.sink import PARTITIONS, TOPIC_NAMES, Sink
from airlake.landing import parse_key

HOUR = int(datetime(2026, 11, 1, 10, tzinfo=UTC).timestamp()) // 3600


def _run(*lines: str) -> tuple[bytes, np.ndarray]:
    text = "".join(f"{line}\n" for line in lines).encode()
    return text, np.cumsum([len(line) + 1 for line in lines])


def _files(root: Path) -> dict[tuple[str, int, int, int], list[str]]:
    out = {}
    for path in (root / "topics").rglob("*.json"):
        f = parse_key(str(path))
        assert f is not None
        out[(f.topic, f.partition, f.hour, f.start_offset)] = path.read_text().splitlines()
    return out


def test_runs_become_files_of_flush_size_with_running_offsets(tmp_path: Path) -> None:
    web = TOPIC_NAMES.index("web-events") * PARTITIONS + 1
    with Sink(str(tmp_path), flush_size=3, first_hour=HOUR) as sink:
        sink.add(HOUR + 1, web, _run("late-1"))  # waits for its hour
        sink.add(HOUR, web, _run("a", "b"))
        sink.add(HOUR, web, _run("c", "d", "e", "f", "g"))  # two full files go out now
        sink.flush(HOUR)
        sink.add(HOUR + 1, web, _run("h"))
        sink.flush(HOUR + 1)
        assert not sink
    assert _files(tmp_path) == {
        ("web-events", 1, 10, 0): ["a", "b", "c"],
        ("web-events", 1, 10, 3): ["d", "e", "f"],
        ("web-events", 1, 10, 6): ["g"],
        ("web-events", 1, 11, 7): ["late-1", "h"],
    }


def test_early_files_equal_files_written_at_the_end(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    lines = [f"line-{i}" for i in range(200)]
    cuts = sorted(rng.choice(range(1, 200), 20, replace=False).tolist())
    runs = [lines[a:b] for a, b in zip([0, *cuts], [*cuts, 200], strict=True)]
    with Sink(str(tmp_path / "early"), flush_size=7, first_hour=HOUR) as sink:
        for run in runs:
            sink.add(HOUR, 0, _run(*run))
        sink.flush(HOUR)
    with Sink(str(tmp_path / "late"), flush_size=7, first_hour=HOUR - 1) as sink:
        for run in runs:
            sink.add(HOUR, 0, _run(*run))  # not the open hour: nothing goes out early
        sink.flush(HOUR - 1)
        sink.flush(HOUR)
    early, late = _files(tmp_path / "early"), _files(tmp_path / "late")
    assert early == late
    assert [line for _, body in sorted(early.items()) for line in body] == lines
    assert {len(body) for body in early.values()} == {7, 200 % 7}


def test_only_the_open_hour_can_be_flushed(tmp_path: Path) -> None:
    with Sink(str(tmp_path), flush_size=3, first_hour=HOUR) as sink, pytest.raises(ValueError):
        sink.flush(HOUR + 1)
