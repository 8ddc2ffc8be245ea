"""Exactly once under concurrency, against a running server: two worker processes on PostgreSQL, each
with its own pool, so the requests of a burst run in parallel on separate database connections (one
process on SQLite, where transactions run one after another). Every state-changing mutation family
gets N identical requests, or N conflicting ones, fired at once behind a barrier; the tests check the
effect, that audit entries equal the changes made, and the live events published."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from conftest import BACKEND, approved_plans, rows, running_server
from parallel import Client, PlanEvents, outcome, payloads, together

from kinerja.auth.models import LoginFailure, PolicyRule, Role, User
from kinerja.citizen.models import FeedbackTicket, ServiceUnit, SurveyResponse
from kinerja.core.audit_models import AuditLog
from kinerja.core.db import tenant_transaction
from kinerja.core.ids import from_global_id, to_global_id
from kinerja.evaluations.models import ActingAssessor, Evaluation, EvaluationObjection, PlanWaiver, UnitPerformance
from kinerja.org.models import Employee, Period
from kinerja.org.service import ensure_periods
from kinerja.plans.models import Indicator, PerformancePlan, Realisation, ResultTarget
from kinerja.tenancy.models import Tenant
from kinerja.training.models import RecommendationRule, TrainingRecord, TrainingRegistration

WORKERS = 2 if BACKEND == "postgres" else 1
N = 20  # the bursts the outside testers used
M = 10
YEARS = itertools.count(2040)
IPS = (f"10.77.{i // 250}.{i % 250 + 1}" for i in itertools.count())


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    # Two workers with 12 pooled connections each: a burst of 20 runs on 20 connections at once.
    async with running_server(database, WORKERS, tmp_path_factory.mktemp("races") / "server.log",
                              env={"KINERJA_DB_POOL_SIZE": "12"}) as base:
        yield base


@pytest.fixture
async def api(server):
    client = Client(server)
    yield client
    await client.close()


def figure(text: str) -> None:
    """The measured figures, printed for the record (pytest -s shows them)."""
    print(f"\n[{BACKEND}] {text}")


async def _tenant(slug: str) -> Tenant:
    return (await rows(Tenant, None, slug=slug))[0]


def _id(global_id: str) -> uuid.UUID:
    return from_global_id(global_id)[1]


async def _entries(tenant: Tenant, operation: str, object_id: uuid.UUID | None = None) -> list[AuditLog]:
    filters = {"operation": operation}
    if object_id is not None:
        filters["object_id"] = object_id
    return await rows(AuditLog, tenant.id, **filters)


# --- performance plans ---------------------------------------------------------------------------

CREATE_PLAN = ("mutation($i: CreatePerformancePlanInput!) { createPerformancePlan(input: $i) { plan { id } "
               "userErrors { code message } } }")
ADD_RESULT = ("mutation($i: AddResultTargetInput!) { addResultTarget(input: $i) { resultTarget { id } "
              "userErrors { code message } } }")
ADD_INDICATOR = ("mutation($i: AddIndicatorInput!) { addIndicator(input: $i) { indicator { id } "
                 "userErrors { code message } } }")
SUBMIT = "mutation($id: ID!) { submitPerformancePlan(input: {id: $id}) { plan { status } userErrors { code message } } }"
APPROVE = "mutation($id: ID!) { approvePerformancePlan(input: {id: $id}) { plan { status } userErrors { code message } } }"
RETURN = ("mutation($id: ID!) { returnPerformancePlan(input: {id: $id, reason: \"Lengkapi target\"}) "
          "{ plan { status } userErrors { code message } } }")
REVISE = "mutation($id: ID!) { revisePerformancePlan(input: {id: $id}) { plan { id } userErrors { code message } } }"
FEEDBACK = ("mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedback { id } "
            "userErrors { code message } } }")


async def _draft(api: Client, tenant: str, username: str = "pegawai") -> tuple[str, str, int]:
    """A new draft plan with one main result target and one indicator: (plan id, result id, year)."""
    token = await api.token(tenant, username)
    year = next(YEARS)
    plan = (await api.ok(CREATE_PLAN, {"i": {"year": year}}, token))["createPerformancePlan"]
    assert plan["userErrors"] == [], plan
    plan_id = plan["plan"]["id"]
    result = (await api.ok(ADD_RESULT, {"i": {"planId": plan_id, "kind": "UTAMA", "description": "Laporan bulanan"}},
                           token))["addResultTarget"]
    result_id = result["resultTarget"]["id"]
    indicator = (await api.ok(ADD_INDICATOR, {"i": {"resultId": result_id, "aspect": "KUANTITAS",
                                                     "description": "Laporan tersusun", "targetValue": "12",
                                                     "targetUnit": "dokumen"}}, token))["addIndicator"]
    assert indicator["userErrors"] == [], indicator
    return plan_id, result_id, year


async def _submitted(api: Client, tenant: str) -> tuple[str, int]:
    plan_id, _result, year = await _draft(api, tenant)
    answer = (await api.ok(SUBMIT, {"id": plan_id}, await api.token(tenant, "pegawai")))["submitPerformancePlan"]
    assert answer["userErrors"] == [], answer
    return plan_id, year


async def _sentinel(api: Client, tenant: str, plan_id: str) -> None:
    """A feedback on the plan: its event closes the count of the events before it."""
    answer = (await api.ok(FEEDBACK, {"i": {"planId": plan_id, "body": "Tanda akhir hitungan"}},
                           await api.token(tenant, "atasan")))["giveFeedback"]
    assert answer["userErrors"] == [], answer


async def test_twenty_approvals_of_one_plan_make_one(api, server):
    plan_id, _year = await _submitted(api, "bungo")
    atasan = await api.token("bungo", "atasan")
    async with PlanEvents(server, await api.token("bungo", "pegawai"), plan_id) as events:
        answers = await together(N, lambda _i: api.post(APPROVE, {"id": plan_id}, atasan))
        await _sentinel(api, "bungo", plan_id)
        kinds = await events.until("FEEDBACK_GIVEN")
    successes, codes = outcome(answers, "approvePerformancePlan")
    messages = {e["message"] for p in payloads(answers, "approvePerformancePlan") for e in p["userErrors"]}
    entries = await _entries(await _tenant("bungo"), "approvePerformancePlan", _id(plan_id))
    figure(f"{N} parallel approvePerformancePlan: {successes} success, {codes.count('CONFLICT')} CONFLICT, "
           f"{len(entries)} audit entry, {kinds.count('PLAN_APPROVED')} event")
    assert successes == 1 and codes == ["CONFLICT"] * (N - 1)
    assert messages == {"The plan is already APPROVED (it cannot be approved again)"}
    assert len(entries) == 1 and kinds == ["PLAN_APPROVED"]


async def test_approvals_against_returns_end_as_one_of_them(api, server):
    plan_id, _year = await _submitted(api, "samarinda")
    atasan = await api.token("samarinda", "atasan")
    async with PlanEvents(server, await api.token("samarinda", "pegawai"), plan_id) as events:
        answers = await together(2 * M, lambda i: api.post(APPROVE if i % 2 else RETURN, {"id": plan_id}, atasan))
        await _sentinel(api, "samarinda", plan_id)
        kinds = await events.until("FEEDBACK_GIVEN")
    decided = [a["data"][f] for a in answers for f in a["data"]]
    winners = [p["plan"]["status"] for p in decided if not p["userErrors"]]
    tenant = await _tenant("samarinda")
    [plan] = await rows(PerformancePlan, tenant.id, id=_id(plan_id))
    entries = (await _entries(tenant, "approvePerformancePlan", plan.id)
               + await _entries(tenant, "returnPerformancePlan", plan.id))
    figure(f"{M} approvals + {M} returns: {len(winners)} acknowledged ({winners}), final state {plan.status.value}, "
           f"{len(entries)} audit entry, {len(kinds)} event")
    assert len(winners) == 1 and plan.status.value == winners[0]
    assert all(e["code"] == "CONFLICT" for p in decided for e in p["userErrors"])
    assert len(entries) == 1 and kinds == [f"PLAN_{winners[0]}"]


async def test_edits_racing_a_submission_are_kept_or_refused(api, server):
    plan_id, result_id, _year = await _draft(api, "tebingtinggi")
    token = await api.token("tebingtinggi", "pegawai")

    def request(i: int):
        if i % 2:
            return api.post(SUBMIT, {"id": plan_id}, token)
        return api.post(ADD_INDICATOR, {"i": {"resultId": result_id, "aspect": "WAKTU", "description": f"Tepat {i}",
                                               "targetValue": "3", "targetUnit": "bulan"}}, token)

    answers = await together(M, request)
    submitted = [a["data"]["submitPerformancePlan"] for a in answers if "submitPerformancePlan" in a["data"]]
    added = [a["data"]["addIndicator"] for a in answers if "addIndicator" in a["data"]]
    kept = {p["indicator"]["id"] for p in added if not p["userErrors"]}
    tenant = await _tenant("tebingtinggi")
    stored = {to_global_id("Indicator", i.id) for i in await rows(Indicator, tenant.id, result_id=_id(result_id))}
    figure(f"{M // 2} addIndicator racing {M // 2} submitPerformancePlan: {sum(not p['userErrors'] for p in submitted)} "
           f"submission, {len(kept)} indicator(s) acknowledged, {len(stored) - 1} stored")
    assert sum(not p["userErrors"] for p in submitted) == 1
    assert kept <= stored and len(stored) == len(kept) + 1  # every acknowledged edit, and nothing else
    assert all(e["code"] == "CONFLICT" for p in submitted + added for e in p["userErrors"])


async def test_creating_the_same_plan_at_once_makes_one(api):
    token = await api.token("nanggalo", "pegawai")
    year = next(YEARS)
    answers = await together(M, lambda _i: api.post(CREATE_PLAN, {"i": {"year": year}}, token))
    successes, codes = outcome(answers, "createPerformancePlan")
    tenant = await _tenant("nanggalo")
    plans = await rows(PerformancePlan, tenant.id, year=year)
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(plans) == 1
    assert len(await _entries(tenant, "createPerformancePlan", plans[0].id)) == 1


async def _approved(api: Client, tenant: str) -> tuple[str, int]:
    plan_id, year = await _submitted(api, tenant)
    answer = (await api.ok(APPROVE, {"id": plan_id}, await api.token(tenant, "atasan")))["approvePerformancePlan"]
    assert answer["userErrors"] == []
    return plan_id, year


async def test_revising_at_once_opens_one_revision(api):
    plan_id, year = await _approved(api, "tangerang-selatan")
    token = await api.token("tangerang-selatan", "pegawai")
    answers = await together(M, lambda _i: api.post(REVISE, {"id": plan_id}, token))
    successes, codes = outcome(answers, "revisePerformancePlan")
    tenant = await _tenant("tangerang-selatan")
    revisions = await rows(PerformancePlan, tenant.id, year=year)
    assert successes == 1 and set(codes) == {"CONFLICT"} and len(revisions) == 2


async def test_closing_a_year_at_once_closes_each_plan_once(api):
    plan_id, year = await _approved(api, "nanggalo")
    hr = await api.token("nanggalo", "bkpsdm")
    close = ("mutation($y: Int!) { closePerformancePlans(input: {year: $y}) { closed "
             "userErrors { code message } } }")
    answers = await together(M, lambda _i: api.post(close, {"y": year}, hr))
    successes, codes = outcome(answers, "closePerformancePlans")
    closed = [p["closed"] for p in payloads(answers, "closePerformancePlans") if not p["userErrors"]]
    entries = await _entries(await _tenant("nanggalo"), "closePerformancePlans", _id(plan_id))
    assert successes == 1 and closed == [1] and set(codes) == {"CONFLICT"} and len(entries) == 1


RECORD = ("mutation($i: RecordRealisationInput!) { recordRealisation(input: $i) { realisation { id value } "
          "userErrors { code message } } }")


async def test_recording_the_same_realisation_at_once_records_it_once(api, server):
    plan_id, year = await _approved(api, "bungo")
    tenant = await _tenant("bungo")
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    period = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value != "ANNUAL")
    [indicator] = await rows(Indicator, tenant.id, result_id=(await rows(ResultTarget, tenant.id,
                                                                         plan_id=_id(plan_id)))[0].id)
    token = await api.token("bungo", "pegawai")
    variables = {"i": {"indicatorId": to_global_id("Indicator", indicator.id),
                       "periodId": to_global_id("Period", period.id), "value": "5",
                       "evidence": [{"url": "https://arsip.example.go.id/laporan-5.pdf"}]}}
    async with PlanEvents(server, token, plan_id) as events:
        answers = await together(M, lambda _i: api.post(RECORD, variables, token))
        await _sentinel(api, "bungo", plan_id)
        kinds = await events.until("FEEDBACK_GIVEN")
    successes, codes = outcome(answers, "recordRealisation")
    [realisation] = await rows(Realisation, tenant.id, indicator_id=indicator.id)
    entries = [e for e in await _entries(tenant, "recordRealisation") if e.object_id == realisation.id]
    figure(f"{M} identical recordRealisation: {successes} success, {codes.count('CONFLICT')} CONFLICT, "
           f"{len(entries)} audit entry, {len(kinds)} event")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1)
    assert len(entries) == 1 and kinds == ["REALISATION_RECORDED"]


async def test_feedback_given_at_once_is_each_kept_once(api, server):
    """Creations without a natural key are distinct requests: each acknowledged one is one row, one
    audit entry, one event."""
    plan_id, _year = await _approved(api, "samarinda")
    atasan = await api.token("samarinda", "atasan")
    async with PlanEvents(server, await api.token("samarinda", "pegawai"), plan_id) as events:
        answers = await together(M, lambda i: api.post(FEEDBACK, {"i": {"planId": plan_id, "body": f"Catatan {i}"}},
                                                       atasan))
        kinds = []
        while len(kinds) < M:
            kind = await _next_kind(events)
            if kind != "PLAN_APPROVED":  # the setup's approval, when its event arrives late (a loaded machine)
                kinds.append(kind)
    successes, _codes = outcome(answers, "giveFeedback")
    tenant = await _tenant("samarinda")
    assert successes == M and kinds == ["FEEDBACK_GIVEN"] * M
    ids = {_id(p["feedback"]["id"]) for p in payloads(answers, "giveFeedback")}
    assert len([e for e in await _entries(tenant, "giveFeedback") if e.object_id in ids]) == M


async def _next_kind(events: PlanEvents) -> str:
    message = await events.socket.receive(timeout=30)
    return message["payload"]["data"]["planEvents"]["kind"]


# --- evaluations ---------------------------------------------------------------------------------

EVALUATE = ("mutation($i: EvaluateEmployeeInput!) { evaluateEmployee(input: $i) { evaluation { id predicate status } "
            "userErrors { code message } } }")
FINALIZE = ("mutation($id: ID!) { finalizeEvaluation(input: {id: $id}) { evaluation { id status predicate } "
            "userErrors { code message } } }")
CORRECT = ("mutation($i: CorrectEvaluationInput!) { correctEvaluation(input: $i) { evaluation { id version } "
           "userErrors { code message } } }")
CELLS = [("DI_ATAS_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"), ("DI_BAWAH_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"),
         ("DI_BAWAH_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"), ("DI_ATAS_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"),
         ("SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI")]


async def _draft_evaluation(api: Client, slug: str) -> tuple[Tenant, str, dict]:
    """A draft evaluation of one of atasan's team for a period of a year nobody evaluated."""
    tenant = await _tenant(slug)
    year = next(YEARS)
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    period = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value != "ANNUAL")
    atasan_user = (await rows(User, tenant.id, username="atasan"))[0]
    member = sorted(await rows(Employee, tenant.id, supervisor_id=atasan_user.employee_id), key=lambda e: e.nip)[0]
    await approved_plans(tenant.id, [member.id], year)
    base = {"employeeId": to_global_id("Employee", member.id), "periodId": to_global_id("Period", period.id)}
    answer = (await api.ok(EVALUATE, {"i": {**base, "resultsRating": "SESUAI_EKSPEKTASI",
                                            "behaviourRating": "DI_ATAS_EKSPEKTASI"}},
                           await api.token(slug, "atasan")))["evaluateEmployee"]
    assert answer["userErrors"] == [], answer
    return tenant, answer["evaluation"]["id"], base


