"""Row and field visibility: every type, every party, through root lists, node(id:) and nested
lists, with exact outcomes (docs/SECURITY.md)."""

from __future__ import annotations

from typing import Any

import pytest

from greenrong.schema.kit.ids import to_global_id
from tests.access.conftest import PARTIES, World

ALL = set(PARTIES)
SIGNED_IN = ALL - {"anonymous"}
READ_ALL = {"regulator", "admin"}


def titles(body: dict[str, Any], field: str, key: str) -> set[str]:
    assert "errors" not in body or all(
        e["extensions"]["code"] == "FORBIDDEN_NO_CONSENT" for e in body["errors"]
    ), body
    return {edge["node"][key] for edge in body["data"][field]["edges"]}


# (root field, title field, {title: parties that see it})
ROWS = [
    (
        "technologyListings",
        "title",
        {
            "高效污水处理膜技术": ALL,
            "未发布的秸秆气化技术": {"owner"} | READ_ALL,
        },
    ),
    (
        "disclosures",
        "title",
        {
            "2021年度环境信息披露报告": ALL,
            "2022年度环境信息披露报告（草稿）": {"owner", "institution_with_consent"} | READ_ALL,
            "2020年度环境信息披露报告（已撤回）": {"owner"} | READ_ALL,
        },
    ),
    (
        "financingDemands",
        "purpose",
        # institutions see open demands; the purpose itself is consent-gated (null without)
        {"光伏电站建设": {"owner", "institution_with_consent"} | READ_ALL},
    ),
    (
        "projects",
        "title",
        {
            "屋顶分布式光伏项目": {
                "owner",
                "institution_with_consent",
                "institution_without_consent",
            }
            | READ_ALL
        },
    ),
    (
        "financialProducts",
        "name",
        {"碳汇贷": ALL, "停售绿色贷": {"institution_with_consent"} | READ_ALL},
    ),
    ("technologyNeeds", "title", {"垃圾渗滤液处理技术需求": ALL}),
    ("experts", "name", {"张建国": ALL}),
    (
        "enterprises",
        "name",
        {"成都绿能科技有限公司": ALL, "绵阳清源环保有限公司": ALL},
    ),
]


@pytest.mark.parametrize("party", PARTIES)
@pytest.mark.parametrize(("field", "key", "expected"), ROWS, ids=[r[0] for r in ROWS])
async def test_root_lists_show_each_party_exactly_its_rows(
    as_party, world: World, party: str, field: str, key: str, expected: dict[str, set[str]]
) -> None:
    body = await as_party(party)(
        f"{{ {field} {{ totalCount edges {{ node {{ {key} }} }} }} }}", None
    )

    seen = titles(body, field, key)

    visible = {title for title, parties in expected.items() if party in parties}
    if field == "financingDemands" and party == "institution_without_consent":
        assert seen == {None}  # the open demand, without its consent-gated purpose
        assert body["data"][field]["totalCount"] == 1
        return
    assert seen == visible
    assert body["data"][field]["totalCount"] == len(visible)


NODES = [
    (
        "draft_listing",
        "TechnologyListing",
        "... on TechnologyListing { title }",
        {"owner"} | READ_ALL,
    ),
    ("published_listing", "TechnologyListing", "... on TechnologyListing { title }", ALL),
    (
        "draft_disclosure",
        "Disclosure",
        "... on Disclosure { title }",
        {"owner", "institution_with_consent"} | READ_ALL,
    ),
    ("withdrawn_disclosure", "Disclosure", "... on Disclosure { title }", {"owner"} | READ_ALL),
    (
        "demand",
        "FinancingDemand",
        "... on FinancingDemand { amount }",
        {"owner", "institution_with_consent", "institution_without_consent"} | READ_ALL,
    ),
    (
        "project",
        "Project",
        "... on Project { title }",
        {"owner", "institution_with_consent", "institution_without_consent"} | READ_ALL,
    ),
    (
        "inactive_product",
        "FinancialProduct",
        "... on FinancialProduct { name }",
        {"institution_with_consent"} | READ_ALL,
    ),
    (
        "consent",
        "DataConsent",
        "... on DataConsent { scopes }",
        {"owner", "institution_with_consent"} | READ_ALL,
    ),
]


