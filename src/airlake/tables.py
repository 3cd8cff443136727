"""The table layer: every table the pipeline owns, and the one way it is written.

Each table is an Iceberg table partitioned by identity on a date column. A stage replaces the
partitions it owns in ONE Iceberg commit (delete the partitions + add the new Parquet files in a
single transaction), so a reader sees the old or the new partitions, never a mix, and re-running
a stage replaces exactly what it wrote before. Engines only produce Parquet files; this module is
the same for every engine.
"""

from __future__ import annotations

import hashlib
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from airlake.contract import FIELDS, FieldType, Reason
from airlake.errors import UserError
from airlake.storage import StorageOptions, filesystem, fs_path, is_remote, join

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.table import Table

TS = pa.timestamp("us", tz="UTC")
MONEY = pa.decimal128(18, 6)
"""One amount as the contract accepts it: below 10**12, six places (see contract.MAX_AMOUNT)."""
MONEY_SUM = pa.decimal128(38, 6)
"""A report's sum of amounts: 32 integer digits. One converted amount is below 10**16 (an amount
below 10**12 times a factor below 10**4, see exchange_rates.MAX_FACTOR), so a sum can overflow
only past 10**16 events of one campaign on one day: no valid input reaches that. 38 digits is
the widest decimal DuckDB, Spark, Trino/Athena and Iceberg all hold."""
COMMIT_ATTEMPTS = 6


@dataclass(frozen=True, slots=True)
class TableDef:
    """A table the pipeline owns: name, Arrow schema, and its partition column.

    ``descriptions`` documents every column: what it means, and for a computed column its
    formula and rounding. The data dictionary (docs/tables.md) is generated from it, and a test
    requires an entry for every column of every table.
    """

    name: str
    schema: pa.Schema
    partition_column: str | None
    doc: str
    descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def partitioned_by(self) -> str:
        """The partition column of a partitioned table (what stages replace)."""
        if self.partition_column is None:
            raise ValueError(f"{self.name} is not partitioned")
        return self.partition_column

    @property
    def namespace(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.schema.names)


def _contract_fields() -> list[pa.Field]:
    arrow = {FieldType.STRING: pa.string(), FieldType.NUMBER: MONEY, FieldType.TIMESTAMP: TS}
    return [pa.field(f.name, arrow[f.type]) for f in FIELDS]


MONEY_ROUNDING = "DECIMAL(18, 6): amounts with more decimals are rounded half away from zero"

_CONTRACT_DOCS = {f.name: f.doc for f in FIELDS} | {
    "revenue": "For a conversion: order value in `currency`; " + MONEY_ROUNDING + ".",
    "cost": "For an impression or click: media cost in `currency`; " + MONEY_ROUNDING + ".",
    "event_ts": "When the event happened, in UTC (any RFC 3339 offset is converted; fractions "
    "beyond microseconds are cut, not rounded).",
    "received_ts": "When the collector received it, in UTC (converted and cut like event_ts).",
    "currency": "ISO-4217 code of cost / revenue, upper-cased (one of the accepted currencies).",
}
_SOURCE_DOCS = {
    "source_topic": "Kafka topic of the line, from the sink file's key.",
    "source_partition": "Kafka partition, from the sink file's name.",
    "source_offset": "Kafka offset of the line: the file's first offset + line number - 1.",
    "source_file": "Landing file the line was read from (relative to the landing root).",
    "source_line": "Line number within that file, from 1.",
    "landing_date": "Day of the landing folder the file was in (the sink's record-time day).",
    "landing_hour": "Hour of the landing folder (0-23).",
}
_EVENT_DATE = "UTC calendar date of event_ts."

_SOURCE = [
    pa.field("source_topic", pa.string()),
    pa.field("source_partition", pa.int32()),
    pa.field("source_offset", pa.int64()),
    pa.field("source_file", pa.string()),
    pa.field("source_line", pa.int32()),
    pa.field("landing_date", pa.date32()),
    pa.field("landing_hour", pa.int32()),
]