async def test_twenty_finalizations_make_one(api):
    tenant, evaluation_id, _base = await _draft_evaluation(api, "tangerang-selatan")
    token = await api.token("tangerang-selatan", "atasan")
    answers = await together(N, lambda _i: api.post(FINALIZE, {"id": evaluation_id}, token))
    successes, codes = outcome(answers, "finalizeEvaluation")
    entries = await _entries(tenant, "finalizeEvaluation", _id(evaluation_id))
    figure(f"{N} parallel finalizeEvaluation: {successes} success, {codes.count('CONFLICT')} CONFLICT, "
           f"{len(entries)} audit entry")
    assert successes == 1 and codes == ["CONFLICT"] * (N - 1) and len(entries) == 1


async def test_edits_racing_a_finalization_are_kept_or_refused(api):
    tenant, evaluation_id, base = await _draft_evaluation(api, "bungo")
    token = await api.token("bungo", "atasan")

    def request(i: int):
        if i % 2:
            return api.post(FINALIZE, {"id": evaluation_id}, token)
        results, behaviour = CELLS[i // 2]
        return api.post(EVALUATE, {"i": {**base, "resultsRating": results, "behaviourRating": behaviour}}, token)

    answers = await together(M, request)
    finalized = [a["data"]["finalizeEvaluation"] for a in answers if "finalizeEvaluation" in a["data"]]
    edits = [a["data"]["evaluateEmployee"] for a in answers if "evaluateEmployee" in a["data"]]
    [final] = [p["evaluation"] for p in finalized if not p["userErrors"]]
    acknowledged = [p["evaluation"]["predicate"] for p in edits if not p["userErrors"]]
    [stored] = await rows(Evaluation, tenant.id, id=_id(evaluation_id))
    entries = await _entries(tenant, "evaluateEmployee", stored.id)
    figure(f"{M // 2} evaluateEmployee racing {M // 2} finalizeEvaluation: 1 finalization, "
           f"{len(acknowledged)} edit(s) acknowledged, {len(entries) - 1} edit audit entry(ies), "
           f"final predicate {stored.predicate.value} = the finalized one")
    assert stored.status.value == "FINAL" and stored.predicate.value == final["predicate"]
    # Every acknowledged edit came before the finalization (one audit entry each, besides the draft's
    # creation), and the final evaluation holds the last of them.
    assert len(entries) == 1 + len(acknowledged)
    if acknowledged:
        assert final["predicate"] in acknowledged
    assert all(e["code"] == "CONFLICT" for p in finalized + edits for e in p["userErrors"])


async def test_correcting_at_once_makes_one_new_version(api):
    tenant, evaluation_id, _base = await _draft_evaluation(api, "samarinda")
    token = await api.token("samarinda", "atasan")
    assert (await api.ok(FINALIZE, {"id": evaluation_id}, token))["finalizeEvaluation"]["userErrors"] == []
    correct = {"i": {"id": evaluation_id, "reason": "Salah ketik", "behaviourRating": "SESUAI_EKSPEKTASI"}}
    answers = await together(M, lambda _i: api.post(CORRECT, correct, token))
    successes, codes = outcome(answers, "correctEvaluation")
    [old] = await rows(Evaluation, tenant.id, id=_id(evaluation_id))
    versions = await rows(Evaluation, tenant.id, employee_id=old.employee_id, period_id=old.period_id)
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(versions) == 2


async def test_setting_a_unit_rating_at_once_sets_it_once(api):
    tenant = await _tenant("nanggalo")
    year = next(YEARS)
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    period = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value != "ANNUAL")
    unit_id = (await rows(Employee, tenant.id, id=(await rows(User, tenant.id, username="atasan"))[0].employee_id))[0]
    query = ("mutation($i: SetUnitPerformanceInput!) { setUnitPerformance(input: $i) { unitPerformance { rating } "
             "userErrors { code message } } }")
    variables = {"i": {"orgUnitId": to_global_id("OrgUnit", unit_id.org_unit_id),
                       "periodId": to_global_id("Period", period.id), "rating": "BAIK"}}
    kepala = await api.token("nanggalo", "kepala")  # the head of the unit above (SE MenPANRB 3/2023)
    answers = await together(M, lambda _i: api.post(query, variables, kepala))
    successes, codes = outcome(answers, "setUnitPerformance")
    stored = await rows(UnitPerformance, tenant.id, period_id=period.id)
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(stored) == 1
    assert len(await _entries(tenant, "setUnitPerformance", stored[0].id)) == 1


