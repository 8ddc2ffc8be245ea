"""Which browser origins may call the API for which tenant: each tenant's ``allowed_origins``
setting plus the deployment-wide KINERJA_CORS_ORIGINS; which tenants accept persisted documents
only (``persisted_documents_only``); which tenant a public read's slug names, and the settings of
its rate limit.

A preflight carries no token, so it is answered from an in-process index origin -> tenants; the
same index knows the restricted tenants, so neither check costs a query per request. The index is
rebuilt at most every INDEX_TTL_SECONDS, and at once in the process that applied or created a
tenant; other processes see a change within the TTL.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from kinerja.core.config import Settings
from kinerja.core.context import RequestContext
from kinerja.core.errors import Forbidden
from kinerja.core.origins import is_local_origin
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import PLATFORM_SLUG, TenantSettings

INDEX_TTL_SECONDS = 60.0


class OriginIndex:
    def __init__(self) -> None:
        self._tenants: dict[str, frozenset[uuid.UUID]] = {}
        self._persisted_only: frozenset[uuid.UUID | str] = frozenset()  # ids and slugs
        self._slugs: dict[str, uuid.UUID] = {}
        self._settings: dict[uuid.UUID, TenantSettings] = {}
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._loaded_at = None

    async def _fresh(self) -> None:
        if self._stale():
            async with self._lock:
                if self._stale():
                    await self._load()

    async def tenants_for(self, origin: str) -> frozenset[uuid.UUID]:
        await self._fresh()
        return self._tenants.get(origin, frozenset())

    async def persisted_only(self, tenant: uuid.UUID | str) -> bool:
        """Whether the tenant (by id or slug) accepts persisted documents only."""
        await self._fresh()
        return tenant in self._persisted_only

    async def tenant_of(self, slug: str) -> uuid.UUID | None:
        """The tenant a slug names (as loaded with the origins: a tenant created or applied in this
        process is known at once, one created by another process within INDEX_TTL_SECONDS)."""
        await self._fresh()
        return self._slugs.get(slug)

    async def settings_of(self, tenant_id: uuid.UUID) -> TenantSettings:
        """The tenant's settings as loaded with the origins (the defaults for a tenant not loaded)."""
        await self._fresh()
        return self._settings.get(tenant_id) or TenantSettings.from_dict({})

    def _stale(self) -> bool:
        return self._loaded_at is None or time.monotonic() - self._loaded_at > INDEX_TTL_SECONDS

    async def _load(self) -> None:
        index: dict[str, set[uuid.UUID]] = {}
        restricted: set[uuid.UUID | str] = set()
        slugs: dict[str, uuid.UUID] = {}
        by_tenant: dict[uuid.UUID, TenantSettings] = {}
        for tenant_id, slug, raw in await Tenant.all().values_list("id", "slug", "settings"):
            slugs[slug] = tenant_id
            settings = by_tenant[tenant_id] = TenantSettings.from_dict(raw or {})
            for origin in settings.allowed_origins:
                index.setdefault(origin, set()).add(tenant_id)
            if settings.persisted_documents_only:
                restricted |= {tenant_id, slug}
        self._tenants = {origin: frozenset(ids) for origin, ids in index.items()}
        self._persisted_only = frozenset(restricted)
        self._slugs = slugs
        self._settings = by_tenant
        self._loaded_at = time.monotonic()


origin_index = OriginIndex()


def _deployment_allows(settings: Settings, origin: str) -> bool:
    """Origins allowed for every tenant: KINERJA_CORS_ORIGINS and, in demo mode only, any page on
    localhost or 127.0.0.1 whatever its port (a frontend's development server next to the demo)."""
    return origin in settings.cors_origins or (settings.mode == "demo" and is_local_origin(origin))


async def is_known_origin(settings: Settings, origin: str) -> bool:
    """Allowed for the deployment or for at least one tenant (enough to answer a preflight)."""
    return _deployment_allows(settings, origin) or bool(await origin_index.tenants_for(origin))


async def origin_allowed(settings: Settings, origin: str, tenant_id: uuid.UUID | None) -> bool:
    if _deployment_allows(settings, origin):
        return True
    return tenant_id is not None and tenant_id in await origin_index.tenants_for(origin)


async def require_origin(ctx: RequestContext, tenant_id: uuid.UUID) -> None:
    """A request from another site's page may act for a tenant only from that tenant's origins."""
    if ctx.origin is None or await origin_allowed(ctx.settings, ctx.origin, tenant_id):
        return
    ctx.cache["origin_refused"] = True
    raise Forbidden("Requests from this origin are not allowed for this tenant")


async def public_tenant_id(slug: str | None) -> uuid.UUID | None:
    """The tenant a public read names by its slug, normalised as public operations read it; None for
    an unknown slug and for the platform tenant. Sends no statement while the index is fresh."""
    slug = (slug or "").strip().lower()[:63]
    if slug == PLATFORM_SLUG:
        return None
    return await origin_index.tenant_of(slug)


async def public_settings(tenant_id: uuid.UUID) -> TenantSettings:
    """The settings of a tenant a public read named (``public_tenant_id``), for the rate limit it
    spends: no statement while the index is fresh; a change made in another process is seen within
    INDEX_TTL_SECONDS, as its origins are."""
    return await origin_index.settings_of(tenant_id)


async def persisted_only(tenant: uuid.UUID | str) -> bool:
    """Whether the tenant (by id or slug) accepts persisted documents only (an allowlist)."""
    return await origin_index.persisted_only(tenant)
