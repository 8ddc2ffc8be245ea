"""Tenant administration through the API: employees (transfer, create, update, deactivate), org units,
positions, period schemes and tenant settings; their userErrors, permissions, isolation and races."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import uuid

from conftest import error_codes, rows

from kinerja.auth.models import User
from kinerja.core.audit_models import AuditLog
from kinerja.core.db import tenant_transaction
from kinerja.core.ids import from_global_id, to_global_id
from kinerja.org.models import Employee, EmployeeAssignment, OrgUnit
from kinerja.plans.models import PerformancePlan
from kinerja.plans.rules import Approach, PlanStatus
from kinerja.tenancy.models import Tenant

SERIALS = itertools.count(101)

TRANSFER = """
mutation($i: TransferEmployeeInput!) {
  transferEmployee(input: $i) {
    employee { id orgUnit { id code } supervisor { id }
               assignments { orgUnit { code } supervisor { id } validFrom validTo reason } }
    userErrors { field code message }
  }
}"""


async def _tenant(slug: str) -> Tenant:
    return (await rows(Tenant, None, slug=slug))[0]


def _gid(type_name: str, row) -> str:
    return to_global_id(type_name, row.id)


async def _unit(tenant: Tenant, code: str) -> OrgUnit:
    return (await rows(OrgUnit, tenant.id, code=code))[0]


def _nip() -> str:
    serial = next(SERIALS)
    return f"1985{1 + serial % 12:02d}{1 + serial % 28:02d}2010031{serial % 1000:03d}"


async def _person(tenant: Tenant, unit: OrgUnit, supervisor: Employee | None = None, name: str = "Uji Mutasi"
                  ) -> Employee:
    """A new employee of its own, so that no other test's data moves."""
    async with tenant_transaction(tenant.id):
        return await Employee.create(tenant_id=tenant.id, nip=_nip(), name=name, employment_type="PNS",
                                     org_unit_id=unit.id, supervisor_id=supervisor.id if supervisor else None)


async def _entries(tenant: Tenant, operation: str, object_id: uuid.UUID) -> list[AuditLog]:
    return await rows(AuditLog, tenant.id, operation=operation, object_id=object_id)


def _transfer(employee: Employee, unit: OrgUnit, effective_on: str, supervisor: Employee | None = None,
              reason: str | None = None) -> dict:
    data: dict = {"employeeId": _gid("Employee", employee), "orgUnitId": _gid("OrgUnit", unit),
                  "effectiveOn": effective_on}
    if supervisor is not None:
        data["supervisorId"] = _gid("Employee", supervisor)
    if reason is not None:
        data["reason"] = reason
    return {"i": data}


# --- transferEmployee ----------------------------------------------------------------------------

async def test_transfer_keeps_history_and_the_old_plan_keeps_its_unit_and_approver(api):
    tenant = await _tenant("bungo")
    old_unit, new_unit = await _unit(tenant, "SETDA-ORG"), await _unit(tenant, "SETDA-UMUM")
    old_boss, new_boss = await _person(tenant, old_unit), await _person(tenant, new_unit)
    person = await _person(tenant, old_unit, old_boss)
    async with tenant_transaction(tenant.id):
        plan = await PerformancePlan.create(tenant_id=tenant.id, employee_id=person.id, year=2031,
                                            approach=Approach.KUANTITATIF, status=PlanStatus.APPROVED,
                                            approver_id=old_boss.id)
    token = await api.token("bungo", "admin")

    data = await api.ok(TRANSFER, _transfer(person, new_unit, "2032-01-01", new_boss, "SK 821/12/2031"), token)
    payload = data["transferEmployee"]
    assert payload["userErrors"] == []
    employee = payload["employee"]
    assert employee["orgUnit"]["code"] == "SETDA-UMUM"
    assert employee["supervisor"]["id"] == _gid("Employee", new_boss)
    assert employee["assignments"] == [
        {"orgUnit": {"code": "SETDA-UMUM"}, "supervisor": {"id": _gid("Employee", new_boss)},
         "validFrom": "2032-01-01", "validTo": None, "reason": "SK 821/12/2031"},
        {"orgUnit": {"code": "SETDA-ORG"}, "supervisor": {"id": _gid("Employee", old_boss)},
         "validFrom": None, "validTo": "2031-12-31", "reason": ""},
    ]
    # The plan of 2031 is untouched: same person, same approver, and the history says where they were.
    after = (await rows(PerformancePlan, tenant.id, id=plan.id))[0]
    assert (after.employee_id, after.approver_id, after.status) == (person.id, old_boss.id, PlanStatus.APPROVED)
    read = await api.ok("query($id: ID!) { node(id: $id) { ... on PerformancePlan { employee { id } approver { id } } } }",
                        {"id": _gid("PerformancePlan", plan)}, token)
    assert read["node"] == {"employee": {"id": _gid("Employee", person)}, "approver": {"id": _gid("Employee", old_boss)}}
    held = [a for a in await rows(EmployeeAssignment, tenant.id, employee_id=person.id)
            if (a.valid_from or dt.date.min) <= dt.date(2031, 6, 30) <= (a.valid_to or dt.date.max)]
    assert [a.org_unit_id for a in held] == [old_unit.id]
    assert len(await _entries(tenant, "transferEmployee", person.id)) == 1

    # A second transfer closes the current entry and keeps both earlier ones.
    third = await _unit(tenant, "INSPEKTORAT")
    data = await api.ok(TRANSFER, _transfer(person, third, "2033-07-01"), token)
    history = data["transferEmployee"]["employee"]["assignments"]
    assert [(a["orgUnit"]["code"], a["validFrom"], a["validTo"]) for a in history] == [
        ("INSPEKTORAT", "2033-07-01", None), ("SETDA-UMUM", "2032-01-01", "2033-06-30"),
        ("SETDA-ORG", None, "2031-12-31")]
    assert history[0]["supervisor"]["id"] == _gid("Employee", new_boss)  # omitted: kept