async def test_assigning_an_acting_assessor_at_once_assigns_once(api):
    tenant = await _tenant("bungo")
    users = {u.username: u for u in await rows(User, tenant.id)}
    today = dt.datetime.now(dt.UTC).date()
    variables = {"i": {"officialId": to_global_id("Employee", users["atasan"].employee_id),
                       "actingId": to_global_id("Employee", users["pegawai"].employee_id), "kind": "PLT",
                       "startsOn": str(today + dt.timedelta(days=400)), "endsOn": str(today + dt.timedelta(days=430))}}
    query = ("mutation($i: AssignActingAssessorInput!) { assignActingAssessor(input: $i) { actingAssessor { kind } "
             "userErrors { code message } } }")
    hr = await api.token("bungo", "bkpsdm")
    answers = await together(M, lambda _i: api.post(query, variables, hr))
    successes, codes = outcome(answers, "assignActingAssessor")
    stored = await rows(ActingAssessor, tenant.id, acting_id=users["pegawai"].employee_id)
    entries = [e for e in await _entries(tenant, "assignActingAssessor") if e.object_id in {a.id for a in stored}]
    figure(f"{M} parallel assignActingAssessor: {successes} success, {codes.count('CONFLICT')} CONFLICT")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(stored) == 1 and len(entries) == 1


