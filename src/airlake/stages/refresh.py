"""The intraday refresh: today's closed landing files, read once, into every table.

One refresh at time ``now`` (a parameter: tests and benchmarks pass a simulated clock):

1. lists the landing days of the late window ending at today (UTC) and picks the sink files not
   yet recorded in raw.landing_files — a file is there once it has its sink name (see
   docs/landing.md), so a file being written is read by a later refresh, never half;
2. per landing day: ingests only those files and **appends** them to raw.events and
   raw.quarantine, dedupes their events against each other and against the event ids already in
   clean.events (anti-join on the event dates they carry) and appends the new first copies to
   clean.events, then records the files in raw.landing_files — last, as the marker: a crash
   before it leaves rows the record does not account for, which the next refresh sees (more
   raw rows than recorded lines) and repairs by re-ingesting that landing day whole;
3. re-runs sessions, attribution, campaign and funnel reports on the event dates it touched
   (today's), and data quality on the landing days it touched, each replacing its partitions;
4. computes budget pacing for the business day and the alerts, and republishes the dashboard
   and the BI file.

Work follows the new files (ingest, dedupe) plus what sessions, attribution and the reports must
re-read: today's partitions. A refresh that finds nothing new commits nothing but the alerts it
changes (a quiet topic goes stale with time). The daily run for a day rebuilds its whole window
from raw, so any number of refreshes followed by the daily run end in the daily run's tables.
It holds the catalog's run lock (:mod:`airlake.run_lock`), as every daily stage does.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from airlake import models
from airlake.engines import Relation
from airlake.intraday.alerts import Alert, evaluate_rules, merge_alerts
from airlake.intraday.business_day import BusinessDay, business_day, day_bounds
from airlake.intraday.freshness import SeenFile, TopicStatus, topic_status
from airlake.intraday.pacing import CampaignSpend, PacingRow, hour_profile, pace
from airlake.landing import LandingFile, relative_name, scan_day
from airlake.run_context import RunContext, Window, window_for
from airlake.run_lock import run_lock
from airlake.stages.gate import quarantine_share
from airlake.stages.ingest import FileEntry, ingest_day, lines_per_file, write_listing
from airlake.stages.transform import (
    ATTRIBUTION,
    CAMPAIGN,
    CLEAN,
    FUNNEL,
    QUALITY,
    SESSIONS,
    run_model,
)
from airlake.tables import (
    CLEAN_EVENTS,
    DIM_ADVERTISERS,
    DIM_CAMPAIGNS,
    DIM_EXCHANGE_RATES,
    RAW_EVENTS,
    RAW_LANDING_FILES,
    RAW_QUARANTINE,
    REPORT_ALERTS,
    REPORT_PACING,
    CommitResult,
    append_files,
    data_files,
    ensure_table,
    in_filter,
    read_table,
    replace_partitions,
)

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

STAGE = "refresh"
NEWEST_EVENTS = "airlake.newest-events"
"""A property of reports.pacing_intraday: the newest event time read per topic (a refresh that
finds nothing new judges staleness from it without reading raw.events)."""
PACING_RULES = frozenset({"projected_over_budget", "over_budget"})
LANDING_SNAPSHOT = "airlake.landing-files-snapshot"
"""A property of reports.pacing_intraday: the raw.landing_files snapshot the derived tables
reflect (a refresh killed after recording its files rebuilds them at the next run)."""


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What one refresh did."""

    as_of: datetime
    business_date: date
    new_files: int
    landing_days: tuple[date, ...]
    """Landing days that received new files (or were repaired)."""
    event_dates: tuple[date, ...]
    """Event dates whose derived partitions were rebuilt."""
    open_alerts: tuple[Alert, ...]
    commits: tuple[CommitResult, ...]
    seconds: float
    repaired: tuple[date, ...] = field(default=())

    @property
    def noop(self) -> bool:
        """Nothing new was read and no derived table was rebuilt."""
        return not self.new_files and not self.event_dates


def _props(day: date, as_of: datetime, engine: str) -> dict[str, str]:
    return {
        "airlake.stage": STAGE,
        "airlake.landing-day": day.isoformat(),
        "airlake.as-of": as_of.isoformat(),
        "airlake.engine": engine,
    }


def _recorded(catalog: Catalog, day: date) -> list[dict[str, Any]]:
    return _recorded_days(catalog, [day]).get(day, [])