RAW_EVENTS = TableDef(
    "raw.events",
    pa.schema([*_contract_fields(), pa.field("event_date", pa.date32()), *_SOURCE]),
    "landing_date",
    "Every landing line that passed the contract, typed, duplicates included, by landing day.",
    _CONTRACT_DOCS | {"event_date": _EVENT_DATE} | _SOURCE_DOCS,
)
RAW_QUARANTINE = TableDef(
    "raw.quarantine",
    pa.schema(
        [
            *_SOURCE,
            pa.field("reason", pa.string()),
            pa.field("detail", pa.string()),
            pa.field("raw_line", pa.string()),
            pa.field("raw_bytes", pa.binary()),
        ]
    ),
    "landing_date",
    "Landing lines that broke the contract: the line as received, where it came from, and why."
    " raw_bytes holds the exact bytes when the line is not valid UTF-8.",
    _SOURCE_DOCS
    | {
        "source_offset": "Kafka offset of the line (file's first offset + line number - 1).",
        "reason": "Why the line was rejected: one of the quarantine reasons (see Data quality).",
        "detail": "The specific problem (e.g. the field and the value).",
        "raw_line": "The line as text when it is valid UTF-8, else null.",
        "raw_bytes": "The line's exact bytes when it is not valid UTF-8 (or the first bytes "
        "of a line over the length limit), else null.",
    },
)
RAW_LANDING_FILES = TableDef(
    "raw.landing_files",
    pa.schema(
        [
            pa.field("landing_date", pa.date32()),
            pa.field("path", pa.string()),
            pa.field("size", pa.int64()),
            pa.field("version", pa.string()),
            pa.field("sink_file", pa.bool_()),
            pa.field("lines", pa.int64()),
        ]
    ),
    "landing_date",
    "The files of each landing day at ingest: the sink files read (sink_file) and any other "
    "file found in the day's folders, never read (counted in data quality).",
    {
        "landing_date": "The landing day whose folders hold the file.",
        "path": "The file, relative to the landing root.",
        "size": "Size in bytes at ingest.",
        "version": "The storage's version of the file (the S3 ETag, or the local modification "
        "time): a file whose version changed is read again.",
        "sink_file": "True for a file named like the sink's output (read); false for any other "
        "file (never read, counted in other_files).",
        "lines": "Lines of a sink file: its rows in raw.events + raw.quarantine (null for other "
        "files).",
    },
)
CLEAN_EVENTS = TableDef(
    "clean.events",
    pa.schema(
        [
            *_contract_fields(),
            pa.field("event_date", pa.date32()),
            pa.field("is_bot", pa.bool_()),
            *_SOURCE,
        ]
    ),
    "event_date",
    "Deduplicated, normalised events with a bot flag, by event date.",
    _CONTRACT_DOCS
    | {
        "event_id": "Unique id of the event: one row per event_id. Of several deliveries the "
        "first wins: earliest landing_date, landing_hour, then topic, partition, offset, file, "
        "line.",
        "channel": "display | search | social | video | email; lower-cased and trimmed.",
        "country": "ISO-3166 alpha-2 country, upper-cased and trimmed.",
        "device_type": "desktop | mobile | tablet | other; lower-cased and trimmed.",
        "event_date": _EVENT_DATE,
        "is_bot": "True when user_agent matches a pattern of the crawler list "
        "(crawler-user-agents, case-sensitive) or ip starts with a crawler range. Flagged, "
        "never dropped.",
    }
    | _SOURCE_DOCS,
)
CLEAN_SESSIONS = TableDef(
    "clean.sessions",
    pa.schema(
        [
            pa.field("event_date", pa.date32()),
            pa.field("session_id", pa.string()),
            pa.field("anonymous_id", pa.string()),
            pa.field("session_start", TS),
            pa.field("session_end", TS),
            pa.field("events", pa.int64()),
            pa.field("impressions", pa.int64()),
            pa.field("clicks", pa.int64()),
            pa.field("page_views", pa.int64()),
            pa.field("conversions", pa.int64()),
            pa.field("is_bot", pa.bool_()),
        ]
    ),
    "event_date",
    "Sessions: a visitor's events with gaps of at most 30 minutes, within one UTC day.",
    {
        "event_date": "The UTC day of the session's events (a session never spans midnight).",
        "session_id": "anonymous_id/event_date/n, n counting the visitor's sessions that day "
        "from 1.",
        "anonymous_id": "The visitor.",
        "session_start": "event_ts of the session's first event.",
        "session_end": "event_ts of its last event.",
        "events": "Events in the session (a new session starts after more than 30 minutes "
        "without an event).",
        "impressions": "Impression events in the session.",
        "clicks": "Click events in the session.",
        "page_views": "Page-view events in the session.",
        "conversions": "Conversion events in the session.",
        "is_bot": "True when any event of the session is a bot event.",
    },
)
CLEAN_ATTRIBUTION = TableDef(
    "clean.attributed_conversions",
    pa.schema(
        [
            pa.field("event_date", pa.date32()),
            pa.field("conversion_event_id", pa.string()),
            pa.field("anonymous_id", pa.string()),
            pa.field("order_id", pa.string()),
            pa.field("conversion_ts", TS),
            pa.field("revenue", MONEY),
            pa.field("campaign_id", pa.string()),
            pa.field("click_event_id", pa.string()),
            pa.field("click_ts", TS),
            pa.field("model", pa.string()),
            pa.field("credit", pa.float64()),
            pa.field("currency", pa.string()),
        ]
    ),
    "event_date",
    "Human conversions with the click(s) credited; unattributed ones have a null campaign.",
    {
        "event_date": "UTC date of the conversion: the day the conversion is credited to.",
        "conversion_event_id": "event_id of the conversion.",
        "anonymous_id": "The visitor who converted (and clicked).",
        "order_id": "The shop's order id.",
        "conversion_ts": "event_ts of the conversion.",
        "revenue": "Order value in `currency`, as received (DECIMAL(18, 6)).",
        "campaign_id": "Campaign of the credited click; null when no human click of the "
        "visitor falls in the lookback.",
        "click_event_id": "event_id of the credited click, or null.",
        "click_ts": "event_ts of the credited click, or null.",
        "model": "Attribution model of the run: last_click, first_click or linear.",
        "credit": "Share of the conversion credited to this click: 1.0, or 1/n for each of n "
        "clicks under linear; 1.0 for an unattributed conversion.",
        "currency": "Currency of revenue.",
    },
)
REPORT_CAMPAIGN = TableDef(
    "reports.campaign_daily",
    pa.schema(
        [
            pa.field("event_date", pa.date32()),
            pa.field("campaign_id", pa.string()),
            pa.field("impressions", pa.int64()),
            pa.field("clicks", pa.int64()),
            pa.field("conversions", pa.float64()),
            pa.field("spend", MONEY_SUM),
            pa.field("revenue", MONEY_SUM),
            pa.field("ctr", pa.float64()),
            pa.field("cvr", pa.float64()),
            pa.field("cpc", pa.float64()),
            pa.field("cpm", pa.float64()),
            pa.field("cpa", pa.float64()),
            pa.field("roas", pa.float64()),
            pa.field("bot_impressions", pa.int64()),
            pa.field("bot_clicks", pa.int64()),
            pa.field("campaign_name", pa.string()),
            pa.field("advertiser_name", pa.string()),
            pa.field("channel", pa.string()),
            pa.field("daily_budget", MONEY),
            pa.field("budget_pacing", pa.float64()),
            pa.field("reporting_currency", pa.string()),
            pa.field("currency", pa.string()),
            pa.field("spend_original", MONEY_SUM),
            pa.field("revenue_original", MONEY_SUM),
            pa.field("unconverted_events", pa.int64()),
        ]
    ),
    "event_date",
    "Campaign performance per day on valid (non-bot) traffic; bot counts separate; names, "
    "channel and budget as of the event day (from dim.campaigns / dim.advertisers).",
    {
        "event_date": "UTC date of the events (impressions, clicks) and conversions counted.",
        "campaign_id": "The campaign.",
        "impressions": "Human (non-bot) impression events.",
        "clicks": "Human click events.",
        "conversions": "Sum of credit of the human conversions attributed to the campaign "
        "(a whole number under last_click / first_click, fractional under linear).",
        "spend": "Sum of cost of human impressions and clicks, each converted to the reporting "
        "currency: cost x to_reporting of its event_date, rounded half away from zero to 6 "
        "decimals per event (a cost already in the reporting currency is not converted; one "
        "without a rate is left out and counted in unconverted_events).",
        "revenue": "Sum of revenue of the attributed conversions, converted like spend; under "
        "linear each row is revenue x credit rounded to 6 decimals.",
        "ctr": "clicks / impressions (double, not rounded); null when impressions = 0.",
        "cvr": "conversions / clicks; null when clicks = 0.",
        "cpc": "spend / clicks; null when clicks = 0.",
        "cpm": "spend x 1000 / impressions; null when impressions = 0.",
        "cpa": "spend / conversions; null when conversions = 0.",
        "roas": "revenue / spend; null when spend = 0.",
        "bot_impressions": "Impression events flagged is_bot.",
        "bot_clicks": "Click events flagged is_bot.",
        "campaign_name": "dim.campaigns name of the version valid at the end of event_date.",
        "advertiser_name": "dim.advertisers name of the version valid at the end of event_date.",
        "channel": "dim.campaigns channel of that version.",
        "daily_budget": "dim.campaigns daily_budget of that version (reporting currency).",
        "budget_pacing": "spend / daily_budget; null when there is no budget or it is 0.",
        "reporting_currency": "The currency of spend and revenue (profile's reporting.currency).",
        "currency": "The original currency when all of the row's human events and conversions "
        "share one, else null.",
        "spend_original": "Sum of cost in `currency` (unconverted), when currency is set.",
        "revenue_original": "Sum of revenue (x credit) in `currency`, when currency is set.",
        "unconverted_events": "Human impressions/clicks plus attributed conversions whose "
        "amount had no exchange rate for the day (left out of spend / revenue).",
    },
)
REPORT_FUNNEL = TableDef(
    "reports.funnel_daily",
    pa.schema(
        [
            pa.field("event_date", pa.date32()),
            pa.field("visitors", pa.int64()),
            pa.field("sessions", pa.int64()),
            pa.field("impressions", pa.int64()),
            pa.field("clicks", pa.int64()),
            pa.field("page_views", pa.int64()),
            pa.field("conversions", pa.int64()),
            pa.field("click_through_rate", pa.float64()),
            pa.field("visit_rate", pa.float64()),
            pa.field("conversion_rate", pa.float64()),
            pa.field("bot_events", pa.int64()),
        ]
    ),
    "event_date",
    "The funnel per day on valid (non-bot) traffic.",
    {
        "event_date": "UTC date of the events.",
        "visitors": "Distinct anonymous_id with a human event that day.",
        "sessions": "Human sessions (clean.sessions with is_bot false).",
        "impressions": "Human impression events.",
        "clicks": "Human click events.",
        "page_views": "Human page-view events.",
        "conversions": "Human conversion events (attributed or not).",
        "click_through_rate": "clicks / impressions (double); null when impressions = 0.",
        "visit_rate": "page_views / clicks; null when clicks = 0.",
        "conversion_rate": "conversions / clicks; null when clicks = 0.",
        "bot_events": "Events of any type flagged is_bot.",
    },
)
REPORT_QUALITY = TableDef(
    "reports.data_quality_daily",
    pa.schema(
        [
            pa.field("landing_date", pa.date32()),
            pa.field("lines", pa.int64()),
            pa.field("valid", pa.int64()),
            pa.field("duplicates", pa.int64()),
            pa.field("quarantined", pa.int64()),
            *[pa.field(f"q_{r.value}", pa.int64()) for r in Reason],
            pa.field("bot_events", pa.int64()),
            pa.field("late_events", pa.int64()),
            pa.field("quarantine_share", pa.float64()),
            pa.field("no_rate_events", pa.int64()),
            pa.field("other_files", pa.int64()),
            pa.field("other_file_names", pa.string()),
        ]
    ),
    "landing_date",
    "Per landing day: lines received = valid + duplicates + quarantined, by reason.",
    {
        "landing_date": "The landing day counted.",
        "lines": "Lines received that day: valid + duplicates + quarantined.",
        "valid": "Events whose first delivery landed that day (after dedupe).",
        "duplicates": "Lines that passed the contract but repeat an event_id delivered before "
        "(in landing order).",
        "quarantined": "Lines rejected by the contract (any reason); counted before dedupe.",
        **{
            f"q_{r.value}": f"Quarantined lines with reason {r.value} (a subset of quarantined)."
            for r in Reason
        },
        "bot_events": "Valid events (after dedupe) flagged is_bot.",
        "late_events": "Valid events (after dedupe) whose event_date is before landing_date.",
        "quarantine_share": "quarantined / lines (double); null when lines = 0.",
        "no_rate_events": "Valid events (after dedupe) with a cost or revenue in a currency "
        "other than the reporting one and no rate for their event_date.",
        "other_files": "Files in the day's folders not named like sink files (never read).",
        "other_file_names": "Their paths, sorted, comma-separated; null when none.",
    },
)

