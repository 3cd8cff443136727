from airflow.hooks.base_hook import BaseHook


class WarehouseHook(BaseHook):
    """Connection to the warehouse database."""

    def __init__(self, conn_id="warehouse"):
        super().__init__()
        self.conn_id = conn_id

    def get_uri(self):
        return self.get_connection(self.conn_id).get_uri()
