"""Rows kept between requests (``domain/kit/row_cache.py``), on both backends.

A kept row must always be the committed row: every write to a kept table, by any path, moves
the ``rows`` revision in its own transaction (migration 0020's triggers), and the next read of
every API process goes to the database again. The caller's row rule is applied to kept rows in
Python, and must say what the SQL says; a rule that needs SQL reads from the database.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access import policy
from greenrong.domain.access.predicates import row_test
from greenrong.domain.access.principal import ANONYMOUS, Principal, Role
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import DemandStatus, FinancialProduct
from greenrong.domain.kit import listing
from greenrong.domain.kit import revision_repository as revisions
from greenrong.domain.kit.models import Entity
from greenrong.domain.kit.revision_repository import RevisionReader
from greenrong.domain.kit.row_cache import CACHED, REVISION, RowCache
from greenrong.domain.projects.models import Project
from greenrong.migrations.runner import downgrade
from greenrong.resolvers.loaders import row_scope
from greenrong.schema.kit.ids import to_global_id
from tests.factories.access import auth_headers
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_product,
    create_project,
)
from tests.factories.statements import count_statements
from tests.matching.finance_helpers import index_products, names, product_matches

#: ids bound as the models store them (a UUID column on PostgreSQL, 32 hex digits on SQLite)
ID = Enterprise.__table__.c.id.type


def _sql(statement: str) -> Any:
    return text(statement).bindparams(bindparam("id", type_=ID))


#: a node through the request loaders on both backends (a directive keeps PostgreSQL's
#: compiled path, resolvers/compiled, out: it reads the row in SQL every time)
PRODUCT = """query ($id: ID!) {
  node(id: $id) { ... on FinancialProduct { name @include(if: true) active } }
}"""


async def _revision(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        (value,) = await revisions.read(connection, [REVISION])
    return value


async def _insert(sessionmaker: SessionMaker, model: type[Entity]) -> tuple[uuid.UUID, int]:
    """A new row of ``model`` (its own insert one row of one kept table: the rows it needs
    are written first), and how far its transaction moved the revision."""
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
        institution = await create_institution(session)
    before = await _revision(sessionmaker.kw["bind"])
    async with sessionmaker.begin() as session:
        row: Entity
        if model is Enterprise:
            row = await create_enterprise(session)
        elif model is Project:
            row = await create_project(session, enterprise_id=enterprise.id)
        elif model is FinancialProduct:
            row = await create_product(session, institution_id=institution.id)
        else:
            row = await create_demand(session, enterprise_id=enterprise.id)
    return row.id, await _revision(sessionmaker.kw["bind"]) - before


@pytest.mark.parametrize("model", sorted(CACHED, key=lambda m: m.__tablename__), ids=str)
async def test_every_write_to_a_kept_table_moves_the_revision_in_its_transaction(
    model: type[Entity], engine: AsyncEngine, sessionmaker: SessionMaker
) -> None:
    table = model.__tablename__
    moved: list[int] = []

    async def statement(sql: str, row: uuid.UUID, *, commit: bool = True) -> None:
        before = await _revision(engine)
        async with engine.connect() as connection:
            await connection.execute(_sql(sql.format(table=table)), {"id": row})
            await (connection.commit() if commit else connection.rollback())
        moved.append(await _revision(engine) - before)

    # when: an insert through the ORM, then updates and a delete in plain SQL, one row each
    row, inserted = await _insert(sessionmaker, model)
    await statement("UPDATE {table} SET id = id WHERE id = :id", row)
    await statement("UPDATE {table} SET id = id WHERE id = :id", row, commit=False)
    await statement("DELETE FROM {table} WHERE id = :id", row)

    # then: each committed write moved it by one, the rolled-back one not at all
    assert (inserted, moved) == (1, [1, 0, 1])


async def _post(
    application: Starlette, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return body


async def test_a_write_committed_anywhere_is_read_by_the_next_request_of_every_process(
    app: Starlette, other_app: Starlette, settings: Settings, sessionmaker: SessionMaker
) -> None:
    # given: a product of one bank, read twice through the other app
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, name="四川银行成都分行")
        other_bank = await create_institution(session, name="成都农村商业银行")
        product = await create_product(session, institution_id=bank.id, name="绿色建筑贷")
    variables = {"id": to_global_id("FinancialProduct", product.id)}
    anonymous: dict[str, str] = {}
    owner = auth_headers(settings, Role.INSTITUTION, org_id=bank.id)
    stranger = auth_headers(settings, Role.INSTITUTION, org_id=other_bank.id)

    def node(application: Starlette, headers: dict[str, str]) -> Awaitable[dict[str, Any]]:
        return _post(application, PRODUCT, variables, headers)

    engine = other_app.state.resources.engine
    await node(other_app, anonymous)
    with count_statements(engine) as statements:
        kept = await node(other_app, anonymous)
    assert (kept["data"]["node"]["name"], statements) == ("绿色建筑贷", [])

    # when: a plain SQL write, as psql or a worker would make it
    async with sessionmaker.begin() as session:
        await session.execute(
            _sql("UPDATE financial_product SET name = :name WHERE id = :id"),
            {"name": "绿色建筑贷（二期）", "id": product.id},
        )
    # then: the next read of the other app has it, from the database
    with count_statements(engine) as statements:
        renamed = await node(other_app, anonymous)
    assert (renamed["data"]["node"]["name"], len(statements)) == ("绿色建筑贷（二期）", 1)

    # when: the product is withdrawn (inactive: its own bank alone sees it)
    async with sessionmaker.begin() as session:
        await session.execute(
            _sql("UPDATE financial_product SET active = :active WHERE id = :id"),
            {"active": False, "id": product.id},
        )
    seen = [(await node(other_app, h))["data"]["node"] for h in (anonymous, owner, stranger)]
    # and again, from the kept row, each caller's rule applied to it
    with count_statements(engine) as statements:
        again = [(await node(other_app, h))["data"]["node"] for h in (anonymous, owner, stranger)]

    # then
    withdrawn = {"name": "绿色建筑贷（二期）", "active": False}
    assert seen == again == [None, withdrawn, None]
    assert statements == []

    # when: deleted
    async with sessionmaker.begin() as session:
        await session.execute(
            _sql("DELETE FROM financial_product WHERE id = :id"), {"id": product.id}
        )
    # then: gone for its own bank too, in both apps
    assert (await node(other_app, owner))["data"]["node"] is None
    assert (await node(app, owner))["data"]["node"] is None


async def test_kept_rows_are_decided_by_each_callers_rule_as_the_sql_decides_them(
    sessionmaker: SessionMaker,
) -> None:
    # given: rows of every kept table that some callers see and others don't
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="成都绿能科技有限公司")
        other = await create_enterprise(session, name="绵阳清源环保有限公司")
        bank = await create_institution(session, name="四川银行成都分行")
        other_bank = await create_institution(session, name="成都农村商业银行")
        for firm in (owner, other):
            await create_project(session, enterprise_id=firm.id)
            await create_demand(session, enterprise_id=firm.id)
            await create_demand(session, enterprise_id=firm.id, status=DemandStatus.CLOSED)
        for institution in (bank, other_bank):
            await create_product(session, institution_id=institution.id)
            await create_product(session, institution_id=institution.id, active=False)
    principals = [
        ANONYMOUS,
        Principal(Role.ADMIN, None),
        Principal(Role.REGULATOR, None),
        Principal(Role.ENTERPRISE, owner.id),
        Principal(Role.ENTERPRISE, other.id),
        Principal(Role.INSTITUTION, bank.id),
        Principal(Role.EXPERT, uuid.uuid4()),
    ]

    # when: each kept table's rows, by each caller's rule in Python and in SQL
    in_sql: list[tuple[str, Role]] = []
    disagreements = []
    async with sessionmaker() as session:
        for model in sorted(CACHED, key=lambda m: m.__tablename__):
            ids = list((await session.scalars(select(model.id))).all())
            rows = list((await listing.fetch_by_ids(session, model, ids)).values())
            for principal in principals:
                test = row_test(policy.visible_rows(principal, model.entity_type))
                if test is None:
                    in_sql.append((model.__tablename__, principal.role))
                    continue
                scoped = await listing.fetch_by_ids(
                    session, model, [r.id for r in rows], scope=row_scope(principal, model)
                )
                python = {r.id for r in rows if test(r)}
                if python != set(scoped):
                    disagreements.append((model.__tablename__, principal))

    # then: they agree wherever Python decides; SQL decides what needs a subquery
    assert disagreements == []
    assert sorted(in_sql) == [
        ("financing_demand", Role.INSTITUTION),
        ("project", Role.EXPERT),
        ("project", Role.INSTITUTION),
    ]


async def test_product_matches_read_nothing_while_nothing_changed(
    app: Starlette, sessionmaker: SessionMaker, gql: Callable[..., Awaitable[dict[str, Any]]]
) -> None:
    # given: a demand with its project, and three products for it
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="成都绿能科技有限公司")
        project = await create_project(session, enterprise_id=firm.id, title="锦江厂房屋顶光伏电站")
        demand = await create_demand(
            session, enterprise_id=firm.id, project_id=project.id, purpose="屋顶光伏电站建设"
        )
        bank = await create_institution(session, name="四川银行成都分行")
        for name in ("光伏贷", "绿色建筑贷", "清洁能源综合贷"):
            await create_product(session, institution_id=bank.id, name=name)
    await index_products(app, sessionmaker)
    engine = app.state.resources.engine

    # when: the same matches three times, a product renamed before the third
    counted, found = [], []
    for rename in (False, False, True):
        if rename:
            async with sessionmaker.begin() as session:
                await session.execute(
                    update(FinancialProduct)
                    .where(FinancialProduct.name == "光伏贷")
                    .values(max_amount=Decimal("60000000.00"))
                )
        with count_statements(engine) as statements:
            found.append(sorted(names(await product_matches(gql, demand.id, first=10))))
        counted.append(len(statements))

    # then: the first read the demand with its parties and the products (two statements), the
    # second nothing, the third both again (any write moves the one revision)
    assert counted == [2, 0, 2]
    assert found == [sorted(["光伏贷", "绿色建筑贷", "清洁能源综合贷"])] * 3


async def test_the_cache_keeps_at_most_its_size(
    engine: AsyncEngine, sessionmaker: SessionMaker
) -> None:
    # given
    async with sessionmaker.begin() as session:
        firms = [await create_enterprise(session) for _ in range(3)]
    cache = RowCache(RevisionReader(engine), 2)
    revision = await cache.revision()
    read = sessionmaker

    def everything(row: Any) -> bool:
        return True

    # when: three rows read in turn, then the first and the last again
    for firm in firms:
        await cache.read(read, Enterprise, [firm.id], everything, revision)
    hits = cache.hits
    await cache.read(read, Enterprise, [firms[0].id, firms[2].id], everything, revision)

    cache.revisions.close()

    # then: the first was forgotten (read again), the last kept
    assert (cache.hits - hits, len(cache)) == (1, 2)


async def test_no_rows_are_kept_on_a_database_without_the_triggers(
    database_url: str, settings: Settings, sessionmaker: SessionMaker
) -> None:
    # given: a product, and the database back before migration 0020
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, name="四川银行成都分行")
        product = await create_product(session, institution_id=bank.id, name="绿色建筑贷")
    await asyncio.to_thread(downgrade, database_url, "0019")
    variables = {"id": to_global_id("FinancialProduct", product.id)}

    # when: an app on it reads the product twice
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        engine = application.state.resources.engine
        counted = []
        for _ in range(2):
            with count_statements(engine) as statements:
                body = await _post(application, PRODUCT, variables, {})
            counted.append((body["data"]["node"]["name"], len(statements)))

        # then: nothing would tell it of a change, so it keeps nothing: both from the database
        assert application.state.resources.rows_tracked is False
    assert counted == [("绿色建筑贷", 1), ("绿色建筑贷", 1)]


async def test_the_kept_rows_are_counted_on_metrics(
    app: Starlette, sessionmaker: SessionMaker
) -> None:
    # given
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, name="四川银行成都分行")
        product = await create_product(session, institution_id=bank.id, name="绿色建筑贷")
    variables = {"id": to_global_id("FinancialProduct", product.id)}

    async def kept_rows() -> dict[str, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            text = (await http.get("/metrics")).text
        return {
            sample.labels["outcome"]: sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "greenrong_kept_rows_total"
        }

    before = await kept_rows()

    # when: the product read three times
    for _ in range(3):
        await _post(app, PRODUCT, variables, {})
    after = await kept_rows()

    # then: one read from the database, two from memory
    assert {k: after[k] - before.get(k, 0.0) for k in after} == {"hit": 2.0, "miss": 1.0}
