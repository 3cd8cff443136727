"""What visitors do in one hour, drawn column-wise with NumPy.

A funnel is one visitor meeting one campaign: one to three impressions minutes apart, a click on
2% of them, one to three page views after a click (one for a bot), and for 3% of human clicks a
conversion within the attribution lookback. Every event then gets the time the collector
received it (seconds later; for a few, days later) and, for some, a redelivery hours later.

Times are integer microseconds since the Unix epoch (UTC). Rows are numbered within the batch;
``visitor`` points into :class:`Visitors`, ``parent`` into :class:`Events` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from airlake.contract import BOT_IP_PREFIXES, EventType
from airlake.generator.config import Campaign, GeneratorConfig

Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]
Bytes = npt.NDArray[np.uint8]

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 3600 * SECOND
DAY = 24 * HOUR

KINDS = tuple(EventType)
"""Event types by their code in :attr:`Events.kind`."""
IMPRESSION, CLICK, PAGE_VIEW, CONVERSION = (KINDS.index(t) for t in EventType)

COUNTRIES = ("DE", "FR", "NL", "GB", "SE", "PL", "ES", "IT", "US", "CH")
DEVICES = ("desktop", "mobile", "tablet")
HUMAN_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148",
)
BOT_AGENTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
    "curl/8.5.0",
)
AGENTS = HUMAN_AGENTS + BOT_AGENTS
"""User agents by their code in :attr:`Visitors.agent`."""
BOT_NETWORKS = ((66, 249, 66), (157, 55, 39), (40, 77, 167))
"""Crawler /24 networks bots send from (the first three octets)."""
HUMAN_FIRST_OCTETS = (81, 223)
# A funnel yields 1.6 impressions, 0.032 clicks, 0.056 page views, ~0.001 conversions.
EVENTS_PER_FUNNEL = 1.69
# Hourly traffic shape (UTC): quiet at night, peaks in the evening.
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 7, 6, 6, 6, 7, 8, 9, 10, 10, 8, 5, 3)

STAMP_FORMS = 4
"""How a timestamp is written (see :func:`airlake.generator.rendering.stamps`): 0 with
nanoseconds, 1 at +02:00, 2 with lower-case ``t``/``z``, 3 plain ``...123456Z``; the plain
form is drawn five times in eight."""
REVENUE_CENTS = (500, 30_000)
"""The range of an order's value, in cents of the campaign's currency."""
MAX_PAGES = 3
_IMPRESSIONS_PER_FUNNEL = np.array([1, 1, 1, 2, 3])
_PAGES_PER_HUMAN_CLICK = np.array([1, 1, 2, MAX_PAGES])
_LATE_AFTER = 12 * HOUR  # lines received later than this are never redelivered


@dataclass(frozen=True, slots=True)
class CampaignColumns:
    """The campaigns as arrays, for drawing: pick probabilities and the size of each one's
    ad group and creative lists."""

    probability: npt.NDArray[np.float64]
    ad_groups: Ints
    creatives: Ints

    @classmethod
    def of(cls, campaigns: list[Campaign]) -> CampaignColumns:
        weights = np.array([c.weight for c in campaigns])
        return cls(
            probability=weights / weights.sum(),
            ad_groups=np.array([len(c.ad_groups) for c in campaigns]),
            creatives=np.array([len(c.creatives) for c in campaigns]),
        )


@dataclass(frozen=True, slots=True)
class Visitors:
    """One row per funnel."""

    anonymous: npt.NDArray[np.uint64]  # the 48-bit number in ``anon-<12 hex digits>``
    bot: Flags
    user: Ints  # the number in ``user-<7 digits>``; 0 when not logged in
    agent: Ints
    ip: Ints  # (n, 3): the first three octets; the last one is always 0 (truncated)
    country: Ints
    device: Ints
    campaign: Ints


@dataclass(frozen=True, slots=True)
class Events:
    """One row per event; a column that does not apply to a row's type holds 0."""

    kind: Ints
    visitor: Ints
    ts: Ints
    received: Ints
    ident: Bytes  # (n, 16): the event id, a version-4 UUID
    ad_group: Ints
    creative: Ints
    parent: Ints  # click: its impression; conversion: its click if it carries click_id, else -1
    page: Ints  # page view: its number after the click, from 0
    order: Ints  # conversion: the 40-bit number in ``ord-<10 hex digits>``
    revenue: Ints  # conversion: cents, in the campaign's currency
    lower: Flags  # the currency code is written in lower case
    ts_form: Ints
    received_form: Ints
    redelivery: Ints  # hours after the first delivery that a copy lands; -1 for none

    def __len__(self) -> int:
        return len(self.kind)


