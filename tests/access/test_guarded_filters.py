"""Filters and ordering never read a guarded value the caller may not read (issue 17, class 1).

Generated from the policy: every field of ``policy.GUARDED_FIELDS`` needs a probe below, and
every guarded field a listing declares filterable needs a GraphQL case, so a new guarded field
(or a guarded field that becomes filterable) fails this module until it is handled.

The rule (docs/SECURITY.md, "Filters and ordering on guarded fields"): a condition on a field is
unknown (SQL NULL) on the rows where the caller may not read that field. Such a row then matches
neither the condition nor its negation, so two rows that differ only in the hidden value give
the same answers. Ordering by a guarded field the caller may not read everywhere is refused.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from sqlalchemy import update

import greenrong.domain
from greenrong.core.db import SessionMaker
from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.access import policy
from greenrong.domain.access.models import DataConsent
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.finance.models import FinancingDemand
from greenrong.domain.kit import listing
from greenrong.domain.kit.listing import Kind, Listing, ListQuery, PageArgs, SortKey
from greenrong.domain.kit.registry import ENTITIES
from greenrong.domain.libraries.repository import memberships
from greenrong.resolvers.loaders import field_scope
from greenrong.schema.kit.ids import to_global_id
from tests.access.conftest import World
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_expert,
    create_institution,
)
from tests.factories.prebuilt import prebuilt_world

# ------------------------------------------------------------------ what the policy guards


def _listings() -> list[Listing[Any]]:
    """Every listing the API filters or orders with: module-level declarations of the domain
    packages, and the membership listing (built per day)."""
    found: dict[int, Listing[Any]] = {}
    for module_info in pkgutil.walk_packages(greenrong.domain.__path__, "greenrong.domain."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, Listing):
                found[id(value)] = value
    membership = memberships(date(2026, 1, 1))
    found[id(membership)] = membership
    return list(found.values())


def _guarded(of: Listing[Any], columns: list[Any]) -> set[tuple[str, str]]:
    return {
        (of.model.entity_type, column.key)
        for column in columns
        if (of.model.entity_type, column.key) in policy.GUARDED_FIELDS
    }


FILTERABLE = set().union(*(_guarded(o, [c for c, _ in o.filters.values()]) for o in _listings()))
ORDERABLE = set().union(*(_guarded(o, list(o.orders.values())) for o in _listings()))


def test_the_listings_are_found() -> None:
    # a guard for the discovery above: it must see the demands and enterprises listings
    names = {o.model.entity_type for o in _listings()}
    assert {"Enterprise", "FinancingDemand", "Expert", "LibraryMembership"} <= names


def test_every_guarded_filterable_field_has_a_graphql_case_and_none_is_orderable() -> None:
    # a guarded field that becomes filterable needs a case in GRAPHQL_CASES below; one that
    # becomes orderable is refused to every caller who may not read it everywhere
    assert (
        set(GRAPHQL_CASES)
        == FILTERABLE
        == {
            ("FinancingDemand", "purpose"),
            ("FinancingDemand", "collateral_offered"),
        }
    )
    assert not ORDERABLE


# ------------------------------------------------------------------ the compiler, per field

#: who may read each guarded field; written from docs/SECURITY.md, not from the policy
READERS: dict[tuple[str, str], frozenset[str]] = {
    **{
        ("Enterprise", f): frozenset({"owner", "bank_all", "bank_contact", "regulator", "admin"})
        for f in ("contact_person", "contact_phone")
    },
    **{
        ("FinancingDemand", f): frozenset(
            {"owner", "bank_all", "bank_demands", "regulator", "admin"}
        )
        for f in ("purpose", "collateral_offered", "max_rate")
    },
    ("Expert", "contact_email"): frozenset(
        {
            "other_enterprise",
            "owner",
            "bank_none",
            "bank_contact",
            "bank_demands",
            "bank_all",
            "expert",
            "regulator",
            "admin",
        }
    ),
}
CALLERS = (
    "anonymous",
    "partner",
    "other_enterprise",
    "owner",
    "bank_none",
    "bank_contact",
    "bank_demands",
    "bank_all",
    "expert",
    "regulator",
    "admin",
)


@dataclass(frozen=True)
class Probe:
    """Conditions on one guarded field: ``holds`` are true of the row's value, ``fails`` false."""

    kind: Kind
    holds: tuple[dict[str, Any], ...]
    fails: tuple[dict[str, Any], ...]


