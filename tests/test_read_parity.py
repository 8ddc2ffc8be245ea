"""Every read answers the same whether compiled whole (one statement) or field by field through the
schema (resolver mode), errors and paths included; a compiled read sends one data statement after
the tenant binding, however deep and large.

The corpus below reaches every described type and field, for users of every scope, with aliases,
fragments on interfaces, @include/@skip, cursors, and bad, foreign and missing ids; the last test
replays every read the rest of the suite sent."""

from __future__ import annotations

import re

import pytest
from conftest import BACKEND, READS, TOKEN_OWNERS, Api, is_binding, is_rate_limit_write, is_read, normalised

from kinerja.core.ids import to_global_id
from kinerja.core.paths import operations_dir

EMPLOYEES = """
query Employees($first: Int, $after: String, $filter: EmployeeFilter, $sup: Boolean!, $year: Int!) {
  employees(first: $first, after: $after, filter: $filter) {
    __typename totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      __typename cursor
      node {
        __typename id nip name employmentType active
        position { __typename name kind }
        orgUnit { id code name kind parent { id code } head { id name } children { code } }
        supervisor @include(if: $sup) { id name supervisor { name } }
        currentPlan(year: $year) { id status revision }
        performancePlans(first: 2) { totalCount nodes { year status } pageInfo { hasNextPage } }
      }
    }
    nodes { id name }
  }
}"""

ORG = """
query Org($year: Int) {
  orgUnits { __typename id code name kind head { name } parent { code }
             children { code kind children { code children { code children { code } } } } }
  periods(year: $year) { __typename id year kind sequence name startsOn endsOn closed }
  all: periods { id }
}"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Employee { nip name orgUnit { name } }
    ... on OrgUnit { code children { code } }
    ... on Period { name startsOn }
    ... on PerformancePlan { year status employee { name } results { description } }
    ... on User { username roles }
    ...Identified
  }
}
fragment Identified on Node { id }"""

PLAN_FIELDS = """
  id year revision approach status returnReason resourceSupport accountabilityScheme consequences
  submittedAt approvedAt
  employee { id name } approver { id name }
  behaviourExpectations { __typename value expectation }
  results {
    id kind description position parent { id description }
    indicators {
      id aspect description targetValue targetUnit targetText
      realisations { id value narrative updatedAt period { id name }
                     evidence { id url fileName contentType size sha256 downloadPath } }
      latestRealisation { id value }
    }
  }
  feedback { id body createdAt author { name } realisationId replyToId }
  history { id revision status }
  progress(periodId: $period) { __typename indicators realised shareRealised achievement }
"""

PLANS = """
query Plans($first: Int, $after: String, $filter: PlanFilter, $period: ID!) {
  performancePlans(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { %s } }
  }
}""" % PLAN_FIELDS

PLAN = """
query Plan($id: ID!, $period: ID!) {
  performancePlan(id: $id) { %s }
  resultMatrix(planId: $id) { result { id description }
                              contributions { result { description } plan { id status } employee { name } } }
}""" % PLAN_FIELDS

ACCESS = """
query Access($search: String, $after: String) {
  viewer { __typename id username tenant { id slug name kind } employee { id name orgUnit { code } } roles permissions }
  roles { id name description builtIn permissions }
  permissionCatalogue { __typename key object action scope descriptionId descriptionEn }
  users(first: 3, after: $after, filter: {search: $search}) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id username active roles employee { name } } }
  }
}"""

AUDIT = """
query Audit($filter: AuditLogFilter, $after: String) {
  auditLog(filter: $filter, first: 3, after: $after) {
    totalCount pageInfo { hasNextPage endCursor startCursor }
    edges { cursor node { id occurredAt operation objectType objectId requestId ip actor { id username }
                          changes { __typename field before after } } }
  }
}"""

ALIASES = """
query Aliases($skip: Boolean!, $id: ID!) {
  a: employees(first: 1) { n: nodes { i: id full: name } }
  b: employees(first: 2) @skip(if: $skip) { total: totalCount }
  me: viewer { who: username }
  plan: node(id: $id) { ... on PerformancePlan { y: year s: status e: employee { n: name } } }
  again: node(id: $id) { id }
}"""

MIXED = """
query Mixed {
  viewer { username employee { name } }
  trainingRecords(first: 2) { nodes { title employee { name position { name } orgUnit { code } } } }
}"""

HOLES = """
query Holes($year: Int!) {
  employees(first: 3) { nodes { name latestEvaluation { predicate period { name } } trainingProgress(year: $year) {
    year targetJp verifiedJp employee { name } } } }
}"""


TRAINING = """
query Training($first: Int, $after: String, $filter: TrainingFilter, $e: ID!, $y: Int!, $up: Boolean!) {
  trainingRecords(first: $first, after: $after, filter: $filter) {
    __typename totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { __typename id title kind category organiser startsOn endsOn year jp certificateNumber
                          certificateFileName certificateSha256 status rejectionReason verifiedAt
                          employee { id name trainingProgress(year: $y) { year targetJp verifiedJp remainingJp } } } }
  }
  trainingProgress(employeeId: $e, year: $y) { __typename year targetJp verifiedJp remainingJp
                                               employee { id name employmentType } }
  trainingCatalogue(upcomingOnly: $up) { __typename id title topic kind organiser startsOn endsOn jp capacity registered }
}"""

TRAINING_NODE = """
query TrainingNode($id: ID!, $y: Int!) {
  node(id: $id) {
    __typename id
    ... on TrainingRecord { title category status year employee { name trainingProgress(year: $y) { verifiedJp } } }
    ... on Employee { trainingProgress(year: $y) { year targetJp employee { nip } } }
  }
}"""

