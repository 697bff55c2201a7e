"""A document the search engine refuses stops neither start-up nor `greenrong reindex`: it is
left out of the index and recorded as a dead letter with the engine's reason
(``indexers/kit/store.py``, ``rebuild``)."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.indexers.maintenance import reindex
from tests.factories.access import auth_headers
from tests.factories.entities import create_listing
from tests.pipeline.conftest import dead_letters
from tests.pipeline.test_dead_letters import cli

SEARCH = """{ searchTechnologyListings(query: "锂电池") {
  ... on TechnologyListingSearchConnection { totalCount edges { node { title } } } } }"""


async def _search(app: Starlette, settings: Settings) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=auth_headers(settings)
    ) as http:
        return await http.post("/graphql", json={"query": SEARCH})


async def test_start_up_and_reindex_leave_a_refused_document_to_the_dead_letters(
    settings: Settings, sessionmaker, monkeypatch
) -> None:
    # given: a good listing and one the engine refuses, written straight into the database
    # (the API refuses such names). NUL is what the issue found on SQLite; PostgreSQL refuses
    # NUL in text itself, so there the title holds a unit separator, which the engine's
    # completion field refuses as it refuses NUL.
    postgresql = settings.effective_database_url.startswith("postgresql")
    bad_title = "废旧\u001f电池回收技术" if postgresql else "废旧\u0000电池回收技术"
    async with sessionmaker.begin() as session:
        await create_listing(session, title="废旧锂电池梯次利用技术")
        bad = await create_listing(session, title=bad_title)

    # when: the app starts, which builds the listings index from the database
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        response = await _search(app, settings)

    # then: it served, the good listing is searchable, and the refused one is a dead letter
    assert response.status_code == 200
    assert response.json()["data"] == {
        "searchTechnologyListings": {
            "totalCount": 1,
            "edges": [{"node": {"title": "废旧锂电池梯次利用技术"}}],
        }
    }
    [letter] = await dead_letters(sessionmaker)
    assert (letter.entity_type, letter.entity_id, letter.attempts, letter.event_ids) == (
        "TechnologyListing",
        bad.id,
        1,
        [],
    )
    reserved = "0x1f" if postgresql else "0x0"
    assert letter.error == (
        "mapper_parsing_exception: failed to parse; illegal_argument_exception: Illegal input "
        f"[{bad_title}] UTF-16 codepoint [{reserved}] at position 2 is a reserved character "
        "(status 400)"
    )
    listed = await cli(monkeypatch, settings, "events", "failed")
    assert listed.exit_code == 0, listed.output
    _header, row = listed.output.splitlines()
    assert row.split()[:4] == [str(letter.id), "TechnologyListing", str(bad.id), "1"]
    assert row.split("  ")[-1].startswith(
        "mapper_parsing_exception: failed to parse; illegal_argument_exception: Illegal input"
    )

    # when: an operator rebuilds the index
    lines: list[str] = []
    written = await reindex(settings, ["listings"], report=lines.append, progress=False)

    # then: the rebuild finished with the good document, and the dead letter counts again
    assert written == 1
    assert lines[0].split()[:3] == ["listings", "1", "documents"]
    [again] = await dead_letters(sessionmaker)
    assert (again.id, again.entity_id, again.attempts) == (letter.id, bad.id, 2)
