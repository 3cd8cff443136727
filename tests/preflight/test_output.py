"""Output formats: JSON, SARIF 2.1.0 (validated), JUnit XML, text."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema

from airlake.preflight import load_project, load_target, run_checks
from airlake.preflight.output import render

FIXTURE = Path(__file__).parent / "fixtures" / "legacy_1_10"
SCHEMA = json.loads((Path(__file__).parent / "sarif-2.1.0-subset.schema.json").read_text())


def _findings():
    target = load_target("mwaa-2.0.2")
    return run_checks(load_project(FIXTURE), target), target


def test_sarif_validates_and_points_at_lines() -> None:
    """Validated against the specification's structural rules (the official schema file is not
    redistributable from here; the subset schema beside this test states its sources)."""
    findings, target = _findings()
    doc = json.loads(render("sarif", findings, target))
    jsonschema.validate(doc, SCHEMA)
    results = doc["runs"][0]["results"]
    assert len(results) == len(findings)
    rules = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    for result in results:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    located = [r for r in results if "region" in r["locations"][0]["physicalLocation"]]
    assert {"uri": "dags/campaign_etl.py"} in [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in located
    ]


def test_junit_has_a_failure_per_file_with_errors() -> None:
    findings, target = _findings()
    suite = ET.fromstring(render("junit", findings, target))
    failed = {
        case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None
    }
    # the plugin's operator registration is a warning: no DAG imports through the plugin path
    assert failed == {"dags/campaign_etl.py", "requirements.txt"}
    assert suite.get("failures") == "2"


def test_json_and_text() -> None:
    findings, target = _findings()
    doc = json.loads(render("json", findings, target))
    assert doc["target"] == {"name": "mwaa-2.0.2", "airflow": "2.0.2", "python": "3.7"}
    assert doc["summary"]["error"] == sum(1 for f in findings if f.severity.value == "error")
    text = render("text", findings, target)
    assert "\033[" not in text  # no colour unless on a terminal
    assert text.rstrip().endswith("2 info") and "will not work" in text