def _runs(counts: Ints) -> tuple[Ints, Ints]:
    """For groups of the given sizes laid end to end: each row's group and its place in it."""
    owner = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - first[owner]


def _running_sum(steps: Ints, place: Ints) -> Ints:
    """Each row's sum of ``steps`` over its group (see :func:`_runs`) up to and including it."""
    total = np.cumsum(steps)
    first = np.arange(len(steps)) - place
    return total - (total[first] - steps[first])  # type: ignore[no-any-return]


def _octets(rng: np.random.Generator, n: int) -> Ints:
    """First three octets of ``n`` household addresses, none in a crawler range."""
    low, high = HUMAN_FIRST_OCTETS
    ip = np.column_stack(
        [rng.integers(low, high + 1, n), rng.integers(0, 256, n), rng.integers(0, 256, n)]
    )
    for prefix in BOT_IP_PREFIXES:
        a, b = (int(x) for x in prefix.rstrip(".").split("."))
        clash = (ip[:, 0] == a) & (ip[:, 1] == b)
        ip[clash, 1] = (b + 1) % 256
    return ip


def visitors(
    rng: np.random.Generator, config: GeneratorConfig, campaigns: CampaignColumns, n: int
) -> Visitors:
    """``n`` new visitors, each meeting one campaign (chosen by weight)."""
    bot = rng.random(n) < config.bot_rate
    anonymous = rng.integers(0, 2**48, n, dtype=np.uint64)
    user = np.where(~bot & (rng.random(n) < 0.2), rng.integers(1, 10**6 + 1, n), 0)
    # Bots mostly say what they are; the rest pass for a browser.
    bot_agent = bot & (rng.random(n) < 0.7)
    agent = np.where(
        bot_agent,
        len(HUMAN_AGENTS) + rng.integers(0, len(BOT_AGENTS), n),
        rng.integers(0, len(HUMAN_AGENTS), n),
    )
    # A bot sends from a crawler network when its agent passes for a browser, and half the
    # time otherwise.
    from_crawler = bot & (~bot_agent | (rng.random(n) < 0.5))
    ip = _octets(rng, n)
    network = np.array(BOT_NETWORKS)[rng.integers(0, len(BOT_NETWORKS), n)]
    ip[from_crawler] = network[from_crawler]
    return Visitors(
        anonymous=anonymous,
        bot=bot,
        user=user,
        agent=agent,
        ip=ip,
        country=rng.integers(0, len(COUNTRIES), n),
        device=rng.integers(0, len(DEVICES), n),
        campaign=rng.choice(len(campaigns.probability), n, p=campaigns.probability),
    )


