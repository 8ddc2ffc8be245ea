"""Evaluation integrity through the API: who rates a unit and whom an assessor may rate, acting
assessors (Plt/Plh), no silent override of a head's results rating, the approved-SKP precondition and
HR's waiver of it, an indicator for every RHK before submission. Each test names its regulation."""

from __future__ import annotations

import datetime as dt

from conftest import approved_plans, rows

from kinerja.auth.models import User
from kinerja.core.audit_models import AuditLog
from kinerja.core.db import tenant_transaction
from kinerja.core.ids import to_global_id
from kinerja.org.models import Employee, OrgUnit, Period
from kinerja.org.service import ensure_periods
from kinerja.plans.models import PerformancePlan
from kinerja.plans.rules import Approach, PlanStatus
from kinerja.tenancy.models import Tenant

ERRORS = "userErrors { field code message }"
EVALUATE = ("mutation($i: EvaluateEmployeeInput!) { evaluateEmployee(input: $i) { evaluation { id predicate "
            f"assessor {{ id }} employee {{ id }} }} {ERRORS} }} }}")
SET_UNIT = ("mutation($i: SetUnitPerformanceInput!) { setUnitPerformance(input: $i) { unitPerformance { rating } "
            f"{ERRORS} }} }}")
ASSIGN = ("mutation($i: AssignActingAssessorInput!) { assignActingAssessor(input: $i) { actingAssessor { kind startsOn "
          f"endsOn official {{ id }} acting {{ id }} }} {ERRORS} }} }}")
WAIVE = ("mutation($i: WaiveApprovedPlanInput!) { waiveApprovedPlan(input: $i) { planWaiver { year reason "
         f"employee {{ id }} }} {ERRORS} }} }}")


async def _people(slug: str, year: int):
    tenant = (await rows(Tenant, None, slug=slug))[0]
    users = {u.username: u for u in await rows(User, tenant.id)}
    employees = {name: (await rows(Employee, tenant.id, id=users[name].employee_id))[0]
                 for name in ("kepala", "atasan", "pegawai", "bkpsdm")}
    team = sorted(await rows(Employee, tenant.id, supervisor_id=employees["atasan"].id), key=lambda e: e.nip)
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    period = sorted((p for p in await rows(Period, tenant.id, year=year) if p.kind.value != "ANNUAL"),
                    key=lambda p: p.sequence)[0]
    return tenant, employees, team, period


def _evaluate(employee, period, results="SESUAI_EKSPEKTASI", behaviour="SESUAI_EKSPEKTASI"):
    return {"i": {"employeeId": to_global_id("Employee", employee.id), "periodId": to_global_id("Period", period.id),
                  "resultsRating": results, "behaviourRating": behaviour}}


def _unit(unit_id, period, rating="BAIK"):
    return {"i": {"orgUnitId": to_global_id("OrgUnit", unit_id), "periodId": to_global_id("Period", period.id),
                  "rating": rating}}


def _codes(payload: dict) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def test_a_unit_is_rated_by_the_official_above_it_never_by_its_head(api):
    """SE MenPANRB 3/2023: the unit's achievement is rated by the leader of the organisation above it
    (pimpinan organisasi di atasnya), never by the unit's own head; a top-level perangkat daerah by its
    head's superior or the regional official."""
    tenant, people, _team, period = await _people("samarinda", 2033)
    top = (await rows(OrgUnit, tenant.id, id=people["kepala"].org_unit_id))[0]
    sub = (await rows(OrgUnit, tenant.id, id=people["atasan"].org_unit_id))[0]
    assert top.parent_id is None and sub.parent_id == top.id and top.head_id == people["kepala"].id
    kepala, atasan, hr = [await api.token("samarinda", u) for u in ("kepala", "atasan", "bkpsdm")]

    own = (await api.ok(SET_UNIT, _unit(top.id, period, "ISTIMEWA"), kepala))["setUnitPerformance"]
    assert _codes(own) == [("orgUnitId", "FORBIDDEN")] and "never sets its own" in own["userErrors"][0]["message"]
    own_sub = (await api.ok(SET_UNIT, _unit(sub.id, period, "ISTIMEWA"), atasan))["setUnitPerformance"]
    assert [e["code"] for e in own_sub["userErrors"]] == ["FORBIDDEN"]
    regional_on_sub = (await api.ok(SET_UNIT, _unit(sub.id, period), hr))["setUnitPerformance"]
    assert _codes(regional_on_sub) == [("orgUnitId", "FORBIDDEN")]  # tenant scope does not make HR the official above

    above = (await api.ok(SET_UNIT, _unit(sub.id, period, "BAIK"), kepala))["setUnitPerformance"]
    assert above == {"unitPerformance": {"rating": "BAIK"}, "userErrors": []}
    regional = (await api.ok(SET_UNIT, _unit(top.id, period, "BAIK"), hr))["setUnitPerformance"]
    assert regional == {"unitPerformance": {"rating": "BAIK"}, "userErrors": []}
    foreign = (await api.ok(SET_UNIT, _unit(sub.id, period), await api.token("bungo", "kepala")))["setUnitPerformance"]
    assert _codes(foreign) == [("orgUnitId", "NOT_FOUND")]


