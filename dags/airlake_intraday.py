"""airlake's intraday Airflow DAG (``airlake_intraday``), for an Airflow that has airlake installed.

The plan comes from the profile named by $AIRLAKE_ENV (default: local); for MWAA,
``airlake mwaa bundle`` writes a DAG file that reads a precomputed plan instead.
"""

import os

from airlake.deploy.intraday_plan import intraday_plan_for
from airlake.orchestration.dag import build_dag
from airlake.settings import profile_values

profile = os.environ.get("AIRLAKE_ENV", "local")
dag = build_dag(intraday_plan_for(profile_values(profile, environ=os.environ)), profile=profile)
