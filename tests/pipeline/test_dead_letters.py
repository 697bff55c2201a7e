"""Terminal failures become dead letters; `greenrong events failed|retry` show and replay them."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner, Result

from greenrong.cli import main
from greenrong.core.config import Settings, get_settings
from greenrong.core.search import SearchEngine
from greenrong.schema.kit.ids import from_global_id
from tests.pipeline.conftest import create_listing, dead_letters, document, eventually, pending


async def cli(monkeypatch, settings: Settings, *args: str) -> Result:
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        return await asyncio.to_thread(CliRunner().invoke, main, list(args))
    finally:
        get_settings.cache_clear()


async def test_a_terminal_failure_is_dead_lettered_listed_and_replayed(
    app, gql, owner_id, settings: Settings, sessionmaker, monkeypatch
) -> None:
    # given a running pipeline (one listing indexed) ...
    engine: SearchEngine = app.state.resources.search
    first = await create_listing(gql, owner_id, "第一项技术")
    await eventually(lambda: document(engine, from_global_id(first["id"])[1]), what="a document")
    await eventually(lambda: _no_pending(sessionmaker), what="its event to finish")
    # ... and then the listings alias pointing at an index whose mapping refuses our documents
    alias = engine.alias("listings")
    [serving] = (await engine.client.indices.get_alias(name=alias)).keys()
    broken = f"{alias}-broken"
    await engine.client.indices.create(
        index=broken,
        body={"mappings": {"dynamic": "strict", "properties": {"id": {"type": "keyword"}}}},
    )
    await _point(engine, alias, old=serving, new=broken)

    # when a listing is created
    listing = await create_listing(gql, owner_id, "废旧锂电池梯次利用技术")
    pk = from_global_id(listing["id"])[1]

    # then it lands in the dead letters, its event is finished, and the CLI lists it
    [letter] = await eventually(lambda: dead_letters(sessionmaker), what="a dead letter")
    assert (letter.entity_type, letter.entity_id, letter.attempts) == ("TechnologyListing", pk, 1)
    assert "strict" in letter.error
    assert await pending(sessionmaker) == 0
    listed = await cli(monkeypatch, settings, "events", "failed")
    assert listed.exit_code == 0, listed.output
    header, row = listed.output.splitlines()
    assert header.split()[:4] == ["ID", "ENTITY", "ATTEMPTS", "FIRST"]
    assert row.split()[:4] == [str(letter.id), "TechnologyListing", str(pk), "1"]

    # when the cause is fixed and the dead letter retried
    await _point(engine, alias, old=broken, new=serving)
    retried = await cli(monkeypatch, settings, "events", "retry", "--all")

    # then the listing is indexed and the dead letter is gone
    assert retried.exit_code == 0, retried.output
    assert retried.output == "greenrong: 1 dead letter(s) handed over again\n"
    doc = await eventually(lambda: document(engine, pk), what="the replayed document")
    assert doc["_source"]["title"] == "废旧锂电池梯次利用技术"
    await eventually(lambda: _no_dead_letters(sessionmaker), what="the dead letter to go")
    assert await pending(sessionmaker) == 0
    empty = await cli(monkeypatch, settings, "events", "failed")
    assert empty.output == "greenrong: no failed events\n"


async def _no_pending(sessionmaker) -> bool:
    return await pending(sessionmaker) == 0


async def _no_dead_letters(sessionmaker) -> bool:
    return await dead_letters(sessionmaker) == []


async def _point(engine: SearchEngine, alias: str, *, old: str, new: str) -> None:
    await engine.client.indices.update_aliases(
        body={
            "actions": [
                {"remove": {"index": old, "alias": alias}},
                {"add": {"index": new, "alias": alias}},
            ]
        }
    )


async def test_retry_needs_ids_or_all(monkeypatch, settings: Settings) -> None:
    result = await cli(monkeypatch, settings, "events", "retry")
    assert result.exit_code == 2
    assert "give dead letter IDs or --all" in result.output
