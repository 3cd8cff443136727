"""--resolve: uv's resolver for a Python that is not installed (3.7, MWAA 2.0.2), against the index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from airlake.preflight import load_project, load_target
from airlake.preflight.fix import fixes
from airlake.preflight.resolver import resolver_findings

pytestmark = pytest.mark.integration
FIXTURE = Path(__file__).parent / "fixtures" / "seed_2_1_2"


def test_the_resolver_names_the_conflict_and_accepts_the_fixed_file(tmp_path: Path) -> None:
    target = load_target("mwaa-2.0.2")
    (finding,) = resolver_findings(load_project(FIXTURE), target)
    assert finding.id == "PF110" and "Python 3.7" in finding.message
    assert "==" in finding.message  # uv's explanation names the pins
    project = tmp_path / "seed"
    shutil.copytree(FIXTURE, project)
    for fix in fixes(load_project(project), target):
        (project / fix.path).write_text(fix.after)
    assert resolver_findings(load_project(project), target) == []


@pytest.mark.parametrize("absolute", [True, False])
def test_the_resolver_follows_no_include_out_of_the_project(tmp_path: Path, absolute: bool) -> None:
    secret = "secret-token-xyz"
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{secret}==1.0\n")
    project = tmp_path / "proj"
    (project / "dags").mkdir(parents=True)
    include = outside if absolute else "../outside.txt"
    (project / "requirements.txt").write_text(f"-r {include}\nrequests\n")
    findings = resolver_findings(load_project(project), load_target("mwaa-2.10.3"))
    assert secret not in repr(findings)
    assert findings == []  # uv never saw the outside line
