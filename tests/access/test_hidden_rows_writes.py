"""A row the caller may not see answers every write exactly like a row that does not exist.

For each mutation that names a record by id (the list comes from the schema, so a new mutation
fails ``test_every_mutation_naming_a_record_is_covered`` until it is added here), a caller who
may not see the record gets the answer a random id gets (code, field and message, the id aside),
with the current and with a stale version, and nothing changes: the row's version, the change
events and the audit entries stay as they were. The positive control: the rightful caller's
same call goes through (or, for a status refusal, sees the state the intruder may not learn).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, get_named_type
from sqlalchemy import func, select

from greenrong.core.db import SessionMaker
from greenrong.domain.access.models import AuditEntry, DataConsent
from greenrong.domain.carbon import service as carbon
from greenrong.domain.carbon.models import CarbonLedgerEntry
from greenrong.domain.certification.models import Certification
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.certification.service import start_certification
from greenrong.domain.disclosure.models import Disclosure
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import (
    DemandStatus,
    FinancialProduct,
    FinancingDemand,
)
from greenrong.domain.kit.models import Entity
from greenrong.domain.libraries.models import Library, LibraryMembership
from greenrong.domain.matching import deals
from greenrong.domain.matching.tracked import FinancingMatch, TechnologyDeal
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.projects.models import Project
from greenrong.domain.technology.models import NeedStatus, TechnologyListing, TechnologyNeed
from greenrong.schema.kit.ids import to_global_id
from greenrong.schema.root import schema
from tests.access.conftest import World
from tests.factories.entities import create_demand, create_need, create_product
from tests.libraries.helpers import screened

ANSWER = """
  __typename
  ... on ValidationError { code field message }
  ... on NotFoundError { code field message }
  ... on ConflictError { code field message currentVersion }
  ... on ForbiddenError { code field message }
