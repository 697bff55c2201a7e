"""Automatic persisted queries (Apollo APQ, version 1) and the per-role allow-list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greenrong.domain.access.principal import Role
from greenrong.schema.kit.persisted import AllowList, QueryStore, load_allowlist, sha256_hex
from tests.limits.conftest import Limited, LimitedApp

QUERY = "{ enterprises(first: 2) { totalCount } }"
HASH = sha256_hex(QUERY)
OTHER = "{ projects(first: 2) { totalCount } }"


def persisted(digest: str = HASH, version: int = 1) -> dict[str, object]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


NOT_FOUND = {
    "data": None,
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ],
}


def test_the_hash_is_the_sha256_of_the_utf8_text() -> None:
    assert sha256_hex("{ __typename }") == (
        "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
    )


async def test_an_unknown_hash_alone_answers_persisted_query_not_found(api: Limited) -> None:
    body = await api.gql(extensions=persisted())

    assert body == NOT_FOUND
    assert api.statements == []


async def test_query_and_hash_run_and_store_then_the_hash_alone_runs(api: Limited) -> None:
    # given the client's second try: the query with its hash
    first = await api.gql(QUERY, extensions=persisted())
    assert first["data"] == {"enterprises": {"totalCount": 0}}

    # when it sends the hash alone, by POST and by GET
    by_post = await api.gql(extensions=persisted())
    response = await api.get(extensions=json.dumps(persisted()))

    # then the stored query runs
    assert by_post["data"] == {"enterprises": {"totalCount": 0}}
    assert response.status_code == 200
    assert response.json()["data"] == {"enterprises": {"totalCount": 0}}


async def test_the_apollo_round_trip_over_get(api: Limited) -> None:
    params = {"extensions": json.dumps(persisted())}

    missing = await api.get(**params)
    registered = await api.get(query=QUERY, **params)
    cached = await api.get(**params)

    assert missing.json() == NOT_FOUND
    assert registered.json()["data"] == cached.json()["data"] == {"enterprises": {"totalCount": 0}}


async def test_a_hash_that_does_not_match_the_query_is_refused_and_not_stored(
    api: Limited,
) -> None:
    body = await api.gql(OTHER, extensions=persisted())

    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_HASH_MISMATCH"}
    assert api.statements == []
    assert await api.gql(extensions=persisted()) == NOT_FOUND


async def test_a_query_that_does_not_validate_is_not_stored(api: Limited) -> None:
    broken = "{ enterprises { nosuchfield } }"

    body = await api.gql(broken, extensions=persisted(sha256_hex(broken)))

    assert body["errors"][0]["message"] == (
        "Cannot query field 'nosuchfield' on type 'EnterpriseConnection'."
    )
    assert await api.gql(extensions=persisted(sha256_hex(broken))) == NOT_FOUND


@pytest.mark.parametrize(
    "extension",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": HASH}},
        {"persistedQuery": {"version": 1, "sha256Hash": "abc"}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": "yes"},
    ],
)
async def test_a_malformed_persisted_query_extension_is_refused(
    api: Limited, extension: dict[str, object]
) -> None:
    body = await api.gql(QUERY, extensions=extension)

    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_SUPPORTED"}


async def test_a_persisted_mutation_is_refused_over_get(api: Limited) -> None:
    mutation = 'mutation { createEnterprise(input: {name: ""}) { __typename } }'
    digest = sha256_hex(mutation)

    response = await api.get(query=mutation, extensions=json.dumps(persisted(digest)))
    hash_only = await api.get(extensions=json.dumps(persisted(digest)))

    assert response.status_code == 400
    assert response.json() == {  # a GraphQL error body (schema/view.py), not plain text
        "errors": [
            {
                "message": "mutations are not allowed when using GET",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert hash_only.json() == NOT_FOUND
    assert api.statements == []


def test_the_store_keeps_the_most_recently_used_queries() -> None:
    store = QueryStore(max_size=2)
    store.put("a", "{ a }")
    store.put("b", "{ b }")
    assert store.get("a") == "{ a }"

    store.put("c", "{ c }")  # "b" is the least recently used

    assert (store.get("a"), store.get("b"), store.get("c"), len(store)) == (
        "{ a }",
        None,
        "{ c }",
        2,
    )


# --- the allow-list ------------------------------------------------------------------------


def write_allowlist(tmp_path: Path, content: object) -> str:
    path = tmp_path / "allowlist.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return str(path)


async def test_with_an_allow_list_ad_hoc_queries_are_refused(
    limited: LimitedApp, tmp_path: Path
) -> None:
    allowlist = write_allowlist(tmp_path, {"PUBLIC": [HASH]})
    async with limited(anonymous=True, persisted_query_allowlist=allowlist) as api:
        body = await api.gql(QUERY)

        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
        assert body["errors"][0]["message"] == (
            "Only persisted queries of the allow-list run here: send "
            "extensions.persistedQuery.sha256Hash."
        )
        assert api.statements == []


async def test_with_an_allow_list_the_roles_persisted_queries_run(
    limited: LimitedApp, tmp_path: Path
) -> None:
    public = "query Public { __typename }"
    allowlist = write_allowlist(tmp_path, {"PUBLIC": [sha256_hex(public)], "ADMIN": [HASH]})
    async with limited(anonymous=True, persisted_query_allowlist=allowlist) as api:
        unknown = await api.gql(extensions=persisted(sha256_hex(public)))
        registered = await api.gql(public, extensions=persisted(sha256_hex(public)))
        cached = await api.gql(extensions=persisted(sha256_hex(public)))
        other_role = await api.gql(QUERY, extensions=persisted())
    async with limited(persisted_query_allowlist=allowlist) as api:
        admin = await api.gql(QUERY, extensions=persisted())

    assert unknown == NOT_FOUND
    assert registered["data"] == cached["data"] == {"__typename": "Query"}
    assert admin["data"] == {"enterprises": {"totalCount": 0}}
    assert other_role["data"] is None
    assert other_role["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
    assert other_role["errors"][0]["message"] == (
        f"The persisted query {HASH} is not on the allow-list of role PUBLIC."
    )


def test_the_allow_list_is_per_role(tmp_path: Path) -> None:
    allowlist = load_allowlist(
        Path(write_allowlist(tmp_path, {"PUBLIC": [HASH], "REGULATOR": [HASH, "f" * 64]}))
    )

    assert allowlist == AllowList(
        {Role.PUBLIC: frozenset({HASH}), Role.REGULATOR: frozenset({HASH, "f" * 64})}
    )
    assert allowlist.permits(Role.REGULATOR, "f" * 64)
    assert not allowlist.permits(Role.PUBLIC, "f" * 64)
    assert not allowlist.permits(Role.ADMIN, HASH)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ([HASH], "expected an object of role -> hashes"),
        ({"ROOT": [HASH]}, "unknown role 'ROOT'"),
        ({"PUBLIC": HASH}, "PUBLIC must list sha256 hashes"),
        ({"PUBLIC": [HASH.upper()]}, "PUBLIC must list sha256 hashes"),
    ],
)
def test_a_bad_allow_list_stops_the_start(tmp_path: Path, content: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        load_allowlist(Path(write_allowlist(tmp_path, content)))


def test_a_missing_allow_list_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="No such file"):
        load_allowlist(tmp_path / "missing.json")
