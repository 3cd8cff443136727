"""Erasure requests: delete a person's rows from every table that holds them, and audit it.

One Iceberg commit per table removes the rows from the current snapshots; the snapshots
before it still hold them until ``maintain`` expires them (the snapshot retention, since an
erasure commit lifts the protection of snapshots named by published files). The audit record
says who asked, when, and how many rows each table lost; the ids appear only as salted hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from airlake.errors import UserError
from airlake.lifecycle.policy import ERASURE_STAGE
from airlake.settings import Settings
from airlake.storage import StorageOptions, filesystem, fs_path, is_remote, join
from airlake.tables import (
    CLEAN_ATTRIBUTION,
    CLEAN_EVENTS,
    CLEAN_SESSIONS,
    COMMIT_ATTEMPTS,
    RAW_EVENTS,
    RAW_QUARANTINE,
    TableDef,
)

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.expressions import BooleanExpression

ID_KINDS = ("anonymous_id", "user_id")
AUDIT_FOLDER = "_audit/erasure"
"""Under the warehouse: one JSON record per request (no table, so no snapshot keeps old ones)."""


@dataclass(frozen=True, slots=True)
class Subject:
    """One id of the person: an ``anonymous_id`` (cookie/device) or a ``user_id`` (login)."""

    kind: str
    value: str

    def __post_init__(self) -> None:
        if self.kind not in ID_KINDS:
            raise UserError(f"unknown id kind {self.kind!r}: use one of {', '.join(ID_KINDS)}")
        if not self.value.strip():
            raise UserError(f"empty {self.kind}")


def subject_hash(subject: Subject, salt: str) -> str:
    """The id as the audit shows it: HMAC-SHA256 of ``kind:value`` under the secret salt (pure).
    The same id always gives the same hash, so a repeated request can be recognised."""
    message = f"{subject.kind}:{subject.value}".encode()
    return hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()


def read_ids_file(text: str) -> list[Subject]:
    """Subjects from a file: one ``anonymous_id:X`` or ``user_id:Y`` per line; blank lines and
    ``#`` comments skipped (pure)."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, sep, value = line.partition(":")
        if not sep:
            raise UserError(f"ids file line {number}: use anonymous_id:X or user_id:Y")
        out.append(Subject(kind.strip(), value.strip()))
    return out


@dataclass(frozen=True, slots=True)
class TableErasure:
    table: str
    rows: int
    snapshot_id: int | None


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    """The audit record of one request, as written (never the ids in clear text)."""

    request_id: str
    requested_at: str
    requested_by: str
    subjects: list[dict[str, str]]
    tables: list[TableErasure]
    landing_days: list[str]
    """Landing days whose files still hold the person's lines (left to the landing retention)."""
    landing_files_gone_by: str | None
    older_snapshots_expire_after: str
    audit_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def erasure_salt(settings: Settings) -> str:
    """The secret salt: ``privacy.erasure_salt`` (set it from a secret store as
    ``AIRLAKE_PRIVACY__ERASURE_SALT``); for a local warehouse without one, a random salt kept
    in ``erasure.salt`` beside it, created on first use, readable by its owner only."""
    if settings.erasure_salt:
        return settings.erasure_salt
    if is_remote(settings.warehouse_uri):
        raise UserError(
            "no erasure salt: set AIRLAKE_PRIVACY__ERASURE_SALT from the environment's secrets"
        )
    path = Path(settings.warehouse_uri).parent / "erasure.salt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _in(column: str, values: Iterable[str]) -> BooleanExpression:
    from pyiceberg.expressions import AlwaysFalse, In

    listed = sorted(set(values))
    return In(column, listed) if listed else AlwaysFalse()  # type: ignore[call-arg,arg-type]  # pydantic model, positional __init__


def _linked_anonymous_ids(catalog: Catalog, user_ids: set[str]) -> set[str]:
    """Cookie/device ids seen with the given logins: sessions and attributions carry only
    these, so they are the person's too."""
    if not user_ids:
        return set()
    found: set[str] = set()
    for tdef in (RAW_EVENTS, CLEAN_EVENTS):
        if not catalog.table_exists(tdef.name):
            continue
        table = catalog.load_table(tdef.name)
        if table.current_snapshot() is None:
            continue
        rows = table.scan(row_filter=_in("user_id", user_ids), selected_fields=("anonymous_id",))
        found |= {v for v in rows.to_arrow().column("anonymous_id").to_pylist() if v}
    return found


def _quarantine_filter(table: Any, ids: set[str]) -> BooleanExpression:
    """Quarantined lines are kept as received: match the ids as JSON strings in the line."""
    from pyiceberg.expressions import AlwaysFalse, And, EqualTo, Or

    if not ids or table.current_snapshot() is None:
        return AlwaysFalse()
    data = table.scan(
        selected_fields=("landing_date", "source_file", "source_line", "raw_line", "raw_bytes")
    ).to_arrow()
    text = pc.fill_null(data.column("raw_line"), "")
    raw = pc.fill_null(pc.cast(data.column("raw_bytes"), pa.string(), safe=False), "")
    hit = pa.array([False] * data.num_rows)
    for value in sorted(ids):
        needle = json.dumps(value)
        hit = pc.or_(hit, pc.or_(pc.match_substring(text, needle), pc.match_substring(raw, needle)))
    rows = data.filter(hit).select(["source_file", "source_line"]).to_pylist()
    expr: BooleanExpression = AlwaysFalse()
    for row in rows:
        expr = Or(
            expr,
            And(
                EqualTo("source_file", row["source_file"]),  # type: ignore[call-arg,arg-type]
                EqualTo("source_line", row["source_line"]),  # type: ignore[call-arg,arg-type]
            ),
        )
    return expr


