"""GraphQL over HTTP media types (https://graphql.github.io/graphql-over-http/draft/).

A client that asks for ``application/graphql-response+json`` gets the spec's status codes: a request
error (the document does not parse or validate, its variables do not coerce, the operation is
refused before it runs) is 4xx with no ``data`` entry, and the statuses below for the codes that
stand for the whole request. A client that asks for ``application/json``, ``*/*`` or nothing keeps
the legacy behaviour: 200 for request errors with ``"data": null`` (429 and 503 as documented).
"""

from __future__ import annotations

from contextvars import ContextVar

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

# The answer's media type for the request being served (set by the HTTP view per request).
response_media: ContextVar[str] = ContextVar("response_media", default=JSON)

# Status of a request error by its code, under application/graphql-response+json. RATE_LIMITED (429),
# SERVICE_UNAVAILABLE and TIMEOUT (503) get the same status under application/json too.
REQUEST_ERROR_STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "PERSISTED_QUERY_NOT_FOUND": 404,
    "RATE_LIMITED": 429,
    "INTERNAL_SERVER_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
    "TIMEOUT": 503,
}


def _quality(part: str) -> tuple[str, float]:
    media, *params = (p.strip() for p in part.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return media.lower(), quality


def negotiate(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client names it and rates it at least as high
    as ``application/json``; ``application/json`` otherwise (no Accept, ``*/*``, or a type we do not
    serve: the spec allows answering application/json rather than 406)."""
    if not accept:
        return JSON
    graphql_q = json_q = 0.0
    for part in accept.split(","):
        media, quality = _quality(part)
        if media == GRAPHQL_RESPONSE:
            graphql_q = max(graphql_q, quality)
        elif media in (JSON, "application/*", "*/*"):
            json_q = max(json_q, quality)
    return GRAPHQL_RESPONSE if graphql_q > 0 and graphql_q >= json_q else JSON


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8"


def request_error_status(body: object) -> int | None:
    """Under application/graphql-response+json: the status of an answer that failed before execution
    (every error without a ``path``, no data), whose ``data`` entry is then left out; None for an
    execution result (data or field errors), which is 200."""
    if not isinstance(body, dict) or body.get("data") is not None or not body.get("errors"):
        return None
    if any(error.get("path") for error in body["errors"]):
        return None
    codes = [(error.get("extensions") or {}).get("code") for error in body["errors"]]
    return max((REQUEST_ERROR_STATUS.get(code, 400) if isinstance(code, str) else 400 for code in codes), default=400)
