"""Competency development through the API: JP counts only verified records of the year, bad input,
no self-verification, catalogue and attendance, recommendations, import, isolation, statements."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import approved_plans, error_codes, rows

from kinerja.auth.models import User
from kinerja.core.csvimport import ImportFailed
from kinerja.core.db import tenant_transaction
from kinerja.core.ids import from_global_id, to_global_id
from kinerja.org.models import Employee, OrgUnit
from kinerja.tenancy.models import Tenant
from kinerja.training.importer import import_training
from kinerja.training.models import TrainingEvent, TrainingRecord

RECORD = ("mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { record { id status jp year category } "
          "userErrors { field code message } } }")
VERIFY = "mutation($id: ID!) { verifyTraining(input: {id: $id}) { record { status } userErrors { field code message } } }"
PROGRESS = ("query($e: ID!, $y: Int!) { trainingProgress(employeeId: $e, year: $y) { targetJp verifiedJp "
            "remainingJp } }")


async def _people(slug):
    tenant = (await rows(Tenant, None, slug=slug))[0]
    users = {u.username: u for u in await rows(User, tenant.id)}
    employees = {name: (await rows(Employee, tenant.id, id=users[name].employee_id))[0]
                 for name in ("pegawai", "atasan", "bkpsdm", "kepala")}
    return tenant, employees


def _training(title, start, end, jp, kind="WORKSHOP", completed=True):
    return {"i": {"title": title, "kind": kind, "organiser": "BKPSDM", "startsOn": start, "endsOn": end, "jp": jp,
                  "completed": completed}}


async def test_only_verified_records_of_the_year_count(api):
    _tenant, people = await _people("tebingtinggi")
    pegawai, hr = await api.token("tebingtinggi", "pegawai"), await api.token("tebingtinggi", "bkpsdm")
    ids = []
    for title, start, end, jp in [("Workshop A", "2024-03-01", "2024-03-02", 10), ("Workshop B", "2024-05-01",
                                  "2024-05-01", 6), ("Workshop C", "2023-12-30", "2023-12-31", 4)]:
        answer = (await api.ok(RECORD, _training(title, start, end, jp), pegawai))["recordTraining"]
        assert answer["userErrors"] == [] and answer["record"]["status"] == "COMPLETED"
        assert answer["record"]["category"] == "KLASIKAL"
        ids.append(answer["record"]["id"])
    for record_id in (ids[0], ids[2]):
        assert (await api.ok(VERIFY, {"id": record_id}, hr))["verifyTraining"]["record"]["status"] == "VERIFIED"
    reject = await api.ok("mutation($id: ID!) { rejectTraining(input: {id: $id, reason: \"Sertifikat tidak sah\"}) "
                          "{ record { status rejectionReason } } }", {"id": ids[1]}, hr)
    assert reject["rejectTraining"]["record"] == {"status": "REJECTED", "rejectionReason": "Sertifikat tidak sah"}
    employee = to_global_id("Employee", people["pegawai"].id)
    assert people["pegawai"].employment_type.value == "PNS"  # a PPPK's window is his contract year (below)
    target = 20
    progress = (await api.ok(PROGRESS, {"e": employee, "y": 2024}, pegawai))["trainingProgress"]
    assert progress == {"targetJp": target, "verifiedJp": 10, "remainingJp": target - 10}
    assert (await api.ok(PROGRESS, {"e": employee, "y": 2023}, pegawai))["trainingProgress"]["verifiedJp"] == 4


async def test_bad_input_writes_nothing(api):
    tenant, _people_ = await _people("tebingtinggi")
    pegawai = await api.token("tebingtinggi", "pegawai")
    before = len(await rows(TrainingRecord, tenant.id))
    for args, field in [(("Kebalik", "2024-06-10", "2024-06-01", 8), "endsOn"),
                        (("Negatif", "2024-06-01", "2024-06-02", -8), "jp"),
                        (("Mustahil", "2024-06-01", "2024-06-02", 5000), "jp"),
                        (("", "2024-06-01", "2024-06-02", 8), "title")]:
        answer = (await api.ok(RECORD, _training(*args), pegawai))["recordTraining"]
        assert answer["record"] is None and answer["userErrors"][0]["field"] == field
    body = await api.post(RECORD, _training("Jenis aneh", "2024-06-01", "2024-06-02", 8, kind="TAMASYA"), pegawai)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert len(await rows(TrainingRecord, tenant.id)) == before


async def test_nobody_verifies_his_own_record(api):
    hr = await api.token("tebingtinggi", "bkpsdm")
    mine = (await api.ok(RECORD, _training("Kursus HR", "2024-02-01", "2024-02-03", 20), hr))["recordTraining"]["record"]
    answer = (await api.ok(VERIFY, {"id": mine["id"]}, hr))["verifyTraining"]
    assert answer["userErrors"][0]["code"] == "FORBIDDEN"
    pegawai = await api.token("tebingtinggi", "pegawai")
    own = (await api.ok(RECORD, _training("Kursus pegawai", "2024-02-01", "2024-02-03", 20), pegawai))["recordTraining"]
    assert (await api.ok(VERIFY, {"id": own["record"]["id"]}, pegawai))["verifyTraining"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_catalogue_registration_capacity_and_attendance(api):
    _tenant, people = await _people("samarinda")
    hr = await api.token("samarinda", "bkpsdm")
    # Beyond the current contract year: Samarinda's pegawai is PPPK, and other tests spend this year's cap.
    start = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    created = await api.ok("mutation($i: CreateTrainingEventInput!) { createTrainingEvent(input: $i) { event { id "
                           "topic capacity } userErrors { field code } } }",
                           {"i": {"title": "Etika Pelayanan", "topic": "Pelayanan Publik", "kind": "BIMTEK",
                                  "startsOn": start, "endsOn": start, "jp": 8, "capacity": 1}}, hr)
    event = created["createTrainingEvent"]["event"]
    assert event["topic"] == "pelayanan publik"
    register = "mutation($e: ID!) { registerForTraining(input: {eventId: $e}) { event { registered } userErrors { code } } }"
    first = (await api.ok(register, {"e": event["id"]}, await api.token("samarinda", "pegawai")))["registerForTraining"]
    assert first == {"event": {"registered": 1}, "userErrors": []}
    full = (await api.ok(register, {"e": event["id"]}, await api.token("samarinda", "kepala")))["registerForTraining"]
    assert full["userErrors"] == [{"code": "CONFLICT"}]
    confirm = ("mutation($e: ID!, $p: ID!) { confirmTrainingAttendance(input: {eventId: $e, employeeId: $p}) "
               "{ record { status jp title } userErrors { field code message } } }")
    attendee = {"e": event["id"], "p": to_global_id("Employee", people["pegawai"].id)}
    early = (await api.ok(confirm, attendee, hr))["confirmTrainingAttendance"]
    assert early["record"] is None and [(e["field"], e["code"]) for e in early["userErrors"]] == [("eventId", "CONFLICT")]
    assert early["userErrors"][0]["message"] == "Attendance is confirmed on or after the first day of the event"
    async with tenant_transaction(_tenant.id):  # the event's first day comes
        await TrainingEvent.filter(tenant_id=_tenant.id, id=from_global_id(event["id"])[1]).update(
            starts_on=dt.date.today())
    confirmed = await api.ok(confirm, attendee, hr)
    assert confirmed["confirmTrainingAttendance"]["record"] == {"status": "VERIFIED", "jp": 8, "title": "Etika Pelayanan"}


async def test_recommendations_follow_from_the_evaluation(api):
    from kinerja.org.models import Period
    from kinerja.org.service import ensure_periods

    tenant, people = await _people("nanggalo")
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, 2028)
    period = next(p for p in await rows(Period, tenant.id, year=2028) if p.kind.value == "ANNUAL")
    await approved_plans(tenant.id, [people["pegawai"].id], 2028)
    atasan = await api.token("nanggalo", "atasan")
    evaluation = (await api.ok(
        "mutation($i: EvaluateEmployeeInput!) { evaluateEmployee(input: $i) { evaluation { id predicate } } }",
        {"i": {"employeeId": to_global_id("Employee", people["pegawai"].id), "periodId": to_global_id("Period", period.id),
               "resultsRating": "DI_BAWAH_EKSPEKTASI", "behaviourRating": "DI_BAWAH_EKSPEKTASI",
               "notes": [{"value": "KOLABORATIF", "note": "Jarang berbagi informasi dengan tim"}]}},
        atasan))["evaluateEmployee"]["evaluation"]
    assert evaluation["predicate"] == "SANGAT_KURANG"
    await api.ok("mutation($id: ID!) { finalizeEvaluation(input: {id: $id}) { evaluation { status } } }",
                 {"id": evaluation["id"]}, atasan)
    query = ("query($e: ID!) { trainingRecommendations(employeeId: $e) { reason topic events { title topic } } }")
    for viewer in ("pegawai", "atasan", "bkpsdm"):
        found = (await api.ok(query, {"e": to_global_id("Employee", people["pegawai"].id)},
                              await api.token("nanggalo", viewer)))["trainingRecommendations"]
        pairs = {(r["reason"], r["topic"]) for r in found}
        assert ("PREDICATE_SANGAT_KURANG", "manajemen waktu") in pairs
        assert ("BEHAVIOUR_KOLABORATIF", "kerja sama tim") in pairs
        teamwork = next(r for r in found if r["topic"] == "kerja sama tim")
        assert [e["title"] for e in teamwork["events"]] == ["Kerja Sama Tim Lintas Bidang"]
    # The mapping is the tenant's to edit.
    hr = await api.token("nanggalo", "bkpsdm")
    rule = await api.ok('mutation { setTrainingRecommendationRule(input: {trigger: BEHAVIOUR_KOLABORATIF, '
                        'topics: ["Komunikasi"]}) { rules { trigger topic } } }', token=hr)
    assert rule["setTrainingRecommendationRule"]["rules"] == [{"trigger": "BEHAVIOUR_KOLABORATIF", "topic": "komunikasi"}]
    found = (await api.ok(query, {"e": to_global_id("Employee", people["pegawai"].id)}, hr))["trainingRecommendations"]
    assert ("BEHAVIOUR_KOLABORATIF", "komunikasi") in {(r["reason"], r["topic"]) for r in found}
    # The triggers are an enum: anything else is refused before the mutation runs.
    refused = await api.post('mutation { setTrainingRecommendationRule(input: {trigger: ANYTHING, topics: ["x"]}) '
                             "{ userErrors { field code } } }", token=hr)
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["BAD_USER_INPUT"] and not refused.get("data")


async def test_import_reports_bad_rows_by_line_and_writes_all_or_nothing():
    tenant, people = await _people("bungo")
    nip = people["pegawai"].nip
    header = "NIP,NAMA_KURSUS,JENIS_KURSUS,INSTITUSI_PENYELENGGARA,TANGGAL_MULAI,TANGGAL_SELESAI,JUMLAH_JAM,NO_SERTIFIKAT\n"
    good = f"{nip},Diklat PIM IV,KEPEMIMPINAN,BPSDM,2022-03-01,2022-05-30,380,PIM/2022/11\n"
    bad = (f"{nip},Seminar,SEMINAR,LAN,2022-06-02,2022-06-01,4,\n"
           f"199999999999999999,Kursus,KURSUS,LAN,2022-06-01,2022-06-01,4,\n"
           f"{nip},Kursus,TAMASYA,LAN,2022-06-01,2022-06-01,4,\n"
           f"{nip},Kursus,KURSUS,LAN,01/06/2022,kemarin,4,\n"
           f"{nip},Kursus,KURSUS,LAN,2022-06-01,2022-06-01,-3,\n")
    before = len(await rows(TrainingRecord, tenant.id))
    with pytest.raises(ImportFailed) as caught:
        await import_training("bungo", header + good + bad, "kursus.csv")
    assert {(e.line, e.column) for e in caught.value.errors} == {
        (3, "ENDSON"), (4, "NIP"), (5, "JENIS"), (6, "TANGGAL_SELESAI"), (7, "JP")}
    assert len(await rows(TrainingRecord, tenant.id)) == before
    result = await import_training("bungo", header + good.replace("2022-03-01", "01-03-2022"), "kursus.csv")
    assert result.created == 1
    imported = await rows(TrainingRecord, tenant.id, certificate_number="PIM/2022/11")
    assert imported[0].status.value == "VERIFIED" and imported[0].jp == 380


async def test_other_tenants_are_not_found(api):
    _tenant, people = await _people("samarinda")
    attacker = await api.token("bungo", "admin")
    body = await api.post(PROGRESS, {"e": to_global_id("Employee", people["pegawai"].id), "y": 2026}, attacker)
    assert error_codes(body) == ["NOT_FOUND"]
    victim = (await rows(TrainingRecord, (await rows(Tenant, None, slug="samarinda"))[0].id))[0]
    answer = (await api.ok(VERIFY, {"id": to_global_id("TrainingRecord", victim.id)}, attacker))["verifyTraining"]
    assert answer["userErrors"][0]["code"] == "NOT_FOUND"
    samarinda_unit = (await rows(OrgUnit, (await rows(Tenant, None, slug="samarinda"))[0].id))[0]
    body = await api.post("query($u: ID) { unitTrainingProgress(year: 2026, orgUnitId: $u) { employees } }",
                          {"u": to_global_id("OrgUnit", samarinda_unit.id)}, attacker)
    assert error_codes(body) == ["NOT_FOUND"]
    pegawai = await api.token("bungo", "pegawai")
    _t, bungo = await _people("bungo")
    body = await api.post(PROGRESS, {"e": to_global_id("Employee", bungo["atasan"].id), "y": 2026}, pegawai)
    assert error_codes(body) == ["NOT_FOUND"]  # a colleague's record is out of pegawai's scope


async def test_progress_lists_use_a_fixed_number_of_statements(api, count_statements):
    tenant = (await rows(Tenant, None, slug="tangerang-selatan"))[0]
    hr = await api.token("tangerang-selatan", "bkpsdm")
    small = next(u for u in await rows(OrgUnit, tenant.id) if u.code.startswith("KEC-") and u.parent_id)
    query = ("query($u: ID) { unitTrainingProgress(year: 2026, orgUnitId: $u) { employees employeesMeetingTarget "
             "targetJp verifiedJp belowTarget { employee { name orgUnit { name } } remainingJp } } }")
    counts = []
    for unit in (to_global_id("OrgUnit", small.id), None):
        count_statements.statements.clear()
        data = (await api.ok(query, {"u": unit}, hr))["unitTrainingProgress"]
        counts.append((data["employees"], len(count_statements.statements)))
    assert counts[0][0] < counts[1][0]
    assert counts[1][1] <= counts[0][1] + 1, counts  # the subtree lookup is the only extra
    everyone = (await api.ok(query, {"u": None}, hr))["unitTrainingProgress"]
    assert everyone["employees"] == len(await rows(Employee, tenant.id))
    assert everyone["employees"] - everyone["employeesMeetingTarget"] == len(everyone["belowTarget"])


PPPK_PROGRESS = ("query($e: ID!, $y: Int!) { trainingProgress(employeeId: $e, year: $y) { rule startsOn endsOn "
                 "targetJp verifiedJp remainingJp } }")


async def test_pppk_jp_is_a_cap_per_contract_year(api):
    """PP 49/2018 art. 40(1): PPPK competency development is "paling lama 24 JP dalam 1 tahun masa
    perjanjian kerja": a cap per contract year from the contract start, not a calendar-year target.
    Progress shows the allowance left; a registration beyond the cap is refused. PNS keep the target
    of 20 JP per calendar year (PP 17/2020 art. 203(4))."""
    tenant, people = await _people("nanggalo")
    pppk = people["bkpsdm"]
    async with tenant_transaction(tenant.id):
        await Employee.filter(tenant_id=tenant.id, id=pppk.id).update(
            employment_type="PPPK", contract_starts_on=dt.date(2024, 2, 29))
    hr, admin = await api.token("nanggalo", "bkpsdm"), await api.token("nanggalo", "admin")
    today = dt.date.today()
    # A contract of 29 February 2024 counts its years from 28 February.
    begins = dt.date(today.year, 2, 28) if dt.date(today.year, 2, 28) <= today else dt.date(today.year - 1, 2, 28)
    progress = (await api.ok(PPPK_PROGRESS, {"e": to_global_id("Employee", pppk.id), "y": begins.year},
                             admin))["trainingProgress"]
    assert progress["rule"] == "CAP_CONTRACT_YEAR" and progress["startsOn"] == begins.isoformat()
    assert progress["targetJp"] == 24
    assert progress["endsOn"] == dt.date(begins.year + 1, 2, 27).isoformat()
    pns = (await api.ok(PPPK_PROGRESS, {"e": to_global_id("Employee", people["pegawai"].id), "y": 2024},
                        admin))["trainingProgress"]
    assert (pns["rule"], pns["startsOn"], pns["endsOn"]) == ("TARGET_CALENDAR_YEAR", "2024-01-01", "2024-12-31")

    create = ("mutation($i: CreateTrainingEventInput!) { createTrainingEvent(input: $i) { event { id } "
              "userErrors { code } } }")
    register = ("mutation($e: ID!) { registerForTraining(input: {eventId: $e}) { event { registered } "
                "userErrors { field code message } } }")
    day = (today + dt.timedelta(days=3)).isoformat()
    events = []
    for title, jp in (("Orientasi PPPK", 16), ("Etika ASN", 8), ("Literasi Digital", 4)):
        made = (await api.ok(create, {"i": {"title": title, "topic": "pppk", "kind": "BIMTEK", "startsOn": day,
                                            "endsOn": day, "jp": jp, "capacity": 10}}, admin))["createTrainingEvent"]
        events.append(made["event"]["id"])
    within = [(await api.ok(register, {"e": e}, hr))["registerForTraining"] for e in events[:2]]
    assert all(w["userErrors"] == [] for w in within)  # 16 + 8 = 24 JP: the cap, not beyond
    beyond = (await api.ok(register, {"e": events[2]}, hr))["registerForTraining"]
    assert [(e["field"], e["code"]) for e in beyond["userErrors"]] == [("eventId", "CONFLICT")]
    assert "PP 49/2018 art. 40(1)" in beyond["userErrors"][0]["message"] and "24 JP" in beyond["userErrors"][0]["message"]
    # A PNS registers for the same event: a target is no cap.
    pns_registers = (await api.ok(register, {"e": events[2]}, await api.token("nanggalo", "pegawai")))
    assert pns_registers["registerForTraining"]["userErrors"] == []
