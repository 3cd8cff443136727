from decimal import Decimal

from airlake.report import format as fmt


def test_numbers_for_people() -> None:
    assert fmt.integer(1234567) == "1,234,567"
    assert fmt.integer(2.5) == "2"  # banker's rounding is Python's; whole counts never hit it
    assert fmt.number(1234.5, 1) == "1,234.5"
    assert fmt.money(Decimal("1234.5")) == "€1,234.50"
    assert fmt.money(Decimal("-3")) == "-€3.00"
    assert fmt.money(1234.4, places=0) == "€1,234"
    assert fmt.percent(0.01234) == "1.23%"
    assert fmt.percent(12.5, 0) == "1,250%"
    assert fmt.ratio(2.5) == "2.50×"
    assert fmt.money(None) == fmt.percent(None) == fmt.integer(None) == fmt.ratio(None) == "–"


def test_change_vs_previous_period() -> None:
    assert fmt.change(110, 100) == ("▲ 10.0% vs previous period", "up")
    assert fmt.change(90, 100) == ("▼ 10.0% vs previous period", "down")
    assert fmt.change(100, 100) == ("±0.0% vs previous period", "flat")
    assert fmt.change(5, None) == ("no previous period", "flat")
    assert fmt.change(5, 0) == ("▲ from 0 in previous period", "up")
    assert fmt.change(0, 0)[1] == "flat"


def test_counts_are_whole_unless_credit_was_split() -> None:
    assert fmt.count(29.0) == "29"
    assert fmt.count(1234) == "1,234"
    assert fmt.count(2 + 1 / 3) == "2.33"
    assert fmt.count(None) == fmt.MISSING


def test_the_reporting_currency_is_printed() -> None:
    assert fmt.money(Decimal("12.5"), fmt.currency_prefix("USD")) == "$12.50"
    assert fmt.money(Decimal("12.5"), fmt.currency_prefix("SEK")) == "SEK 12.50"
