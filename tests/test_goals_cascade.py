"""The cascade from the RPJMD into the SKP: a unit head's RHK names the IKU it intervenes, and
resultMatrix shows the whole chain sasaran -> IKU -> head's RHK -> supervisor's RHK -> staff RHK; a
tenant may require every head's main RHK to name one before the plan is submitted."""

from __future__ import annotations

import uuid

from conftest import rows
from test_goals import CREATE_IKU, _codes, _goal_tree, _head_unit, _iku

from kinerja.core.db import tenant_transaction
from kinerja.core.ids import to_global_id
from kinerja.tenancy.models import Tenant

YEAR = 2028
CREATE_PLAN = ("mutation($y: Int!) { createPerformancePlan(input: {year: $y}) { plan { id } "
               "userErrors { field code message } } }")
ADD_RESULT = ("mutation($i: AddResultTargetInput!) { addResultTarget(input: $i) { resultTarget { id description "
              "unitIndicator { name } } userErrors { field code message } } }")
UPDATE_RESULT = ("mutation($i: UpdateResultTargetInput!) { updateResultTarget(input: $i) { resultTarget { "
                 "unitIndicator { name } } userErrors { field code message } } }")
ADD_INDICATOR = ("mutation($i: AddIndicatorInput!) { addIndicator(input: $i) { userErrors { code } } }")
SUBMIT = "mutation($id: ID!) { submitPerformancePlan(input: {id: $id}) { plan { status } userErrors { field code message } } }"
MATRIX = ("query($p: ID!) { resultMatrix(planId: $p) { unitIndicator { name goal { code parent { code } } } "
          "result { description } contributions { result { description contributions { result { description } } } "
          "employee { name } } } }")
IKU_RESULTS = ("query($u: ID!, $y: Int!) { unitIndicators(orgUnitId: $u, year: $y) { name results { description "
               "contributions { result { description } } } } }")


async def _plan(api, token) -> str:
    answer = (await api.ok(CREATE_PLAN, {"y": YEAR}, token))["createPerformancePlan"]
    assert answer["userErrors"] == [], answer
    return answer["plan"]["id"]


async def _rhk(api, token, plan_id, description, parent_id=None, unit_indicator_id=None, goal_id=None) -> dict:
    return (await api.ok(ADD_RESULT, {"i": {"planId": plan_id, "kind": "UTAMA", "description": description,
                                            "parentId": parent_id, "unitIndicatorId": unit_indicator_id,
                                            "goalId": goal_id}}, token))["addResultTarget"]


