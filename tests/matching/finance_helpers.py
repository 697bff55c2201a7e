"""Demand ↔ product matching tests: ask productMatches/demandMatches through GraphQL."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.applications import Starlette

from greenrong.core.db import SessionMaker
from greenrong.indexers.products.document import PRODUCTS
from greenrong.schema.kit.ids import to_global_id
from tests.search.helpers import GQL, index

PRODUCT_MATCHES = """
query ($id: ID!, $first: Int!, $near: Boolean!) {
  node(id: $id) {
    ... on FinancingDemand {
      productMatches(first: $first, includeNearMisses: $near) {
        __typename
        ... on SearchUnavailable { code }
        ... on ProductMatchConnection {
          totalCount
          edges { rank score node { name } reasons { code message weight } }
          nearMisses { rule message score node { name } }
        }
      }
    }
  }
}"""

DEMAND_MATCHES = """
query ($id: ID!, $first: Int!) {
  node(id: $id) {
    ... on FinancialProduct {
      demandMatches(first: $first) {
        totalCount
        edges { rank score node { id } reasons { code message weight } }
      }
    }
  }
}"""


async def index_products(app: Starlette, sessionmaker: SessionMaker) -> None:
    await index(app, sessionmaker, PRODUCTS)


async def product_matches(
    gql: GQL, demand_id: uuid.UUID, *, first: int = 50, near: bool = False
) -> dict[str, Any]:
    body = await gql(
        PRODUCT_MATCHES,
        {"id": to_global_id("FinancingDemand", demand_id), "first": first, "near": near},
    )
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["node"]["productMatches"]
    return result


async def demand_matches(gql: GQL, product_id: uuid.UUID, *, first: int = 50) -> dict[str, Any]:
    body = await gql(
        DEMAND_MATCHES, {"id": to_global_id("FinancialProduct", product_id), "first": first}
    )
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["node"]["demandMatches"]
    return result


def names(result: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in result["edges"]]


def near_misses(result: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {m["node"]["name"]: (m["rule"], m["message"]) for m in result["nearMisses"]}
