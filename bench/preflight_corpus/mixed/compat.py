# ruff: noqa
"""Version-tolerant imports: what fails is caught, so the file works on every target."""

from datetime import datetime

try:
    from airflow.providers.standard.operators.python import PythonOperator
except ImportError:
    try:
        from airflow.operators.python import PythonOperator
    except ImportError:
        from airflow.operators.python_operator import PythonOperator

try:
    from airflow.sdk import DAG
except ImportError:
    from airflow import DAG

with DAG("compat", start_date=datetime(2024, 1, 1)) as dag:
    PythonOperator(task_id="noop", python_callable=lambda: None)
