"""Findings rolled up by cause: one entry per distinct problem, with its count and places.

A project of fifty DAG files that all import ``airflow.operators.python_operator`` has one
problem on Airflow 3, not fifty: the entry says so once, with every place it occurs. Two
findings are the same cause when they carry the same id, severity, message and generated code
(a Livy job generated once, however many DAGs run it). Pure: findings in, causes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from airlake.preflight.finding import Finding, Severity

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Cause:
    """One distinct problem: what breaks, the fix(es) and every place it occurs."""

    id: str
    severity: Severity
    message: str
    fixes: tuple[str, ...]
    places: tuple[tuple[str, int], ...]
    replacement: str | None = None

    @property
    def count(self) -> int:
        return len(self.places)

    def where(self, limit: int = 3) -> str:
        """The first ``limit`` places as ``path:line``, and how many more."""
        shown = [f"{p}:{n}" if n else (p or "(project)") for p, n in self.places[:limit]]
        rest = self.count - len(shown)
        return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")


def roll_up(findings: Iterable[Finding]) -> list[Cause]:
    """Causes, errors first, then by how often they occur (most first), then by id."""
    groups: dict[tuple[str, Severity, str, str | None], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.id, f.severity, f.message, f.replacement), []).append(f)
    causes = []
    for (fid, severity, message, replacement), members in groups.items():
        fixes = tuple(dict.fromkeys(f.fix for f in members))
        places = tuple(sorted(dict.fromkeys((f.path, f.line) for f in members)))
        causes.append(Cause(fid, severity, message, fixes, places, replacement))
    return sorted(causes, key=lambda c: (_RANK[c.severity], -c.count, c.id, c.message))
