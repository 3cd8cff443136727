"""Releasing a generated landing day in slices, as a sink makes it visible through the day.

The generator writes whole days into a staging folder; :func:`day_slices` cuts one landing day
into hourly (or finer) slices and :func:`release` puts a slice's files into the landing zone
the way the sink makes a file appear: whole or not at all. Locally each file is copied under a
temporary name in its hour folder and renamed into place (a rename within a folder is atomic);
on S3 one PUT makes the object visible whole.

A slice ``k`` of ``per_hour`` in hour ``h`` holds, per topic partition, the k-th share of that
hour's files in offset order (a partition's files of an hour follow each other, so its earlier
records are in earlier files).
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from airlake.landing import LandingFile, list_day, relative_name
from airlake.storage import StorageOptions, filesystem, fs_path, is_remote, join

TEMP_SUFFIX = ".part"
"""Suffix of a file being written: not a sink name, so no reader takes it."""


@dataclass(frozen=True, slots=True)
class Slice:
    """The files of one landing day that appear by ``end`` (UTC)."""

    end: datetime
    files: tuple[str, ...]
    """Keys relative to the landing root."""


def day_slices(staged: str, day: date, per_hour: int = 1) -> list[Slice]:
    """Cut the staged landing day ``day`` into ``24 * per_hour`` slices, in time order."""
    if per_hour < 1 or 60 % per_hour:
        raise ValueError("per_hour must divide 60")
    groups: dict[tuple[int, str, int], list[LandingFile]] = defaultdict(list)
    for f in list_day(staged, day, StorageOptions()):
        groups[(f.hour, f.topic, f.partition)].append(f)
    slots: dict[int, list[str]] = defaultdict(list)
    for (hour, _, _), files in groups.items():
        files.sort(key=lambda f: f.start_offset)
        for i, f in enumerate(files):
            slots[hour * per_hour + i * per_hour // len(files)].append(relative_name(staged, f.uri))
    start = datetime.combine(day, time(0), tzinfo=UTC)
    minutes = 60 // per_hour
    return [
        Slice(start + timedelta(minutes=minutes * (k + 1)), tuple(sorted(slots.get(k, []))))
        for k in range(24 * per_hour)
    ]


def release(staged: str, landing: str, files: Sequence[str]) -> None:
    """Make ``files`` (keys relative to ``staged``) appear under ``landing``, each whole."""
    fs = filesystem(landing, StorageOptions())
    for key in files:
        src = fs_path(join(staged, key))
        dst = fs_path(join(landing, key))
        if is_remote(landing):
            fs.put_file(src, dst)
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst + TEMP_SUFFIX)
        os.replace(dst + TEMP_SUFFIX, dst)
