"""Bearer-token authentication for the plain HTTP endpoints (downloads, documents), with the same
token rules as the GraphQL API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from kinerja.auth.tokens import verify_access_token
from kinerja.core.context import Actor, RequestContext
from kinerja.core.errors import Unauthenticated
from kinerja.core.logging import request_id_var


def context_from_bearer(request: Request) -> RequestContext | JSONResponse:
    settings = request.app.state.settings
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer":
            raise Unauthenticated("Bearer token required")
        claims = verify_access_token(settings.secret_key, token.strip())
    except Unauthenticated as exc:
        return JSONResponse({"error": exc.message}, status_code=401)
    return RequestContext(settings=settings, request_id=request_id_var.get(),
                          actor=Actor(user_id=claims.user_id, tenant_id=claims.tenant_id))


def not_found() -> JSONResponse:
    return JSONResponse({"error": "Not found"}, status_code=404)
