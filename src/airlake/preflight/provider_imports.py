"""Imports under a provider the project installs itself: judged against the release it installs.

A provider line in requirements.txt installs, on the target, the release the line pins, else the
release the target's constraints pin. When that is not the release the image ships (or the image
ships none), the image's import index cannot judge the import; the provider-release index can,
when it holds that release. When it does not, or when no single release can be named, the import
is reported as not judged: a finding, never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from airlake.preflight.finding import Finding, Severity
from airlake.preflight.imports_index import (
    ProviderRelease,
    Status,
    provider_of,
    provider_release,
)
from airlake.preflight.markers import installed
from airlake.preflight.project import Project
from airlake.preflight.provider_index_build import PROVIDER_PREFIX, provider_root
from airlake.preflight.requirements import Req
from airlake.preflight.targets import Target


@dataclass(frozen=True, slots=True)
class InstalledProvider:
    """The provider release a requirement installs on a target: ``version`` None when no single
    release can be named (then ``why`` says why); ``release`` None when it is not indexed."""

    distribution: str
    requirement: Req
    version: str | None
    release: ProviderRelease | None
    why: str = ""


def _same(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _allows(specifier: str, version: str) -> bool:
    try:
        return SpecifierSet(specifier).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def _distribution(module: str, names: set[str]) -> str | None:
    indexed = provider_of(module)
    if indexed:
        return indexed
    # a provider no target's constraints pin: matched by its module root
    for name in sorted(names, key=len, reverse=True):
        if name.startswith(PROVIDER_PREFIX):
            root = provider_root(name)
            if module == root or module.startswith(root + "."):
                return name
    return None


def installed_provider(project: Project, target: Target, module: str) -> InstalledProvider | None:
    """The release the project's requirements install for ``module`` on ``target``, when the
    image's own index cannot judge it (the image ships no such provider, or another release);
    None when the requirements add no provider for it or install the image's release."""
    if not module.startswith("airflow.providers."):
        return None
    reqs = {r.name: r for r in installed(project.requirements.requirements, target) if r.name}
    distribution = _distribution(module, set(reqs))
    if distribution is None or distribution not in reqs:
        return None
    req = reqs[distribution]
    shipped = target.preinstalled.get(distribution) if target.kind == "mwaa" else None
    constrained = target.constraints.get(distribution)
    version: str | None
    why = ""
    if req.url:
        version, why = None, f"installed from {req.url}"
    elif req.pinned:
        version = req.pinned
    elif constrained and (not req.specifier or _allows(req.specifier, constrained)):
        version = constrained
    elif shipped and (not req.specifier or _allows(req.specifier, shipped)):
        version = shipped
    else:
        version = None
        why = (
            f"`{req.text}` names no single release and {target.name}'s constraints pin none "
            "it allows"
        )
    if version is not None and shipped and _same(version, shipped):
        return None  # the image's own release: its import index judges it
    release = provider_release(distribution, version) if version else None
    if version and release is None:
        why = f"{distribution} {version} is not in preflight's provider index"
    return InstalledProvider(distribution, req, version, release, why)


def provider_import_finding(
    found: InstalledProvider, target: Target, path: str, line: int, module: str, name: str
) -> Finding | None:
    """The finding for ``from module import name`` against the release ``found`` installs."""
    what = f"`{module}`" if name == "*" else f"`{module}.{name}`"
    source = f"{found.requirement.path}:{found.requirement.line}"
    if found.release is None:
        return Finding(
            "PF212",
            Severity.WARNING,
            path,
            line,
            f"{what} not judged on {target.name}: {found.why} ({source})",
            "pin a release the target's constraints pin (preflight's index holds those), or "
            "check the import with --install",
        )
    release = found.release
    installed_as = (
        f"{found.distribution} {found.version}, the release {source} installs on {target.name}"
    )
    verdict = release.name(module, name)
    if verdict.status is Status.NO_MODULE:
        message = f"`{module}` does not exist in {installed_as}"
    elif verdict.status is Status.NO_NAME:
        message = f"`{module}` has no `{name}` in {installed_as}"
    elif verdict.status is Status.BROKEN:
        message = f"{what} cannot be imported from {installed_as}: {verdict.detail}"
    elif verdict.status is Status.DEPRECATED:
        alias = f" of `{verdict.replacement}`" if verdict.replacement else ""
        return Finding(
            "PF201",
            Severity.WARNING,
            path,
            line,
            f"{what} is a deprecated alias{alias} in {installed_as} (it still imports, with a "
            "deprecation warning)",
            f"import from `{verdict.replacement}`"
            if verdict.replacement
            else "import it from the path the deprecation warning names",
        )
    else:
        return None
    places = release.where_is(name) if name != "*" else []
    return Finding(
        "PF201",
        Severity.ERROR,
        path,
        line,
        message,
        f"from {places[0]} import {name}"
        if places
        else f"find its replacement in the {found.distribution} changelog, or pin a release "
        "that has it (within the target's constraints)",
    )
