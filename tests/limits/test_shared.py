"""With a broker (GREENRONG_BROKER_URL), the budgets and the APQ store live in Redis, so two API
processes give a caller one budget and know each other's persisted queries; without one, each
process keeps its own (embedded mode, as before). Two apps on one Redis stand for two
processes here; tests/deployment/test_topology.py does it with real processes."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio

from greenrong.schema.kit.persisted import sha256_hex
from greenrong.schema.kit.ratelimit import RedisBudgets, Take
from tests.limits.conftest import LimitedApp
from tests.pipeline.conftest import redis_url

# 1 + 10 × (edge 1 + node 1) = 21 points
PAGE = "{ enterprises(first: 10) { edges { node { name } } } }"
NAMES = "{ enterprises(first: 1) { totalCount } }"

__all__ = ["redis_url"]


@pytest.mark.timing  # the bucket refills a point a second: a slow request sees one more
async def test_two_processes_give_a_caller_one_budget(limited: LimitedApp, redis_url: str) -> None:
    # given two API processes on one Redis, and a budget of 60 points per minute
    limits = {"broker_url": redis_url, "max_query_cost": 60, "query_budget_per_minute": 60}
    async with limited(**limits) as first, limited(**limits) as second:
        # when one caller spends through both
        spent = [await first.gql(PAGE), await second.gql(PAGE)]
        refused = await first.gql(PAGE)
        refused_too = await second.gql(PAGE)
        # and another caller (anonymous, from its own IP) spends through the second
        async with limited(anonymous=True, **limits) as stranger:
            theirs = await stranger.gql(PAGE)

    # then the two processes took from one bucket: 60 - 21 - 21 = 18 left, too few for 21
    assert [body["extensions"]["queryCost"]["remaining"] for body in spent] == [39, 18]
    for body in (refused, refused_too):
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert body["extensions"]["queryCost"]["remaining"] == 18
    assert theirs["extensions"]["queryCost"]["remaining"] == 39


async def test_without_a_broker_each_process_keeps_its_own_budget(limited: LimitedApp) -> None:
    limits = {"max_query_cost": 60, "query_budget_per_minute": 60}
    async with limited(**limits) as first, limited(**limits) as second:
        spent = [await first.gql(PAGE), await second.gql(PAGE), await first.gql(PAGE)]
    assert [body["extensions"]["queryCost"]["remaining"] for body in spent] == [39, 39, 18]


async def test_a_query_persisted_through_one_process_is_found_through_the_other(
    limited: LimitedApp, redis_url: str
) -> None:
    digest = sha256_hex(NAMES)
    apq = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with (
        limited(broker_url=redis_url) as first,
        limited(broker_url=redis_url) as second,
        limited() as embedded,
    ):
        # given: the hash alone is unknown everywhere at first
        unknown = await second.gql(extensions=apq)
        # when the first process stores the query
        stored = await first.gql(NAMES, extensions=apq)
        # then the second answers the hash alone; a process without Redis does not know it
        found = await second.gql(extensions=apq)
        not_shared = await embedded.gql(extensions=apq)

    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert stored["data"] == {"enterprises": {"totalCount": 0}}
    assert found["data"] == {"enterprises": {"totalCount": 0}}
    assert not_shared["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        assert await client.get(f"greenrong:apq:{digest}") == NAMES.encode()
        assert 7 * 86400 - 10 < await client.ttl(f"greenrong:apq:{digest}") <= 7 * 86400
    finally:
        await client.aclose()


async def test_the_redis_bucket_takes_whole_costs_refills_and_gives_back(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        # given a bucket of 600 points per minute (10 per second)
        budgets = RedisBudgets(client, capacity=600)

        # when / then: as TokenBuckets, on Redis's clock
        assert await budgets.take("甲", 400) == Take(allowed=True, remaining=200, retry_after=0)
        short = await budgets.take("甲", 450)
        assert short.allowed is False
        assert short.remaining in (200, 201)  # a tick of refill between the two calls
        assert short.retry_after == 25  # 250 points short (give or take a tick) at 10 a second
        await budgets.give_back("甲", 1000)  # never above the capacity
        assert await budgets.remaining("甲") == 600
        await budgets.take("乙", 600)
        await asyncio.sleep(0.25)
        assert await budgets.remaining("乙") in (2, 3)
        ttl = await client.pttl("greenrong:budget:甲")
        assert 60_000 < ttl <= 61_000
    finally:
        await client.aclose()


async def test_a_redis_that_does_not_answer_lets_requests_through() -> None:
    # a port nobody listens on
    client = redis.asyncio.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        budgets = RedisBudgets(client, capacity=60)
        taken = await budgets.take("甲", 21)
    finally:
        await client.aclose()
    assert taken == Take(allowed=True, remaining=60, retry_after=0)
