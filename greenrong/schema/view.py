"""greenrong's GraphQL HTTP/WebSocket view (strawberry's ASGI view, with our context).

Two things on top of strawberry's view:

- GraphiQL loads its scripts and styles from ``/static/graphiql/`` (vendored, see
  ``greenrong/static/graphiql/SOURCES.md``) instead of a CDN, so it works without internet.
- Authentication: the ``Authorization: Bearer …`` header (HTTP) or the ``connection_init``
  payload (WebSocket) becomes ``Context.principal`` (``domain/access/identity.py``). Bad
  credentials answer 401 (or close the socket with 4403), never a silent anonymous call.
- The ``application/graphql-response+json`` media type of the GraphQL-over-HTTP spec: when the
  client prefers it to ``application/json``, the response has that content type, and a request
  error (the document does not parse or validate, or the variables do not coerce) answers
  400 without a ``data`` entry. ``application/json`` clients see strawberry's usual answers.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.ides import get_graphql_ide_html
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from greenrong.core import metrics
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.errors import ErrorCode, Unauthenticated
from greenrong.core.logging import request_id_var
from greenrong.domain.access.identity import VerifiedTokens, authenticate_credential
from greenrong.domain.access.principal import ANONYMOUS, Principal
from greenrong.domain.kit.clock import CLOCK, Clock
from greenrong.domain.kit.revision_repository import RevisionReader
from greenrong.domain.kit.row_cache import RowCache
from greenrong.resolvers.compiled.execution import VIEWS
from greenrong.resolvers.compiled.operations import PreparedOperations
from greenrong.resolvers.loaders import Loaders
from greenrong.schema.kit.answers import AnswerKey, SharedAnswers, canonical_variables
from greenrong.schema.kit.body import error_response
from greenrong.schema.kit.context import Context
from greenrong.schema.kit.cost import caller_key, operation_cost
from greenrong.schema.kit.limits import QueryLimits
from greenrong.schema.kit.sockets import CheckedTransportWSHandler

log = logging.getLogger(__name__)
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_JSON_MEDIA_RANGES = {GRAPHQL_RESPONSE_JSON, "application/json", "application/*", "*/*"}
# strawberry's page loads each asset from a CDN: `src="https://<cdn host>/<package>@<version>/…"`
_CDN_ASSET = re.compile(r'(src|href)="https://[^/"]+/')


def prefers_graphql_response_json(accept: str) -> bool:
    """Whether the best JSON media range of an Accept header is application/graphql-response+json.

    Ranges are ranked by their q-value, then by their order in the header.
    """
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept.lower().split(",")):
        media_range, *params = (part.strip() for part in item.split(";"))
        quality = next((p.removeprefix("q=") for p in params if p.startswith("q=")), "1")
        try:
            q = float(quality)
        except ValueError:
            continue
        if media_range in _JSON_MEDIA_RANGES and q > 0:
            ranked.append((-q, index, media_range))
    return bool(ranked) and min(ranked)[2] == GRAPHQL_RESPONSE_JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Whether the operation stopped before execution (a field error always has a path)."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


def unauthenticated_response(error: Unauthenticated) -> Response:
    """401 with a GraphQL error body: the client sees ``extensions.code`` as for any error."""
    return error_response(
        401, error.code, error.message, headers={"www-authenticate": 'Bearer error="invalid_token"'}
    )


#: the keys of a body that a prepared operation may answer (no ``extensions``: no APQ hash)
_PLAIN_KEYS = frozenset({"query", "variables", "operationName"})


async def _plain_request(request: Request) -> tuple[str, str | None, dict[str, Any] | None] | None:
    """Query text, operation name and variables of a plain JSON POST, else None. Anything
    else (GET, other media types, batches, extensions, streaming transports, malformed
    bodies) is strawberry's to parse and answer."""
    if request.method != "POST" or "application/json" not in request.headers.get(
        "content-type", ""
    ):
        return None
    accept = request.headers.get("accept", "")
    if "text/event-stream" in accept or "multipart/mixed" in accept:
        return None
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict) or not body.keys() <= _PLAIN_KEYS:
        return None
    query, name, variables = body.get("query"), body.get("operationName"), body.get("variables")
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict | None):
        return None
    return query, name, variables