"""


def gid(type_name: str, id: uuid.UUID) -> str:
    return to_global_id(type_name, id)


@dataclass(frozen=True)
class Extra:
    """Rows a case needs beyond the shared world, made by trusted code (the system principal)."""

    #: an active product of the bank without consent (成都农商银行), for its startMatch
    other_bank_product: uuid.UUID
    #: a second active product of the consented bank (四川银行), for its own startMatch
    bank_second_product: uuid.UUID
    #: the owner's demand already MATCHED with the consented bank
    matched_demand: uuid.UUID
    #: the owner's withdrawn demand
    withdrawn_demand: uuid.UUID
    #: the match of the world's demand with the consented bank's product
    match: uuid.UUID
    #: a deal: 绵阳清源环保 buys the owner's published listing
    deal: uuid.UUID
    #: a closed need of 绵阳清源环保
    closed_need: uuid.UUID
    #: the owner's enterprise certification, a DRAFT
    certification: uuid.UUID
    #: the owner's project in the green-project library (a membership of a hidden project)
    project_membership: uuid.UUID


@pytest.fixture
async def extra(sessionmaker: SessionMaker, world: World) -> Extra:
    async with sessionmaker.begin() as session:
        other_bank_product = await create_product(
            session, institution_id=world.other_bank, name="农商绿色贷"
        )
        bank_second = await create_product(session, institution_id=world.bank, name="光伏贷")
        matched = await _demand(session, world, "分布式光伏扩建", DemandStatus.OPEN)
        await deals.start_match(session, demand_id=matched, product_id=world.product)
        withdrawn = await _demand(session, world, "已撤回的储能项目融资", DemandStatus.WITHDRAWN)
        match = await deals.start_match(session, demand_id=world.demand, product_id=world.product)
        deal = await deals.start_technology_deal(
            session, listing_id=world.published_listing, enterprise_id=world.other
        )
        closed = await create_need(
            session,
            enterprise_id=world.other,
            title="已关闭的污泥处置需求",
            status=NeedStatus.CLOSED,
        )
        certification = await start_certification(
            session, subject_type=CertificationSubject.ENTERPRISE, enterprise_id=world.owner
        )
        membership = await screened(session, Library.CLIMATE_FRIENDLY, world.project)
        return Extra(
            project_membership=membership.id,
            certification=certification.id,
            other_bank_product=other_bank_product.id,
            bank_second_product=bank_second.id,
            matched_demand=matched,
            withdrawn_demand=withdrawn,
            match=match.id,
            deal=deal.id,
            closed_need=closed.id,
        )


async def _demand(session: Any, world: World, purpose: str, status: DemandStatus) -> uuid.UUID:
    row = await create_demand(
        session, enterprise_id=world.owner, project_id=world.project, purpose=purpose, status=status
    )
    return row.id


@dataclass(frozen=True)
class Case:
    """One mutation on a record the ``intruder`` may not see.

    ``input`` builds the mutation's input from the record's global id, a version and the
    calling party; ``row`` names the record (model and id: its version is checked);
    ``rightful`` is the party whose same call is the positive control, and ``control`` the
    answer it gets ("success", or "typename:code:field:message").
    """

    mutation: str
    intruder: str
    rightful: str
    row: Callable[[World, Extra], tuple[type[Entity], uuid.UUID]]
    input: Input
    control: str = "success"
    #: the refusal of a hidden (and of a random) id: NotFoundError for the record a mutation
    #: acts on, ValidationError UNKNOWN_REFERENCE for a record a new row refers to
    refusal: str = "NotFoundError:NOT_FOUND"


Input = Callable[[World, Extra, str, int, str], dict[str, Any]]


def _transition(step: str) -> str:
    """The control answer of a certification step its rightful caller may not take on a DRAFT:
    the caller sees the state (the intruder learns nothing of it)."""
    return (
        f"ValidationError:INVALID_TRANSITION:status:status: {step} is not possible while the "
        "certification is DRAFT; possible now: UPDATE_SELF_ASSESSMENT"
    )


def _update(fields: dict[str, Any]) -> Input:
    return lambda w, x, id, version, party: {"id": id, "version": version, **fields}


CASES: dict[str, Case] = {
    case.mutation: case
    for case in (
        Case(
            "updateFinancingDemand",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (FinancingDemand, w.demand),
            input=_update({"purpose": "扩建屋顶光伏电站"}),
        ),
        Case(
            "updateProject",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (Project, w.project),
            input=_update({"title": "屋顶分布式光伏项目（二期）"}),
        ),
        Case(
            "updateTechnologyListing",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (TechnologyListing, w.draft_listing),
            input=_update({"title": "秸秆气化发电技术"}),
        ),
        Case(
            "updateDisclosure",
            intruder="institution_without_consent",
            rightful="owner",
            row=lambda w, x: (Disclosure, w.draft_disclosure),
            input=_update({"title": "2022年度环境信息披露报告（修订稿）"}),
        ),
        Case(
            "updateFinancialProduct",
            intruder="institution_without_consent",
            rightful="institution_with_consent",
            row=lambda w, x: (FinancialProduct, w.inactive_product),
            input=_update({"name": "停售绿色贷（更名）"}),
        ),
        Case(
            "revokeDataConsent",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (DataConsent, w.consent),
            input=lambda w, x, id, version, party: {"id": id, "version": version},
        ),
        Case(
            "updateMatchStatus",
            intruder="institution_without_consent",
            rightful="institution_with_consent",
            row=lambda w, x: (FinancingMatch, x.match),
            input=_update({"status": "NEGOTIATING"}),
        ),
        Case(
            "updateDealStatus",
            intruder="institution_without_consent",
            rightful="owner",
            row=lambda w, x: (TechnologyDeal, x.deal),
            input=_update({"status": "NEGOTIATING"}),
        ),
        Case(
            "createFinancingDemand",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (Project, w.project),
            input=lambda w, x, id, version, party: {
                "enterpriseId": gid(
                    "Enterprise", w.other if party == "other_enterprise" else w.owner
                ),
                "projectId": id,
                "amount": "2000000.00",
                "termMonths": 24,
                "purpose": "购置节能设备",
            },
            refusal="ValidationError:UNKNOWN_REFERENCE",
        ),
        Case(
            "submitCertification",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (Certification, x.certification),
            input=lambda w, x, id, version, party: {"id": id, "version": version},
            # the owner sees its own draft's state: not pre-scored yet
            control=_transition("SUBMIT"),
        ),
        # class 6: a bank makes itself a party of a demand already MATCHED with another bank
        Case(
            "startMatch",
            intruder="institution_without_consent",
            rightful="institution_with_consent",
            row=lambda w, x: (FinancingDemand, x.matched_demand),
            input=lambda w, x, id, version, party: {
                "demandId": id,
                "productId": gid(  # each bank names a product of its own
                    "FinancialProduct",
                    x.bank_second_product
                    if party == "institution_with_consent"
                    else x.other_bank_product,
                ),
            },
        ),
        # class 7: "the need is closed" for another enterprise's need
        Case(
            "startTechnologyDeal",
            intruder="owner",
            rightful="other_enterprise",
            row=lambda w, x: (TechnologyNeed, x.closed_need),
            input=lambda w, x, id, version, party: {
                "listingId": gid("TechnologyListing", w.published_listing),
                "needId": id,
            },
            control="ValidationError:INVALID:needId:needId: the need is closed",
        ),
        # the certification steps, on the owner's DRAFT (only the owner, its reviewers and
        # the platform see it): each step names it by id
        Case(
            "updateSelfAssessment",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (Certification, x.certification),
            input=_update({"answers": [], "evidence": []}),
            control="success",
        ),
        Case(
            "assignCertificationReviewers",
            intruder="expert",
            rightful="admin",
            row=lambda w, x: (Certification, x.certification),
            input=lambda w, x, id, version, party: {
                "id": id,
                "version": version,
                "expertIds": [gid("Expert", w.expert)],
            },
            control=_transition("ASSIGN_REVIEWERS"),
        ),
        Case(
            "scoreCertification",
            intruder="expert",
            rightful="admin",
            row=lambda w, x: (Certification, x.certification),
            input=lambda w, x, id, version, party: {"id": id, "scores": []},
            control="ForbiddenError:FORBIDDEN::ADMIN may not score this certification: it is not assigned to you",
        ),
        Case(
            "consolidateCertification",
            intruder="other_enterprise",
            rightful="admin",
            row=lambda w, x: (Certification, x.certification),
            input=lambda w, x, id, version, party: {"id": id, "version": version},
            control=_transition("CONSOLIDATE"),
        ),
        Case(
            "decideCertification",
            intruder="other_enterprise",
            rightful="regulator",
            row=lambda w, x: (Certification, x.certification),
            input=lambda w, x, id, version, party: {"id": id, "version": version, "approve": True},
            control=_transition("DECIDE"),
        ),
        Case(
            "renewCertification",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (Certification, x.certification),
            input=lambda w, x, id, version, party: {"id": id},
            control=_transition("RENEW"),
        ),
        Case(
            "revokeCertification",
            intruder="institution_without_consent",
            rightful="regulator",
            row=lambda w, x: (Certification, x.certification),
            input=lambda w, x, id, version, party: {
                "id": id,
                "version": version,
                "reason": "材料造假",
            },
            control=_transition("REVOKE"),
        ),
        # a project certification names a project the intruder may not see
        Case(
            "startCertification",
            intruder="other_enterprise",
            rightful="owner",
            row=lambda w, x: (Project, w.project),
            input=lambda w, x, id, version, party: {"subjectType": "PROJECT", "projectId": id},
            control="success",
            refusal="ValidationError:UNKNOWN_REFERENCE",
        ),
        Case(
            "fillDisclosureFromCalculations",
            intruder="institution_without_consent",
            rightful="owner",
            row=lambda w, x: (Disclosure, w.draft_disclosure),
            input=lambda w, x, id, version, party: {
                "disclosureId": id,
                "version": version,
                "calculationIds": [],
            },
            control="ValidationError:REQUIRED:calculationIds",
        ),
        Case(
            "endLibraryMembership",
            intruder="other_enterprise",
            rightful="admin",
            row=lambda w, x: (LibraryMembership, x.project_membership),
            input=lambda w, x, id, version, party: {
                "id": id,
                "version": version,
                "on": "2026-06-30",
                "reason": "项目已完工",
            },
            control="success",
            refusal="NotFoundError:NOT_FOUND",
        ),
    )
}

#: mutations naming records that are not yet in ``CASES``, each with why. This list may only
#: shrink: a mutation added to the schema fails the suite until it is a case or listed here.
PENDING: dict[str, str] = {
    "updateEnterprise": "enterprises are public rows: test_a_visible_row_refuses_before_version",
    "updateFinancialInstitution": "institutions are public rows (no hidden row to name)",
    "updateExpert": "experts are public rows (no hidden row to name)",
    "updateTechnologyNeed": "the need's hidden state is covered through startTechnologyDeal",
    "createProject": "names the caller's own enterprise (public row); ownership: test_writes",
    "createFinancialProduct": "names the caller's own institution (public row)",
    "createTechnologyListing": "names its owner (public rows)",
    "createTechnologyNeed": "names its owner (a public row)",
    "createDisclosure": "names its subject (public rows)",
    "grantDataConsent": "names an enterprise and an institution (public rows)",
    "rotateWebhookSecret": "owner-scoped endpoints: tests/partners/test_webhooks.py",
    "redeliverWebhook": "owner-scoped deliveries: tests/partners/test_webhooks.py",
    "runCarbonCalculation": "carbon rows are not entities: tests/carbon",
    "openCarbonAccount": "carbon rows are not entities: tests/carbon",
    "closeCarbonAccount": "carbon rows are not entities: tests/carbon",
    "recordCarbonEmission": "carbon rows are not entities: tests/carbon",
    "recordCarbonReduction": "carbon rows are not entities: tests/carbon",
    "retireCarbonCredit": "carbon rows are not entities: tests/carbon",
    "recordCarbonVerification": "carbon rows are not entities: tests/carbon",
    "reverseCarbonLedgerEntry": "ledger entries are not versioned entities: "
    "test_a_hidden_ledger_entry_answers_like_a_missing_one",
    "admitToLibrary": "ADMIN and REGULATOR only, who see every row",
    "recommendForCultivation": "REGULATOR and ADMIN only, who see every row",
    "reviewCultivationRecommendation": "ADMIN only, who sees every row",
    "acceptGreenIdentification": "reviewers only; others are refused before the project loads",
    "correctGreenIdentification": "reviewers only; others are refused before the project loads",
    "pauseSavedSearch": "owner-scoped: tests/partners/test_saved_searches.py",
    "resumeSavedSearch": "owner-scoped: tests/partners/test_saved_searches.py",
    "deleteSavedSearch": "owner-scoped: tests/partners/test_saved_searches.py",
}


def _names_a_record(fields: Any, depth: int = 0) -> bool:
    for name, arg in fields.items():
        if name == "id" or name.endswith(("Id", "Ids")):
            return True
        inner = get_named_type(arg.type)
        nested = isinstance(inner, GraphQLInputObjectType) and depth < 2
        if nested and _names_a_record(inner.fields, depth + 1):
            return True
    return False


def mutations_naming_records() -> set[str]:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    return {name for name, field in mutation.fields.items() if _names_a_record(field.args)}


def test_every_mutation_naming_a_record_is_covered() -> None:
    named = mutations_naming_records()
    assert {"startMatch", "updateFinancingDemand", "revokeDataConsent"} <= named  # inputs too
    assert named - set(CASES) - set(PENDING) == set(), "add a Case (or a PENDING reason)"
    assert set(CASES) | set(PENDING) <= named
    assert set(CASES).isdisjoint(PENDING)


def _input_type(mutation: str) -> str:
    field = schema._schema.mutation_type.fields[mutation]  # type: ignore[union-attr]
    return get_named_type(field.args["input"].type).name


def _document(mutation: str) -> str:
    return (
        f"mutation($input: {_input_type(mutation)}!) {{ {mutation}(input: $input) {{ {ANSWER} }} }}"
    )


def _normal(answer: dict[str, Any], *ids: uuid.UUID) -> str:
    """The answer with the named ids replaced, to compare a hidden id's with a random one's."""
    text = json.dumps(answer, ensure_ascii=False, sort_keys=True)
    for id in ids:
        text = text.replace(str(id), "<id>")
    return text


async def _state(
    sessionmaker: SessionMaker, model: type[Entity], id: uuid.UUID
) -> tuple[int | None, int, int]:
    """(the row's version, change events, audit entries): a refused write changes none."""
    async with sessionmaker() as session:
        row = await session.get(model, id)
        return (
            None if row is None else row.version,
            int(await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0),
            int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0),
        )


