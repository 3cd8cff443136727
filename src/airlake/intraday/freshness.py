"""Freshness per topic: the newest landing file, the newest event read, the lag, files waiting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class TopicStatus:
    """One row of ``airlake status``."""

    topic: str
    newest_file: str | None
    newest_file_at: datetime | None
    newest_event_read: datetime | None
    lag_minutes: float | None
    """From the newest event read to now: how far behind the tables are on this topic."""
    files_waiting: int
    """Closed sink files not yet ingested."""


@dataclass(frozen=True, slots=True)
class SeenFile:
    topic: str
    path: str
    modified: float | None
    ingested: bool


def topic_status(
    files: Sequence[SeenFile], newest_read: Mapping[str, datetime], now: datetime
) -> list[TopicStatus]:
    """Per topic (every topic with a file or an event read), sorted by name. Pure."""
    topics = sorted({f.topic for f in files} | set(newest_read))
    rows = []
    for topic in topics:
        mine = [f for f in files if f.topic == topic]
        newest = max(mine, key=lambda f: (f.modified or 0.0, f.path), default=None)
        read = newest_read.get(topic)
        rows.append(
            TopicStatus(
                topic=topic,
                newest_file=newest.path if newest else None,
                newest_file_at=(
                    datetime.fromtimestamp(newest.modified, UTC)
                    if newest and newest.modified is not None
                    else None
                ),
                newest_event_read=read,
                lag_minutes=(now - read).total_seconds() / 60 if read else None,
                files_waiting=sum(1 for f in mine if not f.ingested),
            )
        )
    return rows
