"""Citizen feedback through the API: the public side without login, IKM on a hand-checked dataset
in both conventions, abuse limits, tickets, the staff inbox, the public report, isolation."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from conftest import error_codes, rows

from kinerja.citizen.models import FeedbackTicket, ServiceUnit, SurveyResponse
from kinerja.core.audit_models import AuditLog
from kinerja.core.ids import to_global_id
from kinerja.org.models import OrgUnit
from kinerja.provisioning.apply import apply_spec
from kinerja.tenancy.models import Tenant
from kinerja.tenancy.spec import load_tenant_file

TENANT_FILE = """slug = "{slug}"
name = "Kota Uji Layanan"
kind = "KOTA"
period_years = [2026]

[settings]
ikm_weighting = "{weighting}"
survey_per_ip = {per_ip}
rate_window_seconds = {window}

[[org_units]]
code = "DISDUKCAPIL"
name = "Dinas Kependudukan dan Pencatatan Sipil"
kind = "DINAS"

[[service_units]]
code = "CAPIL"
name = "Layanan Capil"
org_unit = "DISDUKCAPIL"
services = [{{ code = "KTP", name = "KTP-el" }}]
"""
SURVEY = ("mutation($i: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $i) { accepted "
          "userErrors { field code message } } }")
FEEDBACK = ("mutation($i: SubmitCitizenFeedbackInput!) { submitCitizenFeedback(input: $i) { ticketCode "
            "userErrors { field code message } } }")
# Four respondents whose element sums are 13, 12, 11, 16, 10, 14, 15, 9, 12 (hand-checked in test_ikm_rules).
DATASET = [[4, 3, 3, 4, 3, 4, 4, 3, 3], [3, 3, 3, 4, 2, 3, 4, 2, 3], [3, 3, 2, 4, 2, 3, 4, 2, 3],
           [3, 3, 3, 4, 3, 4, 3, 2, 3]]


async def _tenant_from_file(tmp_path: Path, slug: str, weighting="EXACT", per_ip=20, window=3600):
    path = tmp_path / f"{slug}.toml"
    path.write_text(TENANT_FILE.format(slug=slug, weighting=weighting, per_ip=per_ip, window=window))
    return (await apply_spec(load_tenant_file(path))).tenant


async def _service_id(api, slug):
    data = await api.ok("query($t: String!) { publicServices(tenant: $t) { id name serviceUnit } }", {"t": slug})
    return data["publicServices"][0]["id"]


async def test_public_services_need_no_login_and_unknown_tenants_are_not_found(api):
    data = await api.ok('{ publicServices(tenant: "bungo") { name serviceUnit } }')
    assert {"Perekaman dan pencetakan KTP-el", "Poli umum puskesmas"} <= {s["name"] for s in data["publicServices"]}
    assert error_codes(await api.post('{ publicServices(tenant: "atlantis") { name } }')) == ["NOT_FOUND"]
    assert error_codes(await api.post('{ publicServices(tenant: "platform") { name } }')) == ["NOT_FOUND"]


async def test_bad_scores_store_nothing(api):
    service_id = await _service_id(api, "bungo")
    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    before = len(await rows(SurveyResponse, tenant.id))
    for scores, field in [([4] * 8, "scores"), ([4] * 10, "scores"), ([0, 4, 4, 4, 4, 4, 4, 4, 4], "scores[0]"),
                          ([4, 4, 4, 4, 4, 4, 4, 4, 5], "scores[8]")]:
        answer = (await api.ok(SURVEY, {"i": {"tenant": "bungo", "serviceId": service_id, "scores": scores}}))
        assert answer["submitSurveyResponse"]["accepted"] is False
        assert answer["submitSurveyResponse"]["userErrors"][0]["field"] == field
    answer = await api.ok(SURVEY, {"i": {"tenant": "bungo", "serviceId": "bm9wZQ", "scores": [4] * 9}})
    assert answer["submitSurveyResponse"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert len(await rows(SurveyResponse, tenant.id)) == before


async def test_ikm_on_a_hand_checked_dataset_in_both_conventions(api, tmp_path):
    tenant = await _tenant_from_file(tmp_path, "kota-ikm")
    service_id = await _service_id(api, "kota-ikm")
    for scores in DATASET:
        answer = await api.ok(SURVEY, {"i": {"tenant": "kota-ikm", "serviceId": service_id, "scores": scores,
                                             "profile": {"gender": "PEREMPUAN", "ageRange": "FROM_30_TO_39"}}})
        assert answer["submitSurveyResponse"] == {"accepted": True, "userErrors": []}
    from kinerja.auth.admin import create_user

    await create_user("kota-ikm", "admin", "kota-ikm-password", ["tenant_admin"], None)
    token = (await api.login("kota-ikm", "admin", "kota-ikm-password"))["accessToken"]
    unit = (await rows(ServiceUnit, tenant.id))[0]
    today = dt.date.today()
    query = ("query($u: ID!, $f: Date!, $t: Date!) { ikm(serviceUnitId: $u, from: $f, to: $t) { weighting "
             "overall { respondents value category label smallSample index elements { number nrr } } "
             "perService { service ikm { value } } byMonth { month ikm { respondents } } } }")
    variables = {"u": to_global_id("ServiceUnit", unit.id), "f": (today - dt.timedelta(days=1)).isoformat(),
                 "t": today.isoformat()}
    exact = (await api.ok(query, variables, token))["ikm"]
    assert exact["weighting"] == "EXACT"
    assert exact["overall"]["respondents"] == 4 and exact["overall"]["smallSample"]
    assert (exact["overall"]["value"], exact["overall"]["category"], exact["overall"]["label"]) == ("77.78", "B", "Baik")
    assert [e["nrr"] for e in exact["overall"]["elements"]] == ["3.2500", "3.0000", "2.7500", "4.0000", "2.5000",
                                                               "3.5000", "3.7500", "2.2500", "3.0000"]
    assert exact["perService"] == [{"service": "KTP-el", "ikm": {"value": "77.78"}}]
    assert exact["byMonth"] == [{"month": today.strftime("%Y-%m"), "ikm": {"respondents": 4}}]
    await _tenant_from_file(tmp_path, "kota-ikm", weighting="PRINTED")
    printed = (await api.ok(query, variables, token))["ikm"]
    assert (printed["weighting"], printed["overall"]["value"]) == ("PRINTED", "77.00")
    outside = (await api.ok(query, {**variables, "f": "2020-01-01", "t": "2020-12-31"}, token))["ikm"]
    assert outside["overall"] is None


async def test_rate_limit_triggers_and_recovers(api, tmp_path):
    await _tenant_from_file(tmp_path, "kota-sibuk", per_ip=3, window=2)
    service_id = await _service_id(api, "kota-sibuk")
    await asyncio.sleep(2 - dt.datetime.now().timestamp() % 2 + 0.05)  # start of a fresh window
    codes = []
    for n in range(4):
        answer = (await api.ok(SURVEY, {"i": {"tenant": "kota-sibuk", "serviceId": service_id,
                                              "scores": [4, 4, 4, 4, 4, 4, 4, 4, 1 + n % 4]}}))["submitSurveyResponse"]
        codes.append(answer["userErrors"][0]["code"] if answer["userErrors"] else "OK")
    assert codes == ["OK", "OK", "OK", "RATE_LIMITED"]
    await asyncio.sleep(2.1)
    answer = (await api.ok(SURVEY, {"i": {"tenant": "kota-sibuk", "serviceId": service_id,
                                          "scores": [3] * 9}}))["submitSurveyResponse"]
    assert answer == {"accepted": True, "userErrors": []}
    duplicate = (await api.ok(SURVEY, {"i": {"tenant": "kota-sibuk", "serviceId": service_id,
                                             "scores": [3] * 9}}))["submitSurveyResponse"]
    assert duplicate["userErrors"][0]["code"] == "CONFLICT"


async def test_tickets_are_tracked_by_code_within_their_tenant_only(api):
    service_id = await _service_id(api, "samarinda")
    answer = (await api.ok(FEEDBACK, {"i": {"tenant": "samarinda", "serviceId": service_id,
                                            "message": "Loket tutup lebih awal dari jadwal", "kind": "COMPLAINT",
                                            "contact": "0812-0000-1111"}}))["submitCitizenFeedback"]
    code = answer["ticketCode"]
    assert answer["userErrors"] == [] and len(code) == 11
    track = "query($t: String!, $c: String!) { feedbackTicket(tenant: $t, code: $c) { code status publicAnswer service } }"
    assert (await api.ok(track, {"t": "samarinda", "c": code.lower()}))["feedbackTicket"]["status"] == "RECEIVED"
    assert error_codes(await api.post(track, {"t": "bungo", "c": code})) == ["NOT_FOUND"]
    again = (await api.ok(FEEDBACK, {"i": {"tenant": "samarinda", "serviceId": service_id,
                                           "message": "loket  tutup lebih awal dari JADWAL"}}))["submitCitizenFeedback"]
    assert again["userErrors"][0]["code"] == "CONFLICT"
    long = (await api.ok(FEEDBACK, {"i": {"tenant": "samarinda", "serviceId": service_id,
                                          "message": "x" * 5000}}))["submitCitizenFeedback"]
    assert long["userErrors"][0]["field"] == "message"

    # Staff answer; the citizen sees the public answer, never the internal note or the contact.
    admin = await api.token("samarinda", "admin")
    inbox = (await api.ok("{ citizenFeedback(first: 100) { nodes { id code contact message } } }", token=admin))
    ticket = next(t for t in inbox["citizenFeedback"]["nodes"] if t["code"] == code)
    assert ticket["contact"] == "0812-0000-1111"
    respond = ("mutation($i: RespondToFeedbackInput!) { respondToFeedback(input: $i) { feedback { status "
               "internalNote publicAnswer } userErrors { field code } } }")
    answered = (await api.ok(respond, {"i": {"id": ticket["id"], "internalNote": "Cek jadwal petugas",
                                             "publicAnswer": "Jadwal loket sudah kami perbaiki."}}, admin))
    assert answered["respondToFeedback"]["feedback"]["status"] == "ANSWERED"
    back = (await api.ok(respond, {"i": {"id": ticket["id"], "status": "RECEIVED"}}, admin))["respondToFeedback"]
    assert back["userErrors"] == [{"field": "status", "code": "CONFLICT"}]
    response = await api.client.post("/graphql", json={"query": track, "variables": {"t": "samarinda", "c": code}})
    body = response.json()
    assert body["data"]["feedbackTicket"]["publicAnswer"] == "Jadwal loket sudah kami perbaiki."
    assert "Cek jadwal" not in response.text and "0812" not in response.text and "Loket tutup" not in response.text


async def test_staff_inbox_overdue_assignment_and_isolation(api):
    """Perpres 76/2013 (pengelolaan pengaduan pelayanan publik): a complaint is handled by the organiser
    of the service: a ticket is assigned within its service unit's org unit or the units above it."""
    admin = await api.token("tebingtinggi", "admin")
    overdue = (await api.ok("{ citizenFeedback(filter: {overdue: true}) { nodes { id code overdue status } } }",
                            token=admin))["citizenFeedback"]["nodes"]
    assert overdue and all(t["overdue"] and t["status"] in ("RECEIVED", "IN_PROGRESS") for t in overdue)
    kepala = await api.ok("{ viewer { employee { id } } }", token=await api.token("tebingtinggi", "kepala"))
    # The head of Dinas Kesehatan takes tickets of the health services (units below his), never Dukcapil's.
    tebing = (await rows(Tenant, None, slug="tebingtinggi"))[0]
    units = {u.id: u.code for u in await rows(OrgUnit, tebing.id)}
    service_units = {u.id: units.get(u.org_unit_id, "") for u in await rows(ServiceUnit, tebing.id)}
    unit_of = {to_global_id("CitizenFeedback", t.id): service_units[t.service_unit_id]
               for t in await rows(FeedbackTicket, tebing.id)}
    health = next(i for i, code in unit_of.items() if code.startswith("DINKES"))
    assign = ("mutation($i: AssignFeedbackInput!) { assignFeedback(input: $i) { feedback { status "
              "assignedTo { id } } userErrors { field code message } } }")
    other_unit = next(t for t in await rows(FeedbackTicket, tebing.id) if service_units[t.service_unit_id] == "DISDUKCAPIL")
    crossing = (await api.ok(assign, {"i": {"id": to_global_id("CitizenFeedback", other_unit.id),
                                            "employeeId": kepala["viewer"]["employee"]["id"]}}, admin))["assignFeedback"]
    assert crossing["feedback"] is None  # a Dukcapil ticket never goes to Dinkes
    assert [(e["field"], e["code"]) for e in crossing["userErrors"]] == [("employeeId", "FORBIDDEN")]
    assigned = await api.ok(assign, {"i": {"id": health, "employeeId": kepala["viewer"]["employee"]["id"]}}, admin)
    assert assigned["assignFeedback"]["feedback"]["assignedTo"]["id"] == kepala["viewer"]["employee"]["id"]
    mine = (await api.ok("{ citizenFeedback(first: 100) { nodes { id } } }",
                         token=await api.token("tebingtinggi", "kepala")))["citizenFeedback"]["nodes"]
    assert health in {t["id"] for t in mine}
    nothing_assigned = await api.ok("{ citizenFeedback { totalCount } }", token=await api.token("tebingtinggi", "pegawai"))
    assert nothing_assigned["citizenFeedback"]["totalCount"] == 0  # own scope: only tickets assigned to me

    attacker = await api.token("bungo", "admin")
    answer = await api.ok("mutation($i: RespondToFeedbackInput!) { respondToFeedback(input: $i) { userErrors { code } } }",
                          {"i": {"id": overdue[0]["id"], "publicAnswer": "x"}}, attacker)
    assert answer["respondToFeedback"]["userErrors"][0]["code"] == "NOT_FOUND"
    unit = (await rows(ServiceUnit, tebing.id))[0]
    body = await api.post("query($u: ID!) { ikm(serviceUnitId: $u, from: \"2026-01-01\", to: \"2026-12-31\") "
                          "{ overall { value } } }", {"u": to_global_id("ServiceUnit", unit.id)}, attacker)
    assert error_codes(body) == ["NOT_FOUND"]
    assert len(await rows(FeedbackTicket, tebing.id, public_answer="x")) == 0


