"""Broken lines: each is quarantined for exactly the reason it was made for, by the reference
contract check, and the first ones of a run cover every reason."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest

from airlake.contract import Reason
from airlake.generator import faults
from airlake.validation import judge

HOUR = datetime(2026, 11, 3, 23, tzinfo=UTC)


@pytest.mark.parametrize(("window_days", "max_line_bytes"), [(1, 1024), (3, 1024 * 1024)])
def test_each_broken_line_is_judged_for_its_reason(window_days: int, max_line_bytes: int) -> None:
    lines = faults.broken_lines(random.Random(7), HOUR, 0, 600, window_days, max_line_bytes)
    assert [line.reason for line in lines[: len(Reason)]] == list(Reason)
    assert Counter(line.reason for line in lines)[Reason.LINE_TOO_LONG] == 1
    for line in lines:
        verdict = judge(line.raw, HOUR.date(), window_days, max_line_bytes)
        assert verdict.reason is line.reason, line.raw[:200]
        assert 0 < line.second < 3600
    (long,) = [line for line in lines if line.reason is Reason.LINE_TOO_LONG]
    assert max_line_bytes < len(long.raw) < max_line_bytes + 1024
    assert judge(long.raw, HOUR.date(), window_days).reason is None  # only its length is wrong


def test_ids_are_version_4_uuids() -> None:
    rng = random.Random(1)
    for _ in range(200):
        bits = rng.getrandbits(128)
        assert faults._uuid4(bits) == str(uuid.UUID(int=bits, version=4))