async def test_the_chain_from_sasaran_to_staff_rhk(api):
    tenant, unit = await _head_unit("tebingtinggi")
    hr = await api.token("tebingtinggi", "bkpsdm")
    kepala, atasan, pegawai = [await api.token("tebingtinggi", u) for u in ("kepala", "atasan", "pegawai")]
    _tujuan, sasaran_id, sasaran_code = await _goal_tree(api, hr)
    variables = _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "Cakupan imunisasi dasar lengkap", target="95")
    variables["i"]["year"] = YEAR
    iku = (await api.ok(CREATE_IKU, variables, hr))["createUnitIndicator"]["unitIndicator"]["id"]
    other_year = dict(variables["i"], year=2027, name="IKU tahun lain")
    iku_2027 = (await api.ok(CREATE_IKU, {"i": other_year}, hr))["createUnitIndicator"]["unitIndicator"]["id"]

    head_plan = await _plan(api, kepala)
    # Only an IKU of the plan's year, of the unit the plan's employee heads; unknown ids are NOT_FOUND.
    assert _codes(await _rhk(api, kepala, head_plan, "x", unit_indicator_id=iku_2027)) == [
        ("unitIndicatorId", "BAD_USER_INPUT")]
    assert _codes(await _rhk(api, kepala, head_plan, "x", unit_indicator_id=to_global_id(
        "UnitIndicator", uuid.uuid4()))) == [("unitIndicatorId", "NOT_FOUND")]
    head = await _rhk(api, kepala, head_plan, "Meningkatnya cakupan imunisasi", unit_indicator_id=iku)
    assert head["userErrors"] == [] and head["resultTarget"]["unitIndicator"] == {
        "name": "Cakupan imunisasi dasar lengkap"}
    middle_plan = await _plan(api, atasan)
    assert _codes(await _rhk(api, atasan, middle_plan, "x", unit_indicator_id=iku)) == [
        ("unitIndicatorId", "BAD_USER_INPUT")]  # atasan heads a sub-unit, not the IKU's unit
    middle = await _rhk(api, atasan, middle_plan, "Terlaksananya imunisasi di puskesmas", head["resultTarget"]["id"])
    staff_plan = await _plan(api, pegawai)
    staff = await _rhk(api, pegawai, staff_plan, "Tersusunnya laporan imunisasi", middle["resultTarget"]["id"])
    assert middle["userErrors"] == [] and staff["userErrors"] == []

    [row] = (await api.ok(MATRIX, {"p": head_plan}, kepala))["resultMatrix"]
    assert row["unitIndicator"]["name"] == "Cakupan imunisasi dasar lengkap"
    assert row["unitIndicator"]["goal"]["code"] == sasaran_code and row["unitIndicator"]["goal"]["parent"]["code"]
    assert row["result"]["description"] == "Meningkatnya cakupan imunisasi"
    [supervisor] = row["contributions"]
    assert supervisor["result"] == {"description": "Terlaksananya imunisasi di puskesmas", "contributions": [
        {"result": {"description": "Tersusunnya laporan imunisasi"}}]}
    # A head's RHK may name the sasaran itself instead of an IKU (atasan heads a sub-unit).
    assert _codes(await _rhk(api, atasan, middle_plan, "x", unit_indicator_id=iku, goal_id=sasaran_id)) == [
        ("goalId", "BAD_USER_INPUT")]
    assert _codes(await _rhk(api, atasan, middle_plan, "x", goal_id=_tujuan)) == [("goalId", "NOT_FOUND")]
    direct = await _rhk(api, atasan, middle_plan, "Terbinanya kader posyandu", goal_id=sasaran_id)
    assert direct["userErrors"] == []
    rows_of_middle = (await api.ok("query($p: ID!) { resultMatrix(planId: $p) { result { description } goal { code } "
                                   "unitIndicator { name } } }", {"p": middle_plan}, atasan))["resultMatrix"]
    assert {"result": {"description": "Terbinanya kader posyandu"}, "goal": {"code": sasaran_code},
            "unitIndicator": None} in rows_of_middle
    assert _codes(await _rhk(api, pegawai, staff_plan, "x", goal_id=sasaran_id)) == [("goalId", "BAD_USER_INPUT")]

    listed = (await api.ok(IKU_RESULTS, {"u": to_global_id("OrgUnit", unit.id), "y": YEAR}, hr))["unitIndicators"]
    assert next(i for i in listed if i["name"] == "Cakupan imunisasi dasar lengkap")["results"] == [
        {"description": "Meningkatnya cakupan imunisasi",
         "contributions": [{"result": {"description": "Terlaksananya imunisasi di puskesmas"}}]}]

    # A tenant requiring the link refuses a head's plan whose main RHK names no IKU.
    unlinked = await _rhk(api, kepala, head_plan, "Meningkatnya tata kelola")
    await api.ok(ADD_INDICATOR, {"i": {"resultId": unlinked["resultTarget"]["id"], "aspect": "KUANTITAS",
                                       "description": "Dokumen", "targetValue": "1", "targetUnit": "dokumen"}}, kepala)
    await api.ok(ADD_INDICATOR, {"i": {"resultId": head["resultTarget"]["id"], "aspect": "KUANTITAS",
                                       "description": "Cakupan", "targetValue": "95", "targetUnit": "%"}}, kepala)
    [tenant_row] = await rows(Tenant, None, id=tenant.id)
    before = dict(tenant_row.settings or {})
    async with tenant_transaction(None):
        await Tenant.filter(id=tenant.id).update(settings={**before, "require_iku_link": True})
    try:
        refused = (await api.ok(SUBMIT, {"id": head_plan}, kepala))["submitPerformancePlan"]
        assert _codes(refused) == [("id", "BAD_USER_INPUT")] and "IKU" in refused["userErrors"][0]["message"]
        linked = (await api.ok(UPDATE_RESULT, {"i": {"id": unlinked["resultTarget"]["id"], "unitIndicatorId": iku}},
                               kepala))["updateResultTarget"]
        assert linked["userErrors"] == [] and linked["resultTarget"]["unitIndicator"]["name"]
        submitted = (await api.ok(SUBMIT, {"id": head_plan}, kepala))["submitPerformancePlan"]
        assert _codes(submitted) in ([], [("id", "CONFLICT")])  # CONFLICT: the head has no supervisor recorded
    finally:
        async with tenant_transaction(None):
            await Tenant.filter(id=tenant.id).update(settings=before)