async def test_the_assessor_is_the_direct_supervisor_and_is_recorded(api):
    """PermenPANRB 6/2022: the pejabat penilai is the direct supervisor; never the evaluatee, never a
    login without an employee record, and a tenant-wide permission alone makes no one an assessor."""
    tenant, people, team, period = await _people("bungo", 2034)
    member = team[0]
    await approved_plans(tenant.id, [member.id, people["kepala"].id], period.year)
    admin = (await api.ok(EVALUATE, _evaluate(member, period), await api.token("bungo", "admin")))["evaluateEmployee"]
    assert _codes(admin) == [("employeeId", "FORBIDDEN")]
    assert admin["userErrors"][0]["message"] == "A login without an employee record cannot be an assessor"
    own = (await api.ok(EVALUATE, _evaluate(people["kepala"], period),
                        await api.token("bungo", "kepala")))["evaluateEmployee"]
    assert own["userErrors"][0]["message"] == "An assessor never evaluates himself or herself"
    hr = (await api.ok(EVALUATE, _evaluate(member, period), await api.token("bungo", "bkpsdm")))["evaluateEmployee"]
    assert _codes(hr) == [("employeeId", "FORBIDDEN")] and hr["evaluation"] is None
    done = (await api.ok(EVALUATE, _evaluate(member, period), await api.token("bungo", "atasan")))["evaluateEmployee"]
    assert done["userErrors"] == []
    assert done["evaluation"]["assessor"]["id"] == to_global_id("Employee", people["atasan"].id)
    assert done["evaluation"]["employee"]["id"] == to_global_id("Employee", member.id)


