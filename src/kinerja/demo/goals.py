"""Demo organisation performance (SAKIP): the RPJMD goals, IKU of the units the seeds name (immunisation
coverage at the health office, school participation at education, public satisfaction from the IKM,
birth registration at the population office or, in Nanggalo, at the kecamatan), targets, realisations of
the periods already ended, a signed Perjanjian Kinerja of `kepala`'s unit, and `kepala`'s RHK linked to
the IKU of his or her unit."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from kinerja.auth.models import User
from kinerja.citizen.iku import unit_ikm
from kinerja.core import clock
from kinerja.goals.models import (
    PerformanceAgreement,
    StrategicGoal,
    UnitIndicator,
    UnitIndicatorRealisation,
    UnitIndicatorTarget,
)
from kinerja.goals.rules import AgreementStatus, Direction, GoalLevel, IndicatorKind
from kinerja.org.models import Employee, OrgUnit, Period
from kinerja.org.rules import PeriodKind
from kinerja.plans.models import PerformancePlan, ResultTarget
from kinerja.plans.rules import ResultKind

# (tujuan code, statement, [(sasaran code, statement, indicator, unit, baseline, target)])
GOALS = [
    ("T1", "Meningkatnya kualitas sumber daya manusia", [
        ("S1.1", "Meningkatnya derajat kesehatan masyarakat", "Usia harapan hidup", "tahun", "70.2", "71.5"),
        ("S1.2", "Meningkatnya akses dan mutu pendidikan", "Rata-rata lama sekolah", "tahun", "8.9", "9.6"),
    ]),
    ("T2", "Meningkatnya kualitas pelayanan publik", [
        ("S2.1", "Meningkatnya kepuasan masyarakat atas pelayanan publik", "Indeks kepuasan masyarakat", "nilai",
         "78", "85"),
        ("S2.2", "Meningkatnya tertib administrasi kependudukan", "Cakupan kepemilikan dokumen kependudukan", "%",
         "88", "97"),
    ]),
]
# (unit codes, first found wins; sasaran; name; kind; unit of measure; data source; baseline; target)
INDICATORS = [
    (("DINKES",), "S1.1", "Cakupan imunisasi dasar lengkap", IndicatorKind.PERCENTAGE, "%",
     "Profil Kesehatan (laporan puskesmas)", "88", "95"),
    (("DISDIK",), "S1.2", "Angka partisipasi sekolah usia 7-15 tahun", IndicatorKind.PERCENTAGE, "%",
     "Dapodik", "96.5", "98"),
    (("DISDUKCAPIL", "KEC"), "S2.2", "Persentase kelahiran yang memiliki akta kelahiran", IndicatorKind.PERCENTAGE,
     "%", "SIAK (data kependudukan)", "85", "92"),
    (("DPMPTSP", "DISDUKCAPIL", "KEC"), "S2.1", "Nilai IKM pelayanan publik", IndicatorKind.PUBLIC_SATISFACTION,
     "nilai", "Survei kepuasan masyarakat (IKM)", "80", "85"),
]


async def seed_goals(tenant_id: uuid.UUID, slug: str, year: int | None = None) -> int:
    """The goals of the RPJMD and the year's IKU; nothing when the tenant has goals already."""
    if await StrategicGoal.exists(tenant_id=tenant_id):
        return 0
    year = year or dt.date.today().year
    rng = random.Random(f"kinerja-goals-{slug}")
    sasaran = {}
    for code, statement, targets in GOALS:
        tujuan = await StrategicGoal.create(tenant_id=tenant_id, level=GoalLevel.TUJUAN, code=code, name=statement,
                                            start_year=year - 1, end_year=year + 3)
        for s_code, s_statement, goal_indicator, goal_unit, baseline, target in targets:
            sasaran[s_code] = await StrategicGoal.create(
                tenant_id=tenant_id, level=GoalLevel.SASARAN, parent_id=tujuan.id, code=s_code, name=s_statement,
                start_year=year - 1, end_year=year + 3,
                indicators=[{"name": goal_indicator, "unit_of_measure": goal_unit, "baseline": baseline,
                             "target": target}])
    units = {u.code: u for u in await OrgUnit.filter(tenant_id=tenant_id)}
    periods = await Period.filter(tenant_id=tenant_id, year=year).exclude(kind=PeriodKind.ANNUAL).order_by("sequence")
    today, count = dt.date.today(), 0
    created: dict[uuid.UUID, list[UnitIndicator]] = {}
    for codes, s_code, name, kind, measure, source, baseline, target in INDICATORS:
        unit = next((units[c] for c in codes if c in units), None)
        if unit is None or any(i.name == name for i in created.get(unit.id, [])):
            continue
        indicator = await UnitIndicator.create(
            tenant_id=tenant_id, org_unit_id=unit.id, year=year, goal_id=sasaran[s_code].id, name=name,
            definition=f"{name} pada tahun berjalan", formula="realisasi / sasaran x 100 %", kind=kind,
            direction=Direction.HIGHER_IS_BETTER, unit_of_measure=measure, data_source=source,
            responsible_position="Kepala Bidang", baseline=Decimal(baseline), target=Decimal(target))
        created.setdefault(unit.id, []).append(indicator)
        count += 1
        steps = len(periods) or 1
        for index, period in enumerate(periods):
            share = Decimal(baseline) + (Decimal(target) - Decimal(baseline)) * (index + 1) / steps
            await UnitIndicatorTarget.create(tenant_id=tenant_id, indicator_id=indicator.id, period_id=period.id,
                                             value=share.quantize(Decimal("0.01")))
            if period.ends_on >= today:
                continue
            value = None
            if kind is IndicatorKind.PUBLIC_SATISFACTION:
                value = await unit_ikm(tenant_id, unit.id, period.starts_on, period.ends_on)
            if value is None:
                value = (share * Decimal(str(rng.uniform(0.93, 1.04)))).quantize(Decimal("0.01"))
            await UnitIndicatorRealisation.create(
                tenant_id=tenant_id, indicator_id=indicator.id, period_id=period.id, value=value,
                narrative="Capaian dilaporkan dari " + source, evidence_url=f"https://data.{slug}.go.id/iku/{count}")
    await _agreement_and_cascade(tenant_id, year, created)
    return count