def _recorded_days(catalog: Catalog, days: Sequence[date]) -> dict[date, list[dict[str, Any]]]:
    """raw.landing_files rows of the given landing days, by day (one scan)."""
    out: dict[date, list[dict[str, Any]]] = {}
    for row in read_table(
        catalog, RAW_LANDING_FILES.name, in_filter("landing_date", days)
    ).to_pylist():
        out.setdefault(row["landing_date"], []).append(row)
    return out


def _needs_repair(catalog: Catalog, day: date, recorded: list[dict[str, Any]]) -> bool:
    """Whether raw holds more lines of landing day ``day`` than raw.landing_files accounts for:
    an append that crashed before its record. Table metadata only (file record counts)."""
    sink = [r for r in recorded if r["sink_file"]]
    if any(r["lines"] is None for r in sink):
        return False  # recorded by an older version, without line counts
    share = quarantine_share(catalog, day)
    return share.lines > sum(r["lines"] for r in sink)


def _replaced_by_daily(catalog: Catalog, days: Sequence[date], since: str | None) -> set[date]:
    """Landing days among ``days`` whose raw.landing_files partition a daily ingest replaced
    since the refreshes last looked (snapshot ``since``, or the last refresh's own commit):
    files it ingested never went through the refresh's dedupe into clean.events, so those
    days' clean partitions are rebuilt."""
    table = ensure_table(catalog, RAW_LANDING_FILES)
    found: set[date] = set()
    wanted = {d.isoformat() for d in days}
    for snap in sorted(table.snapshots(), key=lambda s: s.timestamp_ms, reverse=True):
        props = snap.summary.additional_properties if snap.summary else {}
        if str(snap.snapshot_id) == since or props.get("airlake.stage") == STAGE:
            break
        day = props.get("airlake.landing-day")
        if props.get("airlake.stage") == "ingest" and day in wanted:
            found.add(date.fromisoformat(day))
    return found


def _clean_new(
    ctx: RunContext, day: date, events: Sequence[str], tmp: str
) -> tuple[list[str], list[date]]:
    """First copies among the new raw rows of landing day ``day`` whose event ids clean.events
    does not hold yet: Parquet files ready to append, and their event dates."""
    s = ctx.settings
    start = day - timedelta(days=s.late_window_days - 1)
    # the clean model over the new rows only; event dates after the landing day (a clock-skewed
    # producer) wait for the daily run of their date, as they would without refreshes
    params = models.Params(
        window_start=start,
        window_end=day,
        context_start=start,
        landing_date=day,
        lookback_us=s.lookback_hours * 3600 * 1_000_000,
        attribution_model=s.attribution_model.value,
        reporting_currency=s.reporting_currency,
    )
    dialect = "duckdb" if ctx.engine.name == "duckdb" else ctx.engine.name
    sql = models.render("clean_events", params, dialect=dialect)
    fresh = ctx.engine.materialize(
        sql,
        {"raw_events": Relation(tuple(events), RAW_EVENTS.schema)},
        f"{tmp}/fresh",
        "event_date",
        CLEAN_EVENTS.schema,
    )
    if not fresh:
        return [], []
    dates = sorted({_partition_value(f) for f in fresh})
    table = ensure_table(ctx.catalog, CLEAN_EVENTS)
    seen = data_files(table, "event_date", dates)
    cols = ", ".join(f"f.{c}" for c in CLEAN_EVENTS.columns)
    anti = (
        f"SELECT {cols} FROM fresh AS f LEFT JOIN (SELECT DISTINCT event_id FROM clean_events) "
        "AS c ON f.event_id = c.event_id WHERE c.event_id IS NULL"
    )
    if dialect != "duckdb":
        import sqlglot

        anti = sqlglot.transpile(anti, read="duckdb", write=dialect)[0]
    files = ctx.engine.materialize(
        anti,
        {
            "fresh": Relation(tuple(fresh), CLEAN_EVENTS.schema),
            "clean_events": Relation(tuple(seen), CLEAN_EVENTS.schema),
        },
        f"{tmp}/new",
        "event_date",
        CLEAN_EVENTS.schema,
    )
    return files, sorted({_partition_value(f) for f in files})


