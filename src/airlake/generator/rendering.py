"""Landing lines as text, rendered a block of rows at a time with NumPy.

A block of lines is one byte matrix, a row per line, filled column by column from *parts*:
constants, ids and timestamps spelled out with small tables of digits, and picks from small
tables of ready-made JSON fragments (one per campaign, ad group and creative; one per user agent; ...). JSON text
never contains a NUL byte, so NUL serves as padding: a fragment shorter than its column is
followed by zeros, an optional field absent from a row is all zeros, and deleting every zero
byte of the matrix (``bytearray.translate``) leaves the lines, newline-terminated, back to back.

The fragments are made by :func:`json.dumps` with compact separators, as a producer writing
record values with Kafka Connect's ``JsonFormat`` would, and in the key order of each event
type: ``event_id``, ``event_type``, ``event_ts``, the type's own fields, the visitor's fields,
``received_ts``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from airlake.generator.config import MAX_AD_GROUPS, MAX_CREATIVES, Campaign
from airlake.generator.traffic import (
    AGENTS,
    CLICK,
    CONVERSION,
    COUNTRIES,
    DAY,
    DEVICES,
    HOUR,
    IMPRESSION,
    KINDS,
    MAX_PAGES,
    PAGE_VIEW,
    REVENUE_CENTS,
    SECOND,
    Bytes,
    Events,
    Ints,
    Visitors,
)

BLOCK_ROWS = 4096
"""Lines rendered at once: the block's matrix stays in the processor's cache."""
_EPOCH = date(1970, 1, 1).toordinal()
_NANOS, _OFFSET, _LOWER = 0, 1, 2  # stamp forms, see airlake.generator.traffic.STAMP_FORMS

Writer = Callable[[Bytes], "Ints | int"]


@dataclass(frozen=True, slots=True)
class Part:
    """A column of a block of lines, ``width`` bytes wide: fixed text (``constant``), or
    written by ``write`` into the block's ``(n, width)`` view, which starts out zeroed;
    ``write`` returns each row's length without the padding."""

    width: int
    write: Writer | None = None
    constant: bytes = b""


@dataclass(frozen=True, slots=True)
class Table:
    """Texts to pick from by number, as zero-padded rows."""

    rows: Bytes
    lengths: Ints

    @classmethod
    def of(cls, texts: Sequence[str]) -> Table:
        encoded = [t.encode() for t in texts]
        rows = np.zeros((len(encoded), max(map(len, encoded), default=0)), np.uint8)
        for i, text in enumerate(encoded):
            rows[i, : len(text)] = np.frombuffer(text, np.uint8)
        return cls(rows, np.array([len(t) for t in encoded], dtype=np.int64))

    def pick(self, index: Ints) -> Part:
        width = self.rows.shape[1]

        def write(out: Bytes) -> Ints:
            out[...] = _take_rows(self.rows, index)
            return self.lengths[index]

        return Part(width, write)


def _take_rows(rows: Bytes, index: Ints) -> Bytes:
    """``rows[index]``, copying each row as one item (much faster than byte by byte)."""
    width = rows.shape[1]
    items = rows.view(np.dtype((np.void, width))).ravel()
    return items[index].view(np.uint8).reshape(len(index), width)


def text(value: str) -> Part:
    raw = value.encode()
    return Part(len(raw), constant=raw)


def column(values: Bytes) -> Part:
    """Fixed-width text, a row per line."""

    def write(out: Bytes) -> int:
        out[...] = values
        return int(values.shape[1])

    return Part(int(values.shape[1]), write)


def optional(parts: Sequence[Part], present: Any) -> Part:
    """``parts`` side by side in the rows where ``present`` holds, nothing (zeros) elsewhere."""

    def write(out: Bytes) -> Ints:
        lengths = _fill(out, parts)
        out[~present] = 0
        return np.where(present, lengths, 0)

    return Part(sum(p.width for p in parts), write)


_HEX_PAIRS = np.frombuffer("".join(f"{i:02x}" for i in range(256)).encode(), np.uint16)


