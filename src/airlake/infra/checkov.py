"""checkov's generic Terraform checks as verify results: public bucket ACLs and policies,
AdministratorAccess on any principal, wildcard IAM policies, versioning, logging and the rest.

checkov runs as its own program (its pins clash with Airflow's, so it lives in its own
environment: ``make checkov``); :func:`results` turns its JSON report into results (pure),
:func:`scan` runs it on one environment's root module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airlake.errors import UserError
from airlake.infra.result import Result, Status

VERSION = "3.3.30"
"""The checkov release the Terraform code is kept clean against (``make checkov`` installs it)."""

FIXES = {
    "CKV_AWS_20": "remove the public-read ACL (use bucket policies for the principals that need access)",
    "CKV_AWS_57": "remove the public-read-write ACL",
    "CKV_AWS_70": 'replace Principal "*" in the bucket policy with the principals that need access',
    "CKV2_AWS_6": "add an aws_s3_bucket_public_access_block with all four settings true",
    "CKV_AWS_53": "set block_public_acls = true in the bucket's public access block",
    "CKV_AWS_54": "set block_public_policy = true in the bucket's public access block",
    "CKV_AWS_55": "set ignore_public_acls = true in the bucket's public access block",
    "CKV_AWS_56": "set restrict_public_buckets = true in the bucket's public access block",
    "CKV_AWS_145": "add an aws_s3_bucket_server_side_encryption_configuration with aws:kms",
    "CKV_AWS_274": "detach arn:aws:iam::aws:policy/AdministratorAccess; grant least privilege",
    "CKV_AWS_62": 'remove the "*" action on "*" from the policy',
    "CKV_AWS_63": 'replace the "*" action with the specific actions',
    "CKV2_AWS_40": "replace iam:* with the specific IAM actions, on specific resources",
    "CKV2_AWS_66": 'set webserver_access_mode = "PRIVATE_ONLY"',
    "CKV_AWS_24": "remove the ingress from 0.0.0.0/0 to port 22",
    "CKV_AWS_25": "remove the ingress from 0.0.0.0/0 to port 3389",
    "CKV_AWS_260": "remove the ingress from 0.0.0.0/0 to port 80",
    "CKV_AWS_277": "remove the ingress from 0.0.0.0/0 to all ports",
}
"""One-line fixes where checkov's check name does not say what to change."""


def find(project_root: Path, explicit: str | None = None) -> str:
    """The checkov program: ``explicit``, else on ``PATH``, else the project's own
    ``.tools/checkov`` environment.

    Raises:
        UserError: none of them exists.
    """
    if explicit:
        if not (Path(explicit).is_file() or shutil.which(explicit)):
            raise UserError(f"checkov not found at {explicit}")
        return explicit
    found = shutil.which("checkov")
    if found:
        return found
    local = project_root / ".tools" / "checkov" / "bin" / "checkov"
    if local.is_file():
        return str(local)
    raise UserError(
        "checkov is not installed: run `make checkov` (its own environment), or pass --checkov PATH"
    )


def _fix(check: Mapping[str, Any]) -> str:
    return FIXES.get(str(check.get("check_id")), str(check.get("check_name", "")).rstrip("."))


def results(report: Any, scanned: Path, root: Path) -> list[Result]:
    """Results from checkov's JSON report (pure): one failed result per failed check, naming every
    resource with its file; one passed result when nothing failed.

    Args:
        report: the parsed report (one object per framework, or a list of them).
        scanned: the folder checkov scanned (its file paths are relative to it).
        root: the folder that evidence paths are made relative to.
    """
    reports = report if isinstance(report, list) else [report]
    failed: dict[str, list[Mapping[str, Any]]] = {}
    passed = skipped = parse_errors = 0
    version = ""
    for r in reports:
        summary = r.get("summary", {})
        passed += int(summary.get("passed", 0))
        skipped += int(summary.get("skipped", 0))
        parse_errors += int(summary.get("parsing_errors", 0))
        version = str(summary.get("checkov_version", version))
        for check in r.get("results", {}).get("failed_checks", []):
            failed.setdefault(str(check["check_id"]), []).append(check)
    out = []
    for check_id in sorted(failed, key=_order):
        checks = failed[check_id]
        where = sorted({f"{c['resource']} ({_place(c, scanned, root)})" for c in checks})
        out.append(
            Result(
                check_id,
                Status.FAIL,
                f"{checks[0].get('check_name', '')}: {'; '.join(where)}",
                _fix(checks[0]),
            )
        )
    if parse_errors:
        out.append(
            Result(
                "CKV",
                Status.FAIL,
                f"checkov could not parse {parse_errors} file(s)",
                "fix the Terraform syntax (terraform validate names the place)",
            )
        )
    if not out:
        out.append(
            Result(
                "CKV",
                Status.PASS,
                f"checkov {version}: {passed} passed, 0 failed, {skipped} skipped with a reason",
                "—",
            )
        )
    return out


def _order(check_id: str) -> tuple[bool, str, int]:
    """CKV_AWS_9 before CKV_AWS_10, CKV_AWS before CKV2_AWS."""
    prefix, _, number = check_id.rpartition("_")
    return (prefix.startswith("CKV2"), prefix, int(number) if number.isdigit() else 0)


def _place(check: Mapping[str, Any], scanned: Path, root: Path) -> str:
    """``file:line`` of a failed check, the file relative to ``root``."""
    path = Path(os.path.normpath(scanned / str(check.get("file_path", "")).lstrip("/")))
    try:
        place = str(path.relative_to(root))
    except ValueError:
        place = str(path)
    lines = check.get("file_line_range") or []
    return f"{place}:{lines[0]}" if lines else place


def run(directory: Path, program: str) -> Any:
    """checkov's JSON report on the Terraform under ``directory`` (and the modules it calls).

    Raises:
        UserError: checkov did not produce a report.
    """
    done = subprocess.run(
        [
            program,
            "-d",
            str(directory),
            "--framework",
            "terraform",
            "--quiet",
            "--compact",
            "--skip-download",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        # no platform key: no severities, and no call to the platform for its mapping
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    try:
        return json.loads(done.stdout)
    except ValueError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UserError(f"checkov failed (exit {done.returncode}): {last}") from None


def scan(root: Path, env: str, program: str) -> list[Result]:
    """Run checkov on the root module ``root/envs/<env>`` (and the modules it calls).

    Raises:
        UserError: checkov did not produce a report.
    """
    scanned = root / "envs" / env
    report = run(scanned, program)
    return results(report, scanned, root)
