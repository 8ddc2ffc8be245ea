"""The HTTP endpoint: builds the request context from the verified token, limits the request rate,
answers trusted documents through their compiled handlers, everything else through the schema;
errors are formatted there."""

from __future__ import annotations

import logging

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from kinerja.api.errors import with_code
from kinerja.api.http_auth import authenticate, new_context
from kinerja.api.trusted import TrustedDocuments
from kinerja.core.config import Settings
from kinerja.core.context import RequestContext
from kinerja.core.db import tenant_transaction
from kinerja.core.errors import RateLimited
from kinerja.core.logging import operation_var, request_id_var
from kinerja.core.ratelimit import SharedWindowCounter

log = logging.getLogger("kinerja.api")

# Set in the ASGI scope once a request has been counted, so a trusted document that falls back to
# the schema is not counted twice.
ADMITTED = "kinerja.rate_admitted"


class GraphQLView(GraphQL):
    def __init__(self, schema, settings: Settings, trusted: TrustedDocuments | None = None, **kwargs):
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=False,
            **kwargs,
        )
        self.settings = settings
        # The compiled handlers speak PostgreSQL's JSON functions; SQLite answers through the schema.
        self.trusted = trusted if settings.uses_postgres and settings.compiled_operations else None
        self.request_rate = SharedWindowCounter(window_seconds=60, sync_seconds=settings.rate_sync_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted is None or scope["type"] != "http" or scope["method"] != "POST":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await request.body()
        response, body = await self._answer_trusted(request, body)
        if response is not None:
            await response(scope, receive, send)
            return

        async def replay() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        await super().__call__(scope, replay, send)

    async def _answer_trusted(self, request: Request, body: bytes) -> tuple[Response | None, bytes]:
        """The compiled answer of a trusted document, or None and the body for the schema to answer
        (with the document's text filled in when the client sent only its ``documentId``)."""
        if not request.headers.get("content-type", "").startswith("application/json"):
            return None, body
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None, body
        operation = self.trusted.match(payload) if isinstance(payload, dict) else None
        if operation is None:
            return None, body
        if "query" not in payload:
            body = orjson.dumps({**payload, "query": operation.document})
        variables = payload.get("variables") or {}
        ctx = new_context(self.settings, request, request=request)
        authenticate(ctx, request.headers.get("authorization", ""))
        if ctx.actor is None or not isinstance(variables, dict):
            return None, body
        try:
            self._admit(ctx, request.scope)
        except RateLimited as exc:
            return self._refusal(exc), body
        operation_var.set(operation.name)
        try:
            async with tenant_transaction(ctx.tenant_id):
                data = await operation.handler(ctx, variables)
        except Exception:  # noqa: BLE001 - the schema answers instead, with its error handling
            log.exception("trusted operation %s failed; answering through the schema", operation.name)
            return None, body
        if data is None:
            return None, body
        return Response(orjson.dumps({"data": data}), media_type="application/json"), body

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(self, request: Request, response: Response) -> RequestContext:
        ctx = new_context(self.settings, request, request=request, response=response)
        authenticate(ctx, request.headers.get("authorization", ""))
        return ctx

    def _admit(self, ctx: RequestContext, scope: Scope) -> None:
        """Authenticated requests count per user, per tenant and per client IP (within the tenant)."""
        actor, settings = ctx.actor, self.settings
        if actor is None or scope.get(ADMITTED):
            return  # logins and public operations have their own, exact limits
        scope[ADMITTED] = True
        self.request_rate.admit(actor.tenant_id, (
            ("user", actor.user_id, settings.rate_user_per_minute),
            ("tenant", None, settings.rate_tenant_per_minute),
            ("ip", ctx.ip, settings.rate_ip_per_minute),
        ))

    @staticmethod
    def _refusal_error(exc: RateLimited) -> GraphQLError:
        return GraphQLError(exc.message, extensions={"code": exc.code, "retryAfter": exc.retry_after})

    def _refusal(self, exc: RateLimited) -> Response:
        body = {"data": None, "errors": [self._refusal_error(exc).formatted]}
        return Response(orjson.dumps(body), status_code=429, media_type="application/json",
                        headers={"retry-after": str(exc.retry_after)})

    async def execute_operation(self, request, request_adapter, request_data, context, root_value, sub_response):
        try:
            self._admit(context, request.scope)
        except RateLimited as exc:
            return ExecutionResult(data=None, errors=[self._refusal_error(exc)])
        return await super().execute_operation(request, request_adapter, request_data, context, root_value,
                                               sub_response)

    async def process_result(self, request: Request, result):
        """Errors raised around execution (the operation's transaction failing to open when the
        database is down) bypass the schema's error extension: they get their code here, and an
        internal message is masked like any other."""
        if result.errors:
            request_id = request_id_var.get() or "-"
            result.errors = [with_code(error, request_id) for error in result.errors]
        return await super().process_result(request, result)

    def create_response(self, response_data, sub_response: Response) -> Response:
        """A rate-limited answer is HTTP 429 with Retry-After (the same seconds as ``retryAfter``)."""
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
        header = params.get("Authorization") or params.get("authorization") or ""
        authenticate(context, header if isinstance(header, str) else "")
        if context.actor is None:
            raise ConnectionRejectionError({"message": context.cache.get("auth_error", "Authentication required")})
        return UNSET
