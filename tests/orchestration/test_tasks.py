"""The landing sensor's rule, on keys as S3 lists them (pure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from airlake.orchestration.tasks import day_is_complete, landing_complete

D = date(2026, 11, 2)


def key(topic: str, day: date, hour: int, suffix: str = ".json") -> str:
    return (
        f"events/topics/{topic}/year={day:%Y}/month={day:%m}/day={day:%d}/hour={hour:02d}/"
        f"{topic}+0+0000000001{suffix}"
    )


def test_a_day_is_complete_when_every_topic_reached_hour_23() -> None:
    assert day_is_complete([key("clicks", D, 23), key("views", D, 23)], D)
    assert not day_is_complete([key("clicks", D, 23), key("views", D, 22)], D)


def test_files_of_a_later_day_complete_it() -> None:
    assert day_is_complete([key("clicks", D, 5), key("clicks", date(2026, 11, 3), 0)], D)
    assert not day_is_complete([key("clicks", date(2026, 11, 3), 0)], D)  # nothing on D


def test_gzip_sink_files_count_and_other_files_do_not() -> None:
    assert day_is_complete([key("clicks", D, 23, ".json.gz")], D)
    assert not day_is_complete([key("clicks", D, 23, ".txt"), "events/_manifest.json"], D)


def test_a_local_landing_folder_is_listed(tmp_path: Path) -> None:
    for k in (key("clicks", D, 10), key("clicks", D, 23)):
        path = tmp_path / k
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n")
    context = {"data_interval_start": "2026-11-02T00:00:00+00:00"}
    assert landing_complete(str(tmp_path / "events"), **context)
    context = {"data_interval_start": "2026-11-01T00:00:00+00:00"}
    assert not landing_complete(str(tmp_path / "events"), **context)
