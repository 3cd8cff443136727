"""The event generator: realistic landing data in the Kafka Connect S3 sink layout, plus the
ground truth, counted in plain Python while the lines are written.

Nothing here runs the pipeline's code: every line's fate is known from how it was made (a
first delivery, a redelivery, a deliberately broken line), and the only contract logic used is
the late-window rule itself (:func:`airlake.contract.is_late_beyond_window`), applied to the
landing day a line was written to.

The manifest ``<out>/_manifest.json`` (sorted keys) holds:

- ``parameters``: the generator's arguments;
- ``landing_days``: ``{day: {"lines", "valid", "duplicates", "quarantined": {reason: n}}}`` for
  every landing folder day written, with lines = valid + duplicates + sum(quarantined); bots are
  valid (they are only flagged);
- ``event_days``: ``{day: {"human": {type: n}, "bot": {type: n}}}`` of valid, deduplicated events;
- ``campaign_days``: rows ``{event_date, campaign_id, impressions, clicks, spend, conversions,
  revenue}`` on valid, deduplicated, human traffic; conversions credited by last click (the same
  visitor's latest human click at or before the conversion, within the lookback; ties go to the
  greater event_id); spend and revenue as decimal strings (6 places) in the reporting currency
  (``parameters.reporting_currency``) at the demo exchange rates
  (:func:`airlake.exchange_rates.demo_rates`), converted event by event; ``currency``,
  ``spend_original`` and ``revenue_original`` in the campaign's own currency (each advertiser
  has one, :data:`ADVERTISER_CURRENCIES`);
- ``unattributed_conversions``: ``{day: n}``;
- ``sessions``: ``{day: n}`` human sessions (a gap over 30 minutes starts a new one; each UTC
  day on its own), or null for large runs (it needs every timestamp in memory).
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from airlake.contract import (
    BOT_IP_PREFIXES,
    REQUIRED,
    SESSION_GAP_MINUTES,
    TOPICS,
    EventType,
    Reason,
    is_late_beyond_window,
    landing_key,
)
from airlake.errors import UserError
from airlake.storage import StorageOptions, filesystem, fs_path, join

PARTITIONS = 3
ADVERTISER_CURRENCIES = ("EUR", "USD", "GBP", "SEK", "EUR", "CHF", "PLN", "EUR", "USD", "SEK")
"""The currency each advertiser (``adv-01`` ..) buys media and sells in; campaign k (from 0)
belongs to advertiser k mod 10 (see :mod:`airlake.reference`)."""
CHANNELS = ("display", "search", "social", "video", "email")
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
BOT_IPS = ("66.249.66.0", "157.55.39.0", "40.77.167.0")
# A funnel yields 1.6 impressions, 0.032 clicks, 0.056 page views, ~0.001 conversions.
EVENTS_PER_FUNNEL = 1.69
# Hourly traffic shape (UTC): quiet at night, peaks in the evening.
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 7, 6, 6, 6, 7, 8, 9, 10, 10, 8, 5, 3)


@dataclass(frozen=True, slots=True)
class GeneratorConfig:
    """What to generate. Rates are shares of valid events (malformed: of all lines)."""

    start: date
    days: int
    events_per_day: int
    seed: int
    out: str
    duplicate_rate: float = 0.02
    bot_rate: float = 0.05
    malformed_rate: float = 0.005
    late_rate: float = 0.03
    too_late_rate: float = 0.001
    late_window_days: int = 3
    lookback_hours: int = 24
    campaigns: int = 50
    flush_size: int = 10_000
    sessions_limit: int = 500_000
    reporting_currency: str = "EUR"

    def __post_init__(self) -> None:
        if self.days < 1 or self.events_per_day < 1:
            raise UserError("--days and --events-per-day must be at least 1")
        for name in ("duplicate_rate", "bot_rate", "malformed_rate", "late_rate", "too_late_rate"):
            if not 0 <= getattr(self, name) < 1:
                raise UserError(f"--{name.replace('_', '-')} must be in [0, 1)")
        if not 1 <= self.campaigns <= 999:
            raise UserError("--campaigns must be between 1 and 999")


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    channel: str
    billing: str  # "cpm" | "cpc"
    unit_cost: Decimal
    ad_groups: tuple[str, ...]
    creatives: tuple[str, ...]
    weight: float
    currency: str = "EUR"


@dataclass(order=True)
class _Line:
    """One line to write: ordered by when it lands, then by creation order."""

    landing_hour: int  # hours since the epoch of the landing folder hour
    seq: int
    text: str = field(compare=False)
    topic: str = field(compare=False)
    partition: int = field(compare=False)
    kind: str = field(compare=False)  # "event" | "copy" | a Reason value
    event_date: date | None = field(compare=False, default=None)


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _stamp(ts: datetime, key: str) -> str:
    """``ts`` in one of the RFC 3339 forms producers write, chosen by ``key`` (no randomness
    drawn, so the rest of the data does not depend on it): mostly ``...123456Z``; also
    nanoseconds, a +02:00 offset, lower-case ``t``/``z``."""
    form = zlib.crc32(key.encode()) % 8
    if form == 0:  # Java's Instant.toString() with nanoseconds
        return ts.strftime("%Y-%m-%dT%H:%M:%S.%f") + "789Z"
    if form == 1:  # the same instant in Central European Summer Time
        return (ts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "+02:00"
    if form == 2:
        return ts.strftime("%Y-%m-%dt%H:%M:%S.%fz")
    return _iso(ts)


def _hour_index(ts: datetime) -> int:
    return int(ts.timestamp()) // 3600


def _hour_start(index: int) -> datetime:
    return datetime.fromtimestamp(index * 3600, tz=UTC)


def _partition(anonymous_id: str) -> int:
    return zlib.crc32(anonymous_id.encode()) % PARTITIONS


class _Truth:
    """Ground truth, counted as lines are made."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.config = config
        self.landing: dict[date, dict[str, Any]] = {}
        self.event_days: dict[date, dict[str, dict[str, int]]] = {}
        self.media: dict[tuple[date, str], list[Any]] = defaultdict(
            lambda: [0, 0, Decimal(0), Decimal(0), set()]
        )
        self.clicks: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
        self.conversions: list[tuple[datetime, str, Decimal, Decimal, str]] = []
        self.rates: dict[date, dict[str, Decimal]] = {}
        self.stamps: dict[tuple[date, str], list[datetime]] | None = (
            defaultdict(list)
            if config.events_per_day * config.days <= config.sessions_limit
            else None
        )

    def _day(self, day: date) -> dict[str, Any]:
        return self.landing.setdefault(
            day, {"lines": 0, "valid": 0, "duplicates": 0, "quarantined": {}}
        )

    def line(self, landing_day: date, line: _Line, event: dict[str, Any] | None) -> None:
        day = self._day(landing_day)
        day["lines"] += 1
        kind = line.kind
        if kind in ("event", "copy") and line.event_date is not None:
            late = is_late_beyond_window(
                landing_day.toordinal(), line.event_date.toordinal(), self.config.late_window_days
            )
            if late:
                kind = Reason.LATE_BEYOND_WINDOW.value
            elif kind == "copy":
                day["duplicates"] += 1
                return
            else:
                day["valid"] += 1
                assert event is not None
                self._event(event, line.event_date)
                return
        q = day["quarantined"]
        q[kind] = q.get(kind, 0) + 1

    def _event(self, event: dict[str, Any], event_date: date) -> None:
        is_bot = event["_bot"]
        per_day = self.event_days.setdefault(event_date, {"human": {}, "bot": {}})
        bucket = per_day["bot" if is_bot else "human"]
        etype = event["event_type"]
        bucket[etype] = bucket.get(etype, 0) + 1
        if is_bot:
            return
        ts = event["_ts"]
        if self.stamps is not None:
            self.stamps[(event_date, event["anonymous_id"])].append(ts)
        if etype in ("impression", "click"):
            row = self.media[(event_date, event["campaign_id"])]
            row[0 if etype == "impression" else 1] += 1
            cost = Decimal(str(event["cost"]))
            row[2] += self._converted(cost, event["currency"].upper(), event_date)
            row[3] += cost
            row[4].add(event["currency"].upper())
            if etype == "click":
                self.clicks[event["anonymous_id"]].append(
                    (ts, event["event_id"], event["campaign_id"])
                )
        elif etype == "conversion":
            revenue = Decimal(str(event["revenue"]))
            currency = event["currency"].upper()
            converted = self._converted(revenue, currency, event_date)
            self.conversions.append((ts, event["anonymous_id"], converted, revenue, currency))

    def _converted(self, amount: Decimal, currency: str, day: date) -> Decimal:
        """``amount`` in the reporting currency at the demo rates of ``day``, counted here:
        factor = per-euro rate of the target / of the source, half-up to 10 places; the
        amount times the factor, half-up to 6 places."""
        target = self.config.reporting_currency
        if currency == target:
            return amount
        if day not in self.rates:
            from airlake.exchange_rates import demo_rates

            self.rates[day] = {r["currency"]: r["per_base"] for r in demo_rates(day, day)}
            self.rates[day]["EUR"] = Decimal(1)
        quotes = self.rates[day]
        by = (quotes[target] / quotes[currency]).quantize(Decimal("1e-10"), ROUND_HALF_UP)
        return (amount * by).quantize(Decimal("1e-6"), ROUND_HALF_UP)

    def manifest(self) -> dict[str, Any]:
        lookback = timedelta(hours=self.config.lookback_hours)
        credited: dict[tuple[date, str], list[Any]] = defaultdict(
            lambda: [0, Decimal(0), Decimal(0), set()]
        )
        unattributed: dict[str, int] = defaultdict(int)
        for ts, visitor, revenue, original, currency in self.conversions:
            best = None
            for click_ts, click_id, campaign in self.clicks.get(visitor, ()):
                if ts - lookback <= click_ts <= ts and (
                    best is None or (click_ts, click_id) > best[:2]
                ):
                    best = (click_ts, click_id, campaign)
            if best is None:
                unattributed[ts.date().isoformat()] += 1
            else:
                row = credited[(ts.date(), best[2])]
                row[0] += 1
                row[1] += revenue
                row[2] += original
                row[3].add(currency)
        rows = []
        for key in sorted(set(self.media) | set(credited)):
            impressions, clicks, spend, spend_original, media_currencies = self.media.get(
                key, (0, 0, Decimal(0), Decimal(0), set())
            )
            conversions, revenue, revenue_original, sales_currencies = credited.get(
                key, (0, Decimal(0), Decimal(0), set())
            )
            currencies = media_currencies | sales_currencies
            rows.append(
                {
                    "event_date": key[0].isoformat(),
                    "campaign_id": key[1],
                    "impressions": impressions,
                    "clicks": clicks,
                    "spend": f"{spend:.6f}",
                    "conversions": conversions,
                    "revenue": f"{revenue:.6f}",
                    "currency": next(iter(currencies)) if len(currencies) == 1 else None,
                    "spend_original": f"{spend_original:.6f}",
                    "revenue_original": f"{revenue_original:.6f}",
                }
            )
        sessions: dict[str, int] | None = None
        if self.stamps is not None:
            sessions = defaultdict(int)
            gap = timedelta(minutes=SESSION_GAP_MINUTES)
            for (day, _), stamps in self.stamps.items():
                stamps.sort()
                sessions[day.isoformat()] += 1 + sum(
                    1 for a, b in itertools.pairwise(stamps) if b - a > gap
                )
            sessions = dict(sessions)
        return {
            "parameters": {
                k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in asdict(self.config).items()
            },
            "landing_days": {d.isoformat(): v for d, v in sorted(self.landing.items())},
            "event_days": {d.isoformat(): v for d, v in sorted(self.event_days.items())},
            "campaign_days": rows,
            "unattributed_conversions": dict(sorted(unattributed.items())),
            "sessions": dict(sorted(sessions.items())) if sessions is not None else None,
        }


