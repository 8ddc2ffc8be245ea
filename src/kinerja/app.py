"""The ASGI application."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import sqlite3
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.exceptions import BaseORMException, DBConnectionError

from kinerja.api import metrics, tracing
from kinerja.api.http_security import CONSOLE_ASSETS, CONSOLE_CSP, GRAPHIQL_ASSETS, CorsPolicy, SecurityHeaders
from kinerja.api.schema import build_schema, limits
from kinerja.api.trusted import TrustedDocuments
from kinerja.api.view import RETRY_AFTER_SECONDS, GraphQLView
from kinerja.auth.account import RESET_CODE_SENDERS
from kinerja.auth.policy_events import PolicyReloader
from kinerja.auth.roles import disable_logins_of_employee
from kinerja.citizen.http import public_report_csv, survey_codes_pdf
from kinerja.core import faults, replicas
from kinerja.core.config import Settings
from kinerja.core.db import readiness, tortoise_config
from kinerja.core.events import hub
from kinerja.core.faults import StorageUnavailable
from kinerja.core.listener import NotificationListener
from kinerja.core.logging import configure_logging, operation_var, request_id_var, tenant_var
from kinerja.core.paths import persisted_manifest
from kinerja.core.signing import keyring
from kinerja.core.storage import storage_for
from kinerja.documents.http import verify_page
from kinerja.evaluations.documents import (
    credit_document,
    evaluation_document,
    unit_predicate_document,
    unit_predicate_sheet,
)
from kinerja.goals.documents import iku_document
from kinerja.goals.downloads import download_iku_evidence
from kinerja.graph import messages
from kinerja.notifications.mail import reset_code_mail
from kinerja.org.service import EMPLOYEE_EXIT_HOOKS
from kinerja.plans.documents import plan_document
from kinerja.plans.downloads import download_evidence
from kinerja.training.downloads import download_certificate

log = logging.getLogger("kinerja.http")


class BodySizeLimit:
    """Refuses request bodies over the limit (413) before they are read whole."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = b'{"errors":[{"message":"Request body too large","extensions":{"code":"BAD_USER_INPUT"}}]}'
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


