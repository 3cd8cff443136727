from airflow.models import BaseOperator
from airflow.sensors.base_sensor_operator import BaseSensorOperator
from airflow.utils.decorators import apply_defaults

from legacy_spark.hooks import WarehouseHook


class WarehouseLoadOperator(BaseOperator):
    """Loads a day of a table into the warehouse."""

    template_fields = ("table", "day")

    @apply_defaults
    def __init__(self, table, day="{{ ds }}", conn_id="warehouse", **kwargs):
        super().__init__(**kwargs)
        self.table = table
        self.day = day
        self.conn_id = conn_id

    def execute(self, context):
        self.log.info("loading %s for %s via %s", self.table, self.day, WarehouseHook(self.conn_id).conn_id)


class PartitionSensor(BaseSensorOperator):
    """Waits for a day's partition of a table."""

    @apply_defaults
    def __init__(self, table, **kwargs):
        super().__init__(**kwargs)
        self.table = table

    def poke(self, context):
        return True