UNIT_PROGRESS = """
query UnitProgress($u: ID, $y: Int!) {
  unitTrainingProgress(year: $y, orgUnitId: $u) {
    __typename year employees employeesMeetingTarget targetJp verifiedJp
    belowTarget { year targetJp verifiedJp remainingJp employee { name trainingProgress(year: 2024) { verifiedJp } } }
  }
}"""

TRAINING_UNIT = """
query TrainingUnit($u: ID, $e: ID!, $y: Int!) {
  unitTrainingProgress(year: $y, orgUnitId: $u) {
    year employees employeesMeetingTarget targetJp verifiedJp
    belowTarget { year targetJp verifiedJp remainingJp employee { id name orgUnit { code } } }
  }
  trainingRecommendations(employeeId: $e, year: $y) { reason topic events { id title topic registered } }
}"""


CITIZEN = """
query Citizen($first: Int, $after: String, $filter: CitizenFeedbackFilter) {
  citizenFeedback(first: $first, after: $after, filter: $filter) {
    __typename totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { __typename id code kind status message contact internalNote publicAnswer receivedAt dueAt
                          answeredAt overdue serviceUnit assignedTo { id name orgUnit { code } } } }
  }
  serviceUnits { __typename id code name services { __typename id code name description serviceUnit } }
}"""

IKM = """
query Ikm($u: ID!, $f: Date!, $t: Date!) {
  ikm(serviceUnitId: $u, from: $f, to: $t) {
    __typename serviceUnit dateFrom dateTo weighting
    overall { respondents index value category label smallSample elements { number element nrr } }
    perService { service ikm { respondents value category } }
    byMonth { month ikm { respondents value } }
  }
}"""

CITIZEN_NODE = """
query CitizenNode($id: ID!) {
  node(id: $id) { __typename id ... on CitizenFeedback { code status overdue serviceUnit assignedTo { name } } }
}"""

PUBLIC = """
query Public($t: String!, $c: String!, $y: Int!) {
  publicServices(tenant: $t) { id code name description serviceUnit }
  feedbackTicket(tenant: $t, code: $c) { code kind status service receivedAt answeredAt publicAnswer }
  publicReport(tenant: $t, year: $y) { tenant year csvPath serviceUnits { name respondents ikm { value category } }
                                       orgUnits { name employees plansApproved completionPercent
                                                  predicates { predicate count } } }
}"""


DISTRIBUTION_FIELDS = """
  __typename orgUnit { id code } period { id name } unitRating total final sheetPath
  counts { __typename predicate label count percent }
  breaches { __typename message kind limitPercent actualPercent predicates }
"""

EVALUATION_FIELDS = """
  __typename id version status resultsRating behaviourRating resultsFromUnit predicate predicateLabel
  correctionReason finalizedAt creditPoints documentPath
  employee { id name position { name } } assessor { id name } period { id name kind }
  notes { __typename value note }
  guide { %s }
  history { id version status predicate }
""" % DISTRIBUTION_FIELDS

EVALUATIONS = """
query Evaluations($first: Int, $after: String, $filter: EvaluationFilter) {
  evaluations(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { %s } }
  }
}""" % EVALUATION_FIELDS

EVALUATION_NODE = """
query EvaluationNode($id: ID!) {
  node(id: $id) { __typename id ... on Evaluation { %s } ... on Employee { name latestEvaluation { id predicate } } }
}""" % EVALUATION_FIELDS

DASHBOARD_FIELDS = """
  __typename orgUnit { id code name } period { id name } unitRating employees
  plansByStatus { __typename status count } indicators indicatorsRealised
  evaluationsFinal evaluationsDraft evaluationsDue
  predicateCounts { predicate label count percent }
  ikm { __typename respondents elements { number element nrr } index value category label smallSample }
  complaints { __typename received answered overdue }
"""

UNIT = """
query Unit($unit: ID!, $period: ID!, $year: Int!, $limit: Int!) {
  unitDistribution(orgUnitId: $unit, periodId: $period) { %s }
  unitDashboard(orgUnitId: $unit, periodId: $period) { %s }
  topPerformers(orgUnitId: $unit, year: $year, limit: $limit) { id predicate finalizedAt employee { name } }
}""" % (DISTRIBUTION_FIELDS, DASHBOARD_FIELDS)

TEAM = """
query Team($period: ID!) {
  teamOverview(periodId: $period) {
    __typename period { id name }
    members {
      __typename employee { id name nip } plan { id status revision progress(periodId: $period) { realised achievement } }
      evaluation { id predicate status version } latestEvaluation { id predicate period { name } } trainingJp
    }
  }
}"""

TENANT = """
query Tenant($period: ID!) {
  tenantDashboard(periodId: $period) { %s }
}""" % DASHBOARD_FIELDS


async def _same(api: Api, resolvers: Api, query: str, variables: dict, token: str | None) -> dict:
    whole = await api.post(query, variables, token)
    assert normalised(whole) == normalised(await resolvers.post(query, variables, token)), (query, variables)
    return whole


@pytest.fixture(scope="module")
async def ids(database):
    return {}


