"""CORS for a portal served from another origin: an allow-list (empty by default), with
starlette's CORSMiddleware. An allowed origin's preflight and request work with the
Authorization header; any other origin gets no ``Access-Control-Allow-*`` header."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette

from greenrong.core.config import Settings
from tests.factories.access import auth_headers

PORTAL = "https://portal.lvrongrong.example"
QUERY = {"query": "{ viewer { role } }"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"cors_origins": f"{PORTAL}, http://127.0.0.1:5173"})


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


def _preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


async def test_an_allowed_origin_s_preflight_and_request_work_with_authorization(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    preflight = await http.options("/graphql", headers=_preflight(PORTAL))
    assert preflight.status_code == 200
    allowed = _cors_headers(preflight)
    assert allowed["access-control-allow-origin"] == PORTAL
    assert allowed["access-control-allow-methods"] == "GET, POST"
    assert "authorization" in allowed["access-control-allow-headers"].lower()
    assert allowed["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in allowed

    response = await http.post(
        "/graphql",
        json=QUERY,
        headers={"origin": PORTAL, **auth_headers(settings)},
    )
    assert response.json()["data"] == {"viewer": {"role": "ADMIN"}}
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_another_origin_gets_no_allow_header(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    preflight = await http.options("/graphql", headers=_preflight("https://evil.example"))
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    response = await http.post(
        "/graphql", json=QUERY, headers={"origin": "https://evil.example", **auth_headers(settings)}
    )
    # the server answers (CORS is the browser's rule), but tells the browser nothing it allows
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_no_origin_is_allowed_by_default(tmp_path) -> None:
    from greenrong.app import create_app

    app = create_app(Settings(data_dir=tmp_path, cors_origins=""))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        preflight = await http.options("/graphql", headers=_preflight(PORTAL))
    assert _cors_headers(preflight) == {}


@pytest.mark.parametrize("bad", ["*", "portal.example.cn", "https://portal.example.cn/app"])
def test_an_allow_list_entry_must_be_an_origin(bad: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(cors_origins=bad)