async def test_hr_assigns_acting_assessors_for_a_date_range(api):
    """PermenPANRB 6/2022 with Surat Edaran Kepala BKN 1/2021 (Plt/Plh): while the official is away,
    the Plt/Plh HR assigned assesses his direct subordinates, and is recorded as the assessor; outside
    the assignment's dates, not."""
    tenant, people, team, period = await _people("tebingtinggi", 2034)
    member = team[1]
    await approved_plans(tenant.id, [member.id], period.year)
    kepala, hr, pegawai = [await api.token("tebingtinggi", u) for u in ("kepala", "bkpsdm", "pegawai")]
    before = (await api.ok(EVALUATE, _evaluate(member, period), kepala))["evaluateEmployee"]
    assert _codes(before) == [("employeeId", "FORBIDDEN")]

    today = dt.datetime.now(dt.UTC).date()
    assignment = {"officialId": to_global_id("Employee", people["atasan"].id),
                  "actingId": to_global_id("Employee", people["kepala"].id), "kind": "PLH",
                  "startsOn": str(today - dt.timedelta(days=1)), "endsOn": str(today + dt.timedelta(days=1))}
    refused = (await api.ok(ASSIGN, {"i": assignment}, pegawai))["assignActingAssessor"]
    assert refused["actingAssessor"] is None and refused["userErrors"][0]["code"] == "FORBIDDEN"
    itself = (await api.ok(ASSIGN, {"i": {**assignment, "actingId": assignment["officialId"]}}, hr))["assignActingAssessor"]
    assert _codes(itself) == [("actingId", "BAD_USER_INPUT")]
    backwards = (await api.ok(ASSIGN, {"i": {**assignment, "endsOn": str(today - dt.timedelta(days=5))}},
                              hr))["assignActingAssessor"]
    assert _codes(backwards) == [("endsOn", "BAD_USER_INPUT")]
    made = (await api.ok(ASSIGN, {"i": assignment}, hr))["assignActingAssessor"]
    assert made["userErrors"] == [] and made["actingAssessor"]["kind"] == "PLH"
    assert made["actingAssessor"]["acting"]["id"] == assignment["actingId"]
    again = (await api.ok(ASSIGN, {"i": assignment}, hr))["assignActingAssessor"]
    assert _codes(again) == [("startsOn", "CONFLICT")]
    [entry] = await rows(AuditLog, tenant.id, operation="assignActingAssessor")
    assert entry.object_type == "ActingAssessor"

    acting = (await api.ok(EVALUATE, _evaluate(member, period), kepala))["evaluateEmployee"]
    assert acting["userErrors"] == []
    assert acting["evaluation"]["assessor"]["id"] == to_global_id("Employee", people["kepala"].id)

    expired = {**assignment, "actingId": to_global_id("Employee", people["bkpsdm"].id), "kind": "PLT",
               "startsOn": str(today - dt.timedelta(days=60)), "endsOn": str(today - dt.timedelta(days=30))}
    assert (await api.ok(ASSIGN, {"i": expired}, hr))["assignActingAssessor"]["userErrors"] == []
    late = (await api.ok(EVALUATE, _evaluate(team[2], period), hr))["evaluateEmployee"]
    assert _codes(late) == [("employeeId", "FORBIDDEN")]

    # Another tenant's HR names these employees: not found, exactly like unknown ids.
    foreign = (await api.ok(ASSIGN, {"i": assignment}, await api.token("bungo", "bkpsdm")))["assignActingAssessor"]
    assert _codes(foreign) == [("officialId", "NOT_FOUND")]


async def test_evaluation_needs_an_approved_skp_unless_hr_waives_it(api):
    """PermenPANRB 6/2022 (art. 5): evaluation follows the approved SKP of the year. A tenant rule, on by
    default; HR may waive it for one employee and year with a reason, and the waiver is audited."""
    tenant, people, team, period = await _people("nanggalo", 2035)
    member, returned = team[0], team[1]
    async with tenant_transaction(tenant.id):
        await PerformancePlan.create(tenant_id=tenant.id, employee_id=returned.id, year=period.year,
                                     approach=Approach.KUANTITATIF, status=PlanStatus.RETURNED,
                                     return_reason="Indikator belum terukur")
    atasan, hr = await api.token("nanggalo", "atasan"), await api.token("nanggalo", "bkpsdm")
    for who in (member, returned):
        missing = (await api.ok(EVALUATE, _evaluate(who, period), atasan))["evaluateEmployee"]
        assert _codes(missing) == [("employeeId", "CONFLICT")] and missing["evaluation"] is None
        assert "no approved SKP for 2035" in missing["userErrors"][0]["message"]

    waiver = {"employeeId": to_global_id("Employee", member.id), "year": period.year,
              "reason": "SKP tertunda karena mutasi jabatan"}
    not_hr = (await api.ok(WAIVE, {"i": waiver}, atasan))["waiveApprovedPlan"]
    assert not_hr["userErrors"][0]["code"] == "FORBIDDEN"
    no_reason = (await api.ok(WAIVE, {"i": {**waiver, "reason": "  "}}, hr))["waiveApprovedPlan"]
    assert _codes(no_reason) == [("reason", "BAD_USER_INPUT")]
    foreign = (await api.ok(WAIVE, {"i": waiver}, await api.token("bungo", "bkpsdm")))["waiveApprovedPlan"]
    assert _codes(foreign) == [("employeeId", "NOT_FOUND")]
    granted = (await api.ok(WAIVE, {"i": waiver}, hr))["waiveApprovedPlan"]
    assert granted["userErrors"] == [] and granted["planWaiver"]["reason"] == waiver["reason"]
    again = (await api.ok(WAIVE, {"i": waiver}, hr))["waiveApprovedPlan"]
    assert _codes(again) == [("year", "CONFLICT")]
    [entry] = await rows(AuditLog, tenant.id, operation="waiveApprovedPlan")
    assert entry.object_type == "PlanWaiver" and entry.changes["reason"]["after"] == waiver["reason"]

    evaluated = (await api.ok(EVALUATE, _evaluate(member, period), atasan))["evaluateEmployee"]
    assert evaluated["userErrors"] == []
    still = (await api.ok(EVALUATE, _evaluate(returned, period), atasan))["evaluateEmployee"]
    assert _codes(still) == [("employeeId", "CONFLICT")]  # the waiver is the one employee's


