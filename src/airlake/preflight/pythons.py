"""Find a given Python (``3.12``) wherever the machine has it, and say where it looked.

A target runs one Python version; building its environment needs that interpreter. Looked at,
in order: this interpreter, ``pythonX.Y`` on ``PATH`` (run once, since a version manager's shim
exists for versions it will refuse to run), pyenv's versions folder (``$PYENV_ROOT`` or
``~/.pyenv``; its shims refuse a version that is not selected, the interpreters themselves do
not), the usual system folders, and uv-managed Pythons (``uv python find``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PythonLookup:
    """The interpreter found for ``version`` (or None) and every place that was tried."""

    version: str
    path: str | None
    looked: tuple[str, ...]

    def explain(self) -> str:
        """One line for a user: where it looked, and how to get the version."""
        return (
            f"Python {self.version} not found; looked in: {'; '.join(self.looked)}. "
            f"Install it (e.g. `uv python install {self.version}` or `pyenv install {self.version}`)"
        )


def _runs_as(path: str, version: str) -> bool:
    try:
        done = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == version


def _patch_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", name))


def _pyenv_candidates(version: str) -> list[Path]:
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = root / "versions"
    if not versions.is_dir():
        return []
    found = [
        entry / "bin" / f"python{version}"
        for entry in versions.iterdir()
        if re.fullmatch(rf"{re.escape(version)}\.\d+", entry.name)
    ]
    return sorted(found, key=lambda p: _patch_key(p.parent.parent.name), reverse=True)


def _uv_find(version: str, uv: str | None) -> str | None:
    if uv is None:
        return None
    try:
        done = subprocess.run(
            [uv, "python", "find", "--no-python-downloads", version],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = done.stdout.strip()
    return path if done.returncode == 0 and path else None


def find_python(version: str, uv: str | None = None) -> PythonLookup:
    """The first working interpreter of ``version`` ("3.12"); see the module docstring."""
    looked: list[str] = []
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    looked.append(f"this interpreter ({current})")
    if current == version and Path(sys.executable).exists():
        return PythonLookup(version, sys.executable, tuple(looked))
    on_path = shutil.which(f"python{version}")
    looked.append(f"python{version} on PATH" + ("" if on_path else " (none)"))
    if on_path and _runs_as(on_path, version):
        return PythonLookup(version, on_path, tuple(looked))
    pyenv = _pyenv_candidates(version)
    looked.append(
        f"pyenv versions ({', '.join(p.parent.parent.name for p in pyenv) or 'none of ' + version})"
    )
    for candidate in pyenv:
        if candidate.exists() and _runs_as(str(candidate), version):
            return PythonLookup(version, str(candidate), tuple(looked))
    for folder in ("/usr/local/bin", "/usr/bin"):
        candidate = Path(folder) / f"python{version}"
        looked.append(str(candidate))
        if candidate.exists() and _runs_as(str(candidate), version):
            return PythonLookup(version, str(candidate), tuple(looked))
    looked.append("uv-managed Pythons" + ("" if uv else " (uv not found)"))
    found = _uv_find(version, uv)
    if found and _runs_as(found, version):
        return PythonLookup(version, found, tuple(looked))
    return PythonLookup(version, None, tuple(looked))
