"""The SKP cycle through the API: draft with cascading RHK, submit, return, resubmit, approve,
realisation with evidence, feedback both ways; bad input; cross-tenant and cross-team access."""

from __future__ import annotations

import base64

import pytest
import samples
from conftest import BACKEND, error_codes, is_binding, rows

from kinerja.core.audit_models import AuditLog
from kinerja.core.db import tenant_transaction
from kinerja.core.ids import to_global_id
from kinerja.org.models import Period
from kinerja.org.service import ensure_periods
from kinerja.plans.models import Evidence, Indicator, PerformancePlan, ResultTarget
from kinerja.tenancy.models import Tenant

YEAR = 2027
PLAN_FIELDS = "plan { id status revision returnReason approver { name } } userErrors { field code message }"
CREATE = f"mutation($i: CreatePerformancePlanInput!) {{ createPerformancePlan(input: $i) {{ {PLAN_FIELDS} }} }}"
ADD_RESULT = ("mutation($i: AddResultTargetInput!) { addResultTarget(input: $i) { resultTarget { id kind description "
              "parent { id } } userErrors { field code message } } }")
ADD_INDICATOR = ("mutation($i: AddIndicatorInput!) { addIndicator(input: $i) { indicator { id aspect targetValue "
                 "targetUnit } userErrors { field code message } } }")
SUBMIT = f"mutation($id: ID!) {{ submitPerformancePlan(input: {{id: $id}}) {{ {PLAN_FIELDS} }} }}"
APPROVE = f"mutation($id: ID!) {{ approvePerformancePlan(input: {{id: $id}}) {{ {PLAN_FIELDS} }} }}"
RETURN = f"mutation($id: ID!, $r: String!) {{ returnPerformancePlan(input: {{id: $id, reason: $r}}) {{ {PLAN_FIELDS} }} }}"
RECORD = ("mutation($i: RecordRealisationInput!) { recordRealisation(input: $i) { realisation { id value narrative "
          "evidence { url fileName contentType size sha256 } period { name } } userErrors { field code message } } }")
FEEDBACK = ("mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedback { id body author { name } "
            "replyToId realisationId } userErrors { field code message } } }")
PDF = samples.pdf()


async def _tenant(slug):
    return (await rows(Tenant, None, slug=slug))[0]


@pytest.fixture(scope="module")
async def periods_2027(database):
    tenant = await _tenant("bungo")
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, YEAR)
        return await Period.filter(tenant_id=tenant.id, year=YEAR).order_by("kind", "sequence")


async def _new_plan(api, token):
    answer = (await api.ok(CREATE, {"i": {"year": YEAR, "approach": "KUANTITATIF", "behaviourExpectations": [
        {"value": "AKUNTABEL", "expectation": "Melaporkan kemajuan setiap bulan"}]}}, token))["createPerformancePlan"]
    assert answer["userErrors"] == [], answer
    return answer["plan"]


async def _result(api, token, plan_id, description, parent_id=None, kind="UTAMA"):
    return (await api.ok(ADD_RESULT, {"i": {"planId": plan_id, "kind": kind, "description": description,
                                            "parentId": parent_id}}, token))["addResultTarget"]


async def _indicator(api, token, result_id, **target):
    values = {"resultId": result_id, "aspect": "KUANTITAS", "description": "Jumlah laporan",
              "targetValue": "12", "targetUnit": "dokumen", **target}
    return (await api.ok(ADD_INDICATOR, {"i": values}, token))["addIndicator"]