def _partition_value(path: str) -> date:
    for piece in path.replace("\\", "/").split("/"):
        if "=" in piece:
            name, value = piece.split("=", 1)
            if name in ("event_date", "landing_date", "business_date"):
                return date.fromisoformat(value)
    raise ValueError(f"{path} is not in a partition folder")


def _ingest_new(
    ctx: RunContext, day: date, files: Sequence[LandingFile], as_of: datetime
) -> tuple[list[CommitResult], list[date]]:
    """Append the new files of one landing day to raw and clean, then record them."""
    s = ctx.settings
    props = _props(day, as_of, ctx.engine.name)
    results: list[CommitResult] = []
    with tempfile.TemporaryDirectory(prefix="airlake-refresh-") as tmp:
        out = ctx.engine.ingest(s.landing_uri, files, day, s.late_window_days, f"{tmp}/raw")
        # quarantine first, then events, then clean, then the record: every step before the
        # record is visible to the repair check (raw lines > recorded lines)
        results.append(
            append_files(ctx.catalog, RAW_QUARANTINE, out.quarantine, ctx.storage, props)
        )
        results.append(append_files(ctx.catalog, RAW_EVENTS, out.events, ctx.storage, props))
        clean, dates = _clean_new(ctx, day, out.events, tmp)
        results.append(append_files(ctx.catalog, CLEAN_EVENTS, clean, ctx.storage, props))
        counts = lines_per_file([*out.events, *out.quarantine])
        entries: list[FileEntry] = []
        for f in files:
            name = relative_name(s.landing_uri, f.uri)
            entries.append((name, f.size, f.version, True, counts.get(name, 0)))
        listing = write_listing(tmp, day, entries)
        results.append(append_files(ctx.catalog, RAW_LANDING_FILES, [listing], ctx.storage, props))
    return [r for r in results if r.files], dates


def _rebuild_day(ctx: RunContext, day: date, *, reingest: bool) -> list[CommitResult]:
    """A landing day the increments cannot trust: ingest it whole again (``reingest``) and
    rebuild the clean partitions it feeds, exactly as the daily run does."""
    results: list[CommitResult] = []
    if reingest:
        results += ingest_day(ctx, day, force=True)
    w = window_for(day, ctx.settings)
    results.append(run_model(ctx, CLEAN, w))
    return results


def _span(dates: Sequence[date], context_days: int) -> Window:
    first, last = min(dates), max(dates)
    return Window(last, (last - first).days + 1, context_days)


def _spend_sql(lo_us: int, hi_us: int, currency: str) -> str:
    cur = currency.replace("'", "''")
    return f"""
SELECT
    e.campaign_id,
    CAST(FLOOR(EPOCH_US(e.event_ts) / 3600000000) AS BIGINT) AS utc_hour,
    SUM(CASE WHEN e.currency = '{cur}' THEN e.cost
        ELSE CAST(CAST(e.cost AS DECIMAL(22, 6)) * CAST(r.to_reporting AS DECIMAL(14, 10))
            AS DECIMAL(18, 6)) END) AS spend,
    MAX(EPOCH_US(e.event_ts)) AS newest_us
FROM clean_events AS e
LEFT JOIN exchange_rates AS r
    ON r.rate_date = e.event_date AND r.currency = e.currency AND r.reporting_currency = '{cur}'
WHERE e.event_type IN ('impression', 'click') AND e.campaign_id IS NOT NULL AND NOT e.is_bot
    AND EPOCH_US(e.event_ts) >= {lo_us} AND EPOCH_US(e.event_ts) < {hi_us}
GROUP BY 1, 2
"""


