"""The vendored GraphiQL assets are strawberry's, byte for byte, and the page loads only them."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

from tests.e2e.graphiql_assets import VENDORED_DIR, strawberry_graphiql_assets

# The favicon's inline SVG names its XML namespace; that is an identifier, never fetched.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def test_each_vendored_file_has_the_integrity_strawberry_expects() -> None:
    assets = strawberry_graphiql_assets()
    assert len(assets) == 7
    for asset in assets:
        digest = hashlib.sha384((VENDORED_DIR / asset.path).read_bytes()).digest()
        assert f"sha384-{base64.b64encode(digest).decode()}" == asset.integrity, asset.path


async def test_the_graphiql_page_references_no_other_host(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "unpkg" not in html
    assert set(re.findall(r"https?://[^\s\"'<>%]+", html)) == {SVG_NAMESPACE}
    references = re.findall(r'\b(?:src|href)="([^"]*)"', html, re.DOTALL)
    assets = strawberry_graphiql_assets()
    assert [ref for ref in references if not ref.startswith("data:")] == [
        asset.served_at for asset in assets
    ]
    for asset in assets:
        assert f'integrity="{asset.integrity}"' in html


async def test_the_vendored_files_are_served(client: httpx.AsyncClient) -> None:
    for asset in strawberry_graphiql_assets():
        response = await client.get(asset.served_at)
        assert response.status_code == 200, asset.served_at
        assert response.content == (VENDORED_DIR / asset.path).read_bytes()


async def test_graphiql_opens_on_greenrong_s_first_query(client: httpx.AsyncClient) -> None:
    """Not strawberry's generic welcome: README's first query, which validates against the
    schema and answers, and a comment on how to send a key."""
    from graphql import parse, validate

    from greenrong.schema.root import schema
    from greenrong.schema.view import WELCOME

    html = (await client.get("/graphql", headers={"accept": "text/html"})).text
    assert "Welcome to GraphiQL" not in html
    welcome = WELCOME.read_text(encoding="utf-8")
    # a JavaScript template literal: its backquotes are escaped (`make run` in a comment)
    literal = welcome.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    assert "\\`make run\\`" in literal
    assert f"const EXAMPLE_QUERY = `{literal}`;" in html
    assert '{"Authorization": "Bearer grk_…"}' in welcome
    assert validate(schema._schema, parse(welcome)) == []
    answer = (await client.post("/graphql", json={"query": welcome})).json()
    assert "errors" not in answer, answer
    assert answer["data"]["enterprises"]["totalCount"] == 0  # the test database is empty
