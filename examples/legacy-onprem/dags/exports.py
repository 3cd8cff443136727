"""Partner exports: an S3 upload per partner."""

from datetime import datetime

from airflow import DAG
from airflow.hooks.S3_hook import S3Hook
from airflow.operators.python_operator import PythonOperator

PARTNERS = ("north", "south")


def export(partner, **context):
    S3Hook(aws_conn_id="aws_default").load_string(
        f"{partner} {context['ds']}", key=f"exports/{partner}/{context['ds']}.txt",
        bucket_name="partner-exports", replace=True,
    )


with DAG("exports", start_date=datetime(2021, 1, 1), schedule_interval="@daily", catchup=False) as dag:
    for partner in PARTNERS:
        PythonOperator(task_id=f"export_{partner}", python_callable=export, op_kwargs={"partner": partner})
