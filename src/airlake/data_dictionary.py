"""The data dictionary (docs/tables.md), generated from the code that defines the data.

Every table and column comes from :data:`airlake.tables.TABLES` (types from the Arrow schema,
meaning, formula and rounding from each TableDef's ``descriptions``); the reference source's
tables and their PostgreSQL and Oracle DDL from :mod:`airlake.source_schema`; the rules
(deduplication, bots, attribution, data quality, amounts) from the constants the pipeline runs
on. Pure: definitions in, Markdown out. A test fails when docs/tables.md differs from
:func:`render`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyarrow as pa

from airlake import contract, exchange_rates
from airlake.bot_agents import LIST_PACKAGE, list_version
from airlake.tables import MONEY, REPORT_CAMPAIGN, TABLES, TableDef

if TYPE_CHECKING:
    import sqlalchemy as sa

GENERATED_BY = "airlake docs tables --out docs/tables.md"


class UndocumentedColumnError(ValueError):
    """A table has a column without a description (or a description without a column)."""


def column_type(t: pa.DataType) -> str:
    """The column's type as Iceberg (and so Athena / Glue) shows it."""
    if pa.types.is_decimal(t):
        return f"decimal({t.precision}, {t.scale})"
    if pa.types.is_timestamp(t):
        return "timestamptz (µs, UTC)" if t.tz else "timestamp (µs)"
    names = (
        (pa.types.is_string, "string"),
        (pa.types.is_int32, "int"),
        (pa.types.is_int64, "long"),
        (pa.types.is_float64, "double"),
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_date32, "date"),
        (pa.types.is_binary, "binary"),
    )
    for test, name in names:
        if test(t):
            return name
    return str(t)


def undocumented(tables: Iterable[TableDef]) -> list[str]:
    """``table.column`` for every column without a description, and every description of a
    column the table does not have."""
    missing = []
    for t in tables:
        missing += [f"{t.name}.{c}" for c in t.columns if not t.descriptions.get(c, "").strip()]
        missing += [f"{t.name}.{c} (no such column)" for c in t.descriptions if c not in t.columns]
    return missing


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table_section(t: TableDef) -> list[str]:
    if t.partition_column:
        layout = (
            f"Partitioned by `{t.partition_column}`; a run replaces whole partitions in one "
            "Iceberg commit."
        )
    else:
        layout = "Unpartitioned; a run replaces the whole table in one Iceberg commit."
    lines = [
        f"### `{t.name}`",
        "",
        t.doc,
        "",
        layout,
        "",
        "| column | type | meaning, formula, rounding |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{f.name}` | {column_type(f.type)} | {_cell(t.descriptions[f.name])} |"
        for f in t.schema
    ]
    return [*lines, ""]


def _rules() -> list[str]:
    reasons = ", ".join(f"`{r.value}`" for r in contract.Reason)
    ip_ranges = ", ".join(f"`{p}*`" for p in contract.BOT_IP_PREFIXES)
    return [
        "## Rules the tables follow",
        "",
        "### Deduplication: which copy wins",
        "",
        f"{contract.DUPLICATE_RULE} Ties are broken by source file and line, so exactly one "
        "copy is kept: the row of `clean.events` is that first delivery, with its own "
        "`source_*` and `landing_date`. Deduplication spans the late window: a copy landing "
        "days after the first is a duplicate on its own landing day.",
        "",
        "### Bots",
        "",
        f"An event is a bot event (`is_bot`) when its `user_agent` matches a pattern of the "
        f"community crawler list `{LIST_PACKAGE}` (version {list_version()}, recorded on every "
        "model commit as the snapshot property `airlake.bot-list`), or its `ip` starts with a "
        f"crawler range ({ip_ranges}). Patterns match case-sensitively anywhere in the user "
        "agent, as the list writes them: it names crawlers (`Googlebot/`, `bingbot`), never a "
        "bare `bot`, so a phone of the brand Cubot is human traffic. Both engines evaluate the "
        "same patterns, rendered into the clean model's SQL. Bot events are flagged, never "
        "dropped; every report excludes them from its counts and amounts and counts them "
        "separately (`bot_*`). Measured on list version 1.67.0 (tests/test_bot_agents.py): "
        "all 2,126 distinct bot user agents (the list's own crawler instances and the "
        "generator's bots) are caught, and none of 848 human user agents (fake-useragent's "
        "real-world browser agents, Cubot phones and the generator's browsers) is flagged: "
        "precision 1.0, recall 1.0 on that set.",
        "",
        "### Attribution",
        "",
        "A conversion is credited to the clicks of the same visitor (`anonymous_id`) made at "
        "or before it and at most `pipeline.lookback_hours` earlier (default 24 h, 1 to 720): "
        "`click_ts <= conversion_ts` and `conversion_ts - click_ts <= lookback`, in "
        "microseconds. Only human traffic counts: bot conversions are not attributed, bot "
        "clicks never receive credit. The model (`pipeline.attribution_model`) picks the "
        "click: `last_click` (default) the latest click, ties to the larger `event_id`; "
        "`first_click` the earliest, ties to the smaller `event_id`; `linear` every click in "
        "the lookback, each with credit 1/n. A conversion with no such click is kept with a "
        "null campaign and credit 1 (it appears in `funnel_daily.conversions`, not in "
        "`campaign_daily`). The conversion is credited on **its own event date** "
        "(`campaign_daily.event_date` of the conversion, not of the click), to the click's "
        "campaign; clicks from the days before the window are read so a lookback can reach "
        "them.",
        "",
        "### Data quality: what is counted before and after deduplication",
        "",
        "Per landing day: `lines = valid + duplicates + quarantined`.",
        "",
        "- Every line is judged by the contract first, before deduplication: `quarantined` and "
        f"`q_<reason>` count lines (reasons: {reasons}); a broken line that is delivered twice "
        "is quarantined twice. The order of checks, first failure wins:",
        *[f"  - {step}" for step in contract.VALIDATION_ORDER],
        "- `duplicates` counts valid lines whose `event_id` was delivered before (see "
        "Deduplication).",
        "- `valid`, `bot_events`, `late_events` and `no_rate_events` are counted **after** "
        "deduplication, on the first deliveries that landed that day (each event once, on the "
        "landing day of its first delivery).",
        "- `late_events`: first deliveries whose `event_date` is before their `landing_date` "
        "and still inside the late window; older ones are quarantined as "
        f"`late_beyond_window` (window: `pipeline.late_window_days`, default "
        f"{contract.DEFAULT_LATE_WINDOW_DAYS}).",
        "- `no_rate_events`: first deliveries with a cost or revenue in a currency other than "
        "the reporting one and no exchange rate for their event date.",
        "",
        "### Amounts and rounding",
        "",
        f"- Amounts (`cost`, `revenue`) are stored as decimal({MONEY.precision}, {MONEY.scale}): "
        "more decimals are rounded half away from zero to 6 at ingest; an amount below 0, "
        f"not finite or at least {contract.MAX_AMOUNT:,} is quarantined (`bad_value`).",
        "- Conversion to the reporting currency (`reporting.currency`): factor = "
        "per_base(reporting) / per_base(currency) of the event date, rounded half away from "
        f"zero to {exchange_rates.FACTOR_PLACES} decimals; each amount x factor is rounded half "
        f"away from zero to {exchange_rates.AMOUNT_PLACES} decimals, **per event, then summed**. "
        "An amount already in the reporting currency is not converted.",
        f"- Sums of amounts are {column_type(REPORT_CAMPAIGN.schema.field('spend').type)} "
        "(exact, no further rounding); under the linear "
        "model each conversion's revenue x credit is rounded to 6 decimals before summing.",
        "- Ratios (`ctr`, `cvr`, `cpc`, `cpm`, `cpa`, `roas`, `budget_pacing`, funnel rates, "
        "`quarantine_share`) are doubles, never rounded in the tables, and null when the "
        "divisor is 0 (or null).",
        "",
        "### Sessions",
        "",
        f"A visitor's session ends after more than {contract.SESSION_GAP_MINUTES} minutes "
        "without an event; each UTC day is sessionised on its own, so a session never spans "
        "midnight.",
        "",
    ]


