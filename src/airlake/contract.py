"""The event contract: what a landing line must be, and why it is quarantined when it is not.

Pure: no I/O. The generator writes lines that follow (or deliberately break) this contract, and
the ingest stage enforces it; both read the field lists from here so they cannot drift apart.

A landing line is one JSON object, as a Kafka Connect S3 sink writes record values with
``format.class=JsonFormat``. Fields describing where the line came from (topic, partition,
offset, file, line number) are *not* inside the JSON: they are derived from the object key
``topics/<topic>/year=YYYY/month=MM/day=DD/hour=HH/<topic>+<partition>+<start offset>.json``
and the line's position in the file.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


class EventType(enum.StrEnum):
    """The closed set of event types."""

    IMPRESSION = "impression"
    CLICK = "click"
    PAGE_VIEW = "page_view"
    CONVERSION = "conversion"


class Reason(enum.StrEnum):
    """Why a landing line was quarantined. The list is closed: every quarantine row has one."""

    MALFORMED_JSON = "malformed_json"
    """The line is not valid JSON (truncated, binary garbage, not UTF-8)."""
    NOT_AN_OBJECT = "not_an_object"
    """Valid JSON, but not an object (an array, a string, a number, null)."""
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    """``event_type`` is missing from the closed set of event types."""
    MISSING_FIELD = "missing_field"
    """A field the event type requires is absent or null."""
    BAD_TYPE = "bad_type"
    """A field has the wrong JSON type (e.g. ``cost`` given as a string)."""
    BAD_VALUE = "bad_value"
    """Right type, impossible value: negative, non-finite or absurd (>= MAX_AMOUNT) cost or
    revenue, unknown currency code."""
    BAD_TIMESTAMP = "bad_timestamp"
    """``event_ts`` or ``received_ts`` is not an RFC 3339 timestamp (see
    :data:`TIMESTAMP_PATTERN`), or the event happened after it was received."""
    LATE_BEYOND_WINDOW = "late_beyond_window"
    """The event's date is older than the late-data window allows for its landing day."""
    LINE_TOO_LONG = "line_too_long"
    """The line is longer than the profile's ``pipeline.max_line_bytes``; only its first
    :data:`LINE_PREFIX_BYTES` bytes are kept (in ``raw_bytes``), the rest is never parsed."""
    DUPLICATE_KEY = "duplicate_key"
    """A JSON object with a key given more than once at its top level
    (``{"cost": 0.3, ..., "cost": -0.3}``): parsers disagree on which value counts (the first,
    the last, an error), so the line's meaning depends on who reads it."""


LINE_PREFIX_BYTES: Final = 1024
"""How much of a line longer than the limit is kept in its quarantine row."""


class FieldType(enum.StrEnum):
    STRING = "string"
    NUMBER = "number"
    TIMESTAMP = "timestamp"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: FieldType
    doc: str


FIELDS: Final[tuple[Field, ...]] = (
    Field("event_id", FieldType.STRING, "Unique id of the event; redeliveries repeat it."),
    Field("event_type", FieldType.STRING, "impression | click | page_view | conversion."),
    Field("event_ts", FieldType.TIMESTAMP, "When the event happened, RFC 3339 (stored in UTC)."),
    Field(
        "received_ts",
        FieldType.TIMESTAMP,
        "When the collector received it, RFC 3339 (stored in UTC).",
    ),
    Field("anonymous_id", FieldType.STRING, "Cookie / device id of the visitor."),
    Field("user_id", FieldType.STRING, "Logged-in user id, when known."),
    Field("campaign_id", FieldType.STRING, "Campaign the event belongs to."),
    Field("ad_group_id", FieldType.STRING, "Ad group within the campaign."),
    Field("creative_id", FieldType.STRING, "Creative shown or clicked."),
    Field("channel", FieldType.STRING, "display | search | social | video | email."),
    Field("impression_id", FieldType.STRING, "For a click: the impression clicked."),
    Field(
        "click_id", FieldType.STRING, "For a conversion: the click id carried in the URL, if any."
    ),
    Field("order_id", FieldType.STRING, "For a conversion: the shop's order id."),
    Field("revenue", FieldType.NUMBER, "For a conversion: order value in `currency`."),
    Field("cost", FieldType.NUMBER, "For an impression or click: media cost in `currency`."),
    Field("currency", FieldType.STRING, "ISO-4217 code of cost / revenue."),
    Field("page_url", FieldType.STRING, "Page the event happened on."),
    Field("referrer", FieldType.STRING, "HTTP referrer."),
    Field("utm_source", FieldType.STRING, "UTM source."),
    Field("utm_medium", FieldType.STRING, "UTM medium."),
    Field("utm_campaign", FieldType.STRING, "UTM campaign."),
    Field("utm_content", FieldType.STRING, "UTM content."),
    Field("utm_term", FieldType.STRING, "UTM term."),
    Field("user_agent", FieldType.STRING, "Browser user agent."),
    Field("ip", FieldType.STRING, "Client IP, truncated (last IPv4 octet zeroed)."),
    Field("country", FieldType.STRING, "ISO-3166 alpha-2 country."),
    Field("device_type", FieldType.STRING, "desktop | mobile | tablet | other."),
)

FIELD_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in FIELDS)
FIELD_TYPES: Final = MappingProxyType({f.name: f.type for f in FIELDS})

_ALWAYS: Final = ("event_id", "event_type", "event_ts", "received_ts", "anonymous_id")

