"""Reading an Airflow project folder: requirements, DAG files (parsed, never imported), plugins,
startup script. Unreadable files and syntax errors are kept as problems for the checks to report."""

from __future__ import annotations

import ast
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from airlake.preflight.requirements import Requirements, read_requirements


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # relative to the project
    text: str
    tree: ast.Module | None
    error: str | None = None
    error_line: int = 0


@dataclass
class Project:
    root: Path
    requirements_path: str | None
    requirements: Requirements
    dags: list[SourceFile] = field(default_factory=list)
    plugins: list[SourceFile] = field(default_factory=list)
    plugins_zip: str | None = None
    plugins_zip_names: list[str] = field(default_factory=list)
    startup_script: str | None = None


def _source(path: Path, root: Path, display: str | None = None) -> SourceFile:
    rel = display or str(path.relative_to(root))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return SourceFile(rel, "", None, f"cannot read: {exc}")
    return _parse(rel, text)


def _parse(rel: str, text: str) -> SourceFile:
    try:
        return SourceFile(rel, text, ast.parse(text, filename=rel))
    except SyntaxError as exc:
        return SourceFile(rel, text, None, f"syntax error: {exc.msg}", exc.lineno or 0)


def load_project(root: Path, requirements: str = "requirements.txt") -> Project:
    """Read the project at ``root``. Raises UserError when the folder itself is missing."""
    if not root.is_dir():
        return Project(root, None, Requirements())  # the checks report it as a finding
    req_path = root / requirements
    reqs = read_requirements(req_path, root) if req_path.exists() else Requirements()
    project = Project(root, requirements if req_path.exists() else None, reqs)
    dags = root / "dags"
    if dags.is_dir():
        for path in sorted(dags.rglob("*.py")):
            if "__pycache__" not in path.parts:
                project.dags.append(_source(path, root))
    plugins = root / "plugins"
    if plugins.is_dir():
        for path in sorted(plugins.rglob("*.py")):
            if "__pycache__" not in path.parts:
                project.plugins.append(_source(path, root))
    zipped = root / "plugins.zip"
    if zipped.exists():
        project.plugins_zip = "plugins.zip"
        try:
            with zipfile.ZipFile(io.BytesIO(zipped.read_bytes())) as zf:
                project.plugins_zip_names = zf.namelist()
                for name in project.plugins_zip_names:
                    if name.endswith(".py"):
                        project.plugins.append(
                            _parse(f"plugins.zip/{name}", zf.read(name).decode("utf-8", "replace"))
                        )
        except zipfile.BadZipFile:
            project.plugins_zip_names = ["<not a zip file>"]
    for name in ("startup.sh", "startup_script.sh"):
        if (root / name).exists():
            project.startup_script = name
    return project
