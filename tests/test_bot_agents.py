"""The crawler list as both engines run it: precision and recall on published user agents.

Bots: every user agent the list's maintainers give as an instance of a crawler (shipped in the
``crawler-user-agents`` package). Browsers: the real-world browser user agents shipped by
``fake-useragent`` (its database of observed browser traffic), plus phones of the brand Cubot.
The figures asserted here are the ones recorded in docs/tables.md.
"""

from __future__ import annotations

import json
from importlib import metadata, resources

import pyarrow as pa
import pytest
from crawleruseragents import CRAWLER_USER_AGENTS_DATA, is_crawler

from airlake import bot_agents
from airlake.generator.traffic import BOT_AGENTS, HUMAN_AGENTS
from airlake.models import render_text

QUERY = "SELECT a.ua, IS_CRAWLER_AGENT(a.ua) AS bot FROM agents AS a"
CUBOT = (
    "Mozilla/5.0 (Linux; Android 12; Cubot Note 30) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/120.0.6099.144 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; KINGKONG 7 Build/QP1A.190711.020; CUBOT) AppleWebKit/537.36"
    " (KHTML, like Gecko) Chrome/118.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 9; CUBOT_X19) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/96.0.4664.92 Mobile Safari/537.36",
)


def _published_bots() -> list[str]:
    return sorted({i for entry in CRAWLER_USER_AGENTS_DATA for i in entry["instances"]})


def _published_browsers() -> list[str]:
    text = resources.files("fake_useragent").joinpath("data/browsers.jsonl").read_text("utf-8")
    return sorted({json.loads(line)["useragent"] for line in text.splitlines() if line})


def _agents() -> pa.Table:
    bots, browsers = _published_bots(), _published_browsers()
    human = [*browsers, *CUBOT, *HUMAN_AGENTS]
    return pa.table(
        {
            "ua": [*bots, *BOT_AGENTS, *human],
            "truth": [True] * (len(bots) + len(BOT_AGENTS)) + [False] * len(human),
        }
    )


def _flags_duckdb(agents: pa.Table) -> dict[str, bool]:
    import duckdb

    con = duckdb.connect()
    con.register("agents", agents)
    rows = con.execute(render_text(QUERY, None, "duckdb")).fetchall()
    return dict(rows)


def test_the_list_is_recorded_with_its_version() -> None:
    assert (
        bot_agents.list_label() == f"crawler-user-agents {metadata.version('crawler-user-agents')}"
    )
    assert len(bot_agents.patterns()) == len(CRAWLER_USER_AGENTS_DATA) > 1000
    chunks = bot_agents.alternations()
    assert "|".join(chunks).split("|") == "|".join(bot_agents.patterns()).split("|")


def test_precision_and_recall_on_published_user_agents() -> None:
    agents = _agents()
    flags = _flags_duckdb(agents)
    truth = dict(zip(agents["ua"].to_pylist(), agents["truth"].to_pylist(), strict=True))
    bots = [ua for ua, bot in truth.items() if bot]
    humans = [ua for ua, bot in truth.items() if not bot]
    true_pos = sum(flags[ua] for ua in bots)
    false_pos = [ua for ua in humans if flags[ua]]
    # recorded in docs/tables.md: 2,126 distinct bot agents all caught, 0 of 848 human agents flagged
    assert (len(bots), len(humans)) == (2126, 848)
    assert true_pos == len(bots)
    assert false_pos == []
    # the SQL agrees with the list's own matcher on every agent
    assert all(flags[ua] == is_crawler(ua) for ua in truth)


def test_brand_names_are_not_bots_but_crawler_names_are() -> None:
    agents = pa.table({"ua": [*CUBOT, "Mozilla/5.0 (compatible; Googlebot/2.1)", "bot", ""]})
    flags = _flags_duckdb(agents)
    assert [flags[ua] for ua in CUBOT] == [False, False, False]
    assert flags["Mozilla/5.0 (compatible; Googlebot/2.1)"] is True
    # matching is case-sensitive, as the list is written: no bare "bot", no empty match
    assert flags["bot"] is False and flags[""] is False


@pytest.mark.spark
def test_spark_flags_every_published_agent_as_duckdb_does() -> None:
    """Spark (java.util.regex, RLIKE) and DuckDB (RE2) read the list's patterns alike."""
    from airlake.engines.spark import session

    agents = _agents()
    spark = session()
    spark.createDataFrame(agents.select(["ua"]).to_pylist()).createOrReplaceTempView("agents")
    on_spark = {r["ua"]: r["bot"] for r in spark.sql(render_text(QUERY, None, "spark")).collect()}
    assert on_spark == _flags_duckdb(agents)
