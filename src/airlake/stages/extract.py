"""The extract stage: reference tables from the relational source (a SQLAlchemy URL — SQLite by
default, PostgreSQL for a team, Oracle through python-oracledb's thin driver) into dimension
tables with history.

Incremental: rows with ``updated_at`` at or after the watermark stored with the dimension's
last Iceberg snapshot, plus the source's full key set to see deletes. Every source table is
read and checked before anything is committed, so bad input commits nothing; each dimension is
replaced in one commit, and only when something changed (a re-run commits nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from airlake.contract import CURRENCIES
from airlake.database_url import check_database_url
from airlake.dimensions import Change, merge
from airlake.errors import UserError
from airlake.exchange_rates import out_of_range, reporting_factors
from airlake.redaction import redact
from airlake.tables import (
    DIM_ADVERTISERS,
    DIM_CAMPAIGNS,
    DIM_EXCHANGE_RATES,
    CommitResult,
    TableDef,
    read_table,
    replace_table,
    snapshot_property,
)

if TYPE_CHECKING:
    from airlake.run_context import RunContext, Window

WATERMARK = "airlake.watermark"
SKIPPED_RATES = "airlake.skipped-rates"
"""Snapshot property of dim.exchange_rates: the source's rate rows left out, and why."""
RATES_TABLE = "exchange_rates"


@dataclass(frozen=True, slots=True)
class SourceTable:
    name: str
    key: str
    attributes: tuple[tuple[str, type], ...]
    dimension: TableDef


SOURCES = (
    SourceTable("advertisers", "advertiser_id", (("name", str),), DIM_ADVERTISERS),
    SourceTable(
        "campaigns",
        "campaign_id",
        (("advertiser_id", str), ("name", str), ("channel", str), ("daily_budget", Decimal)),
        DIM_CAMPAIGNS,
    ),
)


