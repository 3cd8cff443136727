"""Benchmark: the crawler list in DuckDB against the hand-written marker rule it replaced.

    python bench/bot_agents.py [--events 1000000] [--agents 2976]

Builds ``--events`` rows whose user agents cycle through ``--agents`` distinct published agents
(the list's crawler instances and fake-useragent's browsers: far more distinct agents than a
day of the generator's traffic has), then times, in one DuckDB connection with 2 threads:

(a) baseline: the old rule, ``REGEXP_MATCHES(LOWER(ua), 'bot|crawler|...')`` on every row;
(b) the list as one alternation of every pattern, on every row (``--per-row`` only: slow);
(c) the list in alternations of 200 (one RE2 DFA each), on every row;
(d) what the clean model does: (c) once per distinct agent, joined back to the rows;
(e) as (d) with one alternation of every pattern (why the list is split into chunks).

Prints seconds, the ratio baseline / variant (1.0 = as fast as the old rule) and the bots found.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib import resources

OLD_RULE = r"bot|crawler|spider|headlesschrome|python\-requests|curl/|wget/"


def _agents(limit: int) -> list[str]:
    from crawleruseragents import CRAWLER_USER_AGENTS_DATA

    text = resources.files("fake_useragent").joinpath("data/browsers.jsonl").read_text("utf-8")
    browsers = {json.loads(line)["useragent"] for line in text.splitlines() if line}
    bots = {i for entry in CRAWLER_USER_AGENTS_DATA for i in entry["instances"]}
    return sorted(bots | browsers)[:limit]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def main() -> None:
    import duckdb

    from airlake.bot_agents import alternations

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--per-row", action="store_true", help="also time (b)")
    args = parser.parse_args()
    agents = _agents(args.agents)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"CREATE TABLE e AS SELECT list_extract($1, (i % {len(agents)})::INT + 1) AS ua "
        f"FROM range({args.events}) AS r(i)",
        [agents],
    )
    chunked = " OR ".join(f"REGEXP_MATCHES(ua, {_literal(c)})" for c in alternations())
    variants = {
        "a_old_rule": f"SELECT SUM(REGEXP_MATCHES(LOWER(ua), {_literal(OLD_RULE)})::INT) FROM e",
        "c_list_chunked_per_row": f"SELECT SUM(({chunked})::INT) FROM e",
        "d_list_per_distinct_agent": (
            f"WITH g AS (SELECT ua, ({chunked}) AS bot FROM (SELECT DISTINCT ua FROM e)) "
            "SELECT SUM(g.bot::INT) FROM e JOIN g USING (ua)"
        ),
    }
    whole = _literal("|".join(alternations(10**6)))
    variants["e_list_one_alternation_per_distinct_agent"] = (
        f"WITH g AS (SELECT ua, REGEXP_MATCHES(ua, {whole}) AS bot FROM (SELECT DISTINCT ua FROM e)) "
        "SELECT SUM(g.bot::INT) FROM e JOIN g USING (ua)"
    )
    if args.per_row:
        variants["b_list_one_alternation_per_row"] = (
            f"SELECT SUM(REGEXP_MATCHES(ua, {whole})::INT) FROM e"
        )
    seconds: dict[str, float] = {}
    for name, sql in variants.items():
        start = time.perf_counter()
        (bots,) = con.execute(sql).fetchone() or (None,)
        seconds[name] = time.perf_counter() - start
        ratio = seconds["a_old_rule"] / seconds[name]
        print(
            json.dumps(
                {
                    "variant": name,
                    "events": args.events,
                    "distinct_agents": len(agents),
                    "seconds": round(seconds[name], 2),
                    "ratio_vs_old_rule": round(ratio, 3),
                    "bots": bots,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
