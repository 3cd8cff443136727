"""IP truncation: the pure rule, and ingest applying it when the profile asks."""

from __future__ import annotations

import dataclasses
from datetime import date

import pyarrow as pa
import pytest

from airlake.ip_truncation import truncate_ip, truncate_ips
from airlake.run_context import open_run
from airlake.settings import Settings, settings_from_values
from airlake.stages import run_day
from airlake.tables import read_table
from tests.conftest import click_line


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
        ("::1", "::"),
        ("not an ip", "not an ip"),
        (None, None),
    ],
)
def test_truncate_ip(given: str | None, kept: str | None) -> None:
    assert truncate_ip(given) == kept


def test_truncate_ips_over_arrow() -> None:
    assert truncate_ips(pa.array(["10.1.2.3", None, "10.1.2.3"])).to_pylist() == [
        "10.1.2.0",
        None,
        "10.1.2.0",
    ]


def test_the_profile_key_is_a_flag() -> None:
    assert settings_from_values({"privacy": {"truncate_ip": True}}).truncate_ip is True
    assert settings_from_values({}).truncate_ip is False
    with pytest.raises(Exception, match="true or false"):
        settings_from_values({"privacy": {"truncate_ip": "yes"}})


def test_ingest_truncates_when_asked(write_landing, local_settings: Settings) -> None:
    day = date(2026, 11, 10)
    write_landing(
        day,
        10,
        [
            click_line("e1", "2026-11-10T10:00:00", ip="198.51.100.23"),
            click_line("e2", "2026-11-10T10:05:00", ip="2001:db8:1:2:3:4:5:6"),
        ],
    )
    settings = dataclasses.replace(local_settings, truncate_ip=True)
    with open_run(settings) as ctx:
        run_day(ctx, day, ("ingest", "clean"))
        raw = sorted(read_table(ctx.catalog, "raw.events").column("ip").to_pylist())
        clean = sorted(read_table(ctx.catalog, "clean.events").column("ip").to_pylist())
    assert raw == clean == ["198.51.100.0", "2001:db8:1::"]


def test_the_spark_executor_side_truncates_too(write_landing, tmp_path) -> None:
    from types import SimpleNamespace

    from airlake.engines.spark import _EVENT_FIELDS, _judge_files

    day = date(2026, 11, 10)
    path = write_landing(day, 10, [click_line("e1", "2026-11-10T10:00:00", ip="198.51.100.23")])
    row = SimpleNamespace(
        uri=str(path),
        name=path.name,
        topic="ad-clicks",
        partition=0,
        start_offset=0,
        landing_date=day.isoformat(),
        hour=10,
    )
    at = 4 + _EVENT_FIELDS.index("ip")
    for truncate, ip in ((False, "198.51.100.23"), (True, "198.51.100.0")):
        (judged,) = _judge_files([row], str(tmp_path / "landing"), 3, None, "eu-west-1", truncate)
        assert judged[at] == ip