Call = Callable[[str], Callable[[str, dict[str, Any] | None], Awaitable[dict[str, Any]]]]


@pytest.mark.parametrize("mutation", sorted(CASES))
async def test_a_hidden_row_answers_like_a_missing_one(
    mutation: str, as_party: Call, sessionmaker: SessionMaker, world: World, extra: Extra
) -> None:
    # given a record the intruder may not see, and an id that names nothing
    case = CASES[mutation]
    model, hidden = case.row(world, extra)
    random_id = uuid.uuid4()
    before = await _state(sessionmaker, model, hidden)
    version = before[0] or 1
    document = _document(mutation)

    def variables(id: uuid.UUID, version: int, party: str) -> dict[str, Any]:
        global_id = gid(model.entity_type, id)
        return {"input": case.input(world, extra, global_id, version, party)}

    # when the intruder names the hidden record (current and stale version) and a random id
    answers = []
    for id, v in ((hidden, version), (hidden, version - 1), (random_id, version)):
        body = await as_party(case.intruder)(document, variables(id, v, case.intruder))
        assert "errors" not in body, body
        answers.append(body["data"][mutation])

    # then the three answers are one refusal, and nothing changed
    typename, code = case.refusal.split(":")
    assert (answers[0]["__typename"], answers[0]["code"]) == (typename, code), answers[0]
    assert _normal(answers[0], hidden) == _normal(answers[2], random_id)
    assert _normal(answers[1], hidden) == _normal(answers[2], random_id)
    assert await _state(sessionmaker, model, hidden) == before

    # and the rightful caller's same call goes through (or sees the state)
    control = await as_party(case.rightful)(document, variables(hidden, version, case.rightful))
    assert "errors" not in control, control
    answer = control["data"][mutation]
    if case.control == "success":
        assert answer["__typename"].endswith("Success"), answer
    else:
        expected = case.control.split(":", 3)  # typename, code, field[, message]
        keys = ("__typename", "code", "field", "message")[: len(expected)]
        assert [answer[k] for k in keys] == expected, answer


