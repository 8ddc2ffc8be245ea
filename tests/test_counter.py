"""The survey at the counter and what follows it, through the API: kiosks (40 identical answers all count,
bursts flagged, per-device rate, revocation), one-time QR codes (used once, printable), the survey's
questions, private suggestions, citizens' replies and ratings with the public timeline, follow-up plans
in the public report and its CSV, the minimum sample, anonymity (no address stored), isolation."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import uuid
from pathlib import Path

from conftest import error_codes, rows

from kinerja.citizen.models import FeedbackTicket, ServiceUnit, SurveyCode, SurveyKiosk, SurveyResponse
from kinerja.core.audit_models import AuditLog
from kinerja.core.ids import to_global_id
from kinerja.provisioning.apply import apply_spec
from kinerja.tenancy.spec import load_tenant_file

TENANT_FILE = """slug = "{slug}"
name = "Kota Loket {slug}"
kind = "KOTA"
period_years = [{year}]

[settings]
kiosk_per_minute = {per_minute}
kiosk_burst_identical = 10
public_staff_names = {staff_names}
survey_page_url = "https://skm.example.id/isi"

[[positions]]
name = "Kepala Seksi Pelayanan"
kind = "PENGAWAS"

[[org_units]]
code = "DISDUKCAPIL"
name = "Dinas Kependudukan dan Pencatatan Sipil"
kind = "DINAS"

