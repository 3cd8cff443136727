import hashlib
from datetime import date
from pathlib import Path

import pytest

from airlake.errors import UserError
from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.migrate import migrate, missing_packages, write_migration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "legacy-onprem"
TODAY = date(2026, 12, 3)


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + p.read_bytes())
    return h.hexdigest()


def _migrate(root: Path, target: str, out: Path, force: bool = False):  # type: ignore[no-untyped-def]
    project = load_project(root)
    t = load_target(target)
    migration = migrate(project, t, run_checks(project, t), TODAY)
    write_migration(project, migration, out, force)
    return migration


def test_the_example_migrates_to_no_error_and_the_original_is_untouched(tmp_path: Path) -> None:
    before = _digest(EXAMPLE)
    migration = _migrate(EXAMPLE, "mwaa-3.3.1", tmp_path / "out")
    assert _digest(EXAMPLE) == before
    after = run_checks(load_project(tmp_path / "out"), load_target("mwaa-3.3.1"))
    assert [f for f in after if f.severity.value == "error"] == []
    # the plugin registered only code: it is gone and its modules moved under dags/
    assert not (tmp_path / "out" / "plugins").exists()
    assert (tmp_path / "out" / "dags" / "legacy_spark" / "operators.py").exists()
    init = (tmp_path / "out" / "dags" / "legacy_spark" / "__init__.py").read_text()
    assert "AirflowPlugin" not in init
    assert migration.requirements_before == 41 and migration.requirements_after < 10
    reqs = (tmp_path / "out" / "requirements.txt").read_text()
    assert reqs.startswith(
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.3.1/'
    )
    assert "apache-airflow[" not in reqs and "boto3" not in reqs  # Airflow and what MWAA ships
    whats = " | ".join(d.what for d in migration.decisions)
    assert "file:///opt/jobs/clean_events.py" in whats


def test_a_non_empty_out_is_refused_unless_forced_and_never_the_project(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty"):
        _migrate(EXAMPLE, "mwaa-2.10.3", out)
    assert (out / "keep.txt").read_text() == "mine"
    _migrate(EXAMPLE, "mwaa-2.10.3", out, force=True)
    assert not (out / "keep.txt").exists() and (out / "dags" / "campaign_etl.py").exists()
    project = tmp_path / "project"
    (project / "dags").mkdir(parents=True)
    with pytest.raises(UserError, match="overlaps"):
        _migrate(project, "mwaa-2.10.3", project / "migrated")


def test_included_requirements_are_inlined_with_a_decision(tmp_path: Path) -> None:
    out = tmp_path / "out"
    tmp_path = tmp_path / "project"
    (tmp_path / "dags").mkdir(parents=True)
    (tmp_path / "requirements.txt").write_text("-r base.txt\nrequests==2.25.1\n")
    (tmp_path / "base.txt").write_text("apache-airflow==2.1.2\nsimplejson==3.17.2\n")
    migration = _migrate(tmp_path, "mwaa-2.10.3", out)
    reqs = (out / "requirements.txt").read_text().splitlines()
    assert "-r base.txt" not in reqs and "simplejson==3.17.2" in reqs
    assert not any(line.startswith("apache-airflow") for line in reqs)
    assert any("inlined" in d.what for d in migration.decisions)


def test_third_party_imports_nobody_installs_are_named(tmp_path: Path) -> None:
    (tmp_path / "dags" / "helpers").mkdir(parents=True)
    (tmp_path / "dags" / "helpers" / "__init__.py").write_text("")
    (tmp_path / "dags" / "a.py").write_text(
        "import os\nimport pymongo\nimport boto3\nimport yaml\nfrom helpers import x\n"
        "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"
    )
    project = load_project(tmp_path)
    # boto3 and PyYAML ship with MWAA; os is stdlib; helpers is the project's; ujson is guarded
    assert missing_packages(project, load_target("mwaa-2.10.3")) == {"pymongo": ["dags/a.py"]}
