"""IKU realisation and achievement through the API: evidence, closed periods, year-to-date by each
aggregation rule, the cap and the late flag, a unit's achievement with the suggested rating next to
the human decision; the rules are each tenant's (tenants/*.toml)."""

from __future__ import annotations

import base64
from decimal import Decimal

from conftest import rows
from samples import pdf
from test_goals import CREATE_IKU, SET_TARGET, _codes, _goal_tree, _head_unit, _iku

from kinerja.core.ids import to_global_id
from kinerja.goals import rules
from kinerja.org.models import Period
from kinerja.tenancy.models import Tenant

ERRORS = "userErrors { field code message }"
RECORD = ("mutation($i: RecordUnitIndicatorRealisationInput!) { recordUnitIndicatorRealisation(input: $i) { "
          "realisation { value narrative evidenceUrl evidenceFileName evidenceSha256 evidenceDownloadPath "
          "period { sequence } } "
          "unitIndicator { yearToDate achievement } %s } }" % ERRORS)
FIGURES = ("query($u: ID!, $y: Int!) { unitIndicators(orgUnitId: $u, year: $y) { name target effectiveAggregation "
           "yearToDate achievement latePeriods periods { sequence target realisation achievement late } "
           "realisations { value period { sequence } } } }")
UNIT = ("query($u: ID!, $p: ID!) { unitAchievement(orgUnitId: $u, periodId: $p) { achievement suggestedRating rating "
        "orgUnit { code } period { kind } indicators { name target realisation achievement late } } }")
SET_UNIT = ("mutation($i: SetUnitPerformanceInput!) { setUnitPerformance(input: $i) { unitPerformance { rating "
            "suggestedRating } userErrors { code } } }")
CLOSE = "mutation($id: ID!, $c: Boolean!) { setPeriodClosed(input: {id: $id, closed: $c}) { userErrors { code } } }"


async def _periods(tenant, year) -> tuple[list[Period], Period]:
    found = await rows(Period, tenant.id, year=year)
    quarters = sorted((p for p in found if p.kind.value != "ANNUAL"), key=lambda p: p.sequence)
    return quarters, next(p for p in found if p.kind.value == "ANNUAL")


def test_aggregation_rules_and_achievement():
    values = [Decimal(v) for v in ("20", "30", "25")]
    assert [rules.aggregate(values, how) for how in rules.Aggregation] == [
        Decimal(75), Decimal(25), Decimal(25), Decimal(30)]
    assert rules.aggregate([], rules.Aggregation.SUM) is None
    up, down = rules.Direction.HIGHER_IS_BETTER, rules.Direction.LOWER_IS_BETTER
    assert rules.achievement(Decimal(90), Decimal(96), up, Decimal(120)) == Decimal("106.67")
    assert rules.achievement(Decimal(10), Decimal(5), down, Decimal(120)) == Decimal(120)
    assert rules.achievement(Decimal(10), Decimal(20), down, Decimal(120)) == Decimal(50)
    assert rules.achievement(Decimal(10), Decimal(0), down, Decimal(110)) == Decimal(110)
    assert rules.achievement(None, Decimal(5), up, Decimal(120)) is None
    defaults = rules.GoalRules()
    assert [rules.suggested_rating(Decimal(v), defaults) for v in ("110", "109.99", "90", "70", "50", "49.99")] == [
        rules.UnitRatingSuggestion.ISTIMEWA, rules.UnitRatingSuggestion.BAIK, rules.UnitRatingSuggestion.BAIK,
        rules.UnitRatingSuggestion.BUTUH_PERBAIKAN, rules.UnitRatingSuggestion.KURANG,
        rules.UnitRatingSuggestion.SANGAT_KURANG]
    assert rules.rules_problems({"thresholds": {"BAIK": 120}}) != []
    assert rules.rules_problems({"aggregation": {"COUNT": "MEDIAN"}}) != []
    assert rules.rules_problems({"cap_percent": 120, "aggregation": {"COUNT": "LAST"}}) == []


