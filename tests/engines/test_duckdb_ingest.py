"""The DuckDB contract check agrees with the plain-Python reference, line by line.

Hand-written lines cover every rule of VALIDATION_ORDER; hypothesis adds garbage and mutated
events. Every line must come back exactly once, with the reference's reason.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airlake.contract import Reason
from airlake.engines.duckdb_ingest import fast_ingest_sql, ingest_sql
from airlake.landing import LINES_SCHEMA, _cut_long_lines
from airlake.validation import judge

LANDING = date(2026, 11, 10)
WINDOW = 3
MAX_LINE = 2048

CLICK = {
    "event_id": "e-1",
    "event_type": "click",
    "event_ts": "2026-11-10T10:00:00.123456Z",
    "received_ts": "2026-11-10T10:00:01Z",
    "anonymous_id": "a-1",
    "campaign_id": "cmp-001",
    "ad_group_id": "g-1",
    "creative_id": "c-1",
    "channel": "search",
    "impression_id": "i-1",
    "cost": 0.25,
    "currency": "EUR",
}


def _line(**changes: object) -> bytes:
    doc = {k: v for k, v in {**CLICK, **changes}.items() if v is not ...}
    return json.dumps(doc).encode()


CASES: list[tuple[bytes, Reason | None]] = [
    (_line(), None),
    (_line(user_agent="x" * MAX_LINE), Reason.LINE_TOO_LONG),
    (b"\xff" * (MAX_LINE + 1), Reason.LINE_TOO_LONG),
    (b"[" * (MAX_LINE + 1), Reason.LINE_TOO_LONG),
    (_line(user_agent="x" * (MAX_LINE - len(_line(user_agent="")))), None),  # exactly the limit
    (b'{"event_id": ', Reason.MALFORMED_JSON),
    (b"\xff\xfe\x00", Reason.MALFORMED_JSON),
    (b"", Reason.MALFORMED_JSON),
    (_line().replace(b"0.25", b"NaN"), Reason.MALFORMED_JSON),
    (b"[1, 2]", Reason.NOT_AN_OBJECT),
    (b'"text"', Reason.NOT_AN_OBJECT),
    (b"null", Reason.NOT_AN_OBJECT),
    (_line(event_type="hover"), Reason.UNKNOWN_EVENT_TYPE),
    (_line(event_type=...), Reason.UNKNOWN_EVENT_TYPE),
    (_line(event_type=3), Reason.UNKNOWN_EVENT_TYPE),
    (_line(campaign_id=...), Reason.MISSING_FIELD),
    (_line(impression_id=None), Reason.MISSING_FIELD),
    (_line(cost="0.25"), Reason.BAD_TYPE),
    (_line(cost=True), Reason.BAD_TYPE),
    (_line(campaign_id=7), Reason.BAD_TYPE),
    (_line(utm_source=["x"]), Reason.BAD_TYPE),
    (_line(event_ts=1731232800), Reason.BAD_TYPE),
    (_line(event_ts="yesterday"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="2026-02-30T10:00:00Z"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="2026-11-10T24:00:00Z"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="2026-11-10T10:00:02Z"), Reason.BAD_TIMESTAMP),
    (
        _line(event_ts="2026-11-11T10:00:00Z", received_ts="2026-11-11T10:00:01Z"),
        Reason.BAD_TIMESTAMP,
    ),
    (_line(cost=-0.01), Reason.BAD_VALUE),
    (_line().replace(b"0.25", b"1e400"), Reason.BAD_VALUE),
    (_line(cost=10**12), Reason.BAD_VALUE),
    (_line(currency="XXX"), Reason.BAD_VALUE),
    (_line(event_ts="2026-11-07T10:00:00Z"), Reason.LATE_BEYOND_WINDOW),
    (_line(event_ts="2026-11-08T10:00:00Z"), None),
    (_line(extra_field={"nested": [1, 2]}), None),
    # RFC 3339 in full: offsets, either case, nanoseconds
    (_line(event_ts="2026-11-10T10:00:00.123456789Z"), None),
    (_line(event_ts="2026-11-10T12:00:00+02:00"), None),
    (_line(event_ts="2026-11-10T05:00:00-05:00"), None),
    (_line(event_ts="2026-11-10t10:00:00z"), None),
    (_line(event_ts="2026-11-10T10:00:00.5-00:00"), None),
    (_line(event_ts="2026-11-10T13:00:00+02:00"), Reason.BAD_TIMESTAMP),  # 11:00Z > received
    (_line(event_ts="2026-11-10T10:00:00.1234567890Z"), Reason.BAD_TIMESTAMP),  # 10 digits
    (_line(event_ts="2026-11-10T10:00:00+0200"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="2026-11-10T10:00:00+24:00"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="2026-11-10 10:00:00Z"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="2026-11-10T10:00:60Z"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="2026-11-10T10:00:00"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="0001-01-01T00:00:00+01:00"), Reason.BAD_TIMESTAMP),
    (_line(event_ts="2026-11-10T10:00:00.١Z"), Reason.BAD_TIMESTAMP),
    # local date 11-08 is in the window, its UTC date 11-07 is not
    (_line(event_ts="2026-11-08T01:00:00+03:00"), Reason.LATE_BEYOND_WINDOW),
    # currency codes in any case, ASCII only
    (_line(currency="eur"), None),
    (_line(currency="Sek"), None),
    (_line(currency="ſek"), Reason.BAD_VALUE),  # long s upper-cases to S outside ASCII
    (_line(currency="eu"), Reason.BAD_VALUE),
]


def _lines_table(lines: list[bytes]) -> pa.Table:
    texts, raws = [], []
    for raw in lines:
        try:
            texts.append(raw.decode("utf-8"))
            raws.append(None)
        except UnicodeDecodeError:
            texts.append(None)
            raws.append(raw)
    n = len(lines)
    line_texts, line_raws, too_long = _cut_long_lines(
        pa.array(texts, pa.string()), pa.array(raws, pa.binary()), MAX_LINE, {}
    )
    batch = pa.Table.from_pydict(
        {
            "source_file": ["f.json"] * n,
            "source_topic": ["ad-clicks"] * n,
            "source_partition": [0] * n,
            "source_offset": list(range(n)),
            "source_line": list(range(1, n + 1)),
            "landing_date": [LANDING] * n,
            "landing_hour": [10] * n,
            "line": line_texts,
            "raw_bytes": line_raws,
            "too_long_bytes": too_long,
        },
        schema=LINES_SCHEMA,
    )
    return batch


def duckdb_verdicts(lines: list[bytes]) -> list[tuple[str | None, dict]]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("lines", _lines_table(lines))
    rows = (
        con.sql(ingest_sql(WINDOW, MAX_LINE) + " ORDER BY source_line").to_arrow_table().to_pylist()
    )
    assert [r["source_line"] for r in rows] == list(range(1, len(lines) + 1)), "each line once"
    return [(r["reason"], r) for r in rows]


@pytest.mark.parametrize(("line", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_reference_judges_each_rule(line: bytes, expected: Reason | None) -> None:
    assert judge(line, LANDING, WINDOW, MAX_LINE).reason == expected


def test_duckdb_agrees_with_hand_written_cases() -> None:
    got = duckdb_verdicts([line for line, _ in CASES])
    assert [reason for reason, _ in got] == [None if e is None else e.value for _, e in CASES]


def test_a_line_over_the_limit_keeps_its_first_bytes_and_length() -> None:
    line = _line(user_agent="x" * 5000)
    ((reason, row),) = duckdb_verdicts([line])
    assert reason == "line_too_long"
    assert row["raw_line"] is None and row["raw_bytes"] == line[:1024]
    assert row["detail"] == f"line of {len(line)} bytes, over the limit of {MAX_LINE} " + (
        "(pipeline.max_line_bytes)"
    )
    assert judge(line, LANDING, WINDOW, MAX_LINE).detail == row["detail"]


def test_duckdb_types_a_valid_event() -> None:
    ((reason, row),) = duckdb_verdicts([_line()])
    assert reason is None
    assert str(row["cost"]) == "0.250000"
    assert row["event_ts"].isoformat() == "2026-11-10T10:00:00.123456+00:00"
    assert row["event_date"] == LANDING
    assert row["raw_line"] is None, "a valid event does not carry its line along"


def test_duckdb_and_reference_store_the_same_utc_instant_and_code() -> None:
    line = _line(
        event_ts="2026-11-10T12:00:00.123456789+02:00",
        received_ts="2026-11-10t10:00:01z",
        currency="eur",
    )
    ((reason, row),) = duckdb_verdicts([line])
    event = judge(line, LANDING, WINDOW, MAX_LINE).event
    assert reason is None and event is not None
    assert row["event_ts"].isoformat() == "2026-11-10T10:00:00.123456+00:00"
    assert row["event_ts"] == event["event_ts"]
    assert row["received_ts"] == event["received_ts"]
    assert row["currency"] == event["currency"] == "EUR"


_stamps = st.builds(
    lambda day, hour, sep, frac, zone: f"2026-11-{day:02d}{sep}{hour:02d}:00:00{frac}{zone}",
    st.integers(6, 11),
    st.integers(0, 23),
    st.sampled_from(["T", "t", " "]),
    st.sampled_from(["", ".1", ".123456", ".1234567", ".123456789", ".1234567891"]),
    st.sampled_from(["Z", "z", "+00:00", "-00:00", "+02:00", "-05:30", "+14:00", "+0200", ""]),
)
_values = st.one_of(
    _stamps,
    st.sampled_from(["eur", "Eur", "EUR", "sek", "\u017fek", "xxx"]),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        ["2026-11-10T09:00:00Z", "2026-11-09T23:59:59.999999+00:00", "2026-11-10T10:00:00Z"]
    ),
    st.lists(st.integers(), max_size=2),
)
_mutated = st.builds(
    lambda key, value, drop: _line(**{key: value}) if not drop else _line(**{key: ...}),
    st.sampled_from([*sorted(CLICK), "event_type", "revenue", "order_id", "user_agent"]),
    _values,
    st.booleans(),
)
_event_types = st.sampled_from(["impression", "click", "page_view", "conversion", "hover"])
_retyped = st.builds(
    lambda t, v: _line(event_type=t, revenue=v, order_id="o-1"), _event_types, _values
)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.binary(max_size=40), _mutated, _retyped), min_size=1, max_size=40))
def test_fuzzed_lines_always_get_the_reference_verdict(lines: list[bytes]) -> None:
    lines = [line.replace(b"\n", b" ") for line in lines]
    got = duckdb_verdicts(lines)
    for line, (reason, _) in zip(lines, got, strict=True):
        expected = judge(line, LANDING, WINDOW, MAX_LINE).reason
        assert reason == (None if expected is None else expected.value), line


def assert_fast_path_agrees(lines: list[bytes]) -> int:
    """Every line the fast path accepts is valid on the exact path, typed identically; returns
    how many it accepted."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("lines", _lines_table(lines))
    fast = con.sql(fast_ingest_sql(WINDOW) + " ORDER BY source_line").to_arrow_table().to_pylist()
    exact = duckdb_verdicts(lines)
    assert len(fast) == len(exact) == len(lines)
    accepted = 0
    for line, row, (reason, want) in zip(lines, fast, exact, strict=True):
        if row["fast_ok"]:
            accepted += 1
            assert reason is None, line
            assert {k: row[k] for k in want if k in row and k not in {"raw_bytes"}} == {
                k: want[k] for k in want if k in row and k not in {"raw_bytes"}
            }, line
    return accepted