PROBES: dict[tuple[str, str], Probe] = {
    ("Enterprise", "contact_person"): Probe(
        Kind.TEXT,
        ({"eq": "王芳"}, {"contains": "芳"}, {"starts_with": "王"}, {"is_null": False}),
        ({"eq": "李强"}, {"ne": "王芳"}, {"is_null": True}, {"in": ["李强"]}),
    ),
    ("Enterprise", "contact_phone"): Probe(
        Kind.TEXT,
        ({"eq": "028-85550101"}, {"starts_with": "028"}, {"in": ["028-85550101"]}),
        ({"contains": "0816"}, {"is_null": True}),
    ),
    ("FinancingDemand", "purpose"): Probe(
        Kind.TEXT,
        ({"contains": "太阳能"}, {"starts_with": "太阳能"}, {"is_null": False}),
        ({"contains": "风电"}, {"is_null": True}, {"ne": "太阳能发电"}),
    ),
    ("FinancingDemand", "collateral_offered"): Probe(
        Kind.TAGS,
        ({"has": "PROPERTY"}, {"has_any": ["CCER", "PROPERTY"]}),
        ({"has": "CCER"}, {"has_any": ["GUARANTEE"]}),
    ),
    ("FinancingDemand", "max_rate"): Probe(
        Kind.NUMBER,
        ({"eq": Decimal("0.0321")}, {"gte": Decimal("0.0321")}, {"lt": Decimal("0.0322")}),
        ({"gt": Decimal("0.0321")}, {"lte": Decimal("0.0320")}, {"is_null": True}),
    ),
    ("Expert", "contact_email"): Probe(
        Kind.TEXT,
        ({"eq": "zhang@scu.edu.cn"}, {"contains": "scu"}),
        ({"contains": "tsinghua"}, {"is_null": True}),
    ),
}


def test_every_guarded_field_has_a_probe_and_a_reader_table() -> None:
    assert set(PROBES) == set(READERS) == policy.GUARDED_FIELDS


@dataclass
class Rows:
    owner: uuid.UUID
    demand: uuid.UUID
    expert: uuid.UUID
    principals: dict[str, Principal]

    def row(self, entity_type: str) -> uuid.UUID:
        return {"Enterprise": self.owner, "FinancingDemand": self.demand, "Expert": self.expert}[
            entity_type
        ]


async def _rows(sessionmaker: SessionMaker) -> Rows:
    """An owner with a demand, another enterprise, an expert and four banks with different
    consents; built once a run, without an app (``tests/factories/prebuilt.py``)."""
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(
            session,
            name="成都光合新能源有限公司",
            contact_person="王芳",
            contact_phone="028-85550101",
        )
        other = await create_enterprise(session, name="绵阳清源环保有限公司")
        demand = await create_demand(
            session,
            enterprise_id=owner.id,
            purpose="太阳能发电",
            max_rate=Decimal("0.0321"),
            collateral_offered=["PROPERTY"],
        )
        expert = await create_expert(session, name="张建国", contact_email="zhang@scu.edu.cn")
        banks: dict[str, uuid.UUID] = {}
        for name, scopes in (
            ("bank_none", None),
            ("bank_contact", ["CONTACT_DETAILS"]),
            ("bank_demands", ["FINANCING_DEMANDS"]),
            ("bank_all", ["CONTACT_DETAILS", "FINANCING_DEMANDS"]),
        ):
            bank = await create_institution(session, name=f"四川{name}银行")
            banks[name] = bank.id
            if scopes is not None:
                session.add(
                    DataConsent(
                        enterprise_id=owner.id,
                        institution_id=bank.id,
                        scopes=scopes,
                        expires_at=datetime.now(UTC) + timedelta(days=30),
                    )
                )
    principals = {
        "anonymous": Principal(Role.PUBLIC),
        "partner": Principal(Role.PARTNER, subject="partner-1"),
        "other_enterprise": Principal(Role.ENTERPRISE, other.id),
        "owner": Principal(Role.ENTERPRISE, owner.id),
        **{name: Principal(Role.INSTITUTION, bank_id) for name, bank_id in banks.items()},
        "expert": Principal(Role.EXPERT, expert.id),
        "regulator": Principal(Role.REGULATOR),
        "admin": Principal(Role.ADMIN),
    }
    return Rows(owner.id, demand.id, expert.id, principals)