async def test_transfer_user_errors(api):
    tenant = await _tenant("bungo")
    unit, other = await _unit(tenant, "SETDA-ORG"), await _unit(tenant, "SETDA-UMUM")
    boss = await _person(tenant, unit)
    person = await _person(tenant, unit, boss)
    below = await _person(tenant, unit, person)
    token = await api.token("bungo", "admin")

    async def errors(variables):
        body = await api.post(TRANSFER, variables, token)
        assert "errors" not in body, body
        return [(e["field"], e["code"]) for e in body["data"]["transferEmployee"]["userErrors"]]

    missing = {"i": {**_transfer(person, other, "2032-01-01")["i"], "orgUnitId": to_global_id("OrgUnit", uuid.uuid4())}}
    assert await errors(missing) == [("orgUnitId", "NOT_FOUND")]
    assert await errors(_transfer(person, unit, "2032-01-01")) == [("orgUnitId", "CONFLICT")]  # already so
    assert await errors(_transfer(person, other, "2032-01-01", below)) == [("supervisorId", "SUPERVISOR_CYCLE")]
    assert await errors(_transfer(person, other, "2032-01-01", person)) == [("supervisorId", "SUPERVISOR_CYCLE")]
    assert await errors(_transfer(person, other, "2032-01-01", reason="x" * 501)) == [("reason", "BAD_USER_INPUT")]
    assert await errors(_transfer(person, other, "2032-01-01")) == []
    assert await errors(_transfer(person, unit, "2031-06-01")) == [("effectiveOn", "CONFLICT")]  # before the current
    async with tenant_transaction(tenant.id):
        closed = await OrgUnit.create(tenant_id=tenant.id, code=f"TUTUP-{uuid.uuid4().hex[:6]}", name="Unit Lama",
                                      kind="BIDANG", closed_on=dt.date(2030, 1, 1))
    assert await errors(_transfer(person, closed, "2033-01-01")) == [("orgUnitId", "CONFLICT")]
    # Nothing of the failures was kept: one transfer, one entry.
    assert len(await rows(EmployeeAssignment, tenant.id, employee_id=person.id)) == 2
    assert len(await _entries(tenant, "transferEmployee", person.id)) == 1


async def test_identical_transfers_at_once_make_one(api):
    tenant = await _tenant("bungo")
    unit, other = await _unit(tenant, "SETDA-ORG"), await _unit(tenant, "SETDA-UMUM")
    person = await _person(tenant, unit)
    token = await api.token("bungo", "admin")
    bodies = await asyncio.gather(*[api.post(TRANSFER, _transfer(person, other, "2032-02-01"), token)
                                    for _ in range(6)])
    outcomes = sorted(tuple(e["code"] for e in b["data"]["transferEmployee"]["userErrors"]) for b in bodies)
    assert outcomes == [()] + [("CONFLICT",)] * 5
    assert len(await rows(EmployeeAssignment, tenant.id, employee_id=person.id)) == 2
    assert len(await _entries(tenant, "transferEmployee", person.id)) == 1


