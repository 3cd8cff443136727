"""Numbers for people: currency, percentages, thousands separators (pure)."""

from __future__ import annotations

from decimal import Decimal


def integer(value: float | int | None) -> str:
    return "–" if value is None else f"{round(value):,}"


def number(value: float | None, places: int = 2) -> str:
    return "–" if value is None else f"{value:,.{places}f}"


def money(value: Decimal | float | None, currency: str = "€") -> str:
    if value is None:
        return "–"
    return f"{currency}{float(value):,.2f}"


def percent(value: float | None, places: int = 2) -> str:
    return "–" if value is None else f"{value * 100:.{places}f}%"


def ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f}×"


def change(current: float | None, previous: float | None) -> tuple[str, str]:
    """(text, css class) for the change vs the previous period."""
    if current is None or previous is None or previous == 0:
        return "no previous period", "flat"
    delta = (current - previous) / abs(previous)
    if abs(delta) < 0.0005:
        return "±0.0% vs previous period", "flat"
    arrow = "▲" if delta > 0 else "▼"
    return f"{arrow} {abs(delta) * 100:.1f}% vs previous period", "up" if delta > 0 else "down"
