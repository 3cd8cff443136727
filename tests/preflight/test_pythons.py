"""Finding a target's Python: pyenv's interpreters count even where its shim refuses them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from airlake.preflight.pythons import find_python


def test_this_interpreter_is_found_first() -> None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert find_python(version).path == sys.executable


def test_a_pyenv_version_that_is_not_selected_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a fake pyenv root holding this interpreter under another patch release
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    fake = tmp_path / "pyenv" / "versions" / f"{version}.99" / "bin"
    fake.mkdir(parents=True)
    os.symlink(sys.executable, fake / f"python{version}")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no shim, no pythonX.Y on PATH
    monkeypatch.setattr("airlake.preflight.pythons.sys.executable", "/elsewhere/python")
    found = find_python(version)
    assert found.path == str(fake / f"python{version}")
    assert any("pyenv versions" in place for place in found.looked)


def test_a_version_nowhere_names_every_place_looked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "none"))
    monkeypatch.setenv("PATH", str(tmp_path))
    found = find_python("3.2")
    assert found.path is None
    text = found.explain()
    for place in ("this interpreter", "python3.2 on PATH", "pyenv versions", "/usr/bin/python3.2"):
        assert place in text
