# ruff: noqa
"""A 1.10-era image-processing pipeline: core operator modules and a contrib hook."""

from datetime import datetime

from airflow import DAG
from airflow.contrib.hooks.aws_lambda_hook import AwsLambdaHook
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.python_operator import PythonOperator


def resize(**context):
    return AwsLambdaHook("resize", region_name="us-east-1")


with DAG("image_processing", start_date=datetime(2021, 1, 1), schedule_interval=None) as dag:
    start = DummyOperator(task_id="start")
    fetch = BashOperator(task_id="fetch", bash_command="echo fetch")
    work = PythonOperator(task_id="resize", python_callable=resize, provide_context=True)
    start >> fetch >> work
