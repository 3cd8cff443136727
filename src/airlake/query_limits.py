"""Bounds on a user's SQL text, checked before any parser sees it.

DuckDB's parser takes memory and time that grow with the text and, much faster, with how deeply
it nests: 100,000 nested parentheses cost it seconds and a gigabyte before it gives up, and a
few hundred thousand more can exhaust the machine. A query a person writes is far inside both
bounds, so a text beyond them is refused with one line, in a single linear scan.
"""

from __future__ import annotations

from typing import Final

from airlake.errors import UserError

MAX_QUERY_CHARS: Final = 100_000
"""Longest query text accepted (characters)."""

MAX_NESTING: Final = 100
"""Deepest nesting of parentheses and brackets accepted, outside literals and comments."""

_OPEN: Final = frozenset("([{")
_CLOSE: Final = frozenset(")]}")


def nesting_depth(sql: str) -> int:
    """The deepest nesting of ``( [ {`` in ``sql``, not counting those inside string literals,
    quoted identifiers, ``$$`` strings and comments (pure, linear)."""
    depth = deepest = 0
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in ("'", '"'):
            i = _after_quoted(sql, i + 1, c)
            continue
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if sql.startswith("$$", i):
            end = sql.find("$$", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif c in _CLOSE:
            depth = max(depth - 1, 0)
        i += 1
    return deepest


def _after_quoted(sql: str, i: int, quote: str) -> int:
    """Index after the literal whose body starts at ``i`` (a doubled quote is part of it)."""
    n = len(sql)
    while i < n:
        end = sql.find(quote, i)
        if end < 0:
            return n
        if end + 1 < n and sql[end + 1] == quote:
            i = end + 2
            continue
        return end + 1
    return n


def check_query_size(sql: str) -> None:
    """Raise UserError when ``sql`` is longer than :data:`MAX_QUERY_CHARS` or nests deeper than
    :data:`MAX_NESTING`."""
    if len(sql) > MAX_QUERY_CHARS:
        raise UserError(
            f"the query is {len(sql):,} characters long; at most {MAX_QUERY_CHARS:,} are accepted"
        )
    depth = nesting_depth(sql)
    if depth > MAX_NESTING:
        raise UserError(
            f"the query nests {depth:,} levels of parentheses; at most {MAX_NESTING} are accepted"
        )
