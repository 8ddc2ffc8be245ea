"""The unit's IKM as the realisation of its public-satisfaction IKU (kepuasan masyarakat): the IKM of
the service units attached to the org unit and its sub-units, over the responses of the period. Registered
with goals/ (an area below, which cannot read citizen data itself) when this area is loaded."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from kinerja.citizen.models import ServiceUnit, SurveyResponse
from kinerja.citizen.service import element_sums, ikm_of
from kinerja.goals import service as goals
from kinerja.org.scoping import unit_subtree_ids
from kinerja.tenancy.models import tenant_settings


async def unit_ikm(tenant_id: uuid.UUID, org_unit_id: uuid.UUID, starts_on: dt.date, ends_on: dt.date
                   ) -> Decimal | None:
    """IKM (0-100) of the unit's service units in the period; None without responses."""
    units = await unit_subtree_ids(tenant_id, org_unit_id)
    services = await ServiceUnit.filter(tenant_id=tenant_id, org_unit_id__in=units).values_list("id", flat=True)
    if not services:
        return None
    start = dt.datetime.combine(starts_on, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    rows = await element_sums(SurveyResponse.filter(tenant_id=tenant_id, service_unit_id__in=list(services),
                                                    created_at__gte=start, created_at__lt=end))
    row = rows[0] if rows and rows[0]["n"] else None
    found = ikm_of(row, (await tenant_settings(tenant_id)).ikm_weighting)
    return None if found is None else found.converted


goals.IKM_SOURCES["unit"] = unit_ikm
