from datetime import date

from airlake.contract import (
    FIELD_NAMES,
    REQUIRED,
    EventType,
    Reason,
    is_late_beyond_window,
    landing_key,
)


def test_every_required_field_is_a_contract_field() -> None:
    for event_type in EventType:
        assert set(REQUIRED[event_type]) <= set(FIELD_NAMES)


def test_reason_codes_are_closed_and_include_the_documented_ones() -> None:
    assert {r.value for r in Reason} >= {
        "malformed_json",
        "missing_field",
        "bad_type",
        "unknown_event_type",
        "bad_timestamp",
        "late_beyond_window",
    }


def test_late_window_rule() -> None:
    d = date(2026, 11, 10).toordinal()
    assert not is_late_beyond_window(d, d - 2, 3)
    assert is_late_beyond_window(d, d - 3, 3)


def test_landing_key_matches_kafka_connect_layout() -> None:
    assert landing_key("ad-clicks", 2026, 1, 2, 3, 1, 42) == (
        "topics/ad-clicks/year=2026/month=01/day=02/hour=03/ad-clicks+1+0000000042.json"
    )
