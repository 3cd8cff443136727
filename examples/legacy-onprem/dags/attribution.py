"""Attribution: the same Spark job for two lookback windows."""

from airflow import DAG
from airflow.contrib.operators.emr_add_steps_operator import EmrAddStepsOperator
from airflow.contrib.sensors.emr_step_sensor import EmrStepSensor
from airflow.operators.dummy_operator import DummyOperator
from airflow.providers.apache.livy.operators.livy import LivyOperator
from airflow.utils.dates import days_ago

with DAG("attribution", start_date=days_ago(1), schedule_interval="0 4 * * *") as dag:
    done = DummyOperator(task_id="done")
    for days in (7, 30):
        window = LivyOperator(
            task_id=f"attribution_{days}d",
            file="s3://jobs/attribution.py",
            args=["--lookback", str(days), "--date", "{{ ds }}"],
            num_executors=4,
        )
        window >> done
    compact = EmrAddStepsOperator(
        task_id="compact",
        job_flow_id="{{ var.value.emr_cluster_id }}",
        steps=[{"Name": "compact", "ActionOnFailure": "CONTINUE",
                "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["echo"]}}],
    )
    compacted = EmrStepSensor(
        task_id="compacted",
        job_flow_id="{{ var.value.emr_cluster_id }}",
        step_id="{{ ti.xcom_pull(task_ids='compact')[0] }}",
    )
    done >> compact >> compacted