async def test_the_whole_cycle(api, periods_2027):
    kepala, atasan, pegawai = [await api.token("bungo", u) for u in ("kepala", "atasan", "pegawai")]

    head_plan = await _new_plan(api, kepala)
    head_rhk = (await _result(api, kepala, head_plan["id"], "Meningkatnya mutu layanan kesehatan"))["resultTarget"]
    middle_plan = await _new_plan(api, atasan)
    middle = await _result(api, atasan, middle_plan["id"], "Terbinanya puskesmas", head_rhk["id"])
    assert middle["userErrors"] == [] and middle["resultTarget"]["parent"]["id"] == head_rhk["id"]
    middle_rhk = middle["resultTarget"]

    plan = await _new_plan(api, pegawai)
    assert plan["status"] == "DRAFT" and plan["revision"] == 1
    rhk = await _result(api, pegawai, plan["id"], "Tersusunnya laporan pembinaan puskesmas", middle_rhk["id"])
    assert rhk["userErrors"] == []
    indicator = await _indicator(api, pegawai, rhk["resultTarget"]["id"])
    assert indicator["userErrors"] == [] and indicator["indicator"]["targetValue"] == "12"

    submitted = (await api.ok(SUBMIT, {"id": plan["id"]}, pegawai))["submitPerformancePlan"]
    assert submitted["plan"]["status"] == "SUBMITTED" and submitted["plan"]["approver"]["name"]
    returned = (await api.ok(RETURN, {"id": plan["id"], "r": "Tambahkan indikator kualitas"}, atasan))
    assert returned["returnPerformancePlan"]["plan"]["status"] == "RETURNED"
    assert returned["returnPerformancePlan"]["plan"]["returnReason"] == "Tambahkan indikator kualitas"
    await _indicator(api, pegawai, rhk["resultTarget"]["id"], aspect="KUALITAS", description="Laporan tanpa revisi",
                     targetValue="100", targetUnit="%")
    assert (await api.ok(SUBMIT, {"id": plan["id"]}, pegawai))["submitPerformancePlan"]["plan"]["status"] == "SUBMITTED"
    approved = (await api.ok(APPROVE, {"id": plan["id"]}, atasan))["approvePerformancePlan"]
    assert approved["userErrors"] == [] and approved["plan"]["status"] == "APPROVED"

    # Matriks peran hasil: atasan's RHK shows pegawai's contribution.
    matrix = await api.ok("query($p: ID!) { resultMatrix(planId: $p) { result { id } contributions { "
                          "result { description } employee { name } plan { status } } } }",
                          {"p": middle_plan["id"]}, atasan)
    [row] = matrix["resultMatrix"]
    assert [c["result"]["description"] for c in row["contributions"]] == ["Tersusunnya laporan pembinaan puskesmas"]

    period = next(p for p in periods_2027 if p.kind.value != "ANNUAL")
    recorded = (await api.ok(RECORD, {"i": {
        "indicatorId": indicator["indicator"]["id"], "periodId": to_global_id("Period", period.id),
        "value": "3", "narrative": "Tiga laporan selesai",
        "evidence": [{"url": "https://drive.example.go.id/laporan-1"},
                     {"fileName": "laporan.pdf", "contentType": "application/pdf",
                      "contentBase64": base64.b64encode(PDF).decode()}]}}, pegawai))["recordRealisation"]
    assert recorded["userErrors"] == []
    files = recorded["realisation"]["evidence"]
    assert files[0]["url"].endswith("laporan-1")
    assert files[1]["sha256"] == __import__("hashlib").sha256(PDF).hexdigest() and files[1]["size"] == len(PDF)

    comment = (await api.ok(FEEDBACK, {"i": {"planId": plan["id"], "realisationId": recorded["realisation"]["id"],
                                             "body": "Bagus, lanjutkan"}}, atasan))["giveFeedback"]
    assert comment["userErrors"] == []
    reply = (await api.ok(FEEDBACK, {"i": {"planId": plan["id"], "replyToId": comment["feedback"]["id"],
                                           "body": "Terima kasih"}}, pegawai))["giveFeedback"]
    assert reply["feedback"]["replyToId"] == comment["feedback"]["id"]
    assert reply["feedback"]["realisationId"] == recorded["realisation"]["id"]

    view = await api.ok("query($id: ID!) { performancePlan(id: $id) { status feedback { body author { name } } "
                        "progress(periodId: $p) { indicators realised shareRealised achievement } "
                        "results { indicators { latestRealisation { value } } } } }".replace(
                            "query($id: ID!)", "query($id: ID!, $p: ID!)"),
                        {"id": plan["id"], "p": to_global_id("Period", period.id)}, kepala)
    detail = view["performancePlan"]
    assert [f["body"] for f in detail["feedback"]] == ["Bagus, lanjutkan", "Terima kasih"]
    assert detail["progress"] == {"indicators": 2, "realised": 1, "shareRealised": "0.5", "achievement": "0.125"}

    # History: an approved plan changes only through a new revision.
    revised = await api.ok(f"mutation($id: ID!) {{ revisePerformancePlan(input: {{id: $id}}) {{ {PLAN_FIELDS} }} }}",
                           {"id": plan["id"]}, pegawai)
    assert revised["revisePerformancePlan"]["plan"]["revision"] == 2
    history = await api.ok("query($id: ID!) { performancePlan(id: $id) { history { revision status } } }",
                           {"id": revised["revisePerformancePlan"]["plan"]["id"]}, pegawai)
    assert history["performancePlan"]["history"] == [{"revision": 1, "status": "APPROVED"},
                                                     {"revision": 2, "status": "DRAFT"}]