def _sa_type(column: sa.Column, dialect: str) -> str:
    from sqlalchemy.dialects import oracle, postgresql

    compiler = postgresql.dialect() if dialect == "postgresql" else oracle.dialect()
    return str(column.type.compile(dialect=compiler))


def _source_section() -> list[str]:
    from airlake.source_schema import SOURCE_DOCS, ddl, source_metadata

    meta = source_metadata()
    lines = [
        "## The reference source",
        "",
        "The extract stage reads three tables of a relational database (the profile's "
        "`source.url`, a SQLAlchemy URL): campaigns and advertisers become the type-2 "
        "dimensions `dim.campaigns` and `dim.advertisers` (rows changed since the last "
        "extract, by `updated_at`), exchange rates become `dim.exchange_rates`. "
        "`airlake generate --source-url URL` creates and fills them with demo data.",
        "",
    ]
    for doc in SOURCE_DOCS:
        table = meta.tables[doc.name]
        lines += [
            f"### `{doc.name}`",
            "",
            doc.doc,
            "",
            "| column | PostgreSQL | Oracle | key | meaning |",
            "|---|---|---|---|---|",
        ]
        for column in table.columns:
            key = "primary key" if column.primary_key else ""
            lines.append(
                f"| `{column.name}` | {_sa_type(column, 'postgresql')} | "
                f"{_sa_type(column, 'oracle')} | {key} | {_cell(doc.columns[column.name])} |"
            )
        lines.append("")
    lines += [
        "### DDL for PostgreSQL",
        "",
        "```sql",
        ddl("postgresql"),
        "```",
        "",
        "### DDL for Oracle",
        "",
        "```sql",
        ddl("oracle"),
        "```",
        "",
    ]
    return lines


def render(tables: Iterable[TableDef] = TABLES) -> str:
    """docs/tables.md as the definitions give it.

    Raises:
        UndocumentedColumnError: a column has no description.
    """
    tables = tuple(tables)
    missing = undocumented(tables)
    if missing:
        raise UndocumentedColumnError(
            "columns without a description in airlake.tables: " + ", ".join(missing)
        )
    lines = [
        "# Data dictionary",
        "",
        f"<!-- Generated by `{GENERATED_BY}` from src/airlake/tables.py, "
        "src/airlake/source_schema.py and the pipeline's constants. Do not edit by hand: "
        "change the definitions and regenerate (`make docs`). -->",
        "",
        "Every table airlake writes, every column with its type, meaning, formula and rounding; "
        "the rules they follow; and the reference source a team provides.",
        "",
        "## Tables",
        "",
        *[f"- `{t.name}`" for t in tables],
        "",
    ]
    for t in tables:
        lines += _table_section(t)
    lines += _rules()
    lines += _source_section()
    return "\n".join(lines).rstrip("\n") + "\n"