class RequestLogMiddleware:
    """Gives every request an id (honouring a sane X-Request-ID) and logs one line per request."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        request_id_var.set(request_id)
        messages.language.set(messages.negotiate(headers.get(b"accept-language", b"").decode("latin-1")))
        tenant_var.set("")
        operation_var.set("")
        started = time.perf_counter()
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["path"] not in ("/healthz", "/readyz"):
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


READY_TIMEOUT_SECONDS = 1.0


async def readyz(request: Request) -> JSONResponse:
    """200 when requests can be served; 503 with the reason otherwise: the database unreachable,
    read-only or out of disk, or the file storage unusable or full."""
    async def check(probe) -> str | None:
        try:
            return await asyncio.wait_for(probe, READY_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            return f"check failed ({type(exc).__name__})"

    database, uploads = await asyncio.gather(check(readiness()),
                                             check(storage_for(request.app.state.settings).readiness()))
    body = {"status": "ok", "database": database or "ok", "uploads": uploads or "ok"}
    if database or uploads:
        body.update(status="unavailable", reason="; ".join(r for r in (database, uploads) if r))
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)


async def database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The plain HTTP endpoints (downloads, documents, reports) answer faults like the GraphQL one:
    503, and Retry-After unless the time limit was reached."""
    fault = faults.classify(exc)
    if fault is None:
        raise exc
    faults.record(fault)
    log.warning("%s: %s: %s", fault.value, type(exc).__name__, exc)
    headers = {} if fault is faults.Fault.TIMEOUT else {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse({"error": fault.message if fault is not faults.Fault.TIMEOUT else "Time limit reached",
                         "code": fault.code}, status_code=503, headers=headers)


async def console_page(_request: Request) -> HTMLResponse:
    """The tenant admins' console (api/console/): one page whose modules use the public GraphQL API."""
    return HTMLResponse((CONSOLE_ASSETS / "index.html").read_text(encoding="utf-8"),
                        headers={"content-security-policy": CONSOLE_CSP})


async def _demo_worker() -> None:
    from kinerja.notifications import worker

    await asyncio.sleep(DEMO_WORKER_DELAY_SECONDS)  # after the start, which stays fast
    while True:
        try:
            await worker.run(DEMO_WORKER_INTERVAL_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a failed round is logged; the demo keeps serving
            log.exception("demo worker round failed")
            await asyncio.sleep(DEMO_WORKER_INTERVAL_SECONDS)


DEMO_WORKER_DELAY_SECONDS = 2.0
DEMO_WORKER_INTERVAL_SECONDS = 30.0


def create_app(settings: Settings | None = None, *, manage_db: bool = True,
               traces: tracing.Tracing | None = None) -> ASGIApp:
    """``traces``: OpenTelemetry tracing to report to; by default as the ``OTEL_*`` variables say
    (off unless ``OTEL_TRACES_EXPORTER`` is set)."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    keyring(settings)  # a malformed signing key stops the start, not the first document
    if reset_code_mail not in RESET_CODE_SENDERS:
        RESET_CODE_SENDERS.append(reset_code_mail)  # reset codes by mail where the tenant has a mail server
    if disable_logins_of_employee not in EMPLOYEE_EXIT_HOOKS:
        EMPLOYEE_EXIT_HOOKS.append(disable_logins_of_employee)  # a leaving employee's logins stop with him
    traces = traces or tracing.from_environment()
    extensions = [*limits(introspection=settings.introspection, max_cost=settings.max_query_cost),
                  functools.partial(metrics.OperationLabel, known=metrics.known_operations())]
    if traces is not None:
        extensions.append(traces.schema_extension())
    schema = build_schema(extensions)
    bundled = [persisted_manifest()] if persisted_manifest().exists() else []
    trusted = TrustedDocuments(manifests=[*bundled, *map(Path, settings.persisted_documents)])
    schema.trusted = trusted  # a tenant restricted to persisted documents is checked against them
    view = GraphQLView(schema, settings, trusted)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        try:
            if not manage_db:
                yield
                return
            async with RegisterTortoise(app, config=tortoise_config(settings, statement_timeout=True)):
                listener = None
                if settings.uses_postgres:
                    channels = [PolicyReloader().channel(), hub.channel()]
                    if settings.replica_url:
                        replicas.writers.sticky_seconds = settings.replica_sticky_seconds
                        replicas.health.wait_seconds = settings.replica_wait_seconds
                        channels.append(replicas.writers.channel())
                    # LISTEN needs a session of its own: a direct connection, never a transaction pooler.
                    listener = NotificationListener(settings.listen_db_url, channels)
                if listener:
                    listener.start()
                # The demo runs the scheduled jobs in-process, so reminders arrive without a worker.
                jobs = asyncio.create_task(_demo_worker()) if settings.mode == "demo" else None
                try:
                    yield
                finally:
                    if jobs is not None:
                        jobs.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await jobs
                    if listener:
                        await listener.stop()
        finally:
            metrics.worker_stopped()

    app = Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/evidence/{evidence_id}", download_evidence),
            Route("/iku-evidence/{realisation_id}", download_iku_evidence),
            Route("/certificates/{record_id}", download_certificate),
            Route("/documents/evaluations/{evaluation_id}.pdf", evaluation_document),
            Route("/documents/plans/{plan_id}.pdf", plan_document),
            Route("/documents/units/{org_unit_id}/predicates.csv", unit_predicate_sheet),
            Route("/documents/units/{org_unit_id}/predicates.pdf", unit_predicate_document),
            Route("/documents/employees/{employee_id}/credit-points/{year}.pdf", credit_document),
            Route("/documents/units/{org_unit_id}/iku/{year}.pdf", iku_document),
            Route("/public/{tenant}/report/{year}.csv", public_report_csv),
            Route("/verify/{code}", verify_page),
            Route("/survey-codes/{batch_id}.pdf", survey_codes_pdf),
            Route("/console", console_page),
            Route("/console/", console_page),
            Mount("/console/assets", StaticFiles(directory=CONSOLE_ASSETS / "assets")),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.metrics_endpoint(settings)),
            *([Mount("/static/graphiql", StaticFiles(directory=GRAPHIQL_ASSETS))] if settings.graphiql else []),
        ],
        middleware=[Middleware(metrics.RequestMetrics, settings=settings), Middleware(RequestLogMiddleware), Middleware(SecurityHeaders, hsts=settings.hsts),
                    Middleware(CorsPolicy, settings=settings),
                    Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)],
        lifespan=lifespan,
        exception_handlers={kind: database_unavailable for kind in (
            OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, DBConnectionError,
            StorageUnavailable, sqlite3.OperationalError, BaseORMException)},
    )
    app.state.settings = settings
    return traces.wrap(app) if traces is not None else app


def create_served_app() -> ASGIApp:
    """The application of one server process (``kinerja serve``, ``kinerja demo``). What it built at
    start (the schema, the policy, the modules: about 190,000 objects) lives as long as the process,
    so it is frozen out of the cyclic garbage collector. Otherwise each full collection walked all of
    it: a pause of about 240 ms for every request the process held, once a minute under load."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
