"""A document that copies a parent's fields follows the parent's changes."""

from __future__ import annotations

from greenrong.core.search import SearchEngine
from greenrong.indexers.kit.spec import DEPENDENT_VERSION_SCALE
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.kit.verify import verify
from greenrong.indexers.products.document import PRODUCTS
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_institution, create_product
from tests.pipeline.conftest import eventually

RENAME = """
mutation($i: UpdateInstitutionInput!) { updateFinancialInstitution(input: $i) { __typename } }"""


async def test_renaming_an_institution_reindexes_its_products(app, gql, sessionmaker) -> None:
    # given a product indexed with its institution's name
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, name="四川银行")
        product = await create_product(session, institution_id=bank.id, name="碳汇贷")
    engine: SearchEngine = app.state.resources.search
    alias = engine.alias("products")

    async def source() -> dict | None:
        found = await engine.client.get(index=alias, id=str(product.id), ignore=[404])
        return found["_source"] if found.get("found") else None

    await rebuild(app.state.resources.search, sessionmaker, PRODUCTS)
    assert (await source())["institution_name"] == "四川银行"

    # when the institution is renamed (the product itself does not change)
    body = await gql(
        RENAME,
        {
            "i": {
                "id": to_global_id("FinancialInstitution", bank.id),
                "version": 1,
                "name": "四川银行股份有限公司",
            }
        },
    )
    assert body["data"]["updateFinancialInstitution"]["__typename"] == "FinancialInstitutionSuccess"

    # then the product's document follows, with a combined version, and verify sees no drift
    async def renamed() -> dict | None:
        current = await source()
        return (
            current if current and current["institution_name"] == "四川银行股份有限公司" else None
        )

    document = await eventually(renamed, what="the product document to follow the rename")
    assert document["version"] == 1 * DEPENDENT_VERSION_SCALE + 2
    drift = await verify(engine, sessionmaker, PRODUCTS)
    assert (drift.missing, drift.extra, drift.stale) == ([], [], [])