[[service_units]]
code = "CAPIL"
name = "Layanan Capil"
org_unit = "DISDUKCAPIL"
services = [{{ code = "KTP", name = "KTP-el" }}, {{ code = "KK", name = "Kartu Keluarga" }}]
"""
PASSWORD = "loket-password-2026"
SURVEY = ("mutation($i: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $i) { accepted "
          "userErrors { field code message } } }")
REGISTER = ("mutation($i: RegisterSurveyKioskInput!) { registerSurveyKiosk(input: $i) { token "
            "kiosk { id name serviceUnit active responses flaggedResponses } userErrors { field code message } } }")
REVOKE = ("mutation($i: RevokeSurveyKioskInput!) { revokeSurveyKiosk(input: $i) { kiosk { active revokedAt } "
          "userErrors { field code message } } }")
ISSUE = ("mutation($i: IssueSurveyCodesInput!) { issueSurveyCodes(input: $i) { batch { id count used service "
         "printPath codes { code usedAt } } userErrors { field code message } } }")
SAVE_PLAN = ("mutation($i: SaveFollowUpPlanInput!) { saveFollowUpPlan(input: $i) { plan { id year serviceUnit "
             "actions { element elementName action owner { name } dueOn status } } userErrors { field code message } } }")
IKM = ("query($u: ID!, $f: Date!, $t: Date!) { ikm(serviceUnitId: $u, from: $f, to: $t) { "
       "overall { respondents smallSample minimumSample } } }")
FEEDBACK = ("mutation($i: SubmitCitizenFeedbackInput!) { submitCitizenFeedback(input: $i) { ticketCode "
            "userErrors { field code message } } }")
RESPOND = ("mutation($i: RespondToFeedbackInput!) { respondToFeedback(input: $i) { feedback { status } "
           "userErrors { field code message } } }")
REPLY = ("mutation($i: ReplyToTicketInput!) { replyToTicket(input: $i) { status userErrors { field code message } } }")
RATE = ("mutation($i: RateTicketAnswerInput!) { rateTicketAnswer(input: $i) { status "
        "userErrors { field code message } } }")
TIMELINE = ("query($t: String!, $c: String!) { feedbackTimeline(tenant: $t, code: $c) { kind status publicAnswer "
            "rating staffName } }")
YEAR = dt.date.today().year


async def _tenant(api, tmp_path: Path, slug: str, per_minute: int = 100, staff_names: bool = False):
    """A tenant from its file with an admin; returns (tenant, admin token, service unit gid, service gids)."""
    from kinerja.auth.admin import create_user

    path = tmp_path / f"{slug}.toml"
    path.write_text(TENANT_FILE.format(slug=slug, year=YEAR, per_minute=per_minute,
                                       staff_names="true" if staff_names else "false"))
    tenant = (await apply_spec(load_tenant_file(path))).tenant
    if not await _has_admin(tenant.id):
        await create_user(slug, "admin", PASSWORD, ["tenant_admin"], None)
    token = (await api.login(slug, "admin", PASSWORD))["accessToken"]
    unit = (await rows(ServiceUnit, tenant.id))[0]
    services = (await api.ok("query($t: String!) { publicServices(tenant: $t) { id name } }", {"t": slug}))
    by_name = {s["name"]: s["id"] for s in services["publicServices"]}
    return tenant, token, to_global_id("ServiceUnit", unit.id), by_name


async def _has_admin(tenant_id) -> bool:
    from kinerja.auth.models import User

    return bool(await rows(User, tenant_id, username="admin"))


def _errors(payload: dict) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def _today() -> dict:
    today = dt.date.today()
    return {"f": (today - dt.timedelta(days=1)).isoformat(), "t": (today + dt.timedelta(days=1)).isoformat()}


# --- kiosks --------------------------------------------------------------------------------------

async def test_forty_identical_responses_through_one_kiosk_all_count(api, tmp_path):
    tenant, admin, unit_id, services = await _tenant(api, tmp_path, "kota-kios")
    registered = (await api.ok(REGISTER, {"i": {"serviceUnitId": unit_id, "name": "Loket 1"}}, admin))[
        "registerSurveyKiosk"]
    assert registered["userErrors"] == [] and registered["token"].startswith("ksk_")
    assert registered["kiosk"] == {"id": registered["kiosk"]["id"], "name": "Loket 1", "serviceUnit": "Layanan Capil",
                                   "active": True, "responses": 0, "flaggedResponses": 0}
    token = registered["token"]
    stored = (await rows(SurveyKiosk, tenant.id))[0]
    assert stored.token_hash != token and token not in stored.token_hash  # only its hash is kept
    variables = {"i": {"tenant": "kota-kios", "serviceId": services["KTP-el"], "scores": [4] * 9, "kioskToken": token}}
    answers = [(await api.ok(SURVEY, variables))["submitSurveyResponse"] for _ in range(40)]
    assert answers == [{"accepted": True, "userErrors": []}] * 40
    ikm = (await api.ok(IKM, {"u": unit_id, **_today()}, admin))["ikm"]["overall"]
    assert ikm["respondents"] == 40
    # From the 11th identical answer within the burst window, responses are flagged, never dropped.
    kiosks = (await api.ok("{ surveyKiosks { name responses flaggedResponses active lastResponseAt } }", None, admin))
    assert [(k["name"], k["responses"], k["flaggedResponses"]) for k in kiosks["surveyKiosks"]] == [("Loket 1", 40, 30)]
    # Without the token, the same answers from the same address are the web's duplicate: refused after one.
    web = {"i": {"tenant": "kota-kios", "serviceId": services["KTP-el"], "scores": [4] * 9}}
    assert (await api.ok(SURVEY, web))["submitSurveyResponse"]["accepted"] is True
    assert _errors((await api.ok(SURVEY, web))["submitSurveyResponse"]) == [("scores", "CONFLICT")]
    # The same name again is the same kiosk: refused while the first is active.
    again = (await api.ok(REGISTER, {"i": {"serviceUnitId": unit_id, "name": "Loket 1"}}, admin))["registerSurveyKiosk"]
    assert _errors(again) == [("name", "CONFLICT")] and again["token"] is None
    revoked = (await api.ok(REVOKE, {"i": {"id": registered["kiosk"]["id"]}}, admin))["revokeSurveyKiosk"]
    assert revoked["userErrors"] == [] and revoked["kiosk"]["active"] is False
    twice = (await api.ok(REVOKE, {"i": {"id": registered["kiosk"]["id"]}}, admin))["revokeSurveyKiosk"]
    assert _errors(twice) == [("id", "CONFLICT")]
    refused = (await api.ok(SURVEY, variables))["submitSurveyResponse"]
    assert _errors(refused) == [("kioskToken", "NOT_FOUND")]
    assert len(await rows(SurveyResponse, tenant.id)) == 41


async def test_a_kiosk_is_bounded_per_minute_and_to_its_own_unit(api, tmp_path):
    tenant, admin, unit_id, services = await _tenant(api, tmp_path, "kota-kios-batas", per_minute=3)
    token = (await api.ok(REGISTER, {"i": {"serviceUnitId": unit_id, "name": "Tablet"}}, admin))[
        "registerSurveyKiosk"]["token"]
    if dt.datetime.now().second > 54:  # the four requests fall into one minute window
        await asyncio.sleep(61 - dt.datetime.now().second)
    codes = []
    for _n in range(4):
        answer = (await api.ok(SURVEY, {"i": {"tenant": "kota-kios-batas", "serviceId": services["Kartu Keluarga"],
                                              "scores": [3] * 9, "kioskToken": token}}))["submitSurveyResponse"]
        codes.append(answer["userErrors"][0]["code"] if answer["userErrors"] else "OK")
    assert codes == ["OK", "OK", "OK", "RATE_LIMITED"]
    bad = (await api.ok(SURVEY, {"i": {"tenant": "kota-kios-batas", "serviceId": services["KTP-el"], "scores": [3] * 9,
                                       "kioskToken": "ksk_not-a-token"}}))["submitSurveyResponse"]
    assert _errors(bad) == [("kioskToken", "NOT_FOUND")]
    both = (await api.ok(SURVEY, {"i": {"tenant": "kota-kios-batas", "serviceId": services["KTP-el"], "scores": [3] * 9,
                                        "kioskToken": token, "code": "ABCDE-FGHJK"}}))["submitSurveyResponse"]
    assert _errors(both) == [("code", "BAD_USER_INPUT")]
    pegawai = await _staff_without_rights(api, "kota-kios-batas")
    refused = await api.ok(REGISTER, {"i": {"serviceUnitId": unit_id, "name": "Lain"}}, pegawai)
    assert _errors(refused["registerSurveyKiosk"]) == [(None, "FORBIDDEN")]
    assert error_codes(await api.post("{ surveyKiosks { name } }", None, pegawai)) == ["FORBIDDEN"]


async def _staff_without_rights(api, slug: str) -> str:
    from kinerja.auth.admin import create_user
    from kinerja.auth.models import User
    from kinerja.tenancy.models import Tenant

    tenant = (await rows(Tenant, None, slug=slug))[0]
    if not await rows(User, tenant.id, username="staf"):
        await create_user(slug, "staf", PASSWORD, ["pegawai"], None)
    return (await api.login(slug, "staf", PASSWORD))["accessToken"]


# --- QR codes ------------------------------------------------------------------------------------

async def test_a_used_qr_code_is_refused(api, tmp_path):
    tenant, admin, unit_id, services = await _tenant(api, tmp_path, "kota-kode")
    issued = (await api.ok(ISSUE, {"i": {"serviceId": services["Kartu Keluarga"], "count": 3}}, admin))[
        "issueSurveyCodes"]
    assert issued["userErrors"] == []
    batch = issued["batch"]
    assert (batch["count"], batch["used"], batch["service"], len(batch["codes"])) == (3, 0, "Kartu Keluarga", 3)
    first, second, _third = (c["code"] for c in batch["codes"])
    # The code names its service: no serviceId needed.
    answer = (await api.ok(SURVEY, {"i": {"tenant": "kota-kode", "code": first.lower(), "scores": [4] * 9}}))
    assert answer["submitSurveyResponse"] == {"accepted": True, "userErrors": []}
    used = (await api.ok(SURVEY, {"i": {"tenant": "kota-kode", "code": first, "scores": [3] * 9}}))
    assert _errors(used["submitSurveyResponse"]) == [("code", "CONFLICT")]
    # Another code with the same answers from the same address is another respondent.
    other = (await api.ok(SURVEY, {"i": {"tenant": "kota-kode", "code": second, "scores": [4] * 9}}))
    assert other["submitSurveyResponse"]["accepted"] is True
    unknown = (await api.ok(SURVEY, {"i": {"tenant": "kota-kode", "code": "ZZZZZ-ZZZZZ", "scores": [4] * 9}}))
    assert _errors(unknown["submitSurveyResponse"]) == [("code", "NOT_FOUND")]
    responses = await rows(SurveyResponse, tenant.id)
    assert {(r.channel.value, r.service_id) for r in responses} == {("CODE", (await rows(SurveyCode, tenant.id))[0].service_id)}
    assert len(responses) == 2
    listed = (await api.ok("{ surveyCodeBatches { totalCount nodes { used codes { code usedAt } } } }", None, admin))
    assert listed["surveyCodeBatches"]["nodes"][0]["used"] == 2
    pdf = await api.client.get(batch["printPath"], headers={"authorization": f"Bearer {admin}"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (await api.client.get(batch["printPath"])).status_code == 401
    too_many = (await api.ok(ISSUE, {"i": {"serviceId": services["KTP-el"], "count": 501}}, admin))["issueSurveyCodes"]
    assert _errors(too_many) == [("count", "BAD_USER_INPUT")]


def test_the_qr_of_a_code_leads_to_the_tenants_survey_page():
    from kinerja.citizen.counter import survey_link

    assert survey_link("https://skm.example.id/isi", "bungo", "ABCDE-FGHJK") == \
        "https://skm.example.id/isi?tenant=bungo&code=ABCDE-FGHJK"
    assert survey_link("https://x.example/s?lang=id", "bungo", "ABCDE-FGHJK").endswith("?lang=id&tenant=bungo&code=ABCDE-FGHJK")
    assert survey_link("", "bungo", "ABCDE-FGHJK") == "ABCDE-FGHJK"


# --- survey content ------------------------------------------------------------------------------

async def test_survey_questions_are_the_nine_elements_in_indonesian(api):
    data = await api.ok('{ surveyQuestions(tenant: "bungo") { number element question answers } }')
    questions = data["surveyQuestions"]
    assert [q["number"] for q in questions] == list(range(1, 10))
    assert all(len(q["answers"]) == 4 and q["question"].startswith("Bagaimana") for q in questions)
    assert questions[0]["answers"] == ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]
    assert questions[7]["element"] == "Penanganan pengaduan, saran dan masukan"
    assert error_codes(await api.post('{ surveyQuestions(tenant: "atlantis") { number } }')) == ["NOT_FOUND"]


async def test_suggestions_are_kept_for_staff_only(api, tmp_path):
    tenant, admin, unit_id, services = await _tenant(api, tmp_path, "kota-saran")
    text = f"Mohon tambah kursi ruang tunggu {uuid.uuid4().hex[:6]}"
    answer = await api.ok(SURVEY, {"i": {"tenant": "kota-saran", "serviceId": services["KTP-el"], "scores": [2] * 9,
                                         "suggestion": text}})
    assert answer["submitSurveyResponse"]["accepted"] is True
    too_long = await api.ok(SURVEY, {"i": {"tenant": "kota-saran", "serviceId": services["KTP-el"], "scores": [1] * 9,
                                           "suggestion": "x" * 2001}})
    assert _errors(too_long["submitSurveyResponse"]) == [("suggestion", "BAD_USER_INPUT")]
    seen = await api.ok("query($u: ID) { surveySuggestions(serviceUnitId: $u) { nodes { text service channel } } }",
                        {"u": unit_id}, admin)
    assert seen["surveySuggestions"]["nodes"] == [{"text": text, "service": "KTP-el", "channel": "WEB"}]
    report = await api.client.get(f"/public/kota-saran/report/{YEAR}.csv")
    assert text not in report.text
    staff = await _staff_without_rights(api, "kota-saran")
    assert error_codes(await api.post("{ surveySuggestions { nodes { text } } }", None, staff)) == ["FORBIDDEN"]


# --- citizens and their tickets ------------------------------------------------------------------

async def test_a_citizen_replies_to_and_rates_an_answer_on_a_public_timeline(api, tmp_path):
    tenant, admin, unit_id, services = await _tenant(api, tmp_path, "kota-tiket")
    code = (await api.ok(FEEDBACK, {"i": {"tenant": "kota-tiket", "serviceId": services["KTP-el"],
                                          "message": "Blanko KTP habis sejak minggu lalu"}}))["submitCitizenFeedback"][
        "ticketCode"]
    early = (await api.ok(REPLY, {"i": {"tenant": "kota-tiket", "code": code, "message": "Bagaimana?"}}))["replyToTicket"]
    assert _errors(early) == [("code", "CONFLICT")]
    ticket = (await rows(FeedbackTicket, tenant.id, code=code))[0]
    ticket_id = to_global_id("CitizenFeedback", ticket.id)
    await api.ok(RESPOND, {"i": {"id": ticket_id, "publicAnswer": "Blanko tiba hari Kamis."}}, admin)
    replied = (await api.ok(REPLY, {"i": {"tenant": "kota-tiket", "code": code,
                                          "message": "Kamis sudah lewat, belum ada."}}))["replyToTicket"]
    assert replied == {"status": "IN_PROGRESS", "userErrors": []}
    not_yet = (await api.ok(RATE, {"i": {"tenant": "kota-tiket", "code": code, "rating": 4}}))["rateTicketAnswer"]
    assert _errors(not_yet) == [("rating", "CONFLICT")]
    await api.ok(RESPOND, {"i": {"id": ticket_id, "publicAnswer": "Maaf, blanko tersedia mulai hari ini."}}, admin)
    for rating, expected in [(6, [("rating", "BAD_USER_INPUT")]), (5, []), (4, [("rating", "CONFLICT")])]:
        rated = (await api.ok(RATE, {"i": {"tenant": "kota-tiket", "code": code, "rating": rating}}))["rateTicketAnswer"]
        assert _errors(rated) == expected
    timeline = (await api.ok(TIMELINE, {"t": "kota-tiket", "c": code}))["feedbackTimeline"]
    assert [(e["kind"], e["status"]) for e in timeline] == [
        ("RECEIVED", "RECEIVED"), ("ANSWERED", "ANSWERED"), ("REPLIED", "IN_PROGRESS"), ("ANSWERED", "ANSWERED"),
        ("RATED", "ANSWERED")]
    assert timeline[1]["publicAnswer"] == "Blanko tiba hari Kamis." and timeline[4]["rating"] == 5
    assert all(e["staffName"] is None for e in timeline)  # the tenant does not publish staff names
    assert "Kamis sudah lewat" not in str(timeline)  # the reply is for staff
    history = (await api.ok("query($id: ID!) { feedbackHistory(id: $id) { kind reply rating } }",
                            {"id": ticket_id}, admin))["feedbackHistory"]
    assert [h["reply"] for h in history if h["kind"] == "REPLIED"] == ["Kamis sudah lewat, belum ada."]
    unknown = await api.post("query($id: ID!) { feedbackHistory(id: $id) { kind } }",
                             {"id": to_global_id("CitizenFeedback", uuid.uuid4())}, admin)
    assert error_codes(unknown) == ["NOT_FOUND"]
    assert error_codes(await api.post(TIMELINE, {"t": "kota-tiket", "c": "ZZZZZ-ZZZZZ"})) == ["NOT_FOUND"]


async def test_the_timeline_names_staff_only_where_the_tenant_allows_it(api, tmp_path):
    from kinerja.org.models import Employee

    tenant, admin, unit_id, services = await _tenant(api, tmp_path, "kota-nama", staff_names=True)
    employee = await _employee_for_admin(tenant)
    code = (await api.ok(FEEDBACK, {"i": {"tenant": "kota-nama", "serviceId": services["KTP-el"],
                                          "message": "Terima kasih atas layanannya"}}))["submitCitizenFeedback"]["ticketCode"]
    ticket = (await rows(FeedbackTicket, tenant.id, code=code))[0]
    await api.ok(RESPOND, {"i": {"id": to_global_id("CitizenFeedback", ticket.id), "publicAnswer": "Sama-sama."}}, admin)
    timeline = (await api.ok(TIMELINE, {"t": "kota-nama", "c": code}))["feedbackTimeline"]
    name = (await rows(Employee, tenant.id, id=employee))[0].name
    assert [e["staffName"] for e in timeline] == [None, name]


async def _employee_for_admin(tenant) -> uuid.UUID:
    """Give the tenant's admin an employee record (so staff actions name someone)."""
    from kinerja.auth.models import User
    from kinerja.core.db import tenant_transaction
    from kinerja.org.models import Employee, OrgUnit

    async with tenant_transaction(tenant.id):
        user = await User.get(tenant_id=tenant.id, username="admin")
        if user.employee_id is None:
            unit = await OrgUnit.get(tenant_id=tenant.id, code="DISDUKCAPIL")
            employee = await Employee.create(tenant_id=tenant.id, nip="199001012015031001", name="Sari Loket",
                                             employment_type="PNS", org_unit_id=unit.id)
            user.employee_id = employee.id
            await user.save()
        return user.employee_id


