from datetime import UTC, datetime

from airlake.intraday.freshness import SeenFile, topic_status

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


def test_topic_status_counts_waiting_files_and_the_lag() -> None:
    files = [
        SeenFile("clicks", "a.json", 100.0, True),
        SeenFile("clicks", "b.json", 200.0, False),
        SeenFile("views", "c.json", None, False),
    ]
    rows = topic_status(files, {"clicks": datetime(2026, 11, 2, 11, 30, tzinfo=UTC)}, NOW)
    assert [(r.topic, r.newest_file, r.files_waiting, r.lag_minutes) for r in rows] == [
        ("clicks", "b.json", 1, 30.0),
        ("views", "c.json", 1, None),
    ]
