"""``airlake mwaa bundle``: what an MWAA environment needs to run the airlake DAGs.

The bundle is a folder to sync to the environment's S3 source bucket::

    dags/airlake_daily.py              the daily DAG: builds operators from the precomputed plan
    dags/airlake_intraday.py           the intraday DAG (refreshes + alerts), from its own plan
    dags/.airflowignore                the scheduler parses only the DAG files, not the package
    dags/airlake/                      the DAG side of airlake (orchestration/: standard library
                                       + Airflow + the Amazon provider), the plans
                                       (plan.json, plan_intraday.json), the profile
    requirements.txt                   the target's constraints line, nothing else: the worker
                                       needs only what the MWAA image ships
    startup.sh                         (local/team mode only) airlake's own virtualenv beside
                                       Airflow's, from plugins/airlake-wheelhouse (zip plugins/
                                       as plugins.zip; its wheels with --wheelhouse)
    artifacts/                         (emr mode only) upload to the profile's storage.artifacts:
                                       airlake.zip + spark_job.py for the steps, the EMR
                                       bootstrap action and its wheelhouse requirements

Everything of airlake that needs third-party packages runs outside Airflow's environment: on
EMR (Spark steps, Python 3.11, packages from the bootstrap action) and Athena in emr mode, or in
airlake's own virtualenv (``airlake run --stage X``) in local mode.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from airlake.errors import UserError
from airlake.settings import (
    EngineMode,
    Settings,
    profile_dir,
    profile_values,
    settings_from_values,
)

DEFAULT_MWAA_VERSION = "3.0.6"
DAG_SIDE = ("__init__.py", "orchestration")
"""The only parts of the airlake package the Airflow side imports."""
_NOT_BUNDLED = {"run_dag.py", "__pycache__"}
VENV = "/usr/local/airflow/airlake-venv"
WHEELHOUSE = "/usr/local/airflow/plugins/airlake-wheelhouse"


def mwaa_python(version: str) -> str:
    """The Python version MWAA runs for an Airflow version."""
    major, minor, *_ = (int(p) for p in version.split("."))
    if (major, minor) < (2, 4):
        return "3.7"
    if (major, minor) < (2, 7):
        return "3.10"
    if (major, minor) < (2, 11):
        return "3.11"
    return "3.12"


def constraints_url(version: str) -> str:
    return (
        "https://raw.githubusercontent.com/apache/airflow/"
        f"constraints-{version}/constraints-{mwaa_python(version)}.txt"
    )


def requirements_text(version: str) -> str:
    """requirements.txt for the target: its constraints line only (pure)."""
    return (
        f"# airlake for MWAA {version} (Python {mwaa_python(version)}): the DAG needs only what\n"
        "# the image ships (Airflow, the Amazon provider, boto3).\n"
        f'--constraint "{constraints_url(version)}"\n'
    )


def startup_script(python: str) -> str:
    """MWAA's startup script for local/team mode: airlake's own virtualenv, from the wheelhouse
    in plugins.zip (no package index needed), outside Airflow's environment."""
    return f"""#!/bin/sh
# airlake: its own virtualenv beside Airflow's (its pins never meet Airflow's).
if [ ! -x "{VENV}/bin/airlake" ]; then
    python{python} -m venv "{VENV}"
    "{VENV}/bin/pip" install --quiet --no-index --find-links "{WHEELHOUSE}" \\
        -r "{WHEELHOUSE}/requirements.txt" airlake
fi
export AIRLAKE_BIN="{VENV}/bin/airlake"
"""


DAG_FILES = {
    "airlake_daily.py": ("daily", "plan.json"),
    "airlake_intraday.py": ("intraday", "plan_intraday.json"),
}
"""The bundle's DAG files: (which DAG, the plan it reads from dags/airlake/)."""


def _dag_file(name: str, kind: str = "daily", plan: str = "plan.json") -> str:
    return (
        f'"""airlake\'s {kind} Airflow DAG for the {name} environment (MWAA bundle).\n\n'
        f'Built from the plan in airlake/{plan}; imports nothing but Airflow."""\n\n'
        "from pathlib import Path\n\n"
        "from airlake.orchestration.dag import build_dag\n"
        "from airlake.orchestration.plan import load_plan\n\n"
        "HERE = Path(__file__).resolve().parent\n"
        f'dag = build_dag(load_plan(HERE / "airlake" / "{plan}"), '
        f'profile=str(HERE / "airlake" / "environments" / "{name}.toml"))\n'
    )


@dataclass(frozen=True, slots=True)
class Bundle:
    root: Path
    mwaa_version: str
    mode: str
    files: tuple[str, ...]


def known_version(version: str) -> str:
    """``version`` when MWAA runs it (from the package data), else a UserError naming them."""
    from airlake.preflight.targets import known_targets

    known = [t.removeprefix("mwaa-") for t in known_targets() if t.startswith("mwaa-")]
    if version not in known:
        raise UserError(f"unknown MWAA Airflow version {version!r}; known: {', '.join(known)}")
    return version