async def test_realisation_year_to_date_and_unit_achievement(api):
    tenant, unit = await _head_unit("tebingtinggi")
    hr, pegawai = await api.token("tebingtinggi", "bkpsdm"), await api.token("tebingtinggi", "pegawai")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr)
    unit_id = to_global_id("OrgUnit", unit.id)
    quarters, annual = await _periods(tenant, 2025)
    q = [to_global_id("Period", p.id) for p in quarters]

    async def iku(name, kind, target, **extra):
        variables = _iku(unit_id, sasaran_id, name, kind=kind, target=target, **extra)
        variables["i"]["year"] = 2025
        answer = (await api.ok(CREATE_IKU, variables, hr))["createUnitIndicator"]
        assert answer["userErrors"] == [], answer
        return answer["unitIndicator"]["id"]

    count = await iku("Bayi diimunisasi", "COUNT", "100")
    coverage = await iku("Cakupan imunisasi dasar", "PERCENTAGE", "90")
    deaths = await iku("Rasio kematian bayi", "RATIO", "10", direction="LOWER_IS_BETTER")
    index = await iku("Indeks kesehatan", "INDEX", "3.2", aggregation="MAX")
    satisfaction = await iku("Kepuasan layanan puskesmas", "PUBLIC_SATISFACTION", "80")
    await api.ok(SET_TARGET, {"i": {"unitIndicatorId": count, "periodId": q[0], "value": "25"}}, hr)

    async def record(indicator, quarter, value, **extra):
        answer = (await api.ok(RECORD, {"i": {"unitIndicatorId": indicator, "periodId": q[quarter], "value": value,
                                              **extra}}, hr))["recordUnitIndicatorRealisation"]
        assert answer["userErrors"] == [], answer
        return answer

    linked = await record(coverage, 0, "80", narrative="Posyandu", evidence={"url": "https://dinkes.example/q1"})
    assert linked["realisation"]["evidenceUrl"] == "https://dinkes.example/q1"
    filed = await record(coverage, 1, "95", evidence={"fileName": "laporan.pdf", "contentType": "application/pdf",
                                                       "contentBase64": base64.b64encode(pdf()).decode()})
    assert filed["realisation"]["evidenceFileName"] == "laporan.pdf" and len(filed["realisation"]["evidenceSha256"]) == 64
    assert linked["realisation"]["evidenceDownloadPath"] is None
    path = filed["realisation"]["evidenceDownloadPath"]
    download = await api.client.get(path, headers={"authorization": f"Bearer {pegawai}"})
    assert download.status_code == 200 and download.content == pdf()
    intruder = await api.client.get(path, headers={"authorization": f"Bearer {await api.token('bungo', 'admin')}"})
    unknown = await api.client.get(path[:-4] + "AAAA", headers={"authorization": f"Bearer {pegawai}"})
    assert intruder.status_code == unknown.status_code == 404
    for indicator, quarter, value in ((count, 0, "20"), (count, 1, "30"), (coverage, 2, "92"), (coverage, 3, "96"),
                                      (deaths, 0, "5"), (index, 0, "3.1"), (index, 1, "3.4"),
                                      (satisfaction, 0, "70"), (satisfaction, 1, "90")):
        await record(indicator, quarter, value)
    # A second report replaces the first (and keeps its evidence); the same report again changes nothing.
    again = (await api.ok(RECORD, {"i": {"unitIndicatorId": count, "periodId": q[1], "value": "30"}}, hr))
    assert _codes(again["recordUnitIndicatorRealisation"]) == [("value", "CONFLICT")]
    kept = await record(coverage, 1, "95", narrative="Sweeping")
    assert kept["realisation"]["evidenceFileName"] == "laporan.pdf"
    # Bad input, someone without the permission, a period of another year.
    bad = await api.ok(RECORD, {"i": {"unitIndicatorId": count, "periodId": q[2], "value": "1",
                                      "evidence": {"url": "ftp://x"}}}, hr)
    assert _codes(bad["recordUnitIndicatorRealisation"]) == [("evidence.url", "BAD_USER_INPUT")]
    refused = await api.ok(RECORD, {"i": {"unitIndicatorId": count, "periodId": q[2], "value": "1"}}, pegawai)
    assert [c for _f, c in _codes(refused["recordUnitIndicatorRealisation"])] == ["FORBIDDEN"]
    other_year = (await _periods(tenant, 2026))[0][0]
    wrong = await api.ok(RECORD, {"i": {"unitIndicatorId": count, "periodId": to_global_id("Period", other_year.id),
                                        "value": "1"}}, hr)
    assert _codes(wrong["recordUnitIndicatorRealisation"]) == [("periodId", "BAD_USER_INPUT")]

    figures = {i["name"]: i for i in (await api.ok(FIGURES, {"u": unit_id, "y": 2025}, pegawai))["unitIndicators"]}
    summary = {name: (i["effectiveAggregation"], i["yearToDate"], i["achievement"], i["latePeriods"])
               for name, i in figures.items() if name in {"Bayi diimunisasi", "Cakupan imunisasi dasar",
                                                          "Rasio kematian bayi", "Indeks kesehatan",
                                                          "Kepuasan layanan puskesmas"}}
    assert summary == {
        "Bayi diimunisasi": ("SUM", "50", "50", 2),
        "Cakupan imunisasi dasar": ("LAST", "96", "106.67", 0),
        "Rasio kematian bayi": ("LAST", "5", "120", 3),  # 200 % capped by the tenant's 120 %
        "Indeks kesehatan": ("MAX", "3.4", "106.25", 2),
        "Kepuasan layanan puskesmas": ("AVERAGE", "80", "100", 2),
    }
    assert figures["Bayi diimunisasi"]["periods"] == [
        {"sequence": 1, "target": "25", "realisation": "20", "achievement": "80", "late": False},
        {"sequence": 2, "target": None, "realisation": "30", "achievement": None, "late": False},
        {"sequence": 3, "target": None, "realisation": None, "achievement": None, "late": True},
        {"sequence": 4, "target": None, "realisation": None, "achievement": None, "late": True}]
    assert [r["period"]["sequence"] for r in figures["Cakupan imunisasi dasar"]["realisations"]] == [1, 2, 3, 4]

    year = (await api.ok(UNIT, {"u": unit_id, "p": to_global_id("Period", annual.id)}, pegawai))["unitAchievement"]
    assert (year["achievement"], year["suggestedRating"]) == ("96.58", "BAIK")
    assert year["orgUnit"]["code"] == unit.code and year["period"]["kind"] == "ANNUAL"
    first = (await api.ok(UNIT, {"u": unit_id, "p": q[0]}, pegawai))["unitAchievement"]
    assert first["achievement"] == "94.65" and first["suggestedRating"] == "BAIK"
    assert {i["name"]: i["achievement"] for i in first["indicators"]} == {
        "Bayi diimunisasi": "80", "Cakupan imunisasi dasar": "88.89", "Rasio kematian bayi": "120",
        "Indeks kesehatan": "96.88", "Kepuasan layanan puskesmas": "87.5"}
    # The human decision is kept next to the suggestion.
    decision = "KURANG" if year["rating"] != "KURANG" else "BUTUH_PERBAIKAN"
    decided = (await api.ok(SET_UNIT, {"i": {"orgUnitId": unit_id, "periodId": to_global_id("Period", annual.id),
                                              "rating": decision}}, hr))["setUnitPerformance"]
    assert decided["unitPerformance"] == {"rating": decision, "suggestedRating": "BAIK"}
    year = (await api.ok(UNIT, {"u": unit_id, "p": to_global_id("Period", annual.id)}, pegawai))["unitAchievement"]
    assert (year["suggestedRating"], year["rating"]) == ("BAIK", decision)


