"""A rule's verdict: what ``airlake verify`` reports per check (pure data)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Status(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class Result:
    check: str
    status: Status
    evidence: str
    fix: str


def failed(results: Iterable[Result]) -> list[Result]:
    """The failed results, in their order."""
    return [r for r in results if r.status is Status.FAIL]
