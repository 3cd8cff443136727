"""``airlake verify``: the environment rules, on the code before deploying or on the account after."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airlake.infra.facts import Facts
from airlake.infra.rules import Result, evaluate
from airlake.infra.tfvars import tfvars
from airlake.settings import profile_values, project_root


def bundle_has_constraints_line(env: str) -> bool:
    from airlake.deploy.mwaa_bundle import build_bundle, constraints_url

    with tempfile.TemporaryDirectory() as tmp:
        bundle = build_bundle(env, Path(tmp))
        text = (bundle.root / "requirements.txt").read_text()
    return constraints_url(bundle.mwaa_version) in text


def _with_environment(facts: Facts, inputs: Mapping[str, Any]) -> Facts:
    """The facts with what the profile says of the environment: its name, its account, and the
    group meant to hold admin rights."""
    facts.environment = str(inputs["environment"])
    facts.account_id = str(inputs["account_id"])
    admins = inputs["group_names"].get("platform_admin")
    facts.admin_groups = (str(admins),) if admins else ()
    return facts


def verify(
    env: str,
    live: bool = False,
    endpoint_url: str | None = None,
    terraform: Path | None = None,
    checkov: str | None = None,
) -> list[Result]:
    """Results of every rule for ``env``.

    Args:
        env: sandbox, test or production.
        live: read the deployed account instead of the code.
        endpoint_url: AWS endpoint override for ``live``.
        terraform: the Terraform folder to read (default: the project's ``infra/terraform``).
        checkov: the checkov program (default: found on ``PATH`` or in ``.tools/checkov``).

    Returns:
        airlake's rules in their order, then (on the code) checkov's failed checks.

    Raises:
        UserError: an unknown environment, an unreadable account, Terraform that does not parse,
            or checkov missing for a check of the code.
    """
    import os

    values = profile_values(env, environ=os.environ)
    inputs = tfvars(values)
    if live:
        from airlake.infra.live import facts_from_account

        facts = facts_from_account(
            inputs["name"], inputs["region"], endpoint_url, account_id=inputs["account_id"]
        )
        return evaluate(_with_environment(facts, inputs))
    from airlake.infra.checkov import find as find_checkov
    from airlake.infra.checkov import scan as run_checkov
    from airlake.infra.terraform import facts_from_terraform

    root = terraform or project_root() / "infra" / "terraform"
    facts = _with_environment(facts_from_terraform(root, inputs), inputs)
    facts.constraints_line = bundle_has_constraints_line(env)
    program = find_checkov(project_root(), checkov)
    return evaluate(facts) + run_checkov(root, inputs["environment"], program)
