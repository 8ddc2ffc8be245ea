"""Attacks on tenant isolation: another tenant's ids, nested fields, filters, counts, and the
database layer itself (RLS, composite foreign keys, the app role's privileges)."""

from __future__ import annotations

import uuid

import pytest
from conftest import BACKEND, error_codes, rows

from kinerja.core.ids import to_global_id
from kinerja.org.models import Employee, OrgUnit
from kinerja.tenancy.models import Tenant

postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="row-level security is PostgreSQL's")


async def _tenant(slug):
    return (await rows(Tenant, None, slug=slug))[0]


async def test_node_with_another_tenants_id_is_not_found_like_a_random_id(api):
    attacker = await api.token("bungo", "admin")
    victim = await _tenant("samarinda")
    foreign = (await rows(Employee, victim.id))[0]
    for gid in [to_global_id("Employee", foreign.id), to_global_id("Employee", uuid.uuid4())]:
        body = await api.post("query($id: ID!) { node(id: $id) { id ... on Employee { name } } }", {"id": gid},
                              attacker)
        assert body["data"] == {"node": None}
        assert error_codes(body) == ["NOT_FOUND"]
        assert body["errors"][0]["message"] == "Employee not found"


async def test_foreign_org_unit_and_period_ids_are_not_found(api):
    attacker = await api.token("bungo", "admin")
    victim = await _tenant("samarinda")
    unit = (await rows(OrgUnit, victim.id))[0]
    body = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("OrgUnit", unit.id)},
                          attacker)
    assert error_codes(body) == ["NOT_FOUND"]


async def test_filter_by_another_tenants_org_unit_reveals_nothing(api):
    attacker = await api.token("bungo", "admin")
    victim = await _tenant("samarinda")
    unit = (await rows(OrgUnit, victim.id, code="DINKES"))[0]
    data = await api.ok(
        "query($f: EmployeeFilter) { employees(first: 100, filter: $f) { totalCount edges { node { id } } } }",
        {"f": {"orgUnitId": to_global_id("OrgUnit", unit.id)}}, attacker)
    assert data["employees"] == {"totalCount": 0, "edges": []}


async def test_search_for_another_tenants_nip_finds_nothing(api):
    attacker = await api.token("bungo", "admin")
    victim = await _tenant("samarinda")
    foreign = (await rows(Employee, victim.id))[3]
    data = await api.ok(
        "query($f: EmployeeFilter) { employees(first: 10, filter: $f) { totalCount } }",
        {"f": {"search": foreign.nip}}, attacker)
    assert data["employees"]["totalCount"] == 0


async def test_nested_fields_and_counts_stay_inside_the_tenant(api):
    token = await api.token("nanggalo", "admin")
    tenant = await _tenant("nanggalo")
    own_ids = {to_global_id("Employee", e.id) for e in await rows(Employee, tenant.id)}
    own_units = {to_global_id("OrgUnit", u.id) for u in await rows(OrgUnit, tenant.id)}
    data = await api.ok("{ employees(first: 100) { totalCount edges { node { id supervisor { id } "
                        "orgUnit { id parent { id } head { id } } } } } orgUnits { id children { id } } }",
                        token=token)
    assert data["employees"]["totalCount"] == len(own_ids)
    for edge in data["employees"]["edges"]:
        node = edge["node"]
        assert node["id"] in own_ids
        assert node["supervisor"] is None or node["supervisor"]["id"] in own_ids
        assert node["orgUnit"]["id"] in own_units
        assert node["orgUnit"]["head"]["id"] in own_ids
    assert {u["id"] for u in data["orgUnits"]} <= own_units


async def test_pegawai_cannot_reach_colleagues_by_id(api):
    token = await api.token("bungo", "pegawai")
    tenant = await _tenant("bungo")
    others = await rows(Employee, tenant.id)
    me = (await api.ok("{ viewer { employee { id } } }", token=token))["viewer"]["employee"]["id"]
    colleague = next(e for e in others if to_global_id("Employee", e.id) != me)
    body = await api.post("query($id: ID!) { node(id: $id) { id } }",
                          {"id": to_global_id("Employee", colleague.id)}, token)
    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize("gid", ["", "!!!", "RW1wbG95ZWU6bm90LWEtdXVpZA", to_global_id("Nope", uuid.uuid4()),
                                 "x" * 10000])
