"""``airlake mwaa bundle``: what an MWAA environment needs to run the airlake DAG.

The bundle is a folder to sync to the environment's S3 source bucket::

    dags/airlake_daily.py          the DAG, with the environment's profile name baked in
    dags/airlake/...               the airlake package as plain modules (no plugins.zip needed)
    dags/environments/<env>.toml   the profile
    requirements.txt               the constraints line of the target MWAA version, and only
                                   the packages the target does not already ship

No startup script is written: nothing in the DAG needs one (the profile name is in the DAG file,
not in an environment variable).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from airlake.errors import UserError
from airlake.settings import profile_dir, profile_values

# What the DAG and its MWAA-side tasks import beyond the standard library and Airflow itself:
# pyarrow + pyiceberg (table metadata for the quality gate; the table layer at parse time) and
# sqlglot (report models rendered for Athena). Everything heavy runs on EMR.
RUNTIME_REQUIREMENTS = ("pyarrow", "pyiceberg[glue]", "sqlglot")
DEFAULT_MWAA_VERSION = "3.0.6"
_SKIP = {"cli", "__pycache__", "jobs"}


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


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def preinstalled(version: str) -> set[str]:
    """Names of the packages the MWAA image ships, from the package data (empty if unknown)."""
    try:
        text = (
            resources.files("airlake.preflight")
            .joinpath("data", "mwaa", version, "preinstalled.txt")
            .read_text(encoding="utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError):
        return set()
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(_normalise(re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0]))
    return names


def requirements_text(version: str, shipped: set[str]) -> str:
    """requirements.txt for the target: its constraints line, then what it lacks (pure)."""
    lines = [
        f"# airlake for MWAA {version} (Python {mwaa_python(version)})",
        f'--constraint "{constraints_url(version)}"',
    ]
    for req in RUNTIME_REQUIREMENTS:
        if _normalise(req.split("[", 1)[0]) not in shipped:
            lines.append(req)
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Bundle:
    root: Path
    mwaa_version: str
    files: tuple[str, ...]


def build_bundle(env: str, out: Path, mwaa_version: str | None = None) -> Bundle:
    """Write the bundle for profile ``env`` into ``out`` (replacing an earlier bundle there)."""
    values = profile_values(env)
    version = mwaa_version or str(
        values.get("mwaa", {}).get("airflow_version", DEFAULT_MWAA_VERSION)
    )
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise UserError(f"bad MWAA Airflow version {version!r}")
    name = str(values.get("name", env))
    dags = out / "dags"
    if dags.exists():
        shutil.rmtree(dags)
    dags.mkdir(parents=True)
    package = Path(str(resources.files("airlake")))
    shutil.copytree(
        package,
        dags / "airlake",
        ignore=lambda folder, names: [
            n for n in names if n in _SKIP or n.endswith((".pyc", ".pyo"))
        ],
    )
    (dags / "environments").mkdir()
    source = Path(env) if env.endswith(".toml") else profile_dir() / f"{env}.toml"
    shutil.copyfile(source, dags / "environments" / f"{name}.toml")
    (dags / "airlake_daily.py").write_text(
        f'"""airlake\'s daily Airflow DAG for the {name} environment (MWAA bundle)."""\n\n'
        "from airlake.orchestration.dag import build_dag\n\n"
        f'dag = build_dag("{name}")\n',
        encoding="utf-8",
    )
    (out / "requirements.txt").write_text(
        requirements_text(version, preinstalled(version)), encoding="utf-8"
    )
    files = tuple(sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()))
    return Bundle(out, version, files)