async def test_public_report_never_shows_a_cell_under_five(api):
    report = (await api.ok('{ publicReport(tenant: "bungo", year: 2025) { tenant serviceUnits { name respondents '
                           "ikm { value category } } orgUnits { name employees plansApproved completionPercent "
                           "predicates { predicate count } } csvPath } }"))["publicReport"]
    counts = [u["respondents"] for u in report["serviceUnits"]] + \
             [o[k] for o in report["orgUnits"] for k in ("employees", "plansApproved")] + \
             [p["count"] for o in report["orgUnits"] for p in o["predicates"]]
    assert all(c is None or c >= 5 for c in counts)
    assert None in counts and any(c is not None and c >= 5 for c in counts)
    assert any(u["ikm"] for u in report["serviceUnits"])
    response = await api.client.get(report["csvPath"])
    assert response.status_code == 200 and "<5" in response.text
    for line in response.text.splitlines()[1:]:
        for cell in line.split(",")[2:3] + line.split(",")[5:7]:
            assert cell in ("", "<5") or int(float(cell)) >= 5
    assert (await api.client.get("/public/atlantis/report/2025.csv")).status_code == 404


async def test_unit_dashboard_shows_ikm_and_complaint_handling(api):
    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    from kinerja.org.models import OrgUnit, Period

    unit = (await rows(OrgUnit, tenant.id, code="DISDUKCAPIL"))[0]
    annual = next(p for p in await rows(Period, tenant.id, year=dt.date.today().year) if p.kind.value == "ANNUAL")
    data = (await api.ok("query($u: ID!, $p: ID!) { unitDashboard(orgUnitId: $u, periodId: $p) { ikm { value "
                         "respondents category } complaints { received answered overdue } } }",
                         {"u": to_global_id("OrgUnit", unit.id), "p": to_global_id("Period", annual.id)},
                         await api.token("bungo", "admin")))["unitDashboard"]
    assert data["ikm"]["respondents"] > 0 and data["ikm"]["category"] in "ABCD"
    assert data["complaints"]["received"] >= 1


