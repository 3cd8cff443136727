"""Rendering: every fragment spelled out column-wise equals what Python's own formatting
writes, and whole lines parse back to the events they carry."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from airlake.generator import rendering, traffic
from airlake.generator.config import GeneratorConfig, campaigns
from airlake.generator.rendering import LineRenderer, Table, stamps, uuids
from airlake.validation import parse_timestamp

START = datetime(2026, 11, 1, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _text(part: rendering.Part, n: int) -> list[str]:
    table = rendering.assemble([part], n)
    return [table.rows[i, : table.lengths[i]].tobytes().decode() for i in range(n)]


def test_stamps_are_rfc_3339_of_the_same_instant_in_each_form() -> None:
    rng = np.random.default_rng(3)
    us = int(START.timestamp()) * 10**6 + rng.integers(0, 3 * 86400 * 10**6, 2000)
    form = rng.integers(0, traffic.STAMP_FORMS, 2000)
    for text, micros, f in zip(
        _text(stamps(us, form), 2000), us.tolist(), form.tolist(), strict=True
    ):
        instant = EPOCH + timedelta(microseconds=micros)
        assert parse_timestamp(text) == instant, text
        plain = instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert (
            text
            == {
                0: plain[:-1] + "789Z",
                1: (instant + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "+02:00",
                2: plain.replace("T", "t").replace("Z", "z"),
                3: plain,
            }[f]
        )


def test_ids_and_digits_match_pythons_formatting() -> None:
    rng = np.random.default_rng(4)
    ident = np.frombuffer(rng.bytes(16 * 100), np.uint8).reshape(100, 16).copy()
    ident[:, 6] = (ident[:, 6] & 0x0F) | 0x40
    ident[:, 8] = (ident[:, 8] & 0x3F) | 0x80
    for row, text in zip(ident, uuids(ident), strict=True):
        assert text.tobytes().decode() == str(uuid.UUID(bytes=row.tobytes()))
    values = rng.integers(0, 2**48, 100, dtype=np.uint64)
    hexed = rendering.hex_digits(values, 12)
    assert [h.tobytes().decode() for h in hexed] == [f"{v:012x}" for v in values.tolist()]
    numbers = rng.integers(0, 10**7, 100)
    spelled = rendering.decimal_digits(numbers, 7)
    assert [d.tobytes().decode() for d in spelled] == [f"{v:07d}" for v in numbers.tolist()]


def test_optional_fields_and_padding_vanish_from_the_lines() -> None:
    table = Table.of(["a", "bbb", ""])
    parts = [
        rendering.text("<"),
        table.pick(np.array([0, 1, 2, 1])),
        rendering.optional([rendering.text("|opt")], np.array([True, False, True, False])),
        rendering.text(">\n"),
    ]
    data, ends = rendering.squeeze(parts, 4)
    assert bytes(data) == b"<a|opt>\n<bbb>\n<|opt>\n<bbb>\n"
    assert ends.tolist() == [8, 14, 21, 27]


@pytest.mark.parametrize("block_rows", [rendering.BLOCK_ROWS, 7])
def test_lines_parse_back_to_their_events(monkeypatch: pytest.MonkeyPatch, block_rows: int) -> None:
    monkeypatch.setattr(rendering, "BLOCK_ROWS", block_rows)
    config = GeneratorConfig(start=date(2026, 11, 1), days=1, events_per_day=1, seed=1, out="x")
    camps = campaigns(random.Random(1), 50)
    columns = traffic.CampaignColumns.of(camps)
    rng = np.random.default_rng(5)
    people = traffic.visitors(rng, config, columns, 3000)
    start = int(START.timestamp()) * 10**6 + rng.integers(0, 3600 * 10**6, 3000)
    events = traffic.events(rng, config, columns, people, start)
    renderer = LineRenderer(camps)
    blocks = renderer.visitors(people)
    for kind in range(len(traffic.KINDS)):
        rows = np.flatnonzero(events.kind == kind)
        assert len(rows), traffic.KINDS[kind]
        text = b"".join(bytes(d) for d, _ in renderer.lines(events, rows, blocks, people.campaign))
        lines = text.split(b"\n")[:-1]
        assert len(lines) == len(rows)
        for row, line in zip(rows.tolist(), lines, strict=True):
            doc = json.loads(line)
            who = int(events.visitor[row])
            campaign = camps[int(people.campaign[who])]
            assert doc["event_type"] == traffic.KINDS[kind].value
            assert doc["event_id"] == str(uuid.UUID(bytes=events.ident[row].tobytes()))
            assert parse_timestamp(doc["event_ts"]) == EPOCH + timedelta(
                microseconds=int(events.ts[row])
            )
            assert doc["anonymous_id"] == f"anon-{int(people.anonymous[who]):012x}"
            assert ("user_id" in doc) == (people.user[who] > 0)
            assert doc["user_agent"] == traffic.AGENTS[int(people.agent[who])]
            assert doc["ip"] == ".".join(str(o) for o in people.ip[who].tolist()) + ".0"
            if "currency" in doc:
                assert doc["currency"].upper() == campaign.currency
            if kind == traffic.CONVERSION:
                assert doc["revenue"] == int(events.revenue[row]) / 100
                assert list(doc)[:4] == ["event_id", "event_type", "event_ts", "order_id"]
            else:
                assert doc["campaign_id"] == campaign.campaign_id
            if kind == traffic.CLICK:
                assert doc["cost"] == float(campaign.click_cost)
                parent = int(events.parent[row])
                assert doc["impression_id"] == str(uuid.UUID(bytes=events.ident[parent].tobytes()))
            assert list(doc)[-1] == "received_ts"