def hex_digits(values: Any, width: int) -> Bytes:
    """``values`` as ``width`` (even) lower-case hex digits, zero-padded."""
    octets = np.asarray(values, dtype=">u8").view(np.uint8).reshape(-1, 8)[:, 8 - width // 2 :]
    return _HEX_PAIRS[octets].view(np.uint8)  # two digits per octet, in order


def decimal_digits(values: Ints, width: int) -> Bytes:
    """``values`` as ``width`` decimal digits, zero-padded."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10 + ord("0")).astype(np.uint8)


def uuids(ident: Bytes) -> Bytes:
    """16-byte ids in the canonical 8-4-4-4-12 form."""
    digits = _HEX_PAIRS[ident].view(np.uint8)  # (n, 32): two hex digits per byte, in order
    out = np.full((len(ident), 36), ord("-"), np.uint8)
    for start, stop, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        out[:, at : at + stop - start] = digits[:, start:stop]
    return out


@lru_cache(maxsize=64)
def _date_table(first: int, last: int) -> Bytes:
    days = "".join(date.fromordinal(_EPOCH + d).isoformat() for d in range(first, last + 1))
    return np.frombuffer(days.encode(), np.uint8).reshape(-1, 10)


_THREE_DIGITS = decimal_digits(np.arange(1000), 3)


def _clock() -> Bytes:
    """``THH:MM:SS.`` for every second of a day."""
    seconds = np.arange(86400)
    out = np.empty((86400, 10), np.uint8)
    out[:, 0], out[:, 3], out[:, 6], out[:, 9] = ord("T"), ord(":"), ord(":"), ord(".")
    out[:, 1:3] = decimal_digits(seconds // 3600, 2)
    out[:, 4:6] = decimal_digits(seconds // 60 % 60, 2)
    out[:, 7:9] = decimal_digits(seconds % 60, 2)
    return out


_CLOCK = _clock()
_SUFFIXES = Table.of(["789Z", "+02:00", "z", "Z"])  # by form


def stamps(us: Ints, form: Ints) -> Part:
    """RFC 3339 text of instants in microseconds, in the forms producers write: mostly
    ``2026-11-01T10:00:00.123456Z``; also with nanoseconds (Java's ``Instant.toString()``),
    the same instant at +02:00, and lower-case ``t``/``z``."""

    def write(out: Bytes) -> Ints:
        day, rest = np.divmod(us + (form == _OFFSET) * (2 * HOUR), DAY)
        if len(day):
            first = int(day.min())
            out[:, 0:10] = _take_rows(_date_table(first, int(day.max())), day - first)
        seconds, micros = np.divmod(rest, SECOND)
        out[:, 10:20] = _take_rows(_CLOCK, seconds)
        out[:, 20:23] = _take_rows(_THREE_DIGITS, micros // 1000)
        out[:, 23:26] = _take_rows(_THREE_DIGITS, micros % 1000)
        out[:, 26:32] = _take_rows(_SUFFIXES.rows, form)
        out[form == _LOWER, 10] = ord("t")
        return 26 + _SUFFIXES.lengths[form]

    return Part(32, write)


def _fill(matrix: Bytes, parts: Sequence[Part]) -> Ints | int:
    """Write ``parts`` side by side into ``matrix``; each row's length."""
    template = np.frombuffer(b"".join(p.constant or bytes(p.width) for p in parts), np.uint8)
    matrix[...] = template
    at = 0
    lengths: Ints | int = 0
    for part in parts:
        if part.write is None:
            lengths = lengths + part.width
        else:
            lengths = lengths + part.write(matrix[:, at : at + part.width])
        at += part.width
    return lengths


def assemble(parts: Sequence[Part], n: int) -> Table:
    """Lay ``parts`` side by side: one zero-padded row per line."""
    matrix = np.empty((n, sum(p.width for p in parts)), np.uint8)
    lengths = _fill(matrix, parts)
    return Table(matrix, np.broadcast_to(np.asarray(lengths, dtype=np.int64), (n,)))


def squeeze(
    parts: Sequence[Part], n: int, scratch: bytearray | None = None
) -> tuple[bytearray, Ints]:
    """The lines ``parts`` make, back to back, and the offset where each one ends. The block
    is laid out in ``scratch`` if it has the block's size."""
    width = sum(p.width for p in parts)
    buffer = scratch if scratch is not None and len(scratch) == n * width else bytearray(n * width)
    lengths = _fill(np.frombuffer(buffer, np.uint8).reshape(n, width), parts)
    data = buffer.translate(None, b"\x00")
    ends = np.cumsum(np.broadcast_to(np.asarray(lengths, dtype=np.int64), (n,)))
    if n and len(data) != ends[-1]:
        raise AssertionError("a rendered fragment holds a NUL byte")
    return data, ends


class _Scratch(threading.local):
    def __init__(self) -> None:
        self.by_size: dict[int, bytearray] = {}


def _fragment(**fields: Any) -> str:
    """``fields`` as they appear inside a compact JSON object."""
    return json.dumps(fields, separators=(",", ":"))[1:-1]


class LineRenderer:
    """Renders events as landing lines, with the campaigns' fragments made once."""

    def __init__(self, campaigns: Sequence[Campaign]) -> None:
        self.campaigns = list(campaigns)
        self._scratch = _Scratch()
        self._agents = Table.of(AGENTS)
        self._octets = Table.of([str(i) for i in range(256)])
        self._countries = Table.of(COUNTRIES)
        self._devices = Table.of(DEVICES)
        self._kinds = [text(f'","event_type":"{k.value}","event_ts":"') for k in KINDS]
        self._impressions = Table.of(
            [
                _fragment(**self._placement(c, g, r), **self._media(c, c.impression_cost, low))
                + ","
                + _fragment(
                    page_url=f"https://publisher.example/{c.channel}/article",
                    referrer="https://publisher.example/",
                )
                + ","
                for c in self.campaigns
                for g in range(MAX_AD_GROUPS)
                for r in range(MAX_CREATIVES)
                for low in (False, True)
            ]
        )
        self._clicks = Table.of(
            [
                _fragment(**self._placement(c, g, r)) + ',"impression_id":"'
                for c in self.campaigns
                for g in range(MAX_AD_GROUPS)
                for r in range(MAX_CREATIVES)
            ]
        )
        self._click_media = Table.of(
            [
                '",' + _fragment(**self._media(c, c.click_cost, low), **self._utm(c)) + ","
                for c in self.campaigns
                for low in (False, True)
            ]
        )
        self._pages = Table.of(
            [
                _fragment(
                    page_url=f"https://shop.example/p/{p}",
                    referrer="https://publisher.example/",
                    campaign_id=c.campaign_id,
                    **self._utm(c),
                )
                + ","
                for c in self.campaigns
                for p in range(MAX_PAGES)
            ]
        )
        cheapest, dearest = REVENUE_CENTS
        # the shortest text that reads back as the amount, as json.dumps writes a float
        self._revenues = Table.of([repr(cents / 100) for cents in range(cheapest, dearest + 1)])
        self._sales = Table.of(
            [
                ","
                + _fragment(
                    currency=c.currency.lower() if low else c.currency,
                    page_url="https://shop.example/thanks",
                )
                for c in self.campaigns
                for low in (False, True)
            ]
        )
        self._lines: dict[int, Callable[[Events, Ints, Table, Ints], list[Part]]] = {
            IMPRESSION: self._impression,
            CLICK: self._click,
            PAGE_VIEW: self._page_view,
            CONVERSION: self._conversion,
        }

    @staticmethod
    def _placement(c: Campaign, ad_group: int, creative: int) -> dict[str, str]:
        return {
            "campaign_id": c.campaign_id,
            "ad_group_id": c.ad_groups[ad_group % len(c.ad_groups)],
            "creative_id": c.creatives[creative % len(c.creatives)],
            "channel": c.channel,
        }

    @staticmethod
    def _media(c: Campaign, cost: Any, low: bool) -> dict[str, Any]:
        return {"cost": float(cost), "currency": c.currency.lower() if low else c.currency}

    @staticmethod
    def _utm(c: Campaign) -> dict[str, str]:
        return {
            "utm_source": c.channel,
            "utm_medium": "cpc" if c.billing == "cpc" else "display",
            "utm_campaign": c.campaign_id,
        }

    def visitors(self, people: Visitors) -> Table:
        """Each visitor's fields as one fragment, ready to be picked by each of its events."""
        n = len(people.bot)
        blocks = [
            self._visitor_parts(people, slice(a, a + BLOCK_ROWS)) for a in range(0, n, BLOCK_ROWS)
        ]
        matrix = np.empty((n, sum(p.width for p in blocks[0]) if blocks else 0), np.uint8)
        lengths = np.zeros(n, np.int64)
        for a, parts in zip(range(0, n, BLOCK_ROWS), blocks, strict=True):
            lengths[a : a + BLOCK_ROWS] = _fill(matrix[a : a + BLOCK_ROWS], parts)
        return Table(matrix, lengths)

    def _visitor_parts(self, people: Visitors, rows: slice) -> list[Part]:
        ip = people.ip[rows]
        user = people.user[rows]
        return [
            text('"anonymous_id":"anon-'),
            column(hex_digits(people.anonymous[rows], 12)),
            text('"'),
            optional(
                [text(',"user_id":"user-'), column(decimal_digits(user, 7)), text('"')], user > 0
            ),
            text(',"user_agent":"'),
            self._agents.pick(people.agent[rows]),
            text('","ip":"'),
            self._octets.pick(ip[:, 0]),
            text("."),
            self._octets.pick(ip[:, 1]),
            text("."),
            self._octets.pick(ip[:, 2]),
            text('.0","country":"'),
            self._countries.pick(people.country[rows]),
            text('","device_type":"'),
            self._devices.pick(people.device[rows]),
            text('"'),
        ]

    def lines(
        self,
        events: Events,
        rows: Ints,
        people: Table,
        campaign: Ints,
        pool: Executor | None = None,
    ) -> list[tuple[bytearray, Ints]]:
        """The lines of ``rows`` (events of one type), in that order, a block at a time: each
        block's text and the offset in it where each of its lines ends. ``people`` holds the
        visitors' fragments (:meth:`visitors`), ``campaign`` each visitor's campaign. Blocks
        are rendered by ``pool`` if given (NumPy lets go of the interpreter while it copies)."""
        blocks = [rows[a : a + BLOCK_ROWS] for a in range(0, len(rows), BLOCK_ROWS)]

        def render(block: Ints) -> tuple[bytearray, Ints]:
            return self._block(events, block, people, campaign)

        return list(pool.map(render, blocks) if pool is not None else map(render, blocks))

    def _block(
        self, events: Events, block: Ints, people: Table, campaign: Ints
    ) -> tuple[bytearray, Ints]:
        kind = int(events.kind[block[0]])
        parts = [
            text('{"event_id":"'),
            column(uuids(events.ident[block])),
            self._kinds[kind],
            stamps(events.ts[block], events.ts_form[block]),
            text('",'),
            *self._lines[kind](events, block, people, campaign),
            people.pick(events.visitor[block]),
            text(',"received_ts":"'),
            stamps(events.received[block], events.received_form[block]),
            text('"}\n'),
        ]
        size = len(block) * sum(p.width for p in parts)
        scratch = None
        if len(block) == BLOCK_ROWS:  # one block's room per size and thread, used again
            scratch = self._scratch.by_size.get(size)
            if scratch is None:
                scratch = self._scratch.by_size[size] = bytearray(size)
        return squeeze(parts, len(block), scratch)

    def _impression(self, ev: Events, rows: Ints, people: Table, campaign: Ints) -> list[Part]:
        c = campaign[ev.visitor[rows]]
        key = ((c * MAX_AD_GROUPS + ev.ad_group[rows]) * MAX_CREATIVES + ev.creative[rows]) * 2
        return [self._impressions.pick(key + ev.lower[rows])]

    def _click(self, ev: Events, rows: Ints, people: Table, campaign: Ints) -> list[Part]:
        c = campaign[ev.visitor[rows]]
        key = (c * MAX_AD_GROUPS + ev.ad_group[rows]) * MAX_CREATIVES + ev.creative[rows]
        return [
            self._clicks.pick(key),
            column(uuids(ev.ident[ev.parent[rows]])),
            self._click_media.pick(c * 2 + ev.lower[rows]),
        ]

    def _page_view(self, ev: Events, rows: Ints, people: Table, campaign: Ints) -> list[Part]:
        c = campaign[ev.visitor[rows]]
        return [self._pages.pick(c * MAX_PAGES + ev.page[rows])]

    def _conversion(self, ev: Events, rows: Ints, people: Table, campaign: Ints) -> list[Part]:
        c = campaign[ev.visitor[rows]]
        parent = ev.parent[rows]
        carries = parent >= 0
        return [
            text('"order_id":"ord-'),
            column(hex_digits(ev.order[rows], 10)),
            text('","revenue":'),
            self._revenues.pick(ev.revenue[rows] - REVENUE_CENTS[0]),
            self._sales.pick(c * 2 + ev.lower[rows]),
            optional(
                [
                    text(',"click_id":"'),
                    column(uuids(ev.ident[np.where(carries, parent, 0)])),
                    text('"'),
                ],
                carries,
            ),
            text(","),
        ]