_VERSION_DOCS = {
    "valid_from": "When this version became current (the source row's updated_at).",
    "valid_to": "When the next version replaced it (its updated_at), or, for a row gone from "
    "the source, the end of the run day whose extract found it gone; null while current.",
    "is_current": "True for the version valid now.",
    "source_updated_at": "updated_at of the source row this version was read from.",
}

_VERSIONS = [
    pa.field("valid_from", TS),
    pa.field("valid_to", TS),
    pa.field("is_current", pa.bool_()),
    pa.field("source_updated_at", TS),
]
DIM_ADVERTISERS = TableDef(
    "dim.advertisers",
    pa.schema([pa.field("advertiser_id", pa.string()), pa.field("name", pa.string()), *_VERSIONS]),
    None,
    "Advertisers with history (type 2): one row per version, valid_from/valid_to, is_current.",
    {"advertiser_id": "Advertiser key.", "name": "Advertiser name."} | _VERSION_DOCS,
)
DIM_CAMPAIGNS = TableDef(
    "dim.campaigns",
    pa.schema(
        [
            pa.field("campaign_id", pa.string()),
            pa.field("advertiser_id", pa.string()),
            pa.field("name", pa.string()),
            pa.field("channel", pa.string()),
            pa.field("daily_budget", MONEY),
            *_VERSIONS,
        ]
    ),
    None,
    "Campaigns with history (type 2): name, advertiser, channel and daily budget per version.",
    {
        "campaign_id": "Campaign key, as events carry it.",
        "advertiser_id": "The campaign's advertiser.",
        "name": "Campaign name.",
        "channel": "Channel of the campaign.",
        "daily_budget": "Budget per day in the reporting currency (2 decimals in the source).",
    }
    | _VERSION_DOCS,
)

