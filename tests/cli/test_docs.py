"""``airlake docs tables`` through click's runner: print, write, check."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from airlake.cli import cli
from airlake.data_dictionary import render


def test_writes_and_checks_the_dictionary(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "tables.md"
    written = runner.invoke(cli, ["docs", "tables", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_text(encoding="utf-8") == render()
    assert runner.invoke(cli, ["docs", "tables", "--check", str(out)]).exit_code == 0
    printed = runner.invoke(cli, ["docs", "tables"])
    assert printed.exit_code == 0 and printed.output == render()


def test_a_stale_or_unwritable_file_is_one_error_line(tmp_path: Path) -> None:
    runner = CliRunner()
    stale = tmp_path / "tables.md"
    stale.write_text("# old\n", encoding="utf-8")
    result = runner.invoke(cli, ["docs", "tables", "--check", str(stale)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {stale} is out of date: run `airlake docs tables --out {stale}`"
    )
    missing = runner.invoke(cli, ["docs", "tables", "--check", str(tmp_path / "none.md")])
    assert missing.exit_code == 1 and missing.output.startswith("error: cannot read")
    blocked = runner.invoke(cli, ["docs", "tables", "--out", str(stale / "sub")])
    assert blocked.exit_code == 1 and blocked.output.startswith("error: cannot write")
    assert "Traceback" not in blocked.output