async def _setup(api: Api) -> dict:
    """Ids and cursors of the demo tenant, read as the tenant administrator."""
    admin = await api.token("bungo", "admin")
    data = await api.ok("""{ employees(first: 3) { pageInfo { endCursor } nodes { id } }
                            orgUnits { id code } periods { id name kind }
                            performancePlans(first: 40) { pageInfo { endCursor } nodes { id status employee { id } } }
                            users(first: 2) { pageInfo { endCursor } nodes { id } } }""", token=admin)
    foreign = await api.ok("{ employees(first: 1) { nodes { id } } performancePlans(first: 1) { nodes { id } } "
                           "orgUnits { id } }",
                           token=await api.token("samarinda", "admin"))
    plans = data["performancePlans"]["nodes"]
    return {
        "employee": data["employees"]["nodes"][0]["id"],
        "employee_cursor": data["employees"]["pageInfo"]["endCursor"],
        "unit": next(u["id"] for u in data["orgUnits"] if u["code"] == "DINKES"),
        "period": next(p["id"] for p in data["periods"] if p["kind"] != "ANNUAL"),
        "periods": [p["id"] for p in data["periods"]],
        "plans": [p["id"] for p in plans],
        "approved": next(p["id"] for p in plans if p["status"] == "APPROVED"),
        "plan_cursor": data["performancePlans"]["pageInfo"]["endCursor"],
        "user": data["users"]["nodes"][0]["id"],
        "user_cursor": data["users"]["pageInfo"]["endCursor"],
        "foreign_employee": foreign["employees"]["nodes"][0]["id"],
        "foreign_plan": foreign["performancePlans"]["nodes"][0]["id"],
        "foreign_unit": foreign["orgUnits"][0]["id"],
    }


USERS = ["admin", "bkpsdm", "kepala", "atasan", "pegawai"]


async def test_org_reads_answer_the_same_both_ways(api, resolvers):
    ids = await _setup(api)
    for user in USERS:
        token = await api.token("bungo", user)
        for variables in ({"first": 5, "sup": True, "year": 2026},
                          {"first": 3, "after": ids["employee_cursor"], "sup": False, "year": 2025},
                          {"first": 50, "filter": {"orgUnitId": ids["unit"]}, "sup": True, "year": 2026},
                          {"first": 5, "filter": {"search": "a"}, "sup": True, "year": 2026},
                          {"first": 0, "sup": True, "year": 2026}, {"first": 1000, "sup": False, "year": 2026},
                          {"first": -1, "sup": True, "year": 2026}, {"first": 2, "after": "garbage", "sup": True, "year": 1},
                          {"first": 2, "filter": {"orgUnitId": "nope"}, "sup": True, "year": 2026},
                          {"first": 2, "filter": {"orgUnitId": ids["foreign_employee"]}, "sup": True, "year": 2026}):
            await _same(api, resolvers, EMPLOYEES, variables, token)
        for year in (None, 2025, 2026, 40000):
            await _same(api, resolvers, ORG, {"year": year}, token)


async def test_node_answers_the_same_for_every_kind_of_id(api, resolvers):
    ids = await _setup(api)
    candidates = [ids["employee"], ids["unit"], ids["period"], ids["approved"], ids["user"], ids["foreign_employee"],
                  ids["foreign_plan"], "garbage", "", to_global_id("Role", ids["employee"]),
                  to_global_id("Nope", "00000000-0000-0000-0000-000000000000")]
    for user in USERS:
        token = await api.token("bungo", user)
        for node_id in candidates:
            await _same(api, resolvers, NODE, {"id": node_id}, token)
    await _same(api, resolvers, NODE, {"id": ids["employee"]}, None)


async def test_plan_reads_answer_the_same_both_ways(api, resolvers):
    ids = await _setup(api)
    for user in USERS:
        token = await api.token("bungo", user)
        for variables in ({"first": 5}, {"first": 5, "after": ids["plan_cursor"]},
                          {"first": 20, "filter": {"status": "APPROVED"}},
                          {"first": 20, "filter": {"awaitingMyDecision": True}},
                          {"first": 20, "filter": {"employeeId": ids["employee"], "year": 2026}},
                          {"first": 20, "filter": {"employeeId": "bad"}}, {"first": 20, "filter": {"year": 99999}}):
            await _same(api, resolvers, PLANS, {**variables, "period": ids["period"]}, token)
        await _same(api, resolvers, PLANS, {"first": 3, "period": "not-a-period"}, token)
        for plan in ids["plans"][:12] + [ids["foreign_plan"], "garbage"]:
            await _same(api, resolvers, PLAN, {"id": plan, "period": ids["period"]}, token)


async def test_access_reads_answer_the_same_both_ways(api, resolvers):
    ids = await _setup(api)
    for tenant, user in [("bungo", u) for u in USERS] + [("platform", "operator")]:
        token = await api.token(tenant, user)
        for variables in ({"search": None}, {"search": "a", "after": ids["user_cursor"]}, {"search": "  "}):
            await _same(api, resolvers, ACCESS, variables, token)
        await _same(api, resolvers, "query($a: String) { tenants(first: 2, after: $a) { totalCount "
                                    "pageInfo { hasNextPage endCursor } edges { cursor node { id slug name kind } } } }",
                    {}, token)
    await _same(api, resolvers, ACCESS, {}, None)


async def test_audit_reads_answer_the_same_both_ways(api, resolvers):
    admin = await api.token("bungo", "admin")
    close = "mutation($id: ID!, $c: Boolean!) { setPeriodClosed(input: {id: $id, closed: $c}) { period { closed } } }"
    period = (await _setup(api))["periods"][-1]
    for closed in (True, False):
        await api.ok(close, {"id": period, "c": closed}, admin)
    first = await _same(api, resolvers, AUDIT, {}, admin)
    cursor = first["data"]["auditLog"]["pageInfo"]["endCursor"]
    for variables in ({"after": cursor}, {"filter": {"operation": "setPeriodClosed"}},
                      {"filter": {"objectId": period, "objectType": "Period"}}, {"filter": {"objectId": "x"}},
                      {"filter": {"actorId": "bad"}}, {"filter": {"from": "2000-01-01T00:00:00", "to": "2999-01-01T00:00:00+07:00"}},
                      {"after": "garbage"}):
        await _same(api, resolvers, AUDIT, variables, admin)
    for user in ("pegawai", "bkpsdm"):
        await _same(api, resolvers, AUDIT, {}, await api.token("bungo", user))


