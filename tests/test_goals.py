"""Organisation performance through the API: the RPJMD goal tree, IKU with their targets, who may
plan them, and attacks from another tenant on the new tables."""

from __future__ import annotations

import uuid

import pytest
from conftest import BACKEND, error_codes, rows

from kinerja.auth.models import User
from kinerja.core.ids import to_global_id
from kinerja.goals.models import UnitIndicator
from kinerja.org.models import Employee, OrgUnit, Period
from kinerja.tenancy.models import Tenant

postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="row-level security is PostgreSQL's")

ERRORS = "userErrors { field code message }"
SAVE_GOAL = ("mutation($i: SaveStrategicGoalInput!) { saveStrategicGoal(input: $i) { strategicGoal { id level code "
             "name startYear endYear indicators { name unitOfMeasure baseline target } parent { code } } %s } }" % ERRORS)
CREATE_IKU = ("mutation($i: CreateUnitIndicatorInput!) { createUnitIndicator(input: $i) { unitIndicator { id name "
              "kind direction year target aggregation goal { code } orgUnit { code } } %s } }" % ERRORS)
UPDATE_IKU = ("mutation($i: UpdateUnitIndicatorInput!) { updateUnitIndicator(input: $i) { unitIndicator { id name "
              "definition direction aggregation } %s } }" % ERRORS)
SET_TARGET = ("mutation($i: SetUnitIndicatorTargetInput!) { setUnitIndicatorTarget(input: $i) { unitIndicator { "
              "target targets { value period { sequence } } } %s } }" % ERRORS)
GOALS = ("query($y: Int!) { strategicGoals(year: $y) { code level indicators { name target } "
         "children { code level parent { code } } } }")
IKUS = ("query($u: ID!, $y: Int!) { unitIndicators(orgUnitId: $u, year: $y) { name kind unitOfMeasure dataSource "
        "responsiblePosition baseline target goal { code } targets { value period { sequence } } } }")


async def _tenant(slug):
    return (await rows(Tenant, None, slug=slug))[0]


async def _head_unit(slug) -> tuple[Tenant, OrgUnit]:
    """The tenant and the unit its user `kepala` heads."""
    tenant = await _tenant(slug)
    user = (await rows(User, tenant.id, username="kepala"))[0]
    kepala = (await rows(Employee, tenant.id, id=user.employee_id))[0]
    units = await rows(OrgUnit, tenant.id, head_id=kepala.id)
    unit = units[0] if units else (await rows(OrgUnit, tenant.id, id=kepala.org_unit_id))[0]
    return tenant, unit


async def _unit_without_demo_iku(slug) -> tuple[Tenant, OrgUnit]:
    """A perangkat daerah the demo gives no IKU (its IKU and agreement are the test's own)."""
    tenant = await _tenant(slug)
    return tenant, (await rows(OrgUnit, tenant.id, code="INSPEKTORAT"))[0]


async def _goal_tree(api, token, start=2025, end=2029) -> tuple[str, str, str]:
    """A tujuan and one of its sasaran; their ids and the sasaran's code."""
    suffix = uuid.uuid4().hex[:6]
    tujuan = (await api.ok(SAVE_GOAL, {"i": {
        "level": "TUJUAN", "code": f"T-{suffix}", "name": "Meningkatnya kualitas sumber daya manusia",
        "startYear": start, "endYear": end,
        "indicators": [{"name": "Indeks Pembangunan Manusia", "unitOfMeasure": "indeks", "baseline": "72.5",
                        "target": "75"}]}}, token))["saveStrategicGoal"]
    assert tujuan["userErrors"] == [], tujuan
    sasaran = (await api.ok(SAVE_GOAL, {"i": {
        "level": "SASARAN", "parentId": tujuan["strategicGoal"]["id"], "code": f"S-{suffix}",
        "name": "Meningkatnya derajat kesehatan masyarakat", "startYear": start, "endYear": end}}, token))
    sasaran = sasaran["saveStrategicGoal"]
    assert sasaran["userErrors"] == [] and sasaran["strategicGoal"]["parent"] == {"code": f"T-{suffix}"}
    return tujuan["strategicGoal"]["id"], sasaran["strategicGoal"]["id"], f"S-{suffix}"


