"""Environment profiles and the typed settings the pipeline runs with.

A profile is a TOML file ``environments/<name>.toml``. Values merge in one pure step:
file < environment variables (``AIRLAKE_<SECTION>__<KEY>``, e.g. ``AIRLAKE_CATALOG__URI``)
< explicit overrides (CLI flags, ``section.key=value``).
"""

from __future__ import annotations

import difflib
import enum
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airlake.contract import CURRENCIES, DEFAULT_LATE_WINDOW_DAYS
from airlake.errors import UserError

ENV_PREFIX = "AIRLAKE_"
DEFAULT_MAX_LINE_BYTES = 1024 * 1024
"""Longest landing line ingested (1 MiB); a longer one is quarantined with its first bytes."""

_MEMORY = re.compile(r"\d+(\.\d+)?\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)
PROFILE_DIR_VARIABLE = "AIRLAKE_PROFILE_DIR"


class CatalogType(enum.StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"
    GLUE = "glue"


class EngineMode(enum.StrEnum):
    LOCAL = "local"
    SPARK = "spark"
    EMR = "emr"


class AttributionModel(enum.StrEnum):
    LAST_CLICK = "last_click"
    FIRST_CLICK = "first_click"
    LINEAR = "linear"


def project_root() -> Path:
    """The folder holding ``environments/`` (the repository root in a checkout)."""
    env = os.environ.get(PROFILE_DIR_VARIABLE)
    if env:
        return Path(env).resolve().parent
    here = Path(__file__).resolve()
    for parent in (Path.cwd(), *here.parents):
        if (parent / "environments").is_dir():
            return parent
    return Path.cwd()


def profile_dir() -> Path:
    env = os.environ.get(PROFILE_DIR_VARIABLE)
    return Path(env) if env else project_root() / "environments"


def read_profile_file(name_or_path: str) -> dict[str, Any]:
    """Read a profile by name (``environments/<name>.toml``) or by path. Raises UserError."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = profile_dir() / f"{name_or_path}.toml"
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in profile_dir().glob("*.toml"))) or "none"
        raise UserError(
            f"no profile {name_or_path!r} (looked for {path}; known: {known})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"profile {path} is not valid TOML: {exc}") from None
    except OSError as exc:  # a name too long, a folder, a path through a file, ...
        raise UserError(f"cannot read profile {name_or_path!r} ({path}): {exc.strerror}") from None


KNOWN_KEYS: frozenset[str] = frozenset(
    {
        "name",
        "storage.landing",
        "storage.warehouse",
        "storage.athena_results",
        "storage.artifacts",
        "storage.s3_endpoint",
        "catalog.type",
        "catalog.uri",
        "catalog.name",
        "engine.mode",
        "engine.duckdb_memory_limit",
        "engine.duckdb_threads",
        "pipeline.late_window_days",
        "pipeline.attribution_model",
        "pipeline.lookback_hours",
        "pipeline.max_line_bytes",
        "quality.max_quarantine_share",
        "retention.landing_days",
        "retention.raw_days",
        "retention.clean_days",
        "retention.reports_days",
        "maintenance.snapshot_retention_hours",
        "maintenance.keep_last_snapshots",
        "maintenance.orphan_min_age_hours",
        "maintenance.compact_min_files",
        "maintenance.compact_small_file_bytes",
        "maintenance.metadata_versions_kept",
        "privacy.erasure_salt",
        "privacy.truncate_ip",
        "reporting.currency",
        "aws.region",
        "aws.account_id",
        "aws.deploy_role",
        "source.url",
        "mwaa.airflow_version",
        "mwaa.environment_name",
        "emr.release_label",
        "emr.log_uri",
        "emr.service_role",
        "emr.instance_profile",
        "emr.cluster_id",
        "emr.subnet_id",
        "emr.primary_security_group_id",
        "athena.workgroup",
        "athena.output_location",
        "orchestration.start_date",
        "orchestration.retries",
        "orchestration.retry_delay_minutes",
        "orchestration.sensor_poke_seconds",
        "orchestration.sensor_timeout_seconds",
        "roles.platform_admin",
        "roles.data_engineer",
        "roles.analyst",
        "sso.account_id",
        "sso.region",
        "sso.platform_admin_group",
        "sso.data_engineer_group",
        "sso.analyst_group",
        "vpn.client_cidr",
        "vpn.server_certificate_domain",
        "vpn.roles",
        "network.availability_zones",
        "network.vpc_cidr",
        "sizing.mwaa_environment_class",
        "sizing.mwaa_min_workers",
        "sizing.mwaa_max_workers",
        "sizing.mwaa_schedulers",
        "sizing.emr_master_instance_type",
        "sizing.emr_core_instance_type",
        "sizing.emr_core_instance_count",
        "sizing.emr_intraday_core_instance_count",
        "sizing.emr_core_spot",
        "sizing.athena_bytes_scanned_cutoff",
        "sizing.vpn_enabled",
        "intraday.schedule",
        "intraday.business_timezone",
        "intraday.lock_wait_seconds",
        "intraday.profile_days",
        "intraday.under_pacing_pct",
        "alerts.projected_over_budget_pct",
        "alerts.stale_topic_minutes",
        "alerts.max_quarantine_share",
    }
)
"""Every key a profile, an ``AIRLAKE_*`` variable or ``--set`` may set (``section.key``)."""


def check_key(key: str, where: str) -> None:
    """Raise UserError for a key no part of airlake reads, naming the closest known key. Pure."""
    if key in KNOWN_KEYS:
        return
    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise UserError(f"unknown setting {key!r} ({where}){hint}")


def _coerce(text: str) -> Any:
    """Turn an environment/CLI string into a TOML scalar where it parses as one."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def merge_config(
    file_values: Mapping[str, Any],
    environ: Mapping[str, str],
    overrides: Mapping[str, str],
) -> dict[str, Any]:
    """Merge file < environment < overrides. Pure.

    ``environ`` keys look like ``AIRLAKE_CATALOG__URI``; ``overrides`` keys like ``catalog.uri``.
    """
    merged: dict[str, Any] = {
        k: dict(v) if isinstance(v, Mapping) else v for k, v in file_values.items()
    }

    def put(path: list[str], value: str) -> None:
        node = merged
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise UserError(f"cannot set {'.'.join(path)}: {part} is not a section")
            node = child
        node[path[-1]] = _coerce(value)

    for key, value in sorted(environ.items()):
        if key.startswith(ENV_PREFIX) and "__" in key:
            path = key[len(ENV_PREFIX) :].lower().split("__")
            check_key(".".join(path), f"environment variable {key}")
            put(path, value)
    for key, value in overrides.items():
        check_key(key, f"--set {key}")
        put(key.split("."), value)
    return merged


@dataclass(frozen=True, slots=True)
class Retention:
    """How long each layer keeps data, in days; None keeps it forever.

    ``landing`` applies to the landing files (bucket lifecycle rules on AWS, ``maintain``
    locally), ``raw`` to raw.* by landing day, ``clean`` to clean.* by event date, ``reports``
    to reports.* by date.
    """

    landing_days: int | None = 30
    raw_days: int | None = 90
    clean_days: int | None = 730
    reports_days: int | None = None

    def __post_init__(self) -> None:
        for name in ("landing_days", "raw_days", "clean_days", "reports_days"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise UserError(f"retention.{name} must be at least 1 (0 keeps forever)")


@dataclass(frozen=True, slots=True)
class MaintenancePolicy:
    """What ``maintain`` does to the tables' snapshots and files."""

    snapshot_retention_hours: float = 168.0
    """Snapshots replaced longer ago than this are expired (time travel reaches this far)."""
    keep_last_snapshots: int = 5
    """Snapshots of the current history kept whatever their age."""
    orphan_min_age_hours: float = 24.0
    """Unreferenced files younger than this are kept: a run in progress may be about to commit
    them."""
    compact_min_files: int = 8
    """A partition with at least this many data files ..."""
    compact_small_file_bytes: int = 32 * 1024 * 1024
    """... averaging less than this many bytes is rewritten as one file."""
    metadata_versions_kept: int = 20
    """Previous table-metadata files each table lists (Iceberg's
    ``write.metadata.previous-versions-max``, 100 by default); older ones become orphans."""

    def __post_init__(self) -> None:
        if self.snapshot_retention_hours < 0:
            raise UserError("maintenance.snapshot_retention_hours must not be negative")
        if self.keep_last_snapshots < 1:
            raise UserError("maintenance.keep_last_snapshots must be at least 1")
        if self.orphan_min_age_hours < 0:
            raise UserError("maintenance.orphan_min_age_hours must not be negative")
        if self.compact_min_files < 2:
            raise UserError("maintenance.compact_min_files must be at least 2")
        if self.metadata_versions_kept < 1:
            raise UserError("maintenance.metadata_versions_kept must be at least 1")
        if self.compact_small_file_bytes < 1:
            raise UserError("maintenance.compact_small_file_bytes must be positive")


@dataclass(frozen=True, slots=True)
class IntradaySettings:
    """The intraday refresh (``[intraday]``): when it runs and in which business day."""

    schedule: str = "0 * * * *"
    """Cron expression of the intraday DAG (sizing: every 15 minutes in production)."""
    business_timezone: str = "Europe/Berlin"
    """IANA time zone of the advertisers' business day: budgets are per local day."""
    lock_wait_seconds: float = 300.0
    """How long a refresh or a daily stage waits for another one holding the catalog's lock."""
    profile_days: int = 7
    """Past business days whose hour-of-day spend shape projects the end of today."""
    under_pacing_pct: float = 80.0
    """A campaign projected below this share of its budget is under-pacing."""

    def __post_init__(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if len(self.schedule.split()) != 5 and not self.schedule.startswith("@"):
            raise UserError(
                f"intraday.schedule {self.schedule!r} is not a cron expression (5 fields)"
            )
        try:
            ZoneInfo(self.business_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(
                f"intraday.business_timezone {self.business_timezone!r} is not an IANA time "
                "zone (e.g. Europe/Berlin)"
            ) from None
        if self.lock_wait_seconds < 0:
            raise UserError("intraday.lock_wait_seconds must not be negative")
        if not 0 <= self.profile_days <= 90:
            raise UserError("intraday.profile_days must be between 0 and 90")
        if not 0 <= self.under_pacing_pct <= 100:
            raise UserError("intraday.under_pacing_pct must be between 0 and 100")


@dataclass(frozen=True, slots=True)
class AlertRules:
    """When an alert fires (``[alerts]``)."""

    projected_over_budget_pct: float = 110.0
    """Projected end-of-day spend above this share of the daily budget."""
    stale_topic_minutes: float = 60.0
    """No new landing file on a topic for this long."""
    max_quarantine_share: float = 0.05
    """Quarantined share of today's landing lines above this."""

    def __post_init__(self) -> None:
        if self.projected_over_budget_pct <= 0:
            raise UserError("alerts.projected_over_budget_pct must be positive")
        if self.stale_topic_minutes <= 0:
            raise UserError("alerts.stale_topic_minutes must be positive")
        if not 0 <= self.max_quarantine_share <= 1:
            raise UserError("alerts.max_quarantine_share must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class Settings:
    """What one pipeline run needs to know. Built from a merged profile."""

    environment: str
    landing_uri: str
    warehouse_uri: str
    catalog_type: CatalogType
    catalog_uri: str
    catalog_name: str = "airlake"
    engine: EngineMode = EngineMode.LOCAL
    late_window_days: int = DEFAULT_LATE_WINDOW_DAYS
    attribution_model: AttributionModel = AttributionModel.LAST_CLICK
    lookback_hours: int = 24
    max_quarantine_share: float = 0.05
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int = 2
    s3_endpoint: str | None = None
    aws_region: str = "eu-west-1"
    source_url: str | None = None
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    retention: Retention = field(default_factory=lambda: Retention())
    maintenance: MaintenancePolicy = field(default_factory=lambda: MaintenancePolicy())
    truncate_ip: bool = False
    """Zero the last IPv4 octet / the last 80 bits of an IPv6 address at ingest."""
    erasure_salt: str | None = None
    """Secret salt of the hashes in erasure audit records; set it as a secret variable
    (``AIRLAKE_PRIVACY__ERASURE_SALT``), not in a profile file."""
    reporting_currency: str = "EUR"
    """The currency reports show amounts in (``reporting.currency``); see
    :mod:`airlake.exchange_rates`."""
    intraday: IntradaySettings = field(default_factory=lambda: IntradaySettings())
    alerts: AlertRules = field(default_factory=lambda: AlertRules())

    def __post_init__(self) -> None:
        if not _MEMORY.fullmatch(self.duckdb_memory_limit):
            raise UserError(
                f"engine.duckdb_memory_limit {self.duckdb_memory_limit!r} is not a size: "
                "use a number and a unit, e.g. 2GB, 512MB, 1.5GiB"
            )
        if not 1 <= self.duckdb_threads <= 1024:
            raise UserError("engine.duckdb_threads must be between 1 and 1024")
        if not 1024 <= self.max_line_bytes <= 1 << 30:
            raise UserError("pipeline.max_line_bytes must be between 1024 and 1073741824")
        if self.late_window_days < 1:
            raise UserError("pipeline.late_window_days must be at least 1")
        if not 1 <= self.lookback_hours <= 24 * 30:
            raise UserError("pipeline.lookback_hours must be between 1 and 720")
        if not 0 <= self.max_quarantine_share <= 1:
            raise UserError("quality.max_quarantine_share must be between 0 and 1")
        needed = self.late_window_days + self.lookback_days
        for layer, days in (("raw", self.retention.raw_days), ("clean", self.retention.clean_days)):
            if days is not None and days < needed:
                raise UserError(
                    f"retention.{layer}_days {days} is shorter than what a run reads back "
                    f"({needed} days: the late window plus the attribution context)"
                )
        if self.reporting_currency not in CURRENCIES:
            raise UserError(
                f"reporting.currency {self.reporting_currency!r} is not one of "
                f"{', '.join(sorted(CURRENCIES))}"
            )

    @property
    def lookback_days(self) -> int:
        """Whole days of context the attribution stage needs before the window."""
        return -(-self.lookback_hours // 24)


def _section(values: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    sec = values.get(name, {})
    if not isinstance(sec, Mapping):
        raise UserError(f"profile section [{name}] must be a table")
    return sec


def _resolve_local(uri: str, root: Path) -> str:
    """Relative local paths in a profile are relative to the project root."""
    if "://" in uri or uri.startswith("/"):
        return uri
    return str((root / uri).resolve())


def _typed(section: Mapping[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    """``section[key]`` as ``kind`` (int, float or str), naming the key when it is not one."""
    value = section.get(key, default)
    if kind is str:
        if not isinstance(value, str):
            raise UserError(f"{where}.{key} must be text, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(f"{where}.{key} must be a number, got {value!r}")
    if kind is int and value != int(value):
        raise UserError(f"{where}.{key} must be a whole number, got {value!r}")
    return kind(value)


def _flag(section: Mapping[str, Any], key: str) -> bool:
    value = section.get(key, False)
    if not isinstance(value, bool):
        raise UserError(f"privacy.{key} must be true or false, got {value!r}")
    return value


def _days_or_forever(section: Mapping[str, Any], layer: str, default: int) -> int | None:
    """``retention.<layer>_days``: a whole number of days, 0 for forever (None)."""
    days = _typed(section, f"{layer}_days", int, default, "retention")
    if days < 0:
        raise UserError(f"retention.{layer}_days must not be negative (0 keeps forever)")
    return days or None


def settings_from_values(values: Mapping[str, Any], root: Path | None = None) -> Settings:
    """Build typed Settings from merged profile values. Raises UserError on bad values."""
    root = root or project_root()
    storage = _section(values, "storage")
    catalog = _section(values, "catalog")
    engine = _section(values, "engine")
    pipeline = _section(values, "pipeline")
    quality = _section(values, "quality")
    aws = _section(values, "aws")
    source = _section(values, "source")
    retention_values = _section(values, "retention")
    maint = _section(values, "maintenance")
    privacy = _section(values, "privacy")
    reporting = _section(values, "reporting")
    intraday = _section(values, "intraday")
    alerts = _section(values, "alerts")
    try:
        catalog_type = CatalogType(catalog.get("type", "sqlite"))
        mode = EngineMode(engine.get("mode", "local"))
        model = AttributionModel(pipeline.get("attribution_model", "last_click"))
    except ValueError as exc:
        raise UserError(f"profile: {exc}") from None
    catalog_uri = str(catalog.get("uri", ""))
    if (
        catalog_type is CatalogType.SQLITE
        and catalog_uri.startswith("sqlite:///")
        and not catalog_uri.startswith("sqlite:////")
    ):
        catalog_uri = "sqlite:///" + _resolve_local(catalog_uri[len("sqlite:///") :], root)
    source_url = source.get("url")
    if (
        isinstance(source_url, str)
        and source_url.startswith("sqlite:///")
        and not source_url.startswith("sqlite:////")
    ):
        source_url = "sqlite:///" + _resolve_local(source_url[len("sqlite:///") :], root)
    try:
        return Settings(
            environment=str(values.get("name", "local")),
            landing_uri=_resolve_local(str(storage.get("landing", ".airlake/landing")), root),
            warehouse_uri=_resolve_local(str(storage.get("warehouse", ".airlake/warehouse")), root),
            catalog_type=catalog_type,
            catalog_uri=catalog_uri,
            catalog_name=str(catalog.get("name", "airlake")),
            engine=mode,
            late_window_days=_typed(
                pipeline, "late_window_days", int, DEFAULT_LATE_WINDOW_DAYS, "pipeline"
            ),
            attribution_model=model,
            lookback_hours=_typed(pipeline, "lookback_hours", int, 24, "pipeline"),
            max_line_bytes=_typed(
                pipeline, "max_line_bytes", int, DEFAULT_MAX_LINE_BYTES, "pipeline"
            ),
            max_quarantine_share=_typed(quality, "max_quarantine_share", float, 0.05, "quality"),
            duckdb_memory_limit=_typed(engine, "duckdb_memory_limit", str, "2GB", "engine"),
            duckdb_threads=_typed(engine, "duckdb_threads", int, 2, "engine"),
            s3_endpoint=storage.get("s3_endpoint") or None,
            aws_region=str(aws.get("region", "eu-west-1")),
            source_url=source_url if isinstance(source_url, str) else None,
            retention=Retention(
                **{
                    f"{layer}_days": _days_or_forever(retention_values, layer, default)
                    for layer, default in (
                        ("landing", 30),
                        ("raw", 90),
                        ("clean", 730),
                        ("reports", 0),
                    )
                }
            ),
            maintenance=MaintenancePolicy(
                snapshot_retention_hours=_typed(
                    maint, "snapshot_retention_hours", float, 168.0, "maintenance"
                ),
                keep_last_snapshots=_typed(maint, "keep_last_snapshots", int, 5, "maintenance"),
                orphan_min_age_hours=_typed(
                    maint, "orphan_min_age_hours", float, 24.0, "maintenance"
                ),
                compact_min_files=_typed(maint, "compact_min_files", int, 8, "maintenance"),
                compact_small_file_bytes=_typed(
                    maint, "compact_small_file_bytes", int, 32 * 1024 * 1024, "maintenance"
                ),
                metadata_versions_kept=_typed(
                    maint, "metadata_versions_kept", int, 20, "maintenance"
                ),
            ),
            erasure_salt=str(privacy["erasure_salt"]) if privacy.get("erasure_salt") else None,
            truncate_ip=_flag(privacy, "truncate_ip"),
            reporting_currency=_typed(reporting, "currency", str, "EUR", "reporting").upper(),
            intraday=IntradaySettings(
                schedule=_typed(intraday, "schedule", str, "0 * * * *", "intraday"),
                business_timezone=_typed(
                    intraday, "business_timezone", str, "Europe/Berlin", "intraday"
                ),
                lock_wait_seconds=_typed(intraday, "lock_wait_seconds", float, 300.0, "intraday"),
                profile_days=_typed(intraday, "profile_days", int, 7, "intraday"),
                under_pacing_pct=_typed(intraday, "under_pacing_pct", float, 80.0, "intraday"),
            ),
            alerts=AlertRules(
                projected_over_budget_pct=_typed(
                    alerts, "projected_over_budget_pct", float, 110.0, "alerts"
                ),
                stale_topic_minutes=_typed(alerts, "stale_topic_minutes", float, 60.0, "alerts"),
                max_quarantine_share=_typed(
                    alerts,
                    "max_quarantine_share",
                    float,
                    _typed(quality, "max_quarantine_share", float, 0.05, "quality"),
                    "alerts",
                ),
            ),
        )
    except (TypeError, ValueError) as exc:
        raise UserError(f"profile: {exc}") from None


def profile_values(
    profile: str,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A profile's merged values (file < ``environ`` (default: none) < overrides), untyped: for
    the sections only some commands read ([sizing], [emr], [roles], ...)."""
    return merge_config(read_profile_file(profile), environ or {}, overrides or {})


def load_settings(
    profile: str = "local",
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Load a profile, merge environment variables and overrides, and type it."""
    values = profile_values(
        profile, environ=os.environ if environ is None else environ, overrides=overrides
    )
    return settings_from_values(values)