async def test_aliases_directives_mixed_documents_and_holes_answer_the_same(api, resolvers):
    ids = await _setup(api)
    for user in USERS:
        token = await api.token("bungo", user)
        for skip in (True, False):
            await _same(api, resolvers, ALIASES, {"skip": skip, "id": ids["approved"]}, token)
        await _same(api, resolvers, MIXED, {}, token)
        await _same(api, resolvers, HOLES, {"year": 2025}, token)


async def test_training_reads_answer_the_same_both_ways(api, resolvers):
    ids = await _setup(api)
    admin = await api.token("bungo", "admin")
    records = (await api.ok("{ trainingRecords(first: 30) { pageInfo { endCursor } nodes { id employee { id } } } }",
                            token=admin))["trainingRecords"]
    foreign = (await api.ok("{ trainingRecords(first: 1) { nodes { id } } }",
                            token=await api.token("samarinda", "admin")))["trainingRecords"]["nodes"]
    employees = [ids["employee"], records["nodes"][0]["employee"]["id"], ids["foreign_employee"], "garbage"]
    for user in USERS:
        token = await api.token("bungo", user)
        for variables in ({"first": 5}, {"first": 5, "after": records["pageInfo"]["endCursor"]},
                          {"first": 20, "filter": {"status": "VERIFIED"}},
                          {"first": 20, "filter": {"employeeId": ids["employee"], "year": 2025}},
                          {"first": 20, "filter": {"employeeId": ids["foreign_employee"]}},
                          {"first": 20, "filter": {"employeeId": "bad"}}, {"first": 20, "filter": {"year": 99999}},
                          {"first": 2, "after": "garbage"}, {"first": -1}):
            await _same(api, resolvers, TRAINING, {**variables, "e": ids["employee"], "y": 2025, "up": False}, token)
        for employee in employees:
            for year, upcoming in ((2025, False), (2026, True), (40000, False)):
                await _same(api, resolvers, TRAINING, {"first": 3, "e": employee, "y": year, "up": upcoming}, token)
        for node_id in [r["id"] for r in records["nodes"][:5]] + [f["id"] for f in foreign] + employees:
            await _same(api, resolvers, TRAINING_NODE, {"id": node_id, "y": 2025}, token)
        for unit in (None, ids["unit"], ids["foreign_employee"], ids["foreign_unit"], "nope"):
            for year in (2026, 40000):
                await _same(api, resolvers, UNIT_PROGRESS, {"u": unit, "y": year}, token)
        for unit, employee in ((None, employees[0]), (ids["unit"], employees[1]), (ids["foreign_unit"], employees[2]),
                               (None, employees[3])):
            await _same(api, resolvers, TRAINING_UNIT, {"u": unit, "e": employee, "y": 2026}, token)
    await _same(api, resolvers, TRAINING, {"e": ids["employee"], "y": 2025, "up": False}, None)


async def test_citizen_reads_answer_the_same_both_ways(api, resolvers):
    admin = await api.token("bungo", "admin")
    inbox = (await api.ok("{ citizenFeedback(first: 5) { pageInfo { endCursor } nodes { id code } } "
                          "serviceUnits { id } }", token=admin))
    tickets = inbox["citizenFeedback"]["nodes"]
    unit = inbox["serviceUnits"][0]["id"]
    foreign = (await api.ok("{ citizenFeedback(first: 1) { nodes { id code } } serviceUnits { id } }",
                            token=await api.token("samarinda", "admin")))
    foreign_ticket = foreign["citizenFeedback"]["nodes"][0]
    for user in USERS:
        token = await api.token("bungo", user)
        for variables in ({"first": 5}, {"first": 5, "after": inbox["citizenFeedback"]["pageInfo"]["endCursor"]},
                          {"first": 20, "filter": {"status": "RECEIVED"}}, {"first": 20, "filter": {"overdue": True}},
                          {"first": 20, "filter": {"serviceUnitId": unit}},
                          {"first": 20, "filter": {"serviceUnitId": foreign["serviceUnits"][0]["id"]}},
                          {"first": 20, "filter": {"serviceUnitId": "bad"}}, {"first": 2, "after": "garbage"},
                          {"first": 1000}):
            await _same(api, resolvers, CITIZEN, variables, token)
        for node_id in [t["id"] for t in tickets[:3]] + [foreign_ticket["id"], "garbage"]:
            await _same(api, resolvers, CITIZEN_NODE, {"id": node_id}, token)
        for unit_id in [u["id"] for u in inbox["serviceUnits"][:3]] + [foreign["serviceUnits"][0]["id"], "bad"]:
            for dates in (("2025-01-01", "2026-12-31"), ("2026-06-01", "2026-06-30"), ("2026-02-01", "2026-01-01")):
                await _same(api, resolvers, IKM, {"u": unit_id, "f": dates[0], "t": dates[1]}, token)
    await _same(api, resolvers, CITIZEN, {}, None)
    await _same(api, resolvers, IKM, {"u": unit, "f": "2025-01-01", "t": "2026-12-31"}, None)
    for tenant, code in (("bungo", tickets[0]["code"]), ("bungo", foreign_ticket["code"]), ("atlantis", "x"),
                         ("platform", tickets[0]["code"])):
        await _same(api, resolvers, PUBLIC, {"t": tenant, "c": code, "y": 2025}, None)


