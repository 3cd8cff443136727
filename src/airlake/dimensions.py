"""Slowly changing dimensions (type 2), pure: current versions + what the source says → versions.

A version is a dict with the business key, its attributes, ``valid_from``, ``valid_to`` (None
while current), ``is_current`` and ``source_updated_at``. An update in the source closes the
current version at the update's time and opens a new one; a key that disappeared from the
source is closed at ``as_of``; an unchanged row changes nothing (so a re-run is a no-op).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Change:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def any(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)


def merge(
    versions: Sequence[Mapping[str, Any]],
    changed: Iterable[Mapping[str, Any]],
    source_keys: set[str] | None,
    key: str,
    attributes: Sequence[str],
    as_of: datetime,
) -> tuple[list[dict[str, Any]], Change]:
    """New list of versions, and what changed.

    ``changed`` are source rows updated since the last extract (each with ``updated_at``);
    ``source_keys`` is every key the source holds now (None: do not detect deletes).
    """
    out = [dict(v) for v in versions]
    current = {v[key]: v for v in out if v["is_current"]}
    inserted = updated = deleted = 0
    for row in sorted(changed, key=lambda r: (r["updated_at"], r[key])):
        attrs = {a: row[a] for a in attributes}
        when = row["updated_at"]
        existing = current.get(row[key])
        if existing is not None:
            if all(existing[a] == attrs[a] for a in attributes):
                continue  # seen before: a re-run, or a touch without a change
            existing["valid_to"] = when
            existing["is_current"] = False
            updated += 1
        else:
            inserted += 1
        version = {
            key: row[key],
            **attrs,
            "valid_from": when,
            "valid_to": None,
            "is_current": True,
            "source_updated_at": when,
        }
        out.append(version)
        current[row[key]] = version
    if source_keys is not None:
        for k, version in list(current.items()):
            if k not in source_keys:
                version["valid_to"] = as_of
                version["is_current"] = False
                deleted += 1
                del current[k]
    out.sort(key=lambda v: (v[key], v["valid_from"]))
    return out, Change(inserted, updated, deleted)


def as_of(
    versions: Sequence[Mapping[str, Any]], key_value: str, key: str, moment: datetime
) -> Mapping[str, Any] | None:
    """The version of ``key_value`` valid at ``moment`` (for tests and tools)."""
    for v in versions:
        if (
            v[key] == key_value
            and v["valid_from"] <= moment
            and (v["valid_to"] is None or moment < v["valid_to"])
        ):
            return v
    return None
