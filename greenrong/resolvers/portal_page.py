"""The web portal (docs/ARCHITECTURE.md, "The web portal"): a browser client of ``/graphql``.

Its pages are one HTML shell (``static/portal/index.html``) that loads the portal's modules
from ``/static/portal/``; the router in the browser picks the page from the path. This module
serves the shell at each page's path, the hashes of the portal's GraphQL documents
(``/portal/queries.js``, from ``schema/portal.py``) and the reference data the filters offer
(``/portal/reference.json``: regions, industry sections, enum labels), which are static files
of the domain, not rows.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from greenrong.domain.reference.catalog import industry_sections, regions
from greenrong.domain.reference.labels import LABELS, labels_of
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.schema import portal

INDEX = Path(__file__).parents[1] / "static" / "portal" / "index.html"
#: the paths the browser's router knows (static/portal/app.js)
PAGES = (
    "/",
    "/enterprises",
    "/enterprises/{id}",
    "/listings",
    "/listings/{id}",
    "/financing",
)
_NO_CACHE = {"cache-control": "no-cache"}


async def portal_index(_: Request) -> Response:
    return Response(INDEX.read_bytes(), media_type="text/html; charset=utf-8", headers=_NO_CACHE)


@cache
def _queries_js() -> bytes:
    hashes = json.dumps(portal.hashes(), indent=1, sort_keys=True)
    return f"// the portal's persisted queries: name -> sha256\nexport default {hashes};\n".encode()


async def portal_queries(_: Request) -> Response:
    return Response(_queries_js(), media_type="text/javascript", headers=_NO_CACHE)


@cache
def reference() -> dict[str, object]:
    """Regions (province, prefectures, counties), GB/T 4754 sections, and the label of every
    enum value by enum name (``domain/reference/labels.py``)."""
    enums: list[type[StrEnum]] = [*LABELS, GreenCategory]
    return {
        "regions": [
            {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent}
            for r in regions().values()
        ],
        "industries": [{"code": s.code, "name": s.name} for s in industry_sections().values()],
        "labels": {enum.__name__: labels_of(enum) for enum in enums},
    }


async def portal_reference(_: Request) -> Response:
    return JSONResponse(reference(), headers={"cache-control": "public, max-age=3600"})


def routes() -> list[Route]:
    return [
        *(Route(path, portal_index, methods=["GET"]) for path in PAGES),
        Route("/portal/queries.js", portal_queries, methods=["GET"]),
        Route("/portal/reference.json", portal_reference, methods=["GET"]),
    ]
