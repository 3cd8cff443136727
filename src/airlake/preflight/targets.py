"""Targets: an MWAA (or plain Airflow) version with its Python, constraints, preinstalled packages
and the pins MWAA will not let a user override. Read from the package data (see data/SOURCES.md)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from packaging.version import InvalidVersion, Version

from airlake.errors import UserError


def normalise(name: str) -> str:
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    kind: str  # "mwaa" | "airflow"
    airflow_version: str
    python_version: str
    constraints: dict[str, str] = field(default_factory=dict)
    preinstalled: dict[str, str] = field(default_factory=dict)
    essential: dict[str, str] = field(default_factory=dict)

    @property
    def airflow(self) -> Version:
        return Version(self.airflow_version)

    @property
    def constraints_url(self) -> str:
        return (
            "https://raw.githubusercontent.com/apache/airflow/"
            f"constraints-{self.airflow_version}/constraints-{self.python_version}.txt"
        )


def _data(*parts: str) -> str | None:
    try:
        return (
            resources.files("airlake.preflight")
            .joinpath("data", "mwaa", *parts)
            .read_text(encoding="utf-8")
        )
    except FileNotFoundError:
        return None


def parse_pins(text: str | None) -> dict[str, str]:
    """``name==version`` lines (comments and other lines ignored) → {normalised name: version}."""
    pins: dict[str, str] = {}
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;]+)", line)
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


@cache
def _index() -> dict[str, dict]:
    text = _data("index.json")
    return {entry["airflow_version"]: entry for entry in json.loads(text or "[]")}


def known_targets() -> list[str]:
    """Every target name: ``mwaa-X.Y.Z`` for each MWAA version, and ``airflow-X.Y.Z`` alike."""
    versions = sorted(_index(), key=Version)
    return [f"mwaa-{v}" for v in versions] + [f"airflow-{v}" for v in versions]


@cache
def load_target(name: str) -> Target:
    """Load a target by name. Raises UserError naming the known ones."""
    match = re.fullmatch(r"(mwaa|airflow)-(\d+\.\d+\.\d+)", name)
    entry = _index().get(match.group(2)) if match else None
    if not match or entry is None:
        raise UserError(f"unknown target {name!r}; known: {', '.join(known_targets())}")
    kind, version = match.group(1), match.group(2)
    constraints = parse_pins(_data(version, "airflow-constraints.txt"))
    preinstalled = parse_pins(_data(version, "preinstalled.txt")) if kind == "mwaa" else {}
    essential = (
        parse_pins(_data(version, "mwaa-essential-constraints.txt")) if kind == "mwaa" else {}
    )
    preinstalled.setdefault("apache-airflow", version)
    return Target(
        name, kind, version, entry["python_version"], constraints, preinstalled, essential
    )


def first_airflow_shipping(package: str, version: str) -> str | None:
    """The oldest Airflow version whose constraints pin ``package`` at ``version`` or newer —
    from the shipped data: an estimate of the Airflow a provider release needs."""
    try:
        wanted = Version(version)
    except InvalidVersion:
        return None
    for airflow_version in sorted(_index(), key=Version):
        pinned = parse_pins(_data(airflow_version, "airflow-constraints.txt")).get(
            normalise(package)
        )
        try:
            if pinned and Version(pinned) >= wanted:
                return airflow_version
        except InvalidVersion:
            continue
    return None
