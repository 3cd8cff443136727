"""A plan survives its JSON form unchanged, and the emr plan needs no airlake code to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from airlake.deploy.plan import plan_for
from airlake.orchestration.plan import DagPlan
from airlake.settings import profile_values
from airlake.stages import STAGE_NAMES

ORCHESTRATION = Path(__file__).resolve().parents[2] / "src" / "airlake" / "orchestration"


@pytest.mark.parametrize("profile", ["local", "team", "production"])
def test_plan_round_trips_through_json(profile: str) -> None:
    plan = plan_for(profile_values(profile))
    assert DagPlan.from_json(plan.to_json()) == plan


def test_emr_plan_runs_every_stage_on_emr_or_athena_and_gates_after_ingest() -> None:
    plan = plan_for(profile_values("production"))
    kinds = {t.task_id: t.kind for t in plan.tasks}
    ids = [t.task_id for t in plan.tasks]
    assert ids.index("quality_gate") == ids.index("ingest") + 1
    assert {t for t, k in kinds.items() if k == "emr_step"} == (set(STAGE_NAMES) - {"reports"}) | {
        "quality_gate"
    }
    assert sum(k == "athena" for k in kinds.values()) == 4
    assert not any(t.command for t in plan.tasks)
    assert plan.emr is not None and plan.emr.cluster["BootstrapActions"]


def test_local_plan_runs_airlake_in_its_own_environment() -> None:
    plan = plan_for(profile_values("local"))
    for task in plan.tasks:
        assert task.kind == "command" and task.command[0] == "{airlake}", task
    assert plan.sensor.command[:2] == ("{airlake}", "landing-complete")


def test_the_dag_side_imports_only_the_standard_library_airflow_and_itself() -> None:
    allowed = {"airflow", "airlake"}
    for path in ORCHESTRATION.glob("*.py"):
        if path.name == "run_dag.py":  # the demo's driver, not bundled
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top == "airlake":
                    assert name.startswith("airlake.orchestration"), (path.name, name)
                else:
                    import sys

                    assert (
                        top in allowed or top in sys.stdlib_module_names or top in {"packaging"}
                    ), (path.name, name)


# -- the intraday plan ------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["local", "team", "production"])
def test_intraday_plan_round_trips_through_json(profile: str) -> None:
    from airlake.deploy.intraday_plan import intraday_plan_for

    plan = intraday_plan_for(profile_values(profile))
    assert DagPlan.from_json(plan.to_json()) == plan
    assert plan.dag_id == "airlake_intraday" and plan.sensor is None and not plan.catchup


def test_intraday_plan_takes_schedule_and_time_zone_from_the_profile() -> None:
    from airlake.deploy.intraday_plan import intraday_plan_for

    values = profile_values("local")
    values["intraday"] = {"schedule": "*/15 6-21 * * *", "business_timezone": "Europe/Madrid"}
    plan = intraday_plan_for(values)
    assert (plan.schedule, plan.timezone) == ("*/15 6-21 * * *", "Europe/Madrid")


def test_local_intraday_plan_refreshes_then_checks_alerts_with_airlake() -> None:
    from airlake.deploy.intraday_plan import intraday_plan_for
    from airlake.orchestration.plan import NOW

    plan = intraday_plan_for(profile_values("local"))
    refresh, alerts = plan.tasks
    assert refresh.command == ("{airlake}", "refresh", "--env", "{profile}", "--now", NOW)
    assert (alerts.kind, alerts.command, alerts.retries) == (
        "alerts",
        ("{airlake}", "alerts", "--env", "{profile}"),
        0,
    )
    assert plan.params == {"now": ""}


def test_emr_intraday_plan_refreshes_on_the_kept_cluster_and_asks_athena_for_alerts() -> None:
    from airlake.deploy.intraday_plan import ALERTS_QUERY, intraday_plan_for
    from airlake.orchestration.plan import NOW

    plan = intraday_plan_for(profile_values("production"))
    refresh, alerts = plan.tasks
    (step,) = refresh.steps
    args = step["HadoopJarStep"]["Args"]
    assert args[args.index("--py-files") + 3 :] == [
        "--refresh",
        "--env",
        "production",
        "--now",
        NOW,
    ]
    assert step["ActionOnFailure"] == "CONTINUE"
    assert (alerts.kind, alerts.query) == ("alerts", ALERTS_QUERY)
    assert plan.emr is not None and plan.emr.keep_name == "airlake-production-intraday"
    assert plan.emr.cluster["AutoTerminationPolicy"]["IdleTimeout"] > 3600
    import sqlglot

    sqlglot.parse_one(ALERTS_QUERY, read="trino")
