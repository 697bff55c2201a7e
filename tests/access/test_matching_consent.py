"""Matching under consent (docs/SECURITY.md, "Matching"): what an institution learns from
``productMatches`` and ``demandMatches`` never depends on a demand value it may not read.

The main test is generated from the policy: for every consent-gated field of a financing demand
(``policy.PRIVATE_FIELDS``), the same demand is matched with two values of that field, by every
kind of caller. Callers that may not read the field get byte-identical answers (ids, order,
scores, reasons, near misses); the owner, the consented institution, regulators and admins get
answers that differ. A gated field added to the policy fails here until it has two values in
``VARIANTS`` and matching answers the same for both.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from greenrong.core.db import SessionMaker
from greenrong.domain.access import policy
from greenrong.domain.access.models import ConsentScope, DataConsent
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.finance.models import Collateral, FinancingDemand
from greenrong.domain.matching.finance_rules import GATED_RULES
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_expert,
    create_institution,
    create_product,
)
from tests.factories.statements import count_statements
from tests.matching.finance_helpers import index_products

#: per gated demand field, two values that change today's full answers
VARIANTS: dict[str, tuple[Any, Any]] = {
    "purpose": ("用于太阳能发电设备购置", "补充日常经营流动资金"),
    "collateral_offered": ([Collateral.PROPERTY.value], [Collateral.CCER.value]),
    "max_rate": (Decimal("0.0321"), Decimal("0.0600")),
}
DEMAND_GATED = sorted(field for kind, field in policy.PRIVATE_FIELDS if kind == "FinancingDemand")

#: the demand: ¥500万, 36 months, no project, from a 锦江区 clean-energy firm
BASE: dict[str, Any] = {
    "purpose": "用于太阳能发电设备购置",
    "collateral_offered": [Collateral.PROPERTY.value],
    "max_rate": Decimal("0.0321"),
}
#: name -> product overrides (every product province-wide, any category, no level asked)
PRODUCTS: dict[str, dict[str, Any]] = {
    "阳光贷": {"description": "支持太阳能发电设备购置。", "min_rate": Decimal("0.0300")},
    "不动产抵押贷": {
        "accepted_collateral": [Collateral.PROPERTY],
        "min_rate": Decimal("0.0300"),
    },
    "碳汇质押贷": {"accepted_collateral": [Collateral.CCER], "min_rate": Decimal("0.0300")},
    "高息贷": {"min_rate": Decimal("0.0500"), "max_rate": Decimal("0.0600")},
    "小额贷": {"max_amount": Decimal("1000000.00"), "min_rate": Decimal("0.0300")},
}

CALLERS = (
    "anonymous",
    "partner",
    "other_enterprise",
    "expert",
    "owner",
    "institution_with_consent",
    "institution_without_consent",
    "regulator",
    "admin",
)

_FORWARD = """
    demand: node(id: $demand) {
      ... on FinancingDemand {
        productMatches(first: 10, includeNearMisses: true) {
          __typename
          ... on ProductMatchConnection {
            totalCount uncheckedRules
            edges { rank score node { name } reasons { code message weight } }
            nearMisses { rule message score node { name } }
          }
        }
      }
    }"""
_REVERSE = """
fragment Reverse on FinancialProduct {
  name
  demandMatches(first: 10) {
    totalCount
    edges { rank score node { id } reasons { code message weight } uncheckedRules }
  }
}"""


def _matches_document(products: int) -> str:
    """productMatches of the demand and demandMatches of every product, in one operation."""
    variables = ", ".join(["$demand: ID!", *(f"$p{i}: ID!" for i in range(products))])
    reverse = "\n".join(f"    p{i}: node(id: $p{i}) {{ ...Reverse }}" for i in range(products))
    return f"query ({variables}) {{{_FORWARD}\n{reverse}\n}}\n{_REVERSE}"


class Market:
    """The demand's enterprise, two institutions (one with FINANCING_DEMANDS consent), the
    products of a third, and one caller per kind."""

    def __init__(self, gql_as: Any, ids: dict[str, uuid.UUID], products: dict[str, uuid.UUID]):
        self.ids = ids
        self.products = products
        self._gql_as = gql_as

    @property
    def demand(self) -> uuid.UUID:
        return self.ids["demand"]

    def caller(self, party: str) -> Any:
        role, org = {
            "anonymous": (None, None),
            "partner": (Role.PARTNER, None),
            "other_enterprise": (Role.ENTERPRISE, self.ids["other"]),
            "expert": (Role.EXPERT, self.ids["expert"]),
            "owner": (Role.ENTERPRISE, self.ids["owner"]),
            "institution_with_consent": (Role.INSTITUTION, self.ids["bank"]),
            "institution_without_consent": (Role.INSTITUTION, self.ids["other_bank"]),
            "regulator": (Role.REGULATOR, None),
            "admin": (Role.ADMIN, None),
        }[party]
        return self._gql_as(role, org_id=org)

    async def answers(self, party: str) -> dict[str, Any]:
        """Both views as ``party`` sees them: the whole body but the cost extension."""
        names = sorted(self.products)
        variables = {"demand": to_global_id("FinancingDemand", self.demand)}
        for i, name in enumerate(names):
            variables[f"p{i}"] = to_global_id("FinancialProduct", self.products[name])
        body = await self.caller(party)(_matches_document(len(names)), variables)
        return {k: v for k, v in body.items() if k != "extensions"}


@pytest.fixture
async def market(app, sessionmaker: SessionMaker, gql_as) -> Market:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="成都绿能科技有限公司")
        other = await create_enterprise(session, name="绵阳清源环保有限公司")
        bank = await create_institution(session, name="四川银行成都分行")
        other_bank = await create_institution(session, name="成都农村商业银行")
        lender = await create_institution(session, name="绵阳市商业银行")
        expert = await create_expert(session, name="张建国")
        products = {
            name: (await create_product(session, institution_id=lender.id, name=name, **o)).id
            for name, o in PRODUCTS.items()
        }
        demand = await create_demand(session, enterprise_id=owner.id, **BASE)
        session.add(
            DataConsent(
                enterprise_id=owner.id,
                institution_id=bank.id,
                scopes=[ConsentScope.FINANCING_DEMANDS.value],
                expires_at=datetime.now(UTC) + timedelta(days=30),
            )
        )
    await index_products(app, sessionmaker)
    ids = {
        "owner": owner.id,
        "other": other.id,
        "bank": bank.id,
        "other_bank": other_bank.id,
        "lender": lender.id,
        "expert": expert.id,
        "demand": demand.id,
    }
    return Market(gql_as, ids, products)


async def _set(sessionmaker: SessionMaker, demand: uuid.UUID, **values: Any) -> None:
    """The enterprise changes its demand (the matching views read the row as it is now)."""
    async with sessionmaker.begin() as session:
        await session.execute(
            update(FinancingDemand).where(FinancingDemand.id == demand).values(**values)
        )


def _may_read(party: str, market: Market, field: str) -> bool:
    """The policy's answer for ``party`` and ``field`` of the demand (the bank's consent is
    the fixture's)."""
    role, org = {
        "anonymous": (Role.PUBLIC, None),
        "partner": (Role.PARTNER, None),
        "other_enterprise": (Role.ENTERPRISE, market.ids["other"]),
        "expert": (Role.EXPERT, market.ids["expert"]),
        "owner": (Role.ENTERPRISE, market.ids["owner"]),
        "institution_with_consent": (Role.INSTITUTION, market.ids["bank"]),
        "institution_without_consent": (Role.INSTITUTION, market.ids["other_bank"]),
        "regulator": (Role.REGULATOR, None),
        "admin": (Role.ADMIN, None),
    }[party]
    row = FinancingDemand(id=market.demand, enterprise_id=market.ids["owner"])
    withheld = policy.withheld_fields(
        Principal(role=role, org_id=org, subject=party),
        "FinancingDemand",
        row,
        consented=lambda enterprise, scope: (
            org == market.ids["bank"]
            and enterprise == market.ids["owner"]
            and scope is ConsentScope.FINANCING_DEMANDS
        ),
    )
    return field not in withheld


