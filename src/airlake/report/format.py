"""Numbers for people: currency, percentages, thousands separators (pure).

Every formatter shows a missing value (a ratio over zero, say) as an en dash.
"""

from __future__ import annotations

from decimal import Decimal

MISSING = "–"


def integer(value: float | int | None) -> str:
    """``1234567`` → ``1,234,567``."""
    return MISSING if value is None else f"{round(value):,}"


def number(value: float | None, places: int = 2) -> str:
    """``1234.5`` → ``1,234.50`` (``places`` decimals)."""
    return MISSING if value is None else f"{value:,.{places}f}"


SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
"""Currencies shown by their sign; any other by its code (``CHF 12.50``)."""


def currency_prefix(code: str) -> str:
    """What goes before an amount in ``code``: ``EUR`` → ``€``, ``SEK`` → ``SEK `` (with a space)."""
    return SYMBOLS.get(code, f"{code} ")


def count(value: float | int | None) -> str:
    """A count that may be fractional (conversions credited linearly): ``29.0`` → ``29``,
    ``2.3333`` → ``2.33``."""
    if value is None:
        return MISSING
    return integer(value) if float(value).is_integer() else number(value, 2)


def money(value: Decimal | float | None, currency: str = "€", places: int = 2) -> str:
    """``Decimal("1234.5")`` → ``€1,234.50``; negative amounts as ``-€3.00``."""
    if value is None:
        return MISSING
    amount = float(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency}{abs(amount):,.{places}f}"


def percent(value: float | None, places: int = 2) -> str:
    """A share: ``0.01234`` → ``1.23%``."""
    return MISSING if value is None else f"{value * 100:,.{places}f}%"


def ratio(value: float | None) -> str:
    """A multiple such as ROAS: ``2.5`` → ``2.50×``."""
    return MISSING if value is None else f"{value:,.2f}×"


def change(current: float | None, previous: float | None) -> tuple[str, str]:
    """(text, css class) for the change of a KPI vs the previous period.

    No previous value says "no previous period"; a previous value of zero has no base for a
    relative change and says so.
    """
    if current is None or previous is None:
        return "no previous period", "flat"
    if previous == 0:
        return (
            ("±0.0% vs previous period", "flat")
            if current == 0
            else ("▲ from 0 in previous period", "up")
        )
    delta = (current - previous) / abs(previous)
    if abs(delta) < 0.0005:
        return "±0.0% vs previous period", "flat"
    arrow = "▲" if delta > 0 else "▼"
    return f"{arrow} {abs(delta) * 100:,.1f}% vs previous period", "up" if delta > 0 else "down"