async def test_a_bank_cannot_make_itself_a_party_of_a_demand_matched_elsewhere(
    as_party: Call, gql_as: Any, sessionmaker: SessionMaker, world: World, extra: Extra
) -> None:
    """The issue's case exactly: 成都农商银行 calls startMatch with its own product on a demand
    already MATCHED with 四川银行, which it cannot see; afterwards it still cannot see it."""
    # given
    demand = gid("FinancingDemand", extra.matched_demand)
    bank = as_party("institution_without_consent")
    before = await _state(sessionmaker, FinancingDemand, extra.matched_demand)
    matches = await _count(sessionmaker, FinancingMatch)

    # when
    body = await bank(
        _document("startMatch"),
        {
            "input": {
                "demandId": demand,
                "productId": gid("FinancialProduct", extra.other_bank_product),
            }
        },
    )

    # then
    assert body["data"]["startMatch"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "field": "demandId",
        "message": f"FinancingDemand {extra.matched_demand} does not exist",
    }
    assert await _state(sessionmaker, FinancingDemand, extra.matched_demand) == before
    assert await _count(sessionmaker, FinancingMatch) == matches
    seen = await bank("query($id: ID!) { node(id: $id) { id } }", {"id": demand})
    assert seen["data"]["node"] is None
    # the matched bank does see it (positive control)
    seen = await as_party("institution_with_consent")(
        "query($id: ID!) { node(id: $id) { id } }", {"id": demand}
    )
    assert seen["data"]["node"] == {"id": demand}


