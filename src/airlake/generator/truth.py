"""The ground truth: what the landing zone holds, counted from how each line was made.

Nothing here runs the pipeline's code: every line's fate is known from how it was made (a
first delivery, a redelivery, a deliberately broken line), and the only contract logic used is
the late-window rule itself (:func:`airlake.contract.is_late_beyond_window`), applied to the
landing day a line lands on. Counts are taken a batch of events at a time, with NumPy; money is
added up in :class:`~decimal.Decimal`, as the reports must match it to the last digit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from airlake.contract import SESSION_GAP_MINUTES, Reason, is_late_beyond_window
from airlake.generator.config import Campaign, GeneratorConfig
from airlake.generator.rendering import uuids
from airlake.generator.traffic import (
    CLICK,
    CONVERSION,
    DAY,
    HOUR,
    IMPRESSION,
    KINDS,
    MINUTE,
    Events,
    Ints,
    Visitors,
)

_EPOCH = date(1970, 1, 1).toordinal()
_LATE = Reason.LATE_BEYOND_WINDOW.value


def _day(number: int) -> date:
    return date.fromordinal(_EPOCH + number)


def _tally(values: npt.NDArray[Any]) -> list[tuple[int, int]]:
    """(value, how often) for each distinct value."""
    distinct, counts = np.unique(values, return_counts=True)
    return list(zip(distinct.tolist(), counts.tolist(), strict=True))


class GroundTruth:
    """Counts per landing day, event day and campaign, added to batch by batch."""

    def __init__(self, config: GeneratorConfig, campaigns: Sequence[Campaign]) -> None:
        self.config = config
        self.campaigns = list(campaigns)
        self.landing: dict[int, Counter[str]] = defaultdict(Counter)
        self.event_days: dict[int, dict[str, Counter[str]]] = {}
        self.media: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        # Each list starts with an empty batch, so that concatenating it always works.
        no_visitors, no_ints = np.zeros(0, np.uint64), np.zeros(0, np.int64)
        self._clicks: list[tuple[npt.NDArray[np.uint64], Ints, npt.NDArray[np.uint8], Ints]] = [
            (no_visitors, no_ints, np.zeros((0, 16), np.uint8), no_ints)
        ]
        self._conversions: list[tuple[npt.NDArray[np.uint64], Ints, Ints, Ints]] = [
            (no_visitors, no_ints, no_ints, no_ints)
        ]
        self._visits: list[tuple[Ints, npt.NDArray[np.uint64], Ints]] | None = (
            [(no_ints, no_visitors, no_ints)]
            if config.events_per_day * config.days <= config.sessions_limit
            else None
        )
        self._rates: dict[date, dict[str, Decimal]] = {}

    def _late(self, landing_day: Ints, event_day: Ints) -> npt.NDArray[np.bool_]:
        """Whether each line is too late for the window of the day it lands on."""
        if not len(landing_day):
            return np.zeros(0, dtype=bool)
        land, happen = int(landing_day.min()), int(event_day.min())
        verdicts = np.array(
            [
                [
                    is_late_beyond_window(_EPOCH + x, _EPOCH + e, self.config.late_window_days)
                    for e in range(happen, int(event_day.max()) + 1)
                ]
                for x in range(land, int(landing_day.max()) + 1)
            ],
            dtype=bool,
        )
        return verdicts[landing_day - land, event_day - happen]  # type: ignore[no-any-return]

    def _count(self, days: Ints, key: str) -> None:
        for day, n in _tally(days):
            self.landing[day][key] += n

    def events(
        self, ev: Events, people: Visitors, landing_hour: Ints, copies: Ints, copy_hour: Ints
    ) -> None:
        """Count a batch of events, first delivered in ``landing_hour`` (hours since the
        epoch), and the redeliveries of rows ``copies`` landing in ``copy_hour``."""
        event_day = ev.ts // DAY
        landing_day = landing_hour // 24
        late = self._late(landing_day, event_day)
        self._count(landing_day, "lines")
        self._count(landing_day[late], _LATE)
        self._count(landing_day[~late], "valid")
        copy_day = copy_hour // 24
        copy_late = self._late(copy_day, event_day[copies])
        self._count(copy_day, "lines")
        self._count(copy_day[copy_late], _LATE)
        self._count(copy_day[~copy_late], "duplicates")

        valid = np.flatnonzero(~late)
        bot = people.bot[ev.visitor[valid]]
        kind = ev.kind[valid]
        for key, n in _tally((event_day[valid] * 2 + bot) * len(KINDS) + kind):
            day, rest = divmod(key, 2 * len(KINDS))
            traffic = "bot" if rest >= len(KINDS) else "human"
            per_day = self.event_days.setdefault(day, {"human": Counter(), "bot": Counter()})
            per_day[traffic][KINDS[rest % len(KINDS)].value] += n

        human = valid[~bot]
        kind = ev.kind[human]
        campaign = people.campaign[ev.visitor[human]]
        anonymous = people.anonymous[ev.visitor[human]]
        media = (kind == IMPRESSION) | (kind == CLICK)
        n_campaigns = len(self.campaigns)
        for key, n in _tally(
            (event_day[human][media] * n_campaigns + campaign[media]) * 2 + (kind[media] == CLICK)
        ):
            day_campaign, is_click = divmod(key, 2)
            self.media[divmod(day_campaign, n_campaigns)][is_click] += n
        clicks = human[kind == CLICK]
        self._clicks.append(
            (anonymous[kind == CLICK], ev.ts[clicks], ev.ident[clicks], campaign[kind == CLICK])
        )
        sales = human[kind == CONVERSION]
        self._conversions.append(
            (
                anonymous[kind == CONVERSION],
                ev.ts[sales],
                ev.revenue[sales],
                campaign[kind == CONVERSION],
            )
        )
        if self._visits is not None:
            self._visits.append((event_day[human], anonymous, ev.ts[human]))

    def broken(self, landing_hour: int, reasons: Sequence[Reason]) -> None:
        """Count deliberately broken lines landing in ``landing_hour``."""
        counts = self.landing[landing_hour // 24]
        counts["lines"] += len(reasons)
        counts.update(r.value for r in reasons)

    def _converted(self, amount: Decimal, currency: str, day: date) -> Decimal:
        """``amount`` in the reporting currency at the demo rates of ``day``, counted here:
        factor = per-euro rate of the target / of the source, half-up to 10 places; the
        amount times the factor, half-up to 6 places."""
        target = self.config.reporting_currency
        if currency == target:
            return amount
        if day not in self._rates:
            from airlake.exchange_rates import demo_rates

            self._rates[day] = {r["currency"]: r["per_base"] for r in demo_rates(day, day)}
            self._rates[day]["EUR"] = Decimal(1)
        quotes = self._rates[day]
        by = (quotes[target] / quotes[currency]).quantize(Decimal("1e-10"), ROUND_HALF_UP)
        return (amount * by).quantize(Decimal("1e-6"), ROUND_HALF_UP)

    def _attribution(self) -> tuple[dict[tuple[int, int], list[Any]], dict[str, int]]:
        """Conversions credited by last click: the same visitor's latest human click at or
        before the conversion, within the lookback; ties go to the greater event_id."""
        visitor, ts, revenue, campaign = (
            np.concatenate(parts) for parts in zip(*self._conversions, strict=True)
        )
        c_visitor, c_ts, c_ident, c_campaign = (
            np.concatenate(parts) for parts in zip(*self._clicks, strict=True)
        )
        mine = np.flatnonzero(np.isin(c_visitor, visitor))
        clicks: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
        ids = uuids(c_ident[mine])
        for i, click in enumerate(mine.tolist()):
            clicks[int(c_visitor[click])].append(
                (int(c_ts[click]), ids[i].tobytes().decode(), int(c_campaign[click]))
            )
        lookback = self.config.lookback_hours * HOUR
        credited: dict[tuple[int, int], list[Any]] = defaultdict(
            lambda: [0, Decimal(0), Decimal(0), set()]
        )
        unattributed: dict[str, int] = Counter()
        for who, when, cents, sold_by in zip(
            visitor.tolist(), ts.tolist(), revenue.tolist(), campaign.tolist(), strict=True
        ):
            day = datetime.fromtimestamp(when // 1_000_000, UTC).date()
            candidates = [c for c in clicks.get(who, ()) if when - lookback <= c[0] <= when]
            if not candidates:
                unattributed[day.isoformat()] += 1
                continue
            best = max(candidates)
            currency = self.campaigns[sold_by].currency
            original = Decimal(cents) / 100
            row = credited[(day.toordinal() - _EPOCH, best[2])]
            row[0] += 1
            row[1] += self._converted(original, currency, day)
            row[2] += original
            row[3].add(currency)
        return credited, dict(unattributed)

    def _sessions(self) -> dict[str, int] | None:
        """Human sessions per day: a gap over 30 minutes starts a new one."""
        if self._visits is None:
            return None
        day, visitor, ts = (np.concatenate(parts) for parts in zip(*self._visits, strict=True))
        order = np.lexsort((ts, visitor, day))
        day, visitor, ts = day[order], visitor[order], ts[order]
        starts = np.ones(len(day), dtype=bool)
        starts[1:] = (
            (day[1:] != day[:-1])
            | (visitor[1:] != visitor[:-1])
            | (ts[1:] - ts[:-1] > SESSION_GAP_MINUTES * MINUTE)
        )
        return {_day(d).isoformat(): n for d, n in _tally(day[starts])}

    def manifest(self) -> dict[str, Any]:
        """The manifest (see :mod:`airlake.generator`)."""
        credited, unattributed = self._attribution()
        rows = []
        keys = set(self.media) | set(credited)
        for day_number, c in sorted(keys, key=lambda k: (k[0], self.campaigns[k[1]].campaign_id)):
            campaign = self.campaigns[c]
            day = _day(day_number)
            impressions, clicks = self.media.get((day_number, c), (0, 0))
            spend_original = impressions * campaign.impression_cost + clicks * campaign.click_cost
            spend = impressions * self._converted(
                campaign.impression_cost, campaign.currency, day
            ) + clicks * self._converted(campaign.click_cost, campaign.currency, day)
            conversions, revenue, revenue_original, sold_in = credited.get(
                (day_number, c), (0, Decimal(0), Decimal(0), set())
            )
            currencies = sold_in | ({campaign.currency} if impressions + clicks else set())
            rows.append(
                {
                    "event_date": day.isoformat(),
                    "campaign_id": campaign.campaign_id,
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
        return {
            "parameters": {
                k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in asdict(self.config).items()
            },
            "landing_days": {
                _day(d).isoformat(): {
                    "lines": counts["lines"],
                    "valid": counts["valid"],
                    "duplicates": counts["duplicates"],
                    "quarantined": {r.value: counts[r.value] for r in Reason if counts[r.value]},
                }
                for d, counts in sorted(self.landing.items())
            },
            "event_days": {
                _day(d).isoformat(): {t: dict(sorted(n.items())) for t, n in v.items()}
                for d, v in sorted(self.event_days.items())
            },
            "campaign_days": rows,
            "unattributed_conversions": dict(sorted(unattributed.items())),
            "sessions": self._sessions(),
        }
