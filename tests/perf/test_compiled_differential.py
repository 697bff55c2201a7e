"""Both paths answer every view of the corpus with the same bytes, for every kind of caller.

Two apps share one database: one with ``compiled_views`` on, one with it off (the resolver
path). Every view of ``tests/perf/corpus.py`` goes through HTTP to both, as an admin, an
anonymous caller, an enterprise and an institution (the access policy gives each other rows),
and the response bodies must be equal byte for byte. On PostgreSQL a view marked ``compiles``
must also have been answered by the compiled path: one statement per root field. On SQLite the
compiled path never runs, and the bodies are compared all the same.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.domain.access.principal import Role
from greenrong.domain.certification.models import Certification, CertificationStatus
from greenrong.domain.disclosure.models import DisclosureKind, DisclosureStatus
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import DemandStatus, FinancingDemand
from greenrong.domain.kit.registry import ENTITIES
from greenrong.domain.libraries.models import (
    CultivationRecommendation,
    Library,
    LibraryMembership,
    MembershipSource,
    RecommendationStatus,
)
from greenrong.domain.matching.tracked import FinancingMatch, TechnologyDeal
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenLevel
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyListing,
    TechnologyNeed,
)
from greenrong.resolvers.relations import Shape, relations
from greenrong.schema.kit.ids import to_global_id
from tests.factories.access import auth_headers
from tests.factories.certification import issued
from tests.factories.entities import (
    create_demand,
    create_disclosure,
    create_enterprise,
    create_expert,
    create_institution,
    create_listing,
    create_need,
    create_product,
    create_project,
)
from tests.perf.corpus import CORPUS, View, _none


@dataclass
class Seeded:
    regions: list[str]
    enterprise_id: uuid.UUID
    institution_id: uuid.UUID
    enterprise_gid: str
    project_gid: str
    demand_gid: str
    institution_gid: str
    product_gid: str
    enterprise_cursor: str = ""
    created_cursor: str = ""


async def seed(sessionmaker: Any) -> Seeded:
    """Three enterprises, two institutions, projects, demands in every status (some financed
    by a product), listings, needs and disclosures, published and not; odd decimals and
    timestamps with and without microseconds."""
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, name="四川银行成都分行")
        fund = await create_institution(session, name="绵阳绿色基金")
        loan = await create_product(session, institution_id=bank.id, name="碳汇贷")
        idle = await create_product(
            session, institution_id=bank.id, name="停售贷", active=False, min_rate=Decimal("0")
        )
        bond = await create_product(session, institution_id=fund.id, name="绿色债")
        enterprises = [
            await create_enterprise(
                session,
                name="成都甲科技有限公司",
                region_code="510104",
                green_level=GreenLevel.GREEN,
            ),
            await create_enterprise(session, name="绵阳乙环保有限公司", region_code="510703"),
            await create_enterprise(
                session,
                name='成都"丙"科技\\有限公司',
                region_code="510104",
                green_level=GreenLevel.DEEP_GREEN,
            ),
        ]
        statuses = list(DemandStatus)
        products = [loan, idle, bond, None]
        first_project = first_demand = None
        for e_index, enterprise in enumerate(enterprises):
            for p_index in range(3):
                project = await create_project(
                    session,
                    enterprise_id=enterprise.id,
                    title=f"项目{e_index}-{p_index}",
                    total_investment=Decimal("1234567.80"),
                )
                first_project = first_project or project
                for d_index in range(4):
                    status = statuses[(e_index + p_index + d_index) % len(statuses)]
                    product = products[(p_index + d_index) % len(products)]
                    financed = status == DemandStatus.FINANCED and product is not None
                    demand = await create_demand(
                        session,
                        enterprise_id=enterprise.id,
                        project_id=project.id,
                        amount=Decimal("0.10") if d_index == 0 else Decimal("5000000.00"),
                        status=status,
                        product_id=product.id if product is not None else None,
                        financed_amount=Decimal("4500000.50") if financed else None,
                        financed_at=datetime(2022, 1, 2, 3, 4, 5, tzinfo=UTC) if financed else None,
                        submitted_at=datetime(
                            2021, 6, 1 + d_index, 8, 30, 15, 123400 * d_index, UTC
                        ),
                    )
                    first_demand = first_demand or demand
            await create_listing(session, owner_enterprise_id=enterprise.id, title=f"技术{e_index}")
            await create_listing(
                session, owner_enterprise_id=enterprise.id, status=ListingStatus.DRAFT
            )
            await create_need(session, enterprise_id=enterprise.id)
            await create_need(session, enterprise_id=enterprise.id, status=NeedStatus.CLOSED)
            await create_disclosure(session, subject_enterprise_id=enterprise.id)
            await create_disclosure(
                session, subject_enterprise_id=enterprise.id, status=DisclosureStatus.DRAFT
            )
        await create_listing(session, owner_institution_id=bank.id, title="机构技术")
    assert first_project is not None
    assert first_demand is not None
    return Seeded(
        regions=["510104", "510703"],
        enterprise_id=enterprises[0].id,
        institution_id=bank.id,
        enterprise_gid=to_global_id("Enterprise", enterprises[0].id),
        project_gid=to_global_id("Project", first_project.id),
        demand_gid=to_global_id("FinancingDemand", first_demand.id),
        institution_gid=to_global_id("FinancialInstitution", bank.id),
        product_gid=to_global_id("FinancialProduct", loan.id),
    )


@pytest.fixture
async def resolver_app(settings: Settings) -> AsyncIterator[Starlette]:
    """The same database, served with the compiled path switched off."""
    application = create_app(settings.model_copy(update={"compiled_views": False}))
    async with application.router.lifespan_context(application):
        yield application


#: set while the test waits for one request, so background work (the outbox relay, the
#: partners feed) running on the same engine is not counted
_counting: ContextVar[bool] = ContextVar("counting", default=False)


def _statements(app: Starlette) -> list[str]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        if _counting.get():
            statements.append(args[2])

    event.listen(app.state.resources.engine.sync_engine, "before_cursor_execute", record)
    return statements


CALLERS = ["admin", "anonymous", "enterprise", "institution"]


@pytest.mark.parametrize("caller", CALLERS)
async def test_every_view_answers_the_same_on_both_paths(
    app: Starlette, resolver_app: Starlette, settings: Settings, sessionmaker: Any, caller: str
) -> None:
    # given
    seeded = await seed(sessionmaker)
    headers = {
        "admin": auth_headers(settings),
        "anonymous": {},
        "enterprise": auth_headers(settings, Role.ENTERPRISE, org_id=seeded.enterprise_id),
        "institution": auth_headers(settings, Role.INSTITUTION, org_id=seeded.institution_id),
    }[caller]
    on_postgresql = app.state.resources.engine.dialect.name == "postgresql"
    compiled_statements = _statements(app)

    async def post(application: Starlette, query: str, variables: dict[str, Any]) -> str:
        """The body as sent (key order included), but for the caller's remaining query
        budget, which differs from call to call."""
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as http:
            response = await http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body = json.loads(response.content)
        body.get("extensions", {}).get("queryCost", {}).pop("remaining", None)
        return json.dumps(body, ensure_ascii=False) + "\n" + response.headers["content-type"]

    first = await post(resolver_app, "{ enterprises(first: 1) { edges { cursor } } }", {})
    first_data = json.loads(first.splitlines()[0])["data"]
    seeded.enterprise_cursor = first_data["enterprises"]["edges"][0]["cursor"]
    by_time = "{ enterprises(first: 1, orderBy: [{field: CREATED_AT}]) { edges { cursor } } }"
    first = await post(resolver_app, by_time, {})
    first_data = json.loads(first.splitlines()[0])["data"]
    seeded.created_cursor = first_data["enterprises"]["edges"][0]["cursor"]

    # when / then: the first request runs the compiled path inside graphql-core, the second
    # (same text) the prepared operation, which skips strawberry (compiled/operations.py)
    prepared = app.state.graphql.prepared
    differences: list[str] = []
    for view in CORPUS:
        variables = view.variables(seeded)
        expected = await post(resolver_app, view.query, variables)
        for attempt in ("compiled", "prepared"):
            compiled_statements.clear()
            answered_before = prepared.answered
            token = _counting.set(True)
            actual = await post(app, view.query, variables)
            _counting.reset(token)
            if actual != expected:
                differences.append(f"{view.name}:\n  resolver: {expected}\n  {attempt}: {actual}")
            if on_postgresql and view.compiles and len(compiled_statements) != view.roots:
                differences.append(
                    f"{view.name} ({attempt}): expected the compiled path ({view.roots} "
                    f"statements), ran {len(compiled_statements)}: "
                    f"{[s[:60] for s in compiled_statements]}"
                )
            took_prepared = prepared.answered - answered_before == 1
            if took_prepared != (attempt == "prepared" and on_postgresql and view.compiles):
                differences.append(f"{view.name} ({attempt}): prepared path taken: {took_prepared}")
    assert not differences, "\n".join(differences)


# ---------------------------------------------------------------- every declared relation

NODE_PAGE = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } }"


async def seed_every_parent(sessionmaker: Any, seeded: Seeded) -> None:
    """Beside ``seed``'s rows, one of every other type with relations, each relation filled:
    an issued enterprise certification (reviews, history) and its renewal in progress, a
    project certification, a library membership with the cultivation recommendation that
    opened it, an institution's disclosure, a financing match and a technology deal."""
    async with sessionmaker.begin() as session:
        experts = [
            (await create_expert(session, name=name, affiliation="西南交通大学")).id
            for name in ("李环保", "王低碳")
        ]
        enterprise = await session.get(Enterprise, seeded.enterprise_id)
        project = await session.scalar(
            select(Project).where(Project.enterprise_id == seeded.enterprise_id).limit(1)
        )
        assert enterprise is not None
        assert project is not None
        first = await issued(session, experts=experts, enterprise_id=enterprise.id)
        session.add(
            Certification(
                subject_type=first.subject_type,
                status=CertificationStatus.DRAFT,
                rubric_version=first.rubric_version,
                green_category=first.green_category,
                enterprise_id=enterprise.id,
                renews_id=first.id,
            )
        )
        await issued(session, experts=experts, project_id=project.id)
        membership = LibraryMembership(
            library=Library.CULTIVATION,
            subject_type="Project",
            project_id=project.id,
            source=MembershipSource.RECOMMENDATION,
            reason="主管部门推荐，入绿色培育库",
            since=date(2026, 1, 5),
            department="四川省生态环境厅",
        )
        session.add(membership)
        await session.flush()
        session.add(
            CultivationRecommendation(
                project_id=project.id,
                department="四川省生态环境厅",
                recommended_by="regulator-1",
                reason="减排效益显著",
                status=RecommendationStatus.ACCEPTED,
                membership_id=membership.id,
            )
        )
        demand = await session.scalar(
            select(FinancingDemand).where(FinancingDemand.product_id.is_not(None)).limit(1)
        )
        listing = await session.scalar(
            select(TechnologyListing).where(TechnologyListing.owner_enterprise_id.is_not(None))
        )
        need = await session.scalar(select(TechnologyNeed).limit(1))
        assert demand is not None
        assert listing is not None
        assert need is not None
        assert demand.product_id is not None
        await create_disclosure(
            session,
            subject_enterprise_id=None,
            subject_institution_id=seeded.institution_id,
            kind=DisclosureKind.FI_ENVIRONMENTAL,
            title="四川银行2021年度环境信息披露报告",
        )
        session.add(FinancingMatch(demand_id=demand.id, product_id=demand.product_id))
        session.add(
            TechnologyDeal(listing_id=listing.id, need_id=need.id, enterprise_id=need.enterprise_id)
        )


