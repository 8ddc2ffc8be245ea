"""The benchmark dataset, generated with a fixed seed and loaded with COPY in a few minutes.

50 tenants with skewed sizes (the largest 10,000 employees, 100,000 in all), org trees of
dinas -> bidang with teams of about 20, three years of plans (2 RHK with one indicator each),
quarterly realisations (a third with evidence: links and files) and evaluations plus the annual one
(2 % corrected: a CORRECTED version and its FINAL successor), feedback threads on a quarter of the
plans (the supervisor's comments on the plan or a realisation, the owner's replies when he or she has
a login), training records, service units in proportion to the tenant (3 to 40, on dinas and bidang),
1,000,000 survey responses and 4 % as many citizen tickets in every state, the default roles and role
assignments. Logins (password `bench-password`): `admin` and `hr` per tenant, the head of every dinas
as `kepala-<d>` (kepala_unit), the head of every bidang as `atasan-<n>`, and five staff per tenant as
`pegawai-<n>`.

    .venv/bin/python bench/dataset.py [--admin-url URL] [--database kinerja_bench] [--scale 1.0] [--tenants 50]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import random
import time
import uuid

import asyncpg

SEED = 20261123
YEARS = [2024, 2025, 2026]
TENANTS = 50
TOTAL_EMPLOYEES = 100_000
LARGEST = 10_000
SURVEY_RESPONSES = 1_000_000
TICKET_SHARE = 0.04  # citizen tickets per survey response
EVIDENCE_SHARE = 0.35  # realisations with evidence
FEEDBACK_SHARE = 0.25  # plans with a feedback thread
CORRECTED_SHARE = 0.02  # final evaluations corrected once
TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEAM = 20
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
PASSWORD = "bench-password"


class Ids:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


SMALL_TENANT = 40


def tenant_sizes(scale: float, tenants: int = TENANTS) -> list[int]:
    """One tenant of LARGEST employees, the rest Zipf-like, summing to TOTAL_EMPLOYEES.

    Another tenant count keeps the first tenants as they are (the largest, measured one is always
    generated first, from the same random stream): fewer drops the smallest, more adds small ones."""
    total, largest = int(TOTAL_EMPLOYEES * scale), int(LARGEST * scale)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(1, TENANTS)]
    rest = total - largest
    sizes = [max(SMALL_TENANT, int(rest * w / sum(weights))) for w in weights]
    sizes[0] = max(SMALL_TENANT, sizes[0] + rest - sum(sizes))  # tiny scales: the floor wins over the total
    return ([largest] + sizes + [SMALL_TENANT] * max(0, tenants - TENANTS))[:tenants]


def nip(rng: random.Random, serial: int) -> str:
    birth = rng.randint(1966, 1999)
    return (f"{birth}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{min(birth + rng.randint(22, 30), 2024)}"
            f"{rng.randint(1, 12):02d}{rng.choice('12')}{serial % 999 + 1:03d}")


class Loader:
    """Buffers rows per table and COPYs them in chunks."""

    def __init__(self, conn: asyncpg.Connection, chunk: int = 50_000):
        self.conn, self.chunk = conn, chunk
        self.buffers: dict[str, tuple[list[str], list[tuple]]] = {}
        self.counts: dict[str, int] = {}

    async def add(self, table: str, columns: list[str], row: tuple) -> None:
        _cols, rows = self.buffers.setdefault(table, (columns, []))
        rows.append(row)
        if len(rows) >= self.chunk:
            await self.flush(table)

    async def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            columns, rows = self.buffers.get(name, ([], []))
            if rows:
                await self.conn.copy_records_to_table(name, records=rows, columns=columns)
                self.counts[name] = self.counts.get(name, 0) + len(rows)
                rows.clear()


EVALUATION_COLUMNS = ["id", "tenant_id", "created_at", "employee_id", "period_id", "plan_id", "assessor_id", "version",
                      "previous_version_id", "results_rating", "behaviour_rating", "results_from_unit", "notes",
                      "predicate", "status", "correction_reason", "finalized_at", "updated_at"]


def service_unit_count(size: int) -> int:
    """3 for the smallest tenants, a few dozen (at most 40) for the big ones."""
    return max(3, min(40, round(math.sqrt(size) / 2)))


async def add_evidence(load: Loader, rng: random.Random, new_id: Ids, tenant_id, realisation_id, n: int) -> None:
    """A stored file (PDF or image) or, less often, a link."""
    columns = ["id", "tenant_id", "created_at", "realisation_id", "url", "file_name", "content_type", "size", "sha256"]
    if rng.random() < 0.6:
        kind = rng.choice((("pdf", "application/pdf"), ("jpg", "image/jpeg"), ("xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))
        row = (new_id(), tenant_id, NOW, realisation_id, None, f"bukti-{n + 1}.{kind[0]}", kind[1],
               rng.randint(20_000, 4_000_000), f"{rng.getrandbits(256):064x}")
    else:
        row = (new_id(), tenant_id, NOW, realisation_id, f"https://drive.example.go.id/bukti/{rng.getrandbits(48):012x}",
               None, None, None, None)
    await load.add("evidence", columns, row)


async def add_thread(load: Loader, rng: random.Random, new_id: Ids, tenant_id, plan_id, year: int,
                     realised: list, commenter: tuple, owner: tuple, serial: int) -> int:
    """A feedback thread on a plan: the supervisor's comment on the plan or on one realisation, then
    replies, the owner's when he or she has a login, else the supervisor's follow-ups."""
    columns = ["id", "tenant_id", "created_at", "plan_id", "realisation_id", "author_id", "author_employee_id",
               "reply_to_id", "body"]
    on_realisation = rng.random() < 0.5 and realised
    realisation_id, quarter = rng.choice(realised) if on_realisation else (None, rng.randint(1, 4))
    at = dt.datetime(year, 3 * quarter, rng.randint(1, 25), 9, tzinfo=dt.UTC)
    first = new_id()
    serial += 1
    await load.add("feedback", columns, (first, tenant_id, at, plan_id, realisation_id, commenter[0], commenter[1], None,
                                         f"Catatan {serial}: mohon lengkapi bukti dukung"))
    for n in range(rng.randint(0, 3)):
        author = owner if owner[0] is not None and n % 2 == 0 else commenter
        serial += 1
        await load.add("feedback", columns, (new_id(), tenant_id, at + dt.timedelta(hours=3 * (n + 1)), plan_id,
                                             realisation_id, author[0], author[1], first, f"Tanggapan {serial}"))
    return serial


async def add_ticket(load: Loader, rng: random.Random, new_id: Ids, tenant_id, t_index: int, n: int, service_id,
                     service_unit_id, staff: list, codes: set) -> None:
    """A citizen's feedback or complaint; the older, the likelier answered or closed."""
    received = NOW - dt.timedelta(minutes=(n * 7919 + 13) % 525_600)  # spread over the year
    age_days = (NOW - received).days
    status = ("RECEIVED" if age_days < 3 and rng.random() < 0.7 else
              "IN_PROGRESS" if age_days < 10 and rng.random() < 0.6 else
              rng.choice(("ANSWERED", "CLOSED", "CLOSED")) if rng.random() < 0.95 else "IN_PROGRESS")
    answered = received + dt.timedelta(hours=rng.randint(4, 200)) if status in ("ANSWERED", "CLOSED") else None
    code = ""
    while not code or code in codes:
        raw = "".join(rng.choice(TICKET_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
    codes.add(code)
    await load.add("feedback_ticket", [
        "id", "tenant_id", "created_at", "code", "kind", "service_id", "service_unit_id", "message", "contact",
        "status", "assigned_to_id", "internal_note", "public_answer", "answered_at", "due_at", "fingerprint",
        "updated_at"], (
        new_id(), tenant_id, received, code, "COMPLAINT" if rng.random() < 0.3 else "FEEDBACK", service_id,
        service_unit_id, f"Pesan warga {n}", f"08{rng.randint(10**9, 10**10 - 1)}" if rng.random() < 0.5 else None,
        status, rng.choice(staff) if status != "RECEIVED" else None, "", f"Jawaban {n}" if answered else None,
        answered, received + dt.timedelta(days=5), f"bench-ticket-{t_index}-{n}", answered or received))


async def generate(admin_url: str, database: str, scale: float, tenants: int = TENANTS) -> dict[str, int]:
    from kinerja.auth import permissions
    from kinerja.auth.passwords import hash_password
    from kinerja.auth.templates import tenant_templates
    from kinerja.cli import migrate
    from kinerja.core.config import Settings
    from kinerja.core.dbadmin import create_database, on_database
    from kinerja.evaluations.rules import DEFAULT_MATRIX

    app_url, owner_url = await create_database(admin_url, database, drop_existing=True)
    await migrate(Settings.from_env(mode="test", database_url=app_url, migration_database_url=owner_url))
    rng = random.Random(SEED)
    new_id = Ids(rng)
    password_hash = hash_password(PASSWORD)
    templates = tenant_templates()
    ratings = ["DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"]
    conn = await asyncpg.connect(on_database(admin_url, database))
    await conn.execute("SET session_replication_role = replica")  # generated rows are consistent: skip FK triggers
    load = Loader(conn)
    serial = 0
    try:
        for t_index, size in enumerate(tenant_sizes(scale, tenants)):
            tenant_id = new_id()
            await load.add("tenant", ["id", "slug", "name", "kind", "settings", "created_at", "updated_at"],
                           (tenant_id, f"bench-{t_index:02d}", f"Kota Bench {t_index:02d}", "KOTA", "{}", NOW, NOW))
            tenant_key = str(tenant_id)
            # roles
            for template in templates:
                await load.add("role", ["id", "tenant_id", "created_at", "name", "description", "built_in"],
                               (new_id(), tenant_id, NOW, template.name, template.description, True))
                for key in template.permissions:
                    perm = permissions.parse(key)
                    await load.add("policy_rule", ["id", "tenant_id", "created_at", "ptype", "v0", "v1", "v2", "v3"],
                                   (new_id(), tenant_id, NOW, "p", f"role:{template.name}", tenant_key, perm.object,
                                    perm.casbin_act))

            logins: dict[uuid.UUID, uuid.UUID] = {}  # employee -> the user who writes as him or her

            async def user(username: str, employee_id, roles: list[str], tenant_id=tenant_id, tenant_key=tenant_key,
                           logins=logins) -> uuid.UUID:
                user_id = new_id()
                await load.add("app_user", ["id", "tenant_id", "created_at", "username", "password_hash",
                                            "employee_id", "active"],
                               (user_id, tenant_id, NOW, username, password_hash, employee_id, True))
                for role in roles:
                    await load.add("policy_rule", ["id", "tenant_id", "created_at", "ptype", "v0", "v1", "v2", "v3"],
                                   (new_id(), tenant_id, NOW, "g", f"user:{user_id}", f"role:{role}", tenant_key, ""))
                if employee_id is not None:
                    logins.setdefault(employee_id, user_id)
                return user_id

            admin_id = await user("admin", None, ["tenant_admin"])
            # periods
            periods: dict[int, list[tuple[uuid.UUID, int]]] = {}
            for year in YEARS:
                for q in range(1, 5):
                    pid = new_id()
                    periods.setdefault(year, []).append((pid, q))
                    start = dt.date(year, 3 * q - 2, 1)
                    end = (dt.date(year, 3 * q + 1, 1) if q < 4 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
                    await load.add("period", ["id", "tenant_id", "created_at", "year", "kind", "sequence", "name",
                                              "starts_on", "ends_on", "closed"],
                                   (pid, tenant_id, NOW, year, "QUARTERLY", q, f"Triwulan {q} {year}", start, end, False))
                annual = new_id()
                periods[year].append((annual, 0))
                await load.add("period", ["id", "tenant_id", "created_at", "year", "kind", "sequence", "name",
                                          "starts_on", "ends_on", "closed"],
                               (annual, tenant_id, NOW, year, "ANNUAL", 1, f"Tahunan {year}", dt.date(year, 1, 1),
                                dt.date(year, 12, 31), False))
            # org tree and people: bidang teams of about TEAM, three bidang per dinas
            bidang_count = max(1, round(size / (TEAM + 1)))
            dinas_count = max(1, (bidang_count + 2) // 3)
            position_staff, position_head = new_id(), new_id()
            for pos_id, name, kind in ((position_staff, "Pengolah Data", "PELAKSANA"),
                                       (position_head, "Kepala Bidang", "ADMINISTRATOR")):
                await load.add("position", ["id", "tenant_id", "created_at", "name", "kind"],
                               (pos_id, tenant_id, NOW, name, kind))
            employees: list[tuple[uuid.UUID, uuid.UUID | None]] = []  # (id, supervisor)
            dinas_heads = []
            dinas_units: list[tuple[uuid.UUID, list[uuid.UUID]]] = []  # (dinas, its bidang)
            members: dict[uuid.UUID, list[uuid.UUID]] = {}  # org unit -> its employees
            emp_cols = ["id", "tenant_id", "created_at", "nip", "name", "employment_type", "org_unit_id",
                        "position_id", "supervisor_id", "active", "updated_at"]
            unit_cols = ["id", "tenant_id", "created_at", "code", "name", "kind", "parent_id", "head_id"]
            made = 0
            for d in range(dinas_count):
                dinas_id, head = new_id(), new_id()
                serial += 1
                await load.add("org_unit", unit_cols, (dinas_id, tenant_id, NOW, f"D{d:03d}", f"Dinas {d}", "DINAS", None, head))
                await load.add("employee", emp_cols, (head, tenant_id, NOW, nip(rng, serial), f"Kepala Dinas {d}", "PNS",
                                                      dinas_id, position_head, None, True, NOW))
                await user(f"kepala-{d}", head, ["kepala_unit", "atasan", "pegawai"])
                dinas_heads.append(head)
                dinas_units.append((dinas_id, []))
                members[dinas_id] = [head]
                employees.append((head, None))
                made += 1
                for b in range(3):
                    if d * 3 + b >= bidang_count:
                        break
                    bidang_id, bhead = new_id(), new_id()
                    serial += 1
                    await load.add("org_unit", unit_cols, (bidang_id, tenant_id, NOW, f"D{d:03d}-B{b}",
                                                           f"Bidang {d}.{b}", "BIDANG", dinas_id, bhead))
                    await load.add("employee", emp_cols, (bhead, tenant_id, NOW, nip(rng, serial), f"Kepala Bidang {d}.{b}",
                                                          "PNS", bidang_id, position_head, head, True, NOW))
                    employees.append((bhead, head))
                    dinas_units[-1][1].append(bidang_id)
                    members[bidang_id] = [bhead]
                    await user(f"atasan-{d * 3 + b}", bhead, ["atasan", "pegawai"])
                    made += 1
                    staff = max(1, round((size - dinas_count - bidang_count) / bidang_count))
                    for s in range(staff):
                        if made >= size:
                            break
                        sid = new_id()
                        serial += 1
                        await load.add("employee", emp_cols, (sid, tenant_id, NOW, nip(rng, serial),
                                                              f"Pegawai {d}.{b}.{s}", "PPPK" if s % 7 == 0 else "PNS",
                                                              bidang_id, position_staff, bhead, True, NOW))
                        employees.append((sid, bhead))
                        members[bidang_id].append(sid)
                        made += 1
                        if len(employees) <= 60 and s < 5 and d == 0 and b == 0:
                            await user(f"pegawai-{s}", sid, ["pegawai"])
            hr_id = await user("hr", dinas_heads[0], ["admin_bkpsdm", "pegawai"])
            # plans, RHK, indicators, realisations (with evidence), evaluations, feedback, training
            feedback_serial = 0
            for year in YEARS:
                quarters = [p for p in periods[year] if p[1]]
                annual = next(p for p in periods[year] if not p[1])
                for employee_id, supervisor in employees:
                    plan_id = new_id()
                    await load.add("performance_plan",
                                   ["id", "tenant_id", "created_at", "employee_id", "year", "revision", "approach",
                                    "status", "approver_id", "behaviour_expectations", "resource_support",
                                    "accountability_scheme", "consequences", "submitted_at", "approved_at", "updated_at"],
                                   (plan_id, tenant_id, NOW, employee_id, year, 1, "KUANTITATIF",
                                    "APPROVED" if year < 2026 or rng.random() < 0.85 else "SUBMITTED", supervisor,
                                    "{}", "", "", "", NOW, NOW, NOW))
                    realised: list[tuple[uuid.UUID, int]] = []  # (realisation, quarter)
                    for position in range(2):
                        result_id, indicator_id = new_id(), new_id()
                        await load.add("result_target", ["id", "tenant_id", "created_at", "plan_id", "kind",
                                                         "description", "position"],
                                       (result_id, tenant_id, NOW, plan_id, "UTAMA" if position == 0 else "TAMBAHAN",
                                        f"Rencana hasil kerja {position + 1}", position))
                        await load.add("indicator", ["id", "tenant_id", "created_at", "result_id", "aspect",
                                                     "description", "target_value", "target_unit", "position"],
                                       (indicator_id, tenant_id, NOW, result_id, "KUANTITAS", "Jumlah dokumen", 12,
                                        "dokumen", 0))
                        for period_id, q in quarters:
                            realisation_id = new_id()
                            realised.append((realisation_id, q))
                            await load.add("realisation", ["id", "tenant_id", "created_at", "indicator_id",
                                                           "period_id", "value", "narrative", "recorded_by_id",
                                                           "updated_at"],
                                           (realisation_id, tenant_id, NOW, indicator_id, period_id, rng.randint(1, 4), "",
                                            admin_id, NOW))
                            if rng.random() < EVIDENCE_SHARE:
                                for n in range(2 if rng.random() < 0.2 else 1):
                                    await add_evidence(load, rng, new_id, tenant_id, realisation_id, n)
                    for period_id, q in quarters + [annual]:
                        # finalized after the period's end (the annual one last): a distinct latest evaluation
                        finalized = dt.datetime(year, 3 * q, 28, tzinfo=dt.UTC) + dt.timedelta(days=10) \
                            if q else dt.datetime(year + 1, 1, 20, tzinfo=dt.UTC)
                        results, behaviour = rng.choice(ratings), rng.choice(ratings)
                        assessor = supervisor or employee_id
                        evaluation_id, version, previous, reason = new_id(), 1, None, None
                        if rng.random() < CORRECTED_SHARE:  # a first version, corrected 5 days later
                            previous, version, reason = evaluation_id, 2, "Koreksi penilaian"
                            first_results = rng.choice(ratings)
                            await load.add("evaluation", EVALUATION_COLUMNS, (
                                previous, tenant_id, finalized - dt.timedelta(days=3), employee_id, period_id, plan_id,
                                assessor, 1, None, first_results, behaviour, False, "{}",
                                DEFAULT_MATRIX[first_results][behaviour], "CORRECTED", None, finalized, NOW))
                            evaluation_id, finalized = new_id(), finalized + dt.timedelta(days=5)
                        await load.add("evaluation", EVALUATION_COLUMNS, (
                            evaluation_id, tenant_id, finalized - dt.timedelta(days=3), employee_id, period_id, plan_id,
                            assessor, version, previous, results, behaviour, False, "{}",
                            DEFAULT_MATRIX[results][behaviour], "FINAL", reason, finalized, NOW))
                    commenter = logins.get(supervisor) if supervisor else hr_id
                    if commenter is not None and rng.random() < FEEDBACK_SHARE:
                        feedback_serial = await add_thread(load, rng, new_id, tenant_id, plan_id, year, realised,
                                                           (commenter, supervisor or dinas_heads[0]),
                                                           (logins.get(employee_id), employee_id), feedback_serial)
                    for n in range(2):
                        start = dt.date(year, rng.randint(1, 11), rng.randint(1, 28))
                        await load.add("training_record", ["id", "tenant_id", "created_at", "employee_id", "title",
                                                           "kind", "organiser", "starts_on", "ends_on", "year", "jp",
                                                           "status", "updated_at"],
                                       (new_id(), tenant_id, NOW, employee_id, f"Pelatihan {n}", "WORKSHOP", "BKPSDM",
                                        start, start, year, rng.choice([4, 8, 12, 16]),
                                        "VERIFIED" if rng.random() < 0.8 else "COMPLETED", NOW))
            # service units (every other one on a bidang), public services, survey responses and tickets,
            # in proportion to the tenant's size
            services = []
            for index in range(service_unit_count(size)):
                dinas_id, bidang = dinas_units[index % len(dinas_units)]
                org_unit_id = bidang[(index // len(dinas_units)) % len(bidang)] if index % 2 and bidang else dinas_id
                su = new_id()
                await load.add("service_unit", ["id", "tenant_id", "created_at", "code", "name", "org_unit_id"],
                               (su, tenant_id, NOW, f"SU{index}", f"Unit Layanan {index}", org_unit_id))
                for s in range(2):
                    svc = new_id()
                    services.append((svc, su, org_unit_id))
                    await load.add("public_service", ["id", "tenant_id", "created_at", "service_unit_id", "code",
                                                      "name", "description", "active"],
                                   (svc, tenant_id, NOW, su, f"S{index}-{s}", f"Layanan {index}.{s}", "", True))
            responses = round(SURVEY_RESPONSES * scale * size / (TOTAL_EMPLOYEES * scale))
            for n in range(responses):
                svc, su, _unit = services[n % len(services)]
                scores = [rng.choice((2, 3, 3, 4, 4)) for _ in range(9)]
                await load.add("survey_response", ["id", "tenant_id", "created_at", "service_id", "service_unit_id",
                                                   *[f"u{i}" for i in range(1, 10)], "fingerprint", "channel", "flagged"],
                               (new_id(), tenant_id, NOW - dt.timedelta(minutes=n * 7 % 525_600), svc, su, *scores,
                                f"bench-{t_index}-{n}", "WEB", False))
            codes: set[str] = set()
            for n in range(round(responses * TICKET_SHARE)):
                svc, su, org_unit_id = services[n % len(services)]
                await add_ticket(load, rng, new_id, tenant_id, t_index, n, svc, su, members[org_unit_id], codes)
        await load.flush()
        # As a database in service would be: statistics current and the visibility map set (index-only scans).
        await conn.execute("VACUUM (ANALYZE)")
        # What generated it, for a report made later on the same database (run.py --skip-dataset).
        await conn.execute(f"COMMENT ON DATABASE {database} IS "
                           f"'bench/dataset.py: scale {scale}, {tenants} tenants, seed {SEED}'")
    finally:
        await conn.close()
    return load.counts


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="kinerja_bench")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (for a quick try)")
    parser.add_argument("--tenants", type=int, default=TENANTS,
                        help="tenant count; the first (largest) tenant stays identical, small tenants are added or dropped")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = await generate(args.admin_url, args.database, args.scale, args.tenants)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1), "rows": counts}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
