"""Demo performance plans: cascaded from `kepala` through `atasan` to `pegawai` and their
colleagues, in every workflow state, with realisations, evidence links and feedback."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from kinerja.auth.models import User
from kinerja.core import clock
from kinerja.org.models import Employee, Period
from kinerja.org.rules import PeriodKind
from kinerja.plans.models import Evidence, Feedback, Indicator, PerformancePlan, Realisation, ResultTarget
from kinerja.plans.rules import Approach, Aspect, BerakhlakValue, PlanStatus, ResultKind

HEAD_RESULTS = [
    ("Meningkatnya cakupan pelayanan kesehatan dasar masyarakat", [
        (Aspect.KUANTITAS, "Persentase puskesmas terakreditasi", Decimal(90), "%"),
        (Aspect.WAKTU, "Waktu penyelesaian laporan kinerja triwulanan", Decimal(10), "hari")]),
    ("Terwujudnya tata kelola perangkat daerah yang akuntabel", [
        (Aspect.KUALITAS, "Nilai SAKIP perangkat daerah", Decimal(70), "nilai")]),
]
MIDDLE_RESULTS = [
    "Terlaksananya pembinaan dan pengawasan pelayanan kesehatan primer",
    "Tersusunnya dokumen perencanaan dan evaluasi program bidang",
]
STAFF_RESULTS = [
    ("Tersusunnya laporan capaian program tepat waktu", Aspect.KUANTITAS, "Jumlah laporan yang disusun", Decimal(12), "dokumen"),
    ("Terkelolanya data layanan secara akurat", Aspect.KUALITAS, "Persentase data tervalidasi", Decimal(100), "%"),
    ("Terlaksananya verifikasi berkas layanan", Aspect.WAKTU, "Rata-rata waktu verifikasi berkas", Decimal(3), "hari"),
    ("Terselenggaranya sosialisasi program kepada masyarakat", Aspect.KUANTITAS, "Jumlah kegiatan sosialisasi", Decimal(4), "kegiatan"),
]
EXPECTATIONS = {
    BerakhlakValue.BERORIENTASI_PELAYANAN.value: "Merespons pertanyaan masyarakat paling lambat 1 hari kerja",
    BerakhlakValue.AKUNTABEL.value: "Melaporkan kemajuan pekerjaan setiap akhir bulan",
    BerakhlakValue.KOLABORATIF.value: "Aktif berbagi data dengan bidang lain",
}
FEEDBACK = [
    "Capaian sudah baik, mohon lampirkan daftar hadir kegiatan sebagai bukti dukung.",
    "Terima kasih, Pak/Bu. Daftar hadir sudah saya unggah.",
    "Target triwulan ini belum tercapai; mari kita bahas kendalanya dalam dialog kinerja.",
]


async def seed_plans(tenant_id: uuid.UUID, slug: str, year: int | None = None) -> int:
    if await PerformancePlan.exists(tenant_id=tenant_id):
        return 0
    year = year or dt.date.today().year
    rng = random.Random(f"kinerja-plans-{slug}")
    users = {u.username: u for u in await User.filter(tenant_id=tenant_id)}
    kepala = await Employee.get(id=users["kepala"].employee_id, tenant_id=tenant_id)
    atasan = await Employee.get(id=users["atasan"].employee_id, tenant_id=tenant_id)
    pegawai = await Employee.get(id=users["pegawai"].employee_id, tenant_id=tenant_id)
    team = await Employee.filter(tenant_id=tenant_id, supervisor_id=atasan.id).order_by("name")
    periods = await Period.filter(tenant_id=tenant_id, year=year).exclude(kind=PeriodKind.ANNUAL).order_by("sequence")
    today = dt.date.today()
    past_periods = [p for p in periods if p.starts_on <= today] or periods[:1]
    now = clock.now()
    count = 0

    def plan(employee, status, approver=None, revision=1, previous=None, reason=None):
        nonlocal count
        count += 1
        submitted = status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.RETURNED, PlanStatus.SUPERSEDED)
        return PerformancePlan(
            id=uuid.uuid4(), tenant_id=tenant_id, employee_id=employee.id, year=year, revision=revision,
            previous_revision_id=previous, approach=Approach.KUANTITATIF, status=status,
            approver_id=approver.id if approver and submitted else None, return_reason=reason,
            behaviour_expectations=EXPECTATIONS,
            resource_support="Anggaran kegiatan DPA tahun berjalan; dukungan aplikasi pelaporan.",
            accountability_scheme="Laporan bulanan kepada atasan langsung.",
            consequences="Capaian menjadi dasar penilaian predikat kinerja.",
            submitted_at=now if submitted else None,
            approved_at=now if status in (PlanStatus.APPROVED, PlanStatus.SUPERSEDED) else None)

    plans, results, indicators = [], [], []

    def result(p, kind, description, parent=None, position=0):
        r = ResultTarget(id=uuid.uuid4(), tenant_id=tenant_id, plan_id=p.id, kind=kind, description=description,
                         parent_id=parent.id if parent else None, position=position)
        results.append(r)
        return r

    def indicator(r, aspect, description, value, unit, position=0):
        i = Indicator(id=uuid.uuid4(), tenant_id=tenant_id, result_id=r.id, aspect=aspect, description=description,
                      target_value=value, target_unit=unit, position=position)
        indicators.append(i)
        return i

    head_plan = plan(kepala, PlanStatus.APPROVED, kepala)
    plans.append(head_plan)
    head_results = []
    for position, (text, items) in enumerate(HEAD_RESULTS):
        r = result(head_plan, ResultKind.UTAMA, text, position=position)
        head_results.append(r)
        for ipos, (aspect, desc, value, unit) in enumerate(items):
            indicator(r, aspect, desc, value, unit, ipos)

    middle_plan = plan(atasan, PlanStatus.APPROVED, kepala)
    plans.append(middle_plan)
    middle_results = []
    for position, text in enumerate(MIDDLE_RESULTS):
        r = result(middle_plan, ResultKind.UTAMA, text, parent=head_results[position % len(head_results)],
                   position=position)
        middle_results.append(r)
        indicator(r, Aspect.KUANTITAS, f"Jumlah kegiatan: {text.lower()}", Decimal(rng.choice([4, 6, 12])), "kegiatan")

    states = [PlanStatus.APPROVED, PlanStatus.APPROVED, PlanStatus.SUBMITTED, PlanStatus.RETURNED,
              PlanStatus.DRAFT, PlanStatus.APPROVED]
    staff_plans = []
    for index, member in enumerate(team):
        status = PlanStatus.APPROVED if member.id == pegawai.id else states[index % len(states)]
        reason = "Indikator kinerja belum terukur; mohon tambahkan target kuantitas." if status is PlanStatus.RETURNED else None
        p = plan(member, status, atasan, reason=reason)
        plans.append(p)
        staff_plans.append(p)
        for position, (text, aspect, desc, value, unit) in enumerate(rng.sample(STAFF_RESULTS, 2)):
            r = result(p, ResultKind.UTAMA if position == 0 else ResultKind.TAMBAHAN, text,
                       parent=middle_results[position % len(middle_results)] if position == 0 else None,
                       position=position)
            indicator(r, aspect, desc, value, unit)

    # pegawai also has an open revision of the approved plan, to show the history.
    original = next(p for p in staff_plans if p.employee_id == pegawai.id)
    revision = plan(pegawai, PlanStatus.DRAFT, atasan, revision=2, previous=original.id)
    plans.append(revision)
    for r in [r for r in results if r.plan_id == original.id]:
        copy = result(revision, r.kind, r.description, position=r.position)
        copy.parent_id = r.parent_id
        for i in [i for i in indicators if i.result_id == r.id]:
            indicator(copy, i.aspect, i.description, i.target_value, i.target_unit)

    await PerformancePlan.bulk_create(plans)
    await ResultTarget.bulk_create(results)
    await Indicator.bulk_create(indicators)

    approved = {p.id for p in plans if p.status is PlanStatus.APPROVED}
    plan_of = {r.id: r.plan_id for r in results}
    owner_user = {p.id: users["pegawai"].id if p.employee_id == pegawai.id else
                  users["atasan"].id if p.employee_id == atasan.id else users["kepala"].id for p in plans}
    realisations, evidence = [], []
    for i in indicators:
        plan_id = plan_of[i.result_id]
        if plan_id not in approved:
            continue
        for period in past_periods:
            share = Decimal(rng.randint(55, 110)) / 100
            value = (i.target_value * share / len(periods)).quantize(Decimal("0.01"))
            real = Realisation(id=uuid.uuid4(), tenant_id=tenant_id, indicator_id=i.id, period_id=period.id,
                               value=value, narrative=f"Realisasi {period.name}: kegiatan berjalan sesuai rencana.",
                               recorded_by_id=owner_user[plan_id])
            realisations.append(real)
            evidence.append(Evidence(tenant_id=tenant_id, realisation_id=real.id,
                                     url=f"https://drive.{slug}.go.id/bukti/{real.id.hex[:12]}"))
    await Realisation.bulk_create(realisations)
    await Evidence.bulk_create(evidence)

    pegawai_realisation = next((r for r in realisations if plan_of[
        next(i.result_id for i in indicators if i.id == r.indicator_id)] == original.id), None)
    first = Feedback(id=uuid.uuid4(), tenant_id=tenant_id, plan_id=original.id,
                     realisation_id=pegawai_realisation.id if pegawai_realisation else None,
                     author_id=users["atasan"].id, author_employee_id=atasan.id, body=FEEDBACK[0])
    reply = Feedback(id=uuid.uuid4(), tenant_id=tenant_id, plan_id=original.id, realisation_id=first.realisation_id,
                     author_id=users["pegawai"].id, author_employee_id=pegawai.id, reply_to_id=first.id,
                     body=FEEDBACK[1])
    await Feedback.create(**{k: getattr(first, k) for k in ("id", "tenant_id", "plan_id", "realisation_id",
                                                            "author_id", "author_employee_id", "body")})
    await Feedback.create(**{k: getattr(reply, k) for k in ("id", "tenant_id", "plan_id", "realisation_id", "author_id",
                                                            "author_employee_id", "reply_to_id", "body")})
    return count
