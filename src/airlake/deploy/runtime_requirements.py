"""airlake's own runtime packages, pinned at the versions installed here (read from the installed
distributions' metadata, so it works from a checkout and from an installed wheel alike).

These are what airlake's own environment needs: the EMR bootstrap action installs them on the
cluster's Python 3.11, and the MWAA startup script into a virtualenv beside Airflow's. They are
never installed into Airflow's environment.
"""

from __future__ import annotations

from importlib import metadata

from packaging.markers import default_environment
from packaging.requirements import Requirement

from airlake.preflight.targets import normalise

# Provided by the platform where airlake's own environment runs (Spark on EMR; pip itself).
PROVIDED = frozenset({"pyspark", "py4j", "pip", "setuptools", "wheel"})


def pinned_runtime_requirements(root: str = "airlake", python_version: str = "3.11") -> list[str]:
    """``name==version`` for every package ``root`` needs at run time (its default dependencies
    and theirs, extras as requested), markers evaluated for Linux and ``python_version``."""
    env: dict[str, str] = {
        **{k: str(v) for k, v in default_environment().items()},
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
    }
    pins: dict[str, str] = {}
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if name != root:
            pins[name] = dist.version
        for text in dist.requires or []:
            req = Requirement(text)
            wanted: list[dict[str, str]] = [{**env, "extra": e} for e in extras] or [
                {**env, "extra": ""}
            ]
            if req.marker and not any(req.marker.evaluate(w) for w in wanted):
                continue
            child = normalise(req.name)
            if child in PROVIDED:
                continue
            todo.append((child, frozenset(req.extras)))
    return [f"{name}=={version}" for name, version in sorted(pins.items())]
