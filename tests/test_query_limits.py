"""Bounds on query text, checked before DuckDB's parser: depth is counted outside literals."""

from __future__ import annotations

import pytest

from airlake.errors import UserError
from airlake.query_limits import MAX_NESTING, MAX_QUERY_CHARS, check_query_size, nesting_depth


@pytest.mark.parametrize(
    ("sql", "depth"),
    [
        ("SELECT 1", 0),
        ("SELECT COUNT(*) FROM reports.campaign_daily WHERE (a OR (b AND c))", 2),
        ("SELECT '((((((', \"(((\" FROM t", 0),  # inside literals and quoted names
        ("SELECT 'it''s (' || x FROM (SELECT 1 AS x)", 1),
        ("SELECT 1 -- ((((\n, (2)", 1),
        ("SELECT /* (((( */ [1, [2]]", 2),
        ("SELECT $$ ((( $$, {'a': (1)}", 2),
        ("SELECT ((1", 2),  # unbalanced: the parser will say so, the depth still counts
    ],
)
def test_nesting_depth(sql: str, depth: int) -> None:
    assert nesting_depth(sql) == depth


def test_the_issues_nested_parentheses_are_refused() -> None:
    deep = "SELECT " + "(" * 100_000 + "1" + ")" * 100_000
    with pytest.raises(UserError, match="200,008 characters long; at most 100,000"):
        check_query_size(deep)
    five_thousand = "SELECT " + "(" * 5_000 + "1" + ")" * 5_000
    with pytest.raises(UserError, match="nests 5,000 levels of parentheses; at most 100"):
        check_query_size(five_thousand)


def test_limits_are_inclusive() -> None:
    check_query_size("SELECT " + "(" * MAX_NESTING + "1" + ")" * MAX_NESTING)
    with pytest.raises(UserError, match="nests 101 levels"):
        check_query_size("SELECT " + "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1))
    check_query_size("SELECT 1" + " " * (MAX_QUERY_CHARS - 8))
    with pytest.raises(UserError, match="100,001 characters long; at most 100,000"):
        check_query_size("SELECT 1" + " " * (MAX_QUERY_CHARS - 7))