async def test_a_closed_period_refuses_realisation_and_targets(api):
    tenant, unit = await _head_unit("tebingtinggi")
    hr = await api.token("tebingtinggi", "bkpsdm")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr)
    variables = _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "Angka partisipasi sekolah", target="98")
    variables["i"]["year"] = 2025
    indicator = (await api.ok(CREATE_IKU, variables, hr))["createUnitIndicator"]["unitIndicator"]["id"]
    last = to_global_id("Period", (await _periods(tenant, 2025))[0][-1].id)
    assert (await api.ok(CLOSE, {"id": last, "c": True}, hr))["setPeriodClosed"]["userErrors"] == []
    try:
        answer = await api.ok(RECORD, {"i": {"unitIndicatorId": indicator, "periodId": last, "value": "97"}}, hr)
        assert _codes(answer["recordUnitIndicatorRealisation"]) == [("periodId", "CONFLICT")]
        answer = await api.ok(SET_TARGET, {"i": {"unitIndicatorId": indicator, "periodId": last, "value": "97"}}, hr)
        assert _codes(answer["setUnitIndicatorTarget"]) == [("periodId", "CONFLICT")]
    finally:
        assert (await api.ok(CLOSE, {"id": last, "c": False}, hr))["setPeriodClosed"]["userErrors"] == []
    answer = await api.ok(RECORD, {"i": {"unitIndicatorId": indicator, "periodId": last, "value": "97"}}, hr)
    assert answer["recordUnitIndicatorRealisation"]["userErrors"] == []