async def test_malformed_global_ids_are_not_found(api, gid):
    body = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": gid},
                          await api.token("bungo", "admin"))
    assert error_codes(body) == ["NOT_FOUND"]


# --- the database layer, attacked directly as the application role -----------------------------

async def _app_conn(database):
    import asyncpg

    return await asyncpg.connect(database.database_url.replace("postgres://", "postgresql://", 1))


@postgres_only
async def test_every_tenant_table_forces_row_level_security(database):
    conn = await _app_conn(database)
    try:
        tables = await conn.fetch(
            """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                      pg_get_userbyid(c.relowner) AS owner
               FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
               WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
                 AND a.attname = 'tenant_id' AND NOT a.attisdropped""")
        assert len(tables) >= 9
        for table in tables:
            assert table["relrowsecurity"] and table["relforcerowsecurity"], table["relname"]
            assert table["owner"] != "kinerja_app"
        role = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
        assert dict(role) == {"rolsuper": False, "rolbypassrls": False, "rolcreaterole": False,
                              "rolcreatedb": False}
    finally:
        await conn.close()


@postgres_only
async def test_without_a_tenant_setting_no_rows_are_visible(database):
    conn = await _app_conn(database)
    try:
        async with conn.transaction():
            assert await conn.fetchval("SELECT count(*) FROM employee") == 0
            await conn.execute("SELECT set_config('app.tenant_id', '', true)")
            assert await conn.fetchval("SELECT count(*) FROM app_user") == 0
    finally:
        await conn.close()


@postgres_only
async def test_the_binding_keeps_its_tenant_and_plans_its_checks_once_per_connection(database):
    """Connections plan every statement for its parameters; the binding's own key lookups keep one
    generic plan (migration 0081), and the tenant it sets outlives the function all the same."""
    bungo = await _tenant("bungo")
    conn = await _app_conn(database)
    try:
        settings = await conn.fetch("SELECT pronargs, proconfig FROM pg_proc WHERE proname = 'kinerja_bind'")
        assert sorted(r["pronargs"] for r in settings) == [2, 3]
        assert all(r["proconfig"] == ["plan_cache_mode=force_generic_plan"] for r in settings), settings
        await conn.execute("SET plan_cache_mode = force_custom_plan")
        for arguments in ((str(bungo.id), None), (str(bungo.id), None, None)):
            async with conn.transaction():
                placeholders = ", ".join(f"${n}" for n in range(1, len(arguments) + 1))
                await conn.execute(f"SELECT kinerja_bind({placeholders})", *arguments)
                assert await conn.fetchval("SELECT count(DISTINCT tenant_id) FROM employee") == 1
                assert await conn.fetchval("SELECT current_setting('plan_cache_mode')") == "force_custom_plan"
    finally:
        await conn.close()


@postgres_only
async def test_rls_shows_only_the_set_tenant_and_blocks_writes_into_another(database):
    bungo, samarinda = await _tenant("bungo"), await _tenant("samarinda")
    conn = await _app_conn(database)
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
            tenants = await conn.fetch("SELECT DISTINCT tenant_id FROM employee")
            assert [r["tenant_id"] for r in tenants] == [bungo.id]
            # No service check here: only the database stands in the way.
            updated = await conn.execute("UPDATE employee SET name = 'x' WHERE tenant_id = $1", samarinda.id)
            assert updated == "UPDATE 0"
        import asyncpg

        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
                await conn.execute(
                    "INSERT INTO position (id, tenant_id, name, kind, created_at) VALUES ($1, $2, 'x', 'JPT', now())",
                    uuid.uuid4(), samarinda.id)
    finally:
        await conn.close()