# --- follow-up and sample size -------------------------------------------------------------------

async def test_the_follow_up_appears_in_the_public_report(api, tmp_path):
    tenant, admin, unit_id, services = await _tenant(api, tmp_path, "kota-rtl")
    suggested = (await api.ok(SAVE_PLAN, {"i": {"serviceUnitId": unit_id, "year": YEAR}}, admin))["saveFollowUpPlan"]
    assert _errors(suggested) == [("actions", "CONFLICT")]  # nothing to suggest from yet
    for n, scores in enumerate([[4, 4, 2, 4, 4, 3, 4, 1, 4], [4, 3, 2, 4, 4, 3, 4, 2, 4], [3, 4, 1, 4, 4, 3, 4, 1, 4],
                                [4, 4, 2, 4, 3, 3, 4, 2, 4], [4, 4, 3, 4, 4, 3, 4, 1, 4]]):
        answer = await api.ok(SURVEY, {"i": {"tenant": "kota-rtl", "serviceId": services["KTP-el"], "scores": scores}})
        assert answer["submitSurveyResponse"]["accepted"] is True, n
    suggested = (await api.ok(SAVE_PLAN, {"i": {"serviceUnitId": unit_id, "year": YEAR}}, admin))["saveFollowUpPlan"]
    assert suggested["userErrors"] == []
    # The three lowest NRR: unsur 8 (1.4), 3 (2.0), 6 (3.0); no threshold set.
    assert [a["element"] for a in suggested["plan"]["actions"]] == [8, 3, 6]
    assert suggested["plan"]["actions"][0]["elementName"] == "Penanganan pengaduan, saran dan masukan"
    actions = [{"element": 8, "action": "Buka kanal pengaduan WhatsApp dan tetapkan petugas pengelola",
                "owner": "Kepala Seksi Pelayanan", "dueOn": f"{YEAR + 1}-03-31", "status": "IN_PROGRESS"},
               {"element": 3, "action": "Tambah loket perekaman pada hari Senin", "dueOn": f"{YEAR + 1}-02-28"}]
    saved = (await api.ok(SAVE_PLAN, {"i": {"serviceUnitId": unit_id, "year": YEAR, "actions": actions}}, admin))
    plan = saved["saveFollowUpPlan"]["plan"]
    assert [(a["element"], a["owner"], a["status"]) for a in plan["actions"]] == [
        (8, {"name": "Kepala Seksi Pelayanan"}, "IN_PROGRESS"), (3, None, "PLANNED")]
    same = (await api.ok(SAVE_PLAN, {"i": {"serviceUnitId": unit_id, "year": YEAR, "actions": actions}}, admin))
    assert _errors(same["saveFollowUpPlan"]) == [("actions", "CONFLICT")]
    bad = [{**actions[0], "element": 10}, {**actions[1], "owner": "Tidak Ada"}]
    refused = (await api.ok(SAVE_PLAN, {"i": {"serviceUnitId": unit_id, "year": YEAR, "actions": bad}}, admin))
    assert _errors(refused["saveFollowUpPlan"]) == [("actions[0].element", "BAD_USER_INPUT")]
    refused = (await api.ok(SAVE_PLAN, {"i": {"serviceUnitId": unit_id, "year": YEAR, "actions": bad[1:]}}, admin))
    assert _errors(refused["saveFollowUpPlan"]) == [("actions[0].owner", "NOT_FOUND")]
    listed = (await api.ok("query($y: Int!) { followUpPlans(year: $y) { serviceUnit year actions { element } } }",
                           {"y": YEAR}, admin))["followUpPlans"]
    assert listed == [{"serviceUnit": "Layanan Capil", "year": YEAR, "actions": [{"element": 8}, {"element": 3}]}]
    report = (await api.ok("query($t: String!, $y: Int!) { publicReport(tenant: $t, year: $y) { serviceUnits { name "
                           "ikm { respondents } followUp { element elementName action owner dueOn status } } } }",
                           {"t": "kota-rtl", "y": YEAR}))["publicReport"]
    line = report["serviceUnits"][0]
    assert line["ikm"]["respondents"] == 5
    assert line["followUp"] == [
        {"element": 8, "elementName": "Penanganan pengaduan, saran dan masukan", "action": actions[0]["action"],
         "owner": "Kepala Seksi Pelayanan", "dueOn": f"{YEAR + 1}-03-31", "status": "IN_PROGRESS"},
        {"element": 3, "elementName": "Waktu penyelesaian", "action": actions[1]["action"], "owner": None,
         "dueOn": f"{YEAR + 1}-02-28", "status": "PLANNED"}]
    table = list(csv.reader(io.StringIO((await api.client.get(f"/public/kota-rtl/report/{YEAR}.csv")).text)))
    header = table[0]
    follow = [dict(zip(header, r, strict=False)) for r in table if r[0] == "Tindak lanjut"]
    assert [(f["unit"], f["unsur"], f["penanggung_jawab"], f["status_tindak_lanjut"]) for f in follow] == [
        ("Layanan Capil", "8 Penanganan pengaduan, saran dan masukan", "Kepala Seksi Pelayanan", "IN_PROGRESS"),
        ("Layanan Capil", "3 Waktu penyelesaian", "", "PLANNED")]


