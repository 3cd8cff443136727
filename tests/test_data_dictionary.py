"""docs/tables.md is what the table definitions generate, and every column is described."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest

from airlake.bot_agents import list_label
from airlake.data_dictionary import UndocumentedColumnError, column_type, render, undocumented
from airlake.tables import REPORT_CAMPAIGN, TABLES, TableDef

DOC = Path(__file__).resolve().parents[1] / "docs" / "tables.md"


def test_docs_tables_md_is_what_the_definitions_generate() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/tables.md is out of date: run `make docs`"
    )


def test_every_column_of_every_table_has_a_description() -> None:
    assert undocumented(TABLES) == []


def test_a_new_table_must_describe_its_columns() -> None:
    new = TableDef(
        "reports.pacing_intraday",
        pa.schema([pa.field("event_date", pa.date32()), pa.field("spend", pa.float64())]),
        "event_date",
        "Spend so far today.",
        {"event_date": "The day."},
    )
    assert undocumented([new]) == ["reports.pacing_intraday.spend"]
    with pytest.raises(UndocumentedColumnError, match=r"reports\.pacing_intraday\.spend"):
        render([*TABLES, new])
    stale = replace(new, descriptions={"event_date": "x", "spend": "y", "gone": "z"})
    assert undocumented([stale]) == ["reports.pacing_intraday.gone (no such column)"]


def test_every_column_appears_with_its_type_and_the_rules_are_there() -> None:
    text = render()
    for t in TABLES:
        assert f"### `{t.name}`" in text
        for f in t.schema:
            assert f"| `{f.name}` | {column_type(f.type)} | " in text
    assert "| `spend` | decimal(18, 6) | " in text
    assert REPORT_CAMPAIGN.descriptions["ctr"] in text
    for heading in ("### Attribution", "### Data quality", "### Amounts and rounding"):
        assert heading in text
    assert list_label().split()[1] in text  # the list's version
    assert "CREATE TABLE exchange_rates" in text and "TIMESTAMP WITH TIME ZONE" in text