def _copy_dag_side(out: Path) -> None:
    package = Path(str(resources.files("airlake")))
    out.mkdir(parents=True)
    for part in DAG_SIDE:
        source = package / part
        if source.is_dir():
            shutil.copytree(
                source,
                out / part,
                ignore=lambda folder, names: [
                    n for n in names if n in _NOT_BUNDLED or n.endswith((".pyc", ".pyo"))
                ],
            )
        else:
            shutil.copyfile(source, out / part)


def _emr_artifacts(out: Path, values: dict[str, Any], settings: Settings) -> None:
    from airlake.deploy import emr
    from airlake.deploy.runtime_requirements import pinned_runtime_requirements
    from airlake.jobs.package import build_package

    build_package(out)
    (out / "emr").mkdir()
    wheelhouse_uri = f"{emr.artifacts_uri(settings, values)}/{emr.WHEELHOUSE}"
    (out / emr.BOOTSTRAP_SCRIPT).write_text(emr.bootstrap_script(wheelhouse_uri), encoding="utf-8")
    (out / emr.WHEELHOUSE).mkdir(parents=True)
    (out / emr.WHEELHOUSE / "requirements.txt").write_text(
        "\n".join(pinned_runtime_requirements(python_version="3.11")) + "\n", encoding="utf-8"
    )


def _local_wheelhouse(folder: Path, python: str) -> None:
    from airlake.deploy.runtime_requirements import pinned_runtime_requirements

    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text(
        "\n".join(pinned_runtime_requirements(python_version=python)) + "\n", encoding="utf-8"
    )


def _airlake_wheel(folder: Path) -> None:
    """airlake's own wheel into ``folder`` (needs a checkout and uv)."""
    import subprocess

    from airlake.preflight.target_env import find_uv
    from airlake.settings import project_root

    uv = find_uv()
    if uv is None or not (project_root() / "pyproject.toml").exists():
        raise UserError("building airlake's wheel needs a checkout of airlake and uv")
    done = subprocess.run(
        [uv, "build", "--wheel", "--quiet", "--out-dir", str(folder)],
        cwd=project_root(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise UserError(f"uv build failed: {done.stderr.strip()[-500:]}")


def build_bundle(
    env: str, out: Path, mwaa_version: str | None = None, wheelhouse: str | None = None
) -> Bundle:
    """Write the bundle for profile ``env`` into ``out`` (replacing an earlier bundle there).

    ``wheelhouse`` (an architecture: aarch64 or x86_64) also downloads the wheels the EMR
    bootstrap action (emr mode) or the startup script (local/team mode) installs offline.
    """
    from airlake.deploy.intraday_plan import intraday_plan_for
    from airlake.deploy.plan import plan_for
    from airlake.deploy.wheelhouse import fill_wheelhouse

    values = profile_values(env)
    version = known_version(
        mwaa_version or str(values.get("mwaa", {}).get("airflow_version", DEFAULT_MWAA_VERSION))
    )
    settings = settings_from_values(values)
    plans = {"plan.json": plan_for(values), "plan_intraday.json": intraday_plan_for(values)}
    name = str(values.get("name", env))
    for stale in ("dags", "artifacts", "plugins", "startup.sh", "requirements.txt"):
        target = out / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    package = out / "dags" / "airlake"
    _copy_dag_side(package)
    for file_name, plan in plans.items():
        (package / file_name).write_text(plan.to_json() + "\n", encoding="utf-8")
    (package / "environments").mkdir()
    source = Path(env) if env.endswith(".toml") else profile_dir() / f"{env}.toml"
    shutil.copyfile(source, package / "environments" / f"{name}.toml")
    for dag_file, (kind, plan_file) in DAG_FILES.items():
        (out / "dags" / dag_file).write_text(_dag_file(name, kind, plan_file), encoding="utf-8")
    (out / "dags" / ".airflowignore").write_text("airlake/\n", encoding="utf-8")
    (out / "requirements.txt").write_text(requirements_text(version), encoding="utf-8")
    if settings.engine is EngineMode.EMR:
        from airlake.deploy import emr

        _emr_artifacts(out / "artifacts", values, settings)
        if wheelhouse:
            fill_wheelhouse(out / "artifacts" / emr.WHEELHOUSE, "3.11", wheelhouse)
    else:
        python = mwaa_python(version)
        (out / "startup.sh").write_text(startup_script(python), encoding="utf-8")
        folder = out / "plugins" / "airlake-wheelhouse"
        _local_wheelhouse(folder, python)
        if wheelhouse:
            fill_wheelhouse(folder, python, wheelhouse)
            _airlake_wheel(folder)
    files = tuple(sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()))
    return Bundle(out, version, settings.engine.value, files)


def bundle_requirement_lines(bundle: Bundle) -> list[str]:
    """The requirement lines of the bundle's requirements.txt (comments and options left out)."""
    text = (bundle.root / "requirements.txt").read_text(encoding="utf-8")
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not re.match(r"\s*(#|-)", line)
    ]
