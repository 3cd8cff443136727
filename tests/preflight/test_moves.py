import pytest

from airlake.preflight import load_target
from airlake.preflight.imports_index import Status, for_target
from airlake.preflight.moves import APPLY_DEFAULTS_NOTE, current_home


@pytest.mark.parametrize(
    ("target", "module", "name", "home"),
    [
        # 3.x: the standard provider, not airflow.operators.python (deprecated there)
        (
            "mwaa-3.0.6",
            "airflow.operators.python_operator",
            "PythonOperator",
            "airflow.providers.standard.operators.python",
        ),
        (
            "mwaa-3.0.6",
            "airflow.operators.python",
            "PythonOperator",
            "airflow.providers.standard.operators.python",
        ),
        (
            "mwaa-2.0.2",
            "airflow.operators.python_operator",
            "PythonOperator",
            "airflow.operators.python",
        ),
        (
            "mwaa-3.0.6",
            "airflow.operators.dummy_operator",
            "DummyOperator",
            "airflow.providers.standard.operators.empty",
        ),
        ("mwaa-2.10.3", "airflow.operators.dummy", "DummyOperator", "airflow.operators.empty"),
        ("mwaa-2.11.2", "airflow.hooks.base_hook", "BaseHook", "airflow.hooks.base"),
        ("mwaa-3.3.1", "airflow.hooks.base_hook", "BaseHook", "airflow.sdk"),
    ],
)
def test_the_fix_is_the_targets_current_home(
    target: str, module: str, name: str, home: str
) -> None:
    index = for_target(load_target(target))
    assert index is not None
    fix = current_home(index, module, name)
    assert fix is not None and fix.startswith(f"from {home} import ")
    # the home itself draws no finding there: the fix does not lead to another finding
    new_name = fix.split(" import ")[1].split(" ")[0]
    assert index.name(home, new_name).status is Status.OK


def test_dummy_becomes_empty_and_apply_defaults_is_dropped() -> None:
    index = for_target(load_target("mwaa-3.0.6"))
    assert index is not None
    assert current_home(index, "airflow.operators.dummy_operator", "DummyOperator") == (
        "from airflow.providers.standard.operators.empty import EmptyOperator "
        "(the new name of DummyOperator)"
    )
    assert current_home(index, "airflow.utils.decorators", "apply_defaults") == APPLY_DEFAULTS_NOTE


@pytest.mark.parametrize(
    ("target", "module"),
    [
        # gone on these targets (the postgres provider their constraints pin has no operators)
        ("mwaa-2.11.2", "airflow.providers.postgres.operators.postgres"),
        ("mwaa-3.3.1", "airflow.operators.postgres_operator"),
    ],
)
def test_a_removed_sql_operator_points_at_sql_execute_query_with_its_argument(
    target: str, module: str
) -> None:
    index = for_target(load_target(target))
    assert index is not None
    assert index.name(module, "PostgresOperator").status is not Status.OK
    home = current_home(index, module, "PostgresOperator")
    assert home is not None
    assert home.startswith(
        "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator"
    )
    assert "conn_id= where PostgresOperator took postgres_conn_id=" in home


def test_a_projects_own_postgres_operator_gets_no_sql_hint() -> None:
    index = for_target(load_target("mwaa-3.3.1"))
    assert index is not None
    assert current_home(index, "dags.common.operators", "PostgresOperator") is None
