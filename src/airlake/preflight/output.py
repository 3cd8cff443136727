"""Rendering findings: text for people, JSON, SARIF 2.1.0 (code-scanning UIs), JUnit XML (CI)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.rollup import Cause, roll_up
from airlake.preflight.targets import Target

FORMATS = ("text", "json", "sarif", "junit")
_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def summary(findings: Sequence[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info"


def _verdict(findings: Sequence[Finding], target: Target) -> str:
    verdict = (
        "will not work"
        if any(f.severity is Severity.ERROR for f in findings)
        else "no blocking problem found"
    )
    return (
        f"{target.name} (Airflow {target.airflow_version}, Python {target.python_version}): "
        f"{verdict}; {summary(findings)}"
    )


PLACES_SHOWN = 5


def cause_lines(causes: Sequence[Cause], colour: bool = False) -> list[str]:
    """Each cause once: severity, id, message, how often; its fix; where; generated code."""
    lines: list[str] = []
    for c in causes:
        sev = c.severity.value
        if colour:
            sev = f"{_COLOURS[c.severity]}{sev}\033[0m"
        times = f"  ({c.count}x)" if c.count > 1 else ""
        lines.append(f"{sev:7}  {c.id}  {c.message}{times}")
        for fix in c.fixes:
            lines.append(f"         fix: {fix}")
        lines.append(f"         at:  {c.where(PLACES_SHOWN)}")
        if c.replacement:
            lines.extend("         | " + r for r in c.replacement.rstrip().splitlines())
    return lines


def text(findings: Sequence[Finding], target: Target, colour: bool = False) -> str:
    """The verdict first, then one entry per distinct problem (rolled up: the count and the
    places), errors first; colour only when asked (a terminal). Every single finding is in the
    JSON, SARIF and JUnit formats."""
    causes = roll_up(findings)
    lines = [_verdict(findings, target)]
    if findings:
        lines.append(
            f"{len(findings)} finding(s), {len(causes)} distinct problem(s)"
            + (
                " (every place: --format json)"
                if any(c.count > PLACES_SHOWN for c in causes)
                else ""
            )
        )
        lines.append("")
        lines.extend(cause_lines(causes, colour))
        lines.append("")
        lines.append(_verdict(findings, target))
    return "\n".join(lines)


def as_json(findings: Sequence[Finding], target: Target) -> str:
    return json.dumps(
        {
            "target": {
                "name": target.name,
                "airflow": target.airflow_version,
                "python": target.python_version,
            },
            "summary": dict(Counter(f.severity.value for f in findings)),
            "findings": [
                {
                    "id": f.id,
                    "severity": f.severity.value,
                    "path": f.path,
                    "line": f.line,
                    "message": f.message,
                    "fix": f.fix,
                    "replacement": f.replacement,
                }
                for f in findings
            ],
        },
        indent=2,
    )


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(findings: Sequence[Finding], target: Target) -> str:
    """SARIF 2.1.0: one run, one rule per finding id, results with physical locations."""
    rules = sorted({f.id for f in findings})
    results = []
    for f in findings:
        location: dict = {"artifactLocation": {"uri": f.path or "."}}
        if f.line:
            location["region"] = {"startLine": f.line}
        results.append(
            {
                "ruleId": f.id,
                "ruleIndex": rules.index(f.id),
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.message}. Fix: {f.fix}"},
                "locations": [{"physicalLocation": location}],
            }
        )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "airlake-preflight",
                        "informationUri": "https://github.com/airlake/airlake",
                        "rules": [{"id": r, "shortDescription": {"text": r}} for r in rules],
                    }
                },
                "properties": {"target": target.name},
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2)


def junit(findings: Sequence[Finding], target: Target) -> str:
    """JUnit XML: one test case per file; errors are failures, the rest are system-out."""
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.path or "(project)", []).append(f)
    failures = sum(1 for fs in by_file.values() if any(f.severity is Severity.ERROR for f in fs))
    suite = ET.Element(
        "testsuite",
        name=f"preflight {target.name}",
        tests=str(max(len(by_file), 1)),
        failures=str(failures),
        errors="0",
    )
    if not by_file:
        ET.SubElement(suite, "testcase", classname="preflight", name="project")
    for path, fs in sorted(by_file.items()):
        case = ET.SubElement(suite, "testcase", classname="preflight", name=path)
        errors = [f for f in fs if f.severity is Severity.ERROR]
        if errors:
            failure = ET.SubElement(
                case, "failure", message=f"{len(errors)} error(s)", type="preflight"
            )
            failure.text = "\n".join(
                f"{f.path}:{f.line}: {f.id} {f.message} (fix: {f.fix})" for f in errors
            )
        rest = [f for f in fs if f.severity is not Severity.ERROR]
        if rest:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(
                f"{f.path}:{f.line}: {f.severity.value} {f.id} {f.message}" for f in rest
            )
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def render(fmt: str, findings: Sequence[Finding], target: Target, colour: bool = False) -> str:
    if fmt == "json":
        return as_json(findings, target)
    if fmt == "sarif":
        return sarif(findings, target)
    if fmt == "junit":
        return junit(findings, target)
    return text(findings, target, colour)
