"""Trusted documents: registered by adding a file to schema/operations (no code), known by text or
``documentId``, answered by the compiler in one SQL statement after the tenant binding, on both
backends. Compared with the schema's answers field by field (resolver mode) for every role and edge case."""

from __future__ import annotations

import hashlib

import pytest
from conftest import Api, error_codes, is_binding

from kinerja.api.trusted import TrustedDocuments, canonical
from kinerja.core.ids import to_global_id
from kinerja.core.paths import operations_dir

DOCUMENTS = {path.stem: path.read_text() for path in operations_dir().glob("*.graphql")}


@pytest.fixture
def schema_only(resolvers):
    return resolvers


async def _same(api: Api, schema_only: Api, name: str, variables: dict, token: str) -> dict:
    compiled = await api.post(DOCUMENTS[name], variables, token)
    assert compiled == await schema_only.post(DOCUMENTS[name], variables, token)
    return compiled


async def _periods(api: Api, token: str) -> dict[str, str]:
    data = await api.ok("{ periods { id name } }", token=token)
    return {p["name"]: p["id"] for p in data["periods"]}


async def test_every_document_in_the_folder_is_registered_without_code(app, tmp_path):
    view = next(route.endpoint for route in app.routes if getattr(route, "path", "") == "/graphql"
                and hasattr(route.endpoint, "trusted"))
    assert set(DOCUMENTS) == {op.name for op in view.trusted.by_canonical.values()}
    (tmp_path / "MyEmployees.graphql").write_text("query MyEmployees { employees(first: 2) { nodes { name } } }")
    registered = TrustedDocuments(directory=tmp_path)
    [operation] = registered.by_id.values()
    assert operation.name == "MyEmployees"
    assert registered.match({"documentId": operation.document_id}) is operation


async def test_team_dashboard_matches_the_schema_for_every_role(api, schema_only):
    periods = await _periods(api, await api.token("bungo", "atasan"))
    kepala: list[dict] = []
    for user in ("atasan", "kepala", "pegawai", "admin", "bkpsdm"):
        token = await api.token("bungo", user)
        for period in periods.values():
            body = await _same(api, schema_only, "TeamDashboard", {"periodId": period}, token)
            if user == "kepala":
                kepala += body["data"]["teamOverview"]["members"]
    assert any(m["plan"] and m["plan"]["progress"]["realised"] for m in kepala)
    assert any(m["latestEvaluation"] for m in kepala) and any(m["trainingJp"] for m in kepala)
    token = await api.token("bungo", "atasan")
    other_tenant_period = (await _periods(api, await api.token("nanggalo", "atasan")))["Tahunan 2025"]
    for bad in (other_tenant_period, "not-an-id", to_global_id("Employee", "00000000-0000-0000-0000-000000000000")):
        body = await _same(api, schema_only, "TeamDashboard", {"periodId": bad}, token)
        assert error_codes(body) == ["NOT_FOUND"]


async def test_employee_list_matches_the_schema_across_pages_filters_and_scopes(api, schema_only):
    hr = await api.token("bungo", "bkpsdm")
    units = (await api.ok("{ orgUnits { id code } }", token=hr))["orgUnits"]
    dinkes = next(u["id"] for u in units if u["code"] == "DINKES")
    first = await _same(api, schema_only, "EmployeeList", {"first": 50}, hr)
    seen = [e["node"]["nip"] for e in first["data"]["employees"]["edges"]]
    cursor = first["data"]["employees"]["pageInfo"]["endCursor"]
    while cursor:  # walk the whole tenant: keyset pages never overlap or skip
        page = await _same(api, schema_only, "EmployeeList", {"first": 100, "after": cursor}, hr)
        seen += [e["node"]["nip"] for e in page["data"]["employees"]["edges"]]
        cursor = page["data"]["employees"]["pageInfo"]["endCursor"] \
            if page["data"]["employees"]["pageInfo"]["hasNextPage"] else None
    assert len(seen) == len(set(seen)) > 300
    await _same(api, schema_only, "EmployeeList", {"first": 50, "filter": {"orgUnitId": dinkes}}, hr)
    await _same(api, schema_only, "EmployeeList", {"first": 20, "filter": {"search": "1990"}}, hr)
    for user in ("kepala", "atasan", "pegawai", "admin"):
        body = await _same(api, schema_only, "EmployeeList", {"first": 100}, await api.token("bungo", user))
        if user == "pegawai":
            assert len(body["data"]["employees"]["edges"]) == 1  # own scope only
    for variables in ({"first": -1}, {"first": 10, "after": "garbage"}, {"first": 10, "after": 5},
                      {"first": 10, "filter": {"orgUnitId": "nope"}}, {"first": 1000}, {"first": 0}):
        await _same(api, schema_only, "EmployeeList", variables, hr)


