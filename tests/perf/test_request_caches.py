"""The per-request caches give the answers the uncached path gives: verified tokens until they
expire (domain/access/identity.py), operation costs by document and integer variables
(schema/kit/cost.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt
import pytest

from greenrong.core.config import Settings
from greenrong.core.errors import Unauthenticated
from greenrong.core.lru import LRU
from greenrong.domain.access.identity import VerifiedTokens
from greenrong.domain.access.principal import Principal, Role
from greenrong.schema.kit.cost import OperationCosts, TooDeep, cost_key

VIEWER = "{ viewer { role subject } }"


def _token(settings: Settings, exp: float, sub: str = "李强") -> str:
    claims = {"sub": sub, "role": "REGULATOR", "exp": int(exp)}
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def test_a_verified_token_is_remembered_until_its_expiry_plus_the_leeway(
    settings: Settings,
) -> None:
    # given: a token valid for 100 s, verified once
    now = [time.time()]
    tokens = VerifiedTokens(clock=lambda: now[0])
    exp = int(now[0]) + 100
    token = _token(settings, exp)
    first = tokens.verify(settings, token)
    assert first == Principal(role=Role.REGULATOR, org_id=None, subject="李强")

    # then: remembered (the same object, no second check) until exp + 30 s, not at it
    now[0] = exp + 29.9
    assert tokens.get(token) is first
    assert tokens.verify(settings, token) is first
    now[0] = exp + 30
    assert tokens.get(token) is None


def test_refused_tokens_are_not_remembered(settings: Settings) -> None:
    tokens = VerifiedTokens()
    token = _token(settings, time.time() - 3600)

    for _ in range(2):
        with pytest.raises(Unauthenticated, match="the token expired"):
            tokens.verify(settings, token)
    assert tokens.get(token) is None


def test_the_token_cache_is_bounded(settings: Settings) -> None:
    tokens = VerifiedTokens(maxsize=2)
    exp = time.time() + 600
    a, b, c = (_token(settings, exp, sub) for sub in ("甲", "乙", "丙"))
    for token in (a, b, c):
        tokens.verify(settings, token)

    assert tokens.get(a) is None  # the least recently used went first
    assert tokens.get(b) is not None
    assert tokens.get(c) is not None


async def test_a_token_accepted_before_is_refused_once_it_expires(
    anonymous_client: httpx.AsyncClient, settings: Settings
) -> None:
    # given: a token 29 s past its exp, still inside the 30 s leeway, accepted (and remembered)
    token = _token(settings, time.time() - 29)
    headers = {"authorization": f"Bearer {token}"}
    accepted = await anonymous_client.post("/graphql", json={"query": VIEWER}, headers=headers)
    assert accepted.status_code == 200
    assert accepted.json()["data"]["viewer"] == {"role": "REGULATOR", "subject": "李强"}

    # when: the leeway runs out
    await asyncio.sleep(1.2)
    refused = await anonymous_client.post("/graphql", json={"query": VIEWER}, headers=headers)

    # then
    assert refused.status_code == 401
    assert refused.json() == {
        "errors": [{"message": "the token expired", "extensions": {"code": "UNAUTHENTICATED"}}]
    }


def test_a_cost_key_keeps_only_the_integer_variables() -> None:
    variables: dict[str, Any] = {"first": 20, "name": "环保", "flag": True, "last": None}

    assert cost_key("query Q { x }", "Q", variables) == ("query Q { x }", "Q", (("first", 20),))
    assert cost_key("query Q { x }", "Q", {"first": 20, "name": "光伏"}) == cost_key(
        "query Q { x }", "Q", variables
    )
    assert cost_key("query Q { x }", "Q", {"first": 21}) != cost_key(
        "query Q { x }", "Q", variables
    )


def test_costs_are_computed_once_per_key_and_too_deep_is_remembered() -> None:
    costs = OperationCosts(maxsize=2)
    calls: list[str] = []

    def priced(name: str, value: int) -> Any:
        def compute() -> int:
            calls.append(name)
            return value

        return compute

    def too_deep() -> int:
        calls.append("deep")
        raise TooDeep

    a, b = cost_key("{ a }", None, {}), cost_key("{ b }", None, {})
    assert costs.price(a, priced("a", 7)) == 7
    assert costs.price(a, priced("a", 99)) == 7
    for _ in range(2):
        with pytest.raises(TooDeep):
            costs.price(b, too_deep)
    assert calls == ["a", "deep"]


async def test_a_repeated_view_is_priced_by_its_page_size_each_time(
    gql: Any,
) -> None:
    view = "query($n: Int!) { enterprises(first: $n) { edges { node { name } } } }"

    first = await gql(view, {"n": 5})
    again = await gql(view, {"n": 5})
    larger = await gql(view, {"n": 6})

    costs = [body["extensions"]["queryCost"] for body in (first, again, larger)]
    assert [cost["requested"] for cost in costs] == [11, 11, 13]  # 1 + n × (edge + node)


def test_the_one_lru_forgets_the_least_recently_used_first() -> None:
    cache: LRU[str, int | None] = LRU(2)
    cache.put("甲", 1)
    cache.put("乙", None)
    assert cache.get("甲") == 1  # now 乙 is the least recently used
    assert (cache.peek("乙"), "乙" in cache) == (None, True)  # a kept None; peeking uses nothing
    cache.put("丙", 3)
    assert ("甲" in cache, "乙" in cache, "丙" in cache, len(cache)) == (True, False, True, 2)
    assert cache.pop("甲") == 1
    assert cache.pop("甲") is None
    assert len(cache) == 1
    with pytest.raises(ValueError, match="maxsize"):
        LRU(0)
