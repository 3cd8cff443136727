"""SQL models: one ``.sql`` file per table, written once in DuckDB's dialect.

A model reads named relations (its input tables) and a one-row relation ``params`` holding the
run's parameters (joined as ``CROSS JOIN params AS p``). :func:`render` replaces the parameters
with literals and transpiles the model with sqlglot to the engine's dialect (duckdb, spark,
trino), so no model is ever written twice. Pure: text in, text out.

``IS_CRAWLER_AGENT(x)`` in a model is the crawler user-agent list of :mod:`airlake.bot_agents`,
expanded at render time into ``REGEXP_MATCHES`` calls on the list's patterns (literals), so the
list is the same SQL in every dialect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from importlib import resources
from typing import Any, Final

from airlake.contract import BOT_IP_PREFIXES, SESSION_GAP_MINUTES
from airlake.errors import UserError

DIALECTS: Final = ("duckdb", "spark", "trino")


@dataclass(frozen=True, slots=True)
class Params:
    """The run's parameters, visible to every model as the one-row relation ``params``."""

    window_start: date
    window_end: date
    context_start: date
    landing_date: date
    lookback_us: int
    attribution_model: str
    reporting_currency: str = "EUR"
    session_gap_us: int = SESSION_GAP_MINUTES * 60 * 1_000_000
    bot_ip_regex: str = "^(" + "|".join(re.escape(p) for p in BOT_IP_PREFIXES) + ")"


def model_names() -> list[str]:
    """Every shipped model, by file stem."""
    return sorted(
        p.name[: -len(".sql")]
        for p in resources.files("airlake.models").iterdir()
        if p.name.endswith(".sql")
    )


def model_text(name: str) -> str:
    """The model's source as shipped (DuckDB dialect). Only a shipped model's name is looked
    up: a name is never a path (``../x`` would read any ``.sql`` file)."""
    known = model_names()
    if name not in known:
        raise UserError(f"unknown model {name!r}; known: {', '.join(known)}")
    return resources.files("airlake.models").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def _literal(value: object) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int):
        return f"CAST({value} AS BIGINT)"
    text = str(value).replace("'", "''")
    return f"'{text}'"


def params_select(params: Params) -> str:
    """``SELECT <literal> AS <name>, ...``: the params relation as one row of literals."""
    cols = ", ".join(f"{_literal(getattr(params, f.name))} AS {f.name}" for f in fields(params))
    return f"SELECT {cols}"


def _inline_params(tree: Any, params: Params) -> Any:
    """Replace every ``p.<param>`` with its literal and drop the ``params`` joins.

    Literals, not a joined row, so engines see constants: DuckDB compiles a regular expression
    once instead of per row, and every engine prunes partitions on the dates.
    """
    import sqlglot
    from sqlglot import exp

    literals = {
        f.name: sqlglot.parse_one(_literal(getattr(params, f.name)), read="duckdb")
        for f in fields(params)
    }
    for select in list(tree.find_all(exp.Select)):
        aliases = set()
        for join in list(select.args.get("joins") or []):
            if isinstance(join.this, exp.Table) and join.this.name == "params":
                aliases.add(join.this.alias_or_name)
                join.pop()
        source = select.args.get("from_") or select.args.get("from")
        if (
            source is not None
            and isinstance(source.this, exp.Table)
            and source.this.name == "params"
        ):
            aliases.add(source.this.alias_or_name)
            joins = select.args.get("joins") or []
            if joins:
                first = joins[0]
                source.set("this", first.this.copy())
                first.pop()
            else:
                source.pop()
        if not aliases:
            continue
        for projection in list(select.expressions):
            # A bare parameter in the SELECT list keeps its name as the output column.
            if isinstance(projection, exp.Column) and projection.table in aliases:
                projection.replace(exp.alias_(literals[projection.name].copy(), projection.name))
        for column in list(select.find_all(exp.Column)):
            if column.table in aliases:
                if column.name not in literals:
                    raise UserError(
                        f"model refers to unknown parameter {column.table}.{column.name}"
                    )
                column.replace(literals[column.name].copy())
    return tree


def render(name: str, params: Params | None, dialect: str = "duckdb", pretty: bool = False) -> str:
    """The model as ``dialect`` will run it, with ``params`` filled in as literals when given."""
    return render_text(model_text(name), params, dialect, pretty)


def render_text(
    sql: str, params: Params | None, dialect: str = "duckdb", pretty: bool = False
) -> str:
    """Any query written like a model (DuckDB dialect, ``params``, ``IS_CRAWLER_AGENT``) as
    ``dialect`` runs it."""
    import sqlglot

    if dialect not in DIALECTS:
        raise UserError(f"unknown dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = tree.transform(_expand_crawler_agent)
    if params is not None:
        tree = _inline_params(tree, params)
    if dialect != "duckdb":
        tree = tree.transform(lambda node: _portable(node, dialect))
    return tree.sql(dialect=dialect, pretty=pretty)


CRAWLER_AGENT_FUNCTION: Final = "IS_CRAWLER_AGENT"


def _expand_crawler_agent(node: Any) -> Any:
    """``IS_CRAWLER_AGENT(x)``: true when ``x`` matches a pattern of the crawler list."""
    from sqlglot import exp

    from airlake.bot_agents import alternations

    if not (isinstance(node, exp.Anonymous) and node.name.upper() == CRAWLER_AGENT_FUNCTION):
        return node
    (arg,) = node.expressions
    calls = [
        exp.RegexpLike(this=arg.copy(), expression=exp.Literal.string(chunk))
        for chunk in alternations()
    ]
    return exp.Paren(this=exp.or_(*calls))


def _portable(node: Any, dialect: str) -> Any:
    """The DuckDB functions sqlglot does not translate, spelled for the target engine."""
    import sqlglot
    from sqlglot import exp

    if isinstance(node, exp.Anonymous) and node.name.upper() == "EPOCH_US":
        (arg,) = node.expressions
        template = (
            "UNIX_MICROS(x)" if dialect == "spark" else "CAST(TO_UNIXTIME(x) * 1000000 AS BIGINT)"
        )
        replacement = sqlglot.parse_one(template, read=dialect)
        placeholder = replacement.find(exp.Column)
        assert placeholder is not None
        placeholder.replace(arg.copy())
        return replacement
    return node