async def test_hr_edits_services(api):
    admin = await api.token("nanggalo", "admin")
    unit = (await api.ok('mutation { saveServiceUnit(input: {code: "KEL-SG-PEL", name: "Pelayanan Kelurahan Surau '
                         'Gadang"}) { serviceUnit { id name } userErrors { code } } }', token=admin))["saveServiceUnit"]
    saved = await api.ok("mutation($u: ID!) { saveService(input: {serviceUnitId: $u, code: \"SKD\", name: "
                         "\"Surat keterangan domisili\"}) { service { name serviceUnit } userErrors { code } } }",
                         {"u": unit["serviceUnit"]["id"]}, admin)
    assert saved["saveService"]["service"] == {"name": "Surat keterangan domisili",
                                               "serviceUnit": "Pelayanan Kelurahan Surau Gadang"}
    listed = await api.ok('{ publicServices(tenant: "nanggalo") { name } }')
    assert "Surat keterangan domisili" in {s["name"] for s in listed["publicServices"]}
    await api.ok("mutation($u: ID!) { saveService(input: {serviceUnitId: $u, code: \"SKD\", name: "
                 "\"Surat keterangan domisili\", active: false}) { userErrors { code } } }",
                 {"u": unit["serviceUnit"]["id"]}, admin)
    listed = await api.ok('{ publicServices(tenant: "nanggalo") { name } }')
    assert "Surat keterangan domisili" not in {s["name"] for s in listed["publicServices"]}
    refused = await api.ok('mutation { saveServiceUnit(input: {code: "X", name: "Y"}) { userErrors { code } } }',
                           token=await api.token("nanggalo", "pegawai"))
    assert refused["saveServiceUnit"]["userErrors"] == [{"code": "FORBIDDEN"}]


