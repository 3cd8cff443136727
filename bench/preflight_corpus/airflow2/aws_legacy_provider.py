# ruff: noqa
"""Amazon provider module paths of the 1.x-8.x provider releases."""

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from airflow.providers.amazon.aws.hooks.lambda_function import AwsLambdaHook
from airflow.providers.amazon.aws.operators.athena import AWSAthenaOperator
from airflow.providers.amazon.aws.operators.emr_add_steps import EmrAddStepsOperator
from airflow.providers.amazon.aws.operators.emr_create_job_flow import EmrCreateJobFlowOperator
from airflow.providers.amazon.aws.operators.glue import AwsGlueJobOperator
from airflow.providers.amazon.aws.operators.glue_crawler import AwsGlueCrawlerOperator
from airflow.providers.amazon.aws.sensors.emr_step import EmrStepSensor
from airflow.providers.amazon.aws.sensors.s3_key import S3KeySensor

USED = (
    AwsBaseHook,
    AwsLambdaHook,
    AWSAthenaOperator,
    EmrAddStepsOperator,
    EmrCreateJobFlowOperator,
    AwsGlueJobOperator,
    AwsGlueCrawlerOperator,
    EmrStepSensor,
    S3KeySensor,
)