async def test_illegal_transitions_are_conflicts_naming_the_state(api):
    pegawai = await api.token("bungo", "pegawai")
    atasan = await api.token("bungo", "atasan")
    plans = (await api.ok('{ performancePlans(filter: {status: APPROVED}) { nodes { id employee { name } } } }',
                          token=pegawai))["performancePlans"]["nodes"]
    approved = plans[0]["id"]
    answer = (await api.ok(SUBMIT, {"id": approved}, pegawai))["submitPerformancePlan"]
    assert answer["userErrors"][0]["code"] == "CONFLICT" and "APPROVED" in answer["userErrors"][0]["message"]
    answer = (await api.ok(APPROVE, {"id": approved}, atasan))["approvePerformancePlan"]
    assert answer["userErrors"][0]["code"] == "CONFLICT"
    rhk = await api.ok("query($id: ID!) { performancePlan(id: $id) { results { id } } }", {"id": approved}, pegawai)
    blocked = await _indicator(api, pegawai, rhk["performancePlan"]["results"][0]["id"])
    assert blocked["userErrors"][0]["code"] == "CONFLICT"


async def _snapshot(slug):
    tenant = await _tenant(slug)
    return (len(await rows(PerformancePlan, tenant.id)), len(await rows(ResultTarget, tenant.id)),
            len(await rows(Indicator, tenant.id)), len(await rows(Evidence, tenant.id)))


async def test_bad_input_gives_user_errors_and_writes_nothing(api, periods_2027):
    token = await api.token("bungo", "atasan")
    plans = (await api.ok(f'{{ performancePlans(filter: {{year: {YEAR}, status: DRAFT}}) {{ nodes {{ id employee {{ name }} }} }} }}',
                          token=token))["performancePlans"]["nodes"]
    me = (await api.ok("{ viewer { employee { name } } }", token=token))["viewer"]["employee"]["name"]
    plan_id = next(p["id"] for p in plans if p["employee"]["name"] == me)
    result_id = (await _result(api, token, plan_id, "RHK uji masukan"))["resultTarget"]["id"]
    before = await _snapshot("bungo")

    answer = await _result(api, token, plan_id, "   ")
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [("description", "BAD_USER_INPUT")]
    answer = await _indicator(api, token, result_id, targetValue="-5")
    assert answer["userErrors"][0]["field"] == "targetValue"
    answer = await _indicator(api, token, result_id, targetValue="5", targetUnit="")
    assert answer["userErrors"][0]["field"] == "targetUnit"
    body = await api.post(ADD_INDICATOR, {"i": {"resultId": result_id, "aspect": "KECEPATAN", "description": "x"}},
                          token)
    assert error_codes(body) == ["BAD_USER_INPUT"]

    other = await _tenant("samarinda")
    foreign_rhk = (await rows(ResultTarget, other.id))[0]
    answer = await _result(api, token, plan_id, "Mengacu RHK tenant lain", to_global_id("ResultTarget", foreign_rhk.id))
    assert answer["userErrors"][0]["code"] == "NOT_FOUND" and answer["userErrors"][0]["field"] == "parentId"
    # An RHK of someone who is not up my supervisor chain: my own subordinate's.
    bungo = await _tenant("bungo")
    from kinerja.auth.models import User

    subordinate = (await rows(User, bungo.id, username="pegawai"))[0].employee_id
    subordinate_plan = (await rows(PerformancePlan, bungo.id, employee_id=subordinate))[0]
    pegawai_rhk = (await rows(ResultTarget, bungo.id, plan_id=subordinate_plan.id))[0]
    answer = await _result(api, token, plan_id, "Mengacu RHK bawahan", to_global_id("ResultTarget", pegawai_rhk.id))
    assert answer["userErrors"][0]["field"] == "parentId"
    assert answer["userErrors"][0]["code"] in ("BAD_USER_INPUT",)
    assert await _snapshot("bungo") == before