DIM_EXCHANGE_RATES = TableDef(
    "dim.exchange_rates",
    pa.schema(
        [
            pa.field("rate_date", pa.date32()),
            pa.field("currency", pa.string()),
            pa.field("per_base", MONEY),
            pa.field("reporting_currency", pa.string()),
            pa.field("to_reporting", pa.decimal128(18, 10)),
        ]
    ),
    None,
    "Daily exchange rates per base currency, and the factor to the reporting currency.",
    {
        "rate_date": "The day the rate is for.",
        "currency": "The quoted currency (the base, EUR, is listed with per_base 1).",
        "per_base": "Units of currency per 1 EUR, as the source holds it.",
        "reporting_currency": "The currency amounts are converted to.",
        "to_reporting": "Factor from currency to reporting_currency: per_base(reporting) / "
        "per_base(currency), rounded half away from zero to 10 decimals.",
    },
)

REPORT_PACING = TableDef(
    "reports.pacing_intraday",
    pa.schema(
        [
            pa.field("as_of", TS),
            pa.field("business_date", pa.date32()),
            pa.field("campaign_id", pa.string()),
            pa.field("campaign_name", pa.string()),
            pa.field("advertiser_name", pa.string()),
            pa.field("reporting_currency", pa.string()),
            pa.field("spend", MONEY),
            pa.field("daily_budget", MONEY),
            pa.field("elapsed_share", pa.float64()),
            pa.field("projected_spend", MONEY),
            pa.field("pacing_ratio", pa.float64()),
            pa.field("status", pa.string()),
            pa.field("data_through", TS),
        ]
    ),
    "business_date",
    "Budget pacing per campaign and intraday refresh, by business day (intraday.business_timezone):"
    " as_of (the refresh's time, UTC); spend so far of valid traffic in the reporting currency; "
    "daily_budget; elapsed_share of the business day (0..1); projected_spend at the end of the "
    "day (hour-of-day profile of past days, linear without history); pacing_ratio = projected / "
    "budget; status on_track | over_pacing | under_pacing | budget_exhausted; data_through: the "
    "newest event time read, never later than as_of. One row per campaign and refresh.",
    {
        "as_of": "The refresh's time (UTC): the wall clock of the refresh, never an event time.",
        "business_date": "The advertiser's business day (intraday.business_timezone) the pacing "
        "is for.",
        "campaign_id": "The campaign.",
        "campaign_name": "The campaign's name from dim.campaigns as of the business day.",
        "advertiser_name": "The advertiser's name from dim.advertisers.",
        "reporting_currency": "The currency of spend, daily_budget and projected_spend.",
        "spend": "Spend so far of valid (non-bot, deduplicated) traffic on the business day, in "
        "the reporting currency.",
        "daily_budget": "The campaign's daily budget as of the business day.",
        "elapsed_share": "Share of the business day elapsed at data_through (0..1).",
        "projected_spend": "Projected end-of-day spend: spend divided by the share of a day's "
        "spend that past days had reached by this hour (hour-of-day profile), or by "
        "elapsed_share without history (docs/intraday.md).",
        "pacing_ratio": "projected_spend / daily_budget (null without a budget).",
        "status": "on_track | over_pacing | under_pacing | budget_exhausted (spend >= budget).",
        "data_through": "The newest event time read (UTC), never later than as_of.",
    },
)
REPORT_ALERTS = TableDef(
    "reports.alerts",
    pa.schema(
        [
            pa.field("alert_key", pa.string()),
            pa.field("business_date", pa.date32()),
            pa.field("rule", pa.string()),
            pa.field("subject", pa.string()),
            pa.field("severity", pa.string()),
            pa.field("message", pa.string()),
            pa.field("first_seen", TS),
            pa.field("last_seen", TS),
            pa.field("is_open", pa.bool_()),
            pa.field("resolved_at", TS),
        ]
    ),
    "business_date",
    "Alerts of the intraday refresh, one row per alert_key (rule:subject:business day, stable): "
    "rule projected_over_budget | over_budget | stale_topic | quarantine_share; subject (a "
    "campaign id or a topic); severity warning | critical; message; first_seen stays, last_seen "
    "moves at every refresh that still sees it; is_open, and resolved_at (null while open).",
    {
        "alert_key": "rule:subject:business_date, stable across refreshes: one row per alert.",
        "business_date": "The business day the alert is about.",
        "rule": "projected_over_budget | over_budget | stale_topic | quarantine_share.",
        "subject": "The campaign id (budget rules), the topic (stale_topic) or 'landing' "
        "(quarantine_share: today's landing lines).",
        "severity": "warning or critical.",
        "message": "The alert's text, as the intraday DAG's alerts task fails with it.",
        "first_seen": "The refresh (as_of) that first saw the rule fire; never moves.",
        "last_seen": "The latest refresh that still saw it.",
        "is_open": "True while the latest refresh still sees the rule fire.",
        "resolved_at": "The refresh that no longer saw it (null while open).",
    },
)

