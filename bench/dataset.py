"""The benchmark dataset, generated with a fixed seed and loaded with COPY in a few minutes.

50 tenants with skewed sizes (the largest 10,000 employees, 100,000 in all), org trees of
dinas -> bidang with teams of about 20, three years of plans (2 RHK with one indicator each),
quarterly realisations and evaluations plus the annual one, training records, 1,000,000 survey
responses, the default roles and role assignments. Logins (password `bench-password`): `admin`
and `hr` per tenant, the head of every bidang as `atasan-<n>`, and five staff per tenant as
`pegawai-<n>`.

    .venv/bin/python bench/dataset.py [--admin-url URL] [--database kinerja_bench] [--scale 1.0] [--tenants 50]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
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
TEAM = 20
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
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
    sizes[0] += rest - sum(sizes)
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

            async def user(username: str, employee_id, roles: list[str]) -> uuid.UUID:
                user_id = new_id()
                await load.add("app_user", ["id", "tenant_id", "created_at", "username", "password_hash",
                                            "employee_id", "active"],
                               (user_id, tenant_id, NOW, username, password_hash, employee_id, True))
                for role in roles:
                    await load.add("policy_rule", ["id", "tenant_id", "created_at", "ptype", "v0", "v1", "v2", "v3"],
                                   (new_id(), tenant_id, NOW, "g", f"user:{user_id}", f"role:{role}", tenant_key, ""))
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
            service_units = []
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
                dinas_heads.append(head)
                employees.append((head, None))
                made += 1
                if d < 3:
                    service_units.append(dinas_id)
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
                        made += 1
                        if len(employees) <= 60 and s < 5 and d == 0 and b == 0:
                            await user(f"pegawai-{s}", sid, ["pegawai"])
            await user("hr", dinas_heads[0], ["admin_bkpsdm", "pegawai"])
            # plans, RHK, indicators, realisations, evaluations, training
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
                        for period_id, _q in quarters:
                            await load.add("realisation", ["id", "tenant_id", "created_at", "indicator_id",
                                                           "period_id", "value", "narrative", "recorded_by_id",
                                                           "updated_at"],
                                           (new_id(), tenant_id, NOW, indicator_id, period_id, rng.randint(1, 4), "",
                                            admin_id, NOW))
                    for period_id, q in quarters + [annual]:
                        # finalized after the period's end (the annual one last): a distinct latest evaluation
                        finalized = dt.datetime(year, 3 * q, 28, tzinfo=dt.timezone.utc) + dt.timedelta(days=10) \
                            if q else dt.datetime(year + 1, 1, 20, tzinfo=dt.timezone.utc)
                        results, behaviour = rng.choice(ratings), rng.choice(ratings)
                        await load.add("evaluation", ["id", "tenant_id", "created_at", "employee_id", "period_id",
                                                      "plan_id", "assessor_id", "version", "results_rating",
                                                      "behaviour_rating", "results_from_unit", "notes", "predicate",
                                                      "status", "finalized_at", "updated_at"],
                                       (new_id(), tenant_id, NOW, employee_id, period_id, plan_id,
                                        supervisor or employee_id, 1, results, behaviour, False, "{}",
                                        DEFAULT_MATRIX[results][behaviour], "FINAL", finalized, NOW))
                    for n in range(2):
                        start = dt.date(year, rng.randint(1, 11), rng.randint(1, 28))
                        await load.add("training_record", ["id", "tenant_id", "created_at", "employee_id", "title",
                                                           "kind", "organiser", "starts_on", "ends_on", "year", "jp",
                                                           "status", "updated_at"],
                                       (new_id(), tenant_id, NOW, employee_id, f"Pelatihan {n}", "WORKSHOP", "BKPSDM",
                                        start, start, year, rng.choice([4, 8, 12, 16]),
                                        "VERIFIED" if rng.random() < 0.8 else "COMPLETED", NOW))
            # public services and survey responses, in proportion to the tenant's size
            services = []
            for index, org_unit_id in enumerate(service_units):
                su = new_id()
                await load.add("service_unit", ["id", "tenant_id", "created_at", "code", "name", "org_unit_id"],
                               (su, tenant_id, NOW, f"SU{index}", f"Unit Layanan {index}", org_unit_id))
                for s in range(2):
                    svc = new_id()
                    services.append((svc, su))
                    await load.add("public_service", ["id", "tenant_id", "created_at", "service_unit_id", "code",
                                                      "name", "description", "active"],
                                   (svc, tenant_id, NOW, su, f"S{index}-{s}", f"Layanan {index}.{s}", "", True))
            responses = round(SURVEY_RESPONSES * scale * size / (TOTAL_EMPLOYEES * scale))
            for n in range(responses):
                svc, su = services[n % len(services)]
                scores = [rng.choice((2, 3, 3, 4, 4)) for _ in range(9)]
                await load.add("survey_response", ["id", "tenant_id", "created_at", "service_id", "service_unit_id",
                                                   *[f"u{i}" for i in range(1, 10)], "fingerprint"],
                               (new_id(), tenant_id, NOW - dt.timedelta(minutes=n * 7 % 525_600), svc, su, *scores,
                                f"bench-{t_index}-{n}"))
        await load.flush()
        await conn.execute("ANALYZE")
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