async def _evaluation_setup(api: Api) -> dict:
    """Ids of evaluations (current and corrected), units and periods of the demo tenant, and of another tenant."""
    admin = await api.token("bungo", "admin")
    data = await api.ok("""{ evaluations(first: 30, filter: {includeHistory: true}) {
                               pageInfo { endCursor } nodes { id status employee { id } period { id } } }
                             orgUnits { id code children { id code } } periods { id name kind year } }""", token=admin)
    foreign = await api.ok("{ orgUnits { id } periods { id } evaluations(first: 1) { nodes { id } } }",
                           token=await api.token("samarinda", "admin"))
    nodes = data["evaluations"]["nodes"]
    assert nodes, "the demo evaluates the year 2025"
    dinkes = next(u for u in data["orgUnits"] if u["code"] == "DINKES")  # has sub-units, staff and services
    units = [dinkes["id"], dinkes["children"][0]["id"], next(u["id"] for u in data["orgUnits"] if u is not dinkes)]
    annual = next(p for p in data["periods"] if p["kind"] == "ANNUAL" and p["name"] == "Tahunan 2025")
    return {
        "evaluations": [n["id"] for n in nodes[:6]] + [n["id"] for n in nodes if n["status"] == "CORRECTED"][:2],
        "evaluation_cursor": data["evaluations"]["pageInfo"]["endCursor"],
        "employee": nodes[0]["employee"]["id"],
        "units": units,
        "annual": annual["id"],
        "periods": [p["id"] for p in data["periods"] if p["year"] == 2025 and p["kind"] != "ANNUAL"][:1] + [annual["id"]],
        "foreign_unit": foreign["orgUnits"][0]["id"],
        "foreign_period": foreign["periods"][0]["id"],
        "foreign_evaluation": (foreign["evaluations"]["nodes"] or [{"id": "x"}])[0]["id"],
    }


async def test_evaluation_reads_answer_the_same_for_every_scope_and_id(api, resolvers):
    ids = await _evaluation_setup(api)
    bad = ["garbage", "", ids["foreign_evaluation"], to_global_id("Evaluation", "00000000-0000-0000-0000-000000000000"),
           to_global_id("Employee", "00000000-0000-0000-0000-000000000000")]
    for user in USERS:
        token = await api.token("bungo", user)
        for variables in ({"first": 5}, {"first": 3, "after": ids["evaluation_cursor"]},
                          {"first": 20, "filter": {"includeHistory": True}},
                          {"first": 20, "filter": {"periodId": ids["annual"], "status": "FINAL"}},
                          {"first": 20, "filter": {"employeeId": ids["employee"], "predicate": "BAIK"}},
                          {"first": 5, "filter": {"periodId": "bad"}}, {"first": 5, "filter": {"employeeId": "bad"}},
                          {"first": 5, "filter": {"periodId": ids["foreign_period"]}},
                          {"first": 5, "after": "garbage"}, {"first": -1}):
            await _same(api, resolvers, EVALUATIONS, variables, token)
        for evaluation in ids["evaluations"] + bad + [ids["employee"]]:
            await _same(api, resolvers, EVALUATION_NODE, {"id": evaluation}, token)


async def test_dashboard_reads_answer_the_same_for_every_scope_and_id(api, resolvers):
    ids = await _evaluation_setup(api)
    nobody = "00000000-0000-0000-0000-000000000000"
    units = ids["units"] + [ids["foreign_unit"], "garbage", to_global_id("OrgUnit", nobody), ids["annual"]]
    periods = ids["periods"] + [ids["foreign_period"], "garbage", to_global_id("Period", nobody)]
    for user in USERS:
        token = await api.token("bungo", user)
        for unit in units:
            await _same(api, resolvers, UNIT, {"unit": unit, "period": ids["annual"], "year": 2025, "limit": 3}, token)
        for period in periods:
            await _same(api, resolvers, UNIT, {"unit": ids["units"][0], "period": period, "year": 2025, "limit": 100},
                        token)
            await _same(api, resolvers, TEAM, {"period": period}, token)
            await _same(api, resolvers, TENANT, {"period": period}, token)
        await _same(api, resolvers, UNIT, {"unit": ids["units"][0], "period": ids["annual"], "year": 40000,
                                           "limit": -5}, token)


async def test_trusted_documents_answer_the_same_both_ways(api, resolvers):
    ids = await _setup(api)
    documents = {path.stem: path.read_text() for path in operations_dir().glob("*.graphql")}
    for user in USERS:
        token = await api.token("bungo", user)
        await _same(api, resolvers, documents["EmployeeList"], {"first": 50}, token)
        await _same(api, resolvers, documents["EmployeeList"], {"first": 5, "filter": {"orgUnitId": ids["unit"]}}, token)
        for plan in ids["plans"][:5]:
            await _same(api, resolvers, documents["PlanDetail"], {"id": plan}, token)
        for period in ids["periods"][:3]:
            await _same(api, resolvers, documents["TeamDashboard"], {"periodId": period}, token)
            await _same(api, resolvers, documents["TenantYear"], {"periodId": period}, token)