async def test_transfer_from_another_tenant_or_without_permission_changes_nothing(api):
    tenant = await _tenant("bungo")
    unit, other = await _unit(tenant, "SETDA-ORG"), await _unit(tenant, "SETDA-UMUM")
    person = await _person(tenant, unit)
    body = await api.post(TRANSFER, _transfer(person, other, "2032-01-01"), await api.token("samarinda", "admin"))
    assert [(e["field"], e["code"]) for e in body["data"]["transferEmployee"]["userErrors"]] == [
        ("employeeId", "NOT_FOUND")]
    body = await api.post(TRANSFER, _transfer(person, other, "2032-01-01"), await api.token("bungo", "pegawai"))
    assert [e["code"] for e in body["data"]["transferEmployee"]["userErrors"]] == ["FORBIDDEN"]
    assert (await rows(Employee, tenant.id, id=person.id))[0].org_unit_id == unit.id
    assert await rows(EmployeeAssignment, tenant.id, employee_id=person.id) == []
    assert error_codes(body) == []
    assert from_global_id(_gid("Employee", person))[1] == person.id


# --- createEmployee, updateEmployee, deactivateEmployee --------------------------------------------

CREATE = """
mutation($i: CreateEmployeeInput!) {
  createEmployee(input: $i) {
    employee { id nip name employmentType active orgUnit { code } supervisor { id } assignments { validFrom } }
    userErrors { field code message }
  }
}"""
UPDATE = """
mutation($i: UpdateEmployeeInput!) {
  updateEmployee(input: $i) { employee { id nip name supervisor { id } } userErrors { field code message } }
}"""
DEACTIVATE = """
mutation($i: DeactivateEmployeeInput!) {
  deactivateEmployee(input: $i) { employee { id active exitReason exitOn } userErrors { field code message } }
}"""


def _codes(body: dict, name: str) -> list[tuple[str | None, str]]:
    assert "errors" not in body, body
    return [(e["field"], e["code"]) for e in body["data"][name]["userErrors"]]


async def test_create_employee_checks_as_the_importer_and_claims_a_nip_once(api):
    tenant = await _tenant("bungo")
    unit = await _unit(tenant, "SETDA-ORG")
    boss = await _person(tenant, unit)
    token = await api.token("bungo", "admin")
    nip = _nip()
    good = {"nip": nip, "name": " Siti Rahma ", "orgUnitId": _gid("OrgUnit", unit),
            "supervisorId": _gid("Employee", boss), "startsOn": "2030-01-02"}

    bad = await api.post(CREATE, {"i": {**good, "nip": "19851301", "name": "",
                                        "contractStartsOn": "2030-01-01"}}, token)
    assert sorted(_codes(bad, "createEmployee")) == [("contractStartsOn", "BAD_USER_INPUT"),
                                                     ("name", "BAD_USER_INPUT"), ("nip", "BAD_USER_INPUT")]
    assert "19851301" not in str(bad)  # never echoed

    bodies = await asyncio.gather(*[api.post(CREATE, {"i": good}, token) for _ in range(4)])
    made = [b["data"]["createEmployee"]["employee"] for b in bodies if b["data"]["createEmployee"]["employee"]]
    assert len(made) == 1
    assert sorted(c for b in bodies for _f, c in _codes(b, "createEmployee")) == ["CONFLICT"] * 3
    employee = made[0]
    assert (employee["nip"], employee["name"], employee["employmentType"], employee["active"]) == (
        nip, "Siti Rahma", "PNS", True)
    assert employee["assignments"] == [{"validFrom": "2030-01-02"}]
    created = await rows(AuditLog, tenant.id, operation="createEmployee", object_type="Employee")
    assert [e.object_id for e in created].count(from_global_id(employee["id"])[1]) == 1

    pegawai = await api.post(CREATE, {"i": {**good, "nip": _nip()}}, await api.token("bungo", "pegawai"))
    assert _codes(pegawai, "createEmployee") == [(None, "FORBIDDEN")]
    foreign = await api.post(CREATE, {"i": {**good, "nip": _nip()}}, await api.token("samarinda", "admin"))
    assert _codes(foreign, "createEmployee") == [("orgUnitId", "NOT_FOUND")]


