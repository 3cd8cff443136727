"""The reference source's DDL, run as a team would: the printed PostgreSQL statements create the
tables on the real server, plain INSERTs fill them, and the extract stage reads them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from airlake.run_context import open_run
from airlake.settings import settings_from_values
from airlake.source_schema import DDL_DIALECTS, SOURCE_DOCS, ddl, source_metadata
from airlake.stages import run_stage
from airlake.tables import read_table

DAY = date(2026, 11, 3)


def test_every_source_column_is_documented() -> None:
    meta = source_metadata()
    for doc in SOURCE_DOCS:
        assert set(doc.columns) == set(meta.tables[doc.name].columns.keys())
        assert all(text.strip() for text in doc.columns.values())
    assert [d.name for d in SOURCE_DOCS] == sorted(meta.tables)


def test_oracle_keeps_the_watermarks_time_zone_and_fractions() -> None:
    oracle = ddl("oracle")
    assert oracle.count("updated_at TIMESTAMP WITH TIME ZONE NOT NULL") == 2
    assert "VARCHAR2(32 CHAR)" in oracle and "PRIMARY KEY (rate_date, currency)" in oracle
    with pytest.raises(ValueError, match="known: postgresql, oracle"):
        ddl("mysql")
    assert DDL_DIALECTS == ("postgresql", "oracle")


@pytest.mark.integration
def test_the_postgresql_ddl_makes_a_source_the_extract_reads(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        for statement in ddl("postgresql").split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
        conn.exec_driver_sql(
            "INSERT INTO advertisers VALUES ('adv-01', 'Northwind', '2026-11-01 09:00:00+01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO campaigns VALUES ('cmp-001', 'adv-01', 'Spring search 001', 'search',"
            " 120.50, '2026-11-02 10:00:00+00')"
        )
        conn.exec_driver_sql("INSERT INTO exchange_rates VALUES ('2026-11-03', 'USD', 1.085)")
    engine.dispose()
    settings = settings_from_values(
        {
            "storage": {
                "landing": str(tmp_path / "landing"),
                "warehouse": str(tmp_path / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/catalog.db"},
            "source": {"url": postgres_url},
        }
    )
    with open_run(settings) as ctx:
        run_stage(ctx, "extract", DAY)
        advertisers = read_table(ctx.catalog, "dim.advertisers").to_pylist()
        campaigns = read_table(ctx.catalog, "dim.campaigns").to_pylist()
        rates = read_table(ctx.catalog, "dim.exchange_rates").to_pylist()
    assert [(a["advertiser_id"], a["name"], a["is_current"]) for a in advertisers] == [
        ("adv-01", "Northwind", True)
    ]
    assert advertisers[0]["valid_from"].isoformat() == "2026-11-01T08:00:00+00:00"
    (campaign,) = campaigns
    assert (campaign["campaign_id"], campaign["channel"], campaign["daily_budget"]) == (
        "cmp-001",
        "search",
        Decimal("120.500000"),
    )
    usd = {r["currency"]: r for r in rates if r["rate_date"] == DAY}["USD"]
    # EUR reporting: 1 / 1.085 rounded half up to 10 places
    assert usd["to_reporting"] == Decimal("0.9216589862")
