"""Per-request DataLoaders. One registry per request, so keys never cross tenants or users."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from strawberry.dataloader import DataLoader

from kinerja.core.context import RequestContext


def loader(ctx: RequestContext, name: str, batch: Callable[[uuid.UUID, list], Awaitable[list]]) -> DataLoader:
    """The request's loader called ``name``; ``batch(tenant_id, keys)`` returns values in key order."""
    existing = ctx.loaders.get(name)
    if existing is None:
        tenant_id = ctx.require_tenant()

        async def load(keys: list) -> list:
            return await batch(tenant_id, list(keys))

        existing = ctx.loaders[name] = DataLoader(load_fn=load)
    return existing