def _us(t: datetime) -> int:
    return int((t - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)


def _version_at(rows: list[dict[str, Any]], key: str, at: datetime) -> dict[str, dict[str, Any]]:
    out = {}
    for r in rows:
        if r["valid_from"] <= at and (r["valid_to"] is None or r["valid_to"] > at):
            out[r[key]] = r
    return out


def compute_pacing(
    ctx: RunContext, day: BusinessDay, as_of: datetime, tz: ZoneInfo
) -> list[PacingRow]:
    """Pacing rows for the business day at ``as_of`` from clean.events and the dimensions."""
    s = ctx.settings
    history = day_bounds(day.day - timedelta(days=s.intraday.profile_days), tz)
    lo = history.start if s.intraday.profile_days else day.start
    dates = [lo.date() + timedelta(days=i) for i in range((day.end.date() - lo.date()).days + 1)]
    table = ensure_table(ctx.catalog, CLEAN_EVENTS)
    rates = ensure_table(ctx.catalog, DIM_EXCHANGE_RATES)
    sql = _spend_sql(_us(lo), _us(day.end), s.reporting_currency)
    if ctx.engine.name != "duckdb":
        import sqlglot

        sql = sqlglot.transpile(sql, read="duckdb", write=ctx.engine.name)[0]
    spend = ctx.engine.query(
        sql,
        {
            "clean_events": Relation(
                tuple(data_files(table, "event_date", dates)), CLEAN_EVENTS.schema
            ),
            "exchange_rates": Relation(
                tuple(data_files(rates, None, [])), DIM_EXCHANGE_RATES.schema
            ),
        },
    ).to_pylist()
    day_lo, day_hi = _us(day.start) // 3_600_000_000, _us(day.end) // 3_600_000_000
    today: dict[str, Decimal] = {}
    past: dict[str, dict[int, Decimal]] = {}
    pooled: dict[int, Decimal] = {}
    newest: int | None = None
    for r in spend:
        amount = r["spend"] or Decimal(0)
        if day_lo <= r["utc_hour"] < day_hi:
            today[r["campaign_id"]] = today.get(r["campaign_id"], Decimal(0)) + amount
            newest = max(newest or r["newest_us"], r["newest_us"])
        elif r["utc_hour"] < day_lo:
            local = datetime.fromtimestamp(r["utc_hour"] * 3600, UTC).astimezone(tz).hour
            hours = past.setdefault(r["campaign_id"], {})
            hours[local] = hours.get(local, Decimal(0)) + amount
            pooled[local] = pooled.get(local, Decimal(0)) + amount
    campaigns = _version_at(
        read_table(ctx.catalog, DIM_CAMPAIGNS.name).to_pylist(), "campaign_id", as_of
    )
    advertisers = _version_at(
        read_table(ctx.catalog, DIM_ADVERTISERS.name).to_pylist(), "advertiser_id", as_of
    )
    rows = [
        CampaignSpend(
            campaign_id=cid,
            campaign_name=c["name"],
            advertiser_name=(advertisers.get(c["advertiser_id"]) or {}).get("name"),
            daily_budget=c["daily_budget"],
            spend=today.get(cid, Decimal(0)).quantize(Decimal("0.000001")),
        )
        for cid, c in campaigns.items()
    ]
    profiles = {cid: p for cid, hours in past.items() if (p := hour_profile(hours)) is not None}
    through = (
        datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=newest)
        if newest is not None
        else None
    )
    return pace(
        rows,
        day,
        as_of,
        tz,
        profiles,
        hour_profile(pooled),
        through,
        s.reporting_currency,
        s.alerts.projected_over_budget_pct,
        s.intraday.under_pacing_pct,
    )


def _write_pacing(
    ctx: RunContext,
    day: date,
    rows: list[PacingRow],
    as_of: datetime,
) -> CommitResult:
    """Replace the business day's partition with its earlier refreshes' rows plus these (a
    refresh run again at the same as-of replaces its own rows)."""
    old = read_table(ctx.catalog, REPORT_PACING.name, f"business_date = '{day.isoformat()}'")
    kept = [r for r in old.to_pylist() if r["as_of"] != as_of]
    new = [{f: getattr(r, f) for f in REPORT_PACING.columns} for r in rows]
    data = pa.Table.from_pylist(kept + new, schema=REPORT_PACING.schema)
    return _replace_rows(
        ctx,
        REPORT_PACING,
        day,
        data,
        {"airlake.stage": STAGE, "airlake.as-of": as_of.isoformat()},
    )


def _mark(catalog: Catalog, marker: str, newest: dict[str, datetime]) -> None:
    """Keep, as table properties of reports.pacing_intraday (a commit of metadata only, made
    even when no row changed), what the derived tables now reflect."""
    table = ensure_table(catalog, REPORT_PACING)
    with table.transaction() as tx:
        tx.set_properties(
            {
                LANDING_SNAPSHOT: marker,
                NEWEST_EVENTS: json.dumps({t: v.isoformat() for t, v in sorted(newest.items())}),
            }
        )


