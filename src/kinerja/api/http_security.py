"""HTTP hardening middleware: security headers on every response, and CORS by tenant.

CORS: a request from another site's page (an ``Origin`` that is not the API's own host) is served
only for an origin the deployment allows (KINERJA_CORS_ORIGINS) or, with a token, one its tenant
allows (the tenant's ``allowed_origins``). Without a token the origin must belong to some tenant;
operations that name a tenant (login, refresh, public operations) then check that tenant's list and
answer 403 otherwise. Preflights carry no token and are answered for any known origin. Requests
without ``Origin`` (servers, curl) are not affected. WebSocket upgrades from unknown origins are
refused here; the token's tenant is checked when the connection is initialised.
"""

from __future__ import annotations

from pathlib import Path

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinerja.auth.http import actor_from_header
from kinerja.core.config import Settings
from kinerja.core.errors import Unauthenticated
from kinerja.core.origins import cross_origin
from kinerja.tenancy.origins import is_known_origin, origin_allowed

CSP = "default-src 'none'; frame-ancestors 'none'"
# GraphiQL's files, inside the package (served under /static/graphiql/ where GraphiQL is on).
GRAPHIQL_ASSETS = Path(__file__).parent / "static" / "graphiql"
# GraphiQL (demo mode): every script and style comes from this server (api/static/graphiql/); no
# inline script. Styles allow 'unsafe-inline' for the style attributes its editor sets, fonts and
# icons are data: URLs, and connections go back to this origin (HTTP and its WebSocket).
GRAPHIQL_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "font-src 'self' data:; connect-src 'self'; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
# The tenant admins' console (api/console/, served at /console): plain ES modules and one style sheet
# from this server, no inline script or style, and connections only to this origin's /graphql.
CONSOLE_ASSETS = Path(__file__).parent / "console"
CONSOLE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
HSTS = "max-age=31536000; includeSubDomains"
DOWNLOAD_PREFIXES = ("/evidence/", "/documents/")
ALLOWED_METHODS = "GET, POST"
ALLOWED_HEADERS = "Authorization, Content-Type, X-Request-ID"
PREFLIGHT_MAX_AGE = "600"


def _add_missing(headers: list[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return [*headers, *((name, value) for name, value in extra if name not in present)]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts: bool = False):
        self.app = app
        self.common = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", CSP.encode()),
            (b"cache-control", b"no-store"),
        ]
        if hsts:
            self.common.append((b"strict-transport-security", HSTS.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.common)
        if scope["path"].startswith(DOWNLOAD_PREFIXES):
            extra.append((b"cross-origin-resource-policy", b"same-origin"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _add_missing(list(message.get("headers") or []), extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def mark_origin_refused(scope: Scope) -> None:
    """The operation refused the request's origin for its tenant: send no CORS approval."""
    scope.setdefault("state", {})["origin_refused"] = True


async def _refuse(send: Send) -> None:
    body = orjson.dumps({"errors": [{"message": "Requests from this origin are not allowed",
                                     "extensions": {"code": "FORBIDDEN"}}]})
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"vary", b"Origin")]})
    await send({"type": "http.response.body", "body": body})


class CorsPolicy:
    def __init__(self, app: ASGIApp, settings: Settings):
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = cross_origin(headers)
        if origin is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            if await is_known_origin(self.settings, origin):
                await self.app(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1008})
        elif scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, send)
        elif await self._allowed(origin, headers.get("authorization", "")):
            await self.app(scope, receive, self._approving(scope, send, origin))
        else:
            await _refuse(send)

    async def _allowed(self, origin: str, authorization: str) -> bool:
        if authorization:
            try:
                actor = actor_from_header(self.settings, authorization)
            except Unauthenticated:
                actor = None  # reported as UNAUTHENTICATED by the endpoint, if it needs a login
            if actor is not None:
                return await origin_allowed(self.settings, origin, actor.tenant_id)
        return await is_known_origin(self.settings, origin)

    async def _preflight(self, origin: str, send: Send) -> None:
        if not await is_known_origin(self.settings, origin):
            await _refuse(send)
            return
        await send({"type": "http.response.start", "status": 204, "headers": [
            (b"access-control-allow-origin", origin.encode()),
            (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
            (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE.encode()),
            (b"vary", b"Origin"),
        ]})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    def _approving(scope: Scope, send: Send, origin: str) -> Send:
        async def send_approved(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((b"vary", b"Origin"))
                if not scope.get("state", {}).get("origin_refused"):
                    headers += [(b"access-control-allow-origin", origin.encode()),
                                (b"access-control-expose-headers", b"X-Request-ID")]
                message["headers"] = headers
            await send(message)

        return send_approved