async def test_waiving_the_approved_plan_at_once_waives_once(api):
    tenant = await _tenant("samarinda")
    year = next(YEARS)
    member = sorted(await rows(Employee, tenant.id), key=lambda e: e.nip)[3]
    variables = {"i": {"employeeId": to_global_id("Employee", member.id), "year": year, "reason": "Mutasi jabatan"}}
    query = ("mutation($i: WaiveApprovedPlanInput!) { waiveApprovedPlan(input: $i) { planWaiver { year } "
             "userErrors { code message } } }")
    hr = await api.token("samarinda", "bkpsdm")
    answers = await together(M, lambda _i: api.post(query, variables, hr))
    successes, codes = outcome(answers, "waiveApprovedPlan")
    stored = await rows(PlanWaiver, tenant.id, employee_id=member.id, year=year)
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(stored) == 1
    assert len(await _entries(tenant, "waiveApprovedPlan", stored[0].id)) == 1


async def test_acknowledging_objecting_and_deciding_at_once_each_happen_once(api):
    tenant = await _tenant("tangerang-selatan")
    year = next(YEARS)
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    period = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value != "ANNUAL")
    users = {u.username: u for u in await rows(User, tenant.id)}
    member = users["pegawai"].employee_id
    await approved_plans(tenant.id, [member], year)
    atasan, pegawai, kepala = [await api.token("tangerang-selatan", u) for u in ("atasan", "pegawai", "kepala")]
    made = (await api.ok(EVALUATE, {"i": {"employeeId": to_global_id("Employee", member),
                                          "periodId": to_global_id("Period", period.id),
                                          "resultsRating": "SESUAI_EKSPEKTASI",
                                          "behaviourRating": "SESUAI_EKSPEKTASI"}}, atasan))["evaluateEmployee"]
    evaluation_id = made["evaluation"]["id"]
    assert (await api.ok(FINALIZE, {"id": evaluation_id}, atasan))["finalizeEvaluation"]["userErrors"] == []

    acknowledge = ("mutation($id: ID!) { acknowledgeEvaluation(input: {id: $id}) { evaluation { acknowledgedAt } "
                   "userErrors { code message } } }")
    answers = await together(M, lambda _i: api.post(acknowledge, {"id": evaluation_id}, pegawai))
    successes, codes = outcome(answers, "acknowledgeEvaluation")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1)
    assert len(await _entries(tenant, "acknowledgeEvaluation", _id(evaluation_id))) == 1

    file = ("mutation($i: FileObjectionInput!) { fileObjection(input: $i) { objection { id } "
            "userErrors { code message } } }")
    answers = await together(M, lambda _i: api.post(file, {"i": {"evaluationId": evaluation_id,
                                                                "reason": "Bukti belum dinilai"}}, pegawai))
    successes, codes = outcome(answers, "fileObjection")
    objections = await rows(EvaluationObjection, tenant.id, evaluation_id=_id(evaluation_id))
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(objections) == 1
    assert len(await _entries(tenant, "fileObjection", objections[0].id)) == 1

    decide = ("mutation($i: DecideObjectionInput!) { decideObjection(input: $i) { objection { status } "
              "userErrors { code message } } }")
    decision = {"i": {"id": to_global_id("Objection", objections[0].id), "decision": "ACCEPT",
                      "reason": "Bukti diterima", "behaviourRating": "DI_ATAS_EKSPEKTASI"}}
    answers = await together(M, lambda _i: api.post(decide, decision, kepala))
    successes, codes = outcome(answers, "decideObjection")
    [stored] = await rows(Evaluation, tenant.id, id=_id(evaluation_id))
    versions = await rows(Evaluation, tenant.id, employee_id=stored.employee_id, period_id=stored.period_id)
    figure(f"{M} parallel decideObjection: {successes} success, {codes.count('CONFLICT')} CONFLICT, "
           f"{len(versions)} versions")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(versions) == 2
    assert len(await _entries(tenant, "decideObjection", objections[0].id)) == 1


async def test_two_logins_for_one_employee_at_once_make_one(api):
    """One active login per employee: logins racing for the same employee, one created."""
    tenant = await _tenant("nanggalo")
    bound = {u.employee_id for u in await rows(User, tenant.id)}
    employee = sorted((e for e in await rows(Employee, tenant.id) if e.id not in bound), key=lambda e: e.nip)[0]
    admin = await api.token("nanggalo", "admin")
    names = [f"login-{uuid.uuid4().hex[:8]}" for _ in range(M)]
    answers = await together(M, lambda i: api.post(CREATE_USER, {"i": {
        "username": names[i], "password": "kata-sandi-panjang", "employeeId": to_global_id("Employee", employee.id),
        "roles": []}}, admin))
    successes, codes = outcome(answers, "createUser")
    logins = await rows(User, tenant.id, employee_id=employee.id)
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(logins) == 1
    deactivate = ("mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { active } "
                  "userErrors { code message } } }")
    answers = await together(M, lambda _i: api.post(deactivate, {"id": to_global_id("User", logins[0].id)}, admin))
    successes, codes = outcome(answers, "deactivateUser")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1)
    assert len(await _entries(tenant, "deactivateUser", logins[0].id)) == 1


