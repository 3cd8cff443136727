"""Deliberately broken lines, for every reason in the closed list of quarantine reasons.

Each line is one click event broken in one way (or a valid click that arrives too late, or
one longer than the ingest's line limit). The first lines of a run take the reasons in turn, so
that every :class:`~airlake.contract.Reason` is present as soon as there are as many broken
lines as reasons; later ones draw a reason at random, all but ``line_too_long`` (a line of a
megabyte or more: one per run is enough). Three variants of each reason break the line
differently. There are few broken lines (``malformed_rate``), so they are written one by one
with :mod:`json`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from airlake.contract import REQUIRED, EventType, Reason
from airlake.generator.sink import PARTITIONS, TOPIC_NAMES
from airlake.generator.traffic import HUMAN_AGENTS

REASONS = tuple(Reason)
_DRAWN = tuple(r for r in REASONS if r is not Reason.LINE_TOO_LONG)
_MISSABLE = tuple(f for f in REQUIRED[EventType.CLICK] if f != "event_type")
_BAD_TYPES: tuple[tuple[str, Any], ...] = (
    ("cost", "0.5"),
    ("campaign_id", 17),
    ("ad_group_id", True),
)
_BAD_VALUES: tuple[tuple[str, Any], ...] = (("cost", -0.5), ("currency", "XXX"), ("cost", -12))


@dataclass(frozen=True, slots=True)
class BrokenLine:
    raw: bytes
    reason: Reason
    topic: str
    partition: int
    second: int  # of the landing hour, when it was received


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _uuid4(bits: int) -> str:
    """The version-4 UUID text of 128 random bits (as :class:`uuid.UUID` writes it)."""
    bits = (bits & ~(0xF000 << 64) | 0x4000 << 64) & ~(0xC000 << 48) | 0x8000 << 48
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def broken_lines(
    rng: random.Random,
    hour: datetime,
    first: int,
    count: int,
    window_days: int,
    max_line_bytes: int,
) -> list[BrokenLine]:
    """Lines ``first`` .. ``first + count - 1`` of the run's broken lines, landing in the hour
    starting at ``hour``; each is quarantined for its ``reason`` by the contract check (with
    the late-data window and line limit given)."""
    prefix = hour.strftime("%Y-%m-%dT%H:")
    out = []
    for number in range(first, first + count):
        reason = REASONS[number] if number < len(REASONS) else rng.choice(_DRAWN)
        second = rng.randint(0, 3598)
        stamp = f"{prefix}{second // 60:02d}:{second % 60:02d}.000000Z"
        received = f"{prefix}{(second + 1) // 60:02d}:{(second + 1) % 60:02d}.000000Z"
        out.append(
            BrokenLine(
                _break(rng, reason, hour, second, stamp, received, window_days, max_line_bytes),
                reason,
                rng.choice(TOPIC_NAMES),
                rng.randrange(PARTITIONS),
                second + 1,
            )
        )
    return out


def _break(
    rng: random.Random,
    reason: Reason,
    hour: datetime,
    second: int,
    stamp: str,
    received: str,
    window_days: int,
    max_line_bytes: int,
) -> bytes:
    base = {
        "event_id": _uuid4(rng.getrandbits(128)),
        "event_type": "click",
        "event_ts": stamp,
        "received_ts": received,
        "anonymous_id": f"anon-{rng.getrandbits(48):012x}",
        "campaign_id": "cmp-001",
        "ad_group_id": "cmp-001-ag1",
        "creative_id": "cmp-001-cr1",
        "channel": "search",
        "impression_id": _uuid4(rng.getrandbits(128)),
        "cost": 0.5,
        "currency": "EUR",
        "user_agent": HUMAN_AGENTS[0],
        "ip": "93.184.216.0",
    }
    variant = rng.randint(0, 2)
    if reason is Reason.MALFORMED_JSON:
        full = json.dumps(base)
        return (
            full[: len(full) // 2].encode(),
            b"\xff\xfe" + full.encode()[:20],
            full.replace('"cost": 0.5', '"cost": NaN').encode(),
        )[variant]
    if reason is Reason.NOT_AN_OBJECT:
        return (b"[1, 2, 3]", b'"just a string"', b"null")[variant]
    doc: dict[str, Any] = base
    if reason is Reason.UNKNOWN_EVENT_TYPE:
        if variant == 1:
            del doc["event_type"]
        else:
            doc["event_type"] = "hover" if variant == 0 else None
    elif reason is Reason.MISSING_FIELD:
        name = rng.choice(_MISSABLE)
        if variant == 0:
            del doc[name]
        else:
            doc[name] = None
    elif reason is Reason.BAD_TYPE:
        key, value = _BAD_TYPES[variant]
        doc[key] = value
    elif reason is Reason.BAD_TIMESTAMP:
        ts = hour + timedelta(seconds=second)
        doc["event_ts"] = ("yesterday", "2026-02-30T10:00:00Z", _iso(ts + timedelta(hours=1)))[
            variant
        ]
    elif reason is Reason.BAD_VALUE:
        key, value = _BAD_VALUES[variant]
        doc[key] = value
    elif reason is Reason.LATE_BEYOND_WINDOW:  # a valid click from before the window
        ts = hour + timedelta(seconds=second)
        doc["event_ts"] = _iso(ts - timedelta(days=window_days + (0, 1, 5)[variant]))
    elif reason is Reason.DUPLICATE_KEY:  # a valid click with one key given again
        key, value = (("cost", -0.3), ("event_type", "impression"), ("campaign_id", "cmp-001"))[
            variant
        ]
        full = json.dumps(doc)
        return (full[:-1] + f", {json.dumps(key)}: {json.dumps(value)}}}").encode()
    elif reason is Reason.LINE_TOO_LONG:  # a valid click, but a runaway user agent
        over = max_line_bytes + 1 - len(json.dumps(doc)) + rng.randint(0, 999)
        doc["user_agent"] += " " + "x" * over
    else:
        raise ValueError(f"no broken line for {reason}")
    return json.dumps(doc).encode()
