"""Per-tenant roles managed through the API, and every way of reaching beyond one's grants."""

from __future__ import annotations

import pytest
from conftest import error_codes, rows

from kinerja.auth.models import PolicyRule, Role, User
from kinerja.core.ids import to_global_id
from kinerja.tenancy.models import Tenant

ROLE_FIELDS = "role { id name description builtIn permissions } userErrors { field code message }"
CREATE = f"mutation($i: CreateRoleInput!) {{ createRole(input: $i) {{ {ROLE_FIELDS} }} }}"
UPDATE = f"mutation($i: UpdateRoleInput!) {{ updateRole(input: $i) {{ {ROLE_FIELDS} }} }}"
DELETE = "mutation($i: DeleteRoleInput!) { deleteRole(input: $i) { deletedId userErrors { field code message } } }"
ASSIGN = ("mutation($i: RoleAssignmentInput!) { assignRole(input: $i) { user { id username roles } "
          "userErrors { field code message } } }")
REVOKE = ASSIGN.replace("assignRole", "revokeRole")
COUNT = "{ employees(first: 1) { totalCount } }"


async def _tenant(slug):
    return (await rows(Tenant, None, slug=slug))[0]


async def _user_gid(slug, username):
    tenant = await _tenant(slug)
    return to_global_id("User", (await rows(User, tenant.id, username=username))[0].id)


async def _policy_snapshot(slug):
    tenant = await _tenant(slug)
    return sorted((r.ptype, r.v0, r.v1, r.v2, r.v3) for r in await rows(PolicyRule, tenant.id))


async def test_roles_and_catalogue_are_listed(api):
    token = await api.token("tebingtinggi", "admin")
    data = await api.ok("{ roles { name builtIn permissions } permissionCatalogue { key object action scope "
                        "descriptionId descriptionEn } }", token=token)
    names = {r["name"] for r in data["roles"]}
    assert {"pegawai", "atasan", "kepala_unit", "admin_bkpsdm", "tenant_admin"} <= names
    assert all(r["builtIn"] for r in data["roles"] if r["name"] == "pegawai")
    keys = {p["key"] for p in data["permissionCatalogue"]}
    assert {"employee:read:own", "employee:read:team", "employee:read:unit", "employee:read:tenant"} <= keys
    assert all(p["descriptionId"] and p["descriptionEn"] for p in data["permissionCatalogue"])
    # object, action and scope are enums: the parts of the key, as enum values
    assert all([p["object"], p["action"], p["scope"]] == p["key"].upper().split(":") for p in data["permissionCatalogue"])
    assert {p["scope"] for p in data["permissionCatalogue"]} == {"OWN", "TEAM", "UNIT", "TENANT"}


