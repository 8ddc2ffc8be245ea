"""Evaluations through the API: the nine matrix cells, who may evaluate, final and corrections,
the distribution guide for every unit rating, credit points, dashboards."""

from __future__ import annotations

import itertools

from conftest import approved_plans, error_codes, rows

from kinerja.auth.models import User
from kinerja.core.db import tenant_transaction
from kinerja.core.ids import to_global_id
from kinerja.org.models import Employee, OrgUnit, Period, Position
from kinerja.org.service import ensure_periods
from kinerja.tenancy.models import Tenant

EVALUATE = ("mutation($i: EvaluateEmployeeInput!) { evaluateEmployee(input: $i) { evaluation { id predicate status "
            "version resultsFromUnit creditPoints } userErrors { field code message } } }")
FINALIZE = ("mutation($id: ID!) { finalizeEvaluation(input: {id: $id}) { evaluation { id status } "
            "userErrors { field code message } } }")
CORRECT = ("mutation($i: CorrectEvaluationInput!) { correctEvaluation(input: $i) { evaluation { id version status "
           "predicate correctionReason history { version status } } userErrors { field code message } } }")
SET_UNIT = ("mutation($i: SetUnitPerformanceInput!) { setUnitPerformance(input: $i) { unitPerformance { rating } "
            "userErrors { field code message } } }")
YEAR = 2032  # a year no other test file plans or evaluates in
RATINGS = ["DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"]
EXPECTED = {
    ("DI_ATAS_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"): "SANGAT_BAIK",
    ("DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI"): "BAIK",
    ("DI_ATAS_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"): "KURANG_MISCONDUCT",
    ("SESUAI_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"): "BAIK",
    ("SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI"): "BAIK",
    ("SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"): "KURANG_MISCONDUCT",
    ("DI_BAWAH_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"): "BUTUH_PERBAIKAN",
    ("DI_BAWAH_EKSPEKTASI", "SESUAI_EKSPEKTASI"): "BUTUH_PERBAIKAN",
    ("DI_BAWAH_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"): "SANGAT_KURANG",
}


async def _setup(slug):
    tenant = (await rows(Tenant, None, slug=slug))[0]
    users = {u.username: u for u in await rows(User, tenant.id)}
    atasan = (await rows(Employee, tenant.id, id=users["atasan"].employee_id))[0]
    team = sorted(await rows(Employee, tenant.id, supervisor_id=atasan.id), key=lambda e: e.name)
    async with tenant_transaction(tenant.id):  # a year the demo has not evaluated
        await ensure_periods(tenant, YEAR)
    await approved_plans(tenant.id, [atasan.id] + [e.id for e in team], YEAR)
    periods = sorted(await rows(Period, tenant.id, year=YEAR), key=lambda p: (p.kind.value, p.sequence))
    periodic = [p for p in periods if p.kind.value != "ANNUAL"]
    annual = next(p for p in periods if p.kind.value == "ANNUAL")
    return tenant, users, atasan, team, periodic, annual


def _evaluate(employee, period, results, behaviour, notes=None):
    return {"i": {"employeeId": to_global_id("Employee", employee.id), "periodId": to_global_id("Period", period.id),
                  "resultsRating": results, "behaviourRating": behaviour, "notes": notes}}


async def test_all_nine_matrix_cells(api):
    _tenant, _users, _atasan, team, periodic, _annual = await _setup("bungo")
    token = await api.token("bungo", "atasan")
    for member, (results, behaviour) in zip(team, itertools.product(RATINGS, RATINGS), strict=False):
        answer = (await api.ok(EVALUATE, _evaluate(member, periodic[0], results, behaviour), token))["evaluateEmployee"]
        assert answer["userErrors"] == [], answer
        assert answer["evaluation"]["predicate"] == EXPECTED[(results, behaviour)], (results, behaviour)
        assert answer["evaluation"]["status"] == "DRAFT"


