"""The per-database SQL operators replaced by SQLExecuteQueryOperator, on mwaa-2.11.2 (whose
postgres provider, 6.x, has no operators module) with the target's real import index."""

import ast
from datetime import date
from pathlib import Path

import pytest

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.imports_index import for_target
from airlake.preflight.migrate import migrate
from airlake.preflight.migrate_sql import SQL_HOME, blocker, sql_connection_argument
from airlake.preflight.plan import plan_target
from tests.preflight.test_migrate import _migrate as migrate_project

TARGET = "mwaa-2.11.2"
TODAY = date(2026, 12, 3)

PROVIDER_DAG = """from datetime import datetime

from airflow import DAG
from airflow.providers.postgres.operators.postgres import PostgresOperator

with DAG("provider_path", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    load = PostgresOperator(
        task_id="load",
        postgres_conn_id="warehouse",  # the DWH
        sql="insert into t select 1",
    )
    check = PostgresOperator(task_id="check", postgres_conn_id="warehouse", sql="select 1")
    load >> check
"""

LEGACY_DAG = """from datetime import datetime

from airflow import DAG
from airflow.operators.postgres_operator import PostgresOperator as Pg

with DAG("legacy_path", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    Pg(task_id="t", sql="select 1", postgres_conn_id="warehouse", retries=2, autocommit=True)
"""

SETTINGS_DAG = """from datetime import datetime

from airflow import DAG
from airflow.providers.postgres.operators.postgres import PostgresOperator

with DAG("settings", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    plain = PostgresOperator(task_id="plain", postgres_conn_id="w", sql="select 1")
    tuned = PostgresOperator(
        task_id="tuned",
        postgres_conn_id="w",
        sql="select 2",
        runtime_parameters={"statement_timeout": "3000ms"},
    )
"""


def _project(root: Path, files: dict[str, str]) -> Path:
    (root / "dags").mkdir(parents=True)
    for name, text in files.items():
        (root / "dags" / name).write_text(text)
    (root / "requirements.txt").write_text("pandas\n")
    return root


def _migrate(root: Path, out: Path):  # type: ignore[no-untyped-def]
    return migrate_project(root, TARGET, out)


def test_both_import_paths_become_sqlexecutequeryoperator_with_conn_id(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"provider.py": PROVIDER_DAG, "legacy.py": LEGACY_DAG})
    migration = _migrate(root, tmp_path / "out")
    for name in ("provider.py", "legacy.py"):
        text = (tmp_path / "out" / "dags" / name).read_text()
        tree = ast.parse(text)
        imports = {
            (n.module, a.name, a.asname)
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom)
            for a in n.names
        }
        assert (SQL_HOME, "SQLExecuteQueryOperator", None) in imports, name
        assert "postgres_conn_id" not in text and "PostgresOperator" not in text, name
        assert 'conn_id="warehouse"' in text
    provider = (tmp_path / "out" / "dags" / "provider.py").read_text()
    assert 'conn_id="warehouse",  # the DWH\n' in provider  # comments and layout kept
    legacy = (tmp_path / "out" / "dags" / "legacy.py").read_text()
    assert "Pg" not in legacy and "retries=2, autocommit=True)" in legacy
    after = run_checks(load_project(tmp_path / "out"), load_target(TARGET))
    assert [f for f in after if f.id == "PF201"] == []
    # listed like the other rewrites; no decision is left for these files
    changes = {(c.path, c.line, c.what) for f in migration.files for c in f.changes}
    renamed = (
        "`PostgresOperator(...)` → `SQLExecuteQueryOperator(...)`, `postgres_conn_id=` → `conn_id=`"
    )
    assert ("dags/provider.py", 7, renamed) in changes
    assert any(p == "dags/legacy.py" and line == 4 and SQL_HOME in w for p, line, w in changes)
    assert migration.decisions == ()
    # mwaa-2.11.2 ships apache-airflow-providers-common-sql: nothing is added for it
    assert "common-sql" not in (tmp_path / "out" / "requirements.txt").read_text()


def test_a_call_with_an_argument_sqlexecutequeryoperator_lacks_is_left_with_a_decision(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "p", {"settings.py": SETTINGS_DAG})
    migration = _migrate(root, tmp_path / "out")
    text = (tmp_path / "out" / "dags" / "settings.py").read_text()
    ast.parse(text)
    # the plain call is rewritten; the tuned one is kept exactly, and so is its import
    assert 'SQLExecuteQueryOperator(task_id="plain", conn_id="w", sql="select 1")' in text
    tuned = SETTINGS_DAG[SETTINGS_DAG.index("    tuned") :]
    assert text.endswith(tuned)
    assert "from airflow.providers.postgres.operators.postgres import PostgresOperator\n" in text
    call, kept = migration.decisions
    assert (call.path, call.line) == ("dags/settings.py", 8)
    assert "`runtime_parameters=`" in call.what
    assert (kept.path, kept.line) == ("dags/settings.py", 4)
    assert "`PostgresOperator` kept: 1 of its uses" in kept.what
    # the plan does not count that import as fixed: the migrated file still fails there
    row = plan_target(load_project(root), load_target(TARGET))
    left = [f for f in row.left if f.id == "PF201"]
    assert [(f.path, f.line) for f in left] == [("dags/settings.py", 4)]


