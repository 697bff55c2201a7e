"""Search never reveals a guarded value (issue 17): none is indexed, so no query text, filter,
facet, highlight or suggestion can match or show one.

Generated from the policy: every field of ``policy.GUARDED_FIELDS`` is checked against every
index's documents, and a guarded value is searched for through every search field and every
suggestion, with the row itself found by its public name (the positive control).
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from greenrong.core.db import SessionMaker
from greenrong.domain.access import policy
from greenrong.domain.access.principal import Role
from greenrong.domain.kit.registry import ENTITIES
from greenrong.indexers.kit.source import row_batches
from greenrong.indexers.registry import INDEXES
from tests.factories.entities import create_demand, create_enterprise, create_expert, create_project
from tests.search.helpers import index, search

#: per guarded field: a distinctive value the row holds, and whether it is text one could
#: type into a search box (a JSON list of enum values or a rate is checked in documents only)
MARKERS: dict[tuple[str, str], tuple[Any, bool]] = {
    ("Enterprise", "contact_person"): ("欧阳娜娜", True),
    ("Enterprise", "contact_phone"): ("13988887777", True),
    ("FinancingDemand", "purpose"): ("氢燃料电池叉车租赁", True),
    ("FinancingDemand", "collateral_offered"): (["DISCHARGE_RIGHTS"], False),
    ("FinancingDemand", "max_rate"): (Decimal("0.0437"), False),
    ("Expert", "contact_email"): ("ouyang.test@cdut.edu.cn", True),
}
ENTERPRISE_NAME = "攀枝花钒钛新材料有限公司"
EXPERT_NAME = "欧阳振华"
SEARCH_FIELDS = {
    "searchTechnologyListings": "title",
    "searchTechnologyNeeds": "title",
    "searchFinancialProducts": "name",
    "searchExperts": "name",
    "searchDisclosures": "title",
    "searchEnterprises": "name",
}
SUGGEST = """query ($prefix: String!, $entity: SearchEntity!) {
  suggest(prefix: $prefix, entity: $entity) { ... on Suggestions { items { text } } } }"""
SUGGEST_ENTITIES = (
    "TECHNOLOGY_LISTING",
    "TECHNOLOGY_NEED",
    "FINANCIAL_PRODUCT",
    "EXPERT",
    "DISCLOSURE",
    "ENTERPRISE",
)


def test_every_guarded_field_has_a_marker() -> None:
    assert set(MARKERS) == policy.GUARDED_FIELDS


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value[0] if isinstance(value, list) else value)


@pytest.fixture
async def marked(sessionmaker: SessionMaker) -> dict[str, uuid.UUID]:
    """One enterprise, demand and expert holding every marker."""
    values = {field: value for (_, field), (value, _) in MARKERS.items()}
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(
            session,
            name=ENTERPRISE_NAME,
            contact_person=values["contact_person"],
            contact_phone=values["contact_phone"],
        )
        project = await create_project(session, enterprise_id=enterprise.id, title="钒电池储能项目")
        demand = await create_demand(
            session,
            enterprise_id=enterprise.id,
            project_id=project.id,
            purpose=values["purpose"],
            collateral_offered=values["collateral_offered"],
            max_rate=values["max_rate"],
        )
        expert = await create_expert(
            session, name=EXPERT_NAME, contact_email=values["contact_email"]
        )
    return {"Enterprise": enterprise.id, "FinancingDemand": demand.id, "Expert": expert.id}


@pytest.mark.parametrize("guarded", sorted(MARKERS), ids="{0[0]}.{0[1]}".format)
async def test_no_index_document_holds_a_guarded_value(
    sessionmaker: SessionMaker, marked: dict[str, uuid.UUID], guarded: tuple[str, str]
) -> None:
    # given: every row of every index, as its document
    entity_type, field = guarded
    marker = _text(MARKERS[guarded][0])
    documents: list[str] = []
    for spec in INDEXES.values():
        async for batch in row_batches(sessionmaker, spec):
            documents += [json.dumps(spec.build(row), ensure_ascii=False) for row in batch]
    # the marker is really in the row (the positive control of this check)
    async with sessionmaker() as session:
        row = await session.get(ENTITIES[entity_type], marked[entity_type])
        assert marker in _text(getattr(row, field))

    # then: no document carries it, and no index maps the field of its own type
    assert len(documents) >= 3
    assert [d for d in documents if marker in d] == []
    assert all(
        field not in spec.properties for spec in INDEXES.values() if spec.entity_type == entity_type
    )


@pytest.mark.parametrize(
    "guarded", sorted(k for k, (_, typed) in MARKERS.items() if typed), ids="{0[0]}.{0[1]}".format
)
@pytest.mark.parametrize("role", [None, Role.ADMIN])
async def test_a_guarded_value_is_found_by_no_search_and_no_suggestion(
    app: Any,
    gql_as: Any,
    sessionmaker: SessionMaker,
    marked: dict[str, uuid.UUID],
    guarded: tuple[str, str],
    role: Role | None,
) -> None:
    # given
    await index(app, sessionmaker, *INDEXES.values())
    call = gql_as(role)
    marker = _text(MARKERS[guarded][0])

    # when
    hits = {
        name: (await search(call, name, "totalCount", query=marker))["totalCount"]
        for name in SEARCH_FIELDS
    }
    suggestions = {
        entity: (await call(SUGGEST, {"prefix": marker[:4], "entity": entity}))["data"]["suggest"]
        for entity in SUGGEST_ENTITIES
    }
    enterprise = await search(call, "searchEnterprises", "edges { node { name } }", query="钒钛")
    expert = await search(call, "searchExperts", "edges { node { name } }", query=EXPERT_NAME)

    # then: nothing matches the hidden value, even for an admin; the rows are found by name
    assert hits == dict.fromkeys(SEARCH_FIELDS, 0)
    assert suggestions == {entity: {"items": []} for entity in SUGGEST_ENTITIES}
    assert [e["node"]["name"] for e in enterprise["edges"]] == [ENTERPRISE_NAME]
    assert [e["node"]["name"] for e in expert["edges"]] == [EXPERT_NAME]
