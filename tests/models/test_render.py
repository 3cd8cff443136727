"""Every model renders for every engine: parameters inlined, DuckDB-only functions translated,
and the result parses back in the target dialect (so Athena/Trino and Spark can run it)."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlglot

from airlake.models import DIALECTS, Params, model_names, render

PARAMS = Params(
    date(2026, 11, 8),
    date(2026, 11, 10),
    date(2026, 11, 7),
    date(2026, 11, 10),
    86_400_000_000,
    "last_click",
)


def _sql(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("model", model_names())
def test_model_renders_and_parses_back(model: str, dialect: str) -> None:
    text = render(model, PARAMS, dialect)
    sqlglot.parse_one(text, read=dialect)
    body = _sql(text)
    assert "params" not in body  # every parameter became a literal
    assert "EPOCH_US" not in body.upper() or dialect == "duckdb"


def test_every_table_has_its_model() -> None:
    assert set(model_names()) == {
        "clean_events",
        "sessions",
        "attributed_conversions",
        "campaign_daily",
        "funnel_daily",
        "data_quality_daily",
    }


def test_window_dates_are_literals_in_the_sql() -> None:
    text = render("campaign_daily", PARAMS, "trino")
    assert "DATE '2026-11-08'" in text or "CAST('2026-11-08' AS DATE)" in text


def test_unknown_dialect_and_model_are_user_errors() -> None:
    from airlake.errors import UserError

    with pytest.raises(UserError, match="unknown dialect"):
        render("sessions", None, "oracle")
    with pytest.raises(UserError, match="unknown model"):
        render("nope", None)