async def relation_views(app: Starlette, sessionmaker: Any) -> list[View]:
    """One view per relation field the schema declares (``resolvers/relations.py``): a root
    list's first page, or ``node(id:)`` of a parent whose relation holds rows, reading the
    relation's page or row. Every one of them compiles, but for lists whose listing is built
    per call."""
    schema = app.state.graphql.schema._schema
    views: list[View] = []
    async with sessionmaker() as session:
        for type_name, field, relation in relations(schema):
            if relation.shape is Shape.ROOT:
                query = f"{{ {field}(first: 3) {{ {NODE_PAGE} }} }}"
                views.append(View(f"{field}", query, _none, relation.static_listing is not None))
                continue
            model, column = ENTITIES[type_name], relation.column
            assert column is not None
            if relation.shape is Shape.TO_ONE:
                holder = select(model.id).where(column.is_not(None))
                selection = f"{field} {{ __typename id }}"
            else:
                holder = select(column).where(column.is_not(None))
                selection = f"{field}(first: 3) {{ {NODE_PAGE} }}"
            parent = await session.scalar(
                holder.order_by(model.id if relation.shape is Shape.TO_ONE else column).limit(1)
            )
            assert parent is not None, f"seed_every_parent: no {type_name} with a {field}"
            query = (
                f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ id {selection} }} }} }}"
            )
            gid = to_global_id(type_name, parent)
            views.append(
                View(
                    f"{type_name}.{field}",
                    query,
                    lambda _, gid=gid: {"id": gid},
                    compiles=relation.shape is Shape.TO_ONE or relation.static_listing is not None,
                )
            )
    return views