async def test_employee_without_the_permission_is_forbidden(api):
    token = await api.token("tebingtinggi", "pegawai")
    assert error_codes(await api.post("{ roles { name } }", token=token)) == ["FORBIDDEN"]
    answer = await api.ok(CREATE, {"i": {"name": "x", "permissions": []}}, token)
    assert answer["createRole"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_grant_takes_effect_on_the_next_request_and_revoke_too(api):
    admin = await api.token("tebingtinggi", "admin")
    pegawai = await api.token("tebingtinggi", "pegawai")
    everyone = (await api.ok(COUNT, token=admin))["employees"]["totalCount"]
    assert (await api.ok(COUNT, token=pegawai))["employees"]["totalCount"] == 1

    created = (await api.ok(CREATE, {"i": {"name": "pemantau", "description": "Monitoring",
                                           "permissions": ["employee:read:tenant", "org:read:tenant"]}}, admin))
    role = created["createRole"]["role"]
    assert created["createRole"]["userErrors"] == []
    assert role["permissions"] == ["employee:read:tenant", "org:read:tenant"] and not role["builtIn"]

    user_id = await _user_gid("tebingtinggi", "pegawai")
    assigned = (await api.ok(ASSIGN, {"i": {"userId": user_id, "role": "pemantau"}}, admin))["assignRole"]
    assert assigned["userErrors"] == [] and "pemantau" in assigned["user"]["roles"]
    assert (await api.ok(COUNT, token=pegawai))["employees"]["totalCount"] == everyone
    viewer = (await api.ok("{ viewer { roles permissions } }", token=pegawai))["viewer"]
    assert "pemantau" in viewer["roles"] and "employee:read:tenant" in viewer["permissions"]

    # Narrowing the role's permissions applies at once as well.
    narrowed = await api.ok(UPDATE, {"i": {"id": role["id"], "permissions": ["org:read:tenant"]}}, admin)
    assert narrowed["updateRole"]["role"]["permissions"] == ["org:read:tenant"]
    assert (await api.ok(COUNT, token=pegawai))["employees"]["totalCount"] == 1
    await api.ok(UPDATE, {"i": {"id": role["id"], "permissions": ["employee:read:tenant"]}}, admin)
    assert (await api.ok(COUNT, token=pegawai))["employees"]["totalCount"] == everyone

    revoked = (await api.ok(REVOKE, {"i": {"userId": user_id, "role": "pemantau"}}, admin))["revokeRole"]
    assert revoked["userErrors"] == [] and "pemantau" not in revoked["user"]["roles"]
    assert (await api.ok(COUNT, token=pegawai))["employees"]["totalCount"] == 1

    deleted = (await api.ok(DELETE, {"i": {"id": role["id"]}}, admin))["deleteRole"]
    assert deleted == {"deletedId": role["id"], "userErrors": []}
    assert await rows(Role, (await _tenant("tebingtinggi")).id, name="pemantau") == []


@pytest.mark.parametrize("name", ["*", "a,b", 'say"hi', "it's", "line\nbreak", "", " ", "role:x", "x" * 64])
async def test_invalid_role_names_are_rejected(api, name):
    admin = await api.token("tebingtinggi", "admin")
    before = await _policy_snapshot("tebingtinggi")
    answer = (await api.ok(CREATE, {"i": {"name": name, "permissions": ["org:read:tenant"]}}, admin))["createRole"]
    assert answer["role"] is None
    assert answer["userErrors"][0]["field"] == "name" and answer["userErrors"][0]["code"] == "BAD_USER_INPUT"
    assert await _policy_snapshot("tebingtinggi") == before


async def test_nobody_grants_what_he_does_not_hold(api):
    admin = await api.token("tebingtinggi", "admin")
    # A deputy who may manage roles but holds little else.
    created = await api.ok(CREATE, {"i": {"name": "wakil", "permissions": ["role:read:tenant", "role:manage:tenant",
                                                                           "org:read:tenant"]}}, admin)
    assert created["createRole"]["userErrors"] == []
    bkpsdm_id = await _user_gid("tebingtinggi", "bkpsdm")
    assigned = await api.ok(ASSIGN, {"i": {"userId": bkpsdm_id, "role": "wakil"}}, admin)
    assert assigned["assignRole"]["userErrors"] == []
    deputy = await api.token("tebingtinggi", "bkpsdm")
    before = await _policy_snapshot("tebingtinggi")

    answer = (await api.ok(CREATE, {"i": {"name": "superuser", "permissions": ["user:manage:tenant"]}},
                           deputy))["createRole"]
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [("permissions", "FORBIDDEN")]
    answer = (await api.ok(ASSIGN, {"i": {"userId": bkpsdm_id, "role": "tenant_admin"}}, deputy))["assignRole"]
    assert answer["userErrors"][0]["code"] == "FORBIDDEN" and answer["user"] is None
    admin_id = await _user_gid("tebingtinggi", "admin")
    answer = (await api.ok(REVOKE, {"i": {"userId": admin_id, "role": "tenant_admin"}}, deputy))["revokeRole"]
    assert answer["userErrors"][0]["code"] == "FORBIDDEN"
    # Mixed input: one good permission and one unknown: nothing is written.
    answer = (await api.ok(CREATE, {"i": {"name": "mixed", "permissions": ["org:read:tenant", "nope:x:y"]}},
                           deputy))["createRole"]
    assert answer["userErrors"][0]["code"] == "BAD_USER_INPUT"
    assert await _policy_snapshot("tebingtinggi") == before

    await api.ok(REVOKE, {"i": {"userId": bkpsdm_id, "role": "wakil"}}, admin)
    await api.ok(DELETE, {"i": {"id": to_global_id("Role", (await rows(Role, (await _tenant("tebingtinggi")).id,
                                                                      name="wakil"))[0].id)}}, admin)


async def test_admin_cannot_reach_another_tenant(api):
    admin = await api.token("tebingtinggi", "admin")
    before = await _policy_snapshot("samarinda")
    foreign_user = await _user_gid("samarinda", "pegawai")
    answer = (await api.ok(ASSIGN, {"i": {"userId": foreign_user, "role": "tenant_admin"}}, admin))["assignRole"]
    assert answer["userErrors"][0]["code"] == "NOT_FOUND"
    samarinda = await _tenant("samarinda")
    foreign_role = (await rows(Role, samarinda.id, name="pegawai"))[0]
    for mutation, variables in [(UPDATE, {"id": to_global_id("Role", foreign_role.id), "description": "x"}),
                                (DELETE, {"id": to_global_id("Role", foreign_role.id)})]:
        body = await api.ok(mutation, {"i": variables}, admin)
        payload = next(iter(body.values()))
        assert payload["userErrors"][0]["code"] == "NOT_FOUND"
    body = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": foreign_user}, admin)
    assert error_codes(body) == ["NOT_FOUND"]
    assert await _policy_snapshot("samarinda") == before


async def test_no_escalation_to_platform_operator(api):
    admin = await api.token("tebingtinggi", "admin")
    before = await _policy_snapshot("tebingtinggi")
    answer = (await api.ok(CREATE, {"i": {"name": "op", "permissions": ["tenant:manage:tenant"]}}, admin))
    assert answer["createRole"]["userErrors"][0]["code"] == "BAD_USER_INPUT"
    answer = await api.ok(ASSIGN, {"i": {"userId": await _user_gid("tebingtinggi", "admin"),
                                         "role": "platform_operator"}}, admin)
    assert answer["assignRole"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert error_codes(await api.post("{ tenants { totalCount } }", token=admin)) == ["FORBIDDEN"]
    create = await api.ok(
        "mutation { createTenant(input: {slug: \"rogue\", name: \"Rogue\", kind: KOTA, adminUsername: \"boss\", "
        "adminPassword: \"long-enough-password\"}) { tenant { slug } userErrors { code } } }", token=admin)
    assert create["createTenant"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert await rows(Tenant, None, slug="rogue") == []
    assert await _policy_snapshot("tebingtinggi") == before


async def test_builtin_tenant_admin_is_protected(api):
    admin = await api.token("tebingtinggi", "admin")
    tenant = await _tenant("tebingtinggi")
    role = (await rows(Role, tenant.id, name="tenant_admin"))[0]
    answer = (await api.ok(DELETE, {"i": {"id": to_global_id("Role", role.id)}}, admin))["deleteRole"]
    assert answer["userErrors"][0]["code"] == "CONFLICT"
    answer = (await api.ok(UPDATE, {"i": {"id": to_global_id("Role", role.id), "permissions": []}}, admin))
    assert answer["updateRole"]["userErrors"][0]["code"] == "CONFLICT"
    admin_id = await _user_gid("tebingtinggi", "admin")
    answer = (await api.ok(REVOKE, {"i": {"userId": admin_id, "role": "tenant_admin"}}, admin))["revokeRole"]
    assert answer["userErrors"][0]["code"] == "CONFLICT"
    assert "tenant_admin" in (await api.ok("{ viewer { roles } }", token=admin))["viewer"]["roles"]


async def test_admin_creates_a_user_who_can_log_in(api):
    admin = await api.token("tebingtinggi", "admin")
    answer = await api.ok(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { username roles } userErrors { field code } } }",
        {"i": {"username": "196912121990031005", "password": "a-long-password", "roles": ["pegawai"]}}, admin)
    assert answer["createUser"] == {"user": {"username": "196912121990031005", "roles": ["pegawai"]},
                                    "userErrors": []}
    assert (await api.login("tebingtinggi", "196912121990031005", "a-long-password"))["accessToken"]
    again = await api.ok(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { username } userErrors { field code } } }",
        {"i": {"username": "196912121990031005", "password": "short", "roles": []}}, admin)
    assert again["createUser"]["userErrors"] == [{"field": "password", "code": "BAD_USER_INPUT"}]


