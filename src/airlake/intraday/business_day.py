"""The business day: a calendar day in the advertisers' time zone, as an interval of UTC time.

Budgets are per day in the advertiser's business day. In Europe that day starts at 23:00 or
22:00 UTC of the day before, so it spans two UTC event dates, and on the days the clocks change
it lasts 23 or 25 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class BusinessDay:
    """One business day: its date and its bounds in UTC (start inclusive, end exclusive)."""

    day: date
    start: datetime
    end: datetime

    def elapsed_share(self, now: datetime) -> float:
        """Share of the day's real duration passed at ``now`` (0 before it, 1 after it)."""
        share = (now - self.start) / (self.end - self.start)
        return min(1.0, max(0.0, share))

    @property
    def utc_dates(self) -> list[date]:
        """The UTC dates (event-date partitions) the day overlaps."""
        last = (self.end - timedelta(microseconds=1)).date()
        first = self.start.date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def day_bounds(day: date, tz: ZoneInfo) -> BusinessDay:
    """The business day ``day`` in time zone ``tz``."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return BusinessDay(day, start, end)


def business_day(now: datetime, tz: ZoneInfo) -> BusinessDay:
    """The business day that holds the instant ``now`` (an aware datetime)."""
    return day_bounds(now.astimezone(tz).date(), tz)
