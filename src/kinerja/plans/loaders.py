"""Batch loaders of the plan tree: one query per level, however many plans are on the page."""

from __future__ import annotations

import uuid

from kinerja.core.batch import by_ids, group, grouped_by
from kinerja.org.models import Period
from kinerja.plans.models import Evidence, Feedback, Indicator, Realisation, ResultTarget


async def results_by_plan(tenant_id: uuid.UUID, plan_ids: list[uuid.UUID]) -> list[list[ResultTarget]]:
    return await grouped_by(ResultTarget, tenant_id, "plan_id", plan_ids, ("position", "id"))


async def indicators_by_result(tenant_id: uuid.UUID, result_ids: list[uuid.UUID]) -> list[list[Indicator]]:
    return await grouped_by(Indicator, tenant_id, "result_id", result_ids, ("position", "id"))


async def evidence_by_realisation(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[list[Evidence]]:
    return await grouped_by(Evidence, tenant_id, "realisation_id", ids, ("created_at", "id"))


async def feedback_by_plan(tenant_id: uuid.UUID, plan_ids: list[uuid.UUID]) -> list[list[Feedback]]:
    return await grouped_by(Feedback, tenant_id, "plan_id", plan_ids, ("created_at", "id"))


async def realisations_by_indicator(tenant_id: uuid.UUID, indicator_ids: list[uuid.UUID]) -> list[list[Realisation]]:
    """All realisations of each indicator, in period order (the period is loaded with them)."""
    rows = await Realisation.filter(tenant_id=tenant_id, indicator_id__in=set(indicator_ids)).select_related("period")
    rows.sort(key=lambda r: (r.period.starts_on, r.period.ends_on))
    return group(rows, "indicator_id", indicator_ids)


async def results_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[ResultTarget | None]:
    return await by_ids(ResultTarget, tenant_id, ids)


async def periods_by_id(tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Period | None]:
    return await by_ids(Period, tenant_id, ids)