rows = prebuilt_world(_rows, __file__, name="rows", settle=False)


def _probe_listing(entity_type: str, field: str, kind: Kind) -> Listing[Any]:
    """A listing that declares the guarded field filterable and orderable, as a new one might."""
    model = ENTITIES[entity_type]
    column = getattr(model, field)
    return Listing(
        model=model,
        filters={"id": (model.id, Kind.ID), field: (column, kind)},
        orders={field: column},
        default_order=(SortKey("id"),),
    )


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("guarded", sorted(PROBES), ids="{0[0]}.{0[1]}".format)
async def test_a_condition_on_a_hidden_value_matches_neither_way(
    sessionmaker: SessionMaker, rows: Rows, guarded: tuple[str, str], caller: str
) -> None:
    # given: one row, and conditions true and false of its guarded value
    entity_type, field = guarded
    probe = PROBES[guarded]
    of = _probe_listing(entity_type, field, probe.kind)
    readable = partial(field_scope, rows.principals[caller])
    row = {"id": {"eq": rows.row(entity_type)}}

    async def matches(where: dict[str, Any]) -> int:
        async with sessionmaker() as session:
            return await listing.count(
                session, of, ListQuery(where={**row, **where}), readable=readable
            )

    # when
    answers = {
        (str(ops), negated): await matches({"not": {field: ops}} if negated else {field: ops})
        for ops in (*probe.holds, *probe.fails)
        for negated in (False, True)
    }

    # then: a reader gets the truth (the positive control); anyone else gets 0 both ways
    reads = caller in READERS[guarded]
    expected = {
        (str(ops), negated): int(reads and (ops in probe.holds) != negated)
        for ops in (*probe.holds, *probe.fails)
        for negated in (False, True)
    }
    assert answers == expected
    # and the row itself is there for everyone (the id filter alone matches it)
    assert await matches({}) == 1


#: guarded fields a listing could order by (a JSON list of tags is never an order column)
ORDERABLE_KINDS = sorted(k for k, probe in PROBES.items() if probe.kind != Kind.TAGS)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("guarded", ORDERABLE_KINDS, ids="{0[0]}.{0[1]}".format)
async def test_ordering_by_a_guarded_field_is_refused_unless_readable_on_every_row(
    sessionmaker: SessionMaker, rows: Rows, guarded: tuple[str, str], caller: str
) -> None:
    # given
    entity_type, field = guarded
    of = _probe_listing(entity_type, field, PROBES[guarded].kind)
    query = ListQuery(order=(SortKey(field),), page=PageArgs(first=10))
    readable = partial(field_scope, rows.principals[caller])
    everywhere = caller in {"admin", "regulator"} or (
        guarded == ("Expert", "contact_email") and caller in READERS[guarded]
    )

    # when / then
    async with sessionmaker() as session:
        if everywhere:
            page = await listing.fetch_page(
                session, of, query, max_page_size=100, readable=readable
            )
            assert rows.row(entity_type) in [item.id for item in page.items]
        else:
            with pytest.raises(ValidationFailed) as refused:
                await listing.fetch_page(session, of, query, max_page_size=100, readable=readable)
            issue = refused.value.issues[0]
            assert (issue.field, issue.code) == ("orderBy", ErrorCode.FORBIDDEN)


# ------------------------------------------------------------------ through the API