def _iku(unit_id, goal_id, name, **extra) -> dict:
    return {"i": {"orgUnitId": unit_id, "year": 2026, "goalId": goal_id, "name": name, "kind": "PERCENTAGE",
                  "unitOfMeasure": "%", "dataSource": "Profil Kesehatan", "responsiblePosition": "Kepala Bidang",
                  "definition": "Persentase bayi yang mendapat imunisasi dasar lengkap", **extra}}


async def test_goal_tree_and_iku_with_targets(api):
    tenant, unit = await _unit_without_demo_iku("tebingtinggi")
    hr = await api.token("tebingtinggi", "bkpsdm")
    tujuan_id, sasaran_id, sasaran_code = await _goal_tree(api, hr)
    tree = (await api.ok(GOALS, {"y": 2026}, hr))["strategicGoals"]
    mine = next(g for g in tree if g["children"] and g["children"][0]["code"] == sasaran_code)
    assert mine["level"] == "TUJUAN" and mine["indicators"] == [{"name": "Indeks Pembangunan Manusia", "target": "75"}]
    assert mine["children"][0]["parent"]["code"] == mine["code"]
    assert all(g["code"] != mine["code"] for g in (await api.ok(GOALS, {"y": 2031}, hr))["strategicGoals"])

    unit_id = to_global_id("OrgUnit", unit.id)
    created = (await api.ok(CREATE_IKU, _iku(unit_id, sasaran_id, "Cakupan imunisasi dasar lengkap",
                                             baseline="88", target="95"), hr))["createUnitIndicator"]
    assert created["userErrors"] == []
    iku = created["unitIndicator"]
    assert (iku["kind"], iku["direction"], iku["target"], iku["aggregation"]) == (
        "PERCENTAGE", "HIGHER_IS_BETTER", "95", None)
    assert iku["goal"] == {"code": sasaran_code} and iku["orgUnit"]["code"] == unit.code

    periods = sorted((p for p in await rows(Period, tenant.id, year=2026) if p.kind.value != "ANNUAL"),
                     key=lambda p: p.sequence)
    for period, value in zip(periods[:2], ("90", "92"), strict=True):
        answer = (await api.ok(SET_TARGET, {"i": {"unitIndicatorId": iku["id"], "periodId": to_global_id(
            "Period", period.id), "value": value}}, hr))["setUnitIndicatorTarget"]
        assert answer["userErrors"] == []
    answer = (await api.ok(SET_TARGET, {"i": {"unitIndicatorId": iku["id"], "value": "96"}}, hr))["setUnitIndicatorTarget"]
    assert answer["unitIndicator"]["target"] == "96"
    assert answer["unitIndicator"]["targets"] == [{"value": "90", "period": {"sequence": 1}},
                                                  {"value": "92", "period": {"sequence": 2}}]
    listed = (await api.ok(IKUS, {"u": unit_id, "y": 2026}, hr))["unitIndicators"]
    assert [i for i in listed if i["name"] == "Cakupan imunisasi dasar lengkap"] == [{
        "name": "Cakupan imunisasi dasar lengkap", "kind": "PERCENTAGE", "unitOfMeasure": "%",
        "dataSource": "Profil Kesehatan", "responsiblePosition": "Kepala Bidang", "baseline": "88", "target": "96",
        "goal": {"code": sasaran_code}, "targets": [{"value": "90", "period": {"sequence": 1}},
                                                    {"value": "92", "period": {"sequence": 2}}]}]

    # An IKU serves a sasaran (not a tujuan); its name is unique in the unit and year.
    wrong = (await api.ok(CREATE_IKU, _iku(unit_id, tujuan_id, "Lain"), hr))["createUnitIndicator"]
    assert [(e["field"], e["code"]) for e in wrong["userErrors"]] == [("goalId", "BAD_USER_INPUT")]
    again = (await api.ok(CREATE_IKU, _iku(unit_id, sasaran_id, "Cakupan imunisasi dasar lengkap"), hr))
    assert [(e["field"], e["code"]) for e in again["createUnitIndicator"]["userErrors"]] == [("name", "CONFLICT")]

    updated = (await api.ok(UPDATE_IKU, {"i": {"id": iku["id"], "direction": "LOWER_IS_BETTER",
                                               "aggregation": "AVERAGE"}}, hr))["updateUnitIndicator"]
    assert updated["userErrors"] == [] and updated["unitIndicator"]["aggregation"] == "AVERAGE"
    same = (await api.ok(UPDATE_IKU, {"i": {"id": iku["id"], "direction": "LOWER_IS_BETTER"}}, hr))
    assert [e["code"] for e in same["updateUnitIndicator"]["userErrors"]] == ["CONFLICT"]
    back = (await api.ok(UPDATE_IKU, {"i": {"id": iku["id"], "defaultAggregation": True}}, hr))
    assert back["updateUnitIndicator"]["unitIndicator"]["aggregation"] is None


