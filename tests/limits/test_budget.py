"""The per-caller budget (a token bucket per key) and the queryCost response extension."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import httpx
import pytest

from greenrong.domain.access.principal import Principal, Role
from greenrong.schema.kit.cost import caller_key
from greenrong.schema.kit.ratelimit import Take, TokenBuckets
from tests.limits.conftest import LimitedApp

# 1 + 10 × (edge 1 + node 1) = 21 points
PAGE = "{ enterprises(first: 10) { edges { node { name } } } }"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_starts_full_and_takes_whole_costs() -> None:
    buckets = TokenBuckets(capacity=600, clock=Clock())

    assert buckets.take("a", 400) == Take(allowed=True, remaining=200, retry_after=0)
    # not enough: nothing is taken, and 250 more points take 25 s at 10 points per second
    assert buckets.take("a", 450) == Take(allowed=False, remaining=200, retry_after=25)
    assert buckets.remaining("a") == 200


def test_a_bucket_refills_at_its_budget_per_minute_up_to_its_capacity() -> None:
    clock = Clock()
    buckets = TokenBuckets(capacity=600, clock=clock)
    buckets.take("a", 600)

    clock.now += 2.5
    assert buckets.remaining("a") == 25
    assert buckets.take("a", 30) == Take(allowed=False, remaining=25, retry_after=1)
    clock.now += 0.5
    assert buckets.take("a", 30) == Take(allowed=True, remaining=0, retry_after=0)
    clock.now += 3600
    assert buckets.remaining("a") == 600


def test_keys_have_their_own_buckets_and_the_least_recent_is_forgotten() -> None:
    buckets = TokenBuckets(capacity=100, max_keys=2, clock=Clock())
    buckets.take("a", 100)
    buckets.take("b", 100)
    assert buckets.remaining("a") == 0

    buckets.take("c", 100)  # "a" is the least recently used: forgotten, so full again

    assert (buckets.remaining("a"), buckets.remaining("b"), buckets.remaining("c")) == (100, 0, 0)


def test_bucket_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="capacity"):
        TokenBuckets(capacity=0)
    with pytest.raises(ValueError, match="period"):
        TokenBuckets(capacity=1, period=0)


def test_the_budget_key_is_the_api_key_then_the_token_subject_then_the_ip() -> None:
    key_id = uuid.uuid4()
    request = SimpleNamespace(client=SimpleNamespace(host="198.51.100.4"))

    def key(principal: Principal) -> str:
        return caller_key(principal, request)

    assert key(Principal(Role.PARTNER, key_id=key_id, subject="s")) == f"key:{key_id}"
    assert key(Principal(Role.ENTERPRISE, subject="user-7")) == "sub:user-7"
    assert key(Principal(Role.PUBLIC)) == "ip:198.51.100.4"
    assert caller_key(None, None) == "ip:unknown"


async def test_query_cost_tells_what_was_asked_for_and_what_is_left(limited: LimitedApp) -> None:
    async with limited(max_query_cost=100, query_budget_per_minute=1000) as api:
        body = await api.gql(PAGE)

    assert body["data"] == {"enterprises": {"edges": []}}
    assert body["extensions"] == {
        "queryCost": {"requested": 21, "maximum": 100, "budgetPerMinute": 1000, "remaining": 979}
    }


async def test_a_spent_budget_answers_rate_limited_with_a_retry_after(
    limited: LimitedApp,
) -> None:
    # given a budget of 60 points per minute (1 per second): two pages of 21 leave 18
    async with limited(max_query_cost=60, query_budget_per_minute=60) as api:
        for _ in range(2):
            assert "errors" not in await api.gql(PAGE)
        api.statements.clear()

        # when
        response = await api.post(PAGE)

        # then: refused before execution, with the wait in the body and in the header
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        [error] = body["errors"]
        retry_after = error["extensions"]["retryAfterSeconds"]
        assert retry_after in (3, 4)  # (21 - 18) points at 1 per second, give or take a tick
        assert error["extensions"] == {
            "code": "RATE_LIMITED",
            "cost": 21,
            "remaining": 18,
            "retryAfterSeconds": retry_after,
        }
        assert error["message"] == (
            f"This query costs 21 points and 18 are left of your 60 per minute; "
            f"retry in {retry_after} s."
        )
        assert response.headers["retry-after"] == str(retry_after)
        assert body["extensions"]["queryCost"] == {
            "requested": 21,
            "maximum": 60,
            "budgetPerMinute": 60,
            "remaining": 18,
            "retryAfterSeconds": retry_after,
        }
        assert api.statements == []
        # a free query still runs
        assert (await api.gql("{ __typename }"))["data"] == {"__typename": "Query"}


async def test_a_too_costly_query_spends_nothing(limited: LimitedApp) -> None:
    async with limited(max_query_cost=20, query_budget_per_minute=100) as api:
        refused = await api.gql(PAGE)
        accepted = await api.gql("{ enterprises(first: 2) { edges { node { name } } } }")

    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert refused["extensions"]["queryCost"] == {
        "requested": 21,
        "maximum": 20,
        "budgetPerMinute": 100,
        "remaining": 100,
    }
    assert accepted["extensions"]["queryCost"]["remaining"] == 95


async def test_too_costly_with_the_graphql_response_media_type_is_a_request_error(
    limited: LimitedApp,
) -> None:
    async with limited(max_query_cost=20, query_budget_per_minute=100) as api:
        response = await api.http.post(
            "/graphql",
            json={"query": PAGE},
            headers={"accept": "application/graphql-response+json"},
        )

    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_anonymous_callers_spend_the_budget_of_their_ip(limited: LimitedApp) -> None:
    # given a budget of 30 points per minute, spent by one anonymous IP (21 of 30, then refused)
    async with limited(anonymous=True, max_query_cost=30, query_budget_per_minute=30) as api:
        assert "errors" not in await api.gql(PAGE)
        spent = await api.gql(PAGE)
        transport = httpx.ASGITransport(app=api.app, client=("198.51.100.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            # when another IP asks
            response = await other.post("/graphql", json={"query": PAGE})

    # then it has a full budget of its own
    assert spent["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert response.json()["extensions"]["queryCost"]["remaining"] == 9


async def test_two_apps_in_one_process_share_the_schema_but_no_budget(
    limited: LimitedApp,
) -> None:
    """The schema is built once per process (schema/root.py); each app's limits and budgets
    are its own (schema/kit/limits.py)."""
    async with (
        limited(max_query_cost=60, query_budget_per_minute=60) as first,
        limited(max_query_cost=100, query_budget_per_minute=1000) as second,
    ):
        assert first.app.state.graphql.schema is second.app.state.graphql.schema
        for _ in range(2):
            assert "errors" not in await first.gql(PAGE)
        # the first app's caller has 18 points left and is refused; the same caller on the
        # second app spends from a full budget under that app's own maximum
        refused = await first.gql(PAGE)
        accepted = await second.gql(PAGE)

    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused["extensions"]["queryCost"]["remaining"] == 18
    assert "errors" not in accepted
    assert accepted["extensions"]["queryCost"] == {
        "requested": 21,
        "maximum": 100,
        "budgetPerMinute": 1000,
        "remaining": 979,
    }
