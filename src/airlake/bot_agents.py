"""Bot user agents: the community-maintained ``crawler-user-agents`` list, as SQL both engines run.

The list (PyPI ``crawler-user-agents``, one regular expression per crawler, each checked by the
list's own CI against real user agents of that crawler) is a runtime dependency of airlake, so
it reaches every place a model is rendered: a laptop, the Airflow worker, and the EMR driver
(through the wheelhouse of pinned runtime requirements). The patterns are rendered into the SQL
as string literals, so the engines never import the package themselves.

Matching follows the list's own rule: **case-sensitive**, anywhere in the user agent. The list
names crawlers (``Googlebot\\/``, ``bingbot``, ``[cC]laude[bB]ot``), never a bare ``bot``, so a
phone brand such as "Cubot" is not a bot. The patterns use only what Python ``re``, RE2 (DuckDB)
and ``java.util.regex`` (Spark) read alike: literals, classes, ``^``/``$``, ``*``/``+``,
``\\d``/``\\s``/``\\S``, groups and alternation (a test compiles them in both engines).

The patterns are split into alternations of :data:`CHUNK_SIZE`: RE2 builds a DFA for each chunk,
where one alternation of all of them exceeds its DFA budget and falls back to a scan about 25
times slower (see bench/RESULTS.md).
"""

from __future__ import annotations

import functools
from importlib import metadata
from typing import Final

LIST_PACKAGE: Final = "crawler-user-agents"
"""The distribution that carries the list."""

CHUNK_SIZE: Final = 200
"""Patterns per alternation (one REGEXP_MATCHES call each)."""


@functools.cache
def list_version() -> str:
    """The installed version of the list, e.g. ``1.67.0`` (recorded with every clean run)."""
    return metadata.version(LIST_PACKAGE)


def list_label() -> str:
    """``crawler-user-agents 1.67.0``: the list and its version, as recorded and documented."""
    return f"{LIST_PACKAGE} {list_version()}"


@functools.cache
def patterns() -> tuple[str, ...]:
    """Every pattern of the list, in the list's order."""
    from crawleruseragents import CRAWLER_USER_AGENTS_DATA

    return tuple(str(entry["pattern"]) for entry in CRAWLER_USER_AGENTS_DATA)


def alternations(size: int = CHUNK_SIZE) -> tuple[str, ...]:
    """The patterns joined into alternations of at most ``size`` patterns each."""
    listed = patterns()
    return tuple("|".join(listed[i : i + size]) for i in range(0, len(listed), size))
