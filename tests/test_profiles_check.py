from pathlib import Path

import pytest
from click.testing import CliRunner

from airlake.cli import cli
from airlake.profiles_check import Kind, check, diff, flatten
from airlake.settings import read_profile_file

ROOT = Path(__file__).resolve().parents[1]


def test_flatten() -> None:
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": 3}) == {"a.b": 1, "a.c.d": 2, "e": 3}


def test_differences_are_classified() -> None:
    left = {
        "name": "test",
        "sizing": {"workers": 2},
        "emr": {"role": "x-test-role"},
        "pipeline": {"late": 3},
    }
    right = {
        "name": "production",
        "sizing": {"workers": 8},
        "emr": {"role": "x-production-role"},
        "pipeline": {"late": 5},
    }
    kinds = {d.key: d.kind for d in diff("test", left, "production", right)}
    assert kinds == {
        "name": Kind.PER_ENVIRONMENT,
        "sizing.workers": Kind.SIZING,
        "emr.role": Kind.DERIVED,
        "pipeline.late": Kind.OTHER,
    }


def test_shipped_stage_profiles_pass() -> None:
    profiles = {n: read_profile_file(n) for n in ("sandbox", "test", "production")}
    assert check(profiles) == []


def test_a_non_sizing_difference_fails_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("sandbox", "test", "production"):
        text = (ROOT / "environments" / f"{name}.toml").read_text()
        if name == "production":
            text = text.replace("max_quarantine_share = 0.05", "max_quarantine_share = 0.2")
        (tmp_path / f"{name}.toml").write_text(text)
    monkeypatch.setenv("AIRLAKE_PROFILE_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["env", "check"])
    assert result.exit_code == 1
    assert "quality.max_quarantine_share: sandbox has 0.05, production has 0.2" in result.output


def test_env_check_cli_passes_on_shipped_profiles() -> None:
    result = CliRunner().invoke(cli, ["env", "check"])
    assert result.exit_code == 0, result.output
    assert "differ only in sizing" in result.output


def test_env_show_applies_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRLAKE_QUALITY__MAX_QUARANTINE_SHARE", "0.25")
    result = CliRunner().invoke(cli, ["env", "show", "production", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"max_quarantine_share": 0.25' in result.output


def test_accounts_differ_by_design_and_the_vpn_switch_is_sizing() -> None:
    profiles = {n: read_profile_file(n) for n in ("sandbox", "production")}
    kinds = {
        d.key: d.kind
        for d in diff("sandbox", profiles["sandbox"], "production", profiles["production"])
    }
    assert kinds["aws.account_id"] is Kind.PER_ENVIRONMENT
    assert kinds["sizing.vpn_enabled"] is Kind.SIZING
    assert kinds["vpn.server_certificate_domain"] is Kind.DERIVED
    # the groups, the VPN's roles and the Identity Center account are the same everywhere
    assert not [k for k in kinds if k.startswith("sso.") or k == "vpn.roles"]
