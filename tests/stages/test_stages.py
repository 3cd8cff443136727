"""The daily run on small hand-written landing data whose outcome is worked out by hand."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import version

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airlake.errors import UserError
from airlake.report.publish import reports_dir
from airlake.run_context import open_run
from airlake.settings import Settings
from airlake.stages import STAGE_NAMES, run_day
from airlake.tables import TABLES, content_hash, read_table
from airlake.validation import judge
from tests.conftest import click_line

D1 = date(2026, 11, 10)
D2 = D1 + timedelta(days=1)
CUBOT = (
    "Mozilla/5.0 (Linux; Android 12; Cubot Note 30) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/120.0.6099.144 Mobile Safari/537.36"
)


@pytest.fixture
def two_days(write_landing) -> None:
    """D1: e1, e2 (human clicks; e2 from a phone of the brand Cubot) and b1 (a bot click). D2: e1 again (redelivered), e3 (a D1
    click arriving a day late), e4 (a D2 click), and one line of garbage."""
    write_landing(
        D1,
        10,
        [
            click_line("e1", "2026-11-10T10:00:00"),
            click_line("e2", "2026-11-10T10:10:00", user_agent=CUBOT),
            click_line("b1", "2026-11-10T10:20:00", user_agent="Googlebot/2.1"),
        ],
    )
    write_landing(
        D2,
        1,
        [
            click_line("e1", "2026-11-10T10:00:00"),
            click_line("e3", "2026-11-10T23:59:00"),
            click_line("e4", "2026-11-11T00:30:00", campaign_id="cmp-002"),
            b"{not json",
        ],
        offset=3,
    )


def _tables(settings: Settings) -> dict[str, str]:
    with open_run(settings) as ctx:
        return {t.name: content_hash(read_table(ctx.catalog, t.name)) for t in TABLES}


def _quality(settings: Settings) -> dict[date, dict]:
    with open_run(settings) as ctx:
        return {
            r["landing_date"]: r
            for r in read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
        }


def test_accounting_and_reports_match_the_hand_count(two_days, local_settings: Settings) -> None:
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
        run_day(ctx, D2)
        campaign = {
            (r["event_date"], r["campaign_id"]): r
            for r in read_table(ctx.catalog, "reports.campaign_daily").to_pylist()
        }
    q = _quality(local_settings)
    assert (q[D1]["lines"], q[D1]["valid"], q[D1]["duplicates"], q[D1]["quarantined"]) == (
        3,
        3,
        0,
        0,
    )
    assert (q[D2]["lines"], q[D2]["valid"], q[D2]["duplicates"], q[D2]["quarantined"]) == (
        4,
        2,
        1,
        1,
    )
    assert q[D2]["q_malformed_json"] == 1
    assert q[D2]["late_events"] == 1
    assert q[D1]["bot_events"] == 1
    d1 = campaign[(D1, "cmp-001")]
    assert (d1["clicks"], d1["spend"], d1["bot_clicks"]) == (3, Decimal("0.750000"), 1)
    assert campaign[(D2, "cmp-002")]["clicks"] == 1
    with open_run(local_settings) as ctx:
        summary = ctx.catalog.load_table("clean.events").current_snapshot().summary
    assert summary["airlake.bot-list"] == f"crawler-user-agents {version('crawler-user-agents')}"


def test_rerunning_a_day_changes_nothing(two_days, local_settings: Settings) -> None:
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
        run_day(ctx, D2)
    first = _tables(local_settings)
    with open_run(local_settings) as ctx:
        run_day(ctx, D2)
        run_day(ctx, D2)
    assert _tables(local_settings) == first


def test_days_out_of_order_give_the_same_tables(
    two_days, local_settings: Settings, tmp_path
) -> None:
    with open_run(local_settings) as ctx:
        run_day(ctx, D2)
        run_day(ctx, D1)
    # D1's run, last, must still see the late e3 and the redelivery counted on D2.
    q = _quality(local_settings)
    assert q[D2]["duplicates"] == 1
    out_of_order = _tables(local_settings)
    in_order = _fresh_in_order(local_settings, tmp_path)
    assert out_of_order == in_order


def _fresh_in_order(settings: Settings, tmp_path) -> dict[str, str]:
    from dataclasses import replace

    other = replace(
        settings,
        warehouse_uri=str(tmp_path / "warehouse2"),
        catalog_uri=f"sqlite:///{tmp_path}/catalog2.db",
    )
    with open_run(other) as ctx:
        run_day(ctx, D1)
        run_day(ctx, D2)
    return _tables(other)


def test_a_run_killed_between_stages_converges_on_rerun(
    two_days, local_settings: Settings, tmp_path
) -> None:
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
        run_day(ctx, D2, stages=STAGE_NAMES[:2])  # killed after clean was committed
        run_day(ctx, D2)
    assert _tables(local_settings) == _fresh_in_order(local_settings, tmp_path)


def test_concurrent_runs_of_one_day_never_duplicate(
    two_days, local_settings: Settings, tmp_path
) -> None:
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
    errors: list[Exception] = []

    def run() -> None:
        try:
            with open_run(local_settings) as ctx:
                run_day(ctx, D2)
        except UserError as exc:  # the loser may fail with a clear message
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) <= 1
    with open_run(local_settings) as ctx:
        run_day(ctx, D2)  # whatever happened, a clean re-run converges
    assert _tables(local_settings) == _fresh_in_order(local_settings, tmp_path)


def test_no_landing_data_for_the_day_is_a_clear_error(two_days, local_settings: Settings) -> None:
    with (
        open_run(local_settings) as ctx,
        pytest.raises(UserError, match="no landing data for 2026-11-12"),
    ):
        run_day(ctx, D2 + timedelta(days=1))


# --- against the generator's ground truth ------------------------------------------------------

GEN_START = date(2026, 11, 1)
GEN_DAYS = [GEN_START + timedelta(days=i) for i in range(3)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    from airlake.generator import GeneratorConfig, generate

    root = tmp_path_factory.mktemp("generated")
    manifest = generate(
        GeneratorConfig(
            start=GEN_START, days=3, events_per_day=20_000, seed=7, out=str(root / "landing")
        )
    )
    # the reference source, with the demo's daily exchange rates
    from airlake import exchange_rates, reference

    url = f"sqlite:///{root}/source.db"
    versions = reference.history(GEN_START, 3, 7)
    reference.load(url, reference.state_as_of(versions, reference.end_of(GEN_DAYS[-1])))
    exchange_rates.load(url, exchange_rates.demo_rates(GEN_START, GEN_DAYS[-1]))
    return root, manifest


def _settings_on(root, name: str) -> Settings:
    from airlake.settings import settings_from_values

    return settings_from_values(
        {
            "name": name,
            "storage": {
                "landing": str(root / "landing"),
                "warehouse": str(root / name / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{root}/{name}/catalog.db"},
            "source": {"url": f"sqlite:///{root}/source.db"},
        },
        root=root,
    )


@pytest.fixture(scope="module")
def in_order(generated) -> Settings:
    root, _ = generated
    settings = _settings_on(root, "in_order")
    with open_run(settings) as ctx:
        for day in GEN_DAYS:
            run_day(ctx, day)
    return settings


@pytest.mark.slow
def test_pipeline_equals_the_generators_ground_truth(generated, in_order: Settings) -> None:
    _, manifest = generated
    with open_run(in_order) as ctx:
        quality = {
            r["landing_date"].isoformat(): r
            for r in read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
        }
        campaign = {
            (r["event_date"].isoformat(), r["campaign_id"]): r
            for r in read_table(ctx.catalog, "reports.campaign_daily").to_pylist()
        }
        funnel = {
            r["event_date"].isoformat(): r
            for r in read_table(ctx.catalog, "reports.funnel_daily").to_pylist()
        }
    days = [d.isoformat() for d in GEN_DAYS]
    for day in days:
        truth, row = manifest["landing_days"][day], quality[day]
        assert row["lines"] == row["valid"] + row["duplicates"] + row["quarantined"]
        assert (row["lines"], row["valid"], row["duplicates"]) == (
            truth["lines"],
            truth["valid"],
            truth["duplicates"],
        )
        by_reason = {k[2:]: v for k, v in row.items() if k.startswith("q_") and v}
        assert by_reason == truth["quarantined"], day
    expected = {
        (r["event_date"], r["campaign_id"]): r
        for r in manifest["campaign_days"]
        if r["event_date"] in days
    }
    assert set(expected) == {k for k in campaign if k[0] in days}
    for key, truth in expected.items():
        row = campaign[key]
        assert (row["impressions"], row["clicks"], row["conversions"]) == (
            truth["impressions"],
            truth["clicks"],
            truth["conversions"],
        ), key
        # amounts in the reporting currency, converted at each event date's rate
        assert row["spend"] == Decimal(truth["spend"]), key
        assert row["revenue"] == Decimal(truth["revenue"]), key
        spend, revenue = Decimal(truth["spend"]), Decimal(truth["revenue"])
        assert row["roas"] == (float(revenue) / float(spend) if spend else None), key
        assert (row["reporting_currency"], row["currency"]) == ("EUR", truth["currency"]), key
        assert row["spend_original"] == Decimal(truth["spend_original"]), key
        assert row["revenue_original"] == Decimal(truth["revenue_original"]), key
        assert row["unconverted_events"] == 0, key
        # the ratios as docs/tables.md defines them, from the truth's counts and amounts
        imps, clicks, convs = truth["impressions"], truth["clicks"], truth["conversions"]
        assert row["ctr"] == (clicks / imps if imps else None), key
        assert row["cvr"] == (convs / clicks if clicks else None), key
        assert row["cpc"] == (float(spend) / clicks if clicks else None), key
        assert row["cpm"] == (float(spend) * 1000 / imps if imps else None), key
        assert row["cpa"] == (float(spend) / convs if convs else None), key
    currencies = {r["currency"] for r in manifest["campaign_days"]}
    assert {"EUR", "USD", "GBP", "SEK", "CHF", "PLN"} <= currencies, "a multi-currency month"
    assert all(quality[day]["no_rate_events"] == 0 for day in days)
    for day in days:
        human, bot = manifest["event_days"][day]["human"], manifest["event_days"][day]["bot"]
        row = funnel[day]
        assert (row["impressions"], row["clicks"], row["page_views"], row["conversions"]) == (
            human["impression"],
            human["click"],
            human["page_view"],
            human.get("conversion", 0),
        )
        assert row["bot_events"] == sum(bot.values())
        assert row["sessions"] == manifest["sessions"][day]


@pytest.mark.slow
def test_rerunning_a_generated_day_three_times_is_idempotent(generated, in_order: Settings) -> None:
    before = _tables(in_order)
    counts = {t.name: n for t, n in _row_counts(in_order).items()}
    with open_run(in_order) as ctx:
        for _ in range(3):
            run_day(ctx, GEN_DAYS[1])
    assert _tables(in_order) == before
    assert {t.name: n for t, n in _row_counts(in_order).items()} == counts


def _row_counts(settings: Settings) -> dict:
    with open_run(settings) as ctx:
        return {t: read_table(ctx.catalog, t.name).num_rows for t in TABLES}


@pytest.mark.slow
def test_generated_days_out_of_order_equal_in_order(generated, in_order: Settings) -> None:
    root, _ = generated
    shuffled = _settings_on(root, "shuffled")
    with open_run(shuffled) as ctx:
        for day in (GEN_DAYS[2], GEN_DAYS[0], GEN_DAYS[1]):
            run_day(ctx, day)
    assert _tables(shuffled) == _tables(in_order)


@pytest.mark.slow
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")), min_size=1, max_size=30)
)
def test_garbage_landing_lines_all_end_in_quarantine(
    write_landing, local_settings: Settings, lines: list[bytes]
) -> None:
    """Whatever bytes land, the run finishes and accounts for every line."""
    write_landing(D1, 10, [click_line("ok-1", "2026-11-10T10:00:00"), *lines])
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
        (quality,) = [
            r
            for r in read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
            if r["landing_date"] == D1
        ]
        quarantine = read_table(ctx.catalog, "raw.quarantine").to_pylist()
    assert quality["lines"] == len(lines) + 1
    assert quality["valid"] + quality["duplicates"] == 1 + sum(
        1 for q in lines if judge(q, D1, 3).reason is None
    )
    assert all(row["reason"] for row in quarantine)


def test_a_line_over_the_profile_limit_is_quarantined_with_its_first_bytes(
    write_landing, local_settings: Settings
) -> None:
    """A 3 MB line (over the 1 MiB default) is never parsed: one quarantine row holding its
    first 1024 bytes and its length; the valid line beside it is ingested."""
    long = click_line("big-1", "2026-11-10T10:00:00")[:-1] + b', "user_agent": "'
    long += b"x" * (3 * 1024 * 1024) + b'"}'
    write_landing(D1, 10, [click_line("ok-1", "2026-11-10T10:00:00"), long])
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
        (row,) = read_table(ctx.catalog, "raw.quarantine").to_pylist()
        (quality,) = read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
        events = read_table(ctx.catalog, "raw.events").column("event_id").to_pylist()
    assert row["reason"] == "line_too_long" and row["raw_line"] is None
    assert row["raw_bytes"] == long[:1024]
    assert row["detail"].startswith(f"line of {len(long)} bytes, over the limit of 1048576")
    assert events == ["ok-1"]
    assert quality["lines"] == 2 and quality["quarantined"] == 1
    assert quality["q_line_too_long"] == 1


def test_a_gzip_file_expanding_to_one_huge_line_is_one_quarantine_row(
    write_landing, local_settings: Settings
) -> None:
    """A 40 KB gzip sink file holding a 40 MiB line between two valid lines: the limit applies
    to the decompressed line (read in pieces, never held whole), the row carries its true
    length, and both valid lines are ingested."""
    import zlib

    huge = b'{"user_agent": "' + b"x" * (40 << 20) + b'"}'
    packed = zlib.compressobj(9, zlib.DEFLATED, 31)
    blob = packed.compress(click_line("ok-1", "2026-11-10T10:00:00") + b"\n" + huge + b"\n")
    blob += packed.compress(click_line("ok-2", "2026-11-10T10:01:00") + b"\n") + packed.flush()
    plain = write_landing(D1, 10, [])
    plain.with_name(plain.name + ".gz").write_bytes(blob)
    plain.unlink()
    assert len(blob) < 100_000
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
        (row,) = read_table(ctx.catalog, "raw.quarantine").to_pylist()
        (quality,) = read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
        events = read_table(ctx.catalog, "raw.events").column("event_id").to_pylist()
    assert row["reason"] == "line_too_long" and row["raw_bytes"] == huge[:1024]
    assert row["detail"].startswith(f"line of {len(huge)} bytes, over the limit of 1048576")
    assert (row["source_line"], sorted(events)) == (2, ["ok-1", "ok-2"])
    assert (quality["lines"], quality["quarantined"]) == (3, 1)


def test_files_in_the_landing_folders_that_are_not_sink_files_are_counted_and_named(
    write_landing, local_settings: Settings, tmp_path
) -> None:
    """A stray upload and a note in the day's folders are never read, but data quality counts
    and names them, and the dashboard says so."""
    sink = write_landing(D1, 10, [click_line("ok-1", "2026-11-10T10:00:00")])
    stray = sink.with_name(sink.name + ".tmp")
    stray.write_bytes(b'{"half": ')
    note = sink.parent.parent / "README.txt"
    note.write_text("uploaded by hand")
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
        (quality,) = read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
        files = read_table(ctx.catalog, "raw.landing_files").to_pylist()
    landing = tmp_path / "landing"
    names = sorted(str(p.relative_to(landing)) for p in (stray, note))
    assert quality["other_files"] == 2
    assert quality["other_file_names"] == ", ".join(names)
    assert quality["lines"] == 1 and quality["quarantined"] == 0
    assert sorted((f["path"], f["sink_file"]) for f in files) == sorted(
        [(str(sink.relative_to(landing)), True), *((n, False) for n in names)]
    )
    page = (reports_dir(local_settings) / "latest.html").read_text()
    assert "2 file(s) in the landing folders are not sink files" in page and names[0] in page


# --- amounts at the contract's limit -----------------------------------------------------------

HUGE_DAY = date(2026, 11, 10)
SEK_PER_EUR = Decimal("11.4500")


def _media_line(
    event_id: str, ts: str, campaign: str, cost: str, kind: str = "impression"
) -> bytes:
    """An ad event whose cost is written exactly as given (``cost`` is JSON number text)."""
    doc = {
        "event_id": event_id,
        "event_type": kind,
        "event_ts": f"{ts}Z",
        "received_ts": f"{ts}.5Z",
        "anonymous_id": "a-1",
        "campaign_id": campaign,
        "ad_group_id": "g-1",
        "creative_id": "c-1",
        "channel": "display",
        "currency": "EUR",
        "user_agent": "Mozilla/5.0",
        "ip": "10.1.2.0",
        "cost": "@",
    }
    if kind == "click":
        doc["impression_id"] = "i-1"
    return json.dumps(doc).replace('"@"', cost).encode()


def _conversion_line(event_id: str, ts: str, revenue: str) -> bytes:
    doc = {
        "event_id": event_id,
        "event_type": "conversion",
        "event_ts": f"{ts}Z",
        "received_ts": f"{ts}.5Z",
        "anonymous_id": "a-1",
        "order_id": f"o-{event_id}",
        "currency": "EUR",
        "revenue": "@",
        "user_agent": "Mozilla/5.0",
        "ip": "10.1.2.0",
    }
    return json.dumps(doc).replace('"@"', revenue).encode()


HUGE_LINES = [
    # two impressions of 6e11 EUR: valid (each below the contract's 10**12), 1.2e12 together
    _media_line("big-1", "2026-11-10T09:00:00", "cmp-big", "6e11"),
    _media_line("big-2", "2026-11-10T09:01:00", "cmp-big", "6e11"),
    # one amount just under the limit beside ordinary traffic of the same campaign
    _media_line("one-1", "2026-11-10T10:00:00", "cmp-001", "999999999999.5"),
    _media_line("ord-1", "2026-11-10T10:05:00", "cmp-001", "0.25", "click"),
    _media_line("ord-2", "2026-11-10T10:06:00", "cmp-001", "0.004", "impression"),
    # and two conversions at the limit, both credited to cmp-001's click
    _conversion_line("conv-1", "2026-11-10T10:30:00", "999999999999.5"),
    _conversion_line("conv-2", "2026-11-10T10:31:00", "999999999999.5"),
]


def huge_amounts(write_landing, source_url: str) -> dict[str, dict[str, Decimal]]:
    """Write :data:`HUGE_LINES` and a source whose only table is the day's SEK rate; return the
    expected sums per campaign in SEK and in EUR, added up here in Python's Decimal."""
    import sqlalchemy as sa

    from airlake import exchange_rates

    write_landing(HUGE_DAY, 9, HUGE_LINES)
    exchange_rates.load(
        source_url, [{"rate_date": HUGE_DAY, "currency": "SEK", "per_base": SEK_PER_EUR}]
    )
    assert sa.inspect(sa.create_engine(source_url)).get_table_names() == ["exchange_rates"]
    by = (SEK_PER_EUR / 1).quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)

    def sek(amount: Decimal) -> Decimal:
        return (amount * by).quantize(Decimal("1e-6"), rounding=ROUND_HALF_UP)

    expected: dict[str, dict[str, Decimal]] = {}
    for line in HUGE_LINES:
        doc = json.loads(line, parse_float=Decimal, parse_int=Decimal)
        campaign = doc.get("campaign_id", "cmp-001")  # conversions go to cmp-001's click
        row = expected.setdefault(
            campaign,
            {k: Decimal(0) for k in ("spend", "spend_original", "revenue", "revenue_original")},
        )
        kind, field = ("revenue", "revenue") if "revenue" in doc else ("spend", "cost")
        amount = doc[field]
        row[kind] += sek(amount)
        row[f"{kind}_original"] += amount
    return expected


