"""The HTTP endpoint: builds the request context from the verified token, limits the request rate,
fills in trusted documents sent by id, answers the few with a hand-written handler through it and
everything else through the schema (where reads are compiled); errors are formatted there.

Operations travel only as POST with a JSON body (no form, multipart or text/plain bodies that a
page on another site could send without a preflight), and run under a time limit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.parse_content_type import parse_content_type
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from kinerja.graph.errors import TIMEOUT, UNAVAILABLE, UNAVAILABLE_MESSAGE, WHOLE_REQUEST_CODES, timeout_message, with_code
from kinerja.graph.limits import cost_error
from kinerja.graph import messages
from kinerja.graph.messages import translate
from kinerja.auth.http import authenticate, new_context
from kinerja.api.http_security import GRAPHIQL_CSP, mark_origin_refused
from kinerja.api.metrics import known_operations, operation_label
from kinerja.api.trusted import TrustedDocuments
from kinerja.api.websocket import SessionTransportWS
from kinerja.core.config import Settings
from kinerja.core.context import RequestContext
from kinerja.core import faults, metrics
from kinerja.core.db import expire_pooled_connections, tenant_read, tenant_transaction
from kinerja.core.errors import DomainError, RateLimited, Unauthenticated
from kinerja.core.logging import operation_var, request_id_var
from kinerja.core.ratelimit import SharedWindowCounter
from kinerja.tenancy.origins import origin_allowed

log = logging.getLogger("kinerja.api")

# Set in the ASGI scope once a request has been counted, so a trusted document that falls back to
# the schema is not counted twice.
ADMITTED = "kinerja.rate_admitted"


class OperationTimedOut(Exception):
    pass


def error_response(status: int, message: str, code: str, **extensions) -> JSONResponse:
    return JSONResponse({"errors": [{"message": translate(message), "extensions": {"code": code, **extensions}}]},
                        status_code=status)


RETRY_AFTER_SECONDS = 2


def unavailable_response(message: str = UNAVAILABLE_MESSAGE) -> JSONResponse:
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


class GraphQLView(GraphQL):
    # Sockets speak graphql-transport-ws only, with sessions that end with their rights (api/websocket.py).
    graphql_transport_ws_handler_class = SessionTransportWS

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
        # The hand-written handlers speak PostgreSQL's JSON functions; SQLite answers through the schema.
        self.handlers = settings.uses_postgres and settings.compiled_operations
        self.known_operations = known_operations()
        self.request_rate = SharedWindowCounter(window_seconds=60, sync_seconds=settings.rate_sync_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
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
            if isinstance(payload, dict) and not _json_depth_exceeds(payload, MAX_JSON_DEPTH):
                operation = self.trusted.match(payload) if self.trusted is not None else None
                if operation is not None and "query" not in payload:
                    # Sent by documentId only: the schema answers the registered document.
                    payload = {**payload, "query": operation.document}
                    body = orjson.dumps(payload)
                if operation is not None and operation.handler is not None and self.handlers:
                    response = await self._answer_trusted(request, operation, payload)
                    if response is not None:
                        return response
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
        compiler = self.schema.compiler
        read = compiler.known(query, name)
        if read is None:
            return None
        sub_response = await self.get_sub_response(request)
        ctx = await self.get_context(request, sub_response)
        try:
            self._admit(ctx, request.scope)
        except RateLimited as exc:
            return self._refusal(exc)
        operation_var.set(name or "")
        metrics.label_operation(operation_label(read.document, name, self.known_operations))
        variables_key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        cost = compiler.cost(read, variables, variables_key)
        if cost > self.settings.max_query_cost:
            result = ExecutionResult(data=None, errors=[cost_error(cost, self.settings.max_query_cost)])
        else:
            try:
                async with self._time_limit():
                    result = await compiler.answer_read(read, variables, ctx, variables_key)
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

    async def _answer_trusted(self, request: Request, operation, payload: dict) -> Response | None:
        """The hand-written handler's answer of a trusted document, or None for the schema to answer."""
        variables = payload.get("variables") or {}
        ctx = new_context(self.settings, request, request=request)
        authenticate(ctx, request.headers.get("authorization", ""))
        if ctx.actor is None or not isinstance(variables, dict):
            return None
        try:
            self._admit(ctx, request.scope)
        except RateLimited as exc:
            return self._refusal(exc)
        operation_var.set(operation.name)
        try:
            async with self._time_limit():
                await ctx.load_permissions()
                async with tenant_read(ctx.require_tenant(), user_id=ctx.actor.user_id) as fetch:
                    data = await operation.handler(ctx, variables, fetch)
        except OperationTimedOut:
            raise
        except DomainError:
            return None  # an account gone, a permission missing: the schema answers with the code
        except Exception as exc:  # noqa: BLE001 - the schema answers instead, with its error handling
            fault = faults.classify(exc)
            if fault is faults.Fault.TIMEOUT:
                raise OperationTimedOut() from None  # the statement timeout came first: the same answer
            if fault is not None:
                faults.record(fault)
                return unavailable_response(fault.message)
            log.exception("trusted operation %s failed; answering through the schema", operation.name)
            return None
        if data is None:
            return None
        return Response(orjson.dumps({"data": data}), media_type="application/json")

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
        response = await super().render_graphql_ide(request)
        response.headers["content-security-policy"] = GRAPHIQL_CSP
        return response

    async def get_context(self, request: Request, response: Response) -> RequestContext:
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
        body = {"data": None, "errors": [self._refusal_error(exc).formatted]}
        return Response(orjson.dumps(body), status_code=429, media_type="application/json",
                        headers={"retry-after": str(exc.retry_after)})

    async def execute_operation(self, request, request_adapter, request_data, context, root_value, sub_response):
        try:
            self._admit(context, request.scope)
        except RateLimited as exc:
            return ExecutionResult(data=None, errors=[self._refusal_error(exc)])
        async with self._time_limit():
            return await super().execute_operation(request, request_adapter, request_data, context, root_value,
                                                   sub_response)

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
        whole = _whole_request_error(response_data)
        if whole is not None:
            response = super().create_response({"errors": [whole]}, sub_response)
            response.status_code = 503
            if whole["extensions"]["code"] == UNAVAILABLE:
                response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        answers = response_data if isinstance(response_data, list) else [response_data]
        waits = [error["extensions"].get("retryAfter", 1) for answer in answers for error in answer.get("errors") or []
                 if (error.get("extensions") or {}).get("code") == RateLimited.code]
        if waits:
            sub_response.status_code = 429
            sub_response.headers["retry-after"] = str(max(waits))
        return super().create_response(response_data, sub_response)

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
            async with tenant_transaction(context.actor.tenant_id, user_id=context.actor.user_id):
                pass  # the account still exists and is active
        except Unauthenticated as exc:
            raise ConnectionRejectionError({"message": translate(exc.message, context.language)}) from None
        if context.origin is not None and not await origin_allowed(self.settings, context.origin, context.tenant_id):
            raise ConnectionRejectionError({"message": translate(
                "Connections from this origin are not allowed for this tenant", context.language)})
        return UNSET
