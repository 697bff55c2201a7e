"""Data consent: granted and revoked by the enterprise; consent-gated data is null with a
FORBIDDEN_NO_CONSENT error unless consent is valid at that moment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from greenrong.core.db import SessionMaker
from greenrong.domain.access.models import DataConsent
from greenrong.domain.kit.clock import CLOCK
from greenrong.schema.kit.ids import to_global_id
from tests.access.conftest import World

GRANT = """mutation($input: GrantDataConsentInput!) { grantDataConsent(input: $input) {
  __typename
  ... on DataConsentSuccess { dataConsent { id version scopes enterpriseId institutionId revokedAt } }
  ... on ValidationError { code field }
} }"""
REVOKE = """mutation($input: RevokeDataConsentInput!) { revokeDataConsent(input: $input) {
  __typename ... on DataConsentSuccess { dataConsent { revokedAt version } } } }"""
DEMAND = """query($id: ID!) { node(id: $id) { ... on FinancingDemand {
  amount purpose collateralOffered } } }"""
DRAFT = """query($id: ID!) { node(id: $id) { ... on Disclosure { title status } } }"""


def in_days(days: int) -> str:
    return (CLOCK.now() + timedelta(days=days)).isoformat()


def gated(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["path"][-1], e["extensions"]["code"]) for e in body.get("errors", [])]


@pytest.mark.dated
async def test_grant_then_revoke_opens_and_closes_the_data_at_once(as_party, world: World) -> None:
    owner, bank = as_party("owner"), as_party("institution_without_consent")
    demand = {"id": to_global_id("FinancingDemand", world.demand)}
    draft = {"id": to_global_id("Disclosure", world.draft_disclosure)}

    # given: no consent yet
    before = await bank(DEMAND, demand)
    assert before["data"]["node"] == {
        "amount": "5000000.00",
        "purpose": None,
        "collateralOffered": None,
    }
    assert gated(before) == [
        ("purpose", "FORBIDDEN_NO_CONSENT"),
        ("collateralOffered", "FORBIDDEN_NO_CONSENT"),
    ]
    assert (await bank(DRAFT, draft))["data"]["node"] is None

    # when: the owner grants it (without naming itself: the caller's enterprise)
    granted = await owner(
        GRANT,
        {
            "input": {
                "institutionId": to_global_id("FinancialInstitution", world.other_bank),
                "scope": ["FINANCING_DEMANDS", "DISCLOSURE_DRAFTS"],
                "expiresAt": in_days(30),
            }
        },
    )
    consent = granted["data"]["grantDataConsent"]["dataConsent"]
    assert consent["enterpriseId"] == to_global_id("Enterprise", world.owner)
    assert consent["scopes"] == ["FINANCING_DEMANDS", "DISCLOSURE_DRAFTS"]
    assert consent["revokedAt"] is None

    # then: the bank sees the private fields and the draft
    during = await bank(DEMAND, demand)
    assert during == {
        "data": {
            "node": {"amount": "5000000.00", "purpose": "光伏电站建设", "collateralOffered": []}
        },
        "extensions": during["extensions"],
    }
    assert (await bank(DRAFT, draft))["data"]["node"] == {
        "title": "2022年度环境信息披露报告（草稿）",
        "status": "DRAFT",
    }

    # when: the owner revokes it; then: the very next request is closed again
    revoked = await owner(REVOKE, {"input": {"id": consent["id"], "version": 1}})
    assert revoked["data"]["revokeDataConsent"]["dataConsent"]["version"] == 2
    after = await bank(DEMAND, demand)
    assert after["data"]["node"]["purpose"] is None
    assert gated(after) == [
        ("purpose", "FORBIDDEN_NO_CONSENT"),
        ("collateralOffered", "FORBIDDEN_NO_CONSENT"),
    ]
    assert (await bank(DRAFT, draft))["data"]["node"] is None


async def test_consent_counts_only_for_its_scopes(as_party, world: World) -> None:
    owner, bank = as_party("owner"), as_party("institution_without_consent")
    await owner(
        GRANT,
        {
            "input": {
                "institutionId": to_global_id("FinancialInstitution", world.other_bank),
                "scope": ["CARBON_LEDGER"],
                "expiresAt": in_days(30),
            }
        },
    )

    body = await bank(DEMAND, {"id": to_global_id("FinancingDemand", world.demand)})

    assert body["data"]["node"]["purpose"] is None
    assert ("purpose", "FORBIDDEN_NO_CONSENT") in gated(body)


@pytest.mark.dated
async def test_an_expired_consent_no_longer_counts(
    as_party, world: World, sessionmaker: SessionMaker
) -> None:
    bank = as_party("institution_with_consent")
    demand = {"id": to_global_id("FinancingDemand", world.demand)}
    assert (await bank(DEMAND, demand))["data"]["node"]["purpose"] == "光伏电站建设"

    async with sessionmaker.begin() as session:
        await session.execute(
            update(DataConsent).values(expires_at=CLOCK.now() - timedelta(seconds=1))
        )

    body = await bank(DEMAND, demand)
    assert body["data"]["node"]["purpose"] is None
    assert ("purpose", "FORBIDDEN_NO_CONSENT") in gated(body)


@pytest.mark.dated
async def test_a_consent_must_be_complete_and_in_the_future(as_party, world: World) -> None:
    owner = as_party("owner")
    institution = to_global_id("FinancialInstitution", world.other_bank)

    past = await owner(
        GRANT,
        {
            "input": {
                "institutionId": institution,
                "scope": ["CARBON_LEDGER"],
                "expiresAt": in_days(-1),
            }
        },
    )
    empty = await owner(
        GRANT, {"input": {"institutionId": institution, "scope": [], "expiresAt": in_days(1)}}
    )
    admin_without_enterprise = await as_party("admin")(
        GRANT,
        {
            "input": {
                "institutionId": institution,
                "scope": ["CARBON_LEDGER"],
                "expiresAt": in_days(1),
            }
        },
    )

    assert past["data"]["grantDataConsent"] == {
        "__typename": "ValidationError",
        "code": "OUT_OF_RANGE",
        "field": "expiresAt",
    }
    assert empty["data"]["grantDataConsent"] == {
        "__typename": "ValidationError",
        "code": "REQUIRED",
        "field": "scopes",
    }
    assert admin_without_enterprise["data"]["grantDataConsent"] == {
        "__typename": "ValidationError",
        "code": "REQUIRED",
        "field": "enterpriseId",
    }


async def test_an_enterprise_cannot_grant_another_enterprises_data(as_party, world: World) -> None:
    body = await as_party("other_enterprise")(
        GRANT,
        {
            "input": {
                "enterpriseId": to_global_id("Enterprise", world.owner),
                "institutionId": to_global_id("FinancialInstitution", world.other_bank),
                "scope": ["CONTACT_DETAILS"],
                "expiresAt": in_days(1),
            }
        },
    )

    assert body["data"]["grantDataConsent"] == {"__typename": "ForbiddenError"}
