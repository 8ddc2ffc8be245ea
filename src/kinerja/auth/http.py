"""Building a request context from a request: the verified bearer token is the only source of the
tenant. Shared by the GraphQL view and the plain HTTP endpoints (downloads, documents)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from kinerja.auth.sources import sources
from kinerja.auth.tokens import verify_access_token
from kinerja.core import audit
from kinerja.core.config import Settings
from kinerja.core.context import Actor, RequestContext
from kinerja.core.errors import Forbidden, NotFound, Unauthenticated
from kinerja.core.events import committed
from kinerja.core.logging import request_id_var, tenant_var
from kinerja.core.origins import cross_origin
from kinerja.graph import messages


def _language(connection: HTTPConnection | None) -> str:
    """An HTTP request's language was negotiated by the request middleware; a websocket's is
    negotiated here, once per connection (the connection_init payload may still change it)."""
    if connection is None or connection.scope["type"] == "http":
        return messages.language.get()
    return messages.negotiate(connection.headers.get("accept-language"))


def new_context(settings: Settings, connection: HTTPConnection | None = None, **kwargs) -> RequestContext:
    return RequestContext(
        settings=settings,
        request_id=request_id_var.get() or uuid.uuid4().hex,
        ip=connection.client.host if connection is not None and connection.client else "",
        origin=cross_origin(connection.headers) if connection is not None else None,
        language=_language(connection),
        sources=sources,
        **kwargs,
    )


def actor_from_header(settings: Settings, header: str) -> Actor:
    """The actor of an ``Authorization: Bearer <token>`` header; UNAUTHENTICATED otherwise."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization header must be 'Bearer <token>'")
    claims = verify_access_token(settings.secret_key, token.strip())
    tenant_var.set(str(claims.tenant_id))
    return Actor(user_id=claims.user_id, tenant_id=claims.tenant_id, expires_at=claims.expires_at,
                 session_id=claims.session_id)


def authenticate(ctx: RequestContext, header: str) -> None:
    """Attach the header's actor; a bad token is remembered and reported when a field needs it."""
    if not header:
        return
    try:
        ctx.actor = actor_from_header(ctx.settings, header)
    except Unauthenticated as exc:
        ctx.cache["auth_error"] = exc.message


def not_found() -> JSONResponse:
    return JSONResponse({"error": "Not found"}, status_code=404)


async def scoped_response(request: HTTPConnection,
                          work: Callable[[RequestContext], Awaitable[Response]]) -> Response:
    """Run ``work`` for the token's actor inside its tenant transaction: 401 without a valid token,
    404 for anything unknown or out of reach (the same answer, so nothing leaks). What it changes is
    audited as a GraphQL operation's changes are (``api/extensions.py``): collected while it runs,
    under the route's name until the work names its own (``audit.begin``), stored in the same
    transaction just before it commits; what runs after the commit runs once it committed."""
    settings = request.app.state.settings
    try:
        ctx = new_context(settings, request, actor=actor_from_header(settings, request.headers.get("authorization", "")))
    except Unauthenticated as exc:
        return JSONResponse({"error": exc.message}, status_code=401)
    actor = ctx.require_actor()
    endpoint = request.scope.get("endpoint")
    collector = audit.AuditCollector(getattr(endpoint, "__name__", request.url.path), mutation=False,
                                     actor_user_id=actor.user_id, request_id=ctx.request_id, ip=ctx.ip)
    token = audit.current.set(collector)
    try:
        async with ctx.actor_transaction():
            response = await work(ctx)
            await audit.flush(collector)
    except Unauthenticated as exc:
        return JSONResponse({"error": exc.message}, status_code=401)
    except (NotFound, Forbidden):
        return not_found()
    finally:
        audit.current.reset(token)
    await committed(collector, ctx)
    return response
