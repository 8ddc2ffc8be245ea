"""The request context every service receives: who is asking, in which tenant, with what rights."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient

from kinerja.core.config import Settings
from kinerja.core.db import tenant_transaction
from kinerja.core.errors import Forbidden, Unauthenticated


@dataclass
class Actor:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    expires_at: float | None = None  # when the access token that named the actor expires (POSIX seconds)
    session_id: uuid.UUID | None = None  # the token's session (``sid``): it works while that session is live


class ActorSources(Protocol):
    """Where a context learns what its actor may do and who the actor is (the auth area provides it;
    core does not depend on it)."""

    async def permissions(self, actor: Actor) -> frozenset[str]: ...

    async def employee_id(self, actor: Actor) -> uuid.UUID | None: ...

    def permissions_cached(self, actor: Actor) -> bool: ...


@dataclass
class RequestContext:
    settings: Settings
    request_id: str
    ip: str = ""
    # The Origin of a request from another site's page (None without one, or from the API's own host).
    origin: str | None = None
    actor: Actor | None = None
    # Set by a mutation that reported userErrors: its transaction is rolled back.
    rollback: bool = False
    loaders: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    after_commit: list[Callable[[], Awaitable[None] | None]] = field(default_factory=list)
    request: Any = None
    response: Any = None
    connection_params: Any = None  # graphql-transport-ws connection_init payload
    language: str = "en"  # of the messages: negotiated once from Accept-Language (graph/messages.py)
    sources: ActorSources | None = None

    @property
    def tenant_id(self) -> uuid.UUID | None:
        return self.actor.tenant_id if self.actor else None

    def require_tenant(self) -> uuid.UUID:
        """The acting user's tenant; UNAUTHENTICATED without one."""
        return self.require_actor().tenant_id

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise Unauthenticated(
                self.cache.get("auth_error")
                or "Authentication required: send 'Authorization: Bearer <token>'"
            )
        return self.actor

    def _sources(self) -> ActorSources:
        if self.sources is None:
            raise RuntimeError("the request context was made without its actor sources")
        return self.sources

    async def permissions(self) -> frozenset[str]:
        """The actor's permission keys, resolved once per request by the access-control area."""
        if "permissions" not in self.cache:
            self.cache["permissions"] = await self._sources().permissions(self.require_actor())
        permissions: frozenset[str] = self.cache["permissions"]
        return permissions

    async def load_permissions(self) -> None:
        """Resolve the permissions for a caller outside the operation's transaction (compiled reads):
        reading the tenant's policy needs a transaction bound to the tenant, RLS hides it otherwise."""
        if "permissions" in self.cache:
            return
        if self._sources().permissions_cached(self.require_actor()):
            await self.permissions()
            return
        async with self.actor_transaction():
            await self.permissions()

    def actor_transaction(self) -> contextlib.AbstractAsyncContextManager[BaseDBAsyncClient]:
        """A transaction bound to the caller: the tenant, the account (active) and the session (live);
        UNAUTHENTICATED when either is over."""
        actor = self.require_actor()
        return tenant_transaction(actor.tenant_id, user_id=actor.user_id, session_id=actor.session_id)

    async def scopes(self, obj: str, action: str) -> set[str]:
        """The scopes (own/team/unit/tenant) in which the actor may do ``action`` on ``obj``."""
        prefix = f"{obj}:{action}:"
        return {p.removeprefix(prefix) for p in await self.permissions() if p.startswith(prefix)}

    async def require(self, obj: str, action: str) -> set[str]:
        scopes = await self.scopes(obj, action)
        if not scopes:
            raise Forbidden(f"You lack the permission to {action} {obj}")
        return scopes

    async def holds(self, permission_key: str) -> bool:
        return permission_key in await self.permissions()

    async def employee_id(self) -> uuid.UUID | None:
        """The employee record linked to the acting user (None for pure admin logins)."""
        if "employee_id" not in self.cache:
            self.cache["employee_id"] = await self._sources().employee_id(self.require_actor())
        employee_id: uuid.UUID | None = self.cache["employee_id"]
        return employee_id