def _marks(catalog: Catalog) -> tuple[str | None, dict[str, datetime]]:
    props = ensure_table(catalog, REPORT_PACING).properties
    newest = json.loads(props.get(NEWEST_EVENTS) or "{}")
    return props.get(LANDING_SNAPSHOT), {t: datetime.fromisoformat(v) for t, v in newest.items()}


def _replace_rows(
    ctx: RunContext, tdef: Any, day: date, data: pa.Table, props: dict[str, str]
) -> CommitResult:
    import os

    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="airlake-refresh-") as tmp:
        files = []
        if data.num_rows:
            part = f"{tmp}/{tdef.partitioned_by}={day.isoformat()}"
            os.makedirs(part)
            pq.write_table(data, f"{part}/rows.parquet")
            files.append(f"{part}/rows.parquet")
        return replace_partitions(ctx.catalog, tdef, files, [day], ctx.storage, props)


def read_alerts(catalog: Catalog, day: date | None = None) -> list[Alert]:
    """Alerts of one business day (all days when None), as stored."""
    where = f"business_date = '{day.isoformat()}'" if day else None
    return [Alert(**r) for r in read_table(catalog, REPORT_ALERTS.name, where).to_pylist()]


def newest_event_by_topic(
    ctx: RunContext, landing_days: Sequence[date], as_of: datetime
) -> dict[str, datetime]:
    """Per topic, the newest event time read from the given landing days, not after ``as_of``
    (a producer stamping events in the future does not make a topic look fresh)."""
    table = ensure_table(ctx.catalog, RAW_EVENTS)
    files = data_files(table, "landing_date", landing_days)
    if not files:
        return {}
    got = ctx.engine.query(
        "SELECT source_topic, MAX(EPOCH_US(event_ts)) AS newest_us FROM raw_events "
        f"WHERE EPOCH_US(event_ts) <= {_us(as_of)} GROUP BY 1",
        {"raw_events": Relation(tuple(files), RAW_EVENTS.schema)},
    ).to_pylist()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return {
        r["source_topic"]: epoch + timedelta(microseconds=r["newest_us"])
        for r in got
        if r["newest_us"] is not None
    }


def _update_alerts(
    ctx: RunContext,
    day: BusinessDay,
    as_of: datetime,
    pacing: list[PacingRow] | None,
    newest: dict[str, datetime],
) -> tuple[list[Alert], CommitResult | None]:
    s = ctx.settings
    existing = read_alerts(ctx.catalog, day.day)
    judged = existing
    held: list[Alert] = []
    if pacing is None:
        # no new data: the pacing rules stand as the last refresh judged them
        judged = [a for a in existing if a.rule not in PACING_RULES]
        held = [a for a in existing if a.rule in PACING_RULES]
    share = quarantine_share(ctx.catalog, as_of.date())
    fired = evaluate_rules(
        pacing or [],
        newest,
        (share.lines, share.quarantined) if share.lines else None,
        as_of,
        s.alerts.projected_over_budget_pct,
        s.alerts.stale_topic_minutes,
        s.alerts.max_quarantine_share,
    )
    merged = sorted(
        [*merge_alerts(judged, fired, day.day, as_of), *held], key=lambda a: a.alert_key
    )
    if merged == sorted(existing, key=lambda a: a.alert_key):
        return [a for a in merged if a.is_open], None
    data = pa.Table.from_pylist(
        [{f: getattr(a, f) for f in REPORT_ALERTS.columns} for a in merged],
        schema=REPORT_ALERTS.schema,
    )
    commit = _replace_rows(
        ctx,
        REPORT_ALERTS,
        day.day,
        data,
        {"airlake.stage": STAGE, "airlake.as-of": as_of.isoformat()},
    )
    return [a for a in merged if a.is_open], commit