async def test_a_withdrawn_demand_is_not_found_for_a_bank(
    as_party: Call, sessionmaker: SessionMaker, world: World, extra: Extra
) -> None:
    """Not "the demand is WITHDRAWN (已撤回), not open": a bank does not see withdrawn demands."""
    before = await _state(sessionmaker, FinancingDemand, extra.withdrawn_demand)
    body = await as_party("institution_with_consent")(
        _document("startMatch"),
        {
            "input": {
                "demandId": gid("FinancingDemand", extra.withdrawn_demand),
                "productId": gid("FinancialProduct", extra.bank_second_product),
            }
        },
    )
    assert body["data"]["startMatch"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "field": "demandId",
        "message": f"FinancingDemand {extra.withdrawn_demand} does not exist",
    }
    assert await _state(sessionmaker, FinancingDemand, extra.withdrawn_demand) == before
    # the owner sees the state of its own demand
    body = await as_party("owner")(
        _document("startMatch"),
        {
            "input": {
                "demandId": gid("FinancingDemand", extra.withdrawn_demand),
                "productId": gid("FinancialProduct", extra.bank_second_product),
            }
        },
    )
    assert body["data"]["startMatch"]["message"] == (
        "demandId: the demand is WITHDRAWN (已撤回), not open"
    )


async def test_a_draft_listing_is_not_found_for_a_buyer(
    as_party: Call, sessionmaker: SessionMaker, world: World, extra: Extra
) -> None:
    """Not "the listing is DRAFT (草稿)": another enterprise does not see drafts."""
    deals_before = await _count(sessionmaker, TechnologyDeal)
    variables = {
        "input": {
            "listingId": gid("TechnologyListing", world.draft_listing),
            "enterpriseId": gid("Enterprise", world.other),
        }
    }
    body = await as_party("other_enterprise")(_document("startTechnologyDeal"), variables)
    assert body["data"]["startTechnologyDeal"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "field": "listingId",
        "message": f"TechnologyListing {world.draft_listing} does not exist",
    }
    assert await _count(sessionmaker, TechnologyDeal) == deals_before
    # the listing's owner sees why: its own draft
    body = await as_party("owner")(_document("startTechnologyDeal"), variables)
    assert body["data"]["startTechnologyDeal"]["message"] == (
        "listingId: the listing is DRAFT (草稿), not published"
    )