def _utc(value: Any, where: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise UserError(f"{where}: expected a timestamp, got {value!r}") from None
    if not isinstance(value, datetime):
        raise UserError(f"{where}: expected a timestamp, got {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _typed(value: Any, kind: type, where: str) -> Any:
    if kind is Decimal:
        try:
            if isinstance(value, bool) or value is None:
                raise InvalidOperation
            return Decimal(str(value)).quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            raise UserError(f"{where}: expected a number, got {value!r}") from None
    if not isinstance(value, str):
        raise UserError(f"{where}: expected text, got {value!r}")
    return value


def read_source(
    url: str, table: SourceTable, watermark: datetime | None
) -> tuple[list[dict[str, Any]], set[str]]:
    """Rows changed since ``watermark`` (typed and checked) and every key the source holds."""
    import sqlalchemy as sa

    columns = [table.key, *(a for a, _ in table.attributes), "updated_at"]
    check_database_url(url, "source.url")
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            meta = sa.MetaData()
            src = sa.Table(table.name, meta, autoload_with=conn)
            missing = [c for c in columns if c not in src.c]
            if missing:
                raise UserError(f"source table {table.name} lacks column(s) {', '.join(missing)}")
            query = sa.select(*(src.c[c] for c in columns))
            keys = {str(k) for (k,) in conn.execute(sa.select(src.c[table.key]))}
            raw = [dict(r._mapping) for r in conn.execute(query)]
        engine.dispose()
    except sa.exc.NoSuchTableError:
        raise UserError(f"source table {table.name} does not exist at {_safe(url)}") from None
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(
            f"cannot read the source at {_safe(url)}: {str(exc).splitlines()[0]}"
        ) from None
    changed = []
    for row in raw:
        where = f"{table.name} {table.key}={row[table.key]!r}"
        updated = _utc(row["updated_at"], f"{where}: updated_at")
        typed = {
            table.key: _typed(row[table.key], str, f"{where}: {table.key}"),
            "updated_at": updated,
        }
        for name, kind in table.attributes:
            typed[name] = _typed(row[name], kind, f"{where}: {name}")
        if watermark is None or updated >= watermark:
            changed.append(typed)
    return changed, keys


def source_absence(url: str) -> str | None:
    """Why there is no reference source at ``url`` to extract from, or None when there is one.

    A SQLite file that does not exist (opening it would create an empty one) and a database
    holding none of the reference tables are absent; a server that cannot be reached is an
    error, not an absence.
    """
    present = source_tables(url)
    if present is None:
        return f"no reference database at {_safe(url)}"
    if not present:
        names = [t.name for t in SOURCES] + [RATES_TABLE]
        return f"no reference tables ({', '.join(names)}) at {_safe(url)}"
    return None


def source_tables(url: str) -> set[str] | None:
    """Which reference tables the source at ``url`` holds; None for a SQLite file that does not
    exist."""
    import os

    import sqlalchemy as sa

    check_database_url(url, "source.url")
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not os.path.exists(path):
            return None
    names = [t.name for t in SOURCES] + [RATES_TABLE]
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            present = {n for n in names if inspector.has_table(n)}
        engine.dispose()
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(
            f"cannot read the source at {_safe(url)}: {str(exc).splitlines()[0]}"
        ) from None
    return present


def read_rates(url: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every row of the source's exchange-rate table, typed and checked; rows of a currency the
    platform does not accept (events in it are quarantined, so it is never needed) are skipped
    and counted per currency code, the second value."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            src = sa.Table(RATES_TABLE, sa.MetaData(), autoload_with=conn)
            missing = [c for c in ("rate_date", "currency", "per_base") if c not in src.c]
            if missing:
                raise UserError(f"source table {RATES_TABLE} lacks column(s) {', '.join(missing)}")
            raw = [
                dict(r._mapping)
                for r in conn.execute(sa.select(src.c.rate_date, src.c.currency, src.c.per_base))
            ]
        engine.dispose()
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(
            f"cannot read the source at {_safe(url)}: {str(exc).splitlines()[0]}"
        ) from None
    rows = []
    skipped: dict[str, int] = {}
    for row in raw:
        where = f"{RATES_TABLE} {row['rate_date']!r} {row['currency']!r}"
        currency = row["currency"]
        if not isinstance(currency, str) or currency.upper() not in CURRENCIES:
            code = currency.strip() if isinstance(currency, str) else repr(currency)
            skipped[code] = skipped.get(code, 0) + 1
            continue
        day = row["rate_date"]
        if isinstance(day, datetime):
            day = day.date()
        elif isinstance(day, str):
            try:
                day = date.fromisoformat(day[:10])
            except ValueError:
                raise UserError(f"{where}: rate_date is not a date") from None
        if not isinstance(day, date):
            raise UserError(f"{where}: rate_date is not a date")
        rate = _typed(row["per_base"], Decimal, f"{where}: per_base")
        if not rate > 0:
            raise UserError(f"{where}: per_base must be positive")
        rows.append({"rate_date": day, "currency": currency.upper(), "per_base": rate})
    return rows, skipped


def skipped_rates(unaccepted: dict[str, int], unusable: int) -> str:
    """The rate rows left out, counted by why (``""`` when none): what the progress line and the
    ``airlake.skipped-rates`` property of ``dim.exchange_rates``'s snapshot say."""
    parts = [f"{n} of {code} (not an accepted currency)" for code, n in sorted(unaccepted.items())]
    if unusable:
        parts.append(
            f"{unusable} with a factor out of range (converted amounts counted as no-rate)"
        )
    return "; ".join(parts)


def _safe(url: str) -> str:
    """The URL without its password."""
    return redact(url)


def _versions(catalog: Any, tdef: TableDef) -> list[dict[str, Any]]:
    return read_table(catalog, tdef.name).to_pylist() if catalog.table_exists(tdef.name) else []


def stage_extract(ctx: RunContext, w: Window) -> list[CommitResult]:
    """Extract every reference table for the run of ``w.day``; deletes are dated end of day."""
    url = ctx.settings.source_url
    present = source_tables(url) if url else None
    if not url or not present:
        absent = (
            "no source configured (source.url)"
            if not url
            else source_absence(url) or "no reference tables"
        )
        ctx.on_progress(
            f"extract skipped: {absent}; dimensions unchanged (campaign names and advertisers "
            "are empty and amounts stay in their own currency until a source is configured)"
        )
        return []
    as_of = datetime.combine(w.day + timedelta(days=1), time(0), tzinfo=UTC)
    planned: list[tuple[SourceTable, list[dict[str, Any]], Change, datetime | None]] = []
    tables = [t for t in SOURCES if present & {t.name for t in SOURCES}]
    rates = None
    skipped = ""
    if RATES_TABLE in present:
        read, unaccepted = read_rates(url)
        rates = reporting_factors(read, ctx.settings.reporting_currency)
        skipped = skipped_rates(unaccepted, len(out_of_range(rates)))
        if skipped:
            ctx.on_progress(f"extract {RATES_TABLE}: skipped {skipped}")
    else:
        ctx.on_progress(
            f"extract {RATES_TABLE}: no such table at the source; amounts not in "
            f"{ctx.settings.reporting_currency} are counted as unconverted"
        )
    for table in tables:  # read and check everything before committing anything
        mark = snapshot_property(ctx.catalog, table.dimension.name, WATERMARK)
        watermark = datetime.fromisoformat(mark) if mark else None
        changed, keys = read_source(url, table, watermark)
        versions, change = merge(
            _versions(ctx.catalog, table.dimension),
            changed,
            keys,
            table.key,
            [a for a, _ in table.attributes],
            as_of,
        )
        newest = max([r["updated_at"] for r in changed], default=watermark)
        planned.append((table, versions, change, newest))
    results = []
    for table, versions, change, newest in planned:
        if not change.any:
            continue
        rows = pa.Table.from_pylist(versions, schema=table.dimension.schema)
        props = {
            WATERMARK: newest.isoformat() if newest else "",
            "airlake.stage": "extract",
            "airlake.run-day": w.day.isoformat(),
            "airlake.changes": f"+{change.inserted} ~{change.updated} -{change.deleted}",
        }
        ctx.on_progress(
            f"extract {table.name}: +{change.inserted} ~{change.updated} -{change.deleted}"
        )
        results.append(replace_table(ctx.catalog, table.dimension, rows, props))
    stored = sorted(
        _versions(ctx.catalog, DIM_EXCHANGE_RATES), key=lambda r: (r["rate_date"], r["currency"])
    )
    if rates is not None and rates != stored:
        props = {
            "airlake.stage": "extract",
            "airlake.run-day": w.day.isoformat(),
            SKIPPED_RATES: skipped or "none",
        }
        ctx.on_progress(f"extract {RATES_TABLE}: {len(rates)} rows")
        table_rows = pa.Table.from_pylist(rates, schema=DIM_EXCHANGE_RATES.schema)
        results.append(replace_table(ctx.catalog, DIM_EXCHANGE_RATES, table_rows, props))
    return results


def day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
