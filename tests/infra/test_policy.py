"""Policy documents in each shape they come in read into the same statements."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from airlake.infra.facts import Statement
from airlake.infra.policy import document_statements, statements

DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*"]},
        {"Effect": "Deny", "Action": ["iam:*"], "Resource": "*"},
    ],
}
EXPECTED = [
    Statement("Allow", ("s3:GetObject",), ("arn:aws:s3:::b/*",), "p"),
    Statement("Deny", ("iam:*",), ("*",), "p"),
]


@pytest.mark.parametrize(
    "document",
    [DOCUMENT, json.dumps(DOCUMENT), quote(json.dumps(DOCUMENT)), "\n" + json.dumps(DOCUMENT)],
    ids=["object", "json", "url-encoded", "heredoc-body"],
)
def test_every_shape_reads_the_same(document: object) -> None:
    assert statements(document, "p") == EXPECTED  # type: ignore[arg-type]


def test_a_single_statement_and_nested_resource_lists() -> None:
    document = {"Statement": {"Action": "*", "Resource": [["a", "b"], "c"]}}
    assert statements(document) == [Statement("Allow", ("*",), ("a", "b", "c"))]


def test_text_that_is_not_json_is_an_error() -> None:
    with pytest.raises(ValueError):
        statements("not a policy")


def test_the_policy_document_data_source() -> None:
    blocks = [
        {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]},
        {"effect": "Deny", "actions": ["iam:*"], "resources": ["*"]},
    ]
    assert document_statements(blocks, "p") == EXPECTED
