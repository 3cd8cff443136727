"""Weekly warehouse maintenance through the plugin's hook."""

from datetime import datetime

from airflow import DAG
from airflow.hooks.legacy_spark import WarehouseHook
from airflow.operators.python_operator import BranchPythonOperator, PythonOperator
from airflow.operators.dummy_operator import DummyOperator


def vacuum(**_):
    return WarehouseHook().conn_id


def pick(**context):
    return "vacuum" if context["ds"] else "skip"


with DAG(
    "warehouse_maintenance",
    start_date=datetime(2021, 6, 1),
    schedule_interval="@weekly",
    catchup=False,
) as dag:
    branch = BranchPythonOperator(task_id="pick", python_callable=pick, provide_context=True)
    run = PythonOperator(task_id="vacuum", python_callable=vacuum)
    skip = DummyOperator(task_id="skip")
    branch >> [run, skip]
