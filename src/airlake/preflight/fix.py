"""--fix: a minimised requirements.txt and import rewrites that keep the DAG files' formatting.

Pure: file texts in, new texts out. The CLI shows them as a unified diff and writes them only
with ``--write``.
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from airlake.preflight.imports_index import Status, TargetImports, for_target
from airlake.preflight.markers import installed
from airlake.preflight.moves import destination, moves_for
from airlake.preflight.project import Project
from airlake.preflight.requirements import CONSTRAINTS_URL, logical_lines
from airlake.preflight.targets import Target


@dataclass(frozen=True, slots=True)
class FileFix:
    path: str
    before: str
    after: str

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )


def _allows(spec: str, version: str) -> bool:
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return True


def fix_requirements(text: str, project: Project, target: Target) -> str:
    """Drop Airflow and what the target ships, move conflicting pins to the constraint version,
    put the target's constraints line first. Lines are matched by their first line number."""
    # a line whose marker is false on the target is skipped by pip there: left as it is
    by_line = {
        r.line: r
        for r in installed(project.requirements.requirements, target)
        if r.path == project.requirements_path
    }
    constraint_lines = {
        c.line for c in project.requirements.constraints if CONSTRAINTS_URL.search(c.target)
    }
    physical = text.splitlines()
    drop: set[int] = set()
    replace: dict[int, str] = {}
    for start, logical in logical_lines(text):
        span = range(start, start + 1 + logical.count("\\"))
        req = by_line.get(start)
        if start in constraint_lines:
            drop.update(span)
            continue
        if req is None or not req.name:
            continue
        shipped = target.preinstalled.get(req.name)
        pinned = target.constraints.get(req.name) or target.essential.get(req.name)
        if req.name == "apache-airflow" or shipped:
            # the target ships it (at its constraint version when pinned): the line is redundant
            drop.add(start)
        elif pinned and req.specifier and not _allows(req.specifier, pinned):
            marker = f"; {req.marker}" if req.marker else ""
            extras = f"[{','.join(req.extras)}]" if req.extras else ""
            replace[start] = f"{req.name}{extras}=={pinned}{marker}"
    # continuation lines of a dropped logical line go too
    out = [f'--constraint "{target.constraints_url}"']
    skip_continuation = False
    for number, line in enumerate(physical, start=1):
        if skip_continuation:
            skip_continuation = line.rstrip().endswith("\\")
            continue
        if number in drop:
            skip_continuation = line.rstrip().endswith("\\")
            continue
        out.append(replace.get(number, line))
    return "\n".join(out).rstrip("\n") + "\n"


# verdicts a rewrite cannot improve: the import works, is not ours to judge, or needs a package
_LEAVE = (Status.OK, Status.UNKNOWN, Status.NOT_SHIPPED, Status.BROKEN)


def _new_path(
    index: TargetImports | None, target: Target, module: str, name: str
) -> tuple[str, str] | None:
    """The path to rewrite ``from module import name`` to on ``target``, or None to keep it.
    With an import index: only when the import is deprecated or missing there, and only to a
    path the index says imports cleanly. Without one: the move table's path, once the old path
    is removed in the target's version."""
    if index is not None:
        if index.name(module, name).status in _LEAVE:
            return None
        return destination(index, module, name)
    for move in moves_for(module, name):
        if move.new_module and target.airflow >= Version(move.removed):
            return move.new_module, move.new_name or name
    return None


def rewrite_imports(source: str, target: Target) -> str:
    """Rewrite ``from old import Name`` to where the name lives on the target, with libcst
    (formatting kept)."""
    import libcst as cst

    index = for_target(target)

    class Rewriter(cst.CSTTransformer):
        def leave_ImportFrom(
            self, original: cst.ImportFrom, updated: cst.ImportFrom
        ) -> cst.ImportFrom:
            if (
                updated.module is None
                or isinstance(updated.names, cst.ImportStar)
                or updated.relative
            ):
                return updated
            module = cst.helpers.get_full_name_for_node(updated.module) or ""
            names = list(updated.names)
            if len(names) != 1:
                return updated  # several names: rewrite by hand (reported by the check)
            alias = names[0]
            name = cst.helpers.get_full_name_for_node(alias.name) or ""
            found = _new_path(index, target, module, name)
            if found is None:
                return updated
            new_module, new_name = found
            new_alias = alias.with_changes(name=cst.Name(new_name))
            if new_name != name and alias.asname is None:
                new_alias = new_alias.with_changes(asname=cst.AsName(name=cst.Name(name)))
            return updated.with_changes(module=cst.parse_expression(new_module), names=[new_alias])

    tree = cst.parse_module(source)
    # Two passes: 1.10 → 2.x then 2.x → 3.x moves chain (bash_operator → bash → standard).
    for _ in range(2):
        tree = tree.visit(Rewriter())
    return tree.code


def fixes(project: Project, target: Target) -> list[FileFix]:
    """Every file --fix would change."""
    out: list[FileFix] = []
    root: Path = project.root
    if project.requirements_path:
        before = (root / project.requirements_path).read_text(encoding="utf-8")
        after = fix_requirements(before, project, target)
        if after != before:
            out.append(FileFix(project.requirements_path, before, after))
    for src in project.dags:
        if src.tree is None:
            continue
        after = rewrite_imports(src.text, target)
        if after != src.text:
            out.append(FileFix(src.path, src.text, after))
    return out


def write_fix(root: Path, fix: FileFix) -> str | None:
    """Write one fix into the project; returns why it was not written, or None once written.

    --write changes files of the project and nothing else, so it never writes through a link:
    not a path with a symbolic link on it (file or folder), and not a file with more than one
    hard link (another name of the same file may lie outside the project: writing one writes
    both). The file is opened without following a final link and checked on the open handle,
    so it cannot be swapped for a link between the check and the write.
    """
    parts = Path(fix.path).parts
    if Path(fix.path).is_absolute() or ".." in parts:
        return "its path leads outside the project"
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return f"{current.relative_to(root)} is a symbolic link: not written through"
    flags = os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
    try:
        fd = os.open(current, flags)
    except OSError as exc:
        return f"cannot open it for writing: {exc.strerror or exc}"
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            return "not a regular file"
        if status.st_nlink > 1:
            return (
                f"it has {status.st_nlink} hard links (another name of the same file may be "
                "outside the project): not written through"
            )
        handle.truncate(0)
        handle.write(fix.after)
    return None
