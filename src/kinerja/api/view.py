"""The HTTP endpoint: builds the request context from the verified token, formats errors."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

from kinerja.auth.tokens import verify_access_token
from kinerja.core.config import Settings
from kinerja.core.context import Actor, RequestContext
from kinerja.core.errors import Unauthenticated
from kinerja.core.logging import request_id_var, tenant_var


class GraphQLView(GraphQL):
    def __init__(self, schema, settings: Settings, **kwargs):
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=False,
            **kwargs,
        )
        self.settings = settings

    async def get_context(self, request: Request, response: Response) -> RequestContext:
        ctx = RequestContext(
            settings=self.settings,
            request_id=request_id_var.get() or uuid.uuid4().hex,
            ip=request.client.host if request.client else "",
            request=request,
            response=response,
        )
        self._authenticate(ctx, request.headers.get("authorization", ""))
        return ctx

    def _authenticate(self, ctx: RequestContext, header: str) -> None:
        if not header:
            return
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            ctx.cache["auth_error"] = "Authorization header must be 'Bearer <token>'"
            return
        try:
            claims = verify_access_token(self.settings.secret_key, token.strip())
        except Unauthenticated as exc:
            ctx.cache["auth_error"] = exc.message
            return
        ctx.actor = Actor(user_id=claims.user_id, tenant_id=claims.tenant_id)
        tenant_var.set(str(claims.tenant_id))

    async def on_ws_connect(self, context: RequestContext):
        """graphql-transport-ws: the token comes in the connection_init payload,
        as {"Authorization": "Bearer <token>"}."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("Authorization") or params.get("authorization") or ""
        self._authenticate(context, header if isinstance(header, str) else "")
        if context.actor is None:
            raise ConnectionRejectionError({"message": context.cache.get("auth_error", "Authentication required")})
        return UNSET
