"""airlake's daily Airflow DAG.

The DAG is built by airlake.orchestration from the pipeline's own stage list; the environment
profile comes from $AIRLAKE_ENV (default: local).
"""

from airlake.orchestration.dag import build_dag

dag = build_dag()
