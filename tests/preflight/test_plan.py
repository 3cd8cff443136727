from datetime import date
from pathlib import Path

import pytest
from packaging.version import Version

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.migrate import migrate, write_migration
from airlake.preflight.plan import (
    make_plan,
    plan_target,
    ranking,
    recommend,
    resolve_plan,
    written_requirements,
)
from airlake.preflight.plan_output import plan_json, plan_table
from airlake.preflight.resolver import Outcome, Resolution
from airlake.preflight.targets import Target

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


# A real conflict in the package data: MWAA 3.2.1 and 3.3.1 constrain Flask to 3.1.3, and
# connexion 2.14.2 requires Flask < 2.3; neither constrains connexion, so the migration keeps
# the pin there. MWAA 3.0.6 ships connexion 2.14.2 (with Flask 2.2.5): the migration drops the
# pin. cowsay is in no target's constraints and is kept everywhere, so uv is asked on 3.0.6 too.
CONFLICTING = "connexion==2.14.2\ncowsay==6.1\n"
DAG_FILE = """import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("hello", start_date=pendulum.datetime(2025, 1, 1, tz="UTC"), schedule=None,
         catchup=False):
    EmptyOperator(task_id="noop")
"""
TODAY = date(2026, 12, 3)


def _project(tmp_path: Path, requirements: str = CONFLICTING) -> Path:
    (tmp_path / "dags").mkdir(parents=True)
    (tmp_path / "dags" / "hello.py").write_text(DAG_FILE)
    (tmp_path / "requirements.txt").write_text(requirements)
    return tmp_path


def test_the_written_requirements_keep_the_pin_only_where_the_target_does_not_ship_it(
    tmp_path: Path,
) -> None:
    project = load_project(_project(tmp_path))
    plan = make_plan(project, ["mwaa-3.0.6", "mwaa-3.3.1"])
    assert [r.target.name for r in ranking(plan.rows)] == ["mwaa-3.3.1", "mwaa-3.0.6"]
    assert plan.recommended is not None and plan.recommended.target.name == "mwaa-3.3.1"
    newest, older = plan.rows[1], plan.rows[0]
    assert "connexion==2.14.2" in written_requirements(project, newest, TODAY)
    assert "connexion" not in written_requirements(project, older, TODAY)
    assert "cowsay==6.1" in written_requirements(project, older, TODAY)
    assert load_target("mwaa-3.3.1").constraints["flask"] == "3.1.3"


def _fake(answers: dict[str, Resolution]):  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def resolver(text: str, target: Target) -> Resolution:
        asked.append(target.name)
        return answers[target.name]

    return resolver, asked


def test_resolve_moves_down_the_ranking_to_the_first_target_that_resolves(
    tmp_path: Path,
) -> None:
    project = load_project(_project(tmp_path))
    plan = make_plan(project, ["mwaa-2.10.3", "mwaa-3.0.6", "mwaa-3.3.1"])
    conflict = Resolution(
        Outcome.CONFLICT,
        "error: No solution found ... cause: Because a==1 "
        "depends on b<2 and b==3, we can conclude that a==1 cannot be used.",
    )
    resolver, asked = _fake({"mwaa-3.3.1": conflict, "mwaa-3.0.6": Resolution(Outcome.RESOLVES)})
    checked = resolve_plan(plan, project, TODAY, resolver)
    assert asked == ["mwaa-3.3.1", "mwaa-3.0.6"]  # 2.10.3 is never asked
    assert checked.recommended is not None and checked.recommended.target.name == "mwaa-3.0.6"
    assert "mwaa-3.3.1 (ranked above it) do not resolve" in checked.reason
    table = plan_table(checked, "p")
    assert "mwaa-3.3.1: does not resolve: a==1 depends on b<2 and b==3" in table
    cells = {line.split()[0]: line.split()[-1] for line in table.splitlines()[3:6]}
    assert cells["mwaa-3.0.6"] == "yes" and cells["mwaa-3.3.1"] == "no"
    assert cells["mwaa-2.10.3"] not in ("yes", "no", "?")  # not asked: blank
    assert '"outcome": "conflict"' in plan_json(checked)


def test_resolve_recommends_none_when_no_target_resolves_and_says_why(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path))
    plan = make_plan(project, ["mwaa-3.0.6", "mwaa-3.3.1"])
    no = Resolution(Outcome.CONFLICT, "cause: Because x==1 depends on y<1, we can conclude")
    resolver, asked = _fake({"mwaa-3.3.1": no, "mwaa-3.0.6": no})
    checked = resolve_plan(plan, project, TODAY, resolver)
    assert checked.recommended is None and asked == ["mwaa-3.3.1", "mwaa-3.0.6"]
    assert "none of the 2 target(s) asked (mwaa-3.3.1: x==1 depends on y<1;" in checked.reason
    table = plan_table(checked, "p")
    assert "recommended: none (the requirements resolve on none of the 2" in table
    assert "  mwaa-3.0.6: does not resolve: x==1 depends on y<1" in table


def test_resolve_stops_at_an_unreachable_index_and_keeps_the_static_pick(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path))
    plan = make_plan(project, ["mwaa-3.0.6", "mwaa-3.3.1"])
    offline = Resolution(Outcome.UNREACHABLE, "the package index cannot be reached (uv: ...)")
    resolver, asked = _fake({"mwaa-3.3.1": offline})
    checked = resolve_plan(plan, project, TODAY, resolver)
    assert asked == ["mwaa-3.3.1"]
    assert checked.recommended is plan.recommended
    assert "not checked: the package index cannot be reached" in checked.reason


def test_nothing_left_to_install_is_not_sent_to_the_resolver(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path, "connexion==2.14.2\n"))
    plan = make_plan(project, ["mwaa-3.0.6"])
    resolver, asked = _fake({})
    checked = resolve_plan(plan, project, TODAY, resolver)
    assert asked == [] and checked.recommended is not None
    assert "nothing to install" in checked.reason


@pytest.mark.slow
@pytest.mark.integration
def test_resolve_against_the_package_index_skips_the_target_whose_flask_conflicts(
    tmp_path: Path,
) -> None:
    """uv and the real index: the static pick (3.3.1) does not install, 3.0.6 does."""
    project = load_project(_project(tmp_path))
    plan = resolve_plan(make_plan(project, ["mwaa-3.0.6", "mwaa-3.3.1"]), project, TODAY)
    first, second = plan.resolved
    assert first[0] == "mwaa-3.3.1" and first[1].outcome is Outcome.CONFLICT
    assert "connexion==2.14.2 depends on flask" in first[1].reason
    assert "flask==3.1.3" in first[1].reason
    assert second == ("mwaa-3.0.6", Resolution(Outcome.RESOLVES))
    assert plan.recommended is not None and plan.recommended.target.name == "mwaa-3.0.6"