PLAN_ERRORS = "plan { id status } userErrors { field code message }"


async def test_a_plan_is_submitted_with_an_indicator_for_every_rhk(api):
    """PermenPANRB 6/2022: every RHK of the SKP, main or additional, is measured by at least one
    indikator kinerja individu; a plan with an RHK lacking one is not submitted."""
    token = await api.token("tebingtinggi", "pegawai")
    plan = (await api.ok(f"mutation($i: CreatePerformancePlanInput!) {{ createPerformancePlan(input: $i) {{ {PLAN_ERRORS} }} }}",
                         {"i": {"year": 2036, "approach": "KUANTITATIF"}}, token))["createPerformancePlan"]["plan"]
    add_result = ("mutation($i: AddResultTargetInput!) { addResultTarget(input: $i) { resultTarget { id } "
                  "userErrors { code } } }")
    add_indicator = ("mutation($i: AddIndicatorInput!) { addIndicator(input: $i) { indicator { id } "
                     "userErrors { code } } }")
    ids = []
    for kind, text in (("UTAMA", "Tersusunnya laporan layanan"), ("TAMBAHAN", "Terlaksananya sosialisasi")):
        ids.append((await api.ok(add_result, {"i": {"planId": plan["id"], "kind": kind, "description": text}},
                                 token))["addResultTarget"]["resultTarget"]["id"])

    def indicator(result_id):
        return {"i": {"resultId": result_id, "aspect": "KUANTITAS", "description": "Jumlah dokumen",
                      "targetValue": "4", "targetUnit": "dokumen"}}

    assert (await api.ok(add_indicator, indicator(ids[0]), token))["addIndicator"]["userErrors"] == []
    submit = f"mutation($id: ID!) {{ submitPerformancePlan(input: {{id: $id}}) {{ {PLAN_ERRORS} }} }}"
    refused = (await api.ok(submit, {"id": plan["id"]}, token))["submitPerformancePlan"]
    assert _codes(refused) == [("id", "BAD_USER_INPUT")] and refused["plan"] is None
    assert refused["userErrors"][0]["message"] == ("Every result target (RHK) needs at least one indicator before "
                                                   "the plan is submitted")
    assert (await api.ok(add_indicator, indicator(ids[1]), token))["addIndicator"]["userErrors"] == []
    submitted = (await api.ok(submit, {"id": plan["id"]}, token))["submitPerformancePlan"]
    assert submitted["userErrors"] == [] and submitted["plan"]["status"] == "SUBMITTED"


FINALIZE = "mutation($id: ID!) { finalizeEvaluation(input: {id: $id}) { evaluation { status } userErrors { code } } }"
ACKNOWLEDGE = ("mutation($id: ID!) { acknowledgeEvaluation(input: {id: $id}) { evaluation { acknowledgedAt } "
               f"{ERRORS} }} }}")
OBJECTION_FIELDS = ("id status reason decisionReason filedAt decidedAt reviewer { id } employee { id } "
                    "evaluation { id } correction { version status predicate correctionReason assessor { id } }")
FILE = ("mutation($i: FileObjectionInput!) { fileObjection(input: $i) { objection { "
        f"{OBJECTION_FIELDS} }} {ERRORS} }} }}")
