"""What the generator is asked for, and the campaigns it buys media for."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from airlake.errors import UserError
from airlake.settings import DEFAULT_MAX_LINE_BYTES

ADVERTISER_CURRENCIES = ("EUR", "USD", "GBP", "SEK", "EUR", "CHF", "PLN", "EUR", "USD", "SEK")
"""The currency each advertiser (``adv-01`` ..) buys media and sells in; campaign k (from 0)
belongs to advertiser k mod 10 (see :mod:`airlake.reference`)."""
CHANNELS = ("display", "search", "social", "video", "email")
MAX_AD_GROUPS = 4
MAX_CREATIVES = 5


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
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    """The ingest's ``pipeline.max_line_bytes``: the one ``line_too_long`` line of a run is
    longer, every other line shorter."""

    def __post_init__(self) -> None:
        if self.days < 1 or self.events_per_day < 1:
            raise UserError("--days and --events-per-day must be at least 1")
        for name in ("duplicate_rate", "bot_rate", "malformed_rate", "late_rate", "too_late_rate"):
            if not 0 <= getattr(self, name) < 1:
                raise UserError(f"--{name.replace('_', '-')} must be in [0, 1)")
        if not 1 <= self.campaigns <= 999:
            raise UserError("--campaigns must be between 1 and 999")
        if not 1024 <= self.max_line_bytes <= 1 << 30:
            raise UserError("--max-line-bytes must be between 1024 and 1073741824")


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

    @property
    def impression_cost(self) -> Decimal:
        """What one impression costs: the unit cost on CPM billing, nothing on CPC."""
        return self.unit_cost if self.billing == "cpm" else Decimal(0)

    @property
    def click_cost(self) -> Decimal:
        """What one click costs: the unit cost on CPC billing, nothing on CPM."""
        return self.unit_cost if self.billing == "cpc" else Decimal(0)


def campaigns(rng: random.Random, n: int) -> list[Campaign]:
    """The ``n`` campaigns of a seed; :mod:`airlake.reference` builds its rows from the same
    call, so it must draw from ``random.Random(seed)`` exactly as it always has."""
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
                ad_groups=tuple(
                    f"{cid}-ag{j}" for j in range(1, rng.randint(2, MAX_AD_GROUPS) + 1)
                ),
                creatives=tuple(
                    f"{cid}-cr{j}" for j in range(1, rng.randint(2, MAX_CREATIVES) + 1)
                ),
                weight=1.0 / (i**0.7),
                currency=ADVERTISER_CURRENCIES[(i - 1) % len(ADVERTISER_CURRENCIES)],
            )
        )
    return out
