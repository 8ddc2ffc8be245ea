"""The audit trail through the API: what a mutation changed is recorded in its transaction (and only
if it commits), secrets never enter it, tenants see only their own, and the application role
cannot rewrite it."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid

import pytest
from conftest import BACKEND, error_codes, is_binding, rows

from kinerja.core.audit_models import AuditLog
from kinerja.core.ids import from_global_id
from kinerja.plans.models import Realisation
from kinerja.tenancy.models import Tenant

postgres_only = pytest.mark.skipif(os.environ.get("KINERJA_TEST_BACKEND", "postgres") != "postgres",
                                   reason="grants and row-level security exist only in PostgreSQL")

ENTRY = ("id occurredAt operation objectType objectId requestId ip actor { id username } "
         "changes { field before after }")
AUDIT = ("query($f: AuditLogFilter, $n: Int, $a: String) { auditLog(filter: $f, first: $n, after: $a) { "
         f"totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {ENTRY} }} }} }}")
CREATE_ROLE = ("mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id name description permissions } "
               "userErrors { field code message } } }")
UPDATE_ROLE = ("mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { id description permissions } "
               "userErrors { field code message } } }")
RECORD = ("mutation($i: RecordRealisationInput!) { recordRealisation(input: $i) { realisation { id value } "
          "userErrors { field code message } } }")


async def _tenant(slug):
    return (await rows(Tenant, None, slug=slug))[0]


async def _audit(api, token, **filters) -> list[dict]:
    data = await api.ok(AUDIT, {"f": filters, "n": 100}, token)
    return data["auditLog"]["nodes"]


def _changes(entry) -> dict:
    return {c["field"]: [c["before"], c["after"]] for c in entry["changes"]}


async def _new_role(api, token, name, description="Petugas arsip"):
    answer = (await api.ok(CREATE_ROLE, {"i": {"name": name, "description": description,
                                               "permissions": ["employee:read:own"]}}, token))["createRole"]
    assert answer["userErrors"] == [], answer
    return answer["role"]


async def test_a_mutation_records_the_changed_fields_before_and_after(api):
    admin = await api.token("tebingtinggi", "admin")
    viewer = (await api.ok("{ viewer { id } }", token=admin))["viewer"]
    role = await _new_role(api, admin, "arsiparis")
    answer = (await api.ok(UPDATE_ROLE, {"i": {"id": role["id"], "description": "Pengelola arsip dinamis"}},
                           admin))["updateRole"]
    assert answer["userErrors"] == []

    entries = await _audit(api, admin, objectId=role["id"])
    assert [e["operation"] for e in entries] == ["updateRole", "createRole"]
    updated, created = entries
    assert updated["objectType"] == "Role" and updated["objectId"] == str(from_global_id(role["id"])[1])
    assert _changes(updated) == {"description": ["Petugas arsip", "Pengelola arsip dinamis"]}
    assert _changes(created)["name"] == [None, "arsiparis"]
    assert updated["actor"] == {"id": viewer["id"], "username": "admin"}
    assert updated["ip"] == "10.1.2.3" and updated["requestId"]
    # The permission rules written with the role are recorded too, in the same operation.
    rules = await _audit(api, admin, operation="createRole", objectType="PolicyRule")
    assert any(_changes(e).get("v2") == [None, "employee"] for e in rules)


async def test_queryset_writes_are_recorded_row_by_row(api):
    admin = await api.token("tebingtinggi", "admin")
    role = await _new_role(api, admin, "notulis")
    renamed = (await api.ok(UPDATE_ROLE, {"i": {"id": role["id"], "name": "sekretaris"}}, admin))["updateRole"]
    assert renamed["userErrors"] == []
    rules = await _audit(api, admin, operation="updateRole", objectType="PolicyRule")
    assert any(_changes(e) == {"v0": ["role:notulis", "role:sekretaris"]} for e in rules)
    deleted = await api.ok("mutation($id: ID!) { deleteRole(input: {id: $id}) { deletedId userErrors { code } } }",
                           {"id": role["id"]}, admin)
    assert deleted["deleteRole"]["userErrors"] == []
    entries = await _audit(api, admin, operation="deleteRole")
    gone = next(e for e in entries if e["objectType"] == "Role")
    assert _changes(gone)["name"] == ["sekretaris", None]
    assert any(_changes(e).get("v0") == ["role:sekretaris", None] for e in entries if e["objectType"] == "PolicyRule")


async def test_a_mutation_that_would_change_nothing_is_a_conflict_and_leaves_no_entry(api, database):
    admin = await api.token("tebingtinggi", "admin")
    period = (await api.ok("{ periods { id closed } }", token=admin))["periods"][0]
    close = ("mutation($id: ID!, $c: Boolean!) { setPeriodClosed(input: {id: $id, closed: $c}) "
             "{ period { closed } userErrors { code message } } }")
    before = (await api.ok(AUDIT, {"f": {"operation": "setPeriodClosed"}}, admin))["auditLog"]["totalCount"]
    answer = (await api.ok(close, {"id": period["id"], "c": period["closed"]}, admin))["setPeriodClosed"]
    assert answer["period"] is None and [e["code"] for e in answer["userErrors"]] == ["CONFLICT"]
    assert "already" in answer["userErrors"][0]["message"]
    after = (await api.ok(AUDIT, {"f": {"operation": "setPeriodClosed"}}, admin))["auditLog"]["totalCount"]
    assert after == before


async def test_user_errors_leave_neither_data_nor_entry(api):
    admin = await api.token("tebingtinggi", "admin")
    before = (await api.ok(AUDIT, {"f": {"operation": "createRole"}}, admin))["auditLog"]["totalCount"]
    answer = (await api.ok(CREATE_ROLE, {"i": {"name": "penyelia", "permissions": ["employee:read:own",
                                                                                  "nonsense:do:all"]}},
                           admin))["createRole"]
    assert answer["userErrors"] and answer["role"] is None
    assert "penyelia" not in [r["name"] for r in (await api.ok("{ roles { name } }", token=admin))["roles"]]
    assert (await api.ok(AUDIT, {"f": {"operation": "createRole"}}, admin))["auditLog"]["totalCount"] == before


async def _approved_indicator(api, token):
    plans = (await api.ok("{ performancePlans(filter: {status: APPROVED}) { nodes { year results { indicators "
                          "{ id } } } } }", token=token))["performancePlans"]["nodes"]
    plan = plans[0]
    periods = (await api.ok("query($y: Int) { periods(year: $y) { id kind closed } }", {"y": plan["year"]},
                            token))["periods"]
    period = next(p for p in periods if p["kind"] != "ANNUAL" and not p["closed"])
    return plan["results"][0]["indicators"][0]["id"], period["id"]


async def test_an_unexpected_failure_leaves_neither_data_nor_entry(api, monkeypatch):
    from kinerja.plans import realisation

    pegawai = await api.token("tangerang-selatan", "pegawai")
    tenant = await _tenant("tangerang-selatan")
    indicator_id, period_id = await _approved_indicator(api, pegawai)
    realisations_before = {(r.id, r.value, r.narrative) for r in await rows(Realisation, tenant.id)}
    audit_before = len(await rows(AuditLog, tenant.id))

    def broken_audit(*_args, **_kwargs):  # after the realisation and its event were written
        raise RuntimeError("audit trail down")

    monkeypatch.setattr(realisation.audit, "object_written", broken_audit)
    body = await api.post(RECORD, {"i": {"indicatorId": indicator_id, "periodId": period_id, "value": "77",
                                         "narrative": "Tidak boleh tersimpan"}}, pegawai)
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert {(r.id, r.value, r.narrative) for r in await rows(Realisation, tenant.id)} == realisations_before
    assert len(await rows(AuditLog, tenant.id)) == audit_before


async def test_record_realisation_adds_exactly_one_statement(api, count_statements):
    pegawai = await api.token("tangerang-selatan", "pegawai")
    indicator_id, period_id = await _approved_indicator(api, pegawai)
    count_statements.statements.clear()
    answer = (await api.ok(RECORD, {"i": {"indicatorId": indicator_id, "periodId": period_id, "value": "12",
                                          "narrative": "Dua belas laporan"}}, pegawai))["recordRealisation"]
    assert answer["userErrors"] == []
    touching = [s for s in count_statements.statements if "audit_log" in s]
    # On PostgreSQL the entry rides with the read of the answer; SQLite sends an INSERT of its own.
    carrier = "WITH kinerja_audit AS (INSERT INTO audit_log " if BACKEND == "postgres" else "INSERT INTO audit_log "
    assert len(touching) == 1 and touching[0].startswith(carrier), touching
    entries = await _audit(api, await api.token("tangerang-selatan", "admin"),
                           objectId=answer["realisation"]["id"], operation="recordRealisation")
    assert entries and _changes(entries[0])["narrative"][1] == "Dua belas laporan"
    assert entries[0]["actor"]["username"] == "pegawai"


async def test_another_tenants_admin_sees_none_of_the_entries(api):
    owner = await api.token("bungo", "admin")
    role = await _new_role(api, owner, "pengarsip")
    role_uuid = str(from_global_id(role["id"])[1])
    assert (await _audit(api, owner, objectId=role["id"]))[0]["objectId"] == role_uuid

    attacker = await api.token("samarinda", "admin")
    for filters in ({"objectId": role["id"]}, {"objectId": role_uuid}, {"operation": "createRole",
                                                                        "objectType": "Role"}):
        found = await _audit(api, attacker, **filters)
        assert role_uuid not in {e["objectId"] for e in found}
    everything = (await api.ok(AUDIT, {"n": 100}, attacker))["auditLog"]["nodes"]
    assert role_uuid not in {e["objectId"] for e in everything}
    bungo_actor = (await api.ok("{ viewer { id } }", token=owner))["viewer"]["id"]
    assert await _audit(api, attacker, actorId=bungo_actor) == []


async def test_only_holders_of_the_audit_permission_read_it(api):
    for username in ("pegawai", "bkpsdm", "kepala"):
        body = await api.post(AUDIT, {"n": 5}, await api.token("bungo", username))
        assert error_codes(body) == ["FORBIDDEN"], username
    assert error_codes(await api.post(AUDIT, {"n": 5})) == ["UNAUTHENTICATED"]


async def test_pages_are_newest_first_without_overlap(api):
    admin = await api.token("tebingtinggi", "admin")
    for n in range(3):
        await _new_role(api, admin, f"halaman{n}")
    seen, after = [], None
    while True:
        data = (await api.ok(AUDIT, {"f": {"objectType": "Role"}, "n": 2, "a": after}, admin))["auditLog"]
        seen.extend(data["nodes"])
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert len(seen) == data["totalCount"] >= 3
    assert len({e["id"] for e in seen}) == len(seen)
    stamps = [dt.datetime.fromisoformat(e["occurredAt"]) for e in seen]
    assert stamps == sorted(stamps, reverse=True)
    created = [_changes(e)["name"][1] for e in seen if e["operation"] == "createRole"]
    assert created[:3] == ["halaman2", "halaman1", "halaman0"]
    since = stamps[0] - dt.timedelta(microseconds=1)
    assert len(await _audit(api, admin, objectType="Role", **{"from": since.isoformat()})) >= 1
    assert await _audit(api, admin, objectType="Role", to="2000-01-01T00:00:00Z") == []
    body = await api.post(AUDIT, {"a": "not-a-cursor"}, admin)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_secrets_never_enter_the_trail(api):
    admin = await api.token("tebingtinggi", "admin")
    password = "sangat-rahasia-sekali"
    answer = await api.ok(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { code } } }",
        {"i": {"username": "arsip01", "password": password, "roles": ["pegawai"]}}, admin)
    user_id = answer["createUser"]["user"]["id"]
    session = await api.login("tebingtinggi", "arsip01", password)
    assert session["accessToken"]
    failed = await api.login("tebingtinggi", "arsip01", "salah-password")
    assert failed["userErrors"][0]["code"] == "UNAUTHENTICATED"

    created = (await _audit(api, admin, objectId=user_id, operation="createUser"))[0]
    assert _changes(created)["password_hash"] == [None, "***"]
    logins = await _audit(api, admin, operation="login", actorId=user_id)
    token_entry = next(e for e in logins if e["objectType"] == "RefreshToken")
    assert _changes(token_entry)["secret_hash"] == [None, "***"]
    failures = [e for e in await _audit(api, admin, operation="login", objectType="LoginFailure")
                if _changes(e)["username"][1] == "arsip01"]
    assert failures and failures[0]["actor"] is None and failures[0]["ip"] == "10.1.2.3"

    tenant = await _tenant("tebingtinggi")
    stored = json.dumps([r.changes for r in await rows(AuditLog, tenant.id)])
    secret = session["refreshToken"].rsplit(".", 1)[-1]
    assert password not in stored and secret not in stored and "$argon2" not in stored


async def test_refresh_and_logout_are_recorded_for_the_user(api):
    admin = await api.token("tebingtinggi", "admin")
    session = await api.login("tebingtinggi", "atasan")
    user_id = (await api.ok("{ viewer { id } }", token=session["accessToken"]))["viewer"]["id"]
    refreshed = (await api.ok("mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { refreshToken "
                              "userErrors { code } } }", {"t": session["refreshToken"]}))["refreshToken"]
    assert refreshed["userErrors"] == []
    out = await api.ok("mutation($t: String!) { logout(input: {refreshToken: $t}) { ok } }",
                       {"t": refreshed["refreshToken"]})
    assert out["logout"]["ok"] is True
    rotated = await _audit(api, admin, operation="refreshToken", actorId=user_id)
    spent = next(e for e in rotated if "revoked_at" in _changes(e))
    assert _changes(spent)["revoked_at"][0] is None and _changes(spent)["revoked_at"][1]
    revoked = (await _audit(api, admin, operation="logout", actorId=user_id))[0]  # newest first
    assert revoked["objectType"] == "RefreshToken" and _changes(revoked)["revoked_at"][0] is None


async def test_anonymous_feedback_is_recorded_with_the_ip_and_no_actor(api):
    service_id = (await api.ok('{ publicServices(tenant: "bungo") { id } }'))["publicServices"][0]["id"]
    answer = (await api.ok(
        "mutation($i: SubmitCitizenFeedbackInput!) { submitCitizenFeedback(input: $i) { ticketCode "
        "userErrors { code } } }",
        {"i": {"tenant": "bungo", "serviceId": service_id, "message": f"Antrean audit {uuid.uuid4()}",
               "kind": "FEEDBACK"}}))["submitCitizenFeedback"]
    assert answer["userErrors"] == []
    entries = await _audit(api, await api.token("bungo", "admin"), operation="submitCitizenFeedback")
    mine = next(e for e in entries if _changes(e).get("code", [None, None])[1] == answer["ticketCode"])
    assert mine["actor"] is None and mine["ip"] == "10.1.2.3" and mine["objectType"] == "FeedbackTicket"


async def test_a_new_tenant_is_audited_inside_it(api):
    operator = await api.token("platform", "operator")
    answer = await api.ok(
        "mutation { createTenant(input: {slug: \"kota-audit\", name: \"Kota Audit\", kind: KOTA, "
        "adminUsername: \"admin\", adminPassword: \"kota-audit-password\"}) { tenant { slug } userErrors { code } } }",
        token=operator)
    assert answer["createTenant"]["userErrors"] == []
    admin = (await api.login("kota-audit", "admin", "kota-audit-password"))["accessToken"]
    for object_type in ("Tenant", "Role", "PolicyRule", "Period"):
        assert await _audit(api, admin, operation="createTenant", objectType=object_type), object_type
    [user] = await _audit(api, admin, operation="createTenant", objectType="User")
    assert _changes(user)["password_hash"] == [None, "***"]
    # The operator is a user of the platform tenant: not resolvable here.
    assert user["actor"] is None


# --- the database layer, as the application role ------------------------------------------------

async def _app_conn(database):
    import asyncpg

    return await asyncpg.connect(database.database_url.replace("postgres://", "postgresql://", 1))


@postgres_only
async def test_the_app_role_can_neither_change_nor_remove_entries(api, database):
    import asyncpg

    await _new_role(api, await api.token("bungo", "admin"), "penjaga")
    bungo = await _tenant("bungo")
    conn = await _app_conn(database)
    try:
        for sql in ("UPDATE audit_log SET operation = 'forged'", "DELETE FROM audit_log",
                    "TRUNCATE audit_log"):
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="permission denied"):
                async with conn.transaction():
                    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
                    await conn.execute(sql)
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
            assert await conn.fetchval("SELECT count(*) FROM audit_log") > 0
        table = await conn.fetchrow("SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                                    "WHERE relname = 'audit_log' AND relnamespace = 'public'::regnamespace")
        assert table["relrowsecurity"] and table["relforcerowsecurity"]
        privileges = await conn.fetch("SELECT privilege_type FROM information_schema.role_table_grants "
                                      "WHERE table_name = 'audit_log' AND grantee = 'kinerja_app'")
        assert sorted(p["privilege_type"] for p in privileges) == ["INSERT", "SELECT"]
    finally:
        await conn.close()


@postgres_only
async def test_the_app_role_cannot_write_entries_into_another_tenant(database):
    import asyncpg

    bungo, samarinda = await _tenant("bungo"), await _tenant("samarinda")
    conn = await _app_conn(database)
    try:
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
                await conn.execute(
                    "INSERT INTO audit_log (id, tenant_id, occurred_at, operation, changes, request_id, ip) "
                    "VALUES ($1, $2, now(), 'forged', '{}', '', '')", uuid.uuid4(), samarinda.id)
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
            tenants = await conn.fetch("SELECT DISTINCT tenant_id FROM audit_log")
            assert [r["tenant_id"] for r in tenants] in ([], [bungo.id])
    finally:
        await conn.close()


async def test_record_realisation_is_three_statements_after_the_tenant_binding(api, count_statements):
    """W4: the plan's lock with what is checked, the write with its event, the audit entry (PostgreSQL)."""
    pegawai = await api.token("tangerang-selatan", "pegawai")
    indicator_id, period_id = await _approved_indicator(api, pegawai)
    document = ("mutation($i: RecordRealisationInput!) { recordRealisation(input: $i) "
                "{ userErrors { field code message } } }")
    for value in ("21", "22"):  # created or updated
        count_statements.statements.clear()
        answer = (await api.ok(document, {"i": {"indicatorId": indicator_id, "periodId": period_id, "value": value,
                                                "narrative": f"Laporan {value}"}}, pegawai))["recordRealisation"]
        assert answer["userErrors"] == []
        after_binding = [s for s in count_statements.statements if not is_binding(s)]
        if BACKEND == "postgres":
            assert len(after_binding) == 3, after_binding
            assert "pg_notify" in after_binding[1] and after_binding[2].startswith("INSERT INTO audit_log")
    again = (await api.ok(document, {"i": {"indicatorId": indicator_id, "periodId": period_id, "value": "22",
                                           "narrative": "Laporan 22"}}, pegawai))["recordRealisation"]
    assert again["userErrors"][0]["code"] == "CONFLICT"
