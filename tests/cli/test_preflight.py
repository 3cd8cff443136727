from pathlib import Path

from click.testing import CliRunner

from airlake.cli import cli
from airlake.deploy.mwaa_bundle import build_bundle

FIXTURES = Path(__file__).resolve().parents[1] / "preflight" / "fixtures"


def test_exit_codes_and_both_spellings() -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["preflight", str(FIXTURES / "legacy_1_10"), "--target", "mwaa-2.0.2"])
    assert bad.exit_code == 1 and "will not work" in bad.output
    assert runner.invoke(cli, ["preflight", "targets"]).output.count("mwaa-") >= 17
    usage = runner.invoke(
        cli, ["preflight", str(FIXTURES / "legacy_1_10"), "--target", "mwaa-0.0.1"]
    )
    assert usage.exit_code == 2 and "unknown target" in usage.output
    assert (
        runner.invoke(
            cli, ["preflight", str(FIXTURES), "--target", "mwaa-2.0.2", "--write"]
        ).exit_code
        == 2
    )


def test_a_missing_folder_or_broken_dag_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["preflight", str(tmp_path / "nope"), "--target", "mwaa-2.10.3"])
    assert (
        missing.exit_code == 1 and "PF000" in missing.output and "Traceback" not in missing.output
    )
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "broken.py").write_text("def oops(:\n")
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfe")
    broken = runner.invoke(
        cli, ["preflight", str(tmp_path), "--target", "mwaa-2.10.3", "--format", "json"]
    )
    assert broken.exit_code == 1
    assert '"PF200"' in broken.output and '"PF100"' in broken.output


def test_the_mwaa_bundle_passes_preflight(tmp_path: Path) -> None:
    bundle = build_bundle("production", tmp_path / "bundle")
    result = CliRunner().invoke(
        cli, ["preflight", str(bundle.root), "--target", f"mwaa-{bundle.mwaa_version}"]
    )
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output
