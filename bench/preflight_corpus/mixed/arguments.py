# ruff: noqa
"""DAG and operator arguments that came and went."""

from datetime import datetime

from airflow import DAG
from airflow.operators.python_operator import PythonOperator

with DAG(
    "arguments",
    start_date=datetime(2021, 1, 1),
    schedule_interval="@daily",
    concurrency=4,
) as dag:
    PythonOperator(task_id="noop", python_callable=lambda **_: None, provide_context=True)