async def test_the_minimum_sample_follows_the_units_population(api, tmp_path):
    tenant, admin, unit_id, services = await _tenant(api, tmp_path, "kota-sampel")
    for scores in ([4] * 9, [3] * 9, [2] * 9):
        await api.ok(SURVEY, {"i": {"tenant": "kota-sampel", "serviceId": services["KTP-el"], "scores": scores}})
    before = (await api.ok(IKM, {"u": unit_id, **_today()}, admin))["ikm"]["overall"]
    assert (before["minimumSample"], before["smallSample"]) == (30, True)  # no population set
    save = ("mutation($i: SaveServiceUnitInput!) { saveServiceUnit(input: $i) { serviceUnit { name } "
            "userErrors { field code } } }")
    for population, sample in [(100, 80), (2, 2), (5000, 357), (2_000_000, 384)]:
        saved = await api.ok(save, {"i": {"code": "CAPIL", "name": "Layanan Capil", "population": population}}, admin)
        assert saved["saveServiceUnit"]["userErrors"] == []
        overall = (await api.ok(IKM, {"u": unit_id, **_today()}, admin))["ikm"]["overall"]
        assert (overall["minimumSample"], overall["smallSample"]) == (sample, sample > 3)
    refused = await api.ok(save, {"i": {"code": "CAPIL", "name": "Layanan Capil", "population": 0}}, admin)
    assert refused["saveServiceUnit"]["userErrors"] == [{"field": "population", "code": "BAD_USER_INPUT"}]


