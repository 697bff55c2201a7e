"""The catalogue as a reference index: built at start-up from its data file, checked against it,
rebuilt when it drifts, and reported by `reindex` and `index verify`."""

from __future__ import annotations

from greenrong.indexers.catalogue.document import CATALOGUE
from greenrong.indexers.kit import reference
from greenrong.indexers.maintenance import reindex, verify_indexes
from tests.search.helpers import engine_of


async def test_the_app_builds_the_catalogue_index_at_start_up(app) -> None:
    # when the app has started (the fixture), then the index holds the 203 level-4 items
    drift = await reference.check(engine_of(app), CATALOGUE)

    assert drift.clean
    assert (drift.expected, drift.found) == (203, 203)
    document = await engine_of(app).client.get(
        index=engine_of(app).alias("catalogue"), id="5.3.1.1"
    )
    assert document["_version"] == CATALOGUE.version
    assert document["_source"]["name"] == "污水处理、再生利用及污泥处理处置设施建设运营"
    assert document["_source"]["path"] == "基础设施绿色升级 / 污染防治 / 城镇环境基础设施"
    assert "污水处理厂" in document["_source"]["terms"]


async def test_drift_is_found_and_ensure_ready_rebuilds(app) -> None:
    # given a document removed and a foreign one added behind the alias
    engine = engine_of(app)
    alias = engine.alias("catalogue")
    await engine.client.delete(index=alias, id="3.2.2.2", refresh=True)
    await engine.client.index(
        index=alias,
        id="9.9.9.9",
        body={"id": "9.9.9.9", "version": 1, "code": "9.9.9.9", "name": "不存在"},
        refresh=True,
    )

    # when
    drift = await reference.check(engine, CATALOGUE)
    rebuilt = await reference.ensure_ready(engine, [CATALOGUE])

    # then
    assert (drift.clean, drift.missing, drift.extra, drift.stale) == (
        False,
        ["3.2.2.2"],
        ["9.9.9.9"],
        [],
    )
    assert rebuilt == ["catalogue"]
    after = await reference.check(engine, CATALOGUE)
    assert (after.clean, after.found) == (True, 203)
    assert await reference.ensure_ready(engine, [CATALOGUE]) == []


async def test_reindex_and_verify_cover_the_catalogue(app, settings) -> None:
    lines: list[str] = []

    written = await reindex(settings, ["catalogue"], report=lines.append, progress=False)
    clean = await verify_indexes(settings, ["catalogue"], report=lines.append, fix=False)

    assert written == 203
    assert clean is True
    assert lines[0].startswith("catalogue           203 documents")
    assert lines[1] == (
        "ok     catalogue    data file      203  index       203  missing      0  extra      0"
        "  stale      0"
    )