async def test_a_compiled_read_is_one_statement_however_deep_and_large(api, count_statements, read_paths):
    """One data statement after the tenant binding (no binding on SQLite), for pages of 1 and 100 and a
    document nested eleven levels deep."""
    ids = await _setup(api)
    token = await api.token("bungo", "admin")
    service_unit = (await api.ok("{ serviceUnits { id } }", token=token))["serviceUnits"][0]["id"]
    deep = ("query($n: Int) { employees(first: $n) { nodes { orgUnit { children { head { position { name } "
            "performancePlans(first: 1) { nodes { results { indicators { realisations { evidence { downloadPath } "
            "period { name } } } } } } } } } } } }")
    evaluation = await _evaluation_setup(api)
    unit = {"unit": evaluation["units"][0], "period": evaluation["annual"], "year": 2025, "limit": 10}
    cases = [(EVALUATIONS, {"first": 1}), (EVALUATIONS, {"first": 100}), (UNIT, unit),
             (TEAM, {"period": evaluation["annual"]}), (TENANT, {"period": evaluation["annual"]}),
             (EVALUATION_NODE, {"id": evaluation["evaluations"][0]}),
             (deep, {"n": 1}), (deep, {"n": 5}), (PLANS, {"first": 1, "period": ids["period"]}),
             (PLANS, {"first": 4, "period": ids["period"]}), (EMPLOYEES, {"first": 1, "sup": True, "year": 2026}),
             (EMPLOYEES, {"first": 100, "sup": True, "year": 2026}), (ORG, {"year": 2026}), (ACCESS, {}), (AUDIT, {}),
             (TRAINING, {"first": 100, "e": ids["employee"], "y": 2026, "up": False}),
             (TRAINING_NODE, {"id": ids["employee"], "y": 2026}),
             (UNIT_PROGRESS, {"u": ids["unit"], "y": 2026}), (UNIT_PROGRESS, {"u": None, "y": 2025}), (CITIZEN, {"first": 100}),
             (IKM, {"u": service_unit, "f": "2020-01-01", "t": "2030-12-31"})]
    for query, variables in cases:
        await api.ok(query, variables, token)  # the tenant's policy is loaded
        count_statements.statements.clear()
        read_paths.lines.clear()
        await api.ok(query, variables, token)
        assert read_paths.compiled(), query
        _assert_one_statement(count_statements.statements)


async def test_a_read_by_keys_keeps_one_generic_plan_and_a_read_of_a_set_is_planned_each_time(
        api, count_statements, read_paths):
    """A read whose every row is reached by a key (a node, a plan with its results and feedback, the
    viewer's team found through the supervisor keys) runs on a plan kept for the statement; a read over
    a set of the tenant's rows (a page, a unit's totals) is planned for its own parameters, as tenants
    differ in size."""
    if BACKEND != "postgres":
        pytest.skip("plan caching is PostgreSQL's")
    ids = await _setup(api)
    token = await api.token("bungo", "admin")
    plan = ("query($id: ID!) { performancePlan(id: $id) { year employee { name orgUnit { name } } "
            "results { indicators { realisations { value period { name } } } } feedback { body } } }")
    cases = [(NODE, {"id": ids["employee"]}, True), (NODE, {"id": ids["plans"][0]}, True),
             (plan, {"id": ids["approved"]}, True),
             ("query($p: ID!) { teamOverview(periodId: $p) { members { employee { name } plan { status } trainingJp } } }",
              {"p": ids["period"]}, True),
             (EMPLOYEES, {"first": 5, "sup": True, "year": 2026}, False),
             (PLANS, {"first": 5, "period": ids["period"]}, False),
             (UNIT_PROGRESS, {"u": ids["unit"], "y": 2026}, False)]
    for query, variables, generic in cases:
        await api.ok(query, variables, token)
        count_statements.statements.clear()
        read_paths.lines.clear()
        await api.ok(query, variables, token)
        assert read_paths.compiled(), query
        binding = [s for s in count_statements.statements if is_binding(s)]
        assert len(binding) == 1, (query, count_statements.statements)
        assert ("plan_cache_mode = force_generic_plan" in binding[0]) is generic, (query, binding)


async def test_figures_two_fields_read_over_the_same_values_are_computed_once(api, count_statements, read_paths):
    """A unit's totals and its employees below target read the same employees' figures of the year:
    the statement computes them once (one CTE), and the figures of another year once more."""
    ids = await _setup(api)
    token = await api.token("bungo", "admin")
    count_statements.statements.clear()
    data = await api.ok(UNIT_PROGRESS, {"u": ids["unit"], "y": 2026}, token)
    assert read_paths.compiled()
    statement, = [s for s in count_statements.statements if not is_binding(s)]
    progress = data["unitTrainingProgress"]
    assert progress["employees"] >= len(progress["belowTarget"]) > 0
    # 2026 for the totals and the list below target, 2024 for each of those employees
    assert statement.count("FROM training_record") == 2, statement
    assert len(re.findall(r"training_progress_\d+ AS \(", statement)) == 2, statement


def _assert_one_statement(statements: list[str], query: str = "") -> None:
    """At most one data statement, after at most one binding; a public read that spends a rate limit
    also sends that limit's one write, before its data statement (conftest: is_rate_limit_write)."""
    binding = [s for s in statements if is_binding(s)]
    limits = [s for s in statements if is_rate_limit_write(s)]
    data = [s for s in statements if not is_binding(s) and not is_rate_limit_write(s)]
    assert len(data) <= 1 and len(binding) <= 1 and len(limits) <= 1, (query, statements)
    if limits and data:
        assert statements.index(limits[0]) < statements.index(data[0]), (query, statements)
    if BACKEND == "postgres" and (data or limits):
        assert len(binding) == 1, (query, statements)


    if BACKEND == "postgres":
        assert binding or not data, (query, statements)  # a statement only in a bound transaction