def events(
    rng: np.random.Generator,
    config: GeneratorConfig,
    campaigns: CampaignColumns,
    people: Visitors,
    start: Ints,
) -> Events:
    """The events of one funnel per visitor, the funnel starting at ``start``."""
    n = len(start)
    # A visitor sees a few impressions of the campaign within minutes.
    imp_visitor, imp_place = _runs(_IMPRESSIONS_PER_FUNNEL[rng.integers(0, 5, n)])
    gaps = np.where(imp_place == 0, 0, rng.integers(5, 601, len(imp_visitor)) * SECOND)
    imp_ts = start[imp_visitor] + _running_sum(gaps, imp_place)
    campaign = people.campaign[imp_visitor]
    ad_group = (rng.random(len(imp_visitor)) * campaigns.ad_groups[campaign]).astype(np.int64)
    creative = (rng.random(len(imp_visitor)) * campaigns.creatives[campaign]).astype(np.int64)

    clicked = np.flatnonzero(rng.random(len(imp_visitor)) < 0.02)
    click_visitor = imp_visitor[clicked]
    click_ts = imp_ts[clicked] + rng.integers(1, 91, len(clicked)) * SECOND

    bot = people.bot[click_visitor]
    pages = np.where(bot, 1, _PAGES_PER_HUMAN_CLICK[rng.integers(0, 4, len(clicked))])
    page_click, page_place = _runs(pages)
    steps = np.where(
        page_place == 0,
        rng.integers(1, 21, len(page_click)),
        rng.integers(10, 3001, len(page_click)),
    )
    page_ts = click_ts[page_click] + _running_sum(steps * SECOND, page_place)

    converted = np.flatnonzero(~bot & (rng.random(len(clicked)) < 0.03))
    latest = max(1, config.lookback_hours * 60 - 60)
    conv_ts = click_ts[converted] + rng.integers(1, latest + 1, len(converted)) * MINUTE
    carries_click = rng.random(len(converted)) < 0.5

    n_imp, n_click, n_page, n_conv = len(imp_visitor), len(clicked), len(page_click), len(converted)
    total = n_imp + n_click + n_page + n_conv
    click_row = n_imp + np.arange(n_click)

    def by_kind(imp: Ints | int, click: Ints | int, page: Ints | int, conv: Ints | int) -> Ints:
        parts = [imp, click, page, conv]
        sizes = [n_imp, n_click, n_page, n_conv]
        return np.concatenate(
            [
                np.broadcast_to(np.asarray(p, dtype=np.int64), (s,))
                for p, s in zip(parts, sizes, strict=True)
            ]
        )

    ts = by_kind(imp_ts, click_ts, page_ts, conv_ts)
    ident = np.frombuffer(rng.bytes(16 * total), np.uint8).reshape(total, 16).copy()
    ident[:, 6] = (ident[:, 6] & 0x0F) | 0x40  # version 4
    ident[:, 8] = (ident[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    kind = by_kind(IMPRESSION, CLICK, PAGE_VIEW, CONVERSION)
    received, redelivery = _deliveries(rng, config, ts)
    return Events(
        kind=kind,
        visitor=by_kind(
            imp_visitor, click_visitor, click_visitor[page_click], click_visitor[converted]
        ),
        ts=ts,
        received=received,
        ident=ident,
        ad_group=by_kind(ad_group, ad_group[clicked], 0, 0),
        creative=by_kind(creative, creative[clicked], 0, 0),
        parent=by_kind(0, clicked, 0, np.where(carries_click, click_row[converted], -1)),
        page=by_kind(0, 0, page_place, 0),
        order=by_kind(0, 0, 0, rng.integers(0, 2**40, n_conv)),
        revenue=by_kind(0, 0, 0, rng.integers(REVENUE_CENTS[0], REVENUE_CENTS[1] + 1, n_conv)),
        lower=(kind != PAGE_VIEW) & (rng.random(total) < 0.2),  # codes in any case are valid
        ts_form=np.minimum(rng.integers(0, 8, total), STAMP_FORMS - 1),
        received_form=np.minimum(rng.integers(0, 8, total), STAMP_FORMS - 1),
        redelivery=redelivery,
    )


def _deliveries(rng: np.random.Generator, config: GeneratorConfig, ts: Ints) -> tuple[Ints, Ints]:
    """When each event is received (seconds later; 1-2 days for ``late_rate`` of them, 3-5
    days for ``too_late_rate``), and after how many hours a copy of it lands (0-30, for
    ``duplicate_rate`` of the events received in time; -1: none)."""
    n = len(ts)
    draw = rng.random(n)
    days = rng.random(n)
    delay = np.where(
        draw < config.too_late_rate,
        np.rint((3 + 2 * days) * DAY),
        np.where(
            draw < config.too_late_rate + config.late_rate,
            np.rint((1 + days) * DAY),
            rng.integers(0, 5 * SECOND + 1, n),
        ),
    ).astype(np.int64)
    copied = (delay <= _LATE_AFTER) & (rng.random(n) < config.duplicate_rate)
    redelivery = np.where(copied, rng.integers(0, 31, n), -1)
    return ts + delay, redelivery