async def test_issuing_a_pak_at_once_issues_it_once(api):
    """Peraturan BKN 3/2023: one PAK per employee and year."""
    from kinerja.evaluations.models import CreditAssessment
    from kinerja.org.models import Position

    tenant = await _tenant("tebingtinggi")
    year = next(YEARS)
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    annual = next(p for p in await rows(Period, tenant.id, year=year) if p.kind.value == "ANNUAL")
    atasan_user = (await rows(User, tenant.id, username="atasan"))[0]
    positions = {p.id: p for p in await rows(Position, tenant.id)}
    member = next(m for m in sorted(await rows(Employee, tenant.id, supervisor_id=atasan_user.employee_id),
                                    key=lambda e: e.nip) if m.position_id and positions[m.position_id].level)
    await approved_plans(tenant.id, [member.id], year)
    atasan = await api.token("tebingtinggi", "atasan")
    made = (await api.ok(EVALUATE, {"i": {"employeeId": to_global_id("Employee", member.id),
                                          "periodId": to_global_id("Period", annual.id),
                                          "resultsRating": "SESUAI_EKSPEKTASI",
                                          "behaviourRating": "SESUAI_EKSPEKTASI"}}, atasan))["evaluateEmployee"]
    assert (await api.ok(FINALIZE, {"id": made["evaluation"]["id"]}, atasan))["finalizeEvaluation"]["userErrors"] == []
    issue = ("mutation($i: IssueCreditAssessmentInput!) { issueCreditAssessment(input: $i) { creditAssessment { year } "
             "userErrors { code message } } }")
    variables = {"i": {"employeeId": to_global_id("Employee", member.id), "year": year}}
    hr = await api.token("tebingtinggi", "bkpsdm")
    answers = await together(M, lambda _i: api.post(issue, variables, hr))
    successes, codes = outcome(answers, "issueCreditAssessment")
    stored = await rows(CreditAssessment, tenant.id, employee_id=member.id, year=year)
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(stored) == 1
    assert len(await _entries(tenant, "issueCreditAssessment", stored[0].id)) == 1


# --- training ------------------------------------------------------------------------------------

CREATE_EVENT = ("mutation($i: CreateTrainingEventInput!) { createTrainingEvent(input: $i) { event { id } "
                "userErrors { code message } } }")
REGISTER = ("mutation($e: ID!) { registerForTraining(input: {eventId: $e}) { event { id } "
            "userErrors { code message } } }")


async def _event(api: Client, slug: str, capacity: int, days_ahead: int = 30) -> str:
    start = dt.date.today() + dt.timedelta(days=days_ahead)
    answer = (await api.ok(CREATE_EVENT, {"i": {"title": f"Bimtek {uuid.uuid4().hex[:6]}", "topic": "arsip",
                                                "kind": "BIMTEK", "startsOn": start.isoformat(),
                                                "endsOn": start.isoformat(), "jp": 8, "capacity": capacity}},
                           await api.token(slug, "bkpsdm")))["createTrainingEvent"]
    assert answer["userErrors"] == [], answer
    return answer["event"]["id"]


async def test_four_people_for_one_seat_make_one_registration(api):
    event_id = await _event(api, "tebingtinggi", capacity=1)
    people = ["pegawai", "atasan", "kepala", "bkpsdm"]
    tokens = [await api.token("tebingtinggi", who) for who in people]
    answers = await together(len(people), lambda i: api.post(REGISTER, {"e": event_id}, tokens[i]))
    successes, codes = outcome(answers, "registerForTraining")
    stored = await rows(TrainingRegistration, (await _tenant("tebingtinggi")).id, event_id=_id(event_id))
    figure(f"{len(people)} people registering at once for a 1-seat event: {len(stored)} registration stored, "
           f"{codes.count('CONFLICT')} CONFLICT")
    assert successes == 1 and len(stored) == 1 and codes == ["CONFLICT"] * (len(people) - 1)


async def test_one_person_registering_at_once_registers_once(api):
    event_id = await _event(api, "bungo", capacity=50)
    token = await api.token("bungo", "pegawai")
    answers = await together(M, lambda _i: api.post(REGISTER, {"e": event_id}, token))
    successes, codes = outcome(answers, "registerForTraining")
    stored = await rows(TrainingRegistration, (await _tenant("bungo")).id, event_id=_id(event_id))
    assert successes == 1 and len(stored) == 1 and set(codes) == {"CONFLICT"}


async def test_a_pppk_registering_at_once_stays_within_the_cap(api):
    """PP 49/2018 art. 40(1): four 8-JP events at once for a PPPK employee with a 24-JP cap: three
    registrations, the fourth refused (the employee's row serialises them)."""
    tenant = await _tenant("samarinda")
    employee_id = (await rows(User, tenant.id, username="atasan"))[0].employee_id
    async with tenant_transaction(tenant.id):
        await Employee.filter(tenant_id=tenant.id, id=employee_id).update(
            employment_type="PPPK", contract_starts_on=dt.date.today() + dt.timedelta(days=10))
    events = [await _event(api, "samarinda", capacity=5, days_ahead=10 + i) for i in range(4)]
    token = await api.token("samarinda", "atasan")
    answers = await together(len(events), lambda i: api.post(REGISTER, {"e": events[i]}, token))
    successes, codes = outcome(answers, "registerForTraining")
    stored = await rows(TrainingRegistration, tenant.id, employee_id=employee_id)
    figure(f"{len(events)} registrations of a PPPK at once under a 24-JP cap: {successes} accepted, {codes}")
    assert successes == 3 and codes == ["CONFLICT"] and len(stored) == 3, answers


async def test_confirming_attendance_at_once_makes_one_record(api):
    event_id = await _event(api, "samarinda", capacity=5, days_ahead=0)  # attendance is confirmed from the first day
    assert (await api.ok(REGISTER, {"e": event_id}, await api.token("samarinda", "pegawai")))[
        "registerForTraining"]["userErrors"] == []
    tenant = await _tenant("samarinda")
    employee_id = (await rows(User, tenant.id, username="pegawai"))[0].employee_id
    confirm = ("mutation($i: ConfirmAttendanceInput!) { confirmTrainingAttendance(input: $i) { record { id } "
               "userErrors { code message } } }")
    variables = {"i": {"eventId": event_id, "employeeId": to_global_id("Employee", employee_id)}}
    hr = await api.token("samarinda", "bkpsdm")
    answers = await together(M, lambda _i: api.post(confirm, variables, hr))
    successes, codes = outcome(answers, "confirmTrainingAttendance")
    records = await rows(TrainingRecord, tenant.id, event_id=_id(event_id))
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(records) == 1


