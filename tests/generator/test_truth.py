"""The ground truth against a plain-Python reading of the files written: judge every line with
the reference contract check, dedupe in landing order, then count event days, sessions and
last-click attribution from the events themselves. Small batches, render blocks and files make
the run cross every boundary those have."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from crawleruseragents import is_crawler

from airlake.contract import BOT_IP_PREFIXES, SESSION_GAP_MINUTES
from airlake.generator import GeneratorConfig, generate, iter_lines, landing_zone, rendering
from airlake.landing import parse_key
from airlake.validation import judge

START = date(2026, 11, 1)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict]]:
    out = tmp_path_factory.mktemp("truth") / "landing"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(landing_zone, "BATCH_FUNNELS", 397)
        patch.setattr(rendering, "BLOCK_ROWS", 61)
        config = GeneratorConfig(
            start=START, days=2, events_per_day=20_000, seed=5, out=str(out), flush_size=113
        )
        manifest = generate(config)
    lines = []
    for key, line in iter_lines(str(out)):
        f = parse_key(key)
        assert f is not None
        lines.append((f.landing_date, f.hour, f.topic, f.partition, f.start_offset, line))
    lines.sort(key=lambda x: x[:5])
    seen: set[str] = set()
    events = []
    counted: dict[str, Counter] = defaultdict(Counter)
    for landing_day, *_, line in lines:
        verdict = judge(line, landing_day, config.late_window_days, config.max_line_bytes)
        day = counted[landing_day.isoformat()]
        day["lines"] += 1
        if verdict.reason is not None:
            day[verdict.reason.value] += 1
        elif verdict.event is not None and verdict.event["event_id"] in seen:
            day["duplicates"] += 1
        elif verdict.event is not None:
            seen.add(verdict.event["event_id"])
            events.append(verdict.event)
            day["valid"] += 1
    assert {
        d: Counter(
            {
                "lines": t["lines"],
                "valid": t["valid"],
                "duplicates": t["duplicates"],
                **t["quarantined"],
            }
        )
        for d, t in manifest["landing_days"].items()
    } == counted
    return manifest, events


def _bot(event: dict) -> bool:
    return is_crawler(event["user_agent"] or "") or (event["ip"] or "").startswith(BOT_IP_PREFIXES)


def test_event_days_and_sessions(generated: tuple[dict[str, Any], list[dict]]) -> None:
    manifest, events = generated
    days: dict[str, dict[str, Counter]] = defaultdict(
        lambda: {"human": Counter(), "bot": Counter()}
    )
    stamps = defaultdict(list)
    for e in events:
        day = e["event_date"].isoformat()
        days[day]["bot" if _bot(e) else "human"][e["event_type"]] += 1
        if not _bot(e):
            stamps[(day, e["anonymous_id"])].append(e["event_ts"])
    assert manifest["event_days"] == {
        d: {k: dict(v) for k, v in t.items()} for d, t in days.items()
    }
    sessions: Counter = Counter()
    for (day, _), times in stamps.items():
        times.sort()
        gaps = sum(b - a > timedelta(minutes=SESSION_GAP_MINUTES) for a, b in pairwise(times))
        sessions[day] += 1 + gaps
    assert manifest["sessions"] == dict(sessions)
    assert max(len(times) for times in stamps.values()) > 1, "visitors with several events"
    assert sum(sessions.values()) > len(stamps), "visitors coming back after a pause"


def test_campaign_days_and_last_click(generated: tuple[dict[str, Any], list[dict]]) -> None:
    manifest, events = generated
    human = [e for e in events if not _bot(e)]
    rows: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "impressions": 0,
            "clicks": 0,
            "conversions": 0,
            "spend": Decimal(0),
            "revenue": Decimal(0),
        }
    )
    clicks = defaultdict(list)
    for e in human:
        if e["event_type"] in ("impression", "click"):
            row = rows[(e["event_date"].isoformat(), e["campaign_id"])]
            row[e["event_type"] + "s"] += 1
            row["spend"] += e["cost"]
        if e["event_type"] == "click":
            clicks[e["anonymous_id"]].append((e["event_ts"], e["event_id"], e["campaign_id"]))
    unattributed: Counter = Counter()
    for e in human:
        if e["event_type"] != "conversion":
            continue
        window = [
            c
            for c in clicks[e["anonymous_id"]]
            if e["event_ts"] - timedelta(hours=24) <= c[0] <= e["event_ts"]
        ]
        if not window:
            unattributed[e["event_date"].isoformat()] += 1
            continue
        row = rows[(e["event_date"].isoformat(), max(window)[2])]
        row["conversions"] += 1
        row["revenue"] += e["revenue"]
    assert sum(r["conversions"] for r in rows.values()) >= 5, "conversions credited"
    truth = {
        (r["event_date"], r["campaign_id"]): {
            "impressions": r["impressions"],
            "clicks": r["clicks"],
            "conversions": r["conversions"],
            "spend": Decimal(r["spend_original"]),
            "revenue": Decimal(r["revenue_original"]),
        }
        for r in manifest["campaign_days"]
    }
    assert truth == rows
    assert manifest["unattributed_conversions"] == dict(unattributed)
    assert {r["currency"] for r in manifest["campaign_days"]} == {
        "EUR",
        "USD",
        "GBP",
        "SEK",
        "CHF",
        "PLN",
    }


def test_render_blocks_do_not_change_a_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = GeneratorConfig(
        start=START, days=1, events_per_day=3000, seed=2, out=str(tmp_path / "a")
    )
    generate(config)
    monkeypatch.setattr(rendering, "BLOCK_ROWS", 5)
    generate(replace(config, out=str(tmp_path / "b")))
    files = sorted((tmp_path / "a" / "topics").rglob("*.json"))
    assert files
    for path in files:
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
