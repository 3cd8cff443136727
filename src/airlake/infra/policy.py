"""IAM policy documents into the statements the rules check (pure).

One reader for the shapes a document comes in: JSON text (URL-encoded, as IAM returns it, or a
Terraform heredoc), the parsed object (JSON, or the object of a Terraform ``jsonencode``), and
the ``statement`` blocks of an ``aws_iam_policy_document`` data source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote as url_unquote

from airlake.infra.facts import Statement


def _strings(value: Any) -> tuple[str, ...]:
    """A policy field as a tuple of strings; a nested list (a Terraform list in a list) is flattened."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(s for v in value for s in _strings(v))
    return (str(value),)


def statements(document: Mapping[str, Any] | str, source: str = "") -> list[Statement]:
    """The statements of a policy document.

    Args:
        document: the document as JSON text (URL-encoded or not) or as its parsed object.
        source: what holds the document, carried on each statement for the evidence.

    Raises:
        ValueError: the text is not JSON.
    """
    if isinstance(document, str):
        text = document.strip()
        document = json.loads(text if text.startswith("{") else url_unquote(text))
    if not isinstance(document, Mapping):
        raise ValueError("a policy document is a JSON object")
    raw = document.get("Statement", [])
    return [
        Statement(
            str(s.get("Effect", "Allow")),
            _strings(s.get("Action")),
            _strings(s.get("Resource")),
            source,
        )
        for s in (raw if isinstance(raw, list) else [raw])
        if isinstance(s, Mapping)
    ]


def document_statements(blocks: Sequence[Mapping[str, Any]], source: str = "") -> list[Statement]:
    """The ``statement`` blocks of an ``aws_iam_policy_document`` data source (effect defaults to
    Allow, as in Terraform)."""
    return [
        Statement(
            str(b.get("effect", "Allow")),
            _strings(b.get("actions")),
            _strings(b.get("resources")),
            source,
        )
        for b in blocks
    ]