def test_fast_path_accepts_only_valid_lines_typed_as_the_exact_path_types_them() -> None:
    lines = [line for line, _ in CASES]
    accepted = assert_fast_path_agrees(lines)
    # the plain valid lines (no escapes, no leading blank) take the fast path
    assert accepted >= 10
    assert accepted <= sum(1 for _, e in CASES if e is None)


def test_a_repeated_key_is_quarantined_with_its_own_reason() -> None:
    """The line of the report: a cost given twice, first valid, then negative."""
    line = _line()[:-1] + b', "cost": -0.3}'
    assert b'"cost": 0.25' in line
    ((reason, row),) = duckdb_verdicts([line])
    verdict = judge(line, LANDING, WINDOW, MAX_LINE)
    assert reason == verdict.reason == Reason.DUPLICATE_KEY
    assert row["detail"] == verdict.detail == "key given more than once: cost"
    assert assert_fast_path_agrees([line]) == 0
    # the same key written two ways is the same key; a repeat outside the contract counts too
    escaped = _line()[:-1] + b', "c\\u006fst": 0.25}'
    extra = _line(note="a")[:-1] + b', "note": "b"}'
    assert [r for r, _ in duckdb_verdicts([escaped, extra])] == ["duplicate_key"] * 2
    assert judge(extra, LANDING, WINDOW, MAX_LINE).detail == "key given more than once: note"
    # a repeated key inside a nested value is not the event's own ambiguity
    nested = _line(extra_field={"a": 1})[:-1].replace(b'{"a": 1}', b'{"a": 1, "a": 2}') + b"}"
    assert [r for r, _ in duckdb_verdicts([nested])] == [None]
    assert judge(nested, LANDING, WINDOW, MAX_LINE).reason is None


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_mutated, _retyped, st.binary(max_size=20)), min_size=1, max_size=30))
def test_fuzzed_lines_on_the_fast_path_never_differ_from_the_exact_path(
    lines: list[bytes],
) -> None:
    assert_fast_path_agrees([line.replace(b"\n", b" ") for line in lines])
