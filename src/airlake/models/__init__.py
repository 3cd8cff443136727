"""SQL models: one ``.sql`` file per table, written once in DuckDB's dialect.

A model reads named relations (its input tables) and a one-row relation ``params`` holding the
run's parameters. :func:`render` puts ``params`` in front as a CTE of literals and transpiles the
model with sqlglot to the engine's dialect (duckdb, spark, trino), so no model is ever written
twice. Pure: text in, text out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from importlib import resources
from typing import Final

from airlake.contract import BOT_IP_PREFIXES, BOT_USER_AGENT_MARKERS, SESSION_GAP_MINUTES
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
    session_gap_us: int = SESSION_GAP_MINUTES * 60 * 1_000_000
    bot_user_agent_regex: str = "|".join(re.escape(m) for m in BOT_USER_AGENT_MARKERS)
    bot_ip_regex: str = "^(" + "|".join(re.escape(p) for p in BOT_IP_PREFIXES) + ")"


def model_names() -> list[str]:
    """Every shipped model, by file stem."""
    return sorted(
        p.name[: -len(".sql")]
        for p in resources.files("airlake.models").iterdir()
        if p.name.endswith(".sql")
    )


def model_text(name: str) -> str:
    """The model's source as shipped (DuckDB dialect)."""
    try:
        return resources.files("airlake.models").joinpath(f"{name}.sql").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"unknown model {name!r}; known: {', '.join(model_names())}") from None


def _literal(value: object) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int):
        return f"CAST({value} AS BIGINT)"
    text = str(value).replace("'", "''")
    return f"'{text}'"


def params_select(params: Params) -> str:
    """``SELECT <literal> AS <name>, ...`` for the params CTE."""
    cols = ", ".join(f"{_literal(getattr(params, f.name))} AS {f.name}" for f in fields(params))
    return f"SELECT {cols}"


def render(name: str, params: Params | None, dialect: str = "duckdb", pretty: bool = False) -> str:
    """The model as ``dialect`` will run it, with ``params`` as a leading CTE when given."""
    import sqlglot
    from sqlglot import exp

    if dialect not in DIALECTS:
        raise UserError(f"unknown dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    tree = sqlglot.parse_one(model_text(name), read="duckdb")
    if params is not None:
        cte = exp.CTE(
            this=sqlglot.parse_one(params_select(params), read="duckdb"),
            alias=exp.TableAlias(this=exp.to_identifier("params")),
        )
        key = "with_" if "with_" in tree.arg_types else "with"
        existing = tree.args.get(key)
        if existing is not None:
            existing.set("expressions", [cte, *existing.expressions])
        else:
            tree.set(key, exp.With(expressions=[cte]))
    return tree.sql(dialect=dialect, pretty=pretty)
