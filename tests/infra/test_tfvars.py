"""Terraform inputs from a profile: each environment's account, the SSO groups, and the VPN's
settings; a mistake in them is one clear error naming the key."""

from __future__ import annotations

from typing import Any

import pytest

from airlake.errors import UserError
from airlake.infra.tfvars import tfvars
from airlake.settings import read_profile_file


def _profile(env: str, **changes: dict[str, Any]) -> dict[str, Any]:
    values = read_profile_file(env)
    for section, keys in changes.items():
        values[section] = {**values.get(section, {}), **keys}
    return values


def test_each_environment_targets_its_own_account_with_the_same_groups() -> None:
    inputs = {env: tfvars(read_profile_file(env)) for env in ("sandbox", "test", "production")}
    assert {env: i["account_id"] for env, i in inputs.items()} == {
        "sandbox": "111111111111",
        "test": "222222222222",
        "production": "333333333333",
    }
    groups = {
        "platform_admin": "airlake-platform-admins",
        "data_engineer": "airlake-data-engineers",
        "analyst": "airlake-analysts",
    }
    assert all(i["group_names"] == groups for i in inputs.values())
    assert all(i["sso_account_id"] == "999999999999" for i in inputs.values())
    assert {env: i["vpn_enabled"] for env, i in inputs.items()} == {
        "sandbox": True,
        "test": True,
        "production": False,
    }
    assert inputs["test"]["vpn_roles"] == ["data_engineer"]
    assert inputs["test"]["vpn_server_certificate_domain"] == "vpn.airlake-test.internal"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"aws": {"account_id": 333333333333}}, None),  # an integer is read as its digits
        (
            {"aws": {"account_id": "3333"}},
            r"aws.account_id is '3333': an AWS account id is 12 digits",
        ),
        ({"sso": {"account_id": "x"}}, r"sso.account_id is 'x'"),
        (
            {"vpn": {"client_cidr": "10.30.4.0/22"}},
            r"vpn.client_cidr 10.30.4.0/22 overlaps the VPC's range 10.30.0.0/16",
        ),
        (
            {"vpn": {"client_cidr": "172.16.0.1/22"}},
            r"vpn.client_cidr: 172.16.0.1/22 has host bits set",
        ),
        (
            {"vpn": {"roles": ["analyst", "auditor"]}},
            r"vpn.roles names auditor: not a role of \[roles\]",
        ),
    ],
)
def test_a_mistake_in_the_access_settings_is_one_error(
    changes: dict[str, dict[str, Any]], message: str | None
) -> None:
    values = _profile("production", **changes)
    if message is None:
        assert tfvars(values)["account_id"] == "333333333333"
        return
    with pytest.raises(UserError, match=message):
        tfvars(values)


def test_an_enabled_vpn_needs_its_certificate_domain() -> None:
    values = read_profile_file("production")
    del values["vpn"]["server_certificate_domain"]
    assert tfvars(values)["vpn_server_certificate_domain"] == ""  # off: not needed
    values["sizing"]["vpn_enabled"] = True
    with pytest.raises(
        UserError, match=r"profile production lacks vpn.server_certificate_domain \(needed"
    ):
        tfvars(values)
