"""Error codes for every GraphQL error, over HTTP and websockets alike: known errors keep their
code and message, malformed requests are BAD_USER_INPUT, an unreachable database is
SERVICE_UNAVAILABLE, anything else is masked with the request id (and logged with its traceback
under that id)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from asyncpg.exceptions import DataError
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult as StrawberryExecutionResult

from kinerja.core.db import is_database_unavailable
from kinerja.core.errors import DomainError
from kinerja.core.logging import request_id_var

log = logging.getLogger("kinerja.api")
UNAVAILABLE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "Database unavailable, retry shortly"


# graphql-core's hints name fields, types and enum values of the schema.
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class ValueNotStorable(Exception):
    """A client's value the database would refuse, found before it is sent (compiled reads)."""


def _value_refused_by_database(error: BaseException | None) -> bool:
    """A client's value the database cannot hold (a number beyond its column's range, text it
    cannot store): bad input, whichever argument carried it."""
    while error is not None:
        if isinstance(error, (OverflowError, DataError, ValueNotStorable)):
            return True
        error = error.__cause__
    return False


def with_code(error: GraphQLError, request_id: str, *, hide_suggestions: bool = False) -> GraphQLError:
    original = error.original_error
    if hide_suggestions and SUGGESTION.search(error.message):
        error = GraphQLError(SUGGESTION.sub("", error.message), nodes=error.nodes, source=error.source,
                             positions=error.positions, path=error.path, original_error=original,
                             extensions=error.extensions)
    if error.extensions and "code" in error.extensions:
        return error
    if isinstance(original, DomainError):
        extensions = {"code": original.code, **original.extensions}
        if original.field:
            extensions["field"] = original.field
        message = original.message
    elif is_database_unavailable(original):
        log.warning("database unavailable in %s: %s: %s", error.path, type(original).__name__, original)
        extensions = {"code": UNAVAILABLE, "requestId": request_id}
        message = UNAVAILABLE_MESSAGE
    elif original is None or (error.path is None and isinstance(original, (GraphQLError, ValueError, TypeError))):
        extensions, message = {"code": "BAD_USER_INPUT"}, error.message
    elif _value_refused_by_database(original):
        log.warning("value refused by the database in %s: %s", error.path, original)
        extensions, message = {"code": "BAD_USER_INPUT"}, "A value is out of range or cannot be stored"
    else:
        log.error("unexpected error in %s", error.path, exc_info=original)
        extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        message = f"Internal server error (request id {request_id})"
    return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                        path=error.path, original_error=None, extensions=extensions)


class ErrorCodes(SchemaExtension):
    def _process(self, result) -> None:
        if getattr(result, "errors", None):
            request_id = request_id_var.get() or "-"
            settings = getattr(self.execution_context.context, "settings", None)
            hide = settings is None or not settings.introspection
            result.errors = [with_code(e, request_id, hide_suggestions=hide) for e in result.errors]

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, (GraphQLExecutionResult, StrawberryExecutionResult)):
            self._process(result)

    def on_stream_result(self, result) -> Iterator[None]:
        self._process(result)
        yield None
