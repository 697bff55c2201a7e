"""The request body at the edge: a size limit, a read deadline, and quiet disconnects.

uvicorn (and h11/httptools under it) bound the request line and headers, but not the body:
any size is read, and a client that sends one byte a second holds its connection open for
as long as it likes (``timeout_keep_alive`` only counts idle time between requests). Starlette
has no body limit either. So ``BodyLimits``, a pure ASGI middleware, reads the body of every
HTTP request before the app sees it:

- a ``Content-Length`` above ``Settings.max_body_bytes`` answers 413 at once, and so does a
  body that grows past it while streaming (chunked), without reading the rest;
- a body not complete within ``Settings.body_timeout_seconds`` of the request's start
  answers 408;
- a client that disconnects before its body is complete is one line at debug level
  (starlette's ``ClientDisconnect`` would be a traceback from the app).

Both refusals carry ``Connection: close``, so the server closes the connection instead of
waiting for the rest of the body, and a GraphQL-over-HTTP error body
(``{"errors": [{"message": …, "extensions": {"code": …}}]}``), as every request error of
``/graphql`` has (``schema/view.py``). The app then reads the body from memory.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenrong.core.errors import ErrorCode

log = logging.getLogger(__name__)


def error_response(
    status_code: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None
) -> Response:
    """A GraphQL-over-HTTP error body: the client reads ``extensions.code`` as for any error."""
    body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    return JSONResponse(body, status_code=status_code, headers=headers)


class BodyLimits:
    """Reads each HTTP request's body within a size limit and a deadline (see the module doc)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.timeout_seconds):
                more = True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        _log_disconnect(scope)
                        return
                    chunk: bytes = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        await self._too_large(scope, receive, send)
                        return
                    chunks.append(chunk)
                    more = message.get("more_body", False)
        except TimeoutError:
            response = error_response(
                408,
                ErrorCode.REQUEST_TIMEOUT,
                f"The request body did not arrive within {self.timeout_seconds:g} s.",
                headers={"connection": "close"},
            )
            await response(scope, receive, send)
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: the disconnect, when it comes

        try:
            await self.app(scope, replay, send)
        except ClientDisconnect:
            _log_disconnect(scope)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"The request body is larger than {self.max_bytes} bytes.",
            headers={"connection": "close"},
        )
        await response(scope, receive, send)


def _log_disconnect(scope: Scope) -> None:
    log.debug("client disconnected before the request body was read: %s %s", *_line(scope))


def _line(scope: Scope) -> tuple[str, str]:
    return scope.get("method", ""), scope.get("path", "")
