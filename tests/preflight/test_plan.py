from datetime import date
from pathlib import Path

import pytest
from packaging.version import Version

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.migrate import migrate, write_migration
from airlake.preflight.plan import make_plan, plan_target, recommend

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "legacy-onprem"


def test_the_plan_covers_every_mwaa_target_and_recommends_the_newest_with_fewest_decisions() -> (
    None
):
    plan = make_plan(load_project(EXAMPLE))
    assert len(plan.rows) == 17
    best = plan.recommended
    assert best is not None
    fewest = min(len(r.decisions) for r in plan.rows if r.target.airflow >= Version("2.1.2"))
    assert len(best.decisions) == fewest
    assert all(
        r.target.airflow <= best.target.airflow
        for r in plan.rows
        if len(r.decisions) == fewest and r.target.airflow >= Version("2.1.2")
    )
    assert "older than the project's Airflow 2.1.2" in plan.reason
    assert all(r.requirements_before == 41 for r in plan.rows)


def test_recommend_prefers_no_decision_and_never_goes_below_the_floor() -> None:
    rows = make_plan(load_project(EXAMPLE), ["mwaa-2.0.2", "mwaa-2.10.3"]).rows
    best, _ = recommend(rows, Version("2.5.0"))
    assert best is not None and best.target.name == "mwaa-2.10.3"
    none, reason = recommend(rows, Version("9.0.0"))
    assert none is None and "9.0.0" in reason


@pytest.mark.slow
@pytest.mark.parametrize(
    "target", ["mwaa-2.0.2", "mwaa-2.4.3", "mwaa-2.10.3", "mwaa-3.0.6", "mwaa-3.3.1"]
)
def test_the_plans_errors_left_are_what_the_written_migration_still_has(
    tmp_path: Path, target: str
) -> None:
    """Two independent paths agree: the plan's static classification of what the migration
    fixes, and the checks run again on the migration actually written."""
    project = load_project(EXAMPLE)
    t = load_target(target)
    row = plan_target(project, t)
    write_migration(
        project,
        migrate(project, t, run_checks(project, t), date(2026, 12, 3)),
        tmp_path / "o",
        False,
    )
    after = run_checks(load_project(tmp_path / "o"), t)
    assert row.errors_left == sum(1 for f in after if f.severity.value == "error")


def test_bad_input_completes_with_a_finding_per_problem(tmp_path: Path) -> None:
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "broken.py").write_text("def oops(:\n")
    (tmp_path / "dags" / "latin.py").write_bytes(b"x = '\xff'\n")
    (tmp_path / "requirements.txt").write_text("-r missing.txt\nnot a requirement!!\n")
    plan = make_plan(load_project(tmp_path), ["mwaa-2.10.3", "mwaa-3.3.1"])
    for row in plan.rows:
        ids = {f.id for f in row.left}
        assert {"PF200", "PF100"} <= ids
        assert any("broken.py" in d for d in row.decisions)
    missing = make_plan(load_project(tmp_path / "nope"), ["mwaa-2.10.3"])
    assert [f.id for f in missing.rows[0].left] == ["PF000"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "setup.py").write_text("print('not airflow')\n")
    other = make_plan(load_project(tmp_path / "other"), ["mwaa-2.10.3"])
    assert [f.message for f in other.rows[0].left] == ["not an Airflow project: no dags/ folder"]
