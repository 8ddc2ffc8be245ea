"""Demo evaluations: a full previous year (every period and the annual one, final) and the ended
periods of this year, for `atasan`'s team (assessed by `atasan`) and for `atasan` (by `kepala`),
with unit performance ratings. Only employees with an approved SKP of the year are evaluated
(PermenPANRB 6/2022): the previous year's plans are closed ones seeded here; this year's are those
`demo/plans.py` approved. Unit ratings are set by the official above the unit: `kepala` for
`atasan`'s unit, HR as the regional official for `kepala`'s top-level unit."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from kinerja.auth.models import User
from kinerja.core import clock
from kinerja.evaluations import rules
from kinerja.evaluations.models import Evaluation, UnitPerformance
from kinerja.evaluations.rules import EvaluationStatus, Rating, UnitRating
from kinerja.evaluations.service import rules_for
from kinerja.org.models import Employee, Period
from kinerja.plans.models import Indicator, PerformancePlan, ResultTarget
from kinerja.plans.rules import Approach, Aspect, PlanStatus, ResultKind

RESULT_WEIGHTS = [(Rating.DI_ATAS_EKSPEKTASI, 2), (Rating.SESUAI_EKSPEKTASI, 6), (Rating.DI_BAWAH_EKSPEKTASI, 1)]
NOTES = {"KOLABORATIF": "Aktif berbagi data dengan bidang lain", "AKUNTABEL": "Laporan tepat waktu"}


def _pick(rng: random.Random) -> Rating:
    return rng.choices([r for r, _w in RESULT_WEIGHTS], weights=[w for _r, w in RESULT_WEIGHTS])[0]


async def seed_evaluations(tenant_id: uuid.UUID, slug: str) -> int:
    if await Evaluation.exists(tenant_id=tenant_id):
        return 0
    rng = random.Random(f"kinerja-evaluations-{slug}")
    today = dt.date.today()
    users = {u.username: u for u in await User.filter(tenant_id=tenant_id)}
    kepala = await Employee.get(id=users["kepala"].employee_id, tenant_id=tenant_id)
    atasan = await Employee.get(id=users["atasan"].employee_id, tenant_id=tenant_id)
    team = await Employee.filter(tenant_id=tenant_id, supervisor_id=atasan.id)
    periods = [p for p in await Period.filter(tenant_id=tenant_id, year__in=[today.year - 1, today.year])
               if p.ends_on < today]
    now = clock.now()
    evaluated = [(m, atasan) for m in team] + [(atasan, kepala)]
    plans = await _approved_plans(tenant_id, [e for e, _a in evaluated], today.year)
    raters = {atasan.org_unit_id: users["kepala"].id, kepala.org_unit_id: users["bkpsdm"].id}
    evaluations, units = [], []
    for period in periods:
        matrix = (await rules_for(tenant_id, period.year)).matrix
        for unit_id in (atasan.org_unit_id, kepala.org_unit_id):
            units.append(UnitPerformance(tenant_id=tenant_id, org_unit_id=unit_id, period_id=period.id,
                                         rating=rng.choice([UnitRating.BAIK, UnitRating.BAIK, UnitRating.ISTIMEWA]),
                                         set_by_id=raters[unit_id]))
        for employee, assessor in evaluated:
            results, behaviour = _pick(rng), _pick(rng)
            notes = NOTES if rng.random() < 0.3 else {}
            plan_id = plans.get((employee.id, period.year))
            if plan_id is None:
                continue  # no approved SKP of the year: not evaluated
            evaluations.append(Evaluation(
                tenant_id=tenant_id, employee_id=employee.id, period_id=period.id, assessor_id=assessor.id,
                plan_id=plan_id, results_rating=results, behaviour_rating=behaviour, notes=notes,
                predicate=rules.predicate(matrix, results, behaviour), status=EvaluationStatus.FINAL,
                finalized_at=now))
    await UnitPerformance.bulk_create(units)
    await Evaluation.bulk_create(evaluations)
    return len(evaluations)


async def _approved_plans(tenant_id: uuid.UUID, employees: list[Employee], year: int) -> dict:
    """(employee, year) -> the approved or closed SKP evaluations of that year rest on: this year's
    approved plans, and a closed plan of the previous year for each employee (seeded here, with one
    main RHK and its indicator)."""
    previous = year - 1
    have = {(p.employee_id, p.year): p.id for p in await PerformancePlan.filter(
        tenant_id=tenant_id, employee_id__in=[e.id for e in employees], year__in=[previous, year],
        status__in=[PlanStatus.APPROVED, PlanStatus.CLOSED])}
    plans, results, indicators = [], [], []
    for employee in employees:
        if (employee.id, previous) in have:
            continue
        plan = PerformancePlan(id=uuid.uuid4(), tenant_id=tenant_id, employee_id=employee.id, year=previous,
                               approach=Approach.KUANTITATIF, status=PlanStatus.CLOSED,
                               approver_id=employee.supervisor_id, submitted_at=clock.now(),
                               approved_at=clock.now())
        result = ResultTarget(id=uuid.uuid4(), tenant_id=tenant_id, plan_id=plan.id, kind=ResultKind.UTAMA,
                              description="Terlaksananya tugas pokok unit kerja tahun lalu")
        indicators.append(Indicator(tenant_id=tenant_id, result_id=result.id, aspect=Aspect.KUANTITAS,
                                    description="Jumlah laporan kegiatan", target_value=Decimal(12),
                                    target_unit="laporan"))
        plans.append(plan)
        results.append(result)
        have[(employee.id, previous)] = plan.id
    await PerformancePlan.bulk_create(plans)
    await ResultTarget.bulk_create(results)
    await Indicator.bulk_create(indicators)
    return have