DEMO = ("query($u: ID!, $y: Int!) { unitIndicators(orgUnitId: $u, year: $y) { name kind goal { level } "
        "realisations { value } } performanceAgreement(orgUnitId: $u, year: $y) { status head { name } "
        "commitments { name } } }")


async def test_every_demo_tenant_has_iku_a_signed_agreement_and_linked_rhk(api):
    import datetime as dt

    from kinerja.org.models import OrgUnit

    year = dt.date.today().year
    for slug in ("bungo", "nanggalo", "samarinda", "tangerang-selatan", "tebingtinggi"):
        tenant, unit = await _head_unit(slug)
        kepala = await api.token(slug, "kepala")
        data = await api.ok(DEMO, {"u": to_global_id("OrgUnit", unit.id), "y": year}, kepala)
        assert data["unitIndicators"] and all(i["goal"]["level"] == "SASARAN" for i in data["unitIndicators"]), slug
        assert data["performanceAgreement"]["status"] == "SIGNED", slug
        committed = {c["name"] for c in data["performanceAgreement"]["commitments"]}
        assert committed and committed <= {i["name"] for i in data["unitIndicators"]}, slug
        plan = (await api.ok("query($y: Int!) { performancePlans(filter: {year: $y}) { nodes { id employee { id } } } }",
                             {"y": year}, kepala))["performancePlans"]["nodes"]
        head_plan = next(p for p in plan if p["employee"]["id"] == to_global_id("Employee", unit.head_id))
        matrix = (await api.ok("query($p: ID!) { resultMatrix(planId: $p) { unitIndicator { name } } }",
                               {"p": head_plan["id"]}, kepala))["resultMatrix"]
        assert any(row["unitIndicator"] for row in matrix), slug
        names = {i["name"] for u in await rows(OrgUnit, tenant.id) for i in (await api.ok(
            "query($u: ID!, $y: Int!) { unitIndicators(orgUnitId: $u, year: $y) { name } }",
            {"u": to_global_id("OrgUnit", u.id), "y": year}, kepala))["unitIndicators"]} if slug == "nanggalo" else None
        if names is not None:
            assert "Persentase kelahiran yang memiliki akta kelahiran" in names
    kinds = set()
    tenant = (await rows(Tenant, None, slug="bungo"))[0]
    for unit in await rows(OrgUnit, tenant.id):
        listed = (await api.ok("query($u: ID!, $y: Int!) { unitIndicators(orgUnitId: $u, year: $y) { kind "
                               "realisations { value } } }", {"u": to_global_id("OrgUnit", unit.id), "y": year},
                               await api.token("bungo", "bkpsdm")))["unitIndicators"]
        kinds |= {i["kind"] for i in listed if i["realisations"]}
    assert {"PERCENTAGE", "PUBLIC_SATISFACTION"} <= kinds