async def test_the_cap_is_the_tenants_rule(api):
    """Bungo's tenant file caps achievement at 110 %."""
    tenant, unit = await _head_unit("bungo")
    hr = await api.token("bungo", "bkpsdm")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr)
    variables = _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "Angka kematian ibu", kind="RATIO", target="10",
                     direction="LOWER_IS_BETTER")
    variables["i"]["year"] = 2025
    indicator = (await api.ok(CREATE_IKU, variables, hr))["createUnitIndicator"]["unitIndicator"]["id"]
    first = to_global_id("Period", (await _periods(tenant, 2025))[0][0].id)
    answer = (await api.ok(RECORD, {"i": {"unitIndicatorId": indicator, "periodId": first, "value": "4"}}, hr))
    assert answer["recordUnitIndicatorRealisation"]["unitIndicator"] == {"yearToDate": "4", "achievement": "110"}


async def test_another_tenant_cannot_report_or_read_achievement(api):
    tenant, unit = await _head_unit("tebingtinggi")
    hr = await api.token("tebingtinggi", "bkpsdm")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr)
    variables = _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "IKU sasaran serangan", target="1")
    variables["i"]["year"] = 2025
    indicator = (await api.ok(CREATE_IKU, variables, hr))["createUnitIndicator"]["unitIndicator"]["id"]
    quarters, annual = await _periods(tenant, 2025)
    intruder = await api.token("bungo", "admin")
    bungo_period = to_global_id("Period", (await _periods((await rows(Tenant, None, slug="bungo"))[0],
                                                          2025))[0][0].id)
    foreign = await api.ok(RECORD, {"i": {"unitIndicatorId": indicator, "periodId": bungo_period, "value": "1"}},
                           intruder)
    random = await api.ok(RECORD, {"i": {"unitIndicatorId": to_global_id("UnitIndicator", quarters[0].id),
                                         "periodId": bungo_period, "value": "1"}}, intruder)
    assert foreign["recordUnitIndicatorRealisation"]["userErrors"] == random["recordUnitIndicatorRealisation"][
        "userErrors"] and _codes(foreign["recordUnitIndicatorRealisation"]) == [("unitIndicatorId", "NOT_FOUND")]
    body = await api.post(UNIT, {"u": to_global_id("OrgUnit", unit.id), "p": to_global_id("Period", annual.id)},
                          intruder)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]




INDIVIDUAL_YEAR = 2029
CREATE_PLAN = ("mutation($y: Int!) { createPerformancePlan(input: {year: $y}) { plan { id } "
               "userErrors { field code message } } }")
ADD_RESULT = ("mutation($i: AddResultTargetInput!) { addResultTarget(input: $i) { resultTarget { id } "
              "userErrors { code } } }")