DECIDE = ("mutation($i: DecideObjectionInput!) { decideObjection(input: $i) { objection { "
          f"{OBJECTION_FIELDS} }} {ERRORS} }} }}")


async def _final_evaluation(api, slug: str, year: int, member, behaviour="SESUAI_EKSPEKTASI", sequence=0):
    tenant = (await rows(Tenant, None, slug=slug))[0]
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    period = sorted((p for p in await rows(Period, tenant.id, year=year) if p.kind.value != "ANNUAL"),
                    key=lambda p: p.sequence)[sequence]
    await approved_plans(tenant.id, [member.id], year)
    atasan = await api.token(slug, "atasan")
    made = (await api.ok(EVALUATE, _evaluate(member, period, behaviour=behaviour), atasan))["evaluateEmployee"]
    assert made["userErrors"] == [], made
    return made["evaluation"]["id"]


async def test_acknowledgement_and_objection_decided_by_the_assessors_superior(api):
    """PP 30/2019 art. 59: the evaluated employee may object, with reasons, to the superior of the
    assessor within 14 days of receiving the result; the superior may change the result (here: a
    corrected version linked to the objection), which is then final. The employee acknowledges the
    result with a read receipt. The employee, the assessor, the superior and HR see the timeline."""
    _tenant, people, _team, _period = await _people("bungo", 2037)
    pegawai, atasan, kepala, hr = [await api.token("bungo", u) for u in ("pegawai", "atasan", "kepala", "bkpsdm")]
    evaluation_id = await _final_evaluation(api, "bungo", 2037, people["pegawai"])
    draft = (await api.ok(ACKNOWLEDGE, {"id": evaluation_id}, pegawai))["acknowledgeEvaluation"]
    assert _codes(draft) == [("id", "CONFLICT")]  # a draft is not yet a result
    assert (await api.ok(FINALIZE, {"id": evaluation_id}, atasan))["finalizeEvaluation"]["userErrors"] == []
    not_hers = (await api.ok(ACKNOWLEDGE, {"id": evaluation_id}, atasan))["acknowledgeEvaluation"]
    assert _codes(not_hers) == [("id", "FORBIDDEN")]
    seen = (await api.ok(ACKNOWLEDGE, {"id": evaluation_id}, pegawai))["acknowledgeEvaluation"]
    assert seen["userErrors"] == [] and seen["evaluation"]["acknowledgedAt"]
    assert _codes((await api.ok(ACKNOWLEDGE, {"id": evaluation_id}, pegawai))["acknowledgeEvaluation"]) == [
        ("id", "CONFLICT")]

    objection = {"evaluationId": evaluation_id, "reason": "Bukti capaian triwulan belum dipertimbangkan"}
    assert _codes((await api.ok(FILE, {"i": {**objection, "reason": " "}}, pegawai))["fileObjection"]) == [
        ("reason", "BAD_USER_INPUT")]
    by_assessor = (await api.ok(FILE, {"i": objection}, atasan))["fileObjection"]
    assert _codes(by_assessor) == [("id", "FORBIDDEN")]
    filed = (await api.ok(FILE, {"i": objection}, pegawai))["fileObjection"]
    assert filed["userErrors"] == [] and filed["objection"]["status"] == "FILED"
    assert filed["objection"]["reviewer"]["id"] == to_global_id("Employee", people["kepala"].id)
    assert _codes((await api.ok(FILE, {"i": objection}, pegawai))["fileObjection"]) == [("id", "CONFLICT")]

    decision = {"id": filed["objection"]["id"], "decision": "ACCEPT", "reason": "Bukti dukung diterima"}
    assessor_decides = (await api.ok(DECIDE, {"i": {**decision, "behaviourRating": "DI_ATAS_EKSPEKTASI"}},
                                     atasan))["decideObjection"]
    assert _codes(assessor_decides) == [("id", "FORBIDDEN")]
    unchanged = (await api.ok(DECIDE, {"i": decision}, kepala))["decideObjection"]
    assert _codes(unchanged) == [("resultsRating", "BAD_USER_INPUT")]
    foreign = (await api.ok(DECIDE, {"i": {**decision, "behaviourRating": "DI_ATAS_EKSPEKTASI"}},
                            await api.token("samarinda", "kepala")))["decideObjection"]
    assert _codes(foreign) == [("id", "NOT_FOUND")]
    accepted = (await api.ok(DECIDE, {"i": {**decision, "behaviourRating": "DI_ATAS_EKSPEKTASI"}},
                             kepala))["decideObjection"]
    assert accepted["userErrors"] == []
    decided = accepted["objection"]
    assert decided["status"] == "ACCEPTED" and decided["decidedAt"] and decided["decisionReason"] == decision["reason"]
    assert decided["correction"] == {"version": 2, "status": "FINAL", "predicate": "BAIK",
                                     "correctionReason": decision["reason"],
                                     "assessor": {"id": to_global_id("Employee", people["kepala"].id)}}
    again = (await api.ok(DECIDE, {"i": {**decision, "decision": "REJECT"}}, kepala))["decideObjection"]
    assert _codes(again) == [("id", "CONFLICT")]

    timeline = ("query($e: ID!) { objections(filter: {evaluationId: $e}) { nodes { id status reason "
                "decisionReason correction { version } } } }")
    seen_by = {}
    for name, token in (("pegawai", pegawai), ("atasan", atasan), ("kepala", kepala), ("bkpsdm", hr)):
        seen_by[name] = (await api.ok(timeline, {"e": evaluation_id}, token))["objections"]["nodes"]
    assert all(nodes == seen_by["pegawai"] and len(nodes) == 1 for nodes in seen_by.values()), seen_by
    history = await api.ok("query($id: ID!) { node(id: $id) { ... on Evaluation { acknowledgedAt "
                           "objection { status } history { version status } } } }", {"id": evaluation_id}, pegawai)
    assert history["node"]["objection"] == {"status": "ACCEPTED"} and history["node"]["acknowledgedAt"]
    assert [h["status"] for h in history["node"]["history"]] == ["CORRECTED", "FINAL"]
    stranger = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": decided["id"]},
                              await api.token("samarinda", "admin"))
    assert stranger.get("data", {}).get("node") is None
    to_decide = (await api.ok("{ objections(filter: {toDecide: true, status: ACCEPTED}) { nodes { id } } }", None,
                              kepala))["objections"]["nodes"]
    assert {"id": decided["id"]} in to_decide


