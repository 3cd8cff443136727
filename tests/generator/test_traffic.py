"""Traffic: the funnel's shape (ratios, order in time, lookback), bots recognisable by the
crawler list (its own matcher) and the contract's address ranges and humans never, and every
event received after it happened."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest
from crawleruseragents import is_crawler

from airlake.contract import BOT_IP_PREFIXES
from airlake.generator import traffic
from airlake.generator.config import GeneratorConfig, campaigns

START_US = 1_793_000_000 * traffic.SECOND


def _draw(lookback_hours: int = 24, n: int = 60_000, seed: int = 3):
    config = GeneratorConfig(
        start=date(2026, 11, 1),
        days=1,
        events_per_day=1,
        seed=seed,
        out="x",
        lookback_hours=lookback_hours,
    )
    columns = traffic.CampaignColumns.of(campaigns(random.Random(seed), 50))
    rng = np.random.default_rng(seed)
    people = traffic.visitors(rng, config, columns, n)
    start = START_US + rng.integers(0, traffic.HOUR, n)
    return config, people, traffic.events(rng, config, columns, people, start)


def test_funnel_ratios_and_order_in_time() -> None:
    _, people, ev = _draw()
    counts = np.bincount(ev.kind, minlength=len(traffic.KINDS))
    funnels = len(people.bot)
    assert abs(len(ev) / funnels - traffic.EVENTS_PER_FUNNEL) < 0.03
    assert 0.017 < counts[traffic.CLICK] / counts[traffic.IMPRESSION] < 0.023
    assert counts[traffic.PAGE_VIEW] > counts[traffic.CLICK] > 30 * counts[traffic.CONVERSION] > 0
    clicks = np.flatnonzero(ev.kind == traffic.CLICK)
    assert (ev.ts[clicks] > ev.ts[ev.parent[clicks]]).all()
    assert (ev.visitor[clicks] == ev.visitor[ev.parent[clicks]]).all()
    assert (ev.received >= ev.ts).all()
    assert (np.bincount(ev.visitor) > 1).any(), "visitors with several events"
    assert 0.15 < ev.lower[ev.kind != traffic.PAGE_VIEW].mean() < 0.25


@pytest.mark.parametrize("lookback_hours", [1, 24])
def test_conversions_follow_their_click_within_the_lookback(lookback_hours: int) -> None:
    _, people, ev = _draw(lookback_hours, n=200_000)
    sales = np.flatnonzero(ev.kind == traffic.CONVERSION)
    assert len(sales) and not people.bot[ev.visitor[sales]].any()
    carried = sales[ev.parent[sales] >= 0]
    assert 0.3 < len(carried) / len(sales) < 0.7
    gap = ev.ts[carried] - ev.ts[ev.parent[carried]]
    assert (gap > 0).all() and (gap <= lookback_hours * traffic.HOUR).all()


def test_bots_are_recognisable_and_humans_are_not() -> None:
    _, people, _ = _draw()

    def flagged(i: int) -> bool:
        agent = traffic.AGENTS[int(people.agent[i])]
        ip = ".".join(str(o) for o in people.ip[i].tolist()) + ".0"
        return is_crawler(agent) or ip.startswith(BOT_IP_PREFIXES)

    assert 0.04 < people.bot.mean() < 0.06
    sample = range(0, len(people.bot), 7)
    assert all(flagged(i) == bool(people.bot[i]) for i in sample)
    assert not (people.user[people.bot] > 0).any()
    assert all(is_crawler(agent) for agent in traffic.BOT_AGENTS)
    assert not any(is_crawler(agent) for agent in traffic.HUMAN_AGENTS)