async def test_update_employee_rejects_supervisor_cycles(api):
    tenant = await _tenant("bungo")
    unit = await _unit(tenant, "SETDA-ORG")
    top = await _person(tenant, unit)
    middle = await _person(tenant, unit, top)
    low = await _person(tenant, unit, middle)
    token = await api.token("bungo", "admin")

    body = await api.post(UPDATE, {"i": {"id": _gid("Employee", top), "supervisorId": _gid("Employee", low)}}, token)
    assert _codes(body, "updateEmployee") == [("supervisorId", "SUPERVISOR_CYCLE")]
    assert "loop" in body["data"]["updateEmployee"]["userErrors"][0]["message"]
    body = await api.post(UPDATE, {"i": {"id": _gid("Employee", top), "nip": "123"}}, token)
    assert _codes(body, "updateEmployee") == [("nip", "BAD_USER_INPUT")]
    body = await api.post(UPDATE, {"i": {"id": _gid("Employee", low), "nip": middle.nip}}, token)
    assert _codes(body, "updateEmployee") == [("nip", "CONFLICT")]

    data = await api.ok(UPDATE, {"i": {"id": _gid("Employee", low), "supervisorId": _gid("Employee", top),
                                       "name": "Nama Diperbaiki"}}, token)
    assert data["updateEmployee"]["employee"]["supervisor"]["id"] == _gid("Employee", top)
    assert data["updateEmployee"]["employee"]["name"] == "Nama Diperbaiki"
    again = await api.post(UPDATE, {"i": {"id": _gid("Employee", low), "supervisorId": _gid("Employee", top)}}, token)
    assert _codes(again, "updateEmployee") == [(None, "CONFLICT")]  # nothing changed
    cleared = await api.ok(UPDATE, {"i": {"id": _gid("Employee", low), "clearSupervisor": True}}, token)
    assert cleared["updateEmployee"]["employee"]["supervisor"] is None
    foreign = await api.post(UPDATE, {"i": {"id": _gid("Employee", low), "name": "X"}},
                             await api.token("samarinda", "admin"))
    assert _codes(foreign, "updateEmployee") == [("id", "NOT_FOUND")]


async def test_deactivate_employee_keeps_the_record_and_the_filter_tells_them_apart(api):
    tenant = await _tenant("bungo")
    unit = await _unit(tenant, "SETDA-ORG")
    boss = await _person(tenant, unit, name="Zulkifli Pensiun")
    staff = await _person(tenant, unit, boss, name="Zulkifli Staf")
    token = await api.token("bungo", "admin")
    leave = {"i": {"employeeId": _gid("Employee", boss), "reason": "RETIRED", "effectiveOn": "2031-04-01"}}
    username = f"pensiun.{uuid.uuid4().hex[:6]}"
    login = {"i": {"username": username, "password": "sandi-pensiun-123", "roles": ["pegawai"],
                   "employeeId": _gid("Employee", boss)}}
    assert (await api.ok("mutation($i: CreateUserInput!) { createUser(input: $i) { userErrors { code } } }",
                         login, token))["createUser"]["userErrors"] == []
    own_token = (await api.login("bungo", username, "sandi-pensiun-123"))["accessToken"]

    assert _codes(await api.post(DEACTIVATE, leave, token), "deactivateEmployee") == [("employeeId", "CONFLICT")]
    await api.ok(UPDATE, {"i": {"id": _gid("Employee", staff), "clearSupervisor": True}}, token)
    assert _codes(await api.post(DEACTIVATE, leave, await api.token("bungo", "pegawai")),
                  "deactivateEmployee") == [(None, "FORBIDDEN")]
    assert _codes(await api.post(DEACTIVATE, leave, await api.token("samarinda", "admin")),
                  "deactivateEmployee") == [("employeeId", "NOT_FOUND")]
    bodies = await asyncio.gather(*[api.post(DEACTIVATE, leave, token) for _ in range(4)])
    done = [b["data"]["deactivateEmployee"]["employee"] for b in bodies if b["data"]["deactivateEmployee"]["employee"]]
    assert done == [{"id": _gid("Employee", boss), "active": False, "exitReason": "RETIRED", "exitOn": "2031-04-01"}]
    assert len(await _entries(tenant, "deactivateEmployee", boss.id)) == 1
    # The person's login stops with the employment: the open session at once, and signing in.
    assert error_codes(await api.post("{ viewer { username } }", token=own_token)) == ["UNAUTHENTICATED"]
    assert (await api.login("bungo", username, "sandi-pensiun-123"))["accessToken"] is None
    [user] = await rows(User, tenant.id, username=username)
    assert user.active is False

    query = "query($f: EmployeeFilter) { employees(first: 10, filter: $f) { nodes { name active } } }"
    listed = await api.ok(query, {"f": {"search": "Zulkifli"}}, token)
    assert sorted(n["name"] for n in listed["employees"]["nodes"]) == ["Zulkifli Pensiun", "Zulkifli Staf"]
    current = await api.ok(query, {"f": {"search": "Zulkifli", "active": True}}, token)
    assert current["employees"]["nodes"] == [{"name": "Zulkifli Staf", "active": True}]
    gone = await api.ok(query, {"f": {"search": "Zulkifli", "active": False}}, token)
    assert gone["employees"]["nodes"] == [{"name": "Zulkifli Pensiun", "active": False}]
    # A transfer or a new subordinate of someone who left is refused.
    other = await _unit(tenant, "SETDA-UMUM")
    assert _codes(await api.post(TRANSFER, _transfer(boss, other, "2032-01-01"), token),
                  "transferEmployee") == [("employeeId", "CONFLICT")]
    assert _codes(await api.post(UPDATE, {"i": {"id": _gid("Employee", staff), "supervisorId": _gid("Employee", boss)}},
                                 token), "updateEmployee") == [("supervisorId", "CONFLICT")]