def huge_amount_settings(tmp_path, source_url: str, name: str = "huge") -> Settings:
    from airlake.settings import settings_from_values

    return settings_from_values(
        {
            "name": name,
            "storage": {
                "landing": str(tmp_path / "landing"),
                "warehouse": str(tmp_path / name / "warehouse"),
            },
            "catalog": {"type": "sqlite", "uri": f"sqlite:///{tmp_path}/{name}/catalog.db"},
            "source": {"url": source_url},
            "reporting": {"currency": "SEK"},
        },
        root=tmp_path,
    )


def test_amounts_at_the_contracts_limit_are_summed_exactly(write_landing, tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/source.db"
    expected = huge_amounts(write_landing, url)
    assert expected["cmp-big"]["spend_original"] == Decimal("1.2e12")  # past DECIMAL(18, 6)
    settings = huge_amount_settings(tmp_path, url)
    with open_run(settings) as ctx:
        results = run_day(ctx, HUGE_DAY)  # every stage, none stops
        rows = read_table(ctx.catalog, "reports.campaign_daily").to_pylist()
        quality = read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
    assert [r.stage for r in results] == list(STAGE_NAMES)
    assert quality[0]["lines"] == quality[0]["valid"] == len(HUGE_LINES)
    got = {
        r["campaign_id"]: {
            k: r[k] for k in ("spend", "spend_original", "revenue", "revenue_original")
        }
        for r in rows
    }
    assert got == expected
    assert all(r["unconverted_events"] == 0 and r["currency"] == "EUR" for r in rows)


def test_a_file_name_with_bytes_that_are_not_utf8_is_counted_and_named_not_a_traceback(
    write_landing, local_settings: Settings
) -> None:
    """A landing file whose name holds the byte 0xff: listed as another file (escaped), the
    day ingested and recorded whole."""
    import os

    sink = write_landing(D1, 10, [click_line("ok-1", "2026-11-10T10:00:00")])
    odd = os.path.join(os.fsencode(sink.parent), b"ad-clicks+0+0000000009\xff.json")
    with open(odd, "wb") as fh:
        fh.write(click_line("odd-1", "2026-11-10T10:00:00") + b"\n")
    with open_run(local_settings) as ctx:
        run_day(ctx, D1)
        (quality,) = read_table(ctx.catalog, "reports.data_quality_daily").to_pylist()
        files = read_table(ctx.catalog, "raw.landing_files").to_pylist()
    assert quality["lines"] == 1 and quality["other_files"] == 1
    assert "ad-clicks+0+0000000009\\xff.json" in quality["other_file_names"]
    assert sorted(f["sink_file"] for f in files) == [False, True]
