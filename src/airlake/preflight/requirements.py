"""A pip requirements file reader that keeps file and line for every requirement (pure but for
reading the files it is given).

Handles what pip accepts: comments, ``\\`` continuations, ``-r``/``--requirement`` includes
(followed, cycle-safe), ``-c``/``--constraint`` lines (recorded, also URLs), ``-e`` editables,
PEP 508 lines with extras and markers, ``name @ URL``, bare URLs and VCS links
(``git+https://...#egg=name``), ``--hash`` options, and global options (``--index-url`` ...).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from airlake.preflight.limits import MAX_FILE_BYTES, NotRead, read_bounded
from airlake.preflight.targets import normalise


@dataclass(frozen=True, slots=True)
class Req:
    """One requirement line."""

    path: str
    line: int
    text: str
    name: str | None
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str = ""
    url: str = ""
    editable: bool = False

    @property
    def pinned(self) -> str | None:
        """The version of an exact ``==`` pin, else None."""
        match = re.fullmatch(r"===?\s*([^,\s*]+)", self.specifier.strip())
        return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Constraint:
    path: str
    line: int
    target: str  # a URL or a path


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    message: str


@dataclass
class Requirements:
    requirements: list[Req] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    options: list[tuple[str, int, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


_OPTION_WITH_VALUE = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--prefer-binary",
    "--pre",
    "--no-index",
    "--use-feature",
    "--config-settings",
}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_EGG = re.compile(r"#(?:.*&)?egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Join continuations and strip comments; yields (first physical line number, text)."""
    out: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        line = raw
        # a comment starts at '#' at the line start or after whitespace (URLs keep #egg=)
        line = re.sub(r"(^|\s)#.*$", "", line)
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            out.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def _strip_hashes(line: str) -> str:
    return re.sub(r"\s--hash[=\s]\S+", "", " " + line).strip()


def _parse_requirement(path: str, number: int, line: str, editable: bool) -> Req | Problem:
    if (
        re.match(r"^(git|hg|svn|bzr)\+", line)
        or re.match(r"^[a-z]+://", line)
        or line.startswith(("./", "../", "/"))
    ):
        egg = _EGG.search(line)
        return Req(
            path,
            number,
            line,
            normalise(egg.group(1)) if egg else None,
            url=line,
            editable=editable,
        )
    try:
        req = Requirement(line)
    except InvalidRequirement as exc:
        return Problem(path, number, f"not a requirement pip understands: {line!r} ({exc})")
    return Req(
        path,
        number,
        line,
        normalise(req.name),
        specifier=str(req.specifier),
        extras=tuple(sorted(req.extras)),
        marker=str(req.marker) if req.marker else "",
        url=req.url or "",
        editable=editable,
    )


def read_requirements(
    path: Path,
    root: Path,
    result: Requirements | None = None,
    seen: set[Path] | None = None,
    limit: int = MAX_FILE_BYTES,
) -> Requirements:
    """Read ``path`` and everything it includes with ``-r``; a file that is not a regular file
    or is larger than ``limit`` bytes is a problem, not read."""
    result = result if result is not None else Requirements()
    seen = seen if seen is not None else set()
    resolved = path.resolve()
    rel = _relative(path, root)
    if resolved in seen:
        result.problems.append(Problem(rel, 0, "included twice (include cycle); read once"))
        return result
    seen.add(resolved)
    try:
        text = read_bounded(path, limit).decode("utf-8")
    except NotRead as exc:
        result.problems.append(Problem(rel, 0, f"not read: {exc}"))
        return result
    except (OSError, UnicodeDecodeError) as exc:
        result.problems.append(Problem(rel, 0, f"cannot read: {exc}"))
        return result
    result.files.append(rel)
    for number, line in logical_lines(text):
        line = _strip_hashes(line)
        try:
            parts = shlex.split(line, posix=True)
        except ValueError:
            parts = line.split()
        head = parts[0] if parts else ""
        value = " ".join(parts[1:]) if len(parts) > 1 else ""
        if head.startswith("--") and "=" in head:
            head, value = head.split("=", 1)
        if head in ("-r", "--requirement"):
            included = (path.parent / value) if value else path
            if not _inside(included, root):
                # Never follow an include out of the project (``-r /proc/self/environ``): its
                # content would end up in the report.
                result.problems.append(
                    Problem(rel, number, f"includes {value}, outside the project: not read")
                )
                continue
            read_requirements(included.resolve(), root, result, seen, limit)
        elif head in ("-c", "--constraint"):
            if value and not _URL.match(value) and not _inside(path.parent / value, root):
                # pip would read it (``-c ../../../../proc/self/environ``); preflight never does
                result.problems.append(
                    Problem(rel, number, f"constrains with {value}, outside the project: not read")
                )
            result.constraints.append(Constraint(rel, number, value))
        elif head in ("-e", "--editable"):
            parsed = _parse_requirement(rel, number, value, editable=True)
            (result.problems if isinstance(parsed, Problem) else result.requirements).append(parsed)  # type: ignore[arg-type]
        elif head.startswith("-"):
            result.options.append((rel, number, line))
            if head not in _OPTION_WITH_VALUE:
                result.problems.append(Problem(rel, number, f"unknown pip option {head}"))
        else:
            parsed = _parse_requirement(rel, number, line, editable=False)
            (result.problems if isinstance(parsed, Problem) else result.requirements).append(parsed)  # type: ignore[arg-type]
    return result


def as_one_file(requirements: Requirements) -> str:
    """What was read, as one requirements text for uv: the options and requirement lines of
    every file read, includes inlined. No ``-r`` line is left for uv to follow (an include
    outside the project must not be read, nor its content quoted in uv's errors) and no
    ``-c`` line (the target's constraints apply)."""
    lines = [line for _, _, line in requirements.options]
    lines += [("-e " if r.editable else "") + r.text for r in requirements.requirements]
    return "".join(line + "\n" for line in lines)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


CONSTRAINTS_URL = re.compile(
    r"constraints-(?P<airflow>\d+\.\d+(?:\.\d+)?)/constraints-(?P<python>\d+\.\d+)\.txt"
)
