"""JSON logs, one object per line, carrying the request id, tenant and GraphQL operation."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import sys

import orjson

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
tenant_var: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="")
operation_var: contextvars.ContextVar[str] = contextvars.ContextVar("operation", default="")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, var in (("request_id", request_id_var), ("tenant", tenant_var), ("operation", operation_var)):
            value = var.get()
            if value:
                entry[key] = value
        for key in ("status", "method", "path", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("tortoise", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("uvicorn.access").disabled = True  # the request log below replaces it
