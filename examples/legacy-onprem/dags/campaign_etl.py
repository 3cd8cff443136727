"""Daily campaign ETL: Spark cleaning through Livy, then the warehouse load."""

from datetime import timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.dummy_operator import DummyOperator
from airflow.operators.legacy_spark import PartitionSensor, WarehouseLoadOperator
from airflow.operators.python_operator import PythonOperator
from airflow.providers.apache.livy.operators.livy import LivyOperator
from airflow.utils.dates import days_ago

default_args = {"owner": "data", "retries": 2, "retry_delay": timedelta(minutes=5)}


def announce(**context):
    print("campaigns for", context["execution_date"])


with DAG(
    "campaign_etl",
    default_args=default_args,
    start_date=days_ago(2),
    schedule_interval="@daily",
    concurrency=4,
    catchup=False,
) as dag:
    start = DummyOperator(task_id="start")
    landed = PartitionSensor(task_id="landed", table="events", poke_interval=60)
    clean = LivyOperator(
        task_id="clean_events",
        file="file:///opt/jobs/clean_events.py",
        args=["--date", "{{ ds }}"],
        conf={"spark.executor.memory": "4g"},
        py_files=["s3://jobs/lib.zip"],
        livy_conn_id="livy_default",
        polling_interval=30,
    )
    load = WarehouseLoadOperator(task_id="load", table="campaign_daily")
    note = PythonOperator(task_id="announce", python_callable=announce, provide_context=True)
    report = BashOperator(task_id="report", bash_command="echo done for {{ execution_date }}")
    start >> landed >> clean >> load >> [note, report]
