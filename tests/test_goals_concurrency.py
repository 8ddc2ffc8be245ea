"""A Perjanjian Kinerja signed by many requests at once, against a running server (two workers on
PostgreSQL, so the requests run on separate connections): one signature, one audit entry, and a
CONFLICT for every other request."""

from __future__ import annotations

import uuid

import pytest
from conftest import BACKEND, rows, running_server
from parallel import Client, outcome, payloads, together
from test_goals import CREATE_IKU, SAVE_GOAL, SIGN, _iku, sub_unit_of_kepala

from kinerja.core.audit_models import AuditLog
from kinerja.core.ids import to_global_id
from kinerja.goals.models import PerformanceAgreement

WORKERS = 2 if BACKEND == "postgres" else 1
N = 10


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    async with running_server(database, WORKERS, tmp_path_factory.mktemp("pk") / "server.log",
                              env={"KINERJA_DB_POOL_SIZE": "12"}) as base:
        yield base


@pytest.fixture
async def api(server):
    client = Client(server)
    yield client
    await client.close()


async def test_two_signatures_at_once_make_one(api):
    tenant, unit = await sub_unit_of_kepala("samarinda")
    hr = await api.token("samarinda", "bkpsdm")
    suffix = uuid.uuid4().hex[:6]
    tujuan = (await api.ok(SAVE_GOAL, {"i": {"level": "TUJUAN", "code": f"T-{suffix}", "name": "Tujuan",
                                             "startYear": 2025, "endYear": 2026}}, hr))["saveStrategicGoal"]
    sasaran = (await api.ok(SAVE_GOAL, {"i": {"level": "SASARAN", "parentId": tujuan["strategicGoal"]["id"],
                                              "code": f"S-{suffix}", "name": "Sasaran", "startYear": 2025,
                                              "endYear": 2026}}, hr))["saveStrategicGoal"]
    unit_id = to_global_id("OrgUnit", unit.id)
    variables = _iku(unit_id, sasaran["strategicGoal"]["id"], "Angka partisipasi sekolah", target="98")
    variables["i"]["year"] = 2025
    assert (await api.ok(CREATE_IKU, variables, hr))["createUnitIndicator"]["userErrors"] == []
    atasan, kepala = await api.token("samarinda", "atasan"), await api.token("samarinda", "kepala")
    for side, token in (("HEAD", atasan), ("SUPERIOR", kepala)):
        answers = await together(N, lambda _i, side=side, token=token: api.post(
            SIGN, {"i": {"orgUnitId": unit_id, "year": 2025, "side": side}}, token))
        successes, codes = outcome(answers, "signPerformanceAgreement")
        assert successes == 1 and codes == ["CONFLICT"] * (N - 1), (side, codes)
        messages = {e["message"] for p in payloads(answers, "signPerformanceAgreement") for e in p["userErrors"]}
        assert len(messages) == 1 and "already signed" in messages.pop()
    [agreement] = await rows(PerformanceAgreement, tenant.id, org_unit_id=unit.id, year=2025)
    assert agreement.status.value == "SIGNED" and agreement.version == 1
    entries = await rows(AuditLog, tenant.id, operation="signPerformanceAgreement", object_id=agreement.id)
    assert len(entries) == 2  # one per side