async def test_bad_input_is_refused_field_by_field(api):
    _tenant_row, unit = await _unit_without_demo_iku("tebingtinggi")
    hr = await api.token("tebingtinggi", "bkpsdm")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr)
    bad = (await api.ok(SAVE_GOAL, {"i": {"level": "SASARAN", "code": "", "name": "x", "startYear": 2030,
                                          "endYear": 2020}}, hr))["saveStrategicGoal"]
    assert {e["field"] for e in bad["userErrors"]} == {"code", "endYear", "parentId"}
    outside = (await api.ok(CREATE_IKU, _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "Terlambat",
                                             year=2031), hr))["createUnitIndicator"]
    assert [e["field"] for e in outside["userErrors"]] == ["year"] or \
        [e["field"] for e in outside["userErrors"]] == ["goalId"]
    long_name = (await api.ok(CREATE_IKU, _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "x" * 301), hr))
    assert [e["field"] for e in long_name["createUnitIndicator"]["userErrors"]] == ["name"]
    iku = (await api.ok(CREATE_IKU, _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "Rasio dokter"), hr))
    iku_id = iku["createUnitIndicator"]["unitIndicator"]["id"]
    annual = [p for p in await rows(Period, _tenant_row.id, year=2026) if p.kind.value == "ANNUAL"][0]
    wrong_period = (await api.ok(SET_TARGET, {"i": {"unitIndicatorId": iku_id, "periodId": to_global_id(
        "Period", annual.id), "value": "1"}}, hr))["setUnitIndicatorTarget"]
    assert [(e["field"], e["code"]) for e in wrong_period["userErrors"]] == [("periodId", "BAD_USER_INPUT")]


async def test_who_may_plan(api):
    tenant, unit = await _head_unit("tebingtinggi")
    hr, kepala = await api.token("tebingtinggi", "bkpsdm"), await api.token("tebingtinggi", "kepala")
    pegawai = await api.token("tebingtinggi", "pegawai")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr)
    # Regional goals are set tenant-wide only.
    for token in (kepala, pegawai):
        refused = (await api.ok(SAVE_GOAL, {"i": {"level": "TUJUAN", "code": "X", "name": "x", "startYear": 2025,
                                                  "endYear": 2026}}, token))["saveStrategicGoal"]
        assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    # The head plans the IKU of his or her unit, not another unit's; an employee plans none.
    own = (await api.ok(CREATE_IKU, _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "IKU kepala"), kepala))
    assert own["createUnitIndicator"]["userErrors"] == []
    others = [u for u in await rows(OrgUnit, tenant.id) if u.parent_id is None and u.id != unit.id
              and unit.parent_id != u.id]
    foreign = (await api.ok(CREATE_IKU, _iku(to_global_id("OrgUnit", others[0].id), sasaran_id, "IKU lain"), kepala))
    assert [(e["field"], e["code"]) for e in foreign["createUnitIndicator"]["userErrors"]] == [("orgUnitId", "FORBIDDEN")]
    none = (await api.ok(CREATE_IKU, _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "IKU pegawai"), pegawai))
    assert [e["code"] for e in none["createUnitIndicator"]["userErrors"]] == ["FORBIDDEN"]
    # Everyone of the tenant reads them.
    listed = (await api.ok(IKUS, {"u": to_global_id("OrgUnit", unit.id), "y": 2026}, pegawai))["unitIndicators"]
    assert "IKU kepala" in [i["name"] for i in listed]