async def test_every_relation_answers_the_same_on_both_paths(
    app: Starlette, resolver_app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    """Every relation of the schema, found by walking it, not listed by hand: a relation
    declared with ``to_one``/``child_list``/``root_list`` is covered as soon as it exists,
    for every kind of caller."""
    # given
    seeded = await seed(sessionmaker)
    await seed_every_parent(sessionmaker, seeded)
    callers = {
        "admin": auth_headers(settings),
        "anonymous": {},
        "enterprise": auth_headers(settings, Role.ENTERPRISE, org_id=seeded.enterprise_id),
        "institution": auth_headers(settings, Role.INSTITUTION, org_id=seeded.institution_id),
    }
    on_postgresql = app.state.resources.engine.dialect.name == "postgresql"
    statements = _statements(app)
    views = await relation_views(app, sessionmaker)

    async def post(application: Starlette, view: View, headers: dict[str, str]) -> str:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as http:
            response = await http.post(
                "/graphql", json={"query": view.query, "variables": view.variables(seeded)}
            )
        body = json.loads(response.content)
        body.get("extensions", {}).get("queryCost", {}).pop("remaining", None)
        return f"{response.status_code} {json.dumps(body, ensure_ascii=False)}"

    # when / then: the resolver path, then the compiled path, then the prepared operation
    differences: list[str] = []
    for (caller, headers), view in itertools.product(callers.items(), views):
        expected = await post(resolver_app, view, headers)
        if '"INTERNAL"' in expected or not expected.startswith("200 "):
            differences.append(f"{view.name} as {caller}: resolver path: {expected}")
        for attempt in ("compiled", "prepared"):
            statements.clear()
            token = _counting.set(True)
            actual = await post(app, view, headers)
            _counting.reset(token)
            if actual != expected:
                differences.append(
                    f"{view.name} as {caller}:\n  resolver: {expected}\n  {attempt}: {actual}"
                )
            if on_postgresql and view.compiles and len(statements) != 1:
                differences.append(
                    f"{view.name} as {caller} ({attempt}): expected the compiled path, ran "
                    f"{len(statements)} statements"
                )
    assert not differences, "\n".join(differences)
    assert {v.name for v in views} >= {
        "enterprises",
        "Enterprise.projects",
        "Project.enterprise",
        "Certification.renews",
        "CultivationRecommendation.membership",
        "TechnologyDeal.buyer",
    }


def test_the_corpus_covers_the_bench_and_both_paths() -> None:
    names = {view.name for view in CORPUS}
    assert {"bench Q1", "bench Q2", "bench Q3"} <= names
    assert any(view.compiles for view in CORPUS)
    assert any(not view.compiles for view in CORPUS)


# ---------------------------------------------------------------- edge cases (issue 18)

PAGE_INFO_FIELDS = ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename")


def _page_info_views() -> list[tuple[str, dict[str, Any]]]:
    """Every non-empty subset of pageInfo's fields, on a root list and on a nested one, on a
    first page and after a cursor (``$after``)."""
    views: list[tuple[str, dict[str, Any]]] = []
    for mask in range(1, 2 ** len(PAGE_INFO_FIELDS)):
        fields = " ".join(f for i, f in enumerate(PAGE_INFO_FIELDS) if mask >> i & 1)
        top = f"query($after: String) {{ enterprises(first: 2, after: $after) {{ pageInfo {{ {fields} }} }} }}"
        nested = (
            "query($after: String) { enterprises(first: 2, after: $after) { edges { node {"
            f" projects(first: 2) {{ pageInfo {{ {fields} }} }} }} }} }} }}"
        )
        views += [(top, {}), (nested, {})]
    return views


ORDER_FIELDS = ("NAME", "CREATED_AT", "REGION_CODE")


def _orderings() -> list[list[dict[str, str]]]:
    """Every ordering of one or two keys, the same key twice included, in both directions."""
    orderings: list[list[dict[str, str]]] = []
    for first in ORDER_FIELDS:
        for direction in ("ASC", "DESC"):
            orderings.append([{"field": first, "direction": direction}])
            for second in ORDER_FIELDS:
                orderings.append(
                    [
                        {"field": first, "direction": direction},
                        {"field": second, "direction": "ASC"},
                    ]
                )
    return orderings


def _crafted_cursors(signature: str, enterprise_id: str) -> list[str]:
    """Cursors a client can write for the default ordering of enterprises (name, id)."""
    from greenrong.domain.kit.jsonable import pack_cursor

    values: list[Any] = [
        [None, enterprise_id],
        ["成都", 5],
        ["成都", None],
        ["成都", "not-a-uuid"],
        [5, enterprise_id],
        [["成都"], enterprise_id],
        [{"成都": 1}, enterprise_id],
        ["成都", enterprise_id, 3],
        ["成都\u0000", enterprise_id],
        "not a list",
    ]
    garbage = ["", "!!!", "Zm9v", "W10", "bnVsbA", "eyJ4IjoxfQ"]
    return [pack_cursor([signature, v]) for v in values] + garbage


NESTED_OR = "query($w: EnterpriseWhere) { enterprises(first: 2, where: $w) { totalCount } }"


def _nested_or(levels: int) -> dict[str, Any]:
    where: dict[str, Any] = {"name": {"contains": "成都"}}
    for _ in range(levels):
        where = {"or": [where]}
    return where


async def test_edge_cases_answer_the_same_on_both_paths(
    app: Starlette, resolver_app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    """pageInfo subsets, orderings with cursors, crafted cursors, ±infinity dates and deeply
    nested variables: the compiled and prepared paths answer each exactly as the resolver
    path does, errors included, and none of them is INTERNAL."""
    # given
    from sqlalchemy import text

    from greenrong.domain.enterprises.repository import ENTERPRISES
    from greenrong.domain.kit import listing

    seeded = await seed(sessionmaker)
    on_postgresql = app.state.resources.engine.dialect.name == "postgresql"
    if on_postgresql:  # SQLite cannot hold ±infinity
        async with sessionmaker.begin() as session:
            await session.execute(
                text("UPDATE enterprise SET green_level_valid_until = 'infinity' WHERE id = :id;"),
                {"id": seeded.enterprise_id},
            )
            await session.execute(
                text(
                    "UPDATE financing_demand SET submitted_at = '-infinity', "
                    "financed_at = 'infinity' WHERE enterprise_id = :id"
                ),
                {"id": seeded.enterprise_id},
            )
    headers = auth_headers(settings)

    async def post(application: Starlette, query: str, variables: dict[str, Any]) -> str:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as http:
            response = await http.post("/graphql", json={"query": query, "variables": variables})
        body = json.loads(response.content)
        body.get("extensions", {}).get("queryCost", {}).pop("remaining", None)
        return f"{response.status_code} {json.dumps(body, ensure_ascii=False)}"

    async def cursor_of(query: str, variables: dict[str, Any]) -> str:
        answer = json.loads((await post(resolver_app, query, variables)).split(" ", 1)[1])
        cursor: str = answer["data"]["enterprises"]["edges"][0]["cursor"]
        return cursor

    views: list[tuple[str, dict[str, Any]]] = []
    first_cursor = await cursor_of("{ enterprises(first: 1) { edges { cursor } } }", {})
    for query, _ in _page_info_views():
        views += [(query, {}), (query, {"after": first_cursor})]
    ordered = (
        "query($order: [EnterpriseOrder!], $after: String) { enterprises(first: 1, "
        "orderBy: $order, after: $after) { edges { cursor node { name regionCode } } "
        "pageInfo { hasNextPage endCursor } } }"
    )
    for order in _orderings():
        cursor = await cursor_of(ordered, {"order": order})
        views += [(ordered, {"order": order}), (ordered, {"order": order, "after": cursor})]
    signature = listing.cursor_signature(listing.cursor_columns(ENTERPRISES, listing.ListQuery()))
    by_cursor = (
        "query($after: String) { enterprises(first: 2, after: $after) { edges { cursor "
        "node { name } } } }"
    )
    for crafted in _crafted_cursors(signature, str(seeded.enterprise_id)):
        views.append((by_cursor, {"after": crafted}))
    dated = (
        "query($after: String) { financingDemands(first: 3, after: $after, orderBy: "
        "[{field: SUBMITTED_AT}]) { edges { cursor node { submittedAt financedAt "
        "enterprise { greenLevelValidUntil } } } pageInfo { endCursor } } }"
    )
    views.append((dated, {}))
    dated_page = json.loads((await post(resolver_app, dated, {})).split(" ", 1)[1])
    views.append(
        (dated, {"after": dated_page["data"]["financingDemands"]["pageInfo"]["endCursor"]})
    )
    views.append(("{ platformStatistics { demandReceivedByYear { year amount count } } }", {}))
    for levels in (1, 130, 300):  # orjson writes 254 levels: an `or` level is two
        views.append((NESTED_OR, {"w": _nested_or(levels)}))

    # when / then: each view twice on the compiled app (compiled path, then prepared)
    differences: list[str] = []
    for query, variables in views:
        expected = await post(resolver_app, query, variables)
        if '"INTERNAL"' in expected or not expected.startswith("200 "):
            differences.append(f"resolver path: {query} {variables}:\n  {expected}")
        for attempt in ("compiled", "prepared"):
            actual = await post(app, query, variables)
            if actual != expected:
                differences.append(
                    f"{query} {variables}:\n  resolver: {expected}\n  {attempt}: {actual}"
                )
    assert not differences, "\n".join(differences[:10])
