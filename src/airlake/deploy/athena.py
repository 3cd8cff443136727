"""Report models as Athena (Trino) statements over the Iceberg tables in Glue (pure).

A model's input relations (``clean_events``, ...) become the catalog tables they stand for
(``clean.events``), its parameters become Airflow template expressions, and the statement pair
replaces the window's partitions: ``DELETE`` the dates, then ``INSERT`` the model's rows.
Athena runs each statement as its own Iceberg commit, so unlike the embedded path the pair is
not one atomic commit; a failed INSERT is repaired by re-running the task.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from airlake import models

# Sentinel dates rendered into the SQL and then swapped for Jinja expressions, so a statement
# built at DAG-parse time takes its dates from the run at execution time.
_SENTINELS = {
    "window_start": date(1900, 1, 1),
    "window_end": date(1900, 1, 2),
    "context_start": date(1900, 1, 3),
    "landing_date": date(1900, 1, 4),
}


@dataclass(frozen=True, slots=True)
class AthenaStatements:
    delete: str
    insert: str


def _templates(window_days: int, context_days: int) -> dict[str, str]:
    day = "data_interval_start | ds"
    return {
        "window_start": f"{{{{ macros.ds_add({day}, -{window_days - 1}) }}}}",
        "window_end": f"{{{{ {day} }}}}",
        "context_start": f"{{{{ macros.ds_add({day}, -{window_days - 1 + context_days}) }}}}",
        "landing_date": f"{{{{ {day} }}}}",
    }


def qualify(sql: str, tables: Mapping[str, str], dialect: str = "trino") -> str:
    """Replace bare relation names with catalog tables (``clean_events`` → ``clean.events``)."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read=dialect)
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        name = table.name
        if not table.db and name in tables and name not in ctes:
            db, _, tbl = tables[name].partition(".")
            alias = table.alias or name
            table.set("this", exp.to_identifier(tbl))
            table.set("db", exp.to_identifier(db))
            table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    return tree.sql(dialect=dialect)


def statements(
    model: str,
    output: str,
    partition_column: str,
    inputs: Mapping[str, str],
    attribution_model: str,
    lookback_hours: int,
    window_days: int,
    context_days: int,
    partition_param: str = "window",
    reporting_currency: str = "EUR",
) -> AthenaStatements:
    """DELETE + INSERT for one model over the run's window, with templated dates."""
    params = models.Params(
        window_start=_SENTINELS["window_start"],
        window_end=_SENTINELS["window_end"],
        context_start=_SENTINELS["context_start"],
        landing_date=_SENTINELS["landing_date"],
        lookback_us=lookback_hours * 3600 * 1_000_000,
        attribution_model=attribution_model,
        reporting_currency=reporting_currency,
    )
    select = qualify(models.render(model, params, dialect="trino"), inputs)
    templates = _templates(window_days, context_days)
    for key, sentinel in _SENTINELS.items():
        select = select.replace(f"'{sentinel.isoformat()}'", f"'{templates[key]}'")
    if partition_param == "window":
        where = (
            f"{partition_column} BETWEEN DATE '{templates['window_start']}' "
            f"AND DATE '{templates['window_end']}'"
        )
    else:
        where = f"{partition_column} = DATE '{templates['landing_date']}'"
    return AthenaStatements(
        delete=f"DELETE FROM {output} WHERE {where}", insert=f"INSERT INTO {output} {select}"
    )
