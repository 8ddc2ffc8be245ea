"""The demo: the five municipalities of the brief, a few hundred generated employees each, and the
fixed demo users (admin, bkpsdm, kepala, atasan, pegawai; password kinerja-demo)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from kinerja.auth import templates
from kinerja.auth.models import User
from kinerja.auth.passwords import hash_password
from kinerja.core.csvimport import ProgressFactory, progress_steps
from kinerja.core.db import switch_tenant, tenant_transaction
from kinerja.demo.citizen import DEMO_CODES, seed_citizen, seed_counter
from kinerja.demo.evaluations import seed_evaluations
from kinerja.demo.goals import seed_goals
from kinerja.demo.names import FIRST, LAST, TITLES_AFTER, TITLES_BEFORE
from kinerja.demo.plans import seed_plans
from kinerja.demo.training import seed_training
from kinerja.org.models import Employee, OrgUnit, Position
from kinerja.org.rules import EmploymentType, OrgUnitKind
from kinerja.provisioning.apply import apply_spec, ensure_platform_tenant
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.spec import load_tenant_file

DEMO_PASSWORD = "kinerja-demo"
DEMO_USERS = {
    "admin": ["tenant_admin"],
    "bkpsdm": ["admin_bkpsdm", "pegawai"],
    "kepala": ["kepala_unit", "atasan", "pegawai"],
    "atasan": ["atasan", "pegawai"],
    "pegawai": ["pegawai"],
}
STAFF_PER_UNIT = 10

HEAD_POSITION = {
    OrgUnitKind.DINAS: "Kepala Dinas",
    OrgUnitKind.BADAN: "Kepala Badan",
    OrgUnitKind.INSPEKTORAT: "Inspektur",
    OrgUnitKind.KANTOR: "Kepala Dinas",
    OrgUnitKind.KECAMATAN: "Camat",
    OrgUnitKind.KELURAHAN: "Lurah",
    OrgUnitKind.NAGARI: "Lurah",
    OrgUnitKind.BIDANG: "Kepala Bidang",
    OrgUnitKind.BAGIAN: "Kepala Bagian",
    OrgUnitKind.SEKSI: "Kepala Seksi",
    OrgUnitKind.SUBBAGIAN: "Kepala Subbagian",
    OrgUnitKind.UPT: "Kepala UPT",
}
STAFF_POSITIONS = [
    "Pengadministrasi Umum", "Pengolah Data", "Pengelola Keuangan", "Analis Kebijakan", "Pranata Komputer",
    "Analis Kepegawaian", "Operator Layanan Operasional",
]
UNIT_STAFF_POSITIONS = {
    "DINKES": ["Dokter", "Perawat", "Bidan", "Penyuluh Kesehatan Masyarakat"],
    "DISDIK": ["Pengawas Sekolah"],
    "DISDUKCAPIL": ["Administrator Database Kependudukan", "Pengelola Layanan Kependudukan"],
    "INSPEKTORAT": ["Auditor"],
}


@dataclass
class NipFactory:
    rng: random.Random
    serial: int = 0

    def next(self) -> str:
        self.serial += 1
        birth_year = self.rng.randint(1966, 1999)
        appointed = min(birth_year + self.rng.randint(22, 30), 2024)
        return (
            f"{birth_year:04d}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"
            f"{appointed:04d}{self.rng.randint(1, 12):02d}{self.rng.choice('12')}{self.serial % 999 + 1:03d}"
        )


def _name(rng: random.Random, nip: str) -> str:
    """A name that fits the gender the NIP records (its 15th digit)."""
    gender = nip[14]
    return f"{rng.choice(TITLES_BEFORE)}{rng.choice(FIRST[gender])} {rng.choice(LAST[gender])}{rng.choice(TITLES_AFTER)}"


async def seed_demo(tenant_files: list[Path], log=print, progress: ProgressFactory | None = None) -> None:
    await ensure_platform_tenant()
    await _seed_operator()
    password_hash = hash_password(DEMO_PASSWORD)
    step = progress_steps(progress, "seeding the demo tenants", len(tenant_files))
    for path in tenant_files:
        report = await apply_spec(load_tenant_file(path))
        log(report.summary())
        async with tenant_transaction(report.tenant.id):
            if not await Employee.filter(tenant_id=report.tenant.id).exists():
                count = await _generate_people(report.tenant, password_hash)
                log(f"tenant {report.tenant.slug}: {count} employees and {len(DEMO_USERS)} demo users")
        async with tenant_transaction(report.tenant.id):
            plans = await seed_plans(report.tenant.id, report.tenant.slug)
            evaluations = await seed_evaluations(report.tenant.id, report.tenant.slug)
            training = await seed_training(report.tenant.id, report.tenant.slug)
            responses, tickets = await seed_citizen(report.tenant.id, report.tenant.slug)
            kiosk_token = await seed_counter(report.tenant.id, report.tenant.slug)
            iku = await seed_goals(report.tenant.id, report.tenant.slug)
            if plans or evaluations or training or responses:
                log(f"tenant {report.tenant.slug}: {plans} performance plans, {evaluations} evaluations, "
                    f"{training} training records, {responses} survey responses, {tickets} feedback tickets, "
                    f"{iku} IKU")
            if kiosk_token:
                log(f"tenant {report.tenant.slug}: survey kiosk token {kiosk_token}, {DEMO_CODES} survey codes")
        step()


async def _seed_operator() -> None:
    async with tenant_transaction(None) as conn:
        platform = await Tenant.get(slug="platform")
        await switch_tenant(conn, platform.id)
        if not await User.exists(tenant_id=platform.id, username="operator"):
            user = await User.create(tenant_id=platform.id, username="operator",
                                     password_hash=hash_password(DEMO_PASSWORD))
            await templates.assign(platform.id, user.id, "platform_operator")


async def _generate_people(tenant: Tenant, password_hash: str) -> int:
    rng = random.Random(f"kinerja-demo-{tenant.slug}")
    nips = NipFactory(rng)
    units = await OrgUnit.filter(tenant_id=tenant.id).order_by("code")
    positions = {p.name: p for p in await Position.filter(tenant_id=tenant.id)}
    children: dict[uuid.UUID | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    employees: list[Employee] = []
    heads: dict[uuid.UUID, Employee] = {}
    staff: dict[uuid.UUID, list[Employee]] = {}

    def person(unit: OrgUnit, position_name: str | None, supervisor: Employee | None) -> Employee:
        position = positions.get(position_name) if position_name else None
        nip = nips.next()
        employee = Employee(
            id=uuid.uuid4(), tenant_id=tenant.id, nip=nip, name=_name(rng, nip),
            employment_type=EmploymentType.PPPK if rng.random() < 0.15 else EmploymentType.PNS,
            org_unit_id=unit.id, position_id=position.id if position else None,
            supervisor_id=supervisor.id if supervisor else None,
        )
        if employee.employment_type is EmploymentType.PPPK:  # a contract start of 2022-2024, from the serial
            serial = nips.serial
            employee.contract_starts_on = dt.date(2022 + serial % 3, 1 + serial % 12, 1 + serial % 28)
        employees.append(employee)
        return employee

    roots = children.get(None, [])
    sekda_unit = next((u for u in roots if u.code == "SETDA"), None)
    sekda = person(sekda_unit, "Sekretaris Daerah", None) if sekda_unit else None
    if sekda_unit is not None and sekda is not None:
        heads[sekda_unit.id] = sekda

    def walk(unit: OrgUnit, supervisor: Employee | None, family: str) -> None:
        head = heads.get(unit.id)
        if head is None:
            position = HEAD_POSITION.get(unit.kind)
            if unit.kind is OrgUnitKind.SEKRETARIAT:
                position = "Sekretaris Dinas" if unit.parent_id else "Sekretaris Daerah"
            head = heads[unit.id] = person(unit, position, supervisor)
        pool = STAFF_POSITIONS + UNIT_STAFF_POSITIONS.get(family, [])
        staff[unit.id] = [person(unit, rng.choice(pool), head) for _ in range(STAFF_PER_UNIT)]
        for child in children.get(unit.id, []):
            walk(child, head, family)

    for root in roots:
        walk(root, sekda if root is not sekda_unit else None, root.code)

    await Employee.bulk_create(employees, batch_size=500)
    for unit in units:
        await OrgUnit.filter(id=unit.id, tenant_id=tenant.id).update(head_id=heads[unit.id].id)
    await _demo_users(tenant, units, children, heads, staff, password_hash)
    return len(employees)


async def _demo_users(tenant, units, children, heads, staff, password_hash) -> None:
    by_code = {u.code: u for u in units}
    kepala_unit = by_code.get("DINKES") or children[None][0]
    atasan_unit = children[kepala_unit.id][0] if kepala_unit.id in children else kepala_unit
    hr_unit = by_code.get("BKPSDM-PKA") or by_code.get("KEC-SEK") or kepala_unit
    linked = {
        "admin": None,
        "bkpsdm": staff[hr_unit.id][0],
        "kepala": heads[kepala_unit.id],
        "atasan": heads[atasan_unit.id],
        "pegawai": staff[atasan_unit.id][0],
    }
    for username, roles in DEMO_USERS.items():
        employee = linked[username]
        user = await User.create(tenant_id=tenant.id, username=username, password_hash=password_hash,
                                 employee_id=employee.id if employee else None)
        for role in roles:
            await templates.assign(tenant.id, user.id, role)