async def test_verifying_a_record_at_once_verifies_it_once(api):
    day = dt.date.today() - dt.timedelta(days=10)
    record = ("mutation($i: RecordTrainingInput!) { recordTraining(input: $i) { record { id } "
              "userErrors { code message } } }")
    answer = (await api.ok(record, {"i": {"title": "Pelatihan arsip digital", "kind": "TEKNIS",
                                          "startsOn": day.isoformat(), "endsOn": day.isoformat(), "jp": 8}},
                           await api.token("tangerang-selatan", "pegawai")))["recordTraining"]
    record_id = answer["record"]["id"]
    verify = "mutation($id: ID!) { verifyTraining(input: {id: $id}) { record { status } userErrors { code message } } }"
    hr = await api.token("tangerang-selatan", "bkpsdm")
    answers = await together(M, lambda _i: api.post(verify, {"id": record_id}, hr))
    successes, codes = outcome(answers, "verifyTraining")
    entries = await _entries(await _tenant("tangerang-selatan"), "verifyTraining", _id(record_id))
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(entries) == 1


async def test_replacing_a_recommendation_rule_at_once_replaces_it_once(api):
    # A need no other test reads (BEHAVIOUR:LOYAL as stored), with topics new to every run.
    topics = sorted(["arsip", f"etika {uuid.uuid4().hex[:6]}"])
    query = ("mutation($i: SetRecommendationRuleInput!) { setTrainingRecommendationRule(input: $i) "
             "{ rules { topic } userErrors { code message } } }")
    hr = await api.token("nanggalo", "bkpsdm")
    answers = await together(M, lambda _i: api.post(query, {"i": {"trigger": "BEHAVIOUR_LOYAL", "topics": topics}}, hr))
    successes, codes = outcome(answers, "setTrainingRecommendationRule")
    stored = await rows(RecommendationRule, (await _tenant("nanggalo")).id, trigger="BEHAVIOUR:LOYAL")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and sorted(r.topic for r in stored) == topics


# --- organisation --------------------------------------------------------------------------------

async def test_closing_a_period_at_once_closes_it_once(api):
    tenant = await _tenant("tangerang-selatan")
    year = next(YEARS)
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    period = (await rows(Period, tenant.id, year=year))[0]
    query = ("mutation($id: ID!) { setPeriodClosed(input: {id: $id, closed: true}) { period { closed } "
             "userErrors { code message } } }")
    admin = await api.token("tangerang-selatan", "admin")
    answers = await together(M, lambda _i: api.post(query, {"id": to_global_id("Period", period.id)}, admin))
    successes, codes = outcome(answers, "setPeriodClosed")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1)
    assert len(await _entries(tenant, "setPeriodClosed", period.id)) == 1


# --- access control and provisioning -------------------------------------------------------------

CREATE_TENANT = ("mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { slug } "
                 "userErrors { code message } } }")
REVOKE = ("mutation($i: RoleAssignmentInput!) { revokeRole(input: $i) { user { id } "
          "userErrors { code message } } }")
CREATE_USER = ("mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } "
               "userErrors { code message } } }")
PASSWORD = "kata-sandi-uji-123"


async def _new_tenant(api: Client) -> tuple[str, str]:
    """A tenant created N times at once: (its slug, its admin's token)."""
    slug = f"uji-{uuid.uuid4().hex[:8]}"
    operator = await api.token("platform", "operator")
    variables = {"i": {"slug": slug, "name": "Kota Uji Balapan", "kind": "KOTA", "adminUsername": "admin",
                       "adminPassword": PASSWORD}}
    answers = await together(M, lambda _i: api.post(CREATE_TENANT, variables, operator))
    successes, codes = outcome(answers, "createTenant")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1), codes
    assert len(await rows(Tenant, None, slug=slug)) == 1
    session = await api.login(slug, "admin", PASSWORD)
    return slug, session["accessToken"]


async def test_two_admins_revoking_each_other_leave_one(api):
    slug, first = await _new_tenant(api)
    created = (await api.ok(CREATE_USER, {"i": {"username": "admin2", "password": PASSWORD,
                                                "roles": ["tenant_admin"]}}, first))["createUser"]
    second = (await api.login(slug, "admin2", PASSWORD))["accessToken"]
    viewer = (await api.ok("{ viewer { id } }", token=first))["viewer"]["id"]
    answers = await together(2, lambda i: api.post(
        REVOKE, {"i": {"userId": created["user"]["id"] if i == 0 else viewer, "role": "tenant_admin"}},
        first if i == 0 else second))
    successes, codes = outcome(answers, "revokeRole")
    tenant = await _tenant(slug)
    holders = await rows(PolicyRule, tenant.id, ptype="g", v1="role:tenant_admin")
    figure(f"two tenant admins revoking each other at once: {successes} success, {codes}, {len(holders)} admin left")
    # The loser is refused either by the invariant (CONFLICT: it found the last admin) or, when the
    # winner's commit reached it first, because it is no admin any more (FORBIDDEN).
    assert successes == 1 and codes in (["CONFLICT"], ["FORBIDDEN"]) and len(holders) == 1


async def test_the_same_role_user_and_assignment_at_once_are_made_once(api):
    slug, admin = await _new_tenant(api)
    tenant = await _tenant(slug)
    create_role = ("mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id } "
                   "userErrors { code message } } }")
    answers = await together(M, lambda _i: api.post(create_role, {"i": {"name": "arsiparis",
                                                                        "permissions": ["org:read:tenant"]}}, admin))
    assert outcome(answers, "createRole") == (1, ["CONFLICT"] * (M - 1))
    assert len(await rows(Role, tenant.id, name="arsiparis")) == 1

    answers = await together(M, lambda _i: api.post(CREATE_USER, {"i": {"username": "arsip01", "password": PASSWORD}},
                                                    admin))
    successes, codes = outcome(answers, "createUser")
    figure(f"{M} parallel createUser of one username: {successes} success, {codes.count('CONFLICT')} CONFLICT, "
           f"{codes.count('INTERNAL_SERVER_ERROR')} INTERNAL")
    assert (successes, codes) == (1, ["CONFLICT"] * (M - 1))
    [user] = await rows(User, tenant.id, username="arsip01")

    assign = ("mutation($i: RoleAssignmentInput!) { assignRole(input: $i) { user { id } "
              "userErrors { code message } } }")
    grant = {"i": {"userId": to_global_id("User", user.id), "role": "arsiparis"}}
    assert outcome(await together(M, lambda _i: api.post(assign, grant, admin)), "assignRole") == \
        (1, ["CONFLICT"] * (M - 1))
    assert outcome(await together(M, lambda _i: api.post(REVOKE, grant, admin)), "revokeRole") == \
        (1, ["CONFLICT"] * (M - 1))
    role_id = (await rows(Role, tenant.id, name="arsiparis"))[0].id
    delete = "mutation($id: ID!) { deleteRole(input: {id: $id}) { deletedId userErrors { code message } } }"
    answers = await together(M, lambda _i: api.post(delete, {"id": to_global_id("Role", role_id)}, admin))
    assert outcome(answers, "deleteRole")[0] == 1 and await rows(Role, tenant.id, name="arsiparis") == []


