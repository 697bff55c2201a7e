"""Who may write what: every mutation against every party. A denied write answers a typed
ForbiddenError and changes nothing: no row, no change event, no audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from greenrong.core.db import SessionMaker
from greenrong.core.errors import Forbidden, NotFound
from greenrong.domain.access import policy
from greenrong.domain.access.guard import bind_actor
from greenrong.domain.access.models import DataConsent
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.disclosure.models import Disclosure
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert
from greenrong.domain.finance.models import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.domain.outbox.models import Operation
from greenrong.domain.projects.models import Project
from greenrong.domain.projects.service import update_project
from greenrong.domain.technology.models import TechnologyListing, TechnologyNeed
from greenrong.schema.kit.ids import to_global_id
from tests.access.conftest import PARTIES, World, counts
from tests.factories.entities import credit_code

ADMIN = {"admin"}
OWNER = {"owner", "admin"}
BANK = {"institution_with_consent", "admin"}  # the bank owns the product and the institution


def gid(type_name: str, id: Any) -> str:
    return to_global_id(type_name, id)


# (mutation, input type, model, input(world), parties allowed)
MUTATIONS: list[tuple[str, str, type[Any], Callable[[World], dict[str, Any]], set[str]]] = [
    (
        "createEnterprise",
        "CreateEnterpriseInput",
        Enterprise,
        lambda w: {
            "name": "德阳低碳装备有限公司",
            "creditCode": credit_code("510603"),
            "regionCode": "510603",
            "industrySection": "C",
            "industryDivision": "34",
            "size": "MEDIUM",
            "greenCategory": "ENERGY_SAVING_ENVIRONMENTAL",
        },
        ADMIN,
    ),
    (
        "updateEnterprise",
        "UpdateEnterpriseInput",
        Enterprise,
        lambda w: {"id": gid("Enterprise", w.owner), "version": 1, "description": "专注光伏运维"},
        OWNER,
    ),
    (
        "createProject",
        "CreateProjectInput",
        Project,
        lambda w: {
            "enterpriseId": gid("Enterprise", w.owner),
            "title": "园区储能项目",
            "greenCategory": "CLEAN_ENERGY",
            "totalInvestment": "3000000.00",
            "regionCode": "510104",
        },
        OWNER,
    ),
    (
        "updateProject",
        "UpdateProjectInput",
        Project,
        lambda w: {"id": gid("Project", w.project), "version": 1, "title": "屋顶光伏二期"},
        OWNER,
    ),
    (
        "createFinancialInstitution",
        "CreateInstitutionInput",
        FinancialInstitution,
        lambda w: {"name": "乐山商业银行", "kind": "BANK", "regionCode": "511100"},
        ADMIN,
    ),
    (
        "updateFinancialInstitution",
        "UpdateInstitutionInput",
        FinancialInstitution,
        lambda w: {
            "id": gid("FinancialInstitution", w.bank),
            "version": 1,
            "description": "绿色金融事业部",
        },
        BANK,
    ),
    (
        "createFinancialProduct",
        "CreateProductInput",
        FinancialProduct,
        lambda w: {
            "institutionId": gid("FinancialInstitution", w.bank),
            "name": "光伏贷",
            "kind": "LOAN",
            "minAmount": "100000.00",
            "maxAmount": "9000000.00",
            "minTermMonths": 12,
            "maxTermMonths": 60,
            "minRate": "0.0350",
            "maxRate": "0.0450",
        },
        BANK,
    ),
    (
        "updateFinancialProduct",
        "UpdateProductInput",
        FinancialProduct,
        lambda w: {"id": gid("FinancialProduct", w.product), "version": 1, "name": "碳汇贷二号"},
        BANK,
    ),
    (
        "createFinancingDemand",
        "CreateDemandInput",
        FinancingDemand,
        lambda w: {
            "enterpriseId": gid("Enterprise", w.owner),
            "amount": "2000000.00",
            "termMonths": 24,
            "purpose": "购置节能设备",
        },
        OWNER,
    ),
    (
        "updateFinancingDemand",
        "UpdateDemandInput",
        FinancingDemand,
        lambda w: {"id": gid("FinancingDemand", w.demand), "version": 1, "purpose": "电站扩建"},
        OWNER,
    ),
    (
        "createExpert",
        "CreateExpertInput",
        Expert,
        lambda w: {
            "name": "刘晓燕",
            "field": "碳资产管理",
            "title": "SENIOR_ENGINEER",
            "affiliation": "西南交通大学",
            "regionCode": "510107",
        },
        ADMIN,
    ),
    (
        "updateExpert",
        "UpdateExpertInput",
        Expert,
        lambda w: {"id": gid("Expert", w.expert), "version": 1, "bio": "从事环境工程研究三十年"},
        {"expert", "admin"},
    ),
    (
        "createTechnologyListing",
        "CreateListingInput",
        TechnologyListing,
        lambda w: {
            "ownerEnterpriseId": gid("Enterprise", w.owner),
            "title": "光伏板清洗机器人",
            "domain": "CLEAN_ENERGY",
            "maturity": 6,
            "tradeMode": "LICENCE",
            "regionCode": "510104",
        },
        OWNER,
    ),
    (
        "updateTechnologyListing",
        "UpdateListingInput",
        TechnologyListing,
        lambda w: {
            "id": gid("TechnologyListing", w.published_listing),
            "version": 1,
            "title": "高效污水处理膜技术（第二代）",
        },
        OWNER,
    ),
    (
        "createTechnologyNeed",
        "CreateNeedInput",
        TechnologyNeed,
        lambda w: {
            "enterpriseId": gid("Enterprise", w.owner),
            "title": "余热回收技术需求",
            "domain": "ENERGY_SAVING",
            "regionCode": "510104",
        },
        OWNER,
    ),
    (
        "updateTechnologyNeed",
        "UpdateNeedInput",
        TechnologyNeed,
        lambda w: {"id": gid("TechnologyNeed", w.need), "version": 1, "title": "渗滤液处理需求"},
        OWNER,
    ),
    (
        "createDisclosure",
        "CreateDisclosureInput",
        Disclosure,
        lambda w: {
            "subjectEnterpriseId": gid("Enterprise", w.owner),
            "kind": "ENTERPRISE_ENVIRONMENTAL",
            "year": 2023,
            "title": "2023年度环境信息披露报告",
        },
        OWNER,
    ),
    (
        "updateDisclosure",
        "UpdateDisclosureInput",
        Disclosure,
        lambda w: {"id": gid("Disclosure", w.draft_disclosure), "version": 1, "title": "修订稿"},
        OWNER,
    ),
    (
        "grantDataConsent",
        "GrantDataConsentInput",
        DataConsent,
        lambda w: {
            "enterpriseId": gid("Enterprise", w.owner),
            "institutionId": gid("FinancialInstitution", w.other_bank),
            "scope": ["DISCLOSURE_DRAFTS"],
            "expiresAt": (datetime.now(UTC) + timedelta(days=90)).isoformat(),
        },
        OWNER,
    ),
    (
        "revokeDataConsent",
        "RevokeDataConsentInput",
        DataConsent,
        lambda w: {"id": gid("DataConsent", w.consent), "version": 1},
        OWNER,
    ),
]


@pytest.mark.parametrize("party", PARTIES)
@pytest.mark.parametrize(
    ("mutation", "input_type", "model", "make_input", "allowed"),
    MUTATIONS,
    ids=[m[0] for m in MUTATIONS],
)
async def test_each_mutation_is_allowed_exactly_for_its_parties(
    as_party,
    world: World,
    sessionmaker: SessionMaker,
    party: str,
    mutation: str,
    input_type: str,
    model: type[Any],
    make_input: Callable[[World], dict[str, Any]],
    allowed: set[str],
) -> None:
    before = await counts(sessionmaker, model)
    query = f"""mutation($input: {input_type}!) {{ {mutation}(input: $input) {{
        __typename ... on ForbiddenError {{ code field message }}
        ... on NotFoundError {{ code field message }}
        ... on ValidationError {{ message }} }} }}"""
    given = make_input(world)
    # a row the party cannot read answers like a missing one (docs/SECURITY.md, Writes)
    hidden = False
    if "id" in given:
        seen = await as_party(party)(
            "query($id: ID!) { node(id: $id) { id } }", {"id": given["id"]}
        )
        hidden = seen["data"]["node"] is None

    body = await as_party(party)(query, {"input": given})

    assert body.get("data"), body
    payload = body["data"][mutation]
    if party in allowed:
        assert payload["__typename"].endswith("Success"), payload
        after = await counts(sessionmaker, model)
        created = 1 if mutation.startswith(("create", "grant")) else 0
        assert after == (before[0] + created, before[1] + 1, before[2] + 1)
    elif hidden:
        assert payload["__typename"] == "NotFoundError", payload
        assert payload["code"] == "NOT_FOUND"
        assert payload["field"] == "id"
        assert await counts(sessionmaker, model) == before
    else:
        assert payload["__typename"] == "ForbiddenError", payload
        assert payload["code"] == "FORBIDDEN"
        assert payload["field"] == ""
        assert await counts(sessionmaker, model) == before


REGULATOR_CASES = [
    # a regulator certifies and curates libraries, and nothing else
    (
        "updateEnterprise",
        "UpdateEnterpriseInput",
        lambda w: {
            "id": gid("Enterprise", w.owner),
            "version": 1,
            "greenLevel": "DEEP_GREEN",
            "greenLevelValidUntil": "2027-06-30",
        },
        "EnterpriseSuccess",
    ),
    (
        "updateProject",
        "UpdateProjectInput",
        lambda w: {"id": gid("Project", w.project), "version": 1, "libraries": ["GREEN_PROJECT"]},
        # allowed to the regulator, but libraries follow memberships (admitToLibrary): INVALID
        "ValidationError",
    ),
    (
        "updateProject",
        "UpdateProjectInput",
        lambda w: {
            "id": gid("Project", w.project),
            "version": 1,
            "libraries": ["GREEN_PROJECT"],
            "title": "改名",
        },
        "ForbiddenError",
    ),
]


@pytest.mark.parametrize(("mutation", "input_type", "make_input", "outcome"), REGULATOR_CASES)
async def test_regulators_write_only_certifications_and_library_membership(
    as_party, world: World, mutation: str, input_type: str, make_input: Any, outcome: str
) -> None:
    query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ __typename }} }}"

    body = await as_party("regulator")(query, {"input": make_input(world)})

    assert body["data"][mutation]["__typename"] == outcome


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({"greenLevel": "DEEP_GREEN", "greenLevelValidUntil": "2027-06-30"}, "ForbiddenError"),
        ({"name": "成都绿能科技股份有限公司"}, "EnterpriseSuccess"),
    ],
)
async def test_an_enterprise_cannot_certify_itself(
    as_party, world: World, changes: dict[str, str], outcome: str
) -> None:
    query = """mutation($input: UpdateEnterpriseInput!) {
        updateEnterprise(input: $input) { __typename } }"""
    body = await as_party("owner")(
        query, {"input": {"id": gid("Enterprise", world.owner), "version": 1, **changes}}
    )

    assert body["data"]["updateEnterprise"]["__typename"] == outcome


def test_an_owner_can_neither_give_a_row_away_nor_take_one() -> None:
    owner, other = uuid.uuid4(), uuid.uuid4()
    enterprise = Principal(role=Role.ENTERPRISE, org_id=owner, subject="王芳")

    def update(before: uuid.UUID, after: uuid.UUID) -> None:
        policy.authorize_write(
            enterprise,
            "TechnologyNeed",
            Operation.UPDATE,
            before={"enterprise_id": before, "title": "余热回收"},
            after={"enterprise_id": after, "title": "余热回收"},
        )

    update(owner, owner)
    with pytest.raises(Forbidden, match="it is not yours"):
        update(owner, other)
    with pytest.raises(Forbidden, match="it is not yours"):
        update(other, owner)


async def test_a_denied_service_write_inside_a_request_rolls_back_with_nothing_written(
    sessionmaker: SessionMaker, world: World
) -> None:
    before = await counts(sessionmaker, Project)
    intruder = Principal(role=Role.ENTERPRISE, org_id=world.other, subject="李强")

    async def write() -> None:
        async with sessionmaker.begin() as session:
            bind_actor(session, intruder, "req-1")
            await update_project(
                session, id=world.project, version=1, changes={"title": "被篡改的项目"}
            )

    with pytest.raises(NotFound):  # another enterprise's project: hidden, so missing
        await write()

    assert await counts(sessionmaker, Project) == before
    async with sessionmaker() as session:
        assert (await session.get(Project, world.project)).title == "屋顶分布式光伏项目"
