"""The HTTP endpoint: builds the request context from the verified token, formats errors."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

from kinerja.api.http_auth import authenticate, new_context
from kinerja.core.config import Settings
from kinerja.core.context import RequestContext


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