async def test_only_the_assessor_or_an_acting_assessor_evaluates(api):
    tenant, _users, atasan, team, periodic, _annual = await _setup("bungo")
    member = team[-1]
    args = _evaluate(member, periodic[-1], "SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI")
    pegawai = (await api.ok(EVALUATE, args, await api.token("bungo", "pegawai")))["evaluateEmployee"]
    assert pegawai["userErrors"][0]["code"] in ("FORBIDDEN", "NOT_FOUND") and pegawai["evaluation"] is None
    kepala = (await api.ok(EVALUATE, args, await api.token("bungo", "kepala")))["evaluateEmployee"]
    assert kepala["userErrors"][0]["code"] == "FORBIDDEN"  # in the unit, but not the direct supervisor
    foreign = (await api.ok(EVALUATE, args, await api.token("samarinda", "atasan")))["evaluateEmployee"]
    assert foreign["userErrors"][0]["code"] == "NOT_FOUND"
    outsider = next(e for e in await rows(Employee, tenant.id) if e.supervisor_id not in (atasan.id,) and e.id != atasan.id)
    cross_team = (await api.ok(EVALUATE, _evaluate(outsider, periodic[-1], "SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI"),
                               await api.token("bungo", "atasan")))["evaluateEmployee"]
    assert cross_team["userErrors"][0]["code"] == "NOT_FOUND"
    hr = (await api.ok(EVALUATE, args, await api.token("bungo", "bkpsdm")))["evaluateEmployee"]
    assert hr["userErrors"][0]["code"] == "FORBIDDEN"  # tenant-wide permission, but not the assessor
    own = (await api.ok(EVALUATE, args, await api.token("bungo", "atasan")))["evaluateEmployee"]
    assert own["userErrors"] == [] and own["evaluation"]["predicate"] == "BAIK"


async def test_final_is_locked_and_corrections_are_new_versions(api):
    _tenant, _users, _atasan, team, periodic, _annual = await _setup("tebingtinggi")
    token = await api.token("tebingtinggi", "atasan")
    draft = (await api.ok(EVALUATE, _evaluate(team[0], periodic[0], "SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI",
                                              [{"value": "KOLABORATIF", "note": "Aktif membantu rekan"}]),
                          token))["evaluateEmployee"]["evaluation"]
    final = (await api.ok(FINALIZE, {"id": draft["id"]}, token))["finalizeEvaluation"]
    assert final["evaluation"]["status"] == "FINAL"
    again = (await api.ok(EVALUATE, _evaluate(team[0], periodic[0], "DI_ATAS_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"),
                          token))["evaluateEmployee"]
    assert again["userErrors"][0]["code"] == "CONFLICT"
    assert (await api.ok(FINALIZE, {"id": draft["id"]}, token))["finalizeEvaluation"]["userErrors"][0]["code"] == "CONFLICT"
    no_reason = (await api.ok(CORRECT, {"i": {"id": draft["id"], "reason": " "}}, token))["correctEvaluation"]
    assert no_reason["userErrors"][0]["field"] == "reason"
    corrected = (await api.ok(CORRECT, {"i": {"id": draft["id"], "reason": "Bukti capaian baru diterima",
                                              "resultsRating": "DI_ATAS_EKSPEKTASI"}}, token))["correctEvaluation"]
    evaluation = corrected["evaluation"]
    assert (evaluation["version"], evaluation["status"], evaluation["predicate"]) == (2, "FINAL", "BAIK")
    assert evaluation["history"] == [{"version": 1, "status": "CORRECTED"}, {"version": 2, "status": "FINAL"}]
    listed = await api.ok("query($e: ID!, $p: ID!) { evaluations(filter: {employeeId: $e, periodId: $p}) "
                          "{ nodes { version } } }",
                          {"e": to_global_id("Employee", team[0].id), "p": to_global_id("Period", periodic[0].id)}, token)
    assert [n["version"] for n in listed["evaluations"]["nodes"]] == [2]


GUIDE = {
    "ISTIMEWA": ["80 % Sangat Baik, guide allows at most 70 %"],
    "BAIK": ["20 % Baik, guide expects most employees (more than 50 %)",
             "no Butuh Perbaikan and/or Kurang/Misconduct, guide expects some"],
    "BUTUH_PERBAIKAN": ["0 % Butuh Perbaikan, guide expects at least 60 %",
                        "80 % Sangat Baik, guide allows at most 10 %"],
    "KURANG": ["0 % Kurang/Misconduct, guide expects at least 60 %", "0 % Butuh Perbaikan, guide expects at least 10 %",
               "80 % Sangat Baik, guide allows at most 10 %"],
    "SANGAT_KURANG": ["0 % Sangat Kurang, guide expects at least 60 %",
                      "0 % Kurang/Misconduct and/or Butuh Perbaikan, guide expects at least 10 %",
                      "80 % Sangat Baik, guide allows none"],
}