async def test_operator_provisions_a_tenant(api):
    operator = await api.token("platform", "operator")
    answer = await api.ok(
        "mutation { createTenant(input: {slug: \"kota-baru\", name: \"Pemerintah Kota Baru\", kind: KOTA, "
        "adminUsername: \"admin\", adminPassword: \"kota-baru-password\"}) { tenant { slug name } "
        "userErrors { field code } } }", token=operator)
    assert answer["createTenant"] == {"tenant": {"slug": "kota-baru", "name": "Pemerintah Kota Baru"},
                                      "userErrors": []}
    token = (await api.login("kota-baru", "admin", "kota-baru-password"))["accessToken"]
    viewer = (await api.ok("{ viewer { roles tenant { slug } } roles { name } }", token=token))
    assert viewer["viewer"] == {"roles": ["tenant_admin"], "tenant": {"slug": "kota-baru"}}
    assert len(viewer["roles"]) == 5
    listed = await api.ok("{ tenants(first: 100) { totalCount nodes { slug } } }", token=operator)
    assert "kota-baru" in {t["slug"] for t in listed["tenants"]["nodes"]}
    duplicate = await api.ok(
        "mutation { createTenant(input: {slug: \"kota-baru\", name: \"X\", kind: KOTA, adminUsername: \"admin\", "
        "adminPassword: \"kota-baru-password\"}) { userErrors { field code } } }", token=operator)
    assert duplicate["createTenant"]["userErrors"] == [{"field": "slug", "code": "CONFLICT"}]


