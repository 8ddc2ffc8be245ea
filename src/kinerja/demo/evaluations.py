"""Demo evaluations: a full previous year (every period and the annual one, final) and the ended
periods of this year, for `atasan`'s team (assessed by `atasan`) and for `atasan` (by `kepala`),
with unit performance ratings."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from kinerja.auth.models import User
from kinerja.core import clock
from kinerja.evaluations import rules
from kinerja.evaluations.models import Evaluation, UnitPerformance
from kinerja.evaluations.rules import EvaluationStatus, Rating, UnitRating
from kinerja.evaluations.service import rules_for
from kinerja.org.models import Employee, Period

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
    evaluations, units = [], []
    for period in periods:
        matrix = (await rules_for(tenant_id, period.year)).matrix
        for unit_id in (atasan.org_unit_id, kepala.org_unit_id):
            units.append(UnitPerformance(tenant_id=tenant_id, org_unit_id=unit_id, period_id=period.id,
                                         rating=rng.choice([UnitRating.BAIK, UnitRating.BAIK, UnitRating.ISTIMEWA]),
                                         set_by_id=users["bkpsdm"].id))
        for employee, assessor in [(m, atasan) for m in team] + [(atasan, kepala)]:
            results, behaviour = _pick(rng), _pick(rng)
            evaluations.append(Evaluation(
                tenant_id=tenant_id, employee_id=employee.id, period_id=period.id, assessor_id=assessor.id,
                results_rating=results, behaviour_rating=behaviour, notes=NOTES if rng.random() < 0.3 else {},
                predicate=rules.predicate(matrix, results, behaviour), status=EvaluationStatus.FINAL,
                finalized_at=now))
    await UnitPerformance.bulk_create(units)
    await Evaluation.bulk_create(evaluations)
    return len(evaluations)