async def test_evidence_limits(api, periods_2027):
    pegawai = await api.token("bungo", "pegawai")
    plans = (await api.ok(f'{{ performancePlans(filter: {{year: {YEAR}, status: APPROVED}}) {{ nodes {{ results {{ '
                          'indicators { id } } } } }', token=pegawai))["performancePlans"]["nodes"]
    indicator_id = plans[0]["results"][0]["indicators"][0]["id"]
    period = next(p for p in periods_2027 if p.kind.value != "ANNUAL" and p.sequence == 2)
    before = await _snapshot("bungo")
    cases = [
        ({"fileName": "big.pdf", "contentType": "application/pdf",
          "contentBase64": base64.b64encode(b"%PDF" + b"0" * (5 * 1024 * 1024)).decode()}, "to 5 MB"),
        ({"fileName": "x.exe", "contentType": "application/x-msdownload",
          "contentBase64": base64.b64encode(b"MZ....").decode()}, "Allowed file types"),
        ({"fileName": "fake.pdf", "contentType": "application/pdf",
          "contentBase64": base64.b64encode(b"not a pdf").decode()}, "not a PDF"),
        ({"url": "javascript:alert(1)"}, "http(s)"),
    ]
    for item, message in cases:
        answer = (await api.ok(RECORD, {"i": {"indicatorId": indicator_id, "periodId": to_global_id("Period", period.id),
                                              "value": "1", "evidence": [item]}}, pegawai))["recordRealisation"]
        assert answer["realisation"] is None and message in answer["userErrors"][0]["message"], answer
    assert await _snapshot("bungo") == before