async def test_a_visible_row_refuses_before_version(
    as_party: Call, sessionmaker: SessionMaker, world: World
) -> None:
    """Anonymous callers used to get ``ConflictError … currentVersion: 2``: the version was
    compared before the permission. Now a caller who may not write learns no version."""
    # given the enterprise at version 2
    owner = as_party("owner")
    moved = await owner(
        _document("updateEnterprise"),
        {
            "input": {
                "id": gid("Enterprise", world.owner),
                "version": 1,
                "name": "成都绿能科技股份有限公司",
            }
        },
    )
    assert moved["data"]["updateEnterprise"]["__typename"] == "EnterpriseSuccess"
    before = await _state(sessionmaker, Enterprise, world.owner)
    assert before[0] == 2

    # when the public and another enterprise send a stale version
    for party in ("anonymous", "other_enterprise"):
        body = await as_party(party)(
            _document("updateEnterprise"),
            {"input": {"id": gid("Enterprise", world.owner), "version": 1, "name": "篡改"}},
        )
        answer = body["data"]["updateEnterprise"]
        # then it is a refusal without a version, and nothing changed
        assert answer["__typename"] == "ForbiddenError", answer
        assert "currentVersion" not in answer
        assert "version" not in answer["message"]
    assert await _state(sessionmaker, Enterprise, world.owner) == before

    # and the owner with the stale version gets the conflict (positive control)
    body = await owner(
        _document("updateEnterprise"),
        {"input": {"id": gid("Enterprise", world.owner), "version": 1, "name": "成都绿能"}},
    )
    assert body["data"]["updateEnterprise"]["currentVersion"] == 2


async def _count(sessionmaker: SessionMaker, model: type[Any]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_hidden_ledger_entry_answers_like_a_missing_one(
    as_party: Call, sessionmaker: SessionMaker, world: World
) -> None:
    """A carbon ledger entry is append-only (no version), so it is not a ``Case``; the rule is
    the same: an institution without CARBON_LEDGER consent, and another enterprise, get what a
    random id gets, and no reversing entry, change event or audit entry appears."""
    # given an entry of the owner's account
    async with sessionmaker.begin() as session:
        await carbon.open_account(session, enterprise_id=world.owner)
        entry = await carbon.record_verification(
            session, enterprise_id=world.owner, year=2024, verifier="四川省碳核查中心"
        )
    document = _document("reverseCarbonLedgerEntry").replace(
        "... on NotFoundError",
        "... on CarbonLedgerEntrySuccess { entry { amount note } }\n  ... on NotFoundError",
    )

    async def counts() -> tuple[int, int, int]:
        return (
            await _count(sessionmaker, CarbonLedgerEntry),
            await _count(sessionmaker, ChangeEvent),
            await _count(sessionmaker, AuditEntry),
        )

    def variables(id: uuid.UUID) -> dict[str, Any]:
        return {"input": {"id": gid("CarbonLedgerEntry", id), "note": "核查机构名称有误"}}

    before = await counts()
    random_id = uuid.uuid4()
    for intruder in ("institution_without_consent", "other_enterprise", "anonymous"):
        # when the intruder reverses the hidden entry and a random one
        hidden = await as_party(intruder)(document, variables(entry.id))
        missing = await as_party(intruder)(document, variables(random_id))
        # then both are one refusal, and nothing changed
        assert "errors" not in hidden, hidden
        answer = hidden["data"]["reverseCarbonLedgerEntry"]
        assert answer == {
            "__typename": "NotFoundError",
            "code": "NOT_FOUND",
            "field": "id",
            "message": f"CarbonLedgerEntry {entry.id} does not exist",
        }, intruder
        assert _normal(answer, entry.id) == _normal(
            missing["data"]["reverseCarbonLedgerEntry"], random_id
        )
    assert await counts() == before

    # the owner reverses it (positive control)
    body = await as_party("owner")(document, variables(entry.id))
    assert body["data"]["reverseCarbonLedgerEntry"] == {
        "__typename": "CarbonLedgerEntrySuccess",
        "entry": {"amount": "0.000", "note": "核查机构名称有误"},
    }