ADD_INDICATOR = ("mutation($i: AddIndicatorInput!) { addIndicator(input: $i) { indicator { id aggregation "
                 "effectiveAggregation } userErrors { field code message } } }")
PLAN_ACTION = "mutation($id: ID!) { %s(input: {id: $id}) { plan { status } userErrors { code message } } }"
RECORD_INDIVIDUAL = ("mutation($i: RecordRealisationInput!) { recordRealisation(input: $i) { userErrors { code } } }")
PLAN_YTD = ("query($id: ID!, $annual: ID!, $q1: ID!) { node(id: $id) { ... on PerformancePlan { results { "
            "indicators { description effectiveAggregation yearToDate } } year: progress(periodId: $annual) { "
            "realised achievement } first: progress(periodId: $q1) { realised achievement } } } }")


async def test_individual_indicators_have_a_year_to_date_and_the_annual_progress_counts_it(api):
    from kinerja.core.db import tenant_transaction
    from kinerja.org.service import ensure_periods

    tenant, _unit = await _head_unit("tebingtinggi")
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, INDIVIDUAL_YEAR)
    quarters, annual = await _periods(tenant, INDIVIDUAL_YEAR)
    pegawai, atasan = await api.token("tebingtinggi", "pegawai"), await api.token("tebingtinggi", "atasan")
    plan = (await api.ok(CREATE_PLAN, {"y": INDIVIDUAL_YEAR}, pegawai))["createPerformancePlan"]
    assert plan["userErrors"] == [], plan
    plan_id = plan["plan"]["id"]
    rhk = (await api.ok(ADD_RESULT, {"i": {"planId": plan_id, "kind": "UTAMA", "description": "Terlayaninya "
                                                                                            "imunisasi"}}, pegawai))
    rhk_id = rhk["addResultTarget"]["resultTarget"]["id"]
    ids = {}
    for description, aspect, target, unit, aggregation in (
            ("Bayi diimunisasi", "KUANTITAS", "120", "bayi", None), ("Mutu layanan", "KUALITAS", "90", "%", None),
            ("Cakupan kumulatif", "KUANTITAS", "95", "%", "LAST")):
        added = (await api.ok(ADD_INDICATOR, {"i": {"resultId": rhk_id, "aspect": aspect, "description": description,
                                                    "targetValue": target, "targetUnit": unit,
                                                    "aggregation": aggregation}}, pegawai))["addIndicator"]
        assert added["userErrors"] == [], added
        ids[description] = added["indicator"]["id"]
    for action, token in (("submitPerformancePlan", pegawai), ("approvePerformancePlan", atasan)):
        answer = (await api.ok(PLAN_ACTION % action, {"id": plan_id}, token))[action]
        assert answer["userErrors"] == [], answer
    for description, values in (("Bayi diimunisasi", ("30", "40")), ("Mutu layanan", ("80", "90")),
                                ("Cakupan kumulatif", ("50", "70"))):
        for quarter, value in zip(quarters, values, strict=False):
            answer = await api.ok(RECORD_INDIVIDUAL, {"i": {"indicatorId": ids[description], "periodId": to_global_id(
                "Period", quarter.id), "value": value, "narrative": "Dilaporkan"}}, pegawai)
            assert answer["recordRealisation"]["userErrors"] == [], answer
    data = (await api.ok(PLAN_YTD, {"id": plan_id, "annual": to_global_id("Period", annual.id),
                                    "q1": to_global_id("Period", quarters[0].id)}, pegawai))["node"]
    assert data["results"][0]["indicators"] == [
        {"description": "Bayi diimunisasi", "effectiveAggregation": "SUM", "yearToDate": "70"},
        {"description": "Mutu layanan", "effectiveAggregation": "AVERAGE", "yearToDate": "85"},
        {"description": "Cakupan kumulatif", "effectiveAggregation": "LAST", "yearToDate": "70"}]
    # The annual progress no longer reads 0: 70/120, 85/90 and 70/95 of the targets, on average.
    assert data["year"]["realised"] == 3 and data["year"]["achievement"] != "0"
    expected = (Decimal(70) / 120 + Decimal(85) / 90 + Decimal(70) / 95) / 3
    assert abs(Decimal(data["year"]["achievement"]) - expected) < Decimal("0.001")
    assert data["first"]["realised"] == 3


