"""A finding: what breaks on the target, where, and the fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a check. ``path`` is relative to the project folder; ``line`` is 1-based
    (0 when the finding is about a whole file or the project)."""

    id: str
    severity: Severity
    path: str
    line: int
    message: str
    fix: str
    replacement: str | None = None
    """Generated code or file content that implements the fix, when there is one."""

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.id)