async def test_concurrent_failed_logins_check_at_most_the_allowed_passwords(api):
    """The throttle admits 5 failures per username and window: 10 wrong passwords at once make 5
    password checks and 5 RATE_LIMITED answers."""
    username = f"tebak-{uuid.uuid4().hex[:6]}"
    attempts = 2 * 5
    answers = await together(attempts, lambda _i: api.post(
        "mutation($i: LoginInput!) { login(input: $i) { accessToken userErrors { code } } }",
        {"i": {"tenant": "bungo", "username": username, "password": "salah-sekali"}}))
    limited = sum(1 for a in answers if any(e["extensions"]["code"] == "RATE_LIMITED" for e in a.get("errors", [])))
    failures = await rows(LoginFailure, (await _tenant("bungo")).id, username=username)
    figure(f"login throttle of 5, {attempts} concurrent wrong passwords: {len(failures)} password checks, "
           f"{limited} RATE_LIMITED")
    assert len(failures) == 5 and limited == attempts - 5


# --- citizen feedback ----------------------------------------------------------------------------

SURVEY = ("mutation($i: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $i) { accepted "
          "userErrors { code message } } }")
TICKET = ("mutation($i: SubmitCitizenFeedbackInput!) { submitCitizenFeedback(input: $i) { ticketCode "
          "userErrors { code message } } }")


async def _service(api: Client, slug: str) -> str:
    return (await api.ok("query($t: String!) { publicServices(tenant: $t) { id } }", {"t": slug}))[
        "publicServices"][0]["id"]


async def test_the_same_survey_answer_at_once_counts_once(api):
    service_id = await _service(api, "tangerang-selatan")
    ip = next(IPS)
    variables = {"i": {"tenant": "tangerang-selatan", "serviceId": service_id, "scores": [4, 3, 4, 3, 4, 3, 4, 3, 2]}}
    tenant = await _tenant("tangerang-selatan")
    before = len(await rows(SurveyResponse, tenant.id, service_id=_id(service_id)))
    answers = await together(M, lambda _i: api.post(SURVEY, variables, ip=ip))
    successes, codes = outcome(answers, "submitSurveyResponse")
    after = len(await rows(SurveyResponse, tenant.id, service_id=_id(service_id)))
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and after == before + 1


async def test_tickets_at_once_are_kept_answered_and_assigned_once(api):
    service_id = await _service(api, "bungo")
    ip = next(IPS)
    message = f"Antrean panjang sekali {uuid.uuid4().hex[:6]}"
    variables = {"i": {"tenant": "bungo", "serviceId": service_id, "message": message}}
    answers = await together(M, lambda _i: api.post(TICKET, variables, ip=ip))
    successes, codes = outcome(answers, "submitCitizenFeedback")
    tenant = await _tenant("bungo")
    tickets = [t for t in await rows(FeedbackTicket, tenant.id) if t.message == message]
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1) and len(tickets) == 1
    ticket_id = to_global_id("CitizenFeedback", tickets[0].id)
    hr = await api.token("bungo", "bkpsdm")
    respond = ("mutation($i: RespondToFeedbackInput!) { respondToFeedback(input: $i) { feedback { status } "
               "userErrors { code message } } }")
    answer = {"i": {"id": ticket_id, "publicAnswer": "Loket tambahan dibuka mulai Senin."}}
    assert outcome(await together(M, lambda _i: api.post(respond, answer, hr)), "respondToFeedback") == \
        (1, ["CONFLICT"] * (M - 1))
    assert len(await _entries(tenant, "respondToFeedback", tickets[0].id)) == 1
    assign = ("mutation($i: AssignFeedbackInput!) { assignFeedback(input: $i) { feedback { status } "
              "userErrors { code message } } }")
    [service_unit] = await rows(ServiceUnit, tenant.id, id=tickets[0].service_unit_id)
    employee_id = sorted(await rows(Employee, tenant.id, org_unit_id=service_unit.org_unit_id, active=True),
                         key=lambda e: e.nip)[0].id  # tickets stay in their unit
    to = {"i": {"id": ticket_id, "employeeId": to_global_id("Employee", employee_id)}}
    assert outcome(await together(M, lambda _i: api.post(assign, to, hr)), "assignFeedback") == \
        (1, ["CONFLICT"] * (M - 1))


async def test_saving_a_new_service_unit_at_once_creates_one(api):
    code = f"LOKET-{uuid.uuid4().hex[:6].upper()}"
    query = ("mutation($i: SaveServiceUnitInput!) { saveServiceUnit(input: $i) { serviceUnit { id } "
             "userErrors { code message } } }")
    admin = await api.token("samarinda", "admin")
    answers = await together(M, lambda _i: api.post(query, {"i": {"code": code, "name": "Loket Terpadu"}}, admin))
    successes, codes = outcome(answers, "saveServiceUnit")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1)
    assert len(await rows(ServiceUnit, (await _tenant("samarinda")).id, code=code)) == 1


# --- the error mapping behind it -----------------------------------------------------------------

async def test_a_unique_violation_is_a_conflict_never_internal(app, monkeypatch):
    """Should a check ever miss a concurrent insert, the unique key refuses it: CONFLICT naming the
    field, not its value, and nothing kept."""
    import httpx
    from conftest import Api

    from kinerja.auth import roles

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        api = Api(client)
        admin = await api.token("tangerang-selatan", "admin")
        create_role = ("mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id } "
                       "userErrors { field code message } } }")
        name = f"kembar_{uuid.uuid4().hex[:6]}"
        assert (await api.ok(create_role, {"i": {"name": name}}, admin))["createRole"]["userErrors"] == []

        async def no_check(tenant_id, name):  # as if a concurrent request inserted it after the check
            return None

        monkeypatch.setattr(roles, "_name_free", no_check)
        answer = (await api.ok(create_role, {"i": {"name": name}}, admin))["createRole"]
    assert answer["role"] is None
    assert answer["userErrors"] == [{"field": "name", "code": "CONFLICT", "message": (
        "Another record with the same name already exists (a concurrent request may have just created it)")}]
    assert len(await rows(Role, (await _tenant("tangerang-selatan")).id, name=name)) == 1


