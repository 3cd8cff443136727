"""Database URLs are checked before use: a missing driver is one message that says what to do,
and never tells the user to write the URL they already wrote."""

from __future__ import annotations

import importlib.util

import pytest

from airlake.database_url import check_database_url
from airlake.errors import UserError

needs_no_oracledb = pytest.mark.skipif(
    importlib.util.find_spec("oracledb") is not None, reason="oracledb is installed here"
)


@needs_no_oracledb
def test_oracledb_url_without_its_driver_is_told_to_install_it() -> None:
    url = "oracle+oracledb://scott:tiger@db.example:1521/?service_name=ORCL"
    with pytest.raises(UserError) as caught:
        check_database_url(url, "source.url")
    message = str(caught.value)
    assert "write the URL as" not in message
    assert "install oracledb" in message
    assert "tiger" not in message


@pytest.mark.skipif(
    importlib.util.find_spec("psycopg2") is None or importlib.util.find_spec("psycopg") is not None,
    reason="needs psycopg2 installed and psycopg missing",
)
def test_other_spelling_is_suggested_only_when_its_driver_loads() -> None:
    with pytest.raises(UserError, match=r"write the URL as postgresql\+psycopg2://"):
        check_database_url("postgresql+psycopg://u@127.0.0.1/x", "catalog.uri")
    check_database_url("postgresql+psycopg2://u@127.0.0.1/x", "catalog.uri")
