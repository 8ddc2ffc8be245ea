"""Error codes for every GraphQL error, over HTTP and websockets alike: known errors keep their
code and message, malformed requests are BAD_USER_INPUT (with the submitted values cut out of
graphql-core's messages), a database or file storage that cannot serve is SERVICE_UNAVAILABLE, an
operation out of time is TIMEOUT, anything else is masked with the request id (and logged with its
traceback under that id)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from asyncpg.exceptions import DataError
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult as StrawberryExecutionResult

from kinerja.core import faults
from kinerja.core.errors import DomainError
from kinerja.core.logging import request_id_var
from kinerja.core.once import conflict_from
from kinerja.graph.messages import translate

log = logging.getLogger("kinerja.api")
UNAVAILABLE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "Database unavailable, retry shortly"
TIMEOUT = "TIMEOUT"
# Codes that stand for the whole request (HTTP 503, one error, no partial data).
WHOLE_REQUEST_CODES = (UNAVAILABLE, TIMEOUT)


def timeout_message(seconds: float, request_id: str) -> str:
    return (f"The operation took longer than {seconds:g} s and was cancelled; nothing it wrote was kept "
            f"(request id {request_id})")


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


# graphql-core quotes the values it could not coerce ("Variable '$i' has invalid value: Expected value
# of type 'LoginInput' to include required field 'username', found: {'password': ...}"); a message
# keeps the variable, the path and the expected type, never the value.
_VARIABLE = re.compile(r"^(Variable '\$\w+' has invalid value(?: at [\w.\[\]]+)?): (.*)$", re.DOTALL)
_VALUE_SHAPES = (
    (re.compile(r"^Expected value of type '([^']+)' to include required field '(\w+)'", re.DOTALL),
     r"Expected value of type '\1' to include required field '\2'."),
    (re.compile(r"^Expected value of type '([^']+)' not to include unknown field '(\w+)'", re.DOTALL),
     r"Expected value of type '\1' not to include unknown field '\2'."),
    (re.compile(r"^Expected value of type '([^']+)'", re.DOTALL), r"Expected value of type '\1'."),
    (re.compile(r"^Value .* does not exist in '(\w+)' enum", re.DOTALL), r"Value does not exist in '\1' enum."),
    (re.compile(r"^(\w+ cannot represent [^:]*?)\.?(?:[:.] .*)?$", re.DOTALL), r"\1."),
)


def without_values(message: str) -> str:
    """A coercion message with the submitted value left out (other messages unchanged)."""
    hint = SUGGESTION.search(message)  # names of the schema, kept where hints are on
    variable = _VARIABLE.match(message)
    inner = variable.group(2) if variable else message
    for shape, replacement in _VALUE_SHAPES:
        if found := shape.match(inner):
            inner = found.expand(replacement)
            break
    else:
        if not variable:
            return message
        inner = "the value does not fit its type."
    if hint:
        inner += hint.group(0)
    return f"{variable.group(1)}: {inner}" if variable else inner


def with_code(error: GraphQLError, request_id: str, *, hide_suggestions: bool = False,
              timeout_seconds: float | None = None) -> GraphQLError:
    original = error.original_error
    if hide_suggestions and SUGGESTION.search(error.message):
        error = GraphQLError(SUGGESTION.sub("", error.message), nodes=error.nodes, source=error.source,
                             positions=error.positions, path=error.path, original_error=original,
                             extensions=error.extensions)
    if error.extensions and "code" in error.extensions:
        message = translate(error.message)
        if message == error.message:
            return error
        return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                            path=error.path, original_error=original, extensions=error.extensions)
    conflict = conflict_from(original) if original is not None and not isinstance(original, DomainError) else None
    if conflict is not None:
        original = conflict
    fault = None if isinstance(original, DomainError) else faults.classify(original)
    if isinstance(original, DomainError):
        extensions = {"code": original.code, **original.extensions}
        if original.field:
            extensions["field"] = original.field
        message = original.message
    elif fault is not None:
        faults.record(fault)
        log.warning("%s in %s: %s: %s", fault.value, error.path, type(original).__name__, original)
        extensions = {"code": fault.code, "requestId": request_id}
        message = timeout_message(timeout_seconds or 0, request_id) if fault is faults.Fault.TIMEOUT else fault.message
    elif original is None or (error.path is None and isinstance(original, (GraphQLError, ValueError, TypeError))):
        extensions, message = {"code": "BAD_USER_INPUT"}, without_values(error.message)
    elif _value_refused_by_database(original):
        log.warning("value refused by the database in %s: %s", error.path, original)
        extensions, message = {"code": "BAD_USER_INPUT"}, "A value is out of range or cannot be stored"
    else:
        log.error("unexpected error in %s", error.path, exc_info=original)
        extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        message = f"Internal server error (request id {request_id})"
    return GraphQLError(translate(message), nodes=error.nodes, source=error.source, positions=error.positions,
                        path=error.path, original_error=None, extensions=extensions)


class ErrorCodes(SchemaExtension):
    def _process(self, result) -> None:
        if getattr(result, "errors", None):
            request_id = request_id_var.get() or "-"
            settings = getattr(self.execution_context.context, "settings", None)
            hide = settings is None or not settings.introspection
            timeout = settings.request_timeout_seconds if settings is not None else None
            result.errors = [with_code(e, request_id, hide_suggestions=hide, timeout_seconds=timeout)
                             for e in result.errors]

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, (GraphQLExecutionResult, StrawberryExecutionResult)):
            self._process(result)

    def on_stream_result(self, result) -> Iterator[None]:
        self._process(result)
        yield None