def test_tenant_admin_template_holds_every_tenant_permission():
    from kinerja.auth import permissions
    from kinerja.auth.templates import tenant_templates

    admin = next(t for t in tenant_templates() if t.name == "tenant_admin")
    every = {p.key for p in permissions.CATALOGUE} - permissions.PLATFORM_ONLY
    assert set(admin.permissions) == every


async def test_no_second_login_for_an_employee_until_the_first_is_deactivated(api):
    """No impersonation (PP 30/2019 art. 60: the performance information system records each employee's
    own acts): binding a login to an employee who already has an active one is refused; HR deactivates
    the old login first. Both steps are audited."""
    from kinerja.core.audit_models import AuditLog
    from kinerja.org.models import Employee

    tenant = (await rows(Tenant, None, slug="samarinda"))[0]
    bound = {u.employee_id for u in await rows(User, tenant.id)}
    employee = sorted((e for e in await rows(Employee, tenant.id) if e.id not in bound), key=lambda e: e.nip)[0]
    admin = await api.token("samarinda", "admin")
    create = ("mutation($i: CreateUserInput!) { createUser(input: $i) { user { id username active employee { id } } "
              "userErrors { field code message } } }")
    deactivate = ("mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { username active } "
                  "userErrors { field code message } } }")
    employee_gid = to_global_id("Employee", employee.id)
    first = (await api.ok(create, {"i": {"username": "petugas-satu", "password": "kata-sandi-panjang",
                                         "employeeId": employee_gid, "roles": ["pegawai"]}}, admin))["createUser"]
    assert first["userErrors"] == [] and first["user"]["employee"] == {"id": employee_gid}
    second = (await api.ok(create, {"i": {"username": "petugas-dua", "password": "kata-sandi-panjang",
                                          "employeeId": employee_gid, "roles": ["pegawai"]}}, admin))["createUser"]
    assert second["user"] is None
    assert [(e["field"], e["code"]) for e in second["userErrors"]] == [("employeeId", "CONFLICT")]
    assert "deactivate it first" in second["userErrors"][0]["message"]

    assert (await api.login("samarinda", "petugas-satu", "kata-sandi-panjang"))["accessToken"]
    own = (await api.ok(deactivate, {"id": to_global_id("User", (await rows(User, tenant.id, username="admin"))[0].id)},
                        admin))["deactivateUser"]
    assert [(e["field"], e["code"]) for e in own["userErrors"]] == [("id", "FORBIDDEN")]
    foreign = (await api.ok(deactivate, {"id": first["user"]["id"]}, await api.token("bungo", "admin")))["deactivateUser"]
    assert [e["code"] for e in foreign["userErrors"]] == ["NOT_FOUND"]
    done = (await api.ok(deactivate, {"id": first["user"]["id"]}, admin))["deactivateUser"]
    assert done == {"user": {"username": "petugas-satu", "active": False}, "userErrors": []}
    assert (await api.login("samarinda", "petugas-satu", "kata-sandi-panjang"))["accessToken"] is None
    again = (await api.ok(deactivate, {"id": first["user"]["id"]}, admin))["deactivateUser"]
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [("id", "CONFLICT")]
    replaced = (await api.ok(create, {"i": {"username": "petugas-dua", "password": "kata-sandi-panjang",
                                            "employeeId": employee_gid, "roles": ["pegawai"]}}, admin))["createUser"]
    assert replaced["userErrors"] == [] and replaced["user"]["active"]
    operations = {e.operation for e in await rows(AuditLog, tenant.id, object_type="User")
                  if str(e.object_id) in {str(u.id) for u in await rows(User, tenant.id, employee_id=employee.id)}}
    assert {"createUser", "deactivateUser"} <= operations
