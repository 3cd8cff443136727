"""A target's real worker environment, built the way MWAA builds one, with uv, cached.

For an ``mwaa-X`` target: the target's Python, then exactly the packages the MWAA image ships
(``preinstalled.txt``: Airflow, its providers, boto3, ... at the image's versions), then the
project's ``requirements.txt`` resolved under the target's Airflow constraints and the pins MWAA
will not let a user override. For an ``airflow-X`` target: ``apache-airflow==X`` under its
constraints, then the requirements. Environments are cached by everything that goes into them
(``~/.cache/airlake/targets`` or ``$AIRLAKE_TARGET_CACHE``), so a second build costs nothing.

This is the one place that knows how a target is built: ``preflight --install``, the target
matrix and the import index all use it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from airlake.errors import UserError
from airlake.preflight.pythons import PythonLookup, find_python
from airlake.preflight.targets import Target

CONSTRAINT_LINE = re.compile(r"\s*(-c|--constraint)\b")

# Source distributions of the Python 3.7 images' era (Flask-OpenID 1.2.5, ...) use setuptools'
# ``use_2to3``, which setuptools 58 removed; those images were built before it.
LEGACY_BUILD_CONSTRAINTS = "setuptools<58\n"


class TargetEnvError(UserError):
    """The target's environment cannot be built here (no Python, no uv, or uv's resolver said no)."""


@dataclass(frozen=True, slots=True)
class TargetEnv:
    """A built environment: its folder, interpreter, and how long the build took (0 if cached)."""

    target: Target
    root: Path
    python_version: str
    seconds: float
    cached: bool

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def bin(self, name: str) -> Path:
        return self.root / "bin" / name


def cache_root() -> Path:
    return Path(
        os.environ.get("AIRLAKE_TARGET_CACHE") or Path.home() / ".cache" / "airlake" / "targets"
    )


def find_uv() -> str | None:
    """uv: on PATH, beside this interpreter, or the one ``make install`` put in the checkout's
    ``.tools/bin`` (found from this environment and from this package's source, whatever the
    current folder is)."""
    checkout = Path(__file__).resolve().parents[3]
    candidates = (
        shutil.which("uv"),
        str(Path(sys.executable).parent / "uv"),
        str(Path(sys.prefix).parent / ".tools" / "bin" / "uv"),
        str(checkout / ".tools" / "bin" / "uv"),
    )
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(Path(candidate).resolve())
    return None


def data_file(target: Target, name: str) -> str | None:
    """A file of the target's package data (``airflow-constraints.txt``, ...), or None."""
    try:
        return (
            resources.files("airlake.preflight")
            .joinpath("data", "mwaa", target.airflow_version, name)
            .read_text(encoding="utf-8")
        )
    except FileNotFoundError:
        return None


def without_constraint_lines(requirements: str) -> str:
    """A requirements text minus its ``--constraint URL`` lines (the local copy replaces them)."""
    return "\n".join(line for line in requirements.splitlines() if not CONSTRAINT_LINE.match(line))


def _key(target: Target, python: str, requirements: str, extra: Sequence[str]) -> str:
    parts = [target.name, python, requirements, *extra]
    for name in ("airflow-constraints.txt", "preinstalled.txt", "mwaa-essential-constraints.txt"):
        parts.append(data_file(target, name) or "")
    return hashlib.sha256("\n\0".join(parts).encode()).hexdigest()[:16]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-12:]
        raise TargetEnvError("uv could not build the environment: " + " | ".join(tail))


def install_steps(
    target: Target, python_bin: Path, folder: Path, requirements: str, extra: Sequence[str]
) -> list[list[str]]:
    """The ``uv pip install`` commands (after ``uv venv``), with their input files in ``folder``."""
    constraints = folder / "constraints.txt"
    constraints.write_text(data_file(target, "airflow-constraints.txt") or "", encoding="utf-8")
    base = ["pip", "install", "--quiet", "--python", str(python_bin)]
    if target.python_version == "3.7":
        build = folder / "build-constraints.txt"
        build.write_text(LEGACY_BUILD_CONSTRAINTS, encoding="utf-8")
        base += ["--build-constraints", str(build)]
    preinstalled = data_file(target, "preinstalled.txt") if target.kind == "mwaa" else None
    steps: list[list[str]] = []
    if preinstalled:
        image = folder / "preinstalled.txt"
        image.write_text(preinstalled, encoding="utf-8")
        # The image's freeze is complete; Airflow 1.10's own metadata is invalid for today's
        # resolvers (``azure-datalake-store (>=0.0.45azure-mgmt...``), so the Python 3.7 images
        # are installed as frozen, without resolving.
        no_deps = ["--no-deps"] if target.python_version == "3.7" else []
        steps.append([*base, *no_deps, "-r", str(image)])
    else:
        steps.append([*base, "-c", str(constraints), f"apache-airflow=={target.airflow_version}"])
    user = without_constraint_lines(requirements).strip()
    if user or extra:
        reqs = folder / "requirements.txt"
        reqs.write_text(user + "\n" + "\n".join(extra) + "\n", encoding="utf-8")
        cmd = [*base, "-c", str(constraints), "-r", str(reqs)]
        essential = data_file(target, "mwaa-essential-constraints.txt")
        if essential and target.kind == "mwaa":
            pinned = folder / "essential.txt"
            pinned.write_text(essential, encoding="utf-8")
            cmd += ["-c", str(pinned)]
        steps.append(cmd)
    return steps


def build_target_env(
    target: Target,
    requirements: str = "",
    *,
    extra: Sequence[str] = (),
    python: PythonLookup | None = None,
    uv: str | None = None,
    cache: Path | None = None,
) -> TargetEnv:
    """Build (or reuse) the environment of ``target`` plus ``requirements`` and ``extra``.

    Raises:
        TargetEnvError: the target's Python or uv is missing, or the packages do not resolve.
    """
    uv = uv or find_uv()
    if uv is None:
        raise TargetEnvError("uv is not installed (make install provides it)")
    lookup = python or find_python(target.python_version, uv)
    if lookup.path is None:
        raise TargetEnvError(lookup.explain())
    key = _key(target, lookup.path, requirements, extra)
    root = (cache or cache_root()) / target.name / key
    with _locked(root.parent / f"{key}.lock"):
        if (root / ".complete").exists():
            return TargetEnv(target, root, lookup.version, 0.0, True)
        started = time.perf_counter()
        shutil.rmtree(root, ignore_errors=True)
        _run([uv, "venv", "--quiet", "--seed", "--python", lookup.path, str(root)])
        with tempfile.TemporaryDirectory() as tmp:
            for step in install_steps(
                target, root / "bin" / "python", Path(tmp), requirements, extra
            ):
                _run([uv, *step])
        (root / ".complete").write_text(f"{target.name}\n", encoding="utf-8")
        return TargetEnv(target, root, lookup.version, time.perf_counter() - started, False)