# --- anonymity -----------------------------------------------------------------------------------

async def test_no_ip_is_stored_for_anonymous_surveys(api, tmp_path):
    from kinerja.citizen.models import RateCounter

    tenant, _admin, _unit_id, services = await _tenant(api, tmp_path, "kota-anonim")
    answer = await api.ok(SURVEY, {"i": {"tenant": "kota-anonim", "serviceId": services["KTP-el"], "scores": [3] * 9}})
    assert answer["submitSurveyResponse"]["accepted"] is True
    entries = await rows(AuditLog, tenant.id, operation="submitSurveyResponse")
    assert len(entries) == 1
    client_ip = "10.1.2.3"  # the test client's address (tests/conftest.py)
    assert entries[0].ip.startswith("h:") and client_ip not in entries[0].ip
    assert client_ip not in str(entries[0].changes)
    buckets = [c.bucket for c in await rows(RateCounter, tenant.id)]
    assert buckets and not any(client_ip in b for b in buckets)
    # Staff operations keep the address as before.
    await api.ok(FEEDBACK, {"i": {"tenant": "kota-anonim", "serviceId": services["KTP-el"], "message": "Bagus"}})
    assert (await rows(AuditLog, tenant.id, operation="submitCitizenFeedback"))[0].ip == client_ip


