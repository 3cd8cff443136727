from datetime import date
from decimal import Decimal

import pytest

from airlake.errors import UserError
from airlake.exchange_rates import (
    carry_forward,
    convert,
    demo_rates,
    factor,
    parse_ecb_csv,
    reporting_factors,
)

ECB = """Date,USD,JPY,GBP,SEK,
2026-11-06,1.0856,163.25,0.8534,11.4335,
2026-11-09,1.0870,N/A,0.8540,11.4400,
"""


def test_ecb_file_keeps_accepted_currencies_and_skips_na() -> None:
    rows = parse_ecb_csv(ECB)
    assert {(r["rate_date"], r["currency"]) for r in rows} == {
        (date(2026, 11, 6), "USD"),
        (date(2026, 11, 6), "GBP"),
        (date(2026, 11, 6), "SEK"),
        (date(2026, 11, 9), "USD"),
        (date(2026, 11, 9), "GBP"),
        (date(2026, 11, 9), "SEK"),
    }
    with pytest.raises(UserError, match="first column must be 'Date'"):
        parse_ecb_csv("USD\n1.0\n")
    with pytest.raises(UserError, match="bad rate"):
        parse_ecb_csv("Date,USD\n2026-11-06,abc\n")


def test_a_weekend_carries_fridays_rate() -> None:
    rows = carry_forward(parse_ecb_csv(ECB))
    usd = {r["rate_date"]: r["per_base"] for r in rows if r["currency"] == "USD"}
    assert usd[date(2026, 11, 7)] == usd[date(2026, 11, 8)] == Decimal("1.0856")
    assert usd[date(2026, 11, 9)] == Decimal("1.0870")


def test_factors_to_the_reporting_currency() -> None:
    rows = reporting_factors(parse_ecb_csv(ECB), "USD")
    by = {(r["rate_date"], r["currency"]): r["to_reporting"] for r in rows}
    assert by[(date(2026, 11, 6), "EUR")] == Decimal("1.0856000000")
    assert by[(date(2026, 11, 6), "USD")] == Decimal(1)
    assert by[(date(2026, 11, 6), "SEK")] == factor(Decimal("11.4335"), Decimal("1.0856"))
    assert convert(Decimal("100"), by[(date(2026, 11, 6), "SEK")]) == Decimal("9.494905")
    # no rate for the reporting currency that day: no factor at all
    assert all(r["to_reporting"] is None for r in reporting_factors(parse_ecb_csv(ECB), "CHF"))


def test_demo_rates_are_daily_and_deterministic() -> None:
    rows = demo_rates(date(2026, 11, 1), date(2026, 11, 3))
    assert len(rows) == 3 * 5 and rows == demo_rates(date(2026, 11, 1), date(2026, 11, 3))


def test_a_factor_out_of_range_is_left_without_one_and_named() -> None:
    from airlake.exchange_rates import MAX_FACTOR, out_of_range

    day = date(2026, 11, 2)
    rows = [
        {"rate_date": day, "currency": "USD", "per_base": Decimal("1.08")},
        # one unit of the base is 10**7 PLN: one PLN is worth 10**-7 EUR, and EUR 10**7 PLN
        {"rate_date": day, "currency": "PLN", "per_base": Decimal("10000000")},
    ]
    factors = {r["currency"]: r["to_reporting"] for r in reporting_factors(rows, "PLN")}
    assert factors["PLN"] == 1
    assert factors["EUR"] is None and Decimal(10_000_000) >= MAX_FACTOR
    assert factors["USD"] is None  # 10**7 / 1.08 is out of range too
    named = {r["currency"] for r in out_of_range(reporting_factors(rows, "PLN"))}
    assert named == {"EUR", "USD"}
    assert out_of_range(reporting_factors(rows, "USD")) == []  # PLN -> USD rounds to 1.08e-7