async def test_a_survey_response_is_three_statements_after_the_tenant_binding(api, tmp_path, count_statements):
    """W6: the rate limits, the insert that refuses a duplicate, the audit entry; nothing else after
    the transaction is bound to the tenant named (COMMIT aside)."""
    tenant = await _tenant_from_file(tmp_path, "kota-hemat")
    service_id = await _service_id(api, "kota-hemat")
    count_statements.statements.clear()
    answer = await api.ok(SURVEY, {"i": {"tenant": "kota-hemat", "serviceId": service_id, "scores": [4] * 9}})
    assert answer["submitSurveyResponse"] == {"accepted": True, "userErrors": []}
    statements = count_statements.statements
    # Bound by set_config on PostgreSQL; SQLite has no binding statement: what follows the tenant lookup.
    bound = max(i for i, s in enumerate(statements) if "set_config" in s or 'FROM "tenant"' in s)
    after = statements[bound + 1:]
    assert len(after) == 3, after
    assert "rate_counter" in after[0] and "survey_response" in after[1] and "audit_log" in after[2], after
    entries = await rows(AuditLog, tenant.id, operation="submitSurveyResponse")
    assert len(entries) == 1 and entries[0].object_type == "SurveyResponse"


async def test_a_ticket_past_due_between_two_identical_reads_counts_in_the_second(api):
    """The overdue filter compares with the clock when the statement runs, not when the request's facts
    were first prepared: the same document with the same variables is answered from kept facts."""
    from kinerja.core import clock
    from kinerja.core.db import tenant_transaction

    admin = await api.token("tebingtinggi", "admin")
    tebing = (await rows(Tenant, None, slug="tebingtinggi"))[0]
    ticket = next(t for t in await rows(FeedbackTicket, tebing.id) if t.status.value in ("RECEIVED", "IN_PROGRESS"))
    async with tenant_transaction(tebing.id):
        await FeedbackTicket.filter(id=ticket.id).update(due_at=clock.now() + dt.timedelta(seconds=3))
    read = "query($f: CitizenFeedbackFilter) { citizenFeedback(first: 100, filter: $f) { nodes { id } } }"
    ticket_id = to_global_id("CitizenFeedback", ticket.id)

    async def overdue_ids():
        data = await api.ok(read, {"f": {"overdue": True}}, admin)
        return {t["id"] for t in data["citizenFeedback"]["nodes"]}

    for _ in range(2):  # the second answer is the first from a known document, and keeps its facts
        assert ticket_id not in await overdue_ids()
    await asyncio.sleep(3.5)
    assert ticket_id in await overdue_ids()
