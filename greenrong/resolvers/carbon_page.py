"""``GET /reports/carbon/{enterprise_id}/{year}``: the carbon report page, rendered on the
server from ``domain/carbon/report.py`` (the model behind the PDF and ``carbonReport`` too).

The same credentials as ``/graphql`` (a bearer API key or token; bad ones answer 401) and the
same rules as the carbon account: the enterprise itself or an admin; an institution under a
valid CARBON_LEDGER consent (403 otherwise); anyone else 403.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from greenrong.core.errors import Forbidden, NotFound, Unauthenticated
from greenrong.core.logging import request_id_var
from greenrong.domain.access.guard import bind_actor
from greenrong.domain.access.identity import authenticate
from greenrong.domain.carbon.report import carbon_report
from greenrong.domain.carbon.report_html import render_html
from greenrong.schema.view import unauthenticated_response

PATH = "/reports/carbon/{enterprise_id:uuid}/{year:int}"


def page_path(enterprise_id: object, year: int) -> str:
    """The page's path on the API's origin."""
    return f"/reports/carbon/{enterprise_id}/{year}"


def _refusal(status: int, message: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><p>{message}</p></html>',
        status_code=status,
    )


async def carbon_report_page(request: Request) -> Response:
    resources = request.app.state.resources
    try:
        principal = await authenticate(
            resources.settings, resources.sessionmaker, request.headers.get("authorization")
        )
    except Unauthenticated as error:
        return unauthenticated_response(error)
    async with resources.sessionmaker() as session:
        bind_actor(session, principal, request_id_var.get())
        try:
            report = await carbon_report(
                session,
                enterprise_id=request.path_params["enterprise_id"],
                year=request.path_params["year"],
            )
        except NotFound:
            return _refusal(404, "没有这家企业 / no such enterprise")
        except Forbidden as error:
            return _refusal(403, "无权查看：" + error.code.value)
    return HTMLResponse(
        render_html(report),
        headers={"cache-control": "private, no-store", "content-security-policy": _CSP},
    )


#: the page needs nothing from anywhere: no script, no external style, font or image
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