@postgres_only
async def test_composite_foreign_key_stops_pointing_at_another_tenants_parent(database):
    """Even with RLS satisfied for the new row, it cannot reference tenant B's org unit."""
    import asyncpg

    bungo, samarinda = await _tenant("bungo"), await _tenant("samarinda")
    foreign_unit = (await rows(OrgUnit, samarinda.id))[0]
    conn = await _app_conn(database)
    try:
        with pytest.raises(asyncpg.exceptions.ForeignKeyViolationError, match="org_unit_id_tenant_fk"):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
                await conn.execute(
                    """INSERT INTO employee (id, tenant_id, nip, name, employment_type, org_unit_id, active,
                                             created_at, updated_at)
                       VALUES ($1, $2, '198001012005011001', 'Penyusup', 'PNS', $3, true, now(), now())""",
                    uuid.uuid4(), bungo.id, foreign_unit.id)
    finally:
        await conn.close()


@postgres_only
async def test_app_role_cannot_change_the_schema_or_disable_rls(database):
    import asyncpg

    conn = await _app_conn(database)
    try:
        for sql in ["ALTER TABLE employee DISABLE ROW LEVEL SECURITY", "DROP POLICY tenant_isolation ON employee",
                    "CREATE TABLE sneaky (id int)", "SET row_security = off; SELECT count(*) FROM employee"]:
            with pytest.raises(asyncpg.exceptions.PostgresError):
                async with conn.transaction():
                    await conn.execute(sql)
                    if "row_security" in sql:
                        # row_security=off raises for a role subject to RLS rather than bypassing it
                        await conn.fetchval("SELECT count(*) FROM employee")
                        raise asyncpg.exceptions.PostgresError("row_security off did not raise")
    finally:
        await conn.close()


async def _foreign_keys(conn) -> list:
    """Every foreign key of the schema: its table, the table it references and its columns in order."""
    return await conn.fetch(
        """SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
                  array_agg(a.attname ORDER BY k.ord) AS columns
           FROM pg_constraint c
           CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
           WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
           GROUP BY c.oid, c.conrelid, c.confrelid""")


def _composite(keys) -> set[tuple[str, str]]:
    """(table, column) of each composite key (tenant_id, column)."""
    return {(k["child"], k["columns"][1]) for k in keys if len(k["columns"]) == 2 and k["columns"][0] == "tenant_id"}


@postgres_only
async def test_every_reference_between_tenant_tables_is_tenant_composite(database):
    """A plain foreign key between tenant tables would let a row point into another tenant: each one
    must be doubled by a composite (tenant_id, column) key."""
    conn = await _app_conn(database)
    try:
        keys = await _foreign_keys(conn)
        tenant_tables = {r["relname"] for r in await conn.fetch(
            """SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
               WHERE c.relnamespace = 'public'::regnamespace AND a.attname = 'tenant_id' AND c.relkind = 'r'""")}
    finally:
        await conn.close()
    composite = _composite(keys)
    plain = [(k["child"], k["columns"][0], k["parent"]) for k in keys
             if len(k["columns"]) == 1 and k["columns"][0] != "tenant_id"
             and k["child"] in tenant_tables and k["parent"] in tenant_tables]
    assert len(plain) > 30
    missing = [p for p in plain if (p[0], p[1]) not in composite]
    assert missing == []


@postgres_only
async def test_every_composite_tenant_key_tells_the_planner_its_parent_decides_the_tenant(database):
    """Without dependency statistics the planner multiplies the selectivities of tenant_id and the
    parent's id and expects a parent's rows to be as few as the tenants are many."""
    conn = await _app_conn(database)
    try:
        keys = _composite(await _foreign_keys(conn))
        covered = {(r["child"], r["col"]) for r in await conn.fetch(
            """SELECT s.stxrelid::regclass::text AS child, a.attname AS col
               FROM pg_statistic_ext s
               JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = ANY (s.stxkeys)
               WHERE 'f' = ANY (s.stxkind) AND a.attname <> 'tenant_id'""")}
    finally:
        await conn.close()
    assert len(keys) > 30
    assert sorted(keys - covered) == []
