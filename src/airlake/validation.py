"""The contract check for one landing line, in plain Python (pure).

This is the reference statement of :data:`airlake.contract.VALIDATION_ORDER`: engines that cannot
run the generated DuckDB SQL (e.g. a Spark job judging lines in Python workers) use it, and the
test suite checks every engine's verdicts against it line by line.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from airlake.contract import (
    CURRENCIES,
    FIELD_TYPES,
    MAX_AMOUNT,
    REQUIRED,
    TIMESTAMP_FRACTION_DIGITS,
    TIMESTAMP_PATTERN,
    EventType,
    FieldType,
    Reason,
    is_late_beyond_window,
)

_TS = re.compile(TIMESTAMP_PATTERN, re.ASCII)
_FRACTION = re.compile(rf"(\.\d{{1,{TIMESTAMP_FRACTION_DIGITS}}})\d*", re.ASCII)
_CENT = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Verdict:
    """A line's fate: ``reason`` is None for a valid event, whose typed fields are in ``event``."""

    reason: Reason | None
    detail: str | None = None
    event: dict[str, Any] | None = None


class _Malformed(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _Malformed(name)


class _Object(dict[str, Any]):
    """A decoded JSON object that remembers the first of its keys given twice."""

    repeated: str | None = None


def _first_wins(pairs: list[tuple[str, Any]]) -> _Object:
    out = _Object()
    for key, value in pairs:
        if key in out:
            if out.repeated is None:
                out.repeated = key
            continue
        out[key] = value
    return out


def _check_strings(value: Any) -> None:
    """Lone surrogates (\\ud800) parse in Python but are not valid JSON text."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, dict):
        for k, v in value.items():
            k.encode("utf-8")
            _check_strings(v)
    elif isinstance(value, list):
        for v in value:
            _check_strings(v)


def parse_timestamp(text: str) -> datetime | None:
    """Parse contract timestamp text (:data:`airlake.contract.TIMESTAMP_PATTERN`) to UTC; None
    when it is not one. Fractions beyond microseconds are cut, not rounded."""
    if not _TS.match(text):
        return None
    normal = _FRACTION.sub(r"\1", text.upper().replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(normal).astimezone(UTC)
    except (ValueError, OverflowError):  # not a calendar date, or outside years 1-9999 in UTC
        return None


def normal_currency(value: str) -> str | None:
    """The accepted currency code ``value`` names (any letter case), or None."""
    code = value.upper() if value.isascii() else value
    return code if code in CURRENCIES else None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def too_long_detail(length: int, max_line_bytes: int) -> str:
    return f"line of {length} bytes, over the limit of {max_line_bytes} (pipeline.max_line_bytes)"


def duplicate_key_detail(key: str) -> str:
    return f"key given more than once: {key}"


def judge(
    raw: bytes, landing_date: date, window_days: int, max_line_bytes: int | None = None
) -> Verdict:
    """Judge one landing line (without its newline) against the contract."""
    if max_line_bytes is not None and len(raw) > max_line_bytes:
        return Verdict(Reason.LINE_TOO_LONG, too_long_detail(len(raw), max_line_bytes))
    try:
        text = raw.decode("utf-8")
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_first_wins)
        _check_strings(doc)
    except (UnicodeError, ValueError, RecursionError):
        return Verdict(Reason.MALFORMED_JSON, "not a JSON document")
    if not isinstance(doc, dict):
        return Verdict(Reason.NOT_AN_OBJECT, f"JSON {_json_kind(doc)}, expected an object")
    if isinstance(doc, _Object) and doc.repeated is not None:
        return Verdict(Reason.DUPLICATE_KEY, duplicate_key_detail(doc.repeated))
    event_type = doc.get("event_type")
    if not isinstance(event_type, str) or event_type not in {t.value for t in EventType}:
        return Verdict(Reason.UNKNOWN_EVENT_TYPE, f"event_type {event_type!r}")
    for name in REQUIRED[EventType(event_type)]:
        if doc.get(name) is None:
            return Verdict(Reason.MISSING_FIELD, f"missing {name}")
    for name, ftype in FIELD_TYPES.items():
        value = doc.get(name)
        if value is None:
            continue
        want = "number" if ftype is FieldType.NUMBER else "string"
        if _json_kind(value) != want:
            return Verdict(Reason.BAD_TYPE, f"{name}: expected a {want}, got {_json_kind(value)}")
    stamps = {}
    for name in ("event_ts", "received_ts"):
        parsed = parse_timestamp(doc[name])
        if parsed is None:
            return Verdict(Reason.BAD_TIMESTAMP, f"{name}: not an RFC 3339 timestamp")
        stamps[name] = parsed
    if stamps["event_ts"] > stamps["received_ts"]:
        return Verdict(Reason.BAD_TIMESTAMP, "event_ts is after received_ts")
    event_date = stamps["event_ts"].date()
    if event_date > landing_date:
        return Verdict(Reason.BAD_TIMESTAMP, "event date is after the landing day")
    for name in ("cost", "revenue"):
        value = doc.get(name)
        if value is not None and not (
            math.isfinite(float(value)) and 0 <= float(value) < MAX_AMOUNT
        ):
            return Verdict(
                Reason.BAD_VALUE, f"{name}: must be a finite amount between 0 and {MAX_AMOUNT}"
            )
    currency = doc.get("currency")
    if currency is not None and normal_currency(currency) is None:
        return Verdict(Reason.BAD_VALUE, "currency: not an accepted code")
    if is_late_beyond_window(landing_date.toordinal(), event_date.toordinal(), window_days):
        return Verdict(
            Reason.LATE_BEYOND_WINDOW, f"event date {event_date} is older than the window"
        )
    event: dict[str, Any] = {}
    for name, ftype in FIELD_TYPES.items():
        value = doc.get(name)
        if value is None:
            event[name] = None
        elif ftype is FieldType.NUMBER:
            event[name] = Decimal(repr(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
        elif ftype is FieldType.TIMESTAMP:
            event[name] = stamps[name]
        elif name == "currency":
            event[name] = normal_currency(value)
        else:
            event[name] = value
    event["event_date"] = event_date
    return Verdict(None, None, event)