async def test_another_tenants_goals_and_iku_answer_like_unknown_ones(api):
    _tenant_row, unit = await _unit_without_demo_iku("tebingtinggi")
    hr = await api.token("tebingtinggi", "bkpsdm")
    tujuan_id, sasaran_id, _code = await _goal_tree(api, hr)
    iku_id = (await api.ok(CREATE_IKU, _iku(to_global_id("OrgUnit", unit.id), sasaran_id, "Sasaran serangan"),
                           hr))["createUnitIndicator"]["unitIndicator"]["id"]
    intruder = await api.token("bungo", "admin")
    bungo_unit = (await rows(OrgUnit, (await _tenant("bungo")).id))[0]
    random_iku, random_goal = to_global_id("UnitIndicator", uuid.uuid4()), to_global_id("StrategicGoal", uuid.uuid4())

    async def same(query, foreign_vars, random_vars, key):
        a = (await api.ok(query, foreign_vars, intruder))[key]["userErrors"]
        b = (await api.ok(query, random_vars, intruder))[key]["userErrors"]
        assert a == b and a and a[0]["code"] == "NOT_FOUND", (a, b)

    await same(UPDATE_IKU, {"i": {"id": iku_id, "name": "Diambil alih"}},
               {"i": {"id": random_iku, "name": "Diambil alih"}}, "updateUnitIndicator")
    await same(SET_TARGET, {"i": {"unitIndicatorId": iku_id, "value": "1"}},
               {"i": {"unitIndicatorId": random_iku, "value": "1"}}, "setUnitIndicatorTarget")
    bungo_unit_id = to_global_id("OrgUnit", bungo_unit.id)
    await same(CREATE_IKU, _iku(bungo_unit_id, sasaran_id, "Pinjam sasaran"),
               _iku(bungo_unit_id, random_goal, "Pinjam sasaran"), "createUnitIndicator")
    await same(SAVE_GOAL, {"i": {"level": "SASARAN", "parentId": tujuan_id, "code": "Z", "name": "z",
                                 "startYear": 2025, "endYear": 2026}},
               {"i": {"level": "SASARAN", "parentId": random_goal, "code": "Z", "name": "z",
                      "startYear": 2025, "endYear": 2026}}, "saveStrategicGoal")
    await same(CREATE_IKU, _iku(to_global_id("OrgUnit", unit.id), random_goal, "Unit asing"),
               _iku(to_global_id("OrgUnit", uuid.uuid4()), random_goal, "Unit asing"), "createUnitIndicator")
    # Reads: node and the unit's list.
    for node_id in (iku_id, tujuan_id):
        body = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, intruder)
        random_body = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": random_iku}, intruder)
        assert error_codes(body) == error_codes(random_body)
    body = await api.post(IKUS, {"u": to_global_id("OrgUnit", unit.id), "y": 2026}, intruder)
    assert error_codes(body) == ["NOT_FOUND"]
    assert all(g["code"] != _code for g in (await api.ok(GOALS, {"y": 2026}, intruder))["strategicGoals"])
    # Nothing was changed in the victim's tenant.
    assert (await rows(UnitIndicator, _tenant_row.id, name="Sasaran serangan"))[0].target is None


@postgres_only
async def test_the_database_refuses_an_iku_pointing_into_another_tenant(database):
    import asyncpg

    bungo, samarinda = await _tenant("bungo"), await _tenant("samarinda")
    foreign_unit = (await rows(OrgUnit, samarinda.id))[0]
    conn = await asyncpg.connect(database.database_url.replace("postgres://", "postgresql://", 1))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
            assert await conn.fetchval("SELECT count(*) FROM unit_indicator WHERE tenant_id = $1", samarinda.id) == 0
        with pytest.raises(asyncpg.exceptions.ForeignKeyViolationError, match="_tenant_fk"):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
                goal = uuid.uuid4()
                await conn.execute(
                    "INSERT INTO strategic_goal (id, tenant_id, level, code, name, start_year, end_year, indicators, "
                    "created_at, updated_at) VALUES ($1, $2, 'SASARAN', 'X', 'x', 2025, 2026, '[]', now(), now())",
                    goal, bungo.id)
                await conn.execute(
                    "INSERT INTO unit_indicator (id, tenant_id, org_unit_id, year, goal_id, name, definition, formula, "
                    "kind, direction, unit_of_measure, data_source, responsible_position, created_at, updated_at) "
                    "VALUES ($1, $2, $3, 2026, $4, 'x', '', '', 'COUNT', 'HIGHER_IS_BETTER', '', '', '', now(), now())",
                    uuid.uuid4(), bungo.id, foreign_unit.id, goal)
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(bungo.id))
                await conn.execute(
                    "INSERT INTO strategic_goal (id, tenant_id, level, code, name, start_year, end_year, indicators, "
                    "created_at, updated_at) VALUES ($1, $2, 'TUJUAN', 'X', 'x', 2025, 2026, '[]', now(), now())",
                    uuid.uuid4(), samarinda.id)
    finally:
        await conn.close()


