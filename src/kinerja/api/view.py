"""The HTTP endpoint: builds the request context from the verified token, formats errors."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

from kinerja.api.errors import UNAVAILABLE
from kinerja.api.http_auth import authenticate, new_context
from kinerja.core.config import Settings
from kinerja.core.context import RequestContext


RETRY_AFTER_SECONDS = 2


def _unavailable_error(response_data) -> dict | None:
    if not isinstance(response_data, dict):
        return None
    for error in response_data.get("errors") or []:
        extensions = error.get("extensions") or {}
        if extensions.get("code") == UNAVAILABLE:
            return {"message": error["message"], "extensions": extensions}
    return None


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

    def create_response(self, response_data, sub_response: Response) -> Response:
        """An unreachable database is 503 with Retry-After and one error, never partial data."""
        unavailable = _unavailable_error(response_data)
        if unavailable is None:
            return super().create_response(response_data, sub_response)
        response = super().create_response({"errors": [unavailable]}, sub_response)
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    async def on_ws_connect(self, context: RequestContext):
        """graphql-transport-ws: the token comes in the connection_init payload,
        as {"Authorization": "Bearer <token>"}."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("Authorization") or params.get("authorization") or ""
        authenticate(context, header if isinstance(header, str) else "")
        if context.actor is None:
            raise ConnectionRejectionError({"message": context.cache.get("auth_error", "Authentication required")})
        return UNSET