# --- saveOrgUnit, closeOrgUnit, savePosition ------------------------------------------------------

SAVE_UNIT = """
mutation($i: SaveOrgUnitInput!) {
  saveOrgUnit(input: $i) { orgUnit { id code name kind closedOn parent { code } } userErrors { field code message } }
}"""
CLOSE_UNIT = """
mutation($i: CloseOrgUnitInput!) {
  closeOrgUnit(input: $i) { orgUnit { id closedOn } userErrors { field code message } }
}"""
SAVE_POSITION = """
mutation($i: SavePositionInput!) {
  savePosition(input: $i) { position { id name kind level } userErrors { field code message } }
}"""


async def test_org_units_are_created_moved_without_loops_and_closed_when_empty(api):
    tenant = await _tenant("bungo")
    token = await api.token("bungo", "admin")
    code = f"UJI-{uuid.uuid4().hex[:6].upper()}"
    setda = await _unit(tenant, "SETDA")
    top = (await api.ok(SAVE_UNIT, {"i": {"code": code, "name": "Bidang Uji", "kind": "BIDANG",
                                          "parentId": _gid("OrgUnit", setda)}}, token))["saveOrgUnit"]["orgUnit"]
    assert (top["code"], top["parent"]) == (code, {"code": "SETDA"})
    child = (await api.ok(SAVE_UNIT, {"i": {"code": code + "-A", "name": "Seksi Uji", "kind": "SEKSI",
                                            "parentId": top["id"]}}, token))["saveOrgUnit"]["orgUnit"]
    body = await api.post(SAVE_UNIT, {"i": {"id": top["id"], "name": "Bidang Uji", "parentId": child["id"]}}, token)
    assert _codes(body, "saveOrgUnit") == [("parentId", "CONFLICT")]  # under its own sub-unit
    body = await api.post(SAVE_UNIT, {"i": {"id": top["id"], "name": "Bidang Uji", "parentId": top["id"]}}, token)
    assert _codes(body, "saveOrgUnit") == [("parentId", "CONFLICT")]
    body = await api.post(SAVE_UNIT, {"i": {"code": code, "name": "Dua", "kind": "BIDANG"}}, token)
    assert _codes(body, "saveOrgUnit") == [("code", "CONFLICT")]
    body = await api.post(SAVE_UNIT, {"i": {"code": "", "name": " "}}, token)
    assert sorted(_codes(body, "saveOrgUnit")) == [("code", "BAD_USER_INPUT"), ("kind", "BAD_USER_INPUT"),
                                                   ("name", "BAD_USER_INPUT")]
    # A unit the tenant file lists is the file's.
    body = await api.post(SAVE_UNIT, {"i": {"id": _gid("OrgUnit", setda), "name": "Setda Baru"}}, token)
    assert _codes(body, "saveOrgUnit") == [("id", "OWNED_BY_TENANT_FILE")]
    moved = await api.ok(SAVE_UNIT, {"i": {"id": top["id"], "name": "Bidang Uji Baru", "topLevel": True}}, token)
    assert (moved["saveOrgUnit"]["orgUnit"]["name"], moved["saveOrgUnit"]["orgUnit"]["parent"]) == (
        "Bidang Uji Baru", None)

    # Closing: not with open sub-units, not with active staff; then closed but readable.
    child_row = (await rows(OrgUnit, tenant.id, code=code + "-A"))[0]
    staff = await _person(tenant, child_row)
    close_top = {"i": {"id": top["id"], "closedOn": "2031-01-01"}}
    close_child = {"i": {"id": child["id"], "closedOn": "2031-01-01"}}
    assert _codes(await api.post(CLOSE_UNIT, close_top, token), "closeOrgUnit") == [("id", "CONFLICT")]
    body = await api.post(CLOSE_UNIT, close_child, token)
    assert _codes(body, "closeOrgUnit") == [("id", "CONFLICT")]
    assert "active employees" in body["data"]["closeOrgUnit"]["userErrors"][0]["message"]
    assert _codes(await api.post(CLOSE_UNIT, close_child, await api.token("bungo", "pegawai")),
                  "closeOrgUnit") == [(None, "FORBIDDEN")]
    assert _codes(await api.post(CLOSE_UNIT, close_child, await api.token("samarinda", "admin")),
                  "closeOrgUnit") == [("id", "NOT_FOUND")]
    await api.ok(TRANSFER, _transfer(staff, setda, "2030-06-01"), token)
    bodies = await asyncio.gather(*[api.post(CLOSE_UNIT, close_child, token) for _ in range(4)])
    assert sorted(c for b in bodies for _f, c in _codes(b, "closeOrgUnit")) == ["CONFLICT"] * 3
    assert len(await _entries(tenant, "closeOrgUnit", child_row.id)) == 1
    await api.ok(CLOSE_UNIT, close_top, token)

    tree = "query($all: Boolean!) { orgUnits(includeClosed: $all) { code closedOn children(includeClosed: $all) { code } } }"
    open_units = (await api.ok(tree, {"all": False}, token))["orgUnits"]
    assert code not in {u["code"] for u in open_units}
    every = {u["code"]: u for u in (await api.ok(tree, {"all": True}, token))["orgUnits"]}
    assert every[code]["closedOn"] == "2031-01-01"
    assert every[code]["children"] == [{"code": code + "-A"}]
    # The transferred employee's history still names the closed unit.
    history = (await api.ok("query($id: ID!) { node(id: $id) { ... on Employee { assignments { orgUnit { code closedOn } } } } }",
                            {"id": _gid("Employee", staff)}, token))["node"]["assignments"]
    assert history[-1]["orgUnit"] == {"code": code + "-A", "closedOn": "2031-01-01"}
    assert _codes(await api.post(SAVE_UNIT, {"i": {"id": top["id"], "name": "X"}}, token),
                  "saveOrgUnit") == [("id", "CONFLICT")]