def _erase_table(
    catalog: Catalog, tdef: TableDef, row_filter: Any, props: dict[str, str]
) -> tuple[TableErasure, list[date]]:
    """Delete the matching rows in one commit; (rows deleted, landing days they came from)."""
    from pyiceberg.exceptions import CommitFailedException, ValidationException

    if not catalog.table_exists(tdef.name):
        return TableErasure(tdef.name, 0, None), []
    for _ in range(COMMIT_ATTEMPTS):
        table = catalog.load_table(tdef.name)
        expr = row_filter(table) if callable(row_filter) else row_filter
        if table.current_snapshot() is None:
            return TableErasure(tdef.name, 0, None), []
        column = "landing_date" if "landing_date" in tdef.columns else "anonymous_id"
        matched = table.scan(row_filter=expr, selected_fields=(column,)).to_arrow()
        if matched.num_rows == 0:
            return TableErasure(tdef.name, 0, None), []
        try:
            table.delete(expr, snapshot_properties=props)
        except (CommitFailedException, ValidationException):
            continue  # a run committed first: count and delete again on its state
        snap = table.current_snapshot()
        days = sorted(set(matched.column(column).to_pylist())) if column == "landing_date" else []
        return TableErasure(tdef.name, matched.num_rows, snap.snapshot_id if snap else None), days
    raise UserError(f"could not commit the erasure to {tdef.name}: runs kept committing; re-run")


def forget(
    catalog: Catalog,
    settings: Settings,
    storage: StorageOptions,
    subjects: Sequence[Subject],
    *,
    requested_by: str,
    now: datetime,
) -> ErasureRecord:
    """Delete every row of the given people from every table that holds them (one commit per
    table), republish the BI file when there is one, and write the audit record.

    Rows are matched on ``anonymous_id`` and ``user_id`` in raw.events and clean.events, on the
    ``anonymous_id`` (including those seen with a given ``user_id``) in clean.sessions and
    clean.attributed_conversions, and as quoted JSON strings in raw.quarantine's lines. Report
    tables hold aggregates without ids and stay as they are.
    """
    if not subjects:
        raise UserError("name at least one id: --anonymous-id, --user-id or --file")
    salt = erasure_salt(settings)
    anonymous = {s.value for s in subjects if s.kind == "anonymous_id"}
    users = {s.value for s in subjects if s.kind == "user_id"}
    anonymous |= _linked_anonymous_ids(catalog, users)
    request_id = uuid.uuid4().hex
    props = {"airlake.stage": ERASURE_STAGE, "airlake.erasure-request": request_id}

    from pyiceberg.expressions import Or

    by_person = Or(_in("anonymous_id", anonymous), _in("user_id", users))
    by_cookie = _in("anonymous_id", anonymous)
    landing_days: set[date] = set()
    results = []
    for tdef, row_filter in (
        (RAW_EVENTS, by_person),
        (RAW_QUARANTINE, lambda table: _quarantine_filter(table, anonymous | users)),
        (CLEAN_EVENTS, by_person),
        (CLEAN_SESSIONS, by_cookie),
        (CLEAN_ATTRIBUTION, by_cookie),
    ):
        result, days = _erase_table(catalog, tdef, row_filter, props)
        results.append(result)
        landing_days |= set(days)
    if any(r.rows for r in results if r.table.startswith("clean.")):
        _republish_bi(catalog, settings, now)
    retention = settings.maintenance.snapshot_retention_hours
    landing_keep = settings.retention.landing_days
    # maintain deletes local landing files by the landing day in their path (see
    # landing_past_retention), so the date is exact; an S3 lifecycle rule ages objects from
    # when they were written, which a late file makes later than its landing day: no date.
    gone_by = (
        (max(landing_days) + timedelta(days=landing_keep + 1)).isoformat()
        if landing_days and landing_keep is not None and not is_remote(settings.landing_uri)
        else None
    )
    record = ErasureRecord(
        request_id=request_id,
        requested_at=now.astimezone(UTC).isoformat(timespec="seconds"),
        requested_by=requested_by,
        subjects=[{"kind": s.kind, "hash": subject_hash(s, salt)} for s in subjects],
        tables=results,
        landing_days=[d.isoformat() for d in sorted(landing_days)],
        landing_files_gone_by=gone_by,
        older_snapshots_expire_after=(now + timedelta(hours=retention))
        .astimezone(UTC)
        .isoformat(timespec="seconds"),
    )
    path = join(
        settings.warehouse_uri, AUDIT_FOLDER, f"{now.strftime('%Y%m%dT%H%M%S')}-{request_id}.json"
    )
    record = ErasureRecord(**{**_fields(record), "audit_path": path})
    fs = filesystem(path, storage)
    if not is_remote(path):
        Path(fs_path(path)).parent.mkdir(parents=True, exist_ok=True)
    with fs.open(fs_path(path), "w") as fh:
        fh.write(json.dumps(asdict(record), indent=2, default=str))
    return record


def _fields(record: ErasureRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _republish_bi(catalog: Catalog, settings: Settings, now: datetime) -> None:
    """The BI file copies clean.* rows: publish it again from the erased tables."""
    from airlake.report.bi import default_bi_path, publish_bi

    path = default_bi_path(settings)
    if path.exists():
        publish_bi(catalog, settings, path, now)


def audit_records(settings: Settings, storage: StorageOptions) -> list[dict[str, Any]]:
    """Every erasure audit record, oldest first."""
    root = join(settings.warehouse_uri, AUDIT_FOLDER)
    fs = filesystem(root, storage)
    if not fs.exists(fs_path(root)):
        return []
    out = []
    for path in sorted(fs.find(fs_path(root))):
        with fs.open(path, "r") as fh:
            out.append(json.load(fh))
    return out
