"""Batch loaders of the plan tree: one query per level, however many plans are on the page."""

from __future__ import annotations

import uuid

from kinerja.org.models import Period
from kinerja.plans.models import Evidence, Feedback, Indicator, PerformancePlan, Realisation, ResultTarget


def _grouped(rows, key: str, ids: list) -> list[list]:
    groups: dict = {i: [] for i in ids}
    for row in rows:
        groups.setdefault(getattr(row, key), []).append(row)
    return [groups[i] for i in ids]


async def results_by_plan(tenant_id: uuid.UUID, plan_ids: list[uuid.UUID]) -> list[list[ResultTarget]]:
    rows = await ResultTarget.filter(tenant_id=tenant_id, plan_id__in=set(plan_ids)).order_by("position", "id")
    return _grouped(rows, "plan_id", plan_ids)


async def indicators_by_result(tenant_id: uuid.UUID, result_ids: list[uuid.UUID]) -> list[list[Indicator]]:
    rows = await Indicator.filter(tenant_id=tenant_id, result_id__in=set(result_ids)).order_by("position", "id")
    return _grouped(rows, "result_id", result_ids)


async def results_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[ResultTarget | None]:
    rows = {r.id: r for r in await ResultTarget.filter(tenant_id=tenant_id, id__in=set(ids))}
    return [rows.get(i) for i in ids]


async def plans_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[PerformancePlan | None]:
    rows = {r.id: r for r in await PerformancePlan.filter(tenant_id=tenant_id, id__in=set(ids))}
    return [rows.get(i) for i in ids]


async def realisations_by_indicator(tenant_id: uuid.UUID, indicator_ids: list[uuid.UUID]) -> list[list[Realisation]]:
    """All realisations of each indicator, in period order (the period is loaded with them)."""
    rows = await Realisation.filter(tenant_id=tenant_id, indicator_id__in=set(indicator_ids)).select_related("period")
    rows.sort(key=lambda r: (r.period.starts_on, r.period.ends_on))
    return _grouped(rows, "indicator_id", indicator_ids)


async def evidence_by_realisation(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[list[Evidence]]:
    rows = await Evidence.filter(tenant_id=tenant_id, realisation_id__in=set(ids)).order_by("created_at", "id")
    return _grouped(rows, "realisation_id", ids)


async def feedback_by_plan(tenant_id: uuid.UUID, plan_ids: list[uuid.UUID]) -> list[list[Feedback]]:
    rows = await Feedback.filter(tenant_id=tenant_id, plan_id__in=set(plan_ids)).order_by("created_at", "id")
    return _grouped(rows, "plan_id", plan_ids)


async def periods_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Period | None]:
    rows = {r.id: r for r in await Period.filter(tenant_id=tenant_id, id__in=set(ids))}
    return [rows.get(i) for i in ids]
