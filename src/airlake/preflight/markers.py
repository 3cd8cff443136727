"""Requirement markers judged on the target's workers, never on the machine running preflight.

An MWAA worker is Linux on x86_64 running CPython at the target's Python version. A line such as
``pywin32==306; sys_platform == "win32"`` is skipped by pip there, so nothing about it can break
the target; ``foo==1; python_version < "3.12"`` is judged against the target's Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from airlake.preflight.requirements import Req
from airlake.preflight.targets import Target

WORKER_PLATFORM: Mapping[str, str] = {
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
}
"""The marker variables every MWAA worker shares (classic MWAA runs on x86_64 Linux)."""

UV_PLATFORM = "x86_64-unknown-linux-gnu"
"""The same platform, as uv's ``--python-platform`` names it."""

WORKER_DESCRIPTION = "Linux x86_64"

# The target data give the Python minor version only: a marker on the full version is judged
# for every patch release of that minor version and decided only when they all agree.
_PATCH_RELEASES = range(31)

# The kernel of a worker is not known: a marker on it cannot be decided.
_KERNEL = re.compile(r"\bplatform_(?:release|version)\b")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


def worker_environments(python_version: str) -> list[dict[str, str]]:
    """The marker environment of a worker, once per patch release of ``python_version``."""
    return [
        {
            **WORKER_PLATFORM,
            "python_version": python_version,
            "python_full_version": f"{python_version}.{patch}",
            "implementation_version": f"{python_version}.{patch}",
            # unknown; set so that this machine's kernel never leaks into a verdict
            "platform_release": "",
            "platform_version": "",
            "extra": "",
        }
        for patch in _PATCH_RELEASES
    ]


@cache
def _decide(marker: str, python_version: str) -> bool | None:
    try:
        parsed = Marker(marker)
    except InvalidMarker:
        return None
    if _KERNEL.search(_QUOTED.sub("", str(parsed))):
        return None
    try:
        verdicts = {
            parsed.evaluate(env, context="requirement")
            for env in worker_environments(python_version)
        }
    except (UndefinedComparison, UndefinedEnvironmentName):
        return None
    return verdicts.pop() if len(verdicts) == 1 else None


def installs_on(marker: str, target: Target) -> bool | None:
    """Whether pip installs a requirement with this environment ``marker`` on the target's
    workers.

    Args:
        marker: the marker of a requirement line (``""`` when it has none).
        target: the target whose Python version the marker is judged against.

    Returns:
        True when the requirement is installed there (always, for no marker), False when pip
        skips it there, None when the marker depends on what the target data do not tell (the
        kernel's release, or a patch release the marker singles out).
    """
    if not marker:
        return True
    return _decide(marker, target.python_version)


def installed(requirements: Iterable[Req], target: Target) -> list[Req]:
    """The requirements pip installs on the target: those whose marker is true on its workers,
    and those whose marker the target data cannot decide (judged, to be safe)."""
    return [r for r in requirements if installs_on(r.marker, target) is not False]
