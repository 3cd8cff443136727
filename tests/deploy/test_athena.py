import sqlglot

from airlake.deploy.athena import qualify, statements


def test_inputs_become_catalog_tables_but_ctes_do_not() -> None:
    sql = qualify(
        "WITH x AS (SELECT * FROM clean_events) SELECT * FROM x JOIN sessions AS s ON TRUE",
        {"clean_events": "clean.events", "sessions": "clean.sessions", "x": "no.such"},
    )
    assert (
        "clean.events AS clean_events" in sql
        and "clean.sessions AS s" in sql
        and "no.such" not in sql
    )


def test_statements_take_their_dates_from_the_run() -> None:
    s = statements(
        "campaign_daily",
        "reports.campaign_daily",
        "event_date",
        {
            "clean_events": "clean.events",
            "attributed_conversions": "clean.attributed_conversions",
            "campaigns": "dim.campaigns",
            "advertisers": "dim.advertisers",
        },
        "last_click",
        24,
        3,
        1,
    )
    assert s.delete == (
        "DELETE FROM reports.campaign_daily WHERE event_date BETWEEN "
        "DATE '{{ macros.ds_add(data_interval_start | ds, -2) }}' AND DATE '{{ data_interval_start | ds }}'"
    )
    assert s.insert.startswith("INSERT INTO reports.campaign_daily ")
    assert "1900-01-0" not in s.insert  # every sentinel date replaced by a template
    assert "FROM clean.events AS" in s.insert and "dim.campaigns AS c" in s.insert
    rendered = s.insert.replace(
        "{{ macros.ds_add(data_interval_start | ds, -2) }}", "2026-11-08"
    ).replace("{{ data_interval_start | ds }}", "2026-11-10")
    sqlglot.parse_one(rendered, read="trino")


def test_the_reporting_currency_reaches_athena() -> None:
    from airlake.deploy.plan import plan_for
    from airlake.settings import profile_values

    values = profile_values("production", overrides={"reporting.currency": "GBP"})
    inserts = [t.query for t in plan_for(values).tasks if t.task_id == "campaign_daily_insert"]
    assert len(inserts) == 1 and "'GBP'" in inserts[0] and "'EUR'" not in inserts[0]