#: GraphQL conditions per filterable guarded field: (true of the world's demand, false of it)
GRAPHQL_CASES: dict[tuple[str, str], list[tuple[dict[str, Any], dict[str, Any]]]] = {
    ("FinancingDemand", "purpose"): [
        ({"purpose": {"contains": "光伏"}}, {"purpose": {"contains": "风电"}}),
        ({"purpose": {"startsWith": "光伏"}}, {"purpose": {"startsWith": "风电"}}),
        ({"purpose": {"isNull": False}}, {"purpose": {"isNull": True}}),
        ({"purpose": {"eq": "光伏电站建设"}}, {"purpose": {"ne": "光伏电站建设"}}),
        ({"purpose": {"in": ["光伏电站建设"]}}, {"purpose": {"in": ["风电场建设"]}}),
    ],
    ("FinancingDemand", "collateral_offered"): [
        ({"collateralOffered": {"has": "PROPERTY"}}, {"collateralOffered": {"has": "CCER"}}),
        (
            {"collateralOffered": {"hasAny": ["PROPERTY", "GUARANTEE"]}},
            {"collateralOffered": {"hasAny": ["CCER"]}},
        ),
    ],
}
GRAPHQL_CALLERS = (
    "anonymous",
    "partner",
    "other_enterprise",
    "owner",
    "institution_without_consent",
    "institution_contact_only",
    "institution_with_consent",
    "expert",
    "regulator",
    "admin",
)
DEMAND_READERS = {"owner", "institution_with_consent", "regulator", "admin"}
DEMAND_SEERS = DEMAND_READERS | {"institution_without_consent", "institution_contact_only"}

_COUNTS = """t: financingDemands(where: $t) { totalCount }
  f: financingDemands(where: $f) { totalCount }
  nt: financingDemands(where: $nt) { totalCount }
  nf: financingDemands(where: $nf) { totalCount }
  seen: financingDemands(where: $seen) { totalCount edges { node { id } } }"""
_VARIABLES = (
    "$t: DemandWhere, $f: DemandWhere, $nt: DemandWhere, $nf: DemandWhere, $seen: DemandWhere"
)
ROOT = f"query Probe({_VARIABLES}) {{\n  {_COUNTS}\n}}"
NESTED = f"""query NestedProbe({_VARIABLES}, $enterprise: ID!, $project: ID!) {{
  enterprise: node(id: $enterprise) {{ ... on Enterprise {{ {_COUNTS} }} }}
  project: node(id: $project) {{ ... on Project {{ {_COUNTS} }} }}
}}"""


@pytest.fixture
async def guarded_world(sessionmaker: SessionMaker, world: World) -> tuple[World, uuid.UUID]:
    """The access world, its demand offering PROPERTY, and a third bank that the owner granted
    contact details only."""
    async with sessionmaker.begin() as session:
        await session.execute(
            update(FinancingDemand)
            .where(FinancingDemand.id == world.demand)
            .values(collateral_offered=["PROPERTY"])
        )
        bank = await create_institution(session, name="成都银行高新支行")
        session.add(
            DataConsent(
                enterprise_id=world.owner,
                institution_id=bank.id,
                scopes=["CONTACT_DETAILS"],
                expires_at=datetime.now(UTC) + timedelta(days=30),
            )
        )
    return world, bank.id


def _caller(gql_as: Any, world: World, contact_bank: uuid.UUID, party: str) -> Any:
    role, org = {
        "anonymous": (None, None),
        "partner": (Role.PARTNER, None),
        "other_enterprise": (Role.ENTERPRISE, world.other),
        "owner": (Role.ENTERPRISE, world.owner),
        "institution_without_consent": (Role.INSTITUTION, world.other_bank),
        "institution_contact_only": (Role.INSTITUTION, contact_bank),
        "institution_with_consent": (Role.INSTITUTION, world.bank),
        "expert": (Role.EXPERT, world.expert),
        "regulator": (Role.REGULATOR, None),
        "admin": (Role.ADMIN, None),
    }[party]
    return gql_as(role, org_id=org)


def _variables(world: World, holds: dict[str, Any], fails: dict[str, Any]) -> dict[str, Any]:
    demand = {"id": {"eq": to_global_id("FinancingDemand", world.demand)}}
    return {
        "t": {**demand, **holds},
        "f": {**demand, **fails},
        "nt": {**demand, "not": holds},
        "nf": {**demand, "not": fails},
        "seen": demand,
    }


