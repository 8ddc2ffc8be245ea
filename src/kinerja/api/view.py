"""The HTTP endpoint: builds the request context from the verified token, limits the request rate,
fills in trusted documents sent by id, answers reads the compiler answered before directly and
everything else through the schema (where reads are compiled); errors are formatted there.

Operations travel only as POST with a JSON body (no form, multipart or text/plain bodies that a
page on another site could send without a preflight), and run under a time limit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, cast

import orjson
from cross_web import HTTPException
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from kinerja.api.http_security import GRAPHIQL_ASSETS, GRAPHIQL_CSP, mark_origin_refused
from kinerja.api.media import GRAPHQL_RESPONSE, content_type, negotiate, request_error_status, response_media
from kinerja.api.metrics import known_operations, operation_label
from kinerja.api.trusted import TrustedDocuments, requested_id
from kinerja.api.websocket import SessionTransportWS, TextFrames
from kinerja.auth.http import authenticate, new_context
from kinerja.core import faults, metrics
from kinerja.core.config import Settings
from kinerja.core.context import RequestContext
from kinerja.core.db import expire_pooled_connections
from kinerja.core.errors import RateLimited, Unauthenticated
from kinerja.core.logging import operation_var, request_id_var
from kinerja.core.ratelimit import SharedWindowCounter
from kinerja.graph import messages
from kinerja.graph.errors import (
    TIMEOUT,
    UNAVAILABLE,
    UNAVAILABLE_MESSAGE,
    WHOLE_REQUEST_CODES,
    timeout_message,
    with_code,
)
from kinerja.graph.limits import cost_error
from kinerja.graph.messages import translate
from kinerja.tenancy.origins import origin_allowed, persisted_only

if TYPE_CHECKING:
    from kinerja.api.schema import Schema

log = logging.getLogger("kinerja.api")

# Set in the ASGI scope once a request has been counted, so a trusted document that falls back to
# the schema is not counted twice.
ADMITTED = "kinerja.rate_admitted"


class OperationTimedOut(Exception):
    pass


def graphql_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    """A GraphQL answer in the media type the request negotiated (api/media.py)."""
    return Response(orjson.dumps(body), status_code=status, headers=headers,
                    media_type=content_type(response_media.get()))


def error_response(status: int, message: str, code: str, **extensions) -> Response:
    return graphql_response({"errors": [{"message": translate(message), "extensions": {"code": code, **extensions}}]},
                            status)


def request_error(message: str, code: str) -> Response:
    """An error before execution: 200 with ``"data": null`` under application/json, the code's status
    without ``data`` under application/graphql-response+json (api/media.py)."""
    body = {"errors": [{"message": translate(message), "extensions": {"code": code}}]}
    if response_media.get() == GRAPHQL_RESPONSE:
        return graphql_response(body, request_error_status({"data": None, **body}) or 400)
    return graphql_response({"data": None, **body})


PERSISTED_NOT_FOUND = ("Unknown persisted document: register it in schema/operations/ or in the deployment's "
                       "codegen manifest (KINERJA_PERSISTED_DOCUMENTS), or send the document text")
SUBSCRIPTION_OVER_HTTP = ("Subscriptions are served over WebSocket (graphql-transport-ws) at this same URL, "
                          "not over HTTP")


RETRY_AFTER_SECONDS = 2


def unavailable_response(message: str = UNAVAILABLE_MESSAGE) -> Response:
    request_id = request_id_var.get() or "-"
    log.warning("service unavailable: %s", message)
    response = error_response(503, message, UNAVAILABLE, requestId=request_id)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _whole_request_error(response_data) -> dict | None:
    """The error that stands for the whole request (the database or storage unavailable, the time
    limit reached), if any: it is answered alone, with 503."""
    if not isinstance(response_data, dict):
        return None
    for code in WHOLE_REQUEST_CODES:
        for error in response_data.get("errors") or []:
            extensions = error.get("extensions") or {}
            if extensions.get("code") == code:
                return {"message": error["message"], "extensions": extensions}
    return None


GRAPHIQL_PAGE = GRAPHIQL_ASSETS / "index.html"

# JSON deeper than this is refused before anything parses it further: the deepest legitimate body
# (an input object holding lists of input objects) is under ten levels.
MAX_JSON_DEPTH = 32


def _json_depth_exceeds(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _parameter_problem(payload: dict) -> str | None:
    """GraphQL over HTTP: ``variables`` and ``extensions`` are maps (or null). Checked before any
    shortcut answers the request, so every path refuses them alike (400)."""
    for name in ("variables", "extensions"):
        if not isinstance(payload.get(name), (dict, type(None))):
            return f"The GraphQL operation's `{name}` must be an object or null, if provided."
    return None


class GraphQLView(GraphQL[RequestContext, None]):
    # Sockets speak graphql-transport-ws only, with sessions that end with their rights (api/websocket.py).
    graphql_transport_ws_handler_class = SessionTransportWS
    websocket_adapter_class = TextFrames

    def __init__(self, schema, settings: Settings, trusted: TrustedDocuments | None = None, **kwargs):
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            **kwargs,
        )
        self.settings = settings
        self.trusted = trusted
        self.known_operations = known_operations()
        self.request_rate = SharedWindowCounter(window_seconds=60, sync_seconds=settings.rate_sync_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        response_media.set(negotiate(request.headers.get("accept")))
        refusal = self._refuse_transport(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        try:
            response = await self._respond(request)
        except HTTPException as exc:
            response = error_response(exc.status_code, exc.reason, "BAD_USER_INPUT")
        except OperationTimedOut:
            request_id = request_id_var.get() or "-"
            log.warning("operation cancelled after %s s", self.settings.request_timeout_seconds)
            response = error_response(503, timeout_message(self.settings.request_timeout_seconds, request_id),
                                      TIMEOUT, requestId=request_id)
        context = getattr(request.state, "graphql_context", None)
        if context is not None and context.cache.get("origin_refused"):
            # An operation named a tenant this page's origin may not act for: refuse it as CORS would.
            response.status_code = 403
            mark_origin_refused(scope)
        await response(scope, receive, send)

    def _refuse_transport(self, request: Request) -> Response | None:
        if request.method == "GET":
            if self.graphql_ide and "text/html" in request.headers.get("accept", ""):
                return None
            return error_response(405, "Send operations as POST with Content-Type: application/json",
                                  "METHOD_NOT_ALLOWED")
        content_type, _ = parse_content_type(request.headers.get("content-type", ""))
        if content_type != "application/json":
            return error_response(415, "Content-Type must be application/json", "UNSUPPORTED_MEDIA_TYPE")
        return None

    async def _respond(self, request: Request) -> Response:
        if request.method == "POST":
            body = await request.body()
            try:
                payload = orjson.loads(body)
            except orjson.JSONDecodeError:
                payload = None
            if isinstance(payload, dict) and (problem := _parameter_problem(payload)):
                raise HTTPException(400, problem)
            if isinstance(payload, dict) and not _json_depth_exceeds(payload, MAX_JSON_DEPTH):
                operation = self.trusted.match(payload) if self.trusted is not None else None
                if payload.get("query") is None and requested_id(payload) is not None:
                    if operation is None:
                        return request_error(PERSISTED_NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
                    # Sent by its id only: the schema answers the registered document.
                    payload = {**payload, "query": operation.document}
                    body = orjson.dumps(payload)
                response = await self._answer_known(request, payload)
                if response is not None:
                    return response

            async def replay() -> dict:
                return {"type": "http.request", "body": body, "more_body": False}

            request = Request(request.scope, replay)
        return await self.run(request)

    async def _answer_known(self, request: Request, payload: dict) -> Response | None:
        """A query document the compiler has answered whole before (so it parsed, validated and kept
        within the document limits): answered again without re-parsing or re-validating it; the rate
        limit, the cost of these variables, the time limit and the error codes apply as always.
        None: the schema answers (unknown documents, bad variables, parts answered field by field)."""
        query, name, variables = payload.get("query"), payload.get("operationName"), payload.get("variables") or {}
        if not (self.settings.compiled_operations and isinstance(query, str) and isinstance(variables, dict)
                and (name is None or isinstance(name, str))):
            return None
        compiler = cast("Schema", self.schema).compiler  # the app's schema (api/schema.py)
        read = compiler.known(query, name)
        if read is None:
            return None
        sub_response = await self.get_sub_response(request)
        ctx = await self.get_context(request, sub_response)
        if ctx.actor is not None:
            try:
                restricted = await persisted_only(ctx.actor.tenant_id)
            except Exception:  # noqa: BLE001 - the schema path reports the database's fault
                return None
            if restricted and not (self.trusted is not None and self.trusted.knows(query)):
                return None  # the schema refuses it (api/extensions.py: refused_as_not_persisted)
        try:
            self._admit(ctx, request.scope)
        except RateLimited as exc:
            return self._refusal(exc)
        operation_var.set(name or "")
        metrics.label_operation(operation_label(read.document, name, self.known_operations))
        variables_key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        cost = compiler.cost(read, variables, variables_key)
        result: ExecutionResult | GraphQLExecutionResult | None
        if cost > self.settings.max_query_cost:
            result = ExecutionResult(data=None, errors=[cost_error(cost, self.settings.max_query_cost)])
        else:
            try:
                async with self._time_limit():
                    result = await compiler.answer_read(read, variables, ctx, variables_key, unparsed=True)
            except OperationTimedOut:
                raise
            except Exception as exc:  # noqa: BLE001 - answered as the operation's error, with its code
                if faults.classify(exc) is faults.Fault.TIMEOUT:
                    raise OperationTimedOut() from None  # the statement timeout came first: the same answer
                if faults.breaks_connection(exc):
                    await expire_pooled_connections()
                result = ExecutionResult(data=None, errors=[GraphQLError(str(exc), original_error=exc)])
            if result is None:
                return None
        request_id = request_id_var.get() or "-"
        answer: dict = {"data": result.data}
        if result.errors:
            answer["errors"] = [with_code(e, request_id, hide_suggestions=not self.settings.introspection,
                                          timeout_seconds=self.settings.request_timeout_seconds).formatted
                                for e in result.errors]
        return self.create_response(answer, sub_response)

    @contextlib.asynccontextmanager
    async def _time_limit(self) -> AsyncIterator[None]:
        # Cancelling the operation unwinds its tenant transaction, which rolls back.
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                yield
        except TimeoutError:
            raise OperationTimedOut() from None

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """The request body: one JSON object (an operation), valid UTF-8, nested at most
        MAX_JSON_DEPTH levels; anything else is a 400 with a GraphQL error."""
        try:
            payload = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            reason = "the body is not valid UTF-8" if "utf-8" in str(exc).lower() else "the body is not valid JSON"
            if "recursion" in str(exc).lower():
                reason = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
            raise HTTPException(400, f"Unable to parse request body: {reason}") from None
        if not isinstance(payload, (dict, list)):
            raise HTTPException(400, "The request body must be a JSON object with a `query`")
        if _json_depth_exceeds(payload, MAX_JSON_DEPTH):
            raise HTTPException(400, f"Unable to parse request body: JSON nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(payload, dict) and not isinstance(payload.get("operationName"), (str, type(None))):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        return payload

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the package's own files (api/static/graphiql/), never a CDN."""
        return HTMLResponse(GRAPHIQL_PAGE.read_text(encoding="utf-8"),
                            headers={"content-security-policy": GRAPHIQL_CSP})

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> RequestContext:
        ctx = new_context(self.settings, request, request=request, response=response)
        authenticate(ctx, request.headers.get("authorization", ""))
        request.state.graphql_context = ctx
        return ctx

    def is_websocket_origin_allowed(self, request, origin: str) -> bool:
        # CorsPolicy has refused upgrades from unknown origins; the tenant's own rule is applied in
        # on_ws_connect, once the token names the tenant.
        return True

    def _admit(self, ctx: RequestContext, scope: Scope) -> None:
        """Authenticated requests count per user, per tenant and per client IP (within the tenant)."""
        if ctx.actor is None or scope.get(ADMITTED):
            return  # logins and public operations have their own, exact limits
        scope[ADMITTED] = True
        self.count_request(ctx)

    def count_request(self, ctx: RequestContext) -> None:
        """Count one authenticated request (an HTTP request, or an operation sent on a socket);
        RATE_LIMITED past a limit."""
        actor, settings = ctx.actor, self.settings
        if actor is None:
            return
        self.request_rate.admit(actor.tenant_id, (
            ("user", actor.user_id, settings.rate_user_per_minute),
            ("tenant", None, settings.rate_tenant_per_minute),
            ("ip", ctx.ip, settings.rate_ip_per_minute),
        ))

    @staticmethod
    def _refusal_error(exc: RateLimited) -> GraphQLError:
        return GraphQLError(translate(exc.message), extensions={"code": exc.code, "retryAfter": exc.retry_after})

    def _refusal(self, exc: RateLimited) -> Response:
        body: dict[str, object] = {"errors": [self._refusal_error(exc).formatted]}
        if response_media.get() != GRAPHQL_RESPONSE:
            body = {"data": None, **body}
        return graphql_response(body, 429, {"retry-after": str(exc.retry_after)})

    async def execute_operation(self, request, request_adapter, request_data, context, root_value, sub_response):
        try:
            self._admit(context, request.scope)
        except RateLimited as exc:
            return ExecutionResult(data=None, errors=[self._refusal_error(exc)])
        async with self._time_limit():
            return await super().execute_operation(request, request_adapter, request_data, context, root_value,
                                                   sub_response)

    async def execute_single(self, request, request_adapter, sub_response, context, root_value, request_data):
        """As strawberry's, but a subscription sent over HTTP is a clear 400: subscriptions are served
        over graphql-transport-ws only (strawberry would run it as a query and fail inside)."""
        try:
            return await self.schema.execute(
                request_data.query, root_value=root_value, variable_values=request_data.variables,
                context_value=context, operation_name=request_data.operation_name,
                allowed_operation_types={OperationType.QUERY, OperationType.MUTATION},
                operation_extensions=request_data.extensions)
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError:
            raise HTTPException(400, SUBSCRIPTION_OVER_HTTP) from None
        except MissingQueryError:
            raise HTTPException(400, "No GraphQL query found in the request") from None

    async def process_result(self, request: Request, result):
        """Errors raised around execution (the operation's transaction failing to open when the
        database is down) bypass the schema's error extension: they get their code here, and an
        internal message is masked like any other."""
        if result.errors:
            request_id = request_id_var.get() or "-"
            result.errors = [with_code(error, request_id, timeout_seconds=self.settings.request_timeout_seconds)
                             for error in result.errors]
        return await super().process_result(request, result)

    def create_response(self, response_data, sub_response: Response) -> Response:
        """A database or file storage that cannot serve is 503 with Retry-After and one error, never
        partial data, and so is an operation out of time (without Retry-After); a rate-limited answer
        is 429 with Retry-After (the same seconds as ``retryAfter``)."""
        media = response_media.get()
        whole = _whole_request_error(response_data)
        if whole is not None:
            response = super().create_response({"errors": [whole]}, sub_response)
            response.status_code = 503
            if whole["extensions"]["code"] == UNAVAILABLE:
                response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            response.headers["content-type"] = content_type(media)
            return response
        answers = response_data if isinstance(response_data, list) else [response_data]
        waits = [error["extensions"].get("retryAfter", 1) for answer in answers for error in answer.get("errors") or []
                 if (error.get("extensions") or {}).get("code") == RateLimited.code]
        if waits:
            sub_response.status_code = 429
            sub_response.headers["retry-after"] = str(max(waits))
        if media == GRAPHQL_RESPONSE:
            status = request_error_status(response_data)
            if status is not None:
                # A request error: no data entry, and a 4xx/5xx status (GraphQL over HTTP).
                response_data = {key: value for key, value in response_data.items() if key != "data"}
                sub_response.status_code = sub_response.status_code or status
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = content_type(media)
        return response

    async def on_ws_connect(self, context: RequestContext):
        """graphql-transport-ws: the token comes in the connection_init payload,
        as {"Authorization": "Bearer <token>"}."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        asked = params.get("Accept-Language") or params.get("accept-language")
        if isinstance(asked, str):  # a browser cannot set headers on a websocket: the payload may say it
            context.language = messages.negotiate(asked)
        header = params.get("Authorization") or params.get("authorization") or ""
        authenticate(context, header if isinstance(header, str) else "")
        if context.actor is None:
            raise ConnectionRejectionError({"message": translate(context.cache.get("auth_error", "Authentication required"),
                                                                 context.language)})
        try:
            async with context.actor_transaction():
                pass  # the account still exists and is active, the session is live
        except Unauthenticated as exc:
            raise ConnectionRejectionError({"message": translate(exc.message, context.language)}) from None
        if context.origin is not None and not await origin_allowed(self.settings, context.origin, context.tenant_id):
            raise ConnectionRejectionError({"message": translate(
                "Connections from this origin are not allowed for this tenant", context.language)})
        return UNSET