def campaigns(rng: random.Random, n: int) -> list[Campaign]:
    out = []
    for i in range(1, n + 1):
        billing = "cpm" if rng.random() < 0.6 else "cpc"
        # CPM campaigns pay 5-40 EUR per thousand impressions, CPC ones 0.40-4.00 EUR a click.
        unit = (
            Decimal(rng.randint(5000, 40000)) / Decimal(1_000_000)
            if billing == "cpm"
            else Decimal(rng.randint(40, 400)) / 100
        )
        cid = f"cmp-{i:03d}"
        out.append(
            Campaign(
                campaign_id=cid,
                channel=rng.choice(CHANNELS),
                billing=billing,
                unit_cost=unit,
                ad_groups=tuple(f"{cid}-ag{j}" for j in range(1, rng.randint(2, 4) + 1)),
                creatives=tuple(f"{cid}-cr{j}" for j in range(1, rng.randint(2, 5) + 1)),
                weight=1.0 / (i**0.7),
                currency=ADVERTISER_CURRENCIES[(i - 1) % len(ADVERTISER_CURRENCIES)],
            )
        )
    return out


class Generator:
    """Streams a landing zone hour by hour; see :func:`generate`."""

    def __init__(
        self, config: GeneratorConfig, on_progress: Callable[[str], None] | None = None
    ) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.campaigns = campaigns(self.rng, config.campaigns)
        self.weights = [c.weight for c in self.campaigns]
        self.truth = _Truth(config)
        self.queue: list[_Line] = []
        self.seq = 0
        self.offsets: dict[tuple[str, int], int] = defaultdict(int)
        self.storage = StorageOptions()
        self.fs = filesystem(config.out, self.storage)
        self.on_progress = on_progress or (lambda message: None)
        self.written = 0

    # -- events ---------------------------------------------------------------------------
    def _id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _visitor(self, bot: bool) -> dict[str, Any]:
        rng = self.rng
        if bot:
            agent = rng.choice(BOT_AGENTS) if rng.random() < 0.7 else rng.choice(HUMAN_AGENTS)
            ip = (
                rng.choice(BOT_IPS)
                if agent in HUMAN_AGENTS or rng.random() < 0.5
                else self._human_ip()
            )
        else:
            agent, ip = rng.choice(HUMAN_AGENTS), self._human_ip()
        return {
            "anonymous_id": f"anon-{rng.getrandbits(48):012x}",
            "user_id": f"user-{rng.randint(1, 10**6):07d}"
            if not bot and rng.random() < 0.2
            else None,
            "user_agent": agent,
            "ip": ip,
            "country": rng.choice(COUNTRIES),
            "device_type": rng.choice(DEVICES),
            "_bot": bot,
        }

    def _human_ip(self) -> str:
        rng = self.rng
        while True:
            ip = f"{rng.randint(81, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0"
            if not ip.startswith(BOT_IP_PREFIXES):
                return ip

    def _event(
        self, etype: EventType, ts: datetime, visitor: dict[str, Any], **fields: Any
    ) -> dict[str, Any]:
        event_id = self._id()
        event = {
            "event_id": event_id,
            "event_type": etype.value,
            "event_ts": _stamp(ts, event_id),
            **fields,
        }
        if "currency" in event and zlib.crc32(event_id.encode()) % 5 == 0:
            event["currency"] = event["currency"].lower()  # codes in any case are valid
        event.update({k: v for k, v in visitor.items() if v is not None and not k.startswith("_")})
        event["_bot"] = visitor["_bot"]
        event["_ts"] = ts
        return event

    def _received(self, ts: datetime) -> datetime:
        rng = self.rng
        r = rng.random()
        if r < self.config.too_late_rate:
            delay = timedelta(days=3 + 2 * rng.random())
        elif r < self.config.too_late_rate + self.config.late_rate:
            delay = timedelta(days=1 + rng.random())
        else:
            delay = timedelta(microseconds=rng.randint(0, 5_000_000))
        return ts + delay

    def _emit(self, event: dict[str, Any]) -> None:
        rng = self.rng
        received = self._received(event["_ts"])
        event["received_ts"] = _stamp(received, event["event_id"] + "/received")
        public = {k: v for k, v in event.items() if not k.startswith("_")}
        text = json.dumps(public, separators=(",", ":"))
        topic = TOPICS[EventType(event["event_type"])]
        part = _partition(event["anonymous_id"])
        event_date = event["_ts"].date()
        hour = _hour_index(received)
        self._push(_Line(hour, 0, text, topic, part, "event", event_date), event)
        late = received - event["_ts"] > timedelta(hours=12)
        if not late and rng.random() < self.config.duplicate_rate:
            # A redelivery: the same bytes again, 0-30 hours later (same topic and partition).
            self._push(
                _Line(hour + rng.randint(0, 30), 0, text, topic, part, "copy", event_date), None
            )

    def _push(self, line: _Line, event: dict[str, Any] | None) -> None:
        self.seq += 1
        line.seq = self.seq
        heapq.heappush(self.queue, line)
        if event is not None:
            self._events[line.seq] = event

    def _funnel(self, ts: datetime, bot: bool) -> None:
        rng = self.rng
        visitor = self._visitor(bot)
        campaign = rng.choices(self.campaigns, self.weights)[0]
        utm = {
            "utm_source": campaign.channel,
            "utm_medium": "cpc" if campaign.billing == "cpc" else "display",
            "utm_campaign": campaign.campaign_id,
        }
        # A visitor sees a few impressions of the campaign within minutes.
        t = ts
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            ad_group, creative = rng.choice(campaign.ad_groups), rng.choice(campaign.creatives)
            cost = campaign.unit_cost if campaign.billing == "cpm" else Decimal(0)
            imp = self._event(
                EventType.IMPRESSION,
                t,
                visitor,
                campaign_id=campaign.campaign_id,
                ad_group_id=ad_group,
                creative_id=creative,
                channel=campaign.channel,
                cost=float(cost),
                currency=campaign.currency,
                page_url=f"https://publisher.example/{campaign.channel}/article",
                referrer="https://publisher.example/",
            )
            self._emit(imp)
            if rng.random() < 0.02:
                self._click(imp, t + timedelta(seconds=rng.randint(1, 90)), visitor, campaign, utm)
            t += timedelta(seconds=rng.randint(5, 600))

    def _click(
        self,
        imp: dict[str, Any],
        ts: datetime,
        visitor: dict[str, Any],
        campaign: Campaign,
        utm: dict[str, str],
    ) -> None:
        rng = self.rng
        cost = campaign.unit_cost if campaign.billing == "cpc" else Decimal(0)
        click = self._event(
            EventType.CLICK,
            ts,
            visitor,
            campaign_id=campaign.campaign_id,
            ad_group_id=imp["ad_group_id"],
            creative_id=imp["creative_id"],
            channel=campaign.channel,
            impression_id=imp["event_id"],
            cost=float(cost),
            currency=campaign.currency,
            **utm,
        )
        self._emit(click)
        t = ts + timedelta(seconds=rng.randint(1, 20))
        pages = 1 if visitor["_bot"] else rng.choice((1, 1, 2, 3))
        for n in range(pages):
            self._emit(
                self._event(
                    EventType.PAGE_VIEW,
                    t,
                    visitor,
                    page_url=f"https://shop.example/p/{n}",
                    referrer="https://publisher.example/",
                    campaign_id=campaign.campaign_id,
                    **utm,
                )
            )
            t += timedelta(seconds=rng.randint(10, 3000))
        if not visitor["_bot"] and rng.random() < 0.03:
            when = ts + timedelta(minutes=rng.randint(1, self.config.lookback_hours * 60 - 60))
            conv = self._event(
                EventType.CONVERSION,
                when,
                visitor,
                order_id=f"ord-{rng.getrandbits(40):010x}",
                revenue=float(Decimal(rng.randint(500, 30000)) / 100),
                currency=campaign.currency,
                page_url="https://shop.example/thanks",
                **({"click_id": click["event_id"]} if rng.random() < 0.5 else {}),
            )
            self._emit(conv)

    # -- broken lines ---------------------------------------------------------------------
    def _broken(self, hour: int) -> None:
        rng = self.rng
        ts = _hour_start(hour) + timedelta(seconds=rng.randint(0, 3599))
        base = {
            "event_id": self._id(),
            "event_type": "click",
            "event_ts": _iso(ts),
            "received_ts": _iso(ts + timedelta(seconds=1)),
            "anonymous_id": f"anon-{rng.getrandbits(48):012x}",
            "campaign_id": "cmp-001",
            "ad_group_id": "cmp-001-ag1",
            "creative_id": "cmp-001-cr1",
            "channel": "search",
            "impression_id": self._id(),
            "cost": 0.5,
            "currency": "EUR",
            "user_agent": HUMAN_AGENTS[0],
            "ip": "93.184.216.0",
        }
        reason = rng.choice([r for r in Reason if r is not Reason.LATE_BEYOND_WINDOW])
        variant = rng.randint(0, 2)
        doc: Any = dict(base)
        text: str | bytes
        if reason is Reason.MALFORMED_JSON:
            full = json.dumps(base)
            text = (
                full[: len(full) // 2],
                b"\xff\xfe" + full.encode()[:20],
                full.replace('"cost": 0.5', '"cost": NaN'),
            )[variant]
        elif reason is Reason.NOT_AN_OBJECT:
            text = ("[1, 2, 3]", '"just a string"', "null")[variant]
        elif reason is Reason.UNKNOWN_EVENT_TYPE:
            if variant == 0:
                doc["event_type"] = "hover"
            elif variant == 1:
                del doc["event_type"]
            else:
                doc["event_type"] = None
            text = json.dumps(doc)
        elif reason is Reason.MISSING_FIELD:
            name = rng.choice([f for f in REQUIRED[EventType.CLICK] if f != "event_type"])
            if variant == 0:
                del doc[name]
            else:
                doc[name] = None
            text = json.dumps(doc)
        elif reason is Reason.BAD_TYPE:
            bad_types: tuple[tuple[str, Any], ...] = (
                ("cost", "0.5"),
                ("campaign_id", 17),
                ("ad_group_id", True),
            )
            key, value = bad_types[variant]
            doc[key] = value
            text = json.dumps(doc)
        elif reason is Reason.BAD_TIMESTAMP:
            doc["event_ts"] = ("yesterday", "2026-02-30T10:00:00Z", _iso(ts + timedelta(hours=1)))[
                variant
            ]
            text = json.dumps(doc)
        else:  # BAD_VALUE
            bad_values: tuple[tuple[str, Any], ...] = (
                ("cost", -0.5),
                ("currency", "XXX"),
                ("cost", -12),
            )
            key, value = bad_values[variant]
            doc[key] = value
            text = json.dumps(doc)
        raw = text if isinstance(text, str) else text.decode("latin-1")
        topic = rng.choice(sorted(set(TOPICS.values())))
        self._push(_Line(hour, 0, raw, topic, rng.randrange(PARTITIONS), reason.value), None)
        if isinstance(text, bytes):
            self._raw[self.seq] = text

    # -- writing --------------------------------------------------------------------------
    def _flush_hour(self, hour: int) -> None:
        lines: list[_Line] = []
        while self.queue and self.queue[0].landing_hour <= hour:
            lines.append(heapq.heappop(self.queue))
        if not lines:
            return
        start = _hour_start(hour)
        landing_day = start.date()
        by_file: dict[tuple[str, int], list[_Line]] = defaultdict(list)
        for line in lines:
            by_file[(line.topic, line.partition)].append(line)
            self.truth.line(landing_day, line, self._events.pop(line.seq, None))
        for (topic, part), group in sorted(by_file.items()):
            for i in range(0, len(group), self.config.flush_size):
                chunk = group[i : i + self.config.flush_size]
                offset = self.offsets[(topic, part)]
                self.offsets[(topic, part)] += len(chunk)
                key = landing_key(
                    topic, start.year, start.month, start.day, start.hour, part, offset
                )
                payload = b"".join(self._raw_bytes(ln) + b"\n" for ln in chunk)
                path = fs_path(join(self.config.out, key))
                self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
                with self.fs.open(path, "wb") as fh:
                    fh.write(payload)
                self.written += len(chunk)

    def _raw_bytes(self, line: _Line) -> bytes:
        raw = self._raw.pop(line.seq, None)
        return raw if raw is not None else line.text.encode()

    def run(self) -> dict[str, Any]:
        cfg = self.config
        self._events: dict[int, dict[str, Any]] = {}
        self._raw: dict[int, bytes] = {}
        first = _hour_index(datetime(cfg.start.year, cfg.start.month, cfg.start.day, tzinfo=UTC))
        last_event_hour = first + 24 * cfg.days - 1
        funnels_per_day = max(1, round(cfg.events_per_day / EVENTS_PER_FUNNEL))
        total_weight = sum(HOUR_WEIGHTS)
        hour = first
        while hour <= last_event_hour or self.queue:
            if hour <= last_event_hour:
                share = HOUR_WEIGHTS[_hour_start(hour).hour] / total_weight
                n = int(funnels_per_day * share + self.rng.random())
                for _ in range(n):
                    ts = _hour_start(hour) + timedelta(
                        microseconds=self.rng.randint(0, 3_599_999_999)
                    )
                    self._funnel(ts, bot=self.rng.random() < cfg.bot_rate)
                broken = int(n * EVENTS_PER_FUNNEL * cfg.malformed_rate + self.rng.random())
                for _ in range(broken):
                    self._broken(hour)
            self._flush_hour(hour)
            if _hour_start(hour).hour == 23:
                self.on_progress(
                    f"generated {_hour_start(hour).date()}: {self.written:,} lines so far"
                )
            hour += 1
        manifest = self.truth.manifest()
        manifest_path = fs_path(join(cfg.out, "_manifest.json"))
        with self.fs.open(manifest_path, "w") as fh:
            fh.write(json.dumps(manifest, sort_keys=True, indent=1))
        return manifest


def generate(
    config: GeneratorConfig, on_progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Write the landing zone and ``_manifest.json`` under ``config.out``; return the manifest.

    Deterministic: the same config writes byte-identical files. An existing landing zone at
    ``out`` is replaced.
    """
    fs = filesystem(config.out, StorageOptions())
    root = fs_path(config.out)
    topics = fs_path(join(config.out, "topics"))
    if fs.exists(topics):
        fs.rm(topics, recursive=True)
    fs.makedirs(root, exist_ok=True)
    return Generator(config, on_progress).run()


def iter_lines(out: str) -> Iterator[tuple[str, bytes]]:
    """Every (file key, line) of a generated landing zone, for tests and tools."""
    fs = filesystem(out, StorageOptions())
    root = fs_path(out).rstrip("/")
    for path in sorted(fs.glob(f"{root}/topics/**/*.json")):
        with fs.open(path, "rb") as fh:
            data = fh.read()
        for line in data.split(b"\n")[:-1]:
            yield path[len(root) + 1 :], line


def load_manifest(out: str | Path) -> dict[str, Any]:
    return dict(json.loads(Path(out, "_manifest.json").read_text()))
