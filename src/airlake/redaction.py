"""Secrets out of text: the one redaction every message, log line and ``env show`` goes through.

Pure. Hides the password of any URL with user information (``postgresql://user:pw@host/db`` →
``postgresql://user:***@host/db``) and the value of ``password=`` / ``secret=`` style pairs (DSN
strings, query parameters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "***"

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]+")
_PAIR = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|secret[_-]access[_-]key|token|api[_-]?key)"
    r"(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s&;,\"']+)"
)


def _url(match: re.Match[str]) -> str:
    url = match.group(0)
    scheme, rest = url.split("://", 1)
    if "@" not in rest:
        return url
    # The user information ends at the last "@" before the host; a password may itself hold
    # "@" or "/" when it was not percent-encoded.
    userinfo, host = rest.rsplit("@", 1)
    if ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    if "/" in user:  # an "@" in the path of a URL without user information
        return url
    return f"{scheme}://{user}:{MASK}@{host}"


def redact(text: str) -> str:
    """``text`` with every URL password and ``password=...``-style value replaced by ``***``."""
    text = _URL.sub(_url, text)
    return _PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


SECRET_KEYS = frozenset({"erasure_salt"})
"""Profile keys whose whole value is a secret."""


def redact_values(values: Any) -> Any:
    """A copy of a (nested) profile mapping with every string value redacted, and the values of
    :data:`SECRET_KEYS` masked whole."""
    if isinstance(values, Mapping):
        return {k: MASK if k in SECRET_KEYS and v else redact_values(v) for k, v in values.items()}
    if isinstance(values, list):
        return [redact_values(v) for v in values]
    if isinstance(values, str):
        return redact(values)
    return values