async def test_plan_detail_matches_the_schema_and_hides_what_is_out_of_reach(api, schema_only):
    pegawai = await api.token("bungo", "pegawai")
    plans = (await api.ok("{ performancePlans(first: 5) { nodes { id } } }", token=pegawai))["performancePlans"]["nodes"]
    assert plans
    for user in ("pegawai", "atasan", "kepala", "bkpsdm", "admin"):
        body = await _same(api, schema_only, "PlanDetail", {"id": plans[0]["id"]}, await api.token("bungo", user))
        if user in ("pegawai", "bkpsdm"):
            assert body["data"]["node"]["results"][0]["indicators"]
    colleague = await api.token("bungo", "atasan")
    others = (await api.ok("{ performancePlans(first: 50) { nodes { id employee { nip } } } }",
                           token=await api.token("bungo", "bkpsdm")))["performancePlans"]["nodes"]
    for plan in others[:10]:
        await _same(api, schema_only, "PlanDetail", {"id": plan["id"]}, colleague)
    foreign = await _same(api, schema_only, "PlanDetail", {"id": plans[0]["id"]}, await api.token("nanggalo", "bkpsdm"))
    assert error_codes(foreign) == ["NOT_FOUND"]
    assert error_codes(await _same(api, schema_only, "PlanDetail", {"id": "x"}, pegawai)) == ["NOT_FOUND"]


async def test_tenant_year_matches_the_schema(api, schema_only):
    admin = await api.token("bungo", "admin")
    periods = await _periods(api, admin)
    for period in periods.values():
        body = await _same(api, schema_only, "TenantYear", {"periodId": period}, admin)
        assert body["data"]["tenantDashboard"]
    year = await _same(api, schema_only, "TenantYear", {"periodId": periods["Tahunan 2025"]}, admin)
    assert any(d["ikm"] for d in year["data"]["tenantDashboard"])
    kepala = await _same(api, schema_only, "TenantYear", {"periodId": periods["Tahunan 2025"]},
                         await api.token("bungo", "kepala"))
    assert error_codes(kepala) == ["FORBIDDEN"]


async def test_a_compiled_answer_is_one_statement_after_the_tenant_binding(api, count_statements):
    hr = await api.token("bungo", "bkpsdm")
    periods = await _periods(api, hr)
    plan = (await api.ok("{ performancePlans(first: 1) { nodes { id } } }", token=hr))["performancePlans"]["nodes"][0]
    cases = [("EmployeeList", {"first": 50}, hr), ("PlanDetail", {"id": plan["id"]}, hr),
             ("TeamDashboard", {"periodId": periods["Tahunan 2025"]}, await api.token("bungo", "kepala")),
             ("TenantYear", {"periodId": periods["Tahunan 2025"]}, hr)]
    for name, variables, token in cases:
        await api.ok(DOCUMENTS[name], variables, token)  # warm the tenant's policy
        count_statements.statements.clear()
        await api.ok(DOCUMENTS[name], variables, token)
        statements = count_statements.statements
        # The tenant binding with the account check (the account check alone on SQLite), then the read.
        assert len(statements) == 2 and is_binding(statements[0]), (name, statements)


async def test_documents_match_by_id_or_by_text_whatever_the_layout(api, client, count_statements):
    hr = await api.token("bungo", "bkpsdm")
    text = DOCUMENTS["EmployeeList"]
    document_id = "sha256:" + hashlib.sha256(canonical(text).encode()).hexdigest()
    by_text = await api.ok(text, {"first": 3}, hr)
    relaid = "# the HR list\n" + " ".join(text.split())
    count_statements.statements.clear()
    assert await api.ok(relaid, {"first": 3}, hr) == by_text
    assert len(count_statements.statements) == 2 and is_binding(count_statements.statements[0])
    response = await client.post("/graphql", json={"documentId": document_id, "variables": {"first": 3}},
                                 headers={"authorization": f"Bearer {hr}"})
    assert response.json()["data"] == by_text
    response = await client.post("/graphql", json={"documentId": document_id, "variables": {"first": -1}},
                                 headers={"authorization": f"Bearer {hr}"})
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    wrong_name = await client.post("/graphql", json={"query": text, "operationName": "Other", "variables": {}},
                                   headers={"authorization": f"Bearer {hr}"})
    assert wrong_name.status_code == 400 and "data" not in wrong_name.text  # no such operation in the document


async def test_without_a_token_the_schema_answers_unauthenticated(api):
    body = await api.post(DOCUMENTS["EmployeeList"], {"first": 5})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_compiled_read_first_after_start_sees_the_tenants_policy(api, schema_only):
    """The first request of a process for a tenant may be a compiled read: the tenant's policy is then
    read outside the operation's transaction, and must still be read bound to the tenant."""
    from conftest import rows

    from kinerja.auth.enforcer import registry
    from kinerja.tenancy.models import Tenant

    hr = await api.token("tebingtinggi", "bkpsdm")
    tenant = (await rows(Tenant, None, slug="tebingtinggi"))[0]
    registry.invalidate(tenant.id)
    body = await _same(api, schema_only, "EmployeeList", {"first": 5}, hr)
    assert len(body["data"]["employees"]["edges"]) == 5
    assert registry.loaded(tenant.id)
