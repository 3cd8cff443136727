"""Daily exchange rates: reference data that turns amounts into the reporting currency.

Rates are quoted as a central bank publishes them: units of a currency per one unit of the base
currency (the ECB's euro reference rates: ``USD 1.0856`` means 1 EUR = 1.0856 USD). They live in
the relational source's ``exchange_rates`` table (``rate_date``, ``currency``, ``per_base``) and
are extracted into ``dim.exchange_rates`` together with the factor to the reporting currency.

The arithmetic is fixed so every engine and the generator's ground truth agree to the last
digit: ``factor(C -> R, day) = per_base(R) / per_base(C)`` rounded half-up to
:data:`FACTOR_PLACES` places (the base currency's own rate is 1), and an amount converts as
``amount * factor`` rounded half-up to 6 places. An amount already in the reporting currency
is not converted. A currency without a rate for the day cannot be converted: the reports leave
it out of the sums and count it (``unconverted_events``, ``no_rate_events``). So does a factor
outside ``(0, MAX_FACTOR)``: a rate that far off is a data error, and the reports multiply
exactly in 38 digits only for factors below :data:`MAX_FACTOR`.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from airlake.contract import CURRENCIES
from airlake.errors import UserError

BASE: Final = "EUR"
"""The currency rates are quoted against (the ECB's reference rates are per euro)."""

FACTOR_PLACES: Final = 10
AMOUNT_PLACES: Final = 6
MAX_FACTOR: Final = Decimal(10_000)
"""A factor to the reporting currency must be below this (and not round to zero); between the
accepted currencies real factors lie between 0.01 and 100."""

DEMO_RATES: Final = {
    "USD": Decimal("1.0850"),
    "GBP": Decimal("0.8550"),
    "CHF": Decimal("0.9400"),
    "SEK": Decimal("11.4500"),
    "PLN": Decimal("4.3200"),
}
"""Starting points of the synthetic demo rates (not market data)."""

MAX_CARRY_DAYS: Final = 4
"""A published rate stands for the days after it without one (weekends, holidays), up to this
many days, when a bank's file is loaded."""


def demo_rates(first: date, last: date) -> list[dict[str, Any]]:
    """Synthetic daily rates for ``[first, last]``: a small deterministic drift around
    :data:`DEMO_RATES`, four decimals like the ECB's. For the demo and tests only."""
    rows = []
    day = first
    while day <= last:
        for i, (currency, start) in enumerate(sorted(DEMO_RATES.items())):
            drift = Decimal(str(round(math.sin(day.toordinal() / 7 + i) * 0.02, 6)))
            rate = (start * (1 + drift)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            rows.append({"rate_date": day, "currency": currency, "per_base": rate})
        day += timedelta(days=1)
    return rows


def factor(per_base_from: Decimal, per_base_to: Decimal) -> Decimal:
    """How many units of the target one unit of the source is worth (see the module doc)."""
    return (per_base_to / per_base_from).quantize(
        Decimal(1).scaleb(-FACTOR_PLACES), rounding=ROUND_HALF_UP
    )


def convert(amount: Decimal, by: Decimal) -> Decimal:
    """``amount`` times the factor ``by``, rounded half-up to 6 places."""
    return (amount * by).quantize(Decimal(1).scaleb(-AMOUNT_PLACES), rounding=ROUND_HALF_UP)


def reporting_factors(rows: Iterable[Mapping[str, Any]], reporting: str) -> list[dict[str, Any]]:
    """The rows of ``dim.exchange_rates``: every quoted currency (and the base) per day with its
    factor to ``reporting``; days without a rate for ``reporting`` get no factors, nor does a
    currency whose factor is out of range (see :func:`out_of_range`)."""
    by_day: dict[date, dict[str, Decimal]] = {}
    for row in rows:
        by_day.setdefault(row["rate_date"], {BASE: Decimal(1)})[row["currency"]] = Decimal(
            row["per_base"]
        )
    out = []
    for day, quotes in sorted(by_day.items()):
        target = quotes.get(reporting)
        for currency, rate in sorted(quotes.items()):
            by = factor(rate, target) if target is not None else None
            out.append(
                {
                    "rate_date": day,
                    "currency": currency,
                    "per_base": rate,
                    "reporting_currency": reporting,
                    "to_reporting": by if by is not None and 0 < by < MAX_FACTOR else None,
                }
            )
    return out


def out_of_range(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Rows of :func:`reporting_factors` left without a factor although their day has a rate
    for the reporting currency: the factor was out of range."""
    rows = list(rows)
    quoted = {r["rate_date"] for r in rows if r["currency"] == r["reporting_currency"]}
    return [r for r in rows if r["to_reporting"] is None and r["rate_date"] in quoted]


def parse_ecb_csv(text: str) -> list[dict[str, Any]]:
    """Rows from the ECB's euro reference rates CSV (``eurofxref-hist.csv`` or ``eurofxref.csv``:
    a ``Date`` column, then one column per currency; ``N/A`` where none was published).
    Currencies the platform does not accept are left out. Raises UserError on a bad file."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if not header or header[0] != "Date":
        raise UserError("not an ECB reference rates file: the first column must be 'Date'")
    rows = []
    for n, record in enumerate(reader, start=2):
        if not any(v.strip() for v in record):
            continue
        try:
            day = date.fromisoformat(record[0].strip())
        except ValueError:
            raise UserError(f"line {n}: bad date {record[0]!r}") from None
        for currency, value in zip(header[1:], record[1:], strict=False):
            value = value.strip()
            if currency not in CURRENCIES or currency == BASE or value in ("", "N/A"):
                continue
            try:
                rate = Decimal(value)
            except InvalidOperation:
                raise UserError(f"line {n}: bad rate {value!r} for {currency}") from None
            if not rate > 0:
                raise UserError(f"line {n}: rate for {currency} must be positive, got {value}")
            rows.append({"rate_date": day, "currency": currency, "per_base": rate})
    return rows


def carry_forward(
    rows: Sequence[Mapping[str, Any]], max_days: int = MAX_CARRY_DAYS
) -> list[dict[str, Any]]:
    """Fill the days after each published rate that have none, for at most ``max_days`` days
    and not past the last published day."""
    if not rows:
        return []
    last = max(r["rate_date"] for r in rows)
    known = {(r["rate_date"], r["currency"]): r for r in rows}
    out = [dict(r) for r in rows]
    for row in rows:
        for k in range(1, max_days + 1):
            day = row["rate_date"] + timedelta(days=k)
            if day > last or (day, row["currency"]) in known:
                break
            filled = {**row, "rate_date": day}
            known[(day, row["currency"])] = filled
            out.append(filled)
    return sorted(out, key=lambda r: (r["rate_date"], r["currency"]))


def load(url: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the source's ``exchange_rates`` table (created if needed), in one transaction."""
    import sqlalchemy as sa

    from airlake.database_url import check_database_url
    from airlake.redaction import redact
    from airlake.source_schema import source_metadata

    meta = source_metadata()
    table = meta.tables["exchange_rates"]
    check_database_url(url, "--source-url")
    try:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            meta.create_all(conn, tables=[table])
            conn.execute(table.delete())
            if rows:
                conn.execute(table.insert(), [dict(r) for r in rows])
        engine.dispose()
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(
            f"cannot load exchange rates into {redact(url)}: {str(exc).splitlines()[0]}"
        ) from None