async def test_every_read_of_the_suite_answers_the_same_both_ways_in_one_statement(
        api, resolvers, count_statements, read_paths):
    """Runs last (see conftest): every read document other tests sent, with their variables and
    tokens, in the state the suite left behind."""
    seen, compiled = set(), 0
    for query, variables, token in list(READS):
        key = (query, repr(sorted(variables.items())), token)
        if key in seen or not is_read(query):
            continue
        seen.add(key)
        if token in TOKEN_OWNERS:  # the same user, with a token that has not expired since
            token = await api.token(*TOKEN_OWNERS[token])
        await _same(api, resolvers, query, variables, token)
        count_statements.statements.clear()
        read_paths.lines.clear()
        await api.post(query, variables, token)
        if read_paths.compiled():
            compiled += 1
            _assert_one_statement(count_statements.statements, query)
    assert compiled > 0 or not seen


ADMINISTRATION = """
query Administration($all: Boolean!, $active: Boolean, $id: ID!) {
  employees(first: 20, filter: {active: $active}) { totalCount nodes { id active exitReason exitOn
    assignments { orgUnit { code closedOn } position { name level } supervisor { name } validFrom validTo reason } } }
  orgUnits(includeClosed: $all) { code closedOn children(includeClosed: $all) { code closedOn } }
  positions { id name kind level }
  node(id: $id) { id ... on Position { name } ... on Employee { assignments { validFrom } } }
}"""


async def test_administration_reads_answer_the_same_both_ways(api, resolvers):
    ids = await _setup(api)
    admin = await api.token("bungo", "admin")
    position = (await api.ok("{ positions { id } }", token=admin))["positions"][0]["id"]
    for user in USERS:
        token = await api.token("bungo", user)
        for variables in ({"all": False, "active": None, "id": position},
                          {"all": True, "active": True, "id": ids["employee"]},
                          {"all": True, "active": False, "id": ids["foreign_employee"]}):
            await _same(api, resolvers, ADMINISTRATION, variables, token)


async def test_root_values_answer_the_same_both_ways(api, resolvers, count_statements):
    """Root fields computed from SQL inputs (the unread count, the tenant's settings) are read by the
    operation's one statement, and are FORBIDDEN without their permission, for every kind of user."""
    await _setup(api)
    query = "{ unreadNotificationCount tenantSettings { periodScheme jpTargetPns allowedOrigins ownedByTenantFile } }"
    for user in USERS:
        await _same(api, resolvers, query, {}, await api.token("bungo", user))
    await _same(api, resolvers, query, {}, None)
    count_statements.statements.clear()
    answer = await api.ok("{ unreadNotificationCount tenantSettings { jpTargetPns } }", {},
                          await api.token("bungo", "admin"))
    assert isinstance(answer["unreadNotificationCount"], int) and answer["tenantSettings"]["jpTargetPns"] >= 0
    _assert_one_statement(count_statements.statements)
    body = await api.post("{ tenantSettings { jpTargetPns } }", token=await api.token("bungo", "pegawai"))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], body


IMPORT_FIELDS = ("id kind status filename rowCount validCount createdCount updatedCount "
                 "problems { line field code message } createdAt committedAt")


async def test_sessions_and_imports_are_read_by_the_operation_s_one_statement(api, resolvers, count_statements):
    """`mySessions` (the request's own session marked current) and `imports` / `import(id)` (only the
    kinds the reader manages) compile like any read: the same answers both ways, one statement."""
    admin = await api.token("bungo", "admin")
    start = ("mutation($i: StartImportInput!) { startImport(input: $i) { import { " + IMPORT_FIELDS + " } "
             "userErrors { code } } }")
    employees = (await api.ok(start, {"i": {"kind": "EMPLOYEES", "filename": "staff.csv", "content":
                 "NIP,NAMA,JABATAN,UNIT,NIP_ATASAN,JENIS_PEGAWAI\n197001012015031001,Andi,Staf,NOWHERE,,PNS\n"}},
                                admin))["startImport"]["import"]
    training = (await api.ok(start, {"i": {"kind": "TRAINING", "content": "not,a,training,file\n"}},
                             admin))["startImport"]["import"]
    assert employees["status"] == training["status"] == "FAILED"
    assert employees["problems"] and employees["problems"][0]["line"] == 2
    query = ("query($e: ID!, $t: ID!) { mySessions { id createdAt lastUsedAt userAgent ip current } "
             "imports(first: 1) { totalCount edges { cursor node { " + IMPORT_FIELDS + " } } "
             "pageInfo { hasNextPage endCursor } } "
             "e: import(id: $e) { " + IMPORT_FIELDS + " } t: import(id: $t) { id kind } }")
    variables = {"e": employees["id"], "t": training["id"]}
    for user in USERS:
        await _same(api, resolvers, query, variables, await api.token("bungo", user))
    await _same(api, resolvers, query, variables, None)
    count_statements.statements.clear()
    answer = await api.ok(query, variables, admin)
    _assert_one_statement(count_statements.statements)
    assert answer["e"] == employees and answer["t"] == {"id": training["id"], "kind": "TRAINING"}
    assert [s["current"] for s in answer["mySessions"]].count(True) == 1
    after = answer["imports"]["pageInfo"]["endCursor"]
    page = await _same(api, resolvers, "query($a: String) { imports(first: 1, after: $a) { edges { node { id } } } }",
                       {"a": after}, admin)
    assert page["data"]["imports"]["edges"][0]["node"]["id"] != answer["imports"]["edges"][0]["node"]["id"]
    # Another tenant's administrator learns nothing of these imports.
    stranger = await api.token("samarinda", "admin")
    for name, batch in variables.items():
        foreign = await api.post("query($id: ID!) { import(id: $id) { id } }", {"id": batch}, stranger)
        assert [e["extensions"]["code"] for e in foreign["errors"]] == ["NOT_FOUND"], (name, foreign)
    listed = await api.ok("{ imports(first: 100) { nodes { id } } }", {}, stranger)
    assert not set(variables.values()) & {n["id"] for n in listed["imports"]["nodes"]}


