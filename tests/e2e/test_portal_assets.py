"""The web portal's files and routes: the vendored libraries are the bytes SOURCES.md lists, the
pages reference no other host, every page path serves the shell, the portal's GraphQL documents
are valid and known to the server from start-up (a hash alone runs, under an allow-list too),
and the reference data the filters offer."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import httpx
from click.testing import CliRunner
from graphql import parse, validate

from greenrong.app import create_app
from greenrong.cli import main
from greenrong.core.config import Settings
from greenrong.schema import portal
from greenrong.schema.kit.persisted import sha256_hex
from greenrong.schema.root import schema

PORTAL = Path(portal.__file__).parents[1] / "static" / "portal"
VENDOR = PORTAL / "vendor"
PAGES = [
    "/",
    "/enterprises",
    "/enterprises/RW50ZXJwcmlzZTox",
    "/listings",
    "/listings/x",
    "/financing",
]


def _sha384(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def test_each_vendored_file_is_the_one_sources_md_lists() -> None:
    rows = re.findall(
        r"^\| (\S+) \| (\S+) \| `([^`]+)` \| \S+ \| `(sha384-[^`]+)` \|$",
        (VENDOR / "SOURCES.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    listed = {VENDOR / f"{name}@{version}" / path: digest for name, version, path, digest in rows}
    vendored = {p for p in VENDOR.rglob("*") if p.suffix in (".js", ".mjs")}
    assert set(listed) == vendored
    assert len(listed) == 4
    for path, digest in listed.items():
        assert _sha384(path) == digest, path
    # the one script the portal adds by hand is checked by the browser against the same hash
    chart = VENDOR / "chart.js@4.6.2" / "dist" / "chart.umd.min.js"
    assert f"'{listed[chart]}'" in (PORTAL / "charts.js").read_text(encoding="utf-8")


def test_the_portal_references_only_its_own_files() -> None:
    sources = [PORTAL / "index.html", *PORTAL.glob("*.js"), *PORTAL.glob("pages/*.js")]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert not re.findall(r"https?://", text), source
    index = (PORTAL / "index.html").read_text(encoding="utf-8")
    imports = json.loads(re.search(r'<script type="importmap">(.*?)</script>', index, re.S)[1])
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', index)
    assert len(preloaded) == 11
    for served in [*imports["imports"].values(), *preloaded]:
        assert (PORTAL.parent / served.removeprefix("/static/")).is_file(), served


async def test_every_page_path_serves_the_shell(anonymous_client: httpx.AsyncClient) -> None:
    for path in PAGES:
        response = await anonymous_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert '<script type="module" src="/static/portal/app.js">' in response.text
    assert (await anonymous_client.get("/enterprises/a/b")).status_code == 404


async def test_the_browser_learns_the_hash_of_each_document(
    anonymous_client: httpx.AsyncClient,
) -> None:
    response = await anonymous_client.get("/portal/queries.js")

    assert response.headers["content-type"].startswith("text/javascript")
    exported = json.loads(response.text.split("export default ", 1)[1].rstrip(";\n"))
    files = sorted((PORTAL / "queries").glob("*.graphql"))
    assert exported == {f.stem: sha256_hex(f.read_text(encoding="utf-8")) for f in files}
    assert "HomePage" in exported
    assert "EnterpriseDirectory" in exported


def test_each_document_is_one_valid_operation_named_as_its_file() -> None:
    for name, text in portal.documents().items():
        document = parse(text)
        assert validate(schema._schema, document) == [], name
        operations = [d for d in document.definitions if d.kind == "operation_definition"]
        assert [op.name.value for op in operations] == [name]


async def test_a_hash_alone_runs_a_portal_view_under_the_allow_list(
    settings: Settings, tmp_path: Path
) -> None:
    # given a deployment that runs only the allow-listed documents
    allowlist = tmp_path / "allowlist.json"
    result = CliRunner().invoke(main, ["portal", "allowlist", "--output", str(allowlist)])
    assert result.exit_code == 0, result.output
    assert json.loads(allowlist.read_text()) == portal.allowlist()
    app = create_app(settings.model_copy(update={"persisted_query_allowlist": str(allowlist)}))
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": portal.hashes()["HomePage"]}}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            # when the browser sends the hash of a portal view, never its text
            view = await http.get(
                "/graphql",
                params={"operationName": "HomePage", "extensions": json.dumps(extensions)},
            )
            # and someone sends a query of their own
            adhoc = await http.post("/graphql", json={"query": "{ viewer { role } }"})

    # then the view answers on its first request, and the ad-hoc query is refused
    assert view.status_code == 200
    assert view.json()["data"]["platformStatistics"]["enterpriseCount"] == 0
    assert adhoc.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_the_reference_data_of_the_filters(anonymous_client: httpx.AsyncClient) -> None:
    response = await anonymous_client.get("/portal/reference.json")

    assert response.headers["cache-control"] == "public, max-age=3600"
    data = response.json()
    chengdu = [r["name"] for r in data["regions"] if r["parent"] == "510100"]
    assert len(chengdu) == 20
    assert chengdu[:3] == ["锦江区", "青羊区", "金牛区"]
    assert len([r for r in data["regions"] if r["level"] == "prefecture"]) == 21
    assert data["industries"][2] == {"code": "C", "name": "制造业"}
    assert data["labels"]["GreenLevel"] == {
        "NONE": "无等级",
        "GREEN": "绿",
        "DEEP_GREEN": "深绿",
        "EXCELLENT_GREEN": "优绿",
    }
    assert data["labels"]["GreenCategory"]["CLEAN_ENERGY"] == "清洁能源"
