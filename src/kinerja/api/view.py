"""The HTTP endpoint: builds the request context from the verified token, answers trusted documents
through their compiled handlers, everything else through the schema; errors are formatted there."""

from __future__ import annotations

import logging

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

from kinerja.api.http_auth import authenticate, new_context
from kinerja.api.trusted import TrustedDocuments
from kinerja.core.config import Settings
from kinerja.core.context import RequestContext
from kinerja.core.db import tenant_read
from kinerja.core.logging import operation_var

log = logging.getLogger("kinerja.api")


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
        operation_var.set(operation.name)
        try:
            async with tenant_read(ctx.require_tenant()) as fetch:
                data = await operation.handler(ctx, variables, fetch)
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

    async def on_ws_connect(self, context: RequestContext):
        """graphql-transport-ws: the token comes in the connection_init payload,
        as {"Authorization": "Bearer <token>"}."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("Authorization") or params.get("authorization") or ""
        authenticate(context, header if isinstance(header, str) else "")
        if context.actor is None:
            raise ConnectionRejectionError({"message": context.cache.get("auth_error", "Authentication required")})
        return UNSET