async def test_after_a_failed_mutation_the_rest_of_the_operation_does_not_run(api):
    tenant = await _tenant("bungo")
    year = next(YEARS)
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, year)
    period = to_global_id("Period", (await rows(Period, tenant.id, year=year))[0].id)
    both = ("mutation($id: ID!) { a: setPeriodClosed(input: {id: $id, closed: false}) { userErrors { code } } "
            "b: setPeriodClosed(input: {id: $id, closed: true}) { period { closed } userErrors { code message } } }")
    body = await api.ok(both, {"id": period}, await api.token("bungo", "admin"))
    assert body["a"]["userErrors"] == [{"code": "CONFLICT"}]  # it is open already
    assert body["b"]["period"] is None and body["b"]["userErrors"][0]["code"] == "CONFLICT"
    assert body["b"]["userErrors"][0]["message"].startswith("Not run")
    assert not (await rows(Period, tenant.id, id=from_global_id(period)[1]))[0].closed


# --- the survey at the counter -------------------------------------------------------------------

KIOSK = ("mutation($i: RegisterSurveyKioskInput!) { registerSurveyKiosk(input: $i) { token kiosk { id } "
         "userErrors { code message } } }")
REVOKE_KIOSK = ("mutation($i: RevokeSurveyKioskInput!) { revokeSurveyKiosk(input: $i) { kiosk { active } "
                "userErrors { code message } } }")
CODES = ("mutation($i: IssueSurveyCodesInput!) { issueSurveyCodes(input: $i) { batch { codes { code } } "
         "userErrors { code message } } }")
RATE_ANSWER = ("mutation($i: RateTicketAnswerInput!) { rateTicketAnswer(input: $i) { status "
               "userErrors { code message } } }")
REPLY_TICKET = ("mutation($i: ReplyToTicketInput!) { replyToTicket(input: $i) { status "
                "userErrors { code message } } }")
FOLLOW_UP = ("mutation($i: SaveFollowUpPlanInput!) { saveFollowUpPlan(input: $i) { plan { id } "
             "userErrors { code message } } }")


async def _unit(tenant: Tenant) -> str:
    return to_global_id("ServiceUnit", (await rows(ServiceUnit, tenant.id))[0].id)


async def test_a_qr_code_used_by_ten_submissions_at_once_counts_once(api):
    from kinerja.citizen.models import SurveyCode

    tenant = await _tenant("tangerang-selatan")
    admin = await api.token("tangerang-selatan", "admin")
    service_id = await _service(api, "tangerang-selatan")
    issued = (await api.ok(CODES, {"i": {"serviceId": service_id, "count": 1}}, admin))["issueSurveyCodes"]
    code = issued["batch"]["codes"][0]["code"]
    variables = {"i": {"tenant": "tangerang-selatan", "code": code, "scores": [3, 4, 3, 4, 3, 4, 3, 4, 3]}}
    before = len(await rows(SurveyResponse, tenant.id, channel="CODE"))
    # Different addresses: only the code can make them one.
    answers = await together(M, lambda i: api.post(SURVEY, variables, ip=next(IPS)))
    successes, codes = outcome(answers, "submitSurveyResponse")
    assert successes == 1 and codes == ["CONFLICT"] * (M - 1)
    assert len(await rows(SurveyResponse, tenant.id, channel="CODE")) == before + 1
    stored = (await rows(SurveyCode, tenant.id, code=code))[0]
    assert stored.used_at is not None and len(await _entries(tenant, "submitSurveyResponse", stored.id)) == 1


async def test_kiosks_registered_revoked_and_used_at_once(api):
    from kinerja.citizen.models import Service

    tenant = await _tenant("samarinda")
    admin = await api.token("samarinda", "admin")
    service = (await rows(Service, tenant.id, active=True))[0]
    unit, service_id = to_global_id("ServiceUnit", service.service_unit_id), to_global_id("Service", service.id)
    name = f"Loket {uuid.uuid4().hex[:6]}"
    answers = await together(M, lambda _i: api.post(KIOSK, {"i": {"serviceUnitId": unit, "name": name}}, admin))
    assert outcome(answers, "registerSurveyKiosk") == (1, ["CONFLICT"] * (M - 1))
    registered = next(p for p in payloads(answers, "registerSurveyKiosk") if not p["userErrors"])
    # One kiosk, ten citizens answering alike at once: all ten count.
    same = {"i": {"tenant": "samarinda", "serviceId": service_id, "scores": [4] * 9, "kioskToken": registered["token"]}}
    assert outcome(await together(M, lambda _i: api.post(SURVEY, same)), "submitSurveyResponse") == (M, [])
    assert len(await rows(SurveyResponse, tenant.id, kiosk_id=_id(registered["kiosk"]["id"]))) == M
    revoke = {"i": {"id": registered["kiosk"]["id"]}}
    assert outcome(await together(M, lambda _i: api.post(REVOKE_KIOSK, revoke, admin)), "revokeSurveyKiosk") == \
        (1, ["CONFLICT"] * (M - 1))
    assert len(await _entries(tenant, "revokeSurveyKiosk", _id(registered["kiosk"]["id"]))) == 1


async def test_a_ticket_rated_and_replied_to_at_once_changes_once(api):
    tenant = await _tenant("bungo")
    hr = await api.token("bungo", "bkpsdm")
    service_id = await _service(api, "bungo")
    message = f"Mohon info jadwal {uuid.uuid4().hex[:6]}"
    code = (await api.ok(TICKET, {"i": {"tenant": "bungo", "serviceId": service_id, "message": message}}))[
        "submitCitizenFeedback"]["ticketCode"]
    ticket = (await rows(FeedbackTicket, tenant.id, code=code))[0]
    respond = ("mutation($i: RespondToFeedbackInput!) { respondToFeedback(input: $i) { userErrors { code } } }")
    await api.ok(respond, {"i": {"id": to_global_id("CitizenFeedback", ticket.id), "publicAnswer": "Senin-Jumat."}}, hr)
    rate = {"i": {"tenant": "bungo", "code": code, "rating": 5}}
    assert outcome(await together(M, lambda _i: api.post(RATE_ANSWER, rate, ip=next(IPS))), "rateTicketAnswer") == \
        (1, ["CONFLICT"] * (M - 1))
    reply = {"i": {"tenant": "bungo", "code": code, "message": "Sabtu buka?"}}
    assert outcome(await together(M, lambda _i: api.post(REPLY_TICKET, reply, ip=next(IPS))), "replyToTicket") == \
        (1, ["CONFLICT"] * (M - 1))
    assert len(await _entries(tenant, "rateTicketAnswer", ticket.id)) == 1
    assert len(await _entries(tenant, "replyToTicket", ticket.id)) == 1


async def test_the_same_follow_up_plan_saved_at_once_is_saved_once(api):
    tenant = await _tenant("bungo")
    admin = await api.token("bungo", "admin")
    year = next(YEARS)
    actions = [{"element": 3, "action": "Tambah loket", "dueOn": f"{year}-06-30"}]
    plan = {"i": {"serviceUnitId": await _unit(tenant), "year": year, "actions": actions}}
    assert outcome(await together(M, lambda _i: api.post(FOLLOW_UP, plan, admin)), "saveFollowUpPlan") == \
        (1, ["CONFLICT"] * (M - 1))