REQUIRED: Final = MappingProxyType(
    {
        EventType.IMPRESSION: (
            *_ALWAYS,
            "campaign_id",
            "ad_group_id",
            "creative_id",
            "channel",
            "cost",
            "currency",
        ),
        EventType.CLICK: (
            *_ALWAYS,
            "campaign_id",
            "ad_group_id",
            "creative_id",
            "channel",
            "impression_id",
            "cost",
            "currency",
        ),
        EventType.PAGE_VIEW: (*_ALWAYS, "page_url"),
        EventType.CONVERSION: (*_ALWAYS, "order_id", "revenue", "currency"),
    }
)
"""Fields each event type requires (present and not null)."""

MAX_AMOUNT: Final = 10**12
"""Money amounts are stored as DECIMAL(18, 6): anything at or above this is ``bad_value``.
Amounts with more than 6 decimals are rounded to 6."""

CURRENCIES: Final = frozenset({"EUR", "USD", "GBP", "CHF", "SEK", "PLN"})
"""Currency codes the platform accepts, in any letter case (``"eur"`` is EUR; ASCII letters
only); an accepted code is stored upper-case. Anything else is ``bad_value``."""

TOPICS: Final = MappingProxyType(
    {
        EventType.IMPRESSION: "ad-impressions",
        EventType.CLICK: "ad-clicks",
        EventType.PAGE_VIEW: "web-events",
        EventType.CONVERSION: "web-events",
    }
)
"""Kafka topic each event type is produced to. Page views and conversions share a topic."""

DEFAULT_LATE_WINDOW_DAYS: Final = 3
"""A run for day D rebuilds event dates D-L+1 .. D (L = this). A line landing on day X whose
event date is before X-L+1 is quarantined as ``late_beyond_window``."""

SESSION_GAP_MINUTES: Final = 30

BOT_IP_PREFIXES: Final = ("66.249.", "157.55.", "40.77.", "207.46.")
"""Crawler address ranges (Googlebot, Bingbot): traffic from them is bot traffic. So is a user
agent matching the community crawler list (see :mod:`airlake.bot_agents`)."""

TIMESTAMP_PATTERN: Final = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
"""Accepted timestamp text: an RFC 3339 date-time. ``T`` and ``Z`` in either case; any UTC
offset (``+02:00``, ``-05:30``; ``Z`` and ``-00:00`` mean UTC), converted to UTC; an optional
fraction of up to 9 digits (nanoseconds, as Java's ``Instant.toString()`` writes them),
*truncated* to microseconds (``.123456789`` -> ``.123456``), the platform's precision. The text
must also be a real calendar date and time (2026-02-30 is ``bad_timestamp``), and its UTC
instant must fall in the years 1 to 9999. Not accepted: a leap second (``:60``), a date
without a time, a space instead of ``T``, an offset without a colon."""

TIMESTAMP_FRACTION_DIGITS: Final = 6
"""Fractional digits kept of a timestamp (microseconds); further digits are cut, not rounded."""

VALIDATION_ORDER: Final = (
    "0. longer than pipeline.max_line_bytes -> line_too_long (first LINE_PREFIX_BYTES kept)",
    "1. not UTF-8, not JSON, or JSON with NaN/Infinity -> malformed_json",
    "2. JSON but not an object -> not_an_object",
    "2a. an object with a key given more than once at its top level -> duplicate_key "
    "(detail: the first key, in the line's order, that is given again)",
    "3. event_type absent, null, not a string or not one of the four -> unknown_event_type",
    "4. a field the type requires is absent or null -> missing_field",
    "5. a contract field present (non-null) with the wrong JSON type -> bad_type "
    "(strings for string and timestamp fields; numbers, not booleans, for number fields)",
    "6. event_ts / received_ts not matching TIMESTAMP_PATTERN as a real date in years 1-9999 "
    "(UTC), "
    "event_ts after received_ts, or an event date after the landing day -> bad_timestamp",
    "7. cost or revenue negative, not finite or >= MAX_AMOUNT, or currency (upper-cased, "
    "ASCII letters only) not in CURRENCIES "
    "-> bad_value",
    "8. event date before landing day - (window - 1) -> late_beyond_window",
    "9. otherwise valid; then duplicates are removed (see DUPLICATE_RULE).",
)
"""The order in which a line is judged; the first rule that fails gives the reason. Fields
outside the contract are ignored."""

DUPLICATE_RULE: Final = (
    "Kafka delivers at least once. Among in-window lines with the same event_id, the first one "
    "received is the event; the others are duplicates. 'First' orders lines by landing day, "
    "hour, topic, partition, offset."
)


def is_late_beyond_window(landing_ordinal: int, event_ordinal: int, window_days: int) -> bool:
    """Whether an event of date ``event_ordinal`` landing on ``landing_ordinal`` is too late.

    Both are ``date.toordinal()`` values, so the rule is plain integer arithmetic that the
    generator and every engine apply identically.
    """
    return event_ordinal < landing_ordinal - (window_days - 1)


def landing_key(
    topic: str, year: int, month: int, day: int, hour: int, partition: int, start_offset: int
) -> str:
    """The object key a Kafka Connect S3 sink writes for one flushed file (relative to the
    landing root)."""
    return (
        f"topics/{topic}/year={year:04d}/month={month:02d}/day={day:02d}/hour={hour:02d}/"
        f"{topic}+{partition}+{start_offset:010d}.json"
    )