DASHBOARD = ("query($u: ID!, $p: ID!) { unitDashboard(orgUnitId: $u, periodId: $p) { ikuAchievement "
             "ikuTrend { sequence achievement } } }")
TENANT_DASHBOARD = "query($p: ID!) { tenantDashboard(periodId: $p) { orgUnit { code } ikuAchievement } }"
REPORT = ("query($y: Int!) { publicReport(tenant: \"bungo\", year: $y) { csvPath unitIndicators { unit name "
          "unitOfMeasure target realisation achievement } unitAchievements { unit achievement } } }")


async def test_dashboards_and_the_public_report_show_iku_achievement(api):
    from kinerja.org.models import OrgUnit

    tenant, head_unit = await _head_unit("bungo")
    unit = sorted((u for u in await rows(OrgUnit, tenant.id) if u.parent_id is None and u.id != head_unit.id),
                  key=lambda u: u.code)[0]
    hr = await api.token("bungo", "bkpsdm")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr)
    unit_id = to_global_id("OrgUnit", unit.id)
    variables = _iku(unit_id, sasaran_id, "Cakupan layanan publik", target="90")
    variables["i"]["year"] = 2025
    indicator = (await api.ok(CREATE_IKU, variables, hr))["createUnitIndicator"]["unitIndicator"]["id"]
    quarters, annual = await _periods(tenant, 2025)
    for quarter, value in zip(quarters, ("80", "99"), strict=False):
        answer = await api.ok(RECORD, {"i": {"unitIndicatorId": indicator, "periodId": to_global_id(
            "Period", quarter.id), "value": value}}, hr)
        assert answer["recordUnitIndicatorRealisation"]["userErrors"] == []
    annual_id = to_global_id("Period", annual.id)
    board = (await api.ok(DASHBOARD, {"u": unit_id, "p": annual_id}, hr))["unitDashboard"]
    assert board["ikuAchievement"] == "110"  # 99 / 90 = 110 %, Bungo's cap
    assert board["ikuTrend"] == [{"sequence": 1, "achievement": "88.89"},  # Bungo reports by semester
                                 {"sequence": 2, "achievement": "110"}]
    first = (await api.ok(DASHBOARD, {"u": unit_id, "p": to_global_id("Period", quarters[0].id)}, hr))
    assert first["unitDashboard"]["ikuAchievement"] == "88.89"
    summary = (await api.ok(TENANT_DASHBOARD, {"p": annual_id}, hr))["tenantDashboard"]
    assert {"orgUnit": {"code": unit.code}, "ikuAchievement": "110"} in summary

    report = (await api.ok(REPORT, {"y": 2025}))["publicReport"]
    assert {"unit": unit.name, "name": "Cakupan layanan publik", "unitOfMeasure": "%", "target": "90",
            "realisation": "99", "achievement": "110"} in report["unitIndicators"]
    assert {"unit": unit.name, "achievement": "110"} in report["unitAchievements"]
    csv = (await api.client.get(report["csvPath"])).text.splitlines()
    assert csv[0].endswith("iku,satuan_iku,target_iku,realisasi_iku,capaian_iku_persen")
    line = next(row for row in csv if row.startswith("IKU,") and "Cakupan layanan publik" in row)
    assert line.endswith("Cakupan layanan publik,%,90,99,110")
    assert any(row.startswith("Capaian IKU,") for row in csv)