async def test_distribution_guide_for_every_unit_rating(api):
    tenant, _users, atasan, team, periodic, _annual = await _setup("tangerang-selatan")
    token = await api.token("tangerang-selatan", "atasan")
    period = periodic[1]
    first = None
    for index, member in enumerate(team[:10]):
        cell = ("DI_ATAS_EKSPEKTASI", "DI_ATAS_EKSPEKTASI") if index < 8 else ("SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI")
        answer = (await api.ok(EVALUATE, _evaluate(member, period, *cell), token))["evaluateEmployee"]
        first = first or answer["evaluation"]["id"]
    hr = await api.token("tangerang-selatan", "bkpsdm")
    kepala = await api.token("tangerang-selatan", "kepala")  # heads the unit above atasan's
    unit = to_global_id("OrgUnit", atasan.org_unit_id)
    query = ("query($u: ID!, $p: ID!) { unitDistribution(orgUnitId: $u, periodId: $p) { unitRating total "
             "counts { predicate count percent } breaches { message kind limitPercent predicates rule } } }")
    for rating, messages in GUIDE.items():
        set_answer = (await api.ok(SET_UNIT, {"i": {"orgUnitId": unit, "periodId": to_global_id("Period", period.id),
                                                    "rating": rating}}, kepala))["setUnitPerformance"]
        assert set_answer["unitPerformance"] == {"rating": rating}
        data = (await api.ok(query, {"u": unit, "p": to_global_id("Period", period.id)}, hr))["unitDistribution"]
        assert data["unitRating"] == rating and data["total"] == 10
        assert [b["message"] for b in data["breaches"]] == messages
        # The kind of bound departed from, as an enum: at most, at least, some, or most employees.
        assert [b["kind"] for b in data["breaches"]] == [
            "MAX" if "allows" in m else "SOME" if m.endswith("some") else "MAJORITY" if "most employees" in m
            else "MIN" for m in messages]
        assert all(b["rule"].startswith("SE MenPANRB 3/2023, unit ") for b in data["breaches"])
    # The assessor sees the guide on the evaluation before finalizing.
    guide = await api.ok("query($id: ID!) { node(id: $id) { ... on Evaluation { guide { breaches { message kind } } } } }",
                         {"id": first}, token)
    assert [b["message"] for b in guide["node"]["guide"]["breaches"]] == GUIDE["SANGAT_KURANG"]


