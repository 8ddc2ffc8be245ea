"""graphql-transport-ws sessions that end with their rights.

- Every operation sent on a socket (query, mutation, subscription) runs with a context of its own,
  built from the socket's current session: permissions are resolved afresh (a revocation applies to
  the next operation, as over HTTP), the account is checked when its transaction opens, and a
  mutation that answered userErrors leaves nothing behind for the next one.
- Per-user rate limits and the request time limit apply to each operation as they do over HTTP.
- The socket is closed with 4401 when the access token it was opened with expires, unless the client
  re-authenticates on it first: a ``ping`` whose payload is ``{"Authorization": "Bearer <token>"}``
  with a fresh token of the same user and tenant extends the session to that token's expiry (the
  ``pong`` says until when). An invalid or expired token closes the socket with 4401, a token of
  someone else with 4403. An operation refused as UNAUTHENTICATED (the account was disabled or
  deleted) closes it with 4401 too.
- When sessions of the socket's user end (sign-out, a revoked session, a changed password, a disabled
  login: ``auth/sessions.py``), the socket checks its own session at once and closes with 4401 if it
  is one of them, idle subscriptions included.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from typing import TYPE_CHECKING, Any, cast

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from kinerja.auth.http import actor_from_header
from kinerja.auth.sessions import SESSIONS_ENDED
from kinerja.core.context import RequestContext
from kinerja.core.errors import RateLimited, Unauthenticated
from kinerja.core.events import hub
from kinerja.core.logging import operation_var, request_id_var
from kinerja.graph import messages
from kinerja.graph.errors import with_code

if TYPE_CHECKING:
    from kinerja.api.view import GraphQLView

EXPIRED = (4401, "Unauthorized: the access token expired")
UNAUTHORIZED = (4401, "Unauthorized")
FORBIDDEN = (4403, "Forbidden")


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages go out as text frames, as the protocol requires: the view's
    JSON encoder returns bytes (orjson), which strawberry would send as binary frames, and standard
    clients (graphql-ws, gql) refuse those."""

    async def send_json(self, message) -> None:
        try:
            encoded = self.view.encode_json(message)
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


def operation_context(session: RequestContext) -> RequestContext:
    """A fresh context for one operation of a socket: the socket's actor and connection, nothing
    cached, nothing to roll back, nothing to run after commit."""
    return RequestContext(settings=session.settings, request_id=uuid.uuid4().hex, ip=session.ip,
                          origin=session.origin, actor=session.actor, request=session.request,
                          response=session.response, connection_params=session.connection_params,
                          sources=session.sources, language=session.language)


def _is_subscription(operation: Operation[RequestContext, None]) -> bool:
    try:
        found = get_operation_ast(parse(operation.query), operation.operation_name)
    except GraphQLError:
        return False  # the schema reports the syntax error
    return found is not None and found.operation is OperationType.SUBSCRIPTION


def _unauthenticated(result: ExecutionResult) -> bool:
    return any((e.extensions or {}).get("code") == Unauthenticated.code for e in result.errors or ())


class SessionTransportWS(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """The view's graphql-transport-ws handler (see the module's description)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._expiry: asyncio.Task | None = None
        self._watch: asyncio.Task | None = None

    # --- the session: expiry and re-authentication ---------------------------------------------

    async def handle_connection_init(self, message) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self._arm_expiry()
            if self._watch is None and self.context.actor is not None:
                self._watch = asyncio.create_task(self._close_when_the_session_ends())

    def _arm_expiry(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        expires_at = self.context.actor.expires_at if self.context.actor else None
        if expires_at is not None:
            self._expiry = asyncio.create_task(self._close_at(expires_at))

    async def _close_at(self, expires_at: float) -> None:
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        await self._close(*EXPIRED)

    async def _close_when_the_session_ends(self) -> None:
        actor = self.context.require_actor()
        async for event in hub.subscribe(actor.tenant_id):
            if event.kind != SESSIONS_ENDED or event.subject_id != actor.user_id:
                continue
            try:
                async with self.context.actor_transaction():
                    pass
            except Unauthenticated:
                await self._close(*UNAUTHORIZED)
                return

    def _expired(self) -> bool:
        actor = self.context.actor
        return actor is None or (actor.expires_at is not None and actor.expires_at <= time.time())

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code=code, reason=reason)

    async def handle_ping(self, message) -> None:
        payload = message.get("payload")
        header = None
        if isinstance(payload, dict):
            header = payload.get("Authorization") or payload.get("authorization")
        if header is None or not self.connection_acknowledged:
            await super().handle_ping(message)
            return
        try:
            actor = actor_from_header(self.context.settings, header if isinstance(header, str) else "")
        except Unauthenticated:
            await self._close(*UNAUTHORIZED)
            return
        current = self.context.actor
        if current is None or (actor.user_id, actor.tenant_id) != (current.user_id, current.tenant_id):
            await self._close(*FORBIDDEN)
            return
        self.context.actor = actor
        self._arm_expiry()
        expires = (dt.datetime.fromtimestamp(actor.expires_at, dt.UTC).isoformat()
                   if actor.expires_at is not None else None)
        await self.send_message({"type": "pong", "payload": {"expiresAt": expires}})

    async def handle_subscribe(self, message) -> None:
        if self.connection_acknowledged and self._expired():
            await self._close(*EXPIRED)
            return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        for task in (self._expiry, self._watch):
            if task is not None:
                task.cancel()
        await super().shutdown()

    # --- one operation ---------------------------------------------------------------------------

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        """As strawberry's, with a context of its own, the rate limits and, for queries and
        mutations, the time limit."""
        context = operation_context(self.context)
        request_id_var.set(context.request_id)
        messages.language.set(context.language)
        operation_var.set(operation.operation_name or "")
        try:
            try:
                cast("GraphQLView", self.view).count_request(context)  # the app's view (api/view.py)
            except RateLimited as exc:
                await operation.send_initial_errors([GraphQLError(
                    messages.translate(exc.message), extensions={"code": exc.code, "retryAfter": exc.retry_after})])
                return
            if _is_subscription(operation):
                await self._stream(operation, context)
            else:
                try:
                    async with asyncio.timeout(context.settings.request_timeout_seconds):
                        await self._stream(operation, context)
                except TimeoutError:
                    await operation.send_initial_errors([self._timeout_error(context)])
                    return
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:  # pragma: no cover - as strawberry's
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def _stream(self, operation: Operation[RequestContext, None], context: RequestContext) -> None:
        result_source = await self.schema.stream(operation.query, variable_values=operation.variables,
                                                 context_value=context, root_value=self.root_value,
                                                 operation_name=operation.operation_name)
        async with aclosing(result_source):
            first = True
            async for result in result_source:
                if first and isinstance(result, PreExecutionError):
                    await self._handle_pre_execution_error(operation, result)
                    return
                if not isinstance(result, ExecutionResult):
                    await self._reject_incremental_delivery(operation)
                    return
                await operation.send_next(result)
                first = False
                if _unauthenticated(result):
                    # The session ended (account disabled or deleted): so does the socket.
                    await self._close(*UNAUTHORIZED)
                    raise _OperationStreamClosed

    @staticmethod
    def _timeout_error(context: RequestContext) -> GraphQLError:
        seconds = context.settings.request_timeout_seconds
        error = GraphQLError(f"The operation took longer than {seconds:g} s and was cancelled; nothing it wrote "
                             f"was kept (request id {context.request_id})",
                             extensions={"code": "TIMEOUT", "requestId": context.request_id})
        return with_code(error, context.request_id)
