# ruff: noqa
"""An Airflow 3 DAG: the task SDK and the standard provider."""

from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Asset, TaskGroup, Variable, get_current_context, task

with DAG("sdk", start_date=datetime(2025, 1, 1), schedule=None) as dag:
    with TaskGroup("group"):
        first = EmptyOperator(task_id="start")
        run = BashOperator(task_id="run", bash_command="echo run", outlets=[Asset("s3://b/k")])
        done = PythonOperator(task_id="report", python_callable=get_current_context)
        first >> run >> done

    @task
    def read():
        return Variable.get("x", default=None)

    read()