def run_refresh(ctx: RunContext, now: datetime, *, publish: bool = True) -> RefreshResult:
    """One intraday refresh at ``now`` (aware; naive means UTC). See the module docstring.

    Raises:
        UserError: the landing root does not exist, or another run holds the lock too long.
    """
    started = time.perf_counter()
    as_of = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)
    s = ctx.settings
    tz = ZoneInfo(s.intraday.business_timezone)
    bday = business_day(as_of, tz)
    today = as_of.date()
    scope = [today - timedelta(days=i) for i in range(s.late_window_days - 1, -1, -1)]
    commits: list[CommitResult] = []
    touched_dates: set[date] = set()
    touched_days: set[date] = set()
    repaired: list[date] = []
    new_count = 0
    with run_lock(s, f"refresh at {as_of:%Y-%m-%d %H:%M} UTC", on_wait=ctx.on_progress):
        seen, stored_newest = _marks(ctx.catalog)
        daily = _replaced_by_daily(ctx.catalog, scope, seen)
        all_recorded = _recorded_days(ctx.catalog, scope)
        for day in scope:
            scanned = scan_day(s.landing_uri, day, ctx.storage)
            recorded = all_recorded.get(day, [])
            if _needs_repair(ctx.catalog, day, recorded):
                ctx.on_progress(
                    f"refresh: landing day {day} has rows of an unfinished refresh; re-ingesting it"
                )
                commits += _rebuild_day(ctx, day, reingest=True)
                repaired.append(day)
                touched_days.add(day)
                touched_dates.update(d for d in window_for(day, s).event_dates if d <= today)
                recorded = _recorded(ctx.catalog, day)
            elif day in daily:
                ctx.on_progress(
                    f"refresh: landing day {day} was ingested by a daily run; rebuilding its clean events"
                )
                commits += _rebuild_day(ctx, day, reingest=False)
                touched_days.add(day)
                touched_dates.update(d for d in window_for(day, s).event_dates if d <= today)
            known = {r["path"] for r in recorded}
            new = [f for f in scanned.files if relative_name(s.landing_uri, f.uri) not in known]
            if not new:
                continue
            ctx.on_progress(f"refresh: landing day {day}: {len(new)} new files")
            done, dates = _ingest_new(ctx, day, new, as_of)
            commits += done
            new_count += len(new)
            touched_days.add(day)
            touched_dates.update(dates)
        landing_snap = ensure_table(ctx.catalog, RAW_LANDING_FILES).current_snapshot()
        marker = str(landing_snap.snapshot_id) if landing_snap else ""
        stale = seen != marker
        pacing: list[PacingRow] | None = None
        if touched_dates or touched_days or (stale and marker):
            touched_dates.add(today)
            touched_days.add(today)
            dates = sorted(touched_dates)
            w = _span(dates, s.lookback_days)
            for step in (SESSIONS, ATTRIBUTION, CAMPAIGN, FUNNEL):
                ctx.on_progress(f"refresh: {step.model} for {w.start}..{w.day}")
                commits.append(run_model(ctx, step, w))
            for day in sorted(touched_days):
                if _recorded(ctx.catalog, day):
                    commits.append(run_model(ctx, QUALITY, window_for(day, s)))
            pacing = compute_pacing(ctx, bday, as_of, tz)
            newest = newest_event_by_topic(ctx, scope, as_of)
            commits.append(_write_pacing(ctx, bday.day, pacing, as_of))
            _mark(ctx.catalog, marker, newest)
        else:
            newest = stored_newest
        open_alerts, alert_commit = _update_alerts(ctx, bday, as_of, pacing, newest)
        if alert_commit is not None:
            commits.append(alert_commit)
        if publish and pacing is not None:
            from airlake.stages.publish import stage_publish

            stage_publish(ctx, window_for(today, s))
    return RefreshResult(
        as_of=as_of,
        business_date=bday.day,
        new_files=new_count,
        landing_days=tuple(sorted(touched_days)) if pacing is not None else (),
        event_dates=tuple(sorted(touched_dates)) if pacing is not None else (),
        open_alerts=tuple(open_alerts),
        commits=tuple(commits),
        seconds=time.perf_counter() - started,
        repaired=tuple(repaired),
    )


def landing_status(ctx: RunContext, now: datetime) -> list[TopicStatus]:
    """``airlake status``: per topic over the late window ending today, the newest landing
    file, the newest event time read (not after ``now``), the lag and the files waiting."""
    s = ctx.settings
    as_of = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)
    today = as_of.date()
    scope = [today - timedelta(days=i) for i in range(s.late_window_days - 1, -1, -1)]
    seen: list[SeenFile] = []
    for day in scope:
        known = {r["path"] for r in _recorded(ctx.catalog, day)}
        for f in scan_day(s.landing_uri, day, ctx.storage).files:
            name = relative_name(s.landing_uri, f.uri)
            seen.append(SeenFile(f.topic, name, f.modified, name in known))
    return topic_status(seen, newest_event_by_topic(ctx, scope, as_of), as_of)