VERIFY = "query($c: String!) { verifyDocument(code: $c) { valid status kind issuer subject issuedAt contentHash } }"


async def test_a_verification_is_read_by_one_statement_and_a_code_of_no_tenant_reads_nothing(
        api, resolvers, count_statements):
    """`verifyDocument` is a public read of the tenant its code names: one statement for the row, the
    verdict checked in Python (`documents/rules.py: judge`); a malformed code or a slug no tenant has is
    UNKNOWN without reading anything."""
    token = await api.token("bungo", "pegawai")
    plans = await api.ok("{ performancePlans(first: 5, filter: {status: APPROVED}) { nodes { documentPath } } }",
                         {}, token)
    path = plans["performancePlans"]["nodes"][0]["documentPath"]
    download = await api.client.get(path, headers={"authorization": f"Bearer {token}"})
    code = download.headers["x-verification-code"]
    codes = (code, code.lower(), "bungo.AAAAAAAAAAAAAAAA", "nowhere.AAAAAAAAAAAAAAAA", "not a code")
    for candidate in codes:
        await _same(api, resolvers, VERIFY, {"c": candidate}, None)
    await _same(api, resolvers, VERIFY, {"c": code}, await api.token("samarinda", "admin"))
    count_statements.statements.clear()
    genuine = (await api.ok(VERIFY, {"c": code}))["verifyDocument"]
    assert (genuine["status"], genuine["valid"], genuine["kind"]) == ("GENUINE", True, "SKP")
    assert len(genuine["contentHash"]) == 64 and genuine["issuedAt"].endswith("+00:00")
    _assert_one_statement(count_statements.statements)
    assert any("verifyDocument" in s and "issued_document" in s for s in count_statements.statements)
    for candidate in codes[3:]:
        count_statements.statements.clear()
        unknown = (await api.ok(VERIFY, {"c": candidate}))["verifyDocument"]
        assert unknown == {"valid": False, "status": "UNKNOWN", "kind": None, "issuer": None, "subject": None,
                           "issuedAt": None, "contentHash": None}
        assert [s for s in count_statements.statements if not is_binding(s)] == [], candidate


EVALUATION_PAGE = """
query Evaluations($first: Int, $after: String) {
  evaluations(first: $first, after: $after) {
    totalCount
    edges { cursor node { id predicate predicateLabel version employee { id name orgUnit { id name } } assessor { name } } }
    pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
  }
}"""

PLAN_OWNER = "query Plan($id: ID!) { performancePlan(id: $id) { year status employee { name orgUnit { name } } } }"
NAMES = "query Names($search: String) { employees(first: 5, filter: {search: $search}) { nodes { id name } } }"


async def test_an_answer_the_statement_writes_whole_is_sent_as_its_text(api, resolvers, read_paths):
    """On PostgreSQL the statement spells global ids, cursors and labels itself, so a known read whose
    every field it writes is sent as the statement's JSON text, unparsed, and answers exactly as field
    by field. A text holding a sentinel (a missing object, a failed guard, or a value that only looks
    like one) is parsed and walked as before."""
    ids = await _setup(api)
    admin = await api.token("bungo", "admin")
    spelled = BACKEND == "postgres"

    async def twice(query: str, variables: dict) -> tuple[dict, bool]:
        await _same(api, resolvers, query, variables, admin)
        read_paths.lines.clear()
        answer = await _same(api, resolvers, query, variables, admin)
        return answer, read_paths.sent_as_text()

    first, as_text = await twice(EVALUATION_PAGE, {"first": 2})
    assert as_text is spelled
    page = first["data"]["evaluations"]
    assert page["pageInfo"]["hasNextPage"] and page["edges"][0]["node"]["predicateLabel"]
    second, as_text = await twice(EVALUATION_PAGE, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert as_text is spelled
    assert second["data"]["evaluations"]["edges"][0]["cursor"] not in [e["cursor"] for e in page["edges"]]

    # A plan that is not there: the missing object's sentinel sends the answer through graphql-core.
    missing, as_text = await twice(PLAN_OWNER, {"id": to_global_id("PerformancePlan", "00000000-0000-4000-8000-000000000000")})
    assert not as_text and missing["data"] is None and missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    found, as_text = await twice(PLAN_OWNER, {"id": ids["approved"]})  # no id nor cursor: SQLite writes it whole too
    assert as_text and found["data"]["performancePlan"]["employee"]["orgUnit"]["name"]

    # A name spelled like a sentinel is a name: it only costs the walk.
    employee = ids["employee"]
    name = (await api.ok("query($id: ID!) { node(id: $id) { ... on Employee { name } } }", {"id": employee}, admin))["node"]["name"]
    rename = ("mutation($i: UpdateEmployeeInput!) { updateEmployee(input: $i) { userErrors { code } } }")
    assert not (await api.ok(rename, {"i": {"id": employee, "name": name + " \u0001missing"}}, admin))["updateEmployee"]["userErrors"]
    try:
        looks, as_text = await twice(NAMES, {"search": name})
        assert not as_text
        assert looks["data"]["employees"]["nodes"][0] == {"id": employee, "name": name + " \u0001missing"}
    finally:
        await api.ok(rename, {"i": {"id": employee, "name": name}}, admin)
