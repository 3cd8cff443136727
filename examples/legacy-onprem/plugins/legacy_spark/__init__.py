"""The on-prem Spark plugin: registers the team's operators and hook the Airflow 1.10 way."""

from airflow.plugins_manager import AirflowPlugin

from legacy_spark.hooks import WarehouseHook
from legacy_spark.operators import PartitionSensor, WarehouseLoadOperator


class LegacySparkPlugin(AirflowPlugin):
    name = "legacy_spark"
    operators = [WarehouseLoadOperator, PartitionSensor]
    hooks = [WarehouseHook]
