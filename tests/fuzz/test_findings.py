"""What the fuzzer found outside issue 18's list, each sent as it was found.

- A JSON body that is not an object (``null``, a number, a string, ``true``, a list of
  non-objects) reached strawberry, which reads keys from it: ``AttributeError`` and an HTTP 500.
- ``certificationRubric(version:)`` built a file path from the version asked for: a long one
  was ``OSError: File name too long``, one holding NUL ``ValueError``; both a masked
  ``INTERNAL``. An unknown version is ``null``, as the field's description says.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from greenrong.domain.enterprises.models import Enterprise
from tests.factories.entities import create_enterprise


@pytest.mark.parametrize("body", [b"null", b"1", b'"{ __typename }"', b"true", b"[1]", b"[null]"])
async def test_a_json_body_that_is_not_an_object_is_refused_with_400(
    client: httpx.AsyncClient, sessionmaker, body: bytes
) -> None:
    # given
    async with sessionmaker.begin() as session:
        await create_enterprise(session, name="成都绿色科技有限公司")

    # when
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    # then
    assert response.status_code == 400
    assert "The request body must be a JSON object." in response.text
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Enterprise)) == 1


async def test_a_json_object_body_still_runs(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ enterprises { totalCount } }"}',
        headers={"content-type": "application/json"},
    )

    assert (response.status_code, response.json()["data"]) == (
        200,
        {"enterprises": {"totalCount": 0}},
    )


RUBRIC = """query($version: String) {
  certificationRubric(subjectType: PROJECT, version: $version) { version }
}"""


@pytest.mark.parametrize("version", ["../rubric_2022", "/etc/passwd", "", "2099.1"])
async def test_an_unknown_rubric_version_is_null_whatever_it_holds(gql, version: str) -> None:
    body = await gql(RUBRIC, {"version": version})

    assert body == {
        "data": {"certificationRubric": None},
        "extensions": body.get("extensions"),
    }


@pytest.mark.parametrize(
    ("version", "code", "message"),
    [
        ("绿色金融" * 100, "OUT_OF_RANGE", "version: is longer than 20 characters"),
        ("2022.1\x00", "INVALID_FORMAT", "version: contains a control character (U+0000)"),
    ],
)
async def test_a_version_no_file_can_be_named_by_is_refused_at_the_edge(
    gql, version: str, code: str, message: str
) -> None:
    """Since issue 18's input edge, a long or NUL-holding version never reaches the rubric."""
    body = await gql(RUBRIC, {"version": version})

    (error,) = body["errors"]
    assert (error["extensions"]["code"], error["message"]) == (code, message)
    assert body["data"] is None


async def test_a_shipped_rubric_version_is_still_found(gql) -> None:
    body = await gql(RUBRIC, {"version": "2022.1"})

    assert body["data"] == {"certificationRubric": {"version": "2022.1"}}
