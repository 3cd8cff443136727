from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from airlake.intraday.business_day import business_day, day_bounds

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_berlin_winter_day_starts_at_23_utc_the_day_before() -> None:
    d = day_bounds(date(2026, 11, 2), BERLIN)
    assert d.start == datetime(2026, 11, 1, 23, tzinfo=UTC)
    assert d.end == datetime(2026, 11, 2, 23, tzinfo=UTC)
    assert d.utc_dates == [date(2026, 11, 1), date(2026, 11, 2)]


def test_the_instant_after_23_utc_belongs_to_the_next_business_day() -> None:
    assert business_day(datetime(2026, 11, 2, 23, 30, tzinfo=UTC), BERLIN).day == date(2026, 11, 3)
    assert business_day(datetime(2026, 11, 2, 22, 59, tzinfo=UTC), BERLIN).day == date(2026, 11, 2)


def test_clock_change_days_last_23_and_25_hours() -> None:
    spring = day_bounds(date(2026, 3, 29), BERLIN)
    autumn = day_bounds(date(2026, 10, 25), BERLIN)
    assert (spring.end - spring.start).total_seconds() == 23 * 3600
    assert (autumn.end - autumn.start).total_seconds() == 25 * 3600


def test_elapsed_share_is_clamped_to_the_day() -> None:
    d = day_bounds(date(2026, 11, 2), BERLIN)
    assert d.elapsed_share(datetime(2026, 11, 2, 11, tzinfo=UTC)) == 0.5
    assert d.elapsed_share(datetime(2026, 11, 1, 0, tzinfo=UTC)) == 0.0
    assert d.elapsed_share(datetime(2026, 11, 5, 0, tzinfo=UTC)) == 1.0
