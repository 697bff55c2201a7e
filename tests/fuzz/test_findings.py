"""What the fuzzer found outside issue 18's list, each sent as it was found.

A JSON body that is not an object (``null``, a number, a string, ``true``, a list of
non-objects) reached strawberry, which reads keys from it: ``AttributeError`` and an HTTP 500.
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
