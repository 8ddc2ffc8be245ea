"""Turning exceptions into GraphQL errors: known ones keep their code, the rest are masked."""

from __future__ import annotations

import logging

from graphql import GraphQLError

from kinerja.core.errors import DomainError

log = logging.getLogger("kinerja.api")


def format_error(error: GraphQLError, request_id: str) -> dict:
    original = error.original_error
    formatted = error.formatted
    if isinstance(original, DomainError):
        formatted["message"] = original.message
        formatted["extensions"] = {"code": original.code, **original.extensions}
        if original.field:
            formatted["extensions"]["field"] = original.field
        return formatted
    if original is None or (error.path is None and isinstance(original, (GraphQLError, ValueError, TypeError))):
        # Parse, validation and variable coercion errors: the request itself is malformed.
        formatted["extensions"] = {"code": "BAD_USER_INPUT"}
        return formatted
    log.error("unexpected error in %s", error.path, exc_info=original)
    return {
        "message": f"Internal server error (request id {request_id})",
        "path": formatted.get("path"),
        "locations": formatted.get("locations"),
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    }
