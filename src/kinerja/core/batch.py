"""Batch loads for DataLoaders: rows of one tenant by key, in the order the keys were asked."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.models import Model


async def by_ids(model: type[Model], tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Any]:
    """One row per id (None where missing or of another tenant)."""
    rows = {row.pk: row for row in await model.filter(tenant_id=tenant_id, id__in=set(ids))}
    return [rows.get(i) for i in ids]