class GreenrongGraphQL(GraphQL[Any, None]):
    #: graphql-transport-ws with server pings (docs/PARTNERS.md, "Subscriptions"), its credential
    #: checked for the connection's whole life (docs/SECURITY.md, "Open connections")
    graphql_transport_ws_handler_class = CheckedTransportWSHandler

    def __init__(self, schema: Any, *, settings: Settings, clock: Clock = CLOCK) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        )
        self.settings = settings
        #: the platform's clock, handed to every request's context
        self.clock = clock
        #: this app's query limits and their state: budgets, APQ store (schema/kit/limits.py)
        self.limits = QueryLimits.from_settings(settings)
        #: verified bearer tokens until they expire (domain/access/identity.py)
        self.tokens = VerifiedTokens()
        #: views answered wholly by the compiled path, which then skip strawberry
        self.prepared = PreparedOperations(schema._schema, self.limits.costs, VIEWS, settings)
        #: answers shared by callers of one scope until a revision moves (schema/kit/answers.py)
        self.shared = SharedAnswers(schema._schema)
        self._revision_reader: RevisionReader | None = None
        self._row_cache: RowCache | None = None
        self._graphiql_html = _with_welcome(get_graphql_ide_html("graphiql"))

    async def run(  # type: ignore[override]  # one signature for strawberry's two overloads
        self,
        request: Request | WebSocket,
        context: Context | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Response | WebSocket:
        """Authenticate an HTTP request before anything else: bad credentials answer 401."""
        if not isinstance(request, Request):
            metrics.WEBSOCKETS.inc()
            try:
                return await super().run(request, context, root_value)  # type: ignore[arg-type]
            finally:
                metrics.WEBSOCKETS.dec()
        with metrics.timed(metrics.REQUEST_SECONDS, operation="anonymous", path="normal") as kept:
            return await self._run_http(request, context, root_value, kept)

    async def _run_http(
        self,
        request: Request,
        context: Context | UnsetType,
        root_value: UnsetType | None,
        labels: dict[str, str],
    ) -> Response:
        """``run`` for HTTP; ``labels`` are the request's metric labels (operation, path)."""
        try:
            credential = await authenticate_credential(
                self.settings,
                request.app.state.resources.sessionmaker,
                request.headers.get("authorization"),
                self.tokens,
            )
        except Unauthenticated as error:
            return unauthenticated_response(error)
        principal = credential.principal
        request.state.principal = principal
        request.state.credential = credential
        plain = await _plain_request(request)
        if plain is not None:
            labels["operation"] = metrics.operation_label(plain[1])
            answered = await self._answer_prepared(request, principal, *plain)
            if answered is not None:
                labels["path"] = "prepared"
                return answered
            shared = await self._answer_shared(request, principal, *plain)
            if isinstance(shared, Response):
                labels["path"] = "shared"
                return shared
            # process_result keeps the answer under this key, or learns the operation
            request.state.shared_answer = shared
            request.state.plain_operation = (plain[0], plain[1])
        response = await super().run(request, context, root_value)  # type: ignore[arg-type]
        compiled = getattr(request.state, "graphql_context", None)
        if isinstance(compiled, Context) and compiled.compiled is not None:
            labels["path"] = "compiled"
            if plain is not None:
                self.prepared.learn((plain[0], plain[1]), compiled.compiled)
        return response

    async def _answer_prepared(
        self,
        request: Request,
        principal: Principal,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> Response | None:
        """A prepared operation's response, None to take the normal path
        (``resolvers/compiled/operations.py``)."""
        prepared = self.prepared.get((query, operation_name))
        if prepared is None:
            return None
        engine = request.app.state.resources.engine
        answer = await self.prepared.answer(
            prepared, query, operation_name, variables, principal, request, engine
        )
        if answer is None:
            return None
        return await self._respond(request, answer)

    async def _respond(self, request: Request, answer: dict[str, Any]) -> Response:
        """The HTTP response of an answer made beside graphql-core (the prepared and the
        shared paths), its errors counted as the normal path counts them."""
        for error in answer.get("errors") or ():
            metrics.count_error(str((error.get("extensions") or {}).get("code", "")), "request")
        sub_response = await self.get_sub_response(request)
        return self.create_response(answer, sub_response)  # type: ignore[arg-type]

    async def _answer_shared(
        self,
        request: Request,
        principal: Principal,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> Response | AnswerKey | None:
        """A kept shared answer's response; else the key the normal path's answer is to be
        kept under, or None when it is not to be kept (``schema/kit/answers.py``)."""
        shareable = self.shared.operation((query, operation_name))
        if shareable is None:
            return None
        share_keys = shareable.share_keys(principal)
        raw = canonical_variables(variables)
        if share_keys is None or raw is None:
            return None
        try:
            revisions = await self._revisions(request).read(shareable.revisions)
        except Exception:  # the normal path runs it and reports its own error
            log.warning("shared answers: the revision read failed", exc_info=True)
            return None
        key: AnswerKey = (query, operation_name, raw, share_keys, revisions)
        data = self.shared.get(key)
        if data is None:
            return key

        def compute() -> int:
            return operation_cost(
                self.shared.schema,
                shareable.document,
                operation_name,
                variables=variables,
                default_page_size=self.limits.costs.default_page_size,
            )

        caller = caller_key(principal, request)
        costs = self.limits.costs
        charge = await costs.charge(caller, query, operation_name, variables, compute)
        if charge.refused is not None:
            return None  # the normal path refuses it, with its error and headers
        self.shared.answered += 1
        return await self._respond(
            request, {"data": data, "extensions": {"queryCost": charge.report}}
        )

    def _revisions(self, request: Request | WebSocket) -> RevisionReader:
        """The revision reader of the app's engine (one per engine: tests start an app's
        lifespan more than once)."""
        resources = request.app.state.resources
        reader = self._revision_reader
        if reader is None or reader.engine is not resources.engine:
            if reader is not None:
                reader.close()
            reader = self._revision_reader = RevisionReader(resources.engine)
            size = self.settings.row_cache_size
            tracked = size and resources.rows_tracked
            self._row_cache = RowCache(reader, size) if tracked else None
        return reader

    def _rows(self, request: Request | WebSocket) -> RowCache | None:
        """The rows this process keeps of the app's database (``domain/kit/row_cache.py``),
        one cache per engine as its revision reader."""
        self._revisions(request)
        return self._row_cache

    def close(self) -> None:
        """What the view holds open beyond the lifespan's engine (its revision reader)."""
        if self._revision_reader is not None:
            self._revision_reader.close()
            self._revision_reader = None
            self._row_cache = None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        resources = request.app.state.resources
        # WebSockets start anonymous; on_ws_connect authenticates connection_init
        principal = getattr(request.state, "principal", ANONYMOUS)
        context = Context(
            request=request,
            response=response,
            settings=self.settings,
            sessionmaker=resources.sessionmaker,
            search=resources.search,
            loaders=self._loaders(request, resources.sessionmaker, principal),
            request_id=request_id_var.get(),
            limits=self.limits,
            clock=self.clock,
            principal=principal,
            credential=getattr(request.state, "credential", None),
        )
        if isinstance(request, Request):
            request.state.graphql_context = context  # read back by run() to learn the view
        return context

    def _loaders(
        self, request: Request | WebSocket, sessionmaker: SessionMaker, principal: Principal
    ) -> Loaders:
        return Loaders(
            sessionmaker,
            max_page_size=self.settings.max_page_size,
            principal=principal,
            rows=self._rows(request),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate ``connection_init``: ``{"Authorization": "Bearer …"}`` in its payload (or
        the handshake's header). Bad credentials close the socket with 4403. The credential is
        kept in the context: ``CheckedTransportWSHandler`` checks it again while the socket
        is open."""
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is None:
            authorization = context.request.headers.get("authorization")
        try:
            credential = await authenticate_credential(
                self.settings,
                context.sessionmaker,
                None if authorization is None else str(authorization),
                self.tokens,
            )
        except Unauthenticated as error:
            raise ConnectionRejectionError(
                {"code": error.code.value, "message": error.message}
            ) from error
        context.credential = credential
        context.principal = credential.principal
        context.loaders = self._loaders(context.request, context.sessionmaker, credential.principal)
        ack: UnsetType = UNSET
        return ack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's view, with its request errors (bad JSON, a wrong content type or
        method) as GraphQL-over-HTTP error bodies instead of plain text."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as error:
            code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.BAD_REQUEST
            response = error_response(error.status_code, code, error.reason)
        await response(scope, receive, send)  # type: ignore[operator]

    def decode_json(self, data: str | bytes) -> object:
        """The request body: orjson, about five times faster than ``json.loads``; what it
        refuses and ``json`` reads (an integer beyond 64 bits, ``NaN``, a lone surrogate) goes to
        ``json.loads``, so every body parses as before. What neither reads (not UTF-8, nested
        deeper than orjson's 1,024 levels) is orjson's ``JSONDecodeError``: a 400."""
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as refused:
            try:
                return json.loads(data)
            except (ValueError, RecursionError):
                raise refused from None

    def parse_json(self, data: str | bytes) -> Any:
        """The body as JSON, refusing with a 400 what is not JSON and JSON that is neither an
        object nor a list of objects (a batch, which strawberry refuses itself): strawberry
        reads keys from the body, and ``null`` or ``1`` ended in an ``AttributeError`` and an
        HTTP 500."""
        try:
            body = self.decode_json(data)
        except json.JSONDecodeError as error:
            raise HTTPException(400, f"The request body is not JSON: {error}") from error
        if not isinstance(body, dict | list) or (
            isinstance(body, list) and not all(isinstance(item, dict) for item in body)
        ):
            raise HTTPException(400, "The request body must be a JSON object.")
        return body

    def encode_json(self, data: object) -> str:
        """Compact JSON with Chinese as UTF-8 text rather than \\u escapes (a third smaller).

        orjson writes the same text as ``json.dumps(ensure_ascii=False, separators=(",", ":"))``
        about ten times faster; what it refuses (an integer beyond 64 bits, a non-string key)
        goes to ``json.dumps``. A str, not bytes: WebSocket messages must be text frames."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """GraphiQL for a browser's GET without a query, but not for an APQ GET: one that
        carries only ``extensions.persistedQuery`` is a GraphQL request, whatever it accepts."""
        if request.query_params.get("extensions") is not None:
            return False
        return super().should_render_graphql_ide(request)

    async def render_graphql_ide(self, request: Request) -> Response:
        """strawberry's GraphiQL page, with its CDN assets served from our /static/graphiql/."""
        static = f"{request.scope.get('root_path', '')}/static/graphiql/"
        html = _CDN_ASSET.sub(lambda cdn: f'{cdn[1]}="{static}', self._graphiql_html)
        return HTMLResponse(html)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        # The sub-response lives for the whole request: it carries the negotiated media type
        # to create_response, which strawberry calls without the request.
        sub_response = await super().get_sub_response(request)
        if prefers_graphql_response_json(request.headers.get("accept", "")):
            sub_response.media_type = GRAPHQL_RESPONSE_JSON
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        for error in result.errors or ():
            metrics.count_error(str((error.extensions or {}).get("code", "")), "request")
        if not result.errors and result.data is not None:
            self._keep_shared(request, result.data)
        response_data = await super().process_result(request, result)
        if is_request_error(result) and prefers_graphql_response_json(
            request.headers.get("accept", "")
        ):
            response_data.pop("data", None)
        return response_data

    def _keep_shared(self, request: Request, data: dict[str, Any]) -> None:
        """After an error-free normal answer of a plain request: keep it as a shared answer
        when ``_answer_shared`` gave it a key, else learn whether its operation is shareable."""
        state = request.state
        operation = getattr(state, "plain_operation", None)
        if operation is None:
            return
        key = getattr(state, "shared_answer", None)
        if key is not None:
            self.shared.keep(key, data)
        elif not self.shared.known(operation):
            self.shared.learn(operation)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = 400
        return response


#: the query GraphiQL opens on: README's first query, with how to send a key
WELCOME = Path(__file__).parents[1] / "static" / "graphiql" / "welcome.graphql"
_EXAMPLE_QUERY = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.S)


def _with_welcome(html: str) -> str:
    """strawberry's GraphiQL page, opening on ``WELCOME`` instead of its generic text."""
    text = WELCOME.read_text(encoding="utf-8")
    literal = text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    page, replaced = _EXAMPLE_QUERY.subn(lambda _: f"const EXAMPLE_QUERY = `{literal}`;", html)
    if replaced != 1:  # a strawberry upgrade changed the page: fail loudly in the tests
        raise RuntimeError("GraphiQL's EXAMPLE_QUERY was not found in strawberry's page")
    return page
