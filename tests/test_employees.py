"""Employees, org units and periods through the API: scopes, pagination, filters, statement counts."""

from __future__ import annotations

from conftest import error_codes, rows

from kinerja.auth.models import User
from kinerja.org.models import Employee, OrgUnit, Period
from kinerja.tenancy.models import Tenant

EMPLOYEES = """
query($first: Int, $after: String, $filter: EmployeeFilter) {
  employees(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id nip name employmentType position { name kind } orgUnit { id name }
                           supervisor { id name } } }
  }
}"""


async def _tenant(slug):
    return (await rows(Tenant, None, slug=slug))[0]


async def _employee_of(tenant, username):
    user = (await rows(User, tenant.id, username=username))[0]
    return (await rows(Employee, tenant.id, id=user.employee_id))[0]


async def _all_pages(api, token, page_size, flt=None):
    names, after = [], None
    while True:
        data = await api.ok(EMPLOYEES, {"first": page_size, "after": after, "filter": flt}, token)
        conn = data["employees"]
        names += [(e["node"]["name"], e["node"]["id"]) for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return names, conn["totalCount"]
        after = conn["pageInfo"]["endCursor"]


async def _team_size(tenant, employee):
    everyone = await rows(Employee, tenant.id)
    below: dict = {}
    for e in everyone:
        below.setdefault(e.supervisor_id, []).append(e.id)
    stack, team = [employee.id], set()
    while stack:
        for child in below.get(stack.pop(), []):
            if child not in team:
                team.add(child)
                stack.append(child)
    return team


async def test_pegawai_sees_only_own_record(api):
    tenant = await _tenant("bungo")
    me = await _employee_of(tenant, "pegawai")
    data = await api.ok(EMPLOYEES, {"first": 100}, await api.token("bungo", "pegawai"))
    assert data["employees"]["totalCount"] == 1
    assert [e["node"]["nip"] for e in data["employees"]["edges"]] == [me.nip]


async def test_atasan_sees_self_and_whole_team(api):
    tenant = await _tenant("bungo")
    me = await _employee_of(tenant, "atasan")
    expected = await _team_size(tenant, me) | {me.id}
    names, total = await _all_pages(api, await api.token("bungo", "atasan"), 7)
    assert total == len(expected) == len(names)
    nips = {e.nip for e in await rows(Employee, tenant.id, id__in=list(expected))}
    data = await api.ok(EMPLOYEES, {"first": 100}, await api.token("bungo", "atasan"))
    assert {e["node"]["nip"] for e in data["employees"]["edges"]} == nips


async def test_kepala_sees_unit_subtree(api):
    tenant = await _tenant("bungo")
    me = await _employee_of(tenant, "kepala")
    units = await rows(OrgUnit, tenant.id)
    subtree, frontier = {me.org_unit_id}, [me.org_unit_id]
    while frontier:
        current = frontier.pop()
        for unit in units:
            if unit.parent_id == current:
                subtree.add(unit.id)
                frontier.append(unit.id)
    in_unit = {e.id for e in await rows(Employee, tenant.id, org_unit_id__in=list(subtree))}
    expected = in_unit | await _team_size(tenant, me) | {me.id}
    _names, total = await _all_pages(api, await api.token("bungo", "kepala"), 100)
    assert total == len(expected)


async def test_hr_sees_whole_tenant_in_name_order_without_gaps(api):
    tenant = await _tenant("nanggalo")
    everyone = await rows(Employee, tenant.id)
    names, total = await _all_pages(api, await api.token("nanggalo", "bkpsdm"), 13)
    assert total == len(everyone) == len(names) == len(set(names))
    assert names == sorted(names)


async def test_filter_by_org_unit_includes_sub_units_and_search(api):
    token = await api.token("bungo", "bkpsdm")
    tenant = await _tenant("bungo")
    dinkes = (await rows(OrgUnit, tenant.id, code="DINKES"))[0]
    units = {u.id for u in await rows(OrgUnit, tenant.id) if u.id == dinkes.id or u.parent_id == dinkes.id}
    grand = {u.id for u in await rows(OrgUnit, tenant.id, parent_id__in=list(units))}
    expected = len(await rows(Employee, tenant.id, org_unit_id__in=list(units | grand)))
    unit_gid = (await api.ok("{ orgUnits { id code } }", token=token))["orgUnits"]
    gid = next(u["id"] for u in unit_gid if u["code"] == "DINKES")
    _names, total = await _all_pages(api, token, 100, {"orgUnitId": gid})
    assert total == expected

    someone = (await rows(Employee, tenant.id))[5]
    data = await api.ok(EMPLOYEES, {"first": 5, "filter": {"search": someone.nip}}, token)
    assert [e["node"]["nip"] for e in data["employees"]["edges"]] == [someone.nip]
    word = someone.name.split()[1].lower()
    data = await api.ok(EMPLOYEES, {"first": 100, "filter": {"search": word}}, token)
    assert data["employees"]["totalCount"] >= 1
    assert all(word in e["node"]["name"].lower() for e in data["employees"]["edges"])


async def test_page_size_is_clamped_and_bad_cursors_rejected(api):
    token = await api.token("bungo", "bkpsdm")
    data = await api.ok(EMPLOYEES, {"first": 1000}, token)
    assert len(data["employees"]["edges"]) == 100
    body = await api.post(EMPLOYEES, {"first": 5, "after": "not-a-cursor"}, token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    body = await api.post(EMPLOYEES, {"first": -1}, token)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_statement_count_does_not_grow_with_page_size(api, count_statements):
    token = await api.token("tangerang-selatan", "bkpsdm")
    await api.ok(EMPLOYEES, {"first": 1}, token)  # warm the policy cache
    counts = []
    for size in (10, 100):
        count_statements.statements.clear()
        data = await api.ok(EMPLOYEES, {"first": size}, token)
        assert len(data["employees"]["edges"]) == size
        counts.append(len(count_statements.statements))
    assert counts[0] == counts[1], count_statements.statements
    assert counts[0] <= 7


async def test_org_unit_tree_and_periods(api):
    token = await api.token("nanggalo", "pegawai")
    data = await api.ok("{ orgUnits { name kind head { name } children { name kind parent { name } } } }",
                        token=token)
    [root] = data["orgUnits"]
    assert root["name"] == "Kecamatan Nanggalo" and root["head"]["name"]
    assert {c["kind"] for c in root["children"]} >= {"KELURAHAN", "SEKSI"}
    assert all(c["parent"]["name"] == root["name"] for c in root["children"])

    tenant = await _tenant("nanggalo")
    data = await api.ok("query { periods(year: 2026) { id name kind sequence startsOn endsOn } }", token=token)
    stored = await rows(Period, tenant.id, year=2026)
    assert len(data["periods"]) == len(stored) == 13  # monthly scheme: 12 + annual
    assert data["periods"][0]["startsOn"] == "2026-01-01"


async def test_node_fetches_visible_objects(api):
    token = await api.token("bungo", "atasan")
    data = await api.ok(EMPLOYEES, {"first": 3}, token)
    for edge in data["employees"]["edges"]:
        node = await api.ok("query($id: ID!) { node(id: $id) { id ... on Employee { nip } } }",
                            {"id": edge["node"]["id"]}, token)
        assert node["node"] == {"id": edge["node"]["id"], "nip": edge["node"]["nip"]}


EMPLOYEE_PAGE = """
query($year: Int!) {
  employees(first: 100) {
    nodes {
      id name
      currentPlan(year: $year) { year status employee { id } }
      performancePlans(first: 10, status: APPROVED) { totalCount nodes { year status employee { id } } }
      latestEvaluation { predicate employee { id } }
      trainingProgress(year: $year) { year targetJp verifiedJp employee { id } }
    }
  }
}"""


async def test_an_employee_page_reads_plans_evaluations_and_training_from_where_it_stands(api):
    atasan = await api.token("bungo", "atasan")
    year = (await api.ok("{ performancePlans(first: 1) { nodes { year } } }", token=atasan))[
        "performancePlans"]["nodes"][0]["year"]
    page = (await api.ok(EMPLOYEE_PAGE, {"year": year}, atasan))["employees"]["nodes"]
    assert len(page) > 1
    for node in page:
        own = node["id"]
        plans = (await api.ok("query($e: ID!) { performancePlans(first: 100, filter: {employeeId: $e}) { nodes { "
                              "year status revision } } }", {"e": own}, atasan))["performancePlans"]["nodes"]
        current = [p for p in plans if p["year"] == year and p["status"] != "SUPERSEDED"]
        assert (node["currentPlan"] is None) == (not current)
        if node["currentPlan"]:
            assert node["currentPlan"]["employee"]["id"] == own and node["currentPlan"]["year"] == year
            assert node["currentPlan"]["status"] == max(current, key=lambda p: p["revision"])["status"]
        approved = node["performancePlans"]
        assert approved["totalCount"] == len([p for p in plans if p["status"] == "APPROVED"])
        assert all(p["status"] == "APPROVED" and p["employee"]["id"] == own for p in approved["nodes"])
        assert node["latestEvaluation"] is None or node["latestEvaluation"]["employee"]["id"] == own
        assert node["trainingProgress"]["employee"]["id"] == own and node["trainingProgress"]["year"] == year
    assert any(n["latestEvaluation"] for n in page) and any(n["currentPlan"] for n in page)


async def test_what_the_viewer_may_not_read_of_an_employee_is_null_or_forbidden(api):
    pegawai = await api.token("bungo", "pegawai")
    [me] = (await api.ok(EMPLOYEE_PAGE, {"year": 2025}, pegawai))["employees"]["nodes"]
    assert me["latestEvaluation"] is None or me["latestEvaluation"]["employee"]["id"] == me["id"]
    # The supervisor is readable (as before), his plans are not: out of the plan scope, not there.
    supervisor = (await api.ok("{ viewer { employee { supervisor { name currentPlan(year: 2025) { id } "
                               "performancePlans { totalCount } } } } }", token=pegawai))["viewer"]["employee"]["supervisor"]
    assert supervisor["name"] and supervisor["currentPlan"] is None and supervisor["performancePlans"]["totalCount"] == 0

    admin = await api.token("nanggalo", "admin")
    created = await api.ok("mutation { createRole(input: {name: \"lihat_pegawai\", permissions: [\"employee:read:tenant\"]}) "
                           "{ userErrors { code } } }", token=admin)
    assert created["createRole"]["userErrors"] == []
    user = await api.ok("mutation { createUser(input: {username: \"pemantau01\", password: \"pemantau-password\", "
                        "roles: [\"lihat_pegawai\"]}) { userErrors { code } } }", token=admin)
    assert user["createUser"]["userErrors"] == []
    viewer = (await api.login("nanggalo", "pemantau01", "pemantau-password"))["accessToken"]
    body = await api.post("{ employees(first: 2) { nodes { name currentPlan(year: 2025) { id } } } }", token=viewer)
    assert [n["currentPlan"] for n in body["data"]["employees"]["nodes"]] == [None, None]
    assert error_codes(body) == ["FORBIDDEN", "FORBIDDEN"]
    assert [e["path"] for e in body["errors"]] == [["employees", "nodes", i, "currentPlan"] for i in range(2)]