TABLES: tuple[TableDef, ...] = (
    RAW_EVENTS,
    RAW_QUARANTINE,
    RAW_LANDING_FILES,
    CLEAN_EVENTS,
    CLEAN_SESSIONS,
    CLEAN_ATTRIBUTION,
    REPORT_CAMPAIGN,
    REPORT_FUNNEL,
    REPORT_QUALITY,
    DIM_ADVERTISERS,
    DIM_CAMPAIGNS,
    DIM_EXCHANGE_RATES,
    REPORT_PACING,
    REPORT_ALERTS,
)
BY_NAME = {t.name: t for t in TABLES}


def table_def(name: str) -> TableDef:
    """Look up a table by ``namespace.name``. Raises UserError with the known names."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise UserError(f"unknown table {name!r}; known: {', '.join(BY_NAME)}") from None


def _widened_decimals(table: Table, tdef: TableDef) -> list[tuple[str, int, int]]:
    """Decimal columns the definition holds with more digits than the table (same scale):
    (name, precision, scale) each. Iceberg promotes decimal(P, S) to decimal(P', S), P' > P."""
    from pyiceberg.types import DecimalType

    have = {f.name: f.field_type for f in table.schema().fields}
    out = []
    for f in tdef.schema:
        old = have.get(f.name)
        if (
            isinstance(old, DecimalType)
            and pa.types.is_decimal(f.type)
            and f.type.scale == old.scale
            and f.type.precision > old.precision
        ):
            out.append((f.name, f.type.precision, f.type.scale))
    return out


def _with_new_columns(catalog: Catalog, table: Table, tdef: TableDef) -> Table:
    """A table made by an earlier version gets the columns added since (nullable, at the end:
    older rows read them as null) and its decimals widened where the definition widened them
    (older files read as the wider type); nothing else about a schema changes silently.

    Two runs of a new version may change it at once: the loser's commit fails, and it looks
    again at the schema the winner committed (both changes are idempotent).
    """
    from pyiceberg.exceptions import CommitFailedException, ValidationException
    from pyiceberg.io.pyarrow import _pyarrow_to_schema_without_ids
    from pyiceberg.types import DecimalType

    for _ in range(COMMIT_ATTEMPTS):
        have = {f.name for f in table.schema().fields}
        missing = [f for f in tdef.schema if f.name not in have]
        widen = _widened_decimals(table, tdef)
        if not missing and not widen:
            return table
        try:
            with table.update_schema() as update:
                for name, precision, scale in widen:
                    update.update_column(name, field_type=DecimalType(precision, scale))
                if missing:
                    update.union_by_name(_pyarrow_to_schema_without_ids(pa.schema(missing)))
            return table
        except (CommitFailedException, ValidationException):
            table = catalog.load_table(tdef.name)
    raise UserError(
        f"could not add the new columns of {tdef.name}: another run committed first; re-run"
    )


def ensure_table(catalog: Catalog, tdef: TableDef) -> Table:
    """Create the namespace and table if missing; return the table."""
    from pyiceberg.exceptions import NamespaceAlreadyExistsError, TableAlreadyExistsError
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import IdentityTransform

    try:
        catalog.create_namespace(tdef.namespace)
    except NamespaceAlreadyExistsError:
        pass
    except Exception:
        # Two runs creating the namespace at once: the loser's insert fails on the catalog's
        # unique key (IntegrityError / UniqueViolation) after pyiceberg's existence check
        # passed. Fine when the namespace exists now; anything else is a real error.
        if not _namespace_exists(catalog, tdef.namespace):
            raise
    if catalog.table_exists(tdef.name):
        return _with_new_columns(catalog, catalog.load_table(tdef.name), tdef)
    from pyiceberg.io.pyarrow import _pyarrow_to_schema_without_ids
    from pyiceberg.schema import assign_fresh_schema_ids

    schema = assign_fresh_schema_ids(_pyarrow_to_schema_without_ids(tdef.schema))
    if tdef.partition_column is None:
        spec = PartitionSpec()
    else:
        source_id = schema.find_field(tdef.partition_column).field_id
        spec = PartitionSpec(
            PartitionField(
                source_id=source_id,
                field_id=1000,
                transform=IdentityTransform(),
                name=tdef.partition_column,
            )
        )
    try:
        return catalog.create_table(
            tdef.name,
            schema=schema,
            partition_spec=spec,
            properties={"format-version": "2", "comment": tdef.doc},
        )
    except TableAlreadyExistsError:  # created concurrently by another run
        return catalog.load_table(tdef.name)
    except Exception:
        # The same race on the table row (see above), reported as the database's own error.
        if catalog.table_exists(tdef.name):
            return catalog.load_table(tdef.name)
        raise


def _namespace_exists(catalog: Catalog, namespace: str) -> bool:
    return (namespace,) in {tuple(n) for n in catalog.list_namespaces()}


def data_files(table: Table, column: str | None, values: Iterable[date]) -> list[str]:
    """Paths of the data files holding the given partitions (whole-file layout, no deletes);
    every file of an unpartitioned table."""
    if table.current_snapshot() is None:
        return []
    if column is None:
        return sorted(task.file.file_path for task in table.scan().plan_files())
    wanted = sorted(set(values))
    if not wanted:
        return []
    scan = table.scan(row_filter=in_filter(column, wanted))
    return sorted(task.file.file_path for task in scan.plan_files())


def in_filter(column: str, values: Iterable[date]) -> str:
    """A pyiceberg row filter selecting the given dates of a column."""
    listed = ", ".join(f"'{v.isoformat()}'" for v in sorted(set(values)))
    return f"{column} IN ({listed})" if listed else "false"


@dataclass(frozen=True, slots=True)
class CommitResult:
    table: str
    snapshot_id: int | None
    files: int
    partitions: tuple[date, ...]
    rows: int = 0
    """Rows written by the commit (what a stage reports next to its time)."""


def replace_partitions(
    catalog: Catalog,
    tdef: TableDef,
    local_files: Sequence[str],
    partitions: Iterable[date],
    storage: StorageOptions,
    properties: dict[str, str] | None = None,
) -> CommitResult:
    """Replace ``partitions`` of the table with the rows in ``local_files``, in one commit.

    ``local_files`` are Parquet files on the local disk written by an engine, one partition
    value per file, partition column inside. They are copied under the table's data location
    first (nothing is visible until the commit), then one transaction deletes the partitions and
    adds the files. A concurrent commit to the same table is retried from a fresh read of the
    table: the content is deterministic, so the retry converges to the same rows.
    """
    from pyiceberg.exceptions import CommitFailedException, ValidationException

    table = ensure_table(catalog, tdef)
    parts = tuple(sorted(set(partitions)))
    rows = sum(pq.read_metadata(f).num_rows for f in local_files)
    remote = _place_files(table, tdef, local_files, storage)
    props = {"airlake.partitions": ",".join(p.isoformat() for p in parts), **(properties or {})}
    last_error: Exception | None = None
    for _ in range(COMMIT_ATTEMPTS):
        try:
            with warnings.catch_warnings():
                # pyiceberg warns when a delete matches nothing (first run): expected here.
                warnings.filterwarnings(
                    "ignore", message="Delete operation did not match any records"
                )
                with table.transaction() as tx:
                    tx.delete(
                        in_filter(tdef.partitioned_by, parts),
                        snapshot_properties=props,
                    )
                    if remote:
                        tx.add_files(remote, snapshot_properties=props, check_duplicate_files=False)
            snap = table.current_snapshot()
            return CommitResult(
                tdef.name, snap.snapshot_id if snap else None, len(remote), parts, rows
            )
        except (CommitFailedException, ValidationException) as exc:
            # Another run committed to the table first: redo the replace on its new state.
            last_error = exc
            table = catalog.load_table(tdef.name)
    raise UserError(
        f"could not commit {tdef.name}: another run committed first; re-run "
        f"(last conflict: {last_error})"
    )


def append_files(
    catalog: Catalog,
    tdef: TableDef,
    local_files: Sequence[str],
    storage: StorageOptions,
    properties: dict[str, str] | None = None,
) -> CommitResult:
    """Add the rows in ``local_files`` to the table in one commit, replacing nothing.

    For the intraday refresh, whose new landing files only add rows. Not idempotent by itself:
    the caller records what it appended (raw.landing_files) and repairs a partial append.
    A concurrent commit is retried from a fresh read (an append commutes with any other).
    """
    from pyiceberg.exceptions import CommitFailedException, ValidationException

    table = ensure_table(catalog, tdef)
    rows = sum(pq.read_metadata(f).num_rows for f in local_files)
    if not local_files:
        return CommitResult(tdef.name, None, 0, (), 0)
    parts = tuple(
        sorted(
            {
                date.fromisoformat(_partition_dir(f, tdef.partitioned_by).split("=", 1)[1])
                for f in local_files
            }
        )
    )
    remote = _place_files(table, tdef, local_files, storage)
    props = {"airlake.partitions": ",".join(p.isoformat() for p in parts), **(properties or {})}
    for _ in range(COMMIT_ATTEMPTS):
        try:
            with table.transaction() as tx:
                tx.add_files(remote, snapshot_properties=props, check_duplicate_files=False)
            snap = table.current_snapshot()
            return CommitResult(
                tdef.name, snap.snapshot_id if snap else None, len(remote), parts, rows
            )
        except (CommitFailedException, ValidationException):
            table = catalog.load_table(tdef.name)
    raise UserError(f"could not commit {tdef.name}: another run committed first; re-run")


def replace_table(
    catalog: Catalog, tdef: TableDef, rows: pa.Table, properties: dict[str, str]
) -> CommitResult:
    """Replace a whole (small, unpartitioned) table in one commit, e.g. a dimension."""
    from pyiceberg.exceptions import CommitFailedException, ValidationException

    table = ensure_table(catalog, tdef)
    data = rows.select(tdef.schema.names).cast(tdef.schema)
    for _ in range(COMMIT_ATTEMPTS):
        try:
            with warnings.catch_warnings():
                # the first overwrite of an empty table deletes nothing: expected
                warnings.filterwarnings(
                    "ignore", message="Delete operation did not match any records"
                )
                table.overwrite(data, snapshot_properties=properties)
            snap = table.current_snapshot()
            return CommitResult(tdef.name, snap.snapshot_id if snap else None, 1, (), data.num_rows)
        except (CommitFailedException, ValidationException):
            # Another run committed first: the rows are the whole table, so overwrite again.
            table = catalog.load_table(tdef.name)
    raise UserError(f"could not commit {tdef.name}: another run committed first; re-run")


def snapshot_property(catalog: Catalog, name: str, key: str) -> str | None:
    """A property of the table's current snapshot summary (e.g. an extract watermark)."""
    if not catalog.table_exists(name):
        return None
    snap = catalog.load_table(name).current_snapshot()
    if snap is None or snap.summary is None:
        return None
    return snap.summary.additional_properties.get(key)


def _place_files(
    table: Table, tdef: TableDef, local_files: Sequence[str], storage: StorageOptions
) -> list[str]:
    """Copy engine output under the table's data location with unique names."""
    import os
    import shutil

    if not local_files:
        return []
    location = table.location()
    batch = uuid.uuid4().hex
    targets: list[str] = []
    fs = filesystem(location, storage)
    for i, src in enumerate(sorted(local_files)):
        part = _partition_dir(src, tdef.partitioned_by)
        dst = join(location, "data", part, f"{batch}-{i:05d}.parquet")
        if is_remote(location):
            fs.put_file(src, fs_path(dst))
        else:
            path = fs_path(dst)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            shutil.copyfile(src, path)
        targets.append(dst)
    return targets


def _partition_dir(path: str, column: str) -> str:
    marker = f"{column}="
    for piece in path.replace("\\", "/").split("/"):
        if piece.startswith(marker):
            return piece
    raise ValueError(f"engine output {path} is not in a {column}= folder")


def read_table(catalog: Catalog, name: str, row_filter: str | None = None) -> pa.Table:
    """Read a whole table (or a filtered part) into Arrow. For reports and tests, not bulk."""
    tdef = table_def(name)
    if not catalog.table_exists(tdef.name):
        return tdef.schema.empty_table()
    table = catalog.load_table(tdef.name)
    scan = table.scan(row_filter=row_filter) if row_filter else table.scan()
    return scan.to_arrow()


def content_hash(data: pa.Table) -> str:
    """An order-insensitive hash of a table's rows (for idempotency checks)."""
    rows = sorted(
        repr(tuple(row.values())) for row in data.select(sorted(data.column_names)).to_pylist()
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.encode())
    return digest.hexdigest()
