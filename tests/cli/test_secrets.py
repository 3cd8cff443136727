"""Commands with a password in every URL: no output of any of them shows it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from airlake.cli import cli

PASSWORD = "Xq7-secret-pw"


def test_no_output_shows_a_password(tmp_path: Path, postgres_url: str) -> None:
    # Trust authentication accepts any password, so these URLs work against the real server.
    with_pw = postgres_url.replace("postgres@", f"postgres:{PASSWORD}@")
    unreachable = f"postgresql+psycopg2://bob:{PASSWORD}@127.0.0.1:9/nope"
    profile = tmp_path / "p.toml"
    profile.write_text(
        f'name = "secrets"\n[storage]\nlanding = "{tmp_path}/landing"\n'
        f'warehouse = "{tmp_path}/warehouse"\n'
        f'[catalog]\ntype = "postgres"\nuri = "{with_pw}"\n[source]\nurl = "{with_pw}"\n'
    )
    env = ["--env", str(profile)]
    runs = [
        (
            [
                "generate",
                "--start",
                "2026-11-10",
                "--days",
                "1",
                "--events-per-day",
                "300",
                "--out",
                str(tmp_path / "landing"),
                "--source-url",
                with_pw,
            ],
            0,
        ),
        (
            [
                "generate",
                "--start",
                "2026-11-10",
                "--days",
                "1",
                "--events-per-day",
                "10",
                "--out",
                str(tmp_path / "other"),
                "--source-url",
                unreachable,
            ],
            1,
        ),
        (["run", "--date", "2026-11-10", *env], 0),
        (["tables", *env], 0),
        (["check", *env], 0),
        (["history", "dim.campaigns", *env], 0),
        (["query", "SELECT count(*) FROM dim.campaigns", *env], 0),
        (["query", "SELECT nope FROM dim.campaigns", *env], 1),
        (["env", "show", str(profile)], 0),
        (["env", "show", str(profile), "--format", "json"], 0),
        (["tables", *env, "--set", f"catalog.uri={unreachable}"], 1),
        (["run", "--date", "2026-11-10", *env, "--set", f"source.url={unreachable}"], 1),
        (
            [
                "run",
                "--date",
                "2026-11-10",
                *env,
                "--set",
                f"catalog.uri=postgresql://u:{PASSWORD}@127.0.0.1/x",
            ],
            1,
        ),
    ]
    outputs = []
    for args, code in runs:
        result = CliRunner().invoke(cli, args)
        outputs.append(result.output)
        assert result.exit_code == code, (args, result.output)
        assert "Traceback" not in result.output
    env_show = CliRunner().invoke(
        cli, ["env", "show", str(profile)], env={"AIRLAKE_CATALOG__URI": unreachable}
    )
    outputs.append(env_show.output)
    assert "bob:***@127.0.0.1:9" in env_show.output
    everything = "\n".join(outputs)
    assert "***@" in everything  # the URLs were shown, redacted
    assert PASSWORD not in everything
