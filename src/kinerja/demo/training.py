"""Demo competency development: a year of training records (verified, completed, planned,
rejected), a catalogue of upcoming events and the recommendation mapping."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from kinerja.auth.models import User
from kinerja.core import clock
from kinerja.org.models import Employee
from kinerja.training.models import RecommendationRule, TrainingEvent, TrainingRecord
from kinerja.training.rules import TrainingKind, TrainingStatus

COURSES = [
    ("Workshop Komunikasi Efektif dalam Pelayanan Publik", TrainingKind.WORKSHOP, "BKPSDM", 16),
    ("Pelatihan Manajemen Waktu dan Produktivitas", TrainingKind.KURSUS, "BPSDM Provinsi", 12),
    ("Bimbingan Teknis Aplikasi e-Kinerja", TrainingKind.BIMTEK, "BKN Kantor Regional", 8),
    ("Seminar Transformasi Digital Pemerintahan", TrainingKind.SEMINAR, "Kementerian PANRB", 4),
    ("E-Learning Literasi Digital ASN", TrainingKind.E_LEARNING, "LAN RI (ASN Unggul)", 10),
    ("Coaching Penyusunan SKP", TrainingKind.COACHING, "Atasan langsung", 6),
    ("Pelatihan Teknis Pengelolaan Arsip Dinamis", TrainingKind.TEKNIS, "ANRI", 24),
    ("Sosialisasi Budaya Kerja BerAKHLAK", TrainingKind.SOSIALISASI, "BKPSDM", 4),
]
CATALOGUE = [
    ("Komunikasi Publik yang Empatik", "komunikasi", TrainingKind.WORKSHOP, 16, 30),
    ("Manajemen Waktu untuk ASN", "manajemen waktu", TrainingKind.KURSUS, 12, 25),
    ("Kerja Sama Tim Lintas Bidang", "kerja sama tim", TrainingKind.WORKSHOP, 8, 40),
    ("Pelayanan Prima", "pelayanan publik", TrainingKind.BIMTEK, 16, 35),
    ("Literasi Digital dan Keamanan Data", "literasi digital", TrainingKind.E_LEARNING, 20, 200),
]
MAPPING = {
    "PREDICATE:BUTUH_PERBAIKAN": ["manajemen waktu", "komunikasi"],
    "PREDICATE:KURANG_MISCONDUCT": ["pelayanan publik", "kerja sama tim"],
    "PREDICATE:SANGAT_KURANG": ["manajemen waktu", "pelayanan publik"],
    "BEHAVIOUR:KOLABORATIF": ["kerja sama tim"],
    "BEHAVIOUR:BERORIENTASI_PELAYANAN": ["pelayanan publik"],
    "BEHAVIOUR:AKUNTABEL": ["manajemen waktu"],
    "BEHAVIOUR:ANY": ["komunikasi"],
    "JP_SHORTFALL": ["literasi digital"],
}


async def seed_training(tenant_id: uuid.UUID, slug: str) -> int:
    if await TrainingRecord.exists(tenant_id=tenant_id):
        return 0
    rng = random.Random(f"kinerja-training-{slug}")
    today = dt.date.today()
    users = {u.username: u for u in await User.filter(tenant_id=tenant_id)}
    atasan = await Employee.get(id=users["atasan"].employee_id, tenant_id=tenant_id)
    people = await Employee.filter(tenant_id=tenant_id, supervisor_id=atasan.id)
    people += [atasan] + [await Employee.get(id=users[u].employee_id, tenant_id=tenant_id) for u in ("kepala", "bkpsdm")]
    records = []
    for employee in people:
        for _ in range(rng.randint(1, 4)):
            title, kind, organiser, jp = rng.choice(COURSES)
            start = dt.date(today.year, rng.randint(1, max(1, today.month - 1)), rng.randint(1, 20))
            status = rng.choices(list(TrainingStatus), weights=[1, 2, 6, 1])[0]
            records.append(TrainingRecord(
                tenant_id=tenant_id, employee_id=employee.id, title=title, kind=kind, organiser=organiser,
                starts_on=start, ends_on=start + dt.timedelta(days=max(0, jp // 8 - 1)), year=today.year, jp=jp,
                certificate_number=f"{slug.upper()[:3]}/{today.year}/{rng.randint(1000, 9999)}",
                status=status, recorded_by_id=users["bkpsdm"].id,
                rejection_reason="Sertifikat tidak terbaca" if status is TrainingStatus.REJECTED else None,
                verified_by_id=users["bkpsdm"].id if status in (TrainingStatus.VERIFIED, TrainingStatus.REJECTED) else None,
                verified_at=clock.now() if status is TrainingStatus.VERIFIED else None))
    await TrainingRecord.bulk_create(records)
    start = today + dt.timedelta(days=14)
    await TrainingEvent.bulk_create([
        TrainingEvent(tenant_id=tenant_id, title=title, topic=topic, kind=kind, organiser="BKPSDM",
                      starts_on=start + dt.timedelta(days=7 * i), ends_on=start + dt.timedelta(days=7 * i + 1),
                      jp=jp, capacity=capacity)
        for i, (title, topic, kind, jp, capacity) in enumerate(CATALOGUE)])
    await RecommendationRule.bulk_create([RecommendationRule(tenant_id=tenant_id, trigger=trigger, topic=topic)
                                          for trigger, topics in MAPPING.items() for topic in topics])
    return len(records)