# --- Perjanjian Kinerja ---------------------------------------------------------------------------

SIGN = ("mutation($i: SignPerformanceAgreementInput!) { signPerformanceAgreement(input: $i) { performanceAgreement { "
        "version status headSignedAt superiorSignedAt head { name } superior { name } commitments { name target } } "
        "%s } }" % ERRORS)
REVISE = ("mutation($i: RevisePerformanceAgreementInput!) { revisePerformanceAgreement(input: $i) { "
          "performanceAgreement { version status revisionReason history { version status commitments { target } } } "
          "%s } }" % ERRORS)
AGREEMENT = ("query($u: ID!, $y: Int!) { performanceAgreement(orgUnitId: $u, year: $y) { version status "
             "revisionReason commitments { unitIndicatorId name target } head { name } superior { name } "
             "history { version status } } }")


async def sub_unit_of_kepala(slug) -> tuple[Tenant, OrgUnit]:
    """The unit `atasan` heads; `kepala` is his or her superior."""
    tenant = await _tenant(slug)
    user = (await rows(User, tenant.id, username="atasan"))[0]
    return tenant, (await rows(OrgUnit, tenant.id, head_id=user.employee_id))[0]


def _codes(payload) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def test_the_head_signs_then_the_superior_and_a_revision_keeps_the_signed_version(api):
    _tenant_row, unit = await sub_unit_of_kepala("tebingtinggi")
    hr, kepala = await api.token("tebingtinggi", "bkpsdm"), await api.token("tebingtinggi", "kepala")
    atasan = await api.token("tebingtinggi", "atasan")
    _tujuan, sasaran_id, _code = await _goal_tree(api, hr)
    unit_id = to_global_id("OrgUnit", unit.id)
    first = (await api.ok(CREATE_IKU, _iku(unit_id, sasaran_id, "Cakupan imunisasi", target="95"), hr))
    first_id = first["createUnitIndicator"]["unitIndicator"]["id"]
    second = (await api.ok(CREATE_IKU, _iku(unit_id, sasaran_id, "Cakupan persalinan", kind="COUNT"), hr))
    second_id = second["createUnitIndicator"]["unitIndicator"]["id"]
    assert (await api.ok(AGREEMENT, {"u": unit_id, "y": 2026}, atasan))["performanceAgreement"] is None

    def sign(side, token):
        return api.ok(SIGN, {"i": {"orgUnitId": unit_id, "year": 2026, "side": side}}, token)

    # Every IKU needs a target; the head signs first; only the head, only the head's superior.
    assert _codes((await sign("HEAD", atasan))["signPerformanceAgreement"]) == [("orgUnitId", "BAD_USER_INPUT")]
    await api.ok(SET_TARGET, {"i": {"unitIndicatorId": second_id, "value": "120"}}, hr)
    assert _codes((await sign("SUPERIOR", kepala))["signPerformanceAgreement"]) == [("side", "CONFLICT")]
    assert _codes((await sign("HEAD", kepala))["signPerformanceAgreement"]) == [("side", "FORBIDDEN")]
    assert _codes((await sign("SUPERIOR", atasan))["signPerformanceAgreement"]) == [("side", "FORBIDDEN")]
    assert _codes((await sign("HEAD", hr))["signPerformanceAgreement"]) == [(None, "FORBIDDEN")]

    signed = (await sign("HEAD", atasan))["signPerformanceAgreement"]
    assert signed["userErrors"] == []
    draft = signed["performanceAgreement"]
    assert (draft["version"], draft["status"], draft["superiorSignedAt"]) == (1, "DRAFT", None)
    assert draft["headSignedAt"] and draft["commitments"] == [{"name": "Cakupan imunisasi", "target": "95"},
                                                             {"name": "Cakupan persalinan", "target": "120"}]
    assert _codes((await sign("HEAD", atasan))["signPerformanceAgreement"]) == [("side", "CONFLICT")]
    # A committed target changes only through a revision.
    locked = (await api.ok(SET_TARGET, {"i": {"unitIndicatorId": first_id, "value": "97"}}, hr))
    assert _codes(locked["setUnitIndicatorTarget"]) == [("value", "CONFLICT")]
    in_force = (await sign("SUPERIOR", kepala))["signPerformanceAgreement"]["performanceAgreement"]
    assert in_force["status"] == "SIGNED" and in_force["superior"]["name"] and in_force["superiorSignedAt"]
    assert _codes((await sign("SUPERIOR", kepala))["signPerformanceAgreement"]) == [("side", "CONFLICT")]

    def revise(reason, token):
        return api.ok(REVISE, {"i": {"orgUnitId": unit_id, "year": 2026, "reason": reason}}, token)

    assert _codes((await revise("", atasan))["revisePerformanceAgreement"]) == [("reason", "BAD_USER_INPUT")]
    assert _codes((await revise("Refocusing anggaran", kepala))["revisePerformanceAgreement"]) == [
        ("orgUnitId", "FORBIDDEN")]
    revised = (await revise("Refocusing anggaran", atasan))["revisePerformanceAgreement"]
    assert revised["userErrors"] == []
    assert revised["performanceAgreement"]["version"] == 2 and revised["performanceAgreement"]["status"] == "DRAFT"
    assert revised["performanceAgreement"]["revisionReason"] == "Refocusing anggaran"
    assert _codes((await revise("Lagi", atasan))["revisePerformanceAgreement"]) == [("orgUnitId", "CONFLICT")]
    changed = (await api.ok(SET_TARGET, {"i": {"unitIndicatorId": first_id, "value": "97"}}, hr))
    assert changed["setUnitIndicatorTarget"]["userErrors"] == []
    assert (await sign("HEAD", atasan))["signPerformanceAgreement"]["userErrors"] == []
    assert (await sign("SUPERIOR", kepala))["signPerformanceAgreement"]["userErrors"] == []
    current = (await api.ok(AGREEMENT, {"u": unit_id, "y": 2026}, await api.token("tebingtinggi", "pegawai")))
    current = current["performanceAgreement"]
    assert (current["version"], current["status"], current["revisionReason"]) == (2, "SIGNED", "Refocusing anggaran")
    assert current["history"] == [{"version": 1, "status": "REVISED"}, {"version": 2, "status": "SIGNED"}]
    assert [c["target"] for c in current["commitments"]] == ["97", "120"]
    assert current["commitments"][0]["unitIndicatorId"] == first_id
    kept = (await revise("Lihat riwayat", atasan))["revisePerformanceAgreement"]["performanceAgreement"]["history"]
    assert [[c["target"] for c in v["commitments"]] for v in kept] == [["95", "120"], ["97", "120"], ["97", "120"]]


async def test_another_tenants_agreement_answers_like_an_unknown_unit(api):
    _tenant_row, unit = await sub_unit_of_kepala("tebingtinggi")
    intruder = await api.token("bungo", "admin")
    foreign, random = to_global_id("OrgUnit", unit.id), to_global_id("OrgUnit", uuid.uuid4())
    for mutation, key, extra in ((SIGN, "signPerformanceAgreement", {"side": "HEAD"}),
                                 (REVISE, "revisePerformanceAgreement", {"reason": "Ambil alih"})):
        a = (await api.ok(mutation, {"i": {"orgUnitId": foreign, "year": 2026, **extra}}, intruder))[key]
        b = (await api.ok(mutation, {"i": {"orgUnitId": random, "year": 2026, **extra}}, intruder))[key]
        assert a["userErrors"] == b["userErrors"] and _codes(a) == [("orgUnitId", "NOT_FOUND")]
    a = await api.post(AGREEMENT, {"u": foreign, "y": 2026}, intruder)
    b = await api.post(AGREEMENT, {"u": random, "y": 2026}, intruder)
    assert error_codes(a) == error_codes(b) == ["NOT_FOUND"]
