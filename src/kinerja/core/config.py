"""Settings read from the environment, once, at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinerja.core.origins import origin_problem

DEMO_SECRET_NOTE = "demo mode: a random secret key is generated at every start"  # noqa: S105 - a message, not a secret


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


# Where GraphiQL is served by `kinerja serve` in demo mode.
LOCAL_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")


def _origins(raw: str, relaxed: bool) -> tuple[str, ...]:
    """KINERJA_CORS_ORIGINS: origins separated by commas or spaces (scheme://host[:port])."""
    origins = [o for o in raw.replace(",", " ").split() if o]
    for origin in origins:
        if problem := origin_problem(origin):
            raise ConfigError(f"KINERJA_CORS_ORIGINS: {problem}")
    if relaxed:
        origins += [o for o in LOCAL_ORIGINS if o not in origins]
    return tuple(origins)


@dataclass(frozen=True)
class Settings:
    # postgres://user@host/db for the app role; empty = embedded SQLite file.
    database_url: str = ""
    # Owner role for migrations; defaults to database_url.
    migration_database_url: str = ""
    sqlite_path: str = "kinerja-demo.sqlite3"
    secret_key: str = ""
    mode: str = "production"  # production | demo | test
    log_level: str = "INFO"
    graphiql: bool = False
    introspection: bool = False
    # Lifetime of an access token; a websocket is closed (4401) when its token expires.
    access_token_seconds: int = 900
    refresh_token_days: int = 14
    # A refresh token exchanged again within this many seconds of its rotation answers the same
    # successor (two browser tabs refreshing at once); later, the reuse revokes the whole family.
    refresh_grace_seconds: float = 10.0
    login_max_failures: int = 5
    login_window_minutes: int = 15
    # Login attempts (any username) and refresh-token exchanges per client IP per login window,
    # counted exactly in the database.
    login_ip_max_attempts: int = 30
    refresh_ip_max_exchanges: int = 120
    # Authenticated GraphQL requests per minute, counted in-process and merged across workers every
    # rate_sync_seconds (0 disables a limit). Test mode turns all these off unless set explicitly.
    rate_user_per_minute: int = 600
    rate_tenant_per_minute: int = 20_000
    rate_ip_per_minute: int = 1_200
    rate_sync_seconds: float = 0.5
    # Where uploaded files live: "local" (upload_dir) or "s3" (an S3-compatible bucket; credentials from
    # the standard AWS_* variables or the instance's role).
    storage: str = "local"
    upload_dir: str = "uploads"
    # /readyz answers 503 when the upload directory has less free space than this.
    upload_min_free_bytes: int = 16 * 1024 * 1024
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    pool_size: int = 10
    # "transaction" when DATABASE_URL is a pooler in transaction mode (PgBouncer): statements are not
    # prepared by name (unless db_statement_cache_size says otherwise) and the connection sends no
    # startup settings but its name (PgBouncer refuses the others; set them on the role instead).
    db_pooler: str = ""
    # asyncpg's per-connection cache of named prepared statements; None = asyncpg's default (100), or 0
    # behind a transaction pooler (PgBouncer before 1.21, or without max_prepared_statements).
    db_statement_cache_size: int | None = None
    # The direct connection (never a transaction pooler) each process keeps for LISTEN; empty = DATABASE_URL.
    listen_url: str = ""
    # A streaming replica (or a pooler in front of one) answering compiled reads; empty = the primary.
    replica_url: str = ""
    # After a user's operation wrote, that user's reads go to the primary for this many seconds
    # (read-your-writes while the replica catches up), on every host (announced through NOTIFY).
    replica_sticky_seconds: float = 5.0
    # A read waits this long for the replica to start its transaction; past it (or on a connection
    # failure) the primary answers, and reads skip the replica for 10 s.
    replica_wait_seconds: float = 2.0
    # Seconds to open a database connection, and to wait for a pooled one; past them a request
    # answers SERVICE_UNAVAILABLE instead of hanging.
    db_connect_timeout: float = 5.0
    db_acquire_timeout: float = 10.0
    # Evidence files travel base64 in the JSON body: 8 MiB admits one 5 MB file with room to spare.
    max_body_bytes: int = 8 * 1024 * 1024
    # Reads compiled to one SQL statement (graph/compiler/); off = every field resolved by the schema.
    compiled_operations: bool = True
    # Static cost of one GraphQL document (fields, multiplied by page sizes and list estimates).
    max_query_cost: int = 100_000
    # One operation's execution over HTTP; PostgreSQL statements of the app get the same bound.
    request_timeout_seconds: float = 15.0
    # PostgreSQL statement_timeout of the server's connections; 0 = the request time limit.
    statement_timeout_seconds: float = 0.0
    # Send Strict-Transport-Security (only behind HTTPS).
    hsts: bool = False
    # Browser origins allowed for every tenant, on top of each tenant's own allowed_origins.
    cors_origins: tuple[str, ...] = ()
    # Persisted-documents manifests (graphql-codegen's persisted-documents.json) accepted by documentId,
    # on top of the bundled manifest of schema/operations/.
    persisted_documents: tuple[str, ...] = ()
    # /metrics answers only requests that send this token as "Authorization: Bearer"; empty = off.
    metrics_token: str = ""
    # Adds the tenant slug to the per-request series (one series per tenant: mind the cardinality).
    metrics_tenant_label: bool = False
    # Ed25519 key signing issued documents (base64 seed or PEM), its id, and older public keys still
    # accepted ("id:base64 ..."); see core/signing.py and docs/documents.md (rotation).
    signing_key: str = ""
    signing_key_id: str = "k1"
    signing_public_keys: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def behind_pooler(self) -> bool:
        return self.db_pooler == "transaction"

    @property
    def statement_cache_size(self) -> int:
        if self.db_statement_cache_size is not None:
            return self.db_statement_cache_size
        return 0 if self.behind_pooler else 100

    @property
    def listen_db_url(self) -> str:
        return (self.listen_url or self.database_url).replace("postgresql://", "postgres://", 1)

    @property
    def replica_db_url(self) -> str:
        return self.replica_url.replace("postgresql://", "postgres://", 1)

    @property
    def effective_statement_timeout(self) -> float:
        return self.statement_timeout_seconds or self.request_timeout_seconds

    @property
    def db_url(self) -> str:
        if self.uses_postgres:
            return self.database_url.replace("postgresql://", "postgres://", 1)
        if self.database_url.startswith("sqlite://"):
            return self.database_url
        return f"sqlite://{Path(self.sqlite_path).resolve()}"

    @property
    def owner_db_url(self) -> str:
        url = self.migration_database_url or self.database_url
        if url.startswith(("postgres://", "postgresql://")):
            return url.replace("postgresql://", "postgres://", 1)
        return self.db_url

    @classmethod
    def from_env(cls, *, require_secret: bool = True, **overrides: Any) -> Settings:
        """Read the environment. Operator commands that issue no tokens pass require_secret=False."""
        mode = overrides.pop("mode", None) or os.environ.get("KINERJA_MODE", "production")
        if mode not in {"production", "demo", "test"}:
            raise ConfigError(f"KINERJA_MODE must be production, demo or test, not {mode!r}")
        relaxed = mode != "production"
        values: dict[str, Any] = dict(
            database_url=os.environ.get("DATABASE_URL", ""),
            migration_database_url=os.environ.get("MIGRATION_DATABASE_URL", ""),
            sqlite_path=os.environ.get("KINERJA_SQLITE_PATH", "kinerja-demo.sqlite3"),
            secret_key=os.environ.get("KINERJA_SECRET_KEY", ""),
            mode=mode,
            log_level=os.environ.get("KINERJA_LOG_LEVEL", "INFO").upper(),
            graphiql=_flag("KINERJA_GRAPHIQL", relaxed),
            introspection=_flag("KINERJA_INTROSPECTION", relaxed),
            storage=os.environ.get("KINERJA_STORAGE", "local").strip().lower() or "local",
            upload_dir=os.environ.get("KINERJA_UPLOAD_DIR", "uploads"),
            upload_min_free_bytes=_int("KINERJA_UPLOAD_MIN_FREE_MB", 16) * 1024 * 1024,
            s3_bucket=os.environ.get("KINERJA_S3_BUCKET", "").strip(),
            s3_prefix=os.environ.get("KINERJA_S3_PREFIX", "").strip(),
            s3_endpoint_url=os.environ.get("KINERJA_S3_ENDPOINT_URL", "").strip(),
            s3_region=os.environ.get("KINERJA_S3_REGION", "").strip(),
            pool_size=int(os.environ.get("KINERJA_DB_POOL_SIZE", "10")),
            db_pooler=os.environ.get("KINERJA_DB_POOLER", "").strip().lower(),
            db_statement_cache_size=(_int("KINERJA_DB_STATEMENT_CACHE_SIZE", 0)
                                     if os.environ.get("KINERJA_DB_STATEMENT_CACHE_SIZE", "").strip() else None),
            listen_url=os.environ.get("KINERJA_LISTEN_URL", "").strip(),
            replica_url=os.environ.get("KINERJA_REPLICA_URL", "").strip(),
            replica_sticky_seconds=float(os.environ.get("KINERJA_REPLICA_STICKY_SECONDS", "5")),
            replica_wait_seconds=float(os.environ.get("KINERJA_REPLICA_WAIT_SECONDS", "2")),
            db_connect_timeout=float(os.environ.get("KINERJA_DB_CONNECT_TIMEOUT", "5")),
            db_acquire_timeout=float(os.environ.get("KINERJA_DB_ACQUIRE_TIMEOUT", "10")),
            max_body_bytes=int(os.environ.get("KINERJA_MAX_BODY_BYTES", str(8 * 1024 * 1024))),
            compiled_operations=_flag("KINERJA_COMPILED_OPERATIONS", True),
            max_query_cost=int(os.environ.get("KINERJA_MAX_QUERY_COST", "100000")),
            request_timeout_seconds=float(os.environ.get("KINERJA_REQUEST_TIMEOUT_SECONDS", "15")),
            access_token_seconds=_int("KINERJA_ACCESS_TOKEN_SECONDS", 900),
            refresh_grace_seconds=float(os.environ.get("KINERJA_REFRESH_GRACE_SECONDS", "10")),
            statement_timeout_seconds=float(os.environ.get("KINERJA_STATEMENT_TIMEOUT_SECONDS", "0")),
            hsts=_flag("KINERJA_HSTS", False),
            cors_origins=_origins(os.environ.get("KINERJA_CORS_ORIGINS", ""), relaxed),
            persisted_documents=tuple(os.environ.get("KINERJA_PERSISTED_DOCUMENTS", "").replace(",", " ").split()),
            metrics_token=os.environ.get("KINERJA_METRICS_TOKEN", ""),
            signing_key=os.environ.get("KINERJA_SIGNING_KEY", "").strip(),
            signing_key_id=os.environ.get("KINERJA_SIGNING_KEY_ID", "").strip() or "k1",
            signing_public_keys=os.environ.get("KINERJA_SIGNING_PUBLIC_KEYS", "").strip(),
            metrics_tenant_label=_flag("KINERJA_METRICS_TENANT_LABEL", False),
            # The test suite talks from one client IP all along: its limits are off unless set.
            login_ip_max_attempts=_int("KINERJA_LOGIN_IP_MAX_ATTEMPTS", 0 if mode == "test" else 30),
            refresh_ip_max_exchanges=_int("KINERJA_REFRESH_IP_MAX_EXCHANGES", 0 if mode == "test" else 120),
            rate_user_per_minute=_int("KINERJA_RATE_USER_PER_MINUTE", 0 if mode == "test" else 600),
            rate_tenant_per_minute=_int("KINERJA_RATE_TENANT_PER_MINUTE", 0 if mode == "test" else 20_000),
            rate_ip_per_minute=_int("KINERJA_RATE_IP_PER_MINUTE", 0 if mode == "test" else 1_200),
        )
        values.update(overrides)
        settings = cls(**values)
        if settings.request_timeout_seconds <= 0 or settings.max_query_cost <= 0 or settings.statement_timeout_seconds < 0:
            raise ConfigError("KINERJA_REQUEST_TIMEOUT_SECONDS and KINERJA_MAX_QUERY_COST must be positive")
        if settings.access_token_seconds <= 0 or not 0 <= settings.refresh_grace_seconds <= 300:
            raise ConfigError("KINERJA_ACCESS_TOKEN_SECONDS must be positive and KINERJA_REFRESH_GRACE_SECONDS "
                              "between 0 and 300")
        if settings.db_pooler not in ("", "transaction"):
            raise ConfigError(f"KINERJA_DB_POOLER must be empty or transaction, not {settings.db_pooler!r}")
        for name, url in (("KINERJA_LISTEN_URL", settings.listen_url), ("KINERJA_REPLICA_URL", settings.replica_url)):
            if url and not url.startswith(("postgres://", "postgresql://")):
                raise ConfigError(f"{name} must be a postgres:// URL")
        if settings.replica_url and not settings.uses_postgres:
            raise ConfigError("KINERJA_REPLICA_URL needs a PostgreSQL DATABASE_URL")
        if settings.replica_sticky_seconds < 0 or settings.replica_wait_seconds <= 0:
            raise ConfigError("KINERJA_REPLICA_STICKY_SECONDS must not be negative and KINERJA_REPLICA_WAIT_SECONDS "
                              "must be positive")
        if settings.storage not in ("local", "s3"):
            raise ConfigError(f"KINERJA_STORAGE must be local or s3, not {settings.storage!r}")
        if settings.storage == "s3" and not settings.s3_bucket:
            raise ConfigError("KINERJA_STORAGE=s3 needs KINERJA_S3_BUCKET")
        if not settings.secret_key:
            if mode == "production" and require_secret:
                raise ConfigError(
                    "KINERJA_SECRET_KEY is not set: production mode refuses to start without it "
                    "(set KINERJA_MODE=demo for a local demo)"
                )
            settings = cls(**{**values, "secret_key": secrets.token_urlsafe(32)})
        elif mode == "production" and len(settings.secret_key) < 32:
            raise ConfigError("KINERJA_SECRET_KEY must be at least 32 characters")
        if settings.metrics_token and len(settings.metrics_token) < 16:
            raise ConfigError("KINERJA_METRICS_TOKEN must be at least 16 characters")
        return settings
