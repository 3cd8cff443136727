"""The requirements reader, and the one text uv is given: what preflight read, includes inlined."""

from __future__ import annotations

from pathlib import Path

from airlake.preflight.requirements import as_one_file, read_requirements


def test_uv_gets_what_was_read_and_no_include_to_follow(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (tmp_path / "outside.txt").write_text("secret-token-xyz==1.0\n")
    (root / "more.txt").write_text("boto3>=1.34  # inside: inlined\n")
    (root / "requirements.txt").write_text(
        "--constraint https://example.invalid/constraints-2.10.3/constraints-3.11.txt\n"
        "--extra-index-url https://pypi.example.invalid/simple\n"
        'requests==2.32.3; python_version >= "3.8" --hash=sha256:abc\n'
        "-e git+https://github.com/org/pkg.git#egg=pkg\n"
        "-r more.txt\n"
        "-r ../outside.txt\n"
    )
    reqs = read_requirements(root / "requirements.txt", root)
    assert as_one_file(reqs) == (
        "--extra-index-url https://pypi.example.invalid/simple\n"
        'requests==2.32.3; python_version >= "3.8"\n'
        "-e git+https://github.com/org/pkg.git#egg=pkg\n"
        "boto3>=1.34\n"
    )