async def _agreement_and_cascade(tenant_id: uuid.UUID, year: int, created: dict[uuid.UUID, list[UnitIndicator]]
                                 ) -> None:
    """`kepala`'s unit: a signed agreement on its IKU, and the head's first main RHK serving the first IKU."""
    user = await User.get_or_none(tenant_id=tenant_id, username="kepala")
    kepala = await Employee.get_or_none(id=user.employee_id, tenant_id=tenant_id) if user else None
    unit = await OrgUnit.get_or_none(tenant_id=tenant_id, head_id=kepala.id) if kepala else None
    if kepala is None or unit is None:
        return
    indicators = created.get(unit.id, [])
    if not indicators:
        return
    now = clock.now()
    await PerformanceAgreement.create(
        tenant_id=tenant_id, org_unit_id=unit.id, year=year, version=1, status=AgreementStatus.SIGNED,
        commitments=[{"indicator_id": str(i.id), "name": i.name, "unit_of_measure": i.unit_of_measure,
                      "target": str(i.target.normalize()) if i.target is not None else None}
                     for i in sorted(indicators, key=lambda i: i.name)],
        head_id=kepala.id, head_signed_at=now, superior_id=kepala.supervisor_id,
        superior_signed_at=now if kepala.supervisor_id else None)
    plan = await PerformancePlan.filter(tenant_id=tenant_id, employee_id=kepala.id, year=year).order_by(
        "revision").first()
    if plan is not None:
        first = await ResultTarget.filter(tenant_id=tenant_id, plan_id=plan.id, kind=ResultKind.UTAMA).order_by(
            "position").first()
        if first is not None:
            first.unit_indicator_id = indicators[0].id
            await first.save()