def _totals(counts: dict[str, Any]) -> dict[str, int]:
    return {key: counts[key]["totalCount"] for key in ("t", "f", "nt", "nf", "seen")}


@pytest.mark.parametrize("party", GRAPHQL_CALLERS)
@pytest.mark.parametrize("guarded", sorted(GRAPHQL_CASES), ids="{0[0]}.{0[1]}".format)
async def test_a_filter_on_a_guarded_field_answers_nothing_about_the_hidden_value(
    app: Any, gql_as: Any, guarded_world: tuple[World, uuid.UUID], guarded: Any, party: str
) -> None:
    # given
    world, contact_bank = guarded_world
    call = _caller(gql_as, world, contact_bank, party)
    prepared = app.state.graphql.prepared
    postgresql = app.state.resources.engine.dialect.name == "postgresql"
    seen = int(party in DEMAND_SEERS)
    truth = {"t": 1, "f": 0, "nt": 0, "nf": 1, "seen": 1}
    unknown = {"t": 0, "f": 0, "nt": 0, "nf": 0, "seen": seen}
    expected = truth if party in DEMAND_READERS else unknown

    for holds, fails in GRAPHQL_CASES[guarded]:
        variables = _variables(world, holds, fails)
        nested_variables = {
            **variables,
            "enterprise": to_global_id("Enterprise", world.owner),
            "project": to_global_id("Project", world.project),
        }

        # when: each read twice (on PostgreSQL the second is answered by the prepared path)
        root: list[Any] = []
        nested: list[Any] = []
        prepared_seconds = []
        for query, values, reads in ((ROOT, variables, root), (NESTED, nested_variables, nested)):
            reads.append(await call(query, values))
            answered = prepared.answered
            reads.append(await call(query, values))
            prepared_seconds.append(prepared.answered - answered)

        # then: the same answer both times, on every path
        assert "errors" not in root[0], root[0]
        assert "errors" not in nested[0], nested[0]
        assert root[0]["data"] == root[1]["data"]
        assert nested[0]["data"] == nested[1]["data"]
        assert _totals(root[0]["data"]) == expected, (holds, fails)
        assert _totals(nested[0]["data"]["enterprise"]) == expected, (holds, fails)
        project = nested[0]["data"]["project"]
        if seen:
            assert _totals(project) == expected, (holds, fails)
        else:
            assert project is None  # the project is not the caller's to see
        if postgresql:
            assert prepared_seconds == [1, 1]  # both second reads took the prepared path


@pytest.mark.parametrize(
    ("party", "expected"),
    [
        ("owner", 1),
        ("admin", 1),
        ("institution_with_consent", 1),
        ("institution_without_consent", 0),
    ],
)
async def test_the_issues_example_contains_on_purpose_by_id(
    gql_as: Any, guarded_world: tuple[World, uuid.UUID], party: str, expected: int
) -> None:
    # given: the probe of the issue, word by word
    world, contact_bank = guarded_world
    demand = to_global_id("FinancingDemand", world.demand)
    query = f"""{{ financingDemands(where: {{id: {{eq: "{demand}"}}, purpose: {{contains: "光伏"}}}})
      {{ totalCount }} }}"""

    # when
    body = await _caller(gql_as, world, contact_bank, party)(query)

    # then
    assert body == {
        "data": {"financingDemands": {"totalCount": expected}},
        "extensions": body["extensions"],
    }


async def test_an_enterprise_filters_its_own_demands_by_purpose(
    gql_as: Any, sessionmaker: SessionMaker, guarded_world: tuple[World, uuid.UUID]
) -> None:
    # given: a second demand of the owner, for wind power
    world, _ = guarded_world
    async with sessionmaker.begin() as session:
        await create_demand(session, enterprise_id=world.owner, purpose="风电场扩建")
    query = """{ financingDemands(where: {purpose: {contains: "风电"}}) {
      totalCount edges { node { purpose } } } }"""

    # when
    body = await gql_as(Role.ENTERPRISE, org_id=world.owner)(query)

    # then
    assert body["data"] == {
        "financingDemands": {"totalCount": 1, "edges": [{"node": {"purpose": "风电场扩建"}}]}
    }
