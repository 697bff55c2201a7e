"""Every error a client gets carries ``extensions.code``, graphql-core's own included: a
document that does not parse, one that does not validate, a limit's refusal and variables
that do not coerce. Nothing runs for any of them."""

from __future__ import annotations

from typing import Any

import pytest

from greenrong.schema.kit.persisted import PersistedQueries
from tests.limits.conftest import Limited

PARSE = "GRAPHQL_PARSE_FAILED"
VALIDATION = "GRAPHQL_VALIDATION_FAILED"

CASES: list[tuple[str, str, dict[str, Any] | None, str, str]] = [
    (
        "syntax",
        "{ enterprises(first: 1) { totalCount }",
        None,
        PARSE,
        "Syntax Error: Expected Name, found <EOF>.",
    ),
    (
        "tokens",
        "{ " + "__typename " * 6000 + "}",
        None,
        PARSE,
        "Syntax Error: Document contains more than 5000 tokens. Parsing aborted.",
    ),
    (
        "unknown field",
        "{ enterprises { 企业名称 } }",
        None,
        PARSE,
        "Syntax Error: Unexpected character: U+4F01.",
    ),
    (
        "no such field",
        "{ enterprises { nosuchfield } }",
        None,
        VALIDATION,
        "Cannot query field 'nosuchfield' on type 'EnterpriseConnection'.",
    ),
    (
        "wrong argument type",
        '{ enterprises(first: "十") { totalCount } }',
        None,
        VALIDATION,
        'Int cannot represent non-integer value: "十"',
    ),
    (
        "variable of the wrong type",
        "query ($n: Int) { enterprises(first: $n) { totalCount } }",
        {"n": "十"},
        VALIDATION,
        "Variable '$n' has invalid value: Int cannot represent non-integer value: '十'",
    ),
    (
        "missing variable",
        "query ($n: Int!) { enterprises(first: $n) { totalCount } }",
        {},
        VALIDATION,
        "Variable '$n' has invalid value: Expected a value of non-null type 'Int!' to be provided.",
    ),
]


@pytest.mark.parametrize(
    ("query", "variables", "code", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_graphql_core_errors_carry_a_code(
    api: Limited, query: str, variables: dict[str, Any] | None, code: str, message: str
) -> None:
    api.statements.clear()
    fields = {} if variables is None else {"variables": variables}

    body = await api.gql(query, **fields)

    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [(message, code)]
    assert api.statements == []


async def test_the_depth_limit_carries_a_code(api: Limited) -> None:
    query = (
        "{ enterprises { nodes { "
        + "projects { nodes { enterprise { " * 6
        + "id"
        + " } } }" * 6
        + " } } }"
    )

    body = await api.gql(query)

    assert body["data"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {VALIDATION}


async def test_an_unexpected_error_in_an_extension_hook_is_masked(
    api: Limited, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given an extension hook that fails before the operation runs (as a budget store that
    # went away would): such errors leave the operation, past ErrorPolicy's own hook
    async def broken(self: PersistedQueries) -> None:
        raise RuntimeError("连接串 postgresql://secret@db")

    monkeypatch.setattr(PersistedQueries, "_resolve", broken)
    api.statements.clear()

    # when
    body = await api.gql("{ enterprises(first: 1) { totalCount } }")

    # then the client sees only a masked error with the request id, which the log names
    [error] = body["errors"]
    request_id = error["extensions"]["requestId"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert error["message"] == f"Unexpected error (request id {request_id})."
    assert "secret" not in str(body)
    assert api.statements == []
    [record] = [r for r in caplog.records if r.name == "greenrong.graphql"]
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "连接串 postgresql://secret@db"
