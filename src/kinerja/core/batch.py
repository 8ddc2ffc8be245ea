"""Batch loads for DataLoaders: rows of one tenant by key, in the order the keys were asked."""

from __future__ import annotations

import uuid


async def by_ids(model, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list:
    """One row per id (None where missing or of another tenant)."""
    rows = {row.id: row for row in await model.filter(tenant_id=tenant_id, id__in=set(ids))}
    return [rows.get(i) for i in ids]


async def grouped_by(model, tenant_id: uuid.UUID, field: str, keys: list, order: tuple[str, ...] = ("id",)) -> list[list]:
    """All rows whose ``field`` is each key, as one list per key."""
    rows = await model.filter(tenant_id=tenant_id, **{f"{field}__in": set(keys)}).order_by(*order)
    return group(rows, field, keys)


def group(rows, field: str, keys: list) -> list[list]:
    groups: dict = {k: [] for k in keys}
    for row in rows:
        groups.setdefault(getattr(row, field), []).append(row)
    return [groups[k] for k in keys]
