"""Reading an Airflow project folder: requirements, DAG files (parsed, never imported), plugins,
startup script. Unreadable files and syntax errors are kept as problems for the checks to report."""

from __future__ import annotations

import ast
import io
import tokenize
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from airlake.preflight.requirements import Problem, Requirements, read_requirements


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


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symlink followed, lies inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def decode_source(data: bytes) -> str:
    """Python source bytes as Python reads them: a UTF-8 BOM or a PEP 263 coding line decides
    the encoding (UTF-8 otherwise). Raises SyntaxError or UnicodeDecodeError like Python does."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def _source(path: Path, root: Path, display: str | None = None) -> SourceFile:
    rel = display or str(path.relative_to(root))
    if not inside(path, root):
        # Never read (or echo) what a link inside the project points to outside it.
        return SourceFile(rel, "", None, "links to a file outside the project: not read")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return SourceFile(rel, "", None, f"cannot read: {exc.strerror or exc}")
    return _parse_bytes(rel, data)


def _parse_bytes(rel: str, data: bytes) -> SourceFile:
    try:
        text = decode_source(data)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return SourceFile(rel, "", None, f"cannot decode: {exc}")
    return _parse(rel, text)


def _parse(rel: str, text: str) -> SourceFile:
    try:
        return SourceFile(rel, text, ast.parse(text, filename=rel))
    except SyntaxError as exc:
        return SourceFile(rel, text, None, f"syntax error: {exc.msg}", exc.lineno or 0)
    except (RecursionError, MemoryError, ValueError) as exc:
        # Python itself cannot compile it either (too deeply nested, null bytes): a finding,
        # never a crash that loses the whole report.
        return SourceFile(rel, text, None, f"cannot be analysed: {type(exc).__name__}: {exc}")


def load_project(root: Path, requirements: str = "requirements.txt") -> Project:
    """Read the project at ``root``. Raises UserError when the folder itself is missing."""
    if not root.is_dir():
        return Project(root, None, Requirements())  # the checks report it as a finding
    req_path = root / requirements
    if not req_path.exists():
        reqs = Requirements()
        if requirements != "requirements.txt":  # asked for by name: its absence is a problem
            reqs.problems.append(Problem(requirements, 0, "the requirements file does not exist"))
    elif not inside(req_path, root):
        reqs = Requirements()
        reqs.problems.append(
            Problem(requirements, 0, "the requirements file is outside the project: not read")
        )
    else:
        reqs = read_requirements(req_path, root)
    readable = req_path.exists() and inside(req_path, root)
    project = Project(root, requirements if readable else None, reqs)
    dags = root / "dags"
    if dags.is_dir():
        for path in sorted(dags.rglob("*.py")):
            if "__pycache__" not in path.parts:
                project.dags.append(_source(path, root, str(path.relative_to(root))))
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
                        project.plugins.append(_parse_bytes(f"plugins.zip/{name}", zf.read(name)))
        except zipfile.BadZipFile:
            project.plugins_zip_names = ["<not a zip file>"]
    for name in ("startup.sh", "startup_script.sh"):
        if (root / name).exists():
            project.startup_script = name
    return project