def test_the_salted_client_hash_changes_every_day():
    from kinerja.citizen.rules import client_hash

    tenant = uuid.uuid4()
    today, tomorrow = dt.date(2026, 12, 2), dt.date(2026, 12, 3)
    assert client_hash("k" * 32, tenant, today, "10.1.2.3") == client_hash("k" * 32, tenant, today, "10.1.2.3")
    assert client_hash("k" * 32, tenant, today, "10.1.2.3") != client_hash("k" * 32, tenant, tomorrow, "10.1.2.3")
    assert client_hash("k" * 32, tenant, today, "10.1.2.3") != client_hash("k" * 32, uuid.uuid4(), today, "10.1.2.3")
    assert client_hash("k" * 32, tenant, today, "10.1.2.3") != client_hash("k" * 32, tenant, today, "10.1.2.4")


# --- isolation -----------------------------------------------------------------------------------

async def test_another_tenants_kiosks_codes_and_plans_answer_not_found(api, tmp_path):
    _a, admin_a, unit_a, services_a = await _tenant(api, tmp_path, "kota-isolasi-a")
    tenant_b, admin_b, unit_b, services_b = await _tenant(api, tmp_path, "kota-isolasi-b")
    kiosk_b = (await api.ok(REGISTER, {"i": {"serviceUnitId": unit_b, "name": "Loket B"}}, admin_b))[
        "registerSurveyKiosk"]
    batch_b = (await api.ok(ISSUE, {"i": {"serviceId": services_b["KTP-el"], "count": 1}}, admin_b))[
        "issueSurveyCodes"]["batch"]
    await api.ok(SURVEY, {"i": {"tenant": "kota-isolasi-b", "serviceId": services_b["KTP-el"], "scores": [2] * 9}})
    plan_b = (await api.ok(SAVE_PLAN, {"i": {"serviceUnitId": unit_b, "year": YEAR}}, admin_b))[
        "saveFollowUpPlan"]["plan"]
    # Tenant A's admin, with tenant B's ids and secrets.
    assert _errors((await api.ok(REGISTER, {"i": {"serviceUnitId": unit_b, "name": "X"}}, admin_a))[
        "registerSurveyKiosk"]) == [("serviceUnitId", "NOT_FOUND")]
    assert _errors((await api.ok(REVOKE, {"i": {"id": kiosk_b["kiosk"]["id"]}}, admin_a))[
        "revokeSurveyKiosk"]) == [("id", "NOT_FOUND")]
    assert _errors((await api.ok(ISSUE, {"i": {"serviceId": services_b["KTP-el"], "count": 1}}, admin_a))[
        "issueSurveyCodes"]) == [("serviceId", "NOT_FOUND")]
    assert _errors((await api.ok(SAVE_PLAN, {"i": {"serviceUnitId": unit_b, "year": YEAR}}, admin_a))[
        "saveFollowUpPlan"]) == [("serviceUnitId", "NOT_FOUND")]
    for gid in (kiosk_b["kiosk"]["id"], batch_b["id"], plan_b["id"]):
        assert error_codes(await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": gid}, admin_a)) == \
            ["NOT_FOUND"]
    listed = await api.ok("{ surveyKiosks { name } surveyCodeBatches { nodes { count } } }", None, admin_a)
    assert listed == {"surveyKiosks": [], "surveyCodeBatches": {"nodes": []}}
    plans = await api.ok("query($y: Int!, $u: ID) { followUpPlans(year: $y, serviceUnitId: $u) { year } }",
                         {"y": YEAR, "u": unit_b}, admin_a)
    assert plans == {"followUpPlans": []}
    pdf = await api.client.get(batch_b["printPath"], headers={"authorization": f"Bearer {admin_a}"})
    assert pdf.status_code == 404
    # B's kiosk token and code, sent to tenant A's survey.
    for extra, field in [({"kioskToken": kiosk_b["token"]}, "kioskToken"), ({"code": batch_b["codes"][0]["code"]}, "code")]:
        answer = await api.ok(SURVEY, {"i": {"tenant": "kota-isolasi-a", "serviceId": services_a["KTP-el"],
                                             "scores": [4] * 9, **extra}})
        assert _errors(answer["submitSurveyResponse"]) == [(field, "NOT_FOUND")]
    assert (await rows(SurveyCode, tenant_b.id))[0].used_at is None