async def test_a_public_satisfaction_iku_takes_its_realisation_from_the_ikm(api):
    import datetime as dt

    from kinerja.org.models import OrgUnit

    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    [unit] = await rows(OrgUnit, tenant.id, code="DISDUKCAPIL")
    day = dt.date.today() - dt.timedelta(days=100)  # the demo's survey responses cover the last 420 days
    period = next(p for p in await rows(Period, tenant.id, year=day.year)
                  if p.kind.value != "ANNUAL" and p.starts_on <= day <= p.ends_on)
    hr = await api.token("bungo", "bkpsdm")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr, start=day.year, end=day.year)
    unit_id = to_global_id("OrgUnit", unit.id)

    async def create(name, kind):
        variables = _iku(unit_id, sasaran_id, name, kind=kind, target="80")
        variables["i"]["year"] = day.year
        return (await api.ok(CREATE_IKU, variables, hr))["createUnitIndicator"]["unitIndicator"]["id"]

    satisfaction, other = await create("Indeks kepuasan masyarakat", "PUBLIC_SATISFACTION"), await create(
        "Cakupan akta kelahiran", "PERCENTAGE")
    period_id = to_global_id("Period", period.id)
    taken = (await api.ok(RECORD, {"i": {"unitIndicatorId": satisfaction, "periodId": period_id, "fromIkm": True}},
                          hr))["recordUnitIndicatorRealisation"]
    assert taken["userErrors"] == [], taken
    assert Decimal(25) <= Decimal(taken["realisation"]["value"]) <= Decimal(100)
    refused = (await api.ok(RECORD, {"i": {"unitIndicatorId": other, "periodId": period_id, "fromIkm": True}}, hr))
    assert _codes(refused["recordUnitIndicatorRealisation"]) == [("fromIkm", "BAD_USER_INPUT")]
    both = (await api.ok(RECORD, {"i": {"unitIndicatorId": satisfaction, "periodId": period_id, "fromIkm": True,
                                        "value": "90"}}, hr))
    assert _codes(both["recordUnitIndicatorRealisation"]) == [("value", "BAD_USER_INPUT")]


async def test_an_individual_indicator_is_late_for_each_ended_period_without_a_realisation(api):
    from kinerja.core.db import tenant_transaction
    from kinerja.org.service import ensure_periods

    tenant = (await rows(Tenant, None, slug="samarinda"))[0]
    async with tenant_transaction(tenant.id):
        await ensure_periods(tenant, 2024)
    quarters, _annual = await _periods(tenant, 2024)
    pegawai, atasan = await api.token("samarinda", "pegawai"), await api.token("samarinda", "atasan")
    plan = (await api.ok(CREATE_PLAN, {"y": 2024}, pegawai))["createPerformancePlan"]
    assert plan["userErrors"] == [], plan
    plan_id = plan["plan"]["id"]
    rhk = (await api.ok(ADD_RESULT, {"i": {"planId": plan_id, "kind": "UTAMA", "description": "Laporan"}}, pegawai))
    added = (await api.ok(ADD_INDICATOR, {"i": {"resultId": rhk["addResultTarget"]["resultTarget"]["id"],
                                                "aspect": "KUANTITAS", "description": "Jumlah laporan",
                                                "targetValue": "4", "targetUnit": "dokumen"}}, pegawai))
    indicator = added["addIndicator"]["indicator"]["id"]
    for action, token in (("submitPerformancePlan", pegawai), ("approvePerformancePlan", atasan)):
        assert (await api.ok(PLAN_ACTION % action, {"id": plan_id}, token))[action]["userErrors"] == []
    for quarter in quarters[:2]:
        answer = await api.ok(RECORD_INDIVIDUAL, {"i": {"indicatorId": indicator, "periodId": to_global_id(
            "Period", quarter.id), "value": "1", "narrative": "Selesai"}}, pegawai)
        assert answer["recordRealisation"]["userErrors"] == []
    late = await api.ok("query($id: ID!) { node(id: $id) { ... on PerformancePlan { results { indicators { "
                        "latePeriods yearToDate } } } } }", {"id": plan_id}, pegawai)
    assert late["node"]["results"][0]["indicators"] == [{"latePeriods": 2, "yearToDate": "2"}]
