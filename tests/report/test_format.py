from decimal import Decimal

from airlake.report import format as fmt


def test_numbers_for_people() -> None:
    assert fmt.integer(1234567) == "1,234,567"
    assert fmt.money(Decimal("1234.5")) == "€1,234.50"
    assert fmt.percent(0.01234) == "1.23%"
    assert fmt.ratio(2.5) == "2.50×"
    assert fmt.money(None) == fmt.percent(None) == "–"


def test_change_vs_previous_period() -> None:
    assert fmt.change(110, 100) == ("▲ 10.0% vs previous period", "up")
    assert fmt.change(90, 100) == ("▼ 10.0% vs previous period", "down")
    assert fmt.change(5, None)[1] == "flat"