def test_the_plan_counts_a_fully_rewritten_file_as_fixed(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"provider.py": PROVIDER_DAG, "legacy.py": LEGACY_DAG})
    row = plan_target(load_project(root), load_target(TARGET))
    assert [f for f in row.left if f.id == "PF201"] == []


def test_a_target_without_the_common_sql_provider_gets_it_and_a_missing_database_provider_a_decision(
    tmp_path: Path,
) -> None:
    """Plain Airflow 2.11.2 ships no provider: common-sql is added at its constrained version;
    the database's own provider (whose hook SQLExecuteQueryOperator uses) is left to a person."""
    root = _project(tmp_path / "p", {"legacy.py": LEGACY_DAG})
    project = load_project(root)
    target = load_target("airflow-2.11.2")
    migration = migrate(project, target, run_checks(project, target), TODAY)
    reqs = next(f for f in migration.files if f.path == "requirements.txt").after or ""
    pinned = target.constraints["apache-airflow-providers-common-sql"]
    assert f"apache-airflow-providers-common-sql=={pinned}\n" in reqs
    (decision,) = migration.decisions
    assert (decision.path, decision.line) == ("dags/legacy.py", 4)
    assert "apache-airflow-providers-postgres" in decision.what


def test_a_subclass_keeps_the_import_with_a_decision() -> None:
    from airlake.preflight.migrate_code import CodeContext, rewrite_source

    target = load_target(TARGET)
    source = (
        "from airflow.providers.postgres.operators.postgres import PostgresOperator\n"
        "\n\nclass Audited(PostgresOperator):\n    pass\n"
    )
    ctx = CodeContext(target, for_target(target), TODAY, {}, {}, False)
    result = rewrite_source("dags/a.py", source, ctx)
    assert result.text == source and result.changes == ()
    assert [(d.line, d.what.split(":")[0]) for d in result.decisions] == [
        (1, "`PostgresOperator` kept")
    ]


@pytest.mark.parametrize(
    ("target", "module", "expected"),
    [
        # gone on 2.11.2 (postgres provider 6.x), and SQLExecuteQueryOperator is there
        (TARGET, "airflow.providers.postgres.operators.postgres", "postgres_conn_id"),
        (TARGET, "airflow.operators.postgres_operator", "postgres_conn_id"),
        # on 2.10.3 the provider path still works: the 1.10 alias moves there instead
        ("mwaa-2.10.3", "airflow.providers.postgres.operators.postgres", None),
        ("mwaa-2.10.3", "airflow.operators.postgres_operator", None),
        # a project's own class of that name is not Airflow's
        (TARGET, "dags.common.operators", None),
    ],
)
def test_which_imports_are_replaced(target: str, module: str, expected: str | None) -> None:
    t = load_target(target)
    assert sql_connection_argument(for_target(t), t, module, "PostgresOperator") == expected


def test_what_blocks_a_call() -> None:
    accepted = frozenset({"sql", "conn_id", "task_id"})
    assert blocker(["task_id", "postgres_conn_id", "sql"], 0, "postgres_conn_id", accepted) is None
    assert "positional" in (blocker(["task_id"], 1, "postgres_conn_id", accepted) or "")
    assert "**mapping" in (blocker([None], 0, "postgres_conn_id", accepted) or "")
    both = blocker(["postgres_conn_id", "conn_id"], 0, "postgres_conn_id", accepted)
    assert both is not None and "both" in both


@pytest.mark.slow
@pytest.mark.integration
def test_the_migrated_dags_import_in_the_targets_real_environment(tmp_path: Path) -> None:
    """DagBag in mwaa-2.11.2's environment (cached after a first build): the original files
    fail to import, the migrated ones parse."""
    from airlake.preflight.runtime import runtime_findings
    from airlake.preflight.target_env import without_constraint_lines

    root = _project(tmp_path / "p", {"provider.py": PROVIDER_DAG, "legacy.py": LEGACY_DAG})
    (root / "requirements.txt").unlink()
    _migrate(root, tmp_path / "out")
    reqs = tmp_path / "out" / "requirements.txt"
    # the migrated requirements install nothing beyond the image: without the file the
    # environment is the same (and the one other tests build)
    assert without_constraint_lines(reqs.read_text()).strip() == ""
    reqs.unlink()
    target = load_target(TARGET)
    before = runtime_findings(load_project(root), target)
    assert sorted((f.id, f.path) for f in before) == [
        ("PF403", "dags/legacy.py"),
        ("PF403", "dags/provider.py"),
    ]
    assert runtime_findings(load_project(tmp_path / "out"), target) == []
