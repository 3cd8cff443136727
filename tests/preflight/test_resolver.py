"""--resolve: uv's resolver for a Python that is not installed (3.7, MWAA 2.0.2), against the index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from airlake.preflight import load_project, load_target
from airlake.preflight.fix import fixes
from airlake.preflight.resolver import Outcome, resolve, resolver_findings, short_reason

FIXTURE = Path(__file__).parent / "fixtures" / "seed_2_1_2"


@pytest.mark.integration
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


@pytest.mark.integration
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


def test_the_short_reason_is_the_first_step_of_uvs_derivation() -> None:
    said = (
        "error: No solution found when resolving dependencies cause: Because connexion==2.14.2 "
        "depends on flask>=1.0.4,<2.3 and flask==3.1.3, we can conclude that connexion==2.14.2 "
        "cannot be used. And because you require connexion==2.14.2, we can conclude ..."
    )
    assert short_reason(said) == "connexion==2.14.2 depends on flask>=1.0.4,<2.3 and flask==3.1.3"
    assert short_reason("error: Failed to build `x==1.0`") == "Failed to build `x==1.0`"
    assert len(short_reason("error: " + "y" * 500)) == 200


@pytest.fixture
def no_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """An index nobody listens on, no cache to fall back on, no retries."""
    monkeypatch.setenv("UV_DEFAULT_INDEX", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("UV_NO_CACHE", "1")
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")


@pytest.mark.slow  # uv gives up on the closed port in 4-10 s here
@pytest.mark.usefixtures("no_index")
def test_an_unreachable_index_is_one_line_not_a_conflict(tmp_path: Path) -> None:
    answer = resolve("requests\n", load_target("mwaa-3.3.1"))
    assert answer.outcome is Outcome.UNREACHABLE
    assert answer.reason.startswith("the package index cannot be reached (uv: Failed to fetch")
    assert "\n" not in answer.reason
    (tmp_path / "dags").mkdir()
    (tmp_path / "requirements.txt").write_text("requests\n")
    (finding,) = resolver_findings(load_project(tmp_path), load_target("mwaa-3.3.1"))
    assert finding.id == "PF400" and finding.severity.value == "info"
    assert "resolver check skipped: the package index cannot be reached" in finding.message
