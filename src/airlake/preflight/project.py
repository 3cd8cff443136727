"""Reading an Airflow project folder: requirements, DAG files (parsed, never imported), plugins,
startup script. Unreadable files and syntax errors are kept as problems for the checks to report;
files past the reading limits (see :mod:`airlake.preflight.limits`) are listed as not read."""

from __future__ import annotations

import ast
import io
import struct
import tokenize
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from airlake.preflight.limits import (
    DEFAULT_LIMITS,
    NotRead,
    ReadLimits,
    declared_members,
    nests_deeper,
    open_regular,
    read_bounded,
    read_member,
    size_text,
)
from airlake.preflight.requirements import Problem, Requirements, read_requirements


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # relative to the project
    text: str
    tree: ast.Module | None
    error: str | None = None
    error_line: int = 0


@dataclass(frozen=True, slots=True)
class Unread:
    """A file (or plugins.zip member) preflight left unread on purpose, and why."""

    path: str  # relative to the project; a zip member as plugins.zip/<name>
    reason: str


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
    unread: list[Unread] = field(default_factory=list)


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


def _source(project: Project, path: Path, limits: ReadLimits) -> SourceFile | None:
    """The parsed file, or None when it is left unread (recorded in ``project.unread``)."""
    root = project.root
    rel = str(path.relative_to(root))
    if not inside(path, root):
        # Never read (or echo) what a link inside the project points to outside it.
        return SourceFile(rel, "", None, "links to a file outside the project: not read")
    try:
        data = read_bounded(path, limits.file_bytes)
    except NotRead as exc:
        project.unread.append(Unread(rel, str(exc)))
        return None
    except OSError as exc:
        return SourceFile(rel, "", None, f"cannot read: {exc.strerror or exc}")
    return _analysable(project, _parse_bytes(rel, data), limits)


def _analysable(project: Project, src: SourceFile, limits: ReadLimits) -> SourceFile | None:
    """``src``, or None (recorded in ``project.unread``) when its tree nests too deep to walk."""
    if src.tree is None or not nests_deeper(src.tree, limits.tree_depth):
        return src
    project.unread.append(
        Unread(
            src.path,
            f"its code nests more than {limits.tree_depth} levels deep (a very long "
            "expression), deeper than preflight's checks walk",
        )
    )
    return None


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


def load_project(
    root: Path, requirements: str = "requirements.txt", limits: ReadLimits = DEFAULT_LIMITS
) -> Project:
    """Read the project at ``root``; nothing past ``limits`` is read. A missing folder gives an
    empty project, which the checks report."""
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
        reqs = read_requirements(req_path, root, limit=limits.file_bytes)
    # read means: the file itself was read (reqs.files starts with it), not only found
    readable = req_path.exists() and inside(req_path, root) and bool(reqs.files)
    project = Project(root, requirements if readable else None, reqs)
    for folder, kept in (("dags", project.dags), ("plugins", project.plugins)):
        if (root / folder).is_dir():
            _linked_folders(project, root / folder)
            for path in sorted((root / folder).rglob("*.py")):
                if "__pycache__" not in path.parts:
                    src = _source(project, path, limits)
                    if src is not None:
                        kept.append(src)
    zipped = root / "plugins.zip"
    if zipped.exists() or zipped.is_symlink():
        project.plugins_zip = "plugins.zip"
        _read_plugins_zip(project, zipped, limits)
    for name in ("startup.sh", "startup_script.sh"):
        if (root / name).exists():
            project.startup_script = name
    return project


def _linked_folders(project: Project, folder: Path) -> None:
    """Folders under ``folder`` that are symbolic links: recorded as not read (the walk does
    not follow them, and what they hold may lie outside the project)."""
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() and path.is_dir():
            where = "inside" if inside(path, project.root) else "outside"
            project.unread.append(
                Unread(
                    str(path.relative_to(project.root)),
                    f"a symbolic link to a folder {where} the project: preflight does not "
                    "follow folder links, so no file in it is read",
                )
            )


# what zipfile raises for a member it cannot unpack (corrupt data, a bad CRC, encryption,
# an unsupported compression method)
_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)


def _too_many(count: int, limit: int) -> NotRead:
    return NotRead(f"it holds {count} members, more than the {limit} preflight reads")


def _read_plugins_zip(project: Project, zipped: Path, limits: ReadLimits) -> None:
    """The zip's member names, and its ``.py`` members parsed, within ``limits``: a zip with too
    many members, or whose members unpack to too much in all, is not read at all; a member too
    large is not read; other members are never read."""
    name = "plugins.zip"
    if not inside(zipped, project.root):
        project.unread.append(Unread(name, "links to a file outside the project"))
        return
    try:
        with open_regular(zipped) as fp:
            # the end record's count first: zipfile parses the whole directory on opening
            declared = declared_members(fp)
            if declared is not None and declared > limits.zip_members:
                raise _too_many(declared, limits.zip_members)
            fp.seek(0)
            with zipfile.ZipFile(fp) as zf:
                infos = zf.infolist()
                project.plugins_zip_names = [i.filename for i in infos]
                if len(infos) > limits.zip_members:
                    raise _too_many(len(infos), limits.zip_members)
                total = sum(i.file_size for i in infos)
                if total > limits.zip_bytes:
                    raise NotRead(
                        f"its members unpack to {size_text(total)}, more than the "
                        f"{size_text(limits.zip_bytes)} preflight reads (a zip bomb?)"
                    )
                _read_zip_sources(project, zf, infos, limits)
    except NotRead as exc:
        project.unread.append(Unread(name, str(exc)))
    except (zipfile.BadZipFile, EOFError, ValueError, struct.error):
        project.plugins_zip_names = ["<not a zip file>"]
    except OSError as exc:
        project.unread.append(Unread(name, f"cannot read: {exc.strerror or exc}"))


def _read_zip_sources(
    project: Project, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ReadLimits
) -> None:
    for info in infos:
        if info.is_dir() or not info.filename.endswith(".py"):
            continue
        rel = f"plugins.zip/{info.filename}"
        try:
            data = read_member(zf, info, limits.file_bytes)
        except NotRead as exc:
            project.unread.append(Unread(rel, str(exc)))
            continue
        except _MEMBER_ERRORS as exc:
            project.unread.append(Unread(rel, f"cannot be unpacked: {exc}"))
            continue
        src = _analysable(project, _parse_bytes(rel, data), limits)
        if src is not None:
            project.plugins.append(src)
