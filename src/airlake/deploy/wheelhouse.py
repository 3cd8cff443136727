"""Fill a wheelhouse: binary wheels of airlake's pinned runtime packages for another machine's
platform and Python, so the EMR bootstrap action (or MWAA's startup script) installs them with
``pip install --no-index`` — no package index at run time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from airlake.errors import UserError

PLATFORMS = ("aarch64", "x86_64")  # Graviton instances (m6g, r6g, ...) or x86 ones
GLIBC = ("2_34", "2_28", "2_17")
"""manylinux levels EMR 7 (Amazon Linux 2023, glibc 2.34) and MWAA's images run, newest first."""


def _pip() -> list[str]:
    """A pip to run: this interpreter's, else python3's on PATH (uv-made venvs have none)."""
    for python in (sys.executable, shutil.which("python3")):
        if python is None:
            continue
        done = subprocess.run(
            [python, "-m", "pip", "--version"], capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return [python, "-m", "pip"]
    raise UserError("filling a wheelhouse needs pip (python3 -m pip); none was found")


def fill_wheelhouse(folder: Path, python_version: str = "3.11", arch: str = "aarch64") -> int:
    """Download the wheels of ``folder/requirements.txt`` for ``arch`` and ``python_version``
    into ``folder``; returns how many wheel files it holds. Raises UserError naming what failed."""
    if arch not in PLATFORMS:
        raise UserError(f"unknown architecture {arch!r}; known: {', '.join(PLATFORMS)}")
    requirements = folder / "requirements.txt"
    if not requirements.exists():
        raise UserError(f"no {requirements}: make the bundle first")
    done = subprocess.run(
        [
            *_pip(),
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            *[f"--platform=manylinux_{level}_{arch}" for level in GLIBC],
            "--python-version",
            python_version,
            "--implementation",
            "cp",
            "--no-deps",
            "-r",
            str(requirements),
            "-d",
            str(folder),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-4:])
        raise UserError(f"pip download for {arch}/Python {python_version} failed: {tail}")
    return len(list(folder.glob("*.whl")))
