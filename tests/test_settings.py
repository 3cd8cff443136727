from pathlib import Path

import pytest

from airlake.errors import UserError
from airlake.settings import (
    CatalogType,
    load_settings,
    merge_config,
    settings_from_values,
)


def test_merge_order_file_then_environment_then_overrides() -> None:
    file_values = {
        "catalog": {"uri": "file", "type": "sqlite"},
        "pipeline": {"late_window_days": 3},
    }
    merged = merge_config(
        file_values,
        {"AIRLAKE_CATALOG__URI": "env", "AIRLAKE_PIPELINE__LATE_WINDOW_DAYS": "5", "OTHER": "x"},
        {"catalog.uri": "flag"},
    )
    assert merged["catalog"]["uri"] == "flag"
    assert merged["pipeline"]["late_window_days"] == 5
    assert file_values["catalog"]["uri"] == "file"  # input not mutated


def test_local_profile_resolves_relative_paths_against_root(tmp_path: Path) -> None:
    s = settings_from_values(
        {"storage": {"landing": "land"}, "catalog": {"type": "sqlite", "uri": "sqlite:///c.db"}},
        root=tmp_path,
    )
    assert s.landing_uri == str(tmp_path / "land")
    assert s.catalog_uri == f"sqlite:///{tmp_path}/c.db"
    assert s.catalog_type is CatalogType.SQLITE


def test_shipped_local_profile_loads() -> None:
    s = load_settings("local", environ={})
    assert s.environment == "local"
    assert s.late_window_days == 3


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"catalog": {"type": "oracle"}}, "oracle"),
        ({"pipeline": {"late_window_days": 0}}, "late_window_days"),
        ({"quality": {"max_quarantine_share": 2}}, "max_quarantine_share"),
    ],
)
def test_bad_profile_values_are_user_errors(values: dict, message: str) -> None:
    with pytest.raises(UserError, match=message):
        settings_from_values(values)


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(UserError, match=r"known: .*local"):
        load_settings("nope", environ={})


@pytest.mark.parametrize(
    ("environ", "overrides", "message"),
    [
        ({"AIRLAKE_PIPELINE__LATE_WINDOWDAYS": "5"}, {}, "did you mean pipeline.late_window_days"),
        ({}, {"pipeline.late_window_day": "5"}, "did you mean pipeline.late_window_days"),
        ({}, {"engine.duckdb_thread": "4"}, "did you mean engine.duckdb_threads"),
        ({}, {"nosuch.thing": "1"}, "unknown setting 'nosuch.thing'"),
    ],
)
def test_unknown_keys_are_errors_naming_the_closest(
    environ: dict, overrides: dict, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        merge_config({}, environ, overrides)


def test_every_shipped_profile_key_is_known() -> None:
    import tomllib

    from airlake.settings import KNOWN_KEYS, profile_dir

    for path in profile_dir().glob("*.toml"):
        values = tomllib.loads(path.read_text())
        for section, body in values.items():
            keys = [f"{section}.{k}" for k in body] if isinstance(body, dict) else [section]
            assert set(keys) <= KNOWN_KEYS, path


@pytest.mark.parametrize(
    ("engine", "message"),
    [
        ({"duckdb_threads": 0}, "duckdb_threads must be between"),
        ({"duckdb_threads": "four"}, "engine.duckdb_threads must be a number"),
        ({"duckdb_threads": 2.5}, "whole number"),
        ({"duckdb_memory_limit": "1GB'; SELECT 1; --"}, "is not a size"),
        ({"duckdb_memory_limit": "lots"}, "is not a size"),
        ({"duckdb_memory_limit": 2}, "must be text"),
    ],
)
def test_engine_values_are_checked_before_any_engine(engine: dict, message: str) -> None:
    with pytest.raises(UserError, match=message):
        settings_from_values({"engine": engine})


def test_memory_limit_sizes_accepted() -> None:
    for size in ("2GB", "512MB", "1.5GiB", "100 MB"):
        assert settings_from_values({"engine": {"duckdb_memory_limit": size}})


def test_reporting_currency_is_named_in_the_profile() -> None:
    assert settings_from_values({}).reporting_currency == "EUR"
    assert settings_from_values({"reporting": {"currency": "sek"}}).reporting_currency == "SEK"
    with pytest.raises(UserError, match=r"reporting.currency 'JPY' is not one of"):
        settings_from_values({"reporting": {"currency": "JPY"}})
