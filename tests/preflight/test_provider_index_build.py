"""Packing provider releases: runs of releases sharing one set of facts, names pooled."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlake.preflight.provider_index_build import (
    download,
    index_providers,
    pack_releases,
    pool_providers,
    provider_pins,
    provider_root,
    unpool_providers,
)
from airlake.preflight.provider_scan import ModuleFacts
from airlake.preflight.target_env import find_uv
from airlake.preflight.targets import Target, load_target

OLD = ModuleFacts(("SnowflakeOperator", "SnowflakeHook"), False, "")
NEW = ModuleFacts(("SnowflakeHook",), False, "")


def test_consecutive_releases_with_the_same_facts_share_one_run() -> None:
    releases = {
        "5.8.0": {"airflow.providers.snowflake.operators.snowflake": OLD},
        "4.0.2": {"airflow.providers.snowflake.operators.snowflake": OLD},
        "6.4.0": {"airflow.providers.snowflake.operators.snowflake": NEW},
        "5.0.1": {"airflow.providers.snowflake.transfers.s3_to_snowflake": OLD},
    }
    packed = pack_releases("apache-airflow-providers-snowflake", releases)
    assert packed["root"] == "airflow.providers.snowflake"
    assert packed["versions"] == ["4.0.2", "5.0.1", "5.8.0", "6.4.0"]  # by version, not text
    old = [list(OLD.names), 0, ""]
    assert packed["modules"]["airflow.providers.snowflake.operators.snowflake"] == [
        [0, 0, old],
        [2, 2, old],  # 5.0.1 had no such module: the run breaks there
        [3, 3, [list(NEW.names), 0, ""]],
    ]
    pool: dict[tuple[str, ...], int] = {}
    pooled = pool_providers({"p": packed}, pool)
    assert len(pool) == 2
    names = [list(n) for n in pool]
    assert unpool_providers(pooled, names) == {"p": packed}


def test_pins_are_the_constraints_provider_lines() -> None:
    pins = provider_pins(load_target("mwaa-3.0.6"))
    assert pins["apache-airflow-providers-snowflake"] == "6.4.0"
    assert all(name.startswith("apache-airflow-providers-") for name in pins)
    assert provider_root("apache-airflow-providers-apache-livy") == "airflow.providers.apache.livy"


@pytest.mark.slow
@pytest.mark.integration
def test_a_pinned_release_is_downloaded_once_and_read(tmp_path: Path) -> None:
    """The real wheel from the package index: 6.4.0 has no SnowflakeOperator."""
    uv = find_uv()
    assert uv is not None
    target = Target("t", "mwaa", "3.0.6", "3.12", {"apache-airflow-providers-snowflake": "6.4.0"})
    packed, missing = index_providers([target], uv, folder=tmp_path)
    assert missing == {}
    entry = packed["apache-airflow-providers-snowflake"]
    assert entry["versions"] == ["6.4.0"]
    ((_, _, facts),) = entry["modules"]["airflow.providers.snowflake.operators.snowflake"]
    assert "SnowflakeSqlApiOperator" in facts[0] and "SnowflakeOperator" not in facts[0]
    assert "airflow.providers.snowflake.transfers.s3_to_snowflake" not in entry["modules"]
    # a second run finds the wheel in the folder and downloads nothing
    wheels = list(tmp_path.glob("*.whl"))
    assert download(
        {"apache-airflow-providers-snowflake": "6.4.0"}, "3.12", "/bin/false", tmp_path
    ) == {("apache-airflow-providers-snowflake", "6.4.0"): wheels[0]}
