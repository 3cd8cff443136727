"""Entry points that run on a cluster (EMR steps, spark-submit)."""