async def test_positions_are_saved_with_kind_and_jenjang(api):
    token = await api.token("bungo", "admin")
    name = f"Analis Uji {uuid.uuid4().hex[:6]}"
    body = await api.post(SAVE_POSITION, {"i": {"name": name, "kind": "PELAKSANA", "level": "AHLI_MUDA"}}, token)
    assert _codes(body, "savePosition") == [("level", "BAD_USER_INPUT")]
    made = (await api.ok(SAVE_POSITION, {"i": {"name": name, "kind": "FUNGSIONAL", "level": "AHLI_MUDA"}}, token)
            )["savePosition"]["position"]
    assert (made["kind"], made["level"]) == ("FUNGSIONAL", "AHLI_MUDA")
    changed = (await api.ok(SAVE_POSITION, {"i": {"id": made["id"], "name": name, "kind": "FUNGSIONAL",
                                                  "level": "AHLI_MADYA"}}, token))["savePosition"]["position"]
    assert changed["level"] == "AHLI_MADYA"
    again = await api.post(SAVE_POSITION, {"i": {"id": made["id"], "name": name, "kind": "FUNGSIONAL",
                                                 "level": "AHLI_MADYA"}}, token)
    assert _codes(again, "savePosition") == [(None, "CONFLICT")]
    listed = (await api.ok("{ positions { id name level } }", token=token))["positions"]
    assert {"id": made["id"], "name": name, "level": "AHLI_MADYA"} in listed
    declared = next(p for p in listed if p["name"] == "Kepala Dinas")  # listed in tenants/bungo.toml
    body = await api.post(SAVE_POSITION, {"i": {"id": declared["id"], "name": "Kepala Dinas", "kind": "ADMINISTRATOR"}},
                          token)
    assert _codes(body, "savePosition") == [("id", "OWNED_BY_TENANT_FILE")]
    assert _codes(await api.post(SAVE_POSITION, {"i": {"name": name + "x", "kind": "PELAKSANA"}},
                                 await api.token("bungo", "pegawai")), "savePosition") == [(None, "FORBIDDEN")]
    foreign = await api.post(SAVE_POSITION, {"i": {"id": made["id"], "name": "X", "kind": "PELAKSANA"}},
                             await api.token("samarinda", "admin"))
    assert _codes(foreign, "savePosition") == [("id", "NOT_FOUND")]


