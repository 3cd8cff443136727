"""The reference source's schema: the relational tables the extract stage reads.

One definition serves three readers: ``airlake generate --source-url`` creates the tables from
it, the data dictionary prints their exact DDL for PostgreSQL and Oracle from it, and the
documentation of each column sits beside it. The extract stage reads the tables by name and
column, so a team that creates them with the printed DDL and fills them has a source airlake
can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from airlake.contract import CURRENCIES

if TYPE_CHECKING:
    import sqlalchemy as sa

DDL_DIALECTS: Final = ("postgresql", "oracle")


@dataclass(frozen=True, slots=True)
class SourceTableDoc:
    """What a source table holds, and each of its columns."""

    name: str
    doc: str
    columns: MappingProxyType[str, str]


SOURCE_DOCS: Final = (
    SourceTableDoc(
        "advertisers",
        "One row per advertiser, as it is now. A changed row gets a later updated_at; a row "
        "deleted from the source ends its version in dim.advertisers at the next extract.",
        MappingProxyType(
            {
                "advertiser_id": "Advertiser key (e.g. adv-01).",
                "name": "Advertiser name shown in the reports (advertiser_name).",
                "updated_at": "When the row last changed, with time zone: the extract's "
                "watermark. Rows with updated_at at or after the last extract's are read "
                "again; one whose attributes changed becomes a new version.",
            }
        ),
    ),
    SourceTableDoc(
        "campaigns",
        "One row per campaign, as it is now; the campaign_id is the one events carry.",
        MappingProxyType(
            {
                "campaign_id": "Campaign key, as in the events' campaign_id (e.g. cmp-001).",
                "advertiser_id": "The campaign's advertiser (advertisers.advertiser_id).",
                "name": "Campaign name shown in the reports (campaign_name).",
                "channel": "display | search | social | video | email.",
                "daily_budget": "Budget per day in the reporting currency, 2 decimals; "
                "budget_pacing divides the day's spend by it.",
                "updated_at": "When the row last changed, with time zone (the watermark).",
            }
        ),
    ),
    SourceTableDoc(
        "exchange_rates",
        "Daily exchange rates as a central bank publishes them: units of a currency per one "
        "EUR (the base). Rates matter for the currencies the platform accepts: "
        + ", ".join(sorted(CURRENCIES))
        + ".",
        MappingProxyType(
            {
                "rate_date": "The day the rate is for.",
                "currency": "ISO-4217 code of the quoted currency (upper case).",
                "per_base": "Units of `currency` per 1 EUR (e.g. USD 1.0856), 6 decimals.",
            }
        ),
    ),
)
"""Every source table with its columns' meaning, in the order the DDL creates them."""


def source_metadata() -> sa.MetaData:
    """The source tables as SQLAlchemy objects (what ``generate --source-url`` creates)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import oracle

    # Oracle's DATE (SQLAlchemy's default there) has neither time zone nor fractions of a
    # second: the watermark needs both.
    stamp = sa.DateTime(timezone=True).with_variant(oracle.TIMESTAMP(timezone=True), "oracle")
    meta = sa.MetaData()
    sa.Table(
        "advertisers",
        meta,
        sa.Column("advertiser_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
    )
    sa.Table(
        "campaigns",
        meta,
        sa.Column("campaign_id", sa.String(32), primary_key=True),
        sa.Column("advertiser_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("daily_budget", sa.Numeric(12, 2), nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
    )
    sa.Table(
        "exchange_rates",
        meta,
        sa.Column("rate_date", sa.Date, primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("per_base", sa.Numeric(18, 6), nullable=False),
    )
    return meta


def ddl(dialect: str) -> str:
    """``CREATE TABLE`` statements for every source table, as ``dialect`` reads them, each
    ending in ``;``. Compiled by SQLAlchemy's dialect; no database or driver is needed."""
    from sqlalchemy.engine import Dialect
    from sqlalchemy.schema import CreateTable

    compiler: Dialect
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        compiler = postgresql.dialect()
    elif dialect == "oracle":
        from sqlalchemy.dialects import oracle

        compiler = oracle.dialect()
    else:
        raise ValueError(f"unknown dialect {dialect!r}; known: {', '.join(DDL_DIALECTS)}")
    meta = source_metadata()
    statements = []
    for t in SOURCE_DOCS:
        text = str(CreateTable(meta.tables[t.name]).compile(dialect=compiler)).strip()
        lines = [line.rstrip().replace("\t", "    ") for line in text.splitlines()]
        statements.append("\n".join(lines) + ";")
    return "\n\n".join(statements)
