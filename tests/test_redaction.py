from __future__ import annotations

import pytest

from airlake.errors import UserError, environment_fault
from airlake.redaction import redact, redact_values

PW = "Hunter2-pw"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"cannot open postgresql+psycopg2://bob:{PW}@127.0.0.1:5432/db: refused",
            "cannot open postgresql+psycopg2://bob:***@127.0.0.1:5432/db: refused",
        ),
        (
            f"'oracle+oracledb://u:{PW}@db:1521/?service_name=x'",
            "'oracle+oracledb://u:***@db:1521/?service_name=x'",
        ),
        (f"postgresql://bob:p@ss/{PW}@host/db", "postgresql://bob:***@host/db"),
        (f"host=db password={PW} user=bob", "host=db password=*** user=bob"),
        (f"https://h/x?token={PW}&a=1", "https://h/x?token=***&a=1"),
        ("postgresql://bob@host/db", "postgresql://bob@host/db"),
        ("s3://bucket/key@v2:x", "s3://bucket/key@v2:x"),
        ("sqlite:////tmp/catalog.db", "sqlite:////tmp/catalog.db"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert PW not in redact(text)


def test_redact_values_walks_a_profile() -> None:
    values = {"catalog": {"uri": f"postgresql://u:{PW}@h/db", "n": 3}, "l": [f"x://a:{PW}@b"]}
    assert PW not in repr(redact_values(values))
    assert redact_values(values)["catalog"]["n"] == 3


def test_user_error_is_redacted_on_construction() -> None:
    assert PW not in str(UserError(f"cannot open the catalog at postgresql://u:{PW}@h/db"))


def test_environment_fault_follows_the_cause_chain() -> None:
    try:
        try:
            raise PermissionError(13, "Permission denied", "/data/landing/hour=03")
        except PermissionError as inner:
            raise RuntimeError("listing failed") from inner
    except RuntimeError as exc:
        assert environment_fault(exc) == "permission denied: /data/landing/hour=03"
    assert environment_fault(KeyError("x")) is None


def test_the_erasure_salt_is_masked_whole() -> None:
    from airlake.redaction import redact_values

    assert redact_values({"privacy": {"erasure_salt": "s3cr3t", "truncate_ip": True}}) == {
        "privacy": {"erasure_salt": "***", "truncate_ip": True}
    }