async def test_head_of_unit_results_follow_the_unit(api):
    """SE MenPANRB 3/2023: for the head of a unit, the unit's achievement is the results rating, set by
    the leader of the organisation above it; an input results rating is refused, not silently replaced."""
    tenant, users, atasan, team, periodic, _annual = await _setup("samarinda")
    period = periodic[2]
    kepala = await api.token("samarinda", "kepala")
    rated = (await api.ok(SET_UNIT, {"i": {"orgUnitId": to_global_id("OrgUnit", atasan.org_unit_id),
                                           "periodId": to_global_id("Period", period.id), "rating": "ISTIMEWA"}},
                          kepala))["setUnitPerformance"]
    assert rated["userErrors"] == []
    override = (await api.ok(EVALUATE, _evaluate(atasan, period, "DI_BAWAH_EKSPEKTASI", "SESUAI_EKSPEKTASI"),
                             kepala))["evaluateEmployee"]
    assert override["evaluation"] is None
    assert [(e["field"], e["code"]) for e in override["userErrors"]] == [("resultsRating", "BAD_USER_INPUT")]
    assert "SE MenPANRB 3/2023" in override["userErrors"][0]["message"]
    answer = (await api.ok(EVALUATE, _evaluate(atasan, period, None, "SESUAI_EKSPEKTASI"),
                           kepala))["evaluateEmployee"]
    assert answer["userErrors"] == []
    assert answer["evaluation"]["resultsFromUnit"] and answer["evaluation"]["predicate"] == "BAIK"
    atasan_token = await api.token("samarinda", "atasan")
    refused = (await api.ok(SET_UNIT, {"i": {"orgUnitId": to_global_id("OrgUnit", atasan.org_unit_id),
                                             "periodId": to_global_id("Period", period.id), "rating": "BAIK"}},
                            atasan_token))["setUnitPerformance"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"


async def test_credit_points_for_functional_positions(api):
    """Peraturan BKN 3/2023: angka kredit = the predicate's share x the yearly coefficient of the
    position's jenjang (Ahli Pertama 12.5, Ahli Muda 25, Ahli Madya 37.5, Terampil 5, ...), pro rata
    by month for a periodic evaluation; none without a jenjang."""
    from decimal import Decimal

    from kinerja.evaluations.rules import DEFAULT_CREDIT_COEFFICIENTS

    tenant, _users, _atasan, team, periodic, annual = await _setup("tangerang-selatan")
    positions = {p.id: p for p in await rows(Position, tenant.id)}
    functional = [m for m in team if m.position_id and positions[m.position_id].level]
    other = [m for m in team if not (m.position_id and positions[m.position_id].level)]
    token = await api.token("tangerang-selatan", "atasan")
    member = functional[0]
    coefficient = Decimal(DEFAULT_CREDIT_COEFFICIENTS[positions[member.position_id].level.value])
    quarter = periodic[3]  # quarterly scheme: 3 months
    answer = (await api.ok(EVALUATE, _evaluate(member, quarter, "SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI"),
                           token))["evaluateEmployee"]
    assert answer["evaluation"]["predicate"] == "BAIK"
    expected = (coefficient * 3 / 12).quantize(Decimal("0.001"))
    assert Decimal(answer["evaluation"]["creditPoints"]) == expected  # 100 % x coefficient x 3/12
    yearly = (await api.ok(EVALUATE, _evaluate(member, annual, "DI_ATAS_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"),
                           token))["evaluateEmployee"]
    assert Decimal(yearly["evaluation"]["creditPoints"]) == coefficient * Decimal("1.5")
    if other:
        plain = (await api.ok(EVALUATE, _evaluate(other[0], quarter, "SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI"),
                              token))["evaluateEmployee"]
        assert plain["evaluation"]["creditPoints"] is None


async def test_dashboards_and_recognition(api, count_statements):
    tenant, users, atasan, team, periodic, annual = await _setup("nanggalo")
    token = await api.token("nanggalo", "atasan")
    for index, member in enumerate(team[:4]):
        cell = ("DI_ATAS_EKSPEKTASI", "DI_ATAS_EKSPEKTASI") if index < 2 else ("SESUAI_EKSPEKTASI", "SESUAI_EKSPEKTASI")
        evaluation = (await api.ok(EVALUATE, _evaluate(member, annual, *cell), token))["evaluateEmployee"]["evaluation"]
        await api.ok(FINALIZE, {"id": evaluation["id"]}, token)
    kepala = await api.token("nanggalo", "kepala")
    root = (await rows(OrgUnit, tenant.id, code="KEC"))[0]
    top = await api.ok("query($u: ID!, $y: Int!) { topPerformers(orgUnitId: $u, year: $y) { predicate employee { name } } }",
                       {"u": to_global_id("OrgUnit", root.id), "y": YEAR}, kepala)
    assert [t["predicate"] for t in top["topPerformers"]] == ["SANGAT_BAIK", "SANGAT_BAIK", "BAIK", "BAIK"]

    # A draft plan of the year in the unit (one may exist already: then this answers CONFLICT).
    await api.post("mutation($y: Int!) { createPerformancePlan(input: {year: $y}) { userErrors { code } } }",
                   {"y": YEAR}, await api.token("nanggalo", "pegawai"))
    dashboard = ("query($u: ID!, $p: ID!) { unitDashboard(orgUnitId: $u, periodId: $p) { employees "
                 "plansByStatus { status count } indicators indicatorsRealised evaluationsFinal evaluationsDue "
                 "predicateCounts { predicate count } } }")
    data = (await api.ok(dashboard, {"u": to_global_id("OrgUnit", root.id), "p": to_global_id("Period", annual.id)},
                         kepala))["unitDashboard"]
    assert data["employees"] == len(await rows(Employee, tenant.id))
    assert data["evaluationsFinal"] == 4 and data["evaluationsDue"] == data["employees"] - 4
    assert {c["predicate"]: c["count"] for c in data["predicateCounts"]}["SANGAT_BAIK"] == 2
    from kinerja.plans.models import PerformancePlan

    units, subtree = await rows(OrgUnit, tenant.id), {root.id}
    while grown := {u.id for u in units if u.parent_id in subtree} - subtree:
        subtree |= grown
    members = {e.id for e in await rows(Employee, tenant.id) if e.active and e.org_unit_id in subtree}
    plans = [p for p in await rows(PerformancePlan, tenant.id, year=YEAR)
             if p.status.value != "SUPERSEDED" and p.employee_id in members]
    assert plans
    assert sum(c["count"] for c in data["plansByStatus"]) == len(plans)
    pegawai = await api.token("nanggalo", "pegawai")
    body = await api.post(dashboard, {"u": to_global_id("OrgUnit", root.id), "p": to_global_id("Period", annual.id)},
                          pegawai)
    assert error_codes(body) == ["FORBIDDEN"]
    foreign = await api.post(dashboard, {"u": to_global_id("OrgUnit", root.id), "p": to_global_id("Period", annual.id)},
                             await api.token("bungo", "kepala"))
    assert error_codes(foreign) == ["NOT_FOUND"]

    overview = ("query($p: ID!) { teamOverview(periodId: $p) { members { employee { name position { name } } "
                "plan { status } evaluation { predicate } } } }")
    counts = []
    for user in ("atasan", "kepala"):
        count_statements.statements.clear()
        members = (await api.ok(overview, {"p": to_global_id("Period", annual.id)},
                                await api.token("nanggalo", user)))["teamOverview"]["members"]
        counts.append((len(members), len(count_statements.statements)))
    assert counts[0][0] < counts[1][0]  # kepala's team is larger
    assert counts[0][1] == counts[1][1], counts  # the statements are not


async def test_evaluation_document_and_predicate_sheet(api):
    import csv
    import io

    from pypdf import PdfReader

    _tenant, _users, atasan, team, periodic, _annual = await _setup("tebingtinggi")
    token = await api.token("tebingtinggi", "atasan")
    member, period = team[1], periodic[1]
    evaluation = (await api.ok(EVALUATE, _evaluate(member, period, "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI",
                                                   [{"value": "AKUNTABEL", "note": "Laporan selalu tepat waktu"}]),
                               token))["evaluateEmployee"]["evaluation"]
    await api.ok(FINALIZE, {"id": evaluation["id"]}, token)
    path = (await api.ok("query($id: ID!) { node(id: $id) { ... on Evaluation { documentPath } } }",
                         {"id": evaluation["id"]}, token))["node"]["documentPath"]
    response = await api.client.get(path, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in [member.nip, period.name, "Di atas ekspektasi", "Sesuai ekspektasi", "Baik",
                     "Laporan selalu tepat waktu", atasan.nip]:
        assert expected in text, expected
    assert member.name.split(",")[0] in text
    assert (await api.client.get(path, headers={"authorization": f"Bearer {await api.token('samarinda', 'admin')}"})
            ).status_code == 404
    assert (await api.client.get(path, headers={"authorization": f"Bearer {await api.token('tebingtinggi', 'pegawai')}"})
            ).status_code == 404  # not pegawai's own evaluation
    assert (await api.client.get(path)).status_code == 401

    hr = await api.token("tebingtinggi", "bkpsdm")
    sheet = (await api.ok("query($u: ID!, $p: ID!) { unitDistribution(orgUnitId: $u, periodId: $p) { sheetPath } }",
                          {"u": to_global_id("OrgUnit", atasan.org_unit_id), "p": to_global_id("Period", period.id)},
                          hr))["unitDistribution"]["sheetPath"]
    response = await api.client.get(sheet, headers={"authorization": f"Bearer {hr}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.text)))
    row = next(r for r in lines if r["nip"] == member.nip)
    assert (row["predikat"], row["status"]) == ("Baik", "FINAL")
    assert len(lines) == len(team) + 1  # the unit's head and staff
    assert (await api.client.get(sheet, headers={"authorization": f"Bearer {token}"})).status_code == 404


async def test_tenant_summary_per_unit_in_a_fixed_number_of_statements(api, count_statements):
    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    periods = await rows(Period, tenant.id, year=2025)
    annual = next(p for p in periods if p.kind.value == "ANNUAL")
    admin = await api.token("bungo", "admin")
    query = ("query($p: ID!) { tenantDashboard(periodId: $p) { orgUnit { code } employees evaluationsFinal "
             "unitRating predicateCounts { predicate count } plansByStatus { status count } "
             "ikm { respondents value } complaints { received } } }")
    count_statements.statements.clear()
    data = (await api.ok(query, {"p": to_global_id("Period", annual.id)}, admin))["tenantDashboard"]
    statements = len(count_statements.statements)
    top_level = [u for u in await rows(OrgUnit, tenant.id) if u.parent_id is None]
    assert len(data) == len(top_level) > 5
    assert sum(d["employees"] for d in data) == len(await rows(Employee, tenant.id, active=True))
    dinkes = next(d for d in data if d["orgUnit"]["code"] == "DINKES")
    assert dinkes["evaluationsFinal"] > 0  # the demo year
    assert any(d["ikm"] and d["ikm"]["respondents"] > 0 for d in data)  # surveys of the unit's service units
    assert all(d["complaints"] is not None for d in data if d["ikm"])
    assert statements <= 16, count_statements.statements  # one per table, not one per unit
    assert error_codes(await api.post(query, {"p": to_global_id("Period", annual.id)},
                                      await api.token("bungo", "kepala"))) == ["FORBIDDEN"]