async def test_cross_tenant_and_cross_team_access_is_not_found(api):
    attacker = await api.token("samarinda", "kepala")
    bungo = await _tenant("bungo")
    victim = (await rows(PerformancePlan, bungo.id))[0]
    gid = to_global_id("PerformancePlan", victim.id)
    assert error_codes(await api.post("query($id: ID!) { performancePlan(id: $id) { id } }", {"id": gid}, attacker)) == ["NOT_FOUND"]
    assert error_codes(await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": gid}, attacker)) == ["NOT_FOUND"]
    answer = await api.ok(APPROVE, {"id": gid}, attacker)
    assert answer["approvePerformancePlan"]["userErrors"][0]["code"] == "NOT_FOUND"
    answer = await api.ok(FEEDBACK, {"i": {"planId": gid, "body": "hi"}}, attacker)
    assert answer["giveFeedback"]["userErrors"][0]["code"] == "NOT_FOUND"

    # Inside bungo: pegawai cannot see the plan of a colleague; atasan cannot approve a plan outside the team.
    pegawai = await api.token("bungo", "pegawai")
    mine = (await api.ok("{ viewer { employee { id } } }", token=pegawai))["viewer"]["employee"]["id"]
    colleague = next(p for p in await rows(PerformancePlan, bungo.id) if to_global_id("Employee", p.employee_id) != mine)
    body = await api.post("query($id: ID!) { performancePlan(id: $id) { id } }",
                          {"id": to_global_id("PerformancePlan", colleague.id)}, pegawai)
    assert error_codes(body) == ["NOT_FOUND"]
    visible = (await api.ok("{ performancePlans(first: 100) { totalCount nodes { employee { id } } } }",
                            token=pegawai))["performancePlans"]
    assert {n["employee"]["id"] for n in visible["nodes"]} == {mine}


async def test_plan_page_statement_count_does_not_grow(api, count_statements):
    token = await api.token("nanggalo", "bkpsdm")
    query = ("query($n: Int) { performancePlans(first: $n) { totalCount nodes { status employee { name } "
             "approver { name } results { description parent { description } indicators { description "
             "latestRealisation { value evidence { url } period { name } } } } feedback { body author { name } } } } }")
    await api.ok(query, {"n": 1}, token)
    counts = []
    for size in (3, 13):
        count_statements.statements.clear()
        data = await api.ok(query, {"n": size}, token)
        assert len(data["performancePlans"]["nodes"]) == size
        counts.append(len(count_statements.statements))
    # One statement per loader level (plus the tenant setting, the page and its count), whatever
    # the page size; a smaller page may skip a level its plans do not reach.
    assert counts[0] <= counts[1] <= 12, count_statements.statements


async def test_evidence_file_downloads_only_for_those_who_see_the_plan(api, periods_2027):
    pegawai = await api.token("bungo", "pegawai")
    plans = (await api.ok(f'{{ performancePlans(filter: {{year: {YEAR}, status: APPROVED}}) {{ nodes {{ results {{ '
                          'indicators { realisations { evidence { fileName sha256 downloadPath } } } } } } }',
                          token=pegawai))["performancePlans"]["nodes"]
    files = [e for p in plans for r in p["results"] for i in r["indicators"] for x in i["realisations"]
             for e in x["evidence"] if e["downloadPath"]]
    assert files, plans
    path = files[0]["downloadPath"]
    response = await api.client.get(path, headers={"authorization": f"Bearer {pegawai}"})
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["x-content-sha256"] == files[0]["sha256"]
    outsider = await api.token("samarinda", "admin")
    assert (await api.client.get(path, headers={"authorization": f"Bearer {outsider}"})).status_code == 404
    assert (await api.client.get(path)).status_code == 401
    assert (await api.client.get("/evidence/bm9wZQ", headers={"authorization": f"Bearer {pegawai}"})).status_code == 404


async def test_a_closed_period_takes_no_more_realisation(api, periods_2027):
    pegawai, admin = await api.token("bungo", "pegawai"), await api.token("bungo", "admin")
    plans = (await api.ok(f'{{ performancePlans(filter: {{year: {YEAR}, status: APPROVED}}) {{ nodes {{ results {{ '
                          'indicators { id } } } } }', token=pegawai))["performancePlans"]["nodes"]
    indicator_id = plans[0]["results"][0]["indicators"][0]["id"]
    period = next(p for p in periods_2027 if p.kind.value != "ANNUAL" and p.sequence == 2)
    gid = to_global_id("Period", period.id)
    close = "mutation($id: ID!, $c: Boolean!) { setPeriodClosed(input: {id: $id, closed: $c}) { period { closed } userErrors { code } } }"
    assert (await api.ok(close, {"id": gid, "c": True}, pegawai))["setPeriodClosed"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await api.ok(close, {"id": gid, "c": True}, admin))["setPeriodClosed"]["period"] == {"closed": True}
    answer = (await api.ok(RECORD, {"i": {"indicatorId": indicator_id, "periodId": gid, "value": "1"}},
                           pegawai))["recordRealisation"]
    assert answer["userErrors"][0]["code"] == "CONFLICT" and "closed" in answer["userErrors"][0]["message"]
    await api.ok(close, {"id": gid, "c": False}, admin)
    answer = (await api.ok(RECORD, {"i": {"indicatorId": indicator_id, "periodId": gid, "value": "1"}},
                           pegawai))["recordRealisation"]
    assert answer["userErrors"] == []


async def test_copy_last_years_plan_as_a_new_draft(api):
    token = await api.token("nanggalo", "pegawai")
    source = (await api.ok("{ performancePlans(filter: {status: APPROVED}) { nodes { id year results { description "
                           "indicators { description } } } } }", token=token))["performancePlans"]["nodes"][0]
    copied = (await api.ok("mutation($s: ID!, $y: Int!) { copyPerformancePlan(input: {sourcePlanId: $s, year: $y}) "
                           "{ plan { id year status results { description parent { id } indicators { description } } } "
                           "userErrors { code } } }", {"s": source["id"], "y": source["year"] + 1}, token))
    plan = copied["copyPerformancePlan"]["plan"]
    assert plan["status"] == "DRAFT" and plan["year"] == source["year"] + 1
    assert [r["description"] for r in plan["results"]] == [r["description"] for r in source["results"]]
    assert all(r["parent"] is None for r in plan["results"])


async def test_recording_a_realisation_takes_a_fixed_handful_of_statements(api, count_statements):
    pegawai = await api.token("bungo", "pegawai")
    plans = (await api.ok('{ performancePlans(filter: {status: APPROVED}) { nodes { year results { '
                          'indicators { id } } } } }', token=pegawai))["performancePlans"]["nodes"]
    plan = plans[0]
    periods = (await api.ok("query($y: Int) { periods(year: $y) { id kind closed } }", {"y": plan["year"]},
                            pegawai))["periods"]
    period = next(p for p in periods if p["kind"] != "ANNUAL" and not p["closed"])
    variables = {"i": {"indicatorId": plan["results"][0]["indicators"][0]["id"], "periodId": period["id"], "value": "3"}}
    await api.ok(RECORD, variables, pegawai)
    variables["i"]["value"] = "4"
    count_statements.statements.clear()
    answer = (await api.ok(RECORD, variables, pegawai))["recordRealisation"]
    assert answer["userErrors"] == [] and answer["realisation"]["value"] == "4"
    statements = count_statements.statements
    # After the tenant binding (with the account check): the target (indicator, plan locked, period,
    # actor), the realisation written with its event, and what the answer reads, which stores the audit
    # entry on PostgreSQL (SQLite writes the realisation and then the entry with statements of their own).
    assert is_binding(statements[0]), statements
    assert len(statements) == 4 if BACKEND == "postgres" else len(statements) <= 6, statements
    assert sum("INSERT INTO audit_log" in s for s in statements) == 1, statements
    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    [entry] = [e for e in await rows(AuditLog, tenant.id, operation="recordRealisation")
               if e.changes.get("value", {}).get("after") == "4"]
    assert entry.object_type == "Realisation" and entry.actor_user_id is not None


async def test_a_payload_is_read_by_the_compiler_inside_the_mutations_transaction(api, count_statements):
    """The object of a payload, however deep its selection, is one compiled statement, sent before
    COMMIT: it sees what the mutation wrote."""
    admin = await api.token("bungo", "admin")
    periods = (await api.ok("{ periods { id name closed } }", token=admin))["periods"]
    period = next(p for p in periods if not p["closed"])
    close = ("mutation($id: ID!, $c: Boolean!) { setPeriodClosed(input: {id: $id, closed: $c}) { period { id name closed "
             "__typename } userErrors { code } } }")
    await api.ok(close, {"id": period["id"], "c": False}, admin)
    count_statements.statements.clear()
    answer = (await api.ok(close, {"id": period["id"], "c": True}, admin))["setPeriodClosed"]
    assert answer["period"] == {"id": period["id"], "name": period["name"], "closed": True, "__typename": "Period"}
    compiled = [s for s in count_statements.statements if "json_" in s]
    assert len(compiled) == 1, count_statements.statements
    await api.ok(close, {"id": period["id"], "c": False}, admin)

    users = (await api.ok("{ users(first: 100) { nodes { id username } } }", token=admin))["users"]["nodes"]
    pegawai = next(u["id"] for u in users if u["username"] == "pegawai")
    assign = ("mutation($u: ID!, $r: String!) { assignRole(input: {userId: $u, role: $r}) { user { username roles "
              "employee { name orgUnit { name parent { name } head { name supervisor { name } } } } } "
              "userErrors { code } } }")
    count_statements.statements.clear()
    answer = (await api.ok(assign, {"u": pegawai, "r": "atasan"}, admin))["assignRole"]
    assert "atasan" in answer["user"]["roles"] and answer["user"]["employee"]["orgUnit"]["name"]
    assert len([s for s in count_statements.statements if "json_" in s]) == 1, count_statements.statements
    revoke = assign.replace("assignRole", "revokeRole")
    assert "atasan" not in (await api.ok(revoke, {"u": pegawai, "r": "atasan"}, admin))["revokeRole"]["user"]["roles"]
