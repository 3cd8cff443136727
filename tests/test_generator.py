"""The generator: deterministic, in the sink layout, every fault present, and a manifest whose
accounting holds line by line (checked with the plain-Python contract check, independently of
how the generator labels its lines)."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from airlake.contract import Reason
from airlake.errors import UserError
from airlake.generator import GeneratorConfig, generate, iter_lines
from airlake.landing import parse_key
from airlake.validation import judge

START = date(2026, 11, 1)


def _config(out: Path, **changes: object) -> GeneratorConfig:
    values: dict = {"start": START, "days": 2, "events_per_day": 6000, "seed": 11, "out": str(out)}
    values.update(changes)
    return GeneratorConfig(**values)


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != "_manifest.json":  # it names the output folder
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gen") / "landing"
    return out, generate(_config(out))


def test_same_seed_same_bytes_other_seed_other_bytes(
    tmp_path: Path, landing: tuple[Path, dict]
) -> None:
    out, _ = landing
    again = generate(_config(tmp_path / "again"))
    assert _digest(tmp_path / "again") == _digest(out)
    assert {k: v for k, v in again.items() if k != "parameters"} == {
        k: v for k, v in landing[1].items() if k != "parameters"
    }
    generate(_config(tmp_path / "other", seed=12))
    assert _digest(tmp_path / "other") != _digest(out)


def test_layout_and_offsets_follow_the_sink(landing: tuple[Path, dict]) -> None:
    out, _ = landing
    next_offset: dict[tuple[str, int], int] = defaultdict(int)
    files = sorted(
        (parse_key(str(p)) for p in (out / "topics").rglob("*.json")),
        key=lambda f: (f.landing_date, f.hour, f.start_offset) if f else (date.min, 0, 0),
    )
    assert files and all(f is not None for f in files)
    for f in files:
        assert f is not None
        lines = Path(f.uri).read_bytes().count(b"\n")
        assert f.start_offset == next_offset[(f.topic, f.partition)], f.uri
        next_offset[(f.topic, f.partition)] += lines


def test_every_landing_line_is_accounted_for_by_the_contract(landing: tuple[Path, dict]) -> None:
    """Judge every line with the reference contract check and dedupe in landing order; the
    counts must equal the manifest's per landing day."""
    out, manifest = landing
    parsed = []
    for key, line in iter_lines(str(out)):
        f = parse_key(key)
        assert f is not None
        parsed.append((f.landing_date, f.hour, f.topic, f.partition, f.start_offset, key, line))
    parsed.sort(key=lambda p: p[:5])
    seen: set[str] = set()
    counted: dict[str, Counter] = defaultdict(Counter)
    for landing_day, *_, line in parsed:
        verdict = judge(line, landing_day, 3, manifest["parameters"]["max_line_bytes"])
        day = counted[landing_day.isoformat()]
        day["lines"] += 1
        if verdict.reason is not None:
            day[verdict.reason.value] += 1
        elif verdict.event and verdict.event["event_id"] in seen:
            day["duplicates"] += 1
        else:
            assert verdict.event is not None
            seen.add(verdict.event["event_id"])
            day["valid"] += 1
    for day, truth in manifest["landing_days"].items():
        got = counted[day]
        assert (
            got["lines"]
            == truth["lines"]
            == truth["valid"] + truth["duplicates"] + sum(truth["quarantined"].values())
        )
        assert (got["valid"], got["duplicates"]) == (truth["valid"], truth["duplicates"]), day
        assert {r: got[r] for r in truth["quarantined"]} == truth["quarantined"], day


def test_every_reason_code_appears(landing: tuple[Path, dict]) -> None:
    _, manifest = landing
    reasons = Counter()
    for day in manifest["landing_days"].values():
        reasons.update(day["quarantined"])
    assert set(reasons) == {r.value for r in Reason}


def test_funnel_ratios_are_plausible(landing: tuple[Path, dict]) -> None:
    _, manifest = landing
    human = Counter()
    for day in manifest["event_days"].values():
        human.update(day["human"])
    ctr = human["click"] / human["impression"]
    assert 0.012 < ctr < 0.03
    assert human["page_view"] > human["click"]
    assert 0 < human["conversion"] < 0.1 * human["click"]
    assert len({r["campaign_id"] for r in manifest["campaign_days"]}) >= 40


def test_bad_parameters_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="duplicate-rate"):
        _config(tmp_path, duplicate_rate=1.5)
    with pytest.raises(UserError, match="at least 1"):
        _config(tmp_path, days=0)