@pytest.mark.parametrize("party", PARTIES)
@pytest.mark.parametrize(
    ("attr", "type_name", "selection", "parties"), NODES, ids=[n[0] for n in NODES]
)
async def test_node_is_null_for_rows_the_party_may_not_see(
    as_party, world: World, party: str, attr: str, type_name: str, selection: str, parties: set[str]
) -> None:
    id = to_global_id(type_name, getattr(world, attr))

    body = await as_party(party)(f'{{ node(id: "{id}") {{ id {selection} }} }}', None)

    assert "errors" not in body, body
    assert (body["data"]["node"] is not None) == (party in parties)


NESTED = """
query($id: ID!) { node(id: $id) { ... on Enterprise {
  projects { totalCount edges { node { title } } }
  financingDemands { totalCount }
  technologyListings { totalCount edges { node { title } } }
  disclosures { totalCount edges { node { title } } }
} } }"""


@pytest.mark.parametrize("party", PARTIES)
async def test_nested_lists_and_their_counts_follow_the_same_rules(
    as_party, world: World, party: str
) -> None:
    body = await as_party(party)(NESTED, {"id": to_global_id("Enterprise", world.owner)})

    owner = body["data"]["node"]
    expected_listings = 2 if party in {"owner"} | READ_ALL else 1
    expected_disclosures = {
        "owner": 3,
        "regulator": 3,
        "admin": 3,
        "institution_with_consent": 2,
    }.get(party, 1)
    expected_projects = 0 if party in {"anonymous", "other_enterprise", "expert"} else 1
    expected_demands = 0 if party in {"anonymous", "other_enterprise", "expert"} else 1
    assert owner["technologyListings"]["totalCount"] == expected_listings
    assert len(owner["technologyListings"]["edges"]) == expected_listings
    assert owner["disclosures"]["totalCount"] == expected_disclosures
    assert len(owner["disclosures"]["edges"]) == expected_disclosures
    assert owner["projects"]["totalCount"] == expected_projects
    assert len(owner["projects"]["edges"]) == expected_projects
    assert owner["financingDemands"]["totalCount"] == expected_demands


CONTACT = """
query($id: ID!) { node(id: $id) { ... on Enterprise { name contactPerson contactPhone } } }"""


@pytest.mark.parametrize(
    ("party", "shown", "error"),
    [
        ("anonymous", False, None),
        ("other_enterprise", False, None),
        ("owner", True, None),
        ("institution_with_consent", True, None),
        ("institution_without_consent", False, "FORBIDDEN_NO_CONSENT"),
        ("expert", False, None),
        ("regulator", True, None),
        ("admin", True, None),
    ],
)
async def test_contact_details_are_private_to_owner_consented_institutions_and_supervisors(
    as_party, world: World, party: str, shown: bool, error: str | None
) -> None:
    body = await as_party(party)(CONTACT, {"id": to_global_id("Enterprise", world.owner)})

    node = body["data"]["node"]
    assert node["name"] == "成都绿能科技有限公司"
    assert (node["contactPerson"], node["contactPhone"]) == (
        ("王芳", "028-85550101") if shown else (None, None)
    )
    codes = [(e["path"][-1], e["extensions"]["code"]) for e in body.get("errors", [])]
    assert codes == ([] if error is None else [("contactPerson", error), ("contactPhone", error)])


@pytest.mark.parametrize(
    ("party", "shown"),
    [(p, p != "anonymous") for p in PARTIES],
)
async def test_expert_contact_is_for_signed_in_callers(
    as_party, world: World, party: str, shown: bool
) -> None:
    body = await as_party(party)("{ experts { edges { node { name contactEmail } } } }", None)

    assert body["data"]["experts"]["edges"] == [
        {"node": {"name": "张建国", "contactEmail": "zhang@scu.edu.cn" if shown else None}}
    ]
    assert "errors" not in body