def _forward(answer: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = answer["data"]["demand"]["productMatches"]
    return result


def _edges(answer: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in _forward(answer)["edges"]]


def _near(answer: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {m["node"]["name"]: (m["rule"], m["message"]) for m in _forward(answer)["nearMisses"]}


def _reasons(answer: dict[str, Any], product: str) -> list[tuple[str, str]]:
    edge = next(e for e in _forward(answer)["edges"] if e["node"]["name"] == product)
    return [(r["code"], r["message"]) for r in edge["reasons"]]


def _reverse(answer: dict[str, Any], market: Market, product: str) -> dict[str, Any]:
    alias = f"p{sorted(market.products).index(product)}"
    result: dict[str, Any] = answer["data"][alias]["demandMatches"]
    return result


def _listed(answer: dict[str, Any], market: Market, product: str) -> bool:
    demand = to_global_id("FinancingDemand", market.demand)
    return any(e["node"]["id"] == demand for e in _reverse(answer, market, product)["edges"])


def test_every_gated_demand_field_has_two_values_and_a_rule_or_the_text() -> None:
    """A new consent-gated field of a demand fails here until matching handles it."""
    assert set(VARIANTS) == set(DEMAND_GATED)
    assert set(GATED_RULES) | {"purpose"} == set(DEMAND_GATED)


def test_withheld_fields_are_the_gated_fields_a_caller_may_not_read_now() -> None:
    owner, bank = uuid.uuid4(), uuid.uuid4()
    row = FinancingDemand(id=uuid.uuid4(), enterprise_id=owner)
    gated = frozenset(DEMAND_GATED)

    def withheld(role: Role, org: uuid.UUID | None, *, consent: bool = False) -> frozenset[str]:
        return policy.withheld_fields(
            Principal(role=role, org_id=org, subject="测试"),
            "FinancingDemand",
            row,
            consented=lambda enterprise, scope: (
                consent and enterprise == owner and scope is ConsentScope.FINANCING_DEMANDS
            ),
        )

    assert withheld(Role.ENTERPRISE, owner) == frozenset()
    assert withheld(Role.ADMIN, None) == frozenset()
    assert withheld(Role.REGULATOR, None) == frozenset()
    assert withheld(Role.INSTITUTION, bank, consent=True) == frozenset()
    assert withheld(Role.INSTITUTION, bank) == gated
    assert withheld(Role.ENTERPRISE, uuid.uuid4()) == gated
    assert withheld(Role.PUBLIC, None) == gated
    assert withheld(Role.PARTNER, None) == gated
    assert withheld(Role.EXPERT, uuid.uuid4()) == gated
    # only the institution's consent is looked up, and only for the owner's FINANCING_DEMANDS
    institution = Principal(role=Role.INSTITUTION, org_id=bank, subject="测试")
    assert policy.consents_deciding(institution, "FinancingDemand", row) == {
        (owner, ConsentScope.FINANCING_DEMANDS)
    }
    admin = Principal(role=Role.ADMIN, subject="测试")
    assert policy.consents_deciding(admin, "FinancingDemand", row) == frozenset()


@pytest.mark.parametrize("field", DEMAND_GATED)
async def test_a_withheld_value_changes_no_answer_and_a_readable_one_does(
    market: Market, sessionmaker: SessionMaker, field: str
) -> None:
    # given the demand with the first value of the field, then with the second
    first, second = VARIANTS[field]
    await _set(sessionmaker, market.demand, **{field: first})
    before = {party: await market.answers(party) for party in CALLERS}
    await _set(sessionmaker, market.demand, **{field: second})
    after = {party: await market.answers(party) for party in CALLERS}

    # then: who may not read the field gets the very same answers; who may gets other ones
    readers = {party for party in CALLERS if _may_read(party, market, field)}
    assert readers == {"owner", "institution_with_consent", "regulator", "admin"}
    for party in CALLERS:
        assert "errors" not in before[party], before[party]
        if party in readers:
            assert before[party] != after[party], party
        else:
            assert before[party] == after[party], party
    # and the institution without consent is still matched with the demand, both ways
    blind = after["institution_without_consent"]
    assert _forward(blind)["uncheckedRules"] == ["COLLATERAL", "RATE"]
    assert _edges(blind) != []
    assert any(_listed(blind, market, name) for name in PRODUCTS)
    assert _forward(after["institution_with_consent"])["uncheckedRules"] == []
    assert _forward(after["owner"])["uncheckedRules"] == []
    # and each match names the rules it meets: only the ones checked for the caller
    for party, unnamed in (("institution_without_consent", True), ("owner", False)):
        for edge in _forward(after[party])["edges"]:
            (eligible,) = [r["message"] for r in edge["reasons"] if r["code"] == "ELIGIBLE"]
            assert eligible.startswith("满足准入条件：产品在售、产品类型、融资金额"), eligible
            assert ("担保方式" not in eligible and "利率" not in eligible) is unnamed, party


async def test_the_issues_probes_answer_nothing_hidden_without_consent(market: Market) -> None:
    # given the demand of the issue: at most 3.21 %, offering property, for 太阳能发电
    blind = await market.answers("institution_without_consent")
    full = await market.answers("institution_with_consent")

    # then, with consent: today's full matching, quoting the demand
    assert sorted(_edges(full)) == ["不动产抵押贷", "阳光贷"]
    assert _near(full) == {
        "高息贷": ("RATE", "最低利率 5.00% 高于可接受上限 3.21%，高出 1.79个百分点"),
        "碳汇质押贷": ("COLLATERAL", "需要提供以下担保之一：CCER 质押"),
        "小额贷": ("AMOUNT", "金额超过上限 ¥100万，超出 ¥400万"),
    }
    assert ("DOMAIN_TERM", "产品涉及“太阳能发电”") in _reasons(full, "阳光贷")
    assert _listed(full, market, "不动产抵押贷") is True
    assert _listed(full, market, "碳汇质押贷") is False

    # and without it: rate and collateral unchecked, the purpose unused, nothing quoted
    assert _forward(blind)["uncheckedRules"] == ["COLLATERAL", "RATE"]
    assert sorted(_edges(blind)) == ["不动产抵押贷", "碳汇质押贷", "阳光贷", "高息贷"]
    assert _near(blind) == {"小额贷": ("AMOUNT", "金额超过上限 ¥100万，超出 ¥400万")}
    assert _forward(blind)["totalCount"] == 4
    messages = [r["message"] for e in _forward(blind)["edges"] for r in e["reasons"]]
    assert not [m for m in messages if "太阳能" in m or "3.21" in m]
    assert "DOMAIN_TERM" not in {
        code for name in _edges(blind) for code, _ in _reasons(blind, name)
    }
    # collateral-only products: the demand is listed under both, whatever it offers
    assert _listed(blind, market, "不动产抵押贷") is True
    assert _listed(blind, market, "碳汇质押贷") is True
    edge = _reverse(blind, market, "碳汇质押贷")["edges"][0]
    assert edge["uncheckedRules"] == ["COLLATERAL", "RATE"]
    assert _reverse(full, market, "碳汇质押贷")["totalCount"] == 0


UPDATE_PRODUCT = """
mutation ($input: UpdateProductInput!) {
  updateFinancialProduct(input: $input) {
    __typename
    ... on FinancialProductSuccess { financialProduct { version minRate } }
  }
}"""
DEMAND_MATCHES = """
query ($id: ID!) {
  node(id: $id) {
    ... on FinancialProduct {
      demandMatches(first: 10) {
        totalCount
        edges { rank score node { id } reasons { code message weight } uncheckedRules }
      }
    }
  }
}"""
PROBES = ("0.0300", "0.0321", "0.0322", "0.0400", "0.0500")


async def _probe(
    market: Market, sessionmaker: SessionMaker, party: str, institution: uuid.UUID
) -> list[dict[str, Any]]:
    """The issue's attack: change one's own product's minRate, then ask demandMatches."""
    async with sessionmaker.begin() as session:
        own = await create_product(
            session,
            institution_id=institution,
            name="探测贷",
            min_rate=Decimal("0.0300"),
            max_rate=Decimal("0.0800"),
        )
    product = to_global_id("FinancialProduct", own.id)
    call = market.caller(party)
    seen, version = [], own.version
    for rate in PROBES:
        changed = await call(
            UPDATE_PRODUCT, {"input": {"id": product, "version": version, "minRate": rate}}
        )
        saved = changed["data"]["updateFinancialProduct"]["financialProduct"]
        assert saved["minRate"] == rate
        version = saved["version"]
        body = await call(DEMAND_MATCHES, {"id": product})
        seen.append(body["data"]["node"]["demandMatches"])
    return seen


def _has(matches: dict[str, Any], demand: uuid.UUID) -> bool:
    return any(e["node"]["id"] == to_global_id("FinancingDemand", demand) for e in matches["edges"])


async def test_probing_with_ones_own_min_rate_learns_nothing_without_consent(
    market: Market, sessionmaker: SessionMaker
) -> None:
    # given the demand's hidden maximum rate is 3.21 %, then 4.50 %
    at_321 = await _probe(
        market, sessionmaker, "institution_without_consent", market.ids["other_bank"]
    )
    await _set(sessionmaker, market.demand, max_rate=Decimal("0.0450"))
    at_450 = await _probe(
        market, sessionmaker, "institution_without_consent", market.ids["other_bank"]
    )

    # then every probe lists the demand, and the answers are the same for both rates
    assert [_has(m, market.demand) for m in at_321] == [True] * len(PROBES)
    assert at_321 == at_450


async def test_probing_with_consent_sees_the_maximum_rate(
    market: Market, sessionmaker: SessionMaker
) -> None:
    # positive control: the consented bank's probes follow the demand's 3.21 %
    seen = await _probe(market, sessionmaker, "institution_with_consent", market.ids["bank"])

    assert [_has(m, market.demand) for m in seen] == [True, True, False, False, False]
    assert all(e["uncheckedRules"] == [] for m in seen for e in m["edges"])


GRANT = """mutation($input: GrantDataConsentInput!) { grantDataConsent(input: $input) {
  __typename ... on DataConsentSuccess { dataConsent { id version } } } }"""
REVOKE = """mutation($input: RevokeDataConsentInput!) { revokeDataConsent(input: $input) {
  __typename ... on DataConsentSuccess { dataConsent { version } } } }"""


async def test_granting_opens_full_matching_and_revoking_closes_it_at_once(
    market: Market,
) -> None:
    owner, bank = market.caller("owner"), "institution_without_consent"
    # given the institution without consent
    closed = await market.answers(bank)
    assert _near(closed) == {"小额贷": ("AMOUNT", "金额超过上限 ¥100万，超出 ¥400万")}

    # when the owner grants it FINANCING_DEMANDS consent
    granted = await owner(
        GRANT,
        {
            "input": {
                "institutionId": to_global_id("FinancialInstitution", market.ids["other_bank"]),
                "scope": ["FINANCING_DEMANDS"],
                "expiresAt": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
            }
        },
    )
    consent = granted["data"]["grantDataConsent"]["dataConsent"]
    opened = await market.answers(bank)

    # then its very next request matches on everything, as the consented bank's does
    assert _forward(opened)["uncheckedRules"] == []
    assert _near(opened)["高息贷"] == (
        "RATE",
        "最低利率 5.00% 高于可接受上限 3.21%，高出 1.79个百分点",
    )
    assert _forward(opened) == _forward(await market.answers("institution_with_consent"))
    assert _listed(opened, market, "碳汇质押贷") is False

    # when the owner revokes it; then the next answer is the closed one again, exactly
    revoked = await owner(REVOKE, {"input": {"id": consent["id"], "version": consent["version"]}})
    assert revoked["data"]["revokeDataConsent"]["__typename"] == "DataConsentSuccess"
    assert await market.answers(bank) == closed


async def test_a_consent_for_other_scopes_opens_no_matching_input(
    market: Market, sessionmaker: SessionMaker
) -> None:
    # given the owner's consent to the other bank for contact details and drafts only
    async with sessionmaker.begin() as session:
        session.add(
            DataConsent(
                enterprise_id=market.ids["owner"],
                institution_id=market.ids["other_bank"],
                scopes=[ConsentScope.CONTACT_DETAILS.value, ConsentScope.DISCLOSURE_DRAFTS.value],
                expires_at=datetime.now(UTC) + timedelta(days=30),
            )
        )

    # then matching still withholds the demand's gated values from it
    answer = await market.answers("institution_without_consent")
    assert _forward(answer)["uncheckedRules"] == ["COLLATERAL", "RATE"]
    assert _near(answer) == {"小额贷": ("AMOUNT", "金额超过上限 ¥100万，超出 ¥400万")}


_NODE_WITH_MATCHES = """query ($demand: ID!) {
  node(id: $demand) {
    ... on FinancingDemand {
      maxRate
      productMatches(first: 10) {
        ... on ProductMatchConnection { uncheckedRules edges { node { name } } }
      }
    }
  }
}"""


@pytest.mark.parametrize(
    ("party", "max_rate", "unchecked", "statements"),
    [
        # the demand with its enterprise, project and the consent in one statement, the products
        ("institution_with_consent", "0.0321", [], 2),
        ("institution_without_consent", None, ["COLLATERAL", "RATE"], 2),
    ],
)
async def test_an_institution_reads_the_demand_and_its_consent_in_one_statement(
    app, market: Market, party: str, max_rate: str | None, unchecked: list[str], statements: int
) -> None:
    # when: the institution asks for the demand's guarded maxRate and its matches at once
    with count_statements(app.state.resources.engine) as ran:
        body = await market.caller(party)(
            _NODE_WITH_MATCHES, {"demand": to_global_id("FinancingDemand", market.demand)}
        )

    # then: the consent read with the demand decides both the field and the matching input
    node = body["data"]["node"]
    assert node["maxRate"] == max_rate
    assert node["productMatches"]["uncheckedRules"] == unchecked
    assert [e["node"]["name"] for e in node["productMatches"]["edges"]] == (
        _edges(await market.answers(party))
    )
    assert [error["path"] for error in body.get("errors", [])] == (
        [] if max_rate else [["node", "maxRate"]]
    )
    assert len(ran) == statements, ran