async def test_an_objection_is_rejected_with_a_reason_or_refused_after_the_period(api):
    """PP 30/2019 art. 59(2): the objection is filed at the latest 14 days (the tenant setting
    objection_days) after the result; (4) the superior may keep it, giving his reason."""
    tenant, people, team, _period = await _people("tebingtinggi", 2037)
    pegawai, atasan, kepala = [await api.token("tebingtinggi", u) for u in ("pegawai", "atasan", "kepala")]
    kept = await _final_evaluation(api, "tebingtinggi", 2037, people["pegawai"])
    late = await _final_evaluation(api, "tebingtinggi", 2037, people["pegawai"], sequence=1)
    for evaluation_id in (kept, late):
        assert (await api.ok(FINALIZE, {"id": evaluation_id}, atasan))["finalizeEvaluation"]["userErrors"] == []
    from kinerja.core.ids import from_global_id
    from kinerja.evaluations.models import Evaluation

    async with tenant_transaction(tenant.id):
        await Evaluation.filter(tenant_id=tenant.id, id=from_global_id(late)[1]).update(
            finalized_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
    refused = (await api.ok(FILE, {"i": {"evaluationId": late, "reason": "Terlambat"}}, pegawai))["fileObjection"]
    assert _codes(refused) == [("id", "CONFLICT")] and "14 days" in refused["userErrors"][0]["message"]

    filed = (await api.ok(FILE, {"i": {"evaluationId": kept, "reason": "Nilai perilaku terlalu rendah"}},
                          pegawai))["fileObjection"]["objection"]
    no_reason = (await api.ok(DECIDE, {"i": {"id": filed["id"], "decision": "REJECT", "reason": ""}},
                              kepala))["decideObjection"]
    assert _codes(no_reason) == [("reason", "BAD_USER_INPUT")]
    rejected = (await api.ok(DECIDE, {"i": {"id": filed["id"], "decision": "REJECT",
                                            "reason": "Penilaian sesuai bukti dukung"}}, kepala))["decideObjection"]
    assert rejected["userErrors"] == [] and rejected["objection"]["status"] == "REJECTED"
    assert rejected["objection"]["correction"] is None


async def test_the_demo_keeps_these_rules():
    """The demo data follows the same rules: PermenPANRB 6/2022 (every evaluation rests on an approved
    or closed SKP of its year), SE MenPANRB 3/2023 (no unit rated by its own head), and the NIP's gender
    digit (PP 30/2019 jo. Peraturan BKN on the NIP: 1 laki-laki, 2 perempuan) fits the name."""
    from kinerja.core.paths import tenants_dir
    from kinerja.demo.names import FEMALE_FIRST, FEMALE_LAST, MALE_FIRST, MALE_LAST
    from kinerja.evaluations.models import Evaluation, UnitPerformance

    demo_slugs = {path.stem for path in tenants_dir().glob("*.toml")}
    for tenant in await rows(Tenant, None):
        if tenant.slug not in demo_slugs:
            continue
        plans = {p.id: p for p in await rows(PerformancePlan, tenant.id)}
        periods = {p.id: p for p in await rows(Period, tenant.id)}
        demo = [e for e in await rows(Evaluation, tenant.id) if periods[e.period_id].year <= dt.date.today().year]
        assert demo, tenant.slug
        for evaluation in demo:
            plan = plans.get(evaluation.plan_id)
            assert plan is not None and plan.status in (PlanStatus.APPROVED, PlanStatus.CLOSED), tenant.slug
            assert (plan.employee_id, plan.year) == (evaluation.employee_id, periods[evaluation.period_id].year)
        users = {u.id: u.employee_id for u in await rows(User, tenant.id)}
        heads = {u.id: u.head_id for u in await rows(OrgUnit, tenant.id)}
        for rating in await rows(UnitPerformance, tenant.id):
            assert users.get(rating.set_by_id) != heads[rating.org_unit_id], tenant.slug
        for employee in await rows(Employee, tenant.id):
            name = employee.name.split(", ")[0].removeprefix("dr. ").removeprefix("Ir. ").removeprefix("Drs. ")
            if " " not in name:
                continue  # a name imported by a test
            first, last = name.split(" ", 1)
            firsts, lasts = (MALE_FIRST, MALE_LAST) if employee.nip[14] == "1" else (FEMALE_FIRST, FEMALE_LAST)
            if first in MALE_FIRST + FEMALE_FIRST and last in MALE_LAST + FEMALE_LAST:  # not renamed by a test
                assert first in firsts and last in lasts, (employee.nip, employee.name)


LEDGER = ("query($e: ID!) { creditLedger(employeeId: $e) { nodes { year level coefficient points reversal "
          "runningTotal evaluation { version } } } creditAssessments(employeeId: $e) { year level points total } }")
ISSUE = ("mutation($i: IssueCreditAssessmentInput!) { issueCreditAssessment(input: $i) { creditAssessment { year "
         f"level points total }} {ERRORS} }} }}")


async def test_credit_ledger_accumulates_and_the_pak_is_issued_once(api):
    """Peraturan BKN 3/2023: a final annual evaluation of a functional position books the jenjang's
    yearly coefficient x the predicate's share in the employee's ledger; a correction reverses and
    rebooks; HR issues the PAK of the year (points of the year, accumulated total) once."""
    from decimal import Decimal

    from kinerja.org.models import Position

    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    positions = {p.id: p for p in await rows(Position, tenant.id)}
    users = {u.username: u for u in await rows(User, tenant.id)}
    team = sorted(await rows(Employee, tenant.id, supervisor_id=users["atasan"].employee_id), key=lambda e: e.nip)
    member = next(m for m in team if m.position_id and positions[m.position_id].level)
    level = positions[member.position_id].level.value
    coefficient = Decimal({"AHLI_PERTAMA": "12.5", "AHLI_MUDA": "25", "AHLI_MADYA": "37.5", "AHLI_UTAMA": "50",
                           "PEMULA": "3.75", "TERAMPIL": "5", "MAHIR": "12.5", "PENYELIA": "25"}[level])
    atasan, hr = await api.token("bungo", "atasan"), await api.token("bungo", "bkpsdm")
    ledger = {"e": to_global_id("Employee", member.id)}
    totals = []
    for year in (2038, 2039):
        async with tenant_transaction(tenant.id):
            await ensure_periods(tenant, year)
        annual = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value == "ANNUAL")
        quarter = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value != "ANNUAL")
        await approved_plans(tenant.id, [member.id], year)
        for period in (quarter, annual):  # a periodic evaluation shows its points but books none
            made = (await api.ok(EVALUATE, _evaluate(member, period), atasan))["evaluateEmployee"]
            assert (await api.ok(FINALIZE, {"id": made["evaluation"]["id"]}, atasan))["finalizeEvaluation"][
                "userErrors"] == []
        totals.append(made["evaluation"]["id"])
    nodes = (await api.ok(LEDGER, ledger, hr))["creditLedger"]["nodes"]
    assert [(n["year"], n["level"], Decimal(n["points"]), n["reversal"]) for n in nodes] == [
        (2038, level, coefficient, False), (2039, level, coefficient, False)]  # BAIK: 100 %
    assert [Decimal(n["runningTotal"]) for n in nodes] == [coefficient, 2 * coefficient]
    assert Decimal(nodes[0]["coefficient"]) == coefficient

    correction = (await api.ok("mutation($i: CorrectEvaluationInput!) { correctEvaluation(input: $i) { "
                               "userErrors { code } } }",
                               {"i": {"id": totals[1], "reason": "Capaian tahunan dikoreksi",
                                      "resultsRating": "DI_ATAS_EKSPEKTASI",
                                      "behaviourRating": "DI_ATAS_EKSPEKTASI"}}, atasan))["correctEvaluation"]
    assert correction["userErrors"] == []
    nodes = (await api.ok(LEDGER, ledger, hr))["creditLedger"]["nodes"]
    assert [(Decimal(n["points"]), n["reversal"], n["evaluation"]["version"]) for n in nodes[2:]] == [
        (-coefficient, True, 1), (coefficient * Decimal("1.5"), False, 2)]  # SANGAT_BAIK: 150 %
    assert Decimal(nodes[-1]["runningTotal"]) == coefficient * Decimal("2.5")

    issue = {"i": {"employeeId": to_global_id("Employee", member.id), "year": 2039}}
    assert (await api.ok(ISSUE, issue, atasan))["issueCreditAssessment"]["userErrors"][0]["code"] == "FORBIDDEN"
    pak = (await api.ok(ISSUE, issue, hr))["issueCreditAssessment"]
    assert pak["userErrors"] == []
    assert (Decimal(pak["creditAssessment"]["points"]), Decimal(pak["creditAssessment"]["total"])) == (
        coefficient * Decimal("1.5"), coefficient * Decimal("2.5"))
    assert _codes((await api.ok(ISSUE, issue, hr))["issueCreditAssessment"]) == [("year", "CONFLICT")]
    none_booked = (await api.ok(ISSUE, {"i": {**issue["i"], "year": 2040}}, hr))["issueCreditAssessment"]
    assert _codes(none_booked) == [("year", "CONFLICT")]
    foreign = (await api.ok(ISSUE, issue, await api.token("samarinda", "bkpsdm")))["issueCreditAssessment"]
    assert _codes(foreign) == [("employeeId", "NOT_FOUND")]
    stranger = await api.ok(LEDGER, ledger, await api.token("samarinda", "bkpsdm"))
    assert stranger["creditLedger"]["nodes"] == [] and stranger["creditAssessments"] == []
    seen = await api.ok(LEDGER, {"e": to_global_id("Employee", member.id)}, atasan)
    assert [a["year"] for a in seen["creditAssessments"]] == [2039]