# --- savePeriodScheme ----------------------------------------------------------------------------

SCHEME = """
mutation($i: SavePeriodSchemeInput!) {
  savePeriodScheme(input: $i) { periods { kind sequence name startsOn endsOn } userErrors { field code message } }
}"""


async def test_period_scheme_of_a_year_keeps_periods_that_hold_records(api):
    from kinerja.auth.models import User
    from kinerja.evaluations.models import UnitPerformance
    from kinerja.org.models import Period
    from kinerja.org.service import ensure_periods

    tenant = await _tenant("bungo")
    token = await api.token("bungo", "admin")
    year = 2077
    data = await api.ok(SCHEME, {"i": {"year": year, "scheme": "QUARTERLY"}}, token)
    periods = data["savePeriodScheme"]["periods"]
    assert [(p["kind"], p["sequence"]) for p in periods] == [
        ("ANNUAL", 1), ("QUARTERLY", 1), ("QUARTERLY", 2), ("QUARTERLY", 3), ("QUARTERLY", 4)]
    assert periods[2] == {"kind": "QUARTERLY", "sequence": 2, "name": f"Triwulan II {year}",
                          "startsOn": f"{year}-04-01", "endsOn": f"{year}-06-30"}
    again = await api.post(SCHEME, {"i": {"year": year, "scheme": "QUARTERLY"}}, token)
    assert _codes(again, "savePeriodScheme") == [("scheme", "CONFLICT")]
    assert _codes(await api.post(SCHEME, {"i": {"year": 1999, "scheme": "MONTHLY"}}, token),
                  "savePeriodScheme") == [("year", "BAD_USER_INPUT")]
    assert _codes(await api.post(SCHEME, {"i": {"year": year, "scheme": "MONTHLY"}},
                                 await api.token("bungo", "pegawai")), "savePeriodScheme") == [(None, "FORBIDDEN")]

    # A quarter holding a unit rating cannot vanish: the change is refused whole.
    q2 = (await rows(Period, tenant.id, year=year, kind="QUARTERLY", sequence=2))[0]
    admin = (await rows(User, tenant.id, username="admin"))[0]
    async with tenant_transaction(tenant.id):
        await UnitPerformance.create(tenant_id=tenant.id, org_unit_id=(await _unit(tenant, "SETDA")).id,
                                     period_id=q2.id, rating="BAIK", set_by_id=admin.id)
    body = await api.post(SCHEME, {"i": {"year": year, "scheme": "MONTHLY"}}, token)
    assert _codes(body, "savePeriodScheme") == [("scheme", "CONFLICT")]
    assert len(await rows(Period, tenant.id, year=year)) == 5

    # Another year changes; periods created later on first use follow the year's own scheme.
    other = 2078
    await api.ok(SCHEME, {"i": {"year": other, "scheme": "QUARTERLY"}}, token)
    data = await api.ok(SCHEME, {"i": {"year": other, "scheme": "MONTHLY"}}, token)
    assert len(data["savePeriodScheme"]["periods"]) == 13
    assert len(await rows(AuditLog, tenant.id, operation="savePeriodScheme", object_type="Period")) == 5 + 5 + 12 + 4
    async with tenant_transaction(tenant.id):
        await Period.filter(tenant_id=tenant.id, year=other, kind="MONTHLY", sequence=12).delete()
        assert await ensure_periods(tenant, other) == 1
    assert {p.kind for p in await rows(Period, tenant.id, year=other)} == {"MONTHLY", "ANNUAL"}


# --- tenant settings: the file owns what it declares, the API the rest -----------------------------

SETTINGS = """
mutation($i: UpdateTenantSettingsInput!) {
  updateTenantSettings(input: $i) {
    settings { ticketSlaDays publicStaffNames jpTargetPns allowedOrigins ownedByTenantFile }
    userErrors { field code message }
  }
}"""


