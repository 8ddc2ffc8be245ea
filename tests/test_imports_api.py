"""Bulk imports through the API: a dry run reports every bad row (line, column, code, message, as the
command line does), a commit writes all rows or nothing, a batch with problems never commits, parallel
commits write once, and another tenant's import is NOT_FOUND."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from conftest import BACKEND, rows, running_server
from parallel import Client, outcome, together

from kinerja.core import clock
from kinerja.core.audit_models import AuditLog
from kinerja.core.ids import from_global_id, to_global_id
from kinerja.imports.models import ImportBatch
from kinerja.org.models import Employee
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.rules import TenantSettings
from kinerja.training.models import TrainingRecord

WORKERS = 2 if BACKEND == "postgres" else 1
HEADER = "NIP,NAMA,JABATAN,UNIT,NIP_ATASAN,JENIS_PEGAWAI\n"
FIELDS = "id kind status rowCount validCount createdCount updatedCount problems { line field code message }"
START = ("mutation($i: StartImportInput!) { startImport(input: $i) { import { " + FIELDS + " } "
         "userErrors { field code message } } }")
COMMIT = ("mutation($i: CommitImportInput!) { commitImport(input: $i) { import { " + FIELDS + " } "
          "userErrors { field code message } } }")
READ = "query($id: ID!) { import(id: $id) { " + FIELDS + " } }"
LIST = "{ imports(first: 50) { totalCount nodes { id status } } }"


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    async with running_server(database, WORKERS, tmp_path_factory.mktemp("imports") / "server.log",
                              env={"KINERJA_DB_POOL_SIZE": "8"}) as base:
        yield base


@pytest.fixture
async def api(server):
    client = Client(server)
    yield client
    await client.close()


async def _tenant(slug: str) -> Tenant:
    return (await rows(Tenant, None, slug=slug))[0]


def _nip() -> str:
    """A valid NIP (birth date, appointment month, sex, number), unlikely to exist already."""
    n = uuid.uuid4().int
    return f"19{n % 30 + 70:02d}{n // 30 % 12 + 1:02d}{n // 360 % 28 + 1:02d}2015031{n // 10080 % 900 + 100:03d}"


async def test_a_dry_run_reports_the_bad_row_and_writes_nothing_until_committed(api):
    tenant = await _tenant("tebingtinggi")
    admin = await api.token("tebingtinggi", "admin")
    good, other = _nip(), _nip()
    content = HEADER + (f"{good},Andi Unggah,Pranata Komputer,DINKES,,PNS\n"
                        f"{other},Budi Unggah,Pengolah Data,NOWHERE,,PNS\n")
    started = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": content, "filename": "staff.csv"}},
                            admin))["startImport"]
    assert started["userErrors"] == []
    batch = started["import"]
    assert (batch["status"], batch["rowCount"], batch["validCount"]) == ("FAILED", 2, 1)
    assert batch["problems"] == [{"line": 3, "field": "UNIT", "code": "NOT_FOUND",
                                  "message": "no org unit has this code or name"}]
    assert await rows(Employee, tenant.id, nip=good) == []
    # A batch with problems cannot commit.
    refused = (await api.ok(COMMIT, {"i": {"importId": batch["id"]}}, admin))["commitImport"]
    assert refused["import"] is None and [e["code"] for e in refused["userErrors"]] == ["BAD_USER_INPUT"]
    assert await rows(Employee, tenant.id, nip=good) == []
    # The corrected file commits: every row is written.
    fixed = content.replace("NOWHERE", "DINKES")
    clean = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": fixed}}, admin))["startImport"]["import"]
    assert (clean["status"], clean["validCount"], clean["problems"]) == ("DRY_RUN", 2, [])
    assert await rows(Employee, tenant.id, nip=good) == []
    committed = (await api.ok(COMMIT, {"i": {"importId": clean["id"]}}, admin))["commitImport"]
    assert committed["userErrors"] == []
    assert (committed["import"]["status"], committed["import"]["createdCount"]) == ("COMMITTED", 2)
    assert len(await rows(Employee, tenant.id, nip__in=[good, other])) == 2
    read = (await api.ok(READ, {"id": clean["id"]}, admin))["import"]
    assert read["status"] == "COMMITTED"
    listed = (await api.ok(LIST, token=admin))["imports"]["nodes"]
    assert {clean["id"], batch["id"]} <= {n["id"] for n in listed}
    # Committed once: again is CONFLICT.
    again = (await api.ok(COMMIT, {"i": {"importId": clean["id"]}}, admin))["commitImport"]
    assert [e["code"] for e in again["userErrors"]] == ["CONFLICT"]
    batch_id = from_global_id(clean["id"])[1]
    assert len(await rows(AuditLog, tenant.id, operation="commitImport", object_id=batch_id)) == 1


async def test_the_file_is_read_as_the_command_line_reads_it(api):
    admin = await api.token("tebingtinggi", "admin")
    missing = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": "NIP,JABATAN\n1,2\n"}},
                            admin))["startImport"]["import"]
    assert missing["status"] == "FAILED"
    assert missing["problems"] == [{"line": 1, "field": "(header)", "code": "BAD_USER_INPUT",
                                    "message": "missing column(s): name, unit"}]
    empty = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": "  "}}, admin))["startImport"]
    assert [(e["field"], e["code"]) for e in empty["userErrors"]] == [("content", "BAD_USER_INPUT")]


async def test_a_training_import_commits_all_records(api):
    tenant = await _tenant("tebingtinggi")
    admin = await api.token("tebingtinggi", "admin")
    [employee] = (await rows(Employee, tenant.id))[:1]
    title = f"Diklat Unggah {uuid.uuid4().hex[:6]}"
    content = ("NIP,NAMA_KURSUS,JENIS_KURSUS,INSTITUSI_PENYELENGGARA,TANGGAL_MULAI,TANGGAL_SELESAI,JUMLAH_JAM\n"
               f"{employee.nip},{title},TEKNIS,BPSDM,2025-03-01,2025-03-03,24\n"
               f"{employee.nip},{title} 2,TEKNIS,BPSDM,2025-04-01,2025-04-02,16\n")
    batch = (await api.ok(START, {"i": {"kind": "TRAINING", "content": content}}, admin))["startImport"]["import"]
    assert (batch["status"], batch["validCount"]) == ("DRY_RUN", 2), batch
    committed = (await api.ok(COMMIT, {"i": {"importId": batch["id"]}}, admin))["commitImport"]
    assert committed["userErrors"] == [] and committed["import"]["createdCount"] == 2
    assert len(await rows(TrainingRecord, tenant.id, title__startswith=title)) == 2


async def test_parallel_commits_write_once(api):
    tenant = await _tenant("tebingtinggi")
    admin = await api.token("tebingtinggi", "admin")
    nips = [_nip(), _nip()]
    content = HEADER + "".join(f"{nip},Serentak {i},Pengolah Data,DINKES,,PNS\n" for i, nip in enumerate(nips))
    batch = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": content}}, admin))["startImport"]["import"]
    assert batch["status"] == "DRY_RUN", batch
    answers = await together(8, lambda _i: api.post(COMMIT, {"i": {"importId": batch["id"]}}, admin))
    successes, codes = outcome(answers, "commitImport")
    assert successes == 1 and codes == ["CONFLICT"] * 7, codes
    assert len(await rows(Employee, tenant.id, nip__in=nips)) == 2
    batch_id = from_global_id(batch["id"])[1]
    assert len(await rows(AuditLog, tenant.id, operation="commitImport", object_id=batch_id)) == 1


async def test_another_tenants_import_is_not_found_and_stays_as_it_was(api):
    owner = await _tenant("tebingtinggi")
    admin = await api.token("tebingtinggi", "admin")
    content = HEADER + f"{_nip()},Asing,Pengolah Data,DINKES,,PNS\n"
    batch = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": content}}, admin))["startImport"]["import"]
    assert batch["status"] == "DRY_RUN", batch
    intruder = await api.token("bungo", "admin")
    read = await api.post(READ, {"id": batch["id"]}, intruder)
    assert [e["extensions"]["code"] for e in read["errors"]] == ["NOT_FOUND"]
    random_id = await api.post(READ, {"id": to_global_id("ImportBatch", uuid.uuid4())}, intruder)
    assert read["errors"][0]["message"] == random_id["errors"][0]["message"]
    commit = (await api.ok(COMMIT, {"i": {"importId": batch["id"]}}, intruder))["commitImport"]
    assert [e["code"] for e in commit["userErrors"]] == ["NOT_FOUND"]
    assert batch["id"] not in {n["id"] for n in (await api.ok(LIST, token=intruder))["imports"]["nodes"]}
    [stored] = await rows(ImportBatch, owner.id, id=from_global_id(batch["id"])[1])
    assert stored.status.value == "DRY_RUN"


async def test_an_import_needs_the_manage_permission_of_its_kind(api):
    pegawai = await api.token("tebingtinggi", "pegawai")
    refused = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": HEADER}}, pegawai))["startImport"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    listed = await api.post(LIST, token=pegawai)
    assert [e["extensions"]["code"] for e in listed["errors"]] == ["FORBIDDEN"]


async def test_a_reader_sees_the_imports_of_the_kinds_it_manages_only(api):
    admin = await api.token("tebingtinggi", "admin")
    employees = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": HEADER}}, admin))["startImport"]["import"]
    training = (await api.ok(START, {"i": {"kind": "TRAINING", "content": "x\n"}}, admin))["startImport"]["import"]
    role = f"impor_{uuid.uuid4().hex[:8]}"
    created = (await api.ok("mutation($i: CreateRoleInput!) { createRole(input: $i) { userErrors { code } } }",
                            {"i": {"name": role, "permissions": ["training:manage:tenant"]}}, admin))["createRole"]
    assert created["userErrors"] == []
    username, password = f"impor.{uuid.uuid4().hex[:8]}", "Kata-sandi-uji-1234"
    made = (await api.ok("mutation($i: CreateUserInput!) { createUser(input: $i) { userErrors { code } } }",
                         {"i": {"username": username, "password": password, "roles": [role]}}, admin))["createUser"]
    assert made["userErrors"] == []
    token = (await api.login("tebingtinggi", username, password))["accessToken"]
    kinds = {n["id"]: n["kind"] for n in (await api.ok("{ imports(first: 100) { nodes { id kind } } }", token=token)
                                          )["imports"]["nodes"]}
    assert set(kinds.values()) == {"TRAINING"} and training["id"] in kinds and employees["id"] not in kinds
    assert (await api.ok(READ, {"id": training["id"]}, token))["import"]["kind"] == "TRAINING"
    hidden = await api.post(READ, {"id": employees["id"]}, token)
    assert [e["extensions"]["code"] for e in hidden["errors"]] == ["NOT_FOUND"], hidden


HISTORY = ("query($id: ID!) { node(id: $id) { ... on Employee { orgUnit { code } position { name } "
           "assignments { orgUnit { code } position { name } validFrom validTo } } } }")


async def _commit(api, token: str, content: str) -> dict:
    batch = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": content}}, token))["startImport"]["import"]
    assert batch["status"] == "DRY_RUN", batch
    committed = (await api.ok(COMMIT, {"i": {"importId": batch["id"]}}, token))["commitImport"]
    assert committed["userErrors"] == [], committed
    return committed["import"]


async def test_a_new_unit_or_position_is_a_transfer_from_the_day_of_the_commit_or_the_files(api):
    tenant = await _tenant("tebingtinggi")
    admin = await api.token("tebingtinggi", "admin")
    nip = _nip()
    await _commit(api, admin, HEADER + f"{nip},Pindah Unggah,Pengolah Data,DINKES,,PNS\n")
    [person] = await rows(Employee, tenant.id, nip=nip)
    gid = to_global_id("Employee", person.id)
    assert (await api.ok(HISTORY, {"id": gid}, admin))["node"]["assignments"] == []

    # A new unit from the day of the commit (the tenant's date): what held until then is the first entry.
    moved = await _commit(api, admin, HEADER + f"{nip},Pindah Unggah,Pengolah Data,BKPSDM-PK,,PNS\n")
    assert (moved["createdCount"], moved["updatedCount"]) == (0, 1)
    today = clock.today_in(TenantSettings.from_dict((await _tenant("tebingtinggi")).settings).timezone)
    employee = (await api.ok(HISTORY, {"id": gid}, admin))["node"]
    assert employee["orgUnit"] == {"code": "BKPSDM-PK"}
    assert employee["assignments"] == [
        {"orgUnit": {"code": "BKPSDM-PK"}, "position": {"name": "Pengolah Data"}, "validFrom": today.isoformat(),
         "validTo": None},
        {"orgUnit": {"code": "DINKES"}, "position": {"name": "Pengolah Data"}, "validFrom": None,
         "validTo": (today - dt.timedelta(days=1)).isoformat()}]

    # A new position from the day the file gives (TMT_JABATAN); a row changing neither adds nothing.
    header = HEADER.rstrip("\n") + ",TMT_JABATAN\n"
    await _commit(api, admin, header + f"{nip},Pindah Unggah,Pranata Komputer,BKPSDM-PK,,PNS,2040-03-01\n")
    await _commit(api, admin, HEADER + f"{nip},Pindah Unggah Lagi,Pranata Komputer,BKPSDM-PK,,PNS\n")
    history = (await api.ok(HISTORY, {"id": gid}, admin))["node"]["assignments"]
    assert [(a["position"]["name"], a["validFrom"], a["validTo"]) for a in history[:2]] == [
        ("Pranata Komputer", "2040-03-01", None), ("Pengolah Data", today.isoformat(), "2040-02-29")]
    assert len(history) == 3

    # As a transfer: the new assignment must begin after the current one (checked in the dry run).
    early = header + f"{nip},Pindah Unggah Lagi,Pranata Komputer,DINKES,,PNS,2040-03-01\n"
    refused = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": early}}, admin))["startImport"]["import"]
    assert (refused["status"], refused["problems"]) == ("FAILED", [
        {"line": 2, "field": "TMT_JABATAN", "code": "CONFLICT",
         "message": "a new unit or position must take effect after the current assignment began"}])
    assert len((await api.ok(HISTORY, {"id": gid}, admin))["node"]["assignments"]) == 3


async def test_a_transfer_the_import_would_make_is_refused_as_transferEmployee_refuses_it(api):
    admin = await api.token("tebingtinggi", "admin")
    leaver, stayer = _nip(), _nip()
    await _commit(api, admin, HEADER + f"{leaver},Keluar Unggah,Pengolah Data,DINKES,,PNS\n"
                                       f"{stayer},Tetap Unggah,Pengolah Data,DINKES,,PNS\n")
    [person] = await rows(Employee, (await _tenant("tebingtinggi")).id, nip=leaver)
    left = await api.ok("mutation($i: DeactivateEmployeeInput!) { deactivateEmployee(input: $i) { userErrors { code } } }",
                        {"i": {"employeeId": to_global_id("Employee", person.id), "reason": "RESIGNED",
                               "effectiveOn": "2031-01-01"}}, admin)
    assert left["deactivateEmployee"]["userErrors"] == []
    code = f"UNG-{uuid.uuid4().hex[:6].upper()}"
    unit = (await api.ok("mutation($i: SaveOrgUnitInput!) { saveOrgUnit(input: $i) { orgUnit { id } } }",
                         {"i": {"code": code, "name": f"Bidang Tutup {code}", "kind": "BIDANG"}},
                         admin))["saveOrgUnit"]["orgUnit"]
    closed = await api.ok("mutation($i: CloseOrgUnitInput!) { closeOrgUnit(input: $i) { userErrors { code } } }",
                          {"i": {"id": unit["id"], "closedOn": "2030-01-01"}}, admin)
    assert closed["closeOrgUnit"]["userErrors"] == []
    content = HEADER + (f"{leaver},Keluar Unggah,Pengolah Data,BKPSDM-PK,,PNS\n"
                        f"{stayer},Tetap Unggah,Pengolah Data,{code},,PNS\n")
    batch = (await api.ok(START, {"i": {"kind": "EMPLOYEES", "content": content}}, admin))["startImport"]["import"]
    assert batch["status"] == "FAILED"
    assert [(p["line"], p["field"], p["code"]) for p in batch["problems"]] == [(2, "NIP", "CONFLICT"),
                                                                              (3, "UNIT", "CONFLICT")]