async def test_tenant_settings_the_file_does_not_own_change_through_the_api(api):
    from kinerja.core.paths import tenants_dir
    from kinerja.provisioning.apply import apply_spec
    from kinerja.tenancy.spec import load_tenant_file

    token = await api.token("nanggalo", "admin")
    read = (await api.ok("{ tenantSettings { periodScheme jpTargetPns ticketSlaDays ownedByTenantFile } }",
                         token=token))["tenantSettings"]
    assert read["periodScheme"] == "MONTHLY"
    assert "jpTargetPns" in read["ownedByTenantFile"] and "ticketSlaDays" not in read["ownedByTenantFile"]

    owned = await api.post(SETTINGS, {"i": {"jpTargetPns": 30, "ticketSlaDays": 7}}, token)
    assert _codes(owned, "updateTenantSettings") == [("jpTargetPns", "OWNED_BY_TENANT_FILE")]
    bad = await api.post(SETTINGS, {"i": {"ticketSlaDays": 0}}, token)
    assert _codes(bad, "updateTenantSettings") == [("ticketSlaDays", "BAD_USER_INPUT")]
    assert bad["data"]["updateTenantSettings"]["userErrors"][0]["message"] == (
        "ticketSlaDays must be a whole number from 1 to 1000000")
    bodies = await asyncio.gather(*[api.post(SETTINGS, {"i": {"ticketSlaDays": 9, "publicStaffNames": True}}, token)
                                    for _ in range(3)])
    assert sorted(c for b in bodies for _f, c in _codes(b, "updateTenantSettings")) == ["CONFLICT"] * 2
    tenant = await _tenant("nanggalo")
    entries = await rows(AuditLog, tenant.id, operation="updateTenantSettings")
    assert len(entries) == 1
    assert _codes(await api.post(SETTINGS, {"i": {"ticketSlaDays": 3}}, await api.token("nanggalo", "pegawai")),
                  "updateTenantSettings") == [(None, "FORBIDDEN")]
    assert error_codes(await api.post("{ tenantSettings { ticketSlaDays } }",
                                      token=await api.token("nanggalo", "pegawai"))) == ["FORBIDDEN"]

    # `tenants apply` sets the file's keys again and keeps the API's.
    await apply_spec(load_tenant_file(tenants_dir() / "nanggalo.toml"))
    after = (await rows(Tenant, None, slug="nanggalo"))[0].settings
    assert (after["ticket_sla_days"], after["public_staff_names"], after["jp_target_pns"]) == (9, True, 20)
    # Another tenant's settings are untouched.
    assert (await _tenant("bungo")).settings["ticket_sla_days"] == 5
    restored = await api.ok(SETTINGS, {"i": {"ticketSlaDays": 5, "publicStaffNames": False}}, token)
    assert restored["updateTenantSettings"]["settings"]["ticketSlaDays"] == 5


async def test_days_outside_the_calendar_of_the_history_are_refused(api):
    tenant = await _tenant("bungo")
    unit, other = await _unit(tenant, "SETDA-ORG"), await _unit(tenant, "SETDA-UMUM")
    person = await _person(tenant, unit)
    token = await api.token("bungo", "admin")
    for day in ("0001-01-01", "9999-12-31"):
        body = await api.post(TRANSFER, _transfer(person, other, day), token)
        assert _codes(body, "transferEmployee") == [("effectiveOn", "BAD_USER_INPUT")]
        body = await api.post(DEACTIVATE, {"i": {"employeeId": _gid("Employee", person), "reason": "RESIGNED",
                                                 "effectiveOn": day}}, token)
        assert _codes(body, "deactivateEmployee") == [("effectiveOn", "BAD_USER_INPUT")]
        body = await api.post(CLOSE_UNIT, {"i": {"id": _gid("OrgUnit", other), "closedOn": day}}, token)
        assert _codes(body, "closeOrgUnit") == [("closedOn", "BAD_USER_INPUT")]


async def test_identical_unit_creations_and_period_schemes_at_once_make_one(api):
    from kinerja.org.models import Period

    tenant = await _tenant("bungo")
    token = await api.token("bungo", "admin")
    code = f"PAR-{uuid.uuid4().hex[:6].upper()}"
    bodies = await asyncio.gather(*[api.post(SAVE_UNIT, {"i": {"code": code, "name": "Bidang Paralel",
                                                                "kind": "BIDANG"}}, token) for _ in range(4)])
    assert sorted(c for b in bodies for _f, c in _codes(b, "saveOrgUnit")) == ["CONFLICT"] * 3
    assert len(await rows(OrgUnit, tenant.id, code=code)) == 1
    bodies = await asyncio.gather(*[api.post(SCHEME, {"i": {"year": 2079, "scheme": "SEMESTER"}}, token)
                                    for _ in range(4)])
    assert sorted(c for b in bodies for _f, c in _codes(b, "savePeriodScheme")) == ["CONFLICT"] * 3
    assert len(await rows(Period, tenant.id, year=2079)) == 3
